//! `cargo verify-install`: prove the packaged crate installs and works on a clean machine.

mod cli;

use std::process::ExitCode;

use relkit_shared::verify::run;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output_args.shell();
    let result = args.options().and_then(|opts| run::exec(&opts, &shell));
    relkit_shared::cli::exit_code(result, &shell)
}
