//! Commit-message classification and lint: never a panic; the lint and the
//! changelog agree (a message whose subject the lint accepts, other than a
//! merge, revert or fixup, is one the changelog counts, and the reverse);
//! a rendered entry is one line without raw HTML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::changelog::render::inline;
use cratesmith_shared::commits::{DEFAULT_TYPES, is_exempt, lint, parse, split_subject, strip_comments};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let stripped = strip_comments(&text, "#");
    let parsed = parse(&stripped, &DEFAULT_TYPES);
    let normalized = stripped.replace("\r\n", "\n");
    let (subject, _) = split_subject(&normalized);
    if !is_exempt(normalized.trim_start_matches('\n')) {
        let subject_ok = lint(subject, &DEFAULT_TYPES).is_ok();
        assert_eq!(parsed.is_some(), subject_ok, "lint and parse disagree: {stripped:?}");
        if lint(&stripped, &DEFAULT_TYPES).is_ok() {
            assert!(parsed.is_some(), "lint accepted what parse refuses: {stripped:?}");
        }
    }
    if let Some(c) = parsed {
        let line = inline(&c.description, None);
        assert!(!line.contains('\n') && !line.chars().any(char::is_control));
        // `<` only inside code spans, where it is text, not HTML.
        let outside: String = line.split('`').step_by(2).collect();
        let spans = line.matches('`').count();
        assert!(spans > 0 || !outside.contains('<'), "raw HTML: {line:?}");

    }
});
