//! The checks of a run, as they are shown while it runs (one line each on
//! stderr), summed up, and written as JSON or Markdown.

use std::time::Duration;

use owo_colors::OwoColorize;
use serde::Serialize;

use crate::term::Shell;

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It passed.
    Pass,
    /// A finding worth fixing that does not fail the run.
    Warn,
    /// It failed: the run exits 1.
    Fail,
}

/// One check of one package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The package (or archive) checked.
    pub package: String,
    /// What was checked: `package`, `install`, `bin foo --version`, ...
    pub check: String,
    /// How it ended.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// How long it took, in milliseconds.
    pub millis: u64,
    /// The output of the program that failed, shown after a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// All checks of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// In the order they ran.
    pub checks: Vec<Check>,
    /// Where the temporary directories were kept (`--keep`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    /// The environment the installed binaries ran in: (variable, value).
    pub environment: Vec<(String, String)>,
    /// The width of the package column on stderr.
    #[serde(skip)]
    pub package_width: usize,
}

impl Report {
    /// Make the package column wide enough for `labels` (up to a limit).
    pub fn fit<'a>(&mut self, labels: impl IntoIterator<Item = &'a str>) {
        let widest = labels
            .into_iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        self.package_width = self.package_width.max(widest.clamp(PACKAGE_WIDTH, 40));
    }

    /// Record `check` and print its line.
    pub fn add(&mut self, check: Check, shell: &Shell) {
        print_line(&check, self.package_width.max(PACKAGE_WIDTH), shell);
        self.checks.push(check);
    }

    /// Whether every check passed (warnings allowed).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }

    /// `3 passed, 1 warning, 1 failed in 12.3s`.
    pub fn summary(&self, elapsed: Duration) -> String {
        let n = |s| self.checks.iter().filter(|c| c.status == s).count();
        let mut parts = vec![format!("{} passed", n(Status::Pass))];
        let warned = n(Status::Warn);
        if warned > 0 {
            parts.push(crate::text::count(warned, "warning", "warnings"));
        }
        parts.push(format!("{} failed", n(Status::Fail)));
        format!("{} in {:.1}s", parts.join(", "), elapsed.as_secs_f64())
    }

    /// The report as JSON: the verdict, counts, total time, every check,
    /// and the binaries' environment.
    pub fn json(&self, elapsed: Duration) -> String {
        let n = |s| self.checks.iter().filter(|c| c.status == s).count();
        let env: serde_json::Map<String, serde_json::Value> = self
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
            .collect();
        let value = serde_json::json!({
            "passed": self.passed(),
            "counts": {
                "passed": n(Status::Pass),
                "warned": n(Status::Warn),
                "failed": n(Status::Fail),
            },
            "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "checks": self.checks,
            "environment": env,
            "kept": self.kept,
        });
        format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        )
    }

    /// The report as Markdown, fit for `$GITHUB_STEP_SUMMARY`.
    pub fn markdown(&self, elapsed: Duration) -> String {
        let verdict = if self.passed() { "passed" } else { "failed" };
        let mut out = format!(
            "## cargo verify-install: {verdict}\n\n{}\n\n| | Package | Check | Detail | Time |\n|---|---|---|---|---|\n",
            self.summary(elapsed)
        );
        for c in &self.checks {
            let mark = match c.status {
                Status::Pass => "✅",
                Status::Warn => "⚠️",
                Status::Fail => "❌",
            };
            out.push_str(&format!(
                "| {mark} | {} | {} | {} | {:.1}s |\n",
                cell(&c.package),
                cell(&c.check),
                cell(&c.detail),
                c.millis as f64 / 1000.0
            ));
        }
        if !self.environment.is_empty() {
            out.push_str("\nThe installed binaries ran with:\n\n");
            for (k, v) in &self.environment {
                out.push_str(&format!("- `{k}`: {}\n", cell(v)));
            }
        }
        for c in self.checks.iter().filter(|c| c.output.is_some()) {
            let output = c
                .output
                .as_deref()
                .unwrap_or_default()
                .replace("```", "'''");
            out.push_str(&format!(
                "\n<details><summary>{}: {} output</summary>\n\n```text\n{}\n```\n\n</details>\n",
                cell(&c.package),
                cell(&c.check),
                output.trim_end()
            ));
        }
        out
    }
}

/// The widths of the package and check columns on stderr.
const PACKAGE_WIDTH: usize = 14;
const CHECK_WIDTH: usize = 36;

/// `text` padded to `width` characters, or cut to it with `…` (the JSON and
/// Markdown reports keep the whole text), so the columns stay aligned.
fn column(text: &str, width: usize) -> String {
    let text = crate::text::sanitize(text);
    let n = text.chars().count();
    if n <= width {
        return format!("{text}{}", " ".repeat(width - n));
    }
    let cut: String = text.chars().take(width - 1).collect();
    format!("{cut}…")
}

/// Text made safe for one Markdown table cell.
fn cell(text: &str) -> String {
    crate::changelog::render::inline(text, None).replace('|', "\\|")
}

/// `  ✓ demo  install  installed 1 binary  (2.3s)` on stderr; the program's
/// output follows it when it was kept (a failure, or `-v`).
fn print_line(c: &Check, package_width: usize, shell: &Shell) {
    let (mark, paint): (&str, fn(&str) -> String) = match c.status {
        Status::Pass => ("✓", |s| s.green().to_string()),
        Status::Warn => ("!", |s| s.yellow().to_string()),
        Status::Fail => ("✗", |s| s.red().bold().to_string()),
    };
    let mark = if shell.color() {
        paint(mark)
    } else {
        mark.to_string()
    };
    let time = format!("{:.1}s", c.millis as f64 / 1000.0);
    shell.plain(format_args!(
        "  {mark} {} {} {:>7}  {}",
        column(&c.package, package_width),
        column(&c.check, CHECK_WIDTH),
        time,
        crate::text::sanitize(&c.detail)
    ));
    // Kept only for a failure, or with -v.
    if let Some(output) = &c.output {
        for line in output.lines() {
            shell.plain(format_args!("      | {}", crate::text::sanitize(line)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: Status, detail: &str) -> Check {
        Check {
            package: "demo".into(),
            check: "bin demo --version".into(),
            status,
            detail: detail.into(),
            millis: 1500,
            output: (status == Status::Fail).then(|| "thread 'main' panicked".into()),
        }
    }

    #[test]
    fn summary_json_and_markdown() {
        let report = Report {
            checks: vec![
                check(Status::Pass, "demo 1.0.0"),
                check(Status::Warn, "no keywords"),
                check(Status::Fail, "exit 101 | <b>"),
            ],
            kept: Vec::new(),
            environment: vec![("HOME".into(), "/tmp/x/home".into())],
            package_width: 0,
        };
        assert!(!report.passed());
        assert_eq!(
            report.summary(Duration::from_millis(2500)),
            "1 passed, 1 warning, 1 failed in 2.5s"
        );
        let json: serde_json::Value =
            serde_json::from_str(&report.json(Duration::from_millis(2500))).unwrap();
        assert_eq!(json["passed"], false);
        assert_eq!(
            json["counts"],
            serde_json::json!({"passed": 1, "warned": 1, "failed": 1})
        );
        assert_eq!(json["seconds"], 2.5);
        assert_eq!(json["environment"]["HOME"], "/tmp/x/home");
        assert_eq!(json["checks"][2]["status"], "fail");
        let md = report.markdown(Duration::from_secs(3));
        assert!(md.starts_with(
            "## cargo verify-install: failed\n\n1 passed, 1 warning, 1 failed in 3.0s\n"
        ));
        assert!(
            md.contains("| ❌ | demo | bin demo --version | exit 101 \\| &lt;b&gt; | 1.5s |\n"),
            "{md}"
        );
        assert!(md.contains("<details><summary>demo: bin demo --version output</summary>\n\n```text\nthread 'main' panicked\n```"));
        assert!(
            md.contains("\nThe installed binaries ran with:\n\n- `HOME`: /tmp/x/home\n"),
            "{md}"
        );
    }
}
