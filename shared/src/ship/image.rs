//! `cargo ship image`: an OCI image of the release binaries, built
//! without a container engine or a base image, the same bytes for the same
//! inputs; written as an OCI archive and/or pushed to a registry.

use std::path::PathBuf;

use serde_json::json;

use super::image_inputs::{self, PlatformFiles, UID};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::oci::archive::{Contents, archive};
use crate::oci::image::{Image, Spec, image, index};
use crate::oci::layer::{self, File};
use crate::oci::push::{Reference, Session};
use crate::term::{Shell, print, print_json};

/// Everything `cargo ship image` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct ImageOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p` (repeatable).
    pub packages: Vec<String>,
    /// `--bin`.
    pub bins: Vec<String>,
    /// `--target`.
    pub targets: Vec<String>,
    /// `--profile` (`release`).
    pub profile: String,
    /// `--from-archives DIR`.
    pub from_archives: Option<PathBuf>,
    /// `--tag NAME:TAG`.
    pub tags: Vec<String>,
    /// `-o FILE`.
    pub output: Option<PathBuf>,
    /// `--push REF`.
    pub push: Option<String>,
    /// `--ca-certs FILE`: a CA bundle to carry.
    pub ca_certs: Option<PathBuf>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--format`.
    pub format: MessageFormat,
}

/// Where the CA bundle goes in the image.
const CA_PATH: &str = "etc/ssl/certs/ca-certificates.crt";

/// Build, then write and/or push.
pub fn exec(opts: &ImageOptions, shell: &Shell) -> Result<bool> {
    let manifest_path = opts.manifest_path.as_deref();
    let meta = crate::workspace::metadata(manifest_path)?;
    let start = crate::workspace::start_manifest(manifest_path);
    let subject = image_inputs::subject(&meta, &opts.packages, &opts.bins, start.as_deref())?;
    let pkg = subject.package;
    let push = push_reference(opts)?;
    let tags = tags(opts, pkg)?;
    let scratch = tempfile::tempdir().map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    let platforms = match &opts.from_archives {
        Some(dir) => {
            image_inputs::from_archives(dir, pkg.name.as_str(), &subject.bins, scratch.path())?
        }
        None => image_inputs::from_target_dir(
            meta.target_directory.as_std_path(),
            &opts.targets,
            &opts.profile,
            &subject.bins,
        )?,
    };
    for p in &platforms {
        image_inputs::check_static(p)?;
    }
    let (labels, epoch) = image_inputs::labels(pkg, meta.workspace_root.as_std_path());
    let ca = opts
        .ca_certs
        .as_ref()
        .map(|f| std::fs::read(f).map_err(|e| Error::io("read", f, e)))
        .transpose()?;
    let spec = spec(&subject.entry, labels, epoch, ca.is_some());
    let mtime = u64::try_from(epoch).unwrap_or(0);
    let images: Vec<Image> = platforms
        .iter()
        .map(|p| build(p, &spec, ca.as_deref(), mtime))
        .collect::<Result<_>>()?;
    let idx = (images.len() > 1).then(|| index(&images));
    let contents = Contents {
        images: &images,
        index: idx.as_ref(),
        tags: &tags,
    };
    let default_file = meta
        .target_directory
        .as_std_path()
        .join("image")
        .join(format!("{}-{}.oci.tar", pkg.name, pkg.version));
    let delivered = if opts.dry_run {
        Delivered::default()
    } else {
        deliver(opts, &contents, push.as_ref(), mtime, default_file, shell)?
    };
    let mut report = summary(pkg, &contents, &spec, &platforms);
    report["written"] = json!(delivered.written.map(|f| f.display().to_string()));
    report["pushed"] = json!(delivered.pushed);
    report["dry_run"] = json!(opts.dry_run);
    if opts.format == MessageFormat::Json {
        print_json(&report)?;
    } else if opts.dry_run {
        print(&layout(&report))?;
    }
    Ok(true)
}

/// `--push REF`, parsed.
fn push_reference(opts: &ImageOptions) -> Result<Option<Reference>> {
    opts.push
        .as_deref()
        .map(Reference::parse)
        .transpose()
        .map_err(|m| Error::Usage {
            message: m,
            help: "write host[:port]/name[:tag]".into(),
        })
}

/// The image's configuration: the non-root user, the entrypoint, the
/// environment (the CA bundle's path when it carries one), the labels.
fn spec(
    entry: &str,
    labels: std::collections::BTreeMap<String, String>,
    epoch: i64,
    ca: bool,
) -> Spec {
    let mut env = vec!["PATH=/usr/local/bin:/usr/bin:/bin".to_string()];
    if ca {
        env.push(format!("SSL_CERT_FILE=/{CA_PATH}"));
    }
    Spec {
        user: format!("{UID}:{UID}"),
        entrypoint: vec![format!("/usr/local/bin/{entry}")],
        env,
        labels,
        created: crate::oci::image::rfc3339(epoch),
    }
}

/// Where the image went.
#[derive(Default)]
struct Delivered {
    written: Option<PathBuf>,
    pushed: Option<String>,
}

/// Write the OCI archive (`-o`, or `default_file` when not pushing) and
/// push (`--push`).
fn deliver(
    opts: &ImageOptions,
    contents: &Contents<'_>,
    push: Option<&Reference>,
    mtime: u64,
    default_file: PathBuf,
    shell: &Shell,
) -> Result<Delivered> {
    let digest = contents.top().map(|b| b.digest.clone()).unwrap_or_default();
    let mut done = Delivered::default();
    if opts.output.is_some() || push.is_none() {
        let file = opts.output.clone().unwrap_or(default_file);
        let bytes = archive(contents, mtime).map_err(|e| Error::io("write", &file, e))?;
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        crate::fs::write_atomic(&file, &bytes)?;
        shell.status("Wrote", format_args!("{} ({digest})", file.display()));
        done.written = Some(file);
    }
    if let Some(r) = push {
        shell.status("Pushing", r);
        Session::new(r.clone()).push(contents)?;
        shell.status("Pushed", format_args!("{r}@{digest}"));
        done.pushed = Some(format!("{r}@{digest}"));
    }
    Ok(done)
}

/// The JSON report of what the image holds.
fn summary(
    pkg: &cargo_metadata::Package,
    contents: &Contents<'_>,
    spec: &Spec,
    platforms: &[PlatformFiles],
) -> serde_json::Value {
    json!({
        "package": pkg.name.as_str(),
        "version": pkg.version.to_string(),
        "digest": contents.top().map(|b| b.digest.clone()).unwrap_or_default(),
        "media_type": contents.top().map(|b| b.media_type.clone()),
        "tags": contents.tags,
        "entrypoint": spec.entrypoint,
        "user": spec.user,
        "labels": spec.labels,
        "platforms": contents.images.iter().zip(platforms).map(|(i, p)| json!({
            "platform": i.platform.name(),
            "manifest": i.manifest.digest,
            "config": i.config.digest,
            "layer": i.layer.blob.digest,
            "layer_size": i.layer.blob.bytes.len(),
            "from": p.from,
            "binaries": p.bins.iter().map(|(n, b)| json!({"name": n, "size": b.len()})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `--tag`s, else `<package>:<version>`; each a valid reference.
fn tags(opts: &ImageOptions, pkg: &cargo_metadata::Package) -> Result<Vec<String>> {
    let tags = if opts.tags.is_empty() {
        vec![format!("{}:{}", pkg.name, pkg.version)]
    } else {
        opts.tags.clone()
    };
    for t in &tags {
        Reference::parse(t).map_err(|m| Error::Usage {
            message: format!("--tag {m}"),
            help: "write name:tag (lower case), e.g. app:1.2.0".into(),
        })?;
    }
    Ok(tags)
}

/// One platform's image: the binaries, the accounts, the CA bundle.
fn build(p: &PlatformFiles, spec: &Spec, ca: Option<&[u8]>, mtime: u64) -> Result<Image> {
    let (passwd, group) = image_inputs::accounts();
    let mut files = vec![
        File {
            path: "etc/passwd".into(),
            executable: false,
            bytes: passwd.into_bytes(),
        },
        File {
            path: "etc/group".into(),
            executable: false,
            bytes: group.into_bytes(),
        },
    ];
    if let Some(ca) = ca {
        files.push(File {
            path: CA_PATH.into(),
            executable: false,
            bytes: ca.to_vec(),
        });
    }
    for (name, bytes) in &p.bins {
        files.push(File {
            path: format!("usr/local/bin/{name}"),
            executable: true,
            bytes: bytes.clone(),
        });
    }
    let layer =
        layer::build(&files, mtime).map_err(|e| Error::io("build", "the image layer", e))?;
    Ok(image(&p.platform, spec, layer))
}

/// The `--dry-run` text: platforms, binaries, digests, labels.
fn layout(r: &serde_json::Value) -> String {
    let mut out = format!(
        "image {} {} ({})\n  digest      {}\n  tags        {}\n  entrypoint  {}\n  user        {}\n",
        r["package"].as_str().unwrap_or(""),
        r["version"].as_str().unwrap_or(""),
        r["media_type"].as_str().unwrap_or(""),
        r["digest"].as_str().unwrap_or(""),
        r["tags"]
            .as_array()
            .map(|t| t
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "))
            .unwrap_or_default(),
        r["entrypoint"][0].as_str().unwrap_or(""),
        r["user"].as_str().unwrap_or(""),
    );
    for p in r["platforms"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  {}  manifest {}  layer {} ({} bytes)\n",
            p["platform"].as_str().unwrap_or(""),
            p["manifest"].as_str().unwrap_or(""),
            p["layer"].as_str().unwrap_or(""),
            p["layer_size"]
        ));
        for b in p["binaries"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "    /usr/local/bin/{}  {} bytes\n",
                b["name"].as_str().unwrap_or(""),
                b["size"]
            ));
        }
    }
    for (k, v) in r["labels"].as_object().into_iter().flatten() {
        out.push_str(&format!("  label {k}={}\n", v.as_str().unwrap_or("")));
    }
    out
}
