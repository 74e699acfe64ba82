//! Command-line arguments every cratesmith tool shares, so that `-p`,
//! `--workspace`, `--exclude`, `--manifest-path`, `--color`, `-q` and `-v`
//! mean the same thing everywhere.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::error::Result;
use crate::term::{ColorChoice, Shell};
use crate::workspace::Selection;

/// The text of `--version` after the tool's name: its version and the
/// package that holds it, as in `cargo-bump 0.1.0 (cratesmith-bump)`, so
/// that what is installed says where it came from. Expands in the
/// binary's crate, whose package it names.
#[macro_export]
macro_rules! version {
    () => {
        concat!(env!("CARGO_PKG_VERSION"), " (", env!("CARGO_PKG_NAME"), ")")
    };
}

/// Package selection, as cargo does it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PackageArgs {
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH", help_heading = "Package Selection")]
    pub manifest_path: Option<PathBuf>,
    /// Package(s) to act on; repeatable, globs such as `cratesmith-*` allowed
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        help_heading = "Package Selection"
    )]
    pub package: Vec<String>,
    /// Act on every workspace member
    #[arg(long, visible_alias = "all", help_heading = "Package Selection")]
    pub workspace: bool,
    /// Leave out these packages (with --workspace; globs allowed)
    #[arg(
        long,
        value_name = "SPEC",
        requires = "workspace",
        help_heading = "Package Selection"
    )]
    pub exclude: Vec<String>,
}

impl PackageArgs {
    /// The selection these flags describe.
    pub fn selection(&self) -> Selection {
        Selection {
            packages: self.package.clone(),
            workspace: self.workspace,
            exclude: self.exclude.clone(),
        }
    }
}

/// Colour and verbosity.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// Coloring: auto, always, never (also CARGO_TERM_COLOR, NO_COLOR)
    #[arg(long, value_enum, value_name = "WHEN", help_heading = "Output")]
    pub color: Option<ColorChoice>,
    /// No status output, only errors
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Output")]
    pub quiet: bool,
    /// More detail (-vv for even more)
    #[arg(short, long, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,
}

impl OutputArgs {
    /// The shell these flags describe.
    pub fn shell(&self) -> Shell {
        Shell::new(self.color, self.quiet, self.verbose)
    }
}

/// `--completions <SHELL>` and `--man`, on every tool.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct DocArgs {
    /// Print a shell completion script for this tool and exit
    #[arg(long, value_name = "SHELL", help_heading = "Documentation")]
    pub completions: Option<clap_complete::Shell>,
    /// Print this tool's man page (roff) and exit
    #[arg(long, help_heading = "Documentation")]
    pub man: bool,
}

impl DocArgs {
    /// When asked, print the completions or the man page of `cmd` (named
    /// as installed: `cargo-bump`, `git-changelog`, ...) on stdout.
    pub fn print(&self, cmd: clap::Command) -> Option<Result<()>> {
        let mut out = Vec::new();
        if let Some(shell) = self.completions {
            let mut cmd = cmd;
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, &mut out);
        } else if self.man {
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                return Some(Err(crate::Error::io("render", "the man page", e)));
            }
        } else {
            return None;
        }
        let text = String::from_utf8_lossy(&out);
        Some(crate::term::print(&text))
    }
}

/// A tool's clap definition, with what every tool's binary does the same
/// way: parse either invocation (`cargo bump …`, `cargo-bump …`), show a
/// usage error found after parsing as clap shows its own (exit 2), and
/// name its command as installed for `--man` and `--completions`.
pub trait Tool: clap::Parser {
    /// The word cargo passes as `argv[1]` (`bump`), `None` for a tool
    /// git runs (`git-changelog`), which gets no extra word.
    const WORD: Option<&'static str>;
    /// The binary's name (`cargo-bump`).
    const BINARY: &'static str;
}

/// Parse `args` (`argv[0]` included) as the tool `T`, inserting its
/// subcommand word where cargo did not; also the arguments as parsed, for
/// checks that exit like clap's own. Exits 2 on a usage error (see
/// [`parse_args`]).
pub fn parse_tool<T: Tool>(args: impl IntoIterator<Item = OsString>) -> (T, Vec<OsString>) {
    let args = match T::WORD {
        Some(word) => cargo_subcommand_args(args, word),
        None => args.into_iter().collect(),
    };
    (parse_args(args.clone()), args)
}

/// The tool `T`'s command as installed (`cargo-bump`, `git-changelog`),
/// for `--completions` and `--man`.
pub fn installed<T: Tool>() -> clap::Command {
    let cmd = T::command();
    match T::WORD {
        Some(word) => installed_subcommand(&cmd, word, T::BINARY),
        None => cmd,
    }
}

/// A usage error of the tool `T` found after parsing (a value clap cannot
/// check): exits 2, shown as clap shows its own.
pub fn usage<T: Tool>(message: &str) -> ! {
    let args: Vec<OsString> = std::env::args_os().collect();
    usage_error::<T>(T::WORD.unwrap_or_default(), message, &args)
}

/// The end of every tool's `main`: the documentation `docs` asks for, or
/// else `run`, turned into the exit code (see [`exit_code`]).
pub fn finish<T: Tool>(
    docs: &DocArgs,
    shell: &Shell,
    format: MessageFormat,
    run: impl FnOnce() -> Result<bool>,
) -> std::process::ExitCode {
    let result = match docs.print(installed::<T>()) {
        Some(done) => done.map(|()| true),
        None => run(),
    };
    exit_code(result, shell, format)
}

/// The test every tool's clap definition gets: `clap`'s own consistency
/// check (`debug_assert`) of the type named.
#[macro_export]
macro_rules! cli_is_consistent {
    ($tool:ty) => {
        #[test]
        fn cli_is_consistent() {
            <$tool as clap::CommandFactory>::command().debug_assert();
        }
    };
}

/// The command of a cargo subcommand as installed: `cargo bump`'s clap
/// definition named `cargo-bump`, for completions and man pages.
pub fn installed_subcommand(
    cargo: &clap::Command,
    word: &str,
    installed: &'static str,
) -> clap::Command {
    cargo
        .find_subcommand(word)
        .cloned()
        .unwrap_or_else(|| clap::Command::new(installed))
        .name(installed)
        .bin_name(installed)
}

/// `--message-format` / `--format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MessageFormat {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

/// The exit code of a run: 0 when it succeeded, 1 when the job failed
/// (`Ok(false)`) or an error was reported (printed here, with its hint; with
/// `--format json` also as `{"error": {"message", "hint"}}` on stdout, so
/// that every run prints one JSON document).
pub fn exit_code(
    result: Result<bool>,
    shell: &Shell,
    format: MessageFormat,
) -> std::process::ExitCode {
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(e) => {
            shell.error(&e);
            if format == MessageFormat::Json {
                let doc = serde_json::json!({
                    "error": { "message": e.to_string(), "hint": e.hint() }
                });
                let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
                let _ = crate::term::print(&format!("{text}\n"));
            }
            std::process::ExitCode::from(match e {
                crate::Error::Interrupted => 130,
                crate::Error::Usage { .. } => 2,
                _ => 1,
            })
        }
    }
}

/// A usage error found after parsing (a value clap cannot check), shown
/// as clap shows its own under `cargo <subcommand>`; exits 2.
pub fn usage_error<T: clap::CommandFactory>(
    subcommand: &str,
    message: &str,
    args: &[OsString],
) -> ! {
    let mut cargo = T::command();
    cargo.build();
    let kind = clap::error::ErrorKind::ArgumentConflict;
    let error = match cargo.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(kind, message),
        None => cargo.error(kind, message),
    };
    usage_exit(error, args)
}

/// Parse the command line as `T`. A usage error exits 2 with clap's
/// message on stderr and, when the arguments ask for `--format json` (or
/// `--message-format json`), `{"error": {"message", "hint"}}` on stdout
/// first, so that such a run still prints one JSON document.
pub fn parse_args<T: clap::Parser>(args: Vec<OsString>) -> T {
    match T::try_parse_from(&args) {
        Ok(parsed) => parsed,
        Err(e) => usage_exit(e, &args),
    }
}

/// Exit for the usage error `e` (see [`parse_args`]).
pub fn usage_exit(e: clap::Error, args: &[OsString]) -> ! {
    if e.use_stderr() && wants_json(args) {
        let rendered = e.render().to_string();
        let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
        let message = lines
            .next()
            .unwrap_or("usage error")
            .trim_start_matches("error: ")
            .to_string();
        let hint: Option<String> = lines
            .find_map(|l| l.trim().strip_prefix("tip: ").map(String::from))
            .or_else(|| Some("run with --help for the usage".into()));
        let doc =
            serde_json::json!({ "error": { "message": message, "hint": hint, "usage": true } });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let _ = crate::term::print(&format!("{text}\n"));
    }
    e.exit()
}

/// Whether `args` hold `--format json` or `--message-format json` (either
/// spelling, `=` or a separate word).
fn wants_json(args: &[OsString]) -> bool {
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let flag = |name: &str| {
            w == name && words.get(i + 1).is_some_and(|v| v == "json")
                || w.strip_prefix(name).is_some_and(|rest| rest == "=json")
        };
        flag("--format") || flag("--message-format")
    })
}

/// The arguments of a cargo subcommand, so that `cargo <word> …` (cargo
/// passes `<word>` as `argv[1]`) and `cargo-<word> …` parse alike: the word is
/// inserted when it is missing.
pub fn cargo_subcommand_args(
    args: impl IntoIterator<Item = OsString>,
    word: &str,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_none_or(|a| a != word) {
        args.insert(1.min(args.len()), word.into());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_asked_for_in_every_spelling() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(wants_json(&os(&["x", "--format", "json"])));
        assert!(wants_json(&os(&["x", "--message-format=json"])));
        assert!(!wants_json(&os(&["x", "--format", "human"])));
        assert!(!wants_json(&os(&["x", "json"])));
    }

    #[test]
    fn subcommand_word_is_inserted_once() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            cargo_subcommand_args(os(&["cargo-bump", "minor"]), "bump"),
            os(&["cargo-bump", "bump", "minor"])
        );
        assert_eq!(
            cargo_subcommand_args(os(&["cargo-bump", "bump", "minor"]), "bump"),
            os(&["cargo-bump", "bump", "minor"])
        );
        assert_eq!(
            cargo_subcommand_args(os(&["cargo-bump"]), "bump"),
            os(&["cargo-bump", "bump"])
        );
    }
}
