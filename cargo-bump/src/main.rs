//! `cargo bump`: SemVer bumps across a Cargo workspace, format-preserving.

mod cli;

use std::process::ExitCode;

use relkit_shared::bump;
use relkit_shared::term::Shell;

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
    match &args.target {
        None if args.undo => {
            let dir = args
                .packages
                .manifest_path
                .as_deref()
                .and_then(std::path::Path::parent)
                .map_or_else(
                    || std::path::PathBuf::from("."),
                    std::path::Path::to_path_buf,
                );
            bump::undo::undo(&dir, &args.git_options(), shell)
        }
        None if args.changed => bump::changed(
            args.packages.manifest_path.as_deref(),
            &args.packages.selection(),
            args.output_mode(),
        ),
        None => bump::list(
            args.packages.manifest_path.as_deref(),
            &args.packages.selection(),
            args.output_mode(),
        ),
        Some(target) => bump::exec(&args.options(target.clone()), args.output_mode(), shell),
    }
}
