//! `cargo bench --bench gate_quality`: how noisy and how strong the
//! regression gate is on this machine. For each of PAIRS rounds it runs the
//! quick suite three times with the same build (A, B, and S with the
//! calibration knob `--slowdown-pct`, a real 10% of busy work added to every
//! operation), then `compare A B` (noise: no point should regress) and
//! `compare A S` (power: each point should regress). Prints, per point, how
//! often each comparison flagged it. Takes about a minute per pair.
//!
//! Environment: GATE_PAIRS (default 20), GATE_SLOWDOWN_PCT (10),
//! GATE_OUT (target/gate-quality), GATE_CONFIG (the quick suite).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Run the suite once into `out`, return its results.json.
fn run_suite(binary: &Path, out: &Path, config: &str, slowdown: Option<&str>) -> PathBuf {
    let mut command = Command::new(binary);
    command.args(["run", "--config", config, "--out"]).arg(out);
    if let Some(pct) = slowdown {
        command.args(["--slowdown-pct", pct]);
    }
    let status = command.output().expect("concbench runs").status;
    assert!(
        status.code().is_some_and(|c| c == 0 || c == 3),
        "run failed: {status}"
    );
    let dir = std::fs::read_dir(out)
        .expect("run folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .max()
        .expect("one run");
    dir.join("results.json")
}

/// `compare base new`: the verdict of each point.
fn verdicts(binary: &Path, base: &Path, new: &Path, json: &Path) -> BTreeMap<String, String> {
    let status = Command::new(binary)
        .arg("compare")
        .arg(base)
        .arg(new)
        .arg("--json")
        .arg(json)
        .output()
        .expect("compare runs")
        .status;
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "compare failed: {status}"
    );
    let outcome: Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("verdict file")).expect("JSON");
    outcome["points"]
        .as_array()
        .map(|points| {
            points
                .iter()
                .map(|p| {
                    (
                        p["id"].as_str().unwrap_or("").to_string(),
                        p["verdict"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn main() {
    let pairs: usize = env_or("GATE_PAIRS", "20")
        .parse()
        .expect("GATE_PAIRS is a number");
    let slowdown = env_or("GATE_SLOWDOWN_PCT", "10");
    let out = PathBuf::from(env_or("GATE_OUT", "target/gate-quality"));
    let config = env_or(
        "GATE_CONFIG",
        concat!(env!("CARGO_MANIFEST_DIR"), "/configs/quick.toml"),
    );
    std::fs::create_dir_all(&out).expect("output folder");
    // A private copy: rebuilding concbench during the experiment must not
    // change the binary half-way.
    let binary = out.join("concbench");
    std::fs::copy(env!("CARGO_BIN_EXE_concbench"), &binary).expect("copy the binary");

    let mut noise: BTreeMap<String, usize> = BTreeMap::new();
    let mut power: BTreeMap<String, usize> = BTreeMap::new();
    let (mut noisy_pairs, mut ratios) = (0, BTreeMap::<String, Vec<f64>>::new());
    for pair in 1..=pairs {
        let round = out.join(format!("pair-{pair:02}"));
        let a = run_suite(&binary, &round.join("a"), &config, None);
        let b = run_suite(&binary, &round.join("b"), &config, None);
        let s = run_suite(&binary, &round.join("s"), &config, Some(&slowdown));
        let aa = verdicts(&binary, &a, &b, &round.join("aa.json"));
        let as_ = verdicts(&binary, &a, &s, &round.join("as.json"));
        let flagged: Vec<&String> = aa
            .iter()
            .filter(|(_, v)| *v == "regressed")
            .map(|(id, _)| id)
            .collect();
        noisy_pairs += usize::from(!flagged.is_empty());
        for (id, verdict) in &aa {
            *noise.entry(id.clone()).or_default() += usize::from(verdict == "regressed");
        }
        for (id, verdict) in &as_ {
            *power.entry(id.clone()).or_default() += usize::from(verdict == "regressed");
        }
        let outcome: Value = serde_json::from_str(
            &std::fs::read_to_string(round.join("aa.json")).unwrap_or_default(),
        )
        .unwrap_or_default();
        for p in outcome["points"].as_array().into_iter().flatten() {
            if let (Some(id), Some(r)) = (p["id"].as_str(), p["ratio"].as_f64()) {
                ratios.entry(id.to_string()).or_default().push(r);
            }
        }
        println!(
            "pair {pair:2}: A/A flagged {:?}; A/S regressed {} of {}",
            flagged,
            as_.values().filter(|v| *v == "regressed").count(),
            as_.len()
        );
    }
    print_summary(pairs, noisy_pairs, &noise, &power, &ratios);
}

/// The per-point table: A/A flags, A/S flags, and the A/A ratio range.
fn print_summary(
    pairs: usize,
    noisy_pairs: usize,
    noise: &BTreeMap<String, usize>,
    power: &BTreeMap<String, usize>,
    ratios: &BTreeMap<String, Vec<f64>>,
) {
    println!(
        "\nA/A pairs with any regression flagged: {noisy_pairs} of {pairs} (target: at most 1 of 20)"
    );
    println!(
        "\n{:<62} {:>10} {:>16} {:>18}",
        "point", "A/A flags", "A/S flags", "A/A ratio range"
    );
    for (id, flags) in power {
        let range = ratios.get(id).map_or(String::new(), |r| {
            let (lo, hi) = r
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                });
            format!("{lo:.3}..{hi:.3}")
        });
        println!(
            "{id:<62} {:>7}/{pairs} {:>13}/{pairs} {range:>18}",
            noise.get(id).copied().unwrap_or(0),
            flags
        );
    }
}
