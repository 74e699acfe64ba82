//! SUMS-file parsing: never a panic; every entry's digest has the length
//! of its algorithm and is lowercase hex.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::artifact_sum::sums::{Line, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in parse(&text) {
        if let Line::Entry(e) = line {
            assert_eq!(e.hex.len(), e.algo.hex_len());
            assert!(e.hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }
});
