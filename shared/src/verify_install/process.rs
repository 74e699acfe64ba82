//! Running external programs (cargo, the installed binaries, smoke
//! commands) with a timeout, output captured, and Ctrl-C honoured. Each
//! runs in a process group of its own, and the group is killed whole: on a
//! timeout, on Ctrl-C (which then reaches cratesmith alone, even from a
//! terminal, and ends the run with [`Error::Interrupted`] so temporary
//! directories are still removed), and when the program exited but left
//! something behind that holds its output.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// What a finished program did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Its exit code (`None` when killed by a signal or the timeout).
    pub code: Option<i32>,
    /// Its standard output, decoded lossily.
    pub stdout: String,
    /// Its standard error, decoded lossily.
    pub stderr: String,
    /// Whether it was killed for running past the timeout.
    pub timed_out: bool,
}

impl Outcome {
    /// Whether it exited with 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr together, for showing after a failure.
    pub fn output(&self) -> String {
        let mut out = self.stdout.trim_end().to_string();
        if !self.stderr.trim().is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(self.stderr.trim_end());
        }
        out
    }
}

/// Set on SIGINT/SIGTERM once [`watch_interrupts`] ran.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Turn SIGINT and SIGTERM into a flag that [`run`] checks, so that a
/// Ctrl-C ends the run through the normal error path (and cleanup).
pub fn watch_interrupts() {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
        INTERRUPTED.store(true, Ordering::Relaxed);
    });
}

/// Whether the user interrupted the run.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Fail with [`Error::Interrupted`] if the user interrupted the run.
pub fn check_interrupt() -> Result<()> {
    if interrupted() {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// Run `cmd` to completion (stdin closed), killing its process group
/// after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Outcome> {
    check_interrupt()?;
    let program = cmd.get_program().to_string_lossy().into_owned();
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Command {
            program: program.clone(),
            message: format!("could not start it: {e}"),
            output: String::new(),
            help: Some(format!("check that `{program}` is installed and on PATH")),
        })?;
    let deadline = Instant::now() + timeout;
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let waited = wait(&mut child, deadline);
    // What the program started and left behind holding its output ends at
    // the deadline; whatever else is left of its group ends now.
    while !(stdout.is_finished() && stderr.is_finished())
        && Instant::now() < deadline
        && !interrupted()
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    kill_group(&mut child);
    let (code, timed_out) = waited?;
    check_interrupt()?;
    let text = |h: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&h.join().unwrap_or_default()).into_owned()
    };
    Ok(Outcome {
        code,
        stdout: text(stdout),
        stderr: text(stderr),
        timed_out,
    })
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Wait for `child` until `deadline`: (exit code, timed out). Its group is
/// killed on the deadline or Ctrl-C.
fn wait(child: &mut Child, deadline: Instant) -> Result<(Option<i32>, bool)> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((status.code(), false)),
            Ok(None) => {}
            Err(e) => return Err(Error::io("wait for", "a child process", e)),
        }
        if interrupted() {
            kill_group(child);
            let _ = child.wait();
            return Err(Error::Interrupted);
        }
        if Instant::now() >= deadline {
            kill_group(child);
            let _ = child.wait();
            return Ok((None, true));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGKILL to the child's process group (it leads one: `process_group(0)`).
#[cfg(unix)]
fn kill_group(child: &mut Child) {
    let group = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_exit_code_and_timeout() {
        let ok = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(
            (ok.code, ok.stdout.as_str(), ok.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
        assert_eq!(ok.output(), "out\nerr");
        let slow = run(Command::new("sleep").arg("5"), Duration::from_millis(100)).unwrap();
        assert!(slow.timed_out && slow.code.is_none());
        // A grandchild that holds the output ends with the timeout too.
        let start = Instant::now();
        let held = run(
            Command::new("sh").args(["-c", "sleep 30; echo late"]),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(held.timed_out);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        let start = Instant::now();
        let left = run(
            Command::new("sh").args(["-c", "(sleep 30; echo late) & echo now"]),
            Duration::from_millis(500),
        )
        .unwrap();
        assert_eq!((left.code, left.stdout.as_str()), (Some(0), "now\n"));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        let missing = run(
            &mut Command::new("cratesmith-no-such-program"),
            Duration::from_secs(1),
        );
        assert!(matches!(missing, Err(Error::Command { .. })));
    }
}
