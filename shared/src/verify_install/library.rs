//! The library check: the packaged library builds, once per feature set,
//! in the install's profile and target dir (see `Build::library`).

use std::path::Path;

use super::install::{Build, Library};
use super::packaged::Packaged;
use super::report::Status;
use super::run::Run;
use crate::error::Result;
use crate::workspace::Member;

/// A feature set the library is built with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeatureSet {
    /// Default features.
    Default,
    /// `default-features = false`.
    NoDefault,
    /// Every feature.
    All,
    /// These features and no others (`default` among them turns the
    /// default features on).
    List(Vec<String>),
}

impl FeatureSet {
    /// `default`, `no-default`, `all`, or the features comma-separated.
    pub fn name(&self) -> String {
        match self {
            FeatureSet::Default => "default".into(),
            FeatureSet::NoDefault => "no-default".into(),
            FeatureSet::All => "all".into(),
            FeatureSet::List(f) => f.join(","),
        }
    }

    /// `--feature-sets`: sets separated by `;`, each `default`,
    /// `no-default`, `all` or a comma-separated list of features
    /// (`default;no-default;serde,std`). Without a `;`, a list of the three
    /// keywords alone (`default,all`) is read as that many sets.
    pub fn parse_list(text: &str) -> std::result::Result<Vec<FeatureSet>, String> {
        let keyword = |s: &str| match s.trim() {
            "default" => Some(FeatureSet::Default),
            "no-default" => Some(FeatureSet::NoDefault),
            "all" => Some(FeatureSet::All),
            _ => None,
        };
        if !text.contains(';') {
            let words: Vec<&str> = text.split(',').collect();
            if let Some(sets) = words.iter().map(|w| keyword(w)).collect::<Option<Vec<_>>>() {
                return Ok(sets);
            }
        }
        text.split(';')
            .map(|set| {
                if let Some(k) = keyword(set) {
                    return Ok(k);
                }
                let features: Vec<String> = set
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(String::from)
                    .collect();
                if features.is_empty() {
                    return Err(format!(
                        "`{text}` has an empty feature set; write `no-default` for none"
                    ));
                }
                Ok(FeatureSet::List(features))
            })
            .collect()
    }

    /// (`default-features`, `features`) for a package with `all` features.
    pub(super) fn resolve(&self, all: &[String]) -> (bool, Vec<String>) {
        match self {
            FeatureSet::Default => (true, Vec::new()),
            FeatureSet::NoDefault => (false, Vec::new()),
            FeatureSet::All => (true, all.to_vec()),
            FeatureSet::List(f) => {
                let default = f.iter().any(|x| x == "default");
                (
                    default,
                    f.iter().filter(|x| *x != "default").cloned().collect(),
                )
            }
        }
    }
}

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
        if pkg.lib.is_none() {
            let asked: Vec<String> = self
                .opts
                .feature_sets
                .iter()
                .filter(|s| **s != FeatureSet::Default)
                .map(FeatureSet::name)
                .collect();
            if !asked.is_empty() {
                let detail = format!(
                    "no library: --feature-sets {} did nothing (feature sets apply to a library)",
                    asked.join(";")
                );
                self.add(&m.name, "feature sets", Status::Warn, detail, 0);
            }
            return Ok(());
        }
        for set in self.opts.feature_sets.clone() {
            let (default_features, features) = set.resolve(&pkg.features);
            let build_lib = Library {
                name: &m.name,
                dir,
                default_features,
                features,
            };
            let check = format!("library ({} features)", set.name());
            self.cargo_step(&m.name, &check, || build.library(&build_lib))?;
        }
        Ok(())
    }
}
