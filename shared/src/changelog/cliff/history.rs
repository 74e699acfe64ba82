//! The releases of a repository as git-cliff cuts them: the tags that
//! count, the range a run reads, each commit owned by the oldest tag that
//! reaches it, and the links between consecutive releases.

use std::collections::{BTreeMap, HashMap, HashSet};

use git2::{Oid, Repository, Sort};
use regex::Regex;

use super::commit::{Commit, Signature, Statistics};
use super::config::GitConfig;
use super::release::{Range, Release};

/// Which part of history a run renders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Span {
    /// Since the newest tag (`git cliff --unreleased`).
    #[default]
    Unreleased,
    /// Everything.
    All,
    /// The newest release (`--latest`).
    Latest,
    /// The release HEAD is tagged with (`--current`).
    Current,
    /// A revision range `a..b`, or one revision.
    Range(String),
}

/// A release tag.
#[derive(Clone, Debug)]
pub(super) struct Tag {
    pub(super) name: String,
    pub(super) message: Option<String>,
    /// An annotated tag's object, not read yet: its name and message
    /// replace the ref's name when it is ([`Tags::read`]). Most tags never
    /// become a release of a run, so most are never read.
    object: Option<Oid>,
}

impl Tag {
    fn named(name: &str, message: Option<String>) -> Tag {
        Tag {
            name: name.to_string(),
            message,
            object: None,
        }
    }

    /// The name and message from the tag object, as git-cliff takes them.
    fn read(&mut self, repo: &Repository) {
        let Some(id) = self.object.take() else {
            return;
        };
        if let Ok(tag) = repo.find_tag(id) {
            if let Ok(name) = tag.name() {
                self.name = name.to_string();
            }
            self.message = tag.message().ok().flatten().map(strip_signature);
        }
    }
}

/// Tags by commit id, oldest first: an insertion-ordered map (a second
/// tag on a commit replaces the first one's value but keeps its place),
/// looked up by commit id once per walked commit.
#[derive(Default)]
pub(super) struct Tags {
    list: Vec<(String, Tag)>,
    index: HashMap<String, usize>,
}

impl Tags {
    fn insert(&mut self, id: String, tag: Tag) {
        match self.index.get(&id) {
            Some(&i) => self.list[i].1 = tag,
            None => {
                self.index.insert(id.clone(), self.list.len());
                self.list.push((id, tag));
            }
        }
    }

    /// The tag on commit `id`, its object read.
    fn read(&mut self, repo: &Repository, id: &str) -> Option<&Tag> {
        let &i = self.index.get(id)?;
        let tag = &mut self.list[i].1;
        tag.read(repo);
        Some(tag)
    }

    /// Whether a tag is on commit `id`.
    fn has(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// Reads every tag's object (for what compares all names).
    pub(super) fn read_all(&mut self, repo: &Repository) {
        for (_, tag) in &mut self.list {
            tag.read(repo);
        }
    }

    fn retain(&mut self, keep: impl FnMut(&(String, Tag)) -> bool) {
        self.list.retain(keep);
        self.index = self
            .list
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i))
            .collect();
    }
}

impl std::ops::Deref for Tags {
    type Target = [(String, Tag)];

    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

fn strip_signature(message: &str) -> String {
    static SIG: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?s)-----BEGIN (PGP|SSH|SIGNED) (SIGNATURE|MESSAGE)-----(.*?)-----END (PGP|SSH|SIGNED) (SIGNATURE|MESSAGE)-----").expect("valid")
    });
    SIG.replace(message, "").trim().to_string()
}

/// The tags matching `pattern`, in commit time order unless `topo_order`:
/// git-cliff's list, with the tag objects left unread.
pub(super) fn tags(
    repo: &Repository,
    pattern: Option<&Regex>,
    topo_order: bool,
    branch_only: bool,
) -> Result<Tags, git2::Error> {
    // Names and targets read from packed-refs and refs/tags at once (a
    // lookup per name, as libgit2 does it, cost more than the rest of a run).
    let list = crate::git::tag_list(repo).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    let head = match branch_only {
        true => repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .ok()
            .map(|c| c.id()),
        false => None,
    };
    let graph = crate::git::CommitGraph::open(repo);
    let mut found = Vec::with_capacity(list.len());
    for (name, target, peeled) in &list {
        if pattern.is_some_and(|p| !p.is_match(name)) {
            continue;
        }
        let Some((commit, time, tag)) = peel(repo, &graph, name, *target, *peeled) else {
            continue;
        };
        if let Some(head) = head
            && head != commit
            && !repo.graph_descendant_of(head, commit)?
        {
            continue;
        }
        found.push((commit, time, tag));
    }
    if !topo_order {
        found.sort_by_key(|(_, time, _)| *time);
    }
    let mut out = Tags::default();
    for (commit, _, tag) in found {
        out.insert(commit.to_string(), tag);
    }
    Ok(out)
}

/// The commit a tag names and its time; `None` for a tag of a tree or a
/// blob. Packed refs record what an annotated tag peels to, so its
/// object is read later, and only if it becomes a release; the commit
/// graph, when the repository has one, holds the commit's time.
fn peel(
    repo: &Repository,
    graph: &crate::git::CommitGraph,
    name: &str,
    target: Oid,
    peeled: Option<Oid>,
) -> Option<(Oid, i64, Tag)> {
    let time = |commit: Oid| match graph.commit_time(commit) {
        Some(time) => Some(time),
        None => Some(repo.find_commit(commit).ok()?.time().seconds()),
    };
    if let Some(commit) = peeled.filter(|p| *p != target) {
        let tag = Tag {
            object: Some(target),
            ..Tag::named(name, None)
        };
        return Some((commit, time(commit)?, tag));
    }
    if let Some(time) = graph.commit_time(target) {
        return Some((target, time, Tag::named(name, None)));
    }
    let obj = repo.find_object(target, None).ok()?;
    if let Some(tag) = obj.as_tag() {
        let commit = obj
            .peel(git2::ObjectType::Commit)
            .ok()?
            .into_commit()
            .ok()?;
        let message = tag.message().ok().flatten().map(strip_signature);
        let tag = Tag::named(tag.name().unwrap_or(name), message);
        return Some((commit.id(), commit.time().seconds(), tag));
    }
    let commit = obj.into_commit().ok()?;
    Some((commit.id(), commit.time().seconds(), Tag::named(name, None)))
}

/// The tags that count: `count_tags`, minus `ignore_tags` (skipped tags
/// stay, their commits are dropped later).
pub(super) fn counted(repo: &Repository, mut tags: Tags, git: &GitConfig) -> Tags {
    if git.skip_tags.is_some() || git.count_tags.is_some() || git.ignore_tags.is_some() {
        tags.read_all(repo);
    }
    tags.retain(|(_, tag)| {
        let name = &tag.name;
        if git.skip_tags.as_ref().is_some_and(|r| r.is_match(name)) {
            return true;
        }
        let count = git.count_tags.as_ref().is_none_or(|r| r.is_match(name));
        let ignore = git
            .ignore_tags
            .as_ref()
            .is_some_and(|r| !r.as_str().trim().is_empty() && r.is_match(name));
        count && !ignore
    });
    tags
}

/// The revision range `span` reads, from all matching tags (git-cliff
/// decides it before it drops ignored tags).
pub(super) fn range(
    repo: &Repository,
    span: &Span,
    tags: &mut Tags,
    git: &GitConfig,
) -> Result<Option<String>, String> {
    match span {
        Span::Range(r) => Ok(Some(r.clone())),
        Span::Unreleased => Ok(tags.last().map(|(id, _)| format!("{id}..HEAD"))),
        Span::All => Ok(git.limit_tags.filter(|n| *n > 0).and_then(|limit| {
            let (first, _) = tags.get(tags.len().saturating_sub(limit))?;
            let (last, _) = tags.last()?;
            Some(if first == last {
                last.clone()
            } else {
                format!("{first}..{last}")
            })
        })),
        Span::Latest | Span::Current => {
            if tags.len() < 2 {
                let root = walk(repo, None, git.topo_order_commits)
                    .map_err(|e| e.message().to_string())?;
                let (Some(first), Some((tag, _))) = (root.last(), tags.first()) else {
                    return Ok(None);
                };
                return Ok(Some(if tags.len() == 1 {
                    tag.clone()
                } else {
                    format!("{first}..{tag}")
                }));
            }
            let mut index = tags.len() - 2;
            if *span == Span::Current {
                tags.read_all(repo);
                let current = current_tag(repo).ok_or("no tag exists for the current commit")?;
                let at = tags
                    .iter()
                    .position(|(_, t)| t.name == current)
                    .ok_or("no tag exists for the current commit")?;
                index = at
                    .checked_sub(1)
                    .ok_or("no suitable tags found; maybe run with --topo-order")?;
            }
            Ok(Some(format!("{}..{}", tags[index].0, tags[index + 1].0)))
        }
    }
}

/// `git describe --tags` of HEAD.
fn current_tag(repo: &Repository) -> Option<String> {
    let mut opts = git2::DescribeOptions::new();
    opts.describe_tags();
    repo.describe(&opts).ok()?.format(None).ok()
}

/// The commit ids of `range` (HEAD when none), newest first.
fn walk(repo: &Repository, range: Option<&str>, topo: bool) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(if topo { Sort::TOPOLOGICAL } else { Sort::TIME })?;
    match range {
        Some(r) if r.contains("..") => walk.push_range(r)?,
        Some(r) => walk.push(Oid::from_str(r)?)?,
        None => walk.push_head()?,
    }
    Ok(walk.filter_map(Result::ok).collect())
}

/// Which commits a path filter keeps (git-cliff's glob rules).
struct Paths {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Paths {
    fn new(git: &GitConfig) -> Option<Paths> {
        let norm = |p: &String| {
            let p = if p.ends_with('/') {
                format!("{p}**")
            } else {
                p.clone()
            };
            p.strip_prefix("./").map(str::to_string).unwrap_or(p)
        };
        (!git.include_paths.is_empty() || !git.exclude_paths.is_empty()).then(|| Paths {
            include: git.include_paths.iter().map(norm).collect(),
            exclude: git.exclude_paths.iter().map(norm).collect(),
        })
    }

    fn keeps(&self, files: &[String]) -> bool {
        let any = |set: &[String], f: &str| set.iter().any(|p| glob(p.as_bytes(), f.as_bytes()));
        files
            .iter()
            .any(|f| (self.include.is_empty() || any(&self.include, f)) && !any(&self.exclude, f))
    }
}

/// A glob as the `glob` crate matches it by default: `*` and `**` match
/// any text (slashes too), `?` one character, `[...]` a class.
pub(super) fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => {
            let stars = p.iter().take_while(|c| **c == b'*').count();
            let rest = &p[stars..];
            // `**/` also matches no directory at all.
            (stars >= 2 && rest.first() == Some(&b'/') && glob(&rest[1..], s))
                || (0..=s.len()).any(|i| glob(rest, &s[i..]))
        }
        Some(b'?') => !s.is_empty() && glob(&p[1..], &s[1..]),
        Some(b'[') => match (p.iter().position(|c| *c == b']'), s.first()) {
            (Some(end), Some(c)) if end > 1 => {
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some(b'!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && glob(&p[end + 1..], &s[1..])
            }
            _ => s.first() == Some(&b'[') && glob(&p[1..], &s[1..]),
        },
        Some(c) => s.first() == Some(c) && glob(&p[1..], &s[1..]),
    }
}

/// The files a commit changes against its first parent; for a root commit
/// every file, named as git-cliff names them (`/top`, `dir//file`).
fn changed_files(repo: &Repository, commit: &git2::Commit<'_>) -> Vec<String> {
    let tree = commit.tree().ok();
    let Ok(parent) = commit.parent(0) else {
        let mut files = Vec::new();
        if let Some(tree) = tree {
            let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(git2::ObjectType::Blob) {
                    files.push(format!("{dir}/{}", entry.name().unwrap_or_default()));
                }
                git2::TreeWalkResult::Ok
            });
        }
        return files;
    };
    let before = parent.tree().ok();
    let Ok(diff) = repo.diff_tree_to_tree(tree.as_ref(), before.as_ref(), None) else {
        return Vec::new();
    };
    diff.deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

fn statistics(repo: &Repository, commit: &git2::Commit<'_>) -> Statistics {
    let tree = commit.tree().ok();
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    repo.diff_tree_to_tree(parent.as_ref(), tree.as_ref(), None)
        .and_then(|d| d.stats())
        .map(|s| Statistics {
            files_changed: s.files_changed(),
            additions: s.insertions(),
            deletions: s.deletions(),
        })
        .unwrap_or_default()
}

fn signature(s: &git2::Signature<'_>) -> Signature {
    Signature {
        name: s.name().ok().map(str::to_string),
        email: s.email().ok().map(str::to_string),
        timestamp: s.when().seconds(),
    }
}

fn to_commit(repo: &Repository, c: &git2::Commit<'_>, stats: bool, remote_fields: bool) -> Commit {
    Commit {
        id: c.id().to_string(),
        message: c.message().unwrap_or_default().trim_end().to_string(),
        author: signature(&c.author()),
        committer: signature(&c.committer()),
        merge_commit: c.parent_count() > 1,
        statistics: if stats {
            statistics(repo, c)
        } else {
            Statistics::default()
        },
        remote_fields,
        ..Commit::default()
    }
}

/// What cuts the releases.
pub(super) struct Cut<'a> {
    pub(super) range: Option<&'a str>,
    pub(super) tags: Tags,
    /// `--release VERSION`: the newest commits are this release.
    pub(super) tag: Option<&'a str>,
    pub(super) newest_first: bool,
    pub(super) statistics: bool,
    /// `--with-tag-message`: the newest release's message.
    pub(super) tag_message: Option<&'a str>,
    /// Whether commits carry git-cliff's (empty) remote fields.
    pub(super) remote_fields: bool,
    pub(super) now: i64,
}

/// The repository's root as git-cliff names it (`repository`).
pub(super) fn root(repo: &Repository) -> String {
    let path = repo.workdir().unwrap_or_else(|| repo.path());
    let mut path = path.to_path_buf();
    if path.ends_with(".git") {
        path.pop();
    }
    let s = path.to_string_lossy().into_owned();
    s.strip_suffix('/')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or(s)
}

/// The releases of `cut.range`, oldest first, the unreleased changes last.
pub(super) fn releases(
    repo: &Repository,
    git: &GitConfig,
    mut cut: Cut<'_>,
) -> Result<Vec<Release>, git2::Error> {
    let ids = walk(repo, cut.range, git.topo_order_commits)?;
    let mut commits: Vec<git2::Commit<'_>> = ids
        .iter()
        .filter_map(|id| repo.find_commit(*id).ok())
        .collect();
    if let Some(paths) = Paths::new(git) {
        commits.retain(|c| paths.keeps(&changed_files(repo, c)));
    }
    if let Some(limit) = git.limit_commits {
        commits.truncate(limit);
    }
    let mut releases = vec![Release::default()];
    let mut tag_time = None;
    if let Some(name) = cut.tag {
        match commits.first() {
            Some(first) => {
                let id = first.id().to_string();
                if cut.tags.has(&id) {
                    tag_time = Some(first.time().seconds());
                } else {
                    let message = resolve_tag_message(repo, name);
                    cut.tags.insert(id, Tag::named(name, message));
                }
            }
            None => {
                releases[0].version = Some(name.to_string());
                releases[0].timestamp = Some(cut.now);
            }
        }
    }
    let ordered = by_owner(repo, &commits, &cut.tags)?;
    let mut previous = Release::default();
    let mut first_tag: Option<String> = None;
    let root = root(repo);
    for c in ordered {
        let release = releases.last_mut().expect("one release at least");
        let commit = to_commit(repo, &c, cut.statistics, cut.remote_fields);
        let id = commit.id.clone();
        release.commits.push(commit);
        release.repository = Some(root.clone());
        release.commit_id = Some(id.clone());
        if let Some(tag) = cut.tags.read(repo, &id) {
            release.version = Some(tag.name.clone());
            release.message.clone_from(&tag.message);
            release.timestamp = Some(if cut.tag == Some(tag.name.as_str()) {
                tag_time.unwrap_or(cut.now)
            } else {
                c.time().seconds()
            });
            first_tag.get_or_insert_with(|| id.clone());
            previous.previous = None;
            release.previous = Some(Box::new(previous));
            previous = release.clone();
            releases.push(Release::default());
        }
    }
    if releases.len() > 1 {
        previous.previous = None;
        releases.last_mut().expect("several").previous = Some(Box::new(previous));
    }
    if cut.newest_first {
        for r in &mut releases {
            r.commits.reverse();
        }
    }
    link_first(repo, &mut releases[0], &mut cut.tags, first_tag.as_deref());
    for r in &mut releases {
        if let (Some(first), Some(last)) = (r.commits.first(), r.commits.last()) {
            let (from, to) = if cut.newest_first {
                (last, first)
            } else {
                (first, last)
            };
            r.commit_range = Some(Range {
                from: from.id.clone(),
                to: to.id.clone(),
            });
        }
    }
    if git.recurse_submodules {
        for r in &mut releases {
            r.submodule_commits =
                submodule_commits(repo, r, git.topo_order_commits, cut.remote_fields);
        }
    }
    if let Some(message) = cut.tag_message
        && let Some(newest) = releases.iter_mut().rfind(|r| !r.commits.is_empty())
    {
        newest.message = Some(message.to_string());
    }
    Ok(releases)
}

/// The commits of each submodule `release` moves, by path: what the
/// submodule's history holds between the commit the previous release's
/// tree names and the one the release's names (all of it up to that one
/// for a submodule the release adds), newest first, as git-cliff reads
/// them. A submodule that is not checked out is left out.
fn submodule_commits(
    repo: &Repository,
    release: &Release,
    topo: bool,
    remote_fields: bool,
) -> BTreeMap<String, Vec<Commit>> {
    let commit = |id: Option<&String>| {
        id.and_then(|id| Oid::from_str(id).ok())
            .and_then(|oid| repo.find_commit(oid).ok())
    };
    let mut out = BTreeMap::new();
    let Some(last) = commit(release.commit_id.as_ref()) else {
        return out;
    };
    let first = commit(release.previous.as_ref().and_then(|p| p.commit_id.as_ref()));
    let old = first.and_then(|c| c.tree().ok());
    let new = last.tree().ok();
    let Ok(diff) = repo.diff_tree_to_tree(old.as_ref(), new.as_ref(), None) else {
        return out;
    };
    let root = repo.workdir().unwrap_or_else(|| repo.path());
    for delta in diff.deltas() {
        let (before, after) = (delta.old_file().id(), delta.new_file().id());
        let range = if before == after || after.is_zero() {
            continue;
        } else if before.is_zero() {
            after.to_string()
        } else {
            format!("{before}..{after}")
        };
        let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) else {
            continue;
        };
        let Ok(module) = repo.find_submodule(path) else {
            continue;
        };
        let Ok(sub) = Repository::open(root.join(module.path())) else {
            continue;
        };
        let Ok(ids) = walk(&sub, Some(&range), topo) else {
            continue;
        };
        let commits = ids
            .iter()
            .filter_map(|id| sub.find_commit(*id).ok())
            .map(|c| to_commit(&sub, &c, false, remote_fields))
            .collect();
        out.insert(module.path().to_string_lossy().into_owned(), commits);
    }
    out
}

fn resolve_tag_message(repo: &Repository, name: &str) -> Option<String> {
    let tag = repo
        .resolve_reference_from_short_name(name)
        .and_then(|r| r.peel_to_tag())
        .ok()?;
    tag.message().ok().flatten().map(strip_signature)
}

/// The first release's previous one: the tag before the first tag seen
/// (`first_tag`, a commit id), else the newest tag.
fn link_first(repo: &Repository, first: &mut Release, tags: &mut Tags, first_tag: Option<&str>) {
    if first
        .previous
        .as_ref()
        .and_then(|p| p.version.as_ref())
        .is_some()
    {
        return;
    }
    let found = match first_tag {
        Some(first) => tags
            .iter()
            .position(|(id, _)| id == first)
            .and_then(|i| i.checked_sub(1)),
        None => tags.len().checked_sub(1),
    };
    let Some(id) = found.map(|i| tags[i].0.clone()) else {
        return;
    };
    if let Some(tag) = tags.read(repo, &id) {
        let timestamp = Oid::from_str(&id)
            .and_then(|oid| repo.find_commit(oid))
            .map(|c| c.time().seconds())
            .unwrap_or_default();
        first.previous = Some(Box::new(Release {
            commit_id: Some(id.clone()),
            version: Some(tag.name.clone()),
            timestamp: Some(timestamp),
            ..Release::default()
        }));
    }
}

/// The commits grouped by the oldest walked tag that reaches them, each
/// group oldest first and closed by its tag's commit; unowned commits last.
fn by_owner<'r>(
    repo: &'r Repository,
    commits: &[git2::Commit<'r>],
    tags: &Tags,
) -> Result<Vec<git2::Commit<'r>>, git2::Error> {
    let walked: HashSet<Oid> = commits.iter().map(git2::Commit::id).collect();
    let tag_ids: Vec<(Oid, &String)> = tags
        .iter()
        .filter_map(|(id, _)| Oid::from_str(id).ok().map(|o| (o, id)))
        .filter(|(o, _)| walked.contains(o))
        .collect();
    // git-cliff walks from each tag hiding every older one; a commit
    // reached from an older tag is exactly one a walk from an older tag
    // already visited, so one depth-first pass with a shared visited set
    // gives the same owners in linear time.
    let mut owner: HashMap<Oid, &String> = HashMap::new();
    let mut seen: HashSet<Oid> = HashSet::new();
    'tags: for (oid, id) in &tag_ids {
        let mut stack = vec![*oid];
        while let Some(next) = stack.pop() {
            if !seen.insert(next) {
                continue;
            }
            if walked.contains(&next) {
                owner.entry(next).or_insert(id);
                if owner.len() == walked.len() {
                    break 'tags;
                }
            }
            if let Ok(c) = repo.find_commit(next) {
                stack.extend(c.parent_ids().filter(|p| !seen.contains(p)));
            }
        }
    }
    let mut groups: HashMap<&String, Vec<&git2::Commit<'r>>> = HashMap::new();
    let mut unreleased = Vec::new();
    for c in commits.iter().rev() {
        match owner.get(&c.id()) {
            Some(id) => groups.entry(id).or_default().push(c),
            None => unreleased.push(c),
        }
    }
    let mut out = Vec::with_capacity(commits.len());
    for (id, _) in tags.iter() {
        let Some(mut group) = groups.remove(id) else {
            continue;
        };
        if let Some(pos) = group.iter().position(|c| c.id().to_string() == *id) {
            let tip = group.remove(pos);
            group.push(tip);
        }
        out.extend(group.into_iter().cloned());
    }
    out.extend(unreleased.into_iter().cloned());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_the_glob_crate() {
        let cases = [
            ("src/**", "src/a/b.rs", true),
            ("*.md", "docs/a.md", true),
            ("src/*", "src/a/b.rs", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[a-c]x", "cx", true),
            ("docs/**", "src/docs", false),
            ("website/**/*", "website/index.html", true),
            ("website/**/*", "website/a/b.css", true),
            ("**/*.md", "README.md", true),
        ];
        for (p, s, want) in cases {
            assert_eq!(glob(p.as_bytes(), s.as_bytes()), want, "{p} {s}");
        }
    }
}
