//! Pushing an image through the distribution HTTP API: each blob (skipped
//! when the registry has it), then the platforms' manifests by digest,
//! then the tagged manifest or index. Credentials come from the Docker
//! config file (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`) or
//! the containers auth file (`$REGISTRY_AUTH_FILE`,
//! `$XDG_RUNTIME_DIR/containers/auth.json`), as Basic or exchanged for a
//! Bearer token when the registry asks; they are never printed. Plain
//! http only to a loopback address.

use std::path::PathBuf;

use super::Blob;
use super::archive::Contents;
use crate::error::{Error, Result};
use crate::registry::http::{Client, Reply};

/// `host[:port]/repository[:tag]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]` (`docker.io` for a bare name).
    pub registry: String,
    /// `org/name`.
    pub repository: String,
    /// The tag (`latest` when none is given).
    pub tag: String,
}

impl Reference {
    /// Parse `text` as Docker does.
    ///
    /// # Errors
    /// Empty parts, a digest (`@sha256:…`: push by tag), upper case.
    pub fn parse(text: &str) -> std::result::Result<Reference, String> {
        if text.contains('@') {
            return Err(format!("`{text}`: push to a tag, not a digest"));
        }
        let (registry, rest) = match text.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), text.to_string()),
        };
        let (repository, tag) = match rest.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
            _ => (rest.clone(), "latest".to_string()),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        };
        if !valid(&repository) || tag.is_empty() || tag.len() > 128 {
            return Err(format!(
                "`{text}` is not an image reference (host[:port]/name[:tag], lower case)"
            ));
        }
        Ok(Reference {
            registry,
            repository,
            tag,
        })
    }

    /// The API's base URL: https, or http for a loopback address.
    pub fn base(&self) -> String {
        let host = self
            .registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, _)| h);
        if host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
        {
            format!("http://{}", self.registry)
        } else if self.registry == "docker.io" {
            "https://registry-1.docker.io".into()
        } else {
            format!("https://{}", self.registry)
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}:{}", self.registry, self.repository, self.tag)
    }
}

/// A registry session: the client, the credentials, the current bearer token.
pub struct Session {
    client: Client,
    reference: Reference,
    basic: Option<String>,
    bearer: Option<String>,
}

impl Session {
    /// A session for `reference`, with the credentials the auth files hold.
    pub fn new(reference: Reference) -> Session {
        let basic = credentials(&reference.registry);
        Session {
            client: Client::new(),
            reference,
            basic,
            bearer: None,
        }
    }

    /// Push the contents; the digest the tag now points at.
    ///
    /// # Errors
    /// The registry refuses, or cannot be reached.
    pub fn push(&mut self, c: &Contents<'_>) -> Result<String> {
        let top = c
            .top()
            .ok_or_else(|| self.error("no image to push".into()))?;
        for i in c.images {
            self.blob(&i.layer.blob)?;
            self.blob(&i.config)?;
        }
        if c.index.is_some() {
            for i in c.images {
                self.manifest(&i.manifest, &i.manifest.digest)?;
            }
        }
        let tag = self.reference.tag.clone();
        self.manifest(top, &tag)?;
        Ok(top.digest.clone())
    }

    fn blob(&mut self, b: &Blob) -> Result<()> {
        let repo = self.reference.repository.clone();
        let base = self.reference.base();
        let head = self.request(
            "HEAD",
            &format!("{base}/v2/{repo}/blobs/{}", b.digest),
            &[],
            None,
        )?;
        if head.status == 200 {
            return Ok(());
        }
        let start = self.request(
            "POST",
            &format!("{base}/v2/{repo}/blobs/uploads/"),
            &[],
            Some(&[]),
        )?;
        if start.status != 202 {
            return Err(self.refused("starting a blob upload", &start));
        }
        let location = start
            .header("location")
            .ok_or_else(|| self.error("the registry gave no upload location".into()))?;
        let url = absolute(&base, location);
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}digest={}", b.digest);
        let len = b.bytes.len().to_string();
        let headers = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", len.as_str()),
        ];
        let put = self.request("PUT", &url, &headers, Some(&b.bytes))?;
        if put.status != 201 {
            return Err(self.refused(&format!("uploading blob {}", b.digest), &put));
        }
        Ok(())
    }

    fn manifest(&mut self, m: &Blob, reference: &str) -> Result<()> {
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            self.reference.base(),
            self.reference.repository
        );
        let media = m.media_type.clone();
        let put = self.request(
            "PUT",
            &url,
            &[("Content-Type", media.as_str())],
            Some(&m.bytes),
        )?;
        if put.status != 201 {
            return Err(self.refused(&format!("putting manifest {reference}"), &put));
        }
        Ok(())
    }

    /// A request with the credentials; on 401, the challenge answered once.
    fn request(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply> {
        let reply = self.send(method, url, headers, body)?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let challenge = reply.header("www-authenticate").unwrap_or("").to_string();
        if challenge.to_ascii_lowercase().starts_with("bearer") {
            self.bearer = Some(self.token(&challenge)?);
        } else if self.basic.is_none() {
            return Err(self.no_credentials());
        }
        let again = self.send(method, url, headers, body)?;
        if again.status == 401 {
            return Err(self.no_credentials());
        }
        Ok(again)
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply> {
        let auth = match (&self.bearer, &self.basic) {
            (Some(t), _) => Some(format!("Bearer {t}")),
            (None, Some(b)) => Some(format!("Basic {b}")),
            (None, None) => None,
        };
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(a) = &auth {
            all.push(("Authorization", a.as_str()));
        }
        self.client
            .send(method, url, &all, body)
            .map_err(|e| self.error(format!("{method} {url}: {e}")))
    }

    /// A bearer token for the challenge's realm, service and scope.
    fn token(&self, challenge: &str) -> Result<String> {
        let params = challenge_params(challenge);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let realm =
            get("realm").ok_or_else(|| self.error("a Bearer challenge without a realm".into()))?;
        let mut url = realm.to_string();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for key in ["service", "scope"] {
            if let Some(v) = get(key) {
                url.push_str(&format!("{sep}{key}={}", encode(v)));
                sep = '&';
            }
        }
        let auth = self.basic.as_ref().map(|b| format!("Basic {b}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let reply = self
            .client
            .send("GET", &url, &headers, None)
            .map_err(|e| self.error(format!("token from {realm}: {e}")))?;
        if reply.status != 200 {
            return Err(self.no_credentials());
        }
        let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .map(String::from)
            .ok_or_else(|| self.error(format!("{realm} answered without a token")))
    }

    fn error(&self, message: String) -> Error {
        Error::Registry {
            registry: self.reference.registry.clone(),
            message,
            help: "check the image reference and that the registry is up".into(),
        }
    }

    fn refused(&self, what: &str, reply: &Reply) -> Error {
        Error::Registry {
            registry: self.reference.registry.clone(),
            message: format!("{what}: HTTP {}: {}", reply.status, reply.text()),
            help: "check the image reference and your push rights".into(),
        }
    }

    fn no_credentials(&self) -> Error {
        Error::Registry {
            registry: self.reference.registry.clone(),
            message: "the registry refused the credentials, or none were found".into(),
            help: format!(
                "log in first (`podman login {0}` or `docker login {0}`); credentials are read from the Docker config file",
                self.reference.registry
            ),
        }
    }
}

/// A Location header made absolute.
fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        location.to_string()
    } else {
        format!("{base}{location}")
    }
}

/// `Bearer realm="…",service="…",scope="…"` as (name, value) pairs.
fn challenge_params(challenge: &str) -> Vec<(String, String)> {
    let rest = challenge.split_once(' ').map_or("", |(_, r)| r);
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        let name: String = chars
            .by_ref()
            .take_while(|&c| c != '=')
            .collect::<String>()
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_string();
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                value.push(c);
            }
        } else {
            value = chars.by_ref().take_while(|&c| c != ',').collect();
        }
        out.push((name, value));
    }
    out
}

/// Percent-encoding for a query value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The Basic credentials (base64 `user:password`) the auth files hold for
/// `registry`.
pub fn credentials(registry: &str) -> Option<String> {
    auth_files().into_iter().find_map(|file| {
        let text = std::fs::read_to_string(file).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        let auths = v.get("auths")?.as_object()?;
        let keys = if registry == "docker.io" {
            vec![
                "docker.io",
                "https://index.docker.io/v1/",
                "index.docker.io",
                "registry-1.docker.io",
            ]
        } else {
            vec![registry]
        };
        let entry = keys.iter().find_map(|k| {
            auths.get(*k).or_else(|| {
                auths
                    .iter()
                    .find(|(name, _)| {
                        name.trim_start_matches("https://")
                            .trim_start_matches("http://")
                            .trim_end_matches('/')
                            == *k
                    })
                    .map(|(_, e)| e)
            })
        })?;
        if let Some(a) = entry
            .get("auth")
            .and_then(|a| a.as_str())
            .filter(|a| !a.is_empty())
        {
            return Some(a.to_string());
        }
        let user = entry.get("username")?.as_str()?;
        let pass = entry.get("password")?.as_str()?;
        Some(base64(format!("{user}:{pass}").as_bytes()))
    })
}

fn auth_files() -> Vec<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let mut out = Vec::new();
    out.extend(var("REGISTRY_AUTH_FILE"));
    out.extend(var("DOCKER_CONFIG").map(|d| d.join("config.json")));
    out.extend(var("HOME").map(|h| h.join(".docker/config.json")));
    out.extend(var("XDG_RUNTIME_DIR").map(|d| d.join("containers/auth.json")));
    out
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_as_docker_reads_them() {
        let r = |t: &str| Reference::parse(t).map(|r| (r.registry, r.repository, r.tag));
        let s = |a: &str, b: &str, c: &str| Ok((a.to_string(), b.to_string(), c.to_string()));
        assert_eq!(
            r("127.0.0.1:5000/cratesmith:1.2"),
            s("127.0.0.1:5000", "cratesmith", "1.2")
        );
        assert_eq!(r("ghcr.io/org/app"), s("ghcr.io", "org/app", "latest"));
        assert_eq!(r("app:v1"), s("docker.io", "library/app", "v1"));
        assert_eq!(r("localhost/a/b:c"), s("localhost", "a/b", "c"));
        assert!(r("App:1").is_err());
        assert!(r("x@sha256:00").is_err());
        assert_eq!(
            Reference::parse("127.0.0.1:5000/a").unwrap().base(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            Reference::parse("ghcr.io/a").unwrap().base(),
            "https://ghcr.io"
        );
    }

    #[test]
    fn challenges_and_base64() {
        let p = challenge_params(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:push,pull""#,
        );
        assert_eq!(p[0], ("realm".into(), "https://auth.example/token".into()));
        assert_eq!(p[2], ("scope".into(), "repository:a/b:push,pull".into()));
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(encode("repository:a/b:push"), "repository%3Aa%2Fb%3Apush");
    }
}
