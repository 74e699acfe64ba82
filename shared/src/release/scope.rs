//! What a release is about: the tag pattern and the paths (`--tag-pattern`,
//! `--path`, `-p`), resolved once for `git changelog` and `cargo bump auto`.

use std::path::{Path, PathBuf};

use super::Settings;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::paths;
use crate::term::Shell;
use crate::workspace::{Selection, Workspace, find_manifest};

/// The tags and paths one release (or changelog) is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Release tags, `*` standing for the version.
    pub pattern: String,
    /// Paths relative to the work tree (`/`-separated); empty for all.
    pub paths: Vec<String>,
    /// The `-p` package's version, where the next version starts from
    /// when it has no release tag yet.
    pub version: Option<semver::Version>,
}

/// What the scope is built from.
#[derive(Clone, Debug)]
pub struct ScopeArgs<'a> {
    /// The directory relative paths are taken from (`-C`, else `.`).
    pub dir: &'a Path,
    /// `--tag-pattern`, if given.
    pub pattern: Option<&'a str>,
    /// `--path` values.
    pub paths: &'a [PathBuf],
    /// `-p/--package`.
    pub package: Option<&'a str>,
    /// The workspace `-p` names a member of, when the caller has loaded it
    /// already (else it is loaded through `cargo metadata`).
    pub workspace: Option<&'a Workspace>,
}

/// Resolve the scope: `-p` adds the member's directory (through cargo
/// metadata) and, unless a pattern is given, uses its `<crate>-v*` tags when
/// it has any; `{{crate}}` in a pattern stands for the package's name.
pub fn scope(
    args: &ScopeArgs<'_>,
    repo: &Repo,
    settings: &Settings,
    shell: &Shell,
) -> Result<Scope> {
    let mut paths: Vec<String> = args
        .paths
        .iter()
        .map(|p| {
            if args.dir == Path::new(".") {
                relative(repo.workdir(), p)
            } else {
                relative(repo.workdir(), &args.dir.join(p))
            }
        })
        .collect::<Result<_>>()?;
    let explicit = args.pattern.or(settings.tag_pattern.as_deref());
    let Some(name) = args.package else {
        let pattern = explicit.unwrap_or("v*");
        if pattern.contains("{{crate}}") {
            return Err(Error::Usage {
                message: format!(
                    "the tag pattern `{pattern}` uses {{{{crate}}}} but no package was named"
                ),
                help: "name the package with -p <name>, or give a pattern without {{crate}}".into(),
            });
        }
        return Ok(Scope {
            pattern: pattern.to_string(),
            paths,
            version: None,
        });
    };
    let loaded;
    let ws = match args.workspace {
        Some(ws) => ws,
        None => {
            loaded = load_workspace(args.dir, name)?;
            &loaded
        }
    };
    let picked = ws.select(&Selection {
        packages: vec![name.to_string()],
        ..Selection::default()
    })?;
    let member = &ws.members[picked[0]];
    let member_dir = member.manifest_path.parent().unwrap_or(&ws.root);
    paths.push(relative(repo.workdir(), member_dir)?);
    let per_crate = format!("{}-v*", member.name);
    let pattern = match explicit {
        Some(p) => p.replace("{{crate}}", &member.name),
        None if !repo.semver_tags(&per_crate)?.tags.is_empty() => per_crate,
        None => {
            shell.verbose(
                "Tags",
                format_args!("no `{per_crate}` tags: using the workspace's `v*` tags"),
            );
            "v*".to_string()
        }
    };
    Ok(Scope {
        pattern,
        paths,
        version: Some(member.version.clone()),
    })
}

/// `path` relative to the work tree `root`, `/`-separated (`""` for the
/// root itself); an error when it lies outside.
fn relative(root: &Path, path: &Path) -> Result<String> {
    paths::in_repository(root, path).map(|p| paths::slash(&p))
}

/// The workspace around `dir`, through `cargo metadata`, for `-p name`.
fn load_workspace(dir: &Path, name: &str) -> Result<Workspace> {
    let Some(manifest) = find_manifest(dir) else {
        return Err(Error::Conflict {
            message: format!(
                "-p {name} needs a Cargo workspace, and there is no Cargo.toml in `{}` or above it",
                dir.display()
            ),
            help: format!(
                "outside Cargo, name the directory and the tags instead: --path <dir> --tag-pattern '{name}-v*'"
            ),
        });
    };
    Workspace::load(Some(&manifest))
}
