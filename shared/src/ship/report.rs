//! What `cargo ship crates` reports: the plan (a table on stdout with
//! `--dry-run`), each package's outcome, the closing summary, and the JSON
//! document of `--format json`.

use serde_json::{Value, json};

use super::plan::{Skip, Step};
use super::publish::Outcome;
use crate::registry::Registry;
use crate::term::Shell;
use crate::text::count;

/// The plan and, after the uploads, what became of each package.
#[derive(Clone, Debug)]
pub struct Report {
    /// The registry's name or index.
    pub registry: String,
    /// Its index URL.
    pub index: String,
    /// `--dry-run`.
    pub dry_run: bool,
    /// The packages in publishing order, with outcomes once known.
    pub rows: Vec<(Step, Option<Outcome>)>,
}

impl Report {
    /// The report of a plan.
    pub fn new(registry: &Registry, steps: Vec<Step>, dry_run: bool) -> Self {
        Report {
            registry: registry.label().to_string(),
            index: registry.index.clone(),
            dry_run,
            rows: steps.into_iter().map(|s| (s, None)).collect(),
        }
    }

    /// The plan as a table: order, package, version, action.
    pub fn plan_table(&self) -> String {
        let mut out = format!("Plan for registry `{}` ({}):\n", self.registry, self.index);
        let width = self
            .rows
            .iter()
            .map(|(s, _)| s.name.len())
            .max()
            .unwrap_or(0);
        let vwidth = self
            .rows
            .iter()
            .map(|(s, _)| s.version.to_string().len())
            .max()
            .unwrap_or(0);
        for (i, (s, _)) in self.rows.iter().enumerate() {
            out.push_str(&format!(
                "{:>3}  {:<width$}  {:<vwidth$}  {}\n",
                i + 1,
                s.name,
                s.version.to_string(),
                action(s)
            ));
            let indent = " ".repeat(5 + width + 2 + vwidth + 2);
            for note in notes(s, &self.registry) {
                out.push_str(&format!("{indent}{note}\n"));
            }
        }
        out
    }

    /// Whether every upload went through.
    pub fn passed(&self) -> bool {
        self.rows
            .iter()
            .all(|(_, o)| matches!(o, None | Some(Outcome::Published { .. })))
    }

    /// The closing line (success) or the account of what was and was not
    /// published (failure), on stderr.
    pub fn summarize(&self, shell: &Shell) {
        let published: Vec<String> = self.named(|o| matches!(o, Some(Outcome::Published { .. })));
        let already = self
            .rows
            .iter()
            .filter(|(s, _)| matches!(s.skip, Some(Skip::Published { .. })))
            .count();
        let skipped = self.rows.iter().filter(|(s, _)| s.skip.is_some()).count() - already;
        if self.passed() {
            shell.status(
                "Shipped",
                format_args!(
                    "{} to `{}`: {} published now, {already} already there, {skipped} skipped",
                    count(self.rows.len(), "package", "packages"),
                    self.registry,
                    published.len()
                ),
            );
            return;
        }
        let missing: Vec<String> = self
            .rows
            .iter()
            .filter_map(|(s, o)| match o {
                Some(Outcome::Failed(e)) => Some(format!("{} v{} ({e})", s.name, s.version)),
                Some(Outcome::NotAttempted) => {
                    Some(format!("{} v{} (not attempted)", s.name, s.version))
                }
                _ => None,
            })
            .collect();
        let done = if published.is_empty() {
            "nothing".to_string()
        } else {
            published.join(", ")
        };
        shell.error_message(format_args!(
            "publishing stopped. Published now: {done}. Not published: {}. Run `cargo ship crates` again to publish the rest: what is in the registry is skipped",
            missing.join(", ")
        ));
    }

    /// Whether a step stops the run before any upload.
    pub fn blocked(&self) -> bool {
        self.rows
            .iter()
            .any(|(s, _)| s.skip.as_ref().is_some_and(Skip::blocks))
    }

    fn named(&self, pick: impl Fn(&Option<Outcome>) -> bool) -> Vec<String> {
        self.rows
            .iter()
            .filter(|(_, o)| pick(o))
            .map(|(s, _)| format!("{} v{}", s.name, s.version))
            .collect()
    }

    /// The JSON document: the registry, and per package its place in the
    /// order, the plan's action and the outcome.
    pub fn json(&self) -> Value {
        let packages: Vec<Value> = self
            .rows
            .iter()
            .map(|(s, o)| {
                let (outcome, attempts, found, error) = match o {
                    _ if s.skip.is_some() => ("skipped", None, None, None),
                    None if self.dry_run => ("planned", None, None, None),
                    None => ("not-attempted", None, None, None),
                    Some(Outcome::Published {
                        attempts,
                        found_in_index,
                    }) => ("published", Some(*attempts), Some(*found_in_index), None),
                    Some(Outcome::Failed(e)) => ("failed", None, None, Some(e.clone())),
                    Some(Outcome::NotAttempted) => ("not-attempted", None, None, None),
                };
                let digests = match &s.skip {
                    Some(Skip::OtherContents { local, published }) => {
                        json!({ "local": local, "published": published })
                    }
                    _ => Value::Null,
                };
                json!({
                    "name": s.name,
                    "version": s.version.to_string(),
                    "needs": s.needs,
                    "action": match &s.skip {
                        None => "publish",
                        Some(k) if k.blocks() => "stop",
                        Some(_) => "skip",
                    },
                    "reason": s.skip.as_ref().map(Skip::reason),
                    "sha256": digests,
                    "warnings": s.warnings,
                    "routed_here": s.routed,
                    "outcome": outcome,
                    "attempts": attempts,
                    "found_in_index": found,
                    "error": error,
                })
            })
            .collect();
        json!({
            "registry": { "name": self.registry, "index": self.index },
            "dry_run": self.dry_run,
            "packages": packages,
        })
    }
}

/// A step's action in the plan table.
fn action(s: &Step) -> String {
    match &s.skip {
        None => "publish".to_string(),
        Some(k) if k.blocks() => format!("stop: {}", k.reason()),
        Some(k) => format!("skip: {}", k.reason()),
    }
}

/// What the plan says of path dependencies routed to the registry.
pub fn routed_note(routed: &[String], registry: &str) -> String {
    format!(
        "{} from `{registry}`, not crates.io (packaged from a copy in which the path dependency names the registry)",
        routed.join(", ")
    )
}

/// The lines under a step in the plan table: its digests when they
/// differ, its warnings, the dependencies routed to this registry.
fn notes(s: &Step, registry: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Skip::OtherContents { local, published }) = &s.skip {
        out.push(format!("published sha256 {published}"));
        out.push(format!("local     sha256 {local}"));
    }
    out.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
    if !s.routed.is_empty() {
        out.push(format!("note: {}", routed_note(&s.routed, registry)));
    }
    out
}
