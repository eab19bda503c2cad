//! Fuzz targets (proptest, no corpus kept) for everything that reads input a
//! user or another tool wrote: the suite config parser and planner, the
//! results reader, and what reads results next (reports, the gate, and the
//! gate's threshold file), the measuring worker's protocol lines, what a
//! `worker draw` child prints, and the
//! history store's importers.
//! Property: any input gives a value or a one-line error, never a panic.
//!
//! CI runs a few hundred cases per target. For a long run:
//!   FUZZ_CASES=200000 cargo test --release --test fuzz -- --nocapture
//! Each target prints how many inputs it tried.

mod inputs;

use std::path::Path;

use concbench::config::{Suite, parse};
use concbench::gate::thresholds;
use concbench::plan::{self, Overrides};
use concbench::report::{Format, ReportInput, html::Html, markdown::Markdown};
use concbench::results::RunResults;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per target: FUZZ_CASES, or a CI-sized default.
fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Run `check` on `cases()` inputs from `strategy`; report the count.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |input| {
        check(input);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    println!(
        "fuzz {name}: {} inputs, no panic, {:.1} s",
        cases(),
        started.elapsed().as_secs_f64()
    );
}

/// An error must be one line (it is printed as `error: ...`).
fn one_line(error: impl std::fmt::Display) {
    let text = error.to_string();
    assert!(!text.contains('\n'), "a multi-line error: {text}");
    assert!(!text.is_empty());
}

#[test]
fn config_parser_and_planner_never_panic() {
    fuzz("config", inputs::config_text(), |text| {
        let path = Path::new("fuzz.toml");
        match parse(path, &text) {
            Err(error) => one_line(error),
            Ok(file) => {
                let suite = Suite {
                    path: path.to_path_buf(),
                    text: text.clone(),
                    file,
                };
                if let Err(error) = plan::build(&suite, &Overrides::default(), None) {
                    one_line(error);
                }
            }
        }
    });
}

#[test]
fn results_reader_reports_and_gate_never_panic() {
    let samples = inputs::real_results();
    fuzz(
        "results",
        inputs::results_text(samples),
        |(text, is_lines)| {
            match RunResults::parse(&text, is_lines, Path::new("fuzz.json")) {
                Err(error) => one_line(error),
                Ok(results) => {
                    let input = ReportInput {
                        new: &results,
                        comparison: None,
                    };
                    // Drawing may refuse odd data with an error; it must not panic.
                    let _ = Html.render(&input);
                    let _ = Markdown.render(&input);
                    let outcome = concbench::gate::compare(
                        std::slice::from_ref(&results),
                        std::slice::from_ref(&results),
                        &thresholds::Thresholds::default(),
                    );
                    let _ = concbench::gate::output::markdown(&outcome);
                }
            }
        },
    );
}

#[test]
fn worker_protocol_lines_never_panic() {
    use concbench::harness::protocol::{Reply, Request};
    fuzz("protocol", inputs::protocol_line(), |line| {
        match Reply::parse(&line) {
            Ok(reply) => assert_eq!(
                Reply::parse(&reply.line()).map(|r| r.line()),
                Ok(reply.line())
            ),
            Err(error) => one_line(error),
        }
        if let Err(error) = Request::parse(&line) {
            one_line(error);
        }
    });
}

#[test]
fn draw_child_output_never_panics() {
    use concbench::run::draws::read_child_output;
    fuzz("draw child output", inputs::draw_output(), |text| {
        if let Err(error) = read_child_output(&text) {
            one_line(error);
        }
    });
}

#[test]
fn runtime_protocol_lines_never_panic() {
    use concbench::model::runtime::wire::{parse_done, parse_hello, parse_reply};
    fuzz("runtime protocol", inputs::runtime_line(), |line| {
        for outcome in [
            parse_hello(&line).map(|_| ()),
            parse_done(&line).map(|_| ()),
            parse_reply(&line, "ready").map(|_| ()),
        ] {
            if let Err(error) = outcome {
                one_line(error);
            }
        }
    });
}

#[test]
fn gate_threshold_file_never_panics() {
    fuzz("thresholds", inputs::thresholds_text(), |text| {
        if let Err(error) = thresholds::parse(Path::new("gate.toml"), &text) {
            one_line(error);
        }
    });
}

#[test]
fn history_importers_never_panic() {
    use concbench::history::record;
    let samples = inputs::real_results();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = std::cell::RefCell::new(
        concbench::history::store::Store::open(&dir.path().join("h.sqlite")).expect("store"),
    );
    fuzz(
        "history results",
        inputs::results_text(samples),
        |(text, is_lines)| match RunResults::parse(&text, is_lines, Path::new("fuzz.json")) {
            Err(error) => one_line(error),
            Ok(results) => {
                let run = record::of_run(&results, Path::new("fuzz.json"), None);
                // Adding may refuse odd data with an error; it must not panic.
                if let Err(error) = store.borrow_mut().add(&run) {
                    one_line(error);
                }
            }
        },
    );
    let base = RunResults::parse(&samples.0, false, Path::new("real.json")).expect("real results");
    let outcome = concbench::gate::compare(
        std::slice::from_ref(&base),
        std::slice::from_ref(&base),
        &thresholds::Thresholds::default(),
    );
    let gate = String::from_utf8(concbench::gate::output::json(&outcome).expect("gate json"))
        .expect("utf-8");
    fuzz(
        "history gate",
        inputs::mutated_text(gate),
        |text| match record::parse_gate(&text) {
            Err(error) => one_line(error),
            Ok(outcome) => {
                let _ = record::of_gate(&outcome, &base, Path::new("gate.json"), "abc");
            }
        },
    );
}
