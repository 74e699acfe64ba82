//! `--from archive`: a prebuilt binary archive, checked against its SUMS
//! file or sidecar, unpacked safely, its binaries run.

use std::path::{Path, PathBuf};

use super::probe::Settings;
use super::report::Status;
use super::run::{Run, timed};
use super::{archive_sums, unpack};
use crate::error::{Error, Result};
use crate::term::count;
use crate::workspace::Workspace;

impl Run<'_> {
    pub(super) fn archive(&mut self, file: &Path) -> Result<()> {
        if !file.is_file() {
            return Err(Error::io(
                "open",
                file,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such archive"),
            ));
        }
        let label = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let (digest, ms) = timed(|| archive_sums::check_archive(file));
        let (status, detail) = digest?;
        self.add(&label, "checksum", status, detail, ms);
        if status == Status::Fail {
            return Ok(());
        }
        let dest = self.scratch.join("archive");
        let (files, ms) = timed(|| unpack::unpack(file, &dest));
        let files = match files {
            Ok(f) => f,
            Err(Error::Invalid { message, .. }) => {
                self.add(&label, "unpack", Status::Fail, message, ms);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let exes: Vec<(String, PathBuf)> = files
            .iter()
            .filter(|f| f.executable)
            .map(|f| {
                let path = dest.join(&f.path);
                let name = path
                    .file_stem()
                    .map_or_else(|| f.path.clone(), |s| s.to_string_lossy().into_owned());
                (name, path)
            })
            .collect();
        let found = count(exes.len(), "executable", "executables");
        let status = if exes.is_empty() {
            Status::Fail
        } else {
            Status::Pass
        };
        self.add(
            &label,
            "unpack",
            status,
            format!("{}, {found}", count(files.len(), "file", "files")),
            ms,
        );
        let (version, settings) = self.archive_context()?;
        let bin_dir = exes
            .first()
            .and_then(|(_, p)| p.parent())
            .map_or_else(|| dest.clone(), Path::to_path_buf);
        self.binaries(&label, version.as_ref(), &exes, &bin_dir, &settings)
    }

    /// The version and settings binaries of an archive are checked against:
    /// the selected package's, when run inside its workspace.
    fn archive_context(&self) -> Result<(Option<semver::Version>, Settings)> {
        let Ok(ws) = Workspace::load(self.opts.manifest_path.as_deref()) else {
            return Ok((None, Settings::default()));
        };
        let picked = ws.select(&self.opts.selection)?;
        match picked.as_slice() {
            [i] => {
                let m = &ws.members[*i];
                Ok((Some(m.version.clone()), Settings::load(&m.manifest_path)?))
            }
            _ => Ok((None, Settings::default())),
        }
    }
}
