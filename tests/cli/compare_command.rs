//! `concbench compare`, the regression gate, on constructed results files so
//! that every verdict is deterministic: exit codes, verdicts, unpaired
//! points, host mismatch, several runs per side, points that failed, were
//! skipped or deadlocked as meant on either side, and refused input.

use serde_json::{Value, json};

use super::support::{Scratch, stderr_of};

/// A results file with one point per (id, per-sample ns/op values).
pub(super) fn results(cpu: &str, points: &[(&str, &[f64])]) -> String {
    let records: Vec<Value> = points
        .iter()
        .map(|(id, values)| {
            json!({
                "id": id, "family": "spawn", "scenario": id.split('/').next().unwrap_or(""),
                "variant": "v", "model": "thread", "params": {}, "status": "ok", "error": null,
                "unit": "op", "elapsed_ns": 1, "summary": null, "latency_ns": null,
                "resources": null, "utilisation": null, "metrics": {},
                "samples": values.iter().map(|ns| json!({ "ops": 1000, "ns": (ns * 1000.0) as u64 })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema": "concbench.results/1",
        "run": { "id": format!("run-{cpu}"), "started": "2026-11-23T00:00:00Z", "finished": null, "tool_version": "0",
                 "git_commit": null, "config": "c.toml", "argv": [] },
        "host": { "hostname": "h", "os": "linux", "kernel": "6", "cpu_model": cpu, "logical_cores": 2,
                  "physical_cores": 2, "memory_bytes": 1, "rustc": "rustc" },
        "harness": { "sampler_interval_ms": 50, "sampler_cpu_ns": 0, "warmup_ms": 0, "measure_time_ms": 0, "min_samples": 1, "timeout_ms": 1 },
        "results": records,
    })
    .to_string()
}

/// `count` values around `centre`, spread by ±1%.
pub(super) fn around(centre: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| centre * (0.99 + 0.02 * (i % 5) as f64 / 4.0))
        .collect()
}

/// `text` with its first point's outcome replaced (no samples unless ok).
pub(super) fn with_status(text: &str, status: &str, expected: Option<&str>, error: &str) -> String {
    let mut run: Value = serde_json::from_str(text).expect("JSON");
    let point = &mut run["results"][0];
    point["status"] = status.into();
    point["expected"] = expected.into();
    point["error"] = error.into();
    if status != "ok" {
        point["samples"] = json!([]);
    }
    run.to_string()
}

/// Run compare on several files per side; returns (exit code, stdout and stderr).
pub(super) fn compare_many(
    scratch: &Scratch,
    base: &[String],
    new: &[String],
) -> (Option<i32>, String) {
    let mut args = vec!["compare".to_string()];
    for (flag, texts) in [("--base", base), ("--new", new)] {
        args.push(flag.into());
        for (i, text) in texts.iter().enumerate() {
            let name = format!("{}-{i}.json", flag.trim_start_matches('-'));
            let path = scratch.file(&name, text);
            args.push(path.to_string_lossy().into_owned());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = scratch.concbench(&args).output().expect("compare runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), stdout + &stderr_of(&output))
}

/// Run compare on base and new texts; returns (exit code, stdout, stderr).
pub(super) fn compare(
    scratch: &Scratch,
    base: &str,
    new: &str,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let (b, n) = (
        scratch.file("base.json", base),
        scratch.file("new.json", new),
    );
    let mut args = vec!["compare", b.to_str().unwrap(), n.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = scratch.concbench(&args).output().expect("compare runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr_of(&output),
    )
}

#[test]
fn a_clear_regression_exits_1_and_says_so() {
    let scratch = Scratch::new();
    let base = results("cpu", &[("spawn.a/x", &around(100.0, 20))]);
    let new = results("cpu", &[("spawn.a/x", &around(130.0, 20))]);
    let (code, stdout, _) = compare(&scratch, &base, &new, &["--threshold", "5"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("REGRESSED") && stdout.contains("1 regressed"),
        "{stdout}"
    );
}

#[test]
fn unchanged_and_improved_points_exit_0() {
    let scratch = Scratch::new();
    let base = results(
        "cpu",
        &[
            ("spawn.a/same", &around(100.0, 20)),
            ("spawn.a/faster", &around(100.0, 20)),
        ],
    );
    let new = results(
        "cpu",
        &[
            ("spawn.a/same", &around(100.0, 20)),
            ("spawn.a/faster", &around(70.0, 20)),
        ],
    );
    let (code, stdout, _) = compare(&scratch, &base, &new, &["--threshold", "5"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("0 regressed, 1 improved, 1 unchanged, 0 uncertain"),
        "{stdout}"
    );
}

#[test]
fn a_change_straddling_the_threshold_is_uncertain_and_says_what_would_settle_it() {
    let scratch = Scratch::new();
    // About +5% with a few % of spread: the interval straddles 1.05.
    let noisy = |centre: f64| -> Vec<f64> {
        (0..8)
            .map(|i| centre * (0.96 + 0.08 * (i % 4) as f64 / 3.0))
            .collect()
    };
    let (code, stdout, _) = compare(
        &scratch,
        &results("cpu", &[("spawn.a/x", &noisy(100.0))]),
        &results("cpu", &[("spawn.a/x", &noisy(105.5))]),
        &["--threshold", "5"],
    );
    assert_eq!(code, Some(0), "uncertain does not fail the gate: {stdout}");
    assert!(
        stdout.contains("uncertain") && stdout.contains("more samples"),
        "{stdout}"
    );
    assert!(!stdout.contains("~0 more"), "{stdout}");
}

#[test]
fn points_on_one_side_only_are_listed_not_dropped() {
    let scratch = Scratch::new();
    let base = results(
        "cpu",
        &[
            ("spawn.a/both", &around(100.0, 10)),
            ("spawn.a/gone", &around(100.0, 10)),
        ],
    );
    let new = results(
        "cpu",
        &[
            ("spawn.a/both", &around(100.0, 10)),
            ("spawn.a/added", &around(100.0, 10)),
        ],
    );
    let json_path = scratch.path().join("verdict.json");
    let (code, stdout, _) = compare(
        &scratch,
        &base,
        &new,
        &["--json", json_path.to_str().unwrap()],
    );
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("spawn.a/gone") && stdout.contains("only in the base run"),
        "{stdout}"
    );
    assert!(
        stdout.contains("spawn.a/added") && stdout.contains("only in the new run"),
        "{stdout}"
    );
    let verdict: Value =
        serde_json::from_str(&std::fs::read_to_string(json_path).expect("json written"))
            .expect("JSON");
    assert_eq!(verdict["schema"], "concbench.gate/2");
    assert_eq!(verdict["only_in_base"], json!(["spawn.a/gone"]));
    assert_eq!(verdict["only_in_new"], json!(["spawn.a/added"]));
}

#[test]
fn a_point_that_broke_in_the_new_run_fails_the_gate() {
    let scratch = Scratch::new();
    let base = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let mut new: Value = serde_json::from_str(&base).unwrap();
    new["results"][0]["status"] = "timed_out".into();
    new["results"][0]["error"] = "no result within the 1s timeout".into();
    let (code, stdout, _) = compare(&scratch, &base, &new.to_string(), &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("BROKEN") && stdout.contains("timeout"),
        "{stdout}"
    );
}

#[test]
fn a_host_mismatch_is_a_loud_warning_not_an_error() {
    let scratch = Scratch::new();
    let md = scratch.path().join("summary.md");
    let (code, _, stderr) = compare(
        &scratch,
        &results("Xeon", &[("spawn.a/x", &around(100.0, 10))]),
        &results("EPYC", &[("spawn.a/x", &around(100.0, 10))]),
        &["--markdown", md.to_str().unwrap()],
    );
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains("WARNING") && stderr.contains("different hosts"),
        "{stderr}"
    );
    let markdown = std::fs::read_to_string(md).expect("markdown written");
    assert!(
        markdown.contains("**Warning:**") && markdown.contains("| `spawn.a/x` |"),
        "{markdown}"
    );
}

#[test]
fn several_runs_per_side_are_accepted() {
    let scratch = Scratch::new();
    let run = |centre: f64| results("cpu", &[("spawn.a/x", &around(centre, 10))]);
    let (code, stdout) = compare_many(
        &scratch,
        &[run(100.0), run(104.0)],
        &[run(97.0), run(101.0)],
    );
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn per_family_thresholds_come_from_the_gate_file() {
    let scratch = Scratch::new();
    let gate = scratch.file("gate.toml", "threshold_pct = 5\n[family]\nspawn = 50\n");
    let base = results("cpu", &[("spawn.a/x", &around(100.0, 20))]);
    let new = results("cpu", &[("spawn.a/x", &around(130.0, 20))]);
    let (code, stdout, _) = compare(&scratch, &base, &new, &["--gate", gate.to_str().unwrap()]);
    assert_eq!(
        code,
        Some(0),
        "30% is under the spawn family's 50%: {stdout}"
    );
    assert!(
        stdout.contains("unchanged") && stdout.contains("50.0%"),
        "{stdout}"
    );
}

#[test]
fn refuses_foreign_results_bad_thresholds_and_missing_sides_with_exit_2() {
    let scratch = Scratch::new();
    let good = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let (code, _, stderr) = compare(
        &scratch,
        &good.replace("concbench.results/1", "concbench.results/9"),
        &good,
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("base.json") && stderr.contains("schema"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let (code, _, _) = compare(&scratch, &good, &good, &["--threshold", "0"]);
    assert_eq!(code, Some(2));
    let bad_gate = scratch.file("bad-gate.toml", "[family]\nspawn = -3\n");
    let (code, _, stderr) = compare(
        &scratch,
        &good,
        &good,
        &["--gate", bad_gate.to_str().unwrap()],
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("bad-gate.toml:2:"), "{stderr}");
    let only_base = scratch
        .concbench(&["compare", "--base", "x.json"])
        .output()
        .expect("runs");
    assert_eq!(only_base.status.code(), Some(2));
}

#[test]
fn a_speed_up_beyond_a_threshold_of_100_percent_or_more_is_improved() {
    let scratch = Scratch::new();
    let base = results("cpu", &[("spawn.a/x", &around(100.0, 20))]);
    let new = results("cpu", &[("spawn.a/x", &around(30.0, 20))]);
    // 1/0.3 = 3.3x faster, beyond 1 + 150%; 1 - 150% would be below 0.
    let (code, stdout, _) = compare(&scratch, &base, &new, &["--threshold", "150"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("1 improved"), "{stdout}");
}

#[test]
fn the_shipped_gate_file_fails_a_build_on_a_change_beyond_5_percent() {
    let scratch = Scratch::new();
    let gate = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/gate.toml");
    let base = results("cpu", &[("spawn.start/tokio/async", &around(100.0, 20))]);
    let new = results("cpu", &[("spawn.start/tokio/async", &around(108.0, 20))]);
    let (code, stdout, _) = compare(&scratch, &base, &new, &["--gate", gate]);
    assert_eq!(code, Some(1), "8% is beyond the shipped 5%: {stdout}");
    assert!(
        stdout.contains("REGRESSED") && stdout.contains("5.0%"),
        "{stdout}"
    );
}

#[test]
fn a_verdict_file_that_cannot_be_written_exits_4_naming_it() {
    let scratch = Scratch::new();
    let side = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let (code, _, stderr) = compare(&scratch, &side, &side, &["--json", "/dev/full"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("/dev/full"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn too_few_samples_a_side_give_no_interval_and_no_verdict() {
    // Five samples a side 30% apart: the bootstrap's [min, max]-like
    // interval used to call this regressed; five give no 95% interval.
    let scratch = Scratch::new();
    let base = results("cpu", &[("spawn.a/x", &around(100.0, 5))]);
    let new = results("cpu", &[("spawn.a/x", &around(130.0, 5))]);
    let (code, stdout, stderr) = compare(&scratch, &base, &new, &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("uncertain") && stdout.contains("too few samples"),
        "{stdout}"
    );
}
