//! SUMS files in the forms of GNU coreutils: `<hex>  <name>` (or
//! `<hex> *<name>` for binary mode) and BSD `SHA256 (<name>) = <hex>`.
//! A name holding `\`, a newline or a carriage return is escaped and its
//! line starts with `\`, byte-identical to `sha256sum`.

use super::digest::Algo;

/// How lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `<hex>  <name>`
    Gnu,
    /// `SHA256 (<name>) = <hex>`
    Bsd,
}

/// One line of a SUMS file, with its trailing newline.
pub fn format_line(algo: Algo, hex: &str, name: &str, form: Form) -> String {
    let (marker, name) = escape(name);
    match form {
        Form::Gnu => format!("{marker}{hex}  {name}\n"),
        Form::Bsd => format!("{marker}{} ({name}) = {hex}\n", algo.tag()),
    }
}

/// The `\` line marker (or nothing) and the escaped name.
pub fn escape(name: &str) -> (&'static str, String) {
    if !name.contains(['\\', '\n', '\r']) {
        return ("", name.to_string());
    }
    let escaped = name
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    ("\\", escaped)
}

/// A well-formed entry of a SUMS file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number.
    pub line: usize,
    /// The file name, unescaped.
    pub name: String,
    /// The expected digest, lowercase.
    pub hex: String,
    /// The algorithm, from the tag or the digest's length.
    pub algo: Algo,
}

/// What one line of a SUMS file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A checksum entry.
    Entry(Entry),
    /// Blank or a `#` comment.
    Ignored,
    /// Not a checksum line.
    Malformed,
}

/// Parse every line of `text`; CRLF endings are accepted.
pub fn parse(text: &str) -> Vec<Line> {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, raw)| parse_line(raw.strip_suffix('\n').unwrap_or(raw), i + 1))
        .collect()
}

/// Parse one line (without its `\n`).
pub fn parse_line(raw: &str, line: usize) -> Line {
    let text = raw.strip_suffix('\r').unwrap_or(raw);
    if text.trim().is_empty() || text.trim_start().starts_with('#') {
        return Line::Ignored;
    }
    let (escaped, body) = match text.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let parsed = bsd(body).or_else(|| gnu(body));
    let Some((algo, hex, name)) = parsed else {
        return Line::Malformed;
    };
    let name = if escaped {
        unescape(name)
    } else {
        Some(name.to_string())
    };
    match name {
        Some(name) if !name.is_empty() => Line::Entry(Entry {
            line,
            name,
            hex: hex.to_ascii_lowercase(),
            algo,
        }),
        _ => Line::Malformed,
    }
}

/// `<hex>  <name>` or `<hex> *<name>`.
fn gnu(body: &str) -> Option<(Algo, &str, &str)> {
    let end = body.find(' ')?;
    let (hex, rest) = body.split_at(end);
    let algo = Algo::from_hex_len(hex.len()).filter(|_| is_hex(hex))?;
    let name = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    Some((algo, hex, name))
}

/// `SHA256 (<name>) = <hex>`.
fn bsd(body: &str) -> Option<(Algo, &str, &str)> {
    let (tag, rest) = body.split_once(" (")?;
    let algo = Algo::from_tag(tag)?;
    let (name, hex) = rest.rsplit_once(") = ")?;
    (hex.len() == algo.hex_len() && is_hex(hex)).then_some((algo, hex, name))
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Undo [`escape`]; `None` for an invalid escape.
fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

    #[test]
    fn lines_are_written_like_coreutils() {
        let cases = [
            ("a.crate", Form::Gnu, format!("{H}  a.crate\n")),
            ("sp ace", Form::Gnu, format!("{H}  sp ace\n")),
            ("back\\slash", Form::Gnu, format!("\\{H}  back\\\\slash\n")),
            ("new\nline", Form::Gnu, format!("\\{H}  new\\nline\n")),
            ("cr\rx", Form::Gnu, format!("\\{H}  cr\\rx\n")),
            (
                "back\\slash",
                Form::Bsd,
                format!("\\SHA256 (back\\\\slash) = {H}\n"),
            ),
        ];
        for (name, form, expected) in cases {
            assert_eq!(format_line(Algo::Sha256, H, name, form), expected);
        }
    }

    #[test]
    fn every_written_line_parses_back() {
        for name in [
            "a",
            "sp ace",
            "back\\slash",
            "new\nline",
            "cr\rx",
            "(paren) = x",
            "*star",
        ] {
            for form in [Form::Gnu, Form::Bsd] {
                let line = format_line(Algo::Sha256, H, name, form);
                let parsed = parse_line(line.trim_end_matches('\n'), 1);
                let expected = Entry {
                    line: 1,
                    name: name.to_string(),
                    hex: H.to_string(),
                    algo: Algo::Sha256,
                };
                assert_eq!(parsed, Line::Entry(expected), "{line:?}");
            }
        }
    }

    #[test]
    fn parse_table() {
        let upper = H.to_uppercase();
        let cases: Vec<(String, Option<(&str, Algo)>)> = vec![
            (
                format!("{H} *bin.tar.gz"),
                Some(("bin.tar.gz", Algo::Sha256)),
            ),
            (format!("{H}  crlf\r"), Some(("crlf", Algo::Sha256))),
            (format!("{upper}  up"), Some(("up", Algo::Sha256))),
            (format!("{H}{H}  long"), Some(("long", Algo::Sha512))),
            (format!("SHA512 (x) = {H}{H}"), Some(("x", Algo::Sha512))),
            (format!("{}  short", &H[..63]), None),
            (format!("{}g  nothex", &H[..63]), None),
            (format!("{H} onespace"), None),
            (format!("{H}  "), None),
            (format!("SHA256 (x) = {}", &H[..10]), None),
            (format!("MD5 (x) = {H}"), None),
            (format!("\\{H}  bad\\escape"), None),
            ("garbage".to_string(), None),
        ];
        for (line, expected) in cases {
            let got = parse_line(&line, 1);
            match expected {
                Some((name, algo)) => {
                    assert!(
                        matches!(&got, Line::Entry(e) if e.name == name && e.algo == algo && e.hex.len() == algo.hex_len() && e.hex == e.hex.to_lowercase()),
                        "{line:?}: {got:?}"
                    );
                }
                None => assert_eq!(got, Line::Malformed, "{line:?}"),
            }
        }
        assert_eq!(parse_line("  # comment", 1), Line::Ignored);
        assert_eq!(parse_line("\r", 1), Line::Ignored);
    }
}
