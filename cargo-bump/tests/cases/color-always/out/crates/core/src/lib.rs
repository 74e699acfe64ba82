#![doc(html_root_url = "https://docs.rs/core/1.2.3")]
//! The core.
