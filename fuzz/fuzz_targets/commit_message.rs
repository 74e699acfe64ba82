//! Commit-message classification and lint: never a panic; a message the
//! lint accepts (and that is not a merge/revert/fixup) parses as a
//! Conventional Commit; a rendered entry is one line without raw HTML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relkit_shared::changelog::render::escape;
use relkit_shared::commits::{DEFAULT_TYPES, is_exempt, lint, parse, strip_git_comments};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let stripped = strip_git_comments(&text);
    let parsed = parse(&stripped);
    if lint(&text, &DEFAULT_TYPES).is_ok() && !is_exempt(&stripped) {
        assert!(parsed.is_some(), "lint accepted what parse refuses: {stripped:?}");
    }
    if let Some(c) = parsed {
        let line = escape(&c.description);
        assert!(!line.contains('\n') && !line.contains('<') && !line.chars().any(char::is_control));
    }
});
