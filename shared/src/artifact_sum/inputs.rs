//! What `cargo artifact-sum` hashes: the paths given (directories walked
//! recursively in byte order of names), or a workspace's release artifacts.
//!
//! In a walk, a symlink to a file inside the walked tree is hashed under its
//! own name; a symlink that points out of the tree, to a directory, or to
//! nothing (dangling) is reported and skipped, so a walk never leaves its
//! tree and cannot loop. `-` is standard input, as for `sha256sum`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// A file to hash and the name it is shown under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Where to read it.
    pub path: PathBuf,
    /// Its name in the output, as the user wrote it (walks add `/`-joined parts).
    pub name: String,
}

/// Inputs found, plus what was skipped (notes) and what failed (problems).
#[derive(Debug, Default)]
pub struct Collected {
    /// Files to hash, in output order.
    pub inputs: Vec<Input>,
    /// Skipped entries, explained (not failures).
    pub notes: Vec<String>,
    /// Paths that could not be used (the run fails, the rest is still hashed).
    pub problems: Vec<String>,
}

/// Inputs for explicit paths.
pub fn from_paths(paths: &[PathBuf]) -> Collected {
    let mut out = Collected::default();
    for path in paths {
        let name = path.to_string_lossy().into_owned();
        if name == "-" {
            out.inputs.push(Input {
                path: path.clone(),
                name,
            });
            continue;
        }
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let before = out.inputs.len();
                let root = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                walk(&root, path, &name, &mut out);
                if out.inputs.len() == before {
                    out.problems
                        .push(format!("{name}: the directory contains no files to hash"));
                }
            }
            Ok(_) => out.inputs.push(Input {
                path: path.clone(),
                name,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.problems
                    .push(format!("{name}: No such file or directory"));
            }
            Err(e) => out.problems.push(format!("{name}: {e}")),
        }
    }
    out
}

fn walk(root: &Path, dir: &Path, shown: &str, out: &mut Collected) {
    let mut entries: Vec<fs::DirEntry> = match fs::read_dir(dir) {
        Ok(rd) => rd.flatten().collect(),
        Err(e) => return out.problems.push(format!("{shown}: {e}")),
    };
    entries.sort_by(|a, b| {
        a.file_name()
            .as_encoded_bytes()
            .cmp(b.file_name().as_encoded_bytes())
    });
    for entry in entries {
        let path = entry.path();
        let name = format!(
            "{}/{}",
            shown.trim_end_matches('/'),
            entry.file_name().to_string_lossy()
        );
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &path, &name, out);
        } else if kind.is_file() {
            out.inputs.push(Input { path, name });
        } else if kind.is_symlink() {
            symlink(root, path, name, out);
        } else {
            out.notes
                .push(format!("skipping `{name}`: not a regular file"));
        }
    }
}

fn symlink(root: &Path, path: PathBuf, name: String, out: &mut Collected) {
    match fs::canonicalize(&path) {
        Err(_) => out.notes.push(format!(
            "skipping `{name}`: a symlink whose target does not exist"
        )),
        Ok(target) if target.is_dir() => {
            out.notes.push(format!(
                "skipping `{name}`: symlinks to directories are not followed"
            ));
        }
        Ok(target) if !target.starts_with(root) => out.notes.push(format!(
            "skipping `{name}`: it links to `{}`, outside `{}`",
            target.display(),
            root.display()
        )),
        Ok(_) => out.inputs.push(Input { path, name }),
    }
}

/// The release artifacts of the selected members: `.crate` files in
/// `target/package/`, release binaries in `target/release/` and
/// `target/<triple>/release/`, and archives in `target/distrib/`.
pub fn release_artifacts(ws: &Workspace, selected: &[usize]) -> Result<Vec<Input>> {
    let target = ws
        .target_dir
        .clone()
        .unwrap_or_else(|| ws.root.join("target"));
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut looked = Vec::new();
    let mut found = Vec::new();
    let mut candidate = |path: PathBuf, looked: &mut Vec<PathBuf>| {
        if path.is_file() {
            found.push(path);
        } else {
            looked.push(path);
        }
    };
    for &i in selected {
        let m = &ws.members[i];
        candidate(
            target
                .join("package")
                .join(format!("{}-{}.crate", m.name, m.version)),
            &mut looked,
        );
    }
    let release_dirs = release_dirs(&target);
    for &i in selected {
        let bins = ws.members[i]
            .targets
            .iter()
            .filter(|t| t.is_bin())
            .map(|t| t.name.clone());
        for bin in bins {
            for dir in &release_dirs {
                candidate(
                    dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX)),
                    &mut looked,
                );
            }
        }
    }
    let distrib = target.join("distrib");
    let mut archives: Vec<PathBuf> = fs::read_dir(&distrib)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    archives.sort();
    if archives.is_empty() {
        looked.push(distrib);
    }
    found.extend(archives);
    if found.is_empty() {
        return Err(Error::NoArtifacts { looked });
    }
    Ok(found
        .into_iter()
        .map(|path| Input {
            name: crate::paths::under(&cwd, &path)
                .to_string_lossy()
                .into_owned(),
            path,
        })
        .collect())
}

/// `target/release` and every `target/<triple>/release`.
fn release_dirs(target: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![target.join("release")];
    let mut triples: Vec<PathBuf> = fs::read_dir(target)
        .map(|rd| {
            rd.flatten()
                .filter(|e| is_triple(&e.file_name().to_string_lossy()))
                .map(|e| e.path().join("release"))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    triples.sort();
    dirs.extend(triples);
    dirs
}

/// Whether a directory under `target/` is named for a target triple
/// (`x86_64-unknown-linux-musl`, `aarch64-apple-darwin`, `wasm32-wasip1`),
/// and not one of the directories cargo or a tool keeps there
/// (`package`, `doc`, `verify-install`, `distrib`, …).
fn is_triple(name: &str) -> bool {
    const ARCHES: [&str; 16] = [
        "x86_64",
        "i686",
        "i586",
        "aarch64",
        "arm",
        "thumb",
        "wasm32",
        "wasm64",
        "riscv",
        "powerpc",
        "mips",
        "s390x",
        "sparc",
        "loongarch64",
        "armv7",
        "avr",
    ];
    let parts: Vec<&str> = name.split('-').collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty())
        && ARCHES.iter().any(|a| parts[0].starts_with(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_target_triples_count_as_release_directories() {
        let table = [
            ("x86_64-unknown-linux-gnu", true),
            ("x86_64-unknown-linux-musl", true),
            ("aarch64-apple-darwin", true),
            ("x86_64-pc-windows-msvc", true),
            ("wasm32-wasip1", true),
            ("thumbv7em-none-eabihf", true),
            ("verify-install", false),
            ("self-publish-install", false),
            ("package", false),
            ("distrib", false),
            ("debug", false),
            ("doc", false),
        ];
        for (name, want) in table {
            assert_eq!(is_triple(name), want, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn walk_is_sorted_and_stays_in_its_tree() {
        let outside = tempfile::tempdir().unwrap();
        crate::fs::write_atomic(&outside.path().join("secret"), b"s").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("art");
        fs::create_dir_all(root.join("sub/deeper")).unwrap();
        for f in ["b", "a", "sub/z", "sub/deeper/y", "B"] {
            crate::fs::write_atomic(&root.join(f), f.as_bytes()).unwrap();
        }
        std::os::unix::fs::symlink(root.join("a"), root.join("link-in")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("link-out")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
        let arg = root.to_string_lossy().into_owned();
        let got = from_paths(std::slice::from_ref(&root));
        let names: Vec<String> = got
            .inputs
            .iter()
            .map(|i| i.name.replacen(&arg, "art", 1))
            .collect();
        assert_eq!(
            names,
            [
                "art/B",
                "art/a",
                "art/b",
                "art/link-in",
                "art/sub/deeper/y",
                "art/sub/z"
            ]
        );
        assert_eq!(got.notes.len(), 2, "{:?}", got.notes);
        assert!(got.notes[0].contains("link-out") && got.notes[0].contains("outside"));
        assert!(got.notes[1].contains("sub/loop") && got.notes[1].contains("not followed"));
        assert!(got.problems.is_empty());
    }
}
