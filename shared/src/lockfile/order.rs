//! The order cargo writes a lock file in: `[[package]]` tables by name,
//! version and source (a path package, without a source, first), and each
//! `dependencies` list in the same order. A bump can move a member past a
//! registry package of the same name; then the tables are put back in
//! cargo's order, so that the next cargo command leaves the file as it is.

use semver::Version;

use super::Locked;

/// What cargo sorts a package by, after the bump.
pub(super) fn key(l: &Locked) -> (&str, Option<Version>, Option<&str>) {
    (
        &l.name,
        Version::parse(&l.new_version).ok(),
        l.source.as_deref(),
    )
}

/// `text` (the lock file with the bump's edits, `locked` its packages in
/// file order) with its `[[package]]` tables in cargo's order, or `None`
/// when they already are.
pub(super) fn packages(text: &str, locked: &[Locked]) -> Option<String> {
    let order = new_order(locked);
    if order.iter().enumerate().all(|(i, &j)| i == j) {
        return None;
    }
    let starts: Vec<usize> = headers(text);
    if starts.len() != locked.len() {
        return None; // not laid out as cargo writes it: leave the order alone
    }
    let end = tail(text, *starts.last()?);
    let block = |i: usize| &text[starts[i]..starts.get(i + 1).copied().unwrap_or(end)];
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..starts[0]]);
    for &i in &order {
        let b = block(i);
        out.push_str(b);
        if !b.ends_with("\n\n") && !b.ends_with("\r\n\r\n") {
            // The last table had no blank line after it; the others do.
            out.push_str(if b.ends_with("\r\n") { "\r\n" } else { "\n" });
        }
    }
    let rest = &text[end..];
    if end == text.len() {
        // The file ended after its last table: keep it ending so.
        let trimmed = out.trim_end_matches(['\r', '\n']).len();
        let newline = if text.ends_with("\r\n") { "\r\n" } else { "\n" };
        out.truncate(trimmed);
        out.push_str(newline);
    } else {
        out.push_str(rest);
    }
    Some(out)
}

/// The file's packages in cargo's order after the bump. Only a run of
/// packages of one name that cargo had sorted as this sorts them (by the
/// old versions) is sorted again: any other order is the file's own.
fn new_order(locked: &[Locked]) -> Vec<usize> {
    let old_key = |l: &Locked| (Version::parse(&l.version).ok(), l.source.clone());
    let mut order: Vec<usize> = (0..locked.len()).collect();
    let mut start = 0;
    while start < locked.len() {
        let end = (start..locked.len())
            .find(|&i| locked[i].name != locked[start].name)
            .unwrap_or(locked.len());
        let run = &mut order[start..end];
        let sorted = run
            .windows(2)
            .all(|w| old_key(&locked[w[0]]) <= old_key(&locked[w[1]]));
        if sorted {
            run.sort_by(|&a, &b| key(&locked[a]).cmp(&key(&locked[b])));
        }
        start = end;
    }
    order
}

/// Byte offsets of the `[[package]]` header lines.
fn headers(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "[[package]]" {
            out.push(at);
        }
        at += line.len();
    }
    out
}

/// Where the last `[[package]]` table ends: at the next table header that
/// is not one (`[metadata]`, `[[patch.unused]]`), else at the end.
fn tail(text: &str, last: usize) -> usize {
    let mut at = last;
    for (i, line) in text[last..].split_inclusive('\n').enumerate() {
        if i > 0 && line.starts_with('[') {
            return at;
        }
        at += line.len();
    }
    text.len()
}
