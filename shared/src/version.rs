//! SemVer bump rules: levels, pre-release channels, and what a bump of a
//! `semver::Version` gives.
//!
//! Level bumps on a pre-release finish it (as npm does): `patch` of
//! `1.2.4-alpha.1` is `1.2.4`, `minor` of `1.3.0-rc.1` is `1.3.0`.

use std::fmt;
use std::str::FromStr;

use semver::{BuildMetadata, Prerelease, Version};

use serde::Serialize;

/// A pre-release channel, in SemVer precedence order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// `-alpha.N`
    Alpha,
    /// `-beta.N`
    Beta,
    /// `-rc.N`
    Rc,
}

impl Channel {
    /// The identifier written in the version.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Alpha => "alpha",
            Channel::Beta => "beta",
            Channel::Rc => "rc",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "alpha" => Some(Channel::Alpha),
            "beta" => Some(Channel::Beta),
            "rc" => Some(Channel::Rc),
            _ => None,
        }
    }
}

/// A named bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `x.0.0`
    Major,
    /// `x.y.0`
    Minor,
    /// `x.y.z`
    Patch,
    /// Drop the pre-release.
    Release,
    /// Start or continue a pre-release channel.
    Pre(Channel),
    /// What the Conventional Commits since the last release imply (`cargo
    /// bump auto`); below 1.0, cargo's rule demotes it one step.
    Auto(Option<Implied>),
}

/// What the user asked the version to become.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A named level.
    Level(Level),
    /// An explicit version.
    Version(Version),
    /// `none`: nothing to release (what `git changelog --bump` prints when
    /// no commit calls for one); no version changes.
    Nothing,
}

/// The accepted forms of a bump argument, for error messages.
pub const ACCEPTED_FORMS: &str = "major, minor, patch, release, alpha, beta, rc, none, or a SemVer version such as 1.2.3 or 2.0.0-rc.1+build.5";

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let level = match s {
            "major" => Level::Major,
            "minor" => Level::Minor,
            "patch" => Level::Patch,
            "release" => Level::Release,
            "auto" => Level::Auto(None),
            "none" => return Ok(Target::Nothing),
            other => match Channel::parse(other) {
                Some(channel) => Level::Pre(channel),
                None => {
                    let trimmed = s.strip_prefix('v').unwrap_or(s);
                    return Version::parse(trimmed).map(Target::Version).map_err(|e| {
                        format!("`{s}` is not a bump level or a version ({e}); expected {ACCEPTED_FORMS}")
                    });
                }
            },
        };
        Ok(Target::Level(level))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Level(Level::Major) => f.write_str("major"),
            Target::Level(Level::Minor) => f.write_str("minor"),
            Target::Level(Level::Patch) => f.write_str("patch"),
            Target::Level(Level::Release) => f.write_str("release"),
            Target::Level(Level::Pre(c)) => f.write_str(c.as_str()),
            Target::Level(Level::Auto(_)) => f.write_str("auto"),
            Target::Version(v) => write!(f, "{v}"),
            Target::Nothing => f.write_str("none"),
        }
    }
}

/// A complete bump request: the target plus `--pre` and `--build`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BumpSpec {
    /// Level or explicit version.
    pub target: Target,
    /// `--pre <channel>`, combined with major/minor/patch.
    pub pre: Option<Channel>,
    /// `--build <meta>`.
    pub build: Option<BuildMetadata>,
}

/// Why a bump cannot be applied to a version.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// `release` on a version that is not a pre-release.
    #[error("it is not a pre-release, so there is nothing to release")]
    NotPrerelease,
    /// Moving to an earlier pre-release channel would lower the version.
    #[error("`{to}` comes before `{from}`, so that would lower the version")]
    EarlierChannel {
        /// The current channel.
        from: &'static str,
        /// The requested channel.
        to: &'static str,
    },
    /// The current pre-release is not of the `alpha|beta|rc[.N]` form.
    #[error("its pre-release `{0}` is not of the form alpha.N, beta.N or rc.N")]
    UnknownPrerelease(String),
    /// `--pre` combined with something other than major/minor/patch.
    #[error("`--pre` goes with major, minor or patch, not with `{0}`")]
    PreWithoutLevel(String),
}

impl VersionError {
    /// What to do instead.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            VersionError::NotPrerelease => {
                "use `patch`, `minor` or `major` to make a new release".into()
            }
            VersionError::EarlierChannel { .. } => {
                "bump to a later channel, or give an explicit version with --allow-downgrade".into()
            }
            VersionError::UnknownPrerelease(_) => {
                "give an explicit version, e.g. `cargo bump 1.2.3-alpha.1`".into()
            }
            VersionError::PreWithoutLevel(_) => "e.g. `cargo bump minor --pre alpha`".into(),
        })
    }
}

/// The version `current` becomes under `spec`.
pub fn bump(current: &Version, spec: &BumpSpec) -> Result<Version, VersionError> {
    let mut next = match (&spec.target, spec.pre) {
        (Target::Version(v), None) => v.clone(),
        (Target::Level(level @ (Level::Major | Level::Minor | Level::Patch)), Some(channel)) => {
            let base = Version::new(current.major, current.minor, current.patch);
            let mut v = bump_level(&base, *level);
            v.pre = pre(channel, 1);
            v
        }
        (target, Some(_)) => return Err(VersionError::PreWithoutLevel(target.to_string())),
        (Target::Level(Level::Release), None) if current.pre.is_empty() => {
            return Err(VersionError::NotPrerelease);
        }
        (Target::Level(Level::Pre(channel)), None) => bump_pre(current, *channel)?,
        (Target::Level(Level::Auto(raw)), None) => {
            match auto_level(current, raw.unwrap_or_default()) {
                Some(level) => bump_level(current, level),
                None => current.clone(),
            }
        }
        (Target::Level(level), None) => bump_level(current, *level),
        (Target::Nothing, None) => current.clone(),
    };
    if let Some(build) = &spec.build {
        next.build = build.clone();
    }
    Ok(next)
}

/// major/minor/patch/release: reset lower fields, drop pre-release and build;
/// a pre-release of exactly that level is finished rather than skipped.
fn bump_level(v: &Version, level: Level) -> Version {
    let is_pre = !v.pre.is_empty();
    let (major, minor, patch) = (v.major, v.minor, v.patch);
    let finished = Version::new(major, minor, patch);
    match level {
        Level::Major if is_pre && minor == 0 && patch == 0 => finished,
        Level::Major => Version::new(major + 1, 0, 0),
        Level::Minor if is_pre && patch == 0 => finished,
        Level::Minor => Version::new(major, minor + 1, 0),
        Level::Patch if is_pre => finished,
        Level::Patch => Version::new(major, minor, patch + 1),
        Level::Release | Level::Pre(_) | Level::Auto(_) => finished,
    }
}

/// The level a raw Conventional Commits bump means for `current`.
fn auto_level(current: &Version, implied: Implied) -> Option<Level> {
    match implied.for_version(current) {
        Bump::None => None,
        Bump::Patch => Some(Level::Patch),
        Bump::Minor => Some(Level::Minor),
        Bump::Major => Some(Level::Major),
    }
}

fn bump_pre(v: &Version, channel: Channel) -> Result<Version, VersionError> {
    if v.pre.is_empty() {
        let mut next = Version::new(v.major, v.minor, v.patch + 1);
        next.pre = pre(channel, 1);
        return Ok(next);
    }
    let (current, number) = parse_pre(&v.pre)?;
    let n = match current.cmp(&channel) {
        std::cmp::Ordering::Equal => number.map_or(1, |n| n + 1),
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Greater => {
            return Err(VersionError::EarlierChannel {
                from: current.as_str(),
                to: channel.as_str(),
            });
        }
    };
    let mut next = Version::new(v.major, v.minor, v.patch);
    next.pre = pre(channel, n);
    Ok(next)
}

fn parse_pre(p: &Prerelease) -> Result<(Channel, Option<u64>), VersionError> {
    let unknown = || VersionError::UnknownPrerelease(p.to_string());
    let mut parts = p.as_str().split('.');
    let channel = parts.next().and_then(Channel::parse).ok_or_else(unknown)?;
    let number = match parts.next() {
        None => None,
        Some(n) => Some(n.parse::<u64>().map_err(|_| unknown())?),
    };
    if parts.next().is_some() {
        return Err(unknown());
    }
    Ok((channel, number))
}

fn pre(channel: Channel, n: u64) -> Prerelease {
    Prerelease::new(&format!("{}.{n}", channel.as_str())).expect("channel.N is a valid pre-release")
}

/// How far a version moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing to release.
    #[default]
    None,
    /// A fix.
    Patch,
    /// A feature.
    Minor,
    /// A breaking change.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor`, `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The bump a range of history implies, before it meets a version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Implied {
    /// The level before cargo's 0.x rule.
    pub raw: Bump,
    /// Below 1.0, a feature bumps minor (the `features-always-minor` setting).
    pub features_always_minor: bool,
    /// `raw` is the level itself, its 0.x rule already applied (a git-cliff
    /// configuration's `[bump]` rules decided it).
    pub exact: bool,
}

impl Implied {
    /// The level for a package at `current` (see [`for_version`]).
    pub fn for_version(self, current: &semver::Version) -> Bump {
        if self.exact {
            return self.raw;
        }
        for_version(self.raw, current, self.features_always_minor)
    }
}

/// A raw bump as it applies to `current`. Cargo's 0.x rule: below 1.0 a
/// breaking change is `minor` and a feature is `patch` (a feature is
/// `minor` when `features_minor_below_1` is set).
pub fn for_version(raw: Bump, current: &semver::Version, features_minor_below_1: bool) -> Bump {
    if current.major > 0 {
        return raw;
    }
    match raw {
        Bump::Major => Bump::Minor,
        Bump::Minor if !features_minor_below_1 => Bump::Patch,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(target: &str, pre: Option<Channel>, build: Option<&str>) -> BumpSpec {
        BumpSpec {
            target: target.parse().unwrap(),
            pre,
            build: build.map(|b| BuildMetadata::new(b).unwrap()),
        }
    }

    #[test]
    fn bump_table() {
        use Channel::*;
        let ok = [
            ("1.2.3", "major", None, None, "2.0.0"),
            ("1.2.3", "minor", None, None, "1.3.0"),
            ("1.2.3", "patch", None, None, "1.2.4"),
            ("1.2.3+b1", "patch", None, None, "1.2.4"),
            ("0.9.9", "minor", None, None, "0.10.0"),
            ("1.2.4-alpha.1", "patch", None, None, "1.2.4"),
            ("1.3.0-rc.1", "minor", None, None, "1.3.0"),
            ("1.3.1-rc.1", "minor", None, None, "1.4.0"),
            ("2.0.0-alpha.1", "major", None, None, "2.0.0"),
            ("2.1.0-alpha.1", "major", None, None, "3.0.0"),
            ("1.2.3", "alpha", None, None, "1.2.4-alpha.1"),
            ("1.2.3", "rc", None, None, "1.2.4-rc.1"),
            ("1.2.4-alpha.1", "alpha", None, None, "1.2.4-alpha.2"),
            ("1.2.4-alpha.9", "alpha", None, None, "1.2.4-alpha.10"),
            ("1.2.4-alpha", "alpha", None, None, "1.2.4-alpha.1"),
            ("1.2.4-alpha.3", "beta", None, None, "1.2.4-beta.1"),
            ("1.2.4-beta.2", "rc", None, None, "1.2.4-rc.1"),
            ("1.2.4-rc.1+b7", "release", None, None, "1.2.4"),
            ("1.2.3", "minor", Some(Alpha), None, "1.3.0-alpha.1"),
            ("1.2.3", "major", Some(Rc), None, "2.0.0-rc.1"),
            ("1.2.3", "patch", Some(Beta), None, "1.2.4-beta.1"),
            ("1.3.0-alpha.2", "minor", Some(Alpha), None, "1.4.0-alpha.1"),
            ("1.2.3", "minor", None, Some("build.5"), "1.3.0+build.5"),
            (
                "1.2.3",
                "2.0.0-rc.1+build.5",
                None,
                None,
                "2.0.0-rc.1+build.5",
            ),
            ("1.2.3", "v1.4.0", None, None, "1.4.0"),
            ("1.2.3", "1.0.0", None, None, "1.0.0"),
        ];
        for (current, raw, expected) in [
            ("1.2.3", Bump::Major, "2.0.0"),
            ("1.2.3", Bump::Minor, "1.3.0"),
            ("1.2.3", Bump::Patch, "1.2.4"),
            ("1.2.3", Bump::None, "1.2.3"),
            ("0.3.1", Bump::Major, "0.4.0"),
            ("0.3.1", Bump::Minor, "0.3.2"),
        ] {
            let spec = BumpSpec {
                target: Target::Level(Level::Auto(Some(Implied {
                    raw,
                    features_always_minor: false,
                    exact: false,
                }))),
                pre: None,
                build: None,
            };
            let got = bump(&Version::parse(current).unwrap(), &spec).unwrap();
            assert_eq!(got, Version::parse(expected).unwrap(), "{current} {raw:?}");
        }
        for (current, target, pre, build, expected) in ok {
            let got = bump(&Version::parse(current).unwrap(), &spec(target, pre, build));
            assert_eq!(
                got,
                Ok(Version::parse(expected).unwrap()),
                "{current} {target} {pre:?}"
            );
        }
    }

    #[test]
    fn bump_errors() {
        let cases: [(&str, &str, Option<Channel>, VersionError); 5] = [
            ("1.2.3", "release", None, VersionError::NotPrerelease),
            (
                "1.2.4-beta.1",
                "alpha",
                None,
                VersionError::EarlierChannel {
                    from: "beta",
                    to: "alpha",
                },
            ),
            (
                "1.2.4-dev.1",
                "alpha",
                None,
                VersionError::UnknownPrerelease("dev.1".into()),
            ),
            (
                "1.2.3",
                "release",
                Some(Channel::Alpha),
                VersionError::PreWithoutLevel("release".into()),
            ),
            (
                "1.2.3",
                "rc",
                Some(Channel::Alpha),
                VersionError::PreWithoutLevel("rc".into()),
            ),
        ];
        for (current, target, pre, expected) in cases {
            let got = bump(&Version::parse(current).unwrap(), &spec(target, pre, None));
            assert_eq!(got, Err(expected), "{current} {target}");
        }
    }

    #[test]
    fn target_parse_errors_list_accepted_forms() {
        let err = "mayor".parse::<Target>().unwrap_err();
        assert!(err.contains("`mayor`"), "{err}");
        assert!(err.contains(ACCEPTED_FORMS), "{err}");
        assert!("1.2".parse::<Target>().is_err());
    }
}
