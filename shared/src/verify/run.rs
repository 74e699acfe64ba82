//! `cargo verify-install`: for each selected package, package it, install
//! what was packaged in isolation, run its binaries, build its library
//! from a scratch consumer, check toolchain and programs; report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cargo_metadata::MetadataCommand;

use super::install::{Build, Cache, Consumer, CrateDir, unpack_crate};
use super::package::{self, crate_file};
use super::packaged::Packaged;
use super::probe::{self, Settings};
use super::process::{self, Outcome};
use super::report::{Check, Report, Status};
use super::{sums, unpack};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::manifest::Manifest;
use crate::term::{Shell, count, print_data, with_spinner};
use crate::workspace::{Member, Selection, Workspace};

/// Which feature sets the library is built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureSet {
    /// Default features.
    Default,
    /// `default-features = false`.
    NoDefault,
    /// Every feature.
    All,
}

impl FeatureSet {
    /// `default`, `no-default`, `all`.
    pub fn name(self) -> &'static str {
        match self {
            FeatureSet::Default => "default",
            FeatureSet::NoDefault => "no-default",
            FeatureSet::All => "all",
        }
    }
}

/// How the package gets installed (`--from`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// `cargo package`, then `cargo install --path` on the unpacked `.crate`.
    #[default]
    Package,
    /// `cargo install --git file://<repo> --rev <rev>`.
    Git {
        /// The revision (a tag, or HEAD's commit when `None`).
        rev: Option<String>,
    },
    /// A prebuilt binary archive.
    Archive(PathBuf),
}

/// Everything `cargo verify-install` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p`, `--workspace`, `--exclude`.
    pub selection: Selection,
    /// `--allow-dirty`.
    pub allow_dirty: bool,
    /// `--feature-sets`.
    pub feature_sets: Vec<FeatureSet>,
    /// `--from`.
    pub from: Source,
    /// `--timeout` for each run of an installed binary, smoke command or
    /// required program (cargo steps are not limited).
    pub timeout: Duration,
    /// `--format`.
    pub format: MessageFormat,
    /// `--report <file.md>`.
    pub report: Option<PathBuf>,
    /// `--keep`.
    pub keep: bool,
    /// `--debug`: build with the dev profile.
    pub debug: bool,
    /// `--max-file-size`, bytes.
    pub max_file_size: u64,
}

/// cargo steps are not limited by `--timeout`; this only stops a hang.
const CARGO_LIMIT: Duration = Duration::from_secs(6 * 3600);

struct Run<'a> {
    opts: &'a Options,
    shell: &'a Shell,
    report: Report,
    scratch: PathBuf,
}

/// Run; `Ok(false)` when a check failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    process::watch_interrupts();
    let start = Instant::now();
    let temp = tempfile::Builder::new()
        .prefix("relkit-verify-")
        .tempdir()
        .map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    let mut run = Run {
        opts,
        shell,
        report: Report::default(),
        scratch: temp.path().to_path_buf(),
    };
    let result = match &opts.from {
        Source::Package => run.packages(),
        Source::Git { rev } => run.git(rev.as_deref()),
        Source::Archive(file) => run.archive(file),
    };
    if opts.keep {
        let kept = temp.keep();
        shell.note(format_args!("temporary files kept in {}", kept.display()));
        run.report.kept.push(kept.display().to_string());
    }
    result?;
    finish(&run.report, opts, shell, start.elapsed())
}

fn finish(report: &Report, opts: &Options, shell: &Shell, elapsed: Duration) -> Result<bool> {
    let summary = report.summary(elapsed);
    if report.passed() {
        shell.status("Verified", &summary);
    } else {
        shell.error_message(format_args!("verification failed: {summary}"));
    }
    if let Some(file) = &opts.report {
        crate::fs::write_atomic(file, report.markdown(elapsed).as_bytes())?;
        shell.status("Wrote", file.display());
    }
    if opts.format == MessageFormat::Json {
        print_data(&report.json()).map_err(|e| Error::io("write", "<stdout>", e))?;
    }
    Ok(report.passed())
}

/// Time `work`, in milliseconds.
fn timed<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let start = Instant::now();
    let out = work();
    (
        out,
        u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
    )
}

impl Run<'_> {
    fn add(&mut self, package: &str, check: &str, status: Status, detail: String, millis: u64) {
        self.add_with(package, check, status, detail, millis, None);
    }

    fn add_with(
        &mut self,
        package: &str,
        check: &str,
        status: Status,
        detail: String,
        millis: u64,
        output: Option<String>,
    ) {
        let output = output.filter(|_| {
            status == Status::Fail || self.shell.verbosity() >= crate::term::Verbosity::Verbose
        });
        let check = Check {
            package: package.to_string(),
            check: check.to_string(),
            status,
            detail,
            millis,
            output,
        };
        self.report.add(check, self.shell);
    }

    /// A cargo step with a spinner; the check passes when cargo does.
    fn cargo_step(
        &mut self,
        package: &str,
        check: &str,
        work: impl FnOnce() -> Result<Outcome>,
    ) -> Result<bool> {
        let label = format!("{package}: {check}");
        let (outcome, ms) = timed(|| with_spinner(self.shell.progress_allowed(), &label, work));
        let outcome = outcome?;
        let ok = outcome.success();
        let detail = match (ok, outcome.timed_out) {
            (true, _) => "ok".to_string(),
            (false, true) => "timed out".to_string(),
            (false, false) => last_error_line(&outcome),
        };
        let status = if ok { Status::Pass } else { Status::Fail };
        self.add_with(package, check, status, detail, ms, Some(outcome.output()));
        Ok(ok)
    }

    fn selected(&self, ws: &Workspace) -> Result<Vec<Member>> {
        let (members, skipped) = self.selection(ws)?;
        for name in skipped {
            self.shell
                .note(format_args!("skipping `{name}`: publish = false"));
        }
        Ok(members)
    }

    /// The selected members, and the names of those skipped for `publish =
    /// false` (with `--workspace`).
    fn selection(&self, ws: &Workspace) -> Result<(Vec<Member>, Vec<String>)> {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for i in ws.select(&self.opts.selection)? {
            let m = &ws.members[i];
            if self.opts.selection.workspace && !publishable(&m.manifest_path) {
                skipped.push(m.name.clone());
                continue;
            }
            out.push(m.clone());
        }
        if out.is_empty() {
            return Err(Error::Conflict {
                message: "no package to verify".into(),
                help: "name one with -p, or drop --exclude".into(),
            });
        }
        Ok((out, skipped))
    }

    /// The workspace and `cargo package` of its selected members. Like
    /// `cargo bump`, it starts `cargo package` for the members the
    /// manifests name (cargo-free discovery) while `cargo metadata` runs,
    /// and keeps that run only if cargo's workspace selects the same
    /// packages; otherwise it packages again.
    fn load_and_package(&self) -> Result<(Workspace, Vec<Member>, Result<Outcome>, u64)> {
        let manifest_path = self.opts.manifest_path.as_deref();
        let guess = crate::discover::discover(manifest_path)
            .and_then(|(ws, _)| Some((ws.root_manifest.clone(), self.selection(&ws).ok()?.0)));
        let package = |root: &Path, names: &[String]| {
            timed(|| package::cargo_package(root, names, self.opts.allow_dirty, CARGO_LIMIT))
        };
        std::thread::scope(|scope| {
            let early = guess.as_ref().map(|(root, members)| {
                let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
                (
                    names.clone(),
                    root.clone(),
                    scope.spawn(move || package(root, &names)),
                )
            });
            let ws = Workspace::load(manifest_path)?;
            let members = self.selected(&ws)?;
            let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
            let label = format!("{}: cargo package", names.join(", "));
            let (outcome, ms) = with_spinner(self.shell.progress_allowed(), &label, || {
                match early {
                    Some((guessed, root, handle))
                        if guessed == names && root == ws.root_manifest =>
                    {
                        handle
                            .join()
                            .map_err(|_| Error::Metadata("cargo package thread panicked".into()))
                    }
                    other => {
                        // A wrong guess: let its cargo finish before the
                        // real run writes the same files.
                        if let Some((_, _, handle)) = other {
                            let _ = handle.join();
                        }
                        Ok(package(&ws.root_manifest, &names))
                    }
                }
            })?;
            Ok((ws, members, outcome, ms))
        })
    }

    fn packages(&mut self) -> Result<()> {
        let (ws, members, outcome, ms) = self.load_and_package()?;
        let target = ws
            .target_dir
            .clone()
            .unwrap_or_else(|| ws.root.join("target"));
        let cache = Cache::new(&target);
        let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
        let label = names.join(", ");
        let outcome = outcome?;
        if !outcome.success() {
            let detail = last_error_line(&outcome);
            self.add_with(
                &label,
                "cargo package",
                Status::Fail,
                detail,
                ms,
                Some(outcome.output()),
            );
            return Ok(());
        }
        let mut unpacked = Vec::new();
        for m in &members {
            let file = crate_file(&target, &m.name, &m.version);
            let cd = unpack_crate(&cache, &file, &m.name, &m.version.to_string())?;
            cache.invalidate_if_changed(&m.name, &cd.digest)?;
            let detail = format!(
                "{}, {} KiB, sha256 {}",
                count(cd.files.len(), "file", "files"),
                cd.size.div_ceil(1024),
                &cd.digest[..12]
            );
            self.add(&m.name, "cargo package", Status::Pass, detail, ms);
            unpacked.push((m, cd));
        }
        let patches: Vec<(String, PathBuf)> = unpacked
            .iter()
            .map(|(m, cd)| (m.name.clone(), cd.dir.clone()))
            .collect();
        for (m, cd) in &unpacked {
            self.package(m, cd, &cache, &patches)?;
        }
        Ok(())
    }

    fn package(
        &mut self,
        m: &Member,
        cd: &CrateDir,
        cache: &Cache,
        patches: &[(String, PathBuf)],
    ) -> Result<()> {
        let pkg = self.metadata(&cd.dir)?;
        for f in package::findings(&pkg, &cd.dir, &cd.files, cd.size, self.opts.max_file_size) {
            self.add(&m.name, f.check, f.status, f.detail, 0);
        }
        let settings = Settings::load(&m.manifest_path)?;
        self.toolchain(&m.name, &pkg, &settings)?;
        let cwd = self.scratch.clone();
        let build = Build {
            cache,
            patches,
            debug: self.opts.debug,
            timeout: CARGO_LIMIT,
            cwd: &cwd,
        };
        let bins = pkg.bins.clone();
        if !bins.is_empty() {
            let root = self.scratch.join(format!("root-{}", m.name));
            let installed = self.cargo_step(&m.name, "cargo install (isolated)", || {
                build.install_path(&m.name, &cd.dir, &root)
            })?;
            if installed {
                let bin_dir = root.join("bin");
                let paths = bin_paths(&bins, &bin_dir);
                self.binaries(&m.name, Some(&m.version), &paths, &bin_dir, &settings)?;
            }
        }
        if let Some(lib) = pkg.lib.clone() {
            for set in self.opts.feature_sets.clone() {
                let features = match set {
                    FeatureSet::All => pkg.features.clone(),
                    _ => Vec::new(),
                };
                let consumer = Consumer {
                    name: &m.name,
                    lib: &lib,
                    dir: &cd.dir,
                    default_features: set != FeatureSet::NoDefault,
                    features,
                };
                let scratch = self
                    .scratch
                    .join(format!("consumer-{}-{}", m.name, set.name()));
                std::fs::create_dir_all(&scratch).map_err(|e| Error::io("create", &scratch, e))?;
                let check = format!("library ({} features)", set.name());
                self.cargo_step(&m.name, &check, || build.consumer(&consumer, &scratch))?;
            }
        }
        Ok(())
    }

    /// The packaged manifest: read directly when cargo spelled its targets
    /// out (it does when packaging), else as cargo reads it, from outside
    /// any workspace.
    fn metadata(&self, dir: &Path) -> Result<Packaged> {
        if let Some(p) = Packaged::read(dir) {
            return Ok(p);
        }
        let meta = MetadataCommand::new()
            .manifest_path(dir.join("Cargo.toml"))
            .current_dir(&self.scratch)
            .no_deps()
            .exec()
            .map_err(|e| Error::Metadata(e.to_string()))?;
        let pkg = meta.packages.first().ok_or_else(|| {
            Error::Metadata(format!(
                "no package in `{}`",
                dir.join("Cargo.toml").display()
            ))
        })?;
        Ok(Packaged::from_metadata(pkg))
    }

    /// `rust-version` against the active rustc; `requires` on PATH.
    fn toolchain(&mut self, name: &str, pkg: &Packaged, settings: &Settings) -> Result<()> {
        if let Some(needed) = &pkg.rust_version {
            let (rustc, ms) = timed(|| probe::rustc_version(&self.scratch, self.opts.timeout));
            let rustc = rustc?;
            let needed = semver::Version::new(needed.major, needed.minor, needed.patch);
            let ok = rustc >= needed;
            let detail = if ok {
                format!("rustc {rustc} >= {needed}")
            } else {
                format!("rustc {rustc} is older than the package's rust-version {needed}")
            };
            self.add(
                name,
                "rust-version",
                if ok { Status::Pass } else { Status::Fail },
                detail,
                ms,
            );
        }
        for (program, req) in &settings.requires {
            let (found, ms) = timed(|| probe::required(program, req.as_ref(), self.opts.timeout));
            let (status, detail) = match found {
                Ok(d) => (Status::Pass, d),
                Err(d) => (Status::Fail, d),
            };
            self.add(name, &format!("requires {program}"), status, detail, ms);
        }
        Ok(())
    }

    /// Each binary is there, answers `--version` (with `version`, when
    /// known) and `--help`; then the smoke commands.
    fn binaries(
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

    fn git(&mut self, rev: Option<&str>) -> Result<()> {
        let ws = Workspace::load(self.opts.manifest_path.as_deref())?;
        let members = self.selected(&ws)?;
        let repo = Repo::discover(&ws.root)?;
        let rev = match rev {
            Some(r) => repo.resolve(r)?.to_string(),
            None => repo
                .head()?
                .map(|h| h.to_string())
                .ok_or_else(|| Error::Git {
                    message: "the repository has no commits".into(),
                    help: Some("commit first: --from git installs what is committed".into()),
                })?,
        };
        if !repo.dirty_files()?.is_empty() {
            self.shell.warn(
                "the work tree has uncommitted changes: --from git installs the committed state",
            );
        }
        let target = ws
            .target_dir
            .clone()
            .unwrap_or_else(|| ws.root.join("target"));
        let cache = Cache::new(&target);
        let url = format!("file://{}", repo.workdir().display());
        for m in &members {
            let bins: Vec<String> = m
                .targets
                .iter()
                .filter(|t| t.kind.iter().any(|k| k.to_string() == "bin"))
                .map(|t| t.name.clone())
                .collect();
            if bins.is_empty() {
                self.shell.note(format_args!(
                    "skipping `{}`: --from git installs binaries, and it has none",
                    m.name
                ));
                continue;
            }
            let settings = Settings::load(&m.manifest_path)?;
            let cwd = self.scratch.clone();
            let build = Build {
                cache: &cache,
                patches: &[],
                debug: self.opts.debug,
                timeout: CARGO_LIMIT,
                cwd: &cwd,
            };
            let root = self.scratch.join(format!("root-{}", m.name));
            let check = format!("cargo install --git ({})", &rev[..rev.len().min(12)]);
            if self.cargo_step(&m.name, &check, || {
                build.install_git(&url, &rev, &m.name, &root)
            })? {
                let bin_dir = root.join("bin");
                let paths = bin_paths(&bins, &bin_dir);
                self.binaries(&m.name, Some(&m.version), &paths, &bin_dir, &settings)?;
            }
        }
        Ok(())
    }

    fn archive(&mut self, file: &Path) -> Result<()> {
        if !file.is_file() {
            return Err(Error::io(
                "open",
                file,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such archive"),
            ));
        }
        let label = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let (digest, ms) = timed(|| sums::check_archive(file));
        let (status, detail) = digest?;
        self.add(&label, "checksum", status, detail, ms);
        if status == Status::Fail {
            return Ok(());
        }
        let dest = self.scratch.join("archive");
        let (files, ms) = timed(|| unpack::unpack(file, &dest));
        let files = match files {
            Ok(f) => f,
            Err(Error::Invalid { message, .. }) => {
                self.add(&label, "unpack", Status::Fail, message, ms);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let exes: Vec<(String, PathBuf)> = files
            .iter()
            .filter(|f| f.executable)
            .map(|f| {
                let path = dest.join(&f.path);
                let name = path
                    .file_stem()
                    .map_or_else(|| f.path.clone(), |s| s.to_string_lossy().into_owned());
                (name, path)
            })
            .collect();
        let found = count(exes.len(), "executable", "executables");
        let status = if exes.is_empty() {
            Status::Fail
        } else {
            Status::Pass
        };
        self.add(
            &label,
            "unpack",
            status,
            format!("{}, {found}", count(files.len(), "file", "files")),
            ms,
        );
        let (version, settings) = self.archive_context()?;
        let bin_dir = exes
            .first()
            .and_then(|(_, p)| p.parent())
            .map_or_else(|| dest.clone(), Path::to_path_buf);
        self.binaries(&label, version.as_ref(), &exes, &bin_dir, &settings)
    }

    /// The version and settings binaries of an archive are checked against:
    /// the selected package's, when run inside its workspace.
    fn archive_context(&self) -> Result<(Option<semver::Version>, Settings)> {
        let Ok(ws) = Workspace::load(self.opts.manifest_path.as_deref()) else {
            return Ok((None, Settings::default()));
        };
        let picked = ws.select(&self.opts.selection)?;
        match picked.as_slice() {
            [i] => {
                let m = &ws.members[*i];
                Ok((Some(m.version.clone()), Settings::load(&m.manifest_path)?))
            }
            _ => Ok((None, Settings::default())),
        }
    }
}

fn publishable(manifest: &Path) -> bool {
    Manifest::load(manifest).ok().and_then(|m| {
        m.get(&["package", "publish"])
            .and_then(toml_edit::Item::as_bool)
    }) != Some(false)
}

/// Where each of `bins` is installed in `bin_dir`.
fn bin_paths(bins: &[String], bin_dir: &Path) -> Vec<(String, PathBuf)> {
    let exe = |b: &String| bin_dir.join(format!("{b}{}", std::env::consts::EXE_SUFFIX));
    bins.iter().map(|b| (b.clone(), exe(b))).collect()
}

fn exit_text(out: &Outcome) -> String {
    out.code
        .map_or_else(|| "by a signal".to_string(), |c| c.to_string())
}

/// The line of a cargo failure worth showing in the table.
fn last_error_line(out: &Outcome) -> String {
    let text = out.output();
    text.lines()
        .find(|l| l.starts_with("error"))
        .or_else(|| text.lines().last())
        .unwrap_or("failed")
        .trim()
        .to_string()
}
