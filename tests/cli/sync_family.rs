//! CLI tests of the sync family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, one_scenario, stderr_of};

/// Every sync scenario at tiny sizes.
fn tiny_sync_suite() -> String {
    let entries = [
        ("sync.handoff", "round_trips = 50"),
        ("sync.semaphore", "threads = 3, permits = 1"),
        ("sync.barrier", "threads = [2, 3]"),
        ("sync.once", "threads = 3"),
    ];
    let mut suite = FAST_RUN.to_string();
    for (id, params) in entries {
        suite.push_str(&format!(
            "\n[[scenario]]\nid = \"{id}\"\nparams = {{ {params} }}\n"
        ));
    }
    suite
}

#[test]
fn a_tiny_sync_run_verifies_every_variant_and_reports_switches_per_operation() {
    let scratch = Scratch::new();
    let config = scratch.file("sync.toml", &tiny_sync_suite());
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
    let dirs = scratch.run_dirs("out");
    let text = std::fs::read_to_string(dirs[0].join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert_eq!(
        points.len(),
        6 + 2 + 2 + 1,
        "every variant and thread count"
    );
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        let unit = match point["scenario"].as_str() {
            Some("sync.handoff") => "handoff",
            Some("sync.semaphore") => "acquire",
            Some("sync.barrier") => "round",
            _ => "race",
        };
        let switches = &point["metrics"][format!("voluntary_cs_per_{unit}")];
        assert!(
            switches.as_f64().is_some_and(|v| v >= 0.0),
            "{id}: {switches}"
        );
    }
    let handoffs = points.iter().filter(|p| p["scenario"] == "sync.handoff");
    for point in handoffs {
        assert_eq!(point["unit"], "hand-off");
        assert!(
            point["latency_ns"]["p50"].as_u64().unwrap_or(0) > 0,
            "{}: hand-off latency percentiles",
            point["id"]
        );
    }
}

fn refused(id: &str, params: &str, needles: &[&str]) {
    refused_with(id, params, "", needles);
}

#[test]
fn fewer_than_two_threads_are_refused_with_the_valid_range() {
    refused("sync.barrier", "threads = 1", &["threads = 1", "2..=1024"]);
    refused(
        "sync.once",
        "threads = [4, 0]",
        &["threads = 0", "2..=1024"],
    );
    refused(
        "sync.semaphore",
        "threads = 1",
        &["threads = 1", "2..=1024"],
    );
}

#[test]
fn zero_permits_or_round_trips_are_refused() {
    refused(
        "sync.semaphore",
        "permits = 0",
        &["permits = 0", "1..=1023"],
    );
    refused("sync.handoff", "round_trips = 0", &["round_trips = 0"]);
}

#[test]
fn as_many_permits_as_threads_is_refused_as_no_contention() {
    refused(
        "sync.semaphore",
        "threads = 3, permits = [1, 3]",
        &["permits=3 must be less than threads=3"],
    );
}

#[test]
fn pinning_beyond_two_cpus_or_pinning_tokio_is_refused() {
    refused(
        "sync.handoff",
        "pinned_cores = 3",
        &["pinned_cores = 3", "0..=2"],
    );
    refused_with(
        "sync.handoff",
        "pinned_cores = 1",
        "variants = [\"tokio_semaphore\"]",
        &["pinned_cores=1 pins threads", "use pinned_cores = 0"],
    );
}

/// `concbench run` on one scenario with `params` (and any `extra` lines) is
/// refused: exit 2 and one line that holds every needle.
fn refused_with(id: &str, params: &str, extra: &str, needles: &[&str]) {
    super::support::refused(&format!("{}{extra}\n", one_scenario(id, params)), needles);
}
