//! `cargo ship image` and `cargo verify-install --from image`: images of
//! cratesmith's own binaries (built statically here) run with podman, pushed
//! to a real registry on 127.0.0.1 and pulled back; multi-platform
//! indexes; reproducibility; refusals.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Output;

use cratesmith_shared::oci::elf;
use cratesmith_tests::container::{self, podman, podman_run};
use cratesmith_tests::proxy::Proxy;
use cratesmith_tests::{command, cratesmith_write};

const TOOLS: [&str; 5] = [
    "cargo-ship",
    "cargo-bump",
    "git-changelog",
    "cargo-artifact-sum",
    "cargo-verify-install",
];

/// The packages that hold [`TOOLS`], in the same order.
const PACKAGES: [&str; 5] = [
    "cratesmith-ship",
    "cratesmith-bump",
    "cratesmith-changelog",
    "cratesmith-artifact-sum",
    "cratesmith-verify-install",
];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cratesmith_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo ship image` of cratesmith's five binaries from `target`.
fn ship_cratesmith(target: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "ship",
        "image",
        "--profile",
        "dev",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--format",
        "json",
    ];
    for p in PACKAGES {
        args.extend(["-p", p]);
    }
    args.extend(extra);
    command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(&args)
        .current_dir(cratesmith_root())
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

fn verify_image(what: &str) -> Output {
    let bin = cratesmith_tests::built_binaries(&["cargo-verify-install"]).remove(0);
    command(&bin)
        .args([
            "verify-install",
            "--from",
            "image",
            what,
            "--format",
            "json",
        ])
        .current_dir(cratesmith_root())
        .env("CRATESMITH_CONTAINER_ENGINE", container::ENGINE)
        .env("CRATESMITH_CONTAINER_RUN_ARGS", container::RUN_ARGS)
        .output()
        .unwrap()
}

fn checks(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["check"].as_str().unwrap(),
                c["status"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_image_of_cratesmith_runs_with_podman_as_non_root_and_is_reproducible() {
    if !container::available() {
        return;
    }
    let target = container::static_cratesmith();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    let tag = "cratesmith-test:ci";
    let first = json(&ship_cratesmith(
        &target,
        &["-o", a.to_str().unwrap(), "--tag", tag],
    ));
    let second = json(&ship_cratesmith(
        &target,
        &["-o", b.to_str().unwrap(), "--tag", tag],
    ));
    assert_eq!(
        first["digest"], second["digest"],
        "the same inputs, another digest"
    );
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let bins: Vec<&str> = first["platforms"][0]["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(bins, TOOLS);

    let load = podman(&["load", "-i", a.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(load.status.success(), "{}", text(&load.stderr));
    let run = podman_run(&[tag, "--version"]).output().unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout).trim(),
        format!("cargo-ship {} (cratesmith-ship)", env!("CARGO_PKG_VERSION"))
    );
    let other = podman_run(&[
        "--entrypoint",
        "/usr/local/bin/cargo-artifact-sum",
        tag,
        "--version",
    ])
    .output()
    .unwrap();
    assert!(
        text(&other.stdout).starts_with("cargo-artifact-sum "),
        "{}",
        text(&other.stderr)
    );
    let inspect = podman(&["image", "inspect", tag, "--format", "{{json .Config}}"])
        .output()
        .unwrap();
    let config: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(config["User"], "65532:65532");
    assert_eq!(config["Entrypoint"][0], "/usr/local/bin/cargo-ship");
    let labels = &config["Labels"];
    assert_eq!(
        labels["org.opencontainers.image.version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(labels["org.opencontainers.image.title"], "cratesmith-ship");
    assert_eq!(
        labels["org.opencontainers.image.licenses"],
        "MIT OR Apache-2.0"
    );
    assert_eq!(
        labels["org.opencontainers.image.source"],
        "https://github.com/cratesmith/cratesmith"
    );
    assert_eq!(
        labels["org.opencontainers.image.created"], "2026-11-22T00:00:00Z",
        "SOURCE_DATE_EPOCH"
    );

    let verify = verify_image(a.to_str().unwrap());
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    let got = checks(&verify);
    for want in [
        "smoke: cargo-ship ship image --help pass",
        "load pass",
        "non-root user pass",
        "entrypoint --version pass",
        "entrypoint --help pass",
    ] {
        assert!(got.iter().any(|c| c == want), "{want} not in {got:?}");
    }
    let _ = podman(&["rmi", "-f", tag]).output();
}

#[test]
fn an_image_is_pushed_with_docker_config_credentials_and_pulled_back() {
    if !container::available() {
        return;
    }
    let Some(registry) = container::Registry::start() else {
        return;
    };
    let target = container::static_cratesmith();
    let proxy = Proxy::start(cratesmith_tests::registry::free_port(), registry.port);
    let host = format!("127.0.0.1:{}", proxy.port);
    let docker = tempfile::tempdir().unwrap();
    cratesmith_write(
        &docker.path().join("config.json"),
        format!("{{\"auths\": {{\"{host}\": {{\"auth\": \"Y2k6czNjcmV0LXB3\"}}}}}}").as_bytes(),
    );
    let reference = format!("{host}/cratesmith/tools:ci");
    let mut args = vec![
        "ship",
        "image",
        "--profile",
        "dev",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--push",
        reference.as_str(),
    ];
    for p in PACKAGES {
        args.extend(["-p", p]);
    }
    let out = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(&args)
        .current_dir(cratesmith_root())
        .env("CARGO_TARGET_DIR", &target)
        .env("DOCKER_CONFIG", docker.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{all}");
    assert!(
        !all.contains("czNjcmV0") && !all.contains("s3cret"),
        "credentials printed: {all}"
    );
    assert!(
        all.contains(&format!("Pushed {reference}@sha256:")),
        "{all}"
    );
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|s| s.method == "PUT" && s.path.contains("/manifests/ci"))
    );
    assert!(
        seen.iter()
            .all(|s| s.authorization.as_deref() == Some("Basic Y2k6czNjcmV0LXB3"))
    );

    let pull = podman(&["pull", "--tls-verify=false", &reference])
        .output()
        .unwrap();
    assert!(pull.status.success(), "{}", text(&pull.stderr));
    let run = podman_run(&[&reference, "--version"]).output().unwrap();
    assert_eq!(
        text(&run.stdout).trim(),
        format!("cargo-ship {} (cratesmith-ship)", env!("CARGO_PKG_VERSION"))
    );
    let verify = verify_image(&reference);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    let _ = podman(&["rmi", "-f", &reference]).output();

    // A second push finds every blob there: only the manifest is put again.
    let again = command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args(&args)
        .current_dir(cratesmith_root())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    let blob_puts = proxy
        .seen()
        .iter()
        .filter(|s| s.method == "PUT" && s.path.contains("/blobs/"))
        .count();
    assert_eq!(blob_puts, 2, "layer and config once each");
}

/// A one-binary workspace with `tiny` built for the given triples
/// (minimal static ELF files for each machine).
fn tiny_workspace(triples: &[(&str, u16)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cratesmith_write(
        &root.join("Cargo.toml"),
        b"[package]\nname = \"tiny\"\nversion = \"1.4.2\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"\"\"A tiny\n  program\"\"\"\nrepository = \"https://example.com/tiny\"\n",
    );
    cratesmith_write(&root.join("src/main.rs"), b"fn main() {}\n");
    for (triple, machine) in triples {
        cratesmith_write(
            &root.join("target").join(triple).join("release/tiny"),
            &elf::minimal(*machine),
        );
    }
    dir
}

fn ship_tiny(dir: &Path, args: &[&str]) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args([&["ship", "image"], args].concat())
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn several_targets_make_a_multi_platform_index() {
    let ws = tiny_workspace(&[
        ("x86_64-unknown-linux-musl", 62),
        ("aarch64-unknown-linux-musl", 183),
    ]);
    let file = ws.path().join("multi.tar");
    let args = [
        "--target",
        "x86_64-unknown-linux-musl",
        "--target",
        "aarch64-unknown-linux-musl",
        "-o",
        "multi.tar",
        "--format",
        "json",
    ];
    let v = json(&ship_tiny(ws.path(), &args));
    assert_eq!(v["media_type"], "application/vnd.oci.image.index.v1+json");
    let platforms: Vec<&str> = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(
        v["labels"]["org.opencontainers.image.description"],
        "A tiny program"
    );
    let again = json(&ship_tiny(ws.path(), &args));
    assert_eq!(v["digest"], again["digest"]);
    if container::program("skopeo").is_none() {
        cratesmith_tests::missing("skopeo (apt-get install skopeo)");
        return;
    }
    let raw = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            &format!("oci-archive:{}", file.display()),
        ])
        .output()
        .unwrap();
    assert!(raw.status.success(), "{}", text(&raw.stderr));
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    let archs: Vec<(&str, &str)> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["platform"]["os"].as_str().unwrap(),
                m["platform"]["architecture"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(archs, [("linux", "amd64"), ("linux", "arm64")]);
}

#[test]
fn a_dynamically_linked_binary_is_refused_with_the_way_out() {
    let ws = tiny_workspace(&[]);
    let mut dynamic = elf::minimal(62);
    dynamic[64..68].copy_from_slice(&3u32.to_le_bytes()); // PT_INTERP
    cratesmith_write(&ws.path().join("target/release/tiny"), &dynamic);
    let out = ship_tiny(ws.path(), &["--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("is dynamically linked: the image has no libc or loader for it"),
        "{err}"
    );
    assert!(
        err.contains("-C target-feature=+crt-static") && err.contains("musl"),
        "{err}"
    );

    let wrong = tiny_workspace(&[("aarch64-unknown-linux-gnu", 62)]);
    let out = ship_tiny(
        wrong.path(),
        &["--target", "aarch64-unknown-linux-gnu", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is built for amd64, not linux/arm64/v8"),
        "{}",
        text(&out.stderr)
    );

    let out = ship_tiny(
        wrong.path(),
        &["--target", "x86_64-apple-darwin", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a Linux target"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_dry_run_shows_the_layout_and_writes_nothing() {
    let ws = tiny_workspace(&[]);
    cratesmith_write(&ws.path().join("target/release/tiny"), &elf::minimal(62));
    let out = ship_tiny(ws.path(), &["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "image tiny 1.4.2 (application/vnd.oci.image.manifest.v1+json)\n  digest      sha256:"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  entrypoint  /usr/local/bin/tiny\n  user        65532:65532\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    /usr/local/bin/tiny  120 bytes\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  label org.opencontainers.image.version=1.4.2\n"),
        "{stdout}"
    );
    assert!(!ws.path().join("target/image").exists());
}

#[test]
fn release_archives_are_checked_against_their_sums() {
    let ws = tiny_workspace(&[]);
    let dist = ws.path().join("dist");
    let stage = ws.path().join("stage/tiny-1.4.2-x86_64-unknown-linux-musl");
    cratesmith_write(&stage.join("tiny"), &elf::minimal(62));
    std::fs::create_dir_all(&dist).unwrap();
    let tar = std::process::Command::new("tar")
        .args([
            "czf",
            "../dist/tiny-1.4.2-x86_64-unknown-linux-musl.tar.gz",
            "tiny-1.4.2-x86_64-unknown-linux-musl",
        ])
        .current_dir(ws.path().join("stage"))
        .status()
        .unwrap();
    assert!(tar.success());
    let out = ship_tiny(ws.path(), &["--from-archives", "dist", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "no SUMS yet");
    assert!(
        text(&out.stderr).contains("not verified"),
        "{}",
        text(&out.stderr)
    );
    let sum = std::process::Command::new("sha256sum")
        .arg("tiny-1.4.2-x86_64-unknown-linux-musl.tar.gz")
        .current_dir(&dist)
        .output()
        .unwrap();
    cratesmith_write(&dist.join("SHA256SUMS"), &sum.stdout);
    let out = ship_tiny(
        ws.path(),
        &["--from-archives", "dist", "--dry-run", "--format", "json"],
    );
    let v = json(&out);
    assert_eq!(v["platforms"][0]["platform"], "linux/amd64");
    assert_eq!(
        v["platforms"][0]["from"],
        "tiny-1.4.2-x86_64-unknown-linux-musl.tar.gz"
    );
}

/// The blob `digest` (`sha256:…`) of an unpacked OCI layout.
fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    std::fs::read(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
}

#[test]
fn a_ca_bundle_is_carried_when_asked() {
    let ws = tiny_workspace(&[]);
    cratesmith_write(&ws.path().join("target/release/tiny"), &elf::minimal(62));
    cratesmith_write(
        &ws.path().join("ca.pem"),
        b"-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n",
    );
    let out = ship_tiny(ws.path(), &["--ca-certs", "ca.pem", "-o", "img.tar"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let layout = ws.path().join("layout");
    std::fs::create_dir_all(&layout).unwrap();
    let st = std::process::Command::new("tar")
        .arg("xf")
        .arg(ws.path().join("img.tar"))
        .current_dir(&layout)
        .status()
        .unwrap();
    assert!(st.success());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&blob(
        &layout,
        index["manifests"][0]["digest"].as_str().unwrap(),
    ))
    .unwrap();
    let config: serde_json::Value = serde_json::from_slice(&blob(
        &layout,
        manifest["config"]["digest"].as_str().unwrap(),
    ))
    .unwrap();
    let env: Vec<&str> = config["config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        env.contains(&"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"),
        "{env:?}"
    );
    let layer = layout.join("layer.tar.gz");
    cratesmith_write(
        &layer,
        &blob(&layout, manifest["layers"][0]["digest"].as_str().unwrap()),
    );
    let unpacked = layout.join("rootfs");
    std::fs::create_dir_all(&unpacked).unwrap();
    let st = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&layer)
        .current_dir(&unpacked)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(
        std::fs::read(unpacked.join("etc/ssl/certs/ca-certificates.crt")).unwrap(),
        std::fs::read(ws.path().join("ca.pem")).unwrap()
    );
    assert!(
        std::fs::read_to_string(unpacked.join("etc/passwd"))
            .unwrap()
            .contains("nonroot:x:65532:65532")
    );
}
