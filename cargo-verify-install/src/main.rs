//! `cargo verify-install`: prove the packaged crate installs and works on a clean machine.

mod cli;

use std::process::ExitCode;

use cratesmith_shared::verify_install::run;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output_args.shell();
    cratesmith_shared::cli::finish::<cli::Cargo>(&args.docs, &shell, args.format, || {
        args.options().and_then(|opts| run::exec(&opts, &shell))
    })
}
