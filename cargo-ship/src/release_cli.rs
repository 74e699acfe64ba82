//! Arguments of the release-PR flow: `cargo ship pr` and `cargo ship release`.

use std::path::PathBuf;

use cratesmith_shared::cli::{MessageFormat, OutputArgs};
use cratesmith_shared::ship::pr::PrOptions;
use cratesmith_shared::ship::release::ReleaseOptions;

const PR_AFTER_HELP: &str = "\
Examples:
  cargo ship pr                               prepare branch `release`, print the PR body
  cargo ship pr --body target/release-pr.md   the body into a file (what the workflow passes to gh)
  cargo ship pr --format json                 the plan: [] when there is nothing to release

What it does: a throwaway work tree of HEAD (your checkout is not touched), `cargo bump auto
--workspace --changelog` in it, one commit, and the branch set to that commit. Run again on
the same HEAD, the branch stays where it is (same tree, same parent): nothing to push. With
nothing to release it says so, creates no branch and exits 0. The changelogs can be edited on
the branch before merging: `cargo ship release` takes the notes from them as merged.";

const RELEASE_AFTER_HELP: &str = "\
Examples:
  cargo ship release --dry-run                what is not yet tagged or published
  cargo ship release --push origin            tag, push the tags, publish, write the notes
  cargo ship release --registry my-registry --notes-dir dist/notes

Run on main after the release PR is merged. Every member whose manifest version has no release
tag yet gets one (v<version>, <name>-v<version> when members are released one by one, or
--tag-name) on the commit that set that version; its notes, the version's section of its
changelog as merged, go to <notes-dir>/<tag>.md; `publish = false` members are tagged only;
the others are published with `cargo ship crates`. What is left is found from the tags and the
registry: after a failed publish, run it again to finish; with nothing left it does nothing.";

/// `cargo ship pr`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = PR_AFTER_HELP)]
pub(crate) struct PrArgs {
    /// The release branch to prepare or refresh
    #[arg(long, value_name = "NAME", default_value = "release")]
    pub(crate) branch: String,
    /// Write the pull request's body (Markdown) to this file [default: stdout]
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<PathBuf>,
    /// Commit message template, as `cargo bump --commit-message` [default: "chore(release): {{release}}"]
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) commit_message: Option<String>,
    /// Write one root CHANGELOG.md, a section per release and a subsection per package, instead of a file per package ([workspace.metadata.changelog] combined = true makes it the default)
    #[arg(long)]
    pub(crate) combined_changelog: bool,
    /// Output format: human (the body), or json (the plan, [] when nothing is released)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl PrArgs {
    pub(crate) fn options(&self) -> PrOptions {
        PrOptions {
            manifest_path: self.manifest_path.clone(),
            branch: self.branch.clone(),
            body: self.body.clone(),
            commit_message: self.commit_message.clone(),
            combined_changelog: self.combined_changelog,
            format: self.format,
        }
    }
}

/// `cargo ship release`.
#[derive(clap::Args, Debug)]
#[command(about, long_about = None, after_help = RELEASE_AFTER_HELP)]
pub(crate) struct ReleaseArgs {
    #[command(flatten)]
    pub(crate) publish: crate::cli::PublishArgs,
    /// Push the new tags to this remote
    #[arg(long, value_name = "REMOTE")]
    pub(crate) push: Option<String>,
    /// Write each new tag's notes to <DIR>/<tag>.md [default: target/release-notes]
    #[arg(long, value_name = "DIR")]
    pub(crate) notes_dir: Option<PathBuf>,
    /// Tag name template: {{crate}}, {{version}} [default: the workspace's tag rule]
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) tag_name: Option<String>,
    /// Say what would be tagged and published; change nothing
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
    /// Output format: human, or json (each release: package, version, tag, commit, notes)
    #[arg(long, visible_alias = "message-format", value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Path to the Cargo.toml to start from
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) output_args: OutputArgs,
}

impl ReleaseArgs {
    pub(crate) fn options(&self) -> ReleaseOptions {
        let crates = self.publish.options();
        ReleaseOptions {
            manifest_path: self.manifest_path.clone(),
            registry: crates.registry.clone(),
            push: self.push.clone(),
            notes_dir: self.notes_dir.clone(),
            tag_name: self.tag_name.clone(),
            dry_run: self.dry_run,
            allow_dirty: crates.allow_dirty,
            format: self.format,
            crates,
        }
    }
}
