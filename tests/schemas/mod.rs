//! The JSON Schemas in docs/schemas/ are generated from the serde types
//! (schemars): this fails when the types and the checked-in files differ.
//! After a meant change of the types, rewrite them with
//!   UPDATE_SCHEMAS=1 cargo test --test tests schemas
//! and raise the schema's version (`results::SCHEMA`, `gate::SCHEMA`) when
//! a reader of the old files would misread the new ones.

use std::path::Path;

fn generated<T: schemars::JsonSchema>(id: &str) -> String {
    let mut schema = schemars::schema_for!(T);
    schema.insert("$id".into(), id.into());
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}

fn check(file: &str, text: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(file);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &text).expect("schema written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == text,
        "docs/schemas/{file} differs from the types: if the change is meant, run \
         UPDATE_SCHEMAS=1 cargo test --test tests schemas (and raise the schema version if old readers would misread it)"
    );
}

#[test]
fn the_results_schema_is_the_types() {
    check(
        "results.schema.json",
        generated::<concbench::results::RunResults>(concbench::results::SCHEMA),
    );
}

#[test]
fn the_gate_schema_is_the_types() {
    check(
        "gate.schema.json",
        generated::<concbench::gate::GateOutcome>(concbench::gate::SCHEMA),
    );
}

#[test]
fn a_real_results_file_has_every_field_the_schema_requires() {
    let schema: serde_json::Value =
        serde_json::from_str(&generated::<concbench::results::RunResults>("x")).expect("JSON");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/snapshot/new.json"
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("JSON");
    for field in schema["required"].as_array().expect("required fields") {
        let field = field.as_str().expect("a name");
        assert!(
            results.get(field).is_some(),
            "results.json lacks required `{field}`"
        );
    }
}
