//! Byte-exact edits of a text: replace the tokens that must change and keep
//! every other byte, so CRLF endings, comments and layout survive untouched.
//!
//! TOML values are located with `toml_edit`'s spans; a new string value is
//! written with the same quote style as the one it replaces.

use std::ops::Range;

/// Replace `span` of the original text with `with`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original text.
    pub span: Range<usize>,
    /// The new bytes.
    pub with: String,
}

/// Apply non-overlapping edits to `text`.
///
/// # Panics
/// If two edits overlap: callers edit distinct TOML values, which never do.
pub fn splice(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.span.start);
    let mut out = String::with_capacity(text.len() + 16 * edits.len());
    let mut at = 0;
    for edit in sorted {
        assert!(
            edit.span.start >= at,
            "overlapping edits at byte {}",
            edit.span.start
        );
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.with);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A TOML string token holding `value`, quoted like `old_token`
/// (`"…"`, `'…'`, `"""…"""` or `'''…'''`).
pub fn string_token(old_token: &str, value: &str) -> String {
    let delim = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|d| old_token.starts_with(d) && old_token.len() >= 2 * d.len())
        .unwrap_or("\"");
    let literal = delim.starts_with('\'');
    if literal && !value.contains(['\'', '\n']) || !literal && !value.contains(['"', '\\', '\n']) {
        format!("{delim}{value}{delim}")
    } else {
        toml_edit::Value::from(value).to_string().trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_the_spans() {
        let text = "a = \"1\"\r\nb = '2' # keep\r\n";
        let edits = [
            Edit {
                span: 13..16,
                with: "'3'".into(),
            },
            Edit {
                span: 4..7,
                with: "\"10\"".into(),
            },
        ];
        assert_eq!(splice(text, &edits), "a = \"10\"\r\nb = '3' # keep\r\n");
    }

    #[test]
    fn string_token_keeps_quote_style() {
        assert_eq!(string_token("\"1.2\"", "1.3"), "\"1.3\"");
        assert_eq!(string_token("'1.2'", "1.3"), "'1.3'");
        assert_eq!(string_token("'''1.2'''", "1.3"), "'''1.3'''");
        assert_eq!(string_token("\"\"\"1.2\"\"\"", "1.3"), "\"\"\"1.3\"\"\"");
        assert_eq!(string_token("'x'", "it's"), "\"it's\"");
    }
}
