//! `cargo verify-install` on generated crates, cold and warm, against the
//! cargo commands it is made of with the same cache state: a bin crate (no
//! dependencies, some thousand lines so that building it takes a while),
//! and a bin+lib crate with registry dependencies (serde with derive,
//! semver, regex-lite), whose library check must not compile the
//! dependencies a second time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::timing::{flag, median, ms, time};

/// Generate the crate (once), then time cold and warm runs.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs", 3)?;
    let base: PathBuf = flag(args, "--dir", PathBuf::from("target/bench-data"))?;
    let only: String = flag(args, "--only", "bin,binlib".to_string())?;
    if only.split(',').any(|o| o == "bin") {
        let dir = base.join("verify-app");
        generate(&dir, false)?;
        measure(&base, &dir, runs)?;
    }
    if only.split(',').any(|o| o == "binlib") {
        let dir = base.join("verify-binlib");
        generate(&dir, true)?;
        measure(&base, &dir, runs)?;
    }
    Ok(())
}

/// Time cold and warm runs of the crate at `dir`.
fn measure(base: &Path, dir: &Path, runs: usize) -> Result<(), String> {
    let dir = dir.to_path_buf();
    // Run as users do, `cargo verify-install`, with this build first on PATH
    // (cargo then hands its own path to the subcommand in $CARGO).
    let ours = crate::bump::sibling_binary("cargo-verify-install")?;
    let bin_dir = ours.parent().ok_or("no parent")?.to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .map_err(|e| e.to_string())?;
    let scratch = base.join("verify-scratch");
    let run_ours = |dir: &Path| -> Result<Duration, String> {
        let start = std::time::Instant::now();
        let out = std::process::Command::new("cargo")
            .args(["verify-install", "-q"])
            .env("PATH", &path)
            .current_dir(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "cargo verify-install failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(start.elapsed())
    };
    let (mut cold_ours, mut cold_cargo, mut warm_ours, mut warm_cargo) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        clean(&dir.join("target"))?;
        clean(&std::env::temp_dir().join("cratesmith-verify-install"))?;
        clean(&scratch)?;
        cold_ours.push(run_ours(&dir)?);
        let root = scratch.join("root");
        let target = scratch.join("target");
        let (root_s, target_s) = (path_str(&root)?, path_str(&target)?);
        let install = [
            "install",
            "-q",
            "--path",
            ".",
            "--root",
            root_s,
            "--target-dir",
            target_s,
        ];
        cold_cargo.push(time(&dir, "cargo", &install)?);
        warm_ours.push(run_ours(&dir)?);
        // The same work by hand, warm: package, then a no-op install of
        // the package into a fresh root.
        let start = std::time::Instant::now();
        time(&dir, "cargo", &["package", "-q", "--no-verify"])?;
        clean(&root)?;
        time(&dir, "cargo", &install)?;
        warm_cargo.push(start.elapsed());
    }
    let row = |name: &str, ours: &mut [Duration], theirs: &mut [Duration]| {
        let (a, b) = (median(ours), median(theirs));
        println!(
            "  {name:<6} verify-install {:>10}  cargo {:>10}  ratio {:.2}x",
            ms(a),
            ms(b),
            a.as_secs_f64() / b.as_secs_f64()
        );
    };
    println!(
        "cargo verify-install on {}, medians of {runs} runs\n",
        dir.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    row("cold", &mut cold_ours, &mut cold_cargo);
    row("warm", &mut warm_ours, &mut warm_cargo);
    println!(
        "\ncold: against `cargo install --path .` into an empty target dir; warm: against\n\
         `cargo package --no-verify` + a no-op `cargo install --path .` into a fresh root."
    );
    Ok(())
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{}: not UTF-8", p.display()))
}

fn clean(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// A bin crate with 120 generated functions (not inlined: a release
/// build that inlines them all into one caller takes many minutes); with
/// `lib`, the functions are a library the binary uses, and the crate
/// depends on serde (derive), semver and regex-lite.
fn generate(dir: &Path, lib: bool) -> Result<(), String> {
    if dir.join("Cargo.toml").is_file() {
        return Ok(());
    }
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let name = if lib { "verify-binlib" } else { "verify-app" };
    let deps = if lib {
        "\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nsemver = \"1\"\nregex-lite = \"0.1\"\n"
    } else {
        ""
    };
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\ndescription = \"bench\"\nlicense = \"MIT\"\nrepository = \"https://example.com\"\nreadme = \"README.md\"\nkeywords = [\"bench\"]\ncategories = [\"development-tools\"]\n{deps}\n[workspace]\n"
        ),
    )?;
    write("README.md", &format!("# {name}\n"))?;
    let module = if lib {
        "verify_binlib::generated"
    } else {
        "generated"
    };
    let mut code = if lib {
        String::new()
    } else {
        String::from("mod generated;\n")
    };
    code.push_str(&format!(
        "fn main() {{\n    if std::env::args().nth(1).as_deref() == Some(\"--version\") {{\n        println!(\"{name} {{}}\", env!(\"CARGO_PKG_VERSION\"));\n        return;\n    }}\n    println!(\"{{}}\", {module}::total());\n}}\n"
    ));
    write("src/main.rs", &code)?;
    if lib {
        write(
            "src/lib.rs",
            "//! The generated functions.\npub mod generated;\n\n/// A release, for serde.\n#[derive(serde::Serialize, serde::Deserialize)]\npub struct Release {\n    /// Its version.\n    pub version: String,\n}\n\n/// Whether `v` is SemVer and looks like a date-free tag.\npub fn check(v: &str) -> bool {\n    semver::Version::parse(v).is_ok() && regex_lite::Regex::new(r\"^\\d\").is_ok_and(|r| r.is_match(v))\n}\n",
        )?;
    }
    write("src/generated.rs", &functions())
}

fn functions() -> String {
    let mut generated = String::from("//! Generated.\n");
    for i in 0..120 {
        generated.push_str(&format!(
            "/// f{i}.\n#[inline(never)]\npub fn f{i}(x: u64) -> u64 {{\n    let v: Vec<u64> = (0..x % 97).map(|k| k * {i} + 1).collect();\n    v.iter().fold({i}u64, |a, b| a.wrapping_mul(31).wrapping_add(*b)) ^ format!(\"{{x}}-{i}\").len() as u64\n}}\n"
        ));
    }
    generated.push_str("/// All of them.\npub fn total() -> u64 {\n    let mut t = 0u64;\n");
    for i in 0..120 {
        generated.push_str(&format!("    t = t.wrapping_add(f{i}(t));\n"));
    }
    generated.push_str("    t\n}\n");
    generated
}
