//! `cargo ship archive` on a crate shaped like a real CLI: a user-facing
//! binary, a test-only one left out by `[package.metadata.ship] bins`, a
//! README, a license, completions (PowerShell too) and a man page. The
//! archive is built, then packed again to the same bytes; a Windows target
//! gets a zip; the installer and the formula take the archive and agree on
//! the binaries.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cratesmith_tests::{command, cratesmith_write, git_init};

const LINUX: &str = "x86_64-unknown-linux-gnu";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `halp` crate: `halp` for users, `halp-test` for the test suite.
fn fixture(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "Cargo.toml",
            "[package]\nname = \"halp\"\nversion = \"0.2.1\"\nedition = \"2021\"\nlicense = \"MIT\"\n\
             description = \"a CLI\"\nrepository = \"https://example.com/halp\"\n\n[package.metadata.ship]\nbins = [\"halp\"]\n",
        ),
        (
            "src/main.rs",
            "fn main() { println!(\"halp {}\", env!(\"CARGO_PKG_VERSION\")); }\n",
        ),
        ("src/bin/halp-test.rs", "fn main() {}\n"),
        ("README.md", "# halp\n"),
        ("LICENSE-MIT", "MIT License\n"),
        ("completions/halp.bash", "complete -F _halp halp\n"),
        ("completions/_halp", "#compdef halp\n"),
        ("completions/halp.fish", "complete -c halp\n"),
        ("completions/_halp.ps1", "Register-ArgumentCompleter\n"),
        ("man/halp.1", ".TH HALP 1\n"),
        (".gitignore", "/target\n"),
    ];
    for (path, content) in files {
        cratesmith_write(&dir.join(path), content.as_bytes());
    }
    git_init(dir);
}

fn ship(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .arg("ship")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn archive(dir: &Path, triple: &str, ext: &str) -> PathBuf {
    dir.join(format!("target/distrib/halp-0.2.1-{triple}.{ext}"))
}

fn tar_list(file: &Path) -> Vec<String> {
    let out = Command::new("tar").arg("tzf").arg(file).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(String::from).collect()
}

#[test]
fn the_release_archive_is_built_reproducibly_with_what_users_install() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let out = ship(d, &["archive", "--target", LINUX, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["binaries"], serde_json::json!(["halp"]));
    let file = archive(d, LINUX, "tar.gz");
    let top = format!("halp-0.2.1-{LINUX}/");
    let want: Vec<String> = [
        "",
        "LICENSE-MIT",
        "README.md",
        "completions/",
        "completions/_halp",
        "completions/_halp.ps1",
        "completions/halp.bash",
        "completions/halp.fish",
        "halp",
        "man/",
        "man/halp.1",
    ]
    .iter()
    .map(|p| format!("{top}{p}"))
    .collect();
    assert_eq!(tar_list(&file), want);
    let first = std::fs::read(&file).unwrap();
    assert_eq!(
        report["sha256"].as_str().unwrap(),
        cratesmith_shared::artifact_sum::digest::sha256_hex(&first)
    );
    // git ignores it (it is under target/), so cargo package leaves it out.
    let status = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        !text(&status.stdout).contains("target"),
        "{}",
        text(&status.stdout)
    );

    // Packed again, with every file touched: the same bytes.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    cratesmith_write(&d.join("README.md"), b"# halp\n");
    let again = ship(d, &["archive", "--target", LINUX, "--no-build"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(std::fs::read(&file).unwrap(), first);

    // The binary in it runs.
    let unpacked = d.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let st = Command::new("tar")
        .arg("xzf")
        .arg(&file)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(st.success());
    let run = Command::new(unpacked.join(&top).join("halp"))
        .output()
        .unwrap();
    assert_eq!(text(&run.stdout), "halp 0.2.1\n");
}

#[test]
fn a_windows_target_gets_a_zip_and_missing_binaries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let windows = "x86_64-pc-windows-gnu";
    let missing = ship(d, &["archive", "--target", windows, "--no-build"]);
    assert_eq!(missing.status.code(), Some(1));
    let err = text(&missing.stderr);
    assert!(
        err.contains(&format!("target/{windows}/release/halp.exe` is not built")),
        "{err}"
    );
    assert!(!archive(d, windows, "zip").exists());

    cratesmith_write(
        &d.join(format!("target/{windows}/release/halp.exe")),
        b"MZ not really",
    );
    let out = ship(d, &["archive", "--target", windows, "--no-build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let zip = archive(d, windows, "zip");
    let first = std::fs::read(&zip).unwrap();
    let listed = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time[0])",
        ])
        .arg(&zip)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listing = text(&listed.stdout);
    assert!(
        listing.contains(&format!("halp-0.2.1-{windows}/halp.exe 0o100755 2026")),
        "{listing}"
    );
    assert!(
        listing.contains(&format!("halp-0.2.1-{windows}/README.md 0o100644 2026")),
        "{listing}"
    );
    let again = ship(d, &["archive", "--target", windows, "--no-build"]);
    assert!(again.status.success());
    assert_eq!(std::fs::read(&zip).unwrap(), first);
}

#[test]
fn the_installer_and_the_formula_take_the_archive_and_agree_on_the_binaries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let out = ship(d, &["archive", "--target", LINUX]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let distrib = d.join("target/distrib");
    let sums = Command::new("sha256sum")
        .arg(format!("halp-0.2.1-{LINUX}.tar.gz"))
        .current_dir(&distrib)
        .output()
        .unwrap();
    cratesmith_write(&distrib.join("SHA256SUMS"), &sums.stdout);
    let url = "https://example.com/download/v{version}/{archive}";
    let installer = ship(
        d,
        &["installer", "--archives", "target/distrib", "--url", url],
    );
    assert!(installer.status.success(), "{}", text(&installer.stderr));
    let script = text(&installer.stdout);
    assert!(script.contains("halp"), "{script}");
    assert!(!script.contains("halp-test"), "{script}");

    let formula = ship(
        d,
        &["formula", "--archives", "target/distrib", "--url", url],
    );
    assert!(formula.status.success(), "{}", text(&formula.stderr));
    let rb = text(&formula.stdout);
    assert!(rb.contains("bin.install \"halp\""), "{rb}");
    assert!(!rb.contains("halp-test"), "{rb}");
    assert!(
        rb.contains("zsh_completion.install \"completions/_halp\""),
        "{rb}"
    );
    assert!(!rb.contains(".ps1"), "{rb}");

    // --bin chooses otherwise, for every command alike: the archive has no
    // halp-test, so the installer refuses it.
    let refused = ship(
        d,
        &[
            "installer",
            "--archives",
            "target/distrib",
            "--url",
            url,
            "--bin",
            "halp-test",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("holds no binary `halp-test`"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn a_bins_setting_that_names_no_binary_of_the_package_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let manifest = d.join("Cargo.toml");
    let edited = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("bins = [\"halp\"]", "bins = [\"nope\"]");
    cratesmith_write(&manifest, edited.as_bytes());
    let out = ship(d, &["archive", "--no-build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[package.metadata.ship] bins must list some of the package's binaries (halp, halp-test)"),
        "{err}"
    );
}
