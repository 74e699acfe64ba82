//! `--from git`: the tree of a committed revision, exported from the
//! repository into the temporary directory (nothing lands in
//! `~/.cargo/git`), then `cargo install --path` of each selected member
//! with binaries (`--locked` when the revision has a Cargo.lock), then the
//! binaries check.

use super::binaries::bin_paths;
use super::install::{Build, Cache};
use super::packaged::Bin;
use super::probe::Settings;
use super::run::{CARGO_LIMIT, Run};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::workspace::Workspace;

impl Run<'_> {
    pub(super) fn git(&mut self, rev: Option<&str>) -> Result<()> {
        let ws = Workspace::load(self.opts.manifest_path.as_deref())?;
        let members = self.selected(&ws)?;
        self.report.fit(members.iter().map(|m| m.name.as_str()));
        let repo = Repo::discover(&ws.root)?;
        let rev = match rev {
            Some(r) => repo.resolve(r)?.to_string(),
            None => repo
                .head()?
                .map(|h| h.to_string())
                .ok_or_else(|| Error::Git {
                    message: "the repository has no commits".into(),
                    help: Some("commit first: --from git installs what is committed".into()),
                })?,
        };
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
        let ws_root = checkout.join(
            ws.root
                .strip_prefix(repo.workdir())
                .unwrap_or(std::path::Path::new("")),
        );
        let locked = ws_root.join("Cargo.lock").is_file();
        for m in &members {
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
                continue;
            }
            let dir = m
                .manifest_path
                .parent()
                .and_then(|d| d.strip_prefix(&ws.root).ok())
                .map_or_else(|| ws_root.clone(), |rel| ws_root.join(rel));
            let settings = Settings::load(&m.manifest_path)?;
            let cwd = self.scratch.clone();
            let build = Build {
                cache: &cache,
                patches: &[],
                debug: self.opts.debug,
                timeout: CARGO_LIMIT,
                cwd: &cwd,
            };
            let root = self.scratch.join(format!("root-{}", m.name));
            let lock = if locked { " --locked" } else { "" };
            let check = format!("cargo install{lock} (git {})", &rev[..rev.len().min(8)]);
            if self.cargo_step(&m.name, &check, || {
                build.install_checkout(&dir, &root, locked)
            })? {
                let bin_dir = root.join("bin");
                let paths = bin_paths(&bins, &bin_dir);
                self.binaries(&m.name, Some(&m.version), &paths, &[bin_dir], &settings)?;
            }
        }
        Ok(())
    }
}
