//! `cargo bump`: SemVer bumps across a Cargo workspace, format-preserving.

mod cli;

use std::process::ExitCode;

use relkit_shared::bump;
use relkit_shared::term::Shell;
use relkit_shared::workspace::Workspace;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output.shell();
    if let Some(done) = args.docs.print(cli::installed_command()) {
        return relkit_shared::cli::exit_code(done.map(|()| true), &shell, args.message_format);
    }
    relkit_shared::cli::exit_code(
        run(&args, &shell).map(|()| true),
        &shell,
        args.message_format,
    )
}

fn run(args: &cli::BumpArgs, shell: &Shell) -> relkit_shared::Result<()> {
    let manifest_path = args.packages.manifest_path.as_deref();
    let Some(target) = &args.target else {
        let ws = Workspace::load(manifest_path)?;
        return bump::exec_list(&ws, &args.packages.selection(), args.output_mode());
    };
    let opts = args.options(target.clone());
    bump::exec(manifest_path, &opts, args.output_mode(), shell)
}
