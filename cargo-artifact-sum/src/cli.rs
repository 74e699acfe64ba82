//! Arguments of `cargo artifact-sum`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;
use cratesmith_shared::artifact_sum::Options;
use cratesmith_shared::artifact_sum::check::CheckOptions;
use cratesmith_shared::artifact_sum::digest::Algo;
use cratesmith_shared::artifact_sum::sign::{SignFormat, Signer, Trust};
use cratesmith_shared::cli::{DocArgs, MessageFormat, OutputArgs, PackageArgs};

/// `cargo` passes the subcommand word as argv[1].
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub(crate) enum Cargo {
    /// SHA-256/512 checksums of release artifacts, and --check to verify them
    ArtifactSum(SumArgs),
}

const AFTER_HELP: &str = "\
Examples:
  cargo artifact-sum                          hash this workspace's release artifacts
  cargo artifact-sum -o SHA256SUMS            write them to a SUMS file (names relative to it)
  cargo artifact-sum dist/ --sidecar          write dist/<file>.sha256 next to each file
  cargo artifact-sum --check SHA256SUMS       verify, like sha256sum -c
  cargo artifact-sum --check SHA256SUMS --ignore-missing --require app-x86_64.tar.gz

With no PATH, the artifacts are the selected packages' target/package/<name>-<version>.crate,
their release binaries in target/release/ and target/<triple>/release/, and target/distrib/*.
Output is byte-identical to sha256sum's for the same files.";

/// Hash release artifacts (GNU coreutils' output format), or verify SUMS files.
#[derive(clap::Args, Debug)]
#[command(version = cratesmith_shared::version!(), about, long_about = None, after_help = AFTER_HELP)]
pub(crate) struct SumArgs {
    /// Files or directories to hash (directories are walked in sorted order); with --check, SUMS files (`-` for stdin)
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Digest algorithm
    #[arg(long, value_enum, default_value_t = Algo::Sha256)]
    pub(crate) algo: Algo,
    /// Write the checksums to this file (atomically), names relative to its directory
    #[arg(short, long, value_name = "FILE", conflicts_with = "check")]
    pub(crate) output: Option<PathBuf>,
    /// Write `<artifact>.sha256` (or `.sha512`) next to each artifact
    #[arg(long, conflicts_with = "check")]
    pub(crate) sidecar: bool,
    /// BSD-style lines: `SHA256 (name) = hex`
    #[arg(long, conflicts_with = "check")]
    pub(crate) tag: bool,
    /// Output format: human (checksum lines) or json (name, size, algorithm, digest, package); json does not go with --tag
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human, conflicts_with = "check")]
    pub(crate) format: MessageFormat,
    #[command(flatten)]
    pub(crate) verify: VerifyArgs,
    #[command(flatten)]
    pub(crate) signing: SignArgs,
    #[command(flatten)]
    pub(crate) packages: PackageArgs,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
    #[command(flatten)]
    pub(crate) docs: DocArgs,
}

/// `--sign`, `--verify-signature` and their keys.
#[derive(clap::Args, Debug)]
pub(crate) struct SignArgs {
    /// Sign the SUMS file -o writes: SHA256SUMS.sig (SSH), SHA256SUMS.asc (GPG) or SHA256SUMS.minisig (minisign)
    #[arg(long, requires = "output", help_heading = "Sign")]
    pub(crate) sign: bool,
    /// The key: an SSH private key file, a GPG key ID, or a minisign secret key file (its password in CRATESMITH_MINISIGN_PASSWORD, else asked on the terminal) [default: git's user.signingkey]
    #[arg(long, value_name = "KEY", requires = "sign", help_heading = "Sign")]
    pub(crate) key: Option<String>,
    /// With a minisign key: also sign each hashed file, writing <FILE>.sig beside it (the name cargo binstall looks for), in the same read as its digest
    #[arg(long, requires = "sign", help_heading = "Sign")]
    pub(crate) sign_each: bool,
    /// ssh, gpg or minisign [default: minisign when --key is a minisign secret key; ssh when gpg.format=ssh in git's config or --key is a file; else gpg]
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        requires = "sign",
        help_heading = "Sign"
    )]
    pub(crate) sign_format: Option<SignFormat>,
    /// With --check: verify each SUMS file's signature before any digest is trusted (exit 1 when bad or missing)
    #[arg(long, requires = "check", help_heading = "Sign")]
    pub(crate) verify_signature: bool,
    /// SSH allowed-signers file to verify SHA256SUMS.sig against
    #[arg(
        long,
        value_name = "FILE",
        requires = "verify_signature",
        conflicts_with = "keyring",
        help_heading = "Sign"
    )]
    pub(crate) allowed_signers: Option<PathBuf>,
    /// GPG public keys (exported or a keyring) to verify SHA256SUMS.asc against
    #[arg(
        long,
        value_name = "FILE",
        requires = "verify_signature",
        conflicts_with = "public_key",
        help_heading = "Sign"
    )]
    pub(crate) keyring: Option<PathBuf>,
    /// A minisign public key (a minisign.pub file, or the key itself: RW…) to verify SHA256SUMS.minisig against
    #[arg(
        long,
        value_name = "FILE|KEY",
        requires = "verify_signature",
        conflicts_with = "allowed_signers",
        help_heading = "Sign"
    )]
    pub(crate) public_key: Option<String>,
}

/// `--check` and its flags.
#[derive(clap::Args, Debug)]
pub(crate) struct VerifyArgs {
    /// Verify the checksums listed in the SUMS files given as PATH
    #[arg(short, long, help_heading = "Verify")]
    pub(crate) check: bool,
    /// Print nothing; the exit code tells
    #[arg(long, requires = "check", help_heading = "Verify")]
    pub(crate) status: bool,
    /// Exit 1 on improperly formatted lines
    #[arg(long, requires = "check", help_heading = "Verify")]
    pub(crate) strict: bool,
    /// Skip listed files that do not exist (fails if none was verified)
    #[arg(long, requires = "check", help_heading = "Verify")]
    pub(crate) ignore_missing: bool,
    /// Report each improperly formatted line
    #[arg(short, long, requires = "check", help_heading = "Verify")]
    pub(crate) warn: bool,
    /// Fail unless this file is listed and verifies (repeatable)
    #[arg(long, value_name = "NAME", requires = "check", help_heading = "Verify")]
    pub(crate) require: Vec<String>,
    /// Accept names that leave the SUMS file's directory: with --check, reading them; with -o, writing them
    #[arg(long, help_heading = "Verify")]
    pub(crate) allow_outside: bool,
}

impl cratesmith_shared::cli::Tool for Cargo {
    const WORD: Option<&'static str> = Some("artifact-sum");
    const BINARY: &'static str = "cargo-artifact-sum";
}

/// Parse `cargo artifact-sum …` or `cargo-artifact-sum …`.
pub(crate) fn parse() -> SumArgs {
    parse_from(std::env::args_os())
}

/// Parse from explicit arguments (argv[0] included).
pub(crate) fn parse_from(args: impl IntoIterator<Item = OsString>) -> SumArgs {
    let (Cargo::ArtifactSum(sum), args) = cratesmith_shared::cli::parse_tool::<Cargo>(args);
    sum.validate(&args);
    sum
}

impl SumArgs {
    /// Value-dependent conflicts clap cannot express: exit 2 like clap's own.
    fn validate(&self, args: &[OsString]) {
        if self.tag && self.format == MessageFormat::Json {
            cratesmith_shared::cli::usage_error::<Cargo>(
                "artifact-sum",
                "`--tag` writes BSD checksum lines, which `--format json` has no place for; drop one of them",
                args,
            );
        }
        let s = &self.signing;
        let trusted = s.allowed_signers.is_some() || s.keyring.is_some() || s.public_key.is_some();
        if s.verify_signature && !trusted {
            cratesmith_shared::cli::usage_error::<Cargo>(
                "artifact-sum",
                "`--verify-signature` needs what to trust: --allowed-signers FILE (SSH), --keyring FILE (GPG) or --public-key FILE (minisign)",
                args,
            );
        }
    }

    /// The library options these arguments describe; a signing key that
    /// cannot be found is a usage error.
    pub(crate) fn options(&self) -> cratesmith_shared::Result<Options> {
        let v = &self.verify;
        let s = &self.signing;
        let sign = if s.sign {
            let dir = std::env::current_dir().unwrap_or_default();
            Some(cratesmith_shared::artifact_sum::sign::signer(
                s.key.as_deref(),
                s.sign_format,
                &dir,
            )?)
        } else {
            None
        };
        let verify_signature = match (&s.allowed_signers, &s.keyring, &s.public_key) {
            _ if !s.verify_signature => None,
            (Some(f), _, _) => Some(Trust::AllowedSigners(f.clone())),
            (None, Some(f), _) => Some(Trust::Keyring(f.clone())),
            (None, None, Some(k)) => Some(Trust::Minisign(
                cratesmith_shared::artifact_sum::minisign::public_key(k)?,
            )),
            (None, None, None) => None,
        };
        if s.sign_each && !matches!(sign, Some(Signer::Minisign(_))) {
            return Err(cratesmith_shared::Error::Usage {
                message: "--sign-each signs with a minisign key only (the signatures cargo binstall checks)".into(),
                help: "give --key a minisign secret key file (minisign -G writes one)".into(),
            });
        }
        Ok(Options {
            paths: self.paths.clone(),
            algo: self.algo,
            output: self.output.clone(),
            sidecar: self.sidecar,
            tag: self.tag,
            format: self.format,
            check: v.check,
            check_opts: CheckOptions {
                quiet: self.output_args.quiet,
                status: v.status,
                strict: v.strict,
                ignore_missing: v.ignore_missing,
                warn: v.warn,
                require: v.require.clone(),
                allow_outside: v.allow_outside,
            },
            selection: self.packages.selection(),
            manifest_path: self.packages.manifest_path.clone(),
            sign,
            sign_each: s.sign_each,
            verify_signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    cratesmith_shared::cli_is_consistent!(Cargo);

    #[test]
    fn both_invocations_parse() {
        let a = parse_from(["x", "artifact-sum", "--check", "SUMS"].map(OsString::from));
        let b = parse_from(["x", "--check", "SUMS"].map(OsString::from));
        assert!(a.verify.check && b.verify.check);
        assert_eq!(a.paths, b.paths);
    }
}
