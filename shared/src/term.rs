//! Output in cargo's style: right-aligned status verbs, `warning:` and
//! `error:` lines on stderr, data alone on stdout. The colour choice is made
//! once, from `--color`, `CARGO_TERM_COLOR`, `NO_COLOR` and the terminal.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use owo_colors::OwoColorize;

use crate::error::Error;

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How much to say on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Status lines and warnings.
    Normal,
    /// Everything.
    Verbose,
}

/// Where status and errors go.
#[derive(Debug, Clone)]
pub struct Shell {
    color: bool,
    verbosity: Verbosity,
}

impl Shell {
    /// A shell for the given flags, reading the environment and the terminal.
    pub fn new(choice: Option<ColorChoice>, quiet: bool, verbose: u8) -> Self {
        let env = |k| std::env::var(k).ok();
        let color = use_color(
            choice,
            env("CARGO_TERM_COLOR").as_deref(),
            env("NO_COLOR").as_deref(),
            io::stderr().is_terminal(),
        );
        let verbosity = match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            _ => Verbosity::Verbose,
        };
        Shell { color, verbosity }
    }

    /// Whether stderr output is coloured.
    pub fn color(&self) -> bool {
        self.color
    }

    /// The verbosity.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// `     Bumping foo 1.2.3 -> 1.3.0`: a green verb right-aligned to 12 columns.
    pub fn status(&self, verb: &str, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            let verb = format!("{verb:>12}");
            let verb = self.paint(&verb, |s| s.green().bold().to_string());
            self.line(format_args!("{verb} {message}"));
        }
    }

    /// A status line shown only with `-v`.
    pub fn verbose(&self, verb: &str, message: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            let verb = format!("{verb:>12}");
            let verb = self.paint(&verb, |s| s.cyan().bold().to_string());
            self.line(format_args!("{verb} {message}"));
        }
    }

    /// `warning: …`
    pub fn warn(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            let label = self.paint("warning", |s| s.yellow().bold().to_string());
            self.line(format_args!("{label}: {message}"));
        }
    }

    /// `note: …`
    pub fn note(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            let label = self.paint("note", |s| s.cyan().bold().to_string());
            self.line(format_args!("{label}: {message}"));
        }
    }

    /// `error: …` for a message that is not an [`Error`]; shown even with `-q`.
    pub fn error_message(&self, message: impl Display) {
        let label = self.paint("error", |s| s.red().bold().to_string());
        self.line(format_args!("{label}: {message}"));
    }

    /// `error: …` and, when there is one, `help: …`; shown even with `-q`.
    pub fn error(&self, err: &Error) {
        let label = self.paint("error", |s| s.red().bold().to_string());
        self.line(format_args!("{label}: {err}"));
        if let Some(hint) = err.hint() {
            let help = self.paint("help", |s| s.cyan().bold().to_string());
            self.line(format_args!("{help}: {hint}"));
        }
    }

    /// A plain line on stderr (a report's table), unless `-q`.
    pub fn plain(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            self.line(format_args!("{message}"));
        }
    }

    /// Whether a progress display may be drawn: stderr is a terminal and not `-q`.
    pub fn progress_allowed(&self) -> bool {
        self.verbosity >= Verbosity::Normal && io::stderr().is_terminal()
    }

    fn paint(&self, text: &str, style: impl Fn(&str) -> String) -> String {
        if self.color {
            style(text)
        } else {
            text.to_string()
        }
    }

    fn line(&self, args: std::fmt::Arguments<'_>) {
        let _ = writeln!(io::stderr().lock(), "{args}");
    }
}

/// Run `work` while a progress bar for `total` bytes (read from `done`) is
/// drawn on stderr, when `shown`; the bar appears only once the work has
/// taken a moment, and is erased at the end.
pub fn with_progress<R>(
    shown: bool,
    verb: &str,
    total: u64,
    done: &AtomicU64,
    work: impl FnOnce() -> R,
) -> R {
    if !shown || total == 0 {
        return work();
    }
    animate(
        Duration::from_millis(50),
        || draw(verb, done.load(Ordering::Relaxed), total),
        work,
    )
}

/// Run `work` while a spinner with `label` and the elapsed time is drawn on
/// stderr, when `shown`; it appears after a moment and is erased at the end.
pub fn with_spinner<R>(shown: bool, label: &str, work: impl FnOnce() -> R) -> R {
    if !shown {
        return work();
    }
    const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let start = Instant::now();
    let frame = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let f = frame.fetch_add(1, Ordering::Relaxed) % FRAMES.len();
        let secs = start.elapsed().as_secs();
        let _ = write!(
            io::stderr().lock(),
            "\r  {} {label} ({secs}s)\x1b[K",
            FRAMES[f]
        );
    };
    animate(Duration::from_millis(80), tick, work)
}

/// Run `work`; after 300 ms, call `tick` every `every` until it is done,
/// then erase the line if anything was drawn.
fn animate<R>(every: Duration, tick: impl Fn() + Sync, work: impl FnOnce() -> R) -> R {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            let mut drawn = false;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                if start.elapsed() >= Duration::from_millis(300) {
                    tick();
                    drawn = true;
                }
            }
            if drawn {
                let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            }
        });
        let result = work();
        finished.store(true, Ordering::Relaxed);
        result
    })
}

fn draw(verb: &str, done: u64, total: u64) {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH / total) as usize;
    let bar = format!(
        "{}>{}",
        "=".repeat(filled),
        " ".repeat(WIDTH as usize - filled)
    );
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let line = format!("{verb:>12} [{bar}] {:.1}/{:.1} MiB", mib(done), mib(total));
    let _ = write!(io::stderr().lock(), "\r{line}");
}

/// Write data to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("write", "<stdout>", e)),
        Ok(()) => Ok(()),
    }
}

/// A JSON document on stdout, pretty-printed, with a final newline.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ))
}

/// The colour decision: `--color` wins, then `CARGO_TERM_COLOR`, then a
/// non-empty `NO_COLOR`, then whether stderr is a terminal.
pub fn use_color(
    choice: Option<ColorChoice>,
    cargo_term_color: Option<&str>,
    no_color: Option<&str>,
    tty: bool,
) -> bool {
    let from_env = match cargo_term_color {
        Some("always") => Some(ColorChoice::Always),
        Some("never") => Some(ColorChoice::Never),
        _ => None,
    };
    match choice.filter(|c| *c != ColorChoice::Auto).or(from_env) {
        Some(ColorChoice::Always) => true,
        Some(ColorChoice::Never) => false,
        _ => no_color.is_none_or(str::is_empty) && tty,
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice::*;
    use super::*;

    #[test]
    fn colour_choice_table() {
        let cases = [
            (None, None, None, true, true),
            (None, None, None, false, false),
            (None, None, Some("1"), true, false),
            (None, None, Some(""), true, true),
            (Some(Always), None, Some("1"), false, true),
            (Some(Never), Some("always"), None, true, false),
            (Some(Auto), Some("always"), None, false, true),
            (None, Some("never"), None, true, false),
            (None, Some("auto"), None, true, true),
            (None, Some("always"), Some("1"), false, true),
        ];
        for (choice, ctc, no_color, tty, expected) in cases {
            assert_eq!(
                use_color(choice, ctc, no_color, tty),
                expected,
                "{choice:?} {ctc:?} {no_color:?} {tty}"
            );
        }
    }
}
