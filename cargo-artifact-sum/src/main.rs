//! `cargo artifact-sum`: SHA-256/512 checksums of release artifacts, and `--check`.

mod cli;

use std::process::ExitCode;

use relkit_shared::artifact_sum;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output_args.shell();
    if let Some(done) = args.docs.print(cli::installed_command()) {
        return relkit_shared::cli::exit_code(done.map(|()| true), &shell, args.format);
    }
    relkit_shared::cli::exit_code(
        args.options().and_then(|o| artifact_sum::exec(&o, &shell)),
        &shell,
        args.format,
    )
}
