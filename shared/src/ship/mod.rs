//! `cargo ship`: puts a release where users install from. Its first
//! channels: the crate registry (`cargo ship crates`) and a container
//! image (`cargo ship image`).
//!
//! - [`run`]: the options and `exec`.
//! - [`plan`]: which packages go, in which order, and why others do not.
//! - [`contents`]: whether a version already in the index is ours (its
//!   contents are what `cargo package` makes now).
//! - [`owners`]: whether a name is ours, where the registry has the owners
//!   API.
//! - [`shadow`]: a copy of the workspace whose path dependencies name the
//!   registry, for a registry other than crates.io.
//! - [`publish`]: one verification phase, then the uploads, retried and
//!   waited for.
//! - [`report`]: the plan table, the outcomes, the JSON.
//! - [`archives`]: the release archives in a directory, by target triple,
//!   each checked against the SUMS file beside it.
//! - [`pack`]: `cargo ship archive`, the reproducible release archive of
//!   one target.
//! - [`installer`], [`formula`]: a `curl | sh` installer and a Homebrew
//!   formula for those archives.
//! - [`binstall`]: the `[package.metadata.binstall]` that points `cargo
//!   binstall` at them, with their minisign key.
//! - [`sbom`]: `cargo ship sbom`, the CycloneDX SBOM of a binary package
//!   for a target.
//! - [`pr`], `pr_body`: `cargo ship pr`, the release branch and the pull
//!   request's body; [`release`], `tagging`: `cargo ship release`, what a
//!   merged release PR released (tags, notes, publish).
//! - [`image`], [`image_inputs`]: `cargo ship image`, the OCI image of
//!   the release binaries, and what goes into it.

pub mod archives;
pub mod binstall;
pub mod contents;
pub mod formula;
pub mod image;
pub mod image_inputs;
pub mod installer;
pub mod owners;
pub mod pack;
pub mod plan;
pub mod pr;
mod pr_body;
pub mod publish;
pub mod release;
pub mod report;
pub mod run;
pub mod sbom;
pub mod shadow;
mod tagging;

pub use run::{Options, exec};
