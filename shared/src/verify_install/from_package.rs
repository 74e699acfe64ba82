//! `--from package` (the default): `cargo package` the selected members
//! (while `cargo metadata` runs), then check each packaged crate.

use std::path::{Path, PathBuf};

use cargo_metadata::MetadataCommand;

use super::binaries::bin_paths;
use super::install::{
    Build, Cache, CrateDir, Origin, Patch, patches, sources_digest, unpack_crate,
};
use super::package::{self, crate_file};
use super::packaged::{Bin, Packaged};
use super::probe::Settings;
use super::process::Outcome;
use super::report::Status;
use super::run::{CARGO_LIMIT, Run, last_error_line, timed};
use crate::discover::{Start, while_cargo_reads};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::term::with_spinner;
use crate::text::count;
use crate::workspace::{Member, Workspace};

impl Run<'_> {
    pub(super) fn selected(&self, ws: &Workspace) -> Result<Vec<Member>> {
        let (members, skipped) = self.selection(ws)?;
        for name in skipped {
            self.shell
                .note(format_args!("skipping `{name}`: publish = false"));
        }
        Ok(members)
    }

    /// The selected members, and the names of those skipped for `publish =
    /// false` (with `--workspace`).
    fn selection(&self, ws: &Workspace) -> Result<(Vec<Member>, Vec<String>)> {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for i in ws.select(&self.opts.selection)? {
            let m = &ws.members[i];
            if self.opts.selection.workspace && !publishable(&m.manifest_path) {
                skipped.push(m.name.clone());
                continue;
            }
            out.push(m.clone());
        }
        if out.is_empty() {
            return Err(Error::Conflict {
                message: "no package to verify".into(),
                help: "name one with -p, or drop --exclude".into(),
            });
        }
        Ok((out, skipped))
    }

    /// The workspace and `cargo package` of its selected members. Like
    /// `cargo bump`, it runs `cargo package` for the members the manifests
    /// name (cargo-free discovery) while `cargo metadata` runs, and keeps
    /// that run only if cargo's workspace selects the same packages;
    /// otherwise it packages again.
    fn load_and_package(&self) -> Result<(Workspace, Vec<Member>, Result<Outcome>, u64)> {
        let start = Start::resolve(self.opts.manifest_path.as_deref());
        let (ws, guess) = while_cargo_reads(&start, |ws, _| {
            let names = names(&self.selection(ws).ok()?.0);
            let done = self.cargo_package(&ws.root_manifest, &names);
            Some((names, done))
        })?;
        let members = self.selected(&ws)?;
        let names = names(&members);
        let (outcome, ms) = match guess {
            Some((guessed, (guessed_names, done)))
                if guessed_names == names && guessed.root_manifest == ws.root_manifest =>
            {
                done
            }
            _ => self.cargo_package(&ws.root_manifest, &names),
        };
        Ok((ws, members, outcome, ms))
    }

    /// `cargo package` of `names` in the workspace of `root`, timed.
    fn cargo_package(&self, root: &Path, names: &[String]) -> (Result<Outcome>, u64) {
        let label = format!("{}: cargo package", names.join(", "));
        self.starting(&label);
        with_spinner(self.shell.progress_allowed(), &label, || {
            let registry = self.opts.registry.cargo_args();
            timed(|| {
                package::cargo_package(root, names, &registry, self.opts.allow_dirty, CARGO_LIMIT)
            })
        })
    }

    pub(super) fn packages(&mut self) -> Result<()> {
        let (ws, members, outcome, ms) = self.load_and_package()?;
        self.report.fit(members.iter().map(|m| m.name.as_str()));
        let target = ws
            .target_dir
            .clone()
            .unwrap_or_else(|| ws.root.join("target"));
        let cache = Cache::new(&target);
        let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
        let label = names.join(", ");
        let outcome = outcome?;
        if !outcome.success() {
            let detail = last_error_line(&outcome);
            self.add_with(
                &label,
                "cargo package",
                Status::Fail,
                detail,
                ms,
                Some(outcome.output()),
            );
            return Ok(());
        }
        let mut unpacked = Vec::new();
        for m in &members {
            let file = crate_file(&target, &m.name, &m.version);
            let cd = unpack_crate(&cache, &file, &m.name, &m.version.to_string())?;
            cache.invalidate_if_changed(&m.name, &cd.digest)?;
            let detail = format!(
                "{}, {} KiB, sha256 {}",
                count(cd.files.len(), "file", "files"),
                cd.size.div_ceil(1024),
                &cd.digest[..12]
            );
            self.add(&m.name, "cargo package", Status::Pass, detail, ms);
            unpacked.push((m, cd, file));
        }
        let packages: Vec<(String, PathBuf)> = unpacked
            .iter()
            .map(|(m, cd, _)| (m.name.clone(), cd.dir.clone()))
            .collect();
        let patches = patches(&packages);
        for (m, cd, file) in &unpacked {
            self.package(m, cd, file, &cache, &patches)?;
        }
        Ok(())
    }

    /// Check one packaged crate (`file`, unpacked at `cd`); when every
    /// check passes, record its sources as verified.
    fn package(
        &mut self,
        m: &Member,
        cd: &CrateDir,
        file: &Path,
        cache: &Cache,
        patches: &[Patch],
    ) -> Result<()> {
        let pkg = self.metadata(&cd.dir)?;
        for f in package::findings(&pkg, &cd.dir, &cd.files, cd.size, self.opts.max_file_size) {
            self.add(&m.name, f.check, f.status, f.detail, 0);
        }
        let settings = Settings::load(&m.manifest_path)?;
        self.toolchain(&m.name, &pkg, &settings)?;
        let cwd = self.scratch.clone();
        let build = Build {
            cache,
            patches,
            debug: self.opts.debug,
            timeout: CARGO_LIMIT,
            cwd: &cwd,
        };
        if !pkg.bins.is_empty() {
            self.install_and_run(m, &pkg, &Origin::Path(&cd.dir), &build, &settings)?;
        }
        self.library(m, &pkg, &cd.dir, &build)?;
        let failed = self
            .report
            .checks
            .iter()
            .any(|c| c.package == m.name && c.status == Status::Fail);
        if !failed {
            let version = m.version.to_string();
            let digest = sources_digest(file, &m.name, &version)?;
            cache.mark_verified(&m.name, &version, &digest)?;
        }
        Ok(())
    }

    /// `cargo install` the package, then the binaries its
    /// `required-features` kept out (cargo's documented behaviour, not a
    /// failure) with those features, then run them all.
    pub(super) fn install_and_run(
        &mut self,
        m: &Member,
        pkg: &Packaged,
        origin: &Origin<'_>,
        build: &Build<'_>,
        settings: &Settings,
    ) -> Result<()> {
        let root = self.scratch.join(format!("root-{}", m.name));
        let what = match origin {
            Origin::Path(_) => "cargo install (isolated)",
            Origin::Registry(_) => "cargo install (from the registry)",
        };
        let installed =
            self.cargo_step(&m.name, what, || build.install_path(&m.name, origin, &root))?;
        if !installed {
            return Ok(());
        }
        let bin_dir = root.join("bin");
        let mut paths = Vec::new();
        let mut dirs = vec![bin_dir.clone()];
        let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for (bin, path) in pkg.bins.iter().zip(bin_paths(&pkg.bins, &bin_dir)) {
            if path.1.is_file() || bin.required_features.is_empty() {
                paths.push(path);
                continue;
            }
            match groups.iter_mut().find(|(f, _)| *f == bin.required_features) {
                Some((_, names)) => names.push(bin.name.clone()),
                None => groups.push((bin.required_features.clone(), vec![bin.name.clone()])),
            }
        }
        for (i, (features, names)) in groups.iter().enumerate() {
            let extra = self.scratch.join(format!("root-{}-{i}", m.name));
            let check = format!("cargo install --features {}", features.join(","));
            let ok = self.cargo_step(&m.name, &check, || {
                build.install_bins(&m.name, origin, &extra, features, names)
            })?;
            if ok {
                let extra_bins = extra.join("bin");
                let bins: Vec<Bin> = pkg
                    .bins
                    .iter()
                    .filter(|b| names.contains(&b.name))
                    .cloned()
                    .collect();
                paths.extend(bin_paths(&bins, &extra_bins));
                dirs.push(extra_bins);
            }
        }
        self.binaries(&m.name, Some(&m.version), &paths, &dirs, settings)
    }

    /// The packaged manifest: read directly when cargo spelled its targets
    /// out (it does when packaging), else as cargo reads it, from outside
    /// any workspace.
    pub(super) fn metadata(&self, dir: &Path) -> Result<Packaged> {
        if let Some(p) = Packaged::read(dir) {
            return Ok(p);
        }
        let meta = MetadataCommand::new()
            .manifest_path(dir.join("Cargo.toml"))
            .current_dir(&self.scratch)
            .no_deps()
            .exec()
            .map_err(|e| Error::Metadata(e.to_string()))?;
        let pkg = meta.packages.first().ok_or_else(|| {
            Error::Metadata(format!(
                "no package in `{}`",
                dir.join("Cargo.toml").display()
            ))
        })?;
        Ok(Packaged::from_metadata(pkg))
    }
}

fn publishable(manifest: &Path) -> bool {
    Manifest::load(manifest).ok().and_then(|m| {
        m.get(&["package", "publish"])
            .and_then(toml_edit::Item::as_bool)
    }) != Some(false)
}

fn names(members: &[Member]) -> Vec<String> {
    members.iter().map(|m| m.name.clone()).collect()
}
