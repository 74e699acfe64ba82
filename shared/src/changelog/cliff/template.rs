//! git-cliff's templates: tera, git-cliff's extra filters, the `trim`
//! option, the variables a template reads, and the postprocessors applied
//! to what it renders.

use std::collections::{HashMap, HashSet};
use std::error::Error as _;

use regex::Regex;
use semver::Version;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tera::{Context, Tera, ast};

use super::config::TextProcessor;

/// One compiled template.
#[derive(Debug)]
pub(super) struct Template {
    name: &'static str,
    tera: Tera,
    /// The variables it reads (top-level names and dotted paths).
    pub(super) variables: Vec<String>,
}

type FilterResult = tera::Result<Value>;

impl Template {
    /// Compiles `text`; with `trim` every line is trimmed first.
    pub(super) fn new(name: &'static str, text: &str, trim: bool) -> Result<Template, String> {
        let text = if trim {
            text.lines().map(str::trim).collect::<Vec<_>>().join("\n")
        } else {
            text.to_string()
        };
        let mut tera = Tera::default();
        tera.add_raw_template(name, &text).map_err(|e| {
            let detail = e
                .source()
                .map(ToString::to_string)
                .unwrap_or_else(|| e.to_string());
            format!("the {name} template does not parse: {detail}")
        })?;
        tera.register_filter("upper_first", upper_first);
        tera.register_filter("split_regex", split_regex);
        tera.register_filter("replace_regex", replace_regex);
        tera.register_filter("find_regex", find_regex);
        tera.register_filter("commit_groups", commit_groups);
        tera.register_filter("group_by_scope", group_by_scope);
        let mut names = HashSet::new();
        for node in &tera.get_template(name).map_err(|e| e.to_string())?.ast {
            identifiers(node, &mut names);
        }
        Ok(Template {
            name,
            tera,
            variables: names.into_iter().collect(),
        })
    }

    /// Whether it reads a variable starting with one of `prefixes`.
    pub(super) fn uses(&self, prefixes: &[&str]) -> bool {
        prefixes
            .iter()
            .any(|p| self.variables.iter().any(|v| v.starts_with(p)))
    }

    /// Renders `context` (plus `extra` top-level names), then applies the
    /// postprocessors.
    pub(super) fn render(
        &self,
        context: &impl Serialize,
        extra: &[(&str, &Value)],
        post: &[TextProcessor],
    ) -> Result<String, String> {
        let mut cx = Context::from_serialize(context).map_err(|e| e.to_string())?;
        for (k, v) in extra {
            cx.insert(*k, v);
        }
        let mut out = self.tera.render(self.name, &cx).map_err(|e| {
            let mut message = format!("the {} template failed to render", self.name);
            let mut source = e.source();
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            message
        })?;
        for p in post {
            super::text::replace(p, &mut out, &[])?;
        }
        Ok(out)
    }
}

/// git-cliff's walk over a template's nodes for the names it reads.
fn identifiers(node: &ast::Node, names: &mut HashSet<String>) {
    let all = |nodes: &[ast::Node], names: &mut HashSet<String>| {
        for n in nodes {
            identifiers(n, names);
        }
    };
    match node {
        ast::Node::Block(_, block, _) => all(&block.body, names),
        ast::Node::VariableBlock(_, expr) => {
            if let ast::ExprVal::Ident(v) = &expr.val {
                names.insert(v.clone());
            }
        }
        ast::Node::MacroDefinition(_, def, _) => all(&def.body, names),
        ast::Node::FilterSection(_, section, _) => all(&section.body, names),
        ast::Node::Forloop(_, forloop, _) => {
            if let ast::ExprVal::Ident(v) = &forloop.container.val {
                names.insert(v.clone());
            }
            all(&forloop.body, names);
            all(forloop.empty_body.as_deref().unwrap_or_default(), names);
            for (_, expr) in forloop.container.filters.iter().flat_map(|f| f.args.iter()) {
                if let ast::ExprVal::String(v) = &expr.val {
                    names.insert(v.clone());
                }
            }
        }
        ast::Node::If(cond, _) => {
            for (_, expr, nodes) in &cond.conditions {
                if let ast::ExprVal::Ident(v) = &expr.val {
                    names.insert(v.clone());
                }
                all(nodes, names);
            }
            if let Some((_, nodes)) = &cond.otherwise {
                all(nodes, names);
            }
        }
        _ => {}
    }
}

fn arg_string(filter: &str, args: &HashMap<String, Value>, name: &str) -> tera::Result<String> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(tera::Error::msg(format!(
            "Filter `{filter}` received an incorrect type for arg `{name}`: got `{other}` but expected a String"
        ))),
        None => Err(tera::Error::msg(format!(
            "Filter `{filter}` expected an arg called `{name}`"
        ))),
    }
}

fn value_string(filter: &str, value: &Value) -> tera::Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(tera::Error::msg(format!(
            "Filter `{filter}` was called on an incorrect value: got `{other}` but expected a String"
        ))),
    }
}

fn compile(filter: &str, pattern: &str) -> tera::Result<Regex> {
    Regex::new(pattern).map_err(|e| {
        tera::Error::msg(format!(
            "Filter `{filter}` received an invalid regex pattern: {e}"
        ))
    })
}

/// `pat` with `\n` and `\t` written out, as git-cliff reads it.
fn unescape(pattern: String) -> String {
    pattern.replace("\\n", "\n").replace("\\t", "\t")
}

fn upper_first(value: &Value, _: &HashMap<String, Value>) -> FilterResult {
    let s = value_string("upper_first_filter", value)?;
    let mut chars = s.chars();
    Ok(Value::String(match chars.next() {
        None => String::new(),
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
    }))
}

fn replace_regex(value: &Value, args: &HashMap<String, Value>) -> FilterResult {
    let s = value_string("replace_regex", value)?;
    let from = arg_string("replace_regex", args, "from")?;
    let to = arg_string("replace_regex", args, "to")?;
    let re = compile("replace_regex", &from)?;
    Ok(Value::String(re.replace_all(&s, to.as_str()).into_owned()))
}

fn find_regex(value: &Value, args: &HashMap<String, Value>) -> FilterResult {
    let s = value_string("find_regex", value)?;
    let re = compile(
        "find_regex",
        &unescape(arg_string("find_regex", args, "pat")?),
    )?;
    Ok(json!(
        re.find_iter(&s).map(|m| m.as_str()).collect::<Vec<_>>()
    ))
}

fn split_regex(value: &Value, args: &HashMap<String, Value>) -> FilterResult {
    let s = value_string("split_regex", value)?;
    let re = compile(
        "split_regex",
        &unescape(arg_string("split_regex", args, "pat")?),
    )?;
    Ok(json!(re.split(&s).collect::<Vec<_>>()))
}

/// Commits grouped by `group`, in the order of `groups` when given, else of
/// first appearance.
fn commit_groups(value: &Value, args: &HashMap<String, Value>) -> FilterResult {
    let Value::Array(items) = value else {
        return Err(tera::Error::msg(
            "Filter `commit_groups` was called on an incorrect value: expected an array",
        ));
    };
    let order: Option<HashMap<String, usize>> = match args.get("groups") {
        Some(Value::Array(groups)) => {
            let mut map = HashMap::new();
            for (i, g) in groups.iter().enumerate() {
                let name = g.as_str().map_or_else(|| g.to_string(), str::to_string);
                map.entry(name).or_insert(i);
            }
            Some(map)
        }
        Some(_) => {
            return Err(tera::Error::msg(
                "Filter `commit_groups` expected `groups` to be an array",
            ));
        }
        None => None,
    };
    let mut grouped: Vec<(String, Vec<Value>)> = Vec::new();
    for item in items {
        let key = match item.get("group") {
            Some(Value::Null) | None => continue,
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(item.clone()),
            None => grouped.push((key, vec![item.clone()])),
        }
    }
    if let Some(order) = &order {
        let last = order.len();
        grouped.sort_by_key(|(name, _)| order.get(name).copied().unwrap_or(last));
    }
    Ok(Value::Array(
        grouped
            .into_iter()
            .map(|(group, commits)| json!({ "group": group, "commits": commits }))
            .collect(),
    ))
}

/// Releases grouped by their version cut to `scope` (major, minor, patch).
fn group_by_scope(value: &Value, args: &HashMap<String, Value>) -> FilterResult {
    let Value::Array(releases) = value else {
        return Err(tera::Error::msg(
            "Filter `group_by_scope` was called on an incorrect value: expected an array",
        ));
    };
    let scope = match args.get("scope") {
        Some(v) => value_string("group_by_scope", v)?,
        None => "minor".into(),
    };
    if !["major", "minor", "patch"].contains(&scope.as_str()) {
        return Err(tera::Error::msg(
            "Filter `group_by_scope` expected `scope` to be `major`, `minor`, or `patch`",
        ));
    }
    let prefix = match args.get("prefix") {
        Some(v) => value_string("group_by_scope", v)?,
        None => String::new(),
    };
    let mut grouped = Map::new();
    for release in releases {
        let key = match release.get("version") {
            Some(Value::String(v)) => v.clone(),
            Some(Value::Null) => String::new(),
            Some(other) => other.to_string(),
            None => continue,
        };
        let key = scoped(&key, &prefix, &scope).unwrap_or(key);
        if let Value::Array(list) = grouped
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(release.clone());
        }
    }
    Ok(Value::Object(grouped))
}

fn scoped(version: &str, prefix: &str, scope: &str) -> Option<String> {
    let v = Version::parse(version.strip_prefix(prefix)?).ok()?;
    Some(match scope {
        "major" => format!("{prefix}{}", v.major),
        "minor" => format!("{prefix}{}.{}", v.major, v.minor),
        _ => format!("{prefix}{}.{}.{}", v.major, v.minor, v.patch),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, cx: Value) -> String {
        Template::new("body", text, false)
            .unwrap()
            .render(&cx, &[], &[])
            .unwrap()
    }

    #[test]
    fn git_cliffs_filters() {
        let cx = json!({"s": "hello world", "v": "a1b22c"});
        let cases = [
            ("{{ s | upper_first }}", "Hello world"),
            ("{{ v | replace_regex(from='[0-9]+', to='#') }}", "a#b#c"),
            ("{{ v | find_regex(pat='[0-9]+') | join(sep=',') }}", "1,22"),
            ("{{ s | split_regex(pat=' ') | last }}", "world"),
        ];
        for (template, want) in cases {
            assert_eq!(render(template, cx.clone()), want, "{template}");
        }
    }

    #[test]
    fn commit_groups_keep_the_parsers_order() {
        let cx = json!({
            "commits": [{"group": "b"}, {"group": "a"}, {"group": null}, {"group": "b"}],
            "order": ["a", "b"],
        });
        let t = "{% for g in commits | commit_groups(groups=order) %}{{ g.group }}{{ g.commits | length }} {% endfor %}";
        assert_eq!(render(t, cx.clone()), "a1 b2 ");
        let t = "{% for g in commits | commit_groups %}{{ g.group }} {% endfor %}";
        assert_eq!(render(t, cx), "b a ");
    }

    #[test]
    fn trim_and_variables() {
        let t = Template::new("header", "  {{ releases | length }}\n  x  ", true).unwrap();
        assert_eq!(
            t.render(&json!({"releases": [1, 2]}), &[], &[]).unwrap(),
            "2\nx"
        );
        assert!(t.uses(&["releases"]));
        assert!(
            !Template::new("h", "plain", false)
                .unwrap()
                .uses(&["releases"])
        );
        assert!(
            Template::new("b", "{% if %}", false)
                .unwrap_err()
                .contains("does not parse")
        );
    }
}
