//! `git changelog`: Conventional Commits history to Keep a Changelog.

mod cli;

use std::process::ExitCode;

use relkit_shared::changelog;

fn main() -> ExitCode {
    let args: cli::Args = relkit_shared::cli::parse_args(std::env::args_os().collect());
    let shell = args.output.shell();
    if let Some(done) = args
        .docs
        .print(<cli::Args as clap::CommandFactory>::command())
    {
        return relkit_shared::cli::exit_code(done.map(|()| true), &shell, args.format);
    }
    relkit_shared::cli::exit_code(
        changelog::exec(&args.options(), &shell),
        &shell,
        args.format,
    )
}
