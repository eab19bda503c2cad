//! The runtime boundary: CPython workloads run as trials, and a worker that
//! crashes, hangs, prints garbage, speaks another version, miscounts (a
//! count that changes, or one constant but not the scenario's), claims
//! less time than the controller's clock allows or fails its own check
//! gives a `failed` or `timed_out` point with a
//! one-line reason while the run goes on; a missing interpreter or a
//! workload the runtime cannot do here gives `skipped`.

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, planned, stderr_of};

fn fake(mode: &str) -> String {
    format!(
        "{mode}=python3 {}/tests/fixtures/fake_runtime.py {mode}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Run `suite`, returning its results by point id, and the exit code.
fn run(scratch: &Scratch, suite: &str, args: &[&str]) -> (Vec<Value>, i32, String) {
    let config = scratch.file("suite.toml", suite);
    let mut all = vec!["run", "--config", config.to_str().unwrap(), "--out", "out"];
    all.extend_from_slice(args);
    let output = scratch.concbench(&all).output().expect("runs");
    let dir = scratch.run_dirs("out").pop().expect("a run folder");
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("results").clone();
    (
        points,
        output.status.code().unwrap_or(-1),
        stderr_of(&output),
    )
}

fn by_variant<'a>(points: &'a [Value], variant: &str) -> &'a Value {
    points
        .iter()
        .find(|p| p["variant"] == variant)
        .unwrap_or_else(|| panic!("no point {variant} in {points:#?}"))
}

#[test]
fn a_misbehaving_worker_fails_its_point_alone_and_the_run_goes_on() {
    let scratch = Scratch::new();
    let modes = [
        "fine",
        "crash",
        "hang",
        "garbage",
        "version",
        "miscount",
        "wrongcount",
        "shorttime",
        "skip",
        "liar",
    ];
    let entries: Vec<String> = modes.iter().map(|m| format!("\"{}\"", fake(m))).collect();
    let suite = format!(
        "interpreters = [{}, \"absent=python3-not-installed-anywhere\"]\n\
         {}\n[[scenario]]\nid = \"cpu.split\"\nvariants = [\"serial\", \"py_serial\"]\n\
         params = {{ k = 1, chunks = 2, points = 100 }}\n",
        entries.join(", "),
        FAST_RUN.replace("timeout = \"60s\"", "timeout = \"3s\"")
    );
    let (points, code, stderr) = run(&scratch, &suite, &[]);
    assert_eq!(code, 3, "some points failed: {stderr}");
    let status = |variant: &str| {
        let p = by_variant(&points, variant);
        (
            p["status"].as_str().unwrap().to_string(),
            p["error"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(status("serial").0, "ok", "the Rust point is measured");
    assert_eq!(status("py_serial@fine").0, "ok");
    let expected = [
        ("crash", "failed", "crashing on purpose"),
        ("hang", "timed_out", "timeout"),
        ("garbage", "failed", "expected `done`"),
        ("version", "failed", "speaks concbench-runtime/9"),
        ("miscount", "failed", "operations per round"),
        // 5 chunks' worth per round where a round of cpu.split is its 2 chunks.
        ("wrongcount", "failed", "10 operations per round"),
        // A fifth of the time its work took: the controller's clock says otherwise.
        ("shorttime", "failed", "the controller's clock"),
        ("skip", "skipped", "cannot do that here"),
        ("liar", "failed", "3 of 40 results were wrong"),
        ("absent", "skipped", "not installed"),
    ];
    for (mode, want, reason) in expected {
        let (got, error) = status(&format!("py_serial@{mode}"));
        assert_eq!(got, want, "{mode}: {error}");
        assert!(error.contains(reason), "{mode}: {error}");
        assert!(!error.contains('\n'), "one line: {error}");
    }
    let (_, wrong) = status("py_serial@wrongcount");
    assert!(
        wrong.contains("cpu.split at these parameters is 2"),
        "{wrong}"
    );
    let fine = by_variant(&points, "py_serial@fine");
    assert_eq!(fine["runtime"]["runtime"], "fake");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn cpython_workloads_run_verified_beside_rust_and_record_their_interpreter() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"cpu.split\"\n\
         variants = [\"serial\", \"py_serial\", \"py_thread\", \"py_process_pool\"]\n\
         params = {{ k = 2, chunks = 4, points = 200 }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"py_thread\", \"py_process_fork\", \"py_asyncio\"]\n\
         params = {{ workers = 5, sleep_ms = 20 }}\n"
    );
    let (points, code, stderr) = run(&scratch, &suite, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(points.len(), 7);
    for p in points
        .iter()
        .filter(|p| p["variant"].as_str().unwrap().starts_with("py_"))
    {
        assert_eq!(p["status"], "ok", "{p:#}");
        assert!(p["variant"].as_str().unwrap().ends_with("@python3"));
        assert_eq!(p["runtime"]["runtime"], "cpython");
        assert!(p["runtime"]["version"].as_str().unwrap().starts_with('3'));
        assert!(p["runtime"]["gil_enabled"].is_boolean());
        // The CPU the worker and its children used, live pool members too.
        assert!(
            p["metrics"]["worker_cpu_ns_per_op"].as_f64().unwrap() > 0.0,
            "{p:#}"
        );
        assert!(
            p["metrics"]["worker_cores_busy"].as_f64().unwrap() > 0.0,
            "{p:#}"
        );
    }
    // CPython and Rust at the same parameters are measured in one paired group.
    let group = |variant: &str| by_variant(&points, variant)["paired_group"].clone();
    assert_eq!(group("serial"), group("py_serial@python3"));
    // ... and drawn on the same charts: times, and speed-ups over each one's serial.
    let dir = scratch.run_dirs("out").pop().expect("a run folder");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(
        html.contains("id=\"runtimes-cpu-split-0\""),
        "CPython beside Rust"
    );
    assert!(
        html.contains("speed-up over its own runtime"),
        "speed-up bars"
    );
    assert!(
        html.contains("CPython, CPU-bound work on every core"),
        "answered first"
    );
}

#[test]
fn every_cpython_workload_runs_and_verifies_at_tiny_sizes() {
    let scratch = Scratch::new();
    let entry = |id: &str, variants: &str, params: &str| {
        format!("\n[[scenario]]\nid = \"{id}\"\nvariants = [{variants}]\nparams = {{ {params} }}\n")
    };
    let suite = [
        FAST_RUN.to_string(),
        entry(
            "spawn.start",
            r#""py_thread", "py_process_fork", "py_process_spawn", "py_thread_pool", "py_asyncio""#,
            "workers = 3",
        ),
        entry(
            "spawn.sleepers",
            r#""py_thread", "py_process_fork", "py_thread_pool", "py_asyncio""#,
            "workers = 3, sleep_ms = 5",
        ),
        entry(
            "cpu.split",
            r#""py_serial", "py_thread", "py_thread_pool", "py_process", "py_process_pool", "py_asyncio""#,
            "k = 2, chunks = 4, points = 50",
        ),
        entry(
            "io.waits",
            r#""py_thread", "py_process_fork", "py_asyncio""#,
            "tasks = 3, wait_ms = 2, repeats = 2",
        ),
        entry("lock.counter", r#""py_lock", "py_rlock""#, "threads = 2, ops = 200"),
        entry(
            "sync.handoff",
            r#""py_condition", "py_semaphore", "py_event", "py_asyncio_event""#,
            "round_trips = 50",
        ),
        entry(
            "queue.bounded",
            r#""py_queue", "py_lifo_queue", "py_priority_queue", "py_mp_queue", "py_asyncio_queue""#,
            "producers = 2, consumers = 2, capacity = 8, messages = 50",
        ),
        entry("sync.barrier", r#""py_barrier""#, "threads = 3"),
        entry("ipc.pingpong", r#""py_mp_pipe", "py_os_pipe", "py_socketpair""#, ""),
        entry("pattern.futures", r#""py_as_completed", "py_map""#, "tasks = 4, unit_us = 5, spread = 2"),
    ]
    .concat();
    let (points, code, stderr) = run(&scratch, &suite, &[]);
    let failed: Vec<String> = points
        .iter()
        .filter(|p| p["status"] != "ok")
        .map(|p| format!("{}: {} {}", p["id"], p["status"], p["error"]))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}\n{stderr}");
    assert_eq!(code, 0);
    assert_eq!(
        points.len(),
        planned(&suite),
        "every workload, ipc under both models"
    );
}

#[test]
fn bad_interpreter_entries_are_refused_with_where() {
    let suite = |interpreters: &str| {
        format!(
            "interpreters = {interpreters}\n{FAST_RUN}\n[[scenario]]\nid = \"cpu.split\"\n\
             variants = [\"py_serial\"]\nparams = {{ k = 1, chunks = 1, points = 10 }}\n"
        )
    };
    super::support::refused(
        &suite("[\"py*=python3\"]"),
        &["suite.toml:1", "may hold only"],
    );
    super::support::refused(&suite("[]"), &["suite.toml:1", "interpreters = []"]);
    super::support::refused(
        &suite("[\"python3\", \"/usr/bin/python3\"]"),
        &["two interpreters are named `python3`"],
    );
    super::support::refused_with_args(
        &suite("[\"python3\"]"),
        &["--python", " "],
        &["--python", "names no program"],
    );
}

/// The CPython port of cpu.split's chunks against every tally the Rust code
/// gave, computed once and kept (the Rust tests read the same table), not
/// against a tally the port computes itself.
#[test]
fn the_cpython_port_gives_every_kept_tally() {
    let output = std::process::Command::new("python3")
        .arg(format!(
            "{}/runtimes/python/concbench_worker.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg("--selftest")
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("ok "), "{stdout}");
}
