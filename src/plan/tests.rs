//! The planner's own checks: core-count expressions, repeated values, one
//! point per id, and that every shipped suite plans.

use super::*;
use crate::config::Suite;
use std::path::Path;

#[test]
fn core_expressions_resolve_against_the_core_count() {
    assert_eq!(cores_expression("cores", 16), Ok(16));
    assert_eq!(cores_expression("cores + 1", 16), Ok(17));
    assert_eq!(cores_expression("cores-1", 2), Ok(1));
    assert_eq!(cores_expression("2*cores", 2), Ok(4));
    let error = cores_expression("many", 2).unwrap_err();
    assert!(error.contains("`many`"), "{error}");
    assert!(cores_expression("x*cores", 2).is_err());
}

#[test]
fn repeated_values_count_once() {
    let value: toml::Value =
        toml::from_str::<toml::Table>("k = [1, 2, 2, 1]").unwrap()["k"].clone();
    assert_eq!(param_values(&value), Ok(vec![1, 2]));
    let strings: toml::Value = toml::from_str::<toml::Table>("k = [true]").unwrap()["k"].clone();
    assert!(param_values(&strings).is_err());
}

#[test]
fn cpus_lists_every_cpu_the_process_may_run_on() {
    let cpus: Vec<i64> = crate::host::topology::allowed_cpus()
        .into_iter()
        .map(i64::from)
        .collect();
    let value: toml::Value = toml::from_str::<toml::Table>("k = \"cpus\"").unwrap()["k"].clone();
    assert_eq!(param_values(&value), Ok(cpus.clone()));
    let text = format!("k = [\"cpus\", {}]", cpus[0]);
    let listed: toml::Value = toml::from_str::<toml::Table>(&text).unwrap()["k"].clone();
    assert_eq!(param_values(&listed), Ok(cpus), "the first CPU counts once");
}

/// Every config in configs/ (except the gate's thresholds) plans without
/// error: a typo in a sweep nobody runs in CI is still caught.
#[test]
fn every_shipped_suite_plans() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    for name in ["quick.toml", "full.toml", "deadlock.toml"] {
        let suite = Suite::load(Some(&dir.join(name))).expect(name);
        let plan =
            build(&suite, &Overrides::default(), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!plan.points.is_empty(), "{name} has points");
    }
}

#[test]
fn a_point_named_by_two_entries_runs_once_with_the_first_ones_settings() {
    let text = r#"
[[scenario]]
id = "cpu.split"
variants = ["std_thread"]
params = { k = 1, chunks = 4, points = 1000 }
run = { min_samples = 3 }

[[scenario]]
id = "cpu.split"
variants = ["std_thread"]
params = { k = [1, 2], chunks = 4, points = 1000 }
run = { min_samples = 9 }
"#;
    let path = Path::new("two-entries.toml");
    let file = crate::config::parse(path, text).expect("parses");
    let suite = Suite {
        path: path.to_path_buf(),
        text: text.to_string(),
        file,
    };
    let plan = build(&suite, &Overrides::default(), None).expect("plans");
    let ids: Vec<String> = plan.points.iter().map(Point::id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let k1 = plan
        .points
        .iter()
        .find(|p| p.params.get("k").ok() == Some(1));
    assert_eq!(k1.expect("k = 1").settings.min_samples, 3);
}
