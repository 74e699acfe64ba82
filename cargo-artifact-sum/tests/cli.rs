//! `cargo artifact-sum` through the binary, compared with GNU coreutils'
//! `sha256sum`/`sha512sum` byte for byte wherever coreutils has an answer.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cratesmith_tests::{command, cratesmith_write};

const PROG: &str = "cargo-artifact-sum";

fn ours(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")))
        .arg("artifact-sum")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn coreutils(dir: &Path, tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tree of awkward names (spaces, backslash, newline, CR, unicode, empty file).
fn awkward_tree() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "plain.crate",
        "sp ace.tar.gz",
        "back\\slash",
        "new\nline",
        "cr\rname",
        "ünï",
        "empty",
        "-dash",
    ];
    for (i, name) in names.iter().enumerate() {
        let body = if *name == "empty" {
            Vec::new()
        } else {
            format!("content {i} {name}").repeat(i + 1).into_bytes()
        };
        cratesmith_write(&dir.path().join(name), &body);
    }
    (dir, names.iter().map(|n| n.to_string()).collect())
}

#[test]
fn hashing_output_is_byte_identical_to_coreutils() {
    let (dir, names) = awkward_tree();
    let mut files: Vec<&str> = vec!["--"];
    files.extend(names.iter().map(String::as_str));
    for (algo, tool) in [("sha256", "sha256sum"), ("sha512", "sha512sum")] {
        let mut args = vec!["--algo", algo];
        args.extend(&files);
        let (a, b) = (ours(dir.path(), &args), coreutils(dir.path(), tool, &files));
        assert!(a.status.success(), "{}", text(&a.stderr));
        assert_eq!(text(&a.stdout), text(&b.stdout), "{tool}");
        let mut tagged = args.clone();
        tagged.insert(0, "--tag");
        let mut their_tagged = vec!["--tag"];
        their_tagged.extend(&files);
        let (a, b) = (
            ours(dir.path(), &tagged),
            coreutils(dir.path(), tool, &their_tagged),
        );
        assert_eq!(text(&a.stdout), text(&b.stdout), "{tool} --tag");
    }
}

#[test]
fn a_directory_is_walked_in_sorted_order() {
    let (dir, _) = awkward_tree();
    cratesmith_write(&dir.path().join("sub/deep/z.bin"), b"z");
    cratesmith_write(&dir.path().join("sub/a.bin"), b"a");
    let walked = ours(dir.path(), &["."]);
    assert!(walked.status.success(), "{}", text(&walked.stderr));
    let listing = Command::new("sh")
        .args([
            "-c",
            "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(text(&walked.stdout), text(&listing.stdout));
}

#[test]
fn output_file_round_trips_through_check_and_catches_tampering() {
    let (dir, names) = awkward_tree();
    let root = dir.path();
    std::fs::create_dir(root.join("dist")).unwrap();
    let mut args = vec!["-o", "dist/SHA256SUMS", "--"];
    args.extend(names.iter().map(String::as_str));
    let refused = ours(root, &args);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        text(&refused.stderr).lines().next(),
        Some(
            "error: `plain.crate` is outside `dist`, where dist/SHA256SUMS is written: its name there would be `../plain.crate`, which `--check` refuses"
        ),
        "names that leave the SUMS file's directory are refused when written"
    );
    assert!(!root.join("dist/SHA256SUMS").exists(), "nothing written");
    args.insert(0, "--allow-outside");
    let written = ours(root, &args);
    assert!(written.status.success(), "{}", text(&written.stderr));
    let sums = std::fs::read_to_string(root.join("dist/SHA256SUMS")).unwrap();
    assert!(
        sums.contains("  ../plain.crate\n"),
        "names are relative to the SUMS file:\n{sums}"
    );
    let ok = ours(root, &["--check", "--allow-outside", "dist/SHA256SUMS"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout).matches(": OK\n").count(), names.len());

    cratesmith_write(&root.join("sp ace.tar.gz"), b"tampered");
    let bad = ours(root, &["--check", "--allow-outside", "dist/SHA256SUMS"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains("../sp ace.tar.gz: FAILED\n"));
    assert!(text(&bad.stderr).contains("WARNING: 1 computed checksum did NOT match"));
}

/// A SUMS file exercising every `--check` situation coreutils reports.
fn check_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (name, body) in [
        ("a.tar.gz", "a"),
        ("b c.zip", "b"),
        ("back\\slash", "c"),
        ("changed", "d"),
    ] {
        cratesmith_write(&root.join(name), body.as_bytes());
    }
    let out = coreutils(
        root,
        "sha256sum",
        &["--", "a.tar.gz", "b c.zip", "back\\slash", "changed"],
    );
    let mut sums = text(&out.stdout);
    sums.push_str(
        "0000000000000000000000000000000000000000000000000000000000000000  missing.bin\n",
    );
    sums.push_str("this line is not a checksum\n");
    cratesmith_write(&root.join("changed"), b"different");
    cratesmith_write(&root.join("SUMS"), sums.as_bytes());
    dir
}

#[test]
fn every_check_flag_behaves_like_coreutils() {
    let dir = check_tree();
    let flag_sets: [&[&str]; 7] = [
        &[],
        &["--quiet"],
        &["--status"],
        &["--strict"],
        &["--ignore-missing"],
        &["--warn"],
        &["--ignore-missing", "--quiet"],
    ];
    for flags in flag_sets {
        let mut args = vec!["--check"];
        args.extend(flags);
        args.push("SUMS");
        let a = ours(dir.path(), &args);
        let mut their = vec!["-c"];
        their.extend(flags);
        their.push("SUMS");
        let b = coreutils(dir.path(), "sha256sum", &their);
        assert_eq!(a.status.code(), b.status.code(), "{flags:?}");
        assert_eq!(text(&a.stdout), text(&b.stdout), "{flags:?}");
        let their_err = text(&b.stderr)
            .replace("sha256sum:", &format!("{PROG}:"))
            .replace("SHA256 checksum line", "checksum line");
        assert_eq!(text(&a.stderr), their_err, "{flags:?}");
    }
}

#[test]
fn ignore_missing_with_nothing_verified_fails_like_coreutils() {
    let dir = tempfile::tempdir().unwrap();
    cratesmith_write(
        &dir.path().join("SUMS"),
        format!("{}  gone\n", "ab".repeat(32)).as_bytes(),
    );
    let a = ours(dir.path(), &["--check", "--ignore-missing", "SUMS"]);
    let b = coreutils(dir.path(), "sha256sum", &["-c", "--ignore-missing", "SUMS"]);
    assert_eq!(
        (a.status.code(), text(&a.stdout)),
        (b.status.code(), text(&b.stdout))
    );
    assert_eq!(
        text(&a.stderr),
        text(&b.stderr).replace("sha256sum:", &format!("{PROG}:"))
    );
}

#[test]
fn require_fails_unless_the_artifact_is_listed_and_verifies() {
    let dir = check_tree();
    let cases: [(&[&str], i32); 4] = [
        (&["--require", "a.tar.gz"], 1),
        (&["--ignore-missing", "--require", "a.tar.gz"], 1),
        (&["--require", "not-listed.zip"], 1),
        (&["--require", "changed"], 1),
    ];
    for (flags, code) in cases {
        let mut args = vec!["--check"];
        args.extend(flags);
        args.push("SUMS");
        assert_eq!(
            ours(dir.path(), &args).status.code(),
            Some(code),
            "{flags:?}"
        );
    }
    // A SUMS file for just the one download: --ignore-missing passes, --require decides.
    let only = tempfile::tempdir().unwrap();
    cratesmith_write(&only.path().join("a.tar.gz"), b"a");
    std::fs::copy(dir.path().join("SUMS"), only.path().join("SUMS")).unwrap();
    let pass = ours(
        only.path(),
        &[
            "--check",
            "--ignore-missing",
            "--require",
            "a.tar.gz",
            "SUMS",
        ],
    );
    assert_eq!(pass.status.code(), Some(0), "{}", text(&pass.stderr));
    let fail = ours(
        only.path(),
        &[
            "--check",
            "--ignore-missing",
            "--require",
            "b c.zip",
            "SUMS",
        ],
    );
    assert_eq!(fail.status.code(), Some(1));
    assert!(
        text(&fail.stderr).contains("required file `b c.zip` is listed but the file is missing"),
        "{}",
        text(&fail.stderr)
    );
    let unlisted = ours(
        only.path(),
        &["--check", "--ignore-missing", "--require", "z.zip", "SUMS"],
    );
    assert!(
        text(&unlisted.stderr).contains("required file `z.zip` has no entry"),
        "{}",
        text(&unlisted.stderr)
    );
}

#[test]
fn names_leaving_the_sums_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    cratesmith_write(&dir.path().join("outside.txt"), b"x");
    let digest =
        text(&coreutils(dir.path(), "sha256sum", &["outside.txt"]).stdout)[..64].to_string();
    let passwd = text(&coreutils(Path::new("/"), "sha256sum", &["etc/hostname"]).stdout);
    let sums = format!(
        "{digest}  ../outside.txt\n{}  /etc/hostname\n",
        &passwd.get(..64).unwrap_or(&digest)
    );
    cratesmith_write(&dir.path().join("dl/SUMS"), sums.as_bytes());
    let refused = ours(dir.path(), &["--check", "dl/SUMS"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(
        err.contains("refusing `../outside.txt`: it is absolute or leaves the directory"),
        "{err}"
    );
    assert!(err.contains("refusing `/etc/hostname`"), "{err}");
    assert!(err.contains("--allow-outside"), "{err}");
    assert!(text(&refused.stdout).contains("../outside.txt: FAILED (outside"));
    let allowed = ours(dir.path(), &["--check", "--allow-outside", "dl/SUMS"]);
    assert!(
        text(&allowed.stdout).contains("../outside.txt: OK\n"),
        "{}",
        text(&allowed.stdout)
    );
}

#[test]
fn messy_sums_files_are_read_like_coreutils() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("a b.zip"), b"ab");
    let line = text(&coreutils(root, "sha256sum", &["a b.zip"]).stdout);
    let digest = &line[..64];
    let sums = format!(
        "# release checksums\r\n\r\n{digest} *a b.zip\r\n{}  truncated\r\n{}zz  nothex\r\n{digest}00  wronglength\r\n{digest}  a b.zip\r\n",
        &digest[..40],
        &digest[..62]
    );
    cratesmith_write(&root.join("SUMS"), sums.as_bytes());
    let a = ours(root, &["--check", "--warn", "SUMS"]);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert_eq!(text(&a.stdout), "a b.zip: OK\na b.zip: OK\n");
    let err = text(&a.stderr);
    assert!(err.contains("SUMS: 4: improperly formatted"), "{err}");
    assert!(
        err.contains("WARNING: 3 lines are improperly formatted"),
        "{err}"
    );
    assert!(
        err.contains("WARNING: `a b.zip` is listed 2 times"),
        "{err}"
    );
    assert_eq!(
        ours(root, &["--check", "--strict", "SUMS"]).status.code(),
        Some(1)
    );
    cratesmith_write(&root.join("EMPTY"), b"# nothing\n\n");
    let empty = ours(root, &["--check", "EMPTY"]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(text(&empty.stderr).contains("EMPTY: no properly formatted checksum lines found"));
}

#[test]
fn check_reads_stdin() {
    let dir = tempfile::tempdir().unwrap();
    cratesmith_write(&dir.path().join("f"), b"f");
    let sums = coreutils(dir.path(), "sha256sum", &["f"]).stdout;
    let mut child = command(Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")))
        .args(["artifact-sum", "--check", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &sums).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "f: OK\n".to_string())
    );
}

#[test]
fn sidecars_and_json_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("dist/app-1.0.0.tar.gz"), b"archive");
    cratesmith_write(
        &root.join("dist/cratesmith-shared-0.2.0-rc.1.crate"),
        b"crate",
    );
    let side = ours(root, &["--sidecar", "dist"]);
    assert!(side.status.success(), "{}", text(&side.stderr));
    let verified = coreutils(
        &root.join("dist"),
        "sha256sum",
        &["-c", "app-1.0.0.tar.gz.sha256"],
    );
    assert_eq!(text(&verified.stdout), "app-1.0.0.tar.gz: OK\n");
    let json = ours(
        root,
        &[
            "--format",
            "json",
            "--algo",
            "sha512",
            "dist/cratesmith-shared-0.2.0-rc.1.crate",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let file = &doc["files"][0];
    assert_eq!(file["name"], "dist/cratesmith-shared-0.2.0-rc.1.crate");
    assert_eq!(file["size"], 5);
    assert_eq!(file["algorithm"], "sha512");
    let expected = text(
        &coreutils(
            root,
            "sha512sum",
            &["dist/cratesmith-shared-0.2.0-rc.1.crate"],
        )
        .stdout,
    );
    assert_eq!(file["digest"].as_str().unwrap(), &expected[..128]);
    assert_eq!(file["package"]["name"], "cratesmith-shared");
    assert_eq!(file["package"]["version"], "0.2.0-rc.1");
}

#[test]
fn bad_inputs_are_reported_and_the_rest_still_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(&root.join("good"), b"g");
    std::fs::create_dir(root.join("empty-dir")).unwrap();
    let out = ours(root, &["good", "missing", "empty-dir"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        text(&coreutils(root, "sha256sum", &["good"]).stdout)
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("error: missing: No such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("error: empty-dir: the directory contains no files to hash"),
        "{err}"
    );
    let refused = ours(root, &["-o", "SUMS", "good", "missing"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        !root.join("SUMS").exists(),
        "no partial SUMS file is written"
    );
}

fn package_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tool");
    let manifest = "[package]\nname = \"tool\"\nversion = \"0.3.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"x\"\n\n[workspace]\n";
    cratesmith_write(&root.join("Cargo.toml"), manifest.as_bytes());
    cratesmith_write(&root.join("src/main.rs"), b"fn main() {}\n");
    (dir, root)
}

#[test]
fn default_artifacts_come_from_the_workspace() {
    let (_dir, root) = package_fixture();
    let none = ours(&root, &[]);
    assert_eq!(none.status.code(), Some(1));
    let err = text(&none.stderr);
    assert!(
        err.contains("no release artifacts found; looked for:"),
        "{err}"
    );
    assert!(
        err.contains("target/package/tool-0.3.1.crate") && err.contains("target/release/tool"),
        "{err}"
    );
    assert!(
        err.contains("cargo package") && err.contains("cargo build --release"),
        "{err}"
    );

    let packaged = Command::new(env!("CARGO"))
        .args([
            "package",
            "--offline",
            "--allow-dirty",
            "--no-verify",
            "--quiet",
        ])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .unwrap();
    assert!(packaged.success());
    let out = ours(&root, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = coreutils(&root, "sha256sum", &["target/package/tool-0.3.1.crate"]);
    assert_eq!(text(&out.stdout), text(&expected.stdout));

    // What a user ships: the release binary of the host and of each target
    // triple, never a tool's cache that has a release/ of its own.
    for dir in [
        "release",
        "x86_64-unknown-linux-musl/release",
        "verify-install/release",
        "package/tool-0.3.1/target/release",
    ] {
        cratesmith_write(&root.join("target").join(dir).join("tool"), b"binary");
    }
    let out = ours(&root, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = coreutils(
        &root,
        "sha256sum",
        &[
            "target/package/tool-0.3.1.crate",
            "target/release/tool",
            "target/x86_64-unknown-linux-musl/release/tool",
        ],
    );
    assert_eq!(text(&out.stdout), text(&expected.stdout));
}

#[test]
fn progress_bar_only_on_a_terminal_and_not_with_quiet() {
    if Command::new("script").arg("--version").output().is_err() {
        cratesmith_tests::missing("`script` (util-linux), to simulate a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.img");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let bin = env!("CARGO_BIN_EXE_cargo-artifact-sum");
    let on_tty = |extra: &str| {
        let cmd = format!("{bin} artifact-sum {extra} big.img");
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        text(&out.stdout)
    };
    let shown = on_tty("");
    assert!(
        shown.contains("Hashing [") && shown.contains("MiB"),
        "{shown:?}"
    );
    assert!(
        shown.contains("\r\x1b[2K"),
        "the bar is erased at the end: {shown:?}"
    );
    assert!(!on_tty("-q").contains("Hashing ["));
    let piped = ours(dir.path(), &["big.img"]);
    assert!(
        !text(&piped.stderr).contains("Hashing"),
        "no bar when stderr is not a terminal"
    );
}

#[test]
fn man_page_and_completions() {
    cratesmith_tests::check_docs(
        Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")),
        &["artifact-sum"],
        "cargo-artifact-sum",
    );
}

#[test]
fn the_docs_page_carries_the_current_help() {
    cratesmith_tests::docs_page::check_page(
        Path::new(env!("CARGO_BIN_EXE_cargo-artifact-sum")),
        &["artifact-sum"],
        "cargo-artifact-sum.md",
    );
}
