//! The CPython worker package's own unit tests (`python3 -m unittest`,
//! standard library only), run here so that `cargo test` covers both sides.

#[test]
fn the_cpython_worker_package_passes_its_unit_tests() {
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/runtimes/python");
    let output = std::process::Command::new("python3")
        .args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
        .current_dir(package)
        // No __pycache__ left in the checkout.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs (.ci/run installs it)");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "python3 -m unittest failed:\n{report}"
    );
    assert!(report.contains("OK"), "{report}");
}
