//! `git changelog --section VERSION`: one release's notes as the changelog
//! file has them (hand edits and all), not regenerated from history: the
//! version's section of the file (`--file`, a `-p` member's changelog, or
//! the repository's CHANGELOG.md), else the package's subsection of a
//! combined changelog. `cargo ship release` writes its notes files so.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::markdown::{Kind, headings, release_notes};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::release::Settings;
use crate::release::imported::Imported;
use crate::release::members::{changelog_file, inherits_version};
use crate::workspace::{Selection, Workspace, find_manifest};

/// Where a package's notes are: its changelog, and the root changelog a
/// combined workspace changelog would be.
#[derive(Clone, Debug)]
pub struct Source {
    /// The changelog whose section is looked for.
    pub file: PathBuf,
    /// The root changelog, for a combined changelog's subsection.
    pub root: PathBuf,
    /// The package, for a combined changelog's subsection.
    pub package: Option<String>,
}

/// The notes of `version` in `source`; `None` when neither file has them.
pub fn notes(source: &Source, version: &str) -> Result<Option<String>> {
    if let Some(text) = read(&source.file)?
        && let Some(notes) = release_notes(&text, version)
    {
        return Ok(Some(notes));
    }
    let Some(name) = &source.package else {
        return Ok(None);
    };
    // A combined section: in its own file when several packages share it,
    // else in the root changelog.
    let bare = version.strip_prefix(['v', 'V']).unwrap_or(version);
    for file in [&source.file, &source.root] {
        if let Some(notes) = read(file)?.and_then(|t| super::combined::notes(&t, name, bare)) {
            return Ok(Some(notes));
        }
    }
    Ok(None)
}

/// Where the notes of `package` (else the repository's own) are, seen from `dir`.
pub fn source(dir: &Path, package: Option<&str>, file: Option<&Path>) -> Result<Source> {
    let repo = Repo::discover_any(dir)?;
    let settings = Settings::load(&repo)?;
    let root = repo
        .workdir()
        .join(settings.path.as_deref().unwrap_or("CHANGELOG.md"));
    let Some(name) = package else {
        let file = file.map_or_else(|| root.clone(), |f| dir.join(f));
        return Ok(Source {
            file,
            root,
            package: None,
        });
    };
    let manifest = find_manifest(dir).ok_or_else(|| Error::Conflict {
        message: format!(
            "-p {name} needs a Cargo workspace, and there is none at `{}`",
            dir.display()
        ),
        help: "run it in the workspace, or give the file with --file".into(),
    })?;
    let ws = Workspace::load(Some(&manifest))?;
    let index = ws.select(&Selection {
        packages: vec![name.to_string()],
        ..Selection::default()
    })?[0];
    if let Some(f) = file {
        let root = ws
            .root
            .join(settings.path.as_deref().unwrap_or("CHANGELOG.md"));
        return Ok(Source {
            file: dir.join(f),
            root,
            package: Some(name.to_string()),
        });
    }
    let imported = Imported::load(&ws)?.of(name).changelog_path;
    member_source(&ws, &settings, index, imported.as_deref())
}

/// Where member `index` of `ws` keeps its notes: the root changelog when
/// it shares the workspace version, else its own (`imported`: release-plz's
/// `changelog_path`, when the member's own settings name none).
pub fn member_source(
    ws: &Workspace,
    settings: &Settings,
    index: usize,
    imported: Option<&Path>,
) -> Result<Source> {
    let root = ws
        .root
        .join(settings.path.as_deref().unwrap_or("CHANGELOG.md"));
    let member = &ws.members[index];
    let file = if inherits_version(&member.manifest_path) {
        root.clone()
    } else {
        changelog_file(ws, index, settings.path.as_deref(), imported)?
    };
    Ok(Source {
        file,
        root,
        package: Some(member.name.clone()),
    })
}

#[derive(Serialize)]
struct Json<'a> {
    version: &'a str,
    file: &'a Path,
    notes: &'a str,
}

/// Print the notes of `version` from `source`; an error naming the
/// releases the file has when it has not this one.
pub(super) fn exec(source: &Source, version: &str, format: MessageFormat) -> Result<bool> {
    let Some(notes) = notes(source, version)? else {
        let text = read(&source.file)?.ok_or_else(|| Error::Conflict {
            message: format!("`{}` does not exist", source.file.display()),
            help: "give the changelog with --file, or -p <package> for a member's".into(),
        })?;
        let names: Vec<String> = headings(&text)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|h| match h.kind {
                Kind::Release(n) => Some(n),
                _ => None,
            })
            .collect();
        let help = if names.is_empty() {
            "it has no release sections (## [1.2.0] - date)".to_string()
        } else {
            format!("the releases it has: {}", names.join(", "))
        };
        return Err(Error::Conflict {
            message: format!("`{}` has no section for {version}", source.file.display()),
            help,
        });
    };
    match format {
        MessageFormat::Json => crate::term::print_json(&Json {
            version,
            file: &source.file,
            notes: &notes,
        })?,
        MessageFormat::Human => crate::term::print(&notes)?,
    }
    Ok(true)
}

fn read(file: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(file) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", file, e)),
    }
}
