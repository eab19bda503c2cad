//! Snapshots (insta) of what people and tools read: `list`, summary.md of a
//! fixed results file, and gate.json comparing two. An accidental change of
//! output shows up as a snapshot diff in review; a meant one is accepted
//! with `cargo insta review` (or INSTA_UPDATE=always cargo test snapshots).

use super::support::Scratch;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snapshot");

fn stdout(scratch: &Scratch, args: &[&str]) -> String {
    let output = scratch.concbench(args).output().expect("concbench runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The fixtures copied into the scratch folder, so paths in outputs are
/// the same on every machine.
fn with_fixtures() -> Scratch {
    let scratch = Scratch::new();
    for side in ["base.json", "new.json"] {
        std::fs::copy(format!("{FIXTURES}/{side}"), scratch.path().join(side)).expect("fixture");
    }
    scratch
}

#[test]
fn list_output() {
    insta::assert_snapshot!(stdout(&Scratch::new(), &["list"]));
}

#[test]
fn summary_markdown_of_a_fixed_run() {
    let scratch = with_fixtures();
    stdout(&scratch, &["report", "new.json", "-o", "report.html"]);
    let summary = std::fs::read_to_string(scratch.path().join("report.md")).expect("summary");
    insta::assert_snapshot!(summary);
}

#[test]
fn gate_json_of_two_fixed_runs() {
    let scratch = with_fixtures();
    let output = scratch
        .concbench(&["compare", "base.json", "new.json", "--json", "gate.json"])
        .output()
        .expect("concbench runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let gate = std::fs::read_to_string(scratch.path().join("gate.json")).expect("gate.json");
    insta::assert_snapshot!(gate);
}
