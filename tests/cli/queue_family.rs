//! CLI tests of the queue family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{Scratch, stderr_of};

/// Short points: a few samples of tiny rounds.
const TINY_RUN: &str = "[run]\nwarmup = \"0s\"\nmeasure_time = \"20ms\"\nmin_samples = 2\ntimeout = \"60s\"\nsampler_interval = \"10ms\"\n";

fn suite(entries: &str) -> String {
    format!("{TINY_RUN}\n{entries}")
}

/// Run `suite` and return the exit code, stderr and the results' points.
fn run(suite: &str) -> (Option<i32>, String, Vec<Value>) {
    let scratch = Scratch::new();
    let config = scratch.file("queue.toml", suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    let points = scratch
        .run_dirs("out")
        .first()
        .and_then(|dir| std::fs::read_to_string(dir.join("results.json")).ok())
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|results| results["results"].as_array().cloned())
        .unwrap_or_default();
    (output.status.code(), stderr_of(&output), points)
}

/// Expect exit 2 with one line holding every needle.
fn refused(entries: &str, needles: &[&str]) {
    let (code, stderr, points) = run(&suite(entries));
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
    }
    assert!(points.is_empty(), "nothing measured");
}

#[test]
fn every_queue_variant_moves_and_proves_its_messages() {
    let (code, stderr, points) = run(&suite(
        "[[scenario]]\nid = \"queue.bounded\"\nparams = { producers = 2, consumers = 2, capacity = 4, messages = 200 }\n\n\
         [[scenario]]\nid = \"queue.unbounded\"\nparams = { producers = 2, consumers = 2, messages = 200, payload_bytes = 1024 }\n\n\
         [[scenario]]\nid = \"queue.rendezvous\"\nparams = { producers = 2, consumers = 2, messages = 50 }\n",
    ));
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(
        points.len(),
        8 + 8 + 3,
        "every variant of the three scenarios"
    );
    for point in &points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        assert_eq!(point["unit"], "message", "{id}");
        assert!(
            point["metrics"]["messages_per_s"].as_f64().unwrap_or(0.0) > 0.0,
            "{id} reports messages/s"
        );
        let latency = &point["latency_ns"];
        assert!(
            latency["count"].as_u64().unwrap_or(0) > 0,
            "{id}: {latency}"
        );
        assert!(
            latency["p50"].as_u64() <= latency["p99"].as_u64(),
            "{id}: {latency}"
        );
    }
    let models: Vec<&str> = points
        .iter()
        .filter(|p| p["variant"].as_str().unwrap_or("").starts_with("tokio"))
        .map(|p| p["model"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(models, ["async", "async"], "tokio runs as tasks");
}

#[test]
fn zero_producers_or_consumers_are_refused() {
    refused(
        "[[scenario]]\nid = \"queue.bounded\"\nparams = { producers = 0 }\n",
        &["queue.toml:", "producers = 0 is out of range 1..=64"],
    );
    refused(
        "[[scenario]]\nid = \"queue.unbounded\"\nparams = { consumers = [1, 0] }\n",
        &["consumers = 0 is out of range"],
    );
}

#[test]
fn capacity_zero_is_only_the_rendezvous_scenario() {
    refused(
        "[[scenario]]\nid = \"queue.bounded\"\nparams = { capacity = 0 }\n",
        &["queue.bounded: capacity = 0 is out of range 1..="],
    );
    refused(
        "[[scenario]]\nid = \"queue.unbounded\"\nparams = { capacity = 1024 }\n",
        &["queue.unbounded has no parameter `capacity`"],
    );
    refused(
        "[[scenario]]\nid = \"queue.rendezvous\"\nvariants = [\"array_queue\"]\n",
        &["queue.rendezvous has no variant `array_queue`"],
    );
}

#[test]
fn payloads_outside_the_range_are_refused() {
    refused(
        "[[scenario]]\nid = \"queue.bounded\"\nparams = { payload_bytes = 4 }\n",
        &["payload_bytes = 4 is out of range 8..=1024"],
    );
    refused(
        "[[scenario]]\nid = \"queue.unbounded\"\nparams = { messages = 0 }\n",
        &["messages = 0 is out of range"],
    );
}

#[test]
fn a_payload_size_between_the_two_is_refused_naming_the_sizes() {
    refused(
        "[[scenario]]\nid = \"queue.bounded\"\nvariants = [\"crossbeam_bounded\"]\nparams = { payload_bytes = [8, 100], messages = 100 }\n",
        &["payload_bytes = 100", "8 or 1024"],
    );
}
