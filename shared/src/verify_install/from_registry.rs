//! `--from registry`: the published crates, as users get them. Each
//! `name@version` is looked up in the registry's index (missing is a
//! failure), its `.crate` downloaded and checked against the index's
//! checksum. When it holds the same sources as the `.crate` that `cargo
//! verify-install` last verified in this workspace's target dir (every
//! file but `.cargo_vcs_info.json`), it is not built again (`--rebuild`
//! builds it). Otherwise its own published
//! metadata is read (binaries, smoke commands, features), then `cargo install`ed from the registry into a
//! temporary root with a fresh `CARGO_HOME` that knows only that registry
//! (the user's `~/.cargo` untouched), and its library built by a scratch
//! crate that depends on the published version.

use std::path::{Path, PathBuf};

use semver::Version;

use super::install::{Build, Cache, Origin, Published, sources_digest, unpack_crate};
use super::library::FeatureSet;
use super::packaged::Packaged;
use super::probe::Settings;
use super::report::Status;
use super::run::{CARGO_LIMIT, Run};
use crate::error::{Error, Result};
use crate::registry::http::{Client, Retry};
use crate::registry::index::Index;
use crate::registry::{Choice, Registry};
use crate::workspace::{Member, Workspace};

/// The crates and versions to check, and a target dir to build in.
type Wanted = (Vec<(String, Version)>, Option<PathBuf>);

/// The registry name the fresh `CARGO_HOME` gives an `--index` URL.
const UNNAMED: &str = "cratesmith-published";

impl Run<'_> {
    pub(super) fn registry(&mut self, specs: &[String], choice: &Choice) -> Result<()> {
        let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
        let registry = Registry::resolve(choice, &cwd)?;
        let index = Index::open(&registry, &Client::new(), Retry::default())?;
        let (wanted, target) = self.wanted(specs)?;
        self.report.fit(wanted.iter().map(|(n, _)| n.as_str()));
        let cache = Cache::new(&target.unwrap_or_else(|| self.scratch.join("target")));
        let home = self.cargo_home(&registry)?;
        for (name, version) in &wanted {
            self.published(&index, name, version, &cache, &home)?;
        }
        Ok(())
    }

    /// The crates and versions to check: `NAME[@VERSION]` specs (a
    /// version left out is the workspace member's), else the selected
    /// members; and the workspace's target dir for the build cache.
    fn wanted(&self, specs: &[String]) -> Result<Wanted> {
        let ws = Workspace::load(self.opts.manifest_path.as_deref());
        if specs.is_empty() {
            let ws = ws?;
            let members = self.selected(&ws)?;
            let out = members.into_iter().map(|m| (m.name, m.version)).collect();
            return Ok((out, ws.target_dir));
        }
        let ws = ws.ok();
        let mut out = Vec::new();
        for spec in specs {
            out.push(spec_version(spec, ws.as_ref())?);
        }
        Ok((out, ws.and_then(|w| w.target_dir)))
    }

    /// A `CARGO_HOME` of its own, configured with the registry only.
    fn cargo_home(&self, registry: &Registry) -> Result<(PathBuf, Vec<String>)> {
        let home = self.scratch.join("cargo-home");
        std::fs::create_dir_all(&home).map_err(|e| Error::io("create", &home, e))?;
        let name = registry.name.clone().unwrap_or_else(|| UNNAMED.to_string());
        let mut config = String::new();
        let mut args = Vec::new();
        if !registry.is_crates_io() {
            let index = toml_edit::Value::from(registry.index.clone());
            config.push_str(&format!("[registries.{name}]\nindex = {index}\n"));
            args = vec!["--registry".to_string(), name];
        }
        crate::fs::write_atomic(&home.join("config.toml"), config.as_bytes())?;
        Ok((home, args))
    }

    fn published(
        &mut self,
        index: &Index,
        name: &str,
        version: &Version,
        cache: &Cache,
        home: &(PathBuf, Vec<String>),
    ) -> Result<()> {
        let Some((file, digest)) = self.download(index, name, version)? else {
            return Ok(());
        };
        let sources = sources_digest(&file, name, &version.to_string())?;
        if !self.opts.rebuild && cache.verified(name, &version.to_string()) == Some(sources) {
            let detail = format!(
                "not built again: the published .crate (sha256 {}) holds the sources `cargo verify-install` verified here; --rebuild builds it",
                &digest[..12]
            );
            self.add(name, "same as verified", Status::Pass, detail, 0);
            return Ok(());
        }
        let cd = unpack_crate(cache, &file, name, &version.to_string())?;
        cache.invalidate_if_changed(name, &cd.digest)?;
        let pkg = self.metadata(&cd.dir)?;
        let settings = Settings::load(&cd.dir.join("Cargo.toml"))?;
        self.toolchain(name, &pkg, &settings)?;
        let origin = Published {
            version: version.clone(),
            cargo_args: home.1.clone(),
            cargo_home: home.0.clone(),
            locked: cd.dir.join("Cargo.lock").is_file(),
        };
        let cwd = self.scratch.clone();
        let build = Build {
            cache,
            patches: &[],
            debug: self.opts.debug,
            timeout: CARGO_LIMIT,
            cwd: &cwd,
        };
        let member = Member {
            name: name.to_string(),
            version: version.clone(),
            manifest_path: cd.dir.join("Cargo.toml"),
            targets: Vec::new(),
        };
        if !pkg.bins.is_empty() {
            self.install_and_run(&member, &pkg, &Origin::Registry(&origin), &build, &settings)?;
        }
        if pkg.lib.is_some() {
            self.consumer(&member, &pkg, &origin, &build)?;
        }
        Ok(())
    }

    /// The `.crate` of `name`@`version` from the registry, checked against
    /// the index's checksum; `None` (a failed check) when the version is
    /// not published or the download does not match.
    fn download(
        &mut self,
        index: &Index,
        name: &str,
        version: &Version,
    ) -> Result<Option<(PathBuf, String)>> {
        let listed = index.versions(name)?;
        let Some(entry) = listed.iter().find(|l| &l.version == version) else {
            let known: Vec<String> = listed.iter().map(|l| l.version.to_string()).collect();
            let detail = format!(
                "{name}@{version} is not in `{}` ({})",
                index.registry.label(),
                if known.is_empty() {
                    "the crate is not published there".to_string()
                } else {
                    format!("published: {}", known.join(", "))
                }
            );
            self.add(name, "published", Status::Fail, detail, 0);
            return Ok(None);
        };
        let url = index.download_url(name, version, &entry.cksum);
        let bytes = index.download(&url)?;
        let digest = crate::artifact_sum::digest::sha256_hex(&bytes);
        if !entry.cksum.is_empty() && digest != entry.cksum {
            let detail = format!(
                "the download's SHA-256 is {digest}, the index says {}",
                entry.cksum
            );
            self.add(name, "published", Status::Fail, detail, 0);
            return Ok(None);
        }
        let (status, note) = if entry.yanked {
            (Status::Warn, ", yanked")
        } else {
            (Status::Pass, "")
        };
        let detail = format!(
            "in `{}`{note}, sha256 {}",
            index.registry.label(),
            &digest[..12]
        );
        self.add(name, "published", status, detail, 0);
        let file = self.scratch.join(format!("{name}-{version}.crate"));
        crate::fs::write_atomic(&file, &bytes)?;
        Ok(Some((file, digest)))
    }

    /// A scratch crate that depends on the published library, built with
    /// each feature set asked for.
    fn consumer(
        &mut self,
        m: &Member,
        pkg: &Packaged,
        origin: &Published,
        build: &Build<'_>,
    ) -> Result<()> {
        for set in self.opts.feature_sets.clone() {
            let dir = self.scratch.join(format!(
                "consumer-{}-{}",
                m.name,
                set.name().replace(',', "+")
            ));
            write_consumer(&dir, &m.name, origin, &set, &pkg.features)?;
            let check = format!("library ({} features, from the registry)", set.name());
            self.cargo_step(&m.name, &check, || {
                let mut cmd = build.cargo("build", &m.name);
                cmd.arg("--manifest-path")
                    .arg(dir.join("Cargo.toml"))
                    .env("CARGO_HOME", &origin.cargo_home);
                if !build.debug {
                    cmd.arg("--release");
                }
                super::process::run(&mut cmd, build.timeout)
            })?;
        }
        Ok(())
    }
}

/// `NAME@VERSION`, or `NAME` with the workspace member's version.
fn spec_version(spec: &str, ws: Option<&Workspace>) -> Result<(String, Version)> {
    if let Some((name, v)) = spec.split_once('@') {
        let version = Version::parse(v.trim_start_matches('=')).map_err(|e| Error::Usage {
            message: format!("`{spec}`: `{v}` is not a version: {e}"),
            help: "write NAME@VERSION, e.g. app@1.2.0".into(),
        })?;
        return Ok((name.to_string(), version));
    }
    ws.and_then(|w| w.members.iter().find(|m| m.name == spec))
        .map(|m| (m.name.clone(), m.version.clone()))
        .ok_or_else(|| Error::Usage {
            message: format!(
                "`{spec}` is not a member of this workspace, so its version is unknown"
            ),
            help: format!("give the version: {spec}@<VERSION>"),
        })
}

/// The consumer's manifest and source.
fn write_consumer(
    dir: &Path,
    name: &str,
    origin: &Published,
    set: &FeatureSet,
    all: &[String],
) -> Result<()> {
    let (default, features) = set.resolve(all);
    let mut dep = toml_edit::InlineTable::new();
    dep.insert("version", format!("={}", origin.version).into());
    if let Some(reg) = origin.cargo_args.get(1) {
        dep.insert("registry", reg.as_str().into());
    }
    if !default {
        dep.insert("default-features", false.into());
    }
    if !features.is_empty() {
        let list: toml_edit::Array = features.iter().map(String::as_str).collect();
        dep.insert("features", list.into());
    }
    let key = toml_edit::Key::new(name);
    let manifest = format!(
        "[package]\nname = \"cratesmith-consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{} = {dep}\n\n[workspace]\n",
        key.display_repr()
    );
    std::fs::create_dir_all(dir.join("src")).map_err(|e| Error::io("create", dir, e))?;
    crate::fs::write_atomic(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    crate::fs::write_atomic(&dir.join("src/lib.rs"), b"")
}
