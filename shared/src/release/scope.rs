//! What a release is about: the tag pattern and the paths (`--tag-pattern`,
//! `--path`, `-p`), resolved once for `git changelog` and `cargo bump auto`.

use std::path::{Path, PathBuf};

use super::Settings;
use super::members;
use crate::error::{Error, Result};
use crate::git::{PathFilter, Repo};
use crate::paths;
use crate::term::Shell;
use crate::workspace::{Selection, Workspace, find_manifest};

/// The tags and paths one release (or changelog) is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Release tags, `*` standing for the version.
    pub pattern: String,
    /// The files whose changes count (`--path`, `-p`'s member).
    pub paths: PathFilter,
    /// The `-p` package's version, where the next version starts from
    /// when it has no release tag yet.
    pub version: Option<semver::Version>,
    /// Whether tags of another shape hint at a wrong pattern (not for a
    /// member's own `<name>-v*` tags: the others are other members').
    pub hint: bool,
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
    let given: Vec<String> = args
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
            paths: PathFilter::new(given, Vec::new()),
            version: None,
            hint: true,
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
    let own = members::member_paths(repo.workdir(), ws, picked[0])?;
    let mut include = given;
    include.extend(own.included().iter().cloned());
    let paths = PathFilter::new(include, own.excluded().to_vec());
    let pattern = members::member_pattern(repo, ws, picked[0], explicit)?;
    if explicit.is_none() && pattern == "v*" {
        shell.verbose(
            "Tags",
            format_args!(
                "no `{}-v*` tags and the workspace is released as a whole: using its `v*` tags",
                member.name
            ),
        );
    }
    Ok(Scope {
        pattern,
        paths,
        version: Some(member.version.clone()),
        hint: explicit.is_some(),
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
