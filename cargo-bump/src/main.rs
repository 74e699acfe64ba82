//! `cargo bump`: SemVer bumps across a Cargo workspace, format-preserving.

mod cli;

use std::process::ExitCode;

use cratesmith_shared::bump;
use cratesmith_shared::term::Shell;
use cratesmith_shared::version::Target;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.output.shell();
    cratesmith_shared::cli::finish::<cli::Cargo>(&args.docs, &shell, args.message_format, || {
        run(&args, &shell).map(|()| true)
    })
}

fn run(args: &cli::BumpArgs, shell: &Shell) -> cratesmith_shared::Result<()> {
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
            bump::undo::undo(&dir, &args.git_options(), args.force, shell)
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
        Some(Target::Nothing) => bump::nothing(
            args.packages.manifest_path.as_deref(),
            &args.packages.selection(),
            args.output_mode(),
            shell,
        ),
        Some(target) => bump::exec(&args.options(target.clone()), args.output_mode(), shell),
    }
}
