//! Inputs and output contracts: bare and SHA-256 repositories, `--release`
//! and `--date` values, workspaces without one version, and exactly one
//! JSON document for every `--format json` run.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Repo, err, git, ok, out, run};
use cratesmith_tests::cratesmith_write;

#[test]
fn a_bare_repository_reads_like_its_clone() {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("changelog.toml"),
        b"sections = { perf = \"Performance\" }\n",
    );
    r.commit("feat: one");
    r.tag("v1.0.0");
    r.commit("perf: two");
    let bare = r.root.parent().unwrap().join("bare.git");
    git(
        r.root.parent().unwrap(),
        &["clone", "-q", "--bare", "repo", "bare.git"],
    );
    let in_tree = ok(run(&r.root, &["--all"]));
    assert!(
        in_tree.contains("### Performance"),
        "settings read: {in_tree}"
    );
    assert_eq!(
        ok(run(&bare, &["--all"])),
        in_tree,
        "settings read from HEAD"
    );
    assert_eq!(ok(run(&bare, &["--bump"])), "patch\n");
}

#[test]
fn a_sha256_repository_gets_a_precise_error() {
    let temp = tempfile::tempdir().unwrap();
    git(
        temp.path(),
        &["init", "-q", "--object-format=sha256", "repo"],
    );
    let o = run(&temp.path().join("repo"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: git: the repository at `.` stores objects with sha256 (extensions.objectformat = sha256); cratesmith reads SHA-1 repositories only\nhelp: libgit2, which cratesmith reads history with, has no SHA-256 support yet; use a SHA-1 clone\n"
    );
}

#[test]
fn release_and_date_values_are_checked() {
    let mut r = Repo::new();
    r.commit("feat: one");
    let md = ok(run(
        &r.root,
        &["--release", "v1.1.0", "--date", "2024-02-29"],
    ));
    assert!(md.starts_with("## [1.1.0] - 2024-02-29\n"), "{md}");
    for (args, message) in [
        (
            ["--release", "next", "--date", "2026-12-01"],
            "error: invalid value 'next' for '--release <VERSION>': `next` is not a SemVer version such as 1.4.0, nor auto, major, minor or patch (unexpected character 'n' while parsing major version number)",
        ),
        (
            ["--release", "1.1.0", "--date", "2026-02-30"],
            "error: invalid value '2026-02-30' for '--date <DATE>': `2026-02-30` is not a calendar date of the form YYYY-MM-DD",
        ),
    ] {
        let o = run(&r.root, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(err(&o).lines().next(), Some(message), "{args:?}");
    }
}

#[test]
fn a_workspace_without_one_version_asks_for_p() {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"3\"\n",
    );
    for (name, version) in [("a", "0.3.0"), ("b", "1.2.0")] {
        cratesmith_write(
            &r.root.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
                .as_bytes(),
        );
        cratesmith_write(&r.root.join(name).join("src/lib.rs"), b"");
    }
    r.commit("feat: members");
    let o = run(&r.root, &["--next-version"]);
    assert_eq!(o.status.code(), Some(1));
    let path = std::fs::canonicalize(&r.root).unwrap().join("Cargo.toml");
    assert_eq!(
        err(&o),
        format!(
            "error: `{}` is a workspace whose members have 2 different versions and no `[workspace.package] version`, and there is no release tag to count from\nhelp: name the member with -p <name> (its directory and its `<name>-v*` tags)\n",
            path.display()
        )
    );
    assert_eq!(ok(run(&r.root, &["--next-version", "-p", "a"])), "0.3.1\n");
    let outside = tempfile::tempdir().unwrap();
    let plain = outside.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    git(&plain, &["init", "-q"]);
    let o = run(&plain, &["-p", "a"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: -p a needs a Cargo workspace, and there is no Cargo.toml in `.` or above it\nhelp: outside Cargo, name the directory and the tags instead: --path <dir> --tag-pattern 'a-v*'\n"
    );
}

#[test]
fn json_is_always_one_document() {
    let temp = tempfile::tempdir().unwrap();
    let empty = temp.path().join("empty");
    git(temp.path(), &["init", "-q", "empty"]);
    assert_eq!(ok(run(&empty, &["--bump"])), "none\n");
    for args in [
        &["--format", "json"][..],
        &["--format", "json", "--bump"],
        &["--format", "json", "--lint-range", "HEAD"],
    ] {
        let o = run(&empty, args);
        let _: serde_json::Value = serde_json::from_str(&out(&o))
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {:?}", out(&o)));
    }
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag("v1.0.0");
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(&r.root, &["--format", "json"]))).unwrap();
    assert_eq!(json["releases"][0]["version"], serde_json::Value::Null);
    assert_eq!(json["releases"][0]["sections"], serde_json::json!([]));
    let bump: serde_json::Value =
        serde_json::from_str(&ok(run(&r.root, &["--format", "json", "--bump"]))).unwrap();
    assert_eq!(
        bump,
        serde_json::json!({"bump": "none", "current": "1.0.0", "next": "1.0.0", "last_release": "v1.0.0", "commits": 0})
    );
    let bad = r.commit("not conventional");
    let o = run(
        &r.root,
        &["--format", "json", "--lint-range", "v1.0.0..HEAD"],
    );
    assert_eq!(o.status.code(), Some(1));
    let verdicts: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(verdicts["checked"], 1);
    assert_eq!(verdicts["failed"], 1);
    assert_eq!(verdicts["commits"][0]["hash"], bad.as_str());
    assert_eq!(verdicts["commits"][0]["ok"], false);
    assert_eq!(verdicts["commits"][0]["error"]["part"], "subject");
}

#[test]
fn a_usage_error_with_json_prints_one_document() {
    let r = Repo::new();
    let usage = cratesmith_tests::json::one_document(
        std::path::Path::new(env!("CARGO_BIN_EXE_git-changelog")),
        &r.root,
        &["--format", "json", "--release", "not-semver"],
        2,
    );
    assert_eq!(usage["error"]["usage"], true);
    assert!(
        usage["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not-semver")
    );
}
