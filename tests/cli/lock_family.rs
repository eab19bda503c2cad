//! CLI tests of the lock family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, planned, refused, stderr_of};

/// Both lock scenarios, every variant, two threads, 100 ns of work.
fn tiny_lock_suite() -> String {
    format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"lock.counter\"\nparams = {{ threads = 2, cs_ns = 100, ops = 200 }}\n\n\
         [[scenario]]\nid = \"lock.rwlock\"\nparams = {{ threads = 2, read_pct = 90, cs_ns = 100, ops = 200 }}\n"
    )
}

#[test]
fn every_lock_variant_runs_verifies_and_reports_fairness_and_latency() {
    let scratch = Scratch::new();
    let config = scratch.file("lock.toml", &tiny_lock_suite());
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));

    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("a list of points");
    assert_eq!(
        points.len(),
        planned(&tiny_lock_suite()),
        "every counter and rwlock variant"
    );
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        assert_eq!(point["unit"], "operation");
        let metrics = &point["metrics"];
        let jain = metrics["fairness_jain"].as_f64().unwrap_or(-1.0);
        assert!((0.5..=1.0 + 1e-9).contains(&jain), "{id}: Jain {jain}");
        let min_max = metrics["fairness_min_max"].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&min_max), "{id}: min/max {min_max}");
        assert!(metrics["cs_iters"].as_f64().unwrap_or(0.0) >= 1.0, "{id}");
        let latency = &point["latency_ns"];
        let (p50, p99) = (latency["p50"].as_u64(), latency["p99"].as_u64());
        assert!(
            p50.is_some_and(|p50| p99.is_some_and(|p99| p50 >= 1 && p50 <= p99)),
            "{id} has acquire latencies: {latency}"
        );
    }
    let rw = points
        .iter()
        .find(|p| p["scenario"] == "lock.rwlock")
        .expect("an rwlock point");
    let share = rw["metrics"]["read_share"].as_f64().unwrap_or(0.0);
    assert!((0.8..=1.0).contains(&share), "about 90% reads: {share}");
}

#[test]
fn zero_threads_is_refused_with_the_valid_range() {
    refused(
        &format!(
            "{FAST_RUN}\n[[scenario]]\nid = \"lock.counter\"\nparams = {{ threads = [1, 0] }}\n"
        ),
        &["suite.toml:10:", "threads = 0", "1..=1024"],
    );
}

#[test]
fn a_read_ratio_over_100_is_refused() {
    refused(
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"lock.rwlock\"\nparams = {{ read_pct = 101 }}\n"),
        &["suite.toml:10:", "read_pct = 101", "0..=100"],
    );
}

#[test]
fn core_count_expressions_choose_the_thread_counts() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"lock.counter\"\nvariants = [\"atomic\"]\n\
         params = {{ threads = [\"cores\", \"2*cores\"], ops = 100 }}\n"
    );
    let config = scratch.file("suite.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let text = std::fs::read_to_string(scratch.run_dirs("out")[0].join("results.json"))
        .expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let threads: Vec<u64> = results["results"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["params"]["threads"].as_u64())
        .collect();
    assert_eq!(threads, vec![cores, 2 * cores]);
}
