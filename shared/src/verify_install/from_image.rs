//! `--from image REF|FILE.tar`: a container image run with podman or
//! docker (whichever is installed; `CRATESMITH_CONTAINER_ENGINE` names
//! another, with its global flags, and `CRATESMITH_CONTAINER_RUN_ARGS` adds
//! flags to each `run`). An archive is loaded, a reference pulled; then
//! the image must run as a non-root user, its entrypoint's `--version`
//! must print the version of its `org.opencontainers.image.version` label
//! as a whole token, `--help` must work, and the package's smoke commands
//! (when run inside its workspace) must pass inside the container.

use std::path::Path;
use std::process::Command;

use super::binaries::has_version;
use super::probe::{Settings, judge};
use super::process::{self, Outcome};
use super::report::Status;
use super::run::{CARGO_LIMIT, Run, timed};
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// The container engine: its program and global flags.
#[derive(Clone, Debug)]
struct Engine {
    words: Vec<String>,
    run_args: Vec<String>,
}

impl Engine {
    /// `$CRATESMITH_CONTAINER_ENGINE`, else podman, else docker.
    fn find() -> Result<Engine> {
        let words_of = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.split_whitespace().map(String::from).collect::<Vec<_>>())
                .filter(|w| !w.is_empty())
        };
        let run_args = words_of("CRATESMITH_CONTAINER_RUN_ARGS").unwrap_or_default();
        if let Some(words) = words_of("CRATESMITH_CONTAINER_ENGINE") {
            return Ok(Engine { words, run_args });
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        for name in ["podman", "docker"] {
            if std::env::split_paths(&path).any(|d| d.join(name).is_file()) {
                return Ok(Engine {
                    words: vec![name.to_string()],
                    run_args,
                });
            }
        }
        Err(Error::Conflict {
            message: "--from image needs podman or docker, and neither is installed".into(),
            help:
                "install podman (apt-get install podman) or docker, or set CRATESMITH_CONTAINER_ENGINE"
                    .into(),
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.words[0]);
        cmd.args(&self.words[1..]).args(args);
        cmd
    }

    fn is_podman(&self) -> bool {
        self.words[0].ends_with("podman")
    }
}

impl Run<'_> {
    pub(super) fn image(&mut self, what: &str) -> Result<()> {
        let engine = Engine::find()?;
        let label = "image".to_string();
        self.report.fit([label.as_str()]);
        let Some(image) = self.obtain(&engine, what)? else {
            return Ok(());
        };
        let config = inspect(&engine, &image)?;
        let user = config["User"].as_str().unwrap_or("").to_string();
        let uid = user.split(':').next().unwrap_or("");
        let (status, detail) = if uid.is_empty() || uid == "0" || uid == "root" {
            (Status::Fail, format!("runs as root (User `{user}`)"))
        } else {
            (Status::Pass, format!("User {user}"))
        };
        self.add(&label, "non-root user", status, detail, 0);
        let version = config["Labels"]["org.opencontainers.image.version"]
            .as_str()
            .and_then(|v| semver::Version::parse(v).ok());
        let title = config["Labels"]["org.opencontainers.image.title"]
            .as_str()
            .unwrap_or("")
            .to_string();
        self.probe(&engine, &image, &label, version.as_ref())?;
        self.smokes(&engine, &image, &label, &title)
    }

    /// Load the archive or pull the reference; the image's name or ID.
    fn obtain(&mut self, engine: &Engine, what: &str) -> Result<Option<String>> {
        let file = Path::new(what);
        let (check, mut cmd) = if file.is_file() {
            ("load", engine.command(&["load", "-i", what]))
        } else {
            let mut c = engine.command(&["pull"]);
            if engine.is_podman() && loopback(what) {
                c.arg("--tls-verify=false");
            }
            c.arg(what);
            ("pull", c)
        };
        let (out, ms) = timed(|| process::run(&mut cmd, CARGO_LIMIT));
        let out = out?;
        if !out.success() {
            let detail = super::run::last_error_line(&out);
            self.add_with("image", check, Status::Fail, detail, ms, Some(out.output()));
            return Ok(None);
        }
        let image = if check == "load" {
            loaded_name(&out.stdout).or_else(|| loaded_name(&out.stderr))
        } else {
            Some(what.to_string())
        };
        let Some(image) = image else {
            self.add_with(
                "image",
                check,
                Status::Fail,
                "the engine named no loaded image".into(),
                ms,
                Some(out.output()),
            );
            return Ok(None);
        };
        self.add("image", check, Status::Pass, image.clone(), ms);
        Ok(Some(image))
    }

    /// `--version` and `--help` of the entrypoint, in a container.
    fn probe(
        &mut self,
        engine: &Engine,
        image: &str,
        label: &str,
        version: Option<&semver::Version>,
    ) -> Result<()> {
        let (out, ms) = self.in_container(engine, image, None, &["--version"], &[])?;
        let text = out.stdout.trim().to_string();
        let (status, detail) = match (out.success(), version) {
            (false, _) => (Status::Fail, super::run::last_error_line(&out)),
            (true, None) => (
                Status::Fail,
                "no org.opencontainers.image.version label to check against".into(),
            ),
            (true, Some(v)) if has_version(&text, v) => (
                Status::Pass,
                crate::text::sanitize(text.lines().next().unwrap_or("")),
            ),
            (true, Some(v)) => (
                Status::Fail,
                format!(
                    "prints `{}`, not {v}",
                    crate::text::sanitize(text.lines().next().unwrap_or(""))
                ),
            ),
        };
        self.add_with(
            label,
            "entrypoint --version",
            status,
            detail,
            ms,
            Some(out.output()),
        );
        let (out, ms) = self.in_container(engine, image, None, &["--help"], &[])?;
        let (status, detail) = if out.success() {
            (
                Status::Pass,
                crate::text::count(out.stdout.lines().count(), "line", "lines"),
            )
        } else {
            (Status::Fail, super::run::last_error_line(&out))
        };
        self.add_with(
            label,
            "entrypoint --help",
            status,
            detail,
            ms,
            Some(out.output()),
        );
        Ok(())
    }

    /// The smoke commands of the workspace member named `title`, each run
    /// in a container with its program as the entrypoint.
    fn smokes(&mut self, engine: &Engine, image: &str, label: &str, title: &str) -> Result<()> {
        let Ok(ws) = Workspace::load(self.opts.manifest_path.as_deref()) else {
            return Ok(());
        };
        let Some(m) = ws.members.iter().find(|m| m.name == title) else {
            return Ok(());
        };
        let settings = Settings::load(&m.manifest_path)?;
        for smoke in &settings.smoke {
            let Some((program, args)) = smoke.command.split_first() else {
                continue;
            };
            let entry = format!("/usr/local/bin/{program}");
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (out, ms) = self.in_container(engine, image, Some(&entry), &args, &smoke.env)?;
            let (status, detail) = match judge(smoke, &out) {
                Ok(d) => (Status::Pass, d),
                Err(d) => (Status::Fail, d),
            };
            let check = format!("smoke: {}", smoke.command.join(" "));
            self.add_with(label, &check, status, detail, ms, Some(out.output()));
        }
        Ok(())
    }

    fn in_container(
        &self,
        engine: &Engine,
        image: &str,
        entrypoint: Option<&str>,
        args: &[&str],
        env: &[(String, String)],
    ) -> Result<(Outcome, u64)> {
        let mut cmd = engine.command(&["run", "--rm"]);
        cmd.args(&engine.run_args);
        if let Some(e) = entrypoint {
            cmd.arg("--entrypoint").arg(e);
        }
        for (k, v) in env {
            cmd.arg("--env").arg(format!("{k}={v}"));
        }
        cmd.arg(image).args(args);
        let (out, ms) = timed(|| process::run(&mut cmd, self.opts.timeout));
        Ok((out?, ms))
    }
}

/// The image's config (`User`, `Entrypoint`, `Labels`), as the engine
/// reports it.
fn inspect(engine: &Engine, image: &str) -> Result<serde_json::Value> {
    let mut cmd = engine.command(&["image", "inspect", "--format", "{{json .Config}}", image]);
    let out = process::run(&mut cmd, CARGO_LIMIT)?;
    if !out.success() {
        return Err(Error::Command {
            program: format!("{} image inspect", engine.words[0]),
            message: format!("cannot inspect `{image}`"),
            output: out.output(),
            help: None,
        });
    }
    serde_json::from_str(out.stdout.trim()).map_err(|e| Error::Command {
        program: format!("{} image inspect", engine.words[0]),
        message: format!("unreadable config: {e}"),
        output: out.output(),
        help: None,
    })
}

/// `Loaded image: NAME` (or `Loaded image(s): NAME`, `Loaded image ID: …`).
fn loaded_name(text: &str) -> Option<String> {
    text.lines().rev().find_map(|l| {
        let (_, rest) = l.split_once("Loaded image")?;
        let name = rest.split_once(':')?.1.trim();
        let name = name.split(',').next()?.trim();
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// Whether a reference's registry is a loopback address.
fn loopback(reference: &str) -> bool {
    let host = reference.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_names_from_podman_and_docker() {
        assert_eq!(
            loaded_name("Getting image source signatures\nLoaded image: localhost/app:1.0\n")
                .as_deref(),
            Some("localhost/app:1.0")
        );
        assert_eq!(
            loaded_name("Loaded image(s): localhost/app:1.0,localhost/app:latest").as_deref(),
            Some("localhost/app:1.0")
        );
        assert_eq!(
            loaded_name("Loaded image ID: sha256:abc").as_deref(),
            Some("sha256:abc")
        );
        assert_eq!(loaded_name("nothing"), None);
    }

    #[test]
    fn loopback_references() {
        assert!(loopback("127.0.0.1:5000/app:1"));
        assert!(loopback("localhost/app"));
        assert!(!loopback("ghcr.io/app"));
    }
}
