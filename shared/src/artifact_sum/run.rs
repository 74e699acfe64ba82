//! `cargo artifact-sum`: hash release artifacts (stdout in GNU form, a
//! SUMS file, sidecar files, BSD tags or a JSON manifest), or verify SUMS
//! files with `--check`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use semver::Version;
use serde::Serialize;

use crate::artifact_sum::check::{CheckOptions, Out, Source, check};
use crate::artifact_sum::digest::{Algo, Counter, Digest, Hashed, hash_all_alongside};
use crate::artifact_sum::inputs::{Input, from_paths, release_artifacts};
use crate::artifact_sum::sums::{Form, format_line};
use crate::cli::MessageFormat;
use crate::error::{Error, Result};
use crate::fs::write_atomic;
use crate::paths::{relative_to, slash};
use crate::term::{Shell, print, with_progress};
use crate::text::count;
use crate::workspace::{Selection, Workspace};

/// The program name that prefixes coreutils-style messages.
pub const PROG: &str = "cargo-artifact-sum";

/// Everything `cargo artifact-sum` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Files or directories to hash; SUMS files with `--check`.
    pub paths: Vec<PathBuf>,
    /// The algorithm.
    pub algo: Algo,
    /// `-o`: write a SUMS file.
    pub output: Option<PathBuf>,
    /// `--sidecar`: write `<artifact>.<algo>` files.
    pub sidecar: bool,
    /// `--tag`: BSD form.
    pub tag: bool,
    /// `--format`.
    pub format: MessageFormat,
    /// `--check`: verify the SUMS files in `paths`.
    pub check: bool,
    /// `--check` flags.
    pub check_opts: CheckOptions,
    /// Package selection for the default artifacts.
    pub selection: Selection,
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `--sign`: sign the `-o` file.
    pub sign: Option<crate::artifact_sum::sign::Signer>,
    /// `--sign-each`: also sign each hashed file (minisign), `<file>.sig`.
    pub sign_each: bool,
    /// `--verify-signature`: what the SUMS files' signatures are checked against.
    pub verify_signature: Option<crate::artifact_sum::sign::Trust>,
}

/// One hashed file in the JSON manifest.
#[derive(Serialize)]
struct Record<'a> {
    name: &'a str,
    size: u64,
    algorithm: Algo,
    digest: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<CrateId>,
}

#[derive(Serialize)]
struct CrateId {
    name: String,
    version: String,
}

/// Run; `Ok(false)` when the job failed (a file unreadable, a check not passed).
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    if opts.check {
        return run_check(opts);
    }
    let (mut inputs, mut problems) = collect(opts, shell)?;
    guard_output(opts, &mut inputs)?;
    if opts.sidecar {
        drop_sidecars(&mut inputs, shell);
    }
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    let total = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let counter = Counter::default();
    let signer = match &opts.sign {
        Some(crate::artifact_sum::sign::Signer::Minisign(key)) if opts.sign_each => Some(key),
        _ => None,
    };
    let sign_each = |path: &Path, reader: &mut dyn Read| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        signer.map_or_else(
            || Ok(Vec::new()),
            |key| {
                crate::artifact_sum::minisign::sign(key, reader, &name).map_err(|e| e.to_string())
            },
        )
    };
    let alongside: Option<crate::artifact_sum::digest::Alongside<'_>> =
        signer.map(|_| &sign_each as _);
    let results = with_progress(
        shell.progress_allowed(),
        "Hashing",
        total,
        &counter.0,
        || hash_inputs(opts.algo, &paths, &counter, alongside),
    );
    let mut hashed = Vec::with_capacity(inputs.len());
    let mut signatures = Vec::new();
    for (input, result) in inputs.into_iter().zip(results) {
        match result {
            Ok((digest, signature)) => {
                if let Some(sig) = signature {
                    let mut name = input.path.clone().into_os_string();
                    name.push(".sig");
                    signatures.push((PathBuf::from(name), sig));
                }
                hashed.push((input, digest));
            }
            Err(e) => {
                let problem = format!("{}: {e}", input.name);
                report_problem(opts, shell, &problem);
                problems.push(problem);
            }
        }
    }
    let ok = problems.is_empty();
    if !ok && opts.format == MessageFormat::Json {
        return json_failure(opts, &hashed, &problems, shell);
    }
    if !ok && (opts.output.is_some() || opts.sidecar) {
        return Err(Error::Conflict {
            message: "some files could not be hashed, so no checksum file was written".into(),
            help: "fix the errors above and run again".into(),
        });
    }
    emit(opts, &hashed, &signatures, shell)?;
    Ok(ok)
}

/// Files and standard input (`-`) hashed, in input order; the files also
/// read by `alongside` in the same read.
fn hash_inputs(
    algo: Algo,
    paths: &[PathBuf],
    counter: &Counter,
    alongside: Option<crate::artifact_sum::digest::Alongside<'_>>,
) -> Vec<std::result::Result<Hashed, crate::artifact_sum::digest::HashError>> {
    let stdin = Path::new("-");
    let files: Vec<PathBuf> = paths.iter().filter(|p| *p != stdin).cloned().collect();
    let mut hashed = hash_all_alongside(algo, &files, counter, alongside).into_iter();
    paths
        .iter()
        .map(|p| {
            if p == stdin {
                let mut buf = vec![0u8; 1 << 16];
                let mut input = std::io::stdin().lock();
                crate::artifact_sum::digest::hash_reader(algo, &mut input, &mut buf)
                    .map(|d| (d, None))
                    .map_err(Into::into)
            } else {
                hashed
                    .next()
                    .unwrap_or_else(|| Err(std::io::Error::other("not hashed").into()))
            }
        })
        .collect()
}

/// `-o FILE` where FILE is one of the files to hash: a checksum file from
/// an earlier run is left out of the hashing; anything else would be
/// overwritten, so the run is refused before anything is written.
fn guard_output(opts: &Options, inputs: &mut Vec<Input>) -> Result<()> {
    let Some(output) = opts
        .output
        .as_ref()
        .and_then(|o| std::fs::canonicalize(o).ok())
    else {
        return Ok(());
    };
    let Some(at) = inputs
        .iter()
        .position(|i| std::fs::canonicalize(&i.path).ok().as_ref() == Some(&output))
    else {
        return Ok(());
    };
    if is_sums_file(&output) {
        inputs.remove(at);
        return Ok(());
    }
    Err(Error::Conflict {
        message: format!(
            "refusing to write the checksums to `{}`: it is one of the files to hash, and writing would destroy it",
            inputs[at].name
        ),
        help: "give -o a path of its own, such as SHA256SUMS".into(),
    })
}

/// Whether `path` holds checksum lines only (a SUMS file).
fn is_sums_file(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let lines = crate::artifact_sum::sums::parse(&String::from_utf8_lossy(&bytes));
    let entries = lines
        .iter()
        .filter(|l| matches!(l, crate::artifact_sum::sums::Line::Entry(_)))
        .count();
    entries > 0 && !lines.contains(&crate::artifact_sum::sums::Line::Malformed)
}

/// With `--sidecar`, `app.tar.gz.sha256` next to `app.tar.gz` is a sidecar
/// of an earlier run, not an artifact: hashing it would make
/// `app.tar.gz.sha256.sha256`.
fn drop_sidecars(inputs: &mut Vec<Input>, shell: &Shell) {
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    inputs.retain(|i| {
        let of = ["sha256", "sha512"].iter().find_map(|ext| {
            let name = i.path.to_string_lossy();
            let artifact = PathBuf::from(name.strip_suffix(&format!(".{ext}"))?);
            paths.contains(&artifact).then_some(artifact)
        });
        if let Some(artifact) = &of {
            shell.verbose(
                "Skipping",
                format_args!("{}: the sidecar of {}", i.name, artifact.display()),
            );
        }
        of.is_none()
    });
}

/// The inputs to hash, and the problems met finding them (reported on
/// stderr now, except under `--format json`, where they end the run as one
/// error).
fn collect(opts: &Options, shell: &Shell) -> Result<(Vec<Input>, Vec<String>)> {
    if opts.paths.is_empty() {
        let ws = Workspace::load(opts.manifest_path.as_deref())?;
        let selected = ws.select(&opts.selection)?;
        return Ok((release_artifacts(&ws, &selected)?, Vec::new()));
    }
    let collected = from_paths(&opts.paths);
    for note in &collected.notes {
        shell.warn(note);
    }
    let mut problems = Vec::with_capacity(collected.problems.len());
    for problem in &collected.problems {
        report_problem(opts, shell, problem);
        problems.push(problem.to_string());
    }
    Ok((collected.inputs, problems))
}

fn report_problem(opts: &Options, shell: &Shell, problem: &str) {
    if opts.format == MessageFormat::Human {
        shell.error_message(problem);
    }
}

/// With `--format json`, a run that met `problems` prints one document:
/// the files it did hash and an `error` object (`message`, `hint`), as
/// every tool's failures do; no checksum file is written. Exit 1.
fn json_failure(
    opts: &Options,
    hashed: &[(Input, Digest)],
    problems: &[String],
    shell: &Shell,
) -> Result<bool> {
    let error = Error::Conflict {
        message: match problems {
            [one] => one.clone(),
            many => format!(
                "{} files could not be hashed: {}",
                many.len(),
                many.join("; ")
            ),
        },
        help: "fix the paths named, then run again; no checksum file was written".into(),
    };
    shell.error(&error);
    let form = if opts.tag { Form::Bsd } else { Form::Gnu };
    let text = render(opts, hashed, |i| i.name.clone(), form);
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    doc["error"] = serde_json::json!({ "message": error.to_string(), "hint": error.hint() });
    crate::term::print_json(&doc)?;
    Ok(false)
}

/// Write what was asked: sidecars, the SUMS file (or stdout), its
/// signature and each file's (`signatures`), those last three together or
/// not at all.
fn emit(
    opts: &Options,
    hashed: &[(Input, Digest)],
    signatures: &[(PathBuf, Vec<u8>)],
    shell: &Shell,
) -> Result<()> {
    let form = if opts.tag { Form::Bsd } else { Form::Gnu };
    if opts.sidecar {
        for (input, digest) in hashed {
            let sidecar = PathBuf::from(format!("{}.{}", input.path.display(), opts.algo.name()));
            let base = input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            write_atomic(
                &sidecar,
                format_line(opts.algo, &digest.hex, &base, form).as_bytes(),
            )?;
            shell.verbose("Wrote", sidecar.display());
        }
        shell.status(
            "Wrote",
            count(hashed.len(), "sidecar file", "sidecar files"),
        );
    }
    let Some(output) = &opts.output else {
        if opts.sidecar && opts.format == MessageFormat::Human {
            return Ok(());
        }
        let text = render(opts, hashed, |i| i.name.clone(), form);
        return print(&text);
    };
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = |i: &Input| slash(&relative_to(&i.path, dir));
    if !opts.check_opts.allow_outside
        && let Some((i, _)) = hashed
            .iter()
            .find(|(i, _)| i.name != "-" && name(i).starts_with("../"))
    {
        return Err(Error::Conflict {
            message: format!(
                "`{}` is outside `{}`, where {} is written: its name there would be `{}`, which `--check` refuses",
                i.name,
                dir.display(),
                output.display(),
                name(i)
            ),
            help: "write the SUMS file in a directory that holds the artifacts, or pass --allow-outside".into(),
        });
    }
    let text = render(opts, hashed, name, form);
    let Some(signer) = &opts.sign else {
        write_atomic(output, text.as_bytes())?;
        return wrote(output, hashed.len(), shell);
    };
    // Signed first: a failed signature leaves no unsigned SUMS file behind.
    let (sig, signature) = crate::artifact_sum::sign::sign(signer, output, text.as_bytes())?;
    let mut tx = crate::fs::Transaction::new();
    tx.stage(output, text)?;
    tx.stage(&sig, signature)?;
    for (path, each) in signatures {
        tx.stage(path, each.clone())?;
    }
    tx.commit()?;
    wrote(output, hashed.len(), shell)?;
    shell.status("Signed", sig.display());
    if !signatures.is_empty() {
        shell.status(
            "Signed",
            format_args!(
                "each file: {}",
                count(signatures.len(), "signature", "signatures")
            ),
        );
    }
    Ok(())
}

fn wrote(output: &Path, files: usize, shell: &Shell) -> Result<()> {
    shell.status(
        "Wrote",
        format_args!("{} ({})", output.display(), count(files, "file", "files")),
    );
    Ok(())
}

fn render(
    opts: &Options,
    hashed: &[(Input, Digest)],
    name: impl Fn(&Input) -> String,
    form: Form,
) -> String {
    if opts.format == MessageFormat::Json {
        let names: Vec<String> = hashed.iter().map(|(i, _)| name(i)).collect();
        let records: Vec<Record<'_>> = hashed
            .iter()
            .zip(&names)
            .map(|((input, d), name)| Record {
                name,
                size: d.size,
                algorithm: opts.algo,
                digest: &d.hex,
                package: crate_id(&input.path),
            })
            .collect();
        let doc = serde_json::json!({ "algorithm": opts.algo, "files": records });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    hashed
        .iter()
        .map(|(i, d)| format_line(opts.algo, &d.hex, &name(i), form))
        .collect()
}

/// `foo-bar-1.2.3-rc.1.crate` -> (`foo-bar`, `1.2.3-rc.1`).
fn crate_id(path: &Path) -> Option<CrateId> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".crate")?;
    stem.match_indices('-').find_map(|(i, _)| {
        let version = Version::parse(&stem[i + 1..]).ok()?;
        Some(CrateId {
            name: stem[..i].to_string(),
            version: version.to_string(),
        })
    })
}

fn run_check(opts: &Options) -> Result<bool> {
    let stdin_only = [PathBuf::from("-")];
    let files = if opts.paths.is_empty() {
        &stdin_only[..]
    } else {
        &opts.paths[..]
    };
    let mut sources = Vec::new();
    let mut readable = true;
    for file in files {
        match read_source(file) {
            Ok((source, bytes)) => {
                if let Some(trust) = &opts.verify_signature {
                    if file == Path::new("-") {
                        return Err(Error::Usage {
                            message: "--verify-signature needs the SUMS file by name, not on stdin"
                                .into(),
                            help: "name the file: --check SHA256SUMS".into(),
                        });
                    }
                    let who = crate::artifact_sum::sign::verify(trust, file, &bytes)?;
                    let _ = writeln!(
                        std::io::stderr(),
                        "{PROG}: {}: good signature by {who}",
                        file.display()
                    );
                }
                sources.push(source);
            }
            Err(e) => {
                readable = false;
                let _ = writeln!(std::io::stderr(), "{PROG}: {}: {e}", file.display());
            }
        }
    }
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let mut out = Out {
        stdout: &mut stdout.lock(),
        stderr: &mut stderr.lock(),
        prog: PROG,
    };
    let tally = check(&sources, &opts.check_opts, &mut out)
        .map_err(|e| Error::io("write", "<stdout>", e))?;
    Ok(readable && tally.passed)
}

/// A SUMS file as `--check` reads it, and its bytes (what a signature covers).
fn read_source(file: &Path) -> std::io::Result<(Source, Vec<u8>)> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        let bytes = text.clone().into_bytes();
        let source = Source {
            label: "-".into(),
            text,
            base: PathBuf::from("."),
        };
        return Ok((source, bytes));
    }
    let bytes = std::fs::read(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => std::io::Error::new(e.kind(), "No such file or directory"),
        _ => e,
    })?;
    let source = Source {
        label: file.display().to_string(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
        base: file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
    };
    Ok((source, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_ids_split_at_the_version() {
        let id = crate_id(Path::new("t/package/foo-bar-1.2.3-rc.1.crate")).unwrap();
        assert_eq!(
            (id.name.as_str(), id.version.as_str()),
            ("foo-bar", "1.2.3-rc.1")
        );
        assert!(crate_id(Path::new("foo.tar.gz")).is_none());
        assert!(crate_id(Path::new("foo-bar.crate")).is_none());
    }
}
