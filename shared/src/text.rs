//! Text for people: terminal-safe output of other programs and counted nouns.
//! A leaf: it imports nothing from the crate.

/// Text from another program made safe for a terminal: control characters
/// (escape sequences included) become `?`, tabs are kept.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect()
}

/// Several lines of another program's output, each made safe with
/// [`sanitize`] and indented.
pub fn sanitize_block(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("  {}", sanitize(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `1 match`, `2 matches`: a count with its noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
