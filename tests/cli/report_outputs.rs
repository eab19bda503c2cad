//! What `concbench report` writes besides the page: the exports for CI
//! services, and one line and exit 4 when a file cannot be written.

use serde_json::Value;

use super::report_command::{read, small_run};
use super::support::{FAST_RUN, Scratch, stderr_of};

#[test]
fn exports_bmf_and_github_action_benchmark_from_a_results_file() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let (bmf, gab) = (
        scratch.path().join("bmf.json"),
        scratch.path().join("gab.json"),
    );
    let results = dir.join("results.json");
    scratch
        .concbench(&[
            "report",
            results.to_str().unwrap(),
            "-o",
            "r.html",
            "--export",
            "bmf",
            bmf.to_str().unwrap(),
            "--export",
            "github-action-benchmark",
            gab.to_str().unwrap(),
        ])
        .assert()
        .success();
    let bmf: Value = serde_json::from_str(&read(&bmf)).expect("BMF is JSON");
    let latency = &bmf["spawn.start/rayon/pool/workers=10"]["latency"];
    let (value, lo, hi) = (
        latency["value"].as_f64().unwrap(),
        latency["lower_value"].as_f64().unwrap(),
        latency["upper_value"].as_f64().unwrap(),
    );
    assert!(lo <= value && value <= hi && value > 0.0, "{latency}");
    assert!(
        bmf["spawn.start/rayon/pool/workers=10"]["throughput"]["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let gab: Value = serde_json::from_str(&read(&gab)).expect("github-action-benchmark is JSON");
    let entries = gab.as_array().expect("a list");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["unit"] == "ns/worker"
        && e["value"].as_f64().unwrap_or(0.0) > 0.0
        && e["range"].as_str().unwrap_or("").starts_with('±')));

    let output = scratch
        .concbench(&[
            "report",
            results.to_str().unwrap(),
            "--export",
            "csv",
            "x.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("unknown format `csv`"));
}

#[test]
fn a_report_written_into_a_folder_that_is_not_there_yet_creates_it() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let results = dir.join("results.json");
    let output = scratch
        .concbench(&["report", results.to_str().unwrap(), "-o", "new/sub/r.html"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(scratch.path().join("new/sub/r.html").is_file());
    assert!(scratch.path().join("new/sub/r.md").is_file());
}

#[test]
fn a_file_that_cannot_be_written_exits_4_naming_it_not_as_bad_input() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let results = dir.join("results.json");
    // A folder that is a file (not a directory), and a full disk.
    let not_a_folder = scratch.file("plain-file", "x");
    let into_a_file = not_a_folder.join("r.html");
    let cases: [Vec<&str>; 3] = [
        vec![
            "report",
            results.to_str().unwrap(),
            "-o",
            into_a_file.to_str().unwrap(),
        ],
        vec![
            "report",
            results.to_str().unwrap(),
            "-o",
            "r.html",
            "--export",
            "bmf",
            "/dev/full",
        ],
        vec![
            "run",
            "--config",
            "configs-none.toml",
            "--out",
            not_a_folder.to_str().unwrap(),
        ],
    ];
    scratch.file(
        "configs-none.toml",
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\"]\nparams = {{ workers = 2 }}\n"),
    );
    for args in cases {
        let output = scratch.concbench(&args).output().expect("runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(4), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("could not write"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("plain-file") || stderr.contains("/dev/full"),
            "names the file: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
