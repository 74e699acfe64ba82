//! One changelog for a whole workspace (`combined = true` in the changelog
//! settings, `--combined-changelog`): each release of the workspace is one
//! `## [core 2.0.0, app 1.3.0] - <date>` section of the root CHANGELOG.md,
//! with a `### `core` 2.0.0` subsection per package (one for the members
//! that share the workspace version), its notes one heading level down.
//! A package's notes are read back from its subsection, headings restored.

/// One package's (or one shared-version group's) part of a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The packages (several when they share the workspace version).
    pub names: Vec<String>,
    /// Their new version.
    pub version: String,
    /// Their notes, as `git changelog --notes` prints them.
    pub notes: String,
}

/// The release's name (`core 2.0.0, app 1.3.0`) and its section.
pub fn section(parts: &[Part], date: &str) -> (String, String) {
    let title: Vec<String> = parts
        .iter()
        .flat_map(|p| p.names.iter().map(move |n| format!("{n} {}", p.version)))
        .collect();
    let title = title.join(", ");
    let mut md = format!("## [{title}] - {date}\n");
    for p in parts {
        let names: Vec<String> = p.names.iter().map(|n| format!("`{n}`")).collect();
        md.push_str(&format!("\n### {} {}\n\n", names.join(", "), p.version));
        let notes = shift(p.notes.trim_matches('\n'), 1);
        md.push_str(if notes.is_empty() {
            "No notable changes."
        } else {
            &notes
        });
        md.push('\n');
    }
    md.push('\n');
    (title, md)
}

/// The notes of `name` at `version` in a combined changelog: its
/// subsection, headings one level up again; `None` when it has none.
pub fn notes(text: &str, name: &str, version: &str) -> Option<String> {
    let mine = format!("`{name}`");
    let tail = format!(" {version}");
    let mut lines = text.lines();
    lines.find(|l| {
        l.strip_prefix("### ").is_some_and(|t| {
            t.trim_end().ends_with(&tail)
                && t.split(", ").any(|n| n.trim_start().starts_with(&mine))
        })
    })?;
    let mut body = Vec::new();
    let mut fenced = false;
    for line in lines {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && (line.starts_with("### ") || line.starts_with("## ")) {
            break;
        }
        body.push(line);
    }
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    let first = body.iter().position(|l| !l.trim().is_empty())?;
    Some(format!("{}\n", shift(&body[first..].join("\n"), -1)))
}

/// Move every ATX heading outside code fences `by` levels (down when
/// positive), between levels 1 and 6.
fn shift(text: &str, by: i32) -> String {
    let mut fenced = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            let level = line.chars().take_while(|c| *c == '#').count();
            let heading = (1..=6).contains(&level) && line[level..].starts_with(' ');
            if fenced || !heading {
                return line.to_string();
            }
            let new = (i32::try_from(level).unwrap_or(6) + by).clamp(1, 6);
            let new = usize::try_from(new).unwrap_or(level);
            format!("{}{}", "#".repeat(new), &line[level..])
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(names: &[&str], version: &str, notes: &str) -> Part {
        Part {
            names: names.iter().map(|n| (*n).to_string()).collect(),
            version: version.into(),
            notes: notes.into(),
        }
    }

    #[test]
    fn a_section_per_release_a_subsection_per_package_and_back() {
        let parts = [
            part(
                &["core"],
                "2.0.0",
                "### Added\n\n- g\n\n```\n# not a heading\n```\n",
            ),
            part(
                &["pair-a", "pair-b"],
                "0.3.1",
                "### Fixed\n\n- empty input\n",
            ),
            part(&["fresh"], "0.1.1", ""),
        ];
        let (title, md) = section(&parts, "2026-12-03");
        assert_eq!(title, "core 2.0.0, pair-a 0.3.1, pair-b 0.3.1, fresh 0.1.1");
        assert_eq!(
            md,
            "## [core 2.0.0, pair-a 0.3.1, pair-b 0.3.1, fresh 0.1.1] - 2026-12-03\n\n\
             ### `core` 2.0.0\n\n#### Added\n\n- g\n\n```\n# not a heading\n```\n\n\
             ### `pair-a`, `pair-b` 0.3.1\n\n#### Fixed\n\n- empty input\n\n\
             ### `fresh` 0.1.1\n\nNo notable changes.\n\n"
        );
        let file = format!(
            "# Changelog\n\n{md}## [core 1.0.0] - 2026-01-01\n\n### `core` 1.0.0\n\n- first\n"
        );
        let table: [(&str, &str, Option<&str>); 6] = [
            (
                "core",
                "2.0.0",
                Some("### Added\n\n- g\n\n```\n# not a heading\n```\n"),
            ),
            ("pair-b", "0.3.1", Some("### Fixed\n\n- empty input\n")),
            ("pair-a", "0.3.1", Some("### Fixed\n\n- empty input\n")),
            ("core", "1.0.0", Some("- first\n")),
            ("pair", "0.3.1", None),
            ("core", "3.0.0", None),
        ];
        for (name, version, want) in table {
            assert_eq!(
                notes(&file, name, version).as_deref(),
                want,
                "{name} {version}"
            );
        }
    }
}
