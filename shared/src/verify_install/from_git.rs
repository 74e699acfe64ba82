//! `--from git`: the tree of a committed revision, exported from the
//! repository into the temporary directory (nothing lands in
//! `~/.cargo/git`), then `cargo install --path` of each selected member
//! with binaries (`--locked` when the revision has a Cargo.lock), then the
//! binaries check.

use std::path::Path;

use super::binaries::bin_paths;
use super::install::{Build, Cache};
use super::packaged::Bin;
use super::probe::Settings;
use super::run::{CARGO_LIMIT, Run};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::workspace::{Member, Workspace};

impl Run<'_> {
    pub(super) fn git(&mut self, rev: Option<&str>) -> Result<()> {
        let ws = Workspace::load(self.opts.manifest_path.as_deref())?;
        let members = self.selected(&ws)?;
        self.report.fit(members.iter().map(|m| m.name.as_str()));
        let repo = Repo::discover(&ws.root)?;
        let rev = revision(&repo, rev)?;
        if !repo.dirty_files()?.is_empty() {
            self.shell.warn(
                "the work tree has uncommitted changes: --from git installs the committed state",
            );
        }
        let target = ws
            .target_dir
            .clone()
            .unwrap_or_else(|| ws.root.join("target"));
        let cache = Cache::new(&target);
        let checkout = self.scratch.join("git-checkout");
        repo.export(&rev, &checkout)?;
        let within = ws
            .root
            .strip_prefix(repo.workdir())
            .unwrap_or(Path::new(""));
        let ws_root = checkout.join(within);
        let export = Export {
            rev: &rev,
            ws_root: &ws_root,
            locked: ws_root.join("Cargo.lock").is_file(),
            cache: &cache,
        };
        for m in &members {
            self.install_member(&ws, m, &export)?;
        }
        Ok(())
    }

    /// `cargo install` of member `m` from the exported tree, then its
    /// binaries; a member without binaries is skipped.
    fn install_member(&mut self, ws: &Workspace, m: &Member, export: &Export<'_>) -> Result<()> {
        let bins: Vec<Bin> = m
            .targets
            .iter()
            .filter(|t| t.kind.iter().any(|k| k.to_string() == "bin"))
            .map(|t| Bin {
                name: t.name.clone(),
                required_features: t.required_features.clone(),
            })
            .collect();
        if bins.is_empty() {
            self.shell.note(format_args!(
                "skipping `{}`: --from git installs binaries, and it has none",
                m.name
            ));
            return Ok(());
        }
        let dir = m
            .manifest_path
            .parent()
            .and_then(|d| d.strip_prefix(&ws.root).ok())
            .map_or_else(
                || export.ws_root.to_path_buf(),
                |rel| export.ws_root.join(rel),
            );
        let settings = Settings::load(&m.manifest_path)?;
        let cwd = self.scratch.clone();
        let build = Build {
            cache: export.cache,
            patches: &[],
            debug: self.opts.debug,
            timeout: CARGO_LIMIT,
            cwd: &cwd,
        };
        let root = self.scratch.join(format!("root-{}", m.name));
        let rev = export.rev;
        let lock = if export.locked { " --locked" } else { "" };
        let check = format!("cargo install{lock} (git {})", &rev[..rev.len().min(8)]);
        if self.cargo_step(&m.name, &check, || {
            build.install_checkout(&dir, &root, export.locked)
        })? {
            let bin_dir = root.join("bin");
            let paths = bin_paths(&bins, &bin_dir);
            self.binaries(&m.name, Some(&m.version), &paths, &[bin_dir], &settings)?;
        }
        Ok(())
    }
}

/// The tree exported from git, and how it is installed.
struct Export<'a> {
    /// The commit, as a full hash.
    rev: &'a str,
    /// The workspace root inside the exported tree.
    ws_root: &'a Path,
    /// Whether the revision has a Cargo.lock (`--locked`).
    locked: bool,
    cache: &'a Cache,
}

/// `rev` resolved to a commit hash, else HEAD's.
fn revision(repo: &Repo, rev: Option<&str>) -> Result<String> {
    match rev {
        Some(r) => Ok(repo.resolve(r)?.to_string()),
        None => repo
            .head()?
            .map(|h| h.to_string())
            .ok_or_else(|| Error::Git {
                message: "the repository has no commits".into(),
                help: Some("commit first: --from git installs what is committed".into()),
            }),
    }
}
