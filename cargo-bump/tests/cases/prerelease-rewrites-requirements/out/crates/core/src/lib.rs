#![doc(html_root_url = "https://docs.rs/core/1.3.0-alpha.1")]
//! The core.
