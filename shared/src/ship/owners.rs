//! Whose name it is: where the registry has the owners API (crates.io
//! does), `GET /api/v1/me` says whom the token belongs to and
//! `GET /api/v1/crates/NAME/owners` who owns each name the index already
//! knows. A name owned by others, none of them a team (team membership
//! cannot be read), stops the run before any upload. A registry without
//! these endpoints is not asked again in the run.

use serde_json::Value;

use super::plan::{Skip, Step};
use crate::registry::Token;
use crate::registry::http::Client;
use crate::registry::index::Index;
use crate::term::Shell;

/// Mark the steps to publish whose names belong to others.
pub fn check(steps: &mut [Step], index: &Index, client: &Client, token: &Token, shell: &Shell) {
    let known: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].skip.is_none() && steps[i].known)
        .collect();
    let Some(api) = index.config.api.as_deref().map(|a| a.trim_end_matches('/')) else {
        return;
    };
    if known.is_empty() {
        return;
    }
    let get = |path: &str| -> Option<Value> {
        let reply = client.get(&format!("{api}{path}"), Some(token)).ok()?;
        (reply.status == 200)
            .then(|| serde_json::from_slice(&reply.body).ok())
            .flatten()
    };
    let Some(login) = get("/api/v1/me").and_then(|v| login_of(&v["user"])) else {
        shell.verbose(
            "Skipping",
            "the ownership check: the registry has no /api/v1/me",
        );
        return;
    };
    for i in known {
        let path = format!("/api/v1/crates/{}/owners", steps[i].name);
        let Some(owners) = get(&path).and_then(|v| owners_of(&v)) else {
            continue;
        };
        if !owners.teams && !owners.users.contains(&login) {
            steps[i].skip = Some(Skip::NotOwner {
                owners: owners.users,
                login: login.clone(),
            });
        }
    }
}

/// The owners of a name.
#[derive(Debug, PartialEq, Eq)]
struct Owners {
    users: Vec<String>,
    teams: bool,
}

fn login_of(user: &Value) -> Option<String> {
    user["login"].as_str().map(String::from)
}

/// `{"users": [{"login": "…", "kind": "user"|"team"}]}`.
fn owners_of(v: &Value) -> Option<Owners> {
    let list = v["users"].as_array()?;
    let is_team = |o: &Value| {
        o["kind"] == "team"
            || o["login"]
                .as_str()
                .is_some_and(|l| l.starts_with("github:"))
    };
    Some(Owners {
        users: list
            .iter()
            .filter(|o| !is_team(o))
            .filter_map(login_of)
            .collect(),
        teams: list.iter().any(is_team),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_answers_are_read_as_crates_io_writes_them() {
        let v: Value = serde_json::from_str(
            r#"{"users":[{"id":1,"login":"alice","kind":"user","name":null},{"id":2,"login":"github:org:rel","kind":"team"}]}"#,
        )
        .unwrap();
        assert_eq!(
            owners_of(&v),
            Some(Owners {
                users: vec!["alice".into()],
                teams: true
            })
        );
        assert_eq!(owners_of(&serde_json::json!({"errors": []})), None);
        assert_eq!(
            login_of(&serde_json::json!({"login": "bob", "id": 3})).as_deref(),
            Some("bob")
        );
    }
}
