//! The OCI archive: an OCI image layout (`oci-layout`, `index.json`,
//! `blobs/sha256/…`) in one tar, with Docker's `manifest.json` beside it
//! for a single-platform image, so `podman load` and `docker load` both
//! take it. Deterministic like the layer.

use serde_json::{Value, json};

use super::Blob;
use super::image::{INDEX, Image};
use super::layer::{File, tar_of};

/// What goes in: the images (one per platform), the index when there are
/// several, and the names to tag it with (`name:tag`).
pub struct Contents<'a> {
    /// The platforms' images.
    pub images: &'a [Image],
    /// Their index (several platforms).
    pub index: Option<&'a Blob>,
    /// `name:tag` references.
    pub tags: &'a [String],
}

impl Contents<'_> {
    /// The blob a tag points at: the index, else the one manifest.
    pub fn top(&self) -> Option<&Blob> {
        self.index
            .or_else(|| self.images.first().map(|i| &i.manifest))
    }

    /// Every blob, once, by digest.
    pub fn blobs(&self) -> Vec<&Blob> {
        let mut out: Vec<&Blob> = Vec::new();
        for i in self.images {
            for b in [&i.layer.blob, &i.config, &i.manifest] {
                if !out.iter().any(|o| o.digest == b.digest) {
                    out.push(b);
                }
            }
        }
        out.extend(self.index);
        out
    }
}

/// The archive's bytes, dated `mtime`.
pub fn archive(c: &Contents<'_>, mtime: u64) -> std::io::Result<Vec<u8>> {
    let Some(top) = c.top() else {
        return Err(std::io::Error::other("no image"));
    };
    let refs: Vec<Value> = c
        .tags
        .iter()
        .map(|t| {
            let mut d = top.descriptor();
            d.insert(
                "annotations".into(),
                json!({ "org.opencontainers.image.ref.name": t }),
            );
            Value::Object(d)
        })
        .collect();
    let refs = if refs.is_empty() {
        vec![Value::Object(top.descriptor())]
    } else {
        refs
    };
    let index = json!({ "schemaVersion": 2, "mediaType": INDEX, "manifests": refs });
    let mut files = vec![
        text("oci-layout", &json!({ "imageLayoutVersion": "1.0.0" })),
        text("index.json", &index),
    ];
    if let [one] = c.images {
        let docker = json!([{
            "Config": blob_path(&one.config),
            "RepoTags": c.tags,
            "Layers": [blob_path(&one.layer.blob)],
        }]);
        files.push(text("manifest.json", &docker));
    }
    for b in c.blobs() {
        files.push(File {
            path: blob_path(b),
            executable: false,
            bytes: b.bytes.clone(),
        });
    }
    tar_of(&files, mtime)
}

fn text(path: &str, v: &Value) -> File {
    File {
        path: path.into(),
        executable: false,
        bytes: super::image::to_vec(v),
    }
}

/// `blobs/sha256/<hex>`.
pub fn blob_path(b: &Blob) -> String {
    format!("blobs/{}", b.digest.replacen(':', "/", 1))
}
