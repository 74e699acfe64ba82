//! The real-world corpus (`../shared/corpus`: Cargo.toml and Cargo.lock
//! files of large public workspaces, byte for byte) as test input: where it
//! is, how to make a copy of a workspace that cargo loads (the corpus has
//! no sources, and a few members lived in test directories that were left
//! out), and a token-level diff of TOML that says whether only string
//! values changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cratesmith_write;

/// The corpus directory: `CRATESMITH_CORPUS`, else `../shared/corpus` beside
/// the checkout. Missing: `None`, or a failure under `CI=true` (CI has it).
///
/// # Panics
/// Under `CI=true` when the corpus is not there.
pub fn dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CRATESMITH_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    crate::missing(&format!("the corpus at {}", dir.display()));
    None
}

/// The corpus's workspaces, sorted.
///
/// # Panics
/// When the directory cannot be read.
pub fn workspaces(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read the corpus")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Every file named `name` under `dir`, in path order.
pub fn files(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for p in entries.flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == name) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `cargo metadata --no-deps --offline` of the workspace at `root`, parsed.
///
/// # Errors
/// cargo's message when it refuses the workspace.
pub fn metadata(root: &Path) -> Result<serde_json::Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// Make the workspace copied at `root` loadable by `cargo metadata
/// --no-deps`: an empty `src/lib.rs` in every package, then, as cargo
/// names what it misses, the binaries (`default-run`, `[[bin]]`), build
/// scripts (`links`) and members that live in left-out test directories
/// (a package named after its path, without a version). No corpus file is
/// changed. Returns
/// the files it created, relative to `root`.
///
/// # Errors
/// When cargo still refuses the workspace, with its message.
pub fn make_loadable(root: &Path) -> Result<BTreeSet<String>, String> {
    let mut made = BTreeSet::new();
    for manifest in files(root, "Cargo.toml") {
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        if text.contains("[package]") {
            create(root, &manifest.with_file_name("src/lib.rs"), "", &mut made);
        }
    }
    for _ in 0..100 {
        let err = match metadata(root) {
            Ok(_) => return Ok(made),
            Err(err) => err,
        };
        if !repair(root, &err, &mut made) {
            return Err(err);
        }
    }
    Err("cargo kept asking for more files".into())
}

/// Create what cargo's error `err` says is missing; false when it says
/// nothing this knows how to make.
fn repair(root: &Path, err: &str, made: &mut BTreeSet<String>) -> bool {
    let quoted: Vec<&str> = err.split('`').skip(1).step_by(2).collect();
    let manifest = quoted
        .iter()
        .rev()
        .find(|q| q.ends_with("Cargo.toml"))
        .map(PathBuf::from);
    let dir = manifest
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(root)
        .to_path_buf();
    let named = |marker: &str| {
        err.split(marker)
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .map(String::from)
    };
    if let Some(bin) = named("default-run target `").or_else(|| named("can't find `")) {
        create(
            root,
            &dir.join(format!("src/bin/{bin}.rs")),
            "fn main() {}\n",
            made,
        );
        return true;
    }
    if err.contains("does not have a custom build script") {
        create(root, &dir.join("build.rs"), "fn main() {}\n", made);
        return true;
    }
    if let Some(missing) = named("failed to read `") {
        let missing = PathBuf::from(missing);
        let Some(package) = missing.parent() else {
            return false;
        };
        let rel = package.strip_prefix(root).unwrap_or(package);
        let name: String = rel
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stub = format!("[package]\nname = \"{name}\"\nedition = \"2021\"\n");
        create(root, &missing, &stub, made);
        create(root, &package.join("src/lib.rs"), "", made);
        return true;
    }
    false
}

fn create(root: &Path, path: &Path, text: &str, made: &mut BTreeSet<String>) {
    if path.exists() {
        return;
    }
    cratesmith_write(path, text.as_bytes());
    let rel = path.strip_prefix(root).unwrap_or(path);
    made.insert(rel.to_string_lossy().replace('\\', "/"));
}

/// TOML source split into tokens: whitespace, newlines, comments, strings
/// (all four kinds), punctuation, and bare runs (keys, numbers, ...).
pub fn tokens(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let rest = &text[i..];
        i += if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            multi_line_string(rest)
        } else if b[i] == b'"' {
            let mut j = 1;
            loop {
                match rest[j..].find('"') {
                    Some(k) if escaped(rest, j + k) => j += k + 1,
                    Some(k) => break j + k + 1,
                    None => break rest.len(),
                }
            }
        } else if b[i] == b'\'' {
            rest[1..].find('\'').map_or(rest.len(), |k| k + 2)
        } else if b[i] == b'#' {
            rest.find(['\r', '\n']).unwrap_or(rest.len())
        } else if rest.starts_with("\r\n") {
            2
        } else if b"[]{}=,.\n".contains(&b[i]) {
            1
        } else if b[i] == b' ' || b[i] == b'\t' {
            rest.find(|c| c != ' ' && c != '\t').unwrap_or(rest.len())
        } else {
            rest.find(|c: char| " \t\r\n[]{}=,.\"'#".contains(c))
                .unwrap_or(rest.len())
                .max(1)
        };
        out.push(&text[start..i]);
    }
    out
}

fn multi_line_string(rest: &str) -> usize {
    let q = &rest[..3];
    let mut j = 3;
    loop {
        match rest[j..].find(q) {
            Some(k) if q == "\"\"\"" && escaped(rest, j + k) => j += k + 1,
            Some(k) => {
                let quotes = rest[j + k + 3..]
                    .chars()
                    .take_while(|c| *c == char::from(q.as_bytes()[0]))
                    .count();
                break j + k + 3 + quotes;
            }
            None => break rest.len(),
        }
    }
}

/// Whether the quote at `at` is escaped by an odd run of backslashes.
fn escaped(text: &str, at: usize) -> bool {
    text[..at].bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// The value of a string token, without its quotes.
pub fn unquote(token: &str) -> Option<&str> {
    let t = token.trim_matches(|c| c == '"' || c == '\'');
    (token.starts_with(['"', '\'']) && t.len() + 2 <= token.len()).then_some(t)
}

/// The string tokens of `old` that `new` replaced, as (was, now) pairs;
/// an error when anything else changed (a token added, removed, or one
/// that is not a string).
///
/// # Errors
/// What changed besides string values.
pub fn changed_strings(old: &str, new: &str) -> Result<Vec<(String, String)>, String> {
    let (a, b) = (tokens(old), tokens(new));
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b);
    let mut changed = Vec::new();
    for op in ops {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Replace {
                old_index,
                old_len: 1,
                new_index,
                new_len: 1,
            } => {
                let (was, now) = (a[old_index], b[new_index]);
                match (unquote(was), unquote(now)) {
                    (Some(x), Some(y)) => changed.push((x.to_string(), y.to_string())),
                    _ => return Err(format!("`{was}` became `{now}`, not a string value")),
                }
            }
            other => return Err(format!("more than a value changed: {other:?}")),
        }
    }
    Ok(changed)
}

/// `new` (a lock file after a bump) with its `[[package]]` tables put back
/// in the order of `old`, matched by name, source and occurrence: a bump
/// may move a member past a registry package of the same name, as cargo
/// sorts them; what else changed is then a matter of values.
pub fn in_old_order(old: &str, new: &str) -> String {
    let (head, old_blocks) = blocks(old);
    let (_, new_blocks) = blocks(new);
    let key = |b: &str, seen: &mut Vec<(String, String)>| {
        let field = |k: &str| {
            b.lines()
                .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
                .unwrap_or_default()
        };
        let k = (field("name = "), field("source = "));
        let n = seen.iter().filter(|s| **s == k).count();
        seen.push(k.clone());
        (k, n)
    };
    let mut seen = Vec::new();
    let mut by_key: Vec<((String, String), usize, &str)> = new_blocks
        .iter()
        .map(|b| {
            let (k, n) = key(b, &mut seen);
            (k, n, *b)
        })
        .collect();
    let mut seen = Vec::new();
    let mut out = head.to_string();
    for b in &old_blocks {
        let (k, n) = key(b, &mut seen);
        match by_key.iter().position(|(bk, bn, _)| *bk == k && *bn == n) {
            Some(i) => out.push_str(by_key.remove(i).2),
            None => return new.to_string(),
        }
    }
    let blank = |s: &str| s.trim_end_matches(['\r', '\n']).to_string();
    // The last table of a file has no blank line after it.
    if blank(&out) != out && blank(old) == old.trim_end_matches(['\r', '\n']) {
        let ending = &old[blank(old).len()..];
        out = format!("{}{ending}", blank(&out));
    }
    out
}

/// The text before the first `[[package]]`, and each table up to the next.
fn blocks(text: &str) -> (&str, Vec<&str>) {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "[[package]]" {
            starts.push(at);
        }
        at += line.len();
    }
    let Some(&first) = starts.first() else {
        return (text, Vec::new());
    };
    let blocks = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| &text[s..starts.get(i + 1).copied().unwrap_or(text.len())])
        .collect();
    (&text[..first], blocks)
}
