//! A crate registry as cargo sees it: which one (`--registry`, `--index`,
//! cargo's configuration and credentials), its sparse index read over
//! HTTP, and the publish API.
//!
//! - [`config`]: the registry and its token, resolved as cargo resolves them.
//! - [`http`]: one HTTP client, retries with backoff that honour `Retry-After`.
//! - [`index`]: `config.json`, a crate's index file, download URLs.
//! - [`upload`]: the publish request built from a `.crate` file.

pub mod config;
pub mod http;
pub mod index;
pub mod upload;

pub use config::{Choice, Registry, Token};
