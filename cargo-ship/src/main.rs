//! `cargo ship`: put a release where users install from.

mod cli;

use std::process::ExitCode;

use relkit_shared::ship;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.shell();
    let format = args.format();
    if let Some(done) = args.docs.print(cli::installed_command()) {
        return relkit_shared::cli::exit_code(done.map(|()| true), &shell, format);
    }
    let result = match &args.channel {
        Some(cli::Channel::Crates(c)) => ship::exec(&c.options(), &shell),
        Some(cli::Channel::Image(i)) => ship::image::exec(&i.options(), &shell),
        Some(cli::Channel::Installer(i)) => ship::installer::exec(&i.options(), &shell),
        Some(cli::Channel::Formula(f)) => ship::formula::exec(&f.options(), &shell),
        None => {
            cli::usage("name a channel: `cargo ship crates`, `image`, `installer` or `formula`")
        }
    };
    relkit_shared::cli::exit_code(result, &shell, format)
}
