//! `cargo ship crates` and `cargo verify-install --from registry` against
//! a real registry server on 127.0.0.1 (see `cratesmith_tests::registry`),
//! with a fault-injecting proxy in front of it where a case needs faults.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use cratesmith_tests::proxy::{Fault, Proxy};
use cratesmith_tests::registry::{Server, free_port};
use cratesmith_tests::{command, cratesmith_write};

const TOKEN: &str = "cratesmith-test-token-5f3a9c";

/// A registry (behind a proxy), a 4-member workspace configured for it,
/// and a `CARGO_HOME` of its own.
struct Setup {
    server: Server,
    proxy: Proxy,
    ws: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Option<Setup> {
        let proxy_port = free_port();
        let server = Server::start(Some(format!("http://127.0.0.1:{proxy_port}")))?;
        let proxy = Proxy::start(proxy_port, server.port);
        let ws = tempfile::tempdir().unwrap();
        write_workspace(ws.path(), &proxy.index());
        Some(Setup {
            server,
            proxy,
            ws,
            home: tempfile::tempdir().unwrap(),
        })
    }

    fn run(&self, bin: &str, args: &[&str]) -> Output {
        let out = command(Path::new(bin))
            .args(args)
            .current_dir(self.ws.path())
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_LOCAL_TOKEN", TOKEN)
            .output()
            .unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(TOKEN), "the token was printed:\n{all}");
        out
    }

    /// `cargo verify-install ARGS --registry local --debug --format json`.
    fn verify(&self, args: &[&str]) -> Output {
        let bin = cratesmith_tests::built_binaries(&["cargo-verify-install"]).remove(0);
        let tail = ["--registry", "local", "--debug", "--format", "json"];
        let args = [&["verify-install"], args, &tail].concat();
        self.run(bin.to_str().unwrap(), &args)
    }

    fn ship(&self, args: &[&str]) -> Output {
        let args = [&["ship", "crates", "--registry", "local"], args].concat();
        self.run(env!("CARGO_BIN_EXE_cargo-ship"), &args)
    }

    fn published(&self) -> Vec<(String, Vec<String>)> {
        ["a", "b", "c", "d"]
            .iter()
            .map(|n| (n.to_string(), self.server.versions(n)))
            .collect()
    }

    /// Someone else's `name`@`version` (a library of its own) uploaded to
    /// the same registry, through the proxy.
    fn upload_foreign(&self, name: &str, version: &str) {
        let other = tempfile::tempdir().unwrap();
        let config = format!("[registries.local]\nindex = \"{}\"\n", self.proxy.index());
        cratesmith_write(&other.path().join(".cargo/config.toml"), config.as_bytes());
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"another author's {name}\"\n"
        );
        cratesmith_write(&other.path().join("Cargo.toml"), manifest.as_bytes());
        cratesmith_write(
            &other.path().join("src/lib.rs"),
            b"pub fn theirs() -> &'static str { \"not yours\" }\n",
        );
        let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
            .args(["ship", "crates", "--registry", "local"])
            .current_dir(other.path())
            .env("CARGO_HOME", self.home.path())
            .env("CARGO_REGISTRIES_LOCAL_TOKEN", TOKEN)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    fn uploads(&self) -> Vec<cratesmith_tests::proxy::Seen> {
        self.proxy
            .seen()
            .into_iter()
            .filter(|s| s.method == "PUT")
            .collect()
    }
}

/// a <- b <- c (a binary), d (publish = false) needs a; a dev-depends on b
/// (a cycle cargo allows). Path dependencies name the registry, as a
/// workspace published to another registry than crates.io must.
fn write_workspace(root: &Path, index: &str) {
    let files: &[(&str, String)] = &[
        (".cargo/config.toml", format!("[registries.local]\nindex = \"{index}\"\n")),
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\", \"c\", \"d\"]\nresolver = \"2\"\n\n\
             [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n\
             [workspace.dependencies]\n\
             a = { path = \"a\", version = \"0.1.0\", registry = \"local\" }\n\
             b = { path = \"b\", version = \"0.1.0\", registry = \"local\" }\n"
                .into(),
        ),
        ("a/Cargo.toml", manifest("a", "[dev-dependencies]\nb = { path = \"../b\" }\n")),
        ("a/src/lib.rs", "pub fn a() -> u32 { 1 }\n".into()),
        ("b/Cargo.toml", manifest("b", "[dependencies]\na.workspace = true\n")),
        ("b/src/lib.rs", "pub fn b() -> u32 { a::a() + 1 }\n".into()),
        (
            "c/Cargo.toml",
            manifest("c", "[dependencies]\nb.workspace = true\na.workspace = true\n"),
        ),
        (
            "c/src/main.rs",
            "fn main() {\n    if std::env::args().any(|a| a == \"--version\") {\n        println!(\"c {}\", env!(\"CARGO_PKG_VERSION\"));\n        return;\n    }\n    println!(\"usage: c [--version] ({})\", b::b() + a::a());\n}\n".into(),
        ),
        (
            "d/Cargo.toml",
            manifest("d", "publish = false\n[dependencies]\na.workspace = true\n")
                .replace("publish = false\n[dependencies]", "[dependencies]")
                .replace("description = \"d\"\n", "description = \"d\"\npublish = false\n"),
        ),
        ("d/src/lib.rs", "pub fn d() -> u32 { a::a() }\n".into()),
    ];
    for (path, content) in files {
        cratesmith_write(&root.join(path), content.as_bytes());
    }
}

fn manifest(name: &str, rest: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n\
         license.workspace = true\ndescription = \"{name}\"\n{rest}"
    )
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// (name, outcome) of each package in the JSON, in order.
fn outcomes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn one(v: &str) -> Vec<String> {
    vec![v.to_string()]
}

#[test]
fn a_workspace_is_published_in_order_and_a_second_run_publishes_nothing() {
    let Some(s) = Setup::new() else { return };
    let out = s.ship(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("a", "published"),
            ("b", "published"),
            ("c", "published"),
            ("d", "skipped")
        ])
    );
    assert_eq!(v["packages"][3]["reason"], "publish = false");
    assert_eq!(v["packages"][2]["needs"], serde_json::json!(["a", "b"]));
    let ups = s.uploads();
    assert_eq!(ups.len(), 3);
    assert!(
        ups.iter()
            .all(|u| u.authorization.as_deref() == Some(TOKEN))
    );
    assert_eq!(
        s.published(),
        [
            ("a".into(), one("0.1.0")),
            ("b".into(), one("0.1.0")),
            ("c".into(), one("0.1.0")),
            ("d".into(), vec![])
        ]
    );
    let b_entry = s.server.index_file("b").unwrap();
    assert!(
        b_entry.contains("\"name\":\"a\"") && !b_entry.contains("crates.io-index"),
        "{b_entry}"
    );

    let again = s.ship(&["--format", "json"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let v = json(&again);
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("a", "skipped"),
            ("b", "skipped"),
            ("c", "skipped"),
            ("d", "skipped")
        ])
    );
    assert_eq!(v["packages"][0]["reason"], "already published");
    assert_eq!(s.uploads().len(), 3, "the second run uploaded");
    assert!(text(&again.stderr).contains("0 published now, 3 already there, 1 skipped"));
}

#[test]
fn an_interrupted_run_is_finished_by_running_again() {
    let Some(s) = Setup::new() else { return };
    s.proxy.allow_uploads(Some(2));
    let out = s.ship(&["--retries", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("Published now: a v0.1.0, b v0.1.0. Not published: c v0.1.0 ("),
        "{err}"
    );
    assert!(err.contains("after 2 attempts"), "{err}");
    assert_eq!(s.server.versions("c"), Vec::<String>::new());
    assert_eq!(s.server.versions("b"), one("0.1.0"));

    s.proxy.allow_uploads(None);
    let out = s.ship(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        outcomes(&json(&out)),
        pairs(&[
            ("a", "skipped"),
            ("b", "skipped"),
            ("c", "published"),
            ("d", "skipped")
        ])
    );
    assert_eq!(s.server.versions("c"), one("0.1.0"));
}

#[test]
fn rate_limits_and_server_errors_are_retried_honouring_retry_after() {
    let Some(s) = Setup::new() else { return };
    s.proxy
        .fail_uploads(&[Fault::Status(429, Some(2)), Fault::Status(503, None)]);
    let out = s.ship(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["packages"][0]["attempts"], 3);
    assert_eq!(v["packages"][1]["attempts"], 1);
    let ups = s.uploads();
    assert_eq!(ups.len(), 5);
    let gap = |i: usize| ups[i + 1].at.duration_since(ups[i].at);
    assert!(
        gap(0) >= Duration::from_millis(1900),
        "Retry-After: 2 not honoured: {:?}",
        gap(0)
    );
    assert!(
        gap(1) >= Duration::from_millis(1900),
        "no backoff after the 503: {:?}",
        gap(1)
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("HTTP 429; retrying in 2s (attempt 2 of 6)"),
        "{err}"
    );
    assert!(
        err.contains("HTTP 503; retrying in 2s (attempt 3 of 6)"),
        "{err}"
    );
}

#[test]
fn an_upload_whose_answer_was_lost_counts_as_published() {
    let Some(s) = Setup::new() else { return };
    s.proxy.fail_uploads(&[Fault::ForwardThenDrop]);
    let out = s.ship(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["packages"][0]["found_in_index"], true);
    assert_eq!(v["packages"][0]["attempts"], 1);
    assert_eq!(s.uploads().len(), 3, "a was uploaded twice");
}

#[test]
fn a_verification_failure_in_the_third_crate_uploads_nothing() {
    let Some(s) = Setup::new() else { return };
    cratesmith_write(
        &s.ws.path().join("c/src/main.rs"),
        b"fn main() { let x: u32 = \"no\"; }\n",
    );
    let out = s.ship(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("verification of `c v0.1.0` failed; nothing was uploaded"),
        "{err}"
    );
    assert!(err.contains("mismatched types"), "{err}");
    assert!(s.uploads().is_empty());
    assert!(s.published().iter().all(|(_, v)| v.is_empty()));
}

#[test]
fn a_dry_run_prints_the_plan_and_uploads_nothing() {
    let Some(s) = Setup::new() else { return };
    let out = s.ship(&["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan = text(&out.stdout).replace(&s.proxy.index(), "[INDEX]");
    assert_eq!(
        plan,
        "Plan for registry `local` ([INDEX]):\n  1  a  0.1.0  publish\n  2  b  0.1.0  publish\n  3  c  0.1.0  publish\n  4  d  0.1.0  skip: publish = false\n"
    );
    assert!(s.uploads().is_empty());
    assert!(s.published().iter().all(|(_, v)| v.is_empty()));
}

#[test]
fn a_version_uploaded_with_other_contents_stops_the_run_before_any_upload() {
    let Some(s) = Setup::new() else { return };
    s.upload_foreign("a", "0.1.0");
    let before = s.uploads().len();

    let plan = s.ship(&["--dry-run"]);
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan.stderr));
    let table = text(&plan.stdout);
    assert!(
        table.contains("  1  a  0.1.0  stop: published with other contents\n"),
        "{table}"
    );
    let published = s.server.index_file("a").unwrap();
    let cksum = published.split("\"cksum\":\"").nth(1).unwrap()[..64].to_string();
    assert!(
        table.contains(&format!("published sha256 {cksum}")),
        "{table}"
    );
    assert!(table.contains("local     sha256 "), "{table}");

    let out = s.ship(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "nothing was uploaded: a v0.1.0 is in the registry with other contents (published sha256 {cksum}, local "
        )),
        "{err}"
    );
    assert!(err.contains("choose another package name"), "{err}");
    assert!(err.contains("bump it"), "{err}");
    assert_eq!(s.uploads().len(), before, "something was uploaded");
    assert_eq!(s.server.versions("b"), Vec::<String>::new());
}

#[test]
fn the_same_contents_from_a_later_commit_count_as_published() {
    let Some(s) = Setup::new() else { return };
    let repo = cratesmith_tests::git_init(s.ws.path());
    let out = s.ship(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A later commit: every .crate now records another commit, so its
    // checksum differs from the index's, but the files are the same.
    cratesmith_write(&s.ws.path().join("NOTES.md"), b"outside every package\n");
    cratesmith_tests::git_commit_all(&repo, "docs: notes");
    let downloads = |s: &Setup| {
        s.proxy
            .seen()
            .iter()
            .filter(|r| r.method == "GET" && r.path.contains("download"))
            .count()
    };
    let seen = downloads(&s);
    let out = s.ship(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("a", "skipped"),
            ("b", "skipped"),
            ("c", "skipped"),
            ("d", "skipped")
        ])
    );
    assert_eq!(v["packages"][0]["reason"], "already published");
    assert_eq!(
        downloads(&s) - seen,
        3,
        "the published .crate files were compared"
    );
    assert_eq!(s.uploads().len(), 3);
}

#[test]
fn a_version_below_the_registry_newest_is_a_warning_in_the_plan() {
    let Some(s) = Setup::new() else { return };
    s.upload_foreign("b", "9.0.0");
    let plan = s.ship(&["--dry-run"]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    let table = text(&plan.stdout);
    assert!(table.contains("  2  b  0.1.0  publish\n"), "{table}");
    assert!(
        table.contains("warning: the registry's newest is 9.0.0"),
        "{table}"
    );
    let out = s.ship(&["--dry-run", "--format", "json"]);
    let v = json(&out);
    assert_eq!(
        v["packages"][1]["warnings"][0],
        "the registry's newest is 9.0.0: someone else's crate, or a forgotten bump?"
    );
}

#[test]
fn a_name_the_owners_api_gives_to_others_stops_the_run() {
    let Some(s) = Setup::new() else { return };
    s.upload_foreign("b", "9.0.0");
    s.proxy.answer(
        "/api/v1/me",
        200,
        r#"{"user":{"id":7,"login":"me","name":null}}"#,
    );
    s.proxy.answer(
        "/api/v1/crates/b/owners",
        200,
        r#"{"users":[{"id":1,"login":"someone-else","kind":"user","name":null}]}"#,
    );
    s.proxy.answer(
        "/api/v1/crates/a/owners",
        200,
        r#"{"users":[{"id":7,"login":"me","kind":"user","name":null}]}"#,
    );
    let before = s.uploads().len();
    let out = s.ship(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing was uploaded: b belongs to someone-else in the registry, not to me"),
        "{err}"
    );
    assert_eq!(s.uploads().len(), before);
    assert_eq!(s.server.versions("a"), Vec::<String>::new());
    let me = s
        .proxy
        .seen()
        .into_iter()
        .find(|r| r.path == "/api/v1/me")
        .unwrap();
    assert_eq!(me.authorization.as_deref(), Some(TOKEN));
}

#[test]
fn path_dependencies_naming_no_registry_are_pointed_at_it_and_install_from_it() {
    let Some(s) = Setup::new() else { return };
    let manifest = s.ws.path().join("Cargo.toml");
    let before = std::fs::read_to_string(&manifest).unwrap();
    let edited = before.replace(", registry = \"local\" }", " }");
    assert!(!edited.contains("registry ="), "{edited}");
    cratesmith_write(&manifest, edited.as_bytes());
    let plan = s.ship(&["--dry-run"]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    let table = text(&plan.stdout);
    assert!(
        table.contains("note: a, b from `local`, not crates.io (packaged from a copy in which the path dependency names the registry)"),
        "{table}"
    );

    let out = s.ship(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        edited,
        "the user's manifest changed"
    );
    let c = s.server.index_file("c").unwrap();
    assert!(
        c.contains("\"name\":\"b\"") && !c.contains("crates.io-index"),
        "{c}"
    );

    // cargo builds from the published manifest: it must send cargo to the
    // registry for a and b, not to crates.io.
    let root = tempfile::tempdir().unwrap();
    let install = Command::new(env!("CARGO"))
        .args(["install", "c", "--registry", "local", "--root"])
        .arg(root.path())
        .current_dir(root.path())
        .env("CARGO_HOME", s.home.path())
        .env("CARGO_REGISTRIES_LOCAL_INDEX", s.proxy.index())
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", text(&install.stderr));
    let run = Command::new(root.path().join("bin/c"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(text(&run.stdout), "c 0.1.0\n");
}

#[test]
fn with_index_path_dependencies_naming_no_registry_are_an_error() {
    let Some(s) = Setup::new() else { return };
    let manifest = s.ws.path().join("Cargo.toml");
    let edited = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(", registry = \"local\" }", " }");
    cratesmith_write(&manifest, edited.as_bytes());
    // Straight to the server: an index no registry name in the config has.
    let index = s.server.index();
    let out = s.run(
        env!("CARGO_BIN_EXE_cargo-ship"),
        &["ship", "crates", "--index", &index, "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("b -> a, c -> a, c -> b"), "{err}");
    assert!(err.contains("publish with --registry NAME"), "{err}");
}

#[test]
fn without_a_token_nothing_is_uploaded_and_the_error_says_how() {
    let Some(s) = Setup::new() else { return };
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(["ship", "crates", "--registry", "local"])
        .current_dir(s.ws.path())
        .env("CARGO_HOME", s.home.path())
        .env_remove("CARGO_REGISTRIES_LOCAL_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("registry `local`: no token is configured to publish"),
        "{err}"
    );
    assert!(err.contains("CARGO_REGISTRIES_LOCAL_TOKEN"), "{err}");
    assert!(s.uploads().is_empty());
}

#[test]
fn a_token_from_a_credential_provider_command_is_used_and_not_printed() {
    let Some(s) = Setup::new() else { return };
    let script = s.ws.path().join("token.sh");
    cratesmith_write(
        &script,
        b"#!/bin/sh\necho \"provided-$CARGO_REGISTRY_NAME_OPT-token\"\n",
    );
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    assert!(chmod.success());
    let config = s.ws.path().join(".cargo/config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "credential-provider = [\"cargo:token-from-stdout\", \"{}\"]\n",
        script.display()
    ));
    cratesmith_write(&config, text.as_bytes());
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(["ship", "crates", "--registry", "local", "-p", "a"])
        .current_dir(s.ws.path())
        .env("CARGO_HOME", s.home.path())
        .env_remove("CARGO_REGISTRIES_LOCAL_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text_of(&out));
    assert!(!text_of(&out).contains("provided-local-token"));
    let ups = s.uploads();
    assert_eq!(ups.len(), 1);
    assert_eq!(
        ups[0].authorization.as_deref(),
        Some("provided-local-token")
    );
}

fn text_of(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_request() {
    let ws = tempfile::tempdir().unwrap();
    write_workspace(ws.path(), "sparse+http://127.0.0.1:9/");
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args([
            "ship",
            "crates",
            "--index",
            "sparse+http://registry.example.com/index/",
            "-n",
        ])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("refusing the plain-http index `sparse+http://registry.example.com/index/`: only loopback addresses may use http"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn verify_install_from_registry_installs_what_was_published() {
    let Some(s) = Setup::new() else { return };
    let out = s.ship(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let verify = |args: &[&str]| s.verify(&[&["--from", "registry"], args].concat());
    let out = verify(&["--workspace"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let checks = checks(&out);
    for want in [
        "a published pass",
        "a library (default features, from the registry) pass",
        "c cargo install (from the registry) pass",
        "c c --version pass",
    ] {
        assert!(
            checks.iter().any(|c| c == want),
            "{want} not in {checks:#?}"
        );
    }
    assert!(!checks.iter().any(|c| c.starts_with("d ")), "{checks:#?}");
    assert!(
        !s.home.path().join("bin/c").exists(),
        "the user's CARGO_HOME/bin was touched"
    );

    let out = verify(&["c@0.9.0"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let detail = v["checks"][0]["detail"].as_str().unwrap();
    assert_eq!(detail, "c@0.9.0 is not in `local` (published: 0.1.0)");
}

/// After `cargo verify-install` checked a package here, the published
/// `.crate` holding the same sources is not built again by `--from
/// registry` (one compile per release); `--rebuild` builds it.
#[test]
fn verify_install_from_registry_does_not_rebuild_what_was_verified() {
    let Some(s) = Setup::new() else { return };
    let out = s.ship(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let verify = |args: &[&str]| {
        let out = s.verify(&[&["-p", "c"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        checks(&out)
    };
    let local = verify(&[]);
    assert!(
        local.contains(&"c cargo install (isolated) pass".to_string()),
        "{local:#?}"
    );
    let published = verify(&["--from", "registry"]);
    assert!(
        published.contains(&"c same as verified pass".to_string()),
        "{published:#?}"
    );
    assert!(
        !published.iter().any(|c| c.starts_with("c cargo install")),
        "built again: {published:#?}"
    );
    let rebuilt = verify(&["--from", "registry", "--rebuild"]);
    assert!(
        rebuilt.contains(&"c cargo install (from the registry) pass".to_string()),
        "{rebuilt:#?}"
    );
}

/// A verify-install JSON report's checks: `package check status`.
fn checks(out: &Output) -> Vec<String> {
    json(out)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["package"].as_str().unwrap(),
                c["check"].as_str().unwrap(),
                c["status"].as_str().unwrap()
            )
        })
        .collect()
}
