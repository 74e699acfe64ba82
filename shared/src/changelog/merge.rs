//! `--prepend`: put a rendered release into an existing changelog, keeping
//! every other byte. The release goes after the header and before the
//! first `## ` heading; an `## [Unreleased]` section is replaced; a version
//! already present is refused; CRLF files get CRLF.

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

/// `existing` (or a new file) with `release` merged in; `version` is the
/// release's version (`None` for Unreleased).
pub fn merge(
    existing: Option<&str>,
    release: &str,
    version: Option<&str>,
) -> Result<String, MergeError> {
    let Some(text) = existing else {
        return Ok(format!("{HEADER}{release}"));
    };
    // A file cut after a lone CR gets its CRLF completed below: CRLF too.
    let crlf = text.contains("\r\n") || text.ends_with('\r');
    let release = if crlf {
        release.replace('\n', "\r\n")
    } else {
        release.to_string()
    };
    let headings = headings(text)?;
    if let Some(v) = version
        && let Some(i) = headings.iter().position(|(_, _, name)| name == v)
    {
        let (start, line, _) = headings[i];
        let end = headings
            .get(i + 1)
            .map_or_else(|| section_end(text, start), |h| h.0);
        if text[start..end] == release {
            return Ok(text.to_string());
        }
        return Err(MergeError::AlreadyPresent {
            version: v.to_string(),
            line,
        });
    }
    let Some(&(start, _, ref first)) = headings.first() else {
        let sep = if text.is_empty() || text.ends_with('\n') {
            ""
        } else if text.ends_with('\r') {
            "\n" // completes the CRLF the file was cut in
        } else if crlf {
            "\r\n"
        } else {
            "\n"
        };
        let blank = if text.is_empty() || text.ends_with("\n\n") || text.ends_with("\r\n\r\n") {
            ""
        } else if crlf {
            "\r\n"
        } else {
            "\n"
        };
        return Ok(format!("{text}{sep}{blank}{release}"));
    };
    let end = if first.eq_ignore_ascii_case("unreleased") {
        headings
            .get(1)
            .map_or_else(|| section_end(text, start), |h| h.0)
    } else {
        start
    };
    Ok(format!("{}{release}{}", &text[..start], &text[end..]))
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

/// `## ` headings: (byte offset, 1-based line, bracketed or bare name);
/// an error when a code fence is left open at the end.
fn headings(text: &str) -> Result<Vec<(usize, usize, String)>, MergeError> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut open_fence: Option<usize> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with("```") {
            open_fence = match open_fence {
                Some(_) => None,
                None => Some(i + 1),
            };
        }
        if open_fence.is_none()
            && let Some(rest) = line.strip_prefix("## ")
        {
            let rest = rest.trim();
            let name = match rest.strip_prefix('[') {
                Some(r) => r.split(']').next().unwrap_or(""),
                None => rest.split_whitespace().next().unwrap_or(""),
            };
            out.push((offset, i + 1, name.trim_start_matches('v').to_string()));
        }
        offset += line.len();
    }
    match open_fence {
        Some(line) => Err(MergeError::UnclosedFence { line }),
        None => Ok(out),
    }
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
        let last = "# C\n\n## [Unreleased]\n\n- z\n\n[Unreleased]: https://x\n";
        assert_eq!(
            merge(Some(last), RELEASE, Some("1.1.0")).unwrap(),
            format!("# C\n\n{RELEASE}[Unreleased]: https://x\n")
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
