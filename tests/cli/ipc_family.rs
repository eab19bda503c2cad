//! CLI tests of the ipc family (tiny sizes: verification and bad parameters).

use std::path::Path;

use serde_json::Value;

use super::support::{Scratch, stderr_of};

/// A short warm-up lets the harness size its samples from more than one
/// (possibly descheduled) round trip on a busy machine.
const WARMED_RUN: &str = "[run]\nwarmup = \"20ms\"\nmeasure_time = \"30ms\"\nmin_samples = 2\ntimeout = \"60s\"\nsampler_interval = \"10ms\"\n";

/// Ping-pong over every transport and model; streams of 64 B and of 70 KB
/// messages (cut into pieces by mqueue and datagrams).
fn tiny_ipc_suite() -> String {
    format!(
        "{WARMED_RUN}\n[[scenario]]\nid = \"ipc.pingpong\"\n\n\
         [[scenario]]\nid = \"ipc.stream\"\nparams = {{ message_bytes = [64, 70000], round_bytes = 140000 }}\n"
    )
}

/// Names in `dir` that start with `prefix`.
fn entries(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}

fn results_of(scratch: &Scratch) -> Vec<Value> {
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    results["results"].as_array().cloned().expect("points")
}

#[test]
fn every_transport_verifies_and_the_run_leaves_no_fifo_or_shared_memory_behind() {
    let scratch = Scratch::new();
    let config = scratch.file("ipc.toml", &tiny_ipc_suite());
    let tmp = scratch.path().join("tmp");
    std::fs::create_dir(&tmp).expect("a TMPDIR");
    let shared = [Path::new("/dev/shm"), Path::new("/dev/mqueue")];
    let before: Vec<Vec<String>> = shared.iter().map(|d| entries(d, "concbench-")).collect();

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_concbench"))
        .current_dir(scratch.path())
        .env("TMPDIR", &tmp)
        .args(["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("concbench starts");
    let pid = child.id();
    let output = child.wait_with_output().expect("concbench runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));

    let points = results_of(&scratch);
    assert_eq!(
        points.len(),
        7 * 2 + 7 * 2 * 2,
        "transports x models (x sizes)"
    );
    for point in &points {
        let id = point["id"].as_str().unwrap_or("?");
        if point["variant"] == "mqueue" && point["status"] == "skipped" {
            let why = point["error"].as_str().unwrap_or("");
            assert!(why.contains("POSIX message queues"), "{id}: {why}");
            continue;
        }
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        if point["scenario"] == "ipc.pingpong" {
            assert!(
                point["metrics"]["one_way_ns"].as_f64().unwrap_or(0.0) > 0.0,
                "{id}"
            );
            assert!(
                point["latency_ns"]["count"].as_u64().unwrap_or(0) > 0,
                "{id}"
            );
        } else {
            assert!(
                point["metrics"]["mb_per_s"].as_f64().unwrap_or(0.0) > 0.0,
                "{id}"
            );
        }
    }

    // Nothing of this run is left: its scratch root (FIFOs) went with it and
    // no shared-memory or queue name of its pid remains.
    let left: Vec<String> = entries(&tmp, "");
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    let ours = format!("concbench-{pid}-");
    for (dir, earlier) in shared.iter().zip(&before) {
        let now = entries(dir, "concbench-");
        let new: Vec<&String> = now.iter().filter(|n| !earlier.contains(n)).collect();
        assert!(
            !new.iter().any(|n| n.starts_with(&ours)),
            "left in {}: {new:?}",
            dir.display()
        );
    }
}

#[test]
fn message_queue_points_are_skipped_with_the_reason_where_queues_cannot_be_made() {
    let scratch = Scratch::new();
    let suite = format!(
        "{WARMED_RUN}\n[[scenario]]\nid = \"ipc.pingpong\"\nvariants = [\"mqueue\", \"pipe\"]\nmodels = [\"thread\"]\n"
    );
    let config = scratch.file("mq.toml", &suite);
    // RLIMIT_MSGQUEUE = 0: no queue can be created, whoever runs this.
    let output = std::process::Command::new("bash")
        .current_dir(scratch.path())
        .args([
            "-c",
            "ulimit -q 0 && exec \"$0\" run --config \"$1\" --out out",
            env!("CARGO_BIN_EXE_concbench"),
        ])
        .arg(&config)
        .output()
        .expect("bash runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let points = results_of(&scratch);
    let status = |variant: &str| {
        let point = points
            .iter()
            .find(|p| p["variant"] == variant)
            .expect("a point");
        (
            point["status"].clone(),
            point["error"].as_str().unwrap_or("").to_string(),
        )
    };
    let (mq_status, why) = status("mqueue");
    assert_eq!(mq_status, "skipped");
    assert!(
        why.contains("POSIX message queues") && why.contains("RLIMIT_MSGQUEUE"),
        "{why}"
    );
    assert_eq!(status("pipe").0, "ok", "the rest of the run goes on");
}

#[test]
fn bad_ipc_parameters_are_refused_with_exit_2_naming_them() {
    let scratch = Scratch::new();
    let cases = [
        ("ipc.stream", "message_bytes = 0", "message_bytes"),
        ("ipc.stream", "message_bytes = 2097152", "message_bytes"),
        ("ipc.stream", "round_bytes = 0", "round_bytes"),
        ("ipc.pingpong", "pinned_cores = 3", "pinned_cores"),
        ("ipc.pingpong", "message_bytes = 64", "message_bytes"),
    ];
    for (id, params, named) in cases {
        let suite = format!("[[scenario]]\nid = \"{id}\"\nparams = {{ {params} }}\n");
        let config = scratch.file("bad.toml", &suite);
        let output = scratch
            .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
            .output()
            .expect("concbench runs");
        assert_eq!(output.status.code(), Some(2), "{id} {params}");
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(named) && !stderr.contains("panick"),
            "{params}: {stderr}"
        );
    }
    let suite = "[[scenario]]\nid = \"ipc.pingpong\"\nvariants = [\"carrier_pigeon\"]\n";
    let config = scratch.file("bad.toml", suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("carrier_pigeon"));
    assert!(scratch.run_dirs("out").is_empty(), "nothing ran");
}
