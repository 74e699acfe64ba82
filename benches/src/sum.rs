//! `cargo artifact-sum` against the hardware limit (a minimal single-thread
//! sha2 loop in this process), `sha256sum` and `xargs -P2 sha256sum`, on
//! one 1 GiB file and on 2,000 files of 512 KiB, hashing and `--check`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::timing::{flag, median, time};

const GIB: u64 = 1 << 30;

/// One timed command: returns its wall time.
type Case<'a> = Box<dyn Fn() -> Result<Duration, String> + 'a>;

/// Generate the data (once), then time everything interleaved.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 5)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let big = base.join("one-gib.bin");
    let many = base.join("many");
    generate(&big, &many)?;
    let sum = crate::bump::sibling_binary("cargo-artifact-sum")?;
    let sum = sum.to_str().unwrap_or("cargo-artifact-sum");
    let files: Vec<PathBuf> = (0..2000)
        .map(|i| many.join(format!("f{i:04}.bin")))
        .collect();
    sums_file(&base.join("one.sums"), &base, &["one-gib.bin"])?;
    sums_file(&many.join("SUMS"), &many, &[])?;

    let shell = |cmd: String| move || time(&base_dir(), "sh", &["-c", &cmd]);
    let mut rows: Vec<(&str, Vec<Duration>)> = Vec::new();
    let cases: Vec<(&str, Case<'_>)> = vec![
        (
            "1 GiB: minimal sha2 loop (1 thread)",
            Box::new(|| Ok(loop_time(std::slice::from_ref(&big)))),
        ),
        (
            "1 GiB: cargo artifact-sum",
            Box::new(shell(format!("{sum} {}", big.display()))),
        ),
        (
            "1 GiB: sha256sum",
            Box::new(shell(format!("sha256sum {}", big.display()))),
        ),
        (
            "1 GiB: cargo artifact-sum --check",
            Box::new(shell(format!(
                "{sum} --check -q {}/one.sums",
                base.display()
            ))),
        ),
        (
            "1 GiB: sha256sum -c",
            Box::new(shell(format!(
                "cd {} && sha256sum -c --quiet one.sums",
                base.display()
            ))),
        ),
        (
            "2000 x 512 KiB: minimal sha2 loop (1 thread)",
            Box::new(|| Ok(loop_time(&files))),
        ),
        (
            "2000 x 512 KiB: cargo artifact-sum",
            Box::new(shell(format!("{sum} {}", many.display()))),
        ),
        (
            "2000 x 512 KiB: sha256sum",
            Box::new(shell(format!("cd {} && sha256sum f*.bin", many.display()))),
        ),
        (
            "2000 x 512 KiB: xargs -P2 sha256sum",
            Box::new(shell(format!(
                "cd {} && ls f*.bin | xargs -P2 -n 1000 sha256sum",
                many.display()
            ))),
        ),
        (
            "2000 x 512 KiB: cargo artifact-sum --check",
            Box::new(shell(format!("{sum} --check -q {}/SUMS", many.display()))),
        ),
        (
            "2000 x 512 KiB: sha256sum -c",
            Box::new(shell(format!(
                "cd {} && sha256sum -c --quiet SUMS",
                many.display()
            ))),
        ),
    ];
    for (_, case) in &cases {
        case()?; // warm the page cache
    }
    for (name, _) in &cases {
        rows.push((name, Vec::new()));
    }
    for _ in 0..runs {
        for (i, (_, case)) in cases.iter().enumerate() {
            rows[i].1.push(case()?);
        }
    }
    println!("{runs} runs each, interleaved; medians; throughput over 1 GiB");
    let mut medians = Vec::new();
    for (name, samples) in &mut rows {
        let m = median(samples);
        medians.push(m);
        println!(
            "{name:<48} {:>8.1} ms  {:>6.0} MiB/s",
            m.as_secs_f64() * 1e3,
            1024.0 / m.as_secs_f64()
        );
    }
    let ratio = |a: usize, b: usize| medians[b].as_secs_f64() / medians[a].as_secs_f64();
    println!(
        "1 GiB: artifact-sum / hardware loop throughput  {:.2}x",
        ratio(1, 0)
    );
    println!(
        "1 GiB: artifact-sum / sha256sum throughput      {:.2}x",
        ratio(1, 2)
    );
    println!(
        "many: artifact-sum / single-thread loop          {:.2}x",
        ratio(6, 5)
    );
    println!(
        "many: artifact-sum / sha256sum                   {:.2}x",
        ratio(6, 7)
    );
    println!(
        "many: artifact-sum / xargs -P2 sha256sum         {:.2}x",
        ratio(6, 8)
    );
    println!(
        "check: 1 GiB artifact-sum / sha256sum -c         {:.2}x",
        ratio(3, 4)
    );
    println!(
        "check: many artifact-sum / sha256sum -c          {:.2}x",
        ratio(9, 10)
    );
    max_rss(sum, &base)
}

fn base_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_default()
}

/// Peak memory while hashing an 8 GiB sparse file, from `/usr/bin/time`.
fn max_rss(sum: &str, base: &Path) -> Result<(), String> {
    let sparse = base.join("sparse-8gib.img");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(8 * GIB))
        .map_err(|e| e.to_string())?;
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(sum)
        .arg(&sparse)
        .output();
    let _ = std::fs::remove_file(&sparse);
    match out {
        Ok(o) if o.status.success() => {
            let kib = String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("?")
                .to_string();
            println!("peak RSS hashing an 8 GiB file: {kib} KiB");
        }
        _ => println!("peak RSS: /usr/bin/time is not installed (apt-get install time)"),
    }
    Ok(())
}

/// The hardware reference: read with a 1 MiB buffer, hash, one thread.
fn loop_time(paths: &[PathBuf]) -> Duration {
    let start = Instant::now();
    let mut buf = vec![0u8; 1 << 20];
    for path in paths {
        let mut hasher = Sha256::new();
        let Ok(mut file) = std::fs::File::open(path) else {
            continue;
        };
        while let Ok(n) = file.read(&mut buf) {
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        std::hint::black_box(hasher.finalize());
    }
    start.elapsed()
}

fn generate(big: &Path, many: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    if !big.is_file() {
        std::fs::create_dir_all(big.parent().unwrap_or(Path::new("."))).map_err(io)?;
        write_random(big, GIB, 1)?;
    }
    if !many.join("f1999.bin").is_file() {
        std::fs::create_dir_all(many).map_err(io)?;
        for i in 0..2000 {
            write_random(&many.join(format!("f{i:04}.bin")), 512 << 10, i + 2)?;
        }
    }
    Ok(())
}

/// `len` pseudo-random bytes (xorshift), so nothing compresses or dedups.
pub(crate) fn write_random(path: &Path, len: u64, seed: u64) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut chunk = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes()[..word.len()]);
        }
        let n = left.min(chunk.len() as u64) as usize;
        file.write_all(&chunk[..n]).map_err(|e| e.to_string())?;
        left -= n as u64;
    }
    file.flush().map_err(|e| e.to_string())
}

fn sums_file(path: &Path, dir: &Path, names: &[&str]) -> Result<(), String> {
    if path.is_file() {
        return Ok(());
    }
    let cmd = if names.is_empty() {
        "sha256sum f*.bin".to_string()
    } else {
        format!("sha256sum {}", names.join(" "))
    };
    let out = Command::new("sh")
        .args(["-c", &cmd])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    #[allow(clippy::disallowed_methods)] // generated data, not a user's file
    std::fs::write(path, out.stdout).map_err(|e| e.to_string())
}
