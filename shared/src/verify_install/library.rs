//! The library check: a scratch crate that depends on the packaged one
//! builds, once per feature set.

use std::path::Path;

use super::install::{Build, Consumer};
use super::packaged::Packaged;
use super::run::{FeatureSet, Run};
use crate::error::{Error, Result};
use crate::workspace::Member;

impl Run<'_> {
    /// Build a consumer of `m`'s library (unpacked in `dir`) with each
    /// feature set asked for.
    pub(super) fn library(
        &mut self,
        m: &Member,
        pkg: &Packaged,
        dir: &Path,
        build: &Build<'_>,
    ) -> Result<()> {
        if let Some(lib) = pkg.lib.clone() {
            for set in self.opts.feature_sets.clone() {
                let features = match set {
                    FeatureSet::All => pkg.features.clone(),
                    _ => Vec::new(),
                };
                let consumer = Consumer {
                    name: &m.name,
                    lib: &lib,
                    dir,
                    default_features: set != FeatureSet::NoDefault,
                    features,
                };
                let scratch = self
                    .scratch
                    .join(format!("consumer-{}-{}", m.name, set.name()));
                std::fs::create_dir_all(&scratch).map_err(|e| Error::io("create", &scratch, e))?;
                let check = format!("library ({} features)", set.name());
                self.cargo_step(&m.name, &check, || build.consumer(&consumer, &scratch))?;
            }
        }
        Ok(())
    }
}
