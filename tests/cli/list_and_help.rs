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
