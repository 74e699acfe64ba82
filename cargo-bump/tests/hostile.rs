//! Hostile manifests: nested 10,000 levels deep, 50 MB, read-only.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::Path;
use std::process::Output;

use cratesmith_tests::{cratesmith_write, run_in};

fn bump(root: &Path, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("bump")
        .chain(args.iter().copied())
        .collect();
    run_in(Path::new(env!("CARGO_BIN_EXE_cargo-bump")), root, &args)
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const PACKAGE: &str = "[package]\nname = \"deep\"\nversion = \"1.0.0\"\nedition = \"2021\"\n";

#[test]
fn a_deeply_nested_manifest_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let nested = format!(
        "{PACKAGE}\n[package.metadata]\nx = {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    cratesmith_write(&dir.path().join("Cargo.toml"), nested.as_bytes());
    cratesmith_write(&dir.path().join("src/lib.rs"), b"");
    let out = bump(dir.path(), &["minor"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(err(&out).contains("Cargo.toml"), "{}", err(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap(),
        nested
    );
}

#[test]
fn a_50_mb_manifest_is_bumped_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let filler = format!("# {}\n", "x".repeat(99)).repeat(500_000);
    let big = format!("{PACKAGE}{filler}");
    cratesmith_write(&dir.path().join("Cargo.toml"), big.as_bytes());
    cratesmith_write(&dir.path().join("src/lib.rs"), b"");
    let out = bump(dir.path(), &["minor"]);
    assert!(out.status.success(), "{}", err(&out));
    let after = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
    assert_eq!(
        after,
        big.replacen("1.0.0", "1.1.0", 1),
        "only the version changed"
    );
}

/// Make `file` unwritable: a read-only directory for a normal user; for
/// root (who writes anyway) the immutable attribute. `false` when neither
/// works here (e.g. root on tmpfs).
#[cfg(unix)]
fn make_read_only(file: &Path, on: bool) -> bool {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        let flag = if on { "+i" } else { "-i" };
        return std::process::Command::new("chattr")
            .arg(flag)
            .arg(file)
            .status()
            .is_ok_and(|s| s.success());
    }
    let dir = file.parent().unwrap();
    let mode = if on { 0o555 } else { 0o755 };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).is_ok()
}

#[cfg(unix)]
#[test]
fn a_read_only_manifest_is_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let root = dir.path().join("ws");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    );
    for name in ["a", "b"] {
        cratesmith_write(
            &root.join(format!("{name}/Cargo.toml")),
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n")
                .as_bytes(),
        );
        cratesmith_write(&root.join(format!("{name}/src/lib.rs")), b"");
    }
    let locked = root.join("b/Cargo.toml");
    if !make_read_only(&locked, true) {
        cratesmith_tests::missing("a way to make a file read-only (chattr +i as root)");
        return;
    }
    let out = bump(&root, &["minor", "--workspace"]);
    make_read_only(&locked, false);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(
        err(&out).contains("b/Cargo.toml"),
        "names the file: {}",
        err(&out)
    );
    let a = std::fs::read_to_string(root.join("a/Cargo.toml")).unwrap();
    assert!(a.contains("1.0.0"), "nothing else was written: {a}");
    assert!(std::fs::read_to_string(&locked).unwrap().contains("1.0.0"));
}

/// Whether the tests run as root.
#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A member's Cargo.toml that is a symlink: the file it points to is
/// edited, the link stays a link.
#[cfg(unix)]
#[test]
fn a_symlinked_manifest_is_edited_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n",
    );
    let real = dir.path().join("shared-manifests/a.toml");
    cratesmith_write(
        &real,
        b"[package]\nname = \"a\"\nversion = \"1.0.0\" # kept\nedition = \"2021\"\n",
    );
    cratesmith_write(&root.join("a/src/lib.rs"), b"");
    std::os::unix::fs::symlink(&real, root.join("a/Cargo.toml")).unwrap();
    let out = bump(&root, &["minor", "-p", "a"]);
    assert!(out.status.success(), "{}", err(&out));
    let link = std::fs::symlink_metadata(root.join("a/Cargo.toml")).unwrap();
    assert!(link.file_type().is_symlink(), "still a link");
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "[package]\nname = \"a\"\nversion = \"1.1.0\" # kept\nedition = \"2021\"\n"
    );
}
