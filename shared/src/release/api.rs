//! The API decides too: `cargo semver-checks` against a package's last
//! release tag says which bump its public API needs; when the commits
//! claimed less, the level is raised and the reason says so.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};
use crate::version::Bump;

/// What `cargo semver-checks` found for one package.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ApiVerdict {
    /// The change kind the API needs (`Major` for a breaking change, also
    /// below 1.0), `None` when nothing is required.
    pub needs: Bump,
    /// The failed checks (`function_missing`, …).
    pub failed: Vec<String>,
}

impl ApiVerdict {
    /// `API: 2 breaking changes (function_missing, …) — commits said patch`.
    pub fn reason(&self, commits_said: Bump) -> String {
        let kind = match self.needs {
            Bump::Major => "breaking",
            _ => "minor",
        };
        let names = if self.failed.len() > 3 {
            format!("{}, …", self.failed[..3].join(", "))
        } else {
            self.failed.join(", ")
        };
        format!(
            "API: {} {kind} {} ({names}) — commits said {}",
            self.failed.len(),
            if self.failed.len() == 1 {
                "change"
            } else {
                "changes"
            },
            commits_said.as_str()
        )
    }
}

/// Run `cargo semver-checks check-release` for `package` of the workspace
/// at `manifest` against the release tag `baseline`.
///
/// # Errors
/// cargo-semver-checks is not installed, or cannot check the package.
pub fn check(
    manifest: &Path,
    package: &str,
    version: &semver::Version,
    baseline: &str,
) -> Result<ApiVerdict> {
    let mut cmd = Command::new("cargo-semver-checks");
    cmd.args([
        "semver-checks",
        "check-release",
        "--color",
        "never",
        "--release-type",
        "patch",
        "--manifest-path",
    ])
    .arg(manifest)
    .args(["-p", package, "--baseline-rev", baseline]);
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Conflict {
                message: "--check-api needs cargo-semver-checks, which is not installed".into(),
                help: "install it: cargo install --locked cargo-semver-checks".into(),
            }
        } else {
            Error::io("run", "cargo-semver-checks", e)
        }
    })?;
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&text, version, out.status.success()).ok_or_else(|| Error::Command {
        program: "cargo semver-checks".into(),
        message: format!("could not check the API of `{package}` against {baseline}"),
        output: text,
        help: Some(
            "run the same `cargo semver-checks check-release` to see why, or drop --check-api"
                .into(),
        ),
    })
}

/// The verdict in cargo-semver-checks' output; `None` when it failed
/// without one.
fn parse(text: &str, version: &semver::Version, success: bool) -> Option<ApiVerdict> {
    let failed: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .filter_map(|l| l.split(':').next())
        .map(|s| s.trim().to_string())
        .collect();
    let summary = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Summary semver requires new "));
    let required = match summary {
        Some(s) if s.starts_with("major") => Some(Bump::Major),
        Some(s) if s.starts_with("minor") => Some(Bump::Minor),
        Some(_) => None,
        None if success => return Some(ApiVerdict::default()),
        None => return None,
    };
    // Below 1.0 a new minor version is cargo's breaking release.
    let needs = match (required, version.major) {
        (Some(_), 0) | (Some(Bump::Major), _) => Bump::Major,
        (Some(b), _) => b,
        (None, _) => Bump::None,
    };
    Some(ApiVerdict { needs, failed })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BREAKING: &str = "     Checking lib v1.2.0 -> v1.2.0 (assume patch)\n     Checked [   0.0s] 180 checks: 178 pass, 2 fail, 0 warn, 0 skip\n\n--- failure function_missing: pub fn removed or renamed ---\n\n--- failure function_parameter_count_changed: pub fn parameter count changed ---\n\n     Summary semver requires new major version: 2 major and 0 minor checks failed\n";

    #[test]
    fn verdicts_from_the_output() {
        let v1 = semver::Version::new(1, 2, 0);
        let v0 = semver::Version::new(0, 3, 1);
        let got = parse(BREAKING, &v1, false).unwrap();
        assert_eq!(got.needs, Bump::Major);
        assert_eq!(
            got.failed,
            ["function_missing", "function_parameter_count_changed"]
        );
        assert_eq!(
            got.reason(Bump::Patch),
            "API: 2 breaking changes (function_missing, function_parameter_count_changed) — commits said patch"
        );
        let minor = "--- failure pub_module_level_const_missing: x ---\n Summary semver requires new minor version: 0 major and 1 minor checks failed";
        assert_eq!(parse(minor, &v1, false).unwrap().needs, Bump::Minor);
        assert_eq!(
            parse(minor, &v0, false).unwrap().needs,
            Bump::Major,
            "0.x: a new minor version is breaking"
        );
        let clean = "     Checked [   0.0s] 180 checks: 180 pass, 0 fail\n     Summary no semver update required\n";
        assert_eq!(parse(clean, &v1, true).unwrap().needs, Bump::None);
        assert_eq!(parse("error: failed to build", &v1, false), None);
    }
}
