//! `cargo bench --bench gate_quality`: how often the interleaved gate
//! (`compare --base-bin B --new-bin B`) cries wolf, and how often it sees a
//! real slowdown, on this machine. It runs COMPARISONS comparisons of the
//! same build against itself (A/A: nothing should regress or improve) and as many with
//! the new side slowed by SLOWDOWN% of every sample (each point should
//! regress), alternating the two, and prints per comparison and per point
//! how often each verdict came. Every point counts, whatever its threshold.
//!
//! Environment: GATE_COMPARISONS (default 20 of each), GATE_SLOWDOWN_PCT
//! (10), GATE_CONFIG (configs/gate_subset.toml), GATE_BUDGET (90s per
//! comparison), GATE_MODE (both, aa or slowed), GATE_OUT
//! (target/gate-quality), GATE_FIRST (1: the number of the first
//! comparison, which seeds its coin; a second batch starts where the first
//! ended), GATE_NEW_BIN (a build of a real code change: the
//! slowed comparisons then pit it, unslowed, against this build, and the
//! points the change touches are the ones that should regress; it runs
//! the comparison, as the new build does in CI, and must speak this
//! build's protocol), GATE_COPIES (a list such as `1,4`: every
//! comparison runs once with each number of private copies a side, one
//! after the other with the same seed, and each gets its own tally),
//! GATE_SHAPES (the same for block shapes, a list of WARMUP/PAIRS or
//! WARMUP/PAIRS/SLICES such as `30ms/8,30ms/8/3`: each arm runs with
//! `--block-warmup WARMUP --max-pairs PAIRS [--warm-slices SLICES]`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

mod report;

use report::{print_points, print_power_floor};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// One point's verdict in one comparison, with its blocks' ln(new/base)
/// and the seconds it took.
struct Seen {
    verdict: String,
    more: Option<u64>,
    log_ratios: Vec<f64>,
    spent_s: f64,
}

/// The build that runs the comparison, and the two compared.
struct Builds<'a> {
    controller: &'a Path,
    base: &'a Path,
    new: &'a Path,
}

/// One interleaved comparison; the verdict of every point.
fn compare(
    builds: Builds,
    out: &Path,
    setup: &Setup,
    seed: usize,
    slowdown: Option<&str>,
    flags: &[String],
) -> BTreeMap<String, Seen> {
    let mut command = Command::new(builds.controller);
    command
        .args(["compare", "--base-bin"])
        .arg(builds.base)
        .arg("--new-bin")
        .arg(builds.new)
        .args([
            "--config",
            &setup.config,
            "--budget",
            &setup.budget,
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(out);
    if let Some(pct) = slowdown {
        command.args(["--new-slowdown-pct", pct]);
    }
    command.args(flags);
    let output = command.output().expect("concbench runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "compare failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = std::fs::read_dir(out)
        .expect("comparison folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .max()
        .expect("one comparison");
    let text = std::fs::read_to_string(dir.join("gate.json")).expect("gate.json");
    let outcome: Value = serde_json::from_str(&text).expect("JSON");
    outcome["points"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let floats = |key: &str| -> Vec<f64> {
                p[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
                    .collect()
            };
            let mut log_ratios = floats("screening_log_ratios");
            log_ratios.extend(floats("confirmation_log_ratios"));
            let seen = Seen {
                verdict: p["verdict"].as_str().unwrap_or("").to_string(),
                more: p["more_samples"].as_u64(),
                log_ratios,
                spent_s: p["spent_s"].as_f64().unwrap_or(0.0),
            };
            (p["id"].as_str().unwrap_or("").to_string(), seen)
        })
        .collect()
}

/// Per point: how many comparisons gave each verdict.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, BTreeMap<String, usize>>,
    more: BTreeMap<String, Vec<u64>>,
    /// Every block's ln(new/base), and (blocks, seconds) in all.
    log_ratios: BTreeMap<String, Vec<f64>>,
    time: BTreeMap<String, (usize, f64)>,
}

impl Tally {
    fn add(&mut self, seen: &BTreeMap<String, Seen>) {
        for (id, s) in seen {
            *self
                .counts
                .entry(id.clone())
                .or_default()
                .entry(s.verdict.clone())
                .or_default() += 1;
            if let Some(more) = s.more {
                self.more.entry(id.clone()).or_default().push(more);
            }
            self.log_ratios
                .entry(id.clone())
                .or_default()
                .extend(&s.log_ratios);
            let time = self.time.entry(id.clone()).or_default();
            time.0 += s.log_ratios.len();
            time.1 += s.spent_s;
        }
    }

    fn count(&self, id: &str, verdict: &str) -> usize {
        self.counts
            .get(id)
            .and_then(|c| c.get(verdict))
            .copied()
            .unwrap_or(0)
    }
}

/// What every comparison of the experiment shares.
struct Setup {
    budget: String,
    config: String,
    out: PathBuf,
    slowdown: String,
    /// This build's private copy, and the new build (itself unless
    /// GATE_NEW_BIN names a changed one).
    binary: PathBuf,
    new_binary: PathBuf,
    changed: bool,
}

/// One arm of the experiment: its comparisons run with `flags` added to
/// `compare` (none: the gate's defaults), named `name`, and what they found.
#[derive(Default)]
struct Arm {
    name: Option<String>,
    flags: Vec<String>,
    aa: Tally,
    slowed: Tally,
    aa_alarms: usize,
    aa_done: usize,
    powerful: usize,
    slowed_done: usize,
    shares: Vec<f64>,
}

impl Arm {
    /// How the arm is named in folders and lines ("" for the default).
    fn tag(&self) -> String {
        self.name
            .as_ref()
            .map_or(String::new(), |n| format!("-{n}"))
    }

    fn run_aa(&mut self, setup: &Setup, i: usize) {
        let began = Instant::now();
        let b = &setup.binary;
        let seen = compare(
            Builds {
                controller: b,
                base: b,
                new: b,
            },
            &setup.out.join(format!("aa-{i:02}{}", self.tag())),
            setup,
            i,
            None,
            &self.flags,
        );
        // Either direction is a false alarm when nothing changed.
        let flagged: Vec<String> = seen
            .iter()
            .filter(|(_, s)| s.verdict == "regressed" || s.verdict == "improved")
            .map(|(id, s)| format!("{id}: {}", s.verdict))
            .collect();
        self.aa_alarms += usize::from(!flagged.is_empty());
        self.aa_done += 1;
        println!(
            "A/A {i:2}{} ({:.0} s): flagged {flagged:?}",
            self.tag(),
            began.elapsed().as_secs_f64()
        );
        self.aa.add(&seen);
    }

    fn run_slowed(&mut self, setup: &Setup, i: usize) {
        let began = Instant::now();
        // As in CI, the new build runs the comparison.
        let seen = compare(
            Builds {
                controller: &setup.new_binary,
                base: &setup.binary,
                new: &setup.new_binary,
            },
            &setup.out.join(format!("slowed-{i:02}{}", self.tag())),
            setup,
            1000 + i,
            (!setup.changed).then_some(setup.slowdown.as_str()),
            &self.flags,
        );
        let regressed = seen.values().filter(|s| s.verdict == "regressed").count();
        let share = regressed as f64 / seen.len().max(1) as f64;
        self.powerful += usize::from(share >= 0.9);
        self.slowed_done += 1;
        self.shares.push(share);
        println!(
            "{} {i:2}{} ({:.0} s): {regressed} of {} points regressed ({:.0}%)",
            setup.what(),
            self.tag(),
            began.elapsed().as_secs_f64(),
            seen.len(),
            100.0 * share
        );
        self.slowed.add(&seen);
    }

    fn print(&self, setup: &Setup) {
        if !self.flags.is_empty() {
            println!("\n== {}", self.flags.join(" "));
        }
        println!(
            "\nA/A comparisons that flagged anything (regressed or improved): {} of {} (target: at most 1 in 20)",
            self.aa_alarms, self.aa_done
        );
        println!(
            "{} comparisons with at least 90% of points regressed: {} of {}; shares {:?}",
            setup.what(),
            self.powerful,
            self.slowed_done,
            self.shares
                .iter()
                .map(|s| format!("{:.0}%", 100.0 * s))
                .collect::<Vec<_>>()
        );
        print_points(&self.aa, &self.slowed, self.aa_done, self.slowed_done);
        let budget_s = humantime::parse_duration(&setup.budget).map_or(0.0, |d| d.as_secs_f64());
        let slowdown_pct: f64 = setup.slowdown.parse().unwrap_or(10.0);
        print_power_floor(
            if self.aa_done > 0 {
                &self.aa
            } else {
                &self.slowed
            },
            slowdown_pct,
            budget_s,
        );
    }
}

impl Setup {
    fn from_env() -> Setup {
        let out = PathBuf::from(env_or("GATE_OUT", "target/gate-quality"));
        std::fs::create_dir_all(&out).expect("output folder");
        // A private copy: rebuilding concbench meanwhile must not change it.
        let binary = out.join("concbench");
        std::fs::copy(env!("CARGO_BIN_EXE_concbench"), &binary).expect("copy the binary");
        let changed = std::env::var_os("GATE_NEW_BIN").map(PathBuf::from);
        Setup {
            budget: env_or("GATE_BUDGET", "90s"),
            config: env_or(
                "GATE_CONFIG",
                concat!(env!("CARGO_MANIFEST_DIR"), "/configs/gate_subset.toml"),
            ),
            out,
            slowdown: env_or("GATE_SLOWDOWN_PCT", "10"),
            new_binary: changed.clone().unwrap_or_else(|| binary.clone()),
            binary,
            changed: changed.is_some(),
        }
    }

    fn what(&self) -> String {
        if self.changed {
            "changed build".to_string()
        } else {
            format!("slowed {}%", self.slowdown)
        }
    }
}

/// The arms GATE_COPIES or GATE_SHAPES ask for (one default arm if neither).
fn arms_from_env() -> Vec<Arm> {
    let list = |name: &str| -> Vec<String> {
        std::env::var(name)
            .map(|l| l.split(',').map(|v| v.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let mut arms: Vec<Arm> = list("GATE_COPIES")
        .into_iter()
        .map(|c| Arm {
            name: Some(format!("c{c}")),
            flags: vec!["--copies".into(), c],
            ..Arm::default()
        })
        .collect();
    for shape in list("GATE_SHAPES") {
        let parts: Vec<&str> = shape.split('/').collect();
        let [warmup, pairs, rest @ ..] = parts.as_slice() else {
            panic!("GATE_SHAPES entries are WARMUP/PAIRS[/SLICES], e.g. 30ms/8/3");
        };
        let mut flags: Vec<String> = vec![
            "--block-warmup".into(),
            (*warmup).into(),
            "--max-pairs".into(),
            (*pairs).into(),
        ];
        if let Some(slices) = rest.first() {
            flags.extend(["--warm-slices".to_string(), (*slices).to_string()]);
        }
        arms.push(Arm {
            name: Some(format!("w{}", parts.join("-"))),
            flags,
            ..Arm::default()
        });
    }
    if arms.is_empty() {
        arms.push(Arm::default());
    }
    arms
}

fn main() {
    let comparisons: usize = env_or("GATE_COMPARISONS", "20")
        .parse()
        .expect("GATE_COMPARISONS is a number");
    let mode = env_or("GATE_MODE", "both");
    let first: usize = env_or("GATE_FIRST", "1")
        .parse()
        .expect("GATE_FIRST is a number");
    let setup = Setup::from_env();
    // GATE_COPIES=1,4 or GATE_SHAPES=30ms/8,10ms/3: each seed's
    // comparisons run once per arm, one after the other, so the arms are
    // paired in time.
    let mut arms = arms_from_env();
    for i in first..first + comparisons {
        if mode != "slowed" {
            arms.iter_mut().for_each(|arm| arm.run_aa(&setup, i));
        }
        if mode != "aa" {
            arms.iter_mut().for_each(|arm| arm.run_slowed(&setup, i));
        }
    }
    for arm in &arms {
        arm.print(&setup);
    }
}
