//! CLI tests of the message-passing patterns (actor ring, pub/sub, futures, pools).

use predicates::prelude::*;
use serde_json::Value;

use super::support::{FAST_RUN, Scratch, one_scenario, planned, stderr_of};

/// Every message-passing scenario at tiny sizes.
fn tiny_messaging_suite() -> String {
    format!(
        "{FAST_RUN}\n\
         [[scenario]]\nid = \"pattern.actor_ring\"\nparams = {{ actors = 3, laps = 2 }}\n\n\
         [[scenario]]\nid = \"pattern.pubsub\"\nparams = {{ subscribers = 2, messages = 10 }}\n\n\
         [[scenario]]\nid = \"pattern.futures\"\nparams = {{ tasks = 5, unit_us = 5, spread = 3 }}\n\n\
         [[scenario]]\nid = \"pattern.worker_pool\"\nparams = {{ workers = 2, tasks = 20, task_us = 1 }}\n"
    )
}

fn points_of(scratch: &Scratch) -> Vec<Value> {
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("results are JSON");
    results["results"].as_array().expect("a list").clone()
}

#[test]
fn every_messaging_variant_runs_verifies_and_reports_its_figures() {
    let scratch = Scratch::new();
    let config = scratch.file("tiny.toml", &tiny_messaging_suite());
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));

    let points = points_of(&scratch);
    assert_eq!(
        points.len(),
        planned(&tiny_messaging_suite()),
        "every variant of the four"
    );
    for point in &points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        assert!(
            point["summary"]["ns_per_op"]["median"]
                .as_f64()
                .unwrap_or(0.0)
                > 0.0,
            "{id} has a median"
        );
    }
    let metric = |scenario: &str, name: &str| -> Vec<f64> {
        points
            .iter()
            .filter(|p| p["scenario"] == scenario)
            .map(|p| p["metrics"][name].as_f64().unwrap_or(-1.0))
            .collect()
    };
    assert!(
        metric("pattern.actor_ring", "ns_per_lap")
            .iter()
            .all(|&v| v > 0.0)
    );
    assert!(
        metric("pattern.pubsub", "published_per_s")
            .iter()
            .all(|&v| v > 0.0)
    );
    let firsts = metric("pattern.futures", "first_result_ns");
    let alls = metric("pattern.futures", "all_results_ns");
    assert!(
        firsts.iter().zip(&alls).all(|(f, a)| *f > 0.0 && f <= a),
        "the first result never comes after the last: {firsts:?} {alls:?}"
    );
    let futures = points.iter().filter(|p| p["scenario"] == "pattern.futures");
    for point in futures {
        assert!(
            point["latency_ns"]["count"].as_u64().unwrap_or(0) >= 5,
            "{}: result arrival times recorded",
            point["id"]
        );
    }
    assert!(
        metric("pattern.worker_pool", "vs_ideal")
            .iter()
            .all(|&v| v > 0.0)
    );
}

#[test]
fn a_ring_of_fewer_than_two_actors_is_refused() {
    for actors in [0, 1] {
        refused(
            "pattern.actor_ring",
            &format!("actors = {actors}, laps = 1"),
            &[
                "pattern.actor_ring",
                &format!("actors = {actors} is out of range 2..="),
            ],
        );
    }
    refused(
        "pattern.actor_ring",
        "actors = 2, laps = 0",
        &["laps = 0 is out of range 1..="],
    );
}

#[test]
fn no_subscribers_no_tasks_and_no_workers_are_refused() {
    refused(
        "pattern.pubsub",
        "subscribers = 0",
        &["pattern.pubsub", "subscribers = 0 is out of range 1..="],
    );
    refused(
        "pattern.futures",
        "tasks = 0",
        &["pattern.futures", "tasks = 0 is out of range 1..="],
    );
    refused(
        "pattern.worker_pool",
        "tasks = 0",
        &["pattern.worker_pool", "tasks = 0 is out of range 1..="],
    );
    refused(
        "pattern.worker_pool",
        "workers = 0",
        &["workers = 0 is out of range 1..="],
    );
    refused(
        "pattern.futures",
        "spread = 0",
        &["spread = 0 is out of range 1..="],
    );
}

#[test]
fn list_shows_the_message_passing_scenarios() {
    let assert = Scratch::new().concbench(&["list"]).assert().success();
    let mut stdout = predicate::str::contains("pattern.actor_ring").boxed();
    for needle in [
        "pattern.pubsub",
        "tokio_broadcast",
        "pattern.futures",
        "joinset_as_completed",
        "pattern.worker_pool",
        "condvar_queue_pool",
    ] {
        stdout = stdout.and(predicate::str::contains(needle)).boxed();
    }
    assert.stdout(stdout);
}

/// `concbench run` of one scenario with `params` is refused (exit 2, one line).
fn refused(scenario: &str, params: &str, needles: &[&str]) {
    super::support::refused(&one_scenario(scenario, params), needles);
}
