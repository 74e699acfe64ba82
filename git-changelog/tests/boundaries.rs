//! Release boundaries as real histories have them: every reachable tag in
//! history order (angular-cli's `v1.0.0-beta.9-1` next to `beta.10`),
//! several tags on one commit (tauri), `--until` a release, pre-releases
//! folded the same with and without `--all`, tags of another shape.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Repo, err, git, headings, items, ok, out, run, short};

/// angular-cli: `beta.9-1` has a higher precedence than `beta.10` and
/// `beta.11`; the tags are still releases in the order history has them.
#[test]
fn every_reachable_tag_is_a_boundary_in_history_order() {
    let mut r = Repo::new();
    let mut hashes = Vec::new();
    for tag in [
        "v1.0.0-beta.9",
        "v1.0.0-beta.9-1",
        "v1.0.0-beta.10",
        "v1.0.0-beta.11",
    ] {
        hashes.push(r.commit(&format!("fix: before {tag}")));
        r.tag(tag);
    }
    let after = r.commit("feat: after the last beta");
    let md = ok(run(&r.root, &["--all"]));
    assert_eq!(
        headings(&md),
        [
            "## [Unreleased]",
            "## [1.0.0-beta.11] - 2026-11-22",
            "## [1.0.0-beta.10] - 2026-11-22",
            "## [1.0.0-beta.9-1] - 2026-11-22",
            "## [1.0.0-beta.9] - 2026-11-22",
        ],
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "## [1.0.0-beta.10] - 2026-11-22\n\n### Fixed\n\n- before v1.0.0-beta.10 ({})\n\n## [1.0.0-beta.9-1]",
            short(&hashes[2])
        )),
        "{md}"
    );
    assert_eq!(
        ok(run(&r.root, &[])),
        format!(
            "## [Unreleased]\n\n### Added\n\n- after the last beta ({})\n\n",
            short(&after)
        ),
        "the default range starts at the newest tag in history, not the highest version"
    );
}

/// tauri tags a commit with several releases; the highest gets it.
#[test]
fn several_tags_on_one_commit_make_one_release() {
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag("v1.0.0");
    let fix = r.commit("fix: two");
    r.tag("v1.0.1");
    r.tag("v1.1.0");
    r.tag("v1.0.2-rc.1");
    let md = ok(run(&r.root, &["--all"]));
    assert_eq!(
        headings(&md),
        ["## [1.1.0] - 2026-11-22", "## [1.0.0] - 2026-11-22"],
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "## [1.1.0] - 2026-11-22\n\n### Fixed\n\n- two ({})\n\n",
            short(&fix)
        )),
        "{md}"
    );
    assert_eq!(ok(run(&r.root, &["--next-version"])), "1.1.0\n");
}

/// A merged maintenance branch: its release is a boundary of main too.
#[test]
fn a_merged_maintenance_release_is_not_unreleased_again() {
    let mut r = Repo::new();
    r.commit("feat: base");
    r.tag("v1.0.0");
    git(&r.root, &["checkout", "-q", "-b", "maint"]);
    let fix = r.commit_file("fix.txt", "fix: on the maintenance branch");
    r.tag("v1.0.1");
    git(&r.root, &["checkout", "-q", "-"]);
    let feat = r.commit_file("feat.txt", "feat: on main");
    git(&r.root, &["merge", "-q", "--no-edit", "maint"]);
    let md = ok(run(&r.root, &[]));
    assert_eq!(
        md,
        format!(
            "## [Unreleased]\n\n### Added\n\n- on main ({})\n\n",
            short(&feat)
        )
    );
    let all = ok(run(&r.root, &["--all"]));
    assert_eq!(
        headings(&all),
        [
            "## [Unreleased]",
            "## [1.0.1] - 2026-11-22",
            "## [1.0.0] - 2026-11-22"
        ],
        "{all}"
    );
    assert_eq!(
        items(&all)
            .iter()
            .filter(|l| l.contains(short(&fix)))
            .count(),
        1
    );
}

#[test]
fn until_a_release_starts_at_the_release_before_and_is_titled_by_it() {
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag_annotated("v1.0.0", 1);
    let two = r.commit("feat: two");
    r.tag_annotated("v1.1.0", 3);
    r.commit("feat: three");
    let expected = format!(
        "## [1.1.0] - 2026-11-25\n\n### Added\n\n- two ({})\n\n",
        short(&two)
    );
    assert_eq!(ok(run(&r.root, &["--until", "v1.1.0"])), expected);
    assert_eq!(
        ok(run(&r.root, &["--since", "v1.0.0", "--until", "v1.1.0"])),
        expected
    );
    let json: serde_json::Value = serde_json::from_str(&ok(run(
        &r.root,
        &["--until", "v1.1.0", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["releases"][0]["version"], "1.1.0");
    assert_eq!(json["releases"][0]["date"], "2026-11-25");
    assert_eq!(json["releases"][0]["previous_tag"], "v1.0.0");
    let untagged = ok(run(&r.root, &["--until", "HEAD~1"]));
    assert!(
        untagged.starts_with("## [1.1.0]"),
        "HEAD~1 is v1.1.0: {untagged}"
    );
}

#[test]
fn fold_prereleases_means_the_same_with_and_without_all() {
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag("v1.0.0");
    let two = r.commit("feat: two");
    r.tag("v1.1.0-rc.1");
    let three = r.commit("fix: three");
    let alone = ok(run(&r.root, &["--fold-prereleases"]));
    let expected = format!(
        "## [Unreleased]\n\n### Added\n\n- two ({})\n\n### Fixed\n\n- three ({})\n\n",
        short(&two),
        short(&three)
    );
    assert_eq!(alone, expected);
    let all = ok(run(&r.root, &["--all", "--fold-prereleases"]));
    assert!(all.contains(&expected), "{all}");
    assert!(!all.contains("rc.1"), "{all}");
}

/// git-cliff and cocogitto tag `1.2.3`, npm monorepos `name@1.2.3`.
#[test]
fn tags_of_another_shape_get_a_pattern_suggested() {
    let mut r = Repo::new();
    r.commit("feat: one");
    r.tag("1.2.3");
    r.commit("feat: two");
    r.tag("1.3.0");
    r.tag("web@0.1.0");
    let o = run(&r.root, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).lines().any(|l| l
            == "warning: no tag matches `v*`, but tags that hold a version do: `*` (2 tags), `web@*` (1 tag); the whole history counts as unreleased"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).lines().any(|l| l
            == "help: pass --tag-pattern '*' (or set `tag-pattern` in the changelog settings)"),
        "{}",
        err(&o)
    );
    // nushell: one `v0.96.0` among a hundred `0.x.y` tags.
    r.tag("1.3.1");
    r.tag("1.3.2");
    r.tag("v0.0.1");
    let o = run(&r.root, &[]);
    assert!(
        err(&o).lines().any(|l| l
            == "warning: only 1 tag matches `v*`, while most tags that hold a version have another shape: `*` (4 tags), `web@*` (1 tag); releases are counted from `v*` tags only"),
        "{}",
        err(&o)
    );
    r.tag("v0.0.2");
    assert!(
        !err(&run(&r.root, &[])).contains("warning"),
        "two against four is no minority"
    );
    let md = ok(run(&r.root, &["--tag-pattern", "*"]));
    assert_eq!(
        items(&md).len(),
        0,
        "HEAD is 1.3.2: nothing unreleased: {md}"
    );
    assert_eq!(
        ok(run(&r.root, &["--tag-pattern", "*", "--next-version"])),
        "1.3.2\n"
    );
}

/// A tag of a tree or blob is no release and no crash.
#[test]
fn a_tag_of_a_tree_gets_a_clean_message() {
    let mut r = Repo::new();
    r.commit("feat: one");
    git(&r.root, &["tag", "v9.9.9", "HEAD^{tree}"]);
    let o = run(&r.root, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o)
            .lines()
            .any(|l| l == "warning: tag `v9.9.9` names a tree, not a commit: it is not a release"),
        "{}",
        err(&o)
    );
    let o = run(&r.root, &["--since", "v9.9.9"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "warning: tag `v9.9.9` names a tree, not a commit: it is not a release\nerror: git: `v9.9.9` names a tree, not a commit\nhelp: give a tag, a branch or a commit hash (see `git log --oneline`)\n"
    );
    assert_eq!(out(&o), "");
}
