//! A history shaped like a large real project's (angular-cli: 18.7k
//! commits, 1,169 tags of which 641 `v*`, most release tags on release
//! branches that main never merges, pre-release tags on main every few
//! dozen commits, years of main whose tags dropped the `v` while release
//! branches kept it, a few merges, bodies of 160 bytes on average with
//! some of kilobytes), generated with `git fast-import`.

use crate::generate::fast_import;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Commits on main between two pre-release tags.
const NEXT_EVERY: usize = 30;
/// Commits on main between two release branches.
const BRANCH_EVERY: usize = 300;
/// Patch releases on each release branch.
const PATCHES: usize = 6;
/// Commits on main between two merged feature branches.
const MERGE_EVERY: usize = 250;

/// The repository of about `n` commits under `base`, generated if missing.
pub(crate) fn repo(base: &Path, n: usize) -> Result<PathBuf, String> {
    let dir = base.join(format!("release-shape-v2-{n}"));
    if dir.join(".git/packed-refs").exists() {
        return Ok(dir);
    }
    eprintln!(
        "generating a release-shaped history of {n} commits in {} ...",
        dir.display()
    );
    fast_import(&dir, |mut out| Stream::default().write(&mut out, n))?;
    Ok(dir)
}

#[derive(Default)]
struct Stream {
    mark: usize,
    seed: u64,
    time: u64,
}

impl Stream {
    fn random(&mut self) -> usize {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.seed >> 33) as usize
    }

    /// A message: a Conventional Commit most of the time, a body of a few
    /// words to a few kilobytes, now and then a breaking footer.
    fn message(&mut self, i: usize) -> String {
        const KINDS: [&str; 9] = [
            "feat", "fix", "docs", "refactor", "build", "fix", "perf", "test", "ci",
        ];
        const SCOPES: [&str; 6] = [
            "@angular/cli",
            "@angular/build",
            "@schematics/angular",
            "@angular-devkit/core",
            "@angular/ssr",
            "*",
        ];
        let r = self.random();
        let mut msg = if r.is_multiple_of(23) {
            format!("Update dependency number {i} to v{}\n", r % 40)
        } else {
            format!(
                "{}({}): change {i} to modules/**/*.ts, see #{}\n",
                KINDS[r % KINDS.len()],
                SCOPES[r / 9 % SCOPES.len()],
                r % 29_000
            )
        };
        let body = match r / 54 % 10 {
            0..=2 => 0,
            3..=8 => 40 + r % 200,
            _ => 1_000 + r % 3_000,
        };
        if body > 0 {
            msg.push('\n');
            let words = "This explains the change in some detail, as reviewers asked for it. ";
            while msg.len() < body {
                msg.push_str(words);
            }
            msg.push('\n');
        }
        if r.is_multiple_of(131) {
            msg.push_str("\nBREAKING CHANGE: an option was removed\n");
        }
        msg
    }

    fn commit(
        &mut self,
        out: &mut impl Write,
        branch: &str,
        from: Option<usize>,
        merge: Option<usize>,
        message: &str,
    ) -> std::io::Result<usize> {
        self.mark += 1;
        self.time += 600;
        let t = 1_500_000_000 + self.time;
        write!(
            out,
            "commit refs/heads/{branch}\nmark :{}\nauthor Bench <bench@cratesmith.invalid> {t} +0000\ncommitter Bench <bench@cratesmith.invalid> {t} +0000\ndata {}\n{message}",
            self.mark,
            message.len()
        )?;
        if let Some(from) = from {
            writeln!(out, "from :{from}")?;
        }
        if let Some(merge) = merge {
            writeln!(out, "merge :{merge}")?;
        }
        let content = format!("line {}\n", self.mark);
        write!(
            out,
            "M 100644 inline packages/p{}/file{}.ts\ndata {}\n{content}\n",
            self.mark % 17,
            self.mark % 41,
            content.len()
        )?;
        Ok(self.mark)
    }

    fn tag(&mut self, out: &mut impl Write, name: &str, mark: usize) -> std::io::Result<()> {
        let t = 1_500_000_000 + self.time;
        let msg = format!("Release {name}\n");
        write!(
            out,
            "tag {name}\nfrom :{mark}\ntagger Bench <bench@cratesmith.invalid> {t} +0000\ndata {}\n{msg}\n",
            msg.len()
        )
    }

    /// Main with pre-release tags, release branches with the stable tags,
    /// feature branches merged into main, tags of another pattern.
    fn write(mut self, out: &mut impl Write, n: usize) -> std::io::Result<()> {
        self.seed = 0x9E37_79B9_7F4A_7C15;
        let mut head: Option<usize> = None;
        let (mut major, mut minor, mut next) = (1usize, 0usize, 0usize);
        let mut i = 0;
        while self.mark < n {
            i += 1;
            let message = self.message(i);
            let mark = self.commit(out, "main", head, None, &message)?;
            head = Some(mark);
            if i % NEXT_EVERY == 0 {
                // angular-cli tagged main `13.0.0-next.1`, without the `v`,
                // for years: those commits have no `v*` boundary on main.
                let middle = (n * 3 / 10..n * 7 / 10).contains(&self.mark);
                let v = if middle { "" } else { "v" };
                self.tag(out, &format!("{v}{major}.{minor}.0-next.{next}"), mark)?;
                self.tag(
                    out,
                    &format!("@angular/pkg@{major}.{minor}.0-next.{next}"),
                    mark,
                )?;
                next += 1;
            }
            if i % MERGE_EVERY == 0 {
                let mut side = mark;
                for k in 0..3 {
                    let message = self.message(i * 10 + k);
                    let branch = format!("feature-{i}");
                    side = self.commit(out, &branch, Some(side), None, &message)?;
                }
                let msg = format!("Merge pull request #{i} from contributor/feature-{i}\n");
                head = Some(self.commit(out, "main", head, Some(side), &msg)?);
            }
            if i % BRANCH_EVERY == 0 {
                let branch = format!("{major}.{minor}.x");
                let mut tip = mark;
                for patch in 0..PATCHES {
                    let message = format!("fix(@angular/cli): a fix for {major}.{minor}.{patch}\n");
                    tip = self.commit(out, &branch, Some(tip), None, &message)?;
                    self.tag(out, &format!("v{major}.{minor}.{patch}"), tip)?;
                }
                (minor, next) = (minor + 1, 0);
                if minor == 4 {
                    (major, minor) = (major + 1, 0);
                }
            }
        }
        writeln!(out, "done")
    }
}
