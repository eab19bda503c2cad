//! `concbench run` end to end: real points measured, verified and written.

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, planned, stderr_of, tiny_spawn_suite};

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("results file exists");
    serde_json::from_str(&text).expect("results file is JSON")
}

#[test]
fn a_tiny_spawn_run_measures_and_verifies_every_point() {
    let scratch = Scratch::new();
    let config = scratch.file("tiny.toml", &tiny_spawn_suite());
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let dirs = scratch.run_dirs("out");
    assert_eq!(dirs.len(), 1, "one run folder: {dirs:?}");
    let results = read_json(&dirs[0].join("results.json"));
    assert_eq!(results["schema"], "concbench.results/2");
    let host = &results["host"];
    assert!(host["logical_cores"].as_u64().unwrap_or(0) >= 1);
    assert!(!host["kernel"].as_str().unwrap_or("").is_empty());
    assert!(!host["rustc"].as_str().unwrap_or("").is_empty());
    assert!(results["run"]["finished"].is_string());

    let points = results["results"].as_array().expect("a list of points");
    assert_eq!(
        points.len(),
        planned(&tiny_spawn_suite()),
        "every variant of both scenarios"
    );
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        let median = point["summary"]["ns_per_op"]["median"]
            .as_f64()
            .unwrap_or(0.0);
        assert!(median > 0.0, "{id} has a median");
        let timeline = &point["utilisation"];
        let ticks = timeline["t_ms"].as_array().map_or(0, Vec::len);
        assert!(ticks >= 1, "{id} has a utilisation timeline");
        let cores = timeline["per_core"].as_array().expect("per-core series");
        assert!(!cores.is_empty());
        assert!(
            cores
                .iter()
                .all(|c| c.as_array().map_or(0, Vec::len) == ticks),
            "{id}: one value per tick per core"
        );
        assert!(point["resources"]["wall_ns"].as_u64().unwrap_or(0) > 0);
        assert!(
            point["metrics"]["cpu_ns_per_worker"].is_number(),
            "{id} has derived metrics"
        );
    }
    let sleepers = points
        .iter()
        .find(|p| p["scenario"] == "spawn.sleepers")
        .expect("a sleepers point");
    assert!(
        sleepers["metrics"]["wall_vs_ideal"].as_f64().unwrap_or(0.0) >= 1.0,
        "nobody wakes before the sleep ends"
    );
    // Each scenario's variants were measured together, round by round: one
    // group per scenario, and the round of every sample recorded.
    for scenario in ["spawn.start", "spawn.sleepers"] {
        let group: Vec<&Value> = points
            .iter()
            .filter(|p| p["scenario"] == scenario)
            .collect();
        let name = &group[0]["paired_group"];
        assert!(
            name.is_string(),
            "{scenario} was measured in interleaved rounds"
        );
        for point in &group {
            assert_eq!(&point["paired_group"], name);
            let samples = point["samples"].as_array().map_or(0, Vec::len);
            let rounds = point["paired_rounds"].as_array().map_or(0, Vec::len);
            assert_eq!(rounds, samples, "a round for every sample");
            assert!(point["metrics"]["machine_drift_pct"].is_number());
        }
    }
    let drift = results["harness"]["drift"].as_array().map_or(0, Vec::len);
    assert!(
        drift > 3,
        "the drift monitor probes before each group, after each round, and at the end: {drift}"
    );
}

#[test]
fn results_jsonl_holds_a_header_then_one_line_per_point() {
    let scratch = Scratch::new();
    let config = scratch.file("tiny.toml", &tiny_spawn_suite());
    scratch
        .concbench(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            "out",
            "--filter",
            "spawn.start/*thread",
        ])
        .assert()
        .success();
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.jsonl")).expect("results.jsonl");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 1 + 2, "header + std_thread + scoped_thread");
    assert_eq!(lines[0]["schema"], "concbench.results/2");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l["id"].as_str().is_some_and(|id| id.contains("thread")))
    );
}

#[test]
fn child_memory_is_what_each_points_live_children_hold_and_threads_report_none() {
    let scratch = Scratch::new();
    // Forked children reaped first: a kernel maximum over every child
    // reaped so far would then show in every later point.
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"fork\"]\nparams = {{ workers = 10 }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"std_thread\", \"tokio\", \"fork\"]\n\
         params = {{ workers = 20, sleep_ms = 50 }}\n\n\
         [[scenario]]\nid = \"io.waits\"\nvariants = [\"std_thread\", \"fork\"]\n\
         params = {{ tasks = 8, wait_ms = 20, repeats = 1 }}\n"
    );
    let config = scratch.file("memory.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
    let results = read_json(&scratch.run_dirs("out")[0].join("results.json"));
    let points = results["results"].as_array().expect("points");
    assert_eq!(points.len(), 1 + 3 + 2);
    for point in points {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        let children = &point["resources"]["children"];
        assert!(
            children["max_rss_bytes"].as_u64().unwrap_or(0) == 0,
            "{id}: no kernel-wide maximum of reaped children: {children}"
        );
        let metrics = point["metrics"].as_object().expect("metrics");
        let child_figures: Vec<&String> =
            metrics.keys().filter(|k| k.starts_with("child_")).collect();
        if point["model"] != "process" {
            assert!(
                child_figures.is_empty(),
                "{id} has no children: {child_figures:?}"
            );
            continue;
        }
        if point["scenario"] == "spawn.start" {
            continue; // its children exit at once: nothing to read while they live
        }
        let name = if point["scenario"] == "io.waits" {
            "child_memory_per_task_bytes"
        } else {
            "child_memory_per_worker_bytes"
        };
        let held = metrics[name]
            .as_f64()
            .unwrap_or_else(|| panic!("{id} has {name}: {metrics:?}"));
        // A forked child shares its parent's pages; what it holds of its
        // own is a small part of the parent's resident set.
        let parent = point["resources"]["start_rss_bytes"]
            .as_f64()
            .unwrap_or(0.0);
        assert!(
            held > 0.0 && held < parent / 2.0,
            "{id}: {held} bytes per child, parent {parent}"
        );
    }
}

#[test]
fn a_panic_a_hang_and_a_miscount_are_recorded_and_the_run_goes_on() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"selftest.fault\"\nrun = {{ timeout = \"1s\" }}\n"
    );
    let config = scratch.file("faults.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(output.status.code(), Some(3), "some points failed");

    let results = read_json(&scratch.run_dirs("out")[0].join("results.json"));
    let status_of = |variant: &str| {
        let point = results["results"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["variant"] == variant).cloned())
            .unwrap_or_else(|| panic!("no {variant} point"));
        (
            point["status"].as_str().unwrap_or("").to_string(),
            point["error"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(status_of("ok").0, "ok");
    let (status, error) = status_of("panic");
    assert_eq!(status, "failed");
    assert!(error.contains("panics on purpose"), "{error}");
    let (status, error) = status_of("hang");
    assert_eq!(status, "timed_out");
    assert!(error.contains("timeout"), "{error}");
    let (status, error) = status_of("miscount");
    assert_eq!(status, "failed");
    assert!(error.contains("verification failed"), "{error}");
}

#[test]
fn the_worker_subcommand_is_the_child_side_of_process_models() {
    let scratch = Scratch::new();
    scratch.concbench(&["worker", "noop"]).assert().code(0);
    let output = scratch
        .concbench(&["worker", "sample", "--interval-ms", "10"])
        .write_stdin("start 5000\nstop\nstart 5000\nstop\n")
        .output()
        .expect("the sampler runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one timeline per start/stop: {stdout}");
    let timeline: Value = serde_json::from_str(lines[0]).expect("the sampler prints JSON");
    assert!(
        timeline["per_core"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(
        timeline["sampler_cpu_ns"].as_u64().unwrap_or(0) > 0,
        "it reports its own cost"
    );
}

#[test]
fn every_shipped_config_plans_without_error() {
    let scratch = Scratch::new();
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/configs");
    let mut checked = 0;
    for entry in std::fs::read_dir(folder).expect("configs/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "toml") || path.ends_with("gate.toml") {
            continue;
        }
        // A filter that matches nothing: the suite is parsed and planned,
        // and nothing runs.
        let output = scratch
            .concbench(&[
                "run",
                "--config",
                path.to_str().unwrap(),
                "--filter",
                "no-such-point-anywhere",
            ])
            .output()
            .expect("runs");
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains("matches no point of the plan"),
            "{}: {stderr}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 3, "quick, full and seeds at least");
}

#[test]
fn a_group_measured_in_fresh_processes_tags_each_sample_with_its_process() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\", \"scoped_thread\"]\nparams = {{ workers = 10 }}\n"
    );
    let config = scratch.file("draws.toml", &suite);
    let output = scratch
        .concbench(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            "out",
            "--processes",
            "2",
            "--min-samples",
            "4",
        ])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
    let results = read_json(&scratch.run_dirs("out")[0].join("results.json"));
    for point in results["results"].as_array().expect("points") {
        assert_eq!(point["status"], "ok", "{point}");
        assert_eq!(point["metrics"]["processes"], 2.0, "{point}");
        let draws: Vec<u64> = point["draws"]
            .as_array()
            .expect("draws")
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        assert_eq!(
            draws.len(),
            point["samples"].as_array().expect("samples").len()
        );
        assert!(
            draws.contains(&0) && draws.contains(&1),
            "both processes measured: {draws:?}"
        );
        // Each process took its share: at least 2 of the 4 samples.
        assert!(draws.iter().filter(|&&d| d == 1).count() >= 2);
    }
    // Two processes are too few for an interval with the process as the unit.
    let summary =
        std::fs::read_to_string(scratch.run_dirs("out")[0].join("summary.md")).expect("summary");
    assert!(summary.contains("in 2 fresh processes"), "{summary}");
}
