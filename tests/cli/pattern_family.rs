//! CLI tests of the pattern family (tiny sizes: verification and bad parameters).

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, stderr_of};

fn philosophers_suite(entries: &str) -> String {
    format!("{FAST_RUN}stall_timeout = \"1s\"\n{entries}")
}

fn entry(variants: &str, params: &str) -> String {
    format!(
        "\n[[scenario]]\nid = \"pattern.philosophers\"\nvariants = [{variants}]\nparams = {{ {params} }}\n"
    )
}

/// A naive table that deadlocks for certain (all hold their first fork).
const CERTAIN_DEADLOCK: &str = "philosophers = 5, meals = 100, all_hold_first = 1";

fn results_of(scratch: &Scratch) -> Vec<Value> {
    let dirs = scratch.run_dirs("out");
    let text = std::fs::read_to_string(dirs[0].join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("results.json is JSON");
    results["results"].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_naive_table_is_stopped_as_deadlocked_and_the_run_goes_on() {
    let scratch = Scratch::new();
    let suite = philosophers_suite(&format!(
        "{}{}",
        entry("\"naive\"", CERTAIN_DEADLOCK),
        entry(
            "\"ordered\", \"try_lock\", \"arbiter\"",
            "philosophers = 3, meals = 50, eat_work = 10"
        ),
    ));
    let config = scratch.file("philosophers.toml", &suite);
    let output = scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .output()
        .expect("concbench runs");
    assert_eq!(
        output.status.code(),
        Some(3),
        "a deadlock nobody expected fails the run: {}",
        stderr_of(&output)
    );

    let points = results_of(&scratch);
    assert_eq!(points.len(), 4, "the naive point and three after it");
    let naive = &points[0];
    assert_eq!(naive["variant"], "naive");
    assert_eq!(naive["status"], "deadlocked", "{}", naive["error"]);
    // The stall watchdog's words, not the timeout's ("no result within").
    let error = naive["error"].as_str().unwrap_or("");
    assert!(error.contains("no progress for"), "{error}");
    assert!(error.contains("of running"), "{error}");
    for point in &points[1..] {
        let id = point["id"].as_str().unwrap_or("?");
        assert_eq!(point["status"], "ok", "{id}: {}", point["error"]);
        assert_eq!(point["unit"], "meal");
        let jain = point["metrics"]["fairness_jain"].as_f64().unwrap_or(0.0);
        assert!((1.0 / 3.0..=1.0).contains(&jain), "{id}: jain {jain}");
        assert!(point["metrics"]["fairness_min_max"].is_number(), "{id}");
        assert_eq!(
            point["metrics"]["failed_attempts_per_meal"].is_number(),
            point["variant"] == "try_lock",
            "{id}: the livelock indicator is try_lock's"
        );
    }
}

#[test]
fn an_expected_deadlock_does_not_fail_the_run_and_a_missing_one_does() {
    let run = |entries: &str| {
        let scratch = Scratch::new();
        let config = scratch.file("p.toml", &philosophers_suite(entries));
        let output = scratch
            .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
            .output()
            .expect("concbench runs");
        (output, results_of(&scratch))
    };
    let expected = format!(
        "{}expect = \"deadlocked\"\n",
        entry("\"naive\"", CERTAIN_DEADLOCK)
    );
    let (output, points) = run(&expected);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(points[0]["status"], "deadlocked");
    assert_eq!(points[0]["expected"], "deadlocked");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("deadlocked (as expected)"), "{stdout}");

    // A lock order cannot deadlock: the declared deadlock is missing.
    let missing = format!(
        "{}expect = \"deadlocked\"\n",
        entry("\"ordered\"", "philosophers = 3, meals = 20")
    );
    let (output, points) = run(&missing);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    assert_eq!(points[0]["status"], "ok");
    let error = points[0]["error"].as_str().unwrap_or("");
    assert!(error.contains("meant to show `deadlocked`"), "{error}");
}

#[test]
fn an_unknown_expected_outcome_is_refused() {
    refused(
        &philosophers_suite(&format!(
            "{}expect = \"timed_out\"\n",
            entry("\"naive\"", "philosophers = 2")
        )),
        "the one outcome a point can be meant to show is \"deadlocked\"",
    );
}

#[test]
fn a_table_for_fewer_than_two_is_refused() {
    refused(
        &philosophers_suite(&entry("\"ordered\"", "philosophers = 1")),
        "philosophers = 1 is out of range 2..=256",
    );
}

#[test]
fn bad_meals_pauses_and_strategies_are_refused() {
    refused(
        &philosophers_suite(&entry("\"arbiter\"", "meals = 0")),
        "meals = 0 is out of range 1..=1000000",
    );
    refused(
        &philosophers_suite(&entry("\"try_lock\"", "hold_us = 1000000")),
        "hold_us = 1000000 is out of range 0..=100000",
    );
    refused(
        &philosophers_suite(&entry("\"banker\"", "philosophers = 5")),
        "pattern.philosophers has no variant `banker`",
    );
}

#[test]
fn list_shows_the_philosophers_with_their_strategies() {
    let output = Scratch::new()
        .concbench(&["list"])
        .output()
        .expect("concbench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(stdout.contains("pattern.philosophers"), "{stdout}");
    for strategy in ["naive", "ordered", "try_lock", "arbiter", "hold_us"] {
        assert!(stdout.contains(strategy), "{strategy} listed");
    }
}

/// `concbench run` on `suite` is refused (exit 2, one line holding `needle`).
fn refused(suite: &str, needle: &str) {
    super::support::refused(suite, &[needle]);
}
