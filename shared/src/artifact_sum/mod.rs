//! `cargo artifact-sum`: SHA-256/512 checksums of release artifacts, and
//! `--check` to verify them.
//!
//! - [`run`]: the command (`exec`), hashing or checking.
//! - [`inputs`]: what is hashed (paths walked, or a workspace's release artifacts).
//! - [`digest`]: SHA-2 streaming, many files over all cores.
//! - [`sums`]: the SUMS file format (GNU and BSD lines, escaping).
//! - [`check`]: `--check`, verifying SUMS files.
//! - [`sign`]: `--sign` and `--verify-signature` (SSH, GPG or minisign).
//! - [`minisign`]: minisign keys and signatures, also `--sign-each`.

pub mod check;
pub mod digest;
pub mod inputs;
pub mod minisign;
pub mod run;
pub mod sign;
pub mod sums;

pub use run::{Options, PROG, exec};
