//! `git changelog` on synthetic Conventional Commits histories made with
//! `git fast-import` (a SemVer tag every 500 commits, files in 20
//! directories), against `git log` with the same range and output, and
//! git-cliff when it is installed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::generate::fast_import;
use std::time::Duration;

use crate::timing::{flag, median, ms, time};

const TAG_EVERY: usize = 500;
const DIRS: usize = 20;
/// Commits after the last tag: the default range.
const UNRELEASED: usize = 250;

/// Generate the repositories (once), then time the commands interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 5)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let big_n: usize = flag(args, "--big", 1_000_000 + UNRELEASED)?;
    let small_n: usize = flag(args, "--small", 100_000 + UNRELEASED)?;
    let ours = crate::bump::sibling_binary("git-changelog")?;
    let ours = ours.to_str().ok_or("non-UTF-8 path")?;
    let cliff = which("git-cliff");
    let last_tag = |n: usize| tag_name((n - UNRELEASED) / TAG_EVERY);
    let log_fmt = "--format=%H%x00%s%x00%b";

    println!("git changelog: medians of {runs} runs, interleaved\n");
    let only: String = flag(
        args,
        "--only",
        "default,all,path,lint,shape,cliff".to_string(),
    )?;
    let want = |s: &str| only.split(',').any(|o| o == s);
    if want("cliff") {
        with_config(&base, ours, cliff.as_deref(), runs)?;
        if only == "cliff" {
            return Ok(());
        }
    }
    if want("shape") {
        let shaped = crate::release_shape::repo(&base, 20_000)?;
        compare(
            "--all on a release-shaped history (20,000 commits, ~1,200 tags, release branches, long bodies)",
            runs,
            &[
                (&shaped, ours, &["--all"][..]),
                (&shaped, "git", &log_all_fmt(log_fmt)[..]),
            ],
            &["ours --all", "git log"],
        )?;
    }
    let only_shape = only == "shape";
    let small = if only_shape {
        base.clone()
    } else {
        repo(&base, small_n)?
    };
    let big = if only_shape {
        base.clone()
    } else {
        repo(&base, big_n)?
    };
    let big_range = format!("{}..HEAD", last_tag(big_n));
    let small_range = format!("{}..HEAD", last_tag(small_n));
    if want("default") {
        compare(
            &format!("default range ({UNRELEASED} commits since the last tag) on {big_n} commits"),
            runs,
            &[
                (&big, ours, &[][..]),
                (&big, "git", &["log", log_fmt, &big_range][..]),
                (&small, ours, &[][..]),
                (&small, "git", &["log", log_fmt, &small_range][..]),
            ],
            &["ours, big", "git log, big", "ours, small", "git log, small"],
        )?;
    }
    let log_all = ["log", log_fmt];
    if want("all") {
        compare(
            &format!("--all on {big_n} commits"),
            runs.min(3),
            &[(&big, ours, &["--all"][..]), (&big, "git", &log_all[..])],
            &["ours --all", "git log"],
        )?;
        if let Some(cliff) = cliff.as_deref() {
            // git-cliff takes minutes here: one sample of each, back to back.
            compare(
                &format!("--all on {big_n} commits, one sample, against git-cliff"),
                1,
                &[
                    (&big, ours, &["--all"][..]),
                    (&big, "git", &log_all[..]),
                    (&big, cliff, &["--output", "/dev/null"][..]),
                ],
                &["ours --all", "git log", "git-cliff"],
            )?;
        }
    }
    if want("path") {
        let dir = "dir03";
        let include = format!("{dir}/**");
        let mut path: Vec<(&Path, &str, Vec<&str>)> = vec![
            (&small, ours, vec!["--all", "--path", dir]),
            (&small, "git", vec!["log", "--format=%H", "--", dir]),
        ];
        let mut path_names = vec!["ours --all --path", "git log -- dir"];
        if let Some(cliff) = cliff.as_deref() {
            path.push((
                &small,
                cliff,
                vec!["--include-path", &include, "--output", "/dev/null"],
            ));
            path_names.push("git-cliff --include-path");
        }
        let path: Vec<(&Path, &str, &[&str])> = path
            .iter()
            .map(|(d, p, a)| (*d, *p, a.as_slice()))
            .collect();
        compare(
            &format!("--path on {small_n} commits"),
            runs,
            &path,
            &path_names,
        )?;
    }
    if !want("lint") {
        return Ok(());
    }
    let msg = base.join("COMMIT_EDITMSG");
    std::fs::File::create(&msg)
        .and_then(|mut f| f.write_all(b"feat(cli): add --json\n\nBody.\n"))
        .map_err(|e| e.to_string())?;
    let msg = msg.to_str().ok_or("non-UTF-8 path")?;
    compare(
        "--lint of one message",
        runs.max(20),
        &[
            (&small, ours, &["--lint", msg][..]),
            (&small, "git", &["rev-parse", "--git-dir"][..]),
        ],
        &["ours --lint", "git rev-parse --git-dir"],
    )
}

/// `git changelog --config` with git-cliff's default configuration (an
/// empty cliff.toml) on the release-shaped history: the whole history and
/// the default range against `git log` of the same range, and the whole
/// history against git-cliff with the same configuration.
/// `git changelog --config` against `git log` of the same range on the
/// release-shaped and the 1M-commit histories, each as generated and with
/// the commit graph `git gc` writes (a copy, so the other cases keep
/// theirs unchanged), and against git-cliff where it finishes in minutes.
fn with_config(base: &Path, ours: &str, cliff: Option<&str>, runs: usize) -> Result<(), String> {
    let config = base.join("cliff-default.toml");
    std::fs::File::create(&config).map_err(|e| e.to_string())?;
    let config = std::fs::canonicalize(&config).map_err(|e| e.to_string())?;
    let config = config.to_str().ok_or("non-UTF-8 path")?;
    let log_fmt = "--format=%H%x00%s%x00%b";
    let shaped = crate::release_shape::repo(base, 20_000)?;
    let big = repo(base, 1_000_000 + UNRELEASED)?;
    for (name, plain) in [("release-shaped history", &shaped), ("1M commits", &big)] {
        let graphed = with_commit_graph(plain)?;
        let range = format!("{}..HEAD", described_tag(plain)?);
        for (how, dir) in [("as generated", plain), ("with a commit graph", &graphed)] {
            compare(
                &format!("--config, default range, {name}, {how}"),
                runs,
                &[
                    (dir, ours, &["--config", config][..]),
                    (dir, "git", &["log", log_fmt, &range][..]),
                ],
                &["ours --config", "git log <last tag>..HEAD"],
            )?;
        }
        compare(
            &format!("--config --all, {name}, with a commit graph"),
            runs.min(3),
            &[
                (&graphed, ours, &["--config", config, "--all"][..]),
                (&graphed, "git", &["log", log_fmt][..]),
            ],
            &["ours --config --all", "git log"],
        )?;
    }
    let Some(cliff) = cliff else {
        return Ok(());
    };
    compare(
        "--config --all, release-shaped history, against git-cliff (same configuration)",
        runs.min(3),
        &[
            (&shaped, ours, &["--config", config, "--all"][..]),
            (&shaped, "git", &["log", log_fmt][..]),
            (
                &shaped,
                cliff,
                &["--offline", "--config", config, "--output", "/dev/null"][..],
            ),
        ],
        &["ours --config --all", "git log", "git-cliff"],
    )
}

/// The newest tag reachable from HEAD, as `git describe` finds it.
fn described_tag(dir: &Path) -> Result<String, String> {
    let described = Command::new("git")
        .args(["describe", "--tags", "--abbrev=0"])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&described.stdout)
        .trim()
        .to_string())
}

/// A copy of `dir` with the commit graph `git gc` writes (made once).
fn with_commit_graph(dir: &Path) -> Result<PathBuf, String> {
    let copy = dir.with_extension("graph");
    if copy.join(".git/objects/info/commit-graph").exists() {
        return Ok(copy);
    }
    let status = |cmd: &mut Command| match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        other => Err(format!("{cmd:?}: {other:?}")),
    };
    let _ = std::fs::remove_dir_all(&copy);
    status(Command::new("cp").arg("-a").arg(dir).arg(&copy))?;
    status(
        Command::new("git")
            .args(["commit-graph", "write", "--reachable"])
            .current_dir(&copy),
    )?;
    Ok(copy)
}

/// Time each command `runs` times, interleaved; print medians and ratios
/// to the second command.
fn compare(
    title: &str,
    runs: usize,
    cmds: &[(&Path, &str, &[&str])],
    names: &[&str],
) -> Result<(), String> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cmds.len()];
    for _ in 0..runs {
        for (i, (dir, program, args)) in cmds.iter().enumerate() {
            samples[i].push(time(dir, program, args)?);
        }
    }
    let medians: Vec<Duration> = samples.iter_mut().map(|s| median(s)).collect();
    println!("{title}");
    for (i, name) in names.iter().enumerate() {
        let ratio = medians[i].as_secs_f64() / medians[1].as_secs_f64();
        println!("  {name:<28} {:>12}  {ratio:.2}x", ms(medians[i]));
    }
    println!();
    Ok(())
}

/// The repository of `n` commits under `base`, generated if missing.
fn repo(base: &Path, n: usize) -> Result<PathBuf, String> {
    let dir = base.join(format!("history-{n}"));
    if dir.join(".git/refs/heads/main").exists() || dir.join(".git/packed-refs").exists() {
        return Ok(dir);
    }
    eprintln!("generating {n} commits in {} ...", dir.display());
    fast_import(&dir, |mut out| stream(&mut out, n))?;
    Ok(dir)
}

fn tag_name(k: usize) -> String {
    format!("v{}.{}.{}", k / 100, k % 100 / 10, k % 10)
}

/// The fast-import stream: commit i changes `dirNN/fileM.txt`; an
/// annotated tag after every 500th commit.
fn stream(out: &mut impl Write, n: usize) -> std::io::Result<()> {
    const KINDS: [&str; 8] = [
        "feat", "fix", "docs", "chore", "refactor", "perf", "test", "fix",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let start: u64 = 1_600_000_000;
    for i in 0..n {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (seed >> 33) as usize;
        let kind = KINDS[r % KINDS.len()];
        let dir = r / 8 % DIRS;
        let mut msg = format!(
            "{kind}(dir{dir:02}): change number {i} in the code, see #{}\n",
            i % 997
        );
        if r.is_multiple_of(5) {
            msg.push_str("\nA body paragraph that explains the change in a few words.\n");
        }
        if r.is_multiple_of(97) {
            msg.push_str("\nBREAKING CHANGE: the old behaviour is gone\n");
        }
        let t = start + i as u64 * 60;
        write!(
            out,
            "commit refs/heads/main\nmark :{}\nauthor Bench <bench@cratesmith.invalid> {t} +0000\ncommitter Bench <bench@cratesmith.invalid> {t} +0000\ndata {}\n{msg}",
            i + 1,
            msg.len()
        )?;
        let content = format!("line {i}\n");
        write!(
            out,
            "M 100644 inline dir{dir:02}/file{}.txt\ndata {}\n{content}\n",
            r / 160 % 50,
            content.len()
        )?;
        if (i + 1) % TAG_EVERY == 0 {
            let name = tag_name((i + 1) / TAG_EVERY);
            let msg = format!("Release {name}\n");
            write!(
                out,
                "tag {name}\nfrom :{}\ntagger Bench <bench@cratesmith.invalid> {t} +0000\ndata {}\n{msg}\n",
                i + 1,
                msg.len()
            )?;
        }
    }
    writeln!(out, "done")
}

fn log_all_fmt(format: &str) -> [&str; 2] {
    ["log", format]
}

fn which(program: &str) -> Option<String> {
    Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| program.to_string())
}
