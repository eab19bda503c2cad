//! Figures that relate two points of the same run: the speedup of a parallel
//! point over the serial reference measured in that run, and its parallel
//! efficiency (speedup / workers). When the two were measured in the same
//! interleaved rounds, both come from the per-round ratios
//! (`stats::ratio_estimate`, the one definition every report uses), with a
//! 95% interval over the rounds (`speedup_lo`/`_hi`,
//! `parallel_efficiency_lo`/`_hi`; absent below 6 rounds) and
//! `speedup_paired` = 1; otherwise from the two medians, measured at
//! different times, and `speedup_paired` = 0. Computed as each point
//! finishes, so they are in results.jsonl too.

use crate::results::PointResult;
use crate::stats;
use crate::vocab::Model;
use crate::vocab::Status;

/// Add `speedup_vs_serial` (and, for scenarios charted against a worker
/// count, `parallel_efficiency`) to `point`, using the serial point of the
/// same scenario and runtime (Rust's `serial`, CPython's `py_serial`) whose
/// other parameters match. `throughput_vs` is the
/// scenario's worker-count parameter, which the serial point may not share.
pub fn add_speedup(point: &mut PointResult, earlier: &[PointResult], throughput_vs: Option<&str>) {
    if point.status != Status::Ok {
        return;
    }
    let Some(point_ns) = point.summary.as_ref().map(|s| s.ns_per_op.median) else {
        return;
    };
    let same_work = |other: &PointResult| {
        other.params.0.iter().all(|(name, value)| {
            Some(name.as_str()) == throughput_vs || point.params.0.get(name) == Some(value)
        })
    };
    let Some(serial) = earlier
        .iter()
        .filter(|r| r.scenario == point.scenario && r.model == Model::Serial)
        .filter(|r| runtime_name(r) == runtime_name(point))
        .find(|r| r.status == Status::Ok && same_work(r) && r.summary.is_some())
    else {
        return;
    };
    let serial_ns = serial.summary.as_ref().map_or(0.0, |s| s.ns_per_op.median);
    if point_ns <= 0.0 || serial_ns <= 0.0 {
        return;
    }
    // Per round: the serial time over this point's, the speedup of that round.
    // Several fresh processes: each one's speed-up, then the median over
    // the processes (the unit of the interval).
    let estimate = match point.paired_ratios_by_draw(serial) {
        Some(groups) => Some(stats::ratio_estimate_by_draw(&groups)),
        None => point
            .paired_ratios(serial)
            .map(|r| stats::ratio_estimate(&r)),
    };
    let (speedup, paired, interval) = match estimate {
        Some(e) => (e.ratio, true, e.interval),
        None => (serial_ns / point_ns, false, None),
    };
    let metrics = &mut point.metrics;
    metrics.insert("speedup_vs_serial".into(), speedup);
    metrics.insert("speedup_paired".into(), f64::from(u8::from(paired)));
    if let Some((lo, hi)) = interval {
        metrics.insert("speedup_lo".into(), lo);
        metrics.insert("speedup_hi".into(), hi);
    }
    let workers = throughput_vs.and_then(|name| point.params.0.get(name).copied());
    if let Some(workers) = workers.filter(|&k| k > 0 && point.model != Model::Serial) {
        let k = workers as f64;
        metrics.insert("parallel_efficiency".into(), speedup / k);
        if let Some((lo, hi)) = interval {
            metrics.insert("parallel_efficiency_lo".into(), lo / k);
            metrics.insert("parallel_efficiency_hi".into(), hi / k);
        }
    }
}

/// The runtime a point ran in (None: Rust, in concbench itself).
fn runtime_name(point: &PointResult) -> Option<&str> {
    point.runtime.as_ref().map(|r| r.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Estimate, Outliers, Summary};
    use crate::vocab::{Family, Params, Sample};

    fn point(model: Model, k: u64, work: u64, ns: f64) -> PointResult {
        let estimate = Estimate {
            median: ns,
            ci95_lo: None,
            ci95_hi: None,
            mean: ns,
            stddev: 0.0,
            min: ns,
            max: ns,
        };
        PointResult {
            id: format!("cpu.x/v/{}/k={k}", model.name()),
            family: Family::Cpu,
            scenario: "cpu.x".into(),
            variant: "v".into(),
            model,
            params: Params([("k".to_string(), k), ("work".to_string(), work)].into()),
            status: Status::Ok,
            expected: None,
            error: None,
            unit: "unit".into(),
            elapsed_ns: 0,
            samples: Vec::new(),
            summary: Some(Summary {
                ns_per_op: estimate,
                ops_per_s: 1e9 / ns,
                outliers: Outliers::default(),
            }),
            latency_ns: None,
            resources: None,
            utilisation: None,
            metrics: Default::default(),
            paired_group: None,
            paired_rounds: None,
            runtime: None,
            draws: None,
            placement: None,
            earlier_medians: Vec::new(),
        }
    }

    #[test]
    fn speedup_and_efficiency_come_from_the_matching_serial_point() {
        let earlier = vec![
            point(Model::Serial, 1, 7, 400.0),
            point(Model::Serial, 1, 9, 900.0),
        ];
        let mut parallel = point(Model::Thread, 4, 7, 125.0);
        add_speedup(&mut parallel, &earlier, Some("k"));
        assert_eq!(parallel.metrics["speedup_vs_serial"], 3.2);
        assert_eq!(parallel.metrics["parallel_efficiency"], 0.8);
        assert_eq!(parallel.metrics["speedup_paired"], 0.0, "measured apart");
        assert!(!parallel.metrics.contains_key("speedup_lo"));
    }

    #[test]
    fn points_measured_in_the_same_rounds_get_a_speedup_per_round_with_its_interval() {
        // The machine slows down fourfold over the rounds; each round the
        // parallel point takes a quarter of the serial one's time.
        let slowing = [1.0, 1.5, 2.0, 3.0, 4.0, 4.0, 2.0, 1.0];
        let samples = |ns_per_op: f64| -> Vec<Sample> {
            slowing
                .iter()
                .map(|f| Sample {
                    ops: 10,
                    ns: (10.0 * ns_per_op * f) as u64,
                })
                .collect()
        };
        let mut serial = point(Model::Serial, 1, 7, 400.0);
        serial.samples = samples(400.0);
        serial.paired_group = Some("cpu.x work=7".into());
        let mut parallel = point(Model::Thread, 4, 7, 100.0);
        parallel.samples = samples(100.0);
        parallel.paired_group = serial.paired_group.clone();
        // Medians taken apart would say 1.25x; round by round it is 4x.
        parallel.summary.as_mut().expect("summary").ns_per_op.median = 320.0;
        add_speedup(&mut parallel, &[serial], Some("k"));
        let m = &parallel.metrics;
        assert_eq!(m["speedup_paired"], 1.0);
        assert!((m["speedup_vs_serial"] - 4.0).abs() < 1e-9, "{m:?}");
        assert!(m["speedup_lo"] <= 4.0 && m["speedup_hi"] >= 4.0);
        assert!((m["parallel_efficiency"] - 1.0).abs() < 1e-9);
        assert!(m.contains_key("parallel_efficiency_lo"));
    }

    #[test]
    fn fewer_than_six_paired_rounds_give_a_speedup_but_no_interval() {
        let samples =
            |ns: &[u64]| -> Vec<Sample> { ns.iter().map(|&ns| Sample { ops: 1, ns }).collect() };
        let mut serial = point(Model::Serial, 1, 7, 400.0);
        serial.samples = samples(&[300, 300, 300]);
        serial.paired_group = Some("g".into());
        let mut parallel = point(Model::Thread, 2, 7, 150.0);
        parallel.samples = samples(&[100, 200, 150]);
        parallel.paired_group = serial.paired_group.clone();
        add_speedup(&mut parallel, &[serial], Some("k"));
        let m = &parallel.metrics;
        assert_eq!(m["speedup_paired"], 1.0, "paired, all the same");
        assert!((m["speedup_vs_serial"] - 2.0).abs() < 1e-9, "{m:?}");
        assert!(!m.contains_key("speedup_lo") && !m.contains_key("parallel_efficiency_lo"));
    }

    #[test]
    fn a_cpython_point_is_compared_with_cpython_serial_not_rust() {
        let in_cpython = |mut p: PointResult| {
            p.runtime = Some(crate::results::RuntimeRecord {
                name: "python3".into(),
                runtime: "cpython".into(),
                version: "3.11".into(),
                gil_enabled: Some(true),
            });
            p
        };
        let earlier = vec![
            point(Model::Serial, 1, 7, 4.0),
            in_cpython(point(Model::Serial, 1, 7, 800.0)),
        ];
        let mut threads = in_cpython(point(Model::Thread, 2, 7, 1000.0));
        add_speedup(&mut threads, &earlier, Some("k"));
        assert_eq!(threads.metrics["speedup_vs_serial"], 0.8);
        let mut rust = point(Model::Thread, 2, 7, 2.0);
        add_speedup(&mut rust, &earlier, Some("k"));
        assert_eq!(rust.metrics["speedup_vs_serial"], 2.0);
    }

    #[test]
    fn no_serial_point_means_no_figure() {
        let earlier = vec![point(Model::Serial, 1, 9, 900.0)];
        let mut parallel = point(Model::Thread, 4, 7, 125.0);
        add_speedup(&mut parallel, &earlier, Some("k"));
        assert!(parallel.metrics.is_empty());
    }
}
