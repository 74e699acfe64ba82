//! Container tools for the image tests: podman with the flags these CI
//! machines need (`--runtime runc --cgroup-manager=cgroupfs`, explicit
//! ulimits), skopeo, and a distribution registry (Debian's
//! `docker-registry`) started on 127.0.0.1 with its own storage. `.ci/run`
//! installs them; when one is missing a test calls [`crate::missing`].

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The engine as `CRATESMITH_CONTAINER_ENGINE` takes it.
pub const ENGINE: &str = "podman --runtime runc --cgroup-manager=cgroupfs";
/// The flags of each `run`, as `CRATESMITH_CONTAINER_RUN_ARGS` takes them.
pub const RUN_ARGS: &str = "--ulimit nofile=4096:4096 --ulimit nproc=4096:4096";

/// `name` on PATH (or `/usr/sbin`, `/usr/bin`).
pub fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether podman (with runc) and skopeo are here; otherwise
/// [`crate::missing`] is called.
pub fn available() -> bool {
    for p in ["podman", "runc", "skopeo"] {
        if program(p).is_none() {
            crate::missing(&format!("{p} (apt-get install podman runc skopeo)"));
            return false;
        }
    }
    true
}

/// A podman command with the CI flags.
pub fn podman(args: &[&str]) -> Command {
    let mut words = ENGINE.split_whitespace();
    let mut cmd = Command::new(words.next().unwrap_or("podman"));
    cmd.args(words).args(args);
    cmd
}

/// `podman run --rm` with the CI flags.
pub fn podman_run(args: &[&str]) -> Command {
    let mut cmd = podman(&["run", "--rm"]);
    cmd.args(RUN_ARGS.split_whitespace()).args(args);
    cmd
}

/// A distribution registry on 127.0.0.1, killed on drop.
pub struct Registry {
    child: Child,
    /// Its port.
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Start Debian's `docker-registry` (no auth, storage in a temp dir);
    /// `None` after [`crate::missing`] when it is not installed.
    ///
    /// # Panics
    /// When it does not come up.
    pub fn start() -> Option<Registry> {
        let Some(program) = program("docker-registry") else {
            crate::missing("docker-registry (apt-get install docker-registry)");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let port = crate::registry::free_port();
        let config = dir.path().join("config.yml");
        let text = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        crate::cratesmith_write(&config, text.as_bytes());
        let child = Command::new(program)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let start = Instant::now();
        while crate::proxy::get(port, "/v2/").0 != 200 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "docker-registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Registry {
            child,
            port,
            _dir: dir,
        })
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// cratesmith's own binaries built statically (dev profile, no debug info)
/// for `x86_64-unknown-linux-gnu` into `<workspace>/target/static-test`;
/// that target dir.
///
/// # Panics
/// When cargo fails.
pub fn static_cratesmith() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = root.join("target/static-test");
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "--locked",
            "--target",
            "x86_64-unknown-linux-gnu",
        ])
        .args([
            "-p",
            "cratesmith-ship",
            "-p",
            "cratesmith-bump",
            "-p",
            "cratesmith-changelog",
            "-p",
            "cratesmith-artifact-sum",
            "-p",
            "cratesmith-verify-install",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-C target-feature=+crt-static -C debuginfo=0")
        .status()
        .expect("run cargo build");
    assert!(status.success(), "the static build of cratesmith failed");
    target
}
