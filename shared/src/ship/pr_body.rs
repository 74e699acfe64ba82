//! The release pull request's body: the plan as a Markdown table (package,
//! from → to, level, why) and each release's new changelog section, folded.

use std::fmt::Write as _;

use crate::bump::{PackageBump, Plan};

/// The body of the pull request that releases `plan`.
pub(super) fn render(plan: &Plan) -> String {
    let mut out = String::from("## Release\n\n");
    out.push_str(
        "| Package | From | To | Level | Tag | Why |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for p in &plan.packages {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            p.name,
            p.from,
            p.to,
            level(p),
            p.tag
                .as_deref()
                .map(|t| format!("`{t}`"))
                .unwrap_or_default(),
            why(p)
        );
    }
    for (package, notes) in &plan.notes {
        let title = match package {
            Some(name) => {
                let to = plan.packages.iter().find(|p| &p.name == name);
                format!(
                    "<code>{name}</code> {}",
                    to.map(|p| p.to.to_string()).unwrap_or_default()
                )
            }
            None => shared_title(plan),
        };
        let _ = write!(
            out,
            "\n<details><summary>{title}</summary>\n\n{}\n</details>\n",
            fenced(notes)
        );
    }
    out.push_str(
        "\nThe changelogs can be edited in this branch before merging: \
         the release notes are taken from them as merged.\n\
         Merging releases it (`cargo ship release`: tags, publishes, writes the notes).\n",
    );
    out
}

/// The level a package moves by: what `auto` decided, else from the versions.
pub(super) fn level(p: &PackageBump) -> String {
    if let Some(why) = &p.why {
        return why.level.as_str().to_string();
    }
    let level = if p.to.major != p.from.major {
        "major"
    } else if p.to.minor != p.from.minor {
        "minor"
    } else {
        "patch"
    };
    level.to_string()
}

/// Why, in a table cell.
fn why(p: &PackageBump) -> String {
    let Some(why) = &p.why else {
        return String::new();
    };
    let mut parts = Vec::new();
    if p.inherited && why.commits == 0 && why.dependencies.is_empty() {
        parts.push("shares the workspace version".to_string());
    }
    if why.commits > 0 {
        let since = why.last_release.as_deref().map_or_else(
            || " (first release)".to_string(),
            |t| format!(" since `{t}`"),
        );
        parts.push(format!(
            "{}{since}",
            crate::text::count(why.commits, "commit", "commits")
        ));
    }
    if why.breaking > 0 {
        parts.push(format!("{} breaking", why.breaking));
    }
    if !why.dependencies.is_empty() {
        let deps: Vec<String> = why.dependencies.iter().map(|d| format!("`{d}`")).collect();
        parts.push(format!("follows {}", deps.join(", ")));
    }
    if let Some(api) = &why.api {
        parts.push(api.replace('|', "\\|"));
    }
    if let Some(tag) = &why.behind {
        parts.push(format!("counted from `{tag}`"));
    }
    parts.join("; ")
}

/// The title of the shared workspace version's notes.
fn shared_title(plan: &Plan) -> String {
    let sharing: Vec<String> = plan
        .packages
        .iter()
        .filter(|p| p.inherited)
        .map(|p| format!("<code>{}</code>", p.name))
        .collect();
    let version = plan
        .workspace_version
        .as_ref()
        .map(|w| w.to.to_string())
        .unwrap_or_default();
    format!("{} {version}", sharing.join(", "))
}

/// Notes as Markdown inside `<details>`: a blank line keeps GitHub
/// rendering them; they end with one newline.
fn fenced(notes: &str) -> String {
    let trimmed = notes.trim_matches('\n');
    if trimmed.is_empty() {
        return "No notable changes.\n".into();
    }
    format!("{trimmed}\n")
}
