//! `git changelog`: Conventional Commits history to Keep a Changelog.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use relkit_shared::changelog::run;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let shell = args.output.shell();
    match run::exec(&args.options(), &shell) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            shell.error(&e);
            ExitCode::from(1)
        }
    }
}
