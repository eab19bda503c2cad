//! The matrix as the report reads it, on a made-up run of a two-package
//! machine: cells and classes, coverage, the answer, and observed placement
//! named in the matrix's terms.

use super::*;
use crate::results::{Observation, SamplePlacement, Summary};
use crate::vocab::Sample;

/// CPUs 0-1 in package 0, 2-3 in package 1, each package one LLC.
fn topology() -> Topology {
    serde_json::from_value(
        serde_json::json!({ "cpus": (0..4).map(|cpu| serde_json::json!({
        "cpu": cpu, "core": cpu % 2, "package": cpu / 2, "siblings": [cpu],
        "llc_level": 3, "llc": if cpu < 2 { [0, 1] } else { [2, 3] }, "node": cpu / 2
    })).collect::<Vec<_>>() }),
    )
    .expect("topology")
}

fn point(scenario: &str, variant: &str, params: &[(&str, u64)], ns: f64) -> PointResult {
    let samples: Vec<Sample> = [0.98, 0.99, 1.0, 1.0, 1.01, 1.02]
        .iter()
        .map(|f| Sample {
            ops: 1000,
            ns: (1000.0 * ns * f) as u64,
        })
        .collect();
    let mut p: PointResult = serde_json::from_value(serde_json::json!({
        "id": format!("{scenario}/{variant}/thread/{params:?}"), "family": "switch",
        "scenario": scenario, "variant": variant, "model": "thread",
        "params": params.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
        "status": "ok", "error": null, "unit": "round_trip", "elapsed_ns": 0, "samples": [],
        "summary": null, "latency_ns": null, "resources": null, "utilisation": null, "metrics": {}
    }))
    .expect("a point");
    p.summary = Some(Summary::of(&samples));
    p.samples = samples;
    p
}

fn run(points: Vec<PointResult>, map: Option<Topology>) -> RunResults {
    let mut run = crate::results::RunResults::empty("r", "");
    run.results = points;
    run.topology = map;
    run
}

fn pair(variant: &str, a: u64, b: u64, ns: f64) -> PointResult {
    point(SCENARIO, variant, &[("cpu_a", a), ("cpu_b", b)], ns)
}

#[test]
fn cells_fall_into_their_classes_and_the_answer_quotes_them() {
    let points = vec![
        pair("one_way", 0, 1, 90.0),
        pair("cas_pingpong", 0, 0, 3000.0),
        pair("cas_pingpong", 0, 1, 40.0),
        pair("cas_pingpong", 1, 0, 42.0),
        pair("cas_pingpong", 0, 2, 200.0),
    ];
    let results = run(points, Some(topology()));
    let found = matrices(&results);
    assert_eq!(found.len(), 2);
    let m = &found[0];
    assert_eq!(
        m.title(),
        "cas_pingpong, thread",
        "the headline comes first"
    );
    let classes: Vec<(PairClass, usize)> = m.classes.iter().map(|r| (r.class, r.pairs)).collect();
    assert_eq!(
        classes,
        [
            (PairClass::SameCpu, 1),
            (PairClass::SameLlc, 2),
            (PairClass::OtherPackage, 1)
        ]
    );
    let llc = m.class(PairClass::SameLlc).expect("same llc");
    assert_eq!(llc.pair_range, (40.0, 42.0));
    assert!(
        llc.estimate.interval().is_some(),
        "12 samples give an interval"
    );
    let coverage = m.coverage(results.topology.as_ref());
    assert!(
        coverage.contains("stratified sample: 4 of the 16"),
        "{coverage}"
    );
    let answer = answer(&found).expect("an answer");
    assert!(
        answer.contains("between CPUs of same last-level cache"),
        "{answer}"
    );
    assert!(answer.contains("other package or node"), "{answer}");
    assert!(answer.contains("On one CPU"), "{answer}");
}

#[test]
fn a_whole_matrix_says_so_and_classes_come_from_the_metric_without_a_map() {
    let mut points: Vec<PointResult> = (0..2)
        .flat_map(|a| (0..2).map(move |b| pair("cas_pingpong", a, b, 50.0)))
        .collect();
    for p in &mut points {
        let same = p.params.0["cpu_a"] == p.params.0["cpu_b"];
        let class = if same {
            PairClass::SameCpu
        } else {
            PairClass::OtherLlc
        };
        p.metrics.insert("pair_class".into(), class.index() as f64);
    }
    let results = run(points, None);
    let m = &matrices(&results)[0];
    assert!(m.coverage(None).starts_with("all 4 ordered pairs"));
    assert!(m.class(PairClass::OtherLlc).is_some());
}

#[test]
fn other_points_placement_is_named_in_the_matrix_terms() {
    let spread = |cpus: [u32; 2]| {
        let mut s = SamplePlacement::new(PlacementClass::Spread);
        s.cpus_start = cpus.to_vec();
        s.cpus_end = cpus.to_vec();
        s
    };
    let mut other = point("sync.handoff", "condvar", &[], 5000.0);
    other.placement = Some(Observation {
        samples: vec![spread([0, 2]); 5],
        ..Observation::default()
    });
    let mut moving = point("sync.handoff", "park_unpark", &[], 5000.0);
    moving.placement = Some(Observation {
        samples: vec![spread([0, 2]), spread([0, 1]), spread([1, 3])],
        ..Observation::default()
    });
    let map = topology();
    assert_eq!(
        observed_class(&other, Some(&map)),
        Some(PairClass::OtherPackage)
    );
    assert_eq!(observed_class(&moving, Some(&map)), None, "no 80% majority");
    let results = run(
        vec![pair("cas_pingpong", 0, 2, 200.0), other, moving],
        Some(map),
    );
    let lines = placement_matches(&results, &matrices(&results));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0]
            .starts_with("1 other point ran their parties on two CPUs of other package or node"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("200 ns"), "{}", lines[0]);
}
