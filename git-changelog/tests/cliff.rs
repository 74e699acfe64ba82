//! `git changelog` with a git-cliff configuration against the real
//! git-cliff 2.14.2 (`scripts/test` installs it from PyPI into a venv and
//! sets `CRATESMITH_GIT_CLIFF`): generated histories (merges, many tags,
//! pre-releases, odd tag names, breaking footers, reverts, scopes,
//! non-conventional subjects) rendered with every built-in configuration
//! `git-cliff --init NAME` writes and with configurations of our own that
//! use each supported key; both tools' stdout must be byte-identical.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::git_at as git;

mod common;

const BUILT_IN: [&str; 14] = [
    "cliff",
    "azure-devops-keepachangelog",
    "cocogitto",
    "detailed",
    "github-keepachangelog",
    "github",
    "gitlab-keepachangelog",
    "gitlab",
    "keepachangelog",
    "minimal",
    "scoped",
    "scopesorted",
    "statistics",
    "unconventional",
];

/// A configuration file `name` holding `text` in a new directory.
fn config_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join(name);
    cratesmith_tests::cratesmith_write(&config, text.as_ref());
    (tmp, config)
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_git-changelog"))
}

/// A small deterministic generator (xorshift), so every run sees the same
/// histories.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const SUBJECTS: [&str; 24] = [
    "feat: add the widget",
    "feat(cli): a --verbose flag (#12)",
    "feat(api)!: remove the old endpoint",
    "fix: crash on empty input",
    "fix(parser): handle CRLF, closes #7",
    "fix(ui): wrong colour\n\nThe body explains a security issue.",
    "docs: describe the flags",
    "docs(readme): badges",
    "perf: faster hashing",
    "refactor(core): split the module",
    "style: rustfmt",
    "test: cover the edge",
    "chore(release): prepare for the release",
    "chore(deps): bump serde",
    "chore: tidy",
    "ci: cache the target dir",
    "revert: feat: add the widget",
    "Revert \"fix: crash on empty input\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
    "Update README.md",
    "Merge-like wording without a type",
    "feat: new config\n\nLonger body.\n\nBREAKING CHANGE: the old config is gone\nRefs: #42",
    "fix: two things\n\n- first line\n- second line",
    "build: a build tweak",
    "feat(ui): dark mode\n\nCo-authored-by: Grace <grace@example.invalid>",
];

const TAGS: [&str; 10] = [
    "v0.1.0",
    "v0.2.0-rc.1",
    "v0.2.0",
    "v0.3.0",
    "nightly",
    "v1.0.0-beta.1",
    "v1.0.0",
    "v1.1.0",
    "release-2",
    "v2.0.0",
];

/// A history of about `n` commits with merges and tags; returns its dir.
fn history(seed: u64, n: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut t = 1_780_000_000_i64;
    git(dir, &["init", "-q", "-b", "main"], t);
    let mut rng = Rng(seed);
    let mut tags = TAGS.iter();
    let mut i = 0;
    let mut graphed = false;
    while i < n {
        t += 3_600 * (1 + rng.next(40) as i64);
        let file = format!("src/f{}.txt", rng.next(5));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        cratesmith_tests::cratesmith_write(&dir.join(&file), format!("{seed} {i}\n").as_ref());
        let doc = dir.join("docs.md");
        if rng.next(4) == 0 {
            cratesmith_tests::cratesmith_write(&doc, format!("{i}\n").as_ref());
        }
        git(dir, &["add", "-A"], t);
        let subject = SUBJECTS[rng.next(SUBJECTS.len())];
        git(dir, &["commit", "-q", "--allow-empty", "-m", subject], t);
        i += 1;
        if rng.next(6) == 0 {
            // A side branch merged back with a merge commit.
            let branch = format!("topic{i}");
            git(dir, &["checkout", "-q", "-b", &branch], t);
            for _ in 0..2 {
                t += 600;
                cratesmith_tests::cratesmith_write(
                    &dir.join("side.txt"),
                    format!("{i} {t}\n").as_ref(),
                );
                git(dir, &["add", "-A"], t);
                git(
                    dir,
                    &["commit", "-q", "-m", SUBJECTS[rng.next(SUBJECTS.len())]],
                    t,
                );
                i += 1;
            }
            git(dir, &["checkout", "-q", "main"], t);
            t += 600;
            let msg = format!("Merge branch '{branch}'");
            git(dir, &["merge", "-q", "--no-ff", "-m", &msg, &branch], t);
        }
        if seed % 2 == 1 && i >= n / 2 && !graphed {
            graphed = true;
            // A commit graph (as `git gc` writes) holding the older half:
            // tag times come from it, and from the commits past it.
            git(dir, &["commit-graph", "write", "--reachable"], t);
        }
        if rng.next(4) == 0
            && let Some(tag) = tags.next()
        {
            if rng.next(2) == 0 {
                git(dir, &["tag", "-a", "-m", &format!("Release {tag}"), tag], t);
            } else {
                git(dir, &["tag", tag], t);
            }
        }
    }
    if seed % 2 == 1 {
        // An alias: a ref whose tag object names another tag (git-cliff
        // takes the object's name), then refs packed as a clone has them
        // (tag objects peeled in packed-refs).
        let message = "Release v1.9.0";
        git(dir, &["tag", "-a", "-m", message, "v1.9.0", "HEAD~2"], t);
        git(dir, &["tag", "v1.9.0-alias", "v1.9.0"], t);
        git(dir, &["pack-refs", "--all"], t);
        // HEAD tagged (a loose ref): what --current renders.
        git(
            dir,
            &["tag", "-a", "-m", "the current release", "v9.0.0"],
            t,
        );
    }
    tmp
}

/// Our own configurations: each key the differential test covers.
const OWN: [(&str, &str); 10] = [
    (
        "keys",
        r##"
[changelog]
header = "# Changes\n"
body = """
{% if version %}## {{ version }} ({{ timestamp | date(format="%Y-%m-%d") }}){% else %}## Next{% endif %}
{% for group, commits in commits | group_by(attribute="group") %}
### {{ group | upper_first }}
{% for c in commits %}- {{ c.message | split(pat="\n") | first }}{% if c.breaking %} (breaking: {{ c.breaking_description }}){% endif %}{% for l in c.links %} [{{ l.text }}]({{ l.href }}){% endfor %} by {{ c.author.name }}
{% endfor %}{% endfor %}
"""
footer = "{% for r in releases %}[{{ r.version | default(value='next') }}]: {{ r.commit_range.from | default(value='') | truncate(length=7, end='') }}\n{% endfor %}"
trim = false
postprocessors = [{ pattern = "widget", replace = "gadget" }]

[git]
conventional_commits = true
filter_unconventional = false
split_commits = false
commit_preprocessors = [{ pattern = '\(#([0-9]+)\)', replace = "(issue $1)" }]
commit_parsers = [
  { message = "^feat", group = "features" },
  { message = "^fix", group = "fixes" },
  { body = ".*security", group = "security" },
  { footer = "^Refs", group = "referenced" },
  { message = "^chore\\(release\\)", skip = true },
  { message = "^(\\w+)", group = "other $1" },
]
protect_breaking_commits = true
link_parsers = [{ pattern = "#(\\d+)", href = "https://example.invalid/issues/$1", text = "issue $1" }]
tag_pattern = "^v[0-9]"
skip_tags = "beta"
ignore_tags = "rc"
sort_commits = "newest"
"##,
    ),
    (
        "split",
        r##"
[changelog]
body = """
{{ version | default(value="unreleased") }}:{% for c in commits %}
 * [{{ c.group | default(value="?") }}] {{ c.scope | default(value="-") }} {{ c.message }}{% endfor %}
"""
trim = true
render_always = true

[git]
conventional_commits = true
filter_unconventional = false
split_commits = true
commit_parsers = [
  { message = "^feat", group = "F", default_scope = "general" },
  { message = "^fix", group = "B" },
  { message = "^-", group = "bullet" },
]
filter_commits = true
topo_order = true
topo_order_commits = false
skip_tags = ""
"##,
    ),
    (
        "fields",
        r##"
[changelog]
header = "{{ releases | length }} releases\n"
body = """
## {{ version | default(value="next") }} {{ statistics.commit_count }} commits, {{ statistics.conventional_commit_count }} conventional
{% for c in commits %}- {{ c.id | truncate(length=7, end="") }} {{ c.group }} +{{ c.statistics.additions }}/-{{ c.statistics.deletions }} merge={{ c.merge_commit }}
{% endfor %}"""

[git]
conventional_commits = false
commit_parsers = [
  { field = "author.name", pattern = "^Cratesmith", group = "by the test identity" },
  { message = ".*", group = "rest" },
]
count_tags = "^v"
limit_commits = 40
"##,
    ),
    (
        "paths",
        r##"
[changelog]
body = """
{{ version | default(value="unreleased") }} {% for c in commits %}{{ c.message | split(pat="\n") | first }}; {% endfor %}
"""
[git]
conventional_commits = true
filter_unconventional = true
include_paths = ["src/**/*", "docs.md"]
exclude_paths = ["src/f0.txt"]
"##,
    ),
    (
        "order",
        r##"
[changelog]
body = """
{% for entry in commits | commit_groups(groups=commit_parsers_groups) %}{{ entry.group }}={{ entry.commits | length }} {% endfor %}
"""
[git]
conventional_commits = true
filter_unconventional = false
processing_order = ["conventional_commits", "commit_parsers", "commit_preprocessors", "link_parsers"]
commit_preprocessors = [{ pattern = "^(\\w+)", replace = "[$1]" }]
commit_parsers = [
  { message = "^fix", group = "fix" },
  { message = "^feat", group = "feat", continue = true },
  { message = "^feat\\(ui\\)", scope = "interface" },
  { message = ".", group = "other" },
]
limit_tags = 3
"##,
    ),
    (
        "scopes",
        r##"
[changelog]
body = """
{% for v, rs in releases | default(value=[]) | group_by_scope(scope="major", prefix="v") %}{{ v }}{% endfor %}{{ version | default(value="") }} {{ previous.version | default(value="none") }} {{ message | default(value="") }}
"""
[git]
conventional_commits = true
filter_unconventional = true
commit_parsers = [{ message = "^feat", group = "f" }, { message = "^fix", group = "x" }]
filter_commits = true
use_branch_tags = true
"##,
    ),
    (
        // What the previous release holds: its version and its commits,
        // as they were before processing (git-cliff copies the release
        // before it parses its commits, so the unconventional ones this
        // configuration filters out are still there).
        "previous",
        r##"
[changelog]
body = """
{{ version | default(value="next") }} ({{ commits | length }}) after {{ previous.version | default(value="none") }}: {{ previous.commits | default(value=[]) | length }} {% for c in previous.commits | default(value=[]) %}{{ c.id | truncate(length=7, end="") }} {% endfor %}
"""
[git]
conventional_commits = true
filter_unconventional = true
"##,
    ),
    (
        "bump",
        r##"
[changelog]
body = "{{ version | default(value='none') }} {{ bump_type | default(value='') }}\n"
[git]
conventional_commits = true
filter_unconventional = false
[bump]
features_always_bump_minor = false
breaking_always_bump_major = false
initial_tag = "v0.0.1"
custom_minor_increment_regex = "perf|refactor"
custom_major_increment_regex = "^ci"
no_increment_regex = "^docs"
"##,
    ),
    (
        "strict",
        r##"
[changelog]
body = "{{ version | default(value='next') }} {{ commits | length }}\n"
[git]
conventional_commits = true
require_conventional = true
"##,
    ),
    (
        "unmatched",
        r##"
[changelog]
body = "{{ version | default(value='next') }} {{ commits | length }}\n"
[git]
conventional_commits = true
filter_unconventional = true
commit_parsers = [{ message = "^(feat|fix|docs|perf|refactor|style|test|chore|ci|build|revert)", group = "known" }]
fail_on_unmatched_commit = true
"##,
    ),
];

fn run(cmd: &mut Command) -> Output {
    cmd.env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

fn compare(
    cliff: &Path,
    dir: &Path,
    config: &Path,
    theirs: &[&str],
    ours: &[&str],
    what: &str,
) -> Option<String> {
    let a = run(Command::new(cliff)
        .current_dir(dir)
        .arg("--offline")
        .arg("--config")
        .arg(config)
        .args(theirs));
    let b = run(Command::new(bin())
        .current_dir(dir)
        .arg("--config")
        .arg(config)
        .args(ours));
    if a.status.success() != b.status.success() {
        return Some(format!(
            "{what}: git-cliff {} ({}), git changelog {} ({})",
            a.status,
            String::from_utf8_lossy(&a.stderr)
                .lines()
                .last()
                .unwrap_or_default(),
            b.status,
            String::from_utf8_lossy(&b.stderr).trim()
        ));
    }
    let (a, b) = (
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout),
    );
    (a != b).then(|| format!("{what}:\n{}", cratesmith_tests::text_diff(&a, &b)))
}

/// The command lines that mean the same in both tools.
const MODES: [(&[&str], &[&str]); 9] = [
    (&[], &["--all"]),
    (&["--unreleased"], &[]),
    (&["--latest"], &["--latest"]),
    (
        &["--unreleased", "--tag", "v9.9.9"],
        &["--release", "v9.9.9"],
    ),
    (&["--unreleased", "--bump"], &["--release", "auto"]),
    (&["--unreleased", "--bumped-version"], &["--next-version"]),
    (
        &["--unreleased", "--bump", "--bumped-version"],
        &["--next-version", "--release", "auto"],
    ),
    (&["--current"], &["--current"]),
    (
        &[
            "--unreleased",
            "--bump",
            "--with-tag-message",
            "Hello from the tag",
        ],
        &[
            "--release",
            "auto",
            "--with-tag-message",
            "Hello from the tag",
        ],
    ),
];

fn differential(configs: &[(String, PathBuf)], seeds: &[u64]) {
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for &seed in seeds {
        let repo = history(seed, 60);
        let before = problems.len();
        for (name, config) in configs {
            for (theirs, ours) in MODES {
                let what = format!("seed {seed}, {name}, git cliff {}", theirs.join(" "));
                compared += 1;
                problems.extend(compare(&cliff, repo.path(), config, theirs, ours, &what));
            }
        }
        if problems.len() > before {
            // Kept for a look: the history and the configurations.
            problems.push(format!(
                "seed {seed}: the history is kept at {}",
                repo.keep().display()
            ));
            for (_, config) in configs {
                let _ = std::fs::copy(
                    config,
                    std::env::temp_dir().join(config.file_name().unwrap()),
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {compared} differ:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn built_in_configurations_render_as_git_cliff_renders_them() {
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let configs: Vec<(String, PathBuf)> = BUILT_IN
        .iter()
        .map(|name| {
            let sub = dir.path().join(name);
            std::fs::create_dir_all(&sub).unwrap();
            let mut cmd = Command::new(&cliff);
            cmd.current_dir(&sub).arg("--init");
            if *name != "cliff" {
                cmd.arg(name);
            }
            let out = run(&mut cmd);
            assert!(
                out.status.success(),
                "git-cliff --init {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ((*name).to_string(), sub.join("cliff.toml"))
        })
        .collect();
    differential(&configs, &[7, 99, 2026]);
}

#[test]
fn own_configurations_render_as_git_cliff_renders_them() {
    let dir = tempfile::tempdir().unwrap();
    let configs: Vec<(String, PathBuf)> = OWN
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(format!("{name}.toml"));
            cratesmith_tests::cratesmith_write(&path, text.as_ref());
            ((*name).to_string(), path)
        })
        .collect();
    differential(&configs, &[7, 99, 2026, 31337]);
}

/// A template that reads what a context file adds (`extra`) besides the
/// usual fields.
const EXTRA: &str = r##"
[changelog]
body = """
## {{ version | default(value="Unreleased") }}{% if extra.note %} - {{ extra.note }}{% endif %}
{% for group, commits in commits | group_by(attribute="group") %}
### {{ group | upper_first }}
{% for c in commits %}- {{ c.message | upper_first }}{% if c.scope %} ({{ c.scope }}){% endif %}{% if c.extra.note %} [{{ c.extra.note }}]{% endif %}{% if c.breaking %} BREAKING{% endif %}
{% endfor %}{% endfor %}
"""
[git]
commit_parsers = [
  { message = "^feat", group = "Features", default_scope = "app" },
  { message = "^fix", group = "Fixes" },
  { message = ".*", group = "Other" },
]
"##;

/// `--from-context`: a context git-cliff printed, with `extra` added to a
/// release and a commit, renders to the same bytes in both tools; so does
/// the context `--format json` prints.
#[test]
fn contexts_render_as_git_cliff_renders_them() {
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let (tmp, config) = config_file("extra.toml", EXTRA);
    let mut problems = Vec::new();
    for seed in [7, 2026] {
        let repo = history(seed, 40);
        let theirs = run(Command::new(&cliff)
            .current_dir(repo.path())
            .args(["--offline", "--context", "--config"])
            .arg(&config));
        assert!(theirs.status.success(), "{theirs:?}");
        let mut context: serde_json::Value = serde_json::from_slice(&theirs.stdout).unwrap();
        let releases = context.as_array_mut().unwrap();
        let newest = releases
            .iter_mut()
            .find(|r| r["commits"][0].is_object())
            .unwrap();
        newest["extra"] = serde_json::json!({"note": "a fine release"});
        newest["commits"][0]["extra"] = serde_json::json!({"note": "worth a look"});
        let edited = tmp.path().join(format!("edited-{seed}.json"));
        cratesmith_tests::cratesmith_write(&edited, context.to_string().as_ref());
        let ours = run(Command::new(bin())
            .current_dir(repo.path())
            .args(["--all", "--format", "json", "--config"])
            .arg(&config));
        assert!(ours.status.success(), "{ours:?}");
        let printed = tmp.path().join(format!("ours-{seed}.json"));
        cratesmith_tests::cratesmith_write(&printed, &ours.stdout);
        for file in [&edited, &printed] {
            let file = file.to_str().unwrap();
            let what = format!("seed {seed}, --from-context {file}");
            let args = ["--from-context", file];
            problems.extend(compare(&cliff, repo.path(), &config, &args, &args, &what));
        }
        let text = String::from_utf8_lossy(
            &run(Command::new(bin())
                .current_dir(repo.path())
                .args(["--from-context", edited.to_str().unwrap(), "--config"])
                .arg(&config))
            .stdout,
        )
        .into_owned();
        assert!(
            text.contains(" - a fine release\n") && text.contains("[worth a look]"),
            "{text}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A configuration that renders each release's submodule commits.
const SUBMODULES: &str = r##"
[changelog]
body = """
## {{ version | default(value="Unreleased") }}
{% for group, commits in commits | group_by(attribute="group") %}
### {{ group }}
{% for c in commits %}- {{ c.message | split(pat="\n") | first }}
{% endfor %}{% endfor %}
{% for path, commits in submodule_commits %}### {{ path }}
{% for c in commits %}- [{{ c.group | default(value="-") }}] {{ c.message | split(pat="\n") | first }}{% if c.breaking %} (breaking){% endif %}
{% endfor %}{% endfor %}
"""
[git]
recurse_submodules = true
commit_parsers = [
  { message = "^feat", group = "Features" },
  { message = "^fix", group = "Fixes" },
  { message = "^chore\\(deps\\)", skip = true },
  { message = ".*", group = "Other" },
]
"##;

/// A history whose commits add, move and remove two submodules between
/// its tags.
fn with_submodules(seed: u64, dir: &Path) -> PathBuf {
    let mut t = 1_780_000_000_i64;
    let main = dir.join("main");
    let subs = ["lib-a", "lib-b"];
    for sub in subs {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        git(&d, &["init", "-q", "-b", "main"], t);
        git(
            &d,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "feat: the first of it",
            ],
            t,
        );
    }
    std::fs::create_dir_all(&main).unwrap();
    git(&main, &["init", "-q", "-b", "main"], t);
    git(
        &main,
        &["commit", "-q", "--allow-empty", "-m", "chore: start"],
        t,
    );
    let mut rng = Rng(seed);
    let mut added = [false, false];
    let mut tags = TAGS.iter();
    for _ in 0..30 {
        t += 3_600;
        let k = rng.next(2);
        let subject = SUBJECTS[rng.next(SUBJECTS.len())];
        match rng.next(5) {
            0 if !added[k] => {
                let from = dir.join(subs[k]);
                let from = from.to_str().unwrap();
                let add = [
                    "-c",
                    "protocol.file.allow=always",
                    "submodule",
                    "add",
                    "-q",
                    from,
                    subs[k],
                ];
                git(&main, &add, t);
                git(
                    &main,
                    &["commit", "-q", "-m", &format!("feat: use {}", subs[k])],
                    t,
                );
                added[k] = true;
            }
            1 | 2 if added[k] => {
                let inside = main.join(subs[k]);
                for _ in 0..=rng.next(3) {
                    t += 60;
                    let subject = SUBJECTS[rng.next(SUBJECTS.len())];
                    git(
                        &inside,
                        &["commit", "-q", "--allow-empty", "-m", subject],
                        t,
                    );
                }
                git(&main, &["add", subs[k]], t);
                git(
                    &main,
                    &["commit", "-q", "-m", &format!("chore: move {}", subs[k])],
                    t,
                );
            }
            _ => {
                git(&main, &["commit", "-q", "--allow-empty", "-m", subject], t);
            }
        }
        if rng.next(4) == 0
            && let Some(tag) = tags.next()
        {
            git(&main, &["tag", tag], t);
        }
    }
    main
}

/// `recurse_submodules`: each release's submodule commits, against the
/// real git-cliff over every command line both tools share.
#[test]
fn submodules_render_as_git_cliff_renders_them() {
    let Some(cliff) = cratesmith_tests::required_git_cliff() else {
        return;
    };
    let (tmp, config) = config_file("submodules.toml", SUBMODULES);
    let mut problems = Vec::new();
    let mut rendered = String::new();
    for seed in [5, 23, 1234] {
        let dir = tmp.path().join(seed.to_string());
        let main = with_submodules(seed, &dir);
        for (theirs, ours) in MODES {
            let what = format!("seed {seed}, git cliff {}", theirs.join(" "));
            problems.extend(compare(&cliff, &main, &config, theirs, ours, &what));
        }
        let out = run(Command::new(bin())
            .current_dir(&main)
            .args(["--all", "--config"])
            .arg(&config));
        rendered.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // The histories do move submodules inside releases.
    assert!(
        rendered.contains("### lib-a\n- [") && rendered.contains("### lib-b\n- ["),
        "{rendered}"
    );
}
