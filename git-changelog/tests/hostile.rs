//! Hostile commit messages: 10 MB, NUL bytes, ANSI escape sequences,
//! Markdown and HTML meant to break the changelog's structure.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Repo, ok, run};

/// Put a commit with `message` (any bytes, NUL included: the git2 API
/// refuses those) on HEAD, written straight into the object database.
fn raw_commit(r: &Repo, message: &[u8]) {
    let head = r.git.head().unwrap().peel_to_commit().unwrap();
    let mut raw = format!(
        "tree {}\nparent {}\nauthor A <a@x.invalid> 1795305600 +0000\ncommitter A <a@x.invalid> 1795305600 +0000\n\n",
        head.tree_id(),
        head.id()
    )
    .into_bytes();
    raw.extend_from_slice(message);
    let id = r
        .git
        .odb()
        .unwrap()
        .write(git2::ObjectType::Commit, &raw)
        .unwrap();
    let branch = r.git.head().unwrap().name().unwrap().to_string();
    r.git.reference(&branch, id, true, "raw commit").unwrap();
}

#[test]
fn hostile_messages_stay_one_escaped_list_item() {
    let mut r = Repo::new();
    let huge = format!("feat: big\n\n{}", "word ".repeat(2 * 1024 * 1024));
    r.commit(&huge);
    r.commit("fix: placeholder");
    raw_commit(&r, b"fix: nul \0 byte and \x1b[31mred\x1b[0m text\n");
    r.commit("feat: </li></ul><script>alert(1)</script>\n## [9.9.9] - fake heading");
    r.commit("fix: a\n\nBREAKING CHANGE: line one\n\n- [ ] not a list");
    let md = ok(run(&r.root, &[]));
    assert!(
        !md.contains('\u{1b}') && !md.contains('\u{0}'),
        "no raw control characters"
    );
    assert!(
        !md.contains("<script>") && md.contains("&lt;script&gt;"),
        "{md}"
    );
    let items: Vec<&str> = md.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), 5, "each commit stays one list item:\n{md}");
    assert_eq!(
        md.lines().filter(|l| l.starts_with("## ")).count(),
        1,
        "no heading smuggled in: {md}"
    );
    assert!(
        md.len() < 4096,
        "the body of a huge message is not rendered"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(&r.root, &["--format", "json"]))).unwrap();
    let body_len = json["releases"][0]["sections"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["body"].as_str())
        .map(str::len)
        .max()
        .unwrap();
    assert!(body_len > 10_000_000, "JSON keeps the whole body");
}
