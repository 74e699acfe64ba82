//! Ours or not ours: a version already in the index counts as published
//! by this workspace only when its contents are what `cargo package` makes
//! now. The index's checksum is compared with the SHA-256 of the local
//! `.crate` (made with `cargo package --no-verify`, which compiles
//! nothing); where they differ (the tarball records the commit it was made
//! from, and may differ between cargo versions), the published `.crate` is
//! downloaded and its files compared with the local package's, leaving out
//! the two files cargo generates at packaging time: `.cargo_vcs_info.json`
//! (the commit) and `Cargo.lock` (the workspace's lock of that day).
//! Anything else different marks the version "published with other
//! contents", which stops the run before any upload.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::plan::{Skip, Step};
use crate::artifact_sum::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::registry::index::Index;
use crate::registry::upload::crate_files;
use crate::term::Shell;
use crate::verify_install::package::{cargo, crate_file};
use crate::verify_install::process;

/// Files cargo writes into a `.crate` at packaging time, not the
/// package's contents.
const GENERATED: [&str; 2] = [".cargo_vcs_info.json", "Cargo.lock"];

/// Where the local packages are made and how.
pub struct Local<'a> {
    /// The workspace's root manifest.
    pub root_manifest: &'a Path,
    /// Where cargo writes `package/`.
    pub target_dir: &'a Path,
    /// `--registry`/`--index` for cargo.
    pub registry_args: &'a [String],
}

/// Check every step whose version the index lists: the ones whose contents
/// differ become [`Skip::OtherContents`].
///
/// # Errors
/// `cargo package` fails, or a published `.crate` cannot be downloaded.
pub fn check(steps: &mut [Step], local: &Local<'_>, index: &Index, shell: &Shell) -> Result<()> {
    let listed: Vec<usize> = (0..steps.len())
        .filter(|&i| matches!(steps[i].skip, Some(Skip::Published { .. })))
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    // Everything that could go to the registry is packaged together, so that
    // path dependencies not yet published resolve as cargo package resolves
    // them (through its temporary local registry).
    let names: Vec<&str> = steps
        .iter()
        .filter(|s| s.skip.as_ref().is_none_or(|k| !restricted(k)))
        .map(|s| s.name.as_str())
        .collect();
    shell.verbose("Packaging", names.join(", "));
    package(local, &names)?;
    for i in listed {
        let step = &steps[i];
        let published = step.cksum.clone().unwrap_or_default();
        let file = crate_file(local.target_dir, &step.name, &step.version);
        let bytes = std::fs::read(&file).map_err(|e| Error::io("read", &file, e))?;
        let ours = sha256_hex(&bytes);
        if ours == published || same_files(step, &bytes, index)? {
            continue;
        }
        steps[i].skip = Some(Skip::OtherContents {
            local: ours,
            published,
        });
    }
    Ok(())
}

/// The error that stops a run whose plan has a blocking step.
pub fn blocked(steps: &[Step]) -> Option<Error> {
    let lines: Vec<String> = steps
        .iter()
        .filter_map(|s| match &s.skip {
            Some(Skip::OtherContents { local, published }) => Some(format!(
                "{} v{} is in the registry with other contents (published sha256 {published}, local {local})",
                s.name, s.version
            )),
            Some(Skip::NotOwner { owners, login }) => Some(format!(
                "{} belongs to {} in the registry, not to {login}",
                s.name,
                owners.join(", ")
            )),
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(Error::Conflict {
        message: format!("nothing was uploaded: {}", lines.join("; ")),
        help: "the name is someone else's (choose another package name) or the version was published before with other contents (bump it: cargo bump patch -p NAME)".into(),
    })
}

/// `publish = false` or a list without this registry.
fn restricted(skip: &Skip) -> bool {
    matches!(skip, Skip::PublishFalse | Skip::OtherRegistries(_))
}

/// `cargo package --no-verify` of `names`: the `.crate` files, without
/// compiling.
fn package(local: &Local<'_>, names: &[&str]) -> Result<()> {
    let mut cmd = Command::new(cargo());
    cmd.args(["package", "--no-verify", "--allow-dirty", "--quiet"])
        .args(["--color", "never", "--manifest-path"])
        .arg(local.root_manifest)
        .args(local.registry_args);
    for n in names {
        cmd.args(["-p", n]);
    }
    let out = process::run(&mut cmd, Duration::from_secs(3600))?;
    if out.success() {
        return Ok(());
    }
    Err(Error::Command {
        program: "cargo package --no-verify".into(),
        message:
            "could not package the workspace to compare it with the registry; nothing was uploaded"
                .into(),
        output: out.output(),
        help: Some("fix what cargo reports, then run `cargo ship crates` again".into()),
    })
}

/// Whether the published `.crate` holds the same files as `local` (the
/// generated ones aside).
fn same_files(step: &Step, local: &[u8], index: &Index) -> Result<bool> {
    let cksum = step.cksum.as_deref().unwrap_or_default();
    let url = index.download_url(&step.name, &step.version, cksum);
    let published = index.download(&url)?;
    let prefix = format!("{}-{}/", step.name, step.version);
    let read = |bytes: &[u8], what: &str| {
        files(bytes, &prefix).map_err(|e| Error::Conflict {
            message: format!("the {what} .crate of {} v{}: {e}", step.name, step.version),
            help: "a .crate is a gzip-compressed tar archive; package again".into(),
        })
    };
    Ok(read(local, "local")? == read(&published, "published")?)
}

/// The files of a `.crate` under `prefix`, by relative path, the
/// generated ones left out.
fn files(gz: &[u8], prefix: &str) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    crate_files(gz, prefix, |rel, _| {
        rel.is_none_or(|r| !GENERATED.contains(&r))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, text) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, text.as_bytes()).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn generated_files_do_not_count_and_everything_else_does() {
        let a = tarball(&[
            ("x-1.0.0/Cargo.toml", "[package]"),
            ("x-1.0.0/.cargo_vcs_info.json", "{\"sha1\": \"aaa\"}"),
            ("x-1.0.0/Cargo.lock", "one"),
            ("x-1.0.0/src/lib.rs", "fn a() {}"),
        ]);
        let same = tarball(&[
            ("x-1.0.0/Cargo.toml", "[package]"),
            ("x-1.0.0/.cargo_vcs_info.json", "{\"sha1\": \"bbb\"}"),
            ("x-1.0.0/Cargo.lock", "two"),
            ("x-1.0.0/src/lib.rs", "fn a() {}"),
        ]);
        let edited = tarball(&[
            ("x-1.0.0/Cargo.toml", "[package]"),
            ("x-1.0.0/src/lib.rs", "fn b() {}"),
        ]);
        let extra = tarball(&[
            ("x-1.0.0/Cargo.toml", "[package]"),
            ("x-1.0.0/src/lib.rs", "fn a() {}"),
            ("x-1.0.0/src/more.rs", ""),
        ]);
        let p = "x-1.0.0/";
        let f = |b: &[u8]| files(b, p).unwrap();
        assert_eq!(f(&a), f(&same));
        assert_ne!(f(&a), f(&edited));
        assert_ne!(f(&a), f(&extra));
    }
}
