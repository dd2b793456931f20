//! The committed JSON Schema is current, and it stands alone: check-jsonschema (pinned, from
//! PyPI) accepts every example and rejects a misspelled key.

mod common;

use common::{python_tool, root, tfc};
use pretty_assertions::assert_eq;

#[test]
fn committed_schema_is_current() {
    let out = tfc().arg("schema").output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(root().join("schemas/tfc.schema.json")).unwrap();
    assert_eq!(
        committed,
        String::from_utf8(out.stdout).unwrap(),
        "schemas/tfc.schema.json is stale: run `cargo run -- schema > schemas/tfc.schema.json`"
    );
}

#[test]
fn schema_describes_every_property_and_closes_every_object() {
    let schema: serde_json::Value = serde_json::from_str(&tfc::spec::schema_text()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$id"].is_string() && schema["title"].is_string());
    let mut missing = Vec::new();
    fn walk(v: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            if v.get("additionalProperties") != Some(&serde_json::Value::Bool(false)) {
                missing.push(format!("{path}: additionalProperties is not false"));
            }
            for (k, p) in props {
                if p.get("description")
                    .and_then(|d| d.as_str())
                    .unwrap_or("")
                    .is_empty()
                {
                    missing.push(format!("{path}/properties/{k}: no description"));
                }
            }
        }
        if let Some(obj) = v.as_object() {
            for (k, child) in obj {
                walk(child, &format!("{path}/{k}"), missing);
            }
        }
    }
    walk(&schema, "", &mut missing);
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn check_jsonschema_accepts_examples_and_rejects_a_misspelled_key() {
    let cj = python_tool("check-jsonschema");
    let schema = root().join("schemas/tfc.schema.json");
    for spec in common::all_example_specs() {
        let out = std::process::Command::new(&cj)
            .arg("--schemafile")
            .arg(&schema)
            .arg(&spec)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            spec.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let dir = tempdir();
    let bad = dir.join("misspelled.yaml");
    let seed = std::fs::read_to_string(root().join("examples/django-manage/spec.yaml")).unwrap();
    std::fs::write(&bad, seed.replace("    command:", "    comand:")).unwrap();
    let out = std::process::Command::new(&cj)
        .arg("--schemafile")
        .arg(&schema)
        .arg(&bad)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("comand"), "{text}");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tfc-schema-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
