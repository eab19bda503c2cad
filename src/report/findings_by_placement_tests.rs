//! Where no one ratio holds, each placement both sides are known in gets
//! its own verdict (`by_placement`): paired where they shared rounds in
//! it, else from each side's figure there, saying it is not paired.

use super::placement_tests::placed;
use super::tests::{point, texts};
use crate::results::{EarlierClass, EarlierPlacements, PlacementClass, PointResult};

/// `ns_same` on one CPU in rounds 0-7, then `ns_spread` spread in rounds
/// 8-15, with a little wobble, in group "g".
fn same_then_spread(variant: &str, ns_same: f64, ns_spread: f64) -> PointResult {
    use PlacementClass::{SameCpu, Spread};
    let wobble = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99];
    let rounds: Vec<f64> = wobble
        .iter()
        .copied()
        .chain(wobble.iter().map(|w| w * ns_spread / ns_same))
        .collect();
    let mut p = placed(
        point(ns_same, &rounds, Some("g")),
        &[[SameCpu; 8], [Spread; 8]].concat(),
    );
    p.variant = variant.into();
    p
}

#[test]
fn each_placement_both_ran_in_gets_its_own_paired_verdict() {
    // switch.pingpong, batch A of 2026-12-07: futex/process takes 1.24x
    // futex/thread's time on one CPU; spread, the two are within 1%.
    let thread = same_then_spread("thread", 870.0, 10_600.0);
    let process = same_then_spread("process", 1070.0, 10_500.0);
    let said = texts(&[thread, process]);
    assert!(!said[0].1, "{}", said[0].0);
    assert!(
        said[0].0.contains("depends on where their parties ran")
            && said[0]
                .0
                .contains("By placement: on one CPU, process/thread takes 1.23x as long as thread/thread (paired over 8 interleaved rounds there, 95% interval 1.2")
            && said[0]
                .0
                .contains("; spread over CPUs, process/thread and thread/thread are not 10% apart, so no difference is stated (process/thread at 0.99x thread/thread's time; paired over 8"),
        "{}",
        said[0].0
    );
}

#[test]
fn a_placement_only_earlier_runs_saw_is_compared_and_said_not_paired() {
    use PlacementClass::{SameCpu, Spread};
    // Run A5: futex/process on one CPU throughout, futex/thread spread
    // throughout; earlier runs saw thread on one CPU at 873 ns and process
    // spread at 10.5 µs.
    let wobble = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99];
    let mut process = placed(point(1060.0, &wobble, Some("g")), &[SameCpu; 8]);
    process.variant = "process".into();
    let mut thread = placed(point(10_300.0, &wobble, Some("g")), &[Spread; 8]);
    thread.variant = "thread".into();
    let recalled = |class, median| {
        Some(EarlierPlacements {
            runs: 4,
            classes: vec![EarlierClass {
                class,
                runs: 4,
                median,
            }],
        })
    };
    thread.placement.as_mut().unwrap().earlier = recalled(SameCpu, 873.0);
    process.placement.as_mut().unwrap().earlier = recalled(Spread, 10_500.0);
    let said = texts(&[thread.clone(), process.clone()]);
    assert!(!said[0].1, "{}", said[0].0);
    assert!(
        said[0].0.contains(
            "By placement: on one CPU, process/thread takes 1.21x as long as thread/thread (1.06 µs/op ["
        ) && said[0]
            .0
            .contains("against 873 ns/op in 4 of 4 earlier runs: not paired in time)")
            && said[0]
                .0
                .contains("; spread over CPUs, no difference is stated (10.5 µs/op in 4 of 4"),
        "{}",
        said[0].0
    );
    // Without this run's interval on either side, no verdict: only
    // earlier runs' medians.
    thread.placement.as_mut().unwrap().earlier = recalled(SameCpu, 873.0);
    let mut few = placed(point(1060.0, &wobble[..4], Some("g")), &[SameCpu; 4]);
    few.variant = "process".into();
    let said = texts(&[thread, few]);
    assert!(
        !said[0].0.contains("on one CPU, process/thread"),
        "{}",
        said[0].0
    );
}

#[test]
fn a_placement_the_two_shared_too_few_rounds_in_is_judged_from_their_figures() {
    use PlacementClass::{SameCpu, Spread};
    // Both ran on one CPU, but in different rounds: nothing to pair. The
    // figures' intervals lie 10% apart, so the lead stands, said unpaired.
    let wobble = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99];
    let mut a = placed(
        point(1000.0, &[wobble.as_slice(), &[9.0; 8]].concat(), Some("g")),
        &[[SameCpu; 8], [Spread; 8]].concat(),
    );
    a.variant = "a".into();
    let mut b = placed(
        point(2000.0, &[[4.0; 8].as_slice(), &wobble].concat(), Some("g")),
        &[[Spread; 8], [SameCpu; 8]].concat(),
    );
    b.variant = "b".into();
    let said = texts(&[a, b]);
    assert!(
        said[0]
            .0
            .contains("on one CPU, b/thread takes 2.00x as long as a/thread (2.00 µs/op [")
            && said[0].0.contains("not paired in time)"),
        "{}",
        said[0].0
    );
}
