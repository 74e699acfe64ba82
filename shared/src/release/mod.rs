//! What a release covers, below both `git changelog` and `cargo bump auto`
//! so that they cannot disagree: the [`scope`](mod@scope) (tag pattern and paths), the
//! [`settings`], the release [`tags`], the [`spans`] of commits between
//! them, and the level the commits since the last release imply.

pub mod api;
pub mod changed;
pub mod imported;
pub mod members;
pub mod scope;
pub mod settings;
pub mod spans;
pub mod tags;

pub use scope::{Scope, ScopeArgs, scope};
pub use settings::Settings;
pub use spans::{Pending, Reading, Span, Title, all_spans, pending, unreleased};
pub use tags::Releases;

use crate::commits;
use crate::git::CommitInfo;
use crate::version::Implied;

/// The level `history` implies under `settings`, before it meets a
/// version: the one rule behind `cargo bump auto`, `git changelog --bump`
/// and `--next-version`.
pub fn implied(history: &[CommitInfo], settings: &Settings) -> Implied {
    let parsed: Vec<commits::Conventional> = commits::classify(history, false, &settings.types())
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    Implied {
        raw: commits::raw_level(&parsed),
        features_always_minor: settings.features_always_minor,
        exact: false,
    }
}
