//! Helpers shared by the `cargo verify-install` tests: fixture crates,
//! running the binary, reading its report lines, archives.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)] // each test file uses a part

use std::path::Path;
use std::process::Output;

use cratesmith_tests::{command, cratesmith_write};

pub const MANIFEST: &str = "[package]
name = \"demo\"
version = \"1.2.3\"
edition = \"2021\"
description = \"A demo\"
license = \"MIT\"
repository = \"https://example.com/demo\"
readme = \"README.md\"
keywords = [\"demo\"]
categories = [\"command-line-utilities\"]
";

/// A bin that answers --version, --help, `greet NAME`, `say TEXT` and `sleep`.
pub const MAIN: &str = r#"fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") => println!("demo {}", env!("CARGO_PKG_VERSION")),
        Some("--help") => println!("usage: demo greet NAME"),
        Some("greet") => println!("hello {}", args[1]),
        Some("sleep") => std::thread::sleep(std::time::Duration::from_secs(30)),
        _ => std::process::exit(2),
    }
}
"#;

/// A crate at `dir` with `manifest` (MANIFEST + extra) and `files`.
pub fn krate(dir: &Path, extra: &str, files: &[(&str, &str)]) {
    cratesmith_write(
        &dir.join("Cargo.toml"),
        format!("{MANIFEST}{extra}").as_bytes(),
    );
    cratesmith_write(&dir.join("README.md"), b"# demo\n");
    for (name, text) in files {
        cratesmith_write(&dir.join(name), text.as_bytes());
    }
}

pub fn verify(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-verify-install")))
        .arg("verify-install")
        .arg("--debug")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The report line of `check` (a `✓`, `!` or `✗` line).
pub fn line<'a>(stderr: &'a str, check: &str) -> &'a str {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with(['✓', '!', '✗']))
        .find(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no `{check}` line in:\n{stderr}"))
}

pub fn passed(stderr: &str, check: &str) -> bool {
    line(stderr, check).trim_start().starts_with('✓')
}

pub fn failed(stderr: &str, check: &str) -> bool {
    line(stderr, check).trim_start().starts_with('✗')
}

/// A tar.gz holding `entries` (name, mode, content).
pub fn tar_gz(path: &Path, entries: &[(&str, u32, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    for (name, mode, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(*mode);
        h.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; write the raw name to build hostile archives.
        let raw = &mut h.as_old_mut().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

pub const SCRIPT: &[u8] = b"#!/bin/sh\ncase \"$1\" in --version) echo \"demo 1.2.3\";; --help) echo usage;; *) exit 2;; esac\n";

/// The demo crate's binary, compiled once for the archive tests (an
/// archive's scripts are never run: its programs must be compiled ones).
pub fn demo_binary() -> Vec<u8> {
    static BINARY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-binary");
            krate(&dir, "\n[workspace]\n", &[("src/main.rs", MAIN)]);
            let out = std::process::Command::new(env!("CARGO"))
                .args(["build", "--offline", "--quiet"])
                .current_dir(&dir)
                .env_remove("CARGO_TARGET_DIR")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", err(&out));
            std::fs::read(dir.join("target/debug/demo")).unwrap()
        })
        .clone()
}

pub fn sha256(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
