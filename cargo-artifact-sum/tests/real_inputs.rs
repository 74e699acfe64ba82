//! `cargo artifact-sum` the way release scripts call it: `-o` pointing at
//! an artifact, a second `--sidecar` run, a SUMS file in a subdirectory,
//! dangling symlinks in a dist directory, standard input, and flags that
//! do not go together.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use cratesmith_tests::{command, cratesmith_write, read_tree};

fn ours(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")))
        .arg("artifact-sum")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `-o app.tar.gz app.tar.gz` destroyed the artifact.
#[test]
fn output_onto_an_input_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("app.tar.gz"), b"the artifact");
    cratesmith_write(&root.join("dist/app.zip"), b"another");
    let before = read_tree(root);
    for args in [
        &["-o", "app.tar.gz", "app.tar.gz"][..],
        &["-o", "dist/app.zip", "dist"],
    ] {
        let o = ours(root, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let first = text(&o.stderr).lines().next().unwrap_or("").to_string();
        assert!(
            first.starts_with("error: refusing to write the checksums to `")
                && first
                    .ends_with("`: it is one of the files to hash, and writing would destroy it"),
            "{first}"
        );
        assert_eq!(read_tree(root), before, "{args:?}: nothing written");
    }
    // A SUMS file from an earlier run in the walked directory is no artifact.
    let once = ours(root, &["-o", "dist/SHA256SUMS", "dist"]);
    assert!(once.status.success(), "{}", text(&once.stderr));
    let first = std::fs::read_to_string(root.join("dist/SHA256SUMS")).unwrap();
    let again = ours(root, &["-o", "dist/SHA256SUMS", "dist"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        std::fs::read_to_string(root.join("dist/SHA256SUMS")).unwrap(),
        first
    );
}

#[test]
fn sidecars_are_not_hashed_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("dist/app.tar.gz"), b"a");
    cratesmith_write(&root.join("dist/app.zip"), b"b");
    for _ in 0..2 {
        let o = ours(root, &["--sidecar", "dist"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let names: Vec<String> = read_tree(root).into_keys().collect();
    assert_eq!(
        names,
        [
            "dist/app.tar.gz",
            "dist/app.tar.gz.sha256",
            "dist/app.zip",
            "dist/app.zip.sha256"
        ]
    );
}

/// `-o dist/SUMS` then `-c dist/SUMS`: what was written verifies.
#[test]
fn a_sums_file_in_a_subdirectory_verifies_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("dist/app.tar.gz"), b"a");
    cratesmith_write(&root.join("dist/sub/app.zip"), b"b");
    let o = ours(
        root,
        &[
            "-o",
            "dist/SHA256SUMS",
            "dist/app.tar.gz",
            "dist/sub/app.zip",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let sums = std::fs::read_to_string(root.join("dist/SHA256SUMS")).unwrap();
    let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    assert_eq!(names, ["app.tar.gz", "sub/app.zip"]);
    let checked = ours(root, &["-c", "dist/SHA256SUMS"]);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert_eq!(text(&checked.stdout), "app.tar.gz: OK\nsub/app.zip: OK\n");
}

#[test]
fn dangling_symlinks_in_a_walk_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("dist/app.tar.gz"), b"a");
    std::os::unix::fs::symlink("gone.tar.gz", root.join("dist/latest.tar.gz")).unwrap();
    let o = ours(root, &["dist"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stderr),
        "warning: skipping `dist/latest.tar.gz`: a symlink whose target does not exist\n"
    );
    assert!(
        text(&o.stdout).ends_with("  dist/app.tar.gz\n"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_dash_reads_standard_input_as_sha256sum_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")))
        .args(["artifact-sum", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"abc").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n"
    );
}

#[test]
fn tag_with_json_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    cratesmith_write(&dir.path().join("a"), b"a");
    let o = ours(dir.path(), &["--tag", "--format", "json", "a"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr).lines().next(),
        Some(
            "error: `--tag` writes BSD checksum lines, which `--format json` has no place for; drop one of them"
        )
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["error"]["usage"], true, "one JSON document on stdout");
}

/// Every run with --format json prints exactly one JSON document.
#[test]
fn json_runs_print_one_document() {
    use cratesmith_tests::json::one_document;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("a.tar.gz"), b"a");
    let bin = Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum"));
    let ok = one_document(
        bin,
        root,
        &["artifact-sum", "--format", "json", "a.tar.gz"],
        0,
    );
    assert_eq!(ok["files"][0]["name"], "a.tar.gz");
    let partial = one_document(
        bin,
        root,
        &["artifact-sum", "--format", "json", "a.tar.gz", "gone"],
        1,
    );
    assert_eq!(partial["files"].as_array().unwrap().len(), 1, "{partial}");
    assert_eq!(
        partial["error"]["message"], "gone: No such file or directory",
        "{partial}"
    );
    let none = one_document(bin, root, &["artifact-sum", "--format", "json"], 1);
    assert!(none["error"]["message"].is_string(), "{none}");
    let usage = one_document(
        bin,
        root,
        &["artifact-sum", "--tag", "--format", "json", "a.tar.gz"],
        2,
    );
    assert_eq!(usage["error"]["usage"], true);
}
