//! OCI images built without a container engine: a reproducible layer,
//! the image config, manifests and an index, written as an OCI archive or
//! pushed through the distribution API.
//!
//! - [`elf`]: what a binary is built for, and whether it is static.
//! - [`layer`]: the deterministic tar + gzip layer.
//! - [`image`]: config, manifest, index; platforms of Rust target triples.
//! - [`archive`]: the OCI archive (`podman load`, `docker load`).
//! - [`push`]: the distribution HTTP API, with Docker-config credentials.

pub mod archive;
pub mod elf;
pub mod image;
pub mod layer;
pub mod push;

/// A blob: its bytes, media type and `sha256:` digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// The media type.
    pub media_type: String,
    /// The content.
    pub bytes: Vec<u8>,
    /// `sha256:<hex>`.
    pub digest: String,
}

impl Blob {
    /// A blob of `bytes`.
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Blob {
        let digest = sha256(&bytes);
        Blob {
            media_type: media_type.to_string(),
            bytes,
            digest,
        }
    }

    /// Its descriptor (media type, digest, size), with extra fields.
    pub fn descriptor(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut d = serde_json::Map::new();
        d.insert("mediaType".into(), self.media_type.clone().into());
        d.insert("digest".into(), self.digest.clone().into());
        d.insert("size".into(), self.bytes.len().into());
        d
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", crate::artifact_sum::digest::sha256_hex(bytes))
}
