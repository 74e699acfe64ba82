//! Keep a Changelog Markdown for a release, and links to the forge that
//! hosts `origin` (GitHub, GitLab, Codeberg/Gitea, Bitbucket).

use super::merge::Link;
use super::{Entry, Release};

/// Where commits, issues and comparisons of a repository are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forge {
    /// `https://github.com/owner/repo`.
    pub base: String,
    kind: ForgeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ForgeKind {
    GitHub,
    GitLab,
    Gitea,
    Bitbucket,
}

impl Forge {
    /// The forge of a remote URL (HTTPS or SSH forms), if it is a known one.
    pub fn from_remote(url: &str) -> Option<Self> {
        let url = url.trim().trim_end_matches('/').trim_end_matches(".git");
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .or_else(|| url.strip_prefix("ssh://"))
            .or_else(|| url.strip_prefix("git@"))?;
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once(['/', ':'])?;
        let host = host.split(':').next()?;
        let path = path.trim_start_matches(|c: char| c.is_ascii_digit() || c == '/');
        let kind = match host {
            "github.com" => ForgeKind::GitHub,
            "gitlab.com" => ForgeKind::GitLab,
            "codeberg.org" | "gitea.com" => ForgeKind::Gitea,
            "bitbucket.org" => ForgeKind::Bitbucket,
            _ => return None,
        };
        (path.split('/').count() >= 2).then(|| Forge {
            base: format!("https://{host}/{path}"),
            kind,
        })
    }

    /// A commit page.
    pub fn commit(&self, hash: &str) -> String {
        match self.kind {
            ForgeKind::GitLab => format!("{}/-/commit/{hash}", self.base),
            ForgeKind::Bitbucket => format!("{}/commits/{hash}", self.base),
            _ => format!("{}/commit/{hash}", self.base),
        }
    }

    /// An issue page.
    pub fn issue(&self, n: &str) -> String {
        match self.kind {
            ForgeKind::GitLab => format!("{}/-/issues/{n}", self.base),
            _ => format!("{}/issues/{n}", self.base),
        }
    }

    /// A tag's page.
    pub fn tag(&self, tag: &str) -> String {
        match self.kind {
            ForgeKind::GitLab => format!("{}/-/tags/{tag}", self.base),
            ForgeKind::Bitbucket => format!("{}/src/{tag}", self.base),
            _ => format!("{}/releases/tag/{tag}", self.base),
        }
    }

    /// The changes from `from` to `to`.
    pub fn compare(&self, from: &str, to: &str) -> String {
        match self.kind {
            ForgeKind::GitLab => format!("{}/-/compare/{from}...{to}", self.base),
            ForgeKind::Bitbucket => format!("{}/branches/compare/{to}%0D{from}", self.base),
            _ => format!("{}/compare/{from}...{to}", self.base),
        }
    }
}

/// `## [1.4.0] - 2026-11-22` (or `## [Unreleased]`) and the release's body.
pub fn release(r: &Release, forge: Option<&Forge>) -> String {
    let heading = match (&r.version, &r.date) {
        (Some(v), Some(d)) => format!("## [{v}] - {d}\n"),
        (Some(v), None) => format!("## [{v}]\n"),
        (None, _) => "## [Unreleased]\n".to_string(),
    };
    let body = notes(r, forge);
    if body.is_empty() {
        return format!("{heading}\n");
    }
    format!("{heading}\n{body}")
}

/// The link reference definitions of `releases` (newest first): each
/// version compares its tag with the one before (or shows its tag, for the
/// first), Unreleased compares the last tag with HEAD. With `released`, the
/// Unreleased link follows the new tag but is not added where missing.
pub fn links(releases: &[Release], forge: &Forge) -> Vec<Link> {
    let mut out = Vec::new();
    for r in releases {
        let url = match (&r.tag, &r.previous_tag) {
            (Some(tag), Some(prev)) => forge.compare(prev, tag),
            (Some(tag), None) => forge.tag(tag),
            (None, Some(prev)) => forge.compare(prev, "HEAD"),
            (None, None) => continue,
        };
        out.push(Link {
            label: r.version.clone().unwrap_or_else(|| "Unreleased".into()),
            url,
            add: true,
        });
    }
    if let Some(Release {
        version: Some(_),
        tag: Some(tag),
        ..
    }) = releases.first()
    {
        out.insert(
            0,
            Link {
                label: "Unreleased".into(),
                url: forge.compare(tag, "HEAD"),
                add: false,
            },
        );
    }
    out
}

/// Link reference definitions as lines.
pub fn link_lines(links: &[Link]) -> String {
    links
        .iter()
        .filter(|l| l.add)
        .map(|l| format!("[{}]: {}\n", l.label, l.url))
        .collect()
}

/// The body of a release alone (`--notes`): the breaking count and sections.
pub fn notes(r: &Release, forge: Option<&Forge>) -> String {
    let mut out = String::new();
    if r.breaking > 0 {
        let s = if r.breaking == 1 { "" } else { "s" };
        out.push_str(&format!(
            "This release has {} breaking change{s}.\n\n",
            r.breaking
        ));
    }
    for section in &r.sections {
        out.push_str(&format!("### {}\n\n", section.title));
        for e in &section.entries {
            out.push_str(&entry(e, forge));
        }
        out.push('\n');
    }
    out
}

fn entry(e: &Entry, forge: Option<&Forge>) -> String {
    let c = &e.commit;
    let mut line = String::from("- ");
    if c.breaking {
        line.push_str("**Breaking:** ");
    }
    if let Some(scope) = &c.scope {
        line.push_str(&format!("**{}:** ", inline(scope, None)));
    }
    let first = line.len() == 2;
    let description = inline(&c.description, forge);
    if first {
        line.push_str(&guard_block_start(&description));
    } else {
        line.push_str(&description);
    }
    if let Some(why) = c
        .breaking_description
        .as_deref()
        .filter(|d| *d != c.description)
    {
        line.push_str(&format!(" — {}", inline(why, forge)));
    }
    if e.hash.is_empty() {
        // A line of cratesmith's own (a dependency that moved), not a commit.
        line.push('\n');
        return line;
    }
    let short = &e.hash[..e.hash.len().min(7)];
    match forge {
        Some(f) => line.push_str(&format!(" ([{short}]({}))\n", f.commit(&e.hash))),
        None => line.push_str(&format!(" ({short})\n")),
    }
    line
}

/// Text from a commit made safe for one Markdown list item, rendering as
/// written: one line, no raw HTML, no control characters, no emphasis or
/// links the author did not write as such. Code spans stay code spans;
/// outside them, `#123` links to the issue when the forge is known.
pub fn inline(text: &str, forge: Option<&Forge>) -> String {
    let mut one_line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !one_line.is_empty() {
            one_line.push(' ');
        }
        one_line.extend(word.chars().filter(|c| !c.is_control()));
    }
    let mut out = String::with_capacity(one_line.len());
    let mut rest = one_line.as_str();
    while let Some(open) = rest.find('`') {
        let ticks = rest[open..].len() - rest[open..].trim_start_matches('`').len();
        let after = &rest[open + ticks..];
        let close = closing_ticks(after, ticks);
        plain(&mut out, &rest[..open], forge);
        match close {
            Some(end) => {
                out.push_str(&rest[open..open + ticks + end + ticks]);
                rest = &after[end + ticks..];
            }
            None => {
                out.push_str(&"\\`".repeat(ticks));
                rest = after;
            }
        }
    }
    plain(&mut out, rest, forge);
    out
}

/// Text outside code spans, escaped, `#123` linked when the forge is known.
fn plain(out: &mut String, text: &str, forge: Option<&Forge>) {
    match forge {
        Some(_) => out.push_str(&link_issues(&escape(text), forge)),
        None => out.push_str(&escape(text)),
    }
}

/// Where a run of exactly `ticks` backticks starts in `text`.
fn closing_ticks(text: &str, ticks: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        if run == ticks {
            return Some(i);
        }
        i += run;
    }
    None
}

/// Plain text (no code span) escaped for Markdown: HTML, emphasis (`*`,
/// `_` that is not inside a word, `~` pairs), link brackets and
/// backslashes before punctuation.
pub fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let tildes = chars.iter().filter(|c| **c == '~').count() > 1;
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' => out.push_str("\\*"),
            '_' if !(word(before) && word(after)) => out.push_str("\\_"),
            '~' if tildes => out.push_str("\\~"),
            '[' if chars[i + 1..].contains(&']') => out.push_str("\\["),
            '\\' if after.is_some_and(|a| a.is_ascii_punctuation()) => out.push_str("\\\\"),
            other => out.push(other),
        }
    }
    out
}

/// `text` as the first thing of a list item: a leading `#`, `-`, `+` or
/// `1.` would start a heading or a nested list, so it is escaped.
fn guard_block_start(text: &str) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let marker = text[digits..].chars().next();
    let spaced = |n: usize| text[n..].starts_with(' ') || text.len() == n;
    if digits > 0 && matches!(marker, Some('.' | ')')) && spaced(digits + 1) {
        return format!("{}\\{}", &text[..digits], &text[digits..]);
    }
    if text.starts_with(['#', '-', '+']) {
        return format!("\\{text}");
    }
    text.to_string()
}

/// `#123` -> `[#123](…/issues/123)` when the forge is known.
fn link_issues(text: &str, forge: Option<&Forge>) -> String {
    let Some(forge) = forge else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        let digits: String = rest[i + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let boundary = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '[');
        out.push_str(&rest[..i]);
        if digits.is_empty() || !boundary {
            out.push('#');
            rest = &rest[i + 1..];
        } else {
            out.push_str(&format!("[#{digits}]({})", forge.issue(&digits)));
            rest = &rest[i + 1 + digits.len()..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changelog::{Filter, release as build};
    use crate::commits::parse;

    #[test]
    fn forges_from_remote_urls() {
        let cases = [
            (
                "git@github.com:cratesmith/cratesmith.git",
                Some("https://github.com/cratesmith/cratesmith"),
            ),
            (
                "https://github.com/cratesmith/cratesmith",
                Some("https://github.com/cratesmith/cratesmith"),
            ),
            (
                "ssh://git@gitlab.com/group/sub/proj.git",
                Some("https://gitlab.com/group/sub/proj"),
            ),
            (
                "https://codeberg.org/o/r.git",
                Some("https://codeberg.org/o/r"),
            ),
            (
                "git@bitbucket.org:o/r.git",
                Some("https://bitbucket.org/o/r"),
            ),
            ("https://example.com/o/r.git", None),
            ("/srv/git/repo", None),
        ];
        for (url, base) in cases {
            assert_eq!(
                Forge::from_remote(url).map(|f| f.base),
                base.map(String::from),
                "{url}"
            );
        }
        let gl = Forge::from_remote("https://gitlab.com/g/p").unwrap();
        assert_eq!(gl.commit("abc"), "https://gitlab.com/g/p/-/commit/abc");
        assert_eq!(
            gl.compare("v1", "v2"),
            "https://gitlab.com/g/p/-/compare/v1...v2"
        );
    }

    /// angular-cli and vite: scopes and paths with `*` became emphasis.
    #[test]
    fn descriptions_render_as_written() {
        let gh = Forge::from_remote("https://github.com/o/r").unwrap();
        let cases = [
            ("*", "\\*"),
            ("modules/**/*spec.ts", "modules/\\*\\*/\\*spec.ts"),
            ("v6.*.*", "v6.\\*.\\*"),
            (
                "use `a*b_c` and `#1`, see #2",
                "use `a*b_c` and `#1`, see [#2](https://github.com/o/r/issues/2)",
            ),
            ("``a ` b`` stays", "``a ` b`` stays"),
            ("snake_case stays", "snake_case stays"),
            ("_em_ and __strong__", "\\_em\\_ and \\_\\_strong\\_\\_"),
            ("~/.cargo stays", "~/.cargo stays"),
            ("~~struck~~", "\\~\\~struck\\~\\~"),
            ("[1.0.0] is not a link", "\\[1.0.0] is not a link"),
            ("an unclosed ` tick", "an unclosed \\` tick"),
            ("<b>bold</b> & co", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
            ("C:\\path and \\*", "C:\\path and \\\\\\*"),
            ("two\nlines", "two lines"),
        ];
        for (text, want) in cases {
            assert_eq!(inline(text, Some(&gh)), want, "{text:?}");
        }
        let guards = [
            ("# not a heading", "\\# not a heading"),
            ("- not a list", "\\- not a list"),
            ("1. not a list", "1\\. not a list"),
            ("2024 was good", "2024 was good"),
        ];
        for (text, want) in guards {
            assert_eq!(guard_block_start(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_release_renders_as_keep_a_changelog() {
        let e = |m: &str, h: &str| crate::changelog::Entry {
            commit: parse(m, &crate::commits::DEFAULT_TYPES).unwrap(),
            hash: h.repeat(40),
            author: "A".into(),
            date: "2026-11-22".into(),
        };
        let r = build(
            crate::release::Title::v("1.4.0", "2026-11-22"),
            vec![
                e("feat(cli): add --json, see #12", "a"),
                e("fix: <script> in names", "b"),
                e("feat!: drop 0.x\n\nBREAKING CHANGE: config moved", "c"),
            ],
            &Filter::default(),
        );
        let gh = Forge::from_remote("git@github.com:o/r.git").unwrap();
        let expected = "## [1.4.0] - 2026-11-22\n\nThis release has 1 breaking change.\n\n### Added\n\n\
- **Breaking:** drop 0.x — config moved ([ccccccc](https://github.com/o/r/commit/cccccccccccccccccccccccccccccccccccccccc))\n\
- **cli:** add --json, see [#12](https://github.com/o/r/issues/12) ([aaaaaaa](https://github.com/o/r/commit/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa))\n\n\
### Fixed\n\n- &lt;script&gt; in names ([bbbbbbb](https://github.com/o/r/commit/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb))\n\n";
        assert_eq!(release(&r, Some(&gh)), expected);
        assert!(notes(&r, None).starts_with("This release has 1 breaking change.\n\n### Added\n\n- **Breaking:** drop 0.x — config moved (ccccccc)\n"));
    }
}
