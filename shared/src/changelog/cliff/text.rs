//! Text processors (`commit_preprocessors`, `postprocessors`): a regex
//! replacement, or a shell command fed the text when the pattern matches.

use std::io::Write;
use std::process::{Command, Stdio};

use super::config::TextProcessor;

/// Applies `p` to `text`; a failing command is an error naming it.
pub(super) fn replace(
    p: &TextProcessor,
    text: &mut String,
    envs: &[(&str, &str)],
) -> Result<(), String> {
    if let Some(with) = &p.replace {
        *text = p.pattern.replace_all(text, with.as_str()).into_owned();
    } else if let Some(command) = &p.replace_command
        && p.pattern.is_match(text)
    {
        *text = run(command, text, envs)?;
    }
    Ok(())
}

/// Runs `command` with `sh -c` (`cmd /C` on Windows), `input` on stdin.
fn run(command: &str, input: &str, envs: &[(&str, &str)]) -> Result<String, String> {
    let (shell, flag) = if cfg!(windows) {
        ("cmd", "/C")
    } else {
        ("sh", "-c")
    };
    let fail = |e: std::io::Error| format!("`{command}`: {e}");
    let mut child = Command::new(shell)
        .args([flag, command])
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(fail)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(fail)?;
    // A command that exits without reading its input is not an error.
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!("`{command}` exited with {}", out.status));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`{command}` printed text that is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn a_replacement_expands_groups() {
        let p = TextProcessor {
            pattern: Regex::new(r"\(#(\d+)\)").unwrap(),
            replace: Some("([#$1](https://x/$1))".into()),
            replace_command: None,
        };
        let mut text = "fix: a (#12)".to_string();
        replace(&p, &mut text, &[]).unwrap();
        assert_eq!(text, "fix: a ([#12](https://x/12))");
    }

    #[cfg(unix)]
    #[test]
    fn a_command_gets_the_text_and_the_environment() {
        let p = TextProcessor {
            pattern: Regex::new("a").unwrap(),
            replace: None,
            replace_command: Some("tr a-z A-Z; printf %s \"$COMMIT_SHA\"".into()),
        };
        let mut text = "abc".to_string();
        replace(&p, &mut text, &[("COMMIT_SHA", "f00")]).unwrap();
        assert_eq!(text, "ABCf00");
        let failing = TextProcessor {
            replace_command: Some("exit 3".into()),
            ..p
        };
        let mut text = "abc".to_string();
        assert!(
            replace(&failing, &mut text, &[])
                .unwrap_err()
                .contains("exit")
        );
        assert_eq!(text, "abc");
    }
}
