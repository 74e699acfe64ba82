//! `git changelog`: Conventional Commits history to Keep a Changelog.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use relkit_shared::changelog::run;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let shell = args.output.shell();
    relkit_shared::cli::exit_code(run::exec(&args.options(), &shell), &shell)
}
