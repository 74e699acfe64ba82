//! Cargo.lock edits on arbitrary text: never a panic; a planned edit
//! changes only its own tokens, and the edits do not overlap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::edit::splice;
use cratesmith_shared::lockfile::{Bumps, plan};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut bumps = Bumps::new();
    for name in ["a", "b", "serde"] {
        bumps.insert(name.into(), ("1.0.0".parse().unwrap(), "2.0.0".parse().unwrap()));
    }
    let Ok(edits) = plan(Path::new("Cargo.lock"), text, &bumps) else {
        return;
    };
    let mut end = 0;
    for e in &edits.edits {
        assert!(e.span.start >= end, "edits overlap");
        assert!(e.span.end <= text.len());
        end = e.span.end;
    }
    let edited = splice(text, &edits.edits);
    let kept: usize = text.len() - edits.edits.iter().map(|e| e.span.end - e.span.start).sum::<usize>();
    assert_eq!(edited.len(), kept + edits.edits.iter().map(|e| e.with.len()).sum::<usize>());
});
