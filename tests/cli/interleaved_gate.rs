//! The interleaved gate (`compare --base-bin OLD --new-bin NEW`) on a tiny
//! suite. Its verdicts must not depend on this machine's noise, so the
//! threshold is wide (50%): no A/A difference comes near it, and a 4x
//! slowdown of the new side is far beyond it.

use serde_json::Value;

use super::support::{Scratch, stderr_of};

const BINARY: &str = env!("CARGO_BIN_EXE_concbench");

/// One serial cpu chunk per round: pure computation, verified.
const SUITE: &str = "[[scenario]]\nid = \"cpu.split\"\nvariants = [\"serial\"]\nparams = { k = 1, chunks = 2, points = 2000 }\n";

fn gate(scratch: &Scratch, new_bin: &str, extra: &[&str]) -> std::process::Output {
    gate_on(scratch, SUITE, "2m", new_bin, extra)
}

/// `compare` of `suite` within `budget`, threshold 50%, seed 7, into out/.
fn gate_on(
    scratch: &Scratch,
    suite: &str,
    budget: &str,
    new_bin: &str,
    extra: &[&str],
) -> std::process::Output {
    let config = scratch.file("suite.toml", suite);
    let mut args = vec![
        "compare",
        "--base-bin",
        BINARY,
        "--new-bin",
        new_bin,
        "--config",
        config.to_str().unwrap(),
        "--threshold",
        "50",
        "--budget",
        budget,
        "--seed",
        "7",
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    scratch.concbench(&args).output().expect("concbench runs")
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn the_same_build_on_both_sides_passes_and_writes_both_results_files() {
    let scratch = Scratch::new();
    let output = gate(&scratch, BINARY, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let dir = &scratch.run_dirs("out")[0];
    let verdicts = read_json(&dir.join("gate.json"));
    let point = &verdicts["points"][0];
    // Neither a false regression nor a false improvement: at a 50%
    // threshold no A/A difference comes near the band.
    assert_eq!(point["verdict"], "unchanged", "{point}");
    assert!(point["blocks"].as_u64().unwrap_or(0) >= 1, "{point}");
    assert!(
        verdicts["method"]
            .as_str()
            .unwrap_or("")
            .contains("Benjamini-Hochberg")
    );
    for side in ["base", "new"] {
        let results = read_json(&dir.join(format!("{side}.json")));
        let measured = &results["results"][0];
        assert_eq!(measured["status"], "ok", "{side}: {measured}");
        assert!(measured["samples"].as_array().is_some_and(|s| s.len() >= 2));
        assert!(results["host"]["logical_cores"].as_u64().unwrap_or(0) >= 1);
    }
    // What it wrote reads back as ordinary results: the file-based gate
    // takes it, and finds the same build unchanged.
    let json = scratch.path().join("files.json");
    let files = scratch
        .concbench(&["compare", "--threshold", "50", "--json"])
        .args([&json, &dir.join("base.json"), &dir.join("new.json")])
        .output()
        .expect("compare runs");
    assert_eq!(files.status.code(), Some(0), "{}", stderr_of(&files));
    let point = &read_json(&json)["points"][0];
    assert_eq!(point["verdict"], "unchanged", "{point}");
}

#[test]
fn a_new_build_four_times_slower_is_a_regression() {
    let scratch = Scratch::new();
    let extra = [
        "--new-slowdown-pct",
        "300",
        "--copies",
        "2",
        "--warm-slices",
        "2",
    ];
    let output = gate(&scratch, BINARY, &extra);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let verdicts = read_json(&scratch.run_dirs("out")[0].join("gate.json"));
    let point = &verdicts["points"][0];
    assert_eq!(point["verdict"], "regressed", "{point}");
    assert!(point["ratio"].as_f64().unwrap_or(0.0) > 2.0, "{point}");
    let method = verdicts["method"].as_str().unwrap_or_default();
    assert!(method.contains("(2 a side)"), "{method}");
    assert!(
        method.contains("warm-up in 2 alternating slices"),
        "{method}"
    );
    // Each block says which of the 2 copies it ran and which build started
    // first, one entry per log ratio.
    let ratios = ["screening_log_ratios", "confirmation_log_ratios"]
        .iter()
        .map(|k| point[k].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    let copies: Vec<u64> = point["block_copies"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    assert_eq!(copies.len(), ratios, "{point}");
    assert!(copies.iter().all(|&c| c < 2), "{point}");
    let first = point["block_new_first"].as_array().map_or(0, Vec::len);
    assert_eq!(first, ratios, "{point}");
}

/// A new build that is this one measuring differently (see
/// tests/fixtures/fake_gate_worker.py for the modes).
fn measuring_differently(scratch: &Scratch, mode: &str) -> String {
    let script = format!(
        "#!/bin/sh\nexec python3 {}/tests/fixtures/fake_gate_worker.py {mode} {BINARY} \"$@\"\n",
        env!("CARGO_MANIFEST_DIR")
    );
    let path = scratch.file(mode, &script);
    let mut permissions = std::fs::metadata(&path).expect("written").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).expect("made executable");
    path.to_str().expect("UTF-8").to_string()
}

#[test]
fn a_new_build_that_counts_or_times_differently_is_not_comparable() {
    for (mode, why) in [
        ("doublecount", "counting changed"),
        ("narrowclock", "controller's clock"),
    ] {
        let scratch = Scratch::new();
        let output = gate(&scratch, &measuring_differently(&scratch, mode), &[]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(0), "{mode}: {stderr}");
        let dir = &scratch.run_dirs("out")[0];
        let point = &read_json(&dir.join("gate.json"))["points"][0];
        assert_eq!(point["verdict"], "not_comparable", "{mode}: {point}");
        let note = point["note"].as_str().unwrap_or("");
        assert!(note.contains(why), "{mode}: {note}");
        assert!(note.contains("new build"), "{mode}: {note}");
        assert!(!note.contains('\n'), "{mode}: one line: {note}");
        assert!(!stderr.contains("panicked"), "{mode}: {stderr}");
    }
}

#[test]
fn a_worker_of_another_protocol_or_none_is_refused_with_one_line() {
    let scratch = Scratch::new();
    let cases = [
        (
            "other-version",
            "#!/bin/sh\necho concbench-worker 99\ncat >/dev/null\n",
            "it said: concbench-worker 99",
        ),
        (
            "garbage",
            "#!/bin/sh\necho hello there\ncat >/dev/null\n",
            "does not speak",
        ),
        ("silent", "#!/bin/sh\nexit 2\n", "does not speak"),
    ];
    for (name, script, needle) in cases {
        let path = scratch.file(name, script);
        let mut permissions = std::fs::metadata(&path).expect("written").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&path, permissions).expect("made executable");
        let output = gate(&scratch, path.to_str().unwrap(), &[]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{name}: one line: {stderr}"
        );
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(
            stderr.contains("file-based"),
            "{name}: says what to do instead: {stderr}"
        );
    }
    assert!(
        scratch.run_dirs("out").is_empty(),
        "nothing written for bad input"
    );
}

#[test]
fn bad_flags_are_refused() {
    let scratch = Scratch::new();
    let output = scratch
        .concbench(&[
            "compare",
            "--base-bin",
            "/no/such/binary",
            "--new-bin",
            BINARY,
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("/no/such/binary is not a file"));
    let output = scratch
        .concbench(&["compare", "--base-bin", BINARY])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "--new-bin is required with --base-bin"
    );
    let said = stderr_of(&output);
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert!(said.contains("--new-bin"), "{said}");
    for (flag, value) in [
        ("--copies", "0"),
        ("--copies", "11"),
        ("--copies", "four"),
        ("--warm-slices", "0"),
        ("--warm-slices", "11"),
    ] {
        let args = [
            "compare",
            "--base-bin",
            BINARY,
            "--new-bin",
            BINARY,
            flag,
            value,
        ];
        let output = scratch.concbench(&args).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let said = stderr_of(&output);
        assert!(said.contains(flag), "{said}");
        assert_eq!(said.lines().count(), 1, "one line: {said}");
    }
}

#[test]
fn a_worker_that_panics_hangs_or_miscounts_costs_only_its_point() {
    let scratch = Scratch::new();
    let suite = "[[scenario]]\nid = \"selftest.fault\"\nvariants = [\"panic\", \"hang\", \"miscount\", \"ok\"]\nrun = { timeout = \"2s\" }\n";
    let config = scratch.file("faults.toml", suite);
    let output = scratch
        .concbench(&[
            "compare",
            "--base-bin",
            BINARY,
            "--new-bin",
            BINARY,
            "--config",
            config.to_str().unwrap(),
            "--threshold",
            "50",
            "--budget",
            "1m",
            "--seed",
            "3",
            "--out",
            "out",
        ])
        .output()
        .expect("concbench runs");
    // Whichever side meets a fault first fails the point: broken when it is
    // the new build (exit 1), not comparable when it is the base.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr_of(&output)
    );
    let dir = &scratch.run_dirs("out")[0];
    let verdicts = read_json(&dir.join("gate.json"));
    let points = verdicts["points"].as_array().expect("points");
    assert_eq!(points.len(), 4);
    let (base, new) = (
        read_json(&dir.join("base.json")),
        read_json(&dir.join("new.json")),
    );
    let of = |variant: &str| {
        let at = points
            .iter()
            .position(|p| {
                p["id"]
                    .as_str()
                    .unwrap_or("")
                    .contains(&format!("/{variant}/"))
            })
            .unwrap_or_else(|| panic!("no {variant} point"));
        (&points[at], &base["results"][at], &new["results"][at])
    };
    for (variant, status, words) in [
        ("panic", "failed", "panicked"),
        ("hang", "timed_out", "no answer within"),
        ("miscount", "failed", "verification failed"),
    ] {
        let (verdict, base_side, new_side) = of(variant);
        let word = verdict["verdict"].as_str().unwrap_or("");
        assert!(
            matches!(word, "broken" | "not_comparable"),
            "{variant}: {verdict}"
        );
        let failed = [base_side, new_side]
            .into_iter()
            .find(|p| p["status"] == status)
            .unwrap_or_else(|| panic!("{variant}: a side with status {status}"));
        let error = failed["error"].as_str().unwrap_or("");
        assert!(error.contains(words), "{variant}: {error}");
    }
    assert_eq!(of("ok").0["verdict"], "unchanged", "the run went on");
}

#[test]
fn a_cpython_point_goes_through_the_gate_like_any_other() {
    let scratch = Scratch::new();
    let suite = "[[scenario]]\nid = \"cpu.split\"\nvariants = [\"py_serial\"]\nparams = { k = 1, chunks = 2, points = 2000 }\n";
    let output = gate_on(&scratch, suite, "20s", BINARY, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let dir = &scratch.run_dirs("out")[0];
    let point = &read_json(&dir.join("gate.json"))["points"][0];
    assert_eq!(
        point["id"], "cpu.split/py_serial@python3/serial/chunks=2,k=1,points=2000",
        "{point}"
    );
    // The same build on both sides: never a regression or an improvement
    // (CPython's noise may leave it undecided in 20 s).
    let verdict = point["verdict"].as_str().unwrap_or("");
    assert!(matches!(verdict, "unchanged" | "uncertain"), "{point}");
    let new = read_json(&dir.join("new.json"));
    assert_eq!(new["results"][0]["runtime"]["runtime"], "cpython", "{new}");
}
