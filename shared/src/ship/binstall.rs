//! `cargo ship binstall`: the `[package.metadata.binstall]` of a binary
//! package, so that `cargo binstall` finds the archives `cargo ship archive`
//! makes (`<name>-<version>-<triple>.tar.gz`, `.zip` for Windows, the
//! binaries under `<name>-<version>-<triple>/`) at `--url`, in each
//! package named (`-p`, repeatable: an archive may hold several), and checks
//! their minisign signatures (`<archive>.sig`, written by `cargo
//! artifact-sum --sign-each`) with `--public-key`. The manifest is edited
//! in place, format-preserving: only the keys it owns (`pkg-url`,
//! `pkg-fmt`, `bin-dir`, the Windows `overrides`, `signing`) change.

use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, Value};

use super::archives::{release_archives, require_binaries};
use super::installer::{Release, check_url, packages_of};
use crate::error::{Error, Result};
use crate::term::{Shell, print};

/// Everything `cargo ship binstall` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct BinstallOptions {
    /// The release: the package, its archives and their URL.
    pub release: Release,
    /// `--public-key`: a minisign public key (file or `RW…`).
    pub public_key: Option<String>,
    /// `--dry-run`: print the diff, write nothing.
    pub dry_run: bool,
}

/// What goes into the table.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Settings {
    pkg_url: String,
    bin_dir: String,
    /// Triples whose archive is a `.zip`, with their `pkg-url`.
    zips: Vec<(String, String)>,
    pubkey: Option<String>,
}

/// Write (or show with `--dry-run`) the package's binstall metadata.
///
/// # Errors
/// No archives, an archive without one of the binaries, a URL without
/// `{archive}`, a public key that is not one, an unreadable manifest.
pub fn exec(opts: &BinstallOptions, shell: &Shell) -> Result<bool> {
    check_url(&opts.release.url)?;
    let (name, _, bins, packages) = packages_of(&opts.release)?;
    let archives = release_archives(&opts.release.archives, &name)?;
    for (_, file) in &archives {
        require_binaries(&opts.release.archives.join(file), &bins)?;
    }
    let pubkey = match &opts.public_key {
        Some(k) => Some(crate::artifact_sum::minisign::public_key(k)?.to_base64()),
        None => None,
    };
    let settings = settings(&name, &opts.release.url, &archives, pubkey);
    let targets: Vec<&str> = archives.iter().map(|a| a.0.as_str()).collect();
    // Every manifest is edited in memory first: a bad one writes none.
    let mut edits = Vec::new();
    for pkg in &packages {
        let manifest = pkg.manifest_path.as_std_path();
        let text = std::fs::read_to_string(manifest).map_err(|e| Error::io("read", manifest, e))?;
        let new = edit(manifest, &text, &settings)?;
        edits.push((manifest.to_path_buf(), text, new));
    }
    for (manifest, text, new) in &edits {
        write(manifest, text, new, opts.dry_run, shell)?;
        if !opts.dry_run && text != new {
            shell.status(
                "Updated",
                format_args!(
                    "{} [package.metadata.binstall] ({}{})",
                    manifest.display(),
                    targets.join(", "),
                    if settings.pubkey.is_some() {
                        "; minisign-signed"
                    } else {
                        ""
                    }
                ),
            );
        }
    }
    Ok(true)
}

/// Write `new` over `manifest` (holding `text`), or with `dry_run` print
/// the diff; say so when nothing changes.
fn write(manifest: &Path, text: &str, new: &str, dry_run: bool, shell: &Shell) -> Result<()> {
    if new == text {
        shell.note(format_args!(
            "{} already has this [package.metadata.binstall]",
            manifest.display()
        ));
        return Ok(());
    }
    if dry_run {
        let change = crate::fs::Change {
            path: manifest,
            original: Some(text.as_bytes()),
            new: new.as_bytes(),
        };
        let dir = std::env::current_dir().unwrap_or_default();
        print(&crate::diff::unified(&change, &dir))?;
        shell.warn("dry run: no files were written");
        return Ok(());
    }
    crate::fs::write_atomic(manifest, new.as_bytes())
}

/// binstall's templates for archives named as `cargo ship archive` names
/// them, at `url` (`{version}` and `{archive}` as the installer takes it).
fn settings(
    name: &str,
    url: &str,
    archives: &[(String, String)],
    pubkey: Option<String>,
) -> Settings {
    let stem = format!("{name}-{{ version }}-{{ target }}");
    let at = |ext: &str| {
        url.replace("{version}", "{ version }")
            .replace("{archive}", &format!("{stem}{ext}"))
    };
    let zips = archives
        .iter()
        .filter(|(_, file)| file.ends_with(".zip"))
        .map(|(triple, _)| (triple.clone(), at(".zip")))
        .collect();
    Settings {
        pkg_url: at(".tar.gz"),
        bin_dir: format!("{stem}/{{ bin }}{{ binary-ext }}"),
        zips,
        pubkey,
    }
}

/// The manifest `text` with the settings in `[package.metadata.binstall]`.
fn edit(path: &Path, text: &str, s: &Settings) -> Result<String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Conflict {
            message: format!("`{}` is not valid TOML: {}", path.display(), e.message()),
            help: "fix the manifest first".into(),
        })?;
    let Some(package) = doc.get_mut("package").and_then(Item::as_table_mut) else {
        return Err(Error::Conflict {
            message: format!("`{}` has no [package] table", path.display()),
            help: "run it for a package with binaries (-p NAME)".into(),
        });
    };
    let binstall = sub(sub(package, "metadata"), "binstall");
    set(binstall, "pkg-url", &s.pkg_url);
    set(binstall, "pkg-fmt", "tgz");
    set(binstall, "bin-dir", &s.bin_dir);
    for (triple, url) in &s.zips {
        let o = sub(sub(binstall, "overrides"), triple);
        set(o, "pkg-url", url);
        set(o, "pkg-fmt", "zip");
    }
    if let Some(key) = &s.pubkey {
        let signing = sub(binstall, "signing");
        set(signing, "algorithm", "minisign");
        set(signing, "pubkey", key);
    }
    Ok(doc.to_string())
}

/// The table `key` in `table`, made (implicit when it only holds tables)
/// when missing.
fn sub<'a>(table: &'a mut Table, key: &str) -> &'a mut Table {
    let item = table.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    if item.as_table().is_none() {
        if let Some(inline) = item.as_inline_table().cloned() {
            *item = Item::Table(inline.into_table());
        } else {
            *item = Item::Table(Table::new());
        }
    }
    match item {
        Item::Table(t) => t,
        _ => unreachable!("made a table above"),
    }
}

/// `key = "value"` in `table`, keeping the old value's decor; untouched
/// when it already says so.
fn set(table: &mut Table, key: &str, value: &str) {
    match table.get_mut(key) {
        Some(Item::Value(v)) if v.as_str() == Some(value) => {}
        Some(Item::Value(v)) => {
            let decor = v.decor().clone();
            *v = Value::from(value);
            *v.decor_mut() = decor;
        }
        _ => {
            table.insert(key, toml_edit::value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_for(pubkey: Option<&str>) -> Settings {
        settings(
            "halp",
            "https://example.com/download/v{version}/{archive}",
            &[
                (
                    "x86_64-pc-windows-msvc".into(),
                    "halp-1.0.0-x86_64-pc-windows-msvc.zip".into(),
                ),
                (
                    "x86_64-unknown-linux-gnu".into(),
                    "halp-1.0.0-x86_64-unknown-linux-gnu.tar.gz".into(),
                ),
            ],
            pubkey.map(String::from),
        )
    }

    #[test]
    fn a_manifest_gets_the_table_and_keeps_everything_else() {
        let before = "[package]\nname = \"halp\" # the CLI\nversion = \"1.0.0\"\n\n[dependencies]\nclap = \"4\"\n";
        let after = edit(
            Path::new("Cargo.toml"),
            before,
            &settings_for(Some("RWQkey")),
        )
        .unwrap();
        assert_eq!(
            after,
            "[package]\nname = \"halp\" # the CLI\nversion = \"1.0.0\"\n\n\
             [package.metadata.binstall]\n\
             pkg-url = \"https://example.com/download/v{ version }/halp-{ version }-{ target }.tar.gz\"\n\
             pkg-fmt = \"tgz\"\n\
             bin-dir = \"halp-{ version }-{ target }/{ bin }{ binary-ext }\"\n\n\
             [package.metadata.binstall.overrides.x86_64-pc-windows-msvc]\n\
             pkg-url = \"https://example.com/download/v{ version }/halp-{ version }-{ target }.zip\"\n\
             pkg-fmt = \"zip\"\n\n\
             [package.metadata.binstall.signing]\n\
             algorithm = \"minisign\"\n\
             pubkey = \"RWQkey\"\n\n\
             [dependencies]\nclap = \"4\"\n"
        );
        let again = edit(
            Path::new("Cargo.toml"),
            &after,
            &settings_for(Some("RWQkey")),
        )
        .unwrap();
        assert_eq!(again, after, "a second run changes nothing");
    }

    #[test]
    fn only_the_owned_keys_change_in_an_existing_table() {
        let before = "[package]\nname = \"halp\"\n\n[package.metadata.binstall]\n# where releases live\npkg-url   = \"https://old.example.com/{ name }.tgz\" # old\npkg-fmt = \"tgz\"\ndisabled-strategies = [\"compile\"]\n";
        let after = edit(Path::new("Cargo.toml"), before, &settings_for(None)).unwrap();
        let want = before.replace(
            "\"https://old.example.com/{ name }.tgz\"",
            "\"https://example.com/download/v{ version }/halp-{ version }-{ target }.tar.gz\"",
        );
        assert!(after.starts_with(&want.replace("disabled-strategies = [\"compile\"]\n", "disabled-strategies = [\"compile\"]\nbin-dir = \"halp-{ version }-{ target }/{ bin }{ binary-ext }\"\n")), "{after}");
    }
}
