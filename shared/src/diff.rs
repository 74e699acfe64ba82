//! Unified diffs of staged file changes, for `--dry-run`.

use std::path::Path;

use similar::TextDiff;

use crate::fs::Change;

/// A unified diff (`--- a/<path>`, `+++ b/<path>`, 3 lines of context) of
/// `change`, with paths shown relative to `root`.
pub fn unified(change: &Change<'_>, root: &Path) -> String {
    let shown = crate::paths::slash(&crate::paths::under(root, change.path));
    let old = String::from_utf8_lossy(change.original.unwrap_or_default());
    let new = String::from_utf8_lossy(change.new);
    let old_name = match change.original {
        Some(_) => format!("a/{shown}"),
        None => "/dev/null".to_string(),
    };
    TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &format!("b/{shown}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_paths_relative_to_root() {
        let change = Change {
            path: Path::new("/ws/crates/a/Cargo.toml"),
            original: Some(b"[package]\nversion = \"1.0.0\"\n"),
            new: b"[package]\nversion = \"1.1.0\"\n",
        };
        let expected = "--- a/crates/a/Cargo.toml\n+++ b/crates/a/Cargo.toml\n@@ -1,2 +1,2 @@\n [package]\n-version = \"1.0.0\"\n+version = \"1.1.0\"\n";
        assert_eq!(unified(&change, Path::new("/ws")), expected);
    }
}
