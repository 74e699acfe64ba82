//! A real crate registry on 127.0.0.1 for the registry tests:
//! `ferro-cargo-registry-server` (sparse index, publish API, downloads),
//! installed by `scripts/test` (on PATH), started on a free
//! port with its own data directory, killed on drop. Tokens are not
//! checked by it; [`crate::proxy`] records what reached it.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server program: `$CRATESMITH_REGISTRY_SERVER`, else the one on
/// `PATH` (where `scripts/test` puts it).
pub fn program() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CRATESMITH_REGISTRY_SERVER") {
        return Some(PathBuf::from(p));
    }
    let name = "ferro-cargo-registry-server";
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// A free port on 127.0.0.1.
///
/// # Panics
/// When no port can be bound.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    l.local_addr().expect("local address").port()
}

/// A running registry server.
pub struct Server {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    /// The address its config.json advertises for the API and downloads.
    pub api: String,
    data: tempfile::TempDir,
    program: PathBuf,
}

impl Server {
    /// Start one whose config.json points the API and downloads at `api`
    /// (a proxy in front of it), or at itself. `None` (after
    /// [`crate::missing`]) when the program is not installed.
    ///
    /// # Panics
    /// When it does not come up.
    pub fn start(api: Option<String>) -> Option<Server> {
        let Some(program) = program() else {
            crate::missing("ferro-cargo-registry-server (installed by scripts/test)");
            return None;
        };
        let port = free_port();
        let api = api.unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
        let mut server = Server {
            child: None,
            port,
            api,
            data: tempfile::tempdir().expect("temp dir"),
            program,
        };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.program)
            .env("FERRO_CARGO_REGISTRY_DATA", self.data.path())
            .env(
                "FERRO_CARGO_REGISTRY_LISTEN",
                format!("127.0.0.1:{}", self.port),
            )
            .env("FERRO_CARGO_REGISTRY_API", &self.api)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the registry server");
        self.child = Some(child);
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its sparse index URL, straight to the server.
    pub fn index(&self) -> String {
        format!("sparse+http://127.0.0.1:{}/", self.port)
    }

    /// Stop it (the data stays).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// The index file of `name` straight from the server (`None` when it
    /// has none): what is really published.
    pub fn index_file(&self, name: &str) -> Option<String> {
        let path = match name.len() {
            1 => format!("1/{name}"),
            2 => format!("2/{name}"),
            3 => format!("3/{}/{name}", &name[..1]),
            _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
        };
        let (status, body) = crate::proxy::get(self.port, &format!("/{path}"));
        (status == 200).then_some(body)
    }

    /// The versions of `name` published.
    pub fn versions(&self, name: &str) -> Vec<String> {
        self.index_file(name)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["vers"].as_str().map(String::from))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
