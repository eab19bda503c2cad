//! Bad input: one line naming what and where, exit code 2, no panic, and no
//! run folder left behind.

use super::support::refused_with_args as refused;
use super::support::{FAST_RUN, Scratch, stderr_of, tiny_spawn_suite};

fn spawn_suite_with(params: &str) -> String {
    format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nparams = {{ {params} }}\n")
}

#[test]
fn fails_when_the_filter_matches_nothing_and_lists_close_ids() {
    refused(
        &tiny_spawn_suite(),
        &["--filter", "std_thred"],
        &[
            "matches no point",
            "spawn.start/std_thread/thread/workers=10",
        ],
    );
}

#[test]
fn fails_on_malformed_toml_with_file_and_line() {
    refused(
        "[run]\nwarmup = \"0s\"\n\n[[scenario]\nid = \"spawn.start\"\n",
        &[],
        &["suite.toml:4:"],
    );
}

#[test]
fn fails_on_an_unknown_key_naming_it() {
    refused(
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nthreads = 4\n"),
        &[],
        &["suite.toml:10:", "threads"],
    );
}

#[test]
fn fails_on_zero_workers_with_the_valid_range() {
    refused(
        &spawn_suite_with("workers = [10, 0]"),
        &[],
        &["suite.toml:10:", "workers = 0", "1..=100000"],
    );
}

#[test]
fn fails_on_a_wrong_type() {
    refused(
        &spawn_suite_with("workers = \"many\""),
        &[],
        &["suite.toml:10:", "expected an integer"],
    );
}

#[test]
fn fails_on_a_negative_duration() {
    refused(
        "[run]\nmeasure_time = \"-1s\"\n\n[[scenario]]\nid = \"spawn.start\"\n",
        &[],
        &["suite.toml:2:"],
    );
}

#[test]
fn fails_on_an_unknown_scenario_suggesting_the_closest() {
    refused(
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.strat\"\n"),
        &[],
        &["suite.toml:9:", "unknown scenario", "spawn.start"],
    );
}

#[test]
fn fails_on_an_unknown_variant() {
    refused(
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"green_thread\"]\n"),
        &[],
        &["suite.toml:10:", "green_thread"],
    );
}

#[test]
fn fails_on_a_missing_config_file() {
    let scratch = Scratch::new();
    let output = scratch
        .concbench(&["run", "--config", "nowhere.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("nowhere.toml"));
}

#[test]
fn fails_on_zero_min_samples_from_the_command_line() {
    let scratch = Scratch::new();
    let output = scratch
        .concbench(&["run", "--min-samples", "0"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--min-samples"));
}

#[test]
fn fails_on_zero_or_too_many_processes_in_the_config_or_on_the_command_line() {
    refused(
        "[run]\nprocesses = 0\n\n[[scenario]]\nid = \"spawn.start\"\n",
        &[],
        &["suite.toml:2:", "processes = 0 is out of range 1..=64"],
    );
    let scratch = Scratch::new();
    let output = scratch
        .concbench(&["run", "--processes", "65"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--processes"));
}
