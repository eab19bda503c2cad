//! The table's own checks: the meal audit (meals asked for, forks held,
//! clashes, chairs returned) and a closed table stopping a waiting diner.

use super::*;

fn table(strategy: Strategy) -> Table {
    let menu = Menu {
        strategy,
        philosophers: 3,
        hold: Duration::ZERO,
        eat_work: 5,
        all_hold_first: false,
    };
    Table::new(menu, CancelToken::default(), Progress::default())
}

/// Philosopher `seat` eats once on this thread, left fork first.
fn eat_once(table: &Table, seat: usize) {
    let mut a = table.take(seat, seat).expect("left fork");
    let mut b = table.take((seat + 1) % 3, seat).expect("right fork");
    table.eat(seat, &mut a, &mut b);
}

#[test]
fn meals_eaten_by_the_rules_pass_the_audit() {
    let table = table(Strategy::Ordered);
    for seat in [0, 1, 2, 2] {
        eat_once(&table, seat);
    }
    table.audit(4).expect("four meals, each on its two forks");
    assert_eq!(table.meals(), vec![1, 1, 2]);
}

#[test]
fn a_meal_not_asked_for_fails_the_audit() {
    let table = table(Strategy::Naive);
    eat_once(&table, 0);
    let error = table.audit(2).expect_err("one meal, two asked");
    assert!(error.to_string().contains("ate 1 meals, 2 were asked"));
}

#[test]
fn a_meal_counted_without_its_forks_fails_the_audit() {
    let table = table(Strategy::Naive);
    eat_once(&table, 0);
    table.seats[1].meals.fetch_add(1, Ordering::Relaxed);
    let error = table.audit(2).expect_err("fork 1 missed a meal");
    assert!(error.to_string().contains("fork 1 was used for 1 meals"));
}

#[test]
fn a_fork_taken_from_another_hand_is_a_clash() {
    let table = table(Strategy::Naive);
    let held = table.take(0, 0).expect("fork 0");
    // Someone else's mark on a fork in seat 0's hand: what a broken
    // lock would let happen.
    table.forks[0].mark_as_held_by(2);
    drop(held);
    let error = table.audit(0).expect_err("a clash");
    assert!(error.to_string().contains("held by another philosopher"));
}

#[test]
fn a_fork_still_held_or_a_chair_not_returned_fails_the_audit() {
    let table = table(Strategy::Arbiter);
    let held = table.take(2, 2).expect("fork 2");
    assert!(table.audit(0).is_err(), "fork 2 is in a hand");
    drop(held);
    let chair = table.arbiter().admit(|| false).expect("a chair");
    let error = table.audit(0).expect_err("a chair is taken");
    assert!(error.to_string().contains("1 of 2 chairs are free"));
    drop(chair);
    table.audit(0).expect("all back on the table");
}

#[test]
fn a_closed_table_stops_a_waiting_philosopher() {
    let table = table(Strategy::Naive);
    let _held = table.take(1, 0).expect("fork 1");
    table.close();
    assert!(table.take(1, 1).is_none(), "gives up instead of waiting");
}
