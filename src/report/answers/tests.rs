//! The answers' own rules: which of the first two is faster, when a lead
//! is named, and that every question names a scenario that exists.

use super::*;

use crate::report::findings::tests::point;

#[test]
fn the_rounds_not_the_medians_say_which_of_the_first_two_is_faster() {
    // A has the lower median (30 against 45) but B is faster in three
    // rounds of five.
    let a = point(1.0, &[30.0, 40.0, 50.0, 10.0, 20.0], Some("g"));
    let b = point(1.0, &[27.0, 36.0, 45.0, 100.0, 100.0], Some("g"));
    assert!(median(&a) < median(&b));
    let mut ranked = vec![&a, &b];
    rank_first_two(&mut ranked);
    assert!(std::ptr::eq(ranked[0], &b), "B wins the rounds");
    // Measured apart, only the medians can rank.
    let (a, b) = (point(30.0, &[1.0; 5], None), point(45.0, &[1.0; 5], None));
    let mut ranked = vec![&a, &b];
    rank_first_two(&mut ranked);
    assert!(std::ptr::eq(ranked[0], &a));
}

#[test]
fn a_lead_is_named_only_when_its_interval_clears_ten_percent() {
    let drift = [1.0, 2.0, 3.0, 1.5, 2.5, 1.0, 3.0, 2.0, 1.2, 2.8];
    let a = point(100.0, &drift, Some("g"));
    let near = point(105.0, &drift, Some("g"));
    let close = relate(&a, &near);
    assert!(close.differs(), "5% is a difference");
    assert!(!names_a_winner(&a, &near, &close), "but not one to name");
    let far = point(125.0, &drift, Some("g"));
    assert!(names_a_winner(&a, &far, &relate(&a, &far)));
}

#[test]
fn a_lead_some_earlier_run_did_not_show_names_no_winner() {
    use crate::results::EarlierMedian;
    let drift = [1.0, 2.0, 3.0, 1.5, 2.5, 1.0, 3.0, 2.0, 1.2, 2.8];
    let mut a = point(100.0, &drift, Some("g"));
    let mut b = point(125.0, &drift, Some("g"));
    let at = |run: &str, median: f64| EarlierMedian {
        run: run.into(),
        median,
    };
    a.earlier_medians = vec![at("r1", 100.0), at("r2", 100.0)];
    b.earlier_medians = vec![at("r1", 130.0), at("r2", 102.0)];
    let relation = relate(&a, &b);
    assert!(!names_a_winner(&a, &b, &relation));
    let said = lead_sentence(&a, &b, &relation, "op");
    assert!(
        said.contains("earlier runs of this machine disagree on which")
            && said.contains("1 of 2 earlier runs"),
        "{said}"
    );
}

#[test]
fn three_rounds_name_no_winner_however_far_apart() {
    // Three rounds, the next one 2x slower in each: a [min, max]
    // "interval" of three would clear 10% easily, at 75% coverage.
    let rounds = [1.0, 1.2, 0.9];
    let a = point(100.0, &rounds, Some("g"));
    let b = point(200.0, &rounds, Some("g"));
    let relation = relate(&a, &b);
    assert!(!names_a_winner(&a, &b, &relation));
    let said = lead_sentence(&a, &b, &relation, "op");
    assert!(said.contains("too few rounds to name one"), "{said}");
}

#[test]
fn questions_name_scenarios_that_exist() {
    for q in QUESTIONS {
        let scenario = crate::scenario::registry::find(q.scenario);
        assert!(scenario.is_some(), "{}", q.scenario);
        let info = scenario.expect("found").info();
        for (name, _) in q.at {
            assert!(info.param(name).is_some(), "{}: {name}", q.scenario);
        }
    }
}

#[test]
fn a_lead_under_ten_percent_is_named_where_enough_earlier_runs_all_showed_it() {
    // 5% apart in every round: an interval that excludes 1 but not 1.10.
    let rounds = [1.0, 1.02, 0.98, 1.01, 0.99, 1.0, 1.0, 1.01];
    let mut a = point(100.0, &rounds, Some("g"));
    let mut b = point(105.0, &rounds, Some("g"));
    let runs = crate::report::findings::tests::in_earlier_runs;
    let relation = relate(&a, &b);
    assert!(!names_a_winner(&a, &b, &relation), "no earlier runs");
    a.earlier_medians = runs(&[100.0; 5]);
    b.earlier_medians = runs(&[115.0, 120.0, 112.0, 111.0, 130.0]);
    assert!(names_a_winner(&a, &b, &relation));
    let said = lead_sentence(&a, &b, &relation, "op");
    assert!(
        said.contains("5 of 5 earlier runs of this machine had it so"),
        "{said}"
    );
    // Four are too few to stand in for the margin; one within 10% breaks it.
    a.earlier_medians.pop();
    assert!(!names_a_winner(&a, &b, &relation));
    a.earlier_medians = runs(&[100.0; 5]);
    b.earlier_medians[4].median = 105.0;
    assert!(!names_a_winner(&a, &b, &relation));
}
