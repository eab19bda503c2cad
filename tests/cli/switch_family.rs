//! CLI tests of the switch family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{Scratch, planned, stderr_of};

/// A short warm-up lets the harness size its samples from more than one
/// (possibly descheduled) round trip on a busy machine.
const WARMED_RUN: &str = "[run]\nwarmup = \"20ms\"\nmeasure_time = \"30ms\"\nmin_samples = 2\ntimeout = \"60s\"\nsampler_interval = \"10ms\"\n";

#[test]
fn every_variant_switches_and_verifies_in_every_placement_the_machine_allows() {
    let scratch = Scratch::new();
    let suite = format!(
        "{WARMED_RUN}\n[[scenario]]\nid = \"switch.pingpong\"\nparams = {{ pinned_cores = [0, 1, 2] }}\n"
    );
    let config = scratch.file("switch.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert_eq!(
        points.len(),
        planned(&suite),
        "every variant at 3 placements"
    );
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert!(
            id.contains("pinned_cores="),
            "the placement is in the id: {id}"
        );
        if point["status"] == "skipped" {
            let why = point["error"].as_str().unwrap_or("");
            assert!(why.contains("pinned_cores=2"), "{id}: {why}");
            continue;
        }
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        let median = point["summary"]["ns_per_op"]["median"]
            .as_f64()
            .unwrap_or(0.0);
        let round_trip = point["metrics"]["round_trip_ns"].as_f64().unwrap_or(0.0);
        assert!(
            median > 0.0 && (round_trip - 2.0 * median).abs() < 1e-6 * round_trip,
            "{id}"
        );
        if point["model"] == "thread" {
            assert!(
                point["metrics"]["kernel_switches_per_switch"].is_number(),
                "{id}"
            );
        }
    }
    let async_on_two = points
        .iter()
        .find(|p| p["model"] == "async" && p["params"]["pinned_cores"] == 2)
        .expect("an async point on two cores");
    assert_eq!(
        async_on_two["status"], "skipped",
        "one thread cannot use two cores"
    );
}

#[test]
fn bad_switch_parameters_are_refused_with_exit_2() {
    let scratch = Scratch::new();
    for (entry, named) in [
        ("params = { pinned_cores = 3 }", "pinned_cores"),
        ("params = { workers = 2 }", "workers"),
        ("variants = [\"futex\"]\nmodels = [\"async\"]", "model"),
    ] {
        let suite = format!("[[scenario]]\nid = \"switch.pingpong\"\n{entry}\n");
        let config = scratch.file("bad.toml", &suite);
        let output = scratch
            .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
            .output()
            .expect("concbench runs");
        assert_eq!(output.status.code(), Some(2), "{entry}");
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(named) && !stderr.contains("panick"),
            "{entry}: {stderr}"
        );
    }
}

#[test]
fn the_core_matrix_measures_every_pair_records_the_topology_and_draws_the_map() {
    let scratch = Scratch::new();
    let suite = format!(
        "{WARMED_RUN}\n[[scenario]]\nid = \"switch.c2c\"\nparams = {{ cpu_a = \"cpus\", cpu_b = \"cpus\" }}\n"
    );
    let config = scratch.file("c2c.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let cpus = results["topology"]["cpus"]
        .as_array()
        .expect("topology")
        .len();
    let points = results["results"].as_array().expect("points");
    // Two variants x two models, every ordered pair, the same CPU included.
    assert_eq!(points.len(), 4 * cpus * cpus);
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        assert!(point["metrics"]["pair_class"].is_number(), "{id}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("The machine&#39;s map") || html.contains("The machine's map"));
    assert!(html.contains("What does sharing a cache line between two cores cost here?"));
}

#[test]
fn a_cpu_the_process_may_not_use_is_skipped_and_one_beyond_any_is_bad_input() {
    let scratch = Scratch::new();
    let suite =
        format!("{WARMED_RUN}\n[[scenario]]\nid = \"switch.c2c\"\nparams = {{ cpu_a = 4095 }}\n");
    let config = scratch.file("c2c.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    for point in results["results"].as_array().expect("points") {
        assert_eq!(point["status"], "skipped", "{}", output.status);
        let why = point["error"].as_str().unwrap_or("");
        assert!(
            why.contains("cpu_a=4095") && why.contains("sched_getaffinity"),
            "{why}"
        );
    }
    let bad = scratch.file(
        "bad.toml",
        "[[scenario]]\nid = \"switch.c2c\"\nparams = { cpu_b = 5000 }\n",
    );
    let output = scratch
        .concbench(&["run", "--config", bad.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("cpu_b") && !stderr.contains("panick"),
        "{stderr}"
    );
}
