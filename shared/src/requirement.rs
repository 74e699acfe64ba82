//! Rewriting a Cargo version requirement so that it admits a new version,
//! keeping its shape: operators, spacing, precision and wildcards stay.
//!
//! `"1.2"` -> `"1.3"`, `"=1.2.3"` -> `"=1.3.0"`, `">=1.2, <2"` -> `">=2.0, <3"`.
//! A pre-release is only admitted by a comparator that names it, so for a
//! pre-release target the version is written in full: `"~1.2"` ->
//! `"~1.3.0-alpha.1"`.

use semver::{Comparator, Op, Version, VersionReq};

/// When a dependent's requirement is rewritten.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Only when it no longer admits the new version.
    #[default]
    Needed,
    /// Always, so dependents require at least the new version.
    Always,
}

/// Why a requirement could not be rewritten.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    /// The requirement does not parse.
    #[error("`{raw}` is not a valid version requirement: {reason}")]
    Invalid {
        /// The requirement as written.
        raw: String,
        /// The parser's message.
        reason: String,
    },
    /// No rewrite of the same shape admits the version.
    #[error("cannot rewrite `{raw}` to admit {version} while keeping its shape")]
    Unsatisfiable {
        /// The requirement as written.
        raw: String,
        /// The version it must admit.
        version: String,
    },
}

/// The requirement `raw` rewritten to admit `new`, or `None` when it is kept.
pub fn rewrite(
    raw: &str,
    new: &Version,
    policy: Policy,
) -> Result<Option<String>, RequirementError> {
    let req = VersionReq::parse(raw).map_err(|e| RequirementError::Invalid {
        raw: raw.to_string(),
        reason: e.to_string(),
    })?;
    if policy == Policy::Needed && req.matches(new) {
        return Ok(None);
    }
    let segments: Vec<String> = raw
        .split(',')
        .zip(req.comparators.iter().chain(std::iter::repeat(&wildcard())))
        .map(|(segment, comparator)| rewrite_segment(segment, comparator, new))
        .collect();
    let mut rewritten = segments.join(",");
    let upper_only = req
        .comparators
        .iter()
        .all(|c| matches!(c.op, Op::Less | Op::LessEq));
    if !new.pre.is_empty() && upper_only && !req.comparators.is_empty() {
        // Only a comparator naming the pre-release admits it: add a lower bound.
        rewritten = format!(">={}, {rewritten}", format_full(new));
    }
    match VersionReq::parse(&rewritten) {
        Ok(r) if r.matches(new) => Ok((rewritten != raw).then_some(rewritten)),
        _ => Err(RequirementError::Unsatisfiable {
            raw: raw.to_string(),
            version: new.to_string(),
        }),
    }
}

fn wildcard() -> Comparator {
    Comparator {
        op: Op::Wildcard,
        major: 0,
        minor: None,
        patch: None,
        pre: semver::Prerelease::EMPTY,
    }
}

/// One comma-separated comparator, its surrounding text kept.
fn rewrite_segment(segment: &str, comparator: &Comparator, new: &Version) -> String {
    let Some((start, end)) = version_token(segment) else {
        // A bare `*`: it admits every release; a pre-release must be named.
        return if new.pre.is_empty() {
            segment.to_string()
        } else {
            replace_range(segment, segment.trim_start().len(), &format!(">={new}"))
        };
    };
    let token = &segment[start..end];
    let mut prefix = segment[..start].to_string();
    let precision = token
        .split(['-', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .count();
    let wildcard_char = token.chars().find(|c| matches!(c, '*' | 'x' | 'X'));
    let replacement = match comparator.op {
        Op::Less | Op::LessEq if comparator.matches(&release_of(new)) => token.to_string(),
        Op::Less => upper_bound(new, precision),
        Op::Greater => {
            // `>x` cannot name `new` itself: `>=` is the closest same-shape form.
            prefix = prefix.replacen('>', ">=", 1);
            anchor(new, precision)
        }
        Op::Wildcard if !new.pre.is_empty() => {
            prefix.push('^');
            format_full(new)
        }
        Op::Wildcard => {
            let c = wildcard_char.unwrap_or('*');
            let fixed = anchor(new, precision.saturating_sub(1).max(1));
            format!("{fixed}.{c}")
        }
        _ => anchor(new, precision),
    };
    format!("{prefix}{replacement}{}", &segment[end..])
}

/// Byte range of the version part of one comparator, after its operator.
fn version_token(segment: &str) -> Option<(usize, usize)> {
    let start = segment.find(|c: char| c.is_ascii_alphanumeric())?;
    let end = segment[start..]
        .find(char::is_whitespace)
        .map_or(segment.len(), |i| start + i);
    Some((start, end))
}

fn replace_range(segment: &str, tail_len: usize, with: &str) -> String {
    let cut = segment.len() - tail_len;
    let rest = segment[cut..].trim_start_matches('*');
    format!("{}{with}{rest}", &segment[..cut])
}

/// `new` at the given precision; a pre-release is always written in full.
fn anchor(new: &Version, precision: usize) -> String {
    if !new.pre.is_empty() {
        return format_full(new);
    }
    match precision {
        1 => format!("{}", new.major),
        2 => format!("{}.{}", new.major, new.minor),
        _ => format!("{}.{}.{}", new.major, new.minor, new.patch),
    }
}

/// The exclusive upper bound just above `new` at the given precision.
fn upper_bound(new: &Version, precision: usize) -> String {
    match precision {
        1 => format!("{}", new.major + 1),
        2 => format!("{}.{}", new.major, new.minor + 1),
        _ => format!("{}.{}.{}", new.major, new.minor, new.patch + 1),
    }
}

/// `new` without its pre-release: upper bounds are judged on it, since a
/// comparator only "matches" a pre-release it names.
fn release_of(new: &Version) -> Version {
    Version::new(new.major, new.minor, new.patch)
}

fn format_full(v: &Version) -> String {
    let mut s = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if !v.pre.is_empty() {
        s.push('-');
        s.push_str(v.pre.as_str());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn needed_rewrites_table() {
        let cases = [
            ("1.2", "1.3.0", None),
            ("1.2", "2.0.0", Some("2.0")),
            ("1.2", "1.2.9", None),
            ("1", "1.3.0", None),
            ("1", "2.0.0", Some("2")),
            ("^1.2", "2.0.0", Some("^2.0")),
            ("^ 1.2", "2.0.0", Some("^ 2.0")),
            ("=1.2.3", "1.3.0", Some("=1.3.0")),
            ("= 1.2.3", "1.2.4", Some("= 1.2.4")),
            ("~1.2.3", "1.3.0", Some("~1.3.0")),
            ("~1.2", "1.3.0", Some("~1.3")),
            ("0.2", "0.3.0", Some("0.3")),
            ("0.2.1", "0.2.5", None),
            ("^0.0.3", "0.0.4", Some("^0.0.4")),
            (">=1.2, <2", "2.0.0", Some(">=2.0, <3")),
            (">= 1.2 , < 2", "2.1.0", Some(">= 2.1 , < 3")),
            (">=0.2, <0.3", "0.3.0", Some(">=0.3, <0.4")),
            (">=1.2, <=1.4", "1.5.0", Some(">=1.5, <=1.5")),
            (">1.2", "1.2.0", Some(">=1.2")),
            ("1.*", "2.0.0", Some("2.*")),
            ("1.2.x", "1.3.0", Some("1.3.x")),
            ("*", "2.0.0", None),
            ("1.2", "1.3.0-alpha.1", Some("1.3.0-alpha.1")),
            ("~1.2", "1.3.0-alpha.1", Some("~1.3.0-alpha.1")),
            ("=1.2.3", "1.2.4-rc.2", Some("=1.2.4-rc.2")),
            ("1.2.4-alpha.1", "1.2.4-alpha.2", None),
            ("1.2.4-alpha.2", "1.2.4", None),
            (">=1.2, <2", "2.0.0-alpha.1", Some(">=2.0.0-alpha.1, <3")),
            ("1.*", "2.0.0-beta.1", Some("^2.0.0-beta.1")),
            ("*", "2.0.0-beta.1", Some(">=2.0.0-beta.1")),
            ("<1.5", "1.3.0-alpha.1", Some(">=1.3.0-alpha.1, <1.5")),
        ];
        for (raw, new, expected) in cases {
            let got = rewrite(raw, &v(new), Policy::Needed);
            assert_eq!(got, Ok(expected.map(String::from)), "{raw} -> {new}");
        }
    }

    #[test]
    fn always_rewrites_compatible_requirements() {
        let cases = [
            ("1.2", "1.3.0", Some("1.3")),
            ("1.2", "1.2.9", None),
            ("1.2.0", "1.2.9", Some("1.2.9")),
            (">=1.2, <2", "1.5.0", Some(">=1.5, <2")),
            ("1", "1.3.0", None),
        ];
        for (raw, new, expected) in cases {
            let got = rewrite(raw, &v(new), Policy::Always);
            assert_eq!(got, Ok(expected.map(String::from)), "{raw} -> {new}");
        }
    }

    #[test]
    fn every_rewrite_admits_the_new_version() {
        let reqs = [
            "1.2",
            "=1.2.3",
            "~1.2.3",
            ">=1.2, <2",
            "1.*",
            "^0.1",
            "<1.5",
        ];
        let news = ["1.3.0", "2.0.0", "0.2.0", "1.3.0-alpha.1", "3.0.0-rc.1"];
        for raw in reqs {
            for new in news {
                for policy in [Policy::Needed, Policy::Always] {
                    let out = rewrite(raw, &v(new), policy)
                        .unwrap()
                        .unwrap_or(raw.to_string());
                    assert!(
                        VersionReq::parse(&out).unwrap().matches(&v(new)),
                        "{raw} -> {out} for {new}"
                    );
                }
            }
        }
    }

    #[test]
    fn invalid_requirement_is_an_error() {
        assert!(matches!(
            rewrite("not a req", &v("1.0.0"), Policy::Needed),
            Err(RequirementError::Invalid { .. })
        ));
    }
}
