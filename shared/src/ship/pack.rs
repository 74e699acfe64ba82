//! `cargo ship archive`: the release archive of one target, the one the
//! installer, the formula, the image and the binstall metadata are made
//! for: `<name>-<version>-<triple>.tar.gz` (`.zip` for Windows) holding
//! the release binaries (the ones meant for users: `--bin`, else
//! `[package.metadata.ship] bins`, else all), the README, the licenses,
//! and the completions and man pages the package has (its `completions/`
//! and `man/` directories), under one top directory named like the
//! archive. The binaries are built (`cargo build --release`), or taken as
//! built (`--no-build`, or `--bin-dir` for the ones `cargo verify-install`
//! built from the packaged sources). Written to `target/distrib/` (ignored by git, never packaged)
//! unless `--out-dir` says otherwise, and reproducible: sorted entries,
//! owner 0:0, normalised modes, one mtime (`SOURCE_DATE_EPOCH`, else the
//! commit's time), a gzip header without name or time: two runs, the same
//! bytes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cargo_metadata::{Metadata, Package};
use serde_json::json;

use super::image_inputs::{self, Subject};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::oci::layer::{File, gzip, tar_of};
use crate::term::{Shell, print_json};
use crate::verify_install::process;

/// Everything `cargo ship archive` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct ArchiveOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p` (repeatable).
    pub packages: Vec<String>,
    /// `--bin` (repeatable).
    pub bins: Vec<String>,
    /// `--target TRIPLE` (else the host's).
    pub target: Option<String>,
    /// `--no-build`: take the binaries already built.
    pub no_build: bool,
    /// `--bin-dir`: take the binaries from this directory (no build).
    pub bin_dir: Option<PathBuf>,
    /// `--out-dir` (else `target/distrib`).
    pub out_dir: Option<PathBuf>,
    /// `--name` (else the first package's).
    pub name: Option<String>,
    /// `--format`.
    pub format: MessageFormat,
}

/// Build (unless `--no-build`) and write the archive.
pub fn exec(opts: &ArchiveOptions, shell: &Shell) -> Result<bool> {
    let manifest_path = opts.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let start = crate::workspace::start_manifest(manifest_path);
    let subject = image_inputs::subject(&meta, &opts.packages, &opts.bins, start.as_deref())?;
    let triple = match &opts.target {
        Some(t) => t.clone(),
        None => host_triple()?,
    };
    if !opts.no_build && opts.bin_dir.is_none() {
        build(&meta, &subject, opts.target.as_deref(), shell)?;
    }
    let pkg = subject.package;
    let name = opts.name.clone().unwrap_or_else(|| pkg.name.to_string());
    let stem = format!("{name}-{}-{triple}", pkg.version);
    let windows = triple.contains("-windows");
    let target_dir = meta.target_directory.as_std_path();
    let bin_dir = match (&opts.bin_dir, &opts.target) {
        (Some(dir), _) => dir.clone(),
        (None, Some(t)) => target_dir.join(t).join("release"),
        (None, None) => target_dir.join("release"),
    };
    let hint = if opts.bin_dir.is_some() {
        "name the directory the binaries were built in (target/verify-install/release after `cargo verify-install`)"
    } else {
        "build it first (cargo build --release), or leave out --no-build"
    };
    let files = contents(&stem, (&bin_dir, hint), &subject, &meta, windows)?;
    let (_, epoch) = image_inputs::labels(pkg, meta.workspace_root.as_std_path());
    let mtime = u64::try_from(epoch).unwrap_or(0);
    let (bytes, ext) = if windows {
        (zip_of(&files, mtime)?, "zip")
    } else {
        let tar = tar_of(&files, mtime).map_err(|e| Error::io("pack", &stem, e))?;
        (
            gzip(&tar).map_err(|e| Error::io("compress", &stem, e))?,
            "tar.gz",
        )
    };
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| target_dir.join("distrib"));
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::io("create", &out_dir, e))?;
    let path = out_dir.join(format!("{stem}.{ext}"));
    crate::fs::write_atomic(&path, &bytes)?;
    shell.status(
        "Packed",
        format_args!(
            "{} ({})",
            path.display(),
            crate::text::count(files.len(), "file", "files")
        ),
    );
    if opts.format == MessageFormat::Json {
        print_json(&json!({
            "archive": path.display().to_string(),
            "target": triple,
            "sha256": crate::artifact_sum::digest::sha256_hex(&bytes),
            "size": bytes.len(),
            "binaries": subject.bins,
            "files": files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        }))?;
    }
    Ok(true)
}

/// The host's target triple, as rustc names it.
pub(super) fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = process::run(Command::new(rustc).arg("-vV"), Duration::from_secs(60))?;
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .ok_or_else(|| Error::Command {
            program: "rustc -vV".into(),
            message: "named no host triple".into(),
            output: out.output(),
            help: Some("name the target with --target".into()),
        })
}

/// `cargo build --release` of the subject's binaries (`--locked` when the
/// workspace has a Cargo.lock).
fn build(
    meta: &Metadata,
    subject: &Subject<'_>,
    target: Option<&str>,
    shell: &Shell,
) -> Result<()> {
    let mut cmd = Command::new(crate::verify_install::package::cargo());
    cmd.args(["build", "--release", "--manifest-path"])
        .arg(meta.workspace_root.as_std_path().join("Cargo.toml"));
    if meta
        .workspace_root
        .as_std_path()
        .join("Cargo.lock")
        .is_file()
    {
        cmd.arg("--locked");
    }
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    for p in &subject.packages {
        cmd.args(["-p", p.name.as_str()]);
    }
    for b in &subject.bins {
        cmd.args(["--bin", b]);
    }
    shell.status("Building", subject.bins.join(", "));
    let out = process::run(&mut cmd, Duration::from_secs(6 * 3600))?;
    if out.success() {
        return Ok(());
    }
    Err(Error::Command {
        program: "cargo build --release".into(),
        message: "the release build failed; no archive was written".into(),
        output: out.output(),
        help: Some("fix the build, or pack binaries already built with --no-build".into()),
    })
}

/// The archive's files under `stem/`: the binaries, then the README,
/// licenses, completions and man pages of the first package.
fn contents(
    stem: &str,
    (bin_dir, hint): (&Path, &str),
    subject: &Subject<'_>,
    meta: &Metadata,
    windows: bool,
) -> Result<Vec<File>> {
    let mut files = Vec::new();
    for b in &subject.bins {
        let exe = if windows {
            format!("{b}.exe")
        } else {
            b.clone()
        };
        let path = bin_dir.join(&exe);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Conflict {
                message: format!("`{}` is not built", path.display()),
                help: hint.into(),
            },
            _ => Error::io("read", &path, e),
        })?;
        files.push(File {
            path: format!("{stem}/{exe}"),
            executable: true,
            bytes,
        });
    }
    let root = meta.workspace_root.as_std_path();
    for (rel, bytes) in extras(subject.package, root)? {
        files.push(File {
            path: format!("{stem}/{rel}"),
            executable: false,
            bytes,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The README, the licenses, and `completions/` and `man/` of `pkg`
/// (the workspace root's README and licenses when the package has none),
/// as (path in the archive, bytes).
fn extras(pkg: &Package, root: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let dir = pkg
        .manifest_path
        .parent()
        .map(|d| d.as_std_path().to_path_buf())
        .unwrap_or_default();
    let mut out = Vec::new();
    let readme = pkg
        .readme
        .as_ref()
        .map(|r| dir.join(r.as_std_path()))
        .filter(|p| p.is_file())
        .or_else(|| first_file(&[&dir, root], |n| n == "README.md" || n == "README"));
    if let Some(r) = readme {
        out.push(read_named(&r)?);
    }
    let licenses = |d: &Path| -> Vec<PathBuf> { files_in(d, is_license) };
    let mut found = licenses(&dir);
    if found.is_empty() {
        found = licenses(root);
    }
    if let Some(f) = &pkg.license_file {
        let p = dir.join(f.as_std_path());
        if p.is_file() && !found.contains(&p) {
            found.push(p);
        }
    }
    for l in found {
        out.push(read_named(&l)?);
    }
    for sub in ["completions", "man"] {
        for f in files_in(&dir.join(sub), |_| true) {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&f).map_err(|e| Error::io("read", &f, e))?;
            out.push((format!("{sub}/{name}"), bytes));
        }
    }
    Ok(out)
}

fn is_license(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "UNLICENSE"]
        .iter()
        .any(|p| upper.starts_with(p))
}

/// The regular files directly in `dir` whose names `pick` accepts, sorted.
fn files_in(dir: &Path, pick: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| p.file_name().is_some_and(|n| pick(&n.to_string_lossy())))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn first_file(dirs: &[&Path], pick: impl Fn(&str) -> bool) -> Option<PathBuf> {
    dirs.iter()
        .find_map(|d| files_in(d, &pick).into_iter().next())
}

fn read_named(path: &Path) -> Result<(String, Vec<u8>)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    Ok((name, bytes))
}

/// A zip of `files`, reproducible: entries in order, every one dated
/// `mtime` (as zip's DOS time can hold it), deflated, unix modes kept.
fn zip_of(files: &[File], mtime: u64) -> Result<Vec<u8>> {
    let when = dos_time(mtime);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let to_err =
        |e: zip::result::ZipError| Error::io("pack", "the zip archive", std::io::Error::other(e));
    for f in files {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(when)
            .unix_permissions(if f.executable { 0o755 } else { 0o644 });
        zip.start_file(f.path.as_str(), options).map_err(to_err)?;
        zip.write_all(&f.bytes)
            .map_err(|e| Error::io("pack", "the zip archive", e))?;
    }
    Ok(zip.finish().map_err(to_err)?.into_inner())
}

/// `mtime` (seconds since 1970, UTC) as a zip date, clamped to what it
/// can hold (1980–2107).
fn dos_time(mtime: u64) -> zip::DateTime {
    let secs = i64::try_from(mtime).unwrap_or(0);
    let t = jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC);
    let part = |v: i16| u8::try_from(v).unwrap_or(0);
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).unwrap_or(1980),
        part(t.month().into()),
        part(t.day().into()),
        part(t.hour().into()),
        part(t.minute().into()),
        part(t.second().into()),
    )
    .unwrap_or_default()
}
