//! Release dates are the maintainer's day: today in the local time zone
//! (`TZ` honoured), tag dates in the tagger's own offset, `--date`
//! validated by the calendar.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::Command;

use cratesmith_tests::{command, cratesmith_write, git_commit_all, git_init};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = git_init(dir.path());
    cratesmith_write(&dir.path().join("a.txt"), b"a\n");
    git_commit_all(&repo, "feat: a feature");
    dir
}

/// The section title `git changelog --release 1.0.0` prints under `tz`,
/// with no SOURCE_DATE_EPOCH.
fn release_title(dir: &Path, tz: &str) -> String {
    let out = command(Path::new(env!("CARGO_BIN_EXE_git-changelog")))
        .args(["--release", "1.0.0"])
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("TZ", tz)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .find(|l| l.starts_with("## [1.0.0]"))
        .unwrap()
        .to_string()
}

fn date_in(tz: &str) -> String {
    let out = Command::new("date")
        .arg("+%F")
        .env("TZ", tz)
        .output()
        .unwrap();
    text(&out.stdout).trim().to_string()
}

#[test]
fn today_is_the_local_date_of_the_time_zone() {
    if !Path::new("/usr/share/zoneinfo/Pacific/Kiritimati").is_file() {
        cratesmith_tests::missing("the tz database (/usr/share/zoneinfo, Debian's tzdata)");
        return;
    }
    let dir = repo();
    // UTC+14 and UTC-11: 25 hours apart, never the same day.
    let east = release_title(dir.path(), "Pacific/Kiritimati");
    let west = release_title(dir.path(), "Pacific/Pago_Pago");
    assert_ne!(east, west);
    assert_eq!(
        east,
        format!("## [1.0.0] - {}", date_in("Pacific/Kiritimati"))
    );
    assert_eq!(
        west,
        format!("## [1.0.0] - {}", date_in("Pacific/Pago_Pago"))
    );
}

#[test]
fn a_tag_is_dated_in_its_taggers_offset() {
    let dir = repo();
    // 2026-11-21T23:00:00Z, tagged where it was already the 22nd.
    let tag = Command::new("git")
        .args([
            "-c",
            "user.name=Rel",
            "-c",
            "user.email=rel@example.com",
            "tag",
            "-a",
            "v1.0.0",
            "-m",
            "Release 1.0.0",
        ])
        .current_dir(dir.path())
        .env("GIT_COMMITTER_DATE", "2026-11-22T13:00:00+1400")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(tag.success());
    let out = command(Path::new(env!("CARGO_BIN_EXE_git-changelog")))
        .arg("--all")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("## [1.0.0] - 2026-11-22"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn dates_are_checked_by_the_calendar() {
    let dir = repo();
    let run = |date: &str| {
        command(Path::new(env!("CARGO_BIN_EXE_git-changelog")))
            .args(["--release", "1.0.0", "--date", date])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert!(run("2024-02-29").status.success());
    for bad in ["2023-02-29", "2026-13-01", "2026-1-01", "22/11/2026"] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("is not a calendar date of the form YYYY-MM-DD"),
            "{bad}"
        );
    }
}
