//! Version parsing, bumps and requirement rewriting: never a panic, a
//! bump never goes down, a rewritten requirement admits the new version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use cratesmith_shared::requirement::{Policy, rewrite};
use cratesmith_shared::version::{BumpSpec, Target, bump};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (Some(current), Some(target), req) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Ok(current) = semver::Version::parse(current.trim()) else {
        return;
    };
    if let Ok(target) = target.trim().parse::<Target>() {
        let spec = BumpSpec { target, pre: None, build: None };
        if let Ok(next) = bump(&current, &spec) {
            assert!(next.cmp_precedence(&current) != std::cmp::Ordering::Less || matches!(spec.target, Target::Version(_)));
        }
    }
    if let Some(req) = req {
        for policy in [Policy::Needed, Policy::Always] {
            if let Ok(Some(r)) = rewrite(req, &current, policy) {
                let parsed = semver::VersionReq::parse(&r).expect("a rewritten requirement parses");
                assert!(parsed.matches(&current), "{req} -> {r} does not admit {current}");
            }
        }
    }
});
