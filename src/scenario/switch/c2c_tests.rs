//! The matrix scenario: points on this machine's pairs, CPUs outside the
//! mask refused, and the stratified sample of a large machine's pairs.

use super::*;
use crate::host::topology::CpuPlace;
use crate::scenario::{CancelToken, Progress};

fn params(a: u64, b: u64) -> Params {
    Params([("cpu_a".to_string(), a), ("cpu_b".to_string(), b)].into())
}

#[test]
fn a_point_runs_verifies_and_carries_its_class() {
    let cpus = crate::model::placement::allowed_cpus();
    let (a, b) = (cpus[0] as u64, cpus[cpus.len() - 1] as u64);
    for variant in VARIANTS {
        for &model in variant.models {
            let context = TrialContext {
                variant: variant.name,
                model,
                params: params(a, b),
                cancel: CancelToken::default(),
                progress: Progress::default(),
                worker_binary: "concbench".into(),
                runtime: None,
            };
            let mut trial = C2C.build(&context).expect("builds");
            let sample = trial.run(100).expect("runs");
            trial.verify().expect("verifies");
            let resources = crate::results::Resources::default();
            let measured = Measured {
                samples: &[sample],
                median_ns_per_op: 80.0,
                resources: &resources,
            };
            let metrics = trial.metrics(&measured);
            assert_eq!(metrics.get("one_way_ns"), Some(&40.0));
            // The trial pins this thread to `a`: read the map for both CPUs.
            let root = std::path::Path::new(crate::host::topology::SYSFS_ROOT);
            let class = Topology::read(root, &[a as u32, b as u32]).classify(a as u32, b as u32);
            let recorded = metrics.get("pair_class").copied();
            assert_eq!(recorded.and_then(PairClass::from_index), class);
        }
    }
}

#[test]
fn a_cpu_outside_the_mask_is_refused_by_name() {
    let outside = (0..4096).find(|cpu| !crate::host::topology::allowed_cpus().contains(cpu));
    let Some(cpu) = outside else { return };
    let why = C2C
        .check_limits(Model::Thread, &params(0, u64::from(cpu)))
        .unwrap_err();
    assert!(why.contains(&format!("cpu_b={cpu}")), "{why}");
    assert!(why.contains("sched_getaffinity"), "{why}");
}

/// Two packages of `per` CPUs each, one LLC per package.
fn two_sockets(per: u32) -> Topology {
    let cpus = (0..2 * per)
        .map(|cpu| {
            let package = cpu / per;
            CpuPlace {
                cpu,
                core: Some(cpu % per),
                package: Some(package),
                siblings: vec![cpu],
                llc_level: Some(3),
                llc: (package * per..(package + 1) * per).collect(),
                node: Some(package),
            }
        })
        .collect();
    Topology { cpus }
}

#[test]
fn a_large_machine_is_sampled_evenly_per_class() {
    let map = two_sockets(16);
    let grid: Vec<Params> = (0..32)
        .flat_map(|a| (0..32).map(move |b| params(a, b)))
        .collect();
    assert_eq!(grid.len(), 1024);
    let sample = stratified(grid.clone(), &map, 30);
    let mut per_class: BTreeMap<PairClass, usize> = BTreeMap::new();
    for p in &sample {
        let (a, b) = cpus_of(p).expect("cpus");
        *per_class
            .entry(map.classify(a as u32, b as u32).expect("known"))
            .or_default() += 1;
    }
    assert_eq!(
        per_class.into_iter().collect::<Vec<_>>(),
        [
            (PairClass::SameCpu, 10),
            (PairClass::SameLlc, 10),
            (PairClass::OtherPackage, 10)
        ]
    );
    let ids: std::collections::BTreeSet<String> = sample.iter().map(Params::label).collect();
    assert_eq!(ids.len(), 30, "no pair twice");
    let small = stratified(grid, &map, 1);
    assert_eq!(small.len(), 3 * MIN_PER_CLASS, "at least two of each class");
}

#[test]
fn a_grid_within_the_limit_is_kept_whole() {
    let grid: Vec<Params> = (0..4)
        .flat_map(|a| (0..4).map(move |b| params(a, b)))
        .collect();
    assert_eq!(C2C.select(grid.clone(), Duration::from_millis(100)), grid);
}
