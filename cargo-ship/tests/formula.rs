//! `cargo ship formula`: a Homebrew formula from release archives and
//! their SHA256SUMS, compared whole; a re-run over a maintainer-edited
//! formula changes only the version, urls and digests; a digest that does
//! not match its archive is refused.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::{Command, Output};

use cratesmith_tests::{command, cratesmith_write};

const TRIPLES: [&str; 5] = [
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A workspace of `tiny-tool` at `version`, its archives in `dist/`
/// (binary, completions, man page) and SHA256SUMS.
fn release(root: &Path, version: &str) {
    cratesmith_write(
        &root.join("Cargo.toml"),
        format!("[package]\nname = \"tiny-tool\"\nversion = \"{version}\"\nedition = \"2021\"\nlicense = \"MIT OR Apache-2.0\"\ndescription = \"A tiny tool for \\\"quoted\\\" things.\"\nhomepage = \"https://example.com/tiny\"\n").as_bytes(),
    );
    cratesmith_write(&root.join("src/main.rs"), b"fn main() {}\n");
    let dist = root.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).unwrap();
    for t in TRIPLES {
        let stem = format!("tiny-tool-{version}-{t}");
        let stage = root.join("stage").join(&stem);
        cratesmith_write(
            &stage.join("tiny-tool"),
            format!("binary for {t}").as_bytes(),
        );
        cratesmith_write(&stage.join("completions/tiny-tool.bash"), b"complete\n");
        cratesmith_write(&stage.join("completions/_tiny-tool"), b"#compdef\n");
        cratesmith_write(&stage.join("tiny-tool.1"), b".TH\n");
        let st = Command::new("tar")
            .arg("czf")
            .arg(dist.join(format!("{stem}.tar.gz")))
            .arg(&stem)
            .current_dir(root.join("stage"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let names: Vec<String> = TRIPLES
        .iter()
        .map(|t| format!("tiny-tool-{version}-{t}.tar.gz"))
        .collect();
    let out = Command::new("sha256sum")
        .args(&names)
        .current_dir(&dist)
        .output()
        .unwrap();
    cratesmith_write(&dist.join("SHA256SUMS"), &out.stdout);
}

fn digest(root: &Path, version: &str, triple: &str) -> String {
    let sums = std::fs::read_to_string(root.join("dist/SHA256SUMS")).unwrap();
    let name = format!("tiny-tool-{version}-{triple}.tar.gz");
    sums.lines().find(|l| l.ends_with(&name)).unwrap()[..64].to_string()
}

fn formula(root: &Path) -> Output {
    command(Path::new(env!("CARGO_BIN_EXE_cargo-ship")))
        .args([
            "ship",
            "formula",
            "--archives",
            "dist",
            "-o",
            "Formula/tiny-tool.rb",
            "--url",
        ])
        .arg("https://example.com/tiny/releases/download/v{version}/{archive}")
        .current_dir(root)
        .output()
        .unwrap()
}

fn expected(root: &Path, v: &str) -> String {
    let d = |t: &str| digest(root, v, t);
    let url = |t: &str| {
        format!("https://example.com/tiny/releases/download/v{v}/tiny-tool-{v}-{t}.tar.gz")
    };
    format!(
        r##"class TinyTool < Formula
  desc "Tiny tool for \"quoted\" things"
  homepage "https://example.com/tiny"
  version "{v}"
  license any_of: ["MIT", "Apache-2.0"]

  on_macos do
    on_arm do
      url "{}"
      sha256 "{}"
    end

    on_intel do
      url "{}"
      sha256 "{}"
    end
  end

  on_linux do
    on_arm do
      url "{}"
      sha256 "{}"
    end

    on_intel do
      url "{}"
      sha256 "{}"
    end
  end

  def install
    bin.install "tiny-tool"
    bash_completion.install "completions/tiny-tool.bash"
    zsh_completion.install "completions/_tiny-tool"
    man1.install "tiny-tool.1"
  end

  test do
    assert_match version.to_s, shell_output("#{{bin}}/tiny-tool --version")
  end
end
"##,
        url("aarch64-apple-darwin"),
        d("aarch64-apple-darwin"),
        url("x86_64-apple-darwin"),
        d("x86_64-apple-darwin"),
        url("aarch64-unknown-linux-gnu"),
        d("aarch64-unknown-linux-gnu"),
        url("x86_64-unknown-linux-musl"),
        d("x86_64-unknown-linux-musl"),
    )
}

#[test]
fn a_formula_is_written_from_the_archives_and_their_sums() {
    let dir = tempfile::tempdir().unwrap();
    release(dir.path(), "1.4.2");
    let out = formula(dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = std::fs::read_to_string(dir.path().join("Formula/tiny-tool.rb")).unwrap();
    cratesmith_tests::assert_text_eq(&expected(dir.path(), "1.4.2"), &got);
}

#[test]
fn a_new_version_changes_only_the_version_urls_and_digests() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    release(root, "1.4.2");
    assert!(formula(root).status.success());
    let file = root.join("Formula/tiny-tool.rb");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("  license any_of", "  # Maintained by hand: keep the caveats.\n  license any_of")
        .replace("  def install\n", "  depends_on \"git\"\n\n  def install\n")
        .replace("  test do\n", "  def caveats\n    if OS.mac?\n      \"Run tiny-tool init first.\"\n    end\n  end\n\n  test do\n");
    cratesmith_write(&file, edited.as_bytes());
    release(root, "1.5.0");
    let out = formula(root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = std::fs::read_to_string(&file).unwrap();
    let mut want = edited.replace("1.4.2", "1.5.0");
    for t in TRIPLES {
        want = want.replace(&digest_of_old(&edited, t), &digest(root, "1.5.0", t));
    }
    cratesmith_tests::assert_text_eq(&want, &got);
    assert!(got.contains("depends_on \"git\"") && got.contains("Run tiny-tool init first."));
}

/// The digest the edited formula holds for `triple` (the line after its url).
fn digest_of_old(formula: &str, triple: &str) -> String {
    let lines: Vec<&str> = formula.lines().collect();
    lines
        .iter()
        .position(|l| l.contains(&format!("-{triple}.tar.gz")))
        .map(|i| {
            lines[i + 1]
                .trim()
                .trim_start_matches("sha256 ")
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_else(|| "not-in-the-formula".to_string())
}

#[test]
fn an_archive_that_does_not_match_its_sums_entry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    release(dir.path(), "1.4.2");
    cratesmith_write(
        &dir.path()
            .join("dist/tiny-tool-1.4.2-x86_64-apple-darwin.tar.gz"),
        b"not the archive",
    );
    let out = formula(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("tiny-tool-1.4.2-x86_64-apple-darwin.tar.gz` has SHA-256"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("Formula").exists());
}
