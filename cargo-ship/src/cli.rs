//! Arguments of `cargo ship`.

use std::ffi::OsString;
use std::time::Duration;

use clap::Parser;
use relkit_shared::cli::{DocArgs, MessageFormat, OutputArgs, PackageArgs};
use relkit_shared::registry::Choice;
use relkit_shared::registry::http::Retry;
use relkit_shared::ship::Options;

/// `cargo` passes the subcommand word as argv[1].
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub(crate) enum Cargo {
    /// Put a release where users install from: the crate registry
    Ship(ShipArgs),
}

const AFTER_HELP: &str = "\
Examples:
  cargo ship crates --dry-run                 the plan: order, what is already published
  cargo ship crates                           publish the workspace to crates.io
  cargo ship crates --registry my-registry -p app
  cargo ship crates --format json             the plan and each package's outcome as JSON

Channels: `crates` publishes to a crate registry. See `cargo ship crates --help`.";

const CRATES_AFTER_HELP: &str = "\
Examples:
  cargo ship crates --dry-run                 the plan, no upload
  cargo ship crates                           publish what is not yet in the registry
  cargo ship crates --registry my-registry --exclude xtask
  cargo ship crates --index sparse+http://127.0.0.1:8000/index/

Order: path dependencies (normal and build) go first; dev-dependencies do not order,
so their cycles are allowed, as cargo allows them. Every package whose name@version is
already in the registry's index is reported and skipped, so running again after a failure
finishes the job. `publish = false` and `publish = [\"other\"]` are honoured.

Steps: the index is read directly (sparse protocol) to plan; `cargo package` verifies every
package to publish in one run, so nothing is uploaded when one would not build; then the
.crate files cargo verified are uploaded in order, each waited for in the index before a
dependent goes up. HTTP 429 and 5xx answers and dropped connections are retried with
exponential backoff, honouring Retry-After; an upload that shows up in the index meanwhile
counts as published. After the retries, the run stops, says what was and was not
published, and exits 1.

Registry and token as cargo resolves them: --index, --registry, registry.default, else
crates.io; CARGO_REGISTRIES_<NAME>_TOKEN (CARGO_REGISTRY_TOKEN for crates.io), the
config files, or credentials.toml. The token is never printed. A plain-http index is
refused unless it is on a loopback address.";

/// Put a release where users install from.
#[derive(clap::Args, Debug)]
#[command(version, about, long_about = None, after_help = AFTER_HELP, subcommand_required = false)]
pub(crate) struct ShipArgs {
    #[command(subcommand)]
    pub(crate) channel: Option<Channel>,
    #[command(flatten)]
    pub(crate) docs: DocArgs,
}

/// Where the release goes.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Channel {
    /// Publish the workspace's packages to their crate registry, in order, resumable
    Crates(CratesArgs),
}

/// `cargo ship crates`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = CRATES_AFTER_HELP)]
pub(crate) struct CratesArgs {
    /// Registry to publish to (a name from `[registries]` in the cargo config)
    #[arg(long, value_name = "NAME", conflicts_with = "index")]
    pub(crate) registry: Option<String>,
    /// Registry index URL to publish to (`sparse+https://…`)
    #[arg(long, value_name = "URL")]
    pub(crate) index: Option<String>,
    /// Print the plan (order, skip reasons, registry) and upload nothing
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
    /// Package even with uncommitted changes (passed to cargo package)
    #[arg(long)]
    pub(crate) allow_dirty: bool,
    /// Attempts per upload and index request before giving up
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) retries: u32,
    /// Longest wait for an upload to show in the index, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) wait: u64,
    /// Output format: human, or json (the plan and each package's outcome on stdout)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    #[command(flatten)]
    pub(crate) packages: PackageArgs,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

/// Parse the process arguments.
pub(crate) fn parse() -> ShipArgs {
    parse_from(relkit_shared::cli::cargo_subcommand_args(
        std::env::args_os(),
        "ship",
    ))
}

fn parse_from(args: Vec<OsString>) -> ShipArgs {
    let Cargo::Ship(s) = relkit_shared::cli::parse_args(args);
    s
}

impl ShipArgs {
    /// The shell the channel's `--color`, `-q` and `-v` describe.
    pub(crate) fn shell(&self) -> relkit_shared::term::Shell {
        match &self.channel {
            Some(Channel::Crates(c)) => c.output_args.shell(),
            None => OutputArgs::default().shell(),
        }
    }

    /// `--format` of the channel, for errors.
    pub(crate) fn format(&self) -> MessageFormat {
        match &self.channel {
            Some(Channel::Crates(c)) => c.format,
            None => MessageFormat::Human,
        }
    }
}

impl CratesArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> Options {
        let registry = Choice::from_flags(self.registry.as_ref(), self.index.as_ref());
        Options {
            manifest_path: self.packages.manifest_path.clone(),
            selection: self.packages.selection(),
            registry,
            dry_run: self.dry_run,
            allow_dirty: self.allow_dirty,
            format: self.format,
            retry: Retry {
                attempts: self.retries,
                ..Retry::default()
            },
            wait: Duration::from_secs(self.wait),
        }
    }
}

/// A usage error (exit 2), shown as clap shows its own.
pub(crate) fn usage(message: &str) -> ! {
    let args: Vec<OsString> = std::env::args_os().collect();
    relkit_shared::cli::usage_error::<Cargo>("ship", message, &args)
}

/// This tool's command as installed (`cargo-ship`), for `--completions` and `--man`.
pub(crate) fn installed_command() -> clap::Command {
    relkit_shared::cli::installed_subcommand(
        &<Cargo as clap::CommandFactory>::command(),
        "ship",
        "cargo-ship",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn cli_is_consistent() {
        Cargo::command().debug_assert();
    }

    #[test]
    fn registry_choice_and_retries() {
        let s = parse_from(args(&[
            "cargo",
            "ship",
            "crates",
            "--index",
            "sparse+http://127.0.0.1:1/",
            "--retries",
            "2",
        ]));
        let Some(Channel::Crates(c)) = &s.channel else {
            panic!("crates")
        };
        let o = c.options();
        assert_eq!(
            o.registry,
            Choice::Index("sparse+http://127.0.0.1:1/".into())
        );
        assert_eq!(o.retry.attempts, 2);
        let s = parse_from(args(&[
            "cargo",
            "ship",
            "crates",
            "--registry",
            "local",
            "-n",
        ]));
        let Some(Channel::Crates(c)) = &s.channel else {
            panic!("crates")
        };
        assert_eq!(c.options().registry, Choice::Named("local".into()));
        assert!(c.options().dry_run);
    }
}
