//! The history store at scale: a store of 1000 runs of the quick suite,
//! then what a user waits for: adding one more run (`concbench history
//! add`, end to end), drawing the trend page, its size, and how long
//! headless Chromium takes to load and paint it.
//!
//!   HISTORY_RESULTS=reports/<run>/results.json cargo bench --bench history_scale
//!
//! Without HISTORY_RESULTS it runs the quick suite once first (~90 s). The
//! 1000 runs are that run's figures with 2% noise per run and a few steps
//! (so the page has changes to show); it measures the store, not the machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use concbench::history::record::{self, RunRecord};
use concbench::history::store::Store;
use concbench::results::RunResults;

const RUNS: usize = 1000;

fn concbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_concbench"))
}

fn quick_results(dir: &Path) -> PathBuf {
    if let Ok(path) = std::env::var("HISTORY_RESULTS") {
        return PathBuf::from(path);
    }
    println!("no HISTORY_RESULTS: running the quick suite once (~90 s)");
    let out = dir.join("quick");
    let status = concbench()
        .args(["run", "--no-store", "--out"])
        .arg(&out)
        .status()
        .expect("concbench runs");
    assert!(
        matches!(status.code(), Some(0 | 3)),
        "the quick suite failed"
    );
    let run = std::fs::read_dir(&out)
        .expect("run folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("a run");
    run.join("results.json")
}

/// The i-th synthetic run: the real figures, 2% noise, +15% on every
/// tenth point from run 700 on.
fn synthetic(real: &RunRecord, i: usize, rng: &mut fastrand::Rng) -> RunRecord {
    let mut run = real.clone();
    run.key = format!("synthetic-{i}");
    run.commit = format!("{:012x}", 0xc0ffee_u64 * (i as u64 + 1));
    let base = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("a date");
    run.started = (base + chrono::Duration::minutes(i as i64 * 90)).to_rfc3339();
    for (p, figure) in run.figures.iter_mut().enumerate() {
        let step = if p % 10 == 0 && i >= 700 { 1.15 } else { 1.0 };
        let factor = step * (1.0 + 0.02 * (rng.f64() * 2.0 - 1.0));
        figure.median *= factor;
        figure.lo = figure.lo.map(|v| v * factor);
        figure.hi = figure.hi.map(|v| v * factor);
    }
    run
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = quick_results(dir.path());
    let results = RunResults::read(&source).expect("quick results");
    let real = record::of_run(&results, &source, None);
    let store_path = dir.path().join("history.sqlite");
    let mut store = Store::open(&store_path).expect("store");
    let mut rng = fastrand::Rng::with_seed(7);
    let began = Instant::now();
    for i in 0..RUNS {
        store.add(&synthetic(&real, i, &mut rng)).expect("added");
    }
    drop(store);
    let size = std::fs::metadata(&store_path).map_or(0, |m| m.len());
    println!(
        "store of {RUNS} runs x {} points: {:.1} s to build, {:.1} MB",
        real.figures.len(),
        began.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    let began = Instant::now();
    let output = concbench()
        .args(["history", "--store"])
        .arg(&store_path)
        .arg("add")
        .arg(&source)
        .output()
        .expect("history add");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!(
        "history add of one quick run to {RUNS} runs: {:.2} s (target < 2 s)",
        began.elapsed().as_secs_f64()
    );

    let page = dir.path().join("history.html");
    let began = Instant::now();
    let output = concbench()
        .args(["history", "--store"])
        .arg(&store_path)
        .args(["report", "-o"])
        .arg(&page)
        .output()
        .expect("history report");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::metadata(&page).map_or(0, |m| m.len());
    println!(
        "history report: {:.2} s, page {:.2} MB (target < 5 MB); {}",
        began.elapsed().as_secs_f64(),
        bytes as f64 / 1e6,
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .last()
            .unwrap_or("")
    );
    paint(&page, dir.path());
    if let Ok(keep) = std::env::var("HISTORY_KEEP_PAGE") {
        std::fs::copy(&page, &keep).expect("page kept");
        println!("page kept at {keep}");
    }
}

/// Load and paint time in headless Chromium (tests/browser's script).
fn paint(page: &Path, dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check-report.mjs");
    let shot = dir.join("history.png");
    let output = Command::new("node")
        .arg(&script)
        .arg(page)
        .arg(&shot)
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let value: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_default();
            println!(
                "Chromium: loaded and painted in {} ms (target < 2000 ms), {} console errors, {} requests",
                value["paintMs"],
                value["consoleErrors"].as_array().map_or(0, Vec::len),
                value["requests"].as_array().map_or(0, Vec::len)
            );
        }
        _ => println!(
            "Chromium: not measured (node, playwright-core or chromium missing: npm ci --prefix tests/browser)"
        ),
    }
}
