//! `cargo ship image` of cratesmith's five binaries, built statically, against
//! `tar` + `gzip -n` of the same files (the floor: one layer's work) and
//! `podman build --no-cache` of an equivalent `FROM scratch` Containerfile.
//! The binaries are the image tests' (`target/static-test`, dev profile
//! without debug info; built here when missing).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bump::sibling_binary;
use crate::generate::write;
use crate::timing::{flag, median, ms, time};

const TOOLS: [&str; 5] = [
    "cargo-ship",
    "cargo-bump",
    "git-changelog",
    "cargo-artifact-sum",
    "cargo-verify-install",
];
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// Time the three, interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 5)?;
    let target: PathBuf = flag(args, "--target-dir", PathBuf::from("target/static-test"))?;
    let bins = target.join(TRIPLE).join("debug");
    if TOOLS.iter().any(|t| !bins.join(t).is_file()) {
        build(&target)?;
    }
    let ship = sibling_binary("cargo-ship")?;
    let work = PathBuf::from("target/bench-data/image");
    let _ = std::fs::remove_dir_all(&work);
    let bins_abs = std::path::absolute(&bins).map_err(|e| e.to_string())?;
    let mut containerfile = String::from("FROM scratch\n");
    for t in TOOLS {
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        std::fs::copy(bins.join(t), work.join(t)).map_err(|e| e.to_string())?;
        containerfile.push_str(&format!("COPY {t} /usr/local/bin/{t}\n"));
    }
    containerfile.push_str("USER 65532:65532\nENTRYPOINT [\"/usr/local/bin/cargo-ship\"]\n");
    write(&work.join("Containerfile"), &containerfile)?;
    let out = std::path::absolute(work.join("image.tar")).map_err(|e| e.to_string())?;
    let mut ship_args = vec![
        "ship",
        "image",
        "--profile",
        "dev",
        "--target",
        TRIPLE,
        "-q",
        "-o",
    ];
    let out_s = out.to_string_lossy().into_owned();
    ship_args.push(&out_s);
    for t in TOOLS {
        ship_args.extend(["-p", t]);
    }
    let tar_gzip = format!(
        "tar cf - -C {} {} | gzip -n > {}/floor.tar.gz",
        bins_abs.display(),
        TOOLS.join(" "),
        work.display()
    );
    let same_level = tar_gzip.replace("gzip -n", "gzip -4 -n");
    let podman = "podman --runtime runc --cgroup-manager=cgroupfs build -q --no-cache -t cratesmith-bench:image .";
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let target_abs = std::path::absolute(&target).map_err(|e| e.to_string())?;
    for _ in 0..runs {
        a.push(timed_env(&ship, &ship_args, &target_abs)?);
        b.push(time(Path::new("."), "sh", &["-c", &tar_gzip])?);
        c.push(time(&work, "sh", &["-c", podman])?);
        d.push(time(Path::new("."), "sh", &["-c", &same_level])?);
    }
    let _ = Command::new("podman")
        .args(["rmi", "-f", "cratesmith-bench:image"])
        .output();
    let (a, b, c, d) = (
        median(&mut a),
        median(&mut b),
        median(&mut c),
        median(&mut d),
    );
    let size: u64 = TOOLS
        .iter()
        .filter_map(|t| std::fs::metadata(bins.join(t)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "cargo ship image of cratesmith's 5 static binaries ({} MiB), median of {runs}:",
        size >> 20
    );
    println!("  cargo ship image            {}", ms(a));
    println!(
        "  tar | gzip -n (floor)       {}   ship / floor {:.2}x (target: within 1.5x)",
        ms(b),
        a.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "  tar | gzip -4 -n (same level) {}   ship / it {:.2}x",
        ms(d),
        a.as_secs_f64() / d.as_secs_f64()
    );
    println!(
        "  podman build --no-cache     {}   podman / ship {:.2}x (target: ship faster)",
        ms(c),
        c.as_secs_f64() / a.as_secs_f64()
    );
    Ok(())
}

fn timed_env(program: &Path, args: &[&str], target: &Path) -> Result<std::time::Duration, String> {
    let start = std::time::Instant::now();
    let out = Command::new(program)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .map_err(|e| e.to_string())?;
    let t = start.elapsed();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(t)
}

fn build(target: &Path) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--quiet", "--locked", "--target", TRIPLE])
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-C target-feature=+crt-static -C debuginfo=0");
    for t in TOOLS {
        cmd.args(["-p", t]);
    }
    let ok = cmd.status().map_err(|e| e.to_string())?.success();
    ok.then_some(())
        .ok_or_else(|| "the static build failed".to_string())
}
