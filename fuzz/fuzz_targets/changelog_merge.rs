//! Changelog merging into arbitrary Markdown: never a panic; no line of
//! the existing file is lost; a merge of the same release twice changes
//! nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::changelog::merge::{NewRelease, Place, merge};

const RELEASE: &str = "## [1.1.0] - 2026-11-22\n\n### Added\n\n- x (abc1234)\n\n";

fuzz_target!(|data: &[u8]| {
    let Ok(existing) = std::str::from_utf8(data) else {
        return;
    };
    let hashes = ["abc1234abc1234abc1234abc1234abc1234abcde".to_string()];
    let new = NewRelease {
        markdown: RELEASE,
        version: Some("1.1.0"),
        hashes: &hashes,
    };
    let Ok(merged) = merge(Some(existing), &new, Place::Newest) else {
        return;
    };
    for line in existing.lines() {
        let line = line.trim();
        let generated = line.ends_with("(abc1234)") || line.starts_with("This release has ");
        let unreleased = line.to_ascii_lowercase().contains("unreleased");
        // A Keep a Changelog heading goes with the generated entries under it.
        let title = line.trim_start_matches('#').trim().to_ascii_lowercase();
        let kac = ["added", "changed", "deprecated", "removed", "fixed", "security"];
        let heading = (line.starts_with('#') && (unreleased || kac.contains(&title.as_str())))
            || unreleased && !line.contains(' ')
            || line.chars().all(|c| c == '-' || c == '=');
        if !line.is_empty() && !generated && !heading {
            let found = merged.contains(line)
                || (line.starts_with('#') && merged.to_lowercase().contains(&line.to_lowercase()));
            assert!(found, "lost {line:?}");
        }
    }
    let again = merge(Some(&merged), &new, Place::Newest).expect("the same release merges again");
    assert_eq!(again, merged, "merging twice changed the file");
});
