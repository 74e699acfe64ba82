//! `cargo ship binstall` with the real `cargo binstall` (1.20.0, installed
//! by `scripts/test`): a crate released by cratesmith (`cargo ship
//! archive`, `cargo artifact-sum --sign --sign-each` with a minisign key
//! made by Debian's `minisign`) is installed by `cargo binstall
//! --only-signed` from archives served over HTTPS on 127.0.0.1 (python3,
//! a CA made here with openssl, trusted through `SSL_CERT_FILE`); the
//! metadata written is compared whole; a tampered archive is refused.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cratesmith_tests::http::{Server, TestCa};
use cratesmith_tests::{command, cratesmith_write, git_init};

const PASSWORD: &str = "binstall test";

const MANIFEST: &str = "[package]\nname = \"binfix\"\nversion = \"0.3.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\
description = \"a fixture for cargo binstall\"\nrepository = \"https://example.com/binfix\"\n\n[dependencies]\n";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn binstall_program() -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("cargo-binstall"))
        .find(|p| p.is_file());
    if found.is_none() {
        cratesmith_tests::missing("cargo-binstall 1.20.0 (scripts/test installs it)");
    }
    found
}

fn tool(bin: &str, dir: &Path, args: &[&str]) -> Output {
    command(Path::new(bin))
        .args(args)
        .current_dir(dir)
        .env("CRATESMITH_MINISIGN_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A minisign key pair `key.sec`/`key.pub` in `dir`.
fn minisign_keys(dir: &Path) -> Option<()> {
    minisign_keys_named(dir, "key")
}

/// A minisign key pair `NAME.sec`/`NAME.pub` in `dir`.
fn minisign_keys_named(dir: &Path, name: &str) -> Option<()> {
    let (public, secret) = (format!("{name}.pub"), format!("{name}.sec"));
    let child = Command::new("minisign")
        .args(["-G", "-f", "-p", &public, "-s", &secret])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        cratesmith_tests::missing("minisign");
        return None;
    };
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{PASSWORD}\n{PASSWORD}\n").as_bytes())
        .unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    Some(())
}

fn host() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

/// `cargo binstall binfix` from the crate's manifest into `root`,
/// signatures required, the test CA trusted.
fn binstall(program: &Path, krate: &Path, root: &Path, ca: &TestCa, home: &Path) -> Output {
    Command::new(program)
        .args(["binstall", "--manifest-path"])
        .arg(krate)
        .args([
            "binfix",
            "--only-signed",
            "--no-confirm",
            "--no-track",
            "--force",
            "--strategies",
            "crate-meta-data",
            "--disable-telemetry",
            "--targets",
            &host(),
            "--root",
        ])
        .arg(root)
        .env("SSL_CERT_FILE", &ca.cert)
        .env("CARGO_HOME", home)
        .env_remove("GITHUB_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The fixture crate, archived by `cargo ship archive` and signed by
/// `cargo artifact-sum --sign --sign-each` with a minisign key made here;
/// (crate dir, archive name). `None` when minisign is missing.
fn released(temp: &Path) -> Option<(PathBuf, String)> {
    let krate = temp.join("binfix");
    cratesmith_write(&krate.join("Cargo.toml"), MANIFEST.as_bytes());
    cratesmith_write(
        &krate.join("src/main.rs"),
        b"fn main() {\n    if std::env::args().any(|a| a == \"--version\") {\n        println!(\"binfix {}\", env!(\"CARGO_PKG_VERSION\"));\n    }\n}\n",
    );
    cratesmith_write(&krate.join(".gitignore"), b"/target\n");
    git_init(&krate);
    minisign_keys(&krate)?;
    let ship = env!("CARGO_BIN_EXE_cargo-ship");
    let sum = cratesmith_tests::built_binaries(&["cargo-artifact-sum"]).remove(0);
    ok("archive", &tool(ship, &krate, &["ship", "archive", "-q"]));
    let archive = format!("binfix-0.3.0-{}.tar.gz", host());
    let signed = tool(
        sum.to_str().unwrap(),
        &krate,
        &[
            "artifact-sum",
            &format!("target/distrib/{archive}"),
            "-o",
            "target/distrib/SHA256SUMS",
            "--sign",
            "--key",
            "key.sec",
            "--sign-each",
        ],
    );
    ok("sign", &signed);
    Some((krate, archive))
}

/// `cargo verify-install --from archive` checks the archive's minisign
/// signature before unpacking and says whether an SBOM came with it.
#[test]
fn verify_install_checks_the_archive_signature_and_reports_its_sbom() {
    let temp = tempfile::tempdir().unwrap();
    let Some((krate, archive)) = released(temp.path()) else {
        return;
    };
    let verify = cratesmith_tests::built_binaries(&["cargo-verify-install"]).remove(0);
    let verify = verify.to_str().unwrap();
    let file = format!("target/distrib/{archive}");
    let run = |key: &str| {
        let out = tool(
            verify,
            &krate,
            &[
                "verify-install",
                "--from",
                "archive",
                &file,
                "--public-key",
                key,
                "--format",
                "json",
            ],
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let checks: Vec<String> = doc["checks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        format!(
                            "{} {}: {}",
                            c["check"].as_str().unwrap_or(""),
                            c["status"].as_str().unwrap_or(""),
                            c["detail"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (out, checks)
    };
    let (out, checks) = run("key.pub");
    ok("verify-install", &out);
    assert!(
        checks
            .iter()
            .any(|c| c.starts_with("signature pass: good signature by minisign key")),
        "{checks:#?}"
    );
    assert!(
        checks
            .iter()
            .any(|c| c.starts_with("sbom warn: no SBOM came with it")),
        "{checks:#?}"
    );

    let stem = archive.trim_end_matches(".tar.gz");
    let ship = env!("CARGO_BIN_EXE_cargo-ship");
    ok(
        "sbom",
        &tool(
            ship,
            &krate,
            &[
                "ship",
                "sbom",
                "-o",
                &format!("target/distrib/{stem}.cdx.json"),
            ],
        ),
    );
    let (_, checks) = run("key.pub");
    assert!(
        checks.iter().any(|c| c.starts_with(&format!(
            "sbom pass: {stem}.cdx.json: CycloneDX 1.5, 0 components"
        ))),
        "{checks:#?}"
    );

    minisign_keys_named(&krate, "other");
    let (out, checks) = run("other.pub");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        checks.iter().any(|c| c.starts_with(&format!(
            "signature fail: bad signature on `{file}` (`{file}.sig`)"
        ))),
        "{checks:#?}"
    );
    assert!(
        !checks.iter().any(|c| c.starts_with("unpack")),
        "nothing unpacked: {checks:#?}"
    );

    // An SSH signature (ssh-keygen -Y sign -n file), checked against an
    // allowed-signers file.
    let ssh = temp.path().join("ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::copy(krate.join(&file), ssh.join(&archive)).unwrap();
    let Some(key) = cratesmith_tests::release_key(&ssh) else {
        return;
    };
    let st = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "file", "-f"])
        .arg(&key)
        .arg(ssh.join(&archive))
        .status()
        .unwrap();
    assert!(st.success());
    let by_ssh = |allowed: &Path| {
        let out = tool(
            verify,
            &ssh,
            &[
                "verify-install",
                "--from",
                "archive",
                &archive,
                "--allowed-signers",
                allowed.to_str().unwrap(),
            ],
        );
        (out.status.code(), text(&out.stderr))
    };
    let (code, err) = by_ssh(&ssh.join("allowed_signers"));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("good signature by release@example.com"),
        "{err}"
    );
    let other = temp.path().join("other-ssh");
    std::fs::create_dir_all(&other).unwrap();
    cratesmith_tests::release_key(&other).unwrap();
    let (code, err) = by_ssh(&other.join("allowed_signers"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("no key in") && err.contains("made this signature"),
        "{err}"
    );
}

#[test]
fn cargo_binstall_installs_a_signed_release_and_refuses_a_tampered_one() {
    let Some(program) = binstall_program() else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let Some((krate, archive)) = released(temp.path()) else {
        return;
    };
    let Some(ca) = TestCa::new(temp.path()) else {
        return;
    };
    let ship = env!("CARGO_BIN_EXE_cargo-ship");
    let srv = temp.path().join("srv");
    let Some(server) = Server::start_tls(&srv, &ca) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/v{{version}}/{{archive}}", server.port);
    ok(
        "cargo ship binstall",
        &tool(
            ship,
            &krate,
            &["ship", "binstall", "--url", &url, "--public-key", "key.pub"],
        ),
    );
    let public = std::fs::read_to_string(krate.join("key.pub")).unwrap();
    let key = public.lines().nth(1).unwrap();
    let port = server.port;
    assert_eq!(
        std::fs::read_to_string(krate.join("Cargo.toml")).unwrap(),
        format!(
            "{}\n[package.metadata.binstall]\npkg-url = \"https://127.0.0.1:{port}/v{{ version }}/binfix-{{ version }}-{{ target }}.tar.gz\"\npkg-fmt = \"tgz\"\nbin-dir = \"binfix-{{ version }}-{{ target }}/{{ bin }}{{ binary-ext }}\"\n\n[package.metadata.binstall.signing]\nalgorithm = \"minisign\"\npubkey = \"{key}\"\n\n[dependencies]\n",
            MANIFEST.trim_end_matches("\n[dependencies]\n")
        )
    );

    let served = srv.join("v0.3.0");
    std::fs::create_dir_all(&served).unwrap();
    for f in [archive.clone(), format!("{archive}.sig")] {
        std::fs::copy(krate.join("target/distrib").join(&f), served.join(&f)).unwrap();
    }
    let root = temp.path().join("root");
    let home = temp.path().join("cargo-home");
    let out = binstall(&program, &krate.join("Cargo.toml"), &root, &ca, &home);
    ok("cargo binstall", &out);
    let version = Command::new(root.join("bin/binfix"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(text(&version.stdout), "binfix 0.3.0\n");

    // One byte changed in the served archive: its signature no longer holds.
    let mut bytes = std::fs::read(served.join(&archive)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    cratesmith_write(&served.join(&archive), &bytes);
    std::fs::remove_file(root.join("bin/binfix")).unwrap();
    let out = binstall(&program, &krate.join("Cargo.toml"), &root, &ca, &home);
    assert!(
        !out.status.success(),
        "a tampered archive was installed: {}",
        text(&out.stderr)
    );
    let err = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        err.to_lowercase().contains("signature"),
        "refused for its signature: {err}"
    );
    assert!(!root.join("bin/binfix").exists());
}
