//! Reading an existing changelog as people and other tools write it: where
//! its release headings are (`## [1.0.0] - date`, conventional-changelog's
//! `### [1.0.1](link) (date)`, setext `1.0.1` over `-----`), and the blocks
//! of one section (list items, paragraphs, sub-headings), so that a new
//! release can be placed and hand-written notes carried into it.

/// A code fence opened at this 1-based line and never closed.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct UnclosedFence(pub(super) usize);

/// What a heading names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `Unreleased`.
    Unreleased,
    /// A release, by its name (a version, `v` dropped).
    Release(String),
    /// Anything else (`# Changelog`, `### Added`).
    Other,
}

/// One heading of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Heading {
    /// Byte offset of its first line.
    pub start: usize,
    /// 1-based line.
    pub line: usize,
    /// What it names.
    pub kind: Kind,
}

/// The headings outside code fences; an error when a fence is left open.
/// A heading is a release when its first word is a SemVer version
/// (`[1.0.1](link)`, `v1.0.1`, `1.0.1`), at any level up to three or as a
/// setext heading, or any `## ` heading (the Keep a Changelog level).
pub(super) fn headings(text: &str) -> Result<Vec<Heading>, UnclosedFence> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = Vec::new();
    let mut offset = 0;
    let mut open_fence: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let start = offset;
        offset += line.len();
        if line.trim_start().starts_with("```") {
            open_fence = match open_fence {
                Some(_) => None,
                None => Some(i + 1),
            };
            continue;
        }
        if open_fence.is_some() {
            continue;
        }
        let trimmed = line.trim_end();
        if let Some((level, title)) = atx(trimmed) {
            let kind = kind_of(title, level == 2);
            out.push(Heading {
                start,
                line: i + 1,
                kind,
            });
        } else if let Some(next) = lines.get(i + 1)
            && is_setext_underline(next)
            && !trimmed.trim().is_empty()
            && !is_item(trimmed)
        {
            let kind = kind_of(trimmed.trim(), false);
            if kind != Kind::Other {
                out.push(Heading {
                    start,
                    line: i + 1,
                    kind,
                });
            }
        }
    }
    match open_fence {
        Some(line) => Err(UnclosedFence(line)),
        None => Ok(out),
    }
}

/// The notes of release `version` (`v` ignored) in changelog `text`: the
/// text below its heading up to the next release or `Unreleased` heading,
/// without the link reference definitions that end a file, blank lines
/// trimmed; `None` when the file has no such release (or an open fence).
pub fn release_notes(text: &str, version: &str) -> Option<String> {
    let wanted = version.strip_prefix(['v', 'V']).unwrap_or(version);
    let list = headings(text).ok()?;
    let at = list
        .iter()
        .position(|h| h.kind == Kind::Release(wanted.to_string()))?;
    let start = list[at].start;
    let body_start = start
        + text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    let setext = text[body_start..]
        .lines()
        .next()
        .is_some_and(is_setext_underline);
    let body_start = if setext {
        body_start
            + text[body_start..]
                .find('\n')
                .map_or(text.len() - body_start, |i| i + 1)
    } else {
        body_start
    };
    let end = list[at + 1..]
        .iter()
        .find(|h| h.kind != Kind::Other)
        .map_or(text.len(), |h| h.start);
    let mut lines: Vec<&str> = text[body_start.min(end)..end].lines().collect();
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || is_link_definition(l))
    {
        lines.pop();
    }
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    Some(format!("{}\n", lines[first..].join("\n")))
}

/// `[1.0.0]: https://…`.
fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// `## Title` -> (2, "Title").
fn atx(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim()))
}

fn is_setext_underline(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'=')) && t.len() >= 3
}

fn kind_of(title: &str, any_name: bool) -> Kind {
    let name = match title.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => title.split_whitespace().next().unwrap_or(""),
    };
    let name = name.trim();
    if name.eq_ignore_ascii_case("unreleased") {
        return Kind::Unreleased;
    }
    let bare = name.strip_prefix(['v', 'V']).unwrap_or(name);
    if semver::Version::parse(bare).is_ok() || (any_name && !name.is_empty()) {
        return Kind::Release(bare.to_string());
    }
    Kind::Other
}

/// The parts of a section below its heading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Body {
    /// Blocks before the first sub-heading.
    pub intro: Vec<Block>,
    /// `### Added` and the blocks under it.
    pub subs: Vec<Sub>,
}

/// A sub-heading and its blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Sub {
    /// The heading line as written.
    pub heading: String,
    /// Its title (`Added`).
    pub title: String,
    /// The blocks under it.
    pub blocks: Vec<Block>,
}

/// A list item (with its continuation lines) or a paragraph, `\n`-joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Block {
    /// `- entry`.
    Item(String),
    /// Any other text.
    Text(String),
}

impl Block {
    pub(super) fn text(&self) -> &str {
        match self {
            Block::Item(t) | Block::Text(t) => t,
        }
    }
}

/// Split the text below a section's heading into blocks.
pub(super) fn body(text: &str) -> Body {
    let mut body = Body::default();
    let mut current: Option<Block> = None;
    let mut blank = false;
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let underline = lines.get(i + 1).is_some_and(|n| is_setext_underline(n));
        let heading = atx(line.trim_end())
            .map(|(_, t)| t.to_string())
            .or_else(|| {
                (underline && !line.trim().is_empty() && current.is_none())
                    .then(|| line.trim().to_string())
            });
        if line.trim().is_empty() {
            blank = true;
            i += 1;
            continue;
        }
        if let Some(title) = heading {
            flush(&mut body, &mut current);
            let mut heading_line = line.to_string();
            if atx(line.trim_end()).is_none() {
                heading_line = format!("{line}\n{}", lines[i + 1]);
                i += 1;
            }
            body.subs.push(Sub {
                heading: heading_line,
                title,
                blocks: Vec::new(),
            });
            blank = false;
            i += 1;
            continue;
        }
        let indented = line.starts_with("  ") || line.starts_with('\t');
        match &mut current {
            Some(Block::Item(t)) if indented || (!blank && !is_item(line)) => {
                if blank {
                    t.push('\n');
                }
                t.push('\n');
                t.push_str(line);
            }
            Some(Block::Text(t)) if !blank && !is_item(line) => {
                t.push('\n');
                t.push_str(line);
            }
            _ => {
                flush(&mut body, &mut current);
                current = Some(if is_item(line) {
                    Block::Item(line.to_string())
                } else {
                    Block::Text(line.to_string())
                });
            }
        }
        blank = false;
        i += 1;
    }
    flush(&mut body, &mut current);
    body
}

fn flush(body: &mut Body, current: &mut Option<Block>) {
    if let Some(block) = current.take() {
        match body.subs.last_mut() {
            Some(sub) => sub.blocks.push(block),
            None => body.intro.push(block),
        }
    }
}

/// `- x`, `* x`, `+ x` (indented up to three spaces).
fn is_item(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() <= 3
        && (t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with("+ ")
            || ["-", "*", "+"].contains(&t))
}

/// Render a body under `heading` the way cratesmith renders a release: a blank
/// line after each heading and between blocks, consecutive items together.
pub(super) fn render(heading: &str, body: &Body) -> String {
    let mut out = format!("{heading}\n\n");
    out.push_str(&blocks(&body.intro));
    for sub in &body.subs {
        out.push_str(&sub.heading);
        out.push_str("\n\n");
        out.push_str(&blocks(&sub.blocks));
    }
    out
}

fn blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        out.push_str(b.text());
        let together = matches!(
            (b, blocks.get(i + 1)),
            (Block::Item(_), Some(Block::Item(_)))
        );
        out.push_str(if together { "\n" } else { "\n\n" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_headings_of_every_shape() {
        let text = "# Changelog\n\n## [Unreleased]\n\n### [1.0.1](https://x/compare/v1.0.0...v1.0.1) (2020-02-01)\n\n### Bug Fixes\n\n* x\n\n# [1.0.0](https://x) (2020-01-01)\n\n1.0.0-rc.1\n----------\n\n- y\n\n## v0.9.0 - 2019\n\n## Old notes\n\n```\n## [9.9.9]\n```\n";
        let kinds: Vec<(usize, Kind)> = headings(text)
            .unwrap()
            .into_iter()
            .filter(|h| h.kind != Kind::Other)
            .map(|h| (h.line, h.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (3, Kind::Unreleased),
                (5, Kind::Release("1.0.1".into())),
                (11, Kind::Release("1.0.0".into())),
                (13, Kind::Release("1.0.0-rc.1".into())),
                (18, Kind::Release("0.9.0".into())),
                (20, Kind::Release("Old".into())),
            ]
        );
    }

    #[test]
    fn a_body_splits_into_items_paragraphs_and_sub_headings() {
        let text = "Intro line one\nline two\n\n### Added\n\n- a\n- b\n  continued\n\n  second paragraph of b\n* c\n\nA note.\n\n### Fixed\n- d\n";
        let b = body(text);
        assert_eq!(b.intro, [Block::Text("Intro line one\nline two".into())]);
        assert_eq!(b.subs.len(), 2);
        assert_eq!(
            b.subs[0].blocks,
            [
                Block::Item("- a".into()),
                Block::Item("- b\n  continued\n\n  second paragraph of b".into()),
                Block::Item("* c".into()),
                Block::Text("A note.".into()),
            ]
        );
        assert_eq!(b.subs[1].title, "Fixed");
        assert_eq!(b.subs[1].blocks, [Block::Item("- d".into())]);
        assert_eq!(
            render("## [Unreleased]", &b),
            "## [Unreleased]\n\nIntro line one\nline two\n\n### Added\n\n- a\n- b\n  continued\n\n  second paragraph of b\n* c\nA note.\n\n### Fixed\n\n- d\n\n"
                .replace("* c\nA note.", "* c\n\nA note.")
        );
    }

    #[test]
    fn release_notes_are_the_section_as_written() {
        let file = "# Changelog\n\n## [Unreleased]\n\n- soon\n\n## [1.2.0] - 2026-01-02\n\nHand-written intro.\n\n\
                    ### Added\n\n- x\n\n## v1.1.0\n\n- y\n\n1.0.0\n-----\n\n- z\n\n[1.2.0]: https://example.com/1.2.0\n";
        let table: [(&str, Option<&str>); 6] = [
            ("1.2.0", Some("Hand-written intro.\n\n### Added\n\n- x\n")),
            ("v1.2.0", Some("Hand-written intro.\n\n### Added\n\n- x\n")),
            ("1.1.0", Some("- y\n")),
            ("1.0.0", Some("- z\n")),
            ("0.9.0", None),
            ("Unreleased", None),
        ];
        for (version, want) in table {
            assert_eq!(release_notes(file, version).as_deref(), want, "{version}");
        }
        assert_eq!(
            release_notes("## [1.0.0]\n\n", "1.0.0"),
            None,
            "empty section"
        );
        assert_eq!(
            release_notes("## [1.0.0]\n```\n", "1.0.0"),
            None,
            "open fence"
        );
    }
}
