//! The binaries check: each installed binary is there, answers
//! `--version` (with the package's version as a whole token) and `--help`
//! (other arguments, another expected output, or no probe at all, per
//! binary in the settings); then the smoke commands. Binaries run in an
//! isolated environment: `HOME` and the XDG directories in the temporary
//! directory, `PWD` their working directory, rustup's library path removed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::packaged::Bin;
use super::probe::{self, BinSettings, Settings};
use super::process::Outcome;
use super::report::Status;
use super::run::{Run, timed};
use crate::error::{Error, Result};
use crate::text::count;

/// How an installed program is run: its PATH, working directory and the
/// environment that keeps it off the user's files.
pub(super) struct Sandbox {
    /// The directories put first on PATH.
    pub(super) bins: Vec<PathBuf>,
    /// The working directory.
    pub(super) cwd: PathBuf,
    /// Variables set (and, with `None`, removed).
    pub(super) env: Vec<(String, Option<OsString>)>,
}

impl Sandbox {
    /// A sandbox under `scratch`, with `bins` first on PATH.
    pub(super) fn new(scratch: &Path, bins: &[PathBuf]) -> Result<Self> {
        let cwd = scratch.join("cwd");
        let home = scratch.join("home");
        let xdg = [
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_STATE_HOME", ".local/state"),
            ("XDG_CACHE_HOME", ".cache"),
        ];
        for dir in [cwd.clone(), home.clone()]
            .into_iter()
            .chain(xdg.iter().map(|(_, d)| home.join(d)))
        {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        }
        let mut env: Vec<(String, Option<OsString>)> = vec![
            ("HOME".into(), Some(home.clone().into())),
            ("PWD".into(), Some(cwd.clone().into())),
            ("PATH".into(), Some(probe::path_with(bins))),
        ];
        for (var, dir) in xdg {
            env.push((var.into(), Some(home.join(dir).into())));
        }
        for var in [
            "LD_LIBRARY_PATH",
            "DYLD_LIBRARY_PATH",
            "DYLD_FALLBACK_LIBRARY_PATH",
        ] {
            if let Some(value) = std::env::var_os(var) {
                env.push((var.into(), without_rustup(&value)));
            }
        }
        Ok(Sandbox {
            bins: bins.to_vec(),
            cwd,
            env,
        })
    }

    /// The environment, described for the report.
    pub(super) fn describe(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .map(|(k, v)| {
                let shown = match (k.as_str(), v) {
                    (_, None) => "unset (only rustup's toolchain libraries were on it)".into(),
                    ("PATH", Some(_)) => {
                        let first: Vec<String> =
                            self.bins.iter().map(|b| b.display().to_string()).collect();
                        format!("{}, then the PATH of this run", first.join(":"))
                    }
                    (_, Some(v)) => v.to_string_lossy().into_owned(),
                };
                (k.clone(), shown)
            })
            .collect()
    }

    /// Run `program args` in the sandbox.
    pub(super) fn run(
        &self,
        program: &Path,
        args: &[String],
        extra: &[(String, String)],
        timeout: std::time::Duration,
    ) -> Result<Outcome> {
        let mut cmd = std::process::Command::new(program);
        cmd.args(args).current_dir(&self.cwd);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        super::process::run(&mut cmd, timeout)
    }
}

/// A library path without rustup's toolchain directories (set when cratesmith
/// runs under `cargo`, they would let a binary find libraries a user's
/// machine does not have); `None` when nothing else was on it.
fn without_rustup(value: &OsString) -> Option<OsString> {
    let kept: Vec<PathBuf> = std::env::split_paths(value)
        .filter(|p| {
            let text = p.to_string_lossy();
            !(text.contains("/.rustup/toolchains/") || text.contains("/rustup/toolchains/"))
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    std::env::join_paths(kept).ok()
}

impl Run<'_> {
    /// Each binary is there, answers its probes; then the smoke commands.
    pub(super) fn binaries(
        &mut self,
        label: &str,
        version: Option<&semver::Version>,
        bins: &[(String, PathBuf)],
        bin_dirs: &[PathBuf],
        settings: &Settings,
    ) -> Result<()> {
        let sandbox = Sandbox::new(&self.scratch, bin_dirs)?;
        if self.report.environment.is_empty() {
            self.report.environment = sandbox.describe();
        }
        for (bin, path) in bins {
            if !path.is_file() {
                self.add(
                    label,
                    &format!("bin {bin}"),
                    Status::Fail,
                    "not installed".into(),
                    0,
                );
                continue;
            }
            let own = settings.bins.get(bin).cloned().unwrap_or_default();
            if !own.probes {
                let detail = "probes off in the settings (`probes = false`)".to_string();
                self.add(label, &format!("bin {bin}"), Status::Pass, detail, 0);
                continue;
            }
            self.version_probe(label, bin, path, version, &own, &sandbox)?;
            self.help_probe(label, bin, path, &own, &sandbox)?;
        }
        for smoke in &settings.smoke {
            let path = probe::path_with(bin_dirs);
            let program = probe::which(&smoke.command[0], &path)
                .unwrap_or_else(|| PathBuf::from(&smoke.command[0]));
            let limit = smoke.timeout.unwrap_or(self.opts.timeout);
            let (out, ms) = timed(|| sandbox.run(&program, &smoke.command[1..], &smoke.env, limit));
            let check = format!("smoke `{}`", smoke.command.join(" "));
            match out {
                Ok(out) => {
                    let verdict = probe::judge(smoke, &out);
                    self.verdict(label, &check, verdict, ms, &out);
                }
                Err(Error::Interrupted) => return Err(Error::Interrupted),
                Err(e) => self.add(label, &check, Status::Fail, e.to_string(), ms),
            }
        }
        Ok(())
    }

    /// `bin --version` (or the configured arguments) prints the package's
    /// version as a whole token (or matches the configured regex).
    fn version_probe(
        &mut self,
        label: &str,
        bin: &str,
        path: &Path,
        version: Option<&semver::Version>,
        own: &BinSettings,
        sandbox: &Sandbox,
    ) -> Result<()> {
        let Some(args) = own.version_args.clone() else {
            return Ok(());
        };
        let (out, ms) = timed(|| sandbox.run(path, &args, &[], self.opts.timeout));
        let out = out?;
        let printed = format!("{}{}", out.stdout, out.stderr);
        let first = printed.lines().next().unwrap_or("").trim().to_string();
        let verdict = match (out.success(), out.timed_out, &own.version_regex, version) {
            (_, true, _, _) => Err("timed out".to_string()),
            (false, _, _, _) if printed.contains("panicked at") => Err(format!(
                "exit {}, it panicked; help: a binary that takes no flags (a build helper, a test runner) can say so with `probes = false` under [package.metadata.verify-install.bin.{bin}], or be left out of what users install",
                exit_text(&out)
            )),
            (false, _, _, _) => Err(format!("exit {}", exit_text(&out))),
            (true, _, Some(re), _) => match regex_lite::Regex::new(re) {
                Ok(r) if r.is_match(&printed) => Ok(first),
                _ => Err(format!("printed `{first}`, which does not match `{re}`")),
            },
            (true, _, None, Some(v)) if !has_version(&printed, v) => {
                Err(format!("printed `{first}`, expected version {v}"))
            }
            (true, _, None, _) => Ok(first),
        };
        let check = format!("{bin} {}", args.join(" "));
        self.verdict(label, check.trim_end(), verdict, ms, &out);
        Ok(())
    }

    /// `bin --help` (or the configured arguments) exits 0.
    fn help_probe(
        &mut self,
        label: &str,
        bin: &str,
        path: &Path,
        own: &BinSettings,
        sandbox: &Sandbox,
    ) -> Result<()> {
        let Some(args) = own.help_args.clone() else {
            return Ok(());
        };
        let (out, ms) = timed(|| sandbox.run(path, &args, &[], self.opts.timeout));
        let out = out?;
        let verdict = if out.success() {
            Ok(count(out.stdout.lines().count(), "line", "lines"))
        } else if out.timed_out {
            Err("timed out".into())
        } else {
            Err(format!("exit {}", exit_text(&out)))
        };
        let check = format!("{bin} {}", args.join(" "));
        self.verdict(label, check.trim_end(), verdict, ms, &out);
        Ok(())
    }

    fn verdict(
        &mut self,
        label: &str,
        check: &str,
        verdict: std::result::Result<String, String>,
        ms: u64,
        out: &Outcome,
    ) {
        let (status, detail) = match verdict {
            Ok(detail) => (Status::Pass, detail),
            Err(detail) => (Status::Fail, detail),
        };
        self.add_with(label, check, status, detail, ms, Some(out.output()));
    }
}

/// Whether `text` names `version` as a whole SemVer token: `0.1.0` is in
/// `tool 0.1.0` and `v0.1.0,` but not in `0.1.0-alpha.1` or `10.1.0.5`.
pub(super) fn has_version(text: &str, version: &semver::Version) -> bool {
    let wanted = version.to_string();
    let token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    text.match_indices(&wanted).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + wanted.len()..].chars().next();
        let starts = match before {
            None => true,
            Some('v' | 'V') => text[..at - 1]
                .chars()
                .next_back()
                .is_none_or(|c| !token_char(c)),
            Some(c) => !token_char(c),
        };
        // A token may end in punctuation (`0.1.0.` at the end of a sentence).
        let ends = match after {
            None => true,
            Some('.') => text[at + wanted.len() + 1..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric()),
            Some(c) => !token_char(c),
        };
        starts && ends
    })
}

fn exit_text(out: &Outcome) -> String {
    out.code
        .map_or_else(|| "by a signal".to_string(), |c| c.to_string())
}

/// Where each of `bins` is installed in `bin_dir`.
pub(super) fn bin_paths(bins: &[Bin], bin_dir: &Path) -> Vec<(String, PathBuf)> {
    let exe = |b: &str| bin_dir.join(format!("{b}{}", std::env::consts::EXE_SUFFIX));
    bins.iter()
        .map(|b| (b.name.clone(), exe(&b.name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_a_whole_token() {
        let v = semver::Version::parse("0.1.0").unwrap();
        let yes = [
            "tool 0.1.0",
            "tool v0.1.0",
            "0.1.0",
            "tool 0.1.0 (abc 2026-11-22)",
            "version: 0.1.0.",
            "tool 0.1.0\n",
        ];
        let no = [
            "v1 0.1.0-alpha.1",
            "10.1.0.5",
            "tool 0.1.00",
            "tool 0.1.0+build",
            "x0.1.0",
            "tool 0.1.0.5",
        ];
        for t in yes {
            assert!(has_version(t, &v), "{t:?}");
        }
        for t in no {
            assert!(!has_version(t, &v), "{t:?}");
        }
    }

    #[test]
    fn rustups_library_path_is_dropped() {
        let value: OsString = "/home/u/.rustup/toolchains/stable-x86_64/lib:/opt/lib".into();
        assert_eq!(without_rustup(&value), Some("/opt/lib".into()));
        let only: OsString = "/home/u/.rustup/toolchains/stable-x86_64/lib".into();
        assert_eq!(without_rustup(&only), None);
    }
}
