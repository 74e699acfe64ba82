//! `cargo artifact-sum`: SHA-256/512 checksums of release artifacts, and `--check`.

mod cli;

use std::process::ExitCode;

use cratesmith_shared::artifact_sum;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output_args.shell();
    cratesmith_shared::cli::finish::<cli::Cargo>(&args.docs, &shell, args.format, || {
        args.options().and_then(|o| artifact_sum::exec(&o, &shell))
    })
}
