//! Commit messages as real histories have them: squash commits quoting a
//! revert (tauri), reverts of reverts, reverts of released commits, `#`
//! subjects (nushell), subjects wrapped onto line 2 (vite, angular-cli),
//! `*` in scopes and paths, and the lint agreeing with the changelog.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Repo, err, git, items, ok, run, short};
use cratesmith_tests::cratesmith_write;

fn reverts(subject: &str, hash: &str) -> String {
    format!("Revert \"{subject}\"\n\nThis reverts commit {hash}.")
}

/// tauri: a squash-merged PR whose body lists a revert it contained.
#[test]
fn a_squash_commit_quoting_a_revert_reverts_nothing() {
    let mut r = Repo::new();
    r.commit("feat: base");
    r.tag("v1.0.0");
    let fix = r.commit("fix: keep me");
    let squash = r.commit(&format!(
        "feat: the big feature (#42)\n\n* wip\n\n* {}\n\n* done",
        reverts("fix: keep me", &fix)
    ));
    let md = ok(run(&r.root, &[]));
    assert_eq!(
        items(&md),
        [
            format!("- the big feature (#42) ({})", short(&squash)),
            format!("- keep me ({})", short(&fix)),
        ]
    );
    assert_eq!(ok(run(&r.root, &["--bump"])), "minor\n");
}

#[test]
fn a_revert_of_a_revert_reinstates_the_change() {
    for reapply in [true, false] {
        let mut r = Repo::new();
        r.commit("fix: base");
        r.tag("v1.0.0");
        let feat = r.commit("feat: comes back");
        let revert = r.commit(&reverts("feat: comes back", &feat));
        let again = if reapply {
            format!("Reapply \"feat: comes back\"\n\nThis reverts commit {revert}.")
        } else {
            reverts("Revert \"feat: comes back\"", &revert)
        };
        r.commit(&again);
        let md = ok(run(&r.root, &[]));
        assert_eq!(
            items(&md),
            [format!("- comes back ({})", short(&feat))],
            "{again}"
        );
        assert_eq!(ok(run(&r.root, &["--bump"])), "minor\n", "{again}");
    }
}

#[test]
fn a_git_revert_of_a_released_commit_is_listed_and_is_a_patch() {
    let mut r = Repo::new();
    let feat = r.commit("feat: shipped in 1.0");
    r.tag("v1.0.0");
    let revert = r.commit(&reverts("feat: shipped in 1.0", &feat));
    let md = ok(run(&r.root, &[]));
    assert_eq!(
        md,
        format!(
            "## [Unreleased]\n\n### Changed\n\n- Revert \"feat: shipped in 1.0\" ({})\n\n",
            short(&revert)
        )
    );
    assert_eq!(ok(run(&r.root, &["--bump"])), "patch\n");
    let mut typed = Repo::new();
    let feat = typed.commit("feat: shipped");
    typed.tag("v1.0.0");
    typed.commit(&format!(
        "revert: feat: shipped\n\nThis reverts commit {feat}."
    ));
    assert_eq!(
        ok(run(&typed.root, &["--bump"])),
        "patch\n",
        "the same as `revert:`"
    );
}

/// nushell: `#14238 Now the file completion ...`.
#[test]
fn subjects_starting_with_a_hash_are_history_not_comments() {
    let mut r = Repo::new();
    let h = r.commit("#14238 Now the file completion works");
    let md = ok(run(&r.root, &["--include-other"]));
    assert!(
        md.contains(&format!(
            "- \\#14238 Now the file completion works ({})",
            short(&h)
        )),
        "{md}"
    );
    // In a commit-msg hook the comment character is what git strips.
    git(&r.root, &["config", "core.commentChar", ";"]);
    cratesmith_write(
        &r.root.join("MSG"),
        b"fix: a\n\n#1 is the issue\n; Please enter the commit message\n",
    );
    let o = run(&r.root, &["--lint", "MSG"]);
    assert!(o.status.success(), "{}", err(&o));
    cratesmith_write(&r.root.join("MSG"), b"; just a comment\nnot conventional\n");
    let o = run(&r.root, &["--lint", "MSG"]);
    assert_eq!(o.status.code(), Some(1));
}

/// vite and angular-cli: 49 subjects wrap onto line 2, some breaking.
#[test]
fn a_subject_wrapped_onto_line_two_counts_its_breaking_footer() {
    let mut r = Repo::new();
    r.commit("fix: base");
    r.tag("v1.0.0");
    let h =
        r.commit("feat(core): a long subject that\ngoes on here\n\nBREAKING CHANGE: options moved");
    let md = ok(run(&r.root, &[]));
    assert_eq!(
        items(&md),
        [format!(
            "- **Breaking:** **core:** a long subject that — options moved ({})",
            short(&h)
        )]
    );
    assert_eq!(ok(run(&r.root, &["--bump"])), "major\n");
    let o = run(&r.root, &["--lint-range", "v1.0.0..HEAD"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).lines().any(|l| l
            == format!(
                "error: commit {}: 2:1: body: leave a blank line between the subject and the body",
                short(&h)
            )),
        "{}",
        err(&o)
    );
}

#[test]
fn scopes_and_paths_with_stars_render_as_written() {
    let mut r = Repo::new();
    let a = r.commit("feat(*): all packages");
    let b = r.commit("fix: match modules/**/*spec.ts and v6.*.*");
    let c = r.commit("fix: keep `a*b` and `**` as code");
    let md = ok(run(&r.root, &[]));
    assert_eq!(
        items(&md),
        [
            format!("- **\\*:** all packages ({})", short(&a)),
            format!("- keep `a*b` and `**` as code ({})", short(&c)),
            format!(
                "- match modules/\\*\\*/\\*spec.ts and v6.\\*.\\* ({})",
                short(&b)
            ),
        ]
    );
}

/// What the changelog counts, the lint accepts, and the reverse.
#[test]
fn lint_and_changelog_agree_on_every_type() {
    let mut r = Repo::new();
    cratesmith_write(
        &r.root.join("changelog.toml"),
        b"sections = { deps = \"Dependencies\" }\n",
    );
    let base = r.commit("chore: settings");
    let placed = [
        "deprecate: the --old flag",
        "remove: the --older flag",
        "security: escape names",
        "deps: bump serde",
        "Feat: shouting works",
    ];
    for m in placed {
        r.commit(m);
    }
    let md = ok(run(&r.root, &[]));
    for title in ["Added", "Deprecated", "Removed", "Security", "Dependencies"] {
        assert!(md.contains(&format!("### {title}\n")), "{title}: {md}");
    }
    let o = run(&r.root, &["--lint-range", &format!("{base}..HEAD")]);
    assert!(
        o.status.success(),
        "every placed type passes the lint: {}",
        err(&o)
    );
    // Not Conventional Commits for either.
    let before = r.commit("chore: mark");
    r.commit(" feat: leading space");
    r.commit("feat:no space");
    let md = ok(run(&r.root, &["--since", &before]));
    assert_eq!(md, "", "neither counts in the changelog");
    assert_eq!(ok(run(&r.root, &["--since", &before, "--bump"])), "none\n");
    let o = run(&r.root, &["--lint-range", &format!("{before}..HEAD")]);
    assert!(err(&o).contains("2 not conventional"), "{}", err(&o));
}

#[test]
fn a_subject_without_a_type_is_not_a_header() {
    let r = Repo::new();
    cratesmith_write(&r.root.join("MSG"), b"Add foo (#123)\n");
    let o = run(&r.root, &["--lint", "MSG"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: MSG:1:1: subject: this is not a Conventional Commit header; expected `type(scope): description` with a type among feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert, security, deprecate, deprecated, remove, removed, e.g. `feat(cli): add --json`\n"
    );
}

#[test]
fn unknown_types_show_under_changed_with_include_other() {
    let mut r = Repo::new();
    let w = r.commit("wip: half done");
    let rel = r.commit("release: 1.2.0");
    assert_eq!(ok(run(&r.root, &[])), "", "hidden by default");
    let md = ok(run(&r.root, &["--include-other"]));
    assert_eq!(
        md,
        format!(
            "## [Unreleased]\n\n### Changed\n\n- release: 1.2.0 ({})\n- wip: half done ({})\n\n",
            short(&rel),
            short(&w)
        )
    );
}
