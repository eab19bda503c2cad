//! Where no one ratio holds, each placement in which the two shared
//! rounds enough gets its own paired verdict (`by_placement`), and no
//! other placement gets one.

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
fn a_placement_the_two_did_not_share_rounds_in_gets_no_verdict() {
    use PlacementClass::{SameCpu, Spread};
    // Batch D of 2026-12-07, lock.counter: std_mutex/thread's "spread"
    // samples read 109 ns in one run and 13 ns in another, and atomic's
    // 20-26 ns; compared apart, atomic led 4x in one run and trailed 1.5x
    // in the next. Here a ran on one CPU, then spread, and b the other way
    // round: no round has both in one placement, so no placement gets a
    // verdict, whatever their figures (nor does one only earlier runs saw).
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
    b.placement.as_mut().unwrap().earlier = Some(EarlierPlacements {
        runs: 4,
        classes: vec![EarlierClass {
            class: SameCpu,
            runs: 4,
            median: 873.0,
        }],
    });
    let said = texts(&[a, b]);
    assert!(
        said[0].0.contains("depends on where their parties ran")
            && !said[0].0.contains("By placement"),
        "{}",
        said[0].0
    );
}

#[test]
fn in_a_group_of_several_processes_the_process_is_each_placements_unit() {
    // The same rounds as above, but measured in two fresh processes, one
    // on one CPU throughout and the other spread: each placement was
    // drawn by one process, too few for an interval over processes (6),
    // so neither gets a verdict, however many rounds it had.
    let in_two_processes = |mut p: PointResult| {
        p.draws = Some([[0; 8], [1; 8]].concat());
        p.paired_rounds = Some((0..8).chain(0..8).collect());
        p
    };
    let thread = in_two_processes(same_then_spread("thread", 870.0, 10_600.0));
    let process = in_two_processes(same_then_spread("process", 1070.0, 10_500.0));
    let said = texts(&[thread, process]);
    assert!(
        said[0].0.contains("depends on where their parties ran")
            && !said[0].0.contains("By placement"),
        "{}",
        said[0].0
    );
}
