//! Arguments of `cargo bump`.

use std::ffi::OsString;

use clap::Parser;
use cratesmith_shared::bump::{Cascade, GitOptions, Options, Output};
use cratesmith_shared::cli::{DocArgs, MessageFormat, OutputArgs, PackageArgs};
use cratesmith_shared::requirement::Policy;
use cratesmith_shared::version::{BumpSpec, Channel, Level, Target};
use semver::BuildMetadata;

/// `cargo` passes the subcommand word as argv[1].
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
pub(crate) enum Cargo {
    /// Bump SemVer versions across a workspace, format-preserving
    Bump(BumpArgs),
}

const AFTER_HELP: &str = "\
Examples:
  cargo bump                      list the selected packages and their versions
  cargo bump minor                1.2.3 -> 1.3.0 (and dependents, Cargo.lock)
  cargo bump patch --dry-run      show the diff, write nothing
  cargo bump rc                   1.2.3 -> 1.2.4-rc.1; again: -rc.2
  cargo bump minor --pre alpha    1.2.3 -> 1.3.0-alpha.1
  cargo bump auto                 each package by the level its Conventional Commits since its last release imply
  cargo bump --workspace --changed                  the members changed since their last release
  cargo bump auto --workspace --dry-run             each changed member at its own level: the plan
  cargo bump auto --workspace --changelog --commit --tag
  cargo bump 2.0.0 --commit --tag
  cargo bump --undo                         take back that commit and its tags (not once pushed or published)
  v=$(cargo bump minor --print)

Pre-releases are finished by a level bump: `patch` of 1.2.4-alpha.1 is 1.2.4.
Extra files are declared in [package.metadata.bump] or [workspace.metadata.bump]:
  replace = [{ file = \"README.md\", search = \"{{prev_version}}\", replace = \"{{version}}\", exactly = 1 }]
Placeholders: {{version}} {{prev_version}} {{crate}} {{date}}; in commit messages also {{release}} (v1.2.0,
or every package when each gets its own tag) and {{releases}} (every package: `app v1.2.0, core v0.3.0`);
in tag messages also {{tag}} and, with auto --changelog, {{notes}} (the release's changelog section).";

/// Bump SemVer versions across a Cargo workspace: manifests, dependents'
/// requirements, Cargo.lock and declared extra files, every edit format-preserving.
#[derive(clap::Args, Debug)]
#[command(version = cratesmith_shared::version!(), about, long_about = None, after_help = AFTER_HELP)]
#[command(group(clap::ArgGroup::new("commit_or_undo").args(["commit", "undo"]).multiple(true)))]
#[command(group(clap::ArgGroup::new("tag_or_undo").args(["tag", "undo"]).multiple(true)))]
pub(crate) struct BumpArgs {
    /// major, minor, patch, release, alpha, beta, rc, auto (each package from its own Conventional Commits since its last release), none (nothing to release: no change, exit 0), or an explicit version (2.0.0-rc.1+build.5); omit to list versions
    #[arg(value_name = "LEVEL|VERSION")]
    pub(crate) target: Option<Target>,
    /// Make the bump a pre-release of this channel (with major, minor or patch)
    #[arg(long, value_enum, value_name = "CHANNEL", requires = "target")]
    pub(crate) pre: Option<Channel>,
    /// Set build metadata on the new version
    #[arg(long, value_name = "META", requires = "target", value_parser = parse_build)]
    pub(crate) build: Option<BuildMetadata>,
    /// Accept an explicit version lower than the current one
    #[arg(long)]
    pub(crate) allow_downgrade: bool,
    /// When to rewrite dependents' requirements: needed (no longer admits the new version) or always
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Policy::Needed)]
    pub(crate) dependents: Policy,
    /// Print only the new version(s) on stdout: one package, the bare version; several, `name version` lines
    #[arg(long, conflicts_with = "print_current")]
    pub(crate) print: bool,
    /// Print only the current version(s) on stdout, like --print
    #[arg(long, conflicts_with = "target")]
    pub(crate) print_current: bool,
    /// Print the plan and a unified diff of every file that would change; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Take back the release commit and tags just made: the files cratesmith wrote get their previous content, the commit's other changes stay as uncommitted edits (refused once pushed, on another commit, or when the version is in the registry)
    #[arg(long, conflicts_with_all = ["target", "print_current", "print", "changed", "dry_run"])]
    pub(crate) undo: bool,
    /// With --undo: undo even when a version the commit released is in the registry's index (a warning says it stays published)
    #[arg(long, requires = "undo")]
    pub(crate) force: bool,
    /// List the members changed since their own last release (name, version, last tag, commits)
    #[arg(long, conflicts_with_all = ["target", "print_current"])]
    pub(crate) changed: bool,
    /// With auto: a member whose requirement no longer admits a bumped dependency is released as a patch (patch) or keeps its version (none)
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Cascade::Patch)]
    pub(crate) cascade: Cascade,
    /// With auto: write each released package's changelog (its CHANGELOG.md) in the same transaction and commit
    #[arg(long)]
    pub(crate) changelog: bool,
    /// With --changelog: write one root CHANGELOG.md, a section per release and a subsection per package ([workspace.metadata.changelog] combined = true makes it the default)
    #[arg(long, requires = "changelog")]
    pub(crate) combined_changelog: bool,
    /// With auto: run cargo semver-checks against each package's last release tag and raise the level to what its API needs ([workspace.metadata.bump] check-api = true makes it the default)
    #[arg(long)]
    pub(crate) check_api: bool,
    /// Output format of the data on stdout
    #[arg(long, visible_alias = "format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) message_format: MessageFormat,
    #[command(flatten)]
    pub(crate) git: GitArgs,
    #[command(flatten)]
    pub(crate) packages: PackageArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) docs: DocArgs,
}

/// The opt-in git step.
#[derive(clap::Args, Debug)]
pub(crate) struct GitArgs {
    /// Commit the changed files
    #[arg(long, requires = "target", help_heading = "Git")]
    pub(crate) commit: bool,
    /// Commit message template [default: "chore(release): {{release}}"]
    #[arg(
        long,
        value_name = "TEMPLATE",
        requires = "commit_or_undo",
        help_heading = "Git"
    )]
    pub(crate) commit_message: Option<String>,
    /// Create an annotated tag: `v{{version}}` for a single package or a shared workspace version, else `{{crate}}-v{{version}}` per package
    #[arg(long, requires = "commit", help_heading = "Git")]
    pub(crate) tag: bool,
    /// Tag name template
    #[arg(long, value_name = "TEMPLATE", requires = "tag", help_heading = "Git")]
    pub(crate) tag_name: Option<String>,
    /// Tag message template [default: "Release {{tag}}", followed by the release's notes ({{notes}}) with auto --changelog; this flag keeps the short form]
    #[arg(
        long,
        value_name = "TEMPLATE",
        requires = "tag_or_undo",
        help_heading = "Git"
    )]
    pub(crate) tag_message: Option<String>,
    /// Sign the commit and tags (runs `git commit -S` / `git tag -s`)
    #[arg(long, requires = "commit", help_heading = "Git")]
    pub(crate) sign: bool,
    /// Proceed even if the work tree has uncommitted changes
    #[arg(long, help_heading = "Git")]
    pub(crate) allow_dirty: bool,
}

fn parse_build(s: &str) -> Result<BuildMetadata, String> {
    BuildMetadata::new(s).map_err(|e| {
        format!(
            "`{s}` is not valid build metadata ({e}); use dot-separated [0-9A-Za-z-] identifiers"
        )
    })
}

impl cratesmith_shared::cli::Tool for Cargo {
    const WORD: Option<&'static str> = Some("bump");
    const BINARY: &'static str = "cargo-bump";
}

/// Parse `cargo bump …` or `cargo-bump …`.
pub(crate) fn parse() -> BumpArgs {
    parse_from(std::env::args_os())
}

/// Parse from explicit arguments (argv[0] included).
pub(crate) fn parse_from(args: impl IntoIterator<Item = OsString>) -> BumpArgs {
    let (Cargo::Bump(bump), args) = cratesmith_shared::cli::parse_tool::<Cargo>(args);
    bump.validate(&args);
    bump
}

impl BumpArgs {
    /// Value-dependent conflicts clap cannot express: exit 2 like clap's own.
    fn validate(&self, args: &[OsString]) {
        let level_ok = matches!(
            self.target,
            Some(Target::Level(Level::Major | Level::Minor | Level::Patch))
        );
        if self.pre.is_some() && !level_ok {
            let target = self
                .target
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let msg = format!(
                "`--pre` goes with major, minor or patch, not with `{target}` (e.g. `cargo bump minor --pre alpha`)"
            );
            cratesmith_shared::cli::usage_error::<Cargo>("bump", &msg, args);
        }
        let auto = matches!(self.target, Some(Target::Level(Level::Auto(_))));
        if self.check_api && !auto {
            let msg = "`--check-api` goes with auto: the API raises the level the commits imply (e.g. `cargo bump auto --check-api`)";
            cratesmith_shared::cli::usage_error::<Cargo>("bump", msg, args);
        }
        if self.changelog && !auto {
            let msg = "`--changelog` goes with auto: each package's changelog gets the commits its level comes from (e.g. `cargo bump auto --workspace --changelog`)";
            cratesmith_shared::cli::usage_error::<Cargo>("bump", msg, args);
        }
    }

    /// The library options these arguments describe.
    pub(crate) fn options(&self, target: Target) -> Options {
        Options {
            manifest_path: self.packages.manifest_path.clone(),
            spec: BumpSpec {
                target,
                pre: self.pre,
                build: self.build.clone(),
            },
            policy: self.dependents,
            cascade: self.cascade,
            changelog: self.changelog,
            combined_changelog: self.combined_changelog,
            their_replacements: false,
            check_api: self.check_api,
            levels: None,
            bases: std::collections::BTreeMap::new(),
            firsts: std::collections::BTreeMap::new(),
            allow_downgrade: self.allow_downgrade,
            selection: self.packages.selection(),
            git: self.git_options(),
        }
    }

    /// The git step's options (templates included, for `--undo`).
    pub(crate) fn git_options(&self) -> GitOptions {
        GitOptions {
            commit: self.git.commit,
            tag: self.git.tag,
            sign: self.git.sign,
            allow_dirty: self.git.allow_dirty,
            commit_message: self.git.commit_message.clone(),
            tag_name: self.git.tag_name.clone(),
            tag_message: self.git.tag_message.clone(),
        }
    }

    /// How the run reports.
    pub(crate) fn output_mode(&self) -> Output {
        Output {
            print: self.print,
            print_current: self.print_current,
            dry_run: self.dry_run,
            format: self.message_format,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    cratesmith_shared::cli_is_consistent!(Cargo);

    #[test]
    fn format_and_message_format_mean_the_same_as_in_every_cratesmith_tool() {
        for flag in ["--format", "--message-format"] {
            let Cargo::Bump(args) = Cargo::try_parse_from(["cargo", "bump", flag, "json"]).unwrap();
            assert_eq!(args.message_format, MessageFormat::Json);
        }
    }

    #[test]
    fn both_invocations_parse() {
        let via_cargo = parse_from(["cargo-bump", "bump", "minor"].map(OsString::from));
        let direct = parse_from(["cargo-bump", "minor"].map(OsString::from));
        assert_eq!(via_cargo.target, Some(Target::Level(Level::Minor)));
        assert_eq!(direct.target, via_cargo.target);
        assert_eq!(parse_from(["cargo-bump"].map(OsString::from)).target, None);
    }
}
