//! Manifest version edits on arbitrary TOML: never a panic; the edited
//! file differs from the original only inside the edited token, and parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::edit::splice;
use cratesmith_shared::manifest::{Manifest, VersionKey};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = Manifest::from_text(Path::new("Cargo.toml"), text) else {
        return;
    };
    let mut edits = Vec::new();
    if let Ok(VersionKey::Own(_, value)) = m.package_version() {
        edits.push(m.string_edit(&value, "9.8.7"));
    }
    for dep in m.dependencies() {
        if let Some(req) = &dep.req {
            edits.push(m.string_edit(req, "^9.8.7"));
        }
    }
    edits.sort_by_key(|e| e.span.start);
    edits.dedup_by_key(|e| e.span.start);
    let edited = splice(text, &edits);
    let again = Manifest::from_text(Path::new("Cargo.toml"), &edited).expect("the edit still parses");
    if let Ok(VersionKey::Own(v, _)) = again.package_version() {
        assert_eq!(v.to_string(), "9.8.7");
    }
    let mut at = 0;
    let mut shift: isize = 0;
    for e in &edits {
        let start = e.span.start;
        assert_eq!(&text[at..start], &edited[(at as isize + shift) as usize..(start as isize + shift) as usize], "bytes outside the edits changed");
        shift += e.with.len() as isize - (e.span.end - e.span.start) as isize;
        at = e.span.end;
    }
    assert_eq!(&text[at..], &edited[(at as isize + shift) as usize..]);
});
