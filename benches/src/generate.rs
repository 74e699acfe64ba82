//! Synthetic data: a large, inter-dependent Cargo workspace, and git
//! histories written through `git fast-import`.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Write a virtual workspace of `n` members into `dir`: every third member
/// inherits `[workspace.package] version`, the others have their own; each
/// depends on up to three earlier members through `path` with requirements
/// of varied shapes (plain, `=`, `~`, inline, dotted, dev and target tables).
pub(crate) fn workspace(dir: &Path, n: usize) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    fs::create_dir_all(dir).map_err(io)?;
    let mut root = String::from(
        "# synthetic benchmark workspace\n[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n",
    );
    root.push_str("[workspace.package]\nversion = \"1.4.2\" # shared\nedition = \"2021\"\n\n[workspace.dependencies]\n");
    for i in (0..n).step_by(10) {
        let _ = writeln!(
            root,
            "m{i} = {{ path = \"crates/m{i}\", version = \"{}\" }}",
            version(i)
        );
    }
    write(&dir.join("Cargo.toml"), &root)?;
    for i in 0..n {
        let crate_dir = dir.join(format!("crates/m{i}"));
        fs::create_dir_all(crate_dir.join("src")).map_err(io)?;
        write(&crate_dir.join("src/lib.rs"), "//! synthetic\n")?;
        write(&crate_dir.join("Cargo.toml"), &member(i))?;
    }
    Ok(())
}

fn version(i: usize) -> String {
    if i.is_multiple_of(3) {
        "1.4.2".into()
    } else {
        format!("0.{}.{}", i % 7 + 1, i % 5)
    }
}

fn member(i: usize) -> String {
    let own = if i.is_multiple_of(3) {
        "version.workspace = true".to_string()
    } else {
        format!("version = \"{}\"", version(i))
    };
    let mut s = format!(
        "[package]\nname = \"m{i}\"\n{own}\nedition = \"2021\"\ndescription = \"member {i}\" # comment\n\n[dependencies]\n"
    );
    for (k, dep) in [i / 2, i / 3, i.saturating_sub(7)].into_iter().enumerate() {
        if dep >= i || (k > 0 && dep == i / 2) || (k == 2 && dep == i / 3) {
            continue;
        }
        let v = version(dep);
        let line = match (dep + k) % 4 {
            0 if dep % 10 == 0 => format!("m{dep} = {{ workspace = true }}\n"),
            0 => format!("m{dep} = {{ path = \"../m{dep}\", version = \"{v}\" }}\n"),
            1 => format!("m{dep} = {{ path = \"../m{dep}\", version = \"={v}\" }}\n"),
            2 => format!("m{dep} = {{ path = \"../m{dep}\", version = \"~{v}\" }} # tilde\n"),
            _ => format!("m{dep}.path = \"../m{dep}\"\nm{dep}.version = '{v}'\n"),
        };
        s.push_str(&line);
    }
    s
}

/// Write generated data at `path`, its directory made first.
pub(crate) fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    #[allow(clippy::disallowed_methods)] // generated data, not a user's file
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A fresh repository at `dir` (on branch `main`, tags packed as in a
/// clone) holding what `stream` writes in `git fast-import` format.
pub(crate) fn fast_import(
    dir: &Path,
    stream: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    git(dir, &["init", "-q", "-b", "main"])?;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--done"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("git fast-import: {e}"))?;
    {
        let stdin = child.stdin.as_mut().ok_or("no stdin")?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
        stream(&mut out).map_err(|e| format!("writing to git fast-import: {e}"))?;
        out.flush().map_err(|e| e.to_string())?;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("git fast-import failed".into());
    }
    git(dir, &["symbolic-ref", "HEAD", "refs/heads/main"])?;
    // As in a clone: tags in packed-refs, not thousands of loose files.
    git(dir, &["pack-refs", "--all"])
}

/// Run `git args` in `dir`.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("git {args:?} failed"))
}
