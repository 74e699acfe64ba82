//! `git changelog`: one run, dispatched on its [`Mode`].

use std::path::PathBuf;

use super::context::{Context, open};
use super::options::{Answer, Content, Mode, Options, Output};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::release::{self, ScopeArgs};
use crate::term::Shell;

/// Run; `Ok(false)` when a lint failed.
pub fn exec(opts: &Options, shell: &Shell) -> Result<bool> {
    let dir = opts.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let (history, job) = match &opts.mode {
        Mode::Lint(file) => {
            let repo = Repo::discover_any(&dir).ok();
            return super::lint::file(file, repo.as_ref(), opts.format, shell);
        }
        Mode::LintRange(range) => {
            let (repo, settings) = open(&dir, shell)?;
            return super::lint::range(&repo, &settings, range, opts.format, shell);
        }
        Mode::Section {
            version,
            file,
            package,
        } => {
            let source = super::section::source(&dir, package.as_deref(), file.as_deref())?;
            return super::section::exec(&source, version, opts.format);
        }
        Mode::Next {
            history,
            answer,
            include_other,
            check_api,
        } => (history, Job::Next(*answer, *include_other, *check_api)),
        Mode::Changelog {
            history,
            content,
            output,
        } => (history, Job::Write(content, output)),
    };
    if super::cliff::exec(&dir, &opts.cliff, shell)?.is_some() {
        return Ok(true);
    }
    if opts.cliff.cliff_only {
        return Err(Error::Usage {
            message: "--latest, --current, --ignore-tags, --skip-tags, --skip-commit, --topo-order, --no-exec, --with-tag-message, --from-context and --release auto|major|minor|patch need a git-cliff configuration".into(),
            help: "add a cliff.toml (git cliff --init writes one) or pass --config FILE".into(),
        });
    }
    if let Some(pattern) = &history.tag_pattern {
        check_pattern(pattern)?;
    }
    let (repo, settings) = open(&dir, shell)?;
    let args = ScopeArgs {
        dir: &dir,
        pattern: history.tag_pattern.as_deref(),
        paths: &history.paths,
        package: history.package.as_deref(),
        workspace: None,
    };
    let scope = release::scope(&args, &repo, &settings, shell)?;
    let types = settings.types();
    let cx = Context {
        history,
        format: opts.format,
        repo,
        settings,
        types,
        scope,
        shell,
    };
    match job {
        Job::Next(answer, include_other, check_api) => {
            super::next::exec(&cx, answer, include_other, check_api)
        }
        Job::Write(content, output) => super::write::exec(&cx, content, output),
    }
}

/// A built-in `--tag-pattern` has one `*`, standing for the version.
fn check_pattern(pattern: &str) -> Result<()> {
    if pattern.matches('*').count() == 1 {
        return Ok(());
    }
    Err(Error::Usage {
        message: format!(
            "--tag-pattern `{pattern}` needs exactly one `*` standing for the version"
        ),
        help: "write it like `v*` or `{{crate}}-v*` (a regex only with a git-cliff configuration)"
            .into(),
    })
}

/// A mode that reads history, with its own arguments.
enum Job<'a> {
    Next(Answer, bool, bool),
    Write(&'a Content, &'a Output),
}

#[cfg(test)]
mod tests {
    use super::check_pattern;

    #[test]
    fn a_built_in_tag_pattern_has_one_star() {
        for (pattern, ok) in [
            ("v*", true),
            ("{{crate}}-v*", true),
            ("v", false),
            ("v**", false),
            ("^v[0-9]+", false),
        ] {
            assert_eq!(check_pattern(pattern).is_ok(), ok, "{pattern}");
        }
    }
}
