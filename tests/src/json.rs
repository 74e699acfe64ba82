//! "With `--format json` every run prints exactly one JSON document on
//! stdout": a check each tool's tests run over its own cases.

use std::path::Path;
use std::process::Output;

/// Run `bin args` in `dir` and check that stdout is exactly one JSON
/// document and the exit code is `code`; the document.
///
/// # Panics
/// When stdout is not one JSON document, or the exit code differs.
pub fn one_document(bin: &Path, dir: &Path, args: &[&str], code: i32) -> serde_json::Value {
    let out: Output = crate::run_in(bin, dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not one JSON document ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    doc
}
