//! Arguments of `cargo ship`.

use std::ffi::OsString;
use std::time::Duration;

use clap::Parser;
use cratesmith_shared::cli::{DocArgs, MessageFormat, OutputArgs, PackageArgs};
use cratesmith_shared::registry::Choice;
use cratesmith_shared::registry::http::Retry;
use cratesmith_shared::ship::Options;
use cratesmith_shared::ship::binstall::BinstallOptions;
use cratesmith_shared::ship::formula::FormulaOptions;
use cratesmith_shared::ship::image::ImageOptions;
use cratesmith_shared::ship::installer::{InstallerOptions, Release};
use cratesmith_shared::ship::pack::ArchiveOptions;
use cratesmith_shared::ship::sbom::SbomOptions;
use std::path::PathBuf;

/// `cargo` passes the subcommand word as argv[1].
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub(crate) enum Cargo {
    /// Put a release where users install from: the crate registry, a container image, an installer, a formula
    Ship(ShipArgs),
}

const AFTER_HELP: &str = "\
Examples:
  cargo ship crates --dry-run                 the plan: order, what is already published
  cargo ship crates                           publish the workspace to crates.io
  cargo ship crates --registry my-registry -p app
  cargo ship crates --format json             the plan and each package's outcome as JSON

Channels: `crates` publishes to a crate registry; `archive` writes the release archive of a
target; `image` builds a container image of the release binaries; `installer` writes a
`curl … | sh` installer for the release archives; `formula` writes a Homebrew formula for them.
The release-PR flow: `pr` prepares the release branch and the pull request's body; `release`,
after the merge, tags, publishes and writes each release's notes (docs/release-pr.md).
See `cargo ship <channel> --help`.";

const CRATES_AFTER_HELP: &str = "\
Examples:
  cargo ship crates --dry-run                 the plan, no upload
  cargo ship crates                           publish what is not yet in the registry
  cargo ship crates --registry my-registry --exclude xtask
  cargo ship crates --index sparse+http://127.0.0.1:8000/index/

Order: path dependencies (normal and build) go first; dev-dependencies do not order,
so their cycles are allowed, as cargo allows them. A package whose name@version is already
in the registry's index with the contents `cargo package` makes now is reported and
skipped, so running again after a failure finishes the job; with other contents (someone
else's crate, or a forgotten bump) the run stops before any upload, as it does for a name
the owners API gives to others. A version below the registry's newest is a warning.
`publish = false` and `publish = [\"other\"]` are honoured.

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
#[command(version = cratesmith_shared::version!(), about, long_about = None, after_help = AFTER_HELP, subcommand_required = false)]
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
    /// Build the release binaries and write the reproducible release archive of a target
    Archive(ArchiveArgs),
    /// Build an OCI image of the release binaries: no daemon, no base image, reproducible
    Image(ImageArgs),
    /// Write a POSIX sh installer that fetches, verifies and installs the right release archive
    Installer(InstallerArgs),
    /// Write (or update) a Homebrew formula for the release archives
    Formula(FormulaArgs),
    /// Write (or update) [package.metadata.binstall] so that cargo binstall finds the release archives
    Binstall(BinstallArgs),
    /// Write a CycloneDX 1.5 SBOM of the packages compiled into a binary package for a target
    Sbom(SbomArgs),
    /// Prepare or refresh the release branch (bumps, changelogs, one commit) and the pull request's body
    Pr(crate::release_cli::PrArgs),
    /// After a release PR is merged: tag what it released, push the tags, publish, write each release's notes
    Release(crate::release_cli::ReleaseArgs),
}

const ARCHIVE_AFTER_HELP: &str = "\
Examples:
  cargo ship archive                          build, then target/distrib/<name>-<version>-<host>.tar.gz
  cargo ship archive --target x86_64-unknown-linux-musl
  cargo ship archive --no-build --target x86_64-pc-windows-msvc   (a .zip, from binaries built)
  cargo ship archive -p app --bin app --out-dir dist

The archive holds one directory named like it: the binaries meant for users (--bin, else
[package.metadata.ship] bins = [\"app\"], else all of the package's), the README, the
licenses (LICENSE*, COPYING*, license-file) and the package's completions/ and man/
files. Reproducible: sorted entries, owner 0:0, fixed modes, one mtime (SOURCE_DATE_EPOCH,
else HEAD's commit time), a gzip header without a name or time: two runs write the same
bytes. target/distrib is under target/, so git ignores it and cargo package leaves it out.
cargo ship installer, formula and image take these archives (--archives target/distrib) and
the same binaries; cargo artifact-sum lists target/distrib by default.";

/// `cargo ship archive`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = ARCHIVE_AFTER_HELP)]
pub(crate) struct ArchiveArgs {
    /// Package whose binaries go in; repeat for several (the first names the archive) [default: the current one, or the only one with binaries]
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub(crate) packages: Vec<String>,
    /// Binaries to put in (repeatable) [default: [package.metadata.ship] bins, else all of the package's]
    #[arg(long = "bin", value_name = "NAME")]
    pub(crate) bins: Vec<String>,
    /// Build for (and name the archive after) this target triple [default: the host's]
    #[arg(long, value_name = "TRIPLE")]
    pub(crate) target: Option<String>,
    /// Take the binaries already built in target/[TRIPLE/]release instead of building
    #[arg(long)]
    pub(crate) no_build: bool,
    /// Take the binaries from this directory instead of building, e.g. target/verify-install/release: the ones `cargo verify-install` built from the packaged sources
    #[arg(long, value_name = "DIR", conflicts_with = "no_build")]
    pub(crate) bin_dir: Option<PathBuf>,
    /// Write the archive in this directory [default: target/distrib]
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
    /// Name the archive <NAME>-<version>-<triple> [default: the package's name]
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Output format: human, or json (the archive, its sha256, binaries and files)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl ArchiveArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> ArchiveOptions {
        ArchiveOptions {
            manifest_path: self.manifest_path.clone(),
            packages: self.packages.clone(),
            bins: self.bins.clone(),
            target: self.target.clone(),
            no_build: self.no_build,
            bin_dir: self.bin_dir.clone(),
            out_dir: self.out_dir.clone(),
            name: self.name.clone(),
            format: self.format,
        }
    }
}

const FORMULA_AFTER_HELP: &str = "\
Examples:
  cargo ship formula --archives dist -o Formula/app.rb \\
      --url 'https://github.com/org/app/releases/download/v{version}/{archive}'
  cargo ship formula --sums SHA256SUMS --url '…/v{version}/{archive}'   (archives not needed)

The platforms are those whose archives (<name>-<version>-<triple>.tar.gz) the SUMS file lists:
macOS and Linux, arm and intel (on Linux a musl build before a gnu one), each an on_macos /
on_linux block with on_arm / on_intel, its url from --url and its sha256 from the SUMS file,
checked against the archive when it is in --archives DIR. The class name, desc, homepage,
license (any_of for `MIT OR Apache-2.0`) and version come from the package; def install
installs the binaries, and the shell completions (*.bash, _name or *.zsh, *.fish) and man
pages (*.1) the archive carries; test do checks `<bin> --version` prints the version.
Over an existing -o file only the version, the urls and the sha256 lines change: your
other edits stay. Without -o the formula goes to stdout.";

/// `cargo ship formula`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = FORMULA_AFTER_HELP)]
pub(crate) struct FormulaArgs {
    #[command(flatten)]
    pub(crate) release: ReleaseArgs,
    /// The SUMS file the digests come from [default: DIR/SHA256SUMS]
    #[arg(long, value_name = "FILE")]
    pub(crate) sums: Option<PathBuf>,
    /// Write (or update) the formula here instead of printing it
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Output format: human, or json (class, version, platforms with urls and digests)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl FormulaArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> FormulaOptions {
        FormulaOptions {
            release: self.release.release(),
            sums: self.sums.clone(),
            output: self.output.clone(),
            format: self.format,
        }
    }
}

/// What `installer` and `formula` share: the archives, their URL, the package.
#[derive(clap::Args, Debug)]
pub(crate) struct ReleaseArgs {
    /// Where the archives are downloaded from: {version} and {archive} are filled in
    #[arg(long, value_name = "URL")]
    pub(crate) url: String,
    /// The release archives and the SHA256SUMS that lists them
    #[arg(long, value_name = "DIR", default_value = "target/distrib")]
    pub(crate) archives: PathBuf,
    /// Package whose binaries are installed [default: the current one, or the only one with binaries]
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub(crate) packages: Vec<String>,
    /// Binaries to install (repeatable) [default: [package.metadata.ship] bins, else all of the package's]
    #[arg(long = "bin", value_name = "NAME")]
    pub(crate) bins: Vec<String>,
    /// What the release is called (the formula's name, the installer's messages) [default: the package's name]
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
}

impl ReleaseArgs {
    fn release(&self) -> Release {
        Release {
            manifest_path: self.manifest_path.clone(),
            packages: self.packages.clone(),
            bins: self.bins.clone(),
            url: self.url.clone(),
            archives: self.archives.clone(),
            name: self.name.clone(),
        }
    }
}

const INSTALLER_AFTER_HELP: &str = "\
Examples:
  cargo ship installer --archives dist -o install.sh \\
      --url 'https://github.com/org/app/releases/download/v{version}/{archive}'
  curl -sSf https://github.com/org/app/releases/download/v1.2.0/install.sh | sh
  sh install.sh --version 1.1.0 --to ~/bin --allowed-signers allowed_signers

The archives in --archives DIR are found by the target triple in their names
(<package>-<version>-<triple>.tar.gz, .tar.xz or .zip) and must be listed, with matching
digests, in the SHA256SUMS beside them. The script detects the OS, the processor and, on
Linux, musl or glibc (a musl build is also used where no glibc one exists), downloads the
archive and SHA256SUMS from --url ({version} and {archive} filled in) with curl or wget,
refuses an archive whose SHA-256 is not listed or does not match (with --allowed-signers
FILE, also one whose SHA256SUMS.sig does not verify with ssh-keygen), unpacks it, and
copies the binaries into ${CARGO_HOME:-$HOME/.cargo}/bin or --to DIR. It never uses sudo
and writes nothing outside that directory and a temporary one it removes. Its options:
--version V, --to DIR, --quiet, --allowed-signers FILE. Without -o it goes to stdout.";

/// `cargo ship installer`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = INSTALLER_AFTER_HELP)]
pub(crate) struct InstallerArgs {
    #[command(flatten)]
    pub(crate) release: ReleaseArgs,
    /// Write the script here (made executable) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl InstallerArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> InstallerOptions {
        InstallerOptions {
            release: self.release.release(),
            output: self.output.clone(),
        }
    }
}

const BINSTALL_AFTER_HELP: &str = "\
Examples:
  cargo ship binstall --url 'https://github.com/org/app/releases/download/v{version}/{archive}' \\
      --public-key minisign.pub
  cargo ship binstall -p app --archives dist --url '…/v{version}/{archive}' --dry-run

It reads the archives in --archives DIR (named <package>-<version>-<triple>.tar.gz or .zip,
listed in the SHA256SUMS beside them, each holding the binaries) and sets, in the package's
Cargo.toml, [package.metadata.binstall] pkg-url (--url with { version } and the archive's
name for { target }), pkg-fmt = \"tgz\", bin-dir (<package>-{ version }-{ target }/{ bin }),
an override with pkg-fmt = \"zip\" for each Windows target, and with --public-key the
[package.metadata.binstall.signing] minisign key: cargo binstall then downloads
<archive>.sig (cargo artifact-sum --sign --sign-each writes them) and refuses an archive
whose signature does not verify. Only those keys change; the rest of the file stays as it
is, byte for byte. The URLs name { version }, so it is written once (again when the targets
change), and the metadata goes out with the package.";

/// `cargo ship binstall`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = BINSTALL_AFTER_HELP)]
pub(crate) struct BinstallArgs {
    #[command(flatten)]
    pub(crate) release: ReleaseArgs,
    /// The minisign public key the archives' .sig files verify with: a minisign.pub file or the key itself (RW…)
    #[arg(long, value_name = "FILE|KEY")]
    pub(crate) public_key: Option<String>,
    /// Print the change to Cargo.toml as a diff; write nothing
    #[arg(short = 'n', long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl BinstallArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> BinstallOptions {
        BinstallOptions {
            release: self.release.release(),
            public_key: self.public_key.clone(),
            dry_run: self.dry_run,
        }
    }
}

const SBOM_AFTER_HELP: &str = "\
Examples:
  cargo ship sbom                                     the current package, the host's target, on stdout
  cargo ship sbom --target x86_64-unknown-linux-musl -o target/distrib/app-1.2.0-x86_64-unknown-linux-musl.cdx.json
  cargo ship sbom -p app -p tool -o 'target/distrib/{name}.cdx.json'   one file per package
  cargo ship sbom -p app -p tool -o app.cdx.json                       one SBOM for an archive of both

The components are the packages compiled into the package's binaries for that target, as
cargo resolves them (cargo metadata --filter-platform): its normal dependencies, with the
features and platform cargo resolves, without dev or build dependencies and without
proc-macros (they run in the compiler and are not linked). Each has its name, version,
purl (pkg:cargo/NAME@VERSION, with ?repository_url= for another registry), license
expression and the SHA-256 of its .crate from Cargo.lock; the dependencies section holds
the graph. The timestamp is SOURCE_DATE_EPOCH, else HEAD's commit time; the serial number
is derived from the contents: the same inputs give the same file.";

/// `cargo ship sbom`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = SBOM_AFTER_HELP)]
pub(crate) struct SbomArgs {
    /// Package to describe; repeat for several [default: the current one, or the only one with binaries]
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub(crate) packages: Vec<String>,
    /// The target triple whose dependencies count [default: the host's]
    #[arg(long, value_name = "TRIPLE")]
    pub(crate) target: Option<String>,
    /// Write the SBOM here instead of stdout; with several packages, {name} in it writes one per package (else one SBOM holds them all)
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl SbomArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> SbomOptions {
        SbomOptions {
            manifest_path: self.manifest_path.clone(),
            packages: self.packages.clone(),
            target: self.target.clone(),
            output: self.output.clone(),
        }
    }
}

const IMAGE_AFTER_HELP: &str = "\
Examples:
  cargo ship image --dry-run                          the layout, digests and labels
  cargo ship image -o app.oci.tar                     an OCI archive for podman/docker load
  cargo ship image --target x86_64-unknown-linux-musl --target aarch64-unknown-linux-musl \\
      --push ghcr.io/org/app:1.2.0                    a multi-platform index, pushed
  cargo ship image --from-archives dist --push 127.0.0.1:5000/app:1.2.0

The image: one layer holding the binaries in /usr/local/bin, /etc/passwd and /etc/group
with a non-root user (uid and gid 65532), and with --ca-certs a CA bundle; it runs as
65532:65532, its entrypoint the package's default binary (default-run, the binary named
like the package, or the only one), with the org.opencontainers.image.* labels (title,
version, description, licenses, source, url, documentation, revision, created).

Binaries come from target/<triple>/<profile>/ (target/<profile>/ without --target), or
from the release archives in --from-archives DIR (named <package>-…-<triple>.tar.gz and
listed in a SHA256SUMS beside them). They must be static: a dynamically linked binary is
refused (build with RUSTFLAGS='-C target-feature=+crt-static' or for a musl target).

Reproducible: sorted entries, owner 0:0, normalised modes, every time SOURCE_DATE_EPOCH or
HEAD's commit time, a gzip header without a name or time: the same inputs give the same
digest. -o writes an OCI archive (with Docker's manifest.json for one platform); --push
uploads through the registry HTTP API with the credentials of the Docker config file
($DOCKER_CONFIG/config.json, ~/.docker/config.json) or the containers auth file, never
printed; plain http only to a loopback registry. Without -o or --push the archive goes to
target/image/<package>-<version>.oci.tar.";

/// `cargo ship image`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = IMAGE_AFTER_HELP)]
pub(crate) struct ImageArgs {
    /// Package whose binaries go in; repeat for several (the first gives the labels and entrypoint) [default: the current one, or the only one with binaries]
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub(crate) packages: Vec<String>,
    /// Binaries to put in (repeatable) [default: [package.metadata.ship] bins, else all of the package's]
    #[arg(long = "bin", value_name = "NAME")]
    pub(crate) bins: Vec<String>,
    /// Target triples, one platform each (repeatable); several make a multi-platform index
    #[arg(
        long = "target",
        value_name = "TRIPLE",
        conflicts_with = "from_archives"
    )]
    pub(crate) targets: Vec<String>,
    /// The cargo profile the binaries were built with
    #[arg(long, value_name = "NAME", default_value = "release")]
    pub(crate) profile: String,
    /// Take the binaries from the release archives in this directory (checked against its SHA256SUMS)
    #[arg(long, value_name = "DIR")]
    pub(crate) from_archives: Option<PathBuf>,
    /// Name the image (repeatable) [default: <package>:<version>]
    #[arg(long = "tag", value_name = "NAME:TAG")]
    pub(crate) tags: Vec<String>,
    /// Write the OCI archive here
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Push to this registry reference (host[:port]/name[:tag])
    #[arg(long, value_name = "REF")]
    pub(crate) push: Option<String>,
    /// Carry this CA bundle as /etc/ssl/certs/ca-certificates.crt (e.g. /etc/ssl/certs/ca-certificates.crt)
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_certs: Option<PathBuf>,
    /// Print the layout, digests and labels; write nothing
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
    /// Output format: human, or json (digests, platforms, labels, what was written or pushed)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl ImageArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> ImageOptions {
        ImageOptions {
            manifest_path: self.manifest_path.clone(),
            packages: self.packages.clone(),
            bins: self.bins.clone(),
            targets: self.targets.clone(),
            profile: self.profile.clone(),
            from_archives: self.from_archives.clone(),
            tags: self.tags.clone(),
            output: self.output.clone(),
            push: self.push.clone(),
            ca_certs: self.ca_certs.clone(),
            dry_run: self.dry_run,
            format: self.format,
        }
    }
}

/// `cargo ship crates`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = CRATES_AFTER_HELP)]
pub(crate) struct CratesArgs {
    #[command(flatten)]
    pub(crate) publish: PublishArgs,
    /// Print the plan (order, skip reasons, registry) and upload nothing
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
    /// Output format: human, or json (the plan and each package's outcome on stdout)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    #[command(flatten)]
    pub(crate) packages: PackageArgs,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl cratesmith_shared::cli::Tool for Cargo {
    const WORD: Option<&'static str> = Some("ship");
    const BINARY: &'static str = "cargo-ship";
}

/// Parse the process arguments.
pub(crate) fn parse() -> ShipArgs {
    parse_from(std::env::args_os().collect())
}

fn parse_from(args: Vec<OsString>) -> ShipArgs {
    let (Cargo::Ship(s), _) = cratesmith_shared::cli::parse_tool::<Cargo>(args);
    s
}

impl ShipArgs {
    /// The shell the channel's `--color`, `-q` and `-v` describe.
    pub(crate) fn shell(&self) -> cratesmith_shared::term::Shell {
        match &self.channel {
            Some(Channel::Crates(c)) => c.output_args.shell(),
            Some(Channel::Archive(a)) => a.output_args.shell(),
            Some(Channel::Image(i)) => i.output_args.shell(),
            Some(Channel::Installer(i)) => i.output_args.shell(),
            Some(Channel::Formula(f)) => f.output_args.shell(),
            Some(Channel::Binstall(b)) => b.output_args.shell(),
            Some(Channel::Sbom(b)) => b.output_args.shell(),
            Some(Channel::Pr(p)) => p.output_args.shell(),
            Some(Channel::Release(r)) => r.output_args.shell(),
            None => OutputArgs::default().shell(),
        }
    }

    /// `--format` of the channel, for errors.
    pub(crate) fn format(&self) -> MessageFormat {
        match &self.channel {
            Some(Channel::Crates(c)) => c.format,
            Some(Channel::Archive(a)) => a.format,
            Some(Channel::Image(i)) => i.format,
            Some(Channel::Installer(_)) => MessageFormat::Human,
            Some(Channel::Formula(f)) => f.format,
            Some(Channel::Binstall(_) | Channel::Sbom(_)) => MessageFormat::Human,
            Some(Channel::Pr(p)) => p.format,
            Some(Channel::Release(r)) => r.format,
            None => MessageFormat::Human,
        }
    }
}

/// Where and how to publish: `cargo ship crates` and `cargo ship release`.
#[derive(clap::Args, Debug)]
pub(crate) struct PublishArgs {
    /// Registry to publish to (a name from `[registries]` in the cargo config)
    #[arg(long, value_name = "NAME", conflicts_with = "index")]
    pub(crate) registry: Option<String>,
    /// Registry index URL to publish to (`sparse+https://…`)
    #[arg(long, value_name = "URL")]
    pub(crate) index: Option<String>,
    /// Package even with uncommitted changes (passed to cargo package)
    #[arg(long)]
    pub(crate) allow_dirty: bool,
    /// Attempts per upload and index request before giving up
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) retries: u32,
    /// Longest wait for an upload to show in the index, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) wait: u64,
}

impl PublishArgs {
    /// `cargo ship crates` options with these settings (the plan, the
    /// packages and the format left as their defaults).
    pub(crate) fn options(&self) -> Options {
        Options {
            registry: Choice::from_flags(self.registry.as_ref(), self.index.as_ref()),
            allow_dirty: self.allow_dirty,
            retry: Retry {
                attempts: self.retries,
                ..Retry::default()
            },
            wait: Duration::from_secs(self.wait),
            ..Options::default()
        }
    }
}

impl CratesArgs {
    /// The library options these arguments describe.
    pub(crate) fn options(&self) -> Options {
        Options {
            manifest_path: self.packages.manifest_path.clone(),
            selection: self.packages.selection(),
            dry_run: self.dry_run,
            format: self.format,
            ..self.publish.options()
        }
    }
}

/// A usage error (exit 2), shown as clap shows its own.
pub(crate) fn usage(message: &str) -> ! {
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
