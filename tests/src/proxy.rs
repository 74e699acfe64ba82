//! A fault-injecting HTTP proxy on 127.0.0.1 between a client (cargo,
//! the cratesmith tools) and a real server: each request is forwarded (one per
//! connection, `Connection: close`), unless a fault queued for uploads
//! (`PUT /api/v1/crates/new`) answers it instead: a status (429 with
//! `Retry-After`, 503), a dropped connection, or an upload forwarded and
//! then dropped before the answer; or a path it answers itself (an
//! endpoint the server lacks). Every request is logged.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What the proxy does to an upload instead of forwarding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and, when given, `Retry-After` seconds.
    Status(u16, Option<u64>),
    /// Close the connection without an answer.
    Drop,
    /// Forward the upload, then close without passing the answer on.
    ForwardThenDrop,
    /// A canned answer (see [`Proxy::answer`]): status and JSON body.
    Answer(u16, String),
}

/// A request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `PUT`, …
    pub method: String,
    /// The path.
    pub path: String,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// When it arrived.
    pub at: Instant,
    /// The fault applied, if any.
    pub fault: Option<Fault>,
}

/// Shared state of a proxy.
#[derive(Default)]
struct State {
    faults: VecDeque<Fault>,
    /// Uploads forwarded before every later one is dropped.
    uploads_allowed: Option<usize>,
    uploads: usize,
    seen: Vec<Seen>,
    /// Paths answered by the proxy itself: (GET path, status, JSON body).
    answers: Vec<(String, u16, String)>,
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    /// Its port.
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// A proxy on a free port in front of `127.0.0.1:upstream`.
    ///
    /// # Panics
    /// When it cannot listen.
    pub fn start(port: u16, upstream: u16) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let s = s.clone();
                        std::thread::spawn(move || serve(conn, upstream, &s));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Proxy { port, state, stop }
    }

    /// Queue faults for the next uploads, in order.
    pub fn fail_uploads(&self, faults: &[Fault]) {
        self.lock().faults.extend(faults.iter().cloned());
    }

    /// Forward `n` more uploads, then drop every later one.
    pub fn allow_uploads(&self, n: Option<usize>) {
        let mut s = self.lock();
        s.uploads_allowed = n.map(|n| s.uploads + n);
    }

    /// Answer `GET path` with `status` and the JSON `body` instead of
    /// forwarding it: endpoints the registry server does not have, such
    /// as crates.io's owners API.
    pub fn answer(&self, path: &str, status: u16, body: &str) {
        self.lock()
            .answers
            .push((path.to_string(), status, body.to_string()));
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Its sparse index URL.
    pub fn index(&self) -> String {
        format!("sparse+http://127.0.0.1:{}/", self.port)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut conn: TcpStream, upstream: u16, state: &Mutex<State>) {
    let _ = conn.set_nonblocking(false);
    let Some((head, body)) = read_request(&mut conn) else {
        return;
    };
    let first = head.lines().next().unwrap_or("").to_string();
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let authorization = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        })
        .map(|(_, v)| v.trim().to_string());
    let upload = method == "PUT" && path == "/api/v1/crates/new";
    let fault = {
        let mut s = state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let canned = s
            .answers
            .iter()
            .find(|(p, _, _)| method == "GET" && *p == path)
            .map(|(_, status, body)| Fault::Answer(*status, body.clone()));
        let fault = if canned.is_some() {
            canned
        } else if upload {
            s.faults.pop_front().or_else(|| {
                s.uploads_allowed
                    .filter(|&n| s.uploads >= n)
                    .map(|_| Fault::Drop)
            })
        } else {
            None
        };
        if upload && matches!(fault, None | Some(Fault::ForwardThenDrop)) {
            s.uploads += 1;
        }
        s.seen.push(Seen {
            method,
            path,
            authorization,
            at: Instant::now(),
            fault: fault.clone(),
        });
        fault
    };
    match fault {
        Some(Fault::Status(code, retry)) => {
            let retry = retry
                .map(|r| format!("Retry-After: {r}\r\n"))
                .unwrap_or_default();
            let body = format!("{{\"errors\":[{{\"detail\":\"injected {code}\"}}]}}");
            let _ = write!(
                conn,
                "HTTP/1.1 {code} Injected\r\n{retry}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::Answer(code, body)) => {
            let _ = write!(
                conn,
                "HTTP/1.1 {code} Answered\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::Drop) => {}
        Some(Fault::ForwardThenDrop) => {
            let _ = forward(&head, &body, upstream);
        }
        None => {
            if let Some(answer) = forward(&head, &body, upstream) {
                let _ = conn.write_all(&answer);
            }
        }
    }
}

/// The request head (text, up to the blank line) and its body.
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        })
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

/// Send the request upstream with `Connection: close`; the whole answer.
fn forward(head: &str, body: &[u8], upstream: u16) -> Option<Vec<u8>> {
    let mut out = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    let mut lines: Vec<&str> = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    let head = format!("{}\r\n\r\n", lines.join("\r\n"));
    out.write_all(head.as_bytes()).ok()?;
    out.write_all(body).ok()?;
    let mut answer = Vec::new();
    out.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// A plain GET to `127.0.0.1:port`: the status and body.
pub fn get(port: u16, path: &str) -> (u16, String) {
    let Ok(mut conn) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let _ = write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, dechunk(&body, &text))
}

/// The body of a chunked answer, joined.
fn dechunk(body: &str, whole: &str) -> String {
    if !whole
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}
