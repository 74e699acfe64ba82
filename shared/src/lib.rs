//! The library behind the cratesmith release tools. Binaries are thin: they
//! parse arguments and call `<tool>::exec` in one of these folders.
//!
//! The tools, each a folder with `run.rs` holding `exec`:
//! - [`bump`]: `cargo bump`, SemVer bumps across a workspace.
//! - [`changelog`]: `git changelog`, Conventional Commits to Keep a Changelog.
//! - [`artifact_sum`]: `cargo artifact-sum`, checksums and `--check`.
//! - [`verify_install`]: `cargo verify-install`, the packaged crate installed and run.
//!
//! What they share, named for what it holds:
//! - [`release`]: what a release covers (scope, settings, tags, spans, implied level).
//! - [`version`], [`commits`], [`requirement`]: SemVer rules, Conventional Commits, requirement rewriting.
//! - [`manifest`], [`lockfile`], [`edit`]: byte-exact edits of Cargo.toml and Cargo.lock.
//! - [`workspace`], [`discover`], [`cargo_config`]: the workspace through `cargo metadata` or read directly.
//! - [`replace`], [`template`]: extra-file replacements and `{{placeholder}}` templates.
//! - [`fs`], [`diff`], [`paths`]: atomic multi-file transactions, dry-run diffs, path rules.
//! - [`git`]: local git operations.
//! - [`term`], [`text`], [`cli`], [`error`]: output, terminal-safe text, shared flags, the error type.

pub mod artifact_sum;
pub mod bump;
pub mod cargo_config;
pub mod changelog;
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
pub mod oci;
pub mod paths;
pub mod registry;
pub mod release;
pub mod replace;
pub mod requirement;
pub mod ship;
pub mod template;
pub mod term;
pub mod text;
pub mod verify_install;
pub mod version;
pub mod workspace;

pub use error::{Error, Result};
