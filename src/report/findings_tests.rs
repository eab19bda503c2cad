//! Findings' own rules: paired comparisons, drift, intervals, and the
//! points the report's other tests build on (`point`, `in_earlier_runs`).

use crate::report::relation::relate;
use crate::results::PointResult;
use crate::vocab::Sample;

/// A point whose samples follow `drift` at `ns_per_op`, in `group`.
pub(in crate::report) fn point(ns_per_op: f64, drift: &[f64], group: Option<&str>) -> PointResult {
    let samples: Vec<Sample> = drift
        .iter()
        .map(|f| Sample {
            ops: 100,
            ns: (100.0 * ns_per_op * f) as u64,
        })
        .collect();
    let mut result: PointResult = serde_json::from_value(serde_json::json!({
        "id": "x/v/thread", "family": "cpu", "scenario": "x", "variant": "v",
        "model": "thread", "params": {}, "status": "ok", "error": null,
        "unit": "op", "elapsed_ns": 0, "samples": [], "summary": null,
        "latency_ns": null, "resources": null, "utilisation": null, "metrics": {}
    }))
    .expect("a point");
    result.summary = Some(crate::results::Summary::of(&samples));
    result.samples = samples;
    result.paired_group = group.map(String::from);
    result
}

/// The comparisons the report states of `points` (one scenario): each
/// sentence, and whether it states a difference.
pub(in crate::report) fn texts(points: &[PointResult]) -> Vec<(String, bool)> {
    let view = crate::report::view::ScenarioView {
        id: "x",
        family: crate::vocab::Family::Cpu,
        meta: None,
        points: points.iter().collect(),
    };
    super::comparisons(&view)
        .into_iter()
        .map(|f| (f.text, f.supported))
        .collect()
}

/// A point's medians in earlier runs `r0`, `r1`, ... (`earlier_medians`).
pub(in crate::report) fn in_earlier_runs(medians: &[f64]) -> Vec<crate::results::EarlierMedian> {
    medians
        .iter()
        .enumerate()
        .map(|(i, &median)| crate::results::EarlierMedian {
            run: format!("r{i}"),
            median,
        })
        .collect()
}

#[test]
fn points_of_one_group_compare_round_by_round_and_drift_cancels() {
    // The machine's speed wanders 3x; B always takes 1.2x A's time.
    let drift = [1.0, 2.0, 3.0, 1.5, 2.5, 1.0, 3.0, 2.0, 1.2, 2.8];
    let (a, b) = (
        point(100.0, &drift, Some("g")),
        point(120.0, &drift, Some("g")),
    );
    let paired = relate(&a, &b);
    assert_eq!(paired.rounds, drift.len());
    assert!((paired.ratio - 1.2).abs() < 0.01 && paired.differs());
    assert!(paired.basis(|x| x).starts_with("paired over 10"));
    // The same figures measured apart: the drift swamps the 20%.
    let (a, b) = (point(100.0, &drift, None), point(120.0, &drift, Some("g")));
    let apart = relate(&a, &b);
    assert_eq!(apart.rounds, 0);
    assert!(!apart.differs(), "{:?}", apart.interval);
    assert!(apart.basis(|x| x).starts_with("not paired in time"));
    // A group during which the machine slowed 30% marks a 20% effect.
    let (mut a, b) = (
        point(100.0, &drift, Some("g")),
        point(120.0, &drift, Some("g")),
    );
    a.metrics.insert("machine_drift_pct".into(), -30.0);
    assert!(relate(&a, &b).basis(|x| x).contains("moved 30%"));
}

#[test]
fn three_rounds_state_no_difference_however_far_apart() {
    // Three rounds, B 1.5x A's time in each: [min, max] of three
    // covers the median 75% of the time, so no 95% statement is made.
    let (a, b) = (
        point(100.0, &[1.0, 1.1, 0.9], Some("g")),
        point(150.0, &[1.0, 1.1, 0.9], Some("g")),
    );
    let r = relate(&a, &b);
    assert_eq!((r.rounds, r.interval), (3, None));
    assert!(!r.differs());
    assert!(r.basis(|x| x).contains("too few for a 95% interval"));
    // Measured apart with six samples each: at 97.5% a side needs 7.
    let (a, b) = (point(100.0, &[1.0; 6], None), point(150.0, &[1.0; 6], None));
    assert_eq!(relate(&a, &b).interval, None);
}

#[test]
fn a_speedup_is_one_number_in_the_metric_and_the_finding() {
    // Two rounds of 1.5x and 3x: with medians taken arithmetically the
    // stored speed-up was 2.25x and the finding's 1/median 2x.
    let serial_ns = [300.0, 300.0];
    let parallel_ns = [200.0, 100.0];
    let make = |ns: &[f64], model: &str| {
        let mut p = point(1.0, ns, Some("g"));
        p.model = serde_json::from_value(serde_json::json!(model)).expect("a model");
        p
    };
    let serial = make(&serial_ns, "serial");
    let mut parallel = make(&parallel_ns, "thread");
    crate::harness::relative::add_speedup(&mut parallel, std::slice::from_ref(&serial), None);
    let stored = parallel.metrics["speedup_vs_serial"];
    let found = 1.0 / relate(&serial, &parallel).ratio;
    assert!((stored - found).abs() < 1e-12, "{stored} against {found}");
}

#[test]
fn a_variant_measured_only_at_other_parameters_is_compared_there() {
    use crate::vocab::Params;
    let rounds = [1.0, 1.02, 0.98, 1.01, 0.99, 1.0, 1.0, 1.01];
    let at = |workers: u64, variant: &str, ns: f64| {
        let mut p = point(
            ns,
            &rounds,
            Some(if workers == 100 { "small" } else { "big" }),
        );
        p.variant = variant.into();
        p.params = Params([("workers".to_string(), workers)].into());
        p
    };
    // a, b and c at 1000 workers (the comparison point: most points); a and
    // d at 100, where alone d was measured.
    let points = [
        at(1000, "a", 100.0),
        at(1000, "b", 150.0),
        at(1000, "c", 300.0),
        at(100, "a", 90.0),
        at(100, "d", 400.0),
    ];
    let said: Vec<String> = texts(&points).into_iter().map(|(t, _)| t).collect();
    assert_eq!(said.len(), 3, "{said:#?}");
    assert!(
        said[0].starts_with("x (workers=1000): b/thread"),
        "{}",
        said[0]
    );
    assert!(
        said[2].starts_with("x (workers=100): d/thread takes 4.44x as long"),
        "{}",
        said[2]
    );
}
