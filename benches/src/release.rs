//! A whole release of a real published binary crate (default
//! `hexyl@0.16.0`, downloaded from crates.io) through `scripts/release`
//! with `PUBLISH=yes` (plan, bump, changelog, package, verify, archive,
//! sums, publish to a registry server on 127.0.0.1, verify from the
//! registry), against what a release needs of cargo alone: `cargo package`
//! (which verifies by building) plus `cargo build --release`. Each run
//! starts from a fresh copy with an empty target dir and a fresh registry;
//! the crates.io dependencies are fetched once beforehand.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bump::sibling_binary;
use crate::generate::write;
use crate::ship::{Server, free_port};
use crate::timing::{flag, median, ms};

/// Prepare the crate's repository once, then time both interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 3)?;
    let spec: String = flag(args, "--crate", "hexyl@0.16.0".to_string())?;
    // Outside this workspace: cargo would take the crate for a member.
    let base: PathBuf = flag(args, "--dir", std::env::temp_dir().join("cratesmith-bench"))?;
    let (name, version) = spec.split_once('@').ok_or("--crate takes NAME@VERSION")?;
    let dir = std::path::absolute(base.join(format!("release-{name}-{version}")))
        .map_err(|e| e.to_string())?;
    let template = template(&dir, name, version)?;
    let tools = sibling_binary("cargo-bump")?
        .parent()
        .ok_or("no tools dir")?
        .to_path_buf();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/release");
    let (mut ours, mut cargo) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let copy = fresh_copy(&template, &dir.join(format!("ours-{i}")))?;
        let data = dir.join(format!("registry-{i}"));
        let _ = std::fs::remove_dir_all(&data);
        let port = free_port()?;
        let _server = Server::start(&data, port)?;
        ours.push(timed(release(&copy, &script, &tools, port))?);
        check_published(&copy, name)?;
        let copy = fresh_copy(&template, &dir.join(format!("cargo-{i}")))?;
        let mut plain = Command::new("sh");
        plain
            .args([
                "-c",
                "cargo package -q --locked && cargo build --release -q --locked",
            ])
            .current_dir(&copy);
        cargo.push(timed(plain)?);
        eprintln!("run {}: ours {} cargo {}", i + 1, ms(ours[i]), ms(cargo[i]));
    }
    let (o, c) = (median(&mut ours), median(&mut cargo));
    println!(
        "| {name} {version} | {} | {} | {:.2}x |",
        ms(o),
        ms(c),
        o.as_secs_f64() / c.as_secs_f64()
    );
    Ok(())
}

/// `scripts/release` with `PUBLISH=yes` in `copy`, the tools first on
/// PATH, publishing to the registry on `port`.
fn release(copy: &Path, script: &Path, tools: &Path, port: u16) -> Command {
    let path = std::env::join_paths(std::iter::once(tools.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap_or_default();
    let mut cmd = Command::new("sh");
    cmd.arg(script)
        .current_dir(copy)
        .env("PATH", path)
        .env("PUBLISH", "yes")
        .env("RELEASE_DATE", "2026-12-03")
        .env("REGISTRY_ARGS", "--registry bench")
        .env(
            "CARGO_REGISTRIES_BENCH_INDEX",
            format!("sparse+http://127.0.0.1:{port}/"),
        )
        .env("CARGO_REGISTRIES_BENCH_TOKEN", "bench-token");
    cmd
}

fn timed(mut cmd: Command) -> Result<Duration, String> {
    let start = Instant::now();
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(elapsed)
}

/// The published version is in the registry: the run really released.
fn check_published(copy: &Path, name: &str) -> Result<(), String> {
    let report = std::fs::read_to_string(copy.join("target/verify-published.md"))
        .map_err(|e| format!("no post-release report: {e}"))?;
    if report.starts_with("## cargo verify-install: passed") && report.contains(name) {
        Ok(())
    } else {
        Err(format!("the post-release check did not pass:\n{report}"))
    }
}

/// The crate's sources as a git repository: its original manifest, a
/// `v<version>` tag on them and a `fix:` commit since (the release to
/// make is the next patch); its dependencies fetched.
fn template(dir: &Path, name: &str, version: &str) -> Result<PathBuf, String> {
    let template = dir.join("template");
    if template.join(".git").is_dir() {
        return Ok(template);
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("{name}-{version}.crate"));
    let url = format!("https://static.crates.io/crates/{name}/{name}-{version}.crate");
    sh(dir, &format!("curl -sSfL -o '{}' '{url}'", file.display()))?;
    sh(
        dir,
        &format!(
            "rm -rf unpacked && mkdir unpacked && tar xzf '{}' -C unpacked",
            file.display()
        ),
    )?;
    let _ = std::fs::remove_dir_all(&template);
    std::fs::rename(dir.join(format!("unpacked/{name}-{version}")), &template)
        .map_err(|e| e.to_string())?;
    if template.join("Cargo.toml.orig").is_file() {
        std::fs::rename(
            template.join("Cargo.toml.orig"),
            template.join("Cargo.toml"),
        )
        .map_err(|e| e.to_string())?;
    }
    let _ = std::fs::remove_file(template.join(".cargo_vcs_info.json"));
    write(&template.join(".gitignore"), "/target\n")?;
    sh(
        &template,
        "[ -f Cargo.lock ] || cargo generate-lockfile -q; cargo fetch -q",
    )?;
    let git = "git -c user.name=bench -c user.email=bench@example.com";
    sh(
        &template,
        &format!(
            "git init -q -b main && git add -A && {git} commit -q -m 'feat: {name} {version}' && {git} tag -a v{version} -m v{version} && echo >> README.md && git add -A && {git} commit -q -m 'fix: a fix'"
        ),
    )?;
    Ok(template)
}

fn fresh_copy(template: &Path, to: &Path) -> Result<PathBuf, String> {
    let _ = std::fs::remove_dir_all(to);
    let from = template.display();
    sh(template, &format!("cp -a '{from}' '{}'", to.display()))?;
    Ok(to.to_path_buf())
}

fn sh(dir: &Path, script: &str) -> Result<(), String> {
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
