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
    .arg(manifest);
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
/// `files` (path, size) and the `.crate`'s size.
pub fn findings(
    pkg: &Packaged,
    root: &Path,
    files: &[(String, u64)],
    crate_size: u64,
    max_file: u64,
) -> Vec<Finding> {
    let f = |check, ok: bool, severity, good: String, bad: String| Finding {
        check,
        status: if ok { Status::Pass } else { severity },
        detail: if ok { good } else { bad },
    };
    let mut out = vec![
        f(
            "description",
            pkg.description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            Status::Fail,
            "set".into(),
            "no `description`: crates.io requires one".into(),
        ),
        f(
            "license",
            pkg.license.is_some() || pkg.license_file.is_some(),
            Status::Fail,
            pkg.license.clone().unwrap_or_else(|| "license-file".into()),
            "no `license` or `license-file`: crates.io requires one".into(),
        ),
        f(
            "repository",
            pkg.repository.is_some() || pkg.homepage.is_some(),
            Status::Warn,
            pkg.repository
                .clone()
                .or_else(|| pkg.homepage.clone())
                .unwrap_or_default(),
            "no `repository` or `homepage`: users cannot find the source".into(),
        ),
    ];
    let readme = pkg.readme.as_ref().map(std::path::PathBuf::from);
    let readme_in = readme.as_ref().is_some_and(|r| root.join(r).is_file());
    out.push(f(
        "readme",
        readme_in,
        Status::Warn,
        readme
            .as_ref()
            .map(|r| r.display().to_string())
            .unwrap_or_default(),
        match &readme {
            Some(r) => format!("`{}` is not in the package", r.display()),
            None => "no `readme`: crates.io shows an empty page".into(),
        },
    ));
    let (k, c) = (pkg.keywords.len(), pkg.categories.len());
    let missing = match (k, c) {
        (0, 0) => "no `keywords` and no `categories`".to_string(),
        (0, _) => format!("no `keywords` ({})", count(c, "category", "categories")),
        _ => format!("no `categories` ({})", count(k, "keyword", "keywords")),
    };
    out.push(f(
        "keywords",
        k > 0 && c > 0,
        Status::Warn,
        format!(
            "{}, {}",
            count(k, "keyword", "keywords"),
            count(c, "category", "categories")
        ),
        format!("{missing}: the crate is harder to find on crates.io"),
    ));
    out.push(f(
        "size",
        crate_size <= CRATES_IO_LIMIT,
        Status::Fail,
        format!("{} KiB packed", crate_size.div_ceil(1024)),
        format!(
            "{} KiB packed, over crates.io's 10 MiB limit",
            crate_size.div_ceil(1024)
        ),
    ));
    let big: Vec<String> = files
        .iter()
        .filter(|(_, size)| *size > max_file)
        .map(|(name, size)| format!("{name} ({} KiB)", size.div_ceil(1024)))
        .collect();
    out.push(f(
        "large files",
        big.is_empty(),
        Status::Warn,
        format!(
            "{}, none over {} KiB",
            count(files.len(), "file", "files"),
            max_file / 1024
        ),
        format!("over {} KiB: {}", max_file / 1024, big.join(", ")),
    ));
    out
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
