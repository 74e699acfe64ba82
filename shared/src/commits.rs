//! Conventional Commits: one reading of a message that the changelog, the
//! bump level and the lint all share (a message the lint accepts is one the
//! changelog counts, and the reverse), reverts as git writes them, and a
//! lint that says which part of a message is wrong and at which column.

use serde::Serialize;

use crate::version::Bump;

/// The commit types accepted by default. The changelog settings add the
/// types they name (see `changelog::Config::types`).
pub const DEFAULT_TYPES: [&str; 16] = [
    "feat",
    "fix",
    "docs",
    "style",
    "refactor",
    "perf",
    "test",
    "build",
    "ci",
    "chore",
    "revert",
    "security",
    "deprecate",
    "deprecated",
    "remove",
    "removed",
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

/// The header of a Conventional Commit: `type(scope)!: description`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The type as written.
    pub kind: &'a str,
    /// The scope, if any.
    pub scope: Option<&'a str>,
    /// Whether `!` marks a breaking change.
    pub bang: bool,
    /// The description.
    pub description: &'a str,
}

/// Read a subject line as a Conventional Commit header whose type is one of
/// `types` (any case); the error says which part is wrong and where.
pub fn header<'a, T: AsRef<str>>(subject: &'a str, types: &[T]) -> Result<Header<'a>, LintError> {
    let kind_len = header_type(subject, types)?;
    let (scope, mut rest, mut column) = header_scope(&subject[kind_len..], kind_len + 1)?;
    let bang = rest.starts_with('!');
    if bang {
        rest = &rest[1..];
        column += 1;
    }
    let Some(after) = rest.strip_prefix(':') else {
        return Err(at(
            column,
            "subject",
            format!("expected `:` after the type and scope; {}", expected(types)),
        ));
    };
    if after.trim().is_empty() {
        return Err(at(
            column + 1,
            "description",
            "the description is empty".into(),
        ));
    }
    let Some(description) = after.strip_prefix(' ') else {
        return Err(at(
            column + 1,
            "subject",
            "expected one space after `:`".into(),
        ));
    };
    Ok(Header {
        kind: &subject[..kind_len],
        scope,
        bang,
        description: description.trim(),
    })
}

/// The length of the subject's type, one of `types`.
fn header_type<T: AsRef<str>>(subject: &str, types: &[T]) -> Result<usize, LintError> {
    let kind_len = subject
        .find(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .unwrap_or(subject.len());
    let kind = &subject[..kind_len];
    let known = types.iter().any(|t| t.as_ref().eq_ignore_ascii_case(kind));
    let shaped = subject[kind_len..].starts_with(['(', '!', ':']);
    if kind.is_empty() {
        return Err(at(
            1,
            "type",
            format!(
                "the subject does not start with a type; {}",
                expected(types)
            ),
        ));
    }
    if !known && !shaped {
        return Err(at(
            1,
            "subject",
            format!(
                "this is not a Conventional Commit header; {}, e.g. `feat(cli): add --json`",
                expected(types)
            ),
        ));
    }
    if !known {
        return Err(at(
            1,
            "type",
            format!("`{kind}` is not an allowed type; {}", expected(types)),
        ));
    }
    Ok(kind_len)
}

/// The `(scope)` at the start of `rest` (at `column`), if any: the scope,
/// what follows it, and its column.
fn header_scope(rest: &str, column: usize) -> Result<(Option<&str>, &str, usize), LintError> {
    let Some(after) = rest.strip_prefix('(') else {
        return Ok((None, rest, column));
    };
    let Some(close) = after.find(')') else {
        return Err(at(
            column,
            "scope",
            "the scope is not closed with `)`".into(),
        ));
    };
    if after[..close].trim().is_empty() {
        return Err(at(
            column + 1,
            "scope",
            "the scope is empty; drop the parentheses or name a scope".into(),
        ));
    }
    Ok((
        Some(&after[..close]),
        &after[close + 1..],
        column + close + 2,
    ))
}

/// A lint error in the subject (line 1) at `column`.
fn at(column: usize, part: &'static str, message: String) -> LintError {
    LintError {
        line: 1,
        column,
        part,
        message,
    }
}

/// The header's shape and the allowed types, for an error message (built
/// only for an error: a history has tens of thousands of subjects).
fn expected<T: AsRef<str>>(types: &[T]) -> String {
    let names: Vec<&str> = types.iter().map(AsRef::as_ref).collect();
    format!(
        "expected `type(scope): description` with a type among {}",
        names.join(", ")
    )
}

/// Parse a commit message as stored in history; `None` when it is not a
/// Conventional Commit of one of `types`. A subject that wraps onto the
/// second line (no blank line after it) is read as subject and body.
pub fn parse<T: AsRef<str>>(message: &str, types: &[T]) -> Option<Conventional> {
    let message = if message.contains('\r') {
        std::borrow::Cow::Owned(message.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(message)
    };
    let (subject, rest) = split_subject(&message);
    let h = header(subject, types).ok()?;
    let rest = rest.trim_matches('\n');
    let (body, breaking, why) = body_and_footers(subject, rest, &h);
    Some(Conventional {
        kind: h.kind.to_ascii_lowercase(),
        scope: h.scope.map(str::to_string),
        breaking: breaking || h.bang,
        breaking_description: why,
        description: h.description.to_string(),
        body,
    })
}

/// The body, whether a footer says the change is breaking, and what it
/// says: through `git-conventional` when a line looks like a footer
/// (`Token: value`, `Token #value`), else the text itself is the body.
fn body_and_footers(
    subject: &str,
    rest: &str,
    h: &Header<'_>,
) -> (Option<String>, bool, Option<String>) {
    if rest.trim().is_empty() {
        return (None, h.bang, h.bang.then(|| h.description.to_string()));
    }
    if !rest.lines().any(looks_like_footer) {
        let why = h.bang.then(|| h.description.to_string());
        return (Some(rest.trim_end().to_string()), h.bang, why);
    }
    let normalized = format!("{subject}\n\n{rest}");
    match git_conventional::Commit::parse(normalized.trim_end()) {
        Ok(c) => (
            c.body().map(str::to_string),
            c.breaking(),
            c.breaking_description().map(str::to_string),
        ),
        Err(_) => {
            let why = rest.lines().find_map(|l| {
                l.strip_prefix("BREAKING CHANGE:")
                    .or_else(|| l.strip_prefix("BREAKING-CHANGE:"))
                    .map(|d| d.trim().to_string())
            });
            let body = (!rest.trim().is_empty()).then(|| rest.trim().to_string());
            (
                body,
                h.bang || why.is_some(),
                why.or_else(|| h.bang.then(|| h.description.to_string())),
            )
        }
    }
}

/// `BREAKING CHANGE: …`, `Refs: …`, `Closes #12`: a line that may start a
/// footer (a word, then `:` or ` #`).
fn looks_like_footer(line: &str) -> bool {
    if line.starts_with("BREAKING CHANGE") {
        return true;
    }
    let end = line
        .find(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ':' | '!'))
        .unwrap_or(line.len());
    end > 0 && (line[end..].starts_with(':') || line[end..].starts_with(" #"))
}

/// The subject line of a message (`\n` line endings; leading blank lines
/// skipped, trailing whitespace dropped) and the rest after it: what the
/// lint and the changelog both read as the header.
pub fn split_subject(message: &str) -> (&str, &str) {
    let message = message.trim_start_matches('\n');
    let (subject, rest) = message.split_once('\n').unwrap_or((message, ""));
    (subject.trim_end(), rest)
}

/// A message as git stores it from an editor: lines starting with the
/// comment character (`core.commentChar`, `#` by default) and everything
/// from the scissors line on are removed; CRLF becomes LF. Only for a
/// message on its way into a commit (`--lint`): history keeps its `#`.
pub fn strip_comments(message: &str, comment: &str) -> String {
    let scissors = format!("{comment} ------------------------ >8 ------------------------");
    let mut out = String::new();
    for line in message.lines() {
        if line.starts_with(&scissors) {
            break;
        }
        if !line.starts_with(comment) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// The comment string git used in an editor message when
/// `core.commentChar` is `auto`: the one that starts the scissors line or
/// git's "Please enter the commit message" line, else `#`.
pub fn auto_comment(message: &str) -> String {
    message
        .lines()
        .find_map(|l| {
            let (c, rest) = l.split_once(' ')?;
            let known = rest.starts_with("------------------------ >8")
                || rest.starts_with("Please enter the commit message");
            (known && c.chars().count() == 1).then(|| c.to_string())
        })
        .unwrap_or_else(|| "#".into())
}

/// A revert as git writes it (`Revert "…"`, `Reapply "…"`) or typed
/// `revert:`, with the commit it names on git's own line.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Revert<'a> {
    /// The hash (or its prefix) of the reverted commit.
    target: &'a str,
    /// The subject it restores when it reverts a revert (`Reapply "feat: x"`).
    reapplies: Option<&'a str>,
}

fn revert_of(message: &str) -> Option<Revert<'_>> {
    let subject = message.lines().next().unwrap_or("").trim_end();
    let quoted = |prefix: &str| {
        subject
            .strip_prefix(prefix)
            .and_then(|s| s.strip_prefix(" \""))
            .and_then(|s| s.strip_suffix('"'))
    };
    let typed = subject
        .split_once(':')
        .is_some_and(|(t, _)| t.trim_end_matches('!').eq_ignore_ascii_case("revert"));
    let reapplies = quoted("Reapply").or_else(|| {
        quoted("Revert").and_then(|inner| {
            inner
                .strip_prefix("Revert \"")
                .and_then(|s| s.strip_suffix('"'))
        })
    });
    if reapplies.is_none() && quoted("Revert").is_none() && !typed {
        return None;
    }
    let target = message.lines().find_map(|l| {
        let rest = l.trim_end().strip_prefix("This reverts commit ")?;
        let end = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        let after = &rest[end..];
        (end >= 7 && (after.is_empty() || after.starts_with(['.', ',']))).then(|| &rest[..end])
    })?;
    Some(Revert { target, reapplies })
}

/// The Conventional Commits among `commits` (newest first), each with its
/// index. A revert and the commit it reverts, both in range, cancel out; a
/// revert that is itself reverted (`Reapply "…"`) cancels nothing, so the
/// original stays. A git-style `Revert "…"` of a commit outside the range
/// is a `revert`; a `Reapply "…"` of one is the change it restores.
/// `git changelog` and `cargo bump auto` both read history through this.
/// With `other`, messages that are not Conventional Commits of `types`
/// are kept as type `other` (subject as description).
pub fn classify<T: AsRef<str>>(
    commits: &[crate::git::CommitInfo],
    other: bool,
    types: &[T],
) -> Vec<(usize, Conventional)> {
    let reverts: Vec<Option<Revert<'_>>> = commits.iter().map(|c| revert_of(&c.message)).collect();
    let find = |hash: &str| commits.iter().position(|c| c.hash.starts_with(hash));
    let targets: Vec<Option<usize>> = reverts
        .iter()
        .map(|r| r.as_ref().and_then(|r| find(r.target)))
        .collect();
    // Newest first: whether a commit is reverted by an effective revert is
    // known before the commit itself is looked at.
    let mut cancelled = vec![false; commits.len()];
    let mut effective = vec![false; commits.len()];
    for i in 0..commits.len() {
        if let Some(t) = targets[i]
            && !cancelled[i]
        {
            effective[i] = true;
            cancelled[t] = true;
        }
    }
    commits
        .iter()
        .enumerate()
        .filter(|(i, _)| !cancelled[*i] && !effective[*i])
        .filter_map(|(i, c)| {
            let parsed = match &reverts[i] {
                Some(r) if targets[i].is_none() => as_revert(&c.message, r, types),
                _ => parse(&c.message, types),
            };
            parsed
                .or_else(|| other.then(|| as_other(&c.message)))
                .map(|p| (i, p))
        })
        .collect()
}

/// A revert of a commit outside the range: the change a `Reapply` restores,
/// else a `revert` entry titled by its subject.
fn as_revert<T: AsRef<str>>(message: &str, r: &Revert<'_>, types: &[T]) -> Option<Conventional> {
    if let Some(c) = parse(message, types) {
        return Some(c);
    }
    if let Some(inner) = r.reapplies {
        return parse(inner, types);
    }
    let subject = message.lines().next().unwrap_or("").trim();
    Some(Conventional {
        kind: "revert".into(),
        scope: None,
        breaking: false,
        breaking_description: None,
        description: subject.to_string(),
        body: None,
    })
}

/// A message that is not a Conventional Commit, as type `other`.
fn as_other(message: &str) -> Conventional {
    let message = message.trim();
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

/// Messages the lint accepts as they are: merges, reverts, fixups, squashes.
pub fn is_exempt(message: &str) -> bool {
    [
        "Merge ",
        "Revert \"",
        "Reapply \"",
        "fixup! ",
        "squash! ",
        "amend! ",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

/// What is wrong with a message, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
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

/// Check one commit message as stored (comments already removed; see
/// [`strip_comments`] for a message from an editor).
pub fn lint<T: AsRef<str>>(message: &str, types: &[T]) -> Result<(), LintError> {
    let message = message.replace("\r\n", "\n");
    let message = message.trim_start_matches('\n').trim_end();
    let (subject, rest) = split_subject(message);
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
    if is_exempt(message) {
        return Ok(());
    }
    header(subject, types)?;
    if rest.lines().next().is_some_and(|l| !l.trim().is_empty()) {
        return err(
            2,
            1,
            "body",
            "leave a blank line between the subject and the body".into(),
        );
    }
    Ok(())
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
    use crate::version::Implied;

    const T: [&str; 16] = DEFAULT_TYPES;

    #[test]
    fn classification() {
        let c = parse(
            "feat(bump)!: drop --all\n\nLong body.\n\nBREAKING CHANGE: use --workspace\nRefs: #12",
            &T,
        )
        .unwrap();
        assert_eq!(c.kind, "feat");
        assert_eq!(c.scope.as_deref(), Some("bump"));
        assert!(c.breaking);
        assert_eq!(c.breaking_description.as_deref(), Some("use --workspace"));
        assert_eq!(c.description, "drop --all");
        assert_eq!(c.body.as_deref(), Some("Long body."));
        let footer_only = parse("fix: x\n\nBREAKING-CHANGE: y", &T).unwrap();
        assert!(footer_only.breaking);
        assert_eq!(parse("FIX: shout", &T).unwrap().kind, "fix");
        assert_eq!(parse("Feat: case", &T).unwrap().kind, "feat");
        assert!(parse("Update README", &T).is_none());
    }

    /// The shortcut for bodies without footers reads them as
    /// `git-conventional` does.
    #[test]
    fn bodies_without_footers_read_as_git_conventional_reads_them() {
        let bodies = [
            "One line.",
            "Two\nlines.",
            "A paragraph.\n\nAnother one, with a colon: inside.",
            "  indented start\n\n  and end  ",
            "Closes #12",
            "Refs: abc\nSigned-off-by: A <a@x>",
            "Body.\n\nBREAKING CHANGE: gone",
            "text (with: parens)\n- list: item",
        ];
        for body in bodies {
            for subject in ["feat: x", "feat!: x"] {
                let message = format!("{subject}\n\n{body}");
                let ours = parse(&message, &T).unwrap();
                let theirs = git_conventional::Commit::parse(&message).unwrap();
                assert_eq!(ours.body.as_deref(), theirs.body(), "{message:?}");
                assert_eq!(ours.breaking, theirs.breaking(), "{message:?}");
                assert_eq!(
                    ours.breaking_description.as_deref(),
                    theirs.breaking_description(),
                    "{message:?}"
                );
            }
        }
    }

    /// vite and angular-cli have subjects that wrap onto line 2.
    #[test]
    fn a_subject_wrapped_onto_line_two_is_subject_and_body() {
        let m = "feat(core): a subject that goes on\nonto the second line\n\nBREAKING CHANGE: the API moved";
        let c = parse(m, &T).unwrap();
        assert_eq!(c.description, "a subject that goes on");
        assert!(c.breaking, "the footer counts");
        assert_eq!(c.breaking_description.as_deref(), Some("the API moved"));
        assert_eq!(c.body.as_deref(), Some("onto the second line"));
        let e = lint(m, &T).unwrap_err();
        assert_eq!((e.line, e.part), (2, "body"), "lint still says so");
    }

    fn info(hash: &str, message: &str) -> crate::git::CommitInfo {
        crate::git::CommitInfo {
            hash: hash.repeat(40 / hash.len()),
            message: message.into(),
            lossy: false,
            author: "A".into(),
            time: 0,
        }
    }

    fn kept(history: &[crate::git::CommitInfo], other: bool) -> Vec<(usize, String, String)> {
        classify(history, other, &T)
            .into_iter()
            .map(|(i, c)| (i, c.kind, c.description))
            .collect()
    }

    fn reverts(what: &str, hash: &str) -> String {
        format!(
            "Revert \"{what}\"\n\nThis reverts commit {}.",
            hash.repeat(40 / hash.len())
        )
    }

    #[test]
    fn a_revert_cancels_the_commit_it_reverts() {
        let history = [
            info("c", "fix: kept"),
            info("b", &reverts("feat: gone", "a")),
            info("a", "feat: gone"),
            info("f", "not conventional"),
        ];
        assert_eq!(kept(&history, false), [(0, "fix".into(), "kept".into())]);
        assert_eq!(
            kept(&history, true),
            [
                (0, "fix".into(), "kept".into()),
                (3, "other".into(), "not conventional".into()),
            ]
        );
    }

    /// A revert of a commit released earlier is a change of its own.
    #[test]
    fn a_git_revert_of_an_earlier_release_is_a_revert() {
        let history = [info("d", &reverts("feat: older", "e"))];
        assert_eq!(
            kept(&history, false),
            [(0, "revert".into(), "Revert \"feat: older\"".into())]
        );
        let typed = [info(
            "d",
            "revert: feat: older\n\nThis reverts commit eeeeeee.",
        )];
        assert_eq!(
            kept(&typed, false),
            [(0, "revert".into(), "feat: older".into())]
        );
        let c: Vec<Conventional> = classify(&history, false, &T)
            .into_iter()
            .map(|c| c.1)
            .collect();
        assert_eq!(raw_level(&c), Bump::Patch);
    }

    /// tauri: a squash commit quoting git's revert line in its body.
    #[test]
    fn only_a_revert_subject_reverts() {
        let body = format!(
            "feat: squashed work (#42)\n\n* Revert \"fix: y\"\n\nThis reverts commit {}.",
            "a".repeat(40)
        );
        let history = [info("b", &body), info("a", "fix: y")];
        assert_eq!(
            kept(&history, false),
            [
                (0, "feat".into(), "squashed work (#42)".into()),
                (1, "fix".into(), "y".into())
            ]
        );
    }

    #[test]
    fn a_revert_of_a_revert_reinstates_the_change() {
        let reapply = |hash: &str| {
            format!(
                "Reapply \"feat: x\"\n\nThis reverts commit {}.",
                hash.repeat(40)
            )
        };
        let revert_revert = format!(
            "Revert \"Revert \"feat: x\"\"\n\nThis reverts commit {}.",
            "b".repeat(40)
        );
        for again in [reapply("b"), revert_revert] {
            let history = [
                info("c", &again),
                info("b", &reverts("feat: x", "a")),
                info("a", "feat: x"),
            ];
            assert_eq!(
                kept(&history, false),
                [(2, "feat".into(), "x".into())],
                "{again}"
            );
        }
        // The original and its revert were released: the reapply is the feature.
        let history = [info("c", &reapply("b"))];
        assert_eq!(kept(&history, false), [(0, "feat".into(), "x".into())]);
    }

    /// nushell: subjects that start with `#` are history, not comments.
    #[test]
    fn subjects_starting_with_a_hash_are_kept() {
        let history = [info("a", "#14238 Now the file completion works")];
        assert_eq!(
            kept(&history, true),
            [(
                0,
                "other".into(),
                "#14238 Now the file completion works".into()
            )]
        );
    }

    #[test]
    fn comments_are_stripped_with_the_configured_character() {
        let raw = "fix: a\r\n\r\n# Please enter the commit message\r\nbody\r\n# ------------------------ >8 ------------------------\r\ndiff --git a/x b/x\r\n";
        assert_eq!(strip_comments(raw, "#"), "fix: a\n\nbody");
        let semi = "fix: b\n#1 stays\n; Please enter the commit message\n";
        assert_eq!(strip_comments(semi, ";"), "fix: b\n#1 stays");
        assert_eq!(auto_comment(semi), ";");
        assert_eq!(auto_comment("fix: c\n"), "#");
    }

    /// Whatever the changelog counts, the lint accepts, and the reverse.
    #[test]
    fn lint_and_parse_agree() {
        let messages = [
            "feat: x",
            " feat: x",
            "feat:x",
            "Feat: x",
            "feat(*): x",
            "feat(): x",
            "wip: x",
            "deprecate: old flag",
            "remove: old flag",
            "security: escape",
            "fix!: y\n\nbody",
            "feat(a)(b): z",
            "Add foo (#123)",
            "v1.0.2",
            "feat!:",
            "feat: x\nwrapped",
        ];
        for m in messages {
            let counted = parse(m, &T).is_some();
            let accepted = header(m.lines().next().unwrap(), &T).is_ok();
            assert_eq!(counted, accepted, "{m:?}");
        }
    }

    #[test]
    fn lint_table() {
        let ok = [
            "feat: add x",
            "fix(core): y",
            "feat(api)!: z",
            "Feat: case does not matter",
            "deprecate: --old",
            "refactor!: w\n\nbody\n\nBREAKING CHANGE: gone",
            "Merge branch 'x'",
            "Revert \"feat: add x\"\n\nThis reverts commit abc.",
            "Reapply \"feat: add x\"\n\nThis reverts commit abc.",
            "fixup! feat: add x",
            "squash! fix: y",
        ];
        for m in ok {
            assert_eq!(lint(m, &T), Ok(()), "{m:?}");
        }
        let bad = [
            ("", 1, 1, "subject", "the message is empty"),
            (
                "Update README",
                1,
                1,
                "subject",
                "this is not a Conventional Commit header; expected `type(scope): description` with a type among feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert, security, deprecate, deprecated, remove, removed, e.g. `feat(cli): add --json`",
            ),
            (
                "Add foo (#123)",
                1,
                1,
                "subject",
                "this is not a Conventional Commit header",
            ),
            (
                "v1.0.2",
                1,
                1,
                "subject",
                "this is not a Conventional Commit header",
            ),
            (
                "feature: x",
                1,
                1,
                "type",
                "`feature` is not an allowed type",
            ),
            (
                ": x",
                1,
                1,
                "type",
                "the subject does not start with a type",
            ),
            (
                " feat: x",
                1,
                1,
                "type",
                "the subject does not start with a type",
            ),
            (
                "feat(core: x",
                1,
                5,
                "scope",
                "the scope is not closed with `)`",
            ),
            (
                "feat(): x",
                1,
                6,
                "scope",
                "the scope is empty; drop the parentheses or name a scope",
            ),
            (
                "feat x",
                1,
                5,
                "subject",
                "expected `:` after the type and scope",
            ),
            (
                "feat(core)!:x",
                1,
                13,
                "subject",
                "expected one space after `:`",
            ),
            ("feat:x", 1, 6, "subject", "expected one space after `:`"),
            ("fix:  ", 1, 5, "description", "the description is empty"),
            (
                "fix: a\nbody right away",
                2,
                1,
                "body",
                "leave a blank line between the subject and the body",
            ),
        ];
        for (m, line, column, part, start) in bad {
            let e = lint(m, &T).unwrap_err();
            assert_eq!(
                (e.line, e.column, e.part),
                (line, column, part),
                "{m:?}: {e}"
            );
            assert!(e.message.starts_with(start), "{m:?}: {e}");
        }
    }

    #[test]
    fn bump_levels_with_the_zero_rule() {
        let c = |m: &str| parse(m, &T).unwrap();
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
                exact: false,
            };
            assert_eq!(
                implied.for_version(&v(current)),
                expected,
                "{msgs:?} at {current}"
            );
        }
    }
}
