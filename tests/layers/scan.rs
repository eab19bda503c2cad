//! Reads the crate's own source for the modules each file names: `use`
//! trees and inline paths (`crate::a::b`, `super::c`, `child::d`), resolved to
//! the file that holds them. Small on purpose: comments, strings and char
//! literals are blanked, inline `mod x { }` blocks are followed so `super`
//! means what the compiler takes it to mean, and nothing else of Rust's
//! grammar is needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path inside the crate: `["scenario", "cpu"]`; the root is `[]`.
pub type ModulePath = Vec<String>;

/// One source file of the crate and the module it defines.
pub struct SourceFile {
    pub module: ModulePath,
    pub path: PathBuf,
    pub text: String,
}

/// Every `.rs` file under `src_dir` but the binary's `main.rs`.
pub fn crate_files(src_dir: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut stack = vec![src_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src_dir).expect("under src");
                if relative == Path::new("main.rs") {
                    continue;
                }
                let mut module: ModulePath = relative
                    .with_extension("")
                    .iter()
                    .map(|part| part.to_string_lossy().into_owned())
                    .collect();
                if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                files.push(SourceFile { module, path, text });
            }
        }
    }
    files.sort_by(|a, b| a.module.cmp(&b.module));
    files
}

/// The modules (files) each file imports, excluding itself and the crate root.
pub fn imports(files: &[SourceFile]) -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let known: BTreeSet<ModulePath> = files.iter().map(|f| f.module.clone()).collect();
    let mut graph = BTreeMap::new();
    for file in files {
        let mut targets = BTreeSet::new();
        for (inline, path) in paths_in(&blank_literals(&file.text)) {
            let mut here = file.module.clone();
            here.extend(inline);
            if let Some(target) = resolve(&here, &path, &known)
                && target != file.module
                && !target.is_empty()
            {
                targets.insert(target);
            }
        }
        graph.insert(file.module.clone(), targets);
    }
    graph
}

/// The longest known module that `path`, written inside module `here`, names.
fn resolve(here: &[String], path: &[String], known: &BTreeSet<ModulePath>) -> Option<ModulePath> {
    let (mut base, mut rest): (ModulePath, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "super" | "self" => (here.to_vec(), path),
        first => {
            let mut child = here.to_vec();
            child.push(first.to_string());
            if !known.contains(&child) {
                return None; // another crate, or a local item
            }
            (here.to_vec(), path)
        }
    };
    while let Some(step) = rest.first() {
        match step.as_str() {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => break,
        }
        rest = &rest[1..];
    }
    let full: ModulePath = base.into_iter().chain(rest.iter().cloned()).collect();
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|prefix| known.contains(prefix))
}

/// Replace comments, string and char literals with spaces (lifetimes stay).
fn blank_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let skip = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            block_comment_len(rest)
        } else if rest[0] == 'r'
            && matches!(rest.get(1), Some('"' | '#'))
            && !is_ident(prev(&chars, i))
        {
            raw_string_len(rest)
        } else if rest[0] == '"' {
            string_len(rest)
        } else if rest[0] == '\'' {
            char_literal_len(rest)
        } else {
            0
        };
        if skip == 0 {
            out.push(chars[i]);
            i += 1;
        } else {
            out.extend(std::iter::repeat_n(' ', skip));
            i += skip;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { chars[i - 1] }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn block_comment_len(rest: &[char]) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while i + 1 < rest.len() {
        if rest[i] == '/' && rest[i + 1] == '*' {
            depth += 1;
            i += 2;
        } else if rest[i] == '*' && rest[i + 1] == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

fn raw_string_len(rest: &[char]) -> usize {
    let hashes = rest[1..].iter().take_while(|&&c| c == '#').count();
    if rest.get(1 + hashes) != Some(&'"') {
        return 0; // `r#ident`, not a string
    }
    let mut i = 2 + hashes;
    while i < rest.len() {
        if rest[i] == '"'
            && rest[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    rest.len()
}

fn string_len(rest: &[char]) -> usize {
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    rest.len()
}

/// `'x'`, `'\n'`, `'\u{1F600}'` are literals; `'a` in `&'a T` is a lifetime.
fn char_literal_len(rest: &[char]) -> usize {
    if rest.get(1) == Some(&'\\') {
        return rest[2..]
            .iter()
            .position(|&c| c == '\'')
            .map_or(0, |p| p + 3);
    }
    if rest.get(2) == Some(&'\'') { 3 } else { 0 }
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Other,
}

/// The paths named in blanked source, each with the inline modules (`mod x
/// { ... }`) it sits in.
fn paths_in(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokenize(text);
    let mut found = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new(); // (name, brace depth inside)
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        match &tokens[i] {
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Open)) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    i += 3;
                    continue;
                }
            }
            Token::Ident(word) if word == "use" => {
                let end = tokens[i..]
                    .iter()
                    .position(|t| *t == Token::Semi)
                    .map_or(tokens.len(), |p| i + p);
                for path in use_tree(&tokens[i + 1..end], Vec::new()) {
                    found.push((names.clone(), path));
                }
                i = end + 1;
                continue;
            }
            Token::Ident(first) if i == 0 || tokens[i - 1] != Token::PathSep => {
                let mut path = vec![first.clone()];
                let mut j = i + 1;
                while let (Some(Token::PathSep), Some(Token::Ident(next))) =
                    (tokens.get(j), tokens.get(j + 1))
                {
                    path.push(next.clone());
                    j += 2;
                }
                if path.len() > 1 {
                    found.push((names, path));
                }
                i = j;
                continue;
            }
            Token::Open => depth += 1,
            Token::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The paths of a `use` tree: `a::{b, c::{d, e}}` gives a::b, a::c::d, a::c::e.
fn use_tree(tokens: &[Token], prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut path = prefix.clone();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ident(word) if word == "as" => i += 1, // skip the alias
            Token::Ident(word) => path.push(word.clone()),
            Token::Open => {
                let close = matching_close(tokens, i);
                for part in split_top(&tokens[i + 1..close]) {
                    paths.extend(use_tree(part, path.clone()));
                }
                path = prefix.clone();
                i = close;
            }
            Token::Other => path.push("*".into()), // a glob names its module
            _ => {}
        }
        i += 1;
    }
    if path.len() > prefix.len() {
        paths.push(path);
    }
    paths
}

fn matching_close(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn split_top(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            Token::Comma if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_ident(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let token = match c {
            ':' if chars.get(i + 1) == Some(&':') => {
                i += 1;
                Token::PathSep
            }
            '{' => Token::Open,
            '}' => Token::Close,
            ',' => Token::Comma,
            ';' => Token::Semi,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            _ => Token::Other,
        };
        tokens.push(token);
        i += 1;
    }
    tokens
}
