//! Changelog merging into arbitrary Markdown: never a panic; the text
//! before the first release heading is kept byte for byte; a merge of the
//! same release twice changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relkit_shared::changelog::merge::merge;

const RELEASE: &str = "## [1.1.0] - 2026-11-22\n\n### Added\n\n- x (abc1234)\n\n";

fuzz_target!(|data: &[u8]| {
    let Ok(existing) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(merged) = merge(Some(existing), RELEASE, Some("1.1.0")) else {
        return;
    };
    let head_end = existing.find("\n## ").map_or(0, |i| i + 1);
    if !existing.starts_with("## ") && head_end > 0 && !existing[..head_end].contains("```") {
        assert!(merged.starts_with(&existing[..head_end]), "the header changed");
    }
    let again = merge(Some(&merged), RELEASE, Some("1.1.0")).expect("the same release merges again");
    assert_eq!(again, merged, "merging twice changed the file");
});
