//! Points the machine's limits cannot hold are skipped, with the limit
//! named, before any worker starts; the rest of the run goes on.

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, stderr_of};

#[test]
fn points_beyond_rlimit_nproc_are_skipped_naming_the_limit() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\", \"fork\", \"tokio\"]\nparams = {{ workers = 500 }}\n"
    );
    let config = scratch.file("suite.toml", &suite);
    // `ulimit -u` lowers RLIMIT_NPROC for concbench alone.
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
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        stderr_of(&output)
    );
    let dirs = scratch.run_dirs("out");
    let text = std::fs::read_to_string(dirs[0].join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("JSON");
    let points = results["results"].as_array().expect("points");
    let by_variant = |name: &str| {
        points
            .iter()
            .find(|p| p["variant"] == name)
            .unwrap_or_else(|| panic!("{name} in {points:#?}"))
    };
    for refused in ["std_thread", "fork"] {
        let point = by_variant(refused);
        assert_eq!(point["status"], "skipped", "{point:#}");
        let why = point["error"].as_str().unwrap_or("");
        assert!(
            why.contains("RLIMIT_NPROC") && why.contains("workers=500"),
            "{why}"
        );
    }
    // Tasks on a fixed pool of threads need no more processes: measured.
    assert_eq!(by_variant("tokio")["status"], "ok");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("RLIMIT_NPROC"),
        "the table says why: {table}"
    );
}
