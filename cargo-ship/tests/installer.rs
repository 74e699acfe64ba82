//! `cargo ship installer`: the generated script run under dash and bash
//! against a real HTTP server on 127.0.0.1 (python3's http.server) serving
//! an archive made of cratesmith's own binary: a good install, `--to`, a piped
//! install, a tampered archive, a missing platform, a signed SUMS file;
//! and shellcheck on the script.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cratesmith_tests::http::Server;
use cratesmith_tests::{command, cratesmith_write};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn triple() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

/// A release: `dist/` with the archive of cargo-ship for `triples` and
/// SHA256SUMS, served under `download/v<version>/`.
struct Release {
    dir: tempfile::TempDir,
    server: Server,
}

impl Release {
    fn new(triples: &[String]) -> Option<Release> {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join(format!("srv/download/v{VERSION}"));
        std::fs::create_dir_all(&dist).unwrap();
        let bin = std::fs::read(env!("CARGO_BIN_EXE_cargo-ship")).unwrap();
        for t in triples {
            let stem = format!("cargo-ship-{VERSION}-{t}");
            let stage = dir.path().join("stage").join(&stem);
            cratesmith_write(&stage.join("cargo-ship"), &bin);
            let st = Command::new("chmod")
                .arg("755")
                .arg(stage.join("cargo-ship"))
                .status()
                .unwrap();
            assert!(st.success());
            let st = Command::new("tar")
                .arg("czf")
                .arg(dist.join(format!("{stem}.tar.gz")))
                .arg(&stem)
                .current_dir(dir.path().join("stage"))
                .status()
                .unwrap();
            assert!(st.success());
        }
        let names: Vec<String> = std::fs::read_dir(&dist)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let out = Command::new("sha256sum")
            .args(&names)
            .current_dir(&dist)
            .output()
            .unwrap();
        cratesmith_write(&dist.join("SHA256SUMS"), &out.stdout);
        let server = Server::start(&dir.path().join("srv"))?;
        Some(Release { dir, server })
    }

    fn dist(&self) -> PathBuf {
        self.dir.path().join(format!("srv/download/v{VERSION}"))
    }

    /// `cargo ship installer` for this release; the script's path.
    fn installer(&self) -> PathBuf {
        let script = self.dir.path().join("install.sh");
        let url = format!(
            "http://127.0.0.1:{}/download/v{{version}}/{{archive}}",
            self.server.port
        );
        let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
            .args([
                "ship",
                "installer",
                "-p",
                "cratesmith-ship",
                "--url",
                &url,
                "--archives",
            ])
            .arg(self.dist())
            .arg("-o")
            .arg(&script)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        script
    }

    fn run(&self, shell: &str, script: &Path, args: &[&str]) -> Output {
        Command::new(shell)
            .arg(script)
            .args(args)
            .env("HOME", self.dir.path().join("home"))
            .env("CARGO_HOME", self.dir.path().join("cargo-home"))
            .output()
            .unwrap()
    }
}

fn shells() -> Vec<&'static str> {
    ["dash", "bash"]
        .into_iter()
        .filter(|s| {
            let ok = Command::new(s).arg("-c").arg("true").status().is_ok();
            if !ok {
                cratesmith_tests::missing(s);
            }
            ok
        })
        .collect()
}

#[test]
fn the_installer_installs_under_dash_and_bash() {
    let Some(r) = Release::new(&[triple(), "aarch64-apple-darwin".to_string()]) else {
        return;
    };
    let script = r.installer();
    for shell in shells() {
        let to = r.dir.path().join(format!("bin-{shell}"));
        let out = r.run(shell, &script, &["--to", to.to_str().unwrap()]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(
            said.contains(&format!(
                "installed cratesmith-ship {VERSION} into {}: cargo-ship",
                to.display()
            )),
            "{said}"
        );
        let v = Command::new(to.join("cargo-ship"))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(
            text(&v.stdout).trim(),
            format!("cargo-ship {VERSION} (cratesmith-ship)")
        );
    }
    // The default directory, the version pinned, the script piped in.
    let out = Command::new("dash")
        .args(["-s", "--", "--version", VERSION, "--quiet"])
        .stdin(std::fs::File::open(&script).unwrap())
        .env("HOME", r.dir.path().join("home"))
        .env("CARGO_HOME", r.dir.path().join("cargo-home"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty(),
        "--quiet printed: {}",
        text(&out.stdout)
    );
    assert!(r.dir.path().join("cargo-home/bin/cargo-ship").is_file());
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let Some(r) = Release::new(&[triple()]) else {
        return;
    };
    let script = r.installer();
    let archive = r
        .dist()
        .join(format!("cargo-ship-{VERSION}-{}.tar.gz", triple()));
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 20;
    bytes[last] ^= 0xff;
    cratesmith_write(&archive, &bytes);
    for shell in shells() {
        let to = r.dir.path().join(format!("bin-{shell}"));
        let out = r.run(shell, &script, &["--to", to.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{shell}");
        let err = text(&out.stderr);
        assert!(
            err.contains("SHA256SUMS says") && err.contains("refusing to install it"),
            "{err}"
        );
        assert!(!to.exists(), "{shell} created {}", to.display());
    }
}

#[test]
fn a_machine_without_an_archive_is_told_so() {
    let Some(r) = Release::new(&["aarch64-apple-darwin".to_string()]) else {
        return;
    };
    let script = r.installer();
    for shell in shells() {
        let out = r.run(shell, &script, &["--to", "/nonexistent/never"]);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "no release archive for Linux on {}",
                std::env::consts::ARCH
            )) && err.contains("this release has: aarch64-apple-darwin"),
            "{err}"
        );
    }
}

#[test]
fn a_signed_sums_file_is_required_when_asked() {
    let Some(r) = Release::new(&[triple()]) else {
        return;
    };
    let script = r.installer();
    let keys = r.dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for who in ["maintainer", "stranger"] {
        let st = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", who, "-f"])
            .arg(keys.join(who))
            .status();
        let Ok(st) = st else {
            cratesmith_tests::missing("ssh-keygen");
            return;
        };
        assert!(st.success());
        let public = std::fs::read_to_string(keys.join(format!("{who}.pub"))).unwrap();
        cratesmith_write(
            &keys.join(format!("{who}.allowed")),
            format!("{who}@example.com {public}").as_bytes(),
        );
    }
    let sign = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "file", "-f"])
        .arg(keys.join("maintainer"))
        .arg(r.dist().join("SHA256SUMS"))
        .status()
        .unwrap();
    assert!(sign.success());
    let good = r.run(
        "dash",
        &script,
        &[
            "--allowed-signers",
            keys.join("maintainer.allowed").to_str().unwrap(),
            "--to",
            r.dir.path().join("ok").to_str().unwrap(),
        ],
    );
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(text(&good.stdout).contains("SHA256SUMS is signed by maintainer@example.com"));
    let bad = r.run(
        "dash",
        &script,
        &[
            "--allowed-signers",
            keys.join("stranger.allowed").to_str().unwrap(),
            "--to",
            r.dir.path().join("no").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("is not signed by a key in"),
        "{}",
        text(&bad.stderr)
    );
    assert!(!r.dir.path().join("no").exists());
}

#[test]
fn shellcheck_passes_on_the_script() {
    let Some(r) = Release::new(&[triple()]) else {
        return;
    };
    let script = r.installer();
    let out = match Command::new("shellcheck")
        .args(["-s", "sh"])
        .arg(&script)
        .output()
    {
        Ok(o) => o,
        Err(_) => {
            cratesmith_tests::missing("shellcheck (apt-get install shellcheck)");
            return;
        }
    };
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn an_archive_without_a_binary_is_refused_when_the_script_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let stem = format!("cargo-ship-{VERSION}-{}", triple());
    let stage = dir.path().join("stage").join(&stem);
    cratesmith_write(&stage.join("README.md"), b"no binary here\n");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let st = Command::new("tar")
        .arg("czf")
        .arg(dist.join(format!("{stem}.tar.gz")))
        .arg(&stem)
        .current_dir(dir.path().join("stage"))
        .status()
        .unwrap();
    assert!(st.success());
    let sums = Command::new("sha256sum")
        .arg(format!("{stem}.tar.gz"))
        .current_dir(&dist)
        .output()
        .unwrap();
    cratesmith_write(&dist.join("SHA256SUMS"), &sums.stdout);
    let script = dir.path().join("install.sh");
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(["ship", "installer", "-p", "cratesmith-ship", "--url"])
        .arg("https://example.invalid/{archive}")
        .arg("--archives")
        .arg(&dist)
        .arg("-o")
        .arg(&script)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("`{stem}.tar.gz` holds no binary `cargo-ship`")),
        "{err}"
    );
    assert!(err.contains("choose the binaries with --bin"), "{err}");
    assert!(!script.exists(), "a script was written");
}
