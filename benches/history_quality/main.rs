//! `cargo bench --bench history_quality`: how well `history::changes::detect`
//! finds steps in histories made of this machine's real run-to-run noise.
//! Each point present in most of the real runs gets resampled histories of
//! 60 and 100 commits (each commit one real run drawn with replacement, its
//! median and interval for the point); half of them get a step of 5, 10 or
//! 20% (up or down; value, lo and hi scaled) from a known commit, inside the
//! history, at the newest commit alone, or from 2 to 6 commits before the
//! end (the commits since a change that a run reading its history weighs). It prints, per noise band of the
//! point's robust run-to-run spread (1.4826 MAD of ln median over the
//! runs), the share of steps found at their commit ±1, the changes reported
//! elsewhere, and the changes per 100 untouched histories, also for
//! histories whose newest commit is a run the older commits never drew.
//!
//! Environment: HISTORY_RUNS (folders of run folders, comma-separated;
//! default /tmp/five,/tmp/five2,/tmp/q6,/tmp/q6b), HISTORY_REPS (histories
//! of each kind per point and length, default 4), HISTORY_SEED,
//! HISTORY_ALPHA, HISTORY_NEWEST_ALPHA, HISTORY_PERMUTATIONS,
//! HISTORY_MIN_SEGMENT, HISTORY_CLIP (settings other than the default, to
//! tune), HISTORY_COMPARE=1 (also run without winsorising, all else the
//! same).

use std::collections::BTreeMap;
use std::time::Instant;

use concbench::history::changes::{Observation, Settings, detect};
use concbench::results::RunResults;
use concbench::vocab::Status;
use rayon::prelude::*;

mod report;

const SIZES: [f64; 3] = [0.05, 0.10, 0.20];
const LENGTHS: [usize; 2] = [60, 100];
const BANDS: [&str; 4] = ["< 2%", "2-5%", "5-15%", "> 15%"];

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One point's figure in each real run that measured it.
struct Point {
    id: String,
    runs: Vec<Observation>,
    spread: f64,
}

/// Every run's results.json under the folders, per point id.
fn load(folders: &str) -> (usize, Vec<Point>) {
    let mut per_point: BTreeMap<String, Vec<Observation>> = BTreeMap::new();
    let mut runs = 0;
    for folder in folders.split(',').filter(|f| !f.is_empty()) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            eprintln!("skipped {folder}: cannot read it");
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let file = path.join("results.json");
            let Ok(results) = RunResults::read(&file) else {
                continue;
            };
            runs += 1;
            for point in results.results {
                if let (Status::Ok, Some(summary)) = (point.status, point.summary) {
                    let e = summary.ns_per_op;
                    let o = Observation {
                        value: e.median,
                        lo: e.ci95_lo,
                        hi: e.ci95_hi,
                    };
                    per_point.entry(point.id).or_default().push(o);
                }
            }
        }
    }
    let points = per_point
        .into_iter()
        .filter(|(_, v)| 2 * v.len() > runs)
        .map(|(id, runs)| {
            let spread = spread(&runs);
            Point { id, runs, spread }
        })
        .collect();
    (runs, points)
}

/// 1.4826 MAD of ln(median) over the runs.
fn spread(runs: &[Observation]) -> f64 {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        (v[(n - 1) / 2] + v[n / 2]) / 2.0
    };
    let mut logs: Vec<f64> = runs.iter().map(|o| o.value.ln()).collect();
    let centre = median(&mut logs);
    let mut dev: Vec<f64> = logs.iter().map(|x| (x - centre).abs()).collect();
    1.4826 * median(&mut dev)
}

fn band(spread: f64) -> usize {
    match spread {
        s if s < 0.02 => 0,
        s if s < 0.05 => 1,
        s if s < 0.15 => 2,
        _ => 3,
    }
}

/// What a history holds: no step, a step inside, the newest commit alone,
/// a step that the newest 2 to 6 commits hold, or no step with a newest
/// commit from a run the rest never drew.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Inside(usize),
    Newest(usize),
    Recent(usize),
    Untouched,
    UnseenNewest,
}

/// One history's outcome.
struct Outcome {
    band: usize,
    point: usize,
    kind: Kind,
    /// At the step's commit ±1.
    found: bool,
    /// Changes reported anywhere else.
    elsewhere: usize,
    /// How far the nearest change is from the step (diagnostics).
    nearest: Option<usize>,
}

/// A history of `n` commits of `point`, the step (if any) from `at`.
fn history(
    point: &Point,
    n: usize,
    step: Option<(usize, f64)>,
    rng: &mut fastrand::Rng,
) -> Vec<Observation> {
    (0..n)
        .map(|i| {
            let o = point.runs[rng.usize(..point.runs.len())];
            match step {
                Some((at, factor)) if i >= at => Observation {
                    value: o.value * factor,
                    lo: o.lo.map(|v| v * factor),
                    hi: o.hi.map(|v| v * factor),
                },
                _ => o,
            }
        })
        .collect()
}

/// The histories of one point at one length, `reps` of each kind.
fn try_point(
    p: usize,
    point: &Point,
    n: usize,
    reps: usize,
    settings: &Settings,
    seed: u64,
) -> Vec<Outcome> {
    let mut rng = fastrand::Rng::with_seed(seed ^ (p as u64) << 20 ^ n as u64);
    let mut kinds = Vec::new();
    for size in 0..SIZES.len() {
        for _ in 0..reps {
            kinds.extend([Kind::Inside(size), Kind::Newest(size), Kind::Recent(size)]);
        }
    }
    let stepped = kinds.len();
    kinds.extend(std::iter::repeat_n(Kind::Untouched, stepped));
    kinds.extend(std::iter::repeat_n(Kind::UnseenNewest, reps));
    kinds
        .into_iter()
        .map(|kind| {
            let up = rng.bool();
            let factor = |size: usize| {
                if up {
                    1.0 + SIZES[size]
                } else {
                    1.0 / (1.0 + SIZES[size])
                }
            };
            let (series, at) = match kind {
                Kind::Inside(s) => {
                    let at = rng.usize(10..=n - 10);
                    (history(point, n, Some((at, factor(s))), &mut rng), Some(at))
                }
                Kind::Newest(s) => (
                    history(point, n, Some((n - 1, factor(s))), &mut rng),
                    Some(n - 1),
                ),
                Kind::Recent(s) => {
                    let at = n - rng.usize(2..=6);
                    (history(point, n, Some((at, factor(s))), &mut rng), Some(at))
                }
                Kind::Untouched => (history(point, n, None, &mut rng), None),
                Kind::UnseenNewest => (unseen_newest(point, n, &mut rng), None),
            };
            let changes = detect(&series, settings);
            let near = |c: &usize| at.is_some_and(|a| c.abs_diff(a) <= 1);
            let found = changes.iter().any(|c| near(&c.at));
            Outcome {
                band: band(point.spread),
                point: p,
                kind,
                found,
                elsewhere: changes.iter().filter(|c| !near(&c.at)).count(),
                nearest: at.and_then(|a| changes.iter().map(|c| c.at.abs_diff(a)).min()),
            }
        })
        .collect()
}

/// An untouched history whose older commits never drew the run its newest
/// commit drew (a new process draw, as a real next commit may make).
fn unseen_newest(point: &Point, n: usize, rng: &mut fastrand::Rng) -> Vec<Observation> {
    let left_out = rng.usize(..point.runs.len());
    let others: Vec<Observation> = (0..point.runs.len())
        .filter(|&r| r != left_out)
        .map(|r| point.runs[r])
        .collect();
    let mut series: Vec<Observation> = (0..n - 1)
        .map(|_| others[rng.usize(..others.len())])
        .collect();
    series.push(point.runs[left_out]);
    series
}

/// Every point's histories, in parallel.
fn run(points: &[Point], reps: usize, settings: &Settings, seed: u64) -> Vec<Outcome> {
    let started = Instant::now();
    let outcomes: Vec<Outcome> = points
        .par_iter()
        .enumerate()
        .flat_map_iter(|(p, point)| {
            LENGTHS
                .iter()
                .flat_map(move |&n| try_point(p, point, n, reps, settings, seed))
        })
        .collect();
    println!(
        "\n{} histories with {settings:?} in {:.1} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    outcomes
}

/// The time of one `detect` on 1000 commits of a real point, one step and
/// nine steps of 20% (every 100 commits), the median of several calls.
fn time_long(point: &Point) {
    let mut rng = fastrand::Rng::with_seed(1);
    let one = history(point, 1000, Some((600, 1.1)), &mut rng);
    let mut nine = history(point, 1000, None, &mut rng);
    for (i, o) in nine.iter_mut().enumerate() {
        let factor = 1.0 + 0.2 * ((i / 100) % 2) as f64;
        (o.value, o.lo, o.hi) = (
            o.value * factor,
            o.lo.map(|v| v * factor),
            o.hi.map(|v| v * factor),
        );
    }
    let flat = history(point, 1000, None, &mut rng);
    for (name, series) in [("flat", &flat), ("one step", &one), ("nine steps", &nine)] {
        let mut times: Vec<f64> = (0..9)
            .map(|_| {
                let t = Instant::now();
                let found = detect(series, &Settings::default());
                std::hint::black_box(found);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let found = detect(series, &Settings::default()).len();
        println!(
            "1000 commits, {name}: {found} changes, {:.2} ms (median of 9, {})",
            times[4], point.id
        );
    }
}

fn main() {
    let folders = env_or(
        "HISTORY_RUNS",
        "/tmp/five,/tmp/five2,/tmp/q6,/tmp/q6b".to_string(),
    );
    let (runs, points) = load(&folders);
    if points.is_empty() {
        eprintln!("no points in {folders}");
        return;
    }
    let per_band: Vec<usize> = (0..3)
        .map(|b| points.iter().filter(|p| band(p.spread) == b).count())
        .collect();
    println!(
        "{runs} runs, {} points in most of them; by spread {BANDS:?}: {per_band:?}",
        points.len()
    );
    let base = Settings::default();
    let settings = Settings {
        alpha: env_or("HISTORY_ALPHA", base.alpha),
        permutations: env_or("HISTORY_PERMUTATIONS", base.permutations),
        min_segment: env_or("HISTORY_MIN_SEGMENT", base.min_segment),
        seed: base.seed,
        clip: env_or("HISTORY_CLIP", base.clip),
        newest_alpha: env_or("HISTORY_NEWEST_ALPHA", base.newest_alpha),
    };
    let reps = env_or("HISTORY_REPS", 4usize);
    let seed = env_or("HISTORY_SEED", 26u64);
    let outcomes = run(&points, reps, &settings, seed);
    report::print_table(&outcomes, &points);
    report::print_worst(&outcomes, &points);
    report::print_distances(&outcomes);
    if env_or("HISTORY_COMPARE", 0u8) == 1 {
        let unclipped = Settings {
            clip: f64::INFINITY,
            ..settings
        };
        let outcomes = run(&points, reps, &unclipped, seed);
        report::print_table(&outcomes, &points);
        report::print_worst(&outcomes, &points);
    }
    let quiet = points
        .iter()
        .min_by(|a, b| (a.spread - 0.02).abs().total_cmp(&(b.spread - 0.02).abs()));
    if let Some(point) = quiet {
        time_long(point);
    }
}
