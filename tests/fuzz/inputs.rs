//! Input generators: random bytes, and real valid files (the shipped
//! configs, a real tiny run's results) mutated by splicing, deleting and
//! replacing pieces, which reaches far deeper than random bytes alone.

use std::sync::OnceLock;

use proptest::prelude::*;

/// Fragments that mean something to TOML, JSON and the schema.
const PIECES: &[&str] = &[
    "\n",
    "\"",
    "'",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "[[scenario]]",
    "[run]",
    "id = ",
    "params = ",
    "variants = ",
    "models = ",
    "\"cores\"",
    "\"2*cores\"",
    "\"cores+\"",
    "-1",
    "0",
    "1e309",
    "18446744073709551616",
    "9223372036854775807",
    "null",
    "true",
    "\"1ms\"",
    "\"-5s\"",
    "\"25h\"",
    "run = ",
    "timeout = ",
    "stall_timeout = ",
    "[]",
    "{}",
    "\\u0000",
    "\"status\"",
    "\"ok\"",
    "\"deadlocked\"",
    "\"samples\"",
    "\"per_core\"",
    "\"median\"",
    "\"schema\"",
    "\"concbench.results/1\"",
    "\"concbench.results/2\"",
    "NaN",
    "é",
    "🦀",
];

/// One edit to a text: where (a fraction of its length) and what.
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, &'static str),
    Delete(f64, usize),
    Replace(f64, usize, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = proptest::sample::select(PIECES);
    prop_oneof![
        (0.0..1.0f64, piece.clone()).prop_map(|(at, p)| Edit::Insert(at, p)),
        (0.0..1.0f64, 1..40usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0f64, 1..12usize, piece).prop_map(|(at, n, p)| Edit::Replace(at, n, p)),
    ]
}

/// Apply edits at char boundaries.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let at = |f: f64| ((chars.len() as f64) * f) as usize;
        match edit {
            Edit::Insert(f, piece) => {
                let i = at(*f).min(chars.len());
                chars.splice(i..i, piece.chars());
            }
            Edit::Delete(f, n) => {
                let i = at(*f).min(chars.len());
                let end = (i + n).min(chars.len());
                chars.drain(i..end);
            }
            Edit::Replace(f, n, piece) => {
                let i = at(*f).min(chars.len());
                let end = (i + n).min(chars.len());
                chars.splice(i..end, piece.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// Mutations of `seeds`, plus random text.
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let seeds = proptest::sample::select(seeds);
    prop_oneof![
        1 => ".{0,200}",
        6 => (seeds, proptest::collection::vec(edit(), 1..6))
            .prop_map(|(seed, edits)| apply(&seed, &edits)),
    ]
}

pub fn config_text() -> impl Strategy<Value = String> {
    let seeds = vec![
        include_str!("../../configs/quick.toml").to_string(),
        include_str!("../../configs/full.toml").to_string(),
        "[run]\nwarmup = \"0s\"\n[[scenario]]\nid = \"spawn.start\"\nparams = { workers = [1, \"cores\", \"2*cores\"] }\n".to_string(),
    ];
    mutated(seeds)
}

pub fn thresholds_text() -> impl Strategy<Value = String> {
    mutated(vec![
        include_str!("../../configs/gate.toml").to_string(),
        "threshold_pct = 5.0\n[family]\nspawn = 10.0\n[scenario]\n\"lock.counter\" = 8\n[point]\n\"spawn.start/fork/*\" = 20\n".to_string(),
    ])
}

/// Lines a measuring worker (or a controller) might send, mutated.
pub fn protocol_line() -> impl Strategy<Value = String> {
    mutated(vec![
        "concbench-worker 1".to_string(),
        "built".to_string(),
        "skipped workers=10: RLIMIT_NPROC is 5".to_string(),
        "warmed 128 41.5".to_string(),
        "sample 5000 212345".to_string(),
        "verified {\"resources\":{\"wall_ns\":5,\"user_ns\":1,\"sys_ns\":1,\"voluntary_cs\":0,\"involuntary_cs\":0,\"minor_faults\":0,\"max_rss_bytes\":0,\"start_rss_bytes\":0,\"children\":{\"user_ns\":0,\"sys_ns\":0,\"max_rss_bytes\":0}},\"metrics\":{\"x\":1.0},\"latency\":null}".to_string(),
        "host {\"hostname\":\"h\",\"os\":\"l\",\"kernel\":\"6\",\"cpu_model\":\"x\",\"logical_cores\":2,\"physical_cores\":null,\"memory_bytes\":1,\"rustc\":\"r\"}".to_string(),
        "build lock.counter std_mutex thread cs_ns=0,threads=2 10".to_string(),
        "error no such scenario".to_string(),
        "dropped".to_string(),
    ])
}

/// Lines a runtime worker may print (`concbench-runtime/1`), mutated.
pub fn runtime_line() -> impl Strategy<Value = String> {
    mutated(vec![
        "hello concbench-runtime/1 runtime=cpython version=3.13.1 gil=off".to_string(),
        "ready".to_string(),
        "skip no fork start method here".to_string(),
        "done ops=64 ns=1234567".to_string(),
        "ok".to_string(),
        "error ValueError: k must be at least 1".to_string(),
    ])
}

/// What a `worker draw` child may print: a real result line, its drift
/// line, both mutated, one to three lines.
pub fn draw_output() -> impl Strategy<Value = String> {
    let result = real_results().1.lines().next().unwrap_or("{}").to_string();
    let drift =
        r#"{"drift":[{"at_ms":3,"ns_per_step":1.3,"wide_ns_per_step":1.0}],"drift_cost_ns":400}"#;
    prop::collection::vec(mutated(vec![result, drift.to_string()]), 1..4)
        .prop_map(|lines| lines.join("\n"))
}

/// (results.json, results.jsonl) of a real tiny run, made once.
pub fn real_results() -> &'static (String, String) {
    static RESULTS: OnceLock<(String, String)> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let suite = dir.path().join("suite.toml");
        std::fs::write(
            &suite,
            "[run]\nwarmup = \"0s\"\nmeasure_time = \"20ms\"\nmin_samples = 2\nsampler_interval = \"10ms\"\n\
             [[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\", \"rayon\"]\nparams = { workers = [2, 4] }\n\
             [[scenario]]\nid = \"selftest.fault\"\nvariants = [\"miscount\"]\n",
        )
        .expect("suite written");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_concbench"))
            .args(["run", "--config"])
            .arg(&suite)
            .arg("--out")
            .arg(dir.path().join("out"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("concbench runs");
        assert_eq!(status.code(), Some(3), "the miscount point fails on purpose");
        let run = std::fs::read_dir(dir.path().join("out"))
            .expect("out")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.is_dir())
            .expect("a run folder");
        let read = |name: &str| std::fs::read_to_string(run.join(name)).expect("results file");
        (read("results.json"), read("results.jsonl"))
    })
}

/// (text, is_lines): mutated real results in both forms, plus random text.
pub fn results_text(samples: &'static (String, String)) -> impl Strategy<Value = (String, bool)> {
    (
        mutated(vec![samples.0.clone()]).prop_map(|t| (t, false)),
        mutated(vec![samples.1.clone()]).prop_map(|t| (t, true)),
    )
        .prop_flat_map(|(whole, lines)| prop_oneof![Just(whole), Just(lines)])
}

/// Mutations of one real text (a gate.json, for the history importer).
pub fn mutated_text(seed: String) -> impl Strategy<Value = String> {
    mutated(vec![seed])
}
