//! Which registry a command talks to, and with which token, resolved the
//! way cargo resolves them: `--index URL`, `--registry NAME`, else
//! `registry.default`, else crates.io. Index URLs come from
//! `CARGO_REGISTRIES_<NAME>_INDEX` or `registries.<name>.index` in the
//! `.cargo/config.toml` files from the current directory up and in
//! `$CARGO_HOME`; tokens from `CARGO_REGISTRIES_<NAME>_TOKEN`
//! (`CARGO_REGISTRY_TOKEN` for crates.io), the config files, or
//! `$CARGO_HOME/credentials.toml` (cargo's `cargo:token` provider).
//! A token is never printed: [`Token`] shows as `***`.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};

/// crates.io's sparse index.
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";
/// crates.io's index as cargo names it in other registries' metadata.
pub const CRATES_IO_GIT: &str = "https://github.com/rust-lang/crates.io-index";
/// cargo's name for crates.io.
pub const CRATES_IO: &str = "crates-io";

/// `--registry NAME`, `--index URL`, or neither.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Choice {
    /// `registry.default`, else crates.io.
    #[default]
    Default,
    /// `--registry NAME`.
    Named(String),
    /// `--index URL`.
    Index(String),
}

impl Choice {
    /// What cargo is told of it: `--registry NAME`, `--index URL`, or nothing.
    pub fn cargo_args(&self) -> Vec<String> {
        match self {
            Choice::Default => Vec::new(),
            Choice::Named(n) => vec!["--registry".into(), n.clone()],
            Choice::Index(u) => vec!["--index".into(), u.clone()],
        }
    }

    /// The choice `--registry` and `--index` make (clap keeps them apart).
    pub fn from_flags(registry: Option<&String>, index: Option<&String>) -> Choice {
        match (registry, index) {
            (Some(name), _) => Choice::Named(name.clone()),
            (None, Some(url)) => Choice::Index(url.clone()),
            (None, None) => Choice::Default,
        }
    }
}

/// A registry token. It shows as `***` wherever it is formatted.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Token(text.into())
    }

    /// The token's text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A registry: its name, index URL and token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    /// cargo's name for it (`crates-io`, a `[registries]` key), or `None`
    /// for an `--index` URL no configured registry has.
    pub name: Option<String>,
    /// The index URL as configured (`sparse+https://…/`).
    pub index: String,
    /// The token, when one is configured.
    pub token: Option<Token>,
    /// A credential provider other than `cargo:token`, when one is configured.
    pub provider: Option<String>,
}

impl Registry {
    /// The registry `choice` names, for a command run in `cwd`.
    ///
    /// # Errors
    /// A registry name with no index configured, or a plain-http index on a
    /// host other than a loopback address.
    pub fn resolve(choice: &Choice, cwd: &Path) -> Result<Registry> {
        let config = Config::read(cwd);
        let registry = match choice {
            Choice::Index(url) => {
                let name = config.name_of_index(url);
                let mut r = config.named(name.as_deref().unwrap_or(""), Some(url.clone()))?;
                r.name = name;
                r
            }
            Choice::Named(name) => config.named(name, None)?,
            Choice::Default => {
                let name = std::env::var("CARGO_REGISTRY_DEFAULT")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .or_else(|| config.string(&["registry", "default"]))
                    .unwrap_or_else(|| CRATES_IO.to_string());
                config.named(&name, None)?
            }
        };
        check_transport(&registry.index, matches!(choice, Choice::Index(_)))?;
        Ok(registry)
    }

    /// The token to publish with: the configured one, else what a
    /// `cargo:token-from-stdout <command>` credential provider prints (run
    /// with `CARGO_REGISTRY_INDEX_URL` and `CARGO_REGISTRY_NAME_OPT`, as
    /// cargo runs it); `None` when there is neither.
    ///
    /// # Errors
    /// The provider cannot be run or fails; its output is not shown.
    pub fn publish_token(&self) -> Result<Option<Token>> {
        if let Some(t) = &self.token {
            return Ok(Some(t.clone()));
        }
        let Some(command) = self
            .provider
            .as_deref()
            .and_then(|p| p.strip_prefix("cargo:token-from-stdout"))
        else {
            return Ok(None);
        };
        let mut words = command.split_whitespace();
        let fail = |message: String| Error::Registry {
            registry: self.label().to_string(),
            message,
            help: "check the registry's credential-provider in the cargo config".into(),
        };
        let program = words
            .next()
            .ok_or_else(|| fail("cargo:token-from-stdout names no command".into()))?;
        let out = std::process::Command::new(program)
            .args(words)
            .env("CARGO_REGISTRY_INDEX_URL", &self.index)
            .env(
                "CARGO_REGISTRY_NAME_OPT",
                self.name.as_deref().unwrap_or(""),
            )
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| {
                fail(format!(
                    "credential provider `{program}` could not run: {e}"
                ))
            })?;
        if !out.status.success() {
            return Err(fail(format!(
                "credential provider `{program}` failed ({})",
                out.status
            )));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let token = text.lines().next().unwrap_or("").trim();
        if token.is_empty() {
            return Err(fail(format!(
                "credential provider `{program}` printed no token"
            )));
        }
        Ok(Some(Token::new(token)))
    }

    /// How messages name it: its name, else its index URL.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.index)
    }

    /// Whether it is crates.io.
    pub fn is_crates_io(&self) -> bool {
        self.name.as_deref() == Some(CRATES_IO)
    }

    /// The arguments that make cargo use it: `--registry NAME` or `--index URL`.
    pub fn cargo_args(&self) -> Vec<String> {
        match &self.name {
            Some(name) if name == CRATES_IO => Vec::new(),
            Some(name) => vec!["--registry".into(), name.clone()],
            None => vec!["--index".into(), self.index.clone()],
        }
    }

    /// The index's HTTP base URL, ending in `/`.
    ///
    /// # Errors
    /// A git index: only the sparse protocol is read.
    pub fn sparse_base(&self) -> Result<String> {
        let Some(url) = self.index.strip_prefix("sparse+") else {
            return Err(Error::Registry {
                registry: self.label().to_string(),
                message: "it is a git index; only sparse indexes are read".into(),
                help: "use the registry's sparse index (`sparse+https://…`); crates.io's is sparse+https://index.crates.io/".into(),
            });
        };
        Ok(if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        })
    }

    /// The index URL as another registry's metadata names it: crates.io's
    /// is its git URL, as cargo sends it.
    pub fn metadata_url(&self) -> String {
        if self.is_crates_io() {
            CRATES_IO_GIT.to_string()
        } else {
            self.index.trim_end_matches('/').to_string()
        }
    }
}

/// Plain http only to a loopback address: a token or a package must not
/// cross a network in the clear.
fn check_transport(index: &str, from_flag: bool) -> Result<()> {
    let url = index.strip_prefix("sparse+").unwrap_or(index);
    let Some(rest) = url.strip_prefix("http://") else {
        return Ok(());
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .trim_start_matches('[');
    let host = host.split_once(']').map_or_else(
        || host.rsplit_once(':').map_or(host, |(h, _)| h),
        |(h, _)| h,
    );
    if is_loopback(host) {
        return Ok(());
    }
    let message =
        format!("refusing the plain-http index `{index}`: only loopback addresses may use http");
    let help = "use https (`sparse+https://…`), or a registry on 127.0.0.1".to_string();
    Err(if from_flag {
        Error::Usage { message, help }
    } else {
        Error::Registry {
            registry: index.to_string(),
            message,
            help,
        }
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The cargo configuration files that apply, nearest first, and the
/// credentials file.
struct Config {
    docs: Vec<toml_edit::DocumentMut>,
    credentials: Option<toml_edit::DocumentMut>,
}

impl Config {
    fn read(cwd: &Path) -> Config {
        let home = crate::cargo_config::cargo_home();
        let dirs = cwd
            .ancestors()
            .map(|a| a.join(".cargo"))
            .chain(home.clone());
        let mut docs = Vec::new();
        for dir in dirs {
            if let Some(doc) = ["config.toml", "config"]
                .iter()
                .find_map(|n| parse(&dir.join(n)))
            {
                docs.push(doc);
            }
        }
        let credentials = home.and_then(|h| {
            ["credentials.toml", "credentials"]
                .iter()
                .find_map(|n| parse(&h.join(n)))
        });
        Config { docs, credentials }
    }

    fn string(&self, keys: &[&str]) -> Option<String> {
        self.docs.iter().find_map(|d| lookup(d, keys))
    }

    /// The registry named `name`; `index` given by `--index`.
    fn named(&self, name: &str, index: Option<String>) -> Result<Registry> {
        let env = env_key(name);
        let index = index
            .or_else(|| std::env::var(format!("CARGO_REGISTRIES_{env}_INDEX")).ok())
            .or_else(|| self.string(&["registries", name, "index"]))
            .or_else(|| (name == CRATES_IO).then(|| CRATES_IO_INDEX.to_string()));
        let Some(index) = index else {
            return Err(Error::Registry {
                registry: name.to_string(),
                message: "no index URL is configured for it".into(),
                help: format!(
                    "add `[registries.{name}] index = \"sparse+https://…\"` to .cargo/config.toml, or set CARGO_REGISTRIES_{env}_INDEX"
                ),
            });
        };
        let (token, provider) = if name.is_empty() {
            (None, None)
        } else {
            (self.token(name), self.provider(name))
        };
        Ok(Registry {
            name: (!name.is_empty()).then(|| name.to_string()),
            index,
            token,
            provider,
        })
    }

    fn token(&self, name: &str) -> Option<Token> {
        let var = if name == CRATES_IO {
            "CARGO_REGISTRY_TOKEN".to_string()
        } else {
            format!("CARGO_REGISTRIES_{}_TOKEN", env_key(name))
        };
        let keys: Vec<&str> = if name == CRATES_IO {
            vec!["registry", "token"]
        } else {
            vec!["registries", name, "token"]
        };
        std::env::var(var)
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| self.string(&keys))
            .or_else(|| self.credentials.as_ref().and_then(|c| lookup(c, &keys)))
            .map(Token)
    }

    fn provider(&self, name: &str) -> Option<String> {
        let keys: Vec<&str> = if name == CRATES_IO {
            vec!["registry", "credential-provider"]
        } else {
            vec!["registries", name, "credential-provider"]
        };
        self.docs
            .iter()
            .find_map(|d| string_or_list(d, &keys))
            .or_else(|| {
                self.docs.iter().find_map(|d| {
                    d.get("registry")?
                        .get("global-credential-providers")?
                        .as_array()?
                        .iter()
                        .filter_map(|v| v.as_str())
                        .last()
                        .map(String::from)
                })
            })
            .filter(|p| p != "cargo:token")
    }

    /// The configured registry whose index is `url`.
    fn name_of_index(&self, url: &str) -> Option<String> {
        let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
        if same(url, CRATES_IO_INDEX) {
            return Some(CRATES_IO.to_string());
        }
        self.docs.iter().find_map(|d| {
            d.get("registries")?
                .as_table_like()?
                .iter()
                .find(|(_, v)| {
                    v.get("index")
                        .and_then(|i| i.as_str())
                        .is_some_and(|i| same(i, url))
                })
                .map(|(k, _)| k.to_string())
        })
    }
}

/// A value cargo takes as a string or a list of words (a command).
fn string_or_list(doc: &toml_edit::DocumentMut, keys: &[&str]) -> Option<String> {
    let mut item = doc.as_item();
    for k in keys {
        item = item.get(k)?;
    }
    if let Some(s) = item.as_str() {
        return Some(s.to_string());
    }
    let words: Vec<&str> = item.as_array()?.iter().filter_map(|v| v.as_str()).collect();
    Some(words.join(" "))
}

fn lookup(doc: &toml_edit::DocumentMut, keys: &[&str]) -> Option<String> {
    let mut item = doc.as_item();
    for k in keys {
        item = item.get(k)?;
    }
    item.as_str().map(String::from)
}

fn parse(file: &Path) -> Option<toml_edit::DocumentMut> {
    std::fs::read_to_string(file).ok()?.parse().ok()
}

/// `my-registry` as an environment variable part: `MY_REGISTRY`.
fn env_key(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        let table = [
            ("sparse+http://127.0.0.1:8080/index/", true),
            ("sparse+http://[::1]:8080/", true),
            ("sparse+http://localhost/", true),
            ("sparse+http://user@127.0.0.1:1/", true),
            ("sparse+https://example.com/", true),
            ("sparse+http://example.com/", false),
            ("sparse+http://10.0.0.1:80/", false),
            ("http://127.0.0.2.example.com/", false),
        ];
        for (url, ok) in table {
            assert_eq!(check_transport(url, true).is_ok(), ok, "{url}");
        }
        assert!(matches!(
            check_transport("sparse+http://example.com/", true),
            Err(Error::Usage { .. })
        ));
    }

    #[test]
    fn tokens_never_format() {
        let t = Token::new("cio-secret");
        assert_eq!(format!("{t} {t:?}"), "*** Token(***)");
        let r = Registry {
            name: Some("x".into()),
            index: "sparse+https://x/".into(),
            token: Some(t),
            provider: None,
        };
        assert!(!format!("{r:?}").contains("secret"));
    }

    #[test]
    fn env_keys_as_cargo_spells_them() {
        assert_eq!(env_key("my-registry"), "MY_REGISTRY");
    }

    #[test]
    fn sparse_base_and_git_indexes() {
        let r = |index: &str| Registry {
            name: None,
            index: index.into(),
            token: None,
            provider: None,
        };
        assert_eq!(
            r("sparse+http://127.0.0.1:1/crates").sparse_base().unwrap(),
            "http://127.0.0.1:1/crates/"
        );
        assert!(
            r("https://github.com/rust-lang/crates.io-index")
                .sparse_base()
                .is_err()
        );
    }
}
