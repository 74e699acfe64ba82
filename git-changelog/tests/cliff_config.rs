//! Where `git changelog` finds a git-cliff configuration, what it says
//! about one it cannot use, and `--prepend` with one (against git-cliff's
//! own `--prepend` when `CRATESMITH_GIT_CLIFF` is there).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::process::Command;

use common::{Repo, err, ok, run};

const BODY: &str = "[changelog]\nbody = \"\"\"\n{{ version | default(value='next') }} from MARK{% for c in commits %} {{ c.message }}{% endfor %}\n\"\"\"\n";

fn history() -> Repo {
    let mut r = Repo::new();
    r.commit("feat: first");
    r.tag_annotated("v0.1.0", 1);
    r.commit("fix: second");
    r
}

fn write(r: &Repo, path: &str, text: &str) {
    let file = r.root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    cratesmith_tests::cratesmith_write(&file, text.as_ref());
}

#[test]
fn the_first_configuration_found_is_used_and_no_config_ignores_them() {
    let r = history();
    let body = |mark: &str| BODY.replace("MARK", mark);
    write(
        &r,
        "release-plz.toml",
        &body("release-plz").replace(
            "[changelog]\n",
            "[changelog]\nprotect_breaking_commits = true\n",
        ),
    );
    assert_eq!(ok(run(&r.root, &[])), "next from release-plz second");
    write(
        &r,
        "Cargo.toml",
        &format!(
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n{}",
            body("metadata").replace("[changelog]", "[package.metadata.git-cliff.changelog]")
        ),
    );
    assert_eq!(ok(run(&r.root, &[])), "next from metadata second");
    write(&r, ".config/cliff.toml", &body("dot-config"));
    assert_eq!(ok(run(&r.root, &[])), "next from dot-config second");
    write(&r, ".cliff.toml", &body("dot-cliff"));
    assert_eq!(ok(run(&r.root, &[])), "next from dot-cliff second");
    write(&r, "cliff.toml", &body("cliff"));
    assert_eq!(ok(run(&r.root, &[])), "next from cliff second");
    write(&r, "other.toml", &body("explicit"));
    assert_eq!(
        ok(run(&r.root, &["--config", "other.toml"])),
        "next from explicit second"
    );
    let builtin = ok(run(&r.root, &["--no-config"]));
    assert!(builtin.starts_with("## [Unreleased]\n"), "{builtin}");
    assert!(builtin.contains("### Fixed\n\n- second ("), "{builtin}");
}

#[test]
fn unknown_keys_are_named_and_bad_patterns_refused() {
    let r = history();
    write(
        &r,
        "cliff.toml",
        &format!("{BODY}format = true\n[git]\nnot_a_key = 1\n"),
    );
    let o = run(&r.root, &[]);
    let stderr = err(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("`changelog.format` is not supported"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`git.not_a_key` is not supported"),
        "{stderr}"
    );
    write(
        &r,
        "cliff.toml",
        &format!("{BODY}[git]\ncommit_parsers = [{{ message = \"(\", group = \"x\" }}]\n"),
    );
    let o = run(&r.root, &[]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = err(&o);
    assert!(
        stderr.contains("cliff.toml")
            && stderr.contains("git.commit_parsers")
            && stderr.contains("not a regular expression"),
        "{stderr}"
    );
    write(&r, "cliff.toml", "[changelog]\nbody = \"{% for %}\"\n");
    let o = run(&r.root, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("the body template does not parse"),
        "{}",
        err(&o)
    );
    write(&r, "cliff.toml", "[changelog\n");
    let o = run(&r.root, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("cliff.toml:1:"), "{}", err(&o));
}

#[test]
fn git_cliff_flags_need_a_configuration() {
    let r = history();
    for flags in [
        &["--latest"][..],
        &["--skip-commit", "abc"],
        &["--release", "minor"],
        &["--topo-order"],
    ] {
        let o = run(&r.root, flags);
        assert_eq!(o.status.code(), Some(2), "{flags:?}");
        assert!(
            err(&o).contains("need a git-cliff configuration"),
            "{}",
            err(&o)
        );
    }
}

#[test]
fn skip_commit_and_release_levels_work() {
    let r = history();
    write(&r, "cliff.toml", &BODY.replace("MARK", "x"));
    let head = common::git(&r.root, &["rev-parse", "HEAD"]);
    assert_eq!(
        ok(run(&r.root, &["--skip-commit", head.trim()])),
        "next from x"
    );
    assert_eq!(
        ok(run(&r.root, &["--release", "minor"])),
        "v0.2.0 from x second"
    );
    assert_eq!(
        ok(run(&r.root, &["--release", "auto"])),
        "v0.1.1 from x second"
    );
    assert_eq!(ok(run(&r.root, &["--bump"])), "patch\n");
    assert_eq!(ok(run(&r.root, &["--next-version"])), "v0.1.1\n");
}

#[test]
fn prepend_writes_what_git_cliff_writes_and_never_twice() {
    let r = history();
    let config = "[changelog]\nheader = \"# Changelog\\n\"\nbody = \"\"\"\n## {{ version | default(value='next') }}\n{% for c in commits %}- {{ c.message }}\n{% endfor %}\n\"\"\"\ntrim = true\n";
    write(&r, "cliff.toml", config);
    let existing = "# Changelog\n\n## v0.1.0\n- first\n\n";
    write(&r, "CHANGELOG.md", existing);
    let o = run(
        &r.root,
        &["--release", "v0.2.0", "--prepend", "CHANGELOG.md"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let ours = std::fs::read_to_string(r.root.join("CHANGELOG.md")).unwrap();
    assert_eq!(
        ours,
        "# Changelog\n## v0.2.0\n- second\n\n## v0.1.0\n- first\n\n"
    );
    let again = run(
        &r.root,
        &["--release", "v0.2.0", "--prepend", "CHANGELOG.md"],
    );
    assert!(again.status.success());
    assert!(
        err(&again).contains("v0.2.0 is already in CHANGELOG.md"),
        "{}",
        err(&again)
    );
    assert_eq!(
        std::fs::read_to_string(r.root.join("CHANGELOG.md")).unwrap(),
        ours
    );
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    write(&r, "THEIRS.md", existing);
    let o = Command::new(cliff)
        .current_dir(&r.root)
        .args([
            "--offline",
            "--unreleased",
            "--tag",
            "v0.2.0",
            "--prepend",
            "THEIRS.md",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(r.root.join("THEIRS.md")).unwrap(),
        ours
    );
}

#[test]
fn path_and_a_subdirectory_keep_their_commits() {
    let mut r = Repo::new();
    r.commit_file("a/x.txt", "feat: in a");
    r.commit_file("b/y.txt", "fix: in b");
    r.commit_file("a/deep/z.txt", "fix: deep in a");
    write(&r, "cliff.toml", &BODY.replace("MARK", "x"));
    r.commit_file("top.txt", "chore: at the top");
    assert_eq!(
        ok(run(&r.root, &["--path", "a"])),
        "next from x in a deep in a"
    );
    assert_eq!(ok(run(&r.root, &["--path", "b/*"])), "next from x in b");
    assert_eq!(
        ok(run(&r.root.join("a"), &[])),
        "next from x in a deep in a"
    );
    assert_eq!(ok(run(&r.root, &["-C", "b"])), "next from x in b");
    assert_eq!(
        ok(run(&r.root, &[])),
        "next from x initial commit in a in b deep in a at the top"
    );
}

#[cfg(unix)]
#[test]
fn no_exec_runs_no_command() {
    let r = history();
    let config = format!(
        "{}[git]\ncommit_preprocessors = [{{ pattern = \"second\", replace_command = \"printf 'fix: replaced'\" }}]\n",
        BODY.replace("MARK", "x")
    );
    write(&r, "cliff.toml", &config);
    assert_eq!(ok(run(&r.root, &[])), "next from x replaced");
    assert_eq!(ok(run(&r.root, &["--no-exec"])), "next from x second");
}

#[test]
fn output_and_remote_fields_are_as_git_cliff_has_them() {
    let r = history();
    let config = "[changelog]\nbody = \"{{ remote.github.owner }}/{{ remote.github.repo }} {% for c in commits %}{{ c.message }} {{ c.github.username | default(value='nobody') }}{% endfor %}\"\noutput = \"OUT.md\"\n[remote.github]\nowner = \"o\"\nrepo = \"r\"\n";
    write(&r, "cliff.toml", config);
    let o = run(&r.root, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(common::out(&o), "", "the changelog goes to OUT.md");
    assert!(err(&o).contains("remote"), "{}", err(&o));
    let ours = std::fs::read_to_string(r.root.join("OUT.md")).unwrap();
    assert_eq!(ours, "o/r second nobody");
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    std::fs::remove_file(r.root.join("OUT.md")).unwrap();
    let o = Command::new(cliff)
        .current_dir(&r.root)
        .args(["--offline", "--unreleased"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(r.root.join("OUT.md")).unwrap(),
        ours
    );
}

/// `-p NAME` with a configuration: the member's files and `<name>-v*`
/// tags, what git-cliff writes with `--include-path` and `--tag-pattern`.
#[test]
fn a_package_is_its_files_and_its_tags() {
    let mut r = Repo::new();
    write(
        &r,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    for name in ["core", "app"] {
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n");
        write(&r, &format!("crates/{name}/Cargo.toml"), &manifest);
        write(&r, &format!("crates/{name}/src/lib.rs"), "");
    }
    r.commit("chore: the workspace");
    r.tag_annotated("core-v1.0.0", 1);
    r.tag_annotated("app-v1.0.0", 1);
    r.commit_file("crates/core/src/a.rs", "feat(core): a");
    r.commit_file("crates/app/src/b.rs", "fix(app): b");
    r.tag_annotated("app-v1.0.1", 2);
    r.commit_file("crates/core/src/c.rs", "fix(core): c");
    let config = "[changelog]\nbody = \"\"\"\n## {{ version | default(value='next') }}\n{% for c in commits %}- {{ c.message }}\n{% endfor %}\n\"\"\"\n";
    write(&r, "cliff.toml", config);
    let ours = ok(run(&r.root, &["-p", "core", "--all"]));
    assert_eq!(ours, "## next\n- a\n- c\n## core-v1.0.0\n- the workspace\n");
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let theirs = Command::new(cliff)
        .current_dir(&r.root)
        .args([
            "--offline",
            "--include-path",
            "crates/core/**",
            "--tag-pattern",
            "^core-v.*$",
        ])
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert_eq!(ours, String::from_utf8_lossy(&theirs.stdout));
}

/// `-p NAME` of a package at the repository's root: every file but those
/// of the members below it.
#[test]
fn a_package_at_the_root_is_every_file_but_its_members() {
    let mut r = Repo::new();
    let manifest = "[package]\nname = \"solo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[workspace]\nmembers = [\"plugin\"]\n";
    write(&r, "Cargo.toml", manifest);
    write(&r, "src/lib.rs", "");
    let plugin = "[package]\nname = \"plugin\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    write(&r, "plugin/Cargo.toml", plugin);
    write(&r, "plugin/src/lib.rs", "");
    r.commit("chore: start");
    r.tag_annotated("v1.0.0", 1);
    r.commit_file("src/a.rs", "feat: a");
    r.commit_file("plugin/src/b.rs", "fix(plugin): b");
    r.commit_file("README.md", "docs: c");
    let config = "[changelog]\nbody = \"\"\"\n## {{ version | default(value='next') }}\n{% for c in commits %}- {{ c.message }}\n{% endfor %}\n\"\"\"\n";
    write(&r, "cliff.toml", config);
    let ours = ok(run(&r.root, &["-p", "solo"]));
    assert_eq!(ours, "## next\n- a\n- c\n");
}
