//! Toolchain checks: the package's `rust-version` against the active
//! rustc, and the programs its settings require on PATH.

use super::packaged::Packaged;
use super::probe::{self, Settings};
use super::report::Status;
use super::run::{Run, timed};
use crate::error::Result;

impl Run<'_> {
    /// `rust-version` against the active rustc; `requires` on PATH.
    pub(super) fn toolchain(
        &mut self,
        name: &str,
        pkg: &Packaged,
        settings: &Settings,
    ) -> Result<()> {
        if let Some(needed) = &pkg.rust_version {
            let (rustc, ms) = timed(|| probe::rustc_version(&self.scratch, self.opts.timeout));
            let rustc = rustc?;
            let needed = semver::Version::new(needed.major, needed.minor, needed.patch);
            let ok = rustc >= needed;
            let detail = if ok {
                format!("rustc {rustc} >= {needed}")
            } else {
                format!("rustc {rustc} is older than the package's rust-version {needed}")
            };
            self.add(
                name,
                "rust-version",
                if ok { Status::Pass } else { Status::Fail },
                detail,
                ms,
            );
        }
        for (program, req) in &settings.requires {
            let (found, ms) = timed(|| probe::required(program, req.as_ref(), self.opts.timeout));
            let (status, detail) = match found {
                Ok(d) => (Status::Pass, d),
                Err(d) => (Status::Fail, d),
            };
            self.add(name, &format!("requires {program}"), status, detail, ms);
        }
        Ok(())
    }
}
