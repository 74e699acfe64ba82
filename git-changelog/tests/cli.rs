//! `git changelog` through the binary, on repositories built here with a
//! fixed identity and dates.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{Repo, err, ok, out, run, short};
use cratesmith_tests::{command, cratesmith_write};

#[test]
fn unreleased_changes_since_the_last_tag() {
    let mut r = Repo::new();
    r.commit("feat: before the tag");
    r.tag("v1.2.0");
    let a = r.commit("feat(cli): add --json (#12)");
    let b = r.commit("fix: crash on empty input");
    r.commit("docs: hidden by default");
    let c = r.commit("perf!: faster walk\n\nLong body.\n\nSecond paragraph.\n\nBREAKING CHANGE: the cache format changed\nRefs: #3");
    r.commit("Update README (not conventional)");
    let expected = format!(
        "## [Unreleased]\n\nThis release has 1 breaking change.\n\n### Added\n\n- **cli:** add --json (#12) ({})\n\n\
### Changed\n\n- **Breaking:** faster walk — the cache format changed ({})\n\n### Fixed\n\n- crash on empty input ({})\n\n",
        short(&a),
        short(&c),
        short(&b)
    );
    assert_eq!(ok(run(&r.root, &[])), expected);
    assert!(ok(run(&r.root, &["--include", "docs"])).contains("- hidden by default"));
    assert_eq!(ok(run(&r.root, &["--bump"])), "major\n");
    assert_eq!(ok(run(&r.root, &["--next-version"])), "2.0.0\n");
    let notes = ok(run(&r.root, &["--notes"]));
    assert!(
        notes.starts_with("This release has 1 breaking change.\n\n### Added\n"),
        "{notes}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(run(
        &r.root,
        &[
            "--format",
            "json",
            "--release",
            "2.0.0",
            "--date",
            "2026-11-30",
        ],
    )))
    .unwrap();
    let json = &json["releases"][0];
    assert_eq!(json["version"], "2.0.0");
    assert_eq!(json["date"], "2026-11-30");
    let changed = &json["sections"][1]["entries"][0];
    assert_eq!(
        (changed["type"].as_str(), changed["breaking"].as_bool()),
        (Some("perf"), Some(true))
    );
    assert_eq!(changed["hash"], c.as_str());
    assert_eq!(changed["author"], "Cratesmith Test");
    assert_eq!(changed["body"], "Long body.\n\nSecond paragraph.");
}

#[test]
fn links_for_a_github_origin_and_since_until() {
    let mut r = Repo::new();
    r.git
        .remote("origin", "git@github.com:cratesmith/demo.git")
        .unwrap();
    let first = r.commit("fix: one, closes #7");
    let second = r.commit("feat: two");
    r.commit("feat: three");
    let md = ok(run(&r.root, &["--since", &first, "--until", &second]));
    let expected = format!(
        "## [Unreleased]\n\n### Added\n\n- two ([{}](https://github.com/cratesmith/demo/commit/{second}))\n\n\
         [Unreleased]: https://github.com/cratesmith/demo/compare/{first}...{second}\n",
        short(&second)
    );
    assert_eq!(md, expected);
    let all = ok(run(&r.root, &[]));
    assert!(
        all.contains("one, closes [#7](https://github.com/cratesmith/demo/issues/7)"),
        "{all}"
    );
}

#[test]
fn prepend_creates_updates_and_refuses_duplicates() {
    let mut r = Repo::new();
    r.commit("feat: first feature");
    let file = r.root.join("CHANGELOG.md");
    ok(run(&r.root, &["--prepend", "CHANGELOG.md"]));
    let created = std::fs::read_to_string(&file).unwrap();
    r.commit("fix: for the dry run");
    let dry = run(&r.root, &["--prepend", "CHANGELOG.md", "--dry-run"]);
    assert!(dry.status.success(), "{}", err(&dry));
    assert!(out(&dry).contains("+- for the dry run"), "{}", out(&dry));
    assert!(err(&dry).contains("dry run: no files were written"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        created,
        "nothing written"
    );
    let created = {
        ok(run(&r.root, &["--prepend", "CHANGELOG.md"]));
        std::fs::read_to_string(&file).unwrap()
    };
    assert!(
        created.starts_with("# Changelog\n\nAll notable changes"),
        "{created}"
    );
    assert!(created.contains("## [Unreleased]\n\n### Added\n\n- first feature"));
    let again = run(&r.root, &["--prepend", "CHANGELOG.md"]);
    assert!(again.status.success());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        created,
        "prepending the same input twice changes nothing"
    );
    ok(run(
        &r.root,
        &[
            "--release",
            "1.3.0",
            "--date",
            "2026-11-22",
            "--write",
            "CHANGELOG.md",
        ],
    ));
    let released = std::fs::read_to_string(&file).unwrap();
    assert!(
        released.contains("## [1.3.0] - 2026-11-22\n\n### Added\n\n- first feature"),
        "{released}"
    );
    assert!(
        !released.contains("[Unreleased]"),
        "the Unreleased section was replaced: {released}"
    );
    let same = run(
        &r.root,
        &[
            "--release",
            "1.3.0",
            "--date",
            "2026-11-22",
            "--prepend",
            "CHANGELOG.md",
        ],
    );
    assert!(same.status.success(), "{}", err(&same));
    assert!(err(&same).contains("already up to date"), "{}", err(&same));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), released);
    r.commit("fix: a later fix");
    let dup = run(
        &r.root,
        &["--release", "1.3.0", "--prepend", "CHANGELOG.md"],
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(
        err(&dup).contains("version 1.3.0 is already in the changelog"),
        "{}",
        err(&dup)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        released,
        "untouched after a refusal"
    );
}

#[test]
fn nothing_since_the_last_tag_prints_nothing() {
    let mut r = Repo::new();
    r.commit("feat: x");
    r.tag("v1.3.0");
    let o = run(&r.root, &["--prepend", "CHANGELOG.md"]);
    assert!(o.status.success());
    assert_eq!(out(&o), "");
    assert!(
        err(&o).contains("no changes to list since v1.3.0"),
        "{}",
        err(&o)
    );
    assert!(!r.root.join("CHANGELOG.md").exists());
    assert_eq!(ok(run(&r.root, &["--bump"])), "none\n");
    assert_eq!(ok(run(&r.root, &["--next-version"])), "1.3.0\n");
}

#[test]
fn no_tags_means_all_history_and_the_zero_rule_applies() {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("Cargo.toml"),
        b"[package]\nname = \"demo\"\nversion = \"0.4.2\"\n",
    );
    r.commit("feat!: everything changes");
    let md = ok(run(&r.root, &[]));
    assert!(md.contains("- **Breaking:** everything changes"), "{md}");
    assert_eq!(ok(run(&r.root, &["--bump"])), "minor\n");
    assert_eq!(ok(run(&r.root, &["--next-version"])), "0.5.0\n");
}

#[test]
fn merges_reverts_detached_head_and_odd_messages() {
    let mut r = Repo::new();
    let feat = r.commit("feat: will be reverted");
    r.commit(&format!(
        "Revert \"feat: will be reverted\"\n\nThis reverts commit {feat}."
    ));
    r.commit("fix: kept\r\n\r\nCRLF body\r\n");
    // A merge commit with two parents.
    let head = r.git.head().unwrap().peel_to_commit().unwrap();
    let tree = head.tree().unwrap();
    let sig = git2::Signature::new(
        "M",
        "m@x.invalid",
        &git2::Time::new(cratesmith_tests::EPOCH, 0),
    )
    .unwrap();
    let side = r
        .git
        .commit(None, &sig, &sig, "feat: side branch", &tree, &[&head])
        .unwrap();
    let side = r.git.find_commit(side).unwrap();
    r.git
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "feat: merge side into main",
            &tree,
            &[&head, &side],
        )
        .unwrap();
    let md = ok(run(&r.root, &[]));
    assert!(
        !md.contains("will be reverted"),
        "a revert cancels the reverted entry: {md}"
    );
    assert!(md.contains("- kept ("), "{md}");
    assert!(md.contains("- side branch ("), "{md}");
    assert!(
        !md.contains("merge side into main"),
        "merges are skipped by default: {md}"
    );
    assert!(ok(run(&r.root, &["--merges"])).contains("merge side into main"));
    // Non-UTF-8 message (Latin-1 bytes), on a detached HEAD: warned about, never a crash.
    let parent = r.git.head().unwrap().peel_to_commit().unwrap();
    let mut raw = format!(
        "tree {}\nparent {}\nauthor L <l@x.invalid> {t} +0000\ncommitter L <l@x.invalid> {t} +0000\n\n",
        parent.tree_id(),
        parent.id(),
        t = cratesmith_tests::EPOCH
    )
    .into_bytes();
    raw.extend_from_slice(b"fix: caf\xe9 menu\n");
    let odd = r
        .git
        .odb()
        .unwrap()
        .write(git2::ObjectType::Commit, &raw)
        .unwrap();
    r.git.set_head_detached(odd).unwrap();
    let o = run(&r.root, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("- caf\u{fffd} menu"), "{}", out(&o));
    assert!(err(&o).contains("not UTF-8"), "{}", err(&o));
}

#[test]
fn not_a_repository_and_an_empty_one() {
    let temp = tempfile::tempdir().unwrap();
    let o = run(temp.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("is not inside a git repository"),
        "{}",
        err(&o)
    );
    git2::Repository::init(temp.path().join("empty")).unwrap();
    let o = run(temp.path(), &["-C", "empty"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("no commits yet"));
}

#[test]
fn lint_a_message_file_or_stdin() {
    let r = Repo::new();
    let cases: [(&str, i32, &str); 6] = [
        ("feat(core): add x\n", 0, ""),
        (
            "# Please enter the commit message\nfix: y\n# ------------------------ >8 ------------------------\nnot: checked\n",
            0,
            "",
        ),
        ("fixup! feat: add x\n", 0, ""),
        ("Merge branch 'topic'\n", 0, ""),
        (
            "update stuff\n",
            1,
            "MSG:1:1: subject: this is not a Conventional Commit header; expected `type(scope): description`",
        ),
        ("feat(core) add x\n", 1, "MSG:1:11: subject: expected `:`"),
    ];
    for (message, code, needle) in cases {
        cratesmith_write(&r.root.join("MSG"), message.as_bytes());
        let o = run(&r.root, &["--lint", "MSG"]);
        assert_eq!(o.status.code(), Some(code), "{message:?}: {}", err(&o));
        assert!(err(&o).contains(needle), "{message:?}: {}", err(&o));
    }
    let mut child = command(Path::new(env!("CARGO_BIN_EXE_git-changelog")))
        .args(["--lint", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"wip\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("feat, fix, docs"),
        "the allowed types are listed: {}",
        err(&o)
    );
}

#[test]
fn lint_range_reports_each_bad_commit() {
    let mut r = Repo::new();
    let base = r.commit("chore: base");
    r.commit("feat: fine");
    let bad = r.commit("oops no type");
    let o = run(&r.root, &["--lint-range", &format!("{base}..HEAD")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(&format!(
            "commit {}: 1:1: subject: this is not a Conventional Commit header",
            short(&bad)
        )),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("Checked 2 commits, 1 not conventional"),
        "{}",
        err(&o)
    );
    assert!(
        run(&r.root, &["--lint-range", &format!("{base}..HEAD~1")])
            .status
            .success()
    );
}

#[test]
fn cratesmiths_own_history_renders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let Ok(repo) = git2::Repository::open(root) else {
        cratesmith_tests::missing(
            "cratesmith's own git history (the source tree is not a checkout)",
        );
        return;
    };
    // A shallow clone has as many commits as it has: up to three back.
    let back = (1..=3)
        .take_while(|n| repo.revparse_single(&format!("HEAD~{n}")).is_ok())
        .last();
    let Some(back) = back else {
        let o = run(root, &[]);
        assert!(o.status.success(), "{}", err(&o));
        return;
    };
    let o = run(root, &["--since", &format!("HEAD~{back}")]);
    assert!(o.status.success(), "{}", err(&o));
    let range = format!("HEAD~{back}..HEAD");
    assert!(ok(run(root, &["--lint-range", &range])).is_empty());
}

#[test]
fn man_page_and_completions() {
    cratesmith_tests::check_docs(
        Path::new(env!("CARGO_BIN_EXE_git-changelog")),
        &[],
        "git-changelog",
    );
}

#[test]
fn the_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_git-changelog")),
        &[],
        "git-changelog.md",
    );
}
