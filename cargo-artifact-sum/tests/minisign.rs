//! minisign, both ways, with Debian's `minisign` (installed by
//! `scripts/test`): key pairs made by `minisign -G` here; what cratesmith
//! signs (the SUMS file and, with `--sign-each`, each archive) `minisign
//! -V` verifies, and what `minisign -S` signs cratesmith verifies; a
//! tampered file, the wrong key, a wrong or missing password are refused
//! with messages that name the file and the key, and nothing is written.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use cratesmith_tests::{command, cratesmith_write};

const PASSWORD: &str = "correct horse";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `minisign ARGS` with `input` on stdin (passwords); `None` when it is
/// not installed.
fn minisign(dir: &Path, args: &[&str], input: &str) -> Option<Output> {
    let child = Command::new("minisign")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        cratesmith_tests::missing("minisign (Debian's package; scripts/test installs it)");
        return None;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

/// An encrypted key pair `NAME.sec`/`NAME.pub` in `dir`.
fn key_pair(dir: &Path, name: &str) -> Option<()> {
    let (sec, public) = (format!("{name}.sec"), format!("{name}.pub"));
    let out = minisign(
        dir,
        &["-G", "-f", "-p", &public, "-s", &sec],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    )?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Some(())
}

fn sum(dir: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")));
    cmd.arg("artifact-sum")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null());
    match password {
        Some(p) => cmd.env("CRATESMITH_MINISIGN_PASSWORD", p),
        None => cmd.env_remove("CRATESMITH_MINISIGN_PASSWORD"),
    };
    cmd.output().unwrap()
}

/// Every archive hashed into SHA256SUMS, which and each archive are signed
/// with `release.sec`.
fn sign_each_args() -> Vec<&'static str> {
    let sign = [
        "-o",
        "SHA256SUMS",
        "--sign",
        "--key",
        "release.sec",
        "--sign-each",
    ];
    [&ARCHIVES[..], &sign[..]].concat()
}

fn release(dir: &Path) {
    cratesmith_write(
        &dir.join("app-1.0-x86_64-unknown-linux-gnu.tar.gz"),
        b"linux bytes",
    );
    cratesmith_write(
        &dir.join("app-1.0-aarch64-apple-darwin.tar.gz"),
        b"mac bytes",
    );
}

const ARCHIVES: [&str; 2] = [
    "app-1.0-aarch64-apple-darwin.tar.gz",
    "app-1.0-x86_64-unknown-linux-gnu.tar.gz",
];

#[test]
fn what_cratesmith_signs_minisign_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if key_pair(d, "release").is_none() {
        return;
    }
    release(d);
    let args = sign_each_args();
    let out = sum(d, &args, Some(PASSWORD));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Signed SHA256SUMS.minisig"),
        "{}",
        text(&out.stderr)
    );
    let verified = minisign(d, &["-V", "-p", "release.pub", "-m", "SHA256SUMS"], "").unwrap();
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(
        text(&verified.stdout).contains("file:SHA256SUMS\thashed"),
        "minisign's own trusted comment: {}",
        text(&verified.stdout)
    );
    for archive in ARCHIVES {
        let sig = format!("{archive}.sig");
        let out = minisign(
            d,
            &["-V", "-p", "release.pub", "-m", archive, "-x", &sig],
            "",
        )
        .unwrap();
        assert!(out.status.success(), "{archive}: {}", text(&out.stderr));
    }
    // and cratesmith checks its own signature before any digest
    let check = sum(
        d,
        &[
            "--check",
            "SHA256SUMS",
            "--verify-signature",
            "--public-key",
            "release.pub",
        ],
        None,
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stderr).contains("good signature by minisign key"),
        "{}",
        text(&check.stderr)
    );
}

#[test]
fn what_minisign_signs_cratesmith_verifies_and_tampering_or_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if key_pair(d, "theirs").is_none() || key_pair(d, "other").is_none() {
        return;
    }
    release(d);
    let out = sum(d, &[&ARCHIVES[..], &["-o", "SHA256SUMS"]].concat(), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let signed = minisign(
        d,
        &["-S", "-s", "theirs.sec", "-m", "SHA256SUMS"],
        &format!("{PASSWORD}\n"),
    )
    .unwrap();
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let public = std::fs::read_to_string(d.join("theirs.pub")).unwrap();
    let base64 = public.lines().nth(1).unwrap();
    for trust in ["theirs.pub", base64] {
        let check = sum(
            d,
            &[
                "--check",
                "SHA256SUMS",
                "--verify-signature",
                "--public-key",
                trust,
            ],
            None,
        );
        assert!(check.status.success(), "{trust}: {}", text(&check.stderr));
    }

    let wrong = sum(
        d,
        &[
            "--check",
            "SHA256SUMS",
            "--verify-signature",
            "--public-key",
            "other.pub",
        ],
        None,
    );
    assert_eq!(wrong.status.code(), Some(1));
    let err = text(&wrong.stderr);
    assert!(
        err.contains("bad signature on `SHA256SUMS` (`SHA256SUMS.minisig`)"),
        "{err}"
    );
    assert!(
        err.contains("is different from public key"),
        "the key ids are named: {err}"
    );
    assert!(
        !text(&wrong.stdout).contains("OK"),
        "no digest trusted: {}",
        text(&wrong.stdout)
    );

    let mut sums = std::fs::read_to_string(d.join("SHA256SUMS")).unwrap();
    sums = sums.replacen('a', "b", 1);
    cratesmith_write(&d.join("SHA256SUMS"), sums.as_bytes());
    let tampered = sum(
        d,
        &[
            "--check",
            "SHA256SUMS",
            "--verify-signature",
            "--public-key",
            "theirs.pub",
        ],
        None,
    );
    assert_eq!(tampered.status.code(), Some(1));
    let err = text(&tampered.stderr);
    assert!(
        err.contains("bad signature on `SHA256SUMS`")
            && err.contains("Signature verification failed"),
        "{err}"
    );
}

#[test]
fn a_wrong_or_missing_password_writes_nothing_and_says_how_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if key_pair(d, "release").is_none() {
        return;
    }
    release(d);
    cratesmith_write(&d.join("SHA256SUMS"), b"the last release's\n");
    let args = sign_each_args();
    let wrong = sum(d, &args, Some("not it"));
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong.stderr));
    assert!(
        text(&wrong.stderr).contains("`release.sec`: Wrong password for that key"),
        "{}",
        text(&wrong.stderr)
    );
    let missing = sum(d, &args, None);
    assert_eq!(missing.status.code(), Some(2));
    let err = text(&missing.stderr);
    assert!(
        err.contains("is encrypted, and there is no terminal")
            && err.contains("CRATESMITH_MINISIGN_PASSWORD"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(d.join("SHA256SUMS")).unwrap(),
        b"the last release's\n"
    );
    for f in ["SHA256SUMS.minisig", &format!("{}.sig", ARCHIVES[0])] {
        assert!(!d.join(f).exists(), "{f} written");
    }
    let ssh_each = sum(
        d,
        &[
            &ARCHIVES[..],
            &["-o", "S", "--sign", "--sign-format", "gpg", "--sign-each"],
        ]
        .concat(),
        None,
    );
    assert_eq!(ssh_each.status.code(), Some(2));
    assert!(
        text(&ssh_each.stderr).contains("--sign-each signs with a minisign key only"),
        "{}",
        text(&ssh_each.stderr)
    );
}

#[test]
fn an_unencrypted_key_signs_without_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(made) = minisign(d, &["-G", "-W", "-p", "plain.pub", "-s", "plain.key"], "") else {
        return;
    };
    assert!(made.status.success(), "{}", text(&made.stderr));
    release(d);
    let args = [
        &ARCHIVES[..1],
        &["-o", "SHA256SUMS", "--sign", "--key", "plain.key"],
    ]
    .concat();
    let out = sum(d, &args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let verified = minisign(d, &["-V", "-p", "plain.pub", "-m", "SHA256SUMS"], "").unwrap();
    assert!(verified.status.success(), "{}", text(&verified.stderr));
}
