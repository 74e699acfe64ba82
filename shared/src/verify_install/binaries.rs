//! The binaries check: each installed binary is there, answers
//! `--version` (with the package's version) and `--help`; then the smoke
//! commands of the settings.

use std::path::{Path, PathBuf};

use super::probe::{self, Settings};
use super::process::Outcome;
use super::report::Status;
use super::run::{Run, timed};
use crate::error::{Error, Result};
use crate::term::count;

impl Run<'_> {
    /// Each binary is there, answers `--version` (with `version`, when
    /// known) and `--help`; then the smoke commands.
    pub(super) fn binaries(
        &mut self,
        label: &str,
        version: Option<&semver::Version>,
        bins: &[(String, PathBuf)],
        bin_dir: &Path,
        settings: &Settings,
    ) -> Result<()> {
        let cwd = self.scratch.join("cwd");
        std::fs::create_dir_all(&cwd).map_err(|e| Error::io("create", &cwd, e))?;
        let timeout = self.opts.timeout;
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
            let args = ["--version".to_string()];
            let (out, ms) =
                timed(|| probe::run_with_path(path, &args, bin_dir, &cwd, &[], timeout));
            let out = out?;
            let first = out.stdout.lines().next().unwrap_or("").trim().to_string();
            let verdict = match (out.success(), out.timed_out, version) {
                (_, true, _) => Err("timed out".to_string()),
                (false, _, _) => Err(format!("exit {}", exit_text(&out))),
                (true, _, Some(v)) if !out.stdout.contains(&v.to_string()) => {
                    Err(format!("printed `{first}`, expected version {v}"))
                }
                (true, _, _) => Ok(first),
            };
            self.verdict(label, &format!("{bin} --version"), verdict, ms, &out);
            let args = ["--help".to_string()];
            let (out, ms) =
                timed(|| probe::run_with_path(path, &args, bin_dir, &cwd, &[], timeout));
            let out = out?;
            let verdict = if out.success() {
                Ok(count(out.stdout.lines().count(), "line", "lines"))
            } else if out.timed_out {
                Err("timed out".into())
            } else {
                Err(format!("exit {}", exit_text(&out)))
            };
            self.verdict(label, &format!("{bin} --help"), verdict, ms, &out);
        }
        let path = probe::path_with(bin_dir);
        for smoke in &settings.smoke {
            let program = probe::which(&smoke.command[0], &path)
                .unwrap_or_else(|| PathBuf::from(&smoke.command[0]));
            let limit = smoke.timeout.unwrap_or(timeout);
            let (out, ms) = timed(|| {
                probe::run_with_path(
                    &program,
                    &smoke.command[1..],
                    bin_dir,
                    &cwd,
                    &smoke.env,
                    limit,
                )
            });
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

    fn verdict(
        &mut self,
        label: &str,
        check: &str,
        verdict: std::result::Result<String, String>,
        ms: u64,
        out: &Outcome,
    ) {
        match verdict {
            Ok(detail) => self.add_with(label, check, Status::Pass, detail, ms, Some(out.output())),
            Err(detail) => {
                self.add_with(label, check, Status::Fail, detail, ms, Some(out.output()))
            }
        }
    }
}

/// Where each of `bins` is installed in `bin_dir`.
pub(super) fn bin_paths(bins: &[String], bin_dir: &Path) -> Vec<(String, PathBuf)> {
    let exe = |b: &String| bin_dir.join(format!("{b}{}", std::env::consts::EXE_SUFFIX));
    bins.iter().map(|b| (b.clone(), exe(b))).collect()
}

fn exit_text(out: &Outcome) -> String {
    out.code
        .map_or_else(|| "by a signal".to_string(), |c| c.to_string())
}
