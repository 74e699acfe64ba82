//! `cargo ship crates --dry-run` on a workspace of N crates (default 20)
//! that is already published to a registry server on 127.0.0.1, against
//! its floor: `cargo metadata --no-deps` plus one index request per crate,
//! all at once (`curl --parallel`). The server is
//! `ferro-cargo-registry-server` (on PATH, as `scripts/test
//! --install-only` puts it, or `$CRATESMITH_REGISTRY_SERVER`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::bump::sibling_binary;
use crate::generate::write;
use crate::timing::{flag, median, ms};

/// Publish the workspace once, then time the two interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let crates: usize = flag(args, "--crates", 20)?;
    let runs: usize = flag(args, "--runs", 11)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let dir = base.join(format!("ship-ws-{crates}"));
    let _ = std::fs::remove_dir_all(&dir);
    workspace(&dir, crates)?;
    let port = free_port()?;
    let server = Server::start(&dir.join("registry-data"), port)?;
    let ship = sibling_binary("cargo-ship")?;
    let env = Env {
        dir: &dir,
        index: format!("sparse+http://127.0.0.1:{port}/"),
    };
    let publish = env
        .command(&ship, &["ship", "crates", "--registry", "bench", "-q"])
        .status();
    if !publish.map_err(|e| e.to_string())?.success() {
        return Err("publishing the benchmark workspace failed".into());
    }
    let plan = env
        .command(
            &ship,
            &["ship", "crates", "--registry", "bench", "--dry-run"],
        )
        .output()
        .map_err(|e| e.to_string())?;
    let plan = String::from_utf8_lossy(&plan.stdout);
    if plan.matches("skip: already published").count() != crates {
        return Err(format!("not every crate was published:\n{plan}"));
    }
    let urls: Vec<String> = (0..crates)
        .map(|i| format!("http://127.0.0.1:{port}/{}", index_path(&name(i))))
        .collect();
    let mut curl = vec!["--parallel", "--parallel-max", "64", "-s", "-f"];
    for u in &urls {
        curl.extend(["-o", "/dev/null", u.as_str()]);
    }
    let dry = ["ship", "crates", "--registry", "bench", "--dry-run", "-q"];
    let metadata = [
        "metadata",
        "--no-deps",
        "--offline",
        "--format-version",
        "1",
    ];
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(env.time(&ship, &dry)?);
        floor.push(env.time(Path::new("cargo"), &metadata)? + env.time(Path::new("curl"), &curl)?);
    }
    drop(server);
    let (ours, floor) = (median(&mut ours), median(&mut floor));
    let mut report = String::new();
    let _ = writeln!(
        report,
        "cargo ship crates --dry-run, {crates} crates published, median of {runs}:"
    );
    let _ = writeln!(
        report,
        "  ours                                   {}",
        ms(ours)
    );
    let _ = writeln!(
        report,
        "  cargo metadata + curl --parallel floor {}",
        ms(floor)
    );
    let _ = writeln!(
        report,
        "  ratio {:.2}x (target: within 1.5x)",
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    print!("{report}");
    Ok(())
}

fn name(i: usize) -> String {
    format!("bench-crate-{i:02}")
}

fn index_path(name: &str) -> String {
    format!("{}/{}/{name}", &name[..2], &name[2..4])
}

/// N crates, each depending on the one before it, all naming the registry.
fn workspace(dir: &Path, crates: usize) -> Result<(), String> {
    let members: Vec<String> = (0..crates).map(|i| format!("\"{}\"", name(i))).collect();
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
            members.join(", ")
        ),
    )?;
    for i in 0..crates {
        let n = name(i);
        let dep = if i == 0 {
            String::new()
        } else {
            let prev = name(i - 1);
            format!(
                "[dependencies]\n{prev} = {{ path = \"../{prev}\", version = \"1.0.0\", registry = \"bench\" }}\n"
            )
        };
        write(
            &dir.join(&n).join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{n}\"\nversion.workspace = true\nedition.workspace = true\nlicense.workspace = true\ndescription = \"bench\"\n{dep}"
            ),
        )?;
        write(&dir.join(&n).join("src/lib.rs"), "pub fn f() {}\n")?;
    }
    Ok(())
}

/// The environment the commands run in: the registry named `bench`, a
/// `CARGO_HOME` of the benchmark's own.
struct Env<'a> {
    dir: &'a Path,
    index: String,
}

impl Env<'_> {
    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.dir)
            .env("CARGO_HOME", self.dir.join("cargo-home"))
            .env("CARGO_REGISTRIES_BENCH_INDEX", &self.index)
            .env("CARGO_REGISTRIES_BENCH_TOKEN", "bench-token")
            .env_remove("CARGO_TARGET_DIR");
        cmd
    }

    fn time(&self, program: &Path, args: &[&str]) -> Result<Duration, String> {
        let start = std::time::Instant::now();
        let out = self
            .command(program, args)
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        let elapsed = start.elapsed();
        if !out.status.success() {
            return Err(format!(
                "{} {args:?}: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(elapsed)
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// The registry server, killed on drop.
pub(crate) struct Server(Child);

impl Server {
    pub(crate) fn start(data: &Path, port: u16) -> Result<Server, String> {
        let program = std::env::var_os("CRATESMITH_REGISTRY_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("ferro-cargo-registry-server"));
        let child = Command::new(&program)
            .env("FERRO_CARGO_REGISTRY_DATA", data)
            .env("FERRO_CARGO_REGISTRY_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e} (install it: see .ci/run)", program.display()))?;
        let start = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                return Err("the registry server did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Server(child))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
