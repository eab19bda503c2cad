//! CLI tests of the io family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, stderr_of};

/// Every io scenario and variant at tiny sizes.
fn tiny_io_suite() -> String {
    format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"io.waits\"\nparams = {{ tasks = 5, wait_ms = 2, repeats = 2 }}\n\n\
         [[scenario]]\nid = \"io.echo\"\nparams = {{ connections = [1, 3], payload = 100 }}\n\n\
         [[scenario]]\nid = \"io.file\"\nparams = {{ workers = 2, files = 2, file_kib = 4 }}\n"
    )
}

fn number(point: &Value, path: &[&str]) -> f64 {
    let value = path.iter().fold(point, |v, key| &v[*key]);
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{}: no number at {path:?}", point["id"]))
}

#[test]
fn a_tiny_io_run_verifies_every_point_and_leaves_no_temporary_files() {
    let scratch = Scratch::new();
    let config = scratch.file("io.toml", &tiny_io_suite());
    let tmp = scratch.path().join("tmp");
    std::fs::create_dir(&tmp).expect("a TMPDIR");
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .env("TMPDIR", &tmp)
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));

    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert_eq!(
        points.len(),
        3 + 3 * 2 + 3,
        "every variant of every scenario"
    );
    for point in points {
        assert_eq!(point["status"], "ok", "{}: {}", point["id"], point["error"]);
        match point["scenario"].as_str() {
            Some("io.waits") => {
                assert!(number(point, &["metrics", "wall_vs_ideal"]) >= 1.0);
                assert!(number(point, &["metrics", "cpu_ns_per_task"]) > 0.0);
            }
            Some("io.echo") => {
                assert!(number(point, &["metrics", "requests_per_s"]) > 0.0);
                // Memory per connection: a real figure, under 64 MiB.
                let rss = number(point, &["metrics", "rss_per_connection_bytes"]);
                assert!((0.0..64e6).contains(&rss), "{}: {rss}", point["id"]);
                let p50 = number(point, &["latency_ns", "p50"]);
                assert!(p50 > 0.0 && p50 <= number(point, &["latency_ns", "p999"]));
            }
            Some("io.file") => assert!(number(point, &["metrics", "mb_per_s"]) > 0.0),
            other => panic!("unexpected scenario {other:?}"),
        }
    }
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("TMPDIR").collect();
    assert!(left.is_empty(), "temporary folders left behind: {left:?}");
}

/// `concbench run` on `suite` under `ulimit_n` (if any) must exit 2 with one
/// line holding every needle, and write nothing.
fn refused(suite: &str, ulimit_n: Option<&str>, needles: &[&str]) {
    let scratch = Scratch::new();
    let output = run_under(&scratch, suite, ulimit_n);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
    }
    assert!(
        scratch.run_dirs("out").is_empty(),
        "no output for bad input"
    );
}

/// `concbench run` on `suite` in bash, after `ulimit -n ARGS` if given.
fn run_under(scratch: &Scratch, suite: &str, ulimit_n: Option<&str>) -> std::process::Output {
    let config = scratch.file("suite.toml", suite);
    let limit = ulimit_n.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    std::process::Command::new("bash")
        .current_dir(scratch.path())
        .args([
            "-c",
            &format!("{limit}exec \"$0\" run --config \"$1\" --out out"),
            env!("CARGO_BIN_EXE_concbench"),
        ])
        .arg(&config)
        .output()
        .expect("bash runs")
}

fn suite_with(id: &str, params: &str) -> String {
    format!("{FAST_RUN}\n[[scenario]]\nid = \"{id}\"\nparams = {{ {params} }}\n")
}

#[test]
fn an_empty_payload_is_refused_with_the_valid_range() {
    refused(
        &suite_with("io.echo", "connections = 1, payload = 0"),
        None,
        &["payload = 0", "1..=65536"],
    );
}

#[test]
fn zero_connections_tasks_or_workers_are_refused() {
    for (id, params, needle) in [
        ("io.echo", "connections = 0", "connections = 0"),
        ("io.waits", "tasks = 0", "tasks = 0"),
        ("io.file", "workers = 0", "workers = 0"),
    ] {
        refused(&suite_with(id, params), None, &[needle]);
    }
}

#[test]
fn connections_beyond_the_open_file_limit_are_skipped_naming_the_limit() {
    // 200 connections need about 400 descriptors here; `ulimit -n` sets
    // both the soft and the hard limit to 256.
    let scratch = Scratch::new();
    let output = run_under(
        &scratch,
        &suite_with("io.echo", "connections = 200, payload = 64"),
        Some("256"),
    );
    // Skipped points are decided before anything starts and are not failures.
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let run = scratch.run_dirs("out").pop().expect("a run folder");
    let text = std::fs::read_to_string(run.join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert!(!points.is_empty());
    for point in points {
        assert_eq!(point["status"], "skipped", "{point:#}");
        let why = point["error"].as_str().unwrap_or("");
        for needle in ["RLIMIT_NOFILE", "connections=200", "ulimit -n"] {
            assert!(why.contains(needle), "`{needle}` in: {why}");
        }
    }
}

#[test]
fn a_low_soft_open_file_limit_is_raised_up_to_the_hard_limit() {
    use nix::sys::resource::{Resource, getrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    if hard < 1024 {
        eprintln!("skipped: the hard RLIMIT_NOFILE ({hard}) leaves nothing to raise");
        return;
    }
    let scratch = Scratch::new();
    let suite = format!(
        "{}variants = [\"thread_per_connection\"]\n",
        suite_with("io.echo", "connections = 200, payload = 64")
    );
    let output = run_under(&scratch, &suite, Some("-S 256"));
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
}
