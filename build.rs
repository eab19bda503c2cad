//! Records the rustc version and the git commit the binary was built from,
//! so every results file says what produced it; and lists the CPython
//! worker's files (runtimes/python/FILES, the one list) for the binary to
//! ship.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=CONCBENCH_RUSTC_VERSION={version}");

    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=CONCBENCH_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    println!("cargo:rerun-if-changed=build.rs");
    ship_cpython_worker();
}

/// `$OUT_DIR/cpython_files.rs`: the files runtimes/python/FILES names, as
/// `(path, include_str!(...))` pairs (`model::runtime::shipped`).
fn ship_cpython_worker() {
    let root =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let python = root.join("runtimes/python");
    let listed = std::fs::read_to_string(python.join("FILES")).expect("runtimes/python/FILES");
    let mut code = String::from("&[\n");
    for path in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let file = python.join(path);
        assert!(
            file.is_file(),
            "runtimes/python/FILES names {path}, which is not there"
        );
        if path.ends_with("workloads.json") {
            check_workload_table(&file);
            println!("cargo:rerun-if-changed={}", file.display());
        }
        code.push_str(&format!(
            "    ({path:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push_str("]\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("cpython_files.rs"), code).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=runtimes/python/FILES");
}

/// The workload table both sides read must be well formed, or the build
/// stops here (rather than the binary at run time): per scenario, `params`
/// of [min, max] pairs and `variants` of py_* rows with models and a summary.
fn check_workload_table(file: &std::path::Path) {
    let text = std::fs::read_to_string(file).expect("the workload table is readable");
    let table: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
    let scenarios = table
        .as_object()
        .expect("the workload table is an object of scenarios");
    for (scenario, entry) in scenarios {
        let bad = |what: &str| -> ! { panic!("{}: {scenario}: {what}", file.display()) };
        let Some(params) = entry["params"].as_object() else {
            bad("no params object")
        };
        for (name, range) in params {
            let pair = range
                .as_array()
                .filter(|r| r.len() == 2 && r.iter().all(|v| v.is_u64()));
            let Some((min, max)) = pair.map(|r| (r[0].as_u64(), r[1].as_u64())) else {
                bad(name)
            };
            if min > max {
                bad(&format!("{name}: min above max"));
            }
        }
        let Some(rows) = entry["variants"].as_array() else {
            bad("no variants list")
        };
        for row in rows {
            let name = row["name"].as_str().unwrap_or("");
            let models = row["models"].as_array().map_or(0, Vec::len);
            if !name.starts_with("py_") || models == 0 || !row["summary"].is_string() {
                bad(&format!(
                    "variant `{name}` needs a py_ name, models and a summary"
                ));
            }
        }
    }
}
