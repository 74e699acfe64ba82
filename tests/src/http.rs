//! A static HTTP server on 127.0.0.1 for the release tests: python3's
//! `http.server` serving a directory (what a forge's release downloads
//! look like to the installer and the formula), killed on drop.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `python3 -m http.server`.
pub struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Server {
    /// Serve `dir` on a free port. `None` (after [`crate::missing`]) when
    /// python3 is not installed.
    ///
    /// # Panics
    /// When it does not come up within 20 seconds.
    pub fn start(dir: &Path) -> Option<Server> {
        let port = crate::registry::free_port();
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            crate::missing("python3");
            return None;
        };
        let start = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed().as_secs() < 20,
                "the HTTP server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(Server { child, port })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
