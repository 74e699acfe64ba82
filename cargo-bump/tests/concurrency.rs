//! Two `cargo bump` runs on one workspace: the second waits for the first
//! (`target/.cratesmith-bump.lock`), then bumps its result: every manifest ends
//! at the same, doubly bumped version.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cratesmith_tests::{command, cratesmith_write};

/// A workspace of `n` members inheriting version 1.0.0, each depending on
/// the one before with `=1.0.0` (so every bump rewrites requirements too).
fn workspace(n: usize) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("ws");
    let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\"")).collect();
    cratesmith_write(
        &root.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.0.0\"\n",
            members.join(", ")
        )
        .as_bytes(),
    );
    for i in 0..n {
        let dep = if i == 0 {
            String::new()
        } else {
            format!(
                "\n[dependencies]\nm{} = {{ path = \"../m{}\", version = \"=1.0.0\" }}\n",
                i - 1,
                i - 1
            )
        };
        cratesmith_write(
            &root.join(format!("m{i}/Cargo.toml")),
            format!(
                "[package]\nname = \"m{i}\"\nversion.workspace = true\nedition = \"2021\"\n{dep}"
            )
            .as_bytes(),
        );
        cratesmith_write(&root.join(format!("m{i}/src/lib.rs")), b"");
    }
    (temp, root)
}

fn spawn_bump(root: &Path, level: &str) -> Child {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-bump")))
        .args(["bump", level, "--workspace"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn a_second_bump_waits_for_the_lock() {
    let (_t, root) = workspace(3);
    let lock_path = root.join("target/.cratesmith-bump.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let held = std::fs::File::create(&lock_path).unwrap();
    held.lock().unwrap();
    let before = read(&root, "Cargo.toml");
    let mut child = spawn_bump(&root, "minor");
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits while the lock is held"
    );
    assert_eq!(read(&root, "Cargo.toml"), before, "and has written nothing");
    drop(held);
    let out = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{e}");
    assert!(
        e.contains("Blocking") && e.contains("waiting for another cargo bump"),
        "{e}"
    );
    assert!(read(&root, "Cargo.toml").contains("version = \"1.1.0\""));
}

#[test]
fn two_concurrent_bumps_apply_one_after_the_other() {
    let (_t, root) = workspace(40);
    let start = Instant::now();
    let a = spawn_bump(&root, "minor");
    let b = spawn_bump(&root, "minor");
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(start.elapsed() < Duration::from_secs(60));
    assert!(
        read(&root, "Cargo.toml").contains("version = \"1.2.0\""),
        "both bumps, in turn"
    );
    for i in 1..40 {
        let m = read(&root, &format!("m{i}/Cargo.toml"));
        assert!(
            m.contains(&format!(
                "m{} = {{ path = \"../m{}\", version = \"=1.2.0\" }}",
                i - 1,
                i - 1
            )),
            "m{i} requires the final version: {m}"
        );
    }
    let status = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "the workspace is consistent: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn snapshot(root: &Path, n: usize) -> Vec<String> {
    std::iter::once("Cargo.toml".to_string())
        .chain((0..n).map(|i| format!("m{i}/Cargo.toml")))
        .map(|rel| read(root, &rel))
        .collect()
}

/// SIGKILL at spread-out moments of a 300-member bump: every manifest is
/// whole, either its old or its new content; the only debris possible is
/// cratesmith's own uniquely named temp files.
#[test]
fn a_killed_bump_leaves_every_file_old_or_new() {
    const N: usize = 300;
    let (_t, pristine) = workspace(N);
    let old = snapshot(&pristine, N);
    let done = tempfile::tempdir().unwrap();
    let full = done.path().join("ws");
    cratesmith_tests::copy_tree(&pristine, &full);
    let start = Instant::now();
    assert!(spawn_bump(&full, "minor").wait().unwrap().success());
    let took = start.elapsed();
    let new = snapshot(&full, N);
    let mut torn_free = 0;
    for k in 0..8u32 {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().join("ws");
        cratesmith_tests::copy_tree(&pristine, &root);
        let mut child = spawn_bump(&root, "minor");
        std::thread::sleep(took * k / 6);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        for (i, now) in snapshot(&root, N).iter().enumerate() {
            assert!(
                *now == old[i] || *now == new[i],
                "file {i} is torn after a kill at {k}/6: {now}"
            );
            torn_free += 1;
        }
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    assert!(
                        matches!(
                            name.as_str(),
                            "Cargo.toml" | "lib.rs" | "Cargo.lock" | ".cratesmith-bump.lock"
                        ) || name.ends_with(".cratesmith-tmp"),
                        "unexpected file {}",
                        p.display()
                    );
                }
            }
        }
    }
    assert_eq!(torn_free, 8 * (N + 1));
}
