//! `--from archive`: a prebuilt binary archive, checked against its SUMS
//! file or sidecar (and its signature, given a key), its SBOM reported,
//! unpacked safely, its binaries run.

use std::path::{Path, PathBuf};

use super::probe::Settings;
use super::report::Status;
use super::run::{Run, timed};
use super::{archive_sums, unpack};
use crate::error::{Error, Result};
use crate::text::count;
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
        self.report.fit([label.as_str()]);
        let (digest, ms) = timed(|| archive_sums::check_archive(file));
        let (status, detail) = digest?;
        self.add(&label, "checksum", status, detail, ms);
        if status == Status::Fail {
            return Ok(());
        }
        if let Some(trust) = &self.opts.archive_trust {
            let (signed, ms) = timed(|| signed_by(trust, file));
            let (status, detail) = match signed {
                Ok(who) => (Status::Pass, format!("good signature by {who}")),
                Err(e) => (Status::Fail, e.to_string()),
            };
            self.add(&label, "signature", status, detail, ms);
            if status == Status::Fail {
                return Ok(());
            }
        }
        let (status, detail) = sbom_beside(file);
        self.add(&label, "sbom", status, detail, 0);
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
        let context = self.archive_context()?;
        let picked = own_binaries(&files, &dest, context.bins.as_deref());
        let listed = count(files.len(), "file", "files");
        let (status, detail) = match &picked {
            Ok(exes) => (Status::Pass, format!("{listed}, running {}", names(exes))),
            Err(why) => (Status::Fail, format!("{listed}: {why}")),
        };
        self.add(&label, "unpack", status, detail, ms);
        let Ok(exes) = picked else {
            return Ok(());
        };
        let mut dirs: Vec<PathBuf> = exes
            .iter()
            .filter_map(|(_, p)| p.parent().map(Path::to_path_buf))
            .collect();
        dirs.dedup();
        self.binaries(
            &label,
            context.version.as_ref(),
            &exes,
            &dirs,
            &context.settings,
        )
    }

    /// What the binaries of an archive are checked against: the selected
    /// package's version, settings and binary names, when run inside its
    /// workspace.
    fn archive_context(&self) -> Result<Context> {
        let none = Context {
            version: None,
            settings: Settings::default(),
            bins: None,
        };
        let Ok(ws) = Workspace::load(self.opts.manifest_path.as_deref()) else {
            return Ok(none);
        };
        let picked = ws.select(&self.opts.selection)?;
        let [i] = picked.as_slice() else {
            return Ok(none);
        };
        let m = &ws.members[*i];
        let bins = m
            .targets
            .iter()
            .filter(|t| t.is_bin())
            .map(|t| t.name.clone())
            .collect();
        Ok(Context {
            version: Some(m.version.clone()),
            settings: Settings::load(&m.manifest_path)?,
            bins: Some(bins),
        })
    }
}

/// Who signed `file`: its `FILE.sig` (minisign, as `cargo binstall` reads
/// it, or SSH), or for minisign `FILE.minisig`, checked against `trust`.
fn signed_by(trust: &crate::artifact_sum::sign::Trust, file: &Path) -> Result<String> {
    let with = |ext: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    let sig = match trust {
        crate::artifact_sum::sign::Trust::Minisign(_) if !with(".sig").is_file() => {
            with(".minisig")
        }
        _ => with(".sig"),
    };
    let data = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    crate::artifact_sum::sign::verify_with(trust, file, &sig, &data)
}

/// The SBOM that came with an archive: `<archive stem>.cdx.json` beside it
/// (`cargo ship sbom` writes it, the release workflow attaches it).
fn sbom_beside(file: &Path) -> (Status, String) {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = [".tar.gz", ".tar.xz", ".tgz", ".zip"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    let sbom = file.with_file_name(format!("{stem}.cdx.json"));
    let Ok(bytes) = std::fs::read(&sbom) else {
        return (
            Status::Warn,
            format!("no SBOM came with it ({stem}.cdx.json is not beside it)"),
        );
    };
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if doc["bomFormat"] != "CycloneDX" {
        return (
            Status::Warn,
            format!("{stem}.cdx.json is not a CycloneDX JSON document"),
        );
    }
    let components = doc["components"].as_array().map_or(0, Vec::len);
    (
        Status::Pass,
        format!(
            "{stem}.cdx.json: CycloneDX {}, {}",
            doc["specVersion"].as_str().unwrap_or("?"),
            count(components, "component", "components")
        ),
    )
}

/// The package an archive is checked for.
struct Context {
    version: Option<semver::Version>,
    settings: Settings,
    /// Its binaries' names, when known.
    bins: Option<Vec<String>>,
}

/// The programs of the archive to run: the package's own binaries when
/// their names are known, else the executables that are compiled programs
/// (ELF, Mach-O, PE). A script (`install.sh`) is never run; why nothing
/// can be run, when so.
fn own_binaries(
    files: &[unpack::Unpacked],
    dest: &Path,
    bins: Option<&[String]>,
) -> std::result::Result<Vec<(String, PathBuf)>, String> {
    let candidates: Vec<(String, PathBuf)> = files
        .iter()
        .map(|f| {
            let path = dest.join(&f.path);
            let name = path
                .file_stem()
                .map_or_else(|| f.path.clone(), |s| s.to_string_lossy().into_owned());
            (name, path)
        })
        .collect();
    let found: Vec<(String, PathBuf)> = match bins {
        Some(bins) => candidates
            .into_iter()
            .filter(|(name, path)| bins.contains(name) && is_program(path))
            .collect(),
        None => candidates
            .into_iter()
            .zip(files)
            .filter(|((_, path), f)| f.executable && is_program(path))
            .map(|(c, _)| c)
            .collect(),
    };
    if !found.is_empty() {
        return Ok(found);
    }
    Err(match bins {
        Some(bins) => format!(
            "none of the package's binaries ({}) is in it",
            bins.join(", ")
        ),
        None => "no compiled executable in it (scripts are not run)".to_string(),
    })
}

/// Whether the file starts like a compiled program: ELF, Mach-O (thin or
/// fat) or PE.
fn is_program(path: &Path) -> bool {
    let mut head = [0u8; 4];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if std::io::Read::read_exact(&mut file, &mut head).is_err() {
        return false;
    }
    let magic = u32::from_be_bytes(head);
    head == *b"\x7fELF"
        || head[..2] == *b"MZ"
        || matches!(
            magic,
            0xfeed_face | 0xfeed_facf | 0xcefa_edfe | 0xcffa_edfe | 0xcafe_babe
        )
}

fn names(exes: &[(String, PathBuf)]) -> String {
    exes.iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
