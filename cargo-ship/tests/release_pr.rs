//! The release-PR flow end to end on real git and a real registry server
//! (see `cratesmith_tests::registry`): `cargo ship pr` prepares the branch
//! and body, the changelog is edited on the branch by hand, the branch is
//! merged by fast-forward and pushed to a bare origin, `cargo ship
//! release` tags, pushes, publishes and writes the notes; then both again
//! do nothing. A publish made to fail halfway is finished by a re-run.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cratesmith_tests::proxy::Proxy;
use cratesmith_tests::registry::{Server, free_port};
use cratesmith_tests::{assert_text_eq, command, cratesmith_write};

const TOKEN: &str = "cratesmith-test-token-77e1";

/// A workspace of five crates with a bare origin, and a registry.
struct Flow {
    server: Server,
    proxy: Option<Proxy>,
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Flow {
    /// `proxied`: the registry behind a fault-injecting proxy.
    fn new(proxied: bool, extra: &[(&str, &str)]) -> Option<Flow> {
        let proxy_port = free_port();
        let server = Server::start(proxied.then(|| format!("http://127.0.0.1:{proxy_port}")))?;
        let proxy = proxied.then(|| Proxy::start(proxy_port, server.port));
        let index = proxy.as_ref().map_or_else(|| server.index(), Proxy::index);
        let flow = Flow {
            server,
            proxy,
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        flow.write_workspace(&index, extra);
        Some(flow)
    }

    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn origin(&self) -> PathBuf {
        self.dir.path().join("origin.git")
    }

    /// pair-a and pair-b share the workspace version (pair-b depends on
    /// core: the dependent chain cli -> pair-b -> core); cli is `publish =
    /// false`; fresh was never released. Released before: v0.3.0,
    /// core-v1.0.0, cli-v0.1.0. Since: a breaking change in core, a fix
    /// in pair-a.
    fn write_workspace(&self, index: &str, extra: &[(&str, &str)]) {
        let ws = self.ws();
        let files: Vec<(&str, String)> = vec![
            (".cargo/config.toml", format!("[registries.local]\nindex = \"{index}\"\n")),
            (".gitignore", "target\n".into()),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"pair-a\", \"pair-b\", \"core\", \"cli\", \"fresh\"]\nresolver = \"2\"\n\n\
                 [workspace.package]\nversion = \"0.3.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n"
                    .into(),
            ),
            ("core/Cargo.toml", package("core", "version = \"1.0.0\"", "")),
            ("pair-a/Cargo.toml", package("pair-a", "version.workspace = true", "")),
            (
                "pair-b/Cargo.toml",
                package(
                    "pair-b",
                    "version.workspace = true",
                    "\n[dependencies]\ncore = { path = \"../core\", version = \"1.0.0\", registry = \"local\" }\n",
                ),
            ),
            (
                "cli/Cargo.toml",
                package(
                    "cli",
                    "version = \"0.1.0\"\npublish = false",
                    "\n[dependencies]\npair-b = { path = \"../pair-b\", version = \"0.3.0\", registry = \"local\" }\n",
                ),
            ),
            ("fresh/Cargo.toml", package("fresh", "version = \"0.1.0\"", "")),
        ];
        for (path, content) in &files {
            cratesmith_write(&ws.join(path), content.as_bytes());
        }
        for name in ["core", "pair-a", "pair-b", "cli", "fresh"] {
            cratesmith_write(&ws.join(name).join("src/lib.rs"), b"pub fn f() {}\n");
        }
        for (path, content) in extra {
            cratesmith_write(&ws.join(path), content.as_bytes());
        }
        git(self.dir.path(), &["init", "-q", "--bare", "origin.git"]);
        git(&ws, &["init", "-q", "-b", "main"]);
        git(&ws, &["config", "user.name", "Cratesmith Test"]);
        git(&ws, &["config", "user.email", "test@cratesmith.invalid"]);
        git(&ws, &["remote", "add", "origin", "../origin.git"]);
        self.cargo(&["generate-lockfile", "--offline"]);
        commit_all(&ws, "feat: initial workspace");
        for tag in ["v0.3.0", "core-v1.0.0", "cli-v0.1.0"] {
            git(&ws, &["tag", "-a", tag, "-m", &format!("Release {tag}")]);
        }
        cratesmith_write(&ws.join("core/src/lib.rs"), b"pub fn g() {}\n");
        commit_all(&ws, "feat(core)!: rename f to g");
        cratesmith_write(
            &ws.join("pair-a/src/lib.rs"),
            b"pub fn f() { /* fixed */ }\n",
        );
        commit_all(&ws, "fix(pair-a): handle empty input");
        git(&ws, &["push", "-q", "origin", "main", "--tags"]);
    }

    fn cargo(&self, args: &[&str]) {
        let out = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(self.ws())
            .env("CARGO_HOME", self.home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo {args:?}: {}",
            text(&out.stderr)
        );
    }

    fn ship(&self, args: &[&str]) -> Output {
        let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
            .arg("ship")
            .args(args)
            .current_dir(self.ws())
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_LOCAL_TOKEN", TOKEN)
            .output()
            .unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(TOKEN), "the token was printed:\n{all}");
        out
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.ws(), args)
    }

    fn published(&self) -> Vec<(&'static str, Vec<String>)> {
        ["core", "pair-a", "pair-b", "cli", "fresh"]
            .into_iter()
            .map(|n| (n, self.server.versions(n)))
            .collect()
    }

    /// Merge the release branch as a reviewer would: the changelog of
    /// core rewritten by hand on the branch, then a fast-forward of main.
    fn edit_and_merge(&self, core_notes: &str) {
        self.git(&["checkout", "-q", "release"]);
        let file = self.ws().join("core/CHANGELOG.md");
        let before = std::fs::read_to_string(&file).unwrap();
        let heading = before.find("## [2.0.0]").unwrap();
        let start = heading + before[heading..].find("\n\n").unwrap() + 2;
        cratesmith_write(
            &file,
            format!("{}{core_notes}", &before[..start]).as_bytes(),
        );
        commit_all(
            &self.ws(),
            "docs(core): say what the rename means for users",
        );
        self.git(&["checkout", "-q", "main"]);
        self.git(&["merge", "-q", "--ff-only", "release"]);
        self.git(&["push", "-q", "origin", "main"]);
    }
}

fn package(name: &str, version: &str, rest: &str) -> String {
    let inherited = version.contains("workspace");
    let (edition, license) = if inherited {
        ("edition.workspace = true", "license.workspace = true")
    } else {
        ("edition = \"2021\"", "license = \"MIT\"")
    };
    format!(
        "[package]\nname = \"{name}\"\n{version}\n{edition}\n{license}\ndescription = \"{name}\"\n{rest}"
    )
}

/// `git ARGS` in `dir` with a fixed date and identity; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let date = format!("{} +0000", cratesmith_tests::EPOCH);
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Cratesmith Test")
        .env("GIT_AUTHOR_EMAIL", "test@cratesmith.invalid")
        .env("GIT_COMMITTER_NAME", "Cratesmith Test")
        .env("GIT_COMMITTER_EMAIL", "test@cratesmith.invalid")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim_end().to_string()
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// (name, from, to, level, tag) of each package of a `--format json` plan.
fn plan_rows(v: &serde_json::Value) -> Vec<[String; 5]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| ["name", "from", "to", "level", "tag"].map(|k| p[k].as_str().unwrap().to_string()))
        .collect()
}

fn row(cells: [&str; 5]) -> [String; 5] {
    cells.map(String::from)
}

/// The notes of each `<details>` block of a PR body, by its summary.
fn details(body: &str) -> Vec<(String, String)> {
    body.split("<details><summary>")
        .skip(1)
        .map(|block| {
            let (summary, rest) = block.split_once("</summary>\n\n").unwrap();
            let notes = rest.split("</details>").next().unwrap();
            (summary.to_string(), notes.to_string())
        })
        .collect()
}

const CORE_NOTES: &str = "### Changed\n\n- **Breaking:** `f` is now `g`; callers rename the call, nothing else changes.\n";

#[test]
fn prepare_edit_merge_release_then_nothing() {
    let Some(flow) = Flow::new(false, &[]) else {
        return;
    };
    let ws = flow.ws();
    // cli is `publish = false`: a tag-only release.
    cratesmith_write(&ws.join("cli/src/lib.rs"), b"pub fn f() { /* tidier */ }\n");
    commit_all(&ws, "fix(cli): a tidier output");
    let main_before = flow.git(&["rev-parse", "HEAD"]);
    let tree_before = cratesmith_tests::read_tree(&ws);

    let body_file = flow.dir.path().join("body.md");
    let out = flow.ship(&[
        "pr",
        "--body",
        body_file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    ok(&out);
    assert_eq!(
        plan_rows(&json(&out)),
        [
            row(["cli", "0.1.0", "0.1.1", "patch", "cli-v0.1.1"]),
            row(["core", "1.0.0", "2.0.0", "major", "core-v2.0.0"]),
            row(["fresh", "0.1.0", "0.1.1", "patch", "fresh-v0.1.1"]),
            row(["pair-a", "0.3.0", "0.3.1", "patch", "v0.3.1"]),
            row(["pair-b", "0.3.0", "0.3.1", "patch", "v0.3.1"]),
        ]
    );
    // The checkout is as it was; the branch is one commit on top of main.
    assert_eq!(flow.git(&["rev-parse", "HEAD"]), main_before);
    assert_eq!(flow.git(&["status", "--porcelain"]), "");
    assert!(
        cratesmith_tests::read_tree(&ws) == tree_before,
        "the checkout changed"
    );
    assert_eq!(flow.git(&["rev-parse", "release~1"]), main_before);
    let release_commit = flow.git(&["rev-parse", "release"]);
    assert_eq!(
        flow.git(&["log", "-1", "--format=%s", "release"]),
        "chore(release): cli v0.1.1, core v2.0.0, fresh v0.1.1, pair-a v0.3.1, pair-b v0.3.1"
    );
    let changed = flow.git(&["diff", "--name-only", "main", "release"]);
    assert_eq!(
        changed.lines().collect::<Vec<_>>(),
        [
            "CHANGELOG.md",
            "Cargo.lock",
            "Cargo.toml",
            "cli/CHANGELOG.md",
            "cli/Cargo.toml",
            "core/CHANGELOG.md",
            "core/Cargo.toml",
            "fresh/CHANGELOG.md",
            "fresh/Cargo.toml",
            "pair-b/Cargo.toml"
        ]
    );

    let short = |rev: &str| flow.git(&["rev-parse", "--short=7", rev]);
    let (initial, breaking) = (short("main~3"), short("main~2"));
    let (fix, cli_fix) = (short("main~1"), short("main"));
    let body = std::fs::read_to_string(&body_file).unwrap();
    let want = format!(
        "## Release\n\n\
         | Package | From | To | Level | Tag | Why |\n\
         | --- | --- | --- | --- | --- | --- |\n\
         | `cli` | 0.1.0 | 0.1.1 | patch | `cli-v0.1.1` | 1 commit since `cli-v0.1.0` |\n\
         | `core` | 1.0.0 | 2.0.0 | major | `core-v2.0.0` | 1 commit since `core-v1.0.0`; 1 breaking |\n\
         | `fresh` | 0.1.0 | 0.1.1 | patch | `fresh-v0.1.1` | 1 commit (first release) |\n\
         | `pair-a` | 0.3.0 | 0.3.1 | patch | `v0.3.1` | 1 commit since `v0.3.0` |\n\
         | `pair-b` | 0.3.0 | 0.3.1 | patch | `v0.3.1` | shares the workspace version |\n\
         \n<details><summary><code>cli</code> 0.1.1</summary>\n\n\
         ### Fixed\n\n- **cli:** a tidier output ({cli_fix})\n\n\
         </details>\n\
         \n<details><summary><code>core</code> 2.0.0</summary>\n\n\
         This release has 1 breaking change.\n\n### Added\n\n- **Breaking:** **core:** rename f to g ({breaking})\n\n\
         </details>\n\
         \n<details><summary><code>fresh</code> 0.1.1</summary>\n\n\
         ### Added\n\n- initial workspace ({initial})\n\n\
         </details>\n\
         \n<details><summary><code>pair-a</code>, <code>pair-b</code> 0.3.1</summary>\n\n\
         ### Fixed\n\n- **pair-a:** handle empty input ({fix})\n\n\
         </details>\n\
         \nThe changelogs can be edited in this branch before merging: the release notes are taken from them as merged.\n\
         Merging releases it (`cargo ship release`: tags, publishes, writes the notes).\n"
    );
    assert_text_eq(&want, &body);

    // Again on the same main: the same release, the branch stays.
    let again = flow.ship(&["pr", "--body", body_file.to_str().unwrap()]);
    ok(&again);
    assert!(
        text(&again.stderr).contains("Unchanged branch `release`"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(flow.git(&["rev-parse", "release"]), release_commit);
    assert_text_eq(&want, &std::fs::read_to_string(&body_file).unwrap());

    flow.edit_and_merge(CORE_NOTES);
    let out = flow.ship(&[
        "release",
        "--registry",
        "local",
        "--push",
        "origin",
        "--format",
        "json",
    ]);
    ok(&out);
    let released = json(&out);
    let tags: Vec<(&str, &str, bool)> = released
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["tag"].as_str().unwrap(),
                r["publish"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("cli", "cli-v0.1.1", false),
            ("core", "core-v2.0.0", true),
            ("fresh", "fresh-v0.1.1", true),
            ("pair-a", "v0.3.1", true),
            ("pair-b", "v0.3.1", true)
        ]
    );
    // Each tag on the commit that set its version, in origin too.
    for tag in ["cli-v0.1.1", "core-v2.0.0", "fresh-v0.1.1", "v0.3.1"] {
        assert_eq!(
            flow.git(&["rev-parse", &format!("{tag}^{{commit}}")]),
            release_commit,
            "{tag}"
        );
        let remote = git(&flow.origin(), &["rev-parse", &format!("{tag}^{{commit}}")]);
        assert_eq!(remote, release_commit, "{tag} in origin");
    }
    assert_eq!(
        flow.published(),
        [
            ("core", vec!["2.0.0".to_string()]),
            ("pair-a", vec!["0.3.1".to_string()]),
            ("pair-b", vec!["0.3.1".to_string()]),
            ("cli", vec![]),
            ("fresh", vec!["0.1.1".to_string()]),
        ]
    );
    // The notes: the hand-edited section, and the others as the PR wrote them.
    let notes = |tag: &str| {
        std::fs::read_to_string(ws.join(format!("target/release-notes/{tag}.md"))).unwrap()
    };
    assert_text_eq(CORE_NOTES, &notes("core-v2.0.0"));
    let blocks = details(&want);
    assert_text_eq(&blocks[0].1, &format!("{}\n", notes("cli-v0.1.1")));
    assert_text_eq(&blocks[2].1, &format!("{}\n", notes("fresh-v0.1.1")));
    assert_text_eq(&blocks[3].1, &format!("{}\n", notes("v0.3.1")));
    let message = flow.git(&["tag", "-l", "--format=%(contents)", "core-v2.0.0"]);
    assert_text_eq(
        &format!("Release core-v2.0.0\n\n{CORE_NOTES}"),
        &format!("{message}\n"),
    );

    // Both again: nothing happens.
    let tags_before = flow.git(&["tag", "-l"]);
    let out = flow.ship(&[
        "release",
        "--registry",
        "local",
        "--push",
        "origin",
        "--format",
        "json",
    ]);
    ok(&out);
    assert_eq!(json(&out), serde_json::json!([]));
    assert!(
        text(&out.stderr).contains("nothing to release"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(flow.git(&["tag", "-l"]), tags_before);
    let out = flow.ship(&["pr", "--format", "json"]);
    ok(&out);
    assert_eq!(json(&out), serde_json::json!([]));
    assert!(
        text(&out.stderr).contains("no branch was created"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        flow.git(&["rev-parse", "release"]),
        flow.git(&["rev-parse", "HEAD"])
    );
}

#[test]
fn a_publish_that_fails_halfway_is_finished_by_a_rerun() {
    let Some(flow) = Flow::new(true, &[]) else {
        return;
    };
    ok(&flow.ship(&["pr", "--body", "/dev/null"]));
    flow.edit_and_merge(CORE_NOTES);
    let proxy = flow.proxy.as_ref().unwrap();
    proxy.allow_uploads(Some(2));
    let out = flow.ship(&["release", "--registry", "local", "--retries", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("re-run `cargo ship release`"), "{err}");
    assert_eq!(
        flow.git(&["tag", "-l", "core-v2.0.0", "fresh-v0.1.1", "v0.3.1"])
            .lines()
            .count(),
        3
    );
    let published: usize = flow.published().iter().map(|(_, v)| v.len()).sum();
    assert_eq!(published, 2, "{:?}", flow.published());

    proxy.allow_uploads(None);
    let out = flow.ship(&["release", "--registry", "local", "--format", "json"]);
    ok(&out);
    let finished = json(&out);
    let finished: Vec<(&str, bool)> = finished
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["new_tag"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        finished.len(),
        2,
        "only the unpublished two are left: {finished:?}"
    );
    assert!(finished.iter().all(|(_, new)| !new), "no tag is made twice");
    let published: usize = flow.published().iter().map(|(_, v)| v.len()).sum();
    assert_eq!(published, 4);
    let out = flow.ship(&["release", "--registry", "local"]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("nothing to release"),
        "{}",
        text(&out.stderr)
    );
}

impl Flow {
    /// Merge the release branch as it is: a fast-forward of main.
    fn merge(&self) {
        self.git(&["merge", "-q", "--ff-only", "release"]);
        self.git(&["push", "-q", "origin", "main"]);
    }

    /// `cargo ship pr`, merged, then `cargo ship release --push origin`:
    /// the plan's (name, to, tag) rows, the release's JSON and stderr.
    fn pr_merge_release(&self) -> (Vec<[String; 5]>, serde_json::Value, String) {
        let out = self.ship(&["pr", "--format", "json"]);
        ok(&out);
        let plan = plan_rows(&json(&out));
        let pr_err = text(&out.stderr);
        self.merge();
        let args = [
            "release",
            "--registry",
            "local",
            "--push",
            "origin",
            "--format",
            "json",
        ];
        let out = self.ship(&args);
        ok(&out);
        (plan, json(&out), format!("{pr_err}{}", text(&out.stderr)))
    }
}

/// (name, tag, publish, notes file name) of each release in the JSON.
fn releases(v: &serde_json::Value) -> Vec<(String, Option<String>, bool, Option<String>)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let file = r["notes"].as_str().map(|p| {
                Path::new(p)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            });
            (
                r["name"].as_str().unwrap().to_string(),
                r["tag"].as_str().map(String::from),
                r["publish"].as_bool().unwrap(),
                file,
            )
        })
        .collect()
}

fn owned(
    name: &str,
    tag: Option<&str>,
    publish: bool,
    notes: Option<&str>,
) -> (String, Option<String>, bool, Option<String>) {
    (
        name.into(),
        tag.map(String::from),
        publish,
        notes.map(String::from),
    )
}

/// A release-plz.toml in the shape of release-plz's documented example
/// (workspace defaults, packages overriding them).
const RELEASE_PLZ: &str = r#"[workspace]
changelog_update = false # only core keeps a changelog
git_release_enable = false
pr_labels = ["release"]
semver_check = false

[[package]]
name = "core"
changelog_include = ["fresh"] # fresh's commits are listed in core's changelog
changelog_path = "docs/core-changelog.md"
changelog_update = true
git_release_enable = true
git_tag_name = "{{ package }}@{{ version }}"

[[package]]
name = "fresh"
publish = false

[[package]]
name = "cli"
release = false
"#;

#[test]
fn release_plz_configuration_is_followed() {
    let Some(flow) = Flow::new(false, &[("release-plz.toml", RELEASE_PLZ)]) else {
        return;
    };
    cratesmith_write(&flow.ws().join("fresh/src/lib.rs"), b"pub fn h() {}\n");
    commit_all(&flow.ws(), "feat(fresh): add h");
    let (plan, released, stderr) = flow.pr_merge_release();
    let tags: Vec<(&str, &str)> = plan
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            ("core", "core@2.0.0"),
            ("fresh", "fresh-v0.1.1"),
            ("pair-a", "v0.3.1"),
            ("pair-b", "v0.3.1")
        ]
    );
    assert!(
        stderr.contains(
            "warning: release-plz.toml [workspace]: `pr_labels` is not read by cratesmith"
        ),
        "{stderr}"
    );
    // Only core's changelog is written, at its changelog_path, with fresh's commits.
    let changed = flow.git(&["diff", "--name-only", "HEAD~1", "HEAD"]);
    assert_eq!(
        changed.lines().collect::<Vec<_>>(),
        [
            "Cargo.lock",
            "Cargo.toml",
            "core/Cargo.toml",
            "docs/core-changelog.md",
            "fresh/Cargo.toml",
            "pair-b/Cargo.toml"
        ]
    );
    let log = std::fs::read_to_string(flow.ws().join("docs/core-changelog.md")).unwrap();
    assert!(
        log.contains("rename f to g") && log.contains("**fresh:** add h"),
        "{log}"
    );
    assert_eq!(
        releases(&released),
        [
            owned("core", Some("core@2.0.0"), true, Some("core@2.0.0.md")),
            owned("fresh", Some("fresh-v0.1.1"), false, None),
            owned("pair-a", Some("v0.3.1"), true, None),
            owned("pair-b", Some("v0.3.1"), true, None),
        ]
    );
    let notes =
        std::fs::read_to_string(flow.ws().join("target/release-notes/core@2.0.0.md")).unwrap();
    assert!(notes.contains("rename f to g"), "{notes}");
    assert_eq!(
        flow.server.versions("fresh"),
        Vec::<String>::new(),
        "publish = false"
    );
    assert_eq!(flow.server.versions("core"), ["2.0.0"]);
    let again = flow.ship(&["release", "--registry", "local", "--format", "json"]);
    ok(&again);
    assert_eq!(json(&again), serde_json::json!([]));
}

/// cargo-release's configuration in the shapes its reference documents:
/// a workspace release.toml, a member's release.toml and
/// `[package.metadata.release]`.
const RELEASE_TOML: &str = r#"# cargo-release: workspace defaults
consolidate-commits = true
tag-prefix = "{{crate_name}}/"
tag-name = "{{prefix}}{{version}}"
sign-tag = false
"#;

const CORE_RELEASE_TOML: &str = r#"pre-release-replacements = [
  { file = "README.md", search = "core = \"[0-9.]+\"", replace = "core = \"{{version}}\"", exactly = 1 },
  { file = "README.md", search = "Unreleased", replace = "{{crate_name}} {{version}}", min = 0 },
]
"#;

#[test]
fn cargo_release_configuration_is_followed() {
    let extra = [
        ("release.toml", RELEASE_TOML),
        ("core/release.toml", CORE_RELEASE_TOML),
        (
            "core/README.md",
            "Add `core = \"1.0.0\"` to your manifest. Unreleased changes: none.\n",
        ),
        ("fresh/release.toml", "publish = false\n"),
        ("cli/release.toml", "release = false\n"),
    ];
    let Some(flow) = Flow::new(false, &extra) else {
        return;
    };
    let (plan, released, stderr) = flow.pr_merge_release();
    let tags: Vec<(&str, &str)> = plan
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            ("core", "core/2.0.0"),
            ("fresh", "fresh/0.1.1"),
            ("pair-a", "pair-a/0.3.1"),
            ("pair-b", "pair-b/0.3.1")
        ]
    );
    assert!(
        stderr.contains("warning: release.toml: `sign-tag` is not read by cratesmith"),
        "{stderr}"
    );
    assert_text_eq(
        "Add `core = \"2.0.0\"` to your manifest. core 2.0.0 changes: none.\n",
        &std::fs::read_to_string(flow.ws().join("core/README.md")).unwrap(),
    );
    assert_eq!(
        releases(&released),
        [
            owned("core", Some("core/2.0.0"), true, Some("2.0.0.md")),
            owned("fresh", Some("fresh/0.1.1"), false, Some("0.1.1.md")),
            owned("pair-a", Some("pair-a/0.3.1"), true, Some("0.3.1.md")),
            owned("pair-b", Some("pair-b/0.3.1"), true, Some("0.3.1.md")),
        ]
    );
    for tag in ["core/2.0.0", "fresh/0.1.1", "pair-a/0.3.1", "pair-b/0.3.1"] {
        let remote = git(&flow.origin(), &["rev-parse", &format!("{tag}^{{commit}}")]);
        assert_eq!(remote, flow.git(&["rev-parse", "HEAD"]), "{tag}");
    }
    assert_eq!(flow.server.versions("fresh"), Vec::<String>::new());
    assert_eq!(flow.server.versions("pair-b"), ["0.3.1"]);
}

#[test]
fn one_combined_changelog_for_the_workspace() {
    let Some(flow) = Flow::new(false, &[("changelog.toml", "combined = true\n")]) else {
        return;
    };
    let body_file = flow.dir.path().join("body.md");
    ok(&flow.ship(&["pr", "--body", body_file.to_str().unwrap()]));
    let changed = flow.git(&["diff", "--name-only", "main", "release"]);
    assert_eq!(
        changed.lines().collect::<Vec<_>>(),
        [
            "CHANGELOG.md",
            "Cargo.lock",
            "Cargo.toml",
            "core/Cargo.toml",
            "fresh/Cargo.toml",
            "pair-b/Cargo.toml"
        ],
        "one changelog, no file per package"
    );
    let log = flow.git(&["show", "release:CHANGELOG.md"]);
    let headings: Vec<&str> = log.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings,
        [
            "# Changelog",
            "## [core 2.0.0, fresh 0.1.1, pair-a 0.3.1, pair-b 0.3.1] - 2026-11-22",
            "### `core` 2.0.0",
            "#### Added",
            "### `fresh` 0.1.1",
            "#### Added",
            "### `pair-a`, `pair-b` 0.3.1",
            "#### Fixed",
        ]
    );
    flow.merge();
    // --dry-run: what would be released, nothing made.
    let out = flow.ship(&[
        "release",
        "--registry",
        "local",
        "--dry-run",
        "--format",
        "json",
    ]);
    ok(&out);
    assert_eq!(json(&out).as_array().unwrap().len(), 4);
    assert_eq!(flow.git(&["tag", "-l", "v0.3.1"]), "");
    assert_eq!(flow.server.versions("core"), Vec::<String>::new());
    let notes_dir = flow.dir.path().join("notes");
    let dir_arg = notes_dir.to_str().unwrap();
    let out = flow.ship(&["release", "--registry", "local", "--notes-dir", dir_arg]);
    ok(&out);
    // Each tag's notes are its subsection, headings as the PR body has them.
    let body = std::fs::read_to_string(&body_file).unwrap();
    let blocks = details(&body);
    let changelog = cratesmith_tests::built_binaries(&["git-changelog"]).remove(0);
    for (tag, block) in [("core-v2.0.0", 0), ("fresh-v0.1.1", 1), ("v0.3.1", 2)] {
        let notes = std::fs::read_to_string(notes_dir.join(format!("{tag}.md"))).unwrap();
        assert_text_eq(&blocks[block].1, &format!("{notes}\n"));
        let section = cratesmith_tests::run_in(
            &changelog,
            &flow.ws(),
            &[
                "--section",
                tag.rsplit('v').next().unwrap(),
                "-p",
                ["core", "fresh", "pair-a"][block],
            ],
        );
        assert_eq!(
            text(&section.stdout),
            notes,
            "git changelog --section for {tag}"
        );
    }
}

#[test]
fn uncommitted_changes_are_left_out_of_the_release_and_left_alone() {
    let Some(flow) = Flow::new(false, &[]) else {
        return;
    };
    ok(&flow.ship(&["pr", "--body", "/dev/null"]));
    let clean_tree = flow.git(&["rev-parse", "release^{tree}"]);
    flow.git(&["branch", "-D", "release"]);
    // A change in progress: the release is still made from HEAD, in a work
    // tree of its own, and the change stays where it is, uncommitted.
    let wip = flow.ws().join("core/src/lib.rs");
    cratesmith_write(&wip, b"pub fn g() { todo!() }\n");
    let out = flow.ship(&["pr", "--body", "/dev/null", "-v"]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("in a work tree of HEAD"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(flow.git(&["rev-parse", "release^{tree}"]), clean_tree);
    assert_eq!(flow.git(&["status", "--porcelain"]), " M core/src/lib.rs");
    assert_eq!(std::fs::read(&wip).unwrap(), b"pub fn g() { todo!() }\n");
    assert_eq!(
        flow.git(&["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1
    );
}

#[test]
fn bad_requests_say_what_and_change_nothing() {
    let Some(flow) = Flow::new(false, &[]) else {
        return;
    };
    let head = flow.git(&["rev-parse", "HEAD"]);
    let out = flow.ship(&["pr", "--branch", "bad..name"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`bad..name` is not a valid branch name"),
        "{}",
        text(&out.stderr)
    );
    flow.git(&["checkout", "-q", "-b", "release"]);
    let out = flow.ship(&["pr"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("the release branch `release` is checked out here"),
        "{err}"
    );
    assert!(
        err.contains("help: run `cargo ship pr` on the branch releases are made from"),
        "{err}"
    );
    assert_eq!(flow.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(flow.git(&["status", "--porcelain"]), "");
    // Not a git repository: said, nothing written.
    let plain = tempfile::tempdir().unwrap();
    cratesmith_write(
        &plain.path().join("Cargo.toml"),
        package("solo", "version = \"0.1.0\"", "").as_bytes(),
    );
    cratesmith_write(&plain.path().join("src/lib.rs"), b"");
    for args in [&["pr"][..], &["release", "--registry", "local"][..]] {
        let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
            .arg("ship")
            .args(args)
            .current_dir(plain.path())
            .env("CARGO_HOME", flow.home.path())
            .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("is not inside a git repository"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        std::fs::read_dir(plain.path()).unwrap().count(),
        2,
        "nothing written"
    );
}

/// `publish = ["elsewhere"]`: not this registry's, so a tag-only release
/// here, as `cargo ship crates` skips it; once tagged, nothing is left.
#[test]
fn a_member_for_another_registry_is_released_by_its_tag_alone() {
    let manifest = package(
        "fresh",
        "version = \"0.1.0\"\npublish = [\"elsewhere\"]",
        "",
    );
    let Some(flow) = Flow::new(false, &[("fresh/Cargo.toml", &manifest)]) else {
        return;
    };
    ok(&flow.ship(&["pr", "--body", "/dev/null"]));
    flow.merge();
    let out = flow.ship(&["release", "--registry", "local", "--format", "json"]);
    ok(&out);
    let fresh: Vec<(Option<String>, bool)> = releases(&json(&out))
        .into_iter()
        .filter(|r| r.0 == "fresh")
        .map(|r| (r.1, r.2))
        .collect();
    assert_eq!(fresh, [(Some("fresh-v0.1.1".to_string()), false)]);
    assert_eq!(flow.server.versions("fresh"), Vec::<String>::new());
    let again = flow.ship(&["release", "--registry", "local", "--format", "json"]);
    ok(&again);
    assert_eq!(
        json(&again),
        serde_json::json!([]),
        "{}",
        text(&again.stderr)
    );
}

/// release-plz's workspace-wide `changelog_path` (as ratatui's
/// release-plz.toml has it): every release goes into that one file, as one
/// combined section, and each tag's notes come back out of it.
#[test]
fn packages_sharing_one_changelog_path_write_one_section() {
    let plz = "[workspace]\nchangelog_path = \"./CHANGELOG.md\"\n";
    let Some(flow) = Flow::new(false, &[("release-plz.toml", plz)]) else {
        return;
    };
    let body_file = flow.dir.path().join("body.md");
    ok(&flow.ship(&["pr", "--body", body_file.to_str().unwrap()]));
    let changed = flow.git(&["diff", "--name-only", "main", "release"]);
    assert!(!changed.contains("core/CHANGELOG.md"), "{changed}");
    let log = flow.git(&["show", "release:CHANGELOG.md"]);
    let releases: Vec<&str> = log.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        releases,
        ["## [core 2.0.0, fresh 0.1.1, pair-a 0.3.1, pair-b 0.3.1] - 2026-11-22"]
    );
    flow.merge();
    ok(&flow.ship(&["release", "--registry", "local"]));
    let blocks = details(&std::fs::read_to_string(&body_file).unwrap());
    for (tag, block) in [("core-v2.0.0", 0), ("fresh-v0.1.1", 1), ("v0.3.1", 2)] {
        let path = flow.ws().join(format!("target/release-notes/{tag}.md"));
        let notes = std::fs::read_to_string(path).unwrap();
        assert_text_eq(&blocks[block].1, &format!("{notes}\n"));
    }
}
