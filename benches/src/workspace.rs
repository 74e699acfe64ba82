//! `cargo bump auto --workspace --dry-run` on a 200-member workspace with a
//! 20,000-commit history touching random members and 5 release tags per
//! member, against its floor (`cargo metadata --no-deps` plus `git log
//! --format=%H --name-only` over the same range) and against `git
//! changelog -p <name> --bump` run once per member; and `cargo ship pr`
//! (the same plan applied with changelogs in a work tree, committed on a
//! branch) against `cargo bump auto --workspace --dry-run`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::bump::sibling_binary;
use crate::generate::{fast_import, git, workspace};
use crate::timing::{flag, median, ms, time};

/// Generate the data once, then time the commands interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let members: usize = flag(args, "--members", 200)?;
    let commits: usize = flag(args, "--commits", 20_000)?;
    let runs: usize = flag(args, "--runs", 5)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let dir = base.join(format!("release-ws-{members}-{commits}"));
    if !dir.join("Cargo.lock").is_file() {
        generate(&dir, members, commits)?;
    }
    let bump = sibling_binary("cargo-bump")?;
    let changelog = sibling_binary("git-changelog")?;
    let ship = sibling_binary("cargo-ship")?;
    let (bump, changelog, ship) = (path_str(&bump), path_str(&changelog), path_str(&ship));
    git(&dir, &["config", "user.name", "Bench"])?;
    git(&dir, &["config", "user.email", "bench@x.invalid"])?;
    // The range our walk reads: down to the oldest of the last releases.
    let since = format!("m0-v0.{}.0", TAGS - 1);
    let range = format!("{since}..HEAD");
    let metadata = [
        "metadata",
        "--no-deps",
        "--offline",
        "--format-version",
        "1",
    ];
    let log = ["log", "--format=%H", "--name-only", range.as_str()];
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        samples[3].push(time(
            &dir,
            ship,
            &["ship", "pr", "--body", "/dev/null", "-q"],
        )?);
        samples[0].push(time(
            &dir,
            bump,
            &["bump", "auto", "--workspace", "--dry-run", "-q"],
        )?);
        let floor = time(&dir, "cargo", &metadata)? + time(&dir, "git", &log)?;
        samples[1].push(floor);
        let mut each = Duration::ZERO;
        if samples[2].len() < 2 {
            for i in 0..members {
                let name = format!("m{i}");
                each += time(&dir, changelog, &["-p", &name, "--bump"])?;
            }
            samples[2].push(each);
        }
    }
    let [mut ours, mut floor, mut each, mut pr] = samples;
    let (ours, floor, each) = (median(&mut ours), median(&mut floor), median(&mut each));
    let pr = median(&mut pr);
    println!(
        "workspace release: {members} members, {commits} commits, {TAGS} tags per member; medians"
    );
    println!(
        "  cargo bump auto --workspace --dry-run   {:>10}  {:.2}x floor",
        ms(ours),
        ratio(ours, floor)
    );
    println!(
        "  cargo metadata + git log --name-only    {:>10}  1.00x",
        ms(floor)
    );
    println!(
        "  git changelog -p <name> --bump, each    {:>10}  {:.2}x floor ({:.1}x cargo bump)",
        ms(each),
        ratio(each, floor),
        ratio(each, ours)
    );
    println!(
        "  cargo ship pr                           {:>10}  {:.2}x cargo bump auto --dry-run",
        ms(pr),
        ratio(pr, ours)
    );
    Ok(())
}

const TAGS: usize = 5;

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

/// The workspace, its lock file, and the history: the generated files in
/// the first commit, then `commits` commits each changing one member's
/// file (a Conventional Commit of a random type), member `j`'s `k`-th
/// release tag spread over the history.
fn generate(dir: &Path, members: usize, commits: usize) -> Result<(), String> {
    let files = dir.with_extension("files");
    let _ = std::fs::remove_dir_all(&files);
    workspace(&files, members)?;
    let status = Command::new("cargo")
        .args(["generate-lockfile", "--offline", "-q"])
        .current_dir(&files)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("cargo generate-lockfile failed".into());
    }
    let initial = read_files(&files)?;
    eprintln!(
        "generating a {members}-member workspace with {commits} commits in {} ...",
        dir.display()
    );
    fast_import(dir, |mut out| stream(&mut out, &initial, members, commits))?;
    git(dir, &["reset", "-q", "--hard", "main"])?;
    let _ = std::fs::remove_dir_all(&files);
    Ok(())
}

fn read_files(root: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| e.to_string())?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(root) {
                let bytes = std::fs::read(&p).map_err(|e| e.to_string())?;
                out.push((rel.to_string_lossy().into_owned(), bytes));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn stream(
    out: &mut impl Write,
    initial: &[(String, Vec<u8>)],
    members: usize,
    commits: usize,
) -> std::io::Result<()> {
    let mut seed: u64 = 42;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    let kinds = ["feat", "fix", "fix", "chore", "docs", "perf", "refactor"];
    // Member j's k-th tag at about k/TAGS of the history, spread by j.
    let mut tags: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for j in 0..members {
        for k in 0..TAGS {
            let at = 2 + (commits * k) / TAGS + (j * 37) % (commits / (TAGS * 2)).max(1);
            tags.entry(at).or_default().push(format!("m{j}-v0.{k}.0"));
        }
    }
    let mut header = String::new();
    let _ = write!(
        header,
        "commit refs/heads/main\nmark :1\ncommitter R <r@x.invalid> 1700000000 +0000\ndata 14\nchore: initial\n"
    );
    out.write_all(header.as_bytes())?;
    for (path, bytes) in initial {
        writeln!(out, "M 100644 inline {path}\ndata {}", bytes.len())?;
        out.write_all(bytes)?;
        writeln!(out)?;
    }
    writeln!(out)?;
    for i in 2..=commits + 1 {
        let member = next(members);
        let kind = kinds[next(kinds.len())];
        let message = format!("{kind}(m{member}): change {i}");
        let content = format!("// {i}\n");
        write!(
            out,
            "commit refs/heads/main\nmark :{i}\ncommitter R <r@x.invalid> {} +0000\ndata {}\n{message}\nM 100644 inline crates/m{member}/src/f{}.rs\ndata {}\n{content}\n",
            1_700_000_000 + i * 60,
            message.len(),
            i % 7,
            content.len()
        )?;
        for tag in tags.get(&i).into_iter().flatten() {
            writeln!(out, "reset refs/tags/{tag}\nfrom :{i}\n")?;
        }
    }
    writeln!(out, "done")
}
