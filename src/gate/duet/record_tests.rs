//! A point's record to its verdict: confirmed suspects, the suite's
//! control, what a row shows, and how failures end a point.

use super::*;
use crate::plan::Settings;
use crate::vocab::{Model, Params};

fn record(screening: &[f64], confirmation: &[f64]) -> PointRecord {
    let point = Point {
        scenario: crate::scenario::registry::find("cpu.split").expect("registered"),
        variant: "serial",
        model: Model::Serial,
        params: Params::default(),
        settings: Settings::default(),
        expect: None,
        runtime: None,
    };
    let mut record = PointRecord::new(point, 0.05);
    record.screening = screening.to_vec();
    record.confirmation = confirmation.to_vec();
    record.pairs = 4 * (screening.len() + confirmation.len());
    record
}

const SLOWER: [f64; 8] = [0.10, 0.11, 0.09, 0.12, 0.10, 0.13, 0.08, 0.11];

#[test]
fn a_confirmed_discovery_beyond_the_threshold_is_a_regression() {
    let r = record(&SLOWER[..6], &SLOWER);
    assert!(r.suspect());
    let v = r.verdict(true);
    assert_eq!(v.verdict, Verdict::Regressed);
    assert!(v.p_value.is_some_and(|p| p < 0.01));
    assert!(v.ratio.is_some_and(|x| x > 1.09));
}

#[test]
fn fresh_blocks_that_turn_the_other_way_judge_the_point_and_say_so() {
    // Screening saw it 9% faster; the confirmation's fresh blocks, 10% slower.
    let faster: Vec<f64> = SLOWER[..6].iter().map(|v| -v).collect();
    let r = record(&faster, &SLOWER);
    assert_eq!(r.screen(), Screen::SuspectFaster);
    let v = r.verdict(true);
    assert_eq!(v.verdict, Verdict::Regressed);
    assert!(v.ratio.is_some_and(|x| x > 1.09));
    let note = v.note.unwrap_or_default();
    assert!(
        note.contains("showed it faster") && note.contains("show it slower"),
        "{note}"
    );
    // The other direction's p-value carries its smaller weight: 8 blocks
    // all beyond the threshold give 1/256 one-sided, 0.039 weighted.
    assert!(
        v.p_value
            .is_some_and(|p| (p - 1.0 / 256.0 / 0.1).abs() < 1e-9)
    );
}

#[test]
fn a_confirmation_inside_the_band_rejects_neither_way_and_settles_the_point() {
    let flat: Vec<f64> = (0..16).map(|i| 0.004 * (i as f64 - 7.5)).collect();
    let (p, _) = record(&SLOWER[..6], &flat)
        .confirmation_test()
        .expect("a confirmation ran");
    assert!(p > 0.5, "{p}");
    let v = record(&SLOWER[..6], &flat).verdict(false);
    assert_eq!(v.verdict, Verdict::Unchanged);
    assert!(v.ratio_hi.is_some_and(|hi| hi < 1.05));
    assert!(v.note.unwrap_or_default().contains("inside the 5.0% band"));
    // Fresh blocks too spread to settle it either way: uncertain.
    let spread: Vec<f64> = (0..16).map(|i| 0.02 * (i as f64 - 7.5)).collect();
    let v = record(&SLOWER[..6], &spread).verdict(false);
    assert_eq!(v.verdict, Verdict::Uncertain);
    assert!(v.note.unwrap_or_default().contains("(nor faster)"));
}

#[test]
fn a_suspect_the_suite_control_did_not_pass_is_uncertain_and_says_why() {
    let v = record(&SLOWER[..6], &SLOWER).verdict(false);
    assert_eq!(v.verdict, Verdict::Uncertain);
    assert!(
        v.note
            .as_deref()
            .unwrap_or("")
            .contains("did not show it slower"),
        "{:?}",
        v.note
    );
    assert!(v.more_samples.is_some_and(|m| m >= 1));
    let unconfirmed = record(&SLOWER[..6], &[]).verdict(true);
    assert_eq!(
        unconfirmed.verdict,
        Verdict::Uncertain,
        "no confirmation, no regression"
    );
    assert!(
        unconfirmed
            .note
            .as_deref()
            .unwrap_or("")
            .contains("budget ran out")
    );
    // No test ran: no p-value (it used to show p = 1.0).
    assert_eq!(unconfirmed.p_value, None);
}

#[test]
fn the_medians_beside_a_ratio_come_from_the_same_blocks() {
    use crate::vocab::Sample;
    let mut r = record(&SLOWER[..6], &SLOWER);
    // Screening samples at 100 ns (base) and 112 (new); the
    // confirmation's at 200 and 222: the row shows the confirmation's.
    for (side, ns) in [(Side::Base, [100, 200]), (Side::New, [112, 222])] {
        let samples = &mut r.sides[side as usize].samples;
        samples.extend([Sample { ops: 1, ns: ns[0] }; 6]);
        r.confirmation_starts[side as usize] = samples.len();
        samples.extend([Sample { ops: 1, ns: ns[1] }; 8]);
    }
    let v = r.verdict(true);
    assert_eq!(
        (v.base_ns_per_op, v.new_ns_per_op),
        (Some(200.0), Some(222.0))
    );
    assert_eq!((v.base_samples, v.new_samples), (8, 8));
    // An unchanged point shows its screening's, all of them.
    let mut flat = record(&[0.001, -0.001, 0.0, 0.002, -0.002, 0.001], &[]);
    flat.sides[0].samples = vec![Sample { ops: 1, ns: 100 }; 6];
    flat.sides[1].samples = vec![Sample { ops: 1, ns: 101 }; 6];
    let v = flat.verdict(false);
    assert_eq!((v.base_ns_per_op, v.base_samples), (Some(100.0), 6));
}

#[test]
fn a_tight_interval_inside_the_band_is_unchanged_and_noise_is_uncertain() {
    let flat: Vec<f64> = (0..10).map(|i| 0.002 * (i as f64 - 4.5)).collect();
    assert_eq!(
        record(&flat, &[]).verdict(false).verdict,
        Verdict::Unchanged
    );
    let noisy = [0.3, -0.2, 0.1, -0.25, 0.28, -0.1];
    let v = record(&noisy, &[]).verdict(false);
    assert_eq!(v.verdict, Verdict::Uncertain);
    assert!(v.more_samples.is_some_and(|m| m >= 1));
}

#[test]
fn failures_break_on_the_new_side_only() {
    let mut r = record(&[], &[]);
    r.ended = Some(Ended::Failed {
        side: Side::New,
        why: "verification failed".into(),
        timed_out: false,
    });
    assert_eq!(r.verdict(false).verdict, Verdict::Broken);
    assert_eq!(r.result(Side::New).status, Status::Failed);
    r.ended = Some(Ended::Failed {
        side: Side::Base,
        why: "verification failed".into(),
        timed_out: true,
    });
    assert_eq!(r.verdict(false).verdict, Verdict::NotComparable);
    assert_eq!(r.result(Side::Base).status, Status::TimedOut);
    r.ended = Some(Ended::Skipped {
        side: Side::New,
        why: "RLIMIT_NPROC".into(),
    });
    let v = r.verdict(false);
    assert_eq!(v.verdict, Verdict::NotComparable);
    assert!(
        v.note
            .unwrap_or_default()
            .contains("skipped by the new build")
    );
}
