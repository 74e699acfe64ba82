//! `cargo verify-install`: prove that what `cargo package` produces (not
//! the working tree) builds, installs and runs on a clean machine, or that
//! a prebuilt binary archive does.
//!
//! - [`run`]: the options, the run, `exec`.
//! - `from_package`, `from_git`, `from_archive`, `from_registry`, `from_image`:
//!   the five sources.
//! - `toolchain`, `binaries`, `library`: the checks run on what was installed.
//! - [`package`]: `cargo package` and the publish-readiness findings.
//! - [`packaged`]: what the checks need to know of a packaged crate.
//! - [`unpack`]: safe unpacking of `.crate` files and archives.
//! - [`install`]: the isolated install and library consumer, and the
//!   content-keyed build cache.
//! - [`probe`]: the settings, running binaries, smoke commands, required programs.
//! - [`archive_sums`]: an archive's digest against a SUMS file or sidecar.
//! - [`process`]: running programs with a timeout and Ctrl-C handling.
//! - [`report`]: the table, summary, JSON and Markdown report.

pub mod archive_sums;
mod binaries;
mod from_archive;
mod from_git;
mod from_image;
mod from_package;
mod from_registry;
pub mod install;
mod library;
pub mod package;
pub mod packaged;
pub mod probe;
pub mod process;
pub mod report;
pub mod run;
mod toolchain;
pub mod unpack;
