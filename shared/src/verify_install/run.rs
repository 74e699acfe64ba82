//! `cargo verify-install`: the options, the run and its report. Each source
//! has its own file (`from_package`, `from_git`, `from_archive`), and each
//! kind of check (`toolchain`, `binaries`, `library`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::process::{self, Outcome};
use super::report::{Check, Report, Status};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::term::{Shell, print, with_spinner};
use crate::workspace::Selection;

pub use super::library::FeatureSet;

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
    /// A container image: a reference to pull, or an archive to load.
    Image(String),
    /// The published crates in the registry (`Options::registry`):
    /// `NAME[@VERSION]` specs (none: the selected members at their
    /// manifest versions).
    Registry {
        /// The specs.
        specs: Vec<String>,
    },
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
    /// `--registry`, `--index`: where `--from registry` installs from, and
    /// the registry `cargo package` resolves path dependencies against.
    pub registry: crate::registry::Choice,
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
    /// `--rebuild`: with `--from registry`, build a published crate even
    /// when it is the `.crate` verified here.
    pub rebuild: bool,
    /// `--public-key` or `--allowed-signers`: with `--from archive`, the
    /// archive's signature (`ARCHIVE.sig`) is checked against it first.
    pub archive_trust: Option<crate::artifact_sum::sign::Trust>,
    /// `--max-file-size`, bytes.
    pub max_file_size: u64,
}

/// cargo steps are not limited by `--timeout`; this only stops a hang.
pub(super) const CARGO_LIMIT: Duration = Duration::from_secs(6 * 3600);

/// One run: its options, its report so far, and its scratch directory.
pub(super) struct Run<'a> {
    pub(super) opts: &'a Options,
    pub(super) shell: &'a Shell,
    pub(super) report: Report,
    pub(super) scratch: PathBuf,
}

/// Run; `Ok(false)` when a check failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    process::watch_interrupts();
    let start = Instant::now();
    let temp = tempfile::Builder::new()
        .prefix("cratesmith-verify-")
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
        Source::Registry { specs } => run.registry(specs, &opts.registry),
        Source::Image(what) => run.image(what),
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
        print(&report.json(elapsed))?;
    }
    Ok(report.passed())
}

/// Time `work`, in milliseconds.
pub(super) fn timed<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let start = Instant::now();
    let out = work();
    (
        out,
        u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
    )
}

impl Run<'_> {
    /// Without a terminal (a CI log) a step that may take minutes says
    /// when it starts; on a terminal the spinner does.
    pub(super) fn starting(&self, label: &str) {
        if !self.shell.progress_allowed() {
            self.shell.status("Running", label);
        }
    }

    pub(super) fn add(
        &mut self,
        package: &str,
        check: &str,
        status: Status,
        detail: String,
        millis: u64,
    ) {
        self.add_with(package, check, status, detail, millis, None);
    }

    pub(super) fn add_with(
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
    pub(super) fn cargo_step(
        &mut self,
        package: &str,
        check: &str,
        work: impl FnOnce() -> Result<Outcome>,
    ) -> Result<bool> {
        let label = format!("{package}: {check}");
        self.starting(&label);
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
}

/// The line of a cargo failure worth showing in the table.
pub(super) fn last_error_line(out: &Outcome) -> String {
    let text = out.output();
    text.lines()
        .find(|l| l.starts_with("error"))
        .or_else(|| text.lines().last())
        .unwrap_or("failed")
        .trim()
        .to_string()
}
