//! A static HTTP(S) server on 127.0.0.1 for the release tests: python3's
//! `http.server` serving a directory (what a forge's release downloads
//! look like to the installer, the formula and cargo binstall), killed on
//! drop. For HTTPS, [`TestCa`] makes a CA and a certificate for 127.0.0.1
//! with openssl; clients trust it through `SSL_CERT_FILE`.

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
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(dir);
        Self::spawn(cmd, port)
    }

    /// Serve `dir` over HTTPS with the certificate of `ca`.
    ///
    /// # Panics
    /// As [`Server::start`].
    pub fn start_tls(dir: &Path, ca: &TestCa) -> Option<Server> {
        let port = crate::registry::free_port();
        let script = "import functools, http.server, ssl, sys\n\
            port, root, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]\n\
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)\n\
            server = http.server.ThreadingHTTPServer(('127.0.0.1', port), handler)\n\
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
            context.load_cert_chain(cert, key)\n\
            server.socket = context.wrap_socket(server.socket, server_side=True)\n\
            server.serve_forever()\n";
        let mut cmd = Command::new("python3");
        cmd.arg("-c")
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .arg(&ca.server_cert)
            .arg(&ca.server_key);
        Self::spawn(cmd, port)
    }

    fn spawn(mut cmd: Command, port: u16) -> Option<Server> {
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
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

/// A certificate authority made for one test, and a certificate it
/// signed for 127.0.0.1.
pub struct TestCa {
    /// The CA's certificate (PEM): what `SSL_CERT_FILE` names.
    pub cert: std::path::PathBuf,
    /// The server's certificate (PEM) and key.
    pub server_cert: std::path::PathBuf,
    /// The server's private key (PEM).
    pub server_key: std::path::PathBuf,
}

impl TestCa {
    /// Make them in `dir` with openssl. `None` (after [`crate::missing`])
    /// without openssl.
    ///
    /// # Panics
    /// When openssl fails.
    pub fn new(dir: &Path) -> Option<TestCa> {
        let script = "set -e\n\
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=cratesmith-test-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null\n\
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null\n\
            printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext\n\
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null\n";
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .output();
        let Ok(out) = out else {
            crate::missing("sh");
            return None;
        };
        if !out.status.success() && Command::new("openssl").arg("version").output().is_err() {
            crate::missing("openssl");
            return None;
        }
        assert!(
            out.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(TestCa {
            cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
