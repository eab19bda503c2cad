//! `concbench compare` on points that did not measure ok on a side: failed
//! in some runs, skipped, deadlocked as meant. None of them is a speed.

use super::compare_command::{around, compare, compare_many, results, with_status};
use super::support::Scratch;

#[test]
fn a_point_that_failed_in_one_of_three_new_runs_is_broken() {
    let scratch = Scratch::new();
    let ok = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let failed = with_status(&ok, "failed", None, "verification: sum 3 != 4");
    let base = vec![ok.clone(), ok.clone(), ok.clone()];
    let (code, stdout) = compare_many(&scratch, &base, &[ok.clone(), failed, ok]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("BROKEN")
            && stdout.contains("failed in 1 of 3 new runs")
            && stdout.contains("sum 3 != 4"),
        "{stdout}"
    );
}

#[test]
fn a_point_that_failed_in_one_base_run_is_judged_on_the_others_with_a_note() {
    let scratch = Scratch::new();
    let ok = results("cpu", &[("spawn.a/x", &around(100.0, 20))]);
    let failed = with_status(&ok, "timed_out", None, "no result within the 1s timeout");
    let slower = results("cpu", &[("spawn.a/x", &around(130.0, 20))]);
    let (code, stdout) = compare_many(&scratch, &[ok, failed], &[slower.clone(), slower]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("REGRESSED")
            && stdout.contains("failed in 1 of 2 base runs")
            && stdout.contains("1s timeout"),
        "{stdout}"
    );
}

#[test]
fn a_point_skipped_on_either_side_is_not_comparable_and_says_why() {
    let scratch = Scratch::new();
    let ok = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let skipped = with_status(&ok, "skipped", None, "needs 64 cores, this machine has 2");
    for (base, new, side) in [(&ok, &skipped, "new"), (&skipped, &ok, "base")] {
        let (code, stdout, _) = compare(&scratch, base, new, &[]);
        assert_eq!(code, Some(0), "skipped in {side}: {stdout}");
        assert!(
            stdout.contains("not comparable")
                && stdout.contains(&format!("skipped in the {side} run: needs 64 cores")),
            "{stdout}"
        );
    }
}

#[test]
fn a_point_that_failed_in_base_and_is_ok_in_new_is_not_comparable() {
    let scratch = Scratch::new();
    let ok = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let failed = with_status(&ok, "failed", None, "verification: sum 3 != 4");
    let (code, stdout, _) = compare(&scratch, &failed, &ok, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("not comparable") && stdout.contains("the base run did not measure it"),
        "{stdout}"
    );
}

#[test]
fn a_point_deadlocked_as_meant_on_both_sides_is_not_comparable_never_broken() {
    let scratch = Scratch::new();
    let ok = results("cpu", &[("spawn.a/x", &around(100.0, 10))]);
    let meant = with_status(&ok, "deadlocked", Some("deadlocked"), "no progress for 1s");
    let (code, stdout, _) = compare(&scratch, &meant, &meant, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("not comparable") && stdout.contains("deadlocked on both sides, as meant"),
        "{stdout}"
    );
    // Declared to deadlock, finished ok in the new run: that broke.
    let finished = with_status(&ok, "ok", Some("deadlocked"), "");
    let (code, stdout, _) = compare(&scratch, &meant, &finished, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("BROKEN"), "{stdout}");
}
