//! `git changelog`: Conventional Commits history to Keep a Changelog.

mod cli;

use std::process::ExitCode;

use cratesmith_shared::changelog;

fn main() -> ExitCode {
    let (args, _) = cratesmith_shared::cli::parse_tool::<cli::Args>(std::env::args_os());
    let shell = args.output.shell();
    cratesmith_shared::cli::finish::<cli::Args>(&args.docs, &shell, args.format, || {
        changelog::exec(&args.options(), &shell)
    })
}
