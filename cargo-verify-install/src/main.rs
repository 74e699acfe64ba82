//! `cargo verify-install`: prove the packaged crate installs and works on a clean machine.

mod cli;

use std::process::ExitCode;

use relkit_shared::verify_install::run;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output_args.shell();
    if let Some(done) = args.docs.print(cli::installed_command()) {
        return relkit_shared::cli::exit_code(done.map(|()| true), &shell, args.format);
    }
    let result = args.options().and_then(|opts| run::exec(&opts, &shell));
    relkit_shared::cli::exit_code(result, &shell, args.format)
}
