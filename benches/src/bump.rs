//! `cargo bump minor --workspace` against `cargo metadata --no-deps` (the
//! floor of any cargo_metadata-based tool) and `cargo set-version` (when
//! installed), on a synthetic workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::timing::{flag, median, ms, time};

/// Generate the workspace, then time the commands interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let members: usize = flag(args, "--members", 500)?;
    let runs: usize = flag(args, "--runs", 15)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let pristine = base.join(format!("ws-{members}"));
    let work = base.join(format!("ws-{members}-work"));
    if !pristine.join("Cargo.lock").is_file() {
        crate::generate::workspace(&pristine, members)?;
        let status = Command::new("cargo")
            .args(["generate-lockfile", "--offline", "-q"])
            .current_dir(&pristine)
            .status();
        if !status.map_err(|e| e.to_string())?.success() {
            return Err("cargo generate-lockfile failed on the generated workspace".into());
        }
    }
    let bump = sibling_binary("cargo-bump")?;
    let set_version = Command::new("cargo")
        .args(["set-version", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    let (mut floor, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        reset(&pristine, &work)?;
        floor.push(time(
            &work,
            "cargo",
            &[
                "metadata",
                "--no-deps",
                "--offline",
                "--format-version",
                "1",
            ],
        )?);
        ours.push(time(
            &work,
            bump.to_str().unwrap_or("cargo-bump"),
            &["bump", "minor", "--workspace", "-q"],
        )?);
        if set_version {
            reset(&pristine, &work)?;
            theirs.push(time(
                &work,
                "cargo",
                &["set-version", "--workspace", "--bump", "minor", "--offline"],
            )?);
        }
    }
    let (floor, ours) = (median(&mut floor), median(&mut ours));
    println!("workspace: {members} members, {runs} runs, medians");
    println!("cargo metadata --no-deps --offline      {}", ms(floor));
    println!(
        "cargo bump minor --workspace            {}  ({:.2}x metadata)",
        ms(ours),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    if set_version {
        let theirs = median(&mut theirs);
        println!(
            "cargo set-version --workspace --bump minor  {}  (cargo bump is {:.2}x faster)",
            ms(theirs),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    } else {
        println!("cargo set-version: not installed (cargo install cargo-edit to compare)");
    }
    Ok(())
}

fn reset(pristine: &Path, work: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(work);
    let status = Command::new("cp")
        .arg("-r")
        .arg(pristine)
        .arg(work)
        .status()
        .map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "copying the workspace failed".to_string())
}

/// A binary built next to this one (`cargo build --release` builds both).
pub(crate) fn sibling_binary(name: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = me.with_file_name(name);
    path.is_file().then_some(path.clone()).ok_or_else(|| {
        format!(
            "{} not found: build it first with `cargo build --release -p {name}`",
            path.display()
        )
    })
}
