//! `git changelog`: the changelog model (release -> sections -> entries),
//! built from classified commits, rendered as Keep a Changelog Markdown,
//! and merged into an existing CHANGELOG.md.
//!
//! - [`run`]: the command (`exec`), dispatched on its [`Mode`] ([`options`]).
//! - `write`: print or prepend a changelog; `prepend`: merging into a file.
//! - `next`: `--bump` / `--next-version`; `lint`: `--lint`, `--lint-range`.
//! - `context`: what a run works with (repository, settings, scope, the
//!   commits of a release); what a release covers is [`crate::release`].
//! - [`render`], [`merge`], `markdown`: Markdown out and in.

pub mod cliff;
pub mod combined;
mod context;
pub mod file;
mod lint;
mod markdown;
pub mod merge;
mod next;
pub mod options;
mod prepend;
pub mod render;
pub mod run;
pub mod section;
mod write;

use serde::Serialize;

use crate::commits::Conventional;
pub use markdown::release_notes;
pub use options::{Answer, Content, History, Mode, Options, Output};
pub use run::exec;

use crate::release::{Settings, Title};

/// Keep a Changelog's sections, in their order.
pub const SECTIONS: [&str; 6] = [
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// One commit as the changelog shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The classified message.
    #[serde(flatten)]
    pub commit: Conventional,
    /// Full commit id.
    pub hash: String,
    /// Author name.
    pub author: String,
    /// Commit date, `YYYY-MM-DD`.
    pub date: String,
}

/// One `### Section` of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `Added`, `Fixed`, ...
    pub title: String,
    /// Breaking entries first, then in history order (newest first).
    pub entries: Vec<Entry>,
}

/// One `## [version] - date` block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    /// `None` for `## [Unreleased]`.
    pub version: Option<String>,
    /// `YYYY-MM-DD`, for released versions.
    pub date: Option<String>,
    /// The tag this release was cut at, if any (for compare links).
    pub tag: Option<String>,
    /// The tag of the release before, if any (for compare links).
    pub previous_tag: Option<String>,
    /// Sections in Keep a Changelog order; empty ones are left out.
    pub sections: Vec<Section>,
    /// How many breaking changes it holds.
    pub breaking: usize,
    /// Every commit of its range, shown or not (full hashes).
    #[serde(skip)]
    pub range: Vec<String>,
}

/// Which commits are shown, and where.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Hidden types to show anyway (`--include docs,chore`).
    pub include: Vec<String>,
    /// The type-to-section mapping and the hidden types.
    pub settings: Settings,
}

/// The section a commit goes to, or `None` if it is hidden. Security (type
/// or scope) always shows; a hidden type shows when included or breaking;
/// a type the mapping does not name goes to Changed when included or
/// breaking, else it is hidden.
pub fn section_of<'a>(c: &Conventional, filter: &'a Filter) -> Option<&'a str> {
    if c.kind == "security" || c.scope.as_deref() == Some("security") {
        return Some("Security");
    }
    let included = c.breaking || filter.include.contains(&c.kind);
    if filter.settings.hidden.contains(&c.kind) && !included {
        return None;
    }
    match filter.settings.section(&c.kind) {
        Some(title) => Some(title),
        None if included => Some("Changed"),
        None => None,
    }
}

/// Group `entries` (newest first) into a release.
pub fn release(title: Option<Title>, entries: Vec<Entry>, filter: &Filter) -> Release {
    let mut titles: Vec<&str> = SECTIONS.to_vec();
    for (_, title) in &filter.settings.sections {
        if !titles.contains(&title.as_str()) {
            titles.push(title);
        }
    }
    let mut sections: Vec<Section> = titles
        .iter()
        .map(|t| Section {
            title: t.to_string(),
            entries: Vec::new(),
        })
        .collect();
    let mut breaking = 0;
    for entry in entries {
        let Some(title) = section_of(&entry.commit, filter) else {
            continue;
        };
        breaking += usize::from(entry.commit.breaking);
        if let Some(section) = sections.iter_mut().find(|s| s.title == title) {
            section.entries.push(entry);
        }
    }
    for section in &mut sections {
        section.entries.sort_by_key(|e| !e.commit.breaking);
    }
    sections.retain(|s| !s.entries.is_empty());
    let (version, tag, date) = match title {
        Some(t) => (Some(t.version), Some(t.tag), Some(t.date)),
        None => (None, None, None),
    };
    Release {
        version,
        date,
        tag,
        previous_tag: None,
        sections,
        breaking,
        range: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commits::parse;

    fn entry(message: &str, hash: &str) -> Entry {
        Entry {
            commit: parse(message, &crate::commits::DEFAULT_TYPES).unwrap(),
            hash: hash.repeat(40 / hash.len()),
            author: "A".into(),
            date: "2026-11-22".into(),
        }
    }

    #[test]
    fn sections_follow_keep_a_changelog() {
        let entries = vec![
            entry("feat: a", "a"),
            entry("docs: hidden", "b"),
            entry("fix(core): c", "c"),
            entry("feat(api)!: d\n\nBREAKING CHANGE: the API moved", "d"),
            entry("perf: e", "e"),
            entry("chore(security): bump openssl", "f"),
        ];
        let r = release(
            crate::release::Title::v("1.4.0", "2026-11-22"),
            entries.clone(),
            &Filter::default(),
        );
        let titles: Vec<&str> = r.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Added", "Changed", "Fixed", "Security"]);
        let added: Vec<&str> = r.sections[0]
            .entries
            .iter()
            .map(|e| e.commit.description.as_str())
            .collect();
        assert_eq!(added, ["d", "a"], "breaking first");
        assert_eq!(r.breaking, 1);
        let with_docs = release(
            None,
            entries,
            &Filter {
                include: vec!["docs".into()],
                ..Filter::default()
            },
        );
        assert!(
            with_docs.sections[1]
                .entries
                .iter()
                .any(|e| e.commit.kind == "docs")
        );
    }

    #[test]
    fn the_mapping_is_configurable() {
        let mut settings = Settings::default();
        settings
            .sections
            .insert(0, ("perf".into(), "Performance".into()));
        settings
            .sections
            .insert(0, ("docs".into(), "Documentation".into()));
        settings.hidden = vec!["chore".into()];
        let filter = Filter {
            include: Vec::new(),
            settings,
        };
        let cases = [
            ("perf: faster", Some("Performance")),
            ("docs: guide", Some("Documentation")),
            ("chore: tidy", None),
            ("chore!: drop a target", Some("Changed")),
            ("ci: cache", None),
            ("fix(security): escape", Some("Security")),
            ("feat: x", Some("Added")),
        ];
        for (message, want) in cases {
            assert_eq!(
                section_of(&parse(message, &filter.settings.types()).unwrap(), &filter),
                want,
                "{message}"
            );
        }
        let r = release(
            None,
            vec![
                entry("perf: p", "1"),
                entry("feat: f", "2"),
                entry("docs: d", "3"),
            ],
            &filter,
        );
        let titles: Vec<&str> = r.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Added", "Documentation", "Performance"]);
    }
}
