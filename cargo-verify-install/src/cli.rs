//! Arguments of `cargo verify-install`.

use std::ffi::OsString;
use std::path::PathBuf;

use cratesmith_shared::artifact_sum::sign::Trust;
use std::time::Duration;

use clap::Parser;
use cratesmith_shared::cli::{DocArgs, MessageFormat, OutputArgs, PackageArgs};
use cratesmith_shared::registry::Choice;
use cratesmith_shared::verify_install::run::{FeatureSet, Options, Source};

/// `cargo` passes the subcommand word as argv[1].
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub(crate) enum Cargo {
    /// Prove the packaged crate builds, installs and runs on a clean machine
    VerifyInstall(VerifyArgs),
}

const AFTER_HELP: &str = "\
Examples:
  cargo verify-install                           the current package
  cargo verify-install --workspace --report verify.md
  cargo verify-install -p app --feature-sets 'default;no-default;serde,std'
  cargo verify-install --from git --tag v1.2.0
  cargo verify-install --from archive dist/app-x86_64-unknown-linux-gnu.tar.gz
  cargo verify-install --from registry --workspace   what `cargo ship crates` published
  cargo verify-install --from registry app@1.2.0 --registry my-registry
  cargo verify-install --from image target/image/app-1.2.0.oci.tar

Steps, each a line of the report: `cargo package` (publish-readiness findings:
description, license, repository, readme, keywords, size); `cargo install --path` of
the unpacked .crate into a temporary root, outside any workspace (--locked when it ships
a Cargo.lock); every binary's `--version` (must print the package version as a whole
token) and `--help`; smoke commands; the packaged library built under each feature set,
in the install's profile and target dir;
rust-version against the active rustc; required programs. Builds share a cache in
<target-dir>/verify-install; each .crate is unpacked under $TMPDIR by its SHA-256, and a
package whose content changed is rebuilt. Your ~/.cargo/bin is never touched. Exit
status 0 only if every check passed.

Settings, in the package's Cargo.toml:
  [package.metadata.verify-install]
  requires = [\"git >= 2.30\"]
  [[package.metadata.verify-install.smoke]]
  command = [\"app\", \"greet\", \"world\"]      # run with the temporary root first on PATH
  status = 0                                 # expected exit code (default 0)
  stdout = \"hello world\"                     # substring; or stdout-regex, stderr, stderr-regex
  env = { APP_LANG = \"en\" }
  timeout = 30                               # seconds (default --timeout)
  [package.metadata.verify-install.bin.app-run]
  probes = false                             # no --version/--help for this binary
  [package.metadata.verify-install.bin.app]
  version = [\"-V\"]                           # the version probe's arguments (false: none)
  help = [\"-h\"]                              # the help probe's arguments (false: none)
  version-regex = \"^app [0-9]\"               # instead of the package version

Binaries run with HOME and the XDG directories inside the temporary directory. Binaries
that `required-features` keeps out of `cargo install` are installed with those features.
--from git installs the exported tree of the revision (--locked when it has a Cargo.lock);
--from archive runs only the package's own (or compiled) programs, never scripts.
--from registry looks each NAME@VERSION up in the registry's index (the version defaults
to the workspace manifest's; missing is a failure) and downloads the .crate. When it holds
the sources this workspace's last --from package run verified (every file but
.cargo_vcs_info.json), it passes without being built again (--rebuild builds it);
otherwise it is installed with `cargo install NAME --version =VERSION` from that registry
into a temporary root with a fresh CARGO_HOME, and a scratch crate that depends on the
published library is built.
--from image runs a container image (a reference is pulled, an archive loaded) with podman
or docker (CRATESMITH_CONTAINER_ENGINE names another, with global flags;
CRATESMITH_CONTAINER_RUN_ARGS adds flags to each run): it must run as a non-root user, its
entrypoint's --version must print its org.opencontainers.image.version label, --help must
work, and the package's smoke commands (run inside its workspace) pass in the container.";

/// Package, install in isolation, and run the binaries and library of a crate; report.
#[derive(clap::Args, Debug)]
#[command(version = cratesmith_shared::version!(), about, long_about = None, after_help = AFTER_HELP)]
pub(crate) struct VerifyArgs {
    /// How to install: package (cargo package + install the .crate), git, archive <FILE>, registry [NAME[@VERSION]]…, or image <REF|FILE.tar>
    #[arg(long, value_name = "METHOD", num_args = 1.., default_values_t = ["package".to_string()])]
    pub(crate) from: Vec<String>,
    /// The registry (a name from `[registries]` in the cargo config): --from registry installs from it; cargo package resolves against it
    #[arg(long, value_name = "NAME", conflicts_with = "index")]
    pub(crate) registry: Option<String>,
    /// The registry's index URL (`sparse+https://…`), instead of --registry
    #[arg(long, value_name = "URL")]
    pub(crate) index: Option<String>,
    /// With --from git: the tag (or any revision) to install [default: HEAD]
    #[arg(long, value_name = "REV")]
    pub(crate) tag: Option<String>,
    /// Package even with uncommitted changes (passed to cargo package)
    #[arg(long)]
    pub(crate) allow_dirty: bool,
    /// Feature sets the library is built with, `;`-separated: default, no-default, all, or a list of features (`default;no-default;serde,std`)
    #[arg(long, value_name = "SETS", default_value = "default", value_parser = parse_sets)]
    pub(crate) feature_sets: Sets,
    /// Time limit for each run of an installed binary or smoke command, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub(crate) timeout: u64,
    /// Build with the dev profile (faster builds, as `cargo install --debug`)
    #[arg(long)]
    pub(crate) debug: bool,
    /// With --from registry: build and run a published crate even when it holds the sources this workspace already verified (by default that one is not built again)
    #[arg(long)]
    pub(crate) rebuild: bool,
    /// With --from archive: check the archive's minisign signature (ARCHIVE.sig, as cargo binstall reads it) with this public key (a minisign.pub file or RW…) before unpacking
    #[arg(long, value_name = "FILE|KEY", conflicts_with = "allowed_signers")]
    pub(crate) public_key: Option<String>,
    /// With --from archive: check the archive's SSH signature (ARCHIVE.sig, ssh-keygen -Y sign -n file) against this allowed-signers file before unpacking
    #[arg(long, value_name = "FILE")]
    pub(crate) allowed_signers: Option<PathBuf>,
    /// Warn about packaged files larger than this many KiB
    #[arg(long, value_name = "KIB", default_value_t = 1024)]
    pub(crate) max_file_size: u64,
    /// Also print the report as JSON on stdout
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Write the report as Markdown (e.g. to $GITHUB_STEP_SUMMARY)
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Keep the temporary directories and print where they are
    #[arg(long)]
    pub(crate) keep: bool,
    #[command(flatten)]
    pub(crate) packages: PackageArgs,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
    #[command(flatten)]
    pub(crate) docs: DocArgs,
}

/// The feature sets of `--feature-sets`.
#[derive(Clone, Debug)]
pub(crate) struct Sets(pub(crate) Vec<FeatureSet>);

fn parse_sets(text: &str) -> Result<Sets, String> {
    FeatureSet::parse_list(text).map(Sets)
}

impl cratesmith_shared::cli::Tool for Cargo {
    const WORD: Option<&'static str> = Some("verify-install");
    const BINARY: &'static str = "cargo-verify-install";
}

/// Parse the process arguments.
pub(crate) fn parse() -> VerifyArgs {
    parse_from(std::env::args_os().collect())
}

fn parse_from(args: Vec<OsString>) -> VerifyArgs {
    let (Cargo::VerifyInstall(v), _) = cratesmith_shared::cli::parse_tool::<Cargo>(args);
    v
}

impl VerifyArgs {
    /// The library options these arguments describe; a bad `--from` is a
    /// usage error (exit 2).
    pub(crate) fn options(&self) -> cratesmith_shared::Result<Options> {
        let from = match self
            .from
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["package"] => Source::Package,
            ["git"] => Source::Git {
                rev: self.tag.clone(),
            },
            ["archive", file] => Source::Archive(PathBuf::from(file)),
            ["image", what] => Source::Image(what.to_string()),
            ["registry", specs @ ..] => Source::Registry {
                specs: specs.iter().map(|s| s.to_string()).collect(),
            },
            _ => usage(
                "--from takes `package`, `git`, `archive <FILE>`, `registry [NAME[@VERSION]]…` or `image <REF|FILE.tar>`",
            ),
        };
        if (self.registry.is_some() || self.index.is_some())
            && !matches!(from, Source::Registry { .. } | Source::Package)
        {
            usage("--registry and --index go with --from registry or --from package");
        }
        if self.tag.is_some() && !matches!(from, Source::Git { .. }) {
            usage("--tag goes with --from git");
        }
        let signed = self.public_key.is_some() || self.allowed_signers.is_some();
        if signed && !matches!(from, Source::Archive(_)) {
            usage("--public-key and --allowed-signers go with --from archive");
        }
        let archive_trust = match (&self.public_key, &self.allowed_signers) {
            (Some(k), _) => Some(Trust::Minisign(
                cratesmith_shared::artifact_sum::minisign::public_key(k)?,
            )),
            (None, Some(f)) => Some(Trust::AllowedSigners(f.clone())),
            (None, None) => None,
        };
        Ok(Options {
            manifest_path: self.packages.manifest_path.clone(),
            selection: self.packages.selection(),
            allow_dirty: self.allow_dirty,
            feature_sets: self.feature_sets.0.clone(),
            from,
            registry: Choice::from_flags(self.registry.as_ref(), self.index.as_ref()),
            timeout: Duration::from_secs(self.timeout.max(1)),
            format: self.format,
            report: self.report.clone(),
            keep: self.keep,
            debug: self.debug,
            rebuild: self.rebuild,
            archive_trust,
            max_file_size: self.max_file_size * 1024,
        })
    }
}

fn usage(message: &str) -> ! {
    cratesmith_shared::cli::usage::<Cargo>(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    cratesmith_shared::cli_is_consistent!(Cargo);

    #[test]
    fn from_and_feature_sets_parse() {
        let v = parse_from(args(&[
            "cargo",
            "verify-install",
            "--from",
            "archive",
            "x.tar.gz",
            "--feature-sets",
            "default,all",
        ]));
        let o = v.options().unwrap();
        assert_eq!(o.from, Source::Archive(PathBuf::from("x.tar.gz")));
        assert_eq!(o.feature_sets, [FeatureSet::Default, FeatureSet::All]);
        let git = parse_from(args(&[
            "cargo",
            "verify-install",
            "--from",
            "git",
            "--tag",
            "v1.0.0",
        ]));
        assert_eq!(
            git.options().unwrap().from,
            Source::Git {
                rev: Some("v1.0.0".into())
            }
        );
        let sets = |text: &str| {
            Cargo::try_parse_from(args(&["cargo", "verify-install", "--feature-sets", text]))
                .map(|Cargo::VerifyInstall(v)| v.feature_sets.0)
        };
        assert_eq!(
            sets("default;no-default;serde,std").unwrap(),
            [
                FeatureSet::Default,
                FeatureSet::NoDefault,
                FeatureSet::List(vec!["serde".into(), "std".into()])
            ]
        );
        assert_eq!(
            sets("serde").unwrap(),
            [FeatureSet::List(vec!["serde".into()])]
        );
        assert!(sets("default;;all").is_err(), "an empty set");
    }
}
