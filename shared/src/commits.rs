//! Conventional Commits: classification of a message (through
//! `git-conventional`), the bump level a set of commits implies (with
//! cargo's 0.x rule), and a lint that says which part of a message is wrong
//! and at which column.

use serde::Serialize;

/// The commit types accepted by the lint, by default.
pub const DEFAULT_TYPES: [&str; 12] = [
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert",
    "security",
];

/// A message that follows Conventional Commits 1.0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conventional {
    /// The type, lowercased (`feat`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The scope, if any.
    pub scope: Option<String>,
    /// `!` or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer.
    pub breaking: bool,
    /// The breaking footer's text, else the description when `!` is used.
    pub breaking_description: Option<String>,
    /// The subject's description.
    pub description: String,
    /// The body, if any.
    pub body: Option<String>,
}

/// Parse `message` (comments and the scissors part already removed); `None`
/// when it is not a Conventional Commit.
pub fn parse(message: &str) -> Option<Conventional> {
    let commit = git_conventional::Commit::parse(message.trim()).ok()?;
    Some(Conventional {
        kind: commit.type_().as_str().to_ascii_lowercase(),
        scope: commit.scope().map(|s| s.as_str().to_string()),
        breaking: commit.breaking(),
        breaking_description: commit.breaking_description().map(str::to_string),
        description: commit.description().to_string(),
        body: commit.body().map(str::to_string),
    })
}

/// A message as git stores it from an editor: `#` comment lines and
/// everything from the scissors line on are removed; CRLF becomes LF.
pub fn strip_git_comments(message: &str) -> String {
    let mut out = String::new();
    for line in message.split_inclusive('\n') {
        let line = line
            .strip_suffix('\n')
            .unwrap_or(line)
            .strip_suffix('\r')
            .unwrap_or(line.trim_end_matches('\n'));
        if line.starts_with("# ------------------------ >8 ------------------------") {
            break;
        }
        if !line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// The Conventional Commits among `commits` (newest first), each with its
/// index; a revert and the commit it reverts (`This reverts commit <hash>.`),
/// both present, cancel out. `git changelog` and `cargo bump auto` both
/// read history through this.
/// With `other`, messages that are not Conventional Commits are kept as
/// type `other` (subject as description).
pub fn classify(commits: &[crate::git::CommitInfo], other: bool) -> Vec<(usize, Conventional)> {
    let reverted: Vec<&str> = commits
        .iter()
        .filter_map(|c| reverted_hash(&c.message))
        .collect();
    let in_range = |h: &str| commits.iter().any(|o| o.hash.starts_with(h));
    commits
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let is_reverted = reverted.iter().any(|h| c.hash.starts_with(h));
            let reverts_one_here = reverted_hash(&c.message).is_some_and(in_range);
            !is_reverted && !reverts_one_here
        })
        .filter_map(|(i, c)| {
            let message = strip_git_comments(&c.message);
            let parsed = parse(&message).or_else(|| other.then(|| as_other(&message)));
            parsed.map(|p| (i, p))
        })
        .collect()
}

/// A message that is not a Conventional Commit, as type `other`.
fn as_other(message: &str) -> Conventional {
    let (subject, body) = message.split_once('\n').unwrap_or((message, ""));
    let body = body.trim();
    Conventional {
        kind: "other".into(),
        scope: None,
        breaking: false,
        breaking_description: None,
        description: subject.trim().to_string(),
        body: (!body.is_empty()).then(|| body.to_string()),
    }
}

/// `This reverts commit <hash>.` in a message.
fn reverted_hash(message: &str) -> Option<&str> {
    let at = message.find("This reverts commit ")? + "This reverts commit ".len();
    let hash = message[at..]
        .split(|c: char| !c.is_ascii_hexdigit())
        .next()?;
    (hash.len() >= 7).then_some(hash)
}

/// Messages the lint accepts as they are: merges, reverts, fixups, squashes.
pub fn is_exempt(message: &str) -> bool {
    ["Merge ", "Revert \"", "fixup! ", "squash! ", "amend! "]
        .iter()
        .any(|p| message.starts_with(p))
}

/// What is wrong with a message, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {part}: {message}")]
pub struct LintError {
    /// 1-based line of the message.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The part: `type`, `scope`, `subject`, `description`, `body`, `footer`.
    pub part: &'static str,
    /// What is wrong and what is expected.
    pub message: String,
}

/// Check one commit message (as written to `.git/COMMIT_EDITMSG`).
pub fn lint(raw: &str, types: &[&str]) -> Result<(), LintError> {
    let message = strip_git_comments(raw);
    let err = |line, column, part, message: String| {
        Err(LintError {
            line,
            column,
            part,
            message,
        })
    };
    if message.trim().is_empty() {
        return err(1, 1, "subject", "the message is empty".into());
    }
    if is_exempt(&message) {
        return Ok(());
    }
    let subject = message.lines().next().unwrap_or("");
    lint_subject(subject, types)?;
    if message.lines().nth(1).is_some_and(|l| !l.trim().is_empty()) {
        return err(
            2,
            1,
            "body",
            "leave a blank line between the subject and the body".into(),
        );
    }
    if let Err(e) = git_conventional::Commit::parse(&message) {
        let part = match e.kind() {
            git_conventional::ErrorKind::InvalidFooter => "footer",
            git_conventional::ErrorKind::InvalidBody => "body",
            _ => "subject",
        };
        return err(1, 1, part, e.kind().to_string());
    }
    Ok(())
}

fn lint_subject(subject: &str, types: &[&str]) -> Result<(), LintError> {
    let at = |column: usize, part, message: String| {
        Err(LintError {
            line: 1,
            column,
            part,
            message,
        })
    };
    let expected = format!(
        "expected `type(scope): description` with a type among {}",
        types.join(", ")
    );
    let kind_len = subject
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .unwrap_or(subject.len());
    let kind = &subject[..kind_len];
    if kind.is_empty() {
        return at(
            1,
            "type",
            format!("the subject does not start with a type; {expected}"),
        );
    }
    if !types.iter().any(|t| t.eq_ignore_ascii_case(kind)) {
        return at(
            1,
            "type",
            format!("`{kind}` is not an allowed type; {expected}"),
        );
    }
    let mut rest = &subject[kind_len..];
    let mut column = kind_len + 1;
    if let Some(after) = rest.strip_prefix('(') {
        let Some(close) = after.find(')') else {
            return at(column, "scope", "the scope is not closed with `)`".into());
        };
        if close == 0 || after[..close].trim().is_empty() {
            return at(
                column + 1,
                "scope",
                "the scope is empty; drop the parentheses or name a scope".into(),
            );
        }
        rest = &after[close + 1..];
        column += close + 2;
    }
    if let Some(after) = rest.strip_prefix('!') {
        rest = after;
        column += 1;
    }
    if !rest.starts_with(':') {
        return at(
            column,
            "subject",
            format!("expected `:` after the type and scope; {expected}"),
        );
    }
    if rest[1..].trim().is_empty() {
        return at(column + 1, "description", "the description is empty".into());
    }
    if !rest.starts_with(": ") {
        return at(column + 1, "subject", "expected one space after `:`".into());
    }
    Ok(())
}

/// How far a version moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing to release.
    #[default]
    None,
    /// A fix.
    Patch,
    /// A feature.
    Minor,
    /// A breaking change.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor`, `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The bump a range of history implies, before it meets a version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Implied {
    /// The level before cargo's 0.x rule.
    pub raw: Bump,
    /// Below 1.0, a feature bumps minor (the `features-always-minor` setting).
    pub features_always_minor: bool,
}

impl Implied {
    /// The level for a package at `current` (see [`for_version`]).
    pub fn for_version(self, current: &semver::Version) -> Bump {
        for_version(self.raw, current, self.features_always_minor)
    }
}

/// A raw bump as it applies to `current`. Cargo's 0.x rule: below 1.0 a
/// breaking change is `minor` and a feature is `patch` (a feature is
/// `minor` when `features_minor_below_1` is set).
pub fn for_version(raw: Bump, current: &semver::Version, features_minor_below_1: bool) -> Bump {
    if current.major > 0 {
        return raw;
    }
    match raw {
        Bump::Major => Bump::Minor,
        Bump::Minor if !features_minor_below_1 => Bump::Patch,
        other => other,
    }
}

/// The bump `commits` imply, before cargo's 0.x rule.
pub fn raw_level(commits: &[Conventional]) -> Bump {
    commits.iter().map(level).max().unwrap_or(Bump::None)
}

fn level(c: &Conventional) -> Bump {
    match c.kind.as_str() {
        _ if c.breaking => Bump::Major,
        "feat" => Bump::Minor,
        "fix" | "perf" | "refactor" | "revert" | "security" => Bump::Patch,
        _ if c.scope.as_deref() == Some("security") => Bump::Patch,
        _ => Bump::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let c = parse(
            "feat(bump)!: drop --all\n\nLong body.\n\nBREAKING CHANGE: use --workspace\nRefs: #12",
        )
        .unwrap();
        assert_eq!(c.kind, "feat");
        assert_eq!(c.scope.as_deref(), Some("bump"));
        assert!(c.breaking);
        assert_eq!(c.breaking_description.as_deref(), Some("use --workspace"));
        assert_eq!(c.description, "drop --all");
        assert_eq!(c.body.as_deref(), Some("Long body."));
        let footer_only = parse("fix: x\n\nBREAKING-CHANGE: y").unwrap();
        assert!(footer_only.breaking);
        assert_eq!(parse("FIX: shout").unwrap().kind, "fix");
        assert!(parse("Update README").is_none());
    }

    #[test]
    fn a_revert_cancels_the_commit_it_reverts() {
        let info = |hash: &str, message: &str| crate::git::CommitInfo {
            hash: hash.repeat(40),
            message: message.into(),
            lossy: false,
            author: "A".into(),
            time: 0,
        };
        let history = [
            info("c", "fix: kept"),
            info(
                "b",
                &format!(
                    "Revert \"feat: gone\"\n\nThis reverts commit {}.",
                    "a".repeat(40)
                ),
            ),
            info("a", "feat: gone"),
            info(
                "d",
                "Revert \"feat: older\"\n\nThis reverts commit eeeeeee.",
            ),
            info("f", "not conventional"),
        ];
        let kept: Vec<(usize, String)> = classify(&history, false)
            .into_iter()
            .map(|(i, c)| (i, c.description))
            .collect();
        assert_eq!(
            kept,
            [(0, "kept".to_string())],
            "a revert of a commit out of range is not conventional either"
        );
        let with_other: Vec<(usize, String, String)> = classify(&history, true)
            .into_iter()
            .map(|(i, c)| (i, c.kind, c.description))
            .collect();
        assert_eq!(
            with_other,
            [
                (0, "fix".into(), "kept".into()),
                (3, "other".into(), "Revert \"feat: older\"".into()),
                (4, "other".into(), "not conventional".into()),
            ]
        );
    }

    #[test]
    fn git_comments_and_scissors_are_dropped() {
        let raw = "fix: a\r\n\r\n# Please enter the commit message\r\nbody\r\n# ------------------------ >8 ------------------------\r\ndiff --git a/x b/x\r\n";
        assert_eq!(strip_git_comments(raw), "fix: a\n\nbody");
    }

    #[test]
    fn lint_table() {
        let ok = [
            "feat: add x",
            "fix(core): y",
            "feat(api)!: z",
            "refactor!: w\n\nbody\n\nBREAKING CHANGE: gone",
            "Merge branch 'x'",
            "Revert \"feat: add x\"\n\nThis reverts commit abc.",
            "fixup! feat: add x",
            "squash! fix: y",
            "# comment only line\nchore: tidy",
        ];
        for m in ok {
            assert_eq!(lint(m, &DEFAULT_TYPES), Ok(()), "{m:?}");
        }
        let bad = [
            ("", 1, 1, "subject", "empty"),
            (
                "Update README",
                1,
                1,
                "type",
                "`Update` is not an allowed type",
            ),
            (
                "feature: x",
                1,
                1,
                "type",
                "`feature` is not an allowed type",
            ),
            (": x", 1, 1, "type", "does not start with a type"),
            ("feat(core: x", 1, 5, "scope", "not closed"),
            ("feat(): x", 1, 6, "scope", "empty"),
            ("feat x", 1, 5, "subject", "expected `:`"),
            ("feat(core)!:x", 1, 13, "subject", "one space after"),
            ("fix:  ", 1, 5, "description", "empty"),
            ("fix: a\nbody right away", 2, 1, "body", "blank line"),
        ];
        for (m, line, column, part, needle) in bad {
            let e = lint(m, &DEFAULT_TYPES).unwrap_err();
            assert_eq!(
                (e.line, e.column, e.part),
                (line, column, part),
                "{m:?}: {e}"
            );
            assert!(e.message.contains(needle), "{m:?}: {e}");
        }
        let e = lint("wip: x", &DEFAULT_TYPES).unwrap_err();
        assert!(
            e.message.contains("feat, fix, docs"),
            "the allowed types are listed: {e}"
        );
    }

    #[test]
    fn bump_levels_with_the_zero_rule() {
        let c = |m: &str| parse(m).unwrap();
        let v = |s: &str| semver::Version::parse(s).unwrap();
        let cases: [(&[&str], &str, bool, Bump); 9] = [
            (&["docs: a", "chore: b"], "1.2.3", false, Bump::None),
            (&["fix: a", "docs: b"], "1.2.3", false, Bump::Patch),
            (&["fix: a", "feat: b"], "1.2.3", false, Bump::Minor),
            (&["feat!: a", "fix: b"], "1.2.3", false, Bump::Major),
            (&["chore(security): pin"], "1.2.3", false, Bump::Patch),
            (&["feat!: a"], "0.3.0", false, Bump::Minor),
            (&["feat: a"], "0.3.0", false, Bump::Patch),
            (&["feat: a"], "0.3.0", true, Bump::Minor),
            (&[], "0.3.0", false, Bump::None),
        ];
        for (msgs, current, option, expected) in cases {
            let commits: Vec<Conventional> = msgs.iter().map(|m| c(m)).collect();
            let implied = Implied {
                raw: raw_level(&commits),
                features_always_minor: option,
            };
            assert_eq!(
                implied.for_version(&v(current)),
                expected,
                "{msgs:?} at {current}"
            );
        }
    }
}
