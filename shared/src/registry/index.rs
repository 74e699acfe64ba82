//! A registry's sparse index: `config.json` (where downloads and the API
//! are), a crate's index file (one JSON line per published version), and
//! the download URL of a version.

use semver::Version;

use super::config::Registry;
use super::http::{Client, Reply, Retry};
use crate::error::{Error, Result};

/// `config.json` of an index.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct IndexConfig {
    /// The download URL template.
    pub dl: String,
    /// The API's base URL (needed to publish).
    pub api: Option<String>,
    /// Whether every request needs the token.
    #[serde(default, rename = "auth-required")]
    pub auth_required: bool,
}

/// A version listed in a crate's index file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The version.
    pub version: Version,
    /// Whether it was yanked.
    pub yanked: bool,
    /// The `.crate`'s SHA-256, hex.
    pub cksum: String,
}

/// An open sparse index.
#[derive(Clone, Debug)]
pub struct Index {
    /// The registry.
    pub registry: Registry,
    /// Its `config.json`.
    pub config: IndexConfig,
    base: String,
    client: Client,
    retry: Retry,
}

/// The path of `name`'s file in an index: `1/a`, `2/ab`, `3/a/abc`,
/// `ab/cd/abcd…`, lower-cased.
pub fn crate_path(name: &str) -> String {
    layout(&name.to_ascii_lowercase())
}

/// `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…` of `name` as given (cut by
/// characters, so a name that is not ASCII cannot split one).
fn layout(name: &str) -> String {
    let head = |n: usize| name.chars().take(n).collect::<String>();
    let tail = |from: usize, n: usize| name.chars().skip(from).take(n).collect::<String>();
    match name.chars().count() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", head(1)),
        _ => format!("{}/{}/{name}", head(2), tail(2, 2)),
    }
}

impl Index {
    /// Open the index of `registry`: read its `config.json`.
    ///
    /// # Errors
    /// A git index, an unreachable registry, or a `config.json` that is
    /// not one.
    pub fn open(registry: &Registry, client: &Client, retry: Retry) -> Result<Index> {
        let base = registry.sparse_base()?;
        let mut index = Index {
            registry: registry.clone(),
            config: IndexConfig {
                dl: String::new(),
                api: None,
                auth_required: false,
            },
            base,
            client: client.clone(),
            retry,
        };
        let url = format!("{}config.json", index.base);
        let reply = index.get(&url)?;
        if reply.status == 401 && registry.token.is_none() {
            return Err(index.error(
                "the index asks for a token (auth-required) and none is configured".into(),
                index.token_help(),
            ));
        }
        if reply.status != 200 {
            return Err(index.error(
                format!("{url} answered HTTP {}: {}", reply.status, reply.text()),
                "check the index URL (`registries.<name>.index` in .cargo/config.toml)".into(),
            ));
        }
        index.config = serde_json::from_slice(&reply.body).map_err(|e| {
            index.error(
                format!("{url} is not an index config.json: {e}"),
                "check the index URL; a sparse index serves config.json at its root".into(),
            )
        })?;
        Ok(index)
    }

    /// The versions of `name` in the index (none when it has no file).
    ///
    /// # Errors
    /// The registry cannot be reached, or answers with an error.
    pub fn versions(&self, name: &str) -> Result<Vec<Listed>> {
        let url = format!("{}{}", self.base, crate_path(name));
        let reply = self.get(&url)?;
        match reply.status {
            200 => Ok(parse_lines(&reply.body)),
            404 | 410 | 451 => Ok(Vec::new()),
            status => Err(self.error(
                format!("{url} answered HTTP {status}: {}", reply.text()),
                "try again later; the registry's index did not answer".into(),
            )),
        }
    }

    /// Whether `name`@`version` is listed.
    ///
    /// # Errors
    /// As [`Index::versions`].
    pub fn has(&self, name: &str, version: &Version) -> Result<bool> {
        Ok(self.versions(name)?.iter().any(|l| &l.version == version))
    }

    /// The download URL of `name`@`version` with checksum `cksum`.
    pub fn download_url(&self, name: &str, version: &Version, cksum: &str) -> String {
        let dl = &self.config.dl;
        let markers = [
            "{crate}",
            "{version}",
            "{prefix}",
            "{lowerprefix}",
            "{sha256-checksum}",
        ];
        if !markers.iter().any(|m| dl.contains(m)) {
            return format!("{}/{name}/{version}/download", dl.trim_end_matches('/'));
        }
        let path = crate_path(name);
        let prefix_of = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        };
        let lower = prefix_of(&path);
        let prefix = prefix_of(&layout(name));
        dl.replace("{crate}", name)
            .replace("{version}", &version.to_string())
            .replace("{prefix}", &prefix)
            .replace("{lowerprefix}", &lower)
            .replace("{sha256-checksum}", cksum)
    }

    /// Download `url` (a `.crate`).
    ///
    /// # Errors
    /// Not found, or the registry cannot be reached.
    pub fn download(&self, url: &str) -> Result<Vec<u8>> {
        let reply = self.get(url)?;
        if reply.status != 200 {
            return Err(self.error(
                format!("{url} answered HTTP {}: {}", reply.status, reply.text()),
                "check that the version was published and not deleted".into(),
            ));
        }
        Ok(reply.body)
    }

    /// GET with the retry rule; the token goes along when the index asks
    /// for it.
    fn get(&self, url: &str) -> Result<Reply> {
        let token = self
            .config
            .auth_required
            .then_some(self.registry.token.as_ref())
            .flatten();
        let mut attempt = 1;
        loop {
            let failure = match self.client.get(url, token) {
                Ok(reply) if !reply.transient() => return Ok(reply),
                Ok(reply) => (format!("HTTP {}", reply.status), reply.retry_after),
                Err(e) => (e, None),
            };
            if attempt >= self.retry.attempts {
                return Err(self.error(
                    format!(
                        "{url}: {} (after {})",
                        failure.0,
                        crate::text::count(attempt as usize, "attempt", "attempts")
                    ),
                    "check the registry's status and your network, then run again".into(),
                ));
            }
            attempt += 1;
            std::thread::sleep(self.retry.delay(attempt, failure.1));
        }
    }

    /// An error about this registry.
    pub fn error(&self, message: String, help: String) -> Error {
        Error::Registry {
            registry: self.registry.label().to_string(),
            message,
            help,
        }
    }

    /// How to configure the token of this registry.
    pub fn token_help(&self) -> String {
        match &self.registry.name {
            Some(n) if n == super::config::CRATES_IO => {
                "run `cargo login`, or set CARGO_REGISTRY_TOKEN".into()
            }
            Some(n) => format!(
                "run `cargo login --registry {n}`, or set CARGO_REGISTRIES_{}_TOKEN",
                n.to_ascii_uppercase().replace('-', "_")
            ),
            None => "name the registry in .cargo/config.toml (`[registries.<name>] index = …`), use --registry <name>, and set CARGO_REGISTRIES_<NAME>_TOKEN".into(),
        }
    }
}

/// The versions in an index file; lines that do not parse are passed over
/// (cargo does the same for entries it does not understand).
fn parse_lines(body: &[u8]) -> Vec<Listed> {
    #[derive(serde::Deserialize)]
    struct Line {
        vers: String,
        #[serde(default)]
        yanked: bool,
        #[serde(default)]
        cksum: String,
    }
    body.split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Line>(line).ok())
        .filter_map(|l| {
            Some(Listed {
                version: Version::parse(&l.vers).ok()?,
                yanked: l.yanked,
                cksum: l.cksum,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_as_cargo_lays_them_out() {
        let table = [
            ("a", "1/a"),
            ("ab", "2/ab"),
            ("abc", "3/a/abc"),
            ("Serde", "se/rd/serde"),
            ("cargo-http-registry", "ca/rg/cargo-http-registry"),
            ("aéb", "3/a/aéb"),
            ("aébcd", "a\u{e9}/bc/aébcd"),
        ];
        for (name, path) in table {
            assert_eq!(crate_path(name), path);
        }
    }

    #[test]
    fn index_lines_parse_and_bad_ones_are_passed_over() {
        let body = b"{\"name\":\"a\",\"vers\":\"0.1.0\",\"deps\":[],\"cksum\":\"ab\",\"features\":{},\"yanked\":false}\n\
            not json\n\
            {\"name\":\"a\",\"vers\":\"0.2.0-rc.1\",\"cksum\":\"cd\",\"yanked\":true}\n";
        let got = parse_lines(body);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].version, Version::parse("0.2.0-rc.1").unwrap());
        assert!(got[1].yanked && !got[0].yanked);
    }

    #[test]
    fn download_urls_from_the_template() {
        let reg = Registry {
            name: None,
            index: "sparse+http://127.0.0.1:1/".into(),
            token: None,
            provider: None,
        };
        let mut index = Index {
            registry: reg,
            config: IndexConfig {
                dl: "https://static.example/crates".into(),
                api: None,
                auth_required: false,
            },
            base: String::new(),
            client: Client::new(),
            retry: Retry::default(),
        };
        let v = Version::new(1, 2, 3);
        assert_eq!(
            index.download_url("Abcd", &v, "ff"),
            "https://static.example/crates/Abcd/1.2.3/download"
        );
        index.config.dl =
            "https://x/{prefix}/{lowerprefix}/{crate}-{version}.crate?{sha256-checksum}".into();
        assert_eq!(
            index.download_url("Abcd", &v, "ff"),
            "https://x/Ab/cd/ab/cd/Abcd-1.2.3.crate?ff"
        );
    }
}
