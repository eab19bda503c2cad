//! The workload table both sides read: it parses, agrees with the Rust
//! scenarios it mirrors, and a workload added to it is planned.

use super::*;
use crate::scenario::registry;

#[test]
fn the_shipped_table_names_known_scenarios_and_their_parameters() {
    let table = table();
    for scenario in table.scenarios() {
        let rust =
            registry::find(scenario).unwrap_or_else(|| panic!("{scenario} is not a scenario"));
        for spec in rust.info().params {
            assert!(
                table.range(scenario, spec.name).is_some(),
                "{scenario}: the worker does not take {}",
                spec.name
            );
        }
        assert!(!table.variants_of(scenario).is_empty());
    }
}

#[test]
fn a_workload_added_to_the_table_is_listed_with_its_models() {
    let shipped = CPYTHON_WORKER.iter().find(|(p, _)| *p == TABLE).unwrap().1;
    let mut json: serde_json::Value = serde_json::from_str(shipped).unwrap();
    json["lock.counter"]["variants"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "py_fixture_lock", "models": ["thread"], "summary": "a fixture workload"
        }));
    let table = Table::parse(&json.to_string()).unwrap();
    let added = table
        .variants_of("lock.counter")
        .iter()
        .find(|v| v.name == "py_fixture_lock");
    assert_eq!(added.map(|v| v.models), Some(&[Model::Thread][..]));
}

#[test]
fn a_broken_table_is_refused_with_its_file_named() {
    for text in [
        "{",
        r#"{"spawn.start": {"params": {}, "variants": [{"name": "thread", "models": ["thread"], "summary": ""}]}}"#,
        r#"{"spawn.start": {"params": {}, "variants": [{"name": "py_x", "models": ["warp"], "summary": ""}]}}"#,
        r#"{"spawn.start": {"params": {}, "variants": [], "extra": 1}}"#,
    ] {
        let refused = Table::parse(text).unwrap_err();
        assert!(refused.contains("workloads.json"), "{refused}");
    }
}
