//! `cargo verify-install`: prove that what `cargo package` produces (not
//! the working tree) builds, installs and runs on a clean machine, or that
//! a prebuilt binary archive does.
//!
//! - [`package`]: `cargo package` and the publish-readiness findings.
//! - [`packaged`]: what the checks need to know of a packaged crate.
//! - [`unpack`]: safe unpacking of `.crate` files and archives.
//! - [`install`]: the isolated install and library consumer, and the
//!   content-keyed build cache.
//! - [`probe`]: binaries, smoke commands, toolchain and required programs.
//! - [`sums`]: an archive's digest against a SUMS file or sidecar.
//! - [`process`]: running programs with a timeout and Ctrl-C handling.
//! - [`report`]: the table, summary, JSON and Markdown report.
//! - [`run`]: the command.

pub mod install;
pub mod package;
pub mod packaged;
pub mod probe;
pub mod process;
pub mod report;
pub mod run;
pub mod sums;
pub mod unpack;
