//! Step 1: `cargo package` for the selected packages, the `.crate` files it
//! writes, and the publish-readiness findings read off what was packaged.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::packaged::Packaged;
use super::process::{self, Outcome};
use super::report::Status;
use crate::error::{Error, Result};
use crate::text::count;

/// crates.io refuses `.crate` files larger than this.
pub const CRATES_IO_LIMIT: u64 = 10 * 1024 * 1024;

/// Run `cargo package --no-verify` for `names` in one invocation (so that
/// cargo resolves unpublished workspace dependencies among them the way
/// `cargo package --workspace` does). The isolated install verifies instead.
pub fn cargo_package(
    manifest: &Path,
    names: &[String],
    registry: &[String],
    allow_dirty: bool,
    timeout: Duration,
) -> Result<Outcome> {
    let mut cmd = Command::new(cargo());
    cmd.args([
        "package",
        "--no-verify",
        "--color",
        "never",
        "--manifest-path",
    ])
    .arg(manifest)
    .args(registry);
    for name in names {
        cmd.args(["-p", name]);
    }
    if allow_dirty {
        cmd.arg("--allow-dirty");
    }
    process::run(&mut cmd, timeout)
}

/// The cargo to run: `$CARGO` (set when run as `cargo verify-install`), else `cargo`.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// The `.crate` file `cargo package` wrote for `name`@`version`.
pub fn crate_file(target_dir: &Path, name: &str, version: &semver::Version) -> PathBuf {
    target_dir
        .join("package")
        .join(format!("{name}-{version}.crate"))
}

/// A finding about a packaged crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What was checked: `description`, `license`, ...
    pub check: &'static str,
    /// Pass, warn or fail.
    pub status: Status,
    /// What was found.
    pub detail: String,
}

/// Publish-readiness findings for the packaged `pkg` (its normalized
/// manifest, read from the unpacked `.crate` at `root`), given the packaged
/// `files` (path, size) and the `.crate`'s size: one per [`CHECKS`] entry.
pub fn findings(
    pkg: &Packaged,
    root: &Path,
    files: &[(String, u64)],
    crate_size: u64,
    max_file: u64,
) -> Vec<Finding> {
    let packed = Packed {
        pkg,
        root,
        files,
        crate_size,
        max_file,
    };
    CHECKS
        .iter()
        .map(|c| match (c.rule)(&packed) {
            Ok(detail) => Finding {
                check: c.name,
                status: Status::Pass,
                detail,
            },
            Err(detail) => Finding {
                check: c.name,
                status: c.severity,
                detail,
            },
        })
        .collect()
}

/// What the checks read.
struct Packed<'a> {
    pkg: &'a Packaged,
    root: &'a Path,
    files: &'a [(String, u64)],
    crate_size: u64,
    max_file: u64,
}

/// One publish-readiness check: its name, how bad a miss is, and its rule:
/// `Ok(what was found)` or `Err(what is missing)`.
struct Check {
    name: &'static str,
    severity: Status,
    rule: fn(&Packed<'_>) -> Result<String, String>,
}

/// The checks, in report order.
const CHECKS: [Check; 7] = [
    Check {
        name: "description",
        severity: Status::Fail,
        rule: description,
    },
    Check {
        name: "license",
        severity: Status::Fail,
        rule: license,
    },
    Check {
        name: "repository",
        severity: Status::Warn,
        rule: repository,
    },
    Check {
        name: "readme",
        severity: Status::Warn,
        rule: readme,
    },
    Check {
        name: "keywords",
        severity: Status::Warn,
        rule: keywords,
    },
    Check {
        name: "size",
        severity: Status::Fail,
        rule: size,
    },
    Check {
        name: "large files",
        severity: Status::Warn,
        rule: large_files,
    },
];

fn description(p: &Packed<'_>) -> Result<String, String> {
    match p.pkg.description.as_deref() {
        Some(d) if !d.trim().is_empty() => Ok("set".into()),
        _ => Err("no `description`: crates.io requires one".into()),
    }
}

fn license(p: &Packed<'_>) -> Result<String, String> {
    match (&p.pkg.license, &p.pkg.license_file) {
        (Some(l), _) => Ok(l.clone()),
        (None, Some(_)) => Ok("license-file".into()),
        (None, None) => Err("no `license` or `license-file`: crates.io requires one".into()),
    }
}

fn repository(p: &Packed<'_>) -> Result<String, String> {
    p.pkg
        .repository
        .clone()
        .or_else(|| p.pkg.homepage.clone())
        .ok_or_else(|| "no `repository` or `homepage`: users cannot find the source".into())
}

fn readme(p: &Packed<'_>) -> Result<String, String> {
    match p.pkg.readme.as_ref().map(PathBuf::from) {
        Some(r) if p.root.join(&r).is_file() => Ok(r.display().to_string()),
        Some(r) => Err(format!("`{}` is not in the package", r.display())),
        None => Err("no `readme`: crates.io shows an empty page".into()),
    }
}

fn keywords(p: &Packed<'_>) -> Result<String, String> {
    let (k, c) = (p.pkg.keywords.len(), p.pkg.categories.len());
    let missing = match (k, c) {
        (0, 0) => "no `keywords` and no `categories`".to_string(),
        (0, _) => format!("no `keywords` ({})", count(c, "category", "categories")),
        (_, 0) => format!("no `categories` ({})", count(k, "keyword", "keywords")),
        _ => {
            return Ok(format!(
                "{}, {}",
                count(k, "keyword", "keywords"),
                count(c, "category", "categories")
            ));
        }
    };
    Err(format!(
        "{missing}: the crate is harder to find on crates.io"
    ))
}

fn size(p: &Packed<'_>) -> Result<String, String> {
    let kib = p.crate_size.div_ceil(1024);
    if p.crate_size <= CRATES_IO_LIMIT {
        Ok(format!("{kib} KiB packed"))
    } else {
        Err(format!("{kib} KiB packed, over crates.io's 10 MiB limit"))
    }
}

fn large_files(p: &Packed<'_>) -> Result<String, String> {
    let limit = p.max_file / 1024;
    let big: Vec<String> = p
        .files
        .iter()
        .filter(|(_, size)| *size > p.max_file)
        .map(|(name, size)| format!("{name} ({} KiB)", size.div_ceil(1024)))
        .collect();
    if big.is_empty() {
        Ok(format!(
            "{}, none over {limit} KiB",
            count(p.files.len(), "file", "files")
        ))
    } else {
        Err(format!("over {limit} KiB: {}", big.join(", ")))
    }
}

/// The error for a `cargo package` that failed, its output kept.
pub fn failed(outcome: &Outcome) -> Error {
    Error::Command {
        program: "cargo package".into(),
        message: "the package could not be packaged".into(),
        output: outcome.output(),
        help: Some(
            "fix what cargo reports above; `cargo package --list` shows what goes in the package"
                .into(),
        ),
    }
}
