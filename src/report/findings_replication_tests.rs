//! Findings weigh the machine's earlier runs (`replication`): a lead they
//! did not show is held back, and one they all showed is stated even where
//! this run's rounds alone do not clear it.

use super::tests::{in_earlier_runs, point, texts};
use crate::results::PointResult;

/// a at 1 µs and b at `b_over_a` times that, in steady rounds of one group.
fn a_and_b_slower(b_over_a: f64) -> (PointResult, PointResult) {
    let rounds = [1.0, 1.02, 0.98, 1.01, 0.99, 1.0, 1.0, 1.01];
    let mut a = point(1000.0, &rounds, Some("g"));
    a.variant = "a".into();
    let mut b = point(1000.0 * b_over_a, &rounds, Some("g"));
    b.variant = "b".into();
    (a, b)
}

#[test]
fn a_lead_an_earlier_run_of_the_machine_did_not_show_is_not_stated() {
    let medians = super::tests::in_earlier_runs;
    let (mut reference, mut other) = a_and_b_slower(1.4);
    assert!(texts(&[reference.clone(), other.clone()])[0].1);
    // Every earlier run had b slower by 10% or more: stated.
    reference.earlier_medians = medians(&[1000.0, 1000.0, 1000.0]);
    other.earlier_medians = medians(&[1300.0, 1500.0, 1120.0]);
    let said = texts(&[reference.clone(), other.clone()]);
    assert!(said[0].1, "{}", said[0].0);
    // One had them within 10%: not stated, with both runs' figures.
    other.earlier_medians = medians(&[1300.0, 1050.0, 1120.0]);
    let said = texts(&[reference, other]);
    assert!(!said[0].1, "{}", said[0].0);
    assert!(
        said[0].0.contains("earlier runs of this machine disagree")
            && said[0].0.contains("b/thread takes 1.40x as long")
            && said[0].0.contains("2 of 3 earlier runs"),
        "{}",
        said[0].0
    );
}

#[test]
fn one_earlier_run_in_twenty_may_fall_short_of_ten_percent_but_none_may_reverse() {
    let medians = super::tests::in_earlier_runs;
    let (mut reference, mut other) = a_and_b_slower(1.4);
    let stated = |reference: &PointResult, other: &PointResult| {
        texts(&[reference.clone(), other.clone()])[0].clone()
    };
    // 19 earlier runs: one at 1.05x holds the lead back.
    let mut ratios = vec![1300.0; 18];
    ratios.push(1050.0);
    reference.earlier_medians = medians(&[1000.0; 19]);
    other.earlier_medians = medians(&ratios);
    let (text, supported) = stated(&reference, &other);
    assert!(
        !supported && text.contains("18 of 19 earlier runs"),
        "{text}"
    );
    // 20: one in twenty may dip under 10%, the lead's direction intact.
    ratios.insert(0, 1300.0);
    reference.earlier_medians = medians(&[1000.0; 20]);
    other.earlier_medians = medians(&ratios);
    let (text, supported) = stated(&reference, &other);
    assert!(
        supported && text.contains("b/thread takes 1.40x as long"),
        "{text}"
    );
    // But not the other way round, by however little.
    *ratios.last_mut().unwrap() = 990.0;
    other.earlier_medians = medians(&ratios);
    let (text, supported) = stated(&reference, &other);
    assert!(
        !supported && text.contains("earlier runs of this machine disagree"),
        "{text}"
    );
}

#[test]
fn a_lead_every_earlier_run_showed_by_ten_percent_is_stated_from_six_runs_on() {
    let runs = super::tests::in_earlier_runs;
    let mut reference = point(1000.0, &[1.0; 8], Some("g"));
    reference.variant = "a".into();
    // This run's rounds scatter: its own interval (0.74-1.47) includes 1.
    let scattered = [0.7, 1.4, 0.8, 1.3, 1.05, 0.9, 1.2, 1.1];
    let mut other = point(1050.0, &scattered, Some("g"));
    other.variant = "b".into();
    let stated = |r: &PointResult, o: &PointResult| texts(&[r.clone(), o.clone()])[0].clone();
    assert!(!stated(&reference, &other).1, "within noise alone");
    // Four earlier runs, all with b slower by 10%: five runs in all, too
    // few for an interval over runs, so this run's interval decides.
    reference.earlier_medians = runs(&[1000.0; 4]);
    other.earlier_medians = runs(&[1150.0, 1200.0, 1120.0, 1110.0]);
    assert!(!stated(&reference, &other).1);
    // A fifth: six runs, every one with b slower, so the interval over
    // runs ([min, max], 96.9%) excludes 1 and meets this run's.
    reference.earlier_medians = runs(&[1000.0; 5]);
    other.earlier_medians = runs(&[1150.0, 1200.0, 1120.0, 1110.0, 1300.0]);
    let (text, supported) = stated(&reference, &other);
    assert!(supported, "{text}");
    assert!(
        text.contains("b/thread takes 1.13x as long")
            && text.contains("5 of 5 earlier runs of this machine had it so by 10%")
            && text.contains("over 6 runs of this machine (this one and 5 earlier)")
            && text.contains("95% interval 1.11–1.30")
            && text.contains("which alone does not clear a 10% lead; the runs above do)"),
        "{text}"
    );
    // One earlier run with b slower by under 10%: not stated.
    other.earlier_medians = runs(&[1150.0, 1200.0, 1050.0, 1110.0, 1300.0]);
    assert!(!stated(&reference, &other).1);
}

#[test]
fn runs_that_all_show_a_lead_this_runs_rounds_do_not_meet_state_nothing() {
    let runs = super::tests::in_earlier_runs;
    let mut reference = point(1000.0, &[1.0; 8], Some("g"));
    reference.variant = "a".into();
    // This run: b 2% slower, its interval about 1.00-1.04.
    let close = [0.98, 1.0, 0.99, 1.02, 1.01, 1.0, 0.99, 1.01];
    let mut other = point(1020.0, &close, Some("g"));
    other.variant = "b".into();
    // Ten earlier runs had b 30-40% slower: over eleven runs the interval
    // ([x2, x10]) is 1.30-1.40, which this run's rounds do not meet.
    reference.earlier_medians = runs(&[1000.0; 10]);
    other.earlier_medians = runs(&[
        1300.0, 1320.0, 1350.0, 1400.0, 1380.0, 1310.0, 1330.0, 1360.0, 1390.0, 1340.0,
    ]);
    let (text, supported) = texts(&[reference, other])[0].clone();
    assert!(!supported, "{text}");
}

/// A point whose medians in earlier runs `r0`, `r1`, ... are `medians`.
fn with_medians(medians: &[f64]) -> PointResult {
    let mut p = point(100.0, &[1.0; 6], None);
    p.earlier_medians = super::tests::in_earlier_runs(medians);
    p
}

#[test]
fn a_lead_stands_only_where_the_earlier_runs_showed_it() {
    let reference = with_medians(&[100.0, 100.0, 100.0]);
    let slower = with_medians(&[150.0, 120.0, 112.0]);
    assert!(crate::report::replication::stands(
        &reference, &slower, true
    ));
    assert!(
        !crate::report::replication::stands(&reference, &slower, false),
        "the other way round"
    );
    let once_close = with_medians(&[150.0, 105.0, 130.0]);
    let e = crate::report::replication::earlier(&reference, &once_close, true).unwrap();
    assert_eq!((e.runs, e.same_way), (3, 2));
    assert!(!crate::report::replication::stands(
        &reference,
        &once_close,
        true
    ));
    assert_eq!(
        e.sentence("a", "b"),
        "2 of 3 earlier runs of this machine had it so by 10% (a at 1.05–1.50x b's time)"
    );
    // Runs only one of the two was measured in say nothing.
    let mut elsewhere = with_medians(&[]);
    elsewhere.earlier_medians = vec![crate::results::EarlierMedian {
        run: "another run".into(),
        median: 50.0,
    }];
    assert!(crate::report::replication::earlier(&reference, &elsewhere, true).is_none());
    assert!(crate::report::replication::stands(
        &reference, &elsewhere, true
    ));
}

#[test]
fn the_report_says_how_many_earlier_runs_its_findings_weigh_and_cautions_below_ten() {
    let mut run = crate::results::RunResults::empty("r", "");
    let line = |run: &crate::results::RunResults| crate::report::replication::memory_line(run);
    assert!(
        line(&run).contains("weigh this run alone"),
        "{}",
        line(&run)
    );
    assert!(line(&run).contains("With fewer than 10"), "{}", line(&run));
    let mut a = point(100.0, &[1.0; 6], Some("g"));
    a.earlier_medians = in_earlier_runs(&[100.0; 3]);
    let mut b = point(100.0, &[1.0; 6], Some("g"));
    b.earlier_medians = in_earlier_runs(&[100.0; 12]);
    run.results = vec![a.clone()];
    assert!(
        line(&run).contains("this run and 3 earlier runs of this machine")
            && line(&run).contains("With fewer than 10"),
        "{}",
        line(&run)
    );
    // The point with the most earlier runs says how many the store held.
    run.results = vec![a, b];
    assert!(
        line(&run).contains("this run and 12 earlier runs") && !line(&run).contains("fewer"),
        "{}",
        line(&run)
    );
}
