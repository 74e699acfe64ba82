//! `--prepend`: put a rendered release into an existing changelog, keeping
//! every other byte. A new newest release goes above the newest one (after
//! the header); it replaces an `[Unreleased]` section, carrying over every
//! entry and paragraph a person wrote there. An older release (`--all`)
//! goes where its version belongs. A version already present is refused;
//! CRLF files get CRLF.

use super::markdown::{self, Block, Body, Heading, Kind, Sub};

/// The header of a new changelog.
pub const HEADER: &str = "# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

";

/// Why a merge was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The version already has a section.
    #[error("version {version} is already in the changelog (line {line})")]
    AlreadyPresent {
        /// The version.
        version: String,
        /// 1-based line of its heading.
        line: usize,
    },
    /// A code fence is opened and never closed: everything after it is
    /// code, so a release cannot be placed.
    #[error("the code fence opened at line {line} is never closed")]
    UnclosedFence {
        /// 1-based line of the opening fence.
        line: usize,
    },
}

impl From<markdown::UnclosedFence> for MergeError {
    fn from(markdown::UnclosedFence(line): markdown::UnclosedFence) -> Self {
        MergeError::UnclosedFence { line }
    }
}

/// A release rendered for the file, and what it was made from.
#[derive(Clone, Copy, Debug)]
pub struct NewRelease<'a> {
    /// The section as `render::release` writes it.
    pub markdown: &'a str,
    /// Its version; `None` for Unreleased.
    pub version: Option<&'a str>,
    /// Every commit of its range (full hashes): an entry of the old
    /// section that names one of them was written by cratesmith.
    pub hashes: &'a [String],
}

/// Where a release goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Above the newest release, replacing `[Unreleased]` (and keeping
    /// what people wrote in it).
    Newest,
    /// Below the releases with higher versions (an older release that
    /// `--all` adds); `[Unreleased]` stays.
    ByVersion,
}

/// `existing` (or a new file) with `new` merged in.
pub fn merge(
    existing: Option<&str>,
    new: &NewRelease<'_>,
    place: Place,
) -> Result<String, MergeError> {
    let Some(text) = existing else {
        return Ok(format!("{HEADER}{}", new.markdown));
    };
    // A file cut after a lone CR gets its CRLF completed below: CRLF too.
    let crlf = text.contains("\r\n") || text.ends_with('\r');
    let eol = |s: String| if crlf { s.replace('\n', "\r\n") } else { s };
    let releases: Vec<Heading> = markdown::headings(text)?
        .into_iter()
        .filter(|h| h.kind != Kind::Other)
        .collect();
    let end_of = |i: usize| {
        releases
            .get(i + 1)
            .map_or_else(|| section_end(text, releases[i].start), |h| h.start)
    };
    if let Some(v) = new.version
        && let Some(i) = releases.iter().position(|h| same_version(&h.kind, v))
    {
        let (start, end) = (releases[i].start, end_of(i));
        let section = &text[start..end];
        if same_section(&carry(new, Some(section)), section) {
            return Ok(text.to_string());
        }
        return Err(MergeError::AlreadyPresent {
            version: v.to_string(),
            line: releases[i].line,
        });
    }
    let at = match place {
        Place::Newest => 0,
        Place::ByVersion => releases
            .iter()
            .position(|h| lower_than(&h.kind, new.version))
            .unwrap_or(releases.len()),
    };
    let Some(first) = releases.get(at) else {
        let end = if releases.is_empty() {
            text.len()
        } else {
            last_end(text, &releases)
        };
        return Ok(append(text, end, &eol(new.markdown.to_string()), crlf));
    };
    if place == Place::Newest && first.kind == Kind::Unreleased {
        let (start, end) = (first.start, end_of(at));
        let old = &text[start..end];
        let section = carry(new, Some(old));
        if same_section(&section, old) {
            return Ok(text.to_string());
        }
        return Ok(format!(
            "{}{}{}",
            &text[..start],
            eol(section),
            &text[end..]
        ));
    }
    let start = first.start;
    Ok(format!(
        "{}{}{}",
        &text[..start],
        eol(new.markdown.to_string()),
        &text[start..]
    ))
}

/// Whether two sections say the same: one heading, the same blocks under
/// the same sub-headings (blank lines and line endings aside).
fn same_section(a: &str, b: &str) -> bool {
    let split = |s: &str| {
        let s = s.replace("\r\n", "\n");
        let (heading, rest) = s.split_once('\n').unwrap_or((&s, ""));
        (heading.trim_end().to_string(), markdown::body(rest))
    };
    split(a) == split(b)
}

/// Where the last release section ends (before trailing link definitions).
fn last_end(text: &str, releases: &[Heading]) -> usize {
    releases
        .last()
        .map_or(text.len(), |h| section_end(text, h.start))
}

/// `text` with `release` put at `end` (the end of the text, or of its last
/// section), after a blank line.
fn append(text: &str, end: usize, release: &str, crlf: bool) -> String {
    let (before, after) = text.split_at(end);
    let nl = if crlf { "\r\n" } else { "\n" };
    let sep = if before.is_empty() || before.ends_with('\n') {
        ""
    } else if before.ends_with('\r') {
        "\n" // completes the CRLF the file was cut in
    } else {
        nl
    };
    let blank = if before.is_empty() || before.ends_with("\n\n") || before.ends_with("\r\n\r\n") {
        ""
    } else {
        nl
    };
    let tail = if after.is_empty() || release.ends_with(&format!("{nl}{nl}")) {
        ""
    } else {
        nl
    };
    format!("{before}{sep}{blank}{release}{tail}{after}")
}

fn same_version(kind: &Kind, version: &str) -> bool {
    let Kind::Release(name) = kind else {
        return false;
    };
    let v = version.strip_prefix('v').unwrap_or(version);
    match (semver::Version::parse(name), semver::Version::parse(v)) {
        (Ok(a), Ok(b)) => a == b,
        _ => name == v,
    }
}

fn lower_than(kind: &Kind, version: Option<&str>) -> bool {
    let (Kind::Release(name), Some(v)) = (kind, version) else {
        return false;
    };
    match (semver::Version::parse(name), semver::Version::parse(v)) {
        (Ok(a), Ok(b)) => a.cmp_precedence(&b).is_lt(),
        _ => false,
    }
}

/// The section `new` becomes when it takes the place of `old` (a whole
/// section, heading included): every block of `old` that cratesmith did not
/// write is kept under its heading; an entry for one of `new`'s commits
/// keeps the wording it was given by hand. `\n` line endings.
fn carry(new: &NewRelease<'_>, old: Option<&str>) -> String {
    let Some(old) = old else {
        return new.markdown.to_string();
    };
    let old = old.replace("\r\n", "\n");
    let old_body = markdown::body(old.split_once('\n').map_or("", |(_, rest)| rest));
    let (heading, rest) = new.markdown.split_once('\n').unwrap_or((new.markdown, ""));
    let generated = markdown::body(rest);
    let mut body = generated.clone();
    let texts: Vec<String> = generated
        .subs
        .iter()
        .flat_map(|s| &s.blocks)
        .chain(&generated.intro)
        .map(|b| normal(b.text()))
        .collect();
    // Whether a block of the old section was written by hand; an entry for
    // one of the new release's commits lends its wording instead.
    let by_hand = |b: &Block, body: &mut Body| match b {
        Block::Item(t) => match hash_ref(t).filter(|h| new.hashes.iter().any(|n| n.starts_with(h)))
        {
            Some(h) => {
                reword(body, h, t);
                false
            }
            None => !texts.contains(&normal(t)),
        },
        Block::Text(t) => !texts.contains(&normal(t)) && !is_breaking_count(t),
    };
    let intro: Vec<Block> = old_body
        .intro
        .iter()
        .filter(|b| by_hand(b, &mut body))
        .cloned()
        .collect();
    body.intro.extend(intro);
    let mut extra: Vec<Sub> = Vec::new();
    for sub in &old_body.subs {
        let kept: Vec<Block> = sub
            .blocks
            .iter()
            .filter(|b| by_hand(b, &mut body))
            .cloned()
            .collect();
        keep_sub(&mut body, sub, kept, &mut extra);
    }
    insert_in_order(&mut body, extra);
    if body == generated {
        return new.markdown.to_string();
    }
    markdown::render(heading, &body)
}

/// The hand-written blocks `kept` of the old section's sub-section `sub`,
/// into the generated sub-section of that name, or (none, or a heading
/// written by hand) into `extra`. A Keep a Changelog heading whose entries
/// were all generated goes with them; any other heading stays, even when
/// left empty; two of the same name written by hand stay two.
fn keep_sub(body: &mut Body, sub: &Sub, kept: Vec<Block>, extra: &mut Vec<Sub>) {
    if kept.is_empty() && !sub.blocks.is_empty() && order_of(&sub.title).is_some() {
        return;
    }
    match body
        .subs
        .iter_mut()
        .find(|s| s.title.eq_ignore_ascii_case(&sub.title))
    {
        Some(_) if kept.is_empty() => {}
        Some(s) => {
            // Paragraphs before the generated entries, entries after
            // them: a paragraph after an entry would read as part of it.
            let (items, texts): (Vec<Block>, Vec<Block>) =
                kept.into_iter().partition(|b| matches!(b, Block::Item(_)));
            s.blocks.splice(0..0, texts);
            s.blocks.extend(items);
        }
        None => extra.push(Sub {
            blocks: kept,
            ..sub.clone()
        }),
    }
}

/// `extra` sub-sections placed in Keep a Changelog order (others last).
fn insert_in_order(body: &mut Body, extra: Vec<Sub>) {
    for sub in extra {
        let at = order_of(&sub.title).map_or(body.subs.len(), |k| {
            body.subs
                .iter()
                .position(|s| order_of(&s.title).is_none_or(|o| o > k))
                .unwrap_or(body.subs.len())
        });
        body.subs.insert(at, sub);
    }
}

/// Put the hand-edited wording `old` of the entry for commit `hash` in
/// place of the generated one, when it says something else.
fn reword(body: &mut Body, hash: &str, old: &str) {
    let blocks = body
        .intro
        .iter_mut()
        .chain(body.subs.iter_mut().flat_map(|s| s.blocks.iter_mut()));
    for b in blocks {
        if let Block::Item(t) = b
            && hash_ref(t).is_some_and(|h| h.starts_with(hash) || hash.starts_with(h))
            && normal(t) != normal(old)
        {
            *t = old.to_string();
        }
    }
}

/// Keep a Changelog's place of a section title.
fn order_of(title: &str) -> Option<usize> {
    super::SECTIONS
        .iter()
        .position(|s| s.eq_ignore_ascii_case(title))
}

/// `This release has 2 breaking changes.`, as cratesmith writes it.
fn is_breaking_count(text: &str) -> bool {
    text.strip_prefix("This release has ")
        .and_then(|r| {
            r.strip_suffix(" breaking change.")
                .or_else(|| r.strip_suffix(" breaking changes."))
        })
        .is_some_and(|n| n.parse::<usize>().is_ok())
}

/// The commit an entry ends with, as cratesmith writes it: `(abc1234)` or
/// `([abc1234](…/commit/…))`.
fn hash_ref(item: &str) -> Option<&str> {
    let line = item.lines().next()?.trim_end();
    let inner = line.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    let inner = &inner[open + 2..];
    let hash = match inner.strip_prefix('[') {
        Some(linked) => linked.split_once("](")?.0,
        None => inner,
    };
    (hash.len() >= 7 && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(hash)
}

/// An entry without its commit reference, links reduced to their text and
/// whitespace collapsed: two entries that say the same thing compare equal.
fn normal(text: &str) -> String {
    let text = match hash_ref(text) {
        Some(_) => text
            .lines()
            .next()
            .and_then(|l| l.trim_end().rfind(" (").map(|i| &l[..i]))
            .unwrap_or(text),
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some((label, after)) = rest[open + 1..].split_once("](") else {
            break;
        };
        let Some(close) = after.find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(label);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A link reference definition to write at the bottom of a changelog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `Unreleased` or a version.
    pub label: String,
    /// Where it points.
    pub url: String,
    /// Whether it is added when missing (else only updated).
    pub add: bool,
}

/// Whether `text` ends with link reference definitions (`[1.0.0]: url`).
pub fn uses_links(text: &str) -> bool {
    trailing_block(text).is_some()
}

/// `text` with the link reference definitions at its bottom updated: a
/// definition of the same label (any case) gets the new URL, a missing one
/// is added (`Unreleased` first, versions after it, newest first). A file
/// without such definitions is returned unchanged.
pub fn update_links(text: &str, links: &[Link]) -> String {
    let Some(start) = trailing_block(text) else {
        return text.to_string();
    };
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let missing_newline = !text.ends_with('\n');
    let mut block: Vec<String> = text[start..]
        .split_inclusive('\n')
        .map(|l| {
            if l.ends_with('\n') {
                l.to_string()
            } else {
                format!("{l}{nl}")
            }
        })
        .collect();
    let mut added: Vec<String> = Vec::new();
    let mut added_unreleased: Vec<String> = Vec::new();
    for link in links {
        let existing = block
            .iter_mut()
            .find(|l| def_label(l).is_some_and(|d| d.eq_ignore_ascii_case(&link.label)));
        match existing {
            Some(line) => {
                let label = def_label(line).unwrap_or(&link.label).to_string();
                let ending = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
                *line = format!("[{label}]: {}{ending}", link.url);
            }
            None if link.add && link.label.eq_ignore_ascii_case("unreleased") => {
                added_unreleased.push(format!("[{}]: {}{nl}", link.label, link.url));
            }
            None if link.add => added.push(format!("[{}]: {}{nl}", link.label, link.url)),
            None => {}
        }
    }
    let at = block
        .iter()
        .take_while(|l| def_label(l).is_some_and(|d| d.eq_ignore_ascii_case("unreleased")))
        .count();
    block.splice(at..at, added);
    block.splice(0..0, added_unreleased);
    let mut out = format!("{}{}", &text[..start], block.concat());
    if missing_newline {
        out.truncate(out.len() - nl.len());
    }
    out
}

/// The label of a link reference definition line.
fn def_label(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix('[')?;
    let (label, after) = rest.split_once("]:")?;
    (!label.is_empty() && !label.starts_with('^') && !label.contains('[')).then_some(label)?;
    after.starts_with([' ', '\t']).then_some(label)
}

/// Where the definitions at the bottom of `text` begin, if it has any.
fn trailing_block(text: &str) -> Option<usize> {
    let mut start = None;
    let mut offset = text.len();
    for line in text.split_inclusive('\n').rev() {
        offset -= line.len();
        if def_label(line).is_some() {
            start = Some(offset);
        } else if !line.trim().is_empty() {
            break;
        }
    }
    start
}

/// Where a last `## [Unreleased]` section ends: before the link reference
/// definitions at the bottom, if any, else at the end.
fn section_end(text: &str, start: usize) -> usize {
    let mut end = text.len();
    let lines: Vec<&str> = text[start..].split_inclusive('\n').collect();
    for line in lines.iter().rev() {
        let t = line.trim();
        if t.is_empty() || (t.starts_with('[') && t.contains("]: ")) {
            end -= line.len();
        } else {
            break;
        }
    }
    let tail = &text[end..];
    end + (tail.len() - tail.trim_start_matches(['\r', '\n']).len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELEASE: &str = "## [1.1.0] - 2026-11-22\n\n### Added\n\n- x (abc1234)\n\n";

    fn rel(markdown: &str, version: Option<&str>) -> NewRelease<'static> {
        let markdown: &'static str = Box::leak(markdown.to_string().into_boxed_str());
        let version = version.map(|v| &*Box::leak(v.to_string().into_boxed_str()));
        NewRelease {
            markdown,
            version,
            hashes: Box::leak(Box::new([
                "abc1234".repeat(5) + "abcde",
                "1234567".repeat(5) + "12345",
            ])),
        }
    }

    fn merge(
        existing: Option<&str>,
        release: &str,
        version: Option<&str>,
    ) -> Result<String, MergeError> {
        super::merge(existing, &rel(release, version), Place::Newest)
    }

    #[test]
    fn a_new_file_gets_the_standard_header() {
        assert_eq!(
            merge(None, RELEASE, Some("1.1.0")).unwrap(),
            format!("{HEADER}{RELEASE}")
        );
    }

    #[test]
    fn inserts_before_the_first_release_keeping_every_other_byte() {
        let existing = "# Changelog\n\nIntro, kept.\n\n## [1.0.0] - 2026-01-01\n\n- old\n\n[1.0.0]: https://x/1.0.0\n";
        let merged = merge(Some(existing), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            merged,
            format!(
                "# Changelog\n\nIntro, kept.\n\n{RELEASE}## [1.0.0] - 2026-01-01\n\n- old\n\n[1.0.0]: https://x/1.0.0\n"
            )
        );
    }

    #[test]
    fn replaces_unreleased_and_is_idempotent() {
        let unreleased = "## [Unreleased]\n\n### Fixed\n\n- y (1234567)\n\n";
        let existing = format!("# C\n\n{unreleased}## [1.0.0] - 2026-01-01\n\n- old\n");
        let once = merge(Some(&existing), unreleased, None).unwrap();
        assert_eq!(
            once, existing,
            "the same Unreleased section twice changes nothing"
        );
        let released = merge(Some(&existing), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            released,
            format!("# C\n\n{RELEASE}## [1.0.0] - 2026-01-01\n\n- old\n")
        );
        let last = "# C\n\n## [Unreleased]\n\n- z (1234567)\n\n[Unreleased]: https://x\n";
        assert_eq!(
            merge(Some(last), RELEASE, Some("1.1.0")).unwrap(),
            format!("# C\n\n{RELEASE}[Unreleased]: https://x\n")
        );
    }

    /// Keep a Changelog users type into [Unreleased] by hand.
    #[test]
    fn hand_written_unreleased_notes_are_carried_into_the_section_written() {
        let existing = "# C\n\n## [Unreleased]\n\nA paragraph about this release.\n\n### Added\n\n- x (abc1234)\n- Hand-written: a new logo\n\n### Removed\n\n- The old `--foo` flag\n  (it never worked)\n\n### Fixed\n\n- y (1234567)\n\n## [1.0.0] - 2026-01-01\n\n- old\n";
        let merged = merge(Some(existing), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            merged,
            "# C\n\n## [1.1.0] - 2026-11-22\n\nA paragraph about this release.\n\n### Added\n\n- x (abc1234)\n- Hand-written: a new logo\n\n### Removed\n\n- The old `--foo` flag\n  (it never worked)\n\n## [1.0.0] - 2026-01-01\n\n- old\n",
            "the entry for a commit in range that is no longer shown goes, hand-written ones stay"
        );
        assert_eq!(
            merge(Some(&merged), RELEASE, Some("1.1.0")).unwrap(),
            merged,
            "again: up to date"
        );
        let refreshed = merge(
            Some(existing),
            "## [Unreleased]\n\n### Added\n\n- x (abc1234)\n\n",
            None,
        )
        .unwrap();
        assert!(
            refreshed.contains("- Hand-written: a new logo\n"),
            "{refreshed}"
        );
        assert!(
            refreshed.contains("A paragraph about this release."),
            "{refreshed}"
        );
        assert_eq!(
            refreshed.matches("- x (abc1234)").count(),
            1,
            "no duplicate: {refreshed}"
        );
        let crlf = existing.replace('\n', "\r\n");
        let merged_crlf = merge(Some(&crlf), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(merged_crlf, merged.replace('\n', "\r\n"));
    }

    #[test]
    fn a_hand_edited_entry_keeps_its_wording_and_an_equal_one_is_not_duplicated() {
        let existing =
            "# C\n\n## [Unreleased]\n\n### Added\n\n- x, reworded by hand (abc1234)\n- x\n\n";
        let merged = merge(Some(existing), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            merged,
            "# C\n\n## [1.1.0] - 2026-11-22\n\n### Added\n\n- x, reworded by hand (abc1234)\n\n"
        );
        let linked = "# C\n\n## [Unreleased]\n\n### Added\n\n- x ([abc1234](https://github.com/o/r/commit/abc1234))\n\n";
        assert_eq!(
            merge(Some(linked), RELEASE, Some("1.1.0")).unwrap(),
            format!("# C\n\n{RELEASE}"),
            "the same entry with a link is the same entry"
        );
    }

    /// conventional-changelog / standard-version and setext headings.
    #[test]
    fn other_heading_shapes_are_releases() {
        let cc = "# Changelog\n\n### [1.0.1](https://x/compare/v1.0.0...v1.0.1) (2020-02-01)\n\n\n### Bug Fixes\n\n* **core:** z ([def5678](https://x/commit/def5678))\n\n## [1.0.0](https://x/compare/v0.9.0...v1.0.0) (2020-01-01)\n";
        let merged = merge(Some(cc), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            merged,
            cc.replace("### [1.0.1]", &format!("{RELEASE}### [1.0.1]"))
        );
        let dup = merge(
            Some(cc),
            "## [1.0.1] - 2020-02-01\n\n- other\n\n",
            Some("1.0.1"),
        );
        assert_eq!(
            dup,
            Err(MergeError::AlreadyPresent {
                version: "1.0.1".into(),
                line: 3
            })
        );
        let setext = "Changelog\n=========\n\n1.0.1\n-----\n\n- z\n";
        let merged = merge(Some(setext), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            merged,
            format!("Changelog\n=========\n\n{RELEASE}1.0.1\n-----\n\n- z\n")
        );
        assert!(merge(Some(setext), RELEASE, Some("1.0.1")).is_err());
        let older = super::merge(
            Some(cc),
            &rel("## [0.9.5] - 2019-12-01\n\n- w\n\n", Some("0.9.5")),
            Place::ByVersion,
        )
        .unwrap();
        assert!(
            older.ends_with("(2020-01-01)\n\n## [0.9.5] - 2019-12-01\n\n- w\n\n"),
            "{older}"
        );
        let between = super::merge(
            Some(cc),
            &rel("## [1.0.1-rc.1]\n\n", Some("1.0.1-rc.1")),
            Place::ByVersion,
        )
        .unwrap();
        assert!(
            between.contains("(https://x/commit/def5678))\n\n## [1.0.1-rc.1]\n\n## [1.0.0](https"),
            "{between}"
        );
    }

    #[test]
    fn link_definitions_are_updated_and_added() {
        let link = |label: &str, url: &str, add| Link {
            label: label.into(),
            url: url.into(),
            add,
        };
        let text = "# C\n\n## [1.0.0]\n\n- x\n\n[unreleased]: https://x/compare/v1.0.0...HEAD\n[1.0.0]: https://x/tag/v1.0.0\n";
        let updated = update_links(
            text,
            &[
                link("Unreleased", "https://x/compare/v1.1.0...HEAD", false),
                link("1.1.0", "https://x/compare/v1.0.0...v1.1.0", true),
            ],
        );
        assert_eq!(
            updated,
            "# C\n\n## [1.0.0]\n\n- x\n\n[unreleased]: https://x/compare/v1.1.0...HEAD\n[1.1.0]: https://x/compare/v1.0.0...v1.1.0\n[1.0.0]: https://x/tag/v1.0.0\n"
        );
        let again = update_links(
            &updated,
            &[link("1.1.0", "https://x/compare/v1.0.0...v1.1.0", true)],
        );
        assert_eq!(again, updated, "idempotent");
        let plain = "# C\n\n## [1.0.0]\n\n- see [docs](https://d)\n";
        assert_eq!(update_links(plain, &[link("1.1.0", "u", true)]), plain);
        assert!(!uses_links(plain));
        let crlf_no_eol = "# C\r\n\r\n[1.0.0]: https://x/1";
        assert_eq!(
            update_links(
                crlf_no_eol,
                &[
                    link("Unreleased", "https://x/u", true),
                    link("1.1.0", "https://x/2", true)
                ]
            ),
            "# C\r\n\r\n[Unreleased]: https://x/u\r\n[1.1.0]: https://x/2\r\n[1.0.0]: https://x/1"
        );
    }

    #[test]
    fn the_same_release_twice_is_no_change() {
        let existing = format!("# C\n\n{RELEASE}## [1.0.0]\n");
        assert_eq!(
            merge(Some(&existing), RELEASE, Some("1.1.0")).unwrap(),
            existing
        );
        let last = format!("# C\n\n{RELEASE}[1.1.0]: u\n");
        assert_eq!(merge(Some(&last), RELEASE, Some("1.1.0")).unwrap(), last);
    }

    /// Found by the changelog_merge fuzz target: the release was appended
    /// after a fence that never closes (so inside a code block), and a
    /// second merge appended it again.
    #[test]
    fn an_unclosed_code_fence_is_refused() {
        let existing = "# C\n\n```](x) \ncode\n";
        assert_eq!(
            merge(Some(existing), RELEASE, Some("1.1.0")),
            Err(MergeError::UnclosedFence { line: 3 })
        );
        // Also found by it: a file ending in a lone CR (CRLF cut short).
        let cut = "# C\r";
        let once = merge(Some(cut), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(
            once,
            format!("# C\r\n\r\n{}", RELEASE.replace('\n', "\r\n"))
        );
        assert_eq!(merge(Some(&once), RELEASE, Some("1.1.0")).unwrap(), once);
        let closed = "# C\n\n```\ncode\n```\n";
        let once = merge(Some(closed), RELEASE, Some("1.1.0")).unwrap();
        assert_eq!(merge(Some(&once), RELEASE, Some("1.1.0")).unwrap(), once);
    }

    #[test]
    fn refuses_a_version_already_present() {
        let existing = "# C\n\n## [1.1.0] - 2026-11-01\n\n- x\n";
        assert_eq!(
            merge(Some(existing), RELEASE, Some("1.1.0")),
            Err(MergeError::AlreadyPresent {
                version: "1.1.0".into(),
                line: 3
            })
        );
        assert!(merge(Some("## v1.1.0\n"), RELEASE, Some("1.1.0")).is_err());
    }

    #[test]
    fn crlf_files_stay_crlf_and_fenced_headings_are_ignored() {
        let existing = "# C\r\n\r\n```\r\n## [2.0.0] not a heading\r\n```\r\n\r\n## [1.0.0]\r\n";
        let merged = merge(Some(existing), RELEASE, Some("2.0.0")).unwrap();
        assert!(merged.contains("## [1.1.0] - 2026-11-22\r\n\r\n### Added\r\n"));
        assert!(
            !merged.replace("\r\n", "").contains('\n'),
            "no bare LF: {merged:?}"
        );
        assert!(merged.ends_with(&format!("{}## [1.0.0]\r\n", RELEASE.replace('\n', "\r\n"))));
    }
}
