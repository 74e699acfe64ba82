//! Publishing: `cargo package` verifies every package to publish in one
//! run (so nothing is uploaded when one of them would not build; not
//! built again when `cargo verify-install` built and checked exactly
//! these sources), then
//! each `.crate` cargo verified is uploaded in order. An upload answered
//! with 429, 5xx or a dropped connection is retried with backoff (the
//! server's `Retry-After` honoured); a version that shows up in the index
//! meanwhile counts as published. Before a dependent goes up, the upload
//! it needs must be visible in the index.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use semver::Version;

use super::plan::Step;
use crate::error::{Error, Result};
use crate::registry::http::{Client, Reply, Retry};
use crate::registry::index::Index;
use crate::registry::upload::Upload;
use crate::term::Shell;
use crate::verify_install::package::{cargo, crate_file};
use crate::verify_install::process;

/// What happened to one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Uploaded now (`attempts` tries).
    Published {
        /// Tries it took.
        attempts: u32,
        /// Whether an upload that seemed to fail had gone through.
        found_in_index: bool,
    },
    /// The upload failed for good.
    Failed(String),
    /// Not tried: an earlier one failed.
    NotAttempted,
}

/// The packages to publish, made into `.crate` files once: without
/// cargo's verification build when `cargo verify-install` already built
/// and checked exactly these sources (every `.crate` holds the sources it
/// recorded as verified in `target_dir`), else with it ([`verify`]).
///
/// # Errors
/// As [`verify`].
pub fn package_once(
    root_manifest: &Path,
    packages: &[(&str, &Version)],
    (registry_args, target_dir): (&[String], &Path),
    allow_dirty: bool,
    shell: &Shell,
) -> Result<()> {
    let names: Vec<&str> = packages.iter().map(|(n, _)| *n).collect();
    if verified_before(
        root_manifest,
        packages,
        (registry_args, target_dir),
        allow_dirty,
    ) {
        shell.status(
            "Verified",
            format_args!(
                "{}: the sources `cargo verify-install` built and checked (not built again)",
                names.join(", ")
            ),
        );
        return Ok(());
    }
    verify(root_manifest, &names, registry_args, allow_dirty, shell)
}

/// Whether `cargo package --no-verify` makes, for every package, a
/// `.crate` whose sources `cargo verify-install` verified.
fn verified_before(
    root_manifest: &Path,
    packages: &[(&str, &Version)],
    (registry_args, target_dir): (&[String], &Path),
    allow_dirty: bool,
) -> bool {
    let cache = crate::verify_install::install::Cache::new(target_dir);
    let recorded = packages
        .iter()
        .all(|(n, v)| cache.verified(n, &v.to_string()).is_some());
    if !recorded {
        return false;
    }
    let mut cmd = Command::new(cargo());
    cmd.args([
        "package",
        "--no-verify",
        "--quiet",
        "--color",
        "never",
        "--manifest-path",
    ])
    .arg(root_manifest)
    .args(registry_args);
    for (n, _) in packages {
        cmd.args(["-p", n]);
    }
    if allow_dirty {
        cmd.arg("--allow-dirty");
    }
    let packaged = process::run(&mut cmd, Duration::from_secs(3600)).is_ok_and(|o| o.success());
    packaged
        && packages.iter().all(|(n, v)| {
            let version = v.to_string();
            let file = crate_file(target_dir, n, v);
            crate::verify_install::install::sources_digest(&file, n, &version).ok()
                == cache.verified(n, &version)
        })
}

/// `cargo package` of `names`, verifying each (cargo builds them against
/// each other through a temporary local registry).
///
/// # Errors
/// cargo failed: which package, its output, and that nothing was uploaded.
pub fn verify(
    root_manifest: &Path,
    names: &[&str],
    registry_args: &[String],
    allow_dirty: bool,
    shell: &Shell,
) -> Result<()> {
    let mut cmd = Command::new(cargo());
    cmd.args(["package", "--color", "never", "--manifest-path"])
        .arg(root_manifest)
        .args(registry_args);
    for n in names {
        cmd.args(["-p", n]);
    }
    if allow_dirty {
        cmd.arg("--allow-dirty");
    }
    let label = format!("{} (cargo package)", names.join(", "));
    if !shell.progress_allowed() {
        shell.status("Verifying", &label);
    }
    let limit = Duration::from_secs(6 * 3600);
    let out = crate::term::with_spinner(shell.progress_allowed(), &label, || {
        process::run(&mut cmd, limit)
    })?;
    if out.success() {
        shell.verbose("Verified", out.output());
        return Ok(());
    }
    let output = out.output();
    let culprit = failing_package(&output).unwrap_or_else(|| names.join(", "));
    Err(Error::Command {
        program: "cargo package".into(),
        message: format!("verification of {culprit} failed; nothing was uploaded"),
        output,
        help: Some("fix it, then run `cargo ship crates` again".into()),
    })
}

/// The package cargo was working on when it failed: the last `Verifying`
/// or `Packaging` line before the first error.
fn failing_package(output: &str) -> Option<String> {
    let before = output.split("\nerror").next().unwrap_or(output);
    before.lines().rev().find_map(|l| {
        let l = l.trim_start();
        let rest = l
            .strip_prefix("Verifying ")
            .or_else(|| l.strip_prefix("Packaging "))?;
        Some(format!(
            "`{}`",
            rest.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        ))
    })
}

/// Uploads against one registry.
pub struct Uploader<'a> {
    /// The index, to look for uploads that went through and to wait on.
    pub index: &'a Index,
    /// The token to publish with.
    pub token: &'a crate::registry::Token,
    /// The client.
    pub client: &'a Client,
    /// The retry rule.
    pub retry: Retry,
    /// How long an upload may take to show in the index.
    pub wait: Duration,
    /// Where cargo wrote the `.crate` files.
    pub target_dir: &'a Path,
    /// Output.
    pub shell: &'a Shell,
}

impl Uploader<'_> {
    /// Upload `step`'s verified `.crate`, with retries.
    ///
    /// # Errors
    /// The `.crate` cannot be read, or the registry has no token or API.
    pub fn upload(&self, step: &Step) -> Result<Outcome> {
        let registry = &self.index.registry;
        let token = self.token;
        let file = crate_file(self.target_dir, &step.name, &step.version);
        let up = Upload::read(&file, &step.name, &step.version.to_string(), registry)?;
        let body = up.body();
        let url = format!("{}/api/v1/crates/new", self.api()?.trim_end_matches('/'));
        let what = format!("{} v{}", step.name, step.version);
        self.shell.status("Uploading", &what);
        let mut attempt = 1;
        loop {
            let failure = match self.client.put(&url, token, &body) {
                Ok(reply) if reply.status == 200 => match registry_errors(&reply) {
                    None => {
                        return Ok(Outcome::Published {
                            attempts: attempt,
                            found_in_index: false,
                        });
                    }
                    Some(e) => return Ok(Outcome::Failed(self.redact(&e))),
                },
                Ok(reply) if reply.transient() => {
                    (format!("HTTP {}", reply.status), reply.retry_after)
                }
                Ok(reply) => {
                    let e = registry_errors(&reply).unwrap_or_else(|| reply.text());
                    let e = format!("HTTP {}: {}", reply.status, self.redact(&e));
                    return Ok(Outcome::Failed(e));
                }
                Err(e) => (e, None),
            };
            if self.index.has(&step.name, &step.version).unwrap_or(false) {
                return Ok(Outcome::Published {
                    attempts: attempt,
                    found_in_index: true,
                });
            }
            if attempt >= self.retry.attempts {
                let tries = crate::text::count(attempt as usize, "attempt", "attempts");
                let e = format!("{} (after {tries})", failure.0);
                return Ok(Outcome::Failed(e));
            }
            attempt += 1;
            let delay = self.retry.delay(attempt, failure.1);
            self.shell.warn(format_args!(
                "upload of {what} failed: {}; retrying in {} (attempt {attempt} of {})",
                failure.0,
                seconds(delay),
                self.retry.attempts
            ));
            std::thread::sleep(delay);
        }
    }

    /// Wait until `name`@`version` is in the index; `false` when the wait
    /// ran out.
    pub fn wait_visible(&self, name: &str, version: &Version) -> bool {
        let start = Instant::now();
        let mut pause = Duration::from_millis(100);
        let mut said = false;
        loop {
            if self.index.has(name, version).unwrap_or(false) {
                return true;
            }
            if start.elapsed() >= self.wait {
                return false;
            }
            if !said {
                self.shell.status(
                    "Waiting",
                    format_args!(
                        "for {name} v{version} to show in the index (up to {})",
                        seconds(self.wait)
                    ),
                );
                said = true;
            }
            std::thread::sleep(pause.min(self.wait.saturating_sub(start.elapsed())));
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    fn api(&self) -> Result<&str> {
        self.index.config.api.as_deref().ok_or_else(|| {
            self.index.error(
                "its config.json names no `api`: it does not take uploads".into(),
                "publish to a registry with an API".into(),
            )
        })
    }

    /// `text` without the token in it, should a server echo it.
    fn redact(&self, text: &str) -> String {
        match self.token.expose() {
            "" => text.to_string(),
            t => text.replace(t, "***"),
        }
    }
}

/// The error of a registry with no token to publish with.
pub fn no_token(index: &Index) -> Error {
    let mut message = "no token is configured to publish".to_string();
    if let Some(p) = &index.registry.provider {
        message.push_str(&format!(
            " (the credential provider `{p}` is not read by cargo ship; cargo:token and cargo:token-from-stdout are)"
        ));
    }
    index.error(message, index.token_help())
}

/// The `errors` a registry put in its JSON answer, joined.
fn registry_errors(reply: &Reply) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&reply.body).ok()?;
    let errors = v.get("errors")?.as_array()?;
    let details: Vec<String> = errors
        .iter()
        .filter_map(|e| e.get("detail").and_then(|d| d.as_str()))
        .map(crate::text::sanitize)
        .collect();
    (!details.is_empty()).then(|| details.join("; "))
}

/// A duration in seconds for messages: `1s`, `0.5s`.
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failing_package_is_the_last_one_cargo_named() {
        let out = "   Packaging a v0.1.0 (/w/a)\n   Packaging c v0.1.0 (/w/c)\n   Verifying a v0.1.0 (/w/a)\n   Verifying c v0.1.0 (/w/c)\n   Compiling c v0.1.0\nerror[E0425]: cannot find value `x`\nerror: failed to verify package tarball";
        assert_eq!(failing_package(out).as_deref(), Some("`c v0.1.0`"));
        assert_eq!(failing_package("error: boom"), None);
    }

    #[test]
    fn registry_errors_are_read_from_json() {
        let r = |body: &str| Reply {
            status: 200,
            retry_after: None,
            body: body.as_bytes().to_vec(),
            headers: Vec::new(),
        };
        assert_eq!(
            registry_errors(&r(
                r#"{"errors":[{"detail":"crate exists"},{"detail":"x"}]}"#
            ))
            .as_deref(),
            Some("crate exists; x")
        );
        assert_eq!(registry_errors(&r("")), None);
        assert_eq!(registry_errors(&r(r#"{"warnings":{}}"#)), None);
    }

    #[test]
    fn seconds_read_well() {
        assert_eq!(seconds(Duration::from_secs(3)), "3s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
    }
}
