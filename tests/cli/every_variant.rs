//! Every scenario of the registry and every variant of it, Rust and
//! CPython, at its smallest parameters: one short real run, each point
//! verified by the harness. A new scenario or variant is covered here
//! without editing this test; the number of points comes from the plan.

use std::fmt::Write;
use std::path::Path;

use concbench::config::{Suite, parse};
use concbench::plan::{self, Overrides};
use concbench::scenario::registry;
use concbench::vocab::{Family, Status};
use serde_json::Value;

use super::support::{Scratch, stderr_of};

/// A suite naming every variant of every scenario (the harness's own
/// fault-injecting `selftest` family aside) at the smallest value of each
/// parameter. Three samples of 5 ms each: the controller checks a runtime
/// worker's reported times against its own clock and needs one request
/// that was not kept waiting, which a single 1 ms sample on a busy machine
/// did not always give (a py_mp_queue point failed so once).
fn smallest_suite() -> String {
    let mut suite = String::from(
        "[run]\nwarmup = \"0s\"\nmeasure_time = \"5ms\"\nmin_samples = 3\ntimeout = \"60s\"\nsampler_interval = \"10ms\"\n",
    );
    for scenario in registry::all() {
        let info = scenario.info();
        if info.family == Family::Selftest {
            continue;
        }
        let variants: Vec<String> = info
            .all_variants()
            .map(|v| format!("\"{}\"", v.name))
            .collect();
        let params: Vec<String> = info
            .params
            .iter()
            .map(|p| format!("{} = {}", p.name, p.min))
            .collect();
        let _ = write!(
            suite,
            "\n[[scenario]]\nid = \"{}\"\nvariants = [{}]\nparams = {{ {} }}\n",
            info.id,
            variants.join(", "),
            params.join(", ")
        );
    }
    suite
}

#[test]
fn every_variant_of_every_scenario_runs_and_verifies_at_its_smallest_parameters() {
    let scratch = Scratch::new();
    let text = smallest_suite();
    let config = scratch.file("every.toml", &text);
    let suite = Suite {
        path: config.clone(),
        text: text.clone(),
        file: parse(&config, &text).expect("the generated suite parses"),
    };
    let planned =
        plan::build(&suite, &Overrides::default(), None).expect("the generated suite plans");
    let output = scratch
        .concbench(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            "out",
            "--no-store",
        ])
        .output()
        .expect("concbench runs");
    let stderr = stderr_of(&output);
    let run = scratch
        .run_dirs("out")
        .pop()
        .unwrap_or_else(|| panic!("no run folder: {stderr}"));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).expect("results"))
            .expect("JSON");
    let points = results["results"].as_array().expect("points");
    assert_eq!(
        points.len(),
        planned.points.len(),
        "one result per planned point"
    );
    let wrong: Vec<String> = points
        .iter()
        .filter(|p| {
            let status: Status = serde_json::from_value(p["status"].clone()).expect("a status");
            status.is_failure()
        })
        .map(|p| format!("{} {}: {}", p["id"], p["status"], p["error"]))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} points went wrong:\n{}",
        wrong.len(),
        points.len(),
        wrong.join("\n")
    );
    let ok = points.iter().filter(|p| p["status"] == "ok").count();
    assert!(
        ok * 2 > points.len(),
        "most points run here ({ok} of {})",
        points.len()
    );
    assert!(Path::new(&run.join("report.html")).is_file());
}
