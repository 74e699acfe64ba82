//! `cargo bump auto --check-api --dry-run` against `cargo semver-checks
//! check-release` alone on the same library (a public function whose
//! signature a `fix:` commit changed since `v1.0.0`): cratesmith's overhead on
//! top of cargo-semver-checks. Both warm (the rustdoc JSON cached by
//! cargo-semver-checks after the first run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::bump::sibling_binary;
use crate::generate::{git, write};
use crate::timing::{flag, median, ms};

/// Make the library once, then time the two interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 7)?;
    let dir = std::path::absolute("target/bench-data/api").map_err(|e| e.to_string())?;
    if !dir.join(".git").is_dir() {
        library(&dir)?;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let tools = std::env::split_paths(&path)
        .find(|d| d.join("cargo-semver-checks").is_file())
        .ok_or("cargo-semver-checks is not on PATH (scripts/test --install-only installs it)")?;
    let bump = sibling_binary("cargo-bump")?;
    let semver = tools.join("cargo-semver-checks");
    let ours: Vec<&str> = vec!["bump", "auto", "--check-api", "--dry-run", "-q"];
    let theirs: Vec<&str> = vec![
        "semver-checks",
        "check-release",
        "--color",
        "never",
        "--release-type",
        "patch",
        "-p",
        "apilib",
        "--baseline-rev",
        "v1.0.0",
    ];
    timed(&dir, &bump, &ours, &path)?; // warm both caches
    timed(&dir, &semver, &theirs, &path)?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        a.push(timed(&dir, &bump, &ours, &path)?);
        b.push(timed(&dir, &semver, &theirs, &path)?);
    }
    let (a, b) = (median(&mut a), median(&mut b));
    println!("cargo bump auto --check-api on a one-library repository, median of {runs}:");
    println!("  cargo bump auto --check-api --dry-run   {}", ms(a));
    println!("  cargo semver-checks check-release       {}", ms(b));
    println!(
        "  overhead {:.1}% (target: under 5%)",
        (a.as_secs_f64() / b.as_secs_f64() - 1.0) * 100.0
    );
    Ok(())
}

/// Wall time of one run; a non-zero exit is expected (breaking changes found).
fn timed(
    dir: &Path,
    program: &Path,
    args: &[&str],
    path: &std::ffi::OsString,
) -> Result<Duration, String> {
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let t = start.elapsed();
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && !text.contains("Summary semver requires") {
        return Err(format!("{} failed: {text}", program.display()));
    }
    Ok(t)
}

fn library(dir: &PathBuf) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    write(
        &dir.join("Cargo.toml"),
        "[package]\nname = \"apilib\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )?;
    write(&dir.join(".gitignore"), "/target\n")?;
    let mut lib = String::new();
    for i in 0..200 {
        lib.push_str(&format!(
            "/// Item {i}.\npub fn item{i}(x: u32) -> u32 {{ x + {i} }}\n"
        ));
    }
    write(
        &dir.join("src/lib.rs"),
        &format!("pub fn greet(name: &str) -> String {{ format!(\"hello {{name}}\") }}\n{lib}"),
    )?;
    git(dir, &["init", "-q", "-b", "main"])?;
    git(dir, &["add", "-A"])?;
    git(
        dir,
        &[
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@e",
            "commit",
            "-q",
            "-m",
            "feat: greet",
        ],
    )?;
    git(dir, &["tag", "v1.0.0"])?;
    write(
        &dir.join("src/lib.rs"),
        &format!(
            "pub fn greet(name: &str, n: usize) -> String {{ format!(\"hello {{name}}\").repeat(n) }}\n{lib}"
        ),
    )?;
    git(
        dir,
        &[
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@e",
            "commit",
            "-q",
            "-am",
            "fix: greet n times",
        ],
    )?;
    Ok(())
}
