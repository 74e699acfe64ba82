//! What cargo's configuration says about where build output goes: the
//! target directory, as cargo resolves it (`CARGO_TARGET_DIR`,
//! `CARGO_BUILD_TARGET_DIR`, `build.target-dir` in the `.cargo/config.toml`
//! files from the current directory up and in `$CARGO_HOME`), without
//! running cargo.

use std::path::{Path, PathBuf};

/// The target directory of the workspace at `root`, for a command run in
/// `cwd`.
pub fn target_dir(root: &Path, cwd: &Path) -> PathBuf {
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"] {
        if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return cwd.join(dir);
        }
    }
    // A config file's relative paths start at the parent of the directory
    // that holds it.
    let dirs = cwd
        .ancestors()
        .map(|a| a.join(".cargo"))
        .chain(cargo_home());
    for cargo_dir in dirs {
        for name in ["config.toml", "config"] {
            if let Some(value) = configured(&cargo_dir.join(name)) {
                let base = cargo_dir.parent().unwrap_or(&cargo_dir);
                return base.join(value);
            }
        }
    }
    root.join("target")
}

/// `build.target-dir` of one config file, if it sets it.
fn configured(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get("build")?
        .get("target-dir")?
        .as_str()
        .map(String::from)
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_config_sets_the_target_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let sub = root.join("crates/a");
        std::fs::create_dir_all(&sub).unwrap();
        if std::env::var_os("CARGO_TARGET_DIR").is_some()
            || std::env::var_os("CARGO_BUILD_TARGET_DIR").is_some()
        {
            return; // the variables win; tested through the binary
        }
        std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
        std::fs::create_dir_all(root.join(".cargo")).unwrap();
        crate::fs::write_atomic(
            &dir.path().join(".cargo/config.toml"),
            b"[build]\ntarget-dir = \"outer\"\n",
        )
        .unwrap();
        assert_eq!(target_dir(&root, &sub), dir.path().join("outer"));
        crate::fs::write_atomic(
            &root.join(".cargo/config.toml"),
            b"[build]\ntarget-dir = \"/abs/out\"\n",
        )
        .unwrap();
        assert_eq!(target_dir(&root, &sub), PathBuf::from("/abs/out"));
        crate::fs::write_atomic(&root.join(".cargo/config.toml"), b"[net]\noffline = true\n")
            .unwrap();
        assert_eq!(target_dir(&root, &sub), dir.path().join("outer"));
    }
}
