//! `cargo artifact-sum --sign` and `--check --verify-signature`, with SSH
//! and GPG keys generated here (ssh-keygen, gpg in a temporary
//! `GNUPGHOME`): sign, verify, a tampered SUMS file, the wrong key, a
//! missing signature.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::{Command, Output};

use cratesmith_tests::{command, cratesmith_write};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn have(program: &str) -> bool {
    let ok = Command::new(program).arg("--version").output().is_ok()
        || Command::new(program).arg("-?").output().is_ok();
    if !ok {
        cratesmith_tests::missing(program);
    }
    ok
}

fn sum(dir: &Path, gnupg: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")))
        .arg("artifact-sum")
        .args(args)
        .current_dir(dir)
        .env("GNUPGHOME", gnupg)
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn ssh_key(dir: &Path, name: &str, principal: &str) {
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f"])
        .arg(dir.join(name))
        .status()
        .unwrap();
    assert!(st.success());
    let public = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap();
    cratesmith_write(
        &dir.join(format!("{name}.allowed")),
        format!("{principal} {public}").as_bytes(),
    );
}

fn gpg_key(home: &Path, uid: &str) {
    std::fs::create_dir_all(home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let st = Command::new("gpg")
        .env("GNUPGHOME", home)
        .args([
            "--batch",
            "--quiet",
            "--passphrase",
            "",
            "--quick-gen-key",
            uid,
            "ed25519",
            "sign",
            "never",
        ])
        .status()
        .unwrap();
    assert!(st.success());
}

fn export(home: &Path, uid: &str, to: &Path) {
    let out = Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--armor", "--export", uid])
        .output()
        .unwrap();
    assert!(out.status.success() && !out.stdout.is_empty());
    cratesmith_write(to, &out.stdout);
}

#[test]
fn ssh_signed_sums_verify_and_every_way_of_breaking_them_fails() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gnupg = d.join("unused-gnupg");
    cratesmith_write(&d.join("app-1.0.tar.gz"), b"release bytes");
    ssh_key(d, "maintainer", "maintainer@example.com");
    ssh_key(d, "stranger", "stranger@example.com");
    let out = sum(
        d,
        &gnupg,
        &[
            "app-1.0.tar.gz",
            "-o",
            "SHA256SUMS",
            "--sign",
            "--key",
            "maintainer",
        ],
    );
    ok(&out);
    assert!(
        text(&out.stderr).contains("Signed SHA256SUMS.sig"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(d.join("SHA256SUMS.sig"))
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----")
    );

    let check = |allowed: &str| {
        sum(
            d,
            &gnupg,
            &[
                "--check",
                "SHA256SUMS",
                "--verify-signature",
                "--allowed-signers",
                allowed,
            ],
        )
    };
    let good = check("maintainer.allowed");
    ok(&good);
    assert_eq!(text(&good.stdout), "app-1.0.tar.gz: OK\n");
    assert!(text(&good.stderr).contains("good signature by maintainer@example.com"));

    let wrong = check("stranger.allowed");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("no key in `stranger.allowed` made this signature"),
        "{}",
        text(&wrong.stderr)
    );
    assert!(text(&wrong.stdout).is_empty(), "no digest was checked");

    let original = std::fs::read(d.join("SHA256SUMS")).unwrap();
    let hex = "0".repeat(64);
    cratesmith_write(
        &d.join("SHA256SUMS"),
        format!("{hex}  app-1.0.tar.gz\n").as_bytes(),
    );
    let tampered = check("maintainer.allowed");
    assert_eq!(tampered.status.code(), Some(1));
    assert!(
        text(&tampered.stderr)
            .contains("bad signature on `SHA256SUMS`: the signature does not match the file")
    );
    assert!(text(&tampered.stdout).is_empty());

    cratesmith_write(&d.join("SHA256SUMS"), &original);
    std::fs::remove_file(d.join("SHA256SUMS.sig")).unwrap();
    let missing = check("maintainer.allowed");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr)
            .contains("`SHA256SUMS` has no signature: `SHA256SUMS.sig` is missing"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn gpg_signed_sums_verify_and_every_way_of_breaking_them_fails() {
    if !have("gpg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (home, other) = (d.join("gnupg"), d.join("gnupg-other"));
    gpg_key(&home, "Maintainer <maintainer@example.com>");
    gpg_key(&other, "Stranger <stranger@example.com>");
    export(&home, "maintainer@example.com", &d.join("maintainer.asc"));
    export(&other, "stranger@example.com", &d.join("stranger.asc"));
    cratesmith_write(&d.join("app-1.0.tar.gz"), b"release bytes");
    let out = sum(
        d,
        &home,
        &[
            "app-1.0.tar.gz",
            "-o",
            "SHA256SUMS",
            "--sign",
            "--sign-format",
            "gpg",
            "--key",
            "maintainer@example.com",
        ],
    );
    ok(&out);
    assert!(
        std::fs::read_to_string(d.join("SHA256SUMS.asc"))
            .unwrap()
            .starts_with("-----BEGIN PGP SIGNATURE-----")
    );

    let check = |keyring: &str| {
        sum(
            d,
            &home,
            &[
                "--check",
                "SHA256SUMS",
                "--verify-signature",
                "--keyring",
                keyring,
            ],
        )
    };
    let good = check("maintainer.asc");
    ok(&good);
    assert!(
        text(&good.stderr).contains("good signature by Maintainer <maintainer@example.com>"),
        "{}",
        text(&good.stderr)
    );

    let wrong = check("stranger.asc");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("no key in `stranger.asc` made this signature"),
        "{}",
        text(&wrong.stderr)
    );

    let original = std::fs::read(d.join("SHA256SUMS")).unwrap();
    let mut changed = original.clone();
    changed[0] = if changed[0] == b'0' { b'1' } else { b'0' };
    cratesmith_write(&d.join("SHA256SUMS"), &changed);
    let tampered = check("maintainer.asc");
    assert_eq!(tampered.status.code(), Some(1));
    assert!(
        text(&tampered.stderr).contains("the signature does not match the file"),
        "{}",
        text(&tampered.stderr)
    );

    cratesmith_write(&d.join("SHA256SUMS"), &original);
    std::fs::remove_file(d.join("SHA256SUMS.asc")).unwrap();
    let missing = check("maintainer.asc");
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("`SHA256SUMS.asc` is missing"));
}

#[test]
fn verify_signature_without_a_trust_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = sum(
        dir.path(),
        dir.path(),
        &["--check", "SHA256SUMS", "--verify-signature"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs what to trust"));
}

#[test]
fn a_signature_that_cannot_be_made_leaves_no_sums_file_and_says_how_to_name_a_key() {
    if !have("gpg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = d.join("gnupg-empty");
    std::fs::create_dir_all(&empty).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    cratesmith_write(&d.join("app-1.0.tar.gz"), b"release bytes");
    cratesmith_write(&d.join("SHA256SUMS"), b"an older file, kept as it was\n");
    let out = sum(
        d,
        &empty,
        &[
            "app-1.0.tar.gz",
            "-o",
            "SHA256SUMS",
            "--sign",
            "--sign-format",
            "gpg",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("signing failed; nothing was written"), "{err}");
    assert!(err.contains("name the key with --key"), "{err}");
    assert_eq!(
        std::fs::read(d.join("SHA256SUMS")).unwrap(),
        b"an older file, kept as it was\n"
    );
    assert!(!d.join("SHA256SUMS.asc").exists());

    let missing_key = sum(
        d,
        &empty,
        &[
            "app-1.0.tar.gz",
            "-o",
            "NEW-SUMS",
            "--sign",
            "--key",
            "nobody@example.com",
        ],
    );
    assert_eq!(missing_key.status.code(), Some(1));
    assert!(!d.join("NEW-SUMS").exists());
}
