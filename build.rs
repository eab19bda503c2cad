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
