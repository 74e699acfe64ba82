//! `--check`: verify the files listed in SUMS files, with GNU coreutils'
//! output (`name: OK`, `name: FAILED`, `name: FAILED open or read`, the
//! WARNING summary lines) and flags (`--quiet`, `--status`, `--strict`,
//! `--ignore-missing`, `--warn`), plus `--require` and path safety: a name
//! that is absolute or climbs out of the SUMS file's directory with `..` is
//! refused unless `--allow-outside`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::digest::{Algo, Counter, Digest, HashError, hash_all};
use super::sums::{Entry, Line, escape, parse};

/// `--check` flags.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// No `OK` lines.
    pub quiet: bool,
    /// Print nothing; the exit code tells.
    pub status: bool,
    /// Malformed lines fail the check.
    pub strict: bool,
    /// Listed files that do not exist are skipped.
    pub ignore_missing: bool,
    /// Report each malformed line.
    pub warn: bool,
    /// Names that must be listed and verify.
    pub require: Vec<String>,
    /// Accept absolute names and names outside the SUMS directory.
    pub allow_outside: bool,
}

/// One SUMS file to check.
#[derive(Clone, Debug)]
pub struct Source {
    /// How it is named in messages (`SHA256SUMS`, `-`).
    pub label: String,
    /// Its text.
    pub text: String,
    /// The directory names are resolved against.
    pub base: PathBuf,
}

/// What a check found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Files that verified.
    pub ok: usize,
    /// Digests that did not match.
    pub failed: usize,
    /// Files that could not be read.
    pub unreadable: usize,
    /// Lines that are not checksum lines.
    pub malformed: usize,
    /// Names refused as outside the SUMS directory.
    pub refused: usize,
    /// Whether every check passed.
    pub passed: bool,
}

/// Where a check writes: stdout for results, stderr for warnings, and the
/// program name that prefixes warnings.
pub struct Out<'a> {
    /// Results (`name: OK`).
    pub stdout: &'a mut dyn Write,
    /// Warnings and errors.
    pub stderr: &'a mut dyn Write,
    /// Prefix of warnings, e.g. `cargo-artifact-sum`.
    pub prog: &'a str,
}

/// Check every source (each reported on its own, as coreutils does); `passed` is true only if everything listed verified.
pub fn check(sources: &[Source], opts: &CheckOptions, out: &mut Out<'_>) -> io::Result<Tally> {
    let mut total = Tally {
        passed: true,
        ..Tally::default()
    };
    let mut verified: BTreeMap<String, Outcome> = BTreeMap::new();
    for source in sources {
        let tally = check_one(source, opts, out, &mut verified)?;
        total.ok += tally.ok;
        total.failed += tally.failed;
        total.unreadable += tally.unreadable;
        total.malformed += tally.malformed;
        total.refused += tally.refused;
        total.passed &= tally.passed;
    }
    for name in &opts.require {
        let problem = match verified.get(name.as_str()) {
            Some(Outcome::Verified) => continue,
            Some(Outcome::Failed) => "is listed but did not verify",
            Some(Outcome::Missing) => "is listed but the file is missing",
            None => "has no entry, so it cannot be verified",
        };
        total.passed = false;
        if !opts.status {
            writeln!(out.stderr, "{}: required file `{name}` {problem}", out.prog)?;
        }
    }
    Ok(total)
}

/// What became of a listed name, for `--require`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Verified,
    Failed,
    Missing,
}

fn check_one(
    source: &Source,
    opts: &CheckOptions,
    out: &mut Out<'_>,
    verified: &mut BTreeMap<String, Outcome>,
) -> io::Result<Tally> {
    let label = source.label.as_str();
    let mut tally = Tally {
        passed: true,
        ..Tally::default()
    };
    let (entries, malformed) = split(&source.text);
    tally.malformed = malformed.len();
    let mut warnings = Malformed {
        lines: malformed.into_iter().peekable(),
        label,
        shown: opts.warn && !opts.status,
    };
    if entries.is_empty() {
        warnings.before(usize::MAX, out)?;
        if !opts.status {
            let prog = out.prog;
            writeln!(
                out.stderr,
                "{prog}: {label}: no properly formatted checksum lines found"
            )?;
        }
        tally.passed = false;
        return Ok(tally);
    }
    warn_duplicates(&entries, opts, out)?;
    let targets: Vec<Option<PathBuf>> = entries
        .iter()
        .map(|e| resolve(&source.base, &e.name, opts.allow_outside))
        .collect();
    let digests = hash_targets(&entries, &targets);
    for (entry, digest) in entries.iter().zip(digests) {
        warnings.before(entry.line, out)?;
        let Some(verdict) = verdict(entry, digest, label, opts, out, &mut tally)? else {
            verified
                .entry(entry.name.clone())
                .or_insert(Outcome::Missing);
            continue;
        };
        let ok = verdict == "OK";
        let outcome = if ok {
            Outcome::Verified
        } else {
            Outcome::Failed
        };
        let seen = verified.entry(entry.name.clone()).or_insert(outcome);
        if !ok {
            *seen = Outcome::Failed;
        }
        if !(opts.status || (ok && opts.quiet)) {
            writeln!(out.stdout, "{}: {verdict}", shown_name(&entry.name))?;
        }
    }
    warnings.before(usize::MAX, out)?;
    summarize(&mut tally, opts, out, label)?;
    Ok(tally)
}

/// The entries of a SUMS text, and the line numbers of malformed lines.
fn split(text: &str) -> (Vec<Entry>, Vec<usize>) {
    let mut entries = Vec::new();
    let mut malformed = Vec::new();
    for (i, line) in parse(text).into_iter().enumerate() {
        match line {
            Line::Entry(e) => entries.push(e),
            Line::Ignored => {}
            Line::Malformed => malformed.push(i + 1),
        }
    }
    (entries, malformed)
}

/// `--warn` messages for malformed lines, interleaved with the results in
/// line order, as in coreutils.
struct Malformed<'a> {
    lines: std::iter::Peekable<std::vec::IntoIter<usize>>,
    label: &'a str,
    shown: bool,
}

impl Malformed<'_> {
    /// Warn about the malformed lines before `line`.
    fn before(&mut self, line: usize, out: &mut Out<'_>) -> io::Result<()> {
        while let Some(n) = self.lines.next_if(|&n| n < line) {
            if self.shown {
                writeln!(
                    out.stderr,
                    "{}: {}: {n}: improperly formatted checksum line",
                    out.prog, self.label
                )?;
            }
        }
        Ok(())
    }
}

/// What `entry` verified as (`OK`, `FAILED`, ...), counted in `tally`;
/// `None` for a missing file under `--ignore-missing`.
fn verdict(
    entry: &Entry,
    digest: Option<Result<Digest, HashError>>,
    label: &str,
    opts: &CheckOptions,
    out: &mut Out<'_>,
    tally: &mut Tally,
) -> io::Result<Option<&'static str>> {
    let prog = out.prog;
    Ok(Some(match digest {
        None => {
            tally.refused += 1;
            writeln!(
                out.stderr,
                "{prog}: {label}: {}: refusing `{}`: it is absolute or leaves the directory of the checksum file; pass --allow-outside if you trust this file",
                entry.line, entry.name
            )?;
            "FAILED (outside the checksum file's directory)"
        }
        Some(Err(HashError::Io(e)))
            if opts.ignore_missing && e.kind() == io::ErrorKind::NotFound =>
        {
            return Ok(None);
        }
        Some(Ok(d)) if d.hex == entry.hex => {
            tally.ok += 1;
            "OK"
        }
        Some(Ok(_)) => {
            tally.failed += 1;
            "FAILED"
        }
        Some(Err(e)) => {
            tally.unreadable += 1;
            // Like coreutils, the read error is shown even with --status.
            writeln!(out.stderr, "{prog}: {}: {}", entry.name, io_message(&e))?;
            "FAILED open or read"
        }
    }))
}

fn hash_targets(
    entries: &[Entry],
    targets: &[Option<PathBuf>],
) -> Vec<Option<Result<Digest, HashError>>> {
    // Hash per algorithm, in parallel, then put results back in entry order.
    let mut results: Vec<Option<Result<Digest, HashError>>> =
        (0..entries.len()).map(|_| None).collect();
    for algo in [Algo::Sha256, Algo::Sha512] {
        let picked: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].algo == algo && targets[i].is_some())
            .collect();
        let paths: Vec<PathBuf> = picked.iter().filter_map(|&i| targets[i].clone()).collect();
        for (i, r) in picked
            .into_iter()
            .zip(hash_all(algo, &paths, &Counter::default()))
        {
            results[i] = Some(r);
        }
    }
    results
}

fn summarize(
    tally: &mut Tally,
    opts: &CheckOptions,
    out: &mut Out<'_>,
    label: &str,
) -> io::Result<()> {
    let prog = out.prog;
    let lines = [
        (
            tally.malformed,
            "line is improperly formatted",
            "lines are improperly formatted",
        ),
        (
            tally.unreadable,
            "listed file could not be read",
            "listed files could not be read",
        ),
        (
            tally.failed,
            "computed checksum did NOT match",
            "computed checksums did NOT match",
        ),
    ];
    if !opts.status {
        for (n, one, many) in lines.into_iter().filter(|(n, _, _)| *n > 0) {
            writeln!(
                out.stderr,
                "{prog}: WARNING: {n} {}",
                if n == 1 { one } else { many }
            )?;
        }
    }
    let nothing = tally.ok + tally.failed + tally.unreadable + tally.refused == 0;
    if opts.ignore_missing && nothing {
        if !opts.status {
            writeln!(out.stderr, "{prog}: {label}: no file was verified")?;
        }
        tally.passed = false;
    }
    if tally.failed + tally.unreadable + tally.refused > 0 || (opts.strict && tally.malformed > 0) {
        tally.passed = false;
    }
    Ok(())
}

fn warn_duplicates(entries: &[Entry], opts: &CheckOptions, out: &mut Out<'_>) -> io::Result<()> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *counts.entry(e.name.as_str()).or_default() += 1;
    }
    for (name, n) in counts.into_iter().filter(|(_, n)| *n > 1) {
        if !opts.status {
            writeln!(
                out.stderr,
                "{}: WARNING: `{name}` is listed {n} times",
                out.prog
            )?;
        }
    }
    Ok(())
}

/// A name as `--check` prints it: escaped (with a leading `\\`) only when it
/// holds a newline or carriage return, as coreutils does, so that no raw
/// line break reaches the terminal.
fn shown_name(name: &str) -> String {
    if name.contains(['\n', '\r']) {
        let (marker, escaped) = escape(name);
        format!("{marker}{escaped}")
    } else {
        name.to_string()
    }
}

/// `name` resolved against `base`, or `None` if it is absolute or climbs
/// out of `base` (unless allowed).
pub fn resolve(base: &Path, name: &str, allow_outside: bool) -> Option<PathBuf> {
    let path = Path::new(name);
    if allow_outside {
        return Some(base.join(path));
    }
    if !crate::paths::stays_inside(0, path) {
        return None;
    }
    Some(base.join(path))
}

fn io_message(e: &HashError) -> String {
    match e {
        HashError::Io(e) if e.kind() == io::ErrorKind::NotFound => {
            "No such file or directory".into()
        }
        HashError::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            "Permission denied".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_escapes() {
        let base = Path::new("/dl");
        let cases = [
            ("a.tar.gz", Some("/dl/a.tar.gz")),
            ("sub/../a", Some("/dl/sub/../a")),
            ("./a", Some("/dl/./a")),
            ("../etc/passwd", None),
            ("sub/../../x", None),
            ("/etc/passwd", None),
        ];
        for (name, expected) in cases {
            assert_eq!(
                resolve(base, name, false),
                expected.map(PathBuf::from),
                "{name}"
            );
        }
        assert_eq!(resolve(base, "../x", true), Some(PathBuf::from("/dl/../x")));
    }
}
