//! Pair: the CPython worker's own workload timed by a bare standalone run
//! (`python3 concbench_worker.py --bare ...`, no protocol, no harness) vs
//! `cpu.split/py_serial@python3`: what the runtime boundary adds to a
//! CPython point.

use std::process::Command;
use std::sync::OnceLock;

use concbench::model::runtime::write_cpython_worker;
use concbench::vocab::Model;

use crate::{BareSample, Pair};

const PARAMS: &[(&str, u64)] = &[("k", 1), ("chunks", 2), ("points", 100_000)];

pub fn pair() -> Pair {
    Pair {
        name: "cpython_serial",
        unit: "chunk",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "cpu.split",
        variant: "py_serial",
        model: Model::Serial,
        params: PARAMS,
        runtime: Some("python3"),
    }
}

/// The shipped worker, written once for the bare runs.
fn worker_file() -> &'static std::path::Path {
    static FILE: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    let (_, script) = FILE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let script = write_cpython_worker(dir.path()).expect("writes the worker");
        (dir, script)
    });
    script
}

/// ns per chunk: the median of three one-round samples timed inside a
/// fresh interpreter, which also verifies its tallies.
fn bare_sample() -> f64 {
    let mut command = Command::new("python3");
    command
        .arg(worker_file())
        .args(["--bare", "cpu.split", "py_serial", "1", "3"]);
    for (name, value) in PARAMS {
        command.arg(format!("{name}={value}"));
    }
    let output = command.output().expect("python3 runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.trim_end().ends_with("ok"),
        "bare run failed: {text}"
    );
    let mut per_op: Vec<f64> = text
        .lines()
        .filter_map(|line| {
            let (ops, ns) = line.split_once(' ')?;
            Some(ns.parse::<f64>().ok()? / ops.parse::<f64>().ok()?)
        })
        .collect();
    per_op.sort_by(f64::total_cmp);
    per_op[per_op.len() / 2]
}
