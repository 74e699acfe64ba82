//! Signing a release's archives: `cargo artifact-sum ARCHIVES -o SUMS
//! --sign --key K --sign-each` (a minisign signature of the SUMS file and of
//! every archive) against hashing them alone (`cargo artifact-sum ARCHIVES
//! -o SUMS`), on 20 archives of 100 MiB (2,000 MiB). The key is an
//! unencrypted minisign key (`minisign -G -W`, minisign on PATH): an
//! encrypted one adds its scrypt derivation once per run, a fixed cost.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::sum::write_random;
use crate::timing::{flag, median, ms, time};

/// Generate the archives and the key (once), then time both interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 5)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let dir = std::path::absolute(base.join("sign-20x100m")).map_err(|e| e.to_string())?;
    let archives = generate(&dir)?;
    let sum = crate::bump::sibling_binary("cargo-artifact-sum")?;
    let sum = sum.to_str().unwrap_or("cargo-artifact-sum");
    let files: Vec<&str> = archives.iter().map(String::as_str).collect();
    let hash_only = [&["artifact-sum"][..], &files, &["-o", "SUMS-hash"]].concat();
    let signed = [
        &["artifact-sum"][..],
        &files,
        &[
            "-o",
            "SUMS-signed",
            "--sign",
            "--key",
            "bench.key",
            "--sign-each",
        ],
    ]
    .concat();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    time(&dir, sum, &signed)?; // warm the page cache
    for _ in 0..runs {
        a.push(time(&dir, sum, &signed)?);
        b.push(time(&dir, sum, &hash_only)?);
    }
    let ratios: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| x.as_secs_f64() / y.as_secs_f64())
        .collect();
    let (a, b): (Duration, Duration) = (median(&mut a), median(&mut b));
    println!(
        "| 20 archives, 2,000 MiB | {} | {} | {:.2}x | pairs: {} |",
        ms(a),
        ms(b),
        a.as_secs_f64() / b.as_secs_f64(),
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The 20 archives' names (in `dir`) and an unencrypted minisign key.
fn generate(dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let names: Vec<String> = (0..20)
        .map(|i| format!("app-1.0.0-target{i:02}.tar.gz"))
        .collect();
    for (i, name) in names.iter().enumerate() {
        let path = dir.join(name);
        if !path.is_file() {
            write_random(&path, 100 << 20, 1000 + i as u64)?;
        }
    }
    if !dir.join("bench.key").is_file() {
        let made = std::process::Command::new("minisign")
            .args(["-G", "-W", "-f", "-p", "bench.pub", "-s", "bench.key"])
            .current_dir(dir)
            .output()
            .map_err(|e| format!("minisign: {e} (install it: apt-get install minisign)"))?;
        if !made.status.success() {
            return Err(format!(
                "minisign -G: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
    }
    Ok(names)
}
