//! `cargo ship installer`: a POSIX `sh` script that installs the release
//! from its archives: it picks the archive of the machine it runs on,
//! verifies it against SHA256SUMS (and, when asked, the SUMS signature),
//! and copies the binaries into `${CARGO_HOME:-$HOME/.cargo}/bin` or
//! `--to DIR`. The script is `templates/install.sh` with this release's
//! name, version, binaries, archives and URL filled in.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::term::{Shell, print};
use crate::verify_install::archive_sums::check_archive;
use crate::verify_install::report::Status;

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
    let manifest_path = r.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let start = crate::workspace::start_manifest(manifest_path);
    let subject = super::image_inputs::subject(&meta, &r.packages, &r.bins, start.as_deref())?;
    let pkg = subject.package.clone();
    let name = r.name.clone().unwrap_or_else(|| pkg.name.to_string());
    Ok((name, pkg.version.to_string(), subject.bins, pkg))
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

/// (triple, archive name) of each release archive in `dir`, each listed
/// with a matching digest in the SUMS file beside it.
///
/// # Errors
/// No archive, or one not listed or not matching.
pub fn release_archives(dir: &Path, package: &str) -> Result<Vec<(String, String)>> {
    let found = archives_by(dir, package, triple_of, Clone::clone)?;
    if found.is_empty() {
        return Err(Error::Conflict {
            message: format!("no release archive in `{}`", dir.display()),
            help: format!(
                "archives are found by the target triple in their names: {package}-<version>-<triple>.tar.gz"
            ),
        });
    }
    for (path, _, _) in &found {
        require_listed(path)?;
    }
    Ok(found
        .into_iter()
        .map(|(_, file, triple)| (triple, file))
        .collect())
}

/// The release archives in `dir` whose names `key` recognises (a target
/// triple, a platform), one per key, sorted by key: where several share a
/// key, the one named for `package`; two equally good ones are an error
/// (`label` names the key in it).
///
/// # Errors
/// `dir` cannot be read, or a key has two candidates.
pub(super) fn archives_by<K: Ord>(
    dir: &Path,
    package: &str,
    key: impl Fn(&str) -> Option<K>,
    label: impl Fn(&K) -> String,
) -> Result<Vec<(PathBuf, String, K)>> {
    let mut found: Vec<(PathBuf, String, K)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| crate::verify_install::unpack::Kind::of(p).is_some())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let k = key(&name)?;
            Some((p, name, k))
        })
        .collect();
    found.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    let mut out: Vec<(PathBuf, String, K)> = Vec::new();
    for f in found {
        let Some(slot) = out.iter_mut().find(|o| o.2 == f.2) else {
            out.push(f);
            continue;
        };
        let (old, new) = (slot.1.starts_with(package), f.1.starts_with(package));
        if new && !old {
            *slot = f;
        } else if new == old {
            return Err(Error::Conflict {
                message: format!("`{}` and `{}` are both for {}", slot.1, f.1, label(&f.2)),
                help: "keep one archive per target in the directory".into(),
            });
        }
    }
    Ok(out)
}

/// An archive must be listed, with a matching digest, in the SUMS file
/// (or sidecar) beside it.
///
/// # Errors
/// It is not listed, or its digest differs.
pub(super) fn require_listed(path: &Path) -> Result<()> {
    let (status, detail) = check_archive(path)?;
    if status == Status::Pass {
        return Ok(());
    }
    Err(Error::Conflict {
        message: format!("`{}`: {detail}", path.display()),
        help: "list the archives in a SHA256SUMS beside them: cargo artifact-sum DIR -o DIR/SHA256SUMS".into(),
    })
}

/// The target environments `triple_of` knows.
const ENVS: [&str; 7] = [
    "gnu",
    "musl",
    "gnueabi",
    "gnueabihf",
    "musleabi",
    "musleabihf",
    "msvc",
];

/// The target triple in an archive's name (`x86_64-unknown-linux-musl`,
/// `aarch64-apple-darwin`, `x86_64-pc-windows-msvc`).
pub fn triple_of(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split(['-', '.']).collect();
    let arch = [
        "x86_64",
        "aarch64",
        "i686",
        "i586",
        "armv7",
        "arm",
        "riscv64gc",
        "powerpc64le",
        "s390x",
    ];
    (0..parts.len()).find_map(|i| {
        if !arch.contains(&parts[i]) {
            return None;
        }
        let vendor = *parts.get(i + 1)?;
        let os = *parts.get(i + 2)?;
        match (vendor, os) {
            ("apple", "darwin") => Some(parts[i..i + 3].join("-")),
            ("unknown", "linux") | ("pc", "windows") => {
                let env = parts.get(i + 3).filter(|e| ENVS.contains(e))?;
                Some(format!("{}-{env}", parts[i..i + 3].join("-")))
            }
            _ => None,
        }
    })
}

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
    fn triples_in_archive_names() {
        let table = [
            (
                "app-1.2.0-x86_64-unknown-linux-musl.tar.gz",
                Some("x86_64-unknown-linux-musl"),
            ),
            (
                "app-v1.2.0-aarch64-apple-darwin.tar.gz",
                Some("aarch64-apple-darwin"),
            ),
            (
                "app-1.2.0-x86_64-pc-windows-msvc.zip",
                Some("x86_64-pc-windows-msvc"),
            ),
            (
                "relkit-v0.2.0-aarch64-unknown-linux-gnu.tar.gz",
                Some("aarch64-unknown-linux-gnu"),
            ),
            ("app-1.2.0.tar.gz", None),
            ("app-x86_64-unknown-freebsd.tar.gz", None),
        ];
        for (name, want) in table {
            assert_eq!(triple_of(name).as_deref(), want, "{name}");
        }
    }

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
