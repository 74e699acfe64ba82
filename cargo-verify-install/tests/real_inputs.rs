//! `cargo verify-install` on the shapes published crates have (rhai's
//! `required-features` binaries and a binary that takes no flags, versions
//! printed in other words), archives with scripts in them, programs that
//! leave children behind, Ctrl-C from a terminal, and what the binaries see
//! of the machine.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;
use cratesmith_tests::{command, cratesmith_write};

/// rhai's `rhai-run` needs `required-features`: cargo leaves it out of a
/// plain install, and it treats every argument as a script path.
#[test]
fn required_features_binaries_are_installed_with_their_features() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let extra = "\n[features]\nextra = []\n\n[[bin]]\nname = \"demo\"\npath = \"src/main.rs\"\n\n[[bin]]\nname = \"demo-run\"\npath = \"src/run.rs\"\nrequired-features = [\"extra\"]\n\n[package.metadata.verify-install.bin.demo-run]\nprobes = false\n";
    let run = "fn main() { let script = std::env::args().nth(1); if let Some(s) = script { eprintln!(\"no such script: {s}\"); std::process::exit(1) } }\n";
    krate(&dir, extra, &[("src/main.rs", MAIN), ("src/run.rs", run)]);
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "cargo install --features extra"), "{e}");
    assert!(
        line(&e, "bin demo-run").contains("probes off in the settings"),
        "{e}"
    );
    assert!(passed(&e, "demo --version"), "{e}");
}

/// Other probe arguments, and a version check on a whole token.
#[test]
fn probes_follow_the_settings_and_versions_are_whole_tokens() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let main = r#"fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("-V") => println!("demo 1.2.3"),
        Some("--version") => println!("demo 11.2.3.4 (not 1.2.3-alpha)"),
        Some("-h") => println!("usage"),
        _ => std::process::exit(2),
    }
}
"#;
    let settings =
        "\n[package.metadata.verify-install.bin.demo]\nversion = [\"-V\"]\nhelp = [\"-h\"]\n";
    krate(&dir, settings, &[("src/main.rs", main)]);
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "demo -V") && passed(&e, "demo -h"), "{e}");
    // The default probe on that binary: 1.2.3 is not a whole token there.
    cratesmith_write(&dir.join("Cargo.toml"), MANIFEST.as_bytes());
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        failed(&e, "demo --version")
            && line(&e, "demo --version").contains("expected version 1.2.3"),
        "{e}"
    );
}

#[test]
fn feature_sets_may_be_lists_and_a_bin_only_crate_says_they_did_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let lib = temp.path().join("lib");
    let features = "\n[features]\ndefault = [\"std\"]\nstd = []\nserde = []\n";
    let code = "#![cfg_attr(not(feature = \"std\"), no_std)]\n#[cfg(all(feature = \"serde\", not(feature = \"std\")))]\ncompile_error!(\"serde needs std\");\npub fn f() {}\n";
    krate(&lib, features, &[("src/lib.rs", code)]);
    let out = verify(&lib, &["--feature-sets", "default;no-default;serde,std"]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    for set in ["default", "no-default", "serde,std"] {
        assert!(
            passed(&e, &format!("library ({set} features)")),
            "{set}: {e}"
        );
    }
    let out = verify(&lib, &["--feature-sets", "serde"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "serde without std: {}",
        err(&out)
    );
    let bin = temp.path().join("bin");
    krate(&bin, "", &[("src/main.rs", MAIN)]);
    let out = verify(&bin, &["--feature-sets", "default;no-default"]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(
        line(&e, "feature sets").contains("no library: --feature-sets no-default did nothing"),
        "{e}"
    );
}

/// An archive with an `install.sh` that writes outside: never run.
#[test]
fn archives_run_only_compiled_programs() {
    let temp = tempfile::tempdir().unwrap();
    let outside = temp.path().join("written-by-the-script");
    let script = format!("#!/bin/sh\necho pwned > {}\n", outside.display());
    let archive = temp.path().join("demo.tar.gz");
    let binary = demo_binary();
    tar_gz(
        &archive,
        &[
            ("demo/demo", 0o755, &binary),
            ("demo/install.sh", 0o755, script.as_bytes()),
        ],
    );
    let out = verify(
        temp.path(),
        &["--from", "archive", archive.to_str().unwrap()],
    );
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(line(&e, "unpack").contains("running demo"), "{e}");
    assert!(!outside.exists(), "install.sh was run");
    let scripts = temp.path().join("scripts.tar.gz");
    tar_gz(&scripts, &[("demo/install.sh", 0o755, script.as_bytes())]);
    let out = verify(
        temp.path(),
        &["--from", "archive", scripts.to_str().unwrap()],
    );
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        failed(&e, "unpack")
            && line(&e, "unpack").contains("no compiled executable in it (scripts are not run)"),
        "{e}"
    );
    assert!(!outside.exists(), "install.sh was run");
}

/// The binaries run off the user's files: HOME, XDG, PWD, library path.
#[test]
fn binaries_run_in_an_isolated_environment() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let main = r#"fn main() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| "-".into());
    if std::env::args().nth(1).as_deref() == Some("env") {
        let cwd = std::env::current_dir().unwrap();
        println!("HOME={} XDG_CONFIG_HOME={} PWD={} CWD={} LD={}", var("HOME"), var("XDG_CONFIG_HOME"), var("PWD"), cwd.display(), var("LD_LIBRARY_PATH"));
        return;
    }
    println!("demo {}", env!("CARGO_PKG_VERSION"));
}
"#;
    let smoke = "\n[[package.metadata.verify-install.smoke]]\ncommand = \"demo env\"\nstdout-regex = \"^HOME=(/\\\\S+)/home XDG_CONFIG_HOME=/\\\\S+/home/.config PWD=(/\\\\S+)/cwd CWD=/\\\\S+/cwd LD=/opt/lib\\n$\"\n";
    krate(&dir, smoke, &[("src/main.rs", main)]);
    let home = temp.path().join("user-home");
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")))
        .args(["verify-install", "--debug", "--format", "json"])
        .current_dir(&dir)
        .env("HOME", &home)
        .env(
            "LD_LIBRARY_PATH",
            "/home/u/.rustup/toolchains/stable/lib:/opt/lib",
        )
        .output()
        .unwrap();
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "smoke `demo env`"), "{e}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let env = &json["environment"];
    assert!(env["HOME"].as_str().unwrap().ends_with("/home"), "{env}");
    assert_eq!(env["LD_LIBRARY_PATH"], "/opt/lib");
    assert!(!home.exists(), "the user's HOME was touched");
    assert_eq!(json["counts"]["failed"], 0);
    assert!(json["seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn messages_name_what_is_missing_and_steps_say_when_they_start() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    krate(&dir, "", &[("src/main.rs", MAIN)]);
    let manifest = MANIFEST.replace("categories = [\"command-line-utilities\"]\n", "");
    cratesmith_write(&dir.join("Cargo.toml"), manifest.as_bytes());
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(
        line(&e, "keywords")
            .ends_with("no `categories` (1 keyword): the crate is harder to find on crates.io"),
        "{e}"
    );
    assert!(
        line(&e, "large files").contains("5 files, none over"),
        "{e}"
    );
    assert!(
        e.lines()
            .any(|l| l == "     Running demo: cargo install (isolated)"),
        "without a terminal a long step says it starts: {e}"
    );
}

/// A terminal's Ctrl-C reaches the whole foreground process group.
#[test]
fn ctrl_c_to_the_process_group_ends_cargo_and_rustc() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    // A build script that takes a while, so that cargo is running.
    let build = "fn main() { std::thread::sleep(std::time::Duration::from_secs(20)); }\n";
    krate(
        &dir,
        "build = \"build.rs\"\n",
        &[("src/main.rs", MAIN), ("build.rs", build)],
    );
    let tmp = temp.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")));
    cmd.args(["verify-install", "--debug"])
        .current_dir(&dir)
        .env("TMPDIR", &tmp)
        .stderr(std::process::Stdio::piped());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().unwrap();
    let group = child.id();
    let start = std::time::Instant::now();
    // Wait until cargo builds under the crate's target dir (a process whose
    // command line names it: rustc, then the build script).
    let target = format!("{}/target", dir.display());
    let processes = |what: &str| {
        std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
            std::fs::read(p.path().join("cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.contains(&target) && c.contains(what)
            })
        })
    };
    let running = || processes("build-script-build");
    while !running() {
        assert!(start.elapsed().as_secs() < 120, "the build never started");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{group}")])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let e = err(&out);
    assert_eq!(out.status.code(), Some(130), "{e}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !processes(""),
        "cargo, rustc or the build script outlived the run"
    );
    let runs = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // cratesmith-verify-install is the build cache, kept on purpose.
            name.starts_with("cratesmith-verify-") && name != "cratesmith-verify-install"
        })
        .count();
    assert_eq!(runs, 0, "the run's temporary directory was removed: {e}");
    assert!(start.elapsed().as_secs() < 60);
}

/// Every run with --format json prints exactly one JSON document.
#[test]
fn json_runs_print_one_document() {
    use cratesmith_tests::json::one_document;
    let temp = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_cargo-verify-install"));
    let nothing = one_document(bin, temp.path(), &["verify-install", "--format", "json"], 1);
    assert!(nothing["error"]["message"].is_string(), "{nothing}");
    let usage = one_document(
        bin,
        temp.path(),
        &["verify-install", "--from", "nowhere", "--format", "json"],
        2,
    );
    assert_eq!(usage["error"]["usage"], true);
    let dir = temp.path().join("demo");
    krate(&dir, "", &[("src/lib.rs", "pub fn f() {}\n")]);
    let report = one_document(
        bin,
        &dir,
        &["verify-install", "--debug", "--format", "json"],
        0,
    );
    assert_eq!(report["passed"], true);
}
