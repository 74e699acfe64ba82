//! `cargo ship`: put a release where users install from.

mod cli;
mod release_cli;

use std::process::ExitCode;

use cratesmith_shared::ship;

fn main() -> ExitCode {
    let args = cli::parse();
    let shell = args.shell();
    let format = args.format();
    cratesmith_shared::cli::finish::<cli::Cargo>(&args.docs, &shell, format, || {
        match &args.channel {
            Some(cli::Channel::Crates(c)) => ship::exec(&c.options(), &shell),
            Some(cli::Channel::Archive(a)) => ship::pack::exec(&a.options(), &shell),
            Some(cli::Channel::Image(i)) => ship::image::exec(&i.options(), &shell),
            Some(cli::Channel::Installer(i)) => ship::installer::exec(&i.options(), &shell),
            Some(cli::Channel::Formula(f)) => ship::formula::exec(&f.options(), &shell),
            Some(cli::Channel::Binstall(b)) => ship::binstall::exec(&b.options(), &shell),
            Some(cli::Channel::Sbom(b)) => ship::sbom::exec(&b.options(), &shell),
            Some(cli::Channel::Pr(p)) => ship::pr::exec(&p.options(), &shell).map(|()| true),
            Some(cli::Channel::Release(r)) => ship::release::exec(&r.options(), &shell),
            None => cli::usage(
                "name a channel: `cargo ship crates`, `archive`, `image`, `installer`, `formula`, `binstall`, `sbom`, `pr` or `release`",
            ),
        }
    })
}
