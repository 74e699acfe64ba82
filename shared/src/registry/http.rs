//! The HTTP client of the registry tools: one agent, statuses returned
//! (not errors), and the retry rule: HTTP 429 and 5xx and dropped
//! connections are retried with exponential backoff, waiting what the
//! server's `Retry-After` asks when it says.

use std::time::{Duration, SystemTime};

use super::config::Token;

/// What came back from one request.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Retry-After`, as a wait from now.
    pub retry_after: Option<Duration>,
    /// The body.
    pub body: Vec<u8>,
    /// The headers (names lower-case).
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status asks for a retry: 429 or 5xx.
    pub fn transient(&self) -> bool {
        self.status == 429 || (500..600).contains(&self.status)
    }

    /// The body as text, for messages (terminal-safe, cut short).
    pub fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = crate::text::sanitize(text.trim());
        if text.chars().count() > 300 {
            format!("{}…", text.chars().take(300).collect::<String>())
        } else {
            text
        }
    }
}

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (the first one included).
    pub attempts: u32,
    /// The first wait; each later one doubles it.
    pub base: Duration,
    /// The longest wait, `Retry-After` included.
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 6,
            base: Duration::from_secs(1),
            max: Duration::from_secs(120),
        }
    }
}

impl Retry {
    /// The wait before attempt `next` (2 for the first retry): what the
    /// server asked for, else `base * 2^(next-2)`, capped at `max`.
    pub fn delay(&self, next: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << next.saturating_sub(2).min(16));
        retry_after.unwrap_or(exp).min(self.max)
    }
}

/// The client: a blocking agent with timeouts, statuses as values.
#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

/// The largest body read: a `.crate` or an index file.
const BODY_LIMIT: u64 = 256 * 1024 * 1024;

impl Client {
    /// A client with connect and overall timeouts, trusting the roots
    /// cargo trusts (see [`root_certs`]).
    pub fn new() -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(root_certs())
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(300)))
            .user_agent(concat!("cratesmith/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent }
    }

    /// GET `url`, fresh (no cache), with the token when given. `Err` is a
    /// failure to connect or a dropped connection, described.
    pub fn get(&self, url: &str, token: Option<&Token>) -> Result<Reply, String> {
        let mut req = self
            .agent
            .get(url)
            .header("Cache-Control", "no-cache")
            .header("Accept", "*/*");
        if let Some(t) = token {
            req = req.header("Authorization", t.expose());
        }
        reply(req.call())
    }

    /// Any request: `method` (`GET`, `HEAD`, `POST`, `PUT`, `PATCH`) to
    /// `url` with `headers` and a body. Redirects are not followed.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply, String> {
        let a = &self.agent;
        macro_rules! go {
            ($req:expr, $send:ident $(, $arg:expr)?) => {{
                let mut req = $req.config().max_redirects(0).build();
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                reply(req.$send($($arg)?))
            }};
        }
        let body = body.unwrap_or_default();
        match method {
            "GET" => go!(a.get(url), call),
            "HEAD" => go!(a.head(url), call),
            "DELETE" => go!(a.delete(url), call),
            "POST" => go!(a.post(url), send, body),
            "PUT" => go!(a.put(url), send, body),
            "PATCH" => go!(a.patch(url), send, body),
            other => Err(format!("unsupported method {other}")),
        }
    }

    /// PUT `body` to `url` with the token.
    pub fn put(&self, url: &str, token: &Token, body: &[u8]) -> Result<Reply, String> {
        let req = self
            .agent
            .put(url)
            .header("Accept", "application/json")
            .header("Authorization", token.expose());
        reply(req.send(body))
    }
}

/// The certificate authorities to trust, as cargo finds them: the PEM
/// bundle `CARGO_HTTP_CAINFO` or `SSL_CERT_FILE` names, else the system's
/// bundle (Debian, Fedora, Alpine and macOS paths); Mozilla's roots only
/// when there is none. A TLS-inspecting proxy whose CA the system trusts
/// is then trusted here too, as by cargo and curl.
fn root_certs() -> ureq::tls::RootCerts {
    let named = ["CARGO_HTTP_CAINFO", "SSL_CERT_FILE"]
        .iter()
        .filter_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
        .map(std::path::PathBuf::from);
    let system = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ]
    .iter()
    .map(std::path::PathBuf::from);
    for file in named.chain(system) {
        let Ok(pem) = std::fs::read(&file) else {
            continue;
        };
        let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return ureq::tls::RootCerts::new_with_certs(&certs);
        }
    }
    ureq::tls::RootCerts::WebPki
}

fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, String> {
    let mut resp = result.map_err(describe)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let headers = resp
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .map_err(describe)?;
    Ok(Reply {
        status,
        retry_after,
        body,
        headers,
    })
}

/// A transport error in words (ureq's own text never holds headers, so
/// never a token).
fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("connection failed: {io}"),
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        other => other.to_string(),
    }
}

/// `Retry-After`: seconds, or an HTTP date, as a wait from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as u32 + 1;
    let day: u32 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let days = crate::template::days_from_civil(year, month, day)?;
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let table = [
            ("3", Some(3)),
            (" 120 ", Some(120)),
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(0)),
            ("Sun, 06 Nov 1994 08:50:37 GMT", Some(60)),
            ("Sat, 05 Nov 1994 08:49:37 GMT", Some(0)),
            ("soon", None),
            ("-1", None),
        ];
        for (text, want) in table {
            assert_eq!(
                parse_retry_after(text, now),
                want.map(Duration::from_secs),
                "{text}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_honours_the_server() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
        };
        let waits: Vec<u64> = (2..=6).map(|n| r.delay(n, None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10]);
        assert_eq!(r.delay(2, Some(Duration::from_secs(7))).as_secs(), 7);
        assert_eq!(r.delay(2, Some(Duration::from_secs(700))).as_secs(), 10);
    }

    #[test]
    fn transient_statuses() {
        let s = |status| Reply {
            status,
            retry_after: None,
            body: Vec::new(),
            headers: Vec::new(),
        };
        let got: Vec<bool> = [200, 404, 429, 500, 503, 599, 400]
            .map(|c| s(c).transient())
            .to_vec();
        assert_eq!(got, [false, false, true, true, true, true, false]);
    }
}
