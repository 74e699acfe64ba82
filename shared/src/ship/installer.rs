//! `cargo ship installer`: a POSIX `sh` script that installs the release
//! from its archives: it picks the archive of the machine it runs on,
//! verifies it against SHA256SUMS (and, when asked, the SUMS signature),
//! and copies the binaries into `${CARGO_HOME:-$HOME/.cargo}/bin` or
//! `--to DIR`. The script is `templates/install.sh` with this release's
//! name, version, binaries, archives and URL filled in.

use std::path::{Path, PathBuf};

use super::archives::{release_archives, require_binaries};
use crate::error::{Error, Result};
use crate::term::{Shell, print};

const TEMPLATE: &str = include_str!("templates/install.sh");

/// The release archives an installer or a formula is made for, and the
/// package and binaries they carry (shared by `cargo ship installer` and
/// `cargo ship formula`).
#[derive(Clone, Debug, Default)]
pub struct Release {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p`.
    pub packages: Vec<String>,
    /// `--bin`.
    pub bins: Vec<String>,
    /// `--url`: `{version}` and `{archive}` in it are filled in.
    pub url: String,
    /// `--archives DIR`.
    pub archives: PathBuf,
    /// `--name`: what it is called [default: the package's name].
    pub name: Option<String>,
}

/// The package's name (or `--name`), version and binaries.
pub(super) fn package_of(
    r: &Release,
) -> Result<(String, String, Vec<String>, cargo_metadata::Package)> {
    let (name, version, bins, mut pkgs) = packages_of(r)?;
    Ok((name, version, bins, pkgs.remove(0)))
}

/// [`package_of`] with every package named (`-p`, repeatable), the first
/// one first.
pub(super) fn packages_of(
    r: &Release,
) -> Result<(String, String, Vec<String>, Vec<cargo_metadata::Package>)> {
    let manifest_path = r.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let start = crate::workspace::start_manifest(manifest_path);
    let subject = super::image_inputs::subject(&meta, &r.packages, &r.bins, start.as_deref())?;
    let pkg = subject.package;
    let name = r.name.clone().unwrap_or_else(|| pkg.name.to_string());
    let pkgs = subject.packages.iter().map(|p| (*p).clone()).collect();
    Ok((name, pkg.version.to_string(), subject.bins, pkgs))
}

/// Everything `cargo ship installer` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct InstallerOptions {
    /// The release.
    pub release: Release,
    /// `-o FILE` (else stdout).
    pub output: Option<PathBuf>,
}

/// Write the script.
pub fn exec(opts: &InstallerOptions, shell: &Shell) -> Result<bool> {
    check_url(&opts.release.url)?;
    let (name, version, bins, _) = package_of(&opts.release)?;
    let archives = release_archives(&opts.release.archives, &name)?;
    for (_, file) in &archives {
        require_binaries(&opts.release.archives.join(file), &bins)?;
    }
    let script = render(&name, &version, &bins, &archives, &opts.release.url)?;
    match &opts.output {
        Some(file) => {
            crate::fs::write_atomic(file, script.as_bytes())?;
            set_executable(file);
            let targets: Vec<&str> = archives.iter().map(|a| a.0.as_str()).collect();
            shell.status(
                "Wrote",
                format_args!("{} ({})", file.display(), targets.join(", ")),
            );
        }
        None => print(&script)?,
    }
    Ok(true)
}

#[cfg(unix)]
fn set_executable(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_executable(_: &Path) {}

/// The script for this release.
///
/// # Errors
/// A name the script cannot hold safely, or a URL without `{archive}`.
pub fn render(
    name: &str,
    version: &str,
    bins: &[String],
    archives: &[(String, String)],
    url: &str,
) -> Result<String> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
    };
    for word in std::iter::once(name)
        .chain(bins.iter().map(String::as_str))
        .chain(std::iter::once(version))
    {
        if !plain(word) {
            return Err(Error::Conflict {
                message: format!("`{word}` cannot go into the installer script safely"),
                help: "names and versions of letters, digits, `.`, `_`, `+` and `-` only".into(),
            });
        }
    }
    check_url(url)?;
    let cases: Vec<String> = archives
        .iter()
        .map(|(triple, file)| {
            let file = shell_quoted(file).replace(version, "${version}");
            format!("        {triple}) echo \"{file}\" ;;")
        })
        .collect();
    let targets: Vec<&str> = archives.iter().map(|(t, _)| t.as_str()).collect();
    let self_url = url
        .replace("{version}", version)
        .replace("{archive}", "install.sh");
    let url = shell_quoted(url)
        .replace("{version}", "${version}")
        .replace("{archive}", "${archive}");
    Ok(TEMPLATE
        .replace("@NAME@", name)
        .replace("@VERSION@", version)
        .replace("@BINS@", &bins.join(" "))
        .replace("@ARCHIVES@", &cases.join("\n"))
        .replace("@TARGETS@", &targets.join(" "))
        .replace("@SELF_URL@", &self_url.replace('\n', ""))
        .replace("@URL@", &url))
}

/// A `--url` must have `{archive}` to fill in.
///
/// # Errors
/// It has none (a usage error).
pub fn check_url(url: &str) -> Result<()> {
    if url.contains("{archive}") {
        return Ok(());
    }
    Err(Error::Usage {
        message: format!("--url `{url}` has no {{archive}} to fill in"),
        help: "e.g. --url 'https://github.com/org/app/releases/download/v{version}/{archive}'"
            .into(),
    })
}

/// `text` for the inside of a double-quoted shell string.
fn shell_quoted(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        if c != '\n' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_pins_versions_and_quotes_the_url() {
        let archives = vec![(
            "x86_64-unknown-linux-gnu".to_string(),
            "app-1.2.0-x86_64-unknown-linux-gnu.tar.gz".to_string(),
        )];
        let s = render(
            "app",
            "1.2.0",
            &["app".into()],
            &archives,
            "https://h/$x/v{version}/{archive}",
        )
        .unwrap();
        assert!(s.contains("        x86_64-unknown-linux-gnu) echo \"app-${version}-x86_64-unknown-linux-gnu.tar.gz\" ;;"), "{s}");
        assert!(
            s.contains("    printf '%s' \"https://h/\\$x/v${version}/${archive}\""),
            "{s}"
        );
        assert!(s.contains("version='1.2.0'"));
        assert!(!s.contains('@'), "a placeholder is left");
        assert!(render("app;rm", "1", &[], &archives, "{archive}").is_err());
        assert!(render("app", "1", &[], &archives, "https://h/").is_err());
    }
}
