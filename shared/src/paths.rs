//! Path rules every tool shares: canonical paths (also of paths that no
//! longer exist), paths relative to a root or to a directory, paths as
//! written in files (`/`-separated), and whether a path stays inside the
//! directory it is resolved in or the repository it is about.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// `path` with symlinks resolved; a path that does not exist is made
/// absolute with `.` and `..` resolved lexically.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| lexical(path))
}

/// `path` made absolute with `.` and `..` resolved lexically, without
/// touching the file system.
pub fn lexical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root` when it lies under it, else `path` as is (for
/// showing a path to people).
pub fn under(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// `path` relative to the work tree `root` of a repository (canonical, so
/// `..` and symlinks are resolved first); an error when it lies outside.
pub fn in_repository(root: &Path, path: &Path) -> Result<PathBuf> {
    canonical(path)
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .map_err(|_| Error::Git {
            message: format!(
                "`{}` is outside the repository at `{}`",
                path.display(),
                root.display()
            ),
            help: Some("give a path inside the repository".into()),
        })
}

/// `path` relative to the directory `dir`, with `..` where needed.
pub fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let (p, d): (Vec<_>, Vec<_>) = (path.components().collect(), dir.components().collect());
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// A relative path as written in files: `/`-separated on every platform
/// (a `\\` in a Unix file name is kept).
pub fn slash(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// Whether the relative `path`, followed from a directory `depth` levels
/// below a root, stays under that root: never absolute, never more `..`
/// than levels descended. Lexical: symlinks are not followed.
pub fn stays_inside(depth: usize, path: &Path) -> bool {
    let mut depth = depth;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_and_out() {
        let cases = [
            (0, "a/b", true),
            (0, "./a/../b", true),
            (0, "..", false),
            (0, "a/../../b", false),
            (1, "../b", true),
            (1, "../../b", false),
            (3, "/etc/passwd", false),
            (0, "", true),
        ];
        for (depth, path, expected) in cases {
            assert_eq!(
                stays_inside(depth, Path::new(path)),
                expected,
                "{depth} {path}"
            );
        }
    }

    #[test]
    fn relative_to_climbs_where_needed() {
        let cases = [
            ("/a/b/c", "/a", "b/c"),
            ("/a/b", "/a/c", "../b"),
            ("/a", "/a", ""),
            ("/x/y", "/a/b", "../../x/y"),
        ];
        for (path, dir, expected) in cases {
            assert_eq!(
                relative_to(Path::new(path), Path::new(dir)),
                PathBuf::from(expected)
            );
        }
    }

    #[test]
    fn repository_paths_are_relative_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let inside = root.join("a").join("b");
        std::fs::create_dir_all(&inside).unwrap();
        assert_eq!(in_repository(&root, &inside).unwrap(), PathBuf::from("a/b"));
        assert_eq!(in_repository(&root, &root).unwrap(), PathBuf::new());
        assert_eq!(
            in_repository(&root, &root.join("gone/../c")).unwrap(),
            PathBuf::from("c"),
            "a path that does not exist is resolved lexically"
        );
        let err = in_repository(&root, Path::new("/"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("git: `/` is outside the repository at `{}`", root.display())
        );
    }

    #[test]
    fn lexical_resolves_dots_without_the_file_system() {
        assert_eq!(lexical(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(
            under(Path::new("/a"), Path::new("/a/b")),
            PathBuf::from("b")
        );
        assert_eq!(under(Path::new("/a"), Path::new("/c")), PathBuf::from("/c"));
        assert_eq!(slash(Path::new("a/b")), "a/b");
    }
}
