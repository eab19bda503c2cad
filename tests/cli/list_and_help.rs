//! `list` and `--help`: what a new user reads first.

use predicates::prelude::*;

use super::support::Scratch;

#[test]
fn list_shows_every_scenario_with_variants_models_and_param_ranges() {
    Scratch::new()
        .concbench(&["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("spawn.start  [spawn]"))
        .stdout(predicate::str::contains("spawn.sleepers"))
        .stdout(predicate::str::contains("fork             process"))
        .stdout(predicate::str::contains(
            "workers          default 1000     range 1..=100000",
        ));
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in [&["--help"][..], &["run", "--help"], &["list", "--help"]] {
        Scratch::new()
            .concbench(command)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn help_lists_the_exit_code_of_a_write_failure_beside_bad_input() {
    let output = Scratch::new()
        .concbench(&["--help"])
        .output()
        .expect("help");
    // As one line: clap wraps the help at the terminal's width.
    let help = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let codes = help
        .split_once("Exit codes")
        .unwrap_or_else(|| panic!("the exit codes: {help}"))
        .1;
    assert!(codes.contains("2 bad input"), "{codes}");
    assert!(codes.contains("4 a file could not be written"), "{codes}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("4 a file could not be written"),
        "README's exit codes say it too"
    );
}
