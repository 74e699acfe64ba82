//! The library behind the relkit release tools. Binaries are thin: they
//! parse arguments and call into these modules.
//!
//! - [`version`], [`requirement`]: SemVer bump rules and requirement rewriting.
//! - [`manifest`], [`lockfile`], [`edit`]: byte-exact edits of Cargo.toml and Cargo.lock.
//! - [`workspace`]: discovery through `cargo metadata` and package selection.
//! - [`replace`], [`template`]: extra-file replacements and `{{placeholder}}` templates.
//! - [`fs`], [`diff`]: atomic multi-file transactions and dry-run diffs.
//! - [`git`]: local git operations.
//! - [`term`], [`cli`], [`error`]: output, shared flags, the error type.
//! - [`checksum`], [`artifacts`]: SHA-2 hashing, SUMS files, `--check`, artifact discovery.
//! - [`bump`], [`artifact_sum`], [`changelog`], [`verify`]: the commands.

pub mod artifact_sum;
pub mod artifacts;
pub mod bump;
pub mod cargo_config;
pub mod changelog;
pub mod checksum;
pub mod cli;
pub mod commits;
pub mod diff;
pub mod discover;
pub mod edit;
pub mod error;
pub mod fs;
pub mod git;
pub mod lockfile;
pub mod manifest;
pub mod replace;
pub mod requirement;
pub mod template;
pub mod term;
pub mod verify_install;
pub mod version;
pub mod workspace;

pub use error::{Error, Result};
