//! `cargo ship`: puts a release where users install from. Its first
//! channel is the crate registry (`cargo ship crates`).
//!
//! - [`run`]: the options and `exec`.
//! - [`plan`]: which packages go, in which order, and why others do not.
//! - [`publish`]: one verification phase, then the uploads, retried and
//!   waited for.
//! - [`report`]: the plan table, the outcomes, the JSON.

pub mod plan;
pub mod publish;
pub mod report;
pub mod run;

pub use run::{Options, exec};
