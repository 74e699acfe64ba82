//! The image documents: config, manifest and index, and the platforms of
//! Rust target triples.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Blob;
use super::layer::Layer;

/// The config's media type.
pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// A manifest's media type.
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// An index's media type.
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// An image platform.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    /// `linux`.
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// `v7`, `v8`, …
    pub variant: Option<String>,
}

impl Platform {
    /// The platform a Rust target triple builds for; `None` for one that
    /// is not Linux or has no OCI name.
    pub fn of_triple(triple: &str) -> Option<Platform> {
        if !triple.contains("-linux-") {
            return None;
        }
        let arch = triple.split('-').next()?;
        let (architecture, variant) = match arch {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", Some("v8")),
            "armv7" => ("arm", Some("v7")),
            "arm" => ("arm", Some("v6")),
            "i686" | "i586" => ("386", None),
            "riscv64gc" => ("riscv64", None),
            "powerpc64le" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            _ => return None,
        };
        Some(Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(String::from),
        })
    }

    /// `linux/arm64/v8`.
    pub fn name(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }

    fn json(&self) -> Value {
        let mut p = json!({ "os": self.os, "architecture": self.architecture });
        if let Some(v) = &self.variant {
            p["variant"] = v.clone().into();
        }
        p
    }
}

/// What every platform's image shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// `User` (`65532:65532`).
    pub user: String,
    /// `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `Env`.
    pub env: Vec<String>,
    /// `Labels`.
    pub labels: BTreeMap<String, String>,
    /// `created`, RFC 3339.
    pub created: String,
}

/// One platform's image: its config and manifest.
#[derive(Clone, Debug)]
pub struct Image {
    /// The platform.
    pub platform: Platform,
    /// The config blob.
    pub config: Blob,
    /// The layer.
    pub layer: Layer,
    /// The manifest blob.
    pub manifest: Blob,
}

/// The image of `layer` for `platform`.
pub fn image(platform: &Platform, spec: &Spec, layer: Layer) -> Image {
    let mut config = json!({
        "created": spec.created,
        "architecture": platform.architecture,
        "os": platform.os,
        "config": {
            "User": spec.user,
            "Entrypoint": spec.entrypoint,
            "Env": spec.env,
            "Labels": spec.labels,
            "WorkingDir": "/",
        },
        "rootfs": { "type": "layers", "diff_ids": [layer.diff_id] },
        "history": [{ "created": spec.created, "created_by": "cargo ship image" }],
    });
    if let Some(v) = &platform.variant {
        config["variant"] = v.clone().into();
    }
    let config = Blob::new(CONFIG, to_vec(&config));
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.blob.descriptor()],
    });
    Image {
        platform: platform.clone(),
        config,
        manifest: Blob::new(MANIFEST, to_vec(&manifest)),
        layer,
    }
}

/// The index of several platforms' images.
pub fn index(images: &[Image]) -> Blob {
    let manifests: Vec<Value> = images
        .iter()
        .map(|i| {
            let mut d = i.manifest.descriptor();
            d.insert("platform".into(), i.platform.json());
            Value::Object(d)
        })
        .collect();
    let index = json!({ "schemaVersion": 2, "mediaType": INDEX, "manifests": manifests });
    Blob::new(INDEX, to_vec(&index))
}

/// Compact JSON, keys sorted (serde_json's map).
pub fn to_vec(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// `secs` since the epoch as RFC 3339 UTC (`2026-11-22T00:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    crate::template::rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_of_triples() {
        let name = |t: &str| Platform::of_triple(t).map(|p| p.name());
        assert_eq!(
            name("x86_64-unknown-linux-musl").as_deref(),
            Some("linux/amd64")
        );
        assert_eq!(
            name("aarch64-unknown-linux-gnu").as_deref(),
            Some("linux/arm64/v8")
        );
        assert_eq!(
            name("armv7-unknown-linux-gnueabihf").as_deref(),
            Some("linux/arm/v7")
        );
        assert_eq!(name("x86_64-apple-darwin"), None);
        assert_eq!(name("x86_64-pc-windows-msvc"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_305_600), "2026-11-22T00:00:00Z");
        assert_eq!(rfc3339(1_795_305_661), "2026-11-22T00:01:01Z");
    }
}
