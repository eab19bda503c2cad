//! The drift monitor: a small fixed reference workload (a dependent chain
//! of multiply-adds, the same work every time) timed between groups of
//! points and between the rounds of a group, so that the run records how
//! the machine's speed moved while it measured (a cloud VM's or a laptop's
//! moves by tens of percent). Beside it, a wide workload (independent
//! multiplies, bound by throughput): a busy neighbour on the host's core
//! slows it while the chain, bound by latency, does not notice. Each probe
//! takes the fastest of a few short repeats of each: well under a
//! millisecond per probe. The probes of a run are kept here (`start`,
//! `probe_now`, `take`) so that the point thread's rounds can add theirs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::opaque::opaque;
use crate::results::DriftProbe;

/// Steps of the reference chain per repeat (about 60 us on a 2.8 GHz core).
const STEPS: u64 = 40_000;
/// Repeats per probe; the fastest counts (the least disturbed).
const REPEATS: usize = 5;
/// Steps of the wide workload per repeat (about 25 us here).
const WIDE_STEPS: u64 = 20_000;

/// The run's probes so far, and when the run began (None: not watching).
static PROBES: Mutex<Option<(Instant, Vec<DriftProbe>, Duration)>> = Mutex::new(None);

/// Begin watching: later probes count from now.
pub fn start() {
    if let Ok(mut probes) = PROBES.lock() {
        *probes = Some((Instant::now(), Vec::new(), Duration::ZERO));
    }
}

/// Probe now and keep it, when watching; returns how many probes there are.
pub fn probe_now() -> usize {
    let Ok(mut guard) = PROBES.lock() else {
        return 0;
    };
    let Some((since, probes, cost)) = guard.as_mut() else {
        return 0;
    };
    let began = Instant::now();
    probes.push(probe(*since));
    *cost += began.elapsed();
    probes.len()
}

/// How many probes there are so far.
pub fn count() -> usize {
    PROBES
        .lock()
        .ok()
        .and_then(|g| g.as_ref().map(|(_, p, _)| p.len()))
        .unwrap_or(0)
}

/// Stop watching: the probes and the time they took.
pub fn take() -> (Vec<DriftProbe>, Duration) {
    PROBES
        .lock()
        .ok()
        .and_then(|mut g| g.take())
        .map(|(_, probes, cost)| (probes, cost))
        .unwrap_or_default()
}

/// Add probes another process took (a `worker draw` child, between its
/// rounds) to the run's, when watching: `began` is when that process
/// started, and each probe's `at_ms` counts from it. `cost` is what they
/// took.
pub fn absorb(taken: &[DriftProbe], began: Instant, cost: Duration) {
    let Ok(mut guard) = PROBES.lock() else {
        return;
    };
    let Some((since, probes, total)) = guard.as_mut() else {
        return;
    };
    let offset = began.saturating_duration_since(*since).as_millis() as u64;
    probes.extend(taken.iter().map(|p| DriftProbe {
        at_ms: offset.saturating_add(p.at_ms),
        ..*p
    }));
    *total += cost;
}

/// The fewest probes with a drift figure: one is set aside, and a range
/// needs two more.
pub const MIN_PROBES: usize = 3;

/// The probes from index `from` on (and the one before), as `spread` takes
/// them.
pub fn probes_since(from: usize) -> Vec<DriftProbe> {
    let Ok(guard) = PROBES.lock() else {
        return Vec::new();
    };
    let Some((_, probes, _)) = guard.as_ref() else {
        return Vec::new();
    };
    probes.get(from.saturating_sub(1)..).unwrap_or(&[]).to_vec()
}

/// How far the machine's speed ranged over `probes`, in percent: the
/// slowest tenth of the probes (at least one) is set aside, so that a probe
/// disturbed by a trial's own threads never stands for the machine, and the
/// figure is the slowest remaining probe's time over the fastest's, minus
/// one. None with fewer than `MIN_PROBES`: too few to set one aside.
pub fn spread(probes: &[DriftProbe]) -> Option<f64> {
    spread_of(probes.iter().map(|p| p.ns_per_step).collect())
}

/// `spread` of the wide probe's timings (None where fewer than
/// `MIN_PROBES` timed it).
pub fn wide_spread(probes: &[DriftProbe]) -> Option<f64> {
    spread_of(probes.iter().filter_map(|p| p.wide_ns_per_step).collect())
}

/// How busy the machine was during a group, in percent: of the wide
/// readings among `group`'s probes, those at least `WIDE_SLOW` times the
/// fastest wide reading of the run so far (`run`), the same rule as the
/// run's count of slow probes (`results::slow_wide`). None with fewer
/// than `MIN_PROBES` wide readings in the group.
pub fn busy_pct(group: &[DriftProbe], run: &[DriftProbe]) -> Option<f64> {
    let wide = |probes: &[DriftProbe]| -> Vec<f64> {
        probes.iter().filter_map(|p| p.wide_ns_per_step).collect()
    };
    let (group, run) = (wide(group), wide(run));
    if group.len() < MIN_PROBES {
        return None;
    }
    let (slow, _) = crate::results::slow_wide(&group, &run)?;
    Some(100.0 * slow as f64 / group.len() as f64)
}

fn spread_of(mut times: Vec<f64>) -> Option<f64> {
    times.sort_by(f64::total_cmp);
    if times.len() < MIN_PROBES || times[0] <= 0.0 {
        return None;
    }
    let set_aside = (times.len() / 10).max(1);
    Some(100.0 * (times[times.len() - 1 - set_aside] / times[0] - 1.0))
}

/// Time the reference workload now; `since` is the run's start.
pub fn probe(since: Instant) -> DriftProbe {
    let at_ms = since.elapsed().as_millis() as u64;
    let (mut best, mut best_wide) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..REPEATS {
        let began = Instant::now();
        std::hint::black_box(chain(std::hint::black_box(STEPS)));
        best = best.min(began.elapsed().as_nanos() as f64);
        let began = Instant::now();
        std::hint::black_box(wide(std::hint::black_box(WIDE_STEPS)));
        best_wide = best_wide.min(began.elapsed().as_nanos() as f64);
    }
    DriftProbe {
        at_ms,
        ns_per_step: best / STEPS as f64,
        wide_ns_per_step: Some(best_wide / WIDE_STEPS as f64),
    }
}

/// The wide reference work: `steps` draws of a wyrand-like generator,
/// each a 128-bit multiply and two 32-bit squares. Draws depend on each
/// other only through an addition, so the core overlaps them and the
/// multipliers' throughput bounds the time (as in cpu.split's chunks).
fn wide(steps: u64) -> u64 {
    let (mut state, mut hits) = (0x9E37_79B9_7F4A_7C15u64, 0u64);
    for _ in 0..steps {
        state = opaque(state).wrapping_add(0xa076_1d64_78bd_642f);
        let product = u128::from(state) * u128::from(state ^ 0xe703_7ed1_a0b4_28db);
        let draw = (product >> 64) as u64 ^ product as u64;
        let (x, y) = (draw >> 32, draw & 0xffff_ffff);
        hits += u64::from(!(x * x).overflowing_add(y * y).1);
    }
    hits
}

/// The reference work: `steps` dependent multiply-adds (an LCG), which no
/// compiler can shorten since each step needs the one before. `opaque`, not
/// `black_box`, so that a step's cost does not flip with where its value is
/// stored (see `crate::opaque`): the monitor must see the machine, not that.
fn chain(steps: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..steps {
        x = opaque(x)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probes(ns_per_step: &[f64]) -> Vec<DriftProbe> {
        ns_per_step
            .iter()
            .map(|&ns_per_step| DriftProbe {
                at_ms: 0,
                ns_per_step,
                wide_ns_per_step: None,
            })
            .collect()
    }

    #[test]
    fn one_disturbed_probe_never_counts_and_two_probes_say_nothing() {
        // The old figure interpolated the 10th and 90th percentiles: with
        // two probes it was their whole range, and one probe slowed 50% by
        // a trial's threads read as the machine moving 40%.
        assert_eq!(spread(&probes(&[1.0, 1.5])), None, "too few probes");
        let three = spread(&probes(&[1.0, 1.02, 1.5])).expect("three probes");
        assert!((three - 2.0).abs() < 1e-9, "{three}");
        let steady_but_one = [1.0, 1.01, 1.0, 1.02, 1.0, 1.01, 3.0];
        let moved = spread(&probes(&steady_but_one)).expect("seven probes");
        assert!((moved - 2.0).abs() < 1e-9, "{moved}");
        // A machine that really slowed shows it.
        let slowing = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
        let moved = spread(&probes(&slowing)).expect("six probes");
        assert!((moved - 40.0).abs() < 1e-9, "{moved}");
    }

    #[test]
    fn a_group_is_busy_by_its_share_of_wide_readings_slow_against_the_run() {
        let wide = |times: &[f64]| -> Vec<DriftProbe> {
            times
                .iter()
                .map(|&w| DriftProbe {
                    at_ms: 0,
                    ns_per_step: 1.3,
                    wide_ns_per_step: Some(w),
                })
                .collect()
        };
        let run = wide(&[1.0, 1.0, 1.01, 1.0, 2.0, 1.0, 1.5]);
        // 1.2 and 1.5 read slow against the run's fastest 1.0; 1.1 does not.
        let busy = busy_pct(&wide(&[1.0, 1.2, 1.5, 1.1]), &run).expect("four");
        assert!((busy - 50.0).abs() < 1e-9, "{busy}");
        // A run slowed most of the time: its median is a slowed reading, its
        // fastest is not. Against the median, none of the group would read
        // slow (fo/5 of 2026-12-07: 1% against its median, 72% against its
        // fastest).
        let slowed = wide(&[1.0, 1.0, 1.5, 1.5, 1.6, 1.5, 1.45, 1.5]);
        let busy = busy_pct(&wide(&[1.5, 1.45, 1.6, 1.0]), &slowed).expect("four");
        assert!((busy - 75.0).abs() < 1e-9, "{busy}");
        assert_eq!(busy_pct(&wide(&[1.0, 1.0, 1.0]), &run), Some(0.0));
        assert_eq!(busy_pct(&wide(&[2.0, 2.0]), &run), None, "too few");
        assert_eq!(busy_pct(&probes(&[1.0, 1.0, 1.0]), &run), None, "no wide");
    }

    #[test]
    fn a_probe_times_real_work_and_the_run_keeps_its_probes() {
        let probe = probe(Instant::now());
        assert!(probe.ns_per_step > 0.0 && probe.ns_per_step.is_finite());
        assert!(
            probe
                .wide_ns_per_step
                .is_some_and(|w| w > 0.0 && w.is_finite())
        );
        assert_ne!(chain(3), chain(4), "each step changes the state");
        // About pi/4 of the draws land inside the quarter circle.
        let share = wide(10_000) as f64 / 10_000.0;
        assert!(
            (share - std::f64::consts::FRAC_PI_4).abs() < 0.03,
            "{share}"
        );
        // The only test that starts watching; others' rounds may probe
        // meanwhile, so the counts are at least, not exactly.
        start();
        let (first, second) = (probe_now(), probe_now());
        assert!(first >= 1 && second > first && count() >= second);
        assert_eq!(probes_since(first).len(), count() - first + 1);
        // A child's probes join the run's, placed from when it began.
        let child = DriftProbe { at_ms: 5, ..probe };
        let began = Instant::now() + Duration::from_millis(1000);
        absorb(&[child], began, Duration::from_micros(300));
        let (probes, cost) = take();
        assert!(probes.len() >= 3);
        assert!(
            probes
                .iter()
                .any(|p| p.at_ms >= 1005 && p.wide_ns_per_step == probe.wide_ns_per_step),
            "{probes:?}"
        );
        assert!(cost >= Duration::from_micros(300));
        assert_eq!(probe_now(), 0, "not watching once taken");
        absorb(&[child], began, Duration::ZERO);
        assert_eq!(count(), 0, "nothing absorbed when not watching");
    }

    #[test]
    fn the_wide_probe_s_slow_readings_are_counted_and_said() {
        let mut harness: crate::results::HarnessInfo = serde_json::from_value(serde_json::json!({
            "sampler_interval_ms": 10, "sampler_cpu_ns": 0, "warmup_ms": 0,
            "measure_time_ms": 0, "min_samples": 0, "timeout_ms": 0,
            "drift": [{"at_ms": 0, "ns_per_step": 1.3}, {"at_ms": 5, "ns_per_step": 1.3}]
        }))
        .expect("a harness written before the wide probe");
        assert_eq!(harness.wide_slowdowns(), None, "no probe timed it");
        let wide = [1.1, 1.1, 1.09, 1.1, 1.1, 1.1, 1.12, 1.1, 1.9, 1.5];
        harness.drift = wide
            .iter()
            .enumerate()
            .map(|(i, &w)| DriftProbe {
                at_ms: 10 * i as u64,
                ns_per_step: 1.3,
                wide_ns_per_step: Some(w),
            })
            .collect();
        assert_eq!(wide_spread(&harness.drift[..2]), None, "too few probes");
        let moved = wide_spread(&harness.drift).expect("ten probes");
        assert!(
            (moved - 100.0 * (1.5 / 1.09 - 1.0)).abs() < 1e-9,
            "the slowest set aside: {moved}"
        );
        let (slow, worst, probes) = harness.wide_slowdowns().expect("ten probes");
        assert_eq!((slow, probes), (2, 10));
        // The timeline draws it on the same reference: 1 at its fastest.
        let drawn: Vec<f64> = harness.relative_wide_speed().iter().map(|p| p.1).collect();
        assert_eq!(drawn.iter().copied().fold(0.0, f64::max), 1.0);
        assert!((drawn[8] - 1.09 / 1.9).abs() < 1e-9, "{drawn:?}");
        assert!((worst - 1.9 / 1.09).abs() < 1e-9, "{worst}");
        let line = crate::terminal::drift_line(&harness).expect("a line");
        assert!(
            line.contains("1.00x to 1.00x"),
            "the chain did not move: {line}"
        );
        assert!(
            line.contains("read 1.2x its fastest or slower in 2 of 10 probes (up to 1.74x)"),
            "{line}"
        );
        harness.drift.truncate(8);
        let line = crate::terminal::drift_line(&harness).expect("a line");
        assert!(
            !line.contains("wide probe"),
            "none slow, nothing said: {line}"
        );
    }
}
