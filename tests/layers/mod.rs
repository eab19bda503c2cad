//! The crate's layers, read from its source: every module imports only
//! modules below it, and no import circle joins files of different folders.
//! The order is `docs/layout.md`'s layers table; change both together.

mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use scan::{ModulePath, SourceFile};

/// Top-level modules from the top down. A module may import any module
/// after it in this list, never one before it or beside it.
const LAYERS: &[&str] = &[
    "cli",       // the command line and the worker subcommand's table
    "run",       // the run command
    "history",   // the history store and `concbench history`
    "report",    // reports and `concbench report`
    "gate",      // the regression gate and `concbench compare`
    "harness",   // one point measured under a watchdog
    "terminal",  // what a run prints
    "plan",      // suite -> points
    "config",    // the suite file
    "scenario",  // what is measured
    "model",     // how workers run
    "results",   // the results schema
    "interrupt", // the foundations (FOUNDATIONS): import nothing of concbench
    "folders",
    "host",
    "error",
    "text",
    "opaque",
    "stats",
    "vocab",
];

/// The import circles allowed, each inside one folder, and why.
const ALLOWED_CIRCLES: &[(&[&str], &str)] = &[(
    &[
        "scenario::pattern::philosophers::strategy",
        "scenario::pattern::philosophers::table",
    ],
    "one mechanism cut in two for size: the table seats diners who run a \
     strategy, and each strategy acts on the table's forks",
)];

/// How many of the last `LAYERS` are foundations: modules at the bottom,
/// which import nothing of concbench (from "interrupt" down).
const FOUNDATIONS: usize = 8;

fn rank(top: &str) -> Option<usize> {
    let rank = LAYERS.iter().position(|l| *l == top)?;
    // The foundations share one rank: none may import another.
    Some(rank.min(LAYERS.len() - FOUNDATIONS))
}

fn name(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// Every import that goes up or sideways between top-level modules.
fn upward_imports(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (from, targets) in graph {
        let Some(from_top) = from.first() else {
            continue;
        };
        let Some(from_rank) = rank(from_top) else {
            wrong.push(format!("{} is in no layer: add it to LAYERS", name(from)));
            continue;
        };
        for to in targets {
            let to_top = &to[0];
            if to_top != from_top && rank(to_top).is_none_or(|r| r <= from_rank) {
                wrong.push(format!(
                    "{} imports {} (not below it)",
                    name(from),
                    name(to)
                ));
            }
        }
    }
    wrong
}

/// Import circles (strongly connected files) that span more than one folder.
fn cross_folder_circles(
    files: &[SourceFile],
    graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>,
) -> Vec<String> {
    let folder: BTreeMap<&ModulePath, &Path> = files
        .iter()
        .map(|f| (&f.module, f.path.parent().expect("in a folder")))
        .collect();
    circles(graph)
        .into_iter()
        .filter(|circle| {
            circle
                .iter()
                .map(|m| folder[m])
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|circle| circle.iter().map(name).collect::<Vec<_>>().join(" <-> "))
        .collect()
}

/// Strongly connected components of more than one module (Tarjan).
fn circles(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<Vec<ModulePath>> {
    struct State<'g> {
        graph: &'g BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        index: BTreeMap<&'g ModulePath, (usize, usize)>,
        stack: Vec<&'g ModulePath>,
        found: Vec<Vec<ModulePath>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g ModulePath) {
        let n = s.index.len();
        s.index.insert(v, (n, n));
        s.stack.push(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let low = if !s.index.contains_key(w) {
                visit(s, w);
                s.index[w].1
            } else if s.stack.contains(&w) {
                s.index[w].0
            } else {
                continue;
            };
            let entry = s.index.get_mut(v).expect("visited");
            entry.1 = entry.1.min(low);
        }
        if s.index[v].0 == s.index[v].1 {
            let at = s.stack.iter().position(|m| *m == v).expect("on the stack");
            let component: Vec<ModulePath> = s.stack.drain(at..).cloned().collect();
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn crate_graph() -> (Vec<SourceFile>, BTreeMap<ModulePath, BTreeSet<ModulePath>>) {
    let files = scan::crate_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let graph = scan::imports(&files);
    (files, graph)
}

#[test]
fn every_module_imports_only_layers_below_it() {
    let (_, graph) = crate_graph();
    assert!(graph.len() > 100, "the scan found the crate's files");
    let wrong = upward_imports(&graph);
    assert!(
        wrong.is_empty(),
        "imports against the layer order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_circle_joins_two_folders() {
    let (files, graph) = crate_graph();
    let wrong = cross_folder_circles(&files, &graph);
    assert!(
        wrong.is_empty(),
        "import circles across folders:\n{}",
        wrong.join("\n")
    );
}

fn synthetic(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(module, text)| SourceFile {
            module: module
                .split("::")
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect(),
            path: Path::new("src")
                .join(module.replace("::", "/"))
                .join("mod.rs"),
            text: text.to_string(),
        })
        .collect()
}

fn edges(files: &[SourceFile]) -> Vec<String> {
    scan::imports(files)
        .into_iter()
        .flat_map(|(from, to)| {
            to.into_iter()
                .map(move |t| format!("{} -> {}", name(&from), name(&t)))
        })
        .collect()
}

#[test]
fn the_scan_sees_use_trees_inline_paths_and_children() {
    let files = synthetic(&[
        ("scenario", "mod cpu;\nfn f() { cpu::go(); }"),
        (
            "scenario::cpu",
            "use crate::{vocab::{Model, self}, model::worker as w};\nuse super::*;",
        ),
        ("model", ""),
        (
            "model::worker",
            "fn f() -> crate::results::Latency { todo!() }",
        ),
        ("results", ""),
        ("vocab", ""),
    ]);
    assert_eq!(
        edges(&files),
        [
            "model::worker -> results",
            "scenario -> scenario::cpu",
            "scenario::cpu -> model::worker",
            "scenario::cpu -> scenario",
            "scenario::cpu -> vocab",
        ]
    );
}

#[test]
fn the_scan_ignores_comments_strings_and_a_tests_module_own_super() {
    let files = synthetic(&[
        (
            "gate",
            "// crate::report::x\n/* crate::report::y */\nconst S: &str = \"crate::report::z\";\nconst C: char = '\\'';\nfn f<'a>(x: &'a str) {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
        ("report", ""),
    ]);
    assert!(edges(&files).is_empty(), "{:?}", edges(&files));
}

#[test]
fn an_upward_import_and_a_circle_across_folders_are_caught() {
    let files = synthetic(&[
        ("results", "use crate::scenario::Family;"),
        ("scenario", "use crate::results::Status;"),
    ]);
    let graph = scan::imports(&files);
    assert_eq!(
        upward_imports(&graph),
        ["results imports scenario (not below it)"]
    );
    assert_eq!(
        cross_folder_circles(&files, &graph),
        ["results <-> scenario"]
    );
    let sideways = synthetic(&[("vocab", "use crate::text::escape;"), ("text", "")]);
    assert_eq!(
        upward_imports(&scan::imports(&sideways)),
        ["vocab imports text (not below it)"]
    );
}

#[test]
fn the_only_circles_are_the_listed_ones() {
    let (_, graph) = crate_graph();
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    let mut found: Vec<Vec<String>> = circles(&graph)
        .iter()
        .map(|c| sorted(c.iter().map(name).collect()))
        .collect();
    found.sort();
    let allowed: Vec<Vec<String>> = ALLOWED_CIRCLES
        .iter()
        .map(|(members, _why)| sorted(members.iter().map(|m| m.to_string()).collect()))
        .collect();
    assert_eq!(
        found, allowed,
        "import circles: break a new one, or list it with its reason"
    );
}
