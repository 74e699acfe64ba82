//! Step 3 and 5: what is checked on installed binaries (`--version`,
//! `--help`, smoke commands) and on the toolchain and external programs,
//! with the `[package.metadata.verify-install]` settings that declare them.
//!
//! ```toml
//! [package.metadata.verify-install]
//! requires = ["git >= 2.30"]
//! [[package.metadata.verify-install.smoke]]
//! command = ["demo", "greet", "world"]   # or a string split on spaces
//! status = 0                             # default 0
//! stdout = "hello world"                 # substring; stdout-regex for a regex
//! stderr-regex = "^$"
//! env = { DEMO_LANG = "en" }
//! timeout = 30                           # seconds, default --timeout
//! [package.metadata.verify-install.bin.demo-run]
//! probes = false                         # a binary that takes no flags
//! [package.metadata.verify-install.bin.demo]
//! version = ["-V"]                       # the version probe's arguments (false: none)
//! help = ["-h"]                          # the help probe's arguments (false: none)
//! version-regex = "^demo \\d+"          # instead of the package's version
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use toml_edit::Item;

use super::process::{self, Outcome};
use crate::error::{Error, Result};
use crate::manifest::Manifest;

/// One declared smoke command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Smoke {
    /// Program and arguments.
    pub command: Vec<String>,
    /// Expected exit code.
    pub status: i32,
    /// Expected stdout: (is regex, pattern).
    pub stdout: Option<(bool, String)>,
    /// Expected stderr: (is regex, pattern).
    pub stderr: Option<(bool, String)>,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Its own time limit.
    pub timeout: Option<Duration>,
}

/// `[package.metadata.verify-install.bin.<name>]`: how one binary is probed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinSettings {
    /// Whether it is probed at all.
    pub probes: bool,
    /// The version probe's arguments; `None`: no version probe.
    pub version_args: Option<Vec<String>>,
    /// The help probe's arguments; `None`: no help probe.
    pub help_args: Option<Vec<String>>,
    /// What the version probe must print, instead of the package's version.
    pub version_regex: Option<String>,
}

impl Default for BinSettings {
    fn default() -> Self {
        BinSettings {
            probes: true,
            version_args: Some(vec!["--version".into()]),
            help_args: Some(vec!["--help".into()]),
            version_regex: None,
        }
    }
}

/// `[package.metadata.verify-install]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Smoke commands.
    pub smoke: Vec<Smoke>,
    /// External programs: (name, version requirement).
    pub requires: Vec<(String, Option<semver::VersionReq>)>,
    /// Per binary, by name.
    pub bins: std::collections::BTreeMap<String, BinSettings>,
}

impl Settings {
    /// Read them from the package's manifest (errors located in it).
    pub fn load(manifest: &Path) -> Result<Self> {
        let m = Manifest::load(manifest)?;
        let Some(item) = m.get(&["package", "metadata", "verify-install"]) else {
            return Ok(Settings::default());
        };
        let table = item
            .as_table_like()
            .ok_or_else(|| bad(&m, item, "must be a table"))?;
        let mut out = Settings::default();
        for (key, value) in table.iter() {
            match key {
                "smoke" => {
                    let list = value
                        .as_array_of_tables()
                        .map(|a| {
                            a.iter()
                                .map(|t| t as &dyn toml_edit::TableLike)
                                .collect::<Vec<_>>()
                        })
                        .or_else(|| {
                            value.as_array().map(|a| {
                                a.iter()
                                    .filter_map(|v| v.as_inline_table())
                                    .map(|t| t as &dyn toml_edit::TableLike)
                                    .collect()
                            })
                        })
                        .ok_or_else(|| bad(&m, value, "`smoke` must be an array of tables"))?;
                    for t in list {
                        out.smoke.push(smoke(&m, value, t)?);
                    }
                }
                "requires" => {
                    let array = value
                        .as_array()
                        .ok_or_else(|| bad(&m, value, "`requires` must be an array of strings"))?;
                    for v in array {
                        let s = v.as_str().ok_or_else(|| {
                            bad(&m, value, "`requires` must be an array of strings")
                        })?;
                        out.requires
                            .push(requirement(s).map_err(|e| bad(&m, value, &e))?);
                    }
                }
                "bin" => {
                    let table = value
                        .as_table_like()
                        .ok_or_else(|| bad(&m, value, "`bin` must be a table of binaries"))?;
                    for (name, item) in table.iter() {
                        out.bins.insert(name.to_string(), bin_settings(&m, item)?);
                    }
                }
                other => {
                    return Err(bad(
                        &m,
                        value,
                        &format!("unknown key `{other}`; expected smoke, requires or bin"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

fn bad(m: &Manifest, item: &Item, message: &str) -> Error {
    m.invalid(
        item.span(),
        format!("[package.metadata.verify-install]: {message}"),
        Some("see `cargo verify-install --help` for the settings".into()),
    )
}

fn smoke(m: &Manifest, at: &Item, t: &dyn toml_edit::TableLike) -> Result<Smoke> {
    let mut s = Smoke::default();
    for (key, value) in t.iter() {
        let text = || {
            value
                .as_str()
                .map(String::from)
                .ok_or_else(|| bad(m, at, &format!("smoke `{key}` must be a string")))
        };
        match key {
            "command" => {
                s.command = match (value.as_str(), value.as_array()) {
                    (Some(line), _) => line.split_whitespace().map(String::from).collect(),
                    (_, Some(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                    _ => Vec::new(),
                };
            }
            "status" => {
                s.status = value
                    .as_integer()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| bad(m, at, "smoke `status` must be an exit code"))?;
            }
            "stdout" => s.stdout = Some((false, text()?)),
            "stdout-regex" => s.stdout = Some((true, regex(m, at, text()?)?)),
            "stderr" => s.stderr = Some((false, text()?)),
            "stderr-regex" => s.stderr = Some((true, regex(m, at, text()?)?)),
            "timeout" => {
                let secs = value
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| bad(m, at, "smoke `timeout` must be seconds"))?;
                s.timeout = Some(Duration::from_secs(secs));
            }
            "env" => {
                let table = value
                    .as_table_like()
                    .ok_or_else(|| bad(m, at, "smoke `env` must be a table of strings"))?;
                for (k, v) in table.iter() {
                    let v = v
                        .as_str()
                        .ok_or_else(|| bad(m, at, "smoke `env` must be a table of strings"))?;
                    s.env.push((k.to_string(), v.to_string()));
                }
            }
            other => {
                return Err(bad(
                    m,
                    at,
                    &format!(
                        "unknown smoke key `{other}`; expected command, status, stdout, stdout-regex, stderr, stderr-regex, env or timeout"
                    ),
                ));
            }
        }
    }
    if s.command.is_empty() {
        return Err(bad(m, at, "a smoke command needs a non-empty `command`"));
    }
    Ok(s)
}

fn bin_settings(m: &Manifest, item: &Item) -> Result<BinSettings> {
    let table = item
        .as_table_like()
        .ok_or_else(|| bad(m, item, "a `bin.<name>` entry must be a table"))?;
    let mut out = BinSettings::default();
    let args = |key: &str, value: &Item| -> Result<Option<Vec<String>>> {
        if value.as_bool() == Some(false) {
            return Ok(None);
        }
        let list = value.as_array().ok_or_else(|| {
            bad(
                m,
                value,
                &format!("`{key}` must be an array of arguments, or false"),
            )
        })?;
        list.iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| bad(m, value, &format!("`{key}` must be an array of strings")))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    };
    for (key, value) in table.iter() {
        match key {
            "probes" => {
                out.probes = value
                    .as_bool()
                    .ok_or_else(|| bad(m, value, "`probes` must be true or false"))?;
            }
            "version" => out.version_args = args(key, value)?,
            "help" => out.help_args = args(key, value)?,
            "version-regex" => {
                let pattern = value
                    .as_str()
                    .ok_or_else(|| bad(m, value, "`version-regex` must be a string"))?;
                out.version_regex = Some(regex(m, value, pattern.to_string())?);
            }
            other => {
                return Err(bad(
                    m,
                    value,
                    &format!(
                        "unknown key `{other}` of a binary; expected probes, version, help or version-regex"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn regex(m: &Manifest, at: &Item, pattern: String) -> Result<String> {
    regex_lite::Regex::new(&pattern)
        .map(|_| pattern.clone())
        .map_err(|e| bad(m, at, &format!("`{pattern}` is not a valid regex: {e}")))
}

/// `git >= 2.30` -> (`git`, `>=2.30`); a bare name needs no version.
pub fn requirement(text: &str) -> Result<(String, Option<semver::VersionReq>), String> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_whitespace() || "<>=^~".contains(c));
    let (name, req) = match split {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    };
    if name.is_empty() {
        return Err(format!("`{text}` names no program"));
    }
    if req.is_empty() {
        return Ok((name.to_string(), None));
    }
    semver::VersionReq::parse(req)
        .map(|r| (name.to_string(), Some(r)))
        .map_err(|e| format!("`{req}` in `{text}` is not a version requirement: {e}"))
}

/// The first `x.y[.z]` in `text`, as a version.
pub fn version_in(text: &str) -> Option<semver::Version> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = |j: usize| j == 0 || !bytes[j - 1].is_ascii_alphanumeric();
        let starts =
            i == 0 || word_start(i) || (matches!(bytes[i - 1], b'v' | b'V') && word_start(i - 1));
        if bytes[i].is_ascii_digit() && starts {
            let rest = &text[i..];
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let parts: Vec<&str> = token.trim_end_matches('.').split('.').collect();
            if parts.len() >= 2 {
                let n = |k: usize| parts.get(k).and_then(|p| p.parse().ok()).unwrap_or(0);
                return Some(semver::Version::new(n(0), n(1), n(2)));
            }
            i += token.len().max(1);
        } else {
            i += 1;
        }
    }
    None
}

/// Whether `outcome` meets what `smoke` expects; the reason when not.
pub fn judge(smoke: &Smoke, outcome: &Outcome) -> std::result::Result<String, String> {
    if outcome.timed_out {
        return Err("timed out".into());
    }
    if outcome.code != Some(smoke.status) {
        return Err(format!(
            "exit {}, expected {}",
            outcome.code.map_or("by a signal".into(), |c| c.to_string()),
            smoke.status
        ));
    }
    for (stream, expected, got) in [
        ("stdout", &smoke.stdout, &outcome.stdout),
        ("stderr", &smoke.stderr, &outcome.stderr),
    ] {
        let Some((is_regex, pattern)) = expected else {
            continue;
        };
        let ok = if *is_regex {
            regex_lite::Regex::new(pattern).is_ok_and(|r| r.is_match(got))
        } else {
            got.contains(pattern.as_str())
        };
        if !ok {
            let how = if *is_regex { "match" } else { "contain" };
            return Err(format!("{stream} does not {how} `{pattern}`"));
        }
    }
    Ok(format!("exit {}", smoke.status))
}

/// A PATH with `bins` first.
pub fn path_with(bins: &[PathBuf]) -> OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(bins.iter().cloned().chain(std::env::split_paths(&rest))).unwrap_or(rest)
}

/// Find `name` on `path` (like `which`).
pub fn which(name: &str, path: &OsString) -> Option<PathBuf> {
    let exe = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(path)
        .map(|d| d.join(&exe))
        .find(|p| p.is_file())
}

/// The result of checking one required program.
pub fn required(
    name: &str,
    req: Option<&semver::VersionReq>,
    timeout: Duration,
) -> std::result::Result<String, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let Some(program) = which(name, &path) else {
        return Err(format!("`{name}` is missing from PATH"));
    };
    let Some(req) = req else {
        return Ok(format!("found at {}", program.display()));
    };
    let out = process::run(Command::new(&program).arg("--version"), timeout)
        .map_err(|e| format!("`{name} --version` failed: {e}"))?;
    let text = format!("{}{}", out.stdout, out.stderr);
    let Some(version) = version_in(&text) else {
        return Err(format!("no version in the output of `{name} --version`"));
    };
    if req.matches(&version) {
        Ok(format!("{version} ({req})"))
    } else {
        Err(format!("{version} is outdated: {req} is required"))
    }
}

/// The active rustc's version, as run from `dir`.
pub fn rustc_version(dir: &Path, timeout: Duration) -> Result<semver::Version> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = process::run(
        Command::new(rustc).arg("--version").current_dir(dir),
        timeout,
    )?;
    version_in(&out.stdout).ok_or_else(|| Error::Command {
        program: "rustc --version".into(),
        message: "printed no version".into(),
        output: out.output(),
        help: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_and_versions_parse() {
        let (name, req) = requirement("git >= 2.30").unwrap();
        assert_eq!(
            (name.as_str(), req.unwrap().to_string()),
            ("git", ">=2.30".into())
        );
        assert_eq!(requirement("make").unwrap(), ("make".into(), None));
        assert_eq!(requirement("git>=2").unwrap().0, "git");
        assert!(requirement("git >= banana").is_err());
        let cases = [
            ("git version 2.47.3", Some("2.47.3")),
            ("GNU Make 4.3", Some("4.3.0")),
            ("rustc 1.95.0 (59807616e 2026-04-14)", Some("1.95.0")),
            ("tool v10.2-beta", Some("10.2.0")),
            ("x86_64 build 7", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                version_in(text).map(|v| v.to_string()),
                want.map(String::from),
                "{text}"
            );
        }
    }

    #[test]
    fn smoke_outcomes_are_judged() {
        let smoke = Smoke {
            command: vec!["demo".into()],
            stdout: Some((false, "hello".into())),
            stderr: Some((true, "^$".into())),
            ..Smoke::default()
        };
        let out = |code, stdout: &str, stderr: &str| Outcome {
            code,
            stdout: stdout.into(),
            stderr: stderr.into(),
            timed_out: false,
        };
        assert!(judge(&smoke, &out(Some(0), "hello world", "")).is_ok());
        assert_eq!(
            judge(&smoke, &out(Some(2), "hello", "")).unwrap_err(),
            "exit 2, expected 0"
        );
        assert_eq!(
            judge(&smoke, &out(Some(0), "bye", "")).unwrap_err(),
            "stdout does not contain `hello`"
        );
        assert_eq!(
            judge(&smoke, &out(Some(0), "hello", "warning")).unwrap_err(),
            "stderr does not match `^$`"
        );
        let slow = Outcome {
            timed_out: true,
            ..Outcome::default()
        };
        assert_eq!(judge(&smoke, &slow).unwrap_err(), "timed out");
    }
}
