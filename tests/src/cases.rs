//! CLI cases: one directory per case, one test per directory.
//!
//! A case is a directory holding:
//! - `cmd`: the arguments, one line, split on spaces (`"…"` quotes a word);
//! - `in/`: the input tree, or `fixture`: the name of a tree under the
//!   fixtures directory beside the cases;
//! - `history`: optional, a git history built in the tree (see
//!   [`crate::history`]) after the input is copied;
//! - `out/`: the expected tree after the run (absent: unchanged input);
//! - `stdout`, `stderr`: expected output, whole, with `[ROOT]` for the
//!   temp dir;
//! - `code`: the expected exit code (absent: 0);
//! - `cwd`: optional subdirectory to run in;
//! - `scrub`: optional, `durations` to show times such as `0.3s` as
//!   `[TIME]` in stdout and stderr (for reports that time their steps).
//!
//! [`cases!`](crate::cases!) makes one `#[test]` per listed case, named as
//! the directory with `_` for `-` (`cargo test -p cratesmith-bump -- err_no_version`
//! runs one), and a test that every directory is listed. `CRATESMITH_BLESS=1`
//! rewrites `out/`, `stdout`, `stderr` and `code` from the actual run;
//! review them with `git diff` before committing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{
    command, compare_files, copy_tree, cratesmith_write, read_tree, scrub_paths, split_args,
    text_diff,
};

/// One test per case directory under `$dir` (relative to the crate), run
/// through the binary `$bin`, and a test that every directory has one.
#[macro_export]
macro_rules! cases {
    (bin = $bin:expr, dir = $dir:expr; $($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                $crate::cases::run(
                    std::path::Path::new($bin),
                    &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join($dir),
                    stringify!($name),
                );
            }
        )*

        #[test]
        fn every_case_directory_has_a_test() {
            $crate::cases::all_listed(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join($dir),
                &[$(stringify!($name)),*],
            );
        }
    };
}

/// Run the case `name` (`_` standing for `-`) under `cases`.
///
/// # Panics
/// With what differed from the expected run.
pub fn run(bin: &Path, cases: &Path, name: &str) {
    let case = cases.join(name.replace('_', "-"));
    assert!(case.is_dir(), "no case directory {}", case.display());
    let fixtures = cases.with_file_name("fixtures");
    let bless = std::env::var_os("CRATESMITH_BLESS").is_some();
    if let Err(problems) = run_case(bin, &case, &fixtures, bless) {
        panic!("case {name}:\n{problems}");
    }
}

/// Every case directory under `cases` is one of `listed`.
///
/// # Panics
/// Naming the directories no test runs, and listed names without one.
pub fn all_listed(cases: &Path, listed: &[&str]) {
    let mut dirs: Vec<String> = fs::read_dir(cases)
        .unwrap_or_else(|e| panic!("{}: {e}", cases.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    dirs.sort();
    let listed: Vec<String> = listed.iter().map(|n| n.replace('_', "-")).collect();
    let unlisted: Vec<&String> = dirs.iter().filter(|d| !listed.contains(d)).collect();
    let missing: Vec<&String> = listed.iter().filter(|n| !dirs.contains(n)).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "case directories without a test: {unlisted:?}; tests without a directory: {missing:?}"
    );
}

fn run_case(bin: &Path, case: &Path, fixtures: &Path, bless: bool) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = temp.path().join("ws");
    let input = match fs::read_to_string(case.join("fixture")) {
        Ok(name) => fixtures.join(name.trim()),
        Err(_) => case.join("in"),
    };
    copy_tree(&input, &root);
    fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    if let Ok(text) = fs::read_to_string(case.join("history")) {
        crate::history::build(&root, &text)?;
    }
    let before = read_tree(&root);
    let args = split_args(&fs::read_to_string(case.join("cmd")).map_err(|e| format!("cmd: {e}"))?);
    let cwd =
        fs::read_to_string(case.join("cwd")).map_or(root.clone(), |sub| root.join(sub.trim()));
    let out = command(bin)
        .args(&args)
        .current_dir(&cwd)
        .output()
        .map_err(|e| e.to_string())?;
    let mut actual = Actual::new(&out, &root);
    if read_or(case.join("scrub"), "").trim() == "durations" {
        actual.stdout = scrub_durations(&actual.stdout);
        actual.stderr = scrub_durations(&actual.stderr);
    }
    if bless {
        return actual.bless(case, &before, &root);
    }
    let mut problems = Vec::new();
    let expected_code: i32 = read_or(case.join("code"), "0").trim().parse().unwrap_or(0);
    if actual.code != expected_code {
        problems.push(format!(
            "exit code {} (expected {expected_code})",
            actual.code
        ));
    }
    for (name, got) in [("stdout", &actual.stdout), ("stderr", &actual.stderr)] {
        let want = read_or(case.join(name), "");
        if *got != want {
            problems.push(format!("{name} differs:\n{}", text_diff(&want, got)));
        }
    }
    let expected = if case.join("out").is_dir() {
        read_tree(&case.join("out"))
    } else {
        before
    };
    problems.extend(compare_files(&expected, &read_tree(&root)));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

struct Actual {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Actual {
    fn new(out: &Output, root: &Path) -> Self {
        let scrub = |b: &[u8]| scrub_paths(&String::from_utf8_lossy(b), root);
        Actual {
            code: out.status.code().unwrap_or(-1),
            stdout: scrub(&out.stdout),
            stderr: scrub(&out.stderr),
        }
    }

    fn bless(
        &self,
        case: &Path,
        before: &BTreeMap<String, Vec<u8>>,
        root: &Path,
    ) -> Result<(), String> {
        let write = |name: &str, text: &str| {
            let path = case.join(name);
            if text.is_empty() || (name == "code" && text == "0\n") {
                let _ = fs::remove_file(&path);
            } else {
                cratesmith_write(&path, text.as_bytes());
            }
        };
        write("stdout", &self.stdout);
        write("stderr", &self.stderr);
        write("code", &format!("{}\n", self.code));
        let _ = fs::remove_dir_all(case.join("out"));
        if !compare_files(before, &read_tree(root)).is_empty() {
            copy_tree(root, &case.join("out"));
        }
        Ok(())
    }
}

/// Every `<digits>.<digits>s` word (a duration such as `0.3s`) as `[TIME]`.
pub fn scrub_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let number = from
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(from.len());
        let after = &from[number..];
        let starts_word = !before.ends_with(|c: char| c.is_alphanumeric() || c == '.');
        let is_time = from[..number].contains('.')
            && after.starts_with('s')
            && !after[1..].starts_with(|c: char| c.is_alphanumeric());
        if starts_word && is_time {
            out.push_str("[TIME]");
            rest = &after[1..];
        } else {
            out.push_str(&from[..number]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn read_or(path: PathBuf, default: &str) -> String {
    fs::read_to_string(path).unwrap_or_else(|_| default.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_scrubbed_and_nothing_else() {
        let cases = [
            ("x   0.3s  ok", "x   [TIME]  ok"),
            ("in 12.0s.", "in [TIME]."),
            (
                "1.2.3 v0.1s 10s 0.5 sec 3.0sx",
                "1.2.3 v0.1s 10s 0.5 sec 3.0sx",
            ),
            ("rustc 1.95.0 >= 1.56.0", "rustc 1.95.0 >= 1.56.0"),
        ];
        for (text, want) in cases {
            assert_eq!(scrub_durations(text), want, "{text}");
        }
    }
}
