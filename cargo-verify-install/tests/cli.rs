//! `cargo verify-install` through the binary, on fixture crates written by
//! the tests (no dependencies, so no registry is needed). Builds use
//! `--debug` to keep the tests quick.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use cratesmith_tests::{command, cratesmith_write, git_commit_all, git_init};

#[test]
fn a_good_bin_crate_passes_and_cargo_home_is_untouched() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let smoke = "\n[[package.metadata.verify-install.smoke]]\ncommand = \"demo greet world\"\nstdout = \"hello world\"\n";
    krate(&dir, smoke, &[("src/main.rs", MAIN)]);
    let cargo_home = temp.path().join("cargo-home");
    cratesmith_write(&cargo_home.join("bin/marker"), b"mine\n");
    let report = temp.path().join("report.md");
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")))
        .args(["verify-install", "--debug", "--format", "json", "--report"])
        .arg(&report)
        .current_dir(&dir)
        .env("CARGO_HOME", &cargo_home)
        .output()
        .unwrap();
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    for check in [
        "cargo package",
        "description",
        "license",
        "readme",
        "cargo install (isolated)",
        "demo --version",
        "demo --help",
        "smoke `demo greet world`",
    ] {
        assert!(passed(&e, check), "{check}: {e}");
    }
    assert!(line(&e, "demo --version").contains("demo 1.2.3"), "{e}");
    assert!(e.contains("Verified"), "{e}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["passed"], true);
    assert!(json["checks"].as_array().unwrap().len() >= 10);
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.starts_with("## cargo verify-install: passed\n"), "{md}");
    assert!(
        md.contains("| ✅ | demo | demo --version | demo 1.2.3 |"),
        "{md}"
    );
    let mut home: Vec<String> = walk(&cargo_home);
    home.retain(|p| {
        !p.starts_with("registry") && !p.starts_with(".package-cache") && p != ".global-cache"
    });
    assert_eq!(
        home,
        ["bin/marker"],
        "CARGO_HOME untouched but for cargo's caches"
    );
    assert!(
        !dir.join("target/verify-install").join("bin").exists(),
        "installed into a temporary root"
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_changed_source_under_the_same_version_is_rebuilt() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let smoke = |word: &str| {
        format!(
            "\n[[package.metadata.verify-install.smoke]]\ncommand = \"demo greet x\"\nstdout = \"{word} x\"\n"
        )
    };
    krate(&dir, &smoke("hello"), &[("src/main.rs", MAIN)]);
    let first = verify(&dir, &[]);
    assert!(first.status.success(), "{}", err(&first));
    let again = verify(&dir, &[]);
    assert!(again.status.success(), "a warm run: {}", err(&again));
    let fingerprints = dir.join("target/verify-install/debug/.fingerprint");
    let before = walk(&fingerprints);
    assert!(!before.is_empty());
    krate(
        &dir,
        &smoke("howdy"),
        &[("src/main.rs", &MAIN.replace("\"hello {}\"", "\"howdy {}\""))],
    );
    let changed = verify(&dir, &[]);
    let e = err(&changed);
    assert!(
        changed.status.success() && passed(&e, "smoke `demo greet x`"),
        "the new source must be built and installed, not the cached binary: {e}"
    );
    krate(&dir, &smoke("hello"), &[("src/main.rs", MAIN)]);
    let back = verify(&dir, &[]);
    assert!(
        back.status.success(),
        "back to the first content: {}",
        err(&back)
    );
}

#[test]
fn include_that_leaves_out_a_source_file_fails_the_isolated_build() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let main = format!(
        "mod helper;\n{}",
        MAIN.replace("fn main() {", "fn main() {\n    helper::help();")
    );
    krate(
        &dir,
        "include = [\"Cargo.toml\", \"src/main.rs\", \"README.md\"]\n",
        &[
            ("src/main.rs", &main),
            ("src/helper.rs", "pub fn help() {}\n"),
        ],
    );
    let build = std::process::Command::new(env!("CARGO"))
        .args(["build", "-q"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the tree itself builds: {}",
        err(&build)
    );
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(failed(&e, "cargo install (isolated)"), "{e}");
    assert!(e.contains("helper"), "cargo's error is shown: {e}");
}

#[test]
fn a_wrong_version_and_a_panic_fail() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let main = MAIN
        .replace("env!(\"CARGO_PKG_VERSION\")", "\"0.0.1\"")
        .replace(
            "println!(\"usage: demo greet NAME\")",
            "panic!(\"no help today\")",
        );
    krate(&dir, "", &[("src/main.rs", &main)]);
    let out = verify(&dir, &["--report", "r.md"]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(failed(&e, "demo --version"), "{e}");
    assert!(
        line(&e, "demo --version").contains("printed `demo 0.0.1`, expected version 1.2.3"),
        "{e}"
    );
    assert!(failed(&e, "demo --help"), "{e}");
    assert!(e.contains("no help today"), "the panic is shown: {e}");
    assert!(e.contains("verification failed"), "{e}");
    let md = std::fs::read_to_string(dir.join("r.md")).unwrap();
    assert!(md.starts_with("## cargo verify-install: failed"), "{md}");
}

#[test]
fn a_version_probe_that_panics_names_the_probes_setting() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let main = MAIN.replace(
        "println!(\"demo {}\", env!(\"CARGO_PKG_VERSION\"))",
        "panic!(\"a build helper takes no flags\")",
    );
    krate(&dir, "", &[("src/main.rs", &main)]);
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(failed(&e, "demo --version"), "{e}");
    assert!(
        e.contains("it panicked; help: a binary that takes no flags (a build helper, a test runner) can say so with `probes = false` under [package.metadata.verify-install.bin.demo]"),
        "{e}"
    );
}

#[test]
fn library_feature_sets_are_each_built() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    krate(
        &dir,
        "\n[features]\ndefault = [\"std\"]\nstd = []\nbroken = []\n",
        &[(
            "src/lib.rs",
            "#[cfg(feature = \"broken\")]\ncompile_error!(\"the broken feature does not build\");\npub fn f() {}\n",
        )],
    );
    let ok = verify(&dir, &["--feature-sets", "default,no-default"]);
    let e = err(&ok);
    assert!(ok.status.success(), "{e}");
    assert!(
        passed(&e, "library (default features)") && passed(&e, "library (no-default features)"),
        "{e}"
    );
    let all = verify(&dir, &["--feature-sets", "all"]);
    let e = err(&all);
    assert_eq!(all.status.code(), Some(1), "{e}");
    assert!(failed(&e, "library (all features)"), "{e}");
    assert!(e.contains("the broken feature does not build"), "{e}");
}

#[test]
fn a_workspace_with_an_unpublished_path_dependency() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"core\", \"app\", \"internal\"]\nresolver = \"2\"\n",
    );
    let meta = "description = \"x\"\nlicense = \"MIT\"\nedition = \"2021\"\n";
    cratesmith_write(
        &root.join("core/Cargo.toml"),
        format!("[package]\nname = \"demo-core\"\nversion = \"0.1.0\"\n{meta}").as_bytes(),
    );
    cratesmith_write(
        &root.join("core/src/lib.rs"),
        b"pub fn greeting() -> &'static str { \"hi\" }\n",
    );
    cratesmith_write(
        &root.join("app/Cargo.toml"),
        format!("[package]\nname = \"demo-app\"\nversion = \"0.1.0\"\n{meta}\n[dependencies]\ndemo-core = {{ path = \"../core\", version = \"0.1.0\" }}\n").as_bytes(),
    );
    cratesmith_write(
        &root.join("app/src/main.rs"),
        b"fn main() { if std::env::args().nth(1).as_deref() == Some(\"--version\") { println!(\"demo-app {}\", env!(\"CARGO_PKG_VERSION\")); } else { println!(\"{}\", demo_core::greeting()); } }\n",
    );
    cratesmith_write(
        &root.join("internal/Cargo.toml"),
        b"[package]\nname = \"internal\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n",
    );
    cratesmith_write(&root.join("internal/src/lib.rs"), b"");
    let out = verify(&root, &["--workspace"]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "demo-app --version"), "{e}");
    assert!(e.contains("skipping `internal`: publish = false"), "{e}");
    assert!(!e.contains("internal  "), "{e}");
}

#[test]
fn toolchain_and_required_programs() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let extra = "rust-version = \"1.500\"\n\n[package.metadata.verify-install]\nrequires = [\"git >= 1.0\", \"cratesmith-surely-missing-tool\", \"git >= 999\"]\n";
    krate(&dir, extra, &[("src/lib.rs", "pub fn f() {}\n")]);
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(failed(&e, "rust-version"), "{e}");
    let rv = line(&e, "rust-version");
    assert!(
        rv.contains("rustc 1.") && rv.contains("older than the package's rust-version 1.500.0"),
        "{e}"
    );
    assert!(passed(&e, "requires git"), "{e}");
    assert!(
        line(&e, "cratesmith-surely-missing-tool").contains("missing from PATH"),
        "{e}"
    );
    assert!(
        e.lines()
            .any(|l| l.contains("requires git") && l.contains("outdated: >=999 is required")),
        "{e}"
    );
}

#[test]
fn smoke_commands_time_out() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let extra = "\n[[package.metadata.verify-install.smoke]]\ncommand = [\"demo\", \"sleep\"]\n";
    krate(&dir, extra, &[("src/main.rs", MAIN)]);
    let start = std::time::Instant::now();
    let out = verify(&dir, &["--timeout", "1"]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(line(&e, "smoke `demo sleep`").contains("timed out"), "{e}");
    assert!(
        start.elapsed().as_secs() < 29,
        "the sleeping smoke command was killed"
    );
}

#[test]
fn bad_input_is_reported() {
    let temp = tempfile::tempdir().unwrap();
    let out = verify(temp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("Cargo.toml"), "{}", err(&out));

    let dir = temp.path().join("demo");
    krate(
        &dir,
        "\n[dependencies]\nother = { path = \"../other\" }\n",
        &[("src/main.rs", MAIN)],
    );
    cratesmith_write(
        &temp.path().join("other/Cargo.toml"),
        b"[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    cratesmith_write(&temp.path().join("other/src/lib.rs"), b"");
    let out = verify(&dir, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(failed(&e, "cargo package"), "{e}");
    assert!(e.contains("version"), "cargo's reason is shown: {e}");

    let bad_settings = temp.path().join("bad");
    krate(
        &bad_settings,
        "\n[package.metadata.verify-install]\nsmoke = [{ comand = \"x\" }]\n",
        &[("src/main.rs", MAIN)],
    );
    let out = verify(&bad_settings, &[]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.contains("Cargo.toml:") && e.contains("unknown smoke key `comand`"),
        "{e}"
    );

    let usage = verify(&dir, &["--from", "ftp"]);
    assert_eq!(usage.status.code(), Some(2), "{}", err(&usage));
}

#[test]
fn from_git_installs_the_committed_revision() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    krate(
        &dir,
        "",
        &[("src/main.rs", MAIN), (".gitignore", "/target\n")],
    );
    let repo = git_init(&dir);
    git_commit_all(&repo, "feat: demo");
    // Nothing may land in ~/.cargo/git; a committed Cargo.lock means --locked.
    let cargo_home = temp.path().join("cargo-home");
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")))
        .args(["verify-install", "--debug", "--from", "git"])
        .current_dir(&dir)
        .env("CARGO_HOME", &cargo_home)
        .output()
        .unwrap();
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "cargo install (git "), "{e}");
    assert!(passed(&e, "demo --version"), "{e}");
    assert!(
        !cargo_home.join("git").exists(),
        "a clone in CARGO_HOME/git"
    );
    let lock = std::process::Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(lock.success());
    git_commit_all(&repo, "chore: lock");
    let out = verify(&dir, &["--from", "git"]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(passed(&e, "cargo install --locked (git "), "{e}");
}

#[test]
fn archives_are_checked_against_their_sums_and_unpacked_safely() {
    let temp = tempfile::tempdir().unwrap();
    let dist = temp.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let good = dist.join("demo-linux.tar.gz");
    let binary = demo_binary();
    tar_gz(
        &good,
        &[
            ("demo-linux/demo", 0o755, &binary),
            ("demo-linux/README.md", 0o644, b"hi\n"),
        ],
    );
    cratesmith_write(
        &dist.join("SHA256SUMS"),
        format!("{}  demo-linux.tar.gz\n", sha256(&good)).as_bytes(),
    );
    let arg = good.to_str().unwrap();
    let out = verify(temp.path(), &["--from", "archive", arg]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(
        passed(&e, "checksum") && line(&e, "checksum").contains("SHA256SUMS"),
        "{e}"
    );
    assert!(
        passed(&e, "demo --version") && passed(&e, "demo --help"),
        "{e}"
    );

    cratesmith_write(
        &dist.join("SHA256SUMS"),
        format!("{}  demo-linux.tar.gz\n", "0".repeat(64)).as_bytes(),
    );
    let out = verify(temp.path(), &["--from", "archive", arg]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        failed(&e, "checksum") && line(&e, "checksum").contains("mismatch"),
        "{e}"
    );

    let evil = dist.join("evil.tar.gz");
    tar_gz(&evil, &[("../../escaped", 0o755, SCRIPT)]);
    let out = verify(temp.path(), &["--from", "archive", evil.to_str().unwrap()]);
    let e = err(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        line(&e, "checksum").trim_start().starts_with('!'),
        "no SUMS entry: a warning: {e}"
    );
    assert!(
        failed(&e, "unpack") && line(&e, "unpack").contains("refused"),
        "{e}"
    );
    assert!(!temp.path().join("escaped").exists() && !Path::new("/tmp/escaped").exists());

    let zip_path = dist.join("demo-windows.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        z.start_file("demo", opts).unwrap();
        z.write_all(&binary).unwrap();
        z.finish().unwrap();
    }
    cratesmith_write(
        &dist.join("demo-windows.zip.sha256"),
        format!("{}  demo-windows.zip\n", sha256(&zip_path)).as_bytes(),
    );
    let out = verify(
        temp.path(),
        &["--from", "archive", zip_path.to_str().unwrap()],
    );
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    assert!(
        line(&e, "checksum").contains("demo-windows.zip.sha256"),
        "{e}"
    );
}

#[test]
fn keep_keeps_the_temporary_directories() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    krate(&dir, "", &[("src/lib.rs", "pub fn f() {}\n")]);
    let out = verify(&dir, &["--keep"]);
    let e = err(&out);
    assert!(out.status.success(), "{e}");
    let kept: PathBuf = e
        .lines()
        .find_map(|l| l.strip_prefix("note: temporary files kept in "))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{e}"));
    assert!(kept.is_dir(), "{e}");
    std::fs::remove_dir_all(kept).unwrap();
    let out = verify(&dir, &[]);
    assert!(!err(&out).contains("kept"));
}

#[test]
fn ctrl_c_stops_the_run_and_removes_its_temporary_files() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    let extra = "\n[[package.metadata.verify-install.smoke]]\ncommand = [\"demo\", \"sleep\"]\n";
    krate(&dir, extra, &[("src/main.rs", MAIN)]);
    let tmp = temp.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let child = command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")))
        .args(["verify-install", "--debug"])
        .current_dir(&dir)
        .env("TMPDIR", &tmp)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the sleeping smoke command runs (its run dir exists and
    // the install is done), then interrupt.
    let start = std::time::Instant::now();
    let run_dir = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("cratesmith-verify-")
                    && p.join("cwd").exists()
            })
    };
    while run_dir().is_none() {
        assert!(
            start.elapsed().as_secs() < 120,
            "the smoke command never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let e = err(&out);
    assert_eq!(out.status.code(), Some(130), "{e}");
    assert!(e.contains("interrupted"), "{e}");
    assert!(
        run_dir().is_none(),
        "the run's temporary directory was removed"
    );
    assert!(
        start.elapsed().as_secs() < 29,
        "the sleeping smoke command was killed"
    );
}

#[test]
fn man_page_and_completions() {
    cratesmith_tests::check_docs(
        Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")),
        &["verify-install"],
        "cargo-verify-install",
    );
}

#[test]
fn the_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")),
        &["verify-install"],
        "cargo-verify-install.md",
    );
}
