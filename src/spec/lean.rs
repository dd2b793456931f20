//! The schema without what only describes it: descriptions, examples, snippets, titles (five
//! sixths of its text). The screen ([`super::screen`]) reads this lean schema; the build script
//! strips the published schema with this same file at compile time, so the binary embeds 10 KB
//! of JSON to parse at start-up instead of 64 KB.

use serde_json::Value;

/// Keys that are annotations where they are keywords of a schema object: the screen reads
/// them as always true, so dropping them changes no verdict.
pub fn described_only(key: &str) -> bool {
    matches!(
        key,
        "description" | "markdownDescription" | "examples" | "defaultSnippets" | "title"
    )
}

/// Drops the annotations of every schema object in `schema`. The names of properties and
/// definitions (a task's `description` field) and data (`enum`, `const`, `default`) are kept
/// whatever they are called.
pub fn strip(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.retain(|k, _| !described_only(k));
            for (k, x) in map.iter_mut() {
                match (k.as_str(), x) {
                    ("properties" | "$defs" | "patternProperties", Value::Object(names)) => {
                        names.values_mut().for_each(strip)
                    }
                    ("enum" | "const" | "default", _) => {}
                    (_, x) => strip(x),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}
