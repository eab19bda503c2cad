//! CLI tests of the cpu family (tiny sizes: verification and bad parameters).

use std::collections::BTreeMap;

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, planned, refused, stderr_of};

/// The serial reference, then every parallel model at `k`, tiny sizes.
fn tiny_cpu_suite(k: &str) -> String {
    format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"cpu.split\"\nvariants = [\"serial\"]\n\
         params = {{ k = 1, chunks = 8, points = 2000 }}\n\n\
         [[scenario]]\nid = \"cpu.split\"\n\
         models = [\"thread\", \"pool\", \"process\", \"process_pool\", \"async\"]\n\
         params = {{ k = {k}, chunks = 8, points = 2000 }}\n"
    )
}

fn metric(point: &Value, name: &str) -> f64 {
    point["metrics"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("{} has no {name}: {}", point["id"], point["metrics"]))
}

#[test]
fn every_model_computes_the_serial_checksum_and_gets_a_speedup_figure() {
    let scratch = Scratch::new();
    // k = 3 splits 8 chunks unevenly and exceeds the cores of a 2-core box.
    let config = scratch.file("cpu.toml", &tiny_cpu_suite("3"));
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert!(output.status.success(), "stderr: {}", stderr_of(&output));
    let dir = &scratch.run_dirs("out")[0];
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert_eq!(
        points.len(),
        planned(&tiny_cpu_suite("3")),
        "every variant planned"
    );
    for point in points {
        assert_eq!(point["status"], "ok", "{}: {}", point["id"], point["error"]);
        assert!((metric(point, "pi_estimate") - std::f64::consts::PI).abs() < 0.1);
        assert!(metric(point, "cpu_ns_per_chunk") > 0.0);
        assert!(metric(point, "cpu_utilisation") > 0.0);
    }
    let serial = points
        .iter()
        .find(|p| p["model"] == "serial")
        .expect("the serial point");
    for point in points.iter().filter(|p| p["model"] != "serial") {
        stored_speedup_matches_the_samples(point, serial);
    }
    let pool = points
        .iter()
        .find(|p| p["variant"] == "process_pool")
        .expect("a process_pool point");
    assert!(
        metric(pool, "cpu_ns_per_chunk") > 1000.0,
        "the pool members' own CPU time is counted"
    );
}

/// Each sample's ns per operation by the round it was taken in (its index
/// where the point was not paired).
fn per_op_by_round(point: &Value) -> BTreeMap<u64, f64> {
    let samples = point["samples"].as_array().expect("samples");
    let rounds: Vec<u64> = match point["paired_rounds"].as_array() {
        Some(rounds) => rounds
            .iter()
            .map(|r| r.as_u64().expect("a round"))
            .collect(),
        None => (0..samples.len() as u64).collect(),
    };
    rounds
        .into_iter()
        .zip(samples)
        .map(|(round, s)| {
            let (ns, ops) = (s["ns"].as_f64().unwrap(), s["ops"].as_f64().unwrap());
            (round, ns / ops)
        })
        .collect()
}

/// The two middle values of `values` (one twice when their count is odd):
/// any median lies between them.
fn middle(mut values: Vec<f64>) -> (f64, f64) {
    assert!(!values.is_empty());
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (values[(n - 1) / 2], values[n / 2])
}

/// The speed-up stored with `point` against one recomputed here from the raw
/// samples of it and of the serial point: the median of the per-round
/// ratios over the rounds both sampled when they were paired, else the
/// ratio of the two medians. And `speedup_paired` says which.
fn stored_speedup_matches_the_samples(point: &Value, serial: &Value) {
    let id = &point["id"];
    let speedup = metric(point, "speedup_vs_serial");
    let paired =
        point["paired_group"].is_string() && point["paired_group"] == serial["paired_group"];
    assert_eq!(metric(point, "speedup_paired") == 1.0, paired, "{id}");
    let (mine, theirs) = (per_op_by_round(point), per_op_by_round(serial));
    let (lo, hi) = if paired {
        let ratios: Vec<f64> = mine
            .iter()
            .filter_map(|(round, ns)| Some(theirs.get(round)? / ns))
            .collect();
        assert!(ratios.len() >= 2, "{id}: rounds in common with serial");
        middle(ratios)
    } else {
        let (p_lo, p_hi) = middle(mine.into_values().collect());
        let (s_lo, s_hi) = middle(theirs.into_values().collect());
        (s_lo / p_hi, s_hi / p_lo)
    };
    let slack = 1e-9 * hi.abs();
    assert!(
        speedup >= lo - slack && speedup <= hi + slack,
        "{id}: stored speed-up {speedup} but the samples give {lo}..{hi}"
    );
}

#[test]
fn zero_workers_or_zero_work_is_refused() {
    let suite = |params: &str| {
        format!("{FAST_RUN}\n[[scenario]]\nid = \"cpu.split\"\nparams = {{ {params} }}\n")
    };
    refused(&suite("k = 0"), &["k = 0", "1..=4096"]);
    refused(&suite("chunks = 0"), &["chunks = 0", "out of range"]);
    refused(&suite("points = [10, 0]"), &["points = 0", "out of range"]);
}

#[test]
fn more_workers_than_rlimit_nproc_are_skipped_naming_the_limit() {
    let scratch = Scratch::new();
    let config = scratch.file("suite.toml", &tiny_cpu_suite("500"));
    let output = std::process::Command::new("bash")
        .current_dir(scratch.path())
        .args([
            "-c",
            "ulimit -u 200 && exec \"$0\" run --config \"$1\" --out out",
            env!("CARGO_BIN_EXE_concbench"),
        ])
        .arg(&config)
        .output()
        .expect("bash runs");
    let stderr = stderr_of(&output);
    // Skipped is not a failure: the serial point still measures, exit 0.
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let run = scratch.run_dirs("out").pop().expect("a run folder");
    let text = std::fs::read_to_string(run.join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for point in results["results"].as_array().expect("points") {
        if point["model"] == "serial" {
            assert_eq!(point["status"], "ok", "{point:#}");
            continue;
        }
        assert_eq!(point["status"], "skipped", "{point:#}");
        let why = point["error"].as_str().unwrap_or("");
        assert!(
            why.contains("RLIMIT_NPROC") && why.contains("k=500"),
            "{why}"
        );
    }
}

/// `digest hits chunks` of the `worker cpu` child for chunks first..first+count.
fn worker_tally(scratch: &Scratch, first: &str, count: &str) -> Vec<u64> {
    let output = scratch
        .concbench(&[
            "worker", "cpu", "--first", first, "--count", count, "--points", "500",
        ])
        .output()
        .expect("the worker runs");
    assert!(output.status.success(), "{}", stderr_of(&output));
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(|w| w.parse().expect("a number"))
        .collect()
}

#[test]
fn a_pool_member_answers_each_request_and_the_parts_add_up() {
    let scratch = Scratch::new();
    let whole = worker_tally(&scratch, "0", "5");
    assert_eq!(whole.len(), 3, "digest hits chunks");
    assert_eq!(whole[2], 5);
    let output = scratch
        .concbench(&["worker", "cpu-pool", "--points", "500"])
        .write_stdin("0 2\n2 3\n")
        .output()
        .expect("the pool member runs");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<Vec<u64>> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .map(|w| w.parse().expect("a number"))
                .collect()
        })
        .collect();
    assert_eq!(answers.len(), 2, "{text}");
    let sum = |i: usize| answers.iter().fold(0u64, |acc, a| acc.wrapping_add(a[i]));
    assert_eq!([sum(0), sum(1), sum(2)], [whole[0], whole[1], whole[2]]);
}

#[test]
fn a_pool_member_refuses_a_malformed_request() {
    let scratch = Scratch::new();
    let output = scratch
        .concbench(&["worker", "cpu-pool", "--points", "10"])
        .write_stdin("zero five\n")
        .output()
        .expect("the pool member runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("zero five"));
}
