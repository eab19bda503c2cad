//! Every path the documentation names exists: the README, docs/**/*.md and
//! the `--help` texts. Relative links `](path)` resolve from the file that
//! holds them; repository paths (`src/...`, `configs/...`, ...) from the
//! repository's root. Paths with `<`, `*` or `$` are patterns, not paths.

use std::path::{Path, PathBuf};

use super::support::Scratch;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Where a repository path starts.
const PREFIXES: &[&str] = &[
    "src/",
    "configs/",
    "docs/",
    "tests/",
    "runtimes/",
    "benches/",
    ".github/",
    ".ci/",
];

/// The commands whose `--help` is read.
const HELP: &[&[&str]] = &[
    &["--help"],
    &["list", "--help"],
    &["run", "--help"],
    &["report", "--help"],
    &["compare", "--help"],
    &["history", "--help"],
];

fn is_pattern(path: &str) -> bool {
    path.contains(['<', '*', '$'])
}

/// The targets of `](target)` links that point into the repository.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].trim();
        let target = target.split('#').next().unwrap_or("");
        let external = target.contains("://") || target.starts_with("mailto:");
        if !target.is_empty() && !external && !is_pattern(target) {
            found.push(target.to_string());
        }
        rest = &rest[end..];
    }
    found
}

/// Repository paths named in the text: words starting with one of
/// `PREFIXES`, in backticks, code blocks or prose alike.
fn repository_paths(text: &str) -> Vec<String> {
    let separators = |c: char| c.is_whitespace() || "`()[]{},;\"'|".contains(c);
    text.split(separators)
        .map(|word| word.trim_end_matches(['.', ':', '!', '?']))
        .filter(|word| PREFIXES.iter().any(|prefix| word.starts_with(prefix)))
        .filter(|word| !is_pattern(word))
        .map(str::to_string)
        .collect()
}

/// Every path `text` names that does not exist; `dir` is where its
/// relative links start.
fn missing(text: &str, dir: &Path) -> Vec<String> {
    let root = Path::new(ROOT);
    let linked = links(text).into_iter().map(|link| (dir.join(&link), link));
    let named = repository_paths(text)
        .into_iter()
        .map(|path| (root.join(&path), path));
    let mut gone: Vec<String> = linked
        .chain(named)
        .filter(|(resolved, _)| !resolved.exists())
        .map(|(_, written)| written)
        .collect();
    gone.sort();
    gone.dedup();
    gone
}

fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("docs/ is readable") {
            let path = entry.expect("a docs/ entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    let mut found = vec![Path::new(ROOT).join("README.md")];
    walk(&Path::new(ROOT).join("docs"), &mut found);
    found.sort();
    found
}

#[test]
fn every_path_the_readme_and_docs_name_exists() {
    let files = markdown_files();
    assert!(files.len() > 2, "README.md and docs/: {files:?}");
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a Markdown file");
        let dir = file.parent().expect("a folder");
        for path in missing(&text, dir) {
            let name = file.strip_prefix(ROOT).unwrap_or(file);
            broken.push(format!("{}: {path}", name.display()));
        }
    }
    assert!(
        broken.is_empty(),
        "paths that point at nothing:\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_path_the_help_texts_name_exists() {
    let mut broken = Vec::new();
    for command in HELP {
        let output = Scratch::new().concbench(command).output().expect("help");
        assert!(output.status.success(), "{command:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        for path in missing(&help, Path::new(ROOT)) {
            broken.push(format!("concbench {}: {path}", command.join(" ")));
        }
    }
    assert!(
        broken.is_empty(),
        "paths that point at nothing:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_scan_finds_links_and_paths_and_skips_patterns() {
    let text = "See [the method](method.md#intervals), [a site](https://example.org),\n\
                `src/nothing_here.rs`, (configs/none.toml), `reports/<id>/x`,\n\
                `tests/cli/*.rs`, $TMPDIR/concbench-<pid>/ and `src/lib.rs`.";
    assert_eq!(links(text), ["method.md"]);
    assert_eq!(
        repository_paths(text),
        ["src/nothing_here.rs", "configs/none.toml", "src/lib.rs"]
    );
    let docs = Path::new(ROOT).join("docs");
    assert_eq!(
        missing(text, &docs),
        ["configs/none.toml", "src/nothing_here.rs"]
    );
}
