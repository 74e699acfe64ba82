//! `cargo ship formula`: a Homebrew formula for the release archives.
//! The digests come from the SUMS file (and are checked against the
//! archives that are present); the platforms are those whose archives the
//! SUMS file lists. Over an existing formula only the version, the urls
//! and the digests change: the maintainer's other edits stay.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::artifact_sum::sums::{Line, parse};
use crate::error::{Error, Result};
use crate::term::{Shell, print, print_json};

/// Everything `cargo ship formula` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct FormulaOptions {
    /// The release.
    pub release: super::installer::Release,
    /// `--sums FILE` (default `DIR/SHA256SUMS`).
    pub sums: Option<PathBuf>,
    /// `-o FILE` (else stdout).
    pub output: Option<PathBuf>,
    /// `--format`.
    pub format: crate::cli::MessageFormat,
}

/// One platform of the formula.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bottle {
    /// `macos` or `linux`.
    pub os: &'static str,
    /// `arm` or `intel`.
    pub cpu: &'static str,
    /// The archive's name.
    pub archive: String,
    /// Its URL.
    pub url: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// What `def install` installs: binaries, completions, man pages, as
/// paths inside the archive's top directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// (path, binary name).
    pub bins: Vec<String>,
    /// (shell, path).
    pub completions: Vec<(&'static str, String)>,
    /// Man pages (path).
    pub man: Vec<String>,
}

/// Write the formula.
pub fn exec(opts: &FormulaOptions, shell: &Shell) -> Result<bool> {
    let r = &opts.release;
    super::installer::check_url(&r.url)?;
    let (name, version, bins, pkg) = super::installer::package_of(r)?;
    let sums = opts
        .sums
        .clone()
        .unwrap_or_else(|| r.archives.join("SHA256SUMS"));
    let bottles = bottles(&sums, &r.archives, &r.url, &version)?;
    let layout = layout(&r.archives, &bottles, &bins)?;
    let fresh = render(&pkg, &name, &version, &bottles, &layout)?;
    let text = match opts.output.as_ref().filter(|f| f.is_file()) {
        Some(file) => {
            let old = std::fs::read_to_string(file).map_err(|e| Error::io("read", file, e))?;
            update(&old, &version, &bottles).map_err(|message| Error::Conflict {
                message: format!("{}: {message}", file.display()),
                help: "delete the file to write the formula anew".into(),
            })?
        }
        None => fresh,
    };
    match &opts.output {
        Some(file) => {
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            }
            crate::fs::write_atomic(file, text.as_bytes())?;
            shell.status(
                "Wrote",
                format_args!("{} ({} {version})", file.display(), class_name(&name)),
            );
        }
        None if opts.format == crate::cli::MessageFormat::Human => print(&text)?,
        None => {}
    }
    if opts.format == crate::cli::MessageFormat::Json {
        print_json(&serde_json::json!({
            "class": class_name(&name),
            "version": version,
            "file": opts.output.as_ref().map(|f| f.display().to_string()),
            "platforms": bottles.iter().map(|b| serde_json::json!({
                "os": b.os, "cpu": b.cpu, "archive": b.archive, "url": b.url, "sha256": b.sha256,
            })).collect::<Vec<_>>(),
        }))?;
    }
    Ok(true)
}

/// Homebrew's class name of a formula name (`Formulary.class_s`):
/// capitalised, `-_.` and spaces dropped with the next letter upper-cased,
/// `+` as `x`, `@1` as `AT1`.
pub fn class_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut out = String::new();
    let mut chars = lower.chars().peekable();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
    }
    while let Some(c) = chars.next() {
        match c {
            '-' | '_' | '.' | ' ' if chars.peek().is_some_and(char::is_ascii_alphanumeric) => {
                if let Some(n) = chars.next() {
                    out.extend(n.to_uppercase());
                }
            }
            '+' => out.push('x'),
            '@' if chars.peek().is_some_and(char::is_ascii_digit) => out.push_str("AT"),
            c => out.push(c),
        }
    }
    out
}

/// The `license` line of an SPDX expression.
pub fn license(spdx: &str) -> String {
    let quoted = |parts: Vec<&str>| {
        parts
            .iter()
            .map(|p| format!("\"{}\"", p.trim().trim_matches(['(', ')'])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let spdx = spdx.trim();
    if spdx.contains(" OR ") || (spdx.contains('/') && !spdx.contains(' ')) {
        let parts: Vec<&str> = if spdx.contains(" OR ") {
            spdx.split(" OR ").collect()
        } else {
            spdx.split('/').collect()
        };
        format!("license any_of: [{}]", quoted(parts))
    } else if spdx.contains(" AND ") {
        format!(
            "license all_of: [{}]",
            quoted(spdx.split(" AND ").collect())
        )
    } else {
        format!("license \"{spdx}\"")
    }
}

/// The platforms the SUMS file lists an archive for, with their URLs and
/// digests; each archive present in `dir` is checked against its digest.
fn bottles(sums: &Path, dir: &Path, url: &str, version: &str) -> Result<Vec<Bottle>> {
    let text = std::fs::read_to_string(sums).map_err(|e| Error::Conflict {
        message: format!("cannot read the SUMS file `{}`: {e}", sums.display()),
        help: "write it with `cargo artifact-sum DIR -o DIR/SHA256SUMS`, or name it with --sums"
            .into(),
    })?;
    let mut found: BTreeMap<(&'static str, &'static str), (u8, String, String)> = BTreeMap::new();
    for line in parse(&text) {
        let Line::Entry(e) = line else { continue };
        let name = e.name.rsplit('/').next().unwrap_or(&e.name).to_string();
        let Some(triple) = super::archives::triple_of(&name) else {
            continue;
        };
        let Some((os, cpu, rank)) = platform(&triple) else {
            continue;
        };
        let present = dir.join(&name);
        if present.is_file() {
            let got = sha256_file(&present)?;
            if !got.eq_ignore_ascii_case(&e.hex) {
                return Err(Error::Conflict {
                    message: format!("`{}` has SHA-256 {got}, `{}` lists {}", present.display(), sums.display(), e.hex),
                    help: "write the SUMS file again (cargo artifact-sum DIR -o DIR/SHA256SUMS), or fetch the right archive".into(),
                });
            }
        }
        let better = found.get(&(os, cpu)).is_none_or(|(r, _, _)| rank < *r);
        if better {
            found.insert((os, cpu), (rank, name, e.hex.to_ascii_lowercase()));
        }
    }
    if found.is_empty() {
        return Err(Error::Conflict {
            message: format!("`{}` lists no macOS or Linux archive", sums.display()),
            help: "archives are recognised by the target triple in their names: <name>-<version>-<triple>.tar.gz".into(),
        });
    }
    Ok(found
        .into_iter()
        .map(|((os, cpu), (_, archive, sha256))| Bottle {
            os,
            cpu,
            url: url
                .replace("{version}", version)
                .replace("{archive}", &archive),
            archive,
            sha256,
        })
        .collect())
}

/// (os, cpu, preference) of a triple: musl before gnu on Linux.
fn platform(triple: &str) -> Option<(&'static str, &'static str, u8)> {
    let cpu = match triple.split('-').next()? {
        "x86_64" => "intel",
        "aarch64" => "arm",
        _ => return None,
    };
    if triple.ends_with("-apple-darwin") {
        Some(("macos", cpu, 0))
    } else if triple.ends_with("-linux-musl") {
        Some(("linux", cpu, 0))
    } else if triple.ends_with("-linux-gnu") {
        Some(("linux", cpu, 1))
    } else {
        None
    }
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut buf = vec![0u8; 1 << 16];
    crate::artifact_sum::digest::hash_file(
        crate::artifact_sum::digest::Algo::Sha256,
        path,
        &mut buf,
        &|_| (),
    )
    .map(|d| d.hex)
    .map_err(|e| Error::io("read", path, std::io::Error::other(e.to_string())))
}

/// Where the binaries, completions and man pages are in the first archive
/// present (paths under its top directory); the binaries at the top when
/// no archive is present.
fn layout(dir: &Path, bottles: &[Bottle], bins: &[String]) -> Result<Layout> {
    let Some(archive) = bottles
        .iter()
        .map(|b| dir.join(&b.archive))
        .find(|p| p.is_file())
    else {
        return Ok(Layout {
            bins: bins.to_vec(),
            ..Layout::default()
        });
    };
    let scratch = tempfile::tempdir().map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    let files = crate::verify_install::unpack::unpack(&archive, scratch.path())?;
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let top = common_top(&paths);
    let rel = |p: &str| p.strip_prefix(top.as_str()).unwrap_or(p).to_string();
    let mut layout = Layout::default();
    for b in bins {
        let found = super::archives::find_binary(paths.iter().map(String::as_str), b)
            .ok_or_else(|| super::archives::missing_binary(&archive.display().to_string(), b))?;
        layout.bins.push(rel(found));
    }
    for p in &paths {
        let file = p.rsplit('/').next().unwrap_or(p);
        if let Some(s) = completion_shell(file) {
            layout.completions.push((s, rel(p)));
        } else if file.ends_with(".1") {
            layout.man.push(rel(p));
        }
    }
    layout.completions.sort();
    layout.man.sort();
    Ok(layout)
}

/// The shell a completion script is for, by its name as clap_complete
/// and the usual layouts write them: `name.bash`, `name.fish`, `name.zsh`
/// or `_name` (zsh's own convention, without an extension). Others
/// (`_name.ps1` for PowerShell, `name.elv` for Elvish) are for shells
/// Homebrew does not install completions for.
fn completion_shell(file: &str) -> Option<&'static str> {
    match file.rsplit_once('.') {
        Some((_, "bash")) => Some("bash"),
        Some((_, "fish")) => Some("fish"),
        Some((_, "zsh")) => Some("zsh"),
        Some(_) => None,
        None if file.starts_with('_') => Some("zsh"),
        None => None,
    }
}

/// The directory every path starts with (`app-1.2.0-x86_64…/`), or "".
fn common_top(paths: &[String]) -> String {
    let Some(first) = paths
        .first()
        .and_then(|p| p.split_once('/'))
        .map(|(d, _)| d)
    else {
        return String::new();
    };
    if paths.iter().all(|p| p.starts_with(&format!("{first}/"))) {
        format!("{first}/")
    } else {
        String::new()
    }
}

/// A new formula.
///
/// # Errors
/// A description or homepage missing from the manifest.
pub fn render(
    pkg: &cargo_metadata::Package,
    name: &str,
    version: &str,
    bottles: &[Bottle],
    layout: &Layout,
) -> Result<String> {
    let q = ruby_string;
    let desc = description(pkg.description.as_deref().unwrap_or(""));
    let homepage = pkg
        .homepage
        .clone()
        .or_else(|| pkg.repository.clone())
        .ok_or_else(|| Error::Conflict {
            message: format!(
                "`{}` has no homepage or repository for the formula",
                pkg.name
            ),
            help: "set `homepage` (or `repository`) in its [package]".into(),
        })?;
    let mut out = format!("class {} < Formula\n", class_name(name));
    if !desc.is_empty() {
        out.push_str(&format!("  desc {}\n", q(&desc)));
    }
    out.push_str(&format!(
        "  homepage {}\n  version {}\n",
        q(&homepage),
        q(version)
    ));
    if let Some(l) = &pkg.license {
        out.push_str(&format!("  {}\n", license(l)));
    }
    for os in ["macos", "linux"] {
        let mine: Vec<&Bottle> = bottles.iter().filter(|b| b.os == os).collect();
        if mine.is_empty() {
            continue;
        }
        out.push_str(&format!("\n  on_{os} do\n"));
        for (i, cpu) in ["arm", "intel"].iter().enumerate() {
            if let Some(b) = mine.iter().find(|b| b.cpu == *cpu) {
                if i > 0 && mine.iter().any(|b| b.cpu == "arm") {
                    out.push('\n');
                }
                out.push_str(&format!(
                    "    on_{cpu} do\n      url {}\n      sha256 {}\n    end\n",
                    q(&b.url),
                    q(&b.sha256)
                ));
            }
        }
        out.push_str("  end\n");
    }
    out.push_str("\n  def install\n");
    for b in &layout.bins {
        out.push_str(&format!("    bin.install {}\n", q(b)));
    }
    for (shell, path) in &layout.completions {
        out.push_str(&format!("    {shell}_completion.install {}\n", q(path)));
    }
    for m in &layout.man {
        out.push_str(&format!("    man1.install {}\n", q(m)));
    }
    let entry = layout
        .bins
        .first()
        .map(|b| b.rsplit('/').next().unwrap_or(b))
        .unwrap_or("");
    out.push_str(&format!(
        "  end\n\n  test do\n    assert_match version.to_s, shell_output(\"#{{bin}}/{entry} --version\")\n  end\nend\n"
    ));
    Ok(out)
}

/// A description as Homebrew's audit wants it: one line, no leading
/// article, no trailing period, at most 80 characters.
fn description(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let one = one
        .strip_prefix("A ")
        .or_else(|| one.strip_prefix("An "))
        .unwrap_or(&one)
        .to_string();
    let mut one = one.trim_end_matches('.').to_string();
    if let Some(c) = one.get(..1) {
        one = format!("{}{}", c.to_uppercase(), &one[1..]);
    }
    if one.chars().count() > 80 {
        one = one
            .chars()
            .take(79)
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
    }
    one
}

/// A double-quoted Ruby string.
fn ruby_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' => out.push_str("\\#"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The formula `old` with its `version`, and each platform's `url` and
/// `sha256`, set for this release; every other byte kept.
///
/// # Errors
/// The formula's platforms are not this release's.
pub fn update(old: &str, version: &str, bottles: &[Bottle]) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(old.len());
    let mut stack: Vec<String> = Vec::new();
    let mut pending: Option<&Bottle> = None;
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for line in old.split_inclusive('\n') {
        let t = line.trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let eol = &line[line.trim_end().len()..];
        let word = |k: &str| {
            t.strip_prefix(k)
                .filter(|r| r.starts_with(' ') || r.starts_with('"'))
        };
        let opens = [
            "def ", "if ", "unless ", "case ", "begin", "class ", "module ", "while ", "until ",
        ];
        if t.ends_with(" do") || t == "do" || t.contains(" do |") {
            stack.push(t.trim_end_matches(" do").to_string());
        } else if opens.iter().any(|o| t.starts_with(o)) {
            stack.push(String::new());
        } else if t == "end" {
            stack.pop();
        }
        let os = stack.iter().find_map(|s| match s.as_str() {
            "on_macos" => Some("macos"),
            "on_linux" => Some("linux"),
            _ => None,
        });
        let cpu = stack.iter().find_map(|s| match s.as_str() {
            "on_arm" => Some("arm"),
            "on_intel" => Some("intel"),
            _ => None,
        });
        if word("version").is_some() && stack.len() == 1 {
            out.push_str(&format!("{indent}version {}{eol}", ruby_string(version)));
        } else if word("url").is_some() {
            let (Some(os), Some(cpu)) = (os, cpu) else {
                return Err(format!(
                    "a url outside on_macos/on_linux and on_arm/on_intel: `{t}`"
                ));
            };
            let b = bottles
                .iter()
                .find(|b| b.os == os && b.cpu == cpu)
                .ok_or_else(|| format!("this release has no archive for {os} {cpu}"))?;
            seen.push((os, cpu));
            pending = Some(b);
            out.push_str(&format!("{indent}url {}{eol}", ruby_string(&b.url)));
        } else if word("sha256").is_some() && pending.is_some() {
            let b = pending.take().unwrap_or(&bottles[0]);
            out.push_str(&format!("{indent}sha256 {}{eol}", ruby_string(&b.sha256)));
        } else {
            out.push_str(line);
        }
    }
    for b in bottles {
        if !seen.contains(&(b.os, b.cpu)) {
            return Err(format!(
                "it has no url for {} {}, which this release has an archive for",
                b.os, b.cpu
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_are_mapped_by_shell_and_powershell_is_left_out() {
        let table = [
            ("halp.bash", Some("bash")),
            ("_halp", Some("zsh")),
            ("halp.zsh", Some("zsh")),
            ("halp.fish", Some("fish")),
            ("_halp.ps1", None),
            ("halp.elv", None),
            ("halp", None),
            ("README.md", None),
        ];
        for (file, want) in table {
            assert_eq!(completion_shell(file), want, "{file}");
        }
    }

    #[test]
    fn class_names_as_homebrew_makes_them() {
        let table = [
            ("cargo-ship", "CargoShip"),
            ("git-changelog", "GitChangelog"),
            ("ripgrep", "Ripgrep"),
            ("foo_bar.baz", "FooBarBaz"),
            ("gtk+3", "Gtkx3"),
            ("python@3", "PythonAT3"),
            ("myApp", "Myapp"),
        ];
        for (name, class) in table {
            assert_eq!(class_name(name), class, "{name}");
        }
    }

    #[test]
    fn licenses_in_formula_syntax() {
        assert_eq!(
            license("MIT OR Apache-2.0"),
            "license any_of: [\"MIT\", \"Apache-2.0\"]"
        );
        assert_eq!(
            license("MIT/Apache-2.0"),
            "license any_of: [\"MIT\", \"Apache-2.0\"]"
        );
        assert_eq!(
            license("Apache-2.0 AND MIT"),
            "license all_of: [\"Apache-2.0\", \"MIT\"]"
        );
        assert_eq!(license("GPL-3.0-or-later"), "license \"GPL-3.0-or-later\"");
    }

    #[test]
    fn descriptions_pass_the_audit() {
        assert_eq!(
            description("A tool for releasing\n  Rust crates."),
            "Tool for releasing Rust crates"
        );
        assert_eq!(description("fast grep"), "Fast grep");
        assert_eq!(description(&"x".repeat(100)).chars().count(), 80);
    }
}
