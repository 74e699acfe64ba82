//! Extra-file replacements declared in `[package.metadata.bump]` or
//! `[workspace.metadata.bump]`:
//!
//! ```toml
//! [package.metadata.bump]
//! replace = [
//!   { file = "README.md", search = "foo = \"{{prev_version}}\"", replace = "foo = \"{{version}}\"", exactly = 1 },
//! ]
//! ```
//!
//! `file` is relative to the declaring manifest's directory; `search` is
//! literal text. Without `exactly` or `min`, at least one match is required.

use std::path::PathBuf;

use toml_edit::Item;

use crate::error::{Error, Result};
use crate::fs::Transaction;
use crate::manifest::Manifest;
use crate::template::render;

/// The placeholders a replacement may use.
pub const PLACEHOLDERS: [&str; 4] = ["version", "prev_version", "crate", "date"];

/// How many matches a replacement expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `exactly = N`.
    Exactly(usize),
    /// `min = N` (default 1).
    AtLeast(usize),
    /// `min` and `max` (cargo-release's replacements).
    Between(usize, usize),
}

impl Expect {
    fn admits(self, found: usize) -> bool {
        match self {
            Expect::Exactly(n) => found == n,
            Expect::AtLeast(n) => found >= n,
            Expect::Between(min, max) => (min..=max).contains(&found),
        }
    }

    fn describe(self) -> String {
        let (word, n) = match self {
            Expect::Exactly(n) => ("exactly", n),
            Expect::AtLeast(n) => ("at least", n),
            Expect::Between(min, max) => return format!("between {min} and {max} matches"),
        };
        format!("{word} {n} match{}", if n == 1 { "" } else { "es" })
    }
}

/// One declared replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The file to edit (absolute).
    pub file: PathBuf,
    /// Literal search text (with placeholders).
    pub search: String,
    /// Replacement text (with placeholders).
    pub replace: String,
    /// How many matches are expected.
    pub expect: Expect,
    /// The manifest declaring it.
    pub declared_in: PathBuf,
    /// `search` is a regular expression and `replace` may name its
    /// groups (`$1`), as in cargo-release's `pre-release-replacements`.
    pub regex: bool,
    /// Made for a pre-release too (cargo-release's `prerelease`).
    pub prerelease: bool,
}

/// The replacements declared under `keys` (e.g. `package.metadata.bump`) of `manifest`.
pub fn load(manifest: &Manifest, keys: &[&str]) -> Result<Vec<Replacement>> {
    let mut path = keys.to_vec();
    path.push("replace");
    let Some(item) = manifest.get(&path) else {
        return Ok(Vec::new());
    };
    let entries: Vec<&dyn toml_edit::TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn toml_edit::TableLike).collect(),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect::<Option<_>>()
            .ok_or_else(|| bad(manifest, item, &path, "must be a list of tables"))?,
        _ => return Err(bad(manifest, item, &path, "must be a list of tables")),
    };
    entries
        .into_iter()
        .map(|t| entry(manifest, item, &path, t))
        .collect()
}

fn entry(
    manifest: &Manifest,
    item: &Item,
    path: &[&str],
    t: &dyn toml_edit::TableLike,
) -> Result<Replacement> {
    let text = |key: &str| -> Result<String> {
        let value = t.get(key).and_then(Item::as_str);
        let value = value.ok_or_else(|| {
            bad(
                manifest,
                item,
                path,
                &format!("each entry needs a string `{key}`"),
            )
        })?;
        let dummy: Vec<(&str, &str)> = PLACEHOLDERS.iter().map(|p| (*p, "x")).collect();
        render(value, &dummy).map_err(|name| {
            let known = PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(", ");
            bad(
                manifest,
                item,
                path,
                &format!("unknown placeholder `{{{{{name}}}}}` (known: {known})"),
            )
        })?;
        Ok(value.to_string())
    };
    let count = |key: &str| -> Result<Option<usize>> {
        match t.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_integer()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        manifest,
                        item,
                        path,
                        &format!("`{key}` must be a non-negative integer"),
                    )
                }),
        }
    };
    let search = text("search")?;
    if search.is_empty() {
        return Err(bad(manifest, item, path, "`search` must not be empty"));
    }
    let expect = match (count("exactly")?, count("min")?) {
        (Some(n), _) => Expect::Exactly(n),
        (None, n) => Expect::AtLeast(n.unwrap_or(1)),
    };
    let dir = manifest
        .path
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    Ok(Replacement {
        file: dir.join(text("file")?),
        search,
        replace: text("replace")?,
        expect,
        declared_in: manifest.path.clone(),
        regex: false,
        prerelease: true,
    })
}

fn bad(manifest: &Manifest, item: &Item, path: &[&str], what: &str) -> Error {
    let message = format!("`{}` {what}", path.join("."));
    let help = "write entries as { file = \"README.md\", search = \"{{prev_version}}\", replace = \"{{version}}\" }";
    manifest.invalid(item.span(), message, Some(help.into()))
}

/// Apply `r` with the placeholder values `vars` to the staged content of its
/// file; returns the number of matches replaced.
pub fn apply(r: &Replacement, vars: &[(&str, &str)], tx: &mut Transaction) -> Result<usize> {
    let undefined = |name: String| Error::Conflict {
        message: format!(
            "`{{{{{name}}}}}` has no value in the replacement for `{}` declared in `{}`",
            r.file.display(),
            r.declared_in.display()
        ),
        help:
            "in [workspace.metadata.bump], `{{crate}}` is only defined when one package is bumped; \
               declare the replacement under [package.metadata.bump] instead"
                .into(),
    };
    let replace = render(&r.replace, vars).map_err(undefined)?;
    let text = tx.read(&r.file)?;
    let (search, found, new) = if r.regex {
        let re = regex::RegexBuilder::new(&r.search)
            .multi_line(true)
            .build()
            .map_err(|e| Error::Conflict {
                message: format!(
                    "`{}` in `{}` is not a regular expression: {e}",
                    r.search,
                    r.declared_in.display()
                ),
                help: "fix the replacement's `search`".into(),
            })?;
        let found = re.find_iter(&text).count();
        let new = re.replace_all(&text, replace.as_str()).into_owned();
        (r.search.clone(), found, new)
    } else {
        let search = render(&r.search, vars).map_err(undefined)?;
        let found = text.matches(&search).count();
        let new = text.replace(&search, &replace);
        (search, found, new)
    };
    if !r.expect.admits(found) {
        return Err(Error::Replace {
            file: r.file.clone(),
            search,
            expected: r.expect.describe(),
            found,
            declared_in: r.declared_in.clone(),
        });
    }
    if found > 0 {
        tx.stage(&r.file, new)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(text: &str) -> Manifest {
        Manifest::from_text(Path::new("/ws/a/Cargo.toml"), text).unwrap()
    }

    #[test]
    fn loads_inline_and_array_of_tables_forms() {
        let inline = manifest(
            "[package.metadata.bump]\nreplace = [{ file = \"README.md\", search = \"a {{prev_version}}\", replace = \"a {{version}}\", exactly = 2 }]\n",
        );
        let r = load(&inline, &["package", "metadata", "bump"]).unwrap();
        assert_eq!(r[0].file, Path::new("/ws/a/README.md"));
        assert_eq!(r[0].expect, Expect::Exactly(2));
        let tables = manifest(
            "[[workspace.metadata.bump.replace]]\nfile = \"VERSION\"\nsearch = \"{{prev_version}}\"\nreplace = \"{{version}}\"\nmin = 0\n",
        );
        let r = load(&tables, &["workspace", "metadata", "bump"]).unwrap();
        assert_eq!((r.len(), r[0].expect), (1, Expect::AtLeast(0)));
    }

    #[test]
    fn config_errors_are_located() {
        let cases = [
            (
                "[package.metadata.bump]\nreplace = 3\n",
                "must be a list of tables",
            ),
            (
                "[package.metadata.bump]\nreplace = [{ file = \"x\" }]\n",
                "needs a string `search`",
            ),
            (
                "[package.metadata.bump]\nreplace = [{ file = \"x\", search = \"{{nope}}\", replace = \"\" }]\n",
                "unknown placeholder `{{nope}}`",
            ),
            (
                "[package.metadata.bump]\nreplace = [{ file = \"x\", search = \"a\", replace = \"b\", exactly = -1 }]\n",
                "non-negative integer",
            ),
        ];
        for (text, expected) in cases {
            let err = load(&manifest(text), &["package", "metadata", "bump"])
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("/ws/a/Cargo.toml:2:11:"), "{err}");
            assert!(err.contains(expected), "{err}");
        }
    }
}
