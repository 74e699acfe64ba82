//! Property tests of the version rules: a bump never goes down, with or
//! without a pre-release channel; a rewritten requirement admits the new
//! version and keeps its operator; pre-release bumps follow SemVer 2.0
//! precedence.

#![allow(clippy::unwrap_used)]

use cratesmith_shared::requirement::{Policy, rewrite};
use cratesmith_shared::version::{Bump, Implied};
use cratesmith_shared::version::{BumpSpec, Channel, Level, Target, bump};
use proptest::prelude::*;
use semver::{Prerelease, Version, VersionReq};

fn version() -> impl Strategy<Value = Version> {
    let pre = prop_oneof![
        Just(String::new()),
        (
            prop_oneof![Just("alpha"), Just("beta"), Just("rc")],
            0u64..20
        )
            .prop_map(|(c, n)| format!("{c}.{n}")),
        Just("alpha".to_string()),
        Just("dev.3.x".to_string()),
    ];
    (0u64..30, 0u64..30, 0u64..30, pre).prop_map(|(a, b, c, p)| {
        let mut v = Version::new(a, b, c);
        v.pre = Prerelease::new(&p).unwrap();
        v
    })
}

fn level() -> impl Strategy<Value = Level> {
    let bump = prop_oneof![
        Just(Bump::None),
        Just(Bump::Patch),
        Just(Bump::Minor),
        Just(Bump::Major)
    ];
    prop_oneof![
        Just(Level::Major),
        Just(Level::Minor),
        Just(Level::Patch),
        Just(Level::Release),
        Just(Level::Pre(Channel::Alpha)),
        Just(Level::Pre(Channel::Beta)),
        Just(Level::Pre(Channel::Rc)),
        (bump, any::<bool>()).prop_map(|(raw, f)| Level::Auto(Some(Implied {
            raw,
            features_always_minor: f,
            exact: false,
        }))),
    ]
}

fn op() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just("^"),
        Just("~"),
        Just("="),
        Just(">="),
        Just(">"),
        Just("<"),
        Just("<="),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn a_bump_never_goes_down(v in version(), level in level(), channel in proptest::option::of(prop_oneof![Just(Channel::Alpha), Just(Channel::Beta), Just(Channel::Rc)])) {
        let spec = BumpSpec { target: Target::Level(level), pre: channel, build: None };
        if let Ok(next) = bump(&v, &spec) {
            prop_assert!(next.cmp_precedence(&v) != std::cmp::Ordering::Less, "{v} -> {next}");
        }
    }

    #[test]
    fn a_pre_release_bump_goes_up(v in version(), channel in prop_oneof![Just(Channel::Alpha), Just(Channel::Beta), Just(Channel::Rc)]) {
        let spec = BumpSpec { target: Target::Level(Level::Pre(channel)), pre: None, build: None };
        if let Ok(next) = bump(&v, &spec) {
            prop_assert_eq!(next.cmp_precedence(&v), std::cmp::Ordering::Greater, "{} -> {}", v, next);
            prop_assert!(!next.pre.is_empty());
        }
    }

    #[test]
    fn a_rewritten_requirement_admits_the_new_version_and_keeps_its_operator(
        op in op(), base in version(), precision in 1usize..=3, new in version()
    ) {
        let parts = [base.major, base.minor, base.patch];
        let mut raw = parts[..precision].iter().map(u64::to_string).collect::<Vec<_>>().join(".");
        if precision == 3 && !base.pre.is_empty() {
            raw = format!("{raw}-{}", base.pre);
        }
        let raw = format!("{op}{raw}");
        prop_assume!(VersionReq::parse(&raw).is_ok());
        match rewrite(&raw, &new, Policy::Always) {
            Ok(Some(r)) => {
                let req = VersionReq::parse(&r).unwrap();
                prop_assert!(req.matches(&new), "{raw} -> {r} does not admit {new}");
                let kept = r.starts_with(op) || r.starts_with(&format!(">={new}, {op}"));
                prop_assert!(kept, "{raw} -> {r}: the operator changed");
            }
            Ok(None) => prop_assert!(VersionReq::parse(&raw).unwrap().matches(&new), "{raw} kept but does not admit {new}"),
            Err(_) => {} // refused with an error: no wrong requirement written
        }
    }
}
