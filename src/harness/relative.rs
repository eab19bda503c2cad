//! Figures that relate two points of the same run: the speedup of a parallel
//! point over the serial reference measured in that run, and its parallel
//! efficiency (speedup / workers). Computed as each point finishes, so they
//! are in results.jsonl too.

use crate::results::PointResult;
use crate::vocab::Model;
use crate::vocab::Status;

/// Add `speedup_vs_serial` (and, for scenarios charted against a worker
/// count, `parallel_efficiency`) to `point`, using the serial point of the
/// same scenario whose other parameters match. `throughput_vs` is the
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
    let Some(serial_ns) = earlier
        .iter()
        .filter(|r| r.scenario == point.scenario && r.model == Model::Serial)
        .filter(|r| r.status == Status::Ok && same_work(r))
        .find_map(|r| r.summary.as_ref().map(|s| s.ns_per_op.median))
    else {
        return;
    };
    if point_ns <= 0.0 || serial_ns <= 0.0 {
        return;
    }
    let speedup = serial_ns / point_ns;
    point.metrics.insert("speedup_vs_serial".into(), speedup);
    let workers = throughput_vs.and_then(|name| point.params.0.get(name).copied());
    if let Some(workers) = workers.filter(|&k| k > 0 && point.model != Model::Serial) {
        point
            .metrics
            .insert("parallel_efficiency".into(), speedup / workers as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Estimate, Outliers, Summary};
    use crate::vocab::{Family, Params};

    fn point(model: Model, k: u64, work: u64, ns: f64) -> PointResult {
        let estimate = Estimate {
            median: ns,
            ci95_lo: ns,
            ci95_hi: ns,
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
    }

    #[test]
    fn no_serial_point_means_no_figure() {
        let earlier = vec![point(Model::Serial, 1, 9, 900.0)];
        let mut parallel = point(Model::Thread, 4, 7, 125.0);
        add_speedup(&mut parallel, &earlier, Some("k"));
        assert!(parallel.metrics.is_empty());
    }
}
