//! A screening pass of the JSON Schema: answers "is this document certainly valid?" without
//! building the `jsonschema` validator.
//!
//! Building that validator is most of what a small `tfc check` costs (it compiles every pattern
//! of the schema into a regex automaton, `^/[!-~]{0,4095}$` among them, and checks the schema
//! against its meta-schema): about 30 million instructions, 70 % of a one-task check. Most specs
//! are valid, and for a valid spec the validator says nothing. So [`passes`] interprets the
//! schema directly and the validator is built only when the screen does not pass — when the
//! spec has a problem to report, every diagnostic still comes from the validator, exactly as
//! before.
//!
//! The screen is conservative: it says `true` only when it understood every keyword on the way
//! and each one holds. A keyword it does not know, a `$ref` it cannot resolve, a pattern that
//! does not compile or a recursion deeper than [`MAX_DEPTH`] make it say `false`, and the
//! validator decides. So the worst a gap here can cost is time, never a missed diagnostic; the
//! fuzz test holds the screen to the validator's verdict on every input it generates.
//!
//! It reads the schema tfc publishes (`schemas/tfc.schema.json`, a test keeps it equal to the
//! generated one; embedded without its annotations, stripped at build time by
//! `src/spec/lean.rs`), where the fields that take a deploy-time parameter are
//! `anyOf: [own, { $ref: ParamRef }]`. `tfc check` validates with the schema without those
//! alternatives (see [`super::schema`]), so a `$ref` to `ParamRef` never matches here: `anyOf`
//! then holds exactly when `own` does, as in the schema the validator uses.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::{Map, Value};

/// The schema tfc publishes, as committed (see the module documentation), without its
/// annotations: stripped by the build script (`src/spec/lean.rs`).
const LEAN: &str = include_str!(concat!(env!("OUT_DIR"), "/tfc.lean.schema.json"));

/// The definition a `$ref` names for a `{ param: NAME }` reference.
const PARAM_REF: &str = "#/$defs/ParamRef";

/// Deeper than this (schema and document together), the screen gives up. The loader limits a
/// document to 64 levels, and each level takes a `$ref` and a subschema or two.
pub const MAX_DEPTH: usize = 512;

struct Screen {
    schema: Value,
    /// Every pattern of the schema, compiled on first use (`None`: it did not compile).
    patterns: HashMap<String, OnceLock<Option<Regex>>>,
}

fn screen() -> Option<&'static Screen> {
    static SCREEN: OnceLock<Option<Screen>> = OnceLock::new();
    SCREEN
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(LEAN).ok()?;
            let mut patterns = HashMap::new();
            collect_patterns(&schema, &mut patterns);
            Some(Screen { schema, patterns })
        })
        .as_ref()
}

fn collect_patterns(v: &Value, out: &mut HashMap<String, OnceLock<Option<Regex>>>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == "pattern" {
                    if let Value::String(p) = x {
                        out.entry(p.clone()).or_default();
                    }
                }
                collect_patterns(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_patterns(x, out)),
        _ => {}
    }
}

/// Whether `instance` is certainly valid against the schema `tfc check` validates with
/// (`false`: invalid, or not known; the validator decides).
pub fn passes(instance: &Value) -> bool {
    match screen() {
        Some(s) => s.valid(&s.schema, instance, 0),
        None => false,
    }
}

impl Screen {
    fn pattern(&self, p: &str) -> Option<&Regex> {
        self.patterns
            .get(p)?
            .get_or_init(|| Regex::new(p).ok())
            .as_ref()
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        // The schema's own references name a definition: one map lookup.
        if let Some(name) = reference.strip_prefix("#/$defs/") {
            if !name.contains(['/', '~', '%']) {
                return self.schema.get("$defs")?.get(name);
            }
        }
        let pointer = reference.strip_prefix('#')?;
        if pointer.contains('%') {
            return None;
        }
        self.schema.pointer(pointer)
    }

    fn valid(&self, schema: &Value, v: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let map = match schema {
            Value::Bool(b) => return *b,
            Value::Object(map) => map,
            _ => return false,
        };
        map.iter()
            .all(|(keyword, arg)| self.keyword(map, keyword, arg, v, depth))
    }

    /// Whether one keyword of the schema object `map` holds for `v`.
    fn keyword(
        &self,
        map: &Map<String, Value>,
        keyword: &str,
        arg: &Value,
        v: &Value,
        depth: usize,
    ) -> bool {
        match keyword {
            // Keywords that only describe: JSON Schema 2020-12 annotations, editor extensions and
            // the definitions `$ref` reads.
            "$schema"
            | "$id"
            | "title"
            | "description"
            | "markdownDescription"
            | "default"
            | "examples"
            | "defaultSnippets"
            | "$comment"
            | "$defs" => true,
            "$ref" => match arg.as_str() {
                Some(PARAM_REF) => false,
                Some(r) => self.resolve(r).is_some_and(|s| self.valid(s, v, depth + 1)),
                None => false,
            },
            "type" => match arg {
                Value::String(t) => has_type(v, t),
                Value::Array(types) => types
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| has_type(v, t))),
                _ => false,
            },
            "enum" => arg
                .as_array()
                .is_some_and(|options| options.iter().any(|o| equal(o, v))),
            "const" => equal(arg, v),
            "anyOf" => arg
                .as_array()
                .is_some_and(|options| options.iter().any(|o| self.valid(o, v, depth + 1))),
            "allOf" => arg
                .as_array()
                .is_some_and(|all| all.iter().all(|o| self.valid(o, v, depth + 1))),
            // Numbers.
            "minimum" | "maximum" => match (v, arg) {
                (Value::Number(n), Value::Number(limit)) => match compare(n, limit) {
                    Some(order) if keyword == "minimum" => order.is_ge(),
                    Some(order) => order.is_le(),
                    None => false,
                },
                (Value::Number(_), _) => false,
                _ => true,
            },
            // Strings.
            // Sizes: of a string, an array, an object.
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" => {
                let size = match (keyword, v) {
                    ("minLength" | "maxLength", Value::String(s)) => s.chars().count(),
                    ("minItems" | "maxItems", Value::Array(items)) => items.len(),
                    ("minProperties" | "maxProperties", Value::Object(fields)) => fields.len(),
                    // A value of another type: the keyword does not apply.
                    _ => return true,
                };
                match arg.as_u64() {
                    Some(limit) if keyword.starts_with("min") => size as u64 >= limit,
                    Some(limit) => size as u64 <= limit,
                    None => false,
                }
            }
            "pattern" => match (v, arg.as_str()) {
                (Value::String(s), Some(p)) => self.pattern(p).is_some_and(|re| re.is_match(s)),
                (Value::String(_), None) => false,
                _ => true,
            },
            // Arrays.
            "items" => match v {
                Value::Array(items) => items.iter().all(|i| self.valid(arg, i, depth + 1)),
                _ => true,
            },
            // Objects.
            "properties" => match (v, arg) {
                (Value::Object(fields), Value::Object(props)) => fields
                    .iter()
                    .all(|(k, x)| props.get(k).is_none_or(|s| self.valid(s, x, depth + 1))),
                (Value::Object(_), _) => false,
                _ => true,
            },
            "additionalProperties" => match v {
                Value::Object(fields) => {
                    if map.contains_key("patternProperties") {
                        return false;
                    }
                    let declared = map.get("properties").and_then(Value::as_object);
                    fields
                        .iter()
                        .filter(|(k, _)| declared.is_none_or(|d| !d.contains_key(*k)))
                        .all(|(_, x)| self.valid(arg, x, depth + 1))
                }
                _ => true,
            },
            "propertyNames" => match v {
                Value::Object(fields) => fields
                    .keys()
                    .all(|k| self.valid(arg, &Value::String(k.clone()), depth + 1)),
                _ => true,
            },
            "required" => match (v, arg) {
                (Value::Object(fields), Value::Array(names)) => names
                    .iter()
                    .all(|n| n.as_str().is_some_and(|n| fields.contains_key(n))),
                (Value::Object(_), _) => false,
                _ => true,
            },
            // Anything else: not known here, so not certainly valid.
            _ => false,
        }
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

/// JSON Schema equality: numbers by value (`1` equals `1.0`), objects whatever their key order.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y).is_some_and(|o| o.is_eq()),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| equal(a, b)))
        }
        _ => a == b,
    }
}

/// Orders two numbers exactly when both are integers, else as doubles (`None` for NaN, which
/// JSON cannot hold).
fn compare(a: &serde_json::Number, b: &serde_json::Number) -> Option<std::cmp::Ordering> {
    let int = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The schema as committed.
    const PUBLISHED: &str = include_str!("../../schemas/tfc.schema.json");

    #[test]
    fn the_embedded_schema_is_the_generated_one() {
        assert_eq!(
            PUBLISHED,
            super::super::schema_text(),
            "schemas/tfc.schema.json is stale: run `cargo run -- schema > schemas/tfc.schema.json`"
        );
        assert!(screen().is_some());
    }

    #[test]
    fn the_lean_schema_is_the_schema_without_its_descriptions() {
        // The build script strips the committed schema with `lean::strip`.
        let mut full: Value = serde_json::from_str(PUBLISHED).expect("schema");
        super::super::lean::strip(&mut full);
        let lean: Value = serde_json::from_str(LEAN).expect("lean schema");
        assert_eq!(lean, full);
        assert!(LEAN.len() * 4 < PUBLISHED.len());
        // A task's `description` is a property, not an annotation.
        assert!(lean.pointer("/$defs/Task/properties/description").is_some());
        assert!(passes(&spec(json!({ "description": "nightly" }))));
        // What the screen skips it also reads as true: no validating keyword among them.
        let s = screen().expect("screen");
        for k in [
            "description",
            "markdownDescription",
            "examples",
            "defaultSnippets",
            "title",
        ] {
            assert!(
                s.keyword(&Map::new(), k, &Value::Null, &Value::Null, 0),
                "{k}"
            );
        }
    }

    #[test]
    fn every_pattern_of_the_schema_compiles() {
        let s = screen().expect("screen");
        for p in s.patterns.keys() {
            assert!(s.pattern(p).is_some(), "{p}");
        }
    }

    fn spec(extra: Value) -> Value {
        let mut v = json!({
            "version": 1,
            "name": "my-proj",
            "tasks": { "manage": {
                "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                "network": { "subnets": ["subnet-0123456789abcdef0"] },
                "trigger": { "schedule": "rate(1 hour)" }
            } }
        });
        if let (Some(task), Value::Object(extra)) = (
            v.pointer_mut("/tasks/manage")
                .and_then(Value::as_object_mut),
            extra,
        ) {
            task.extend(extra);
        }
        v
    }

    #[test]
    fn passes_exactly_what_holds() {
        assert!(passes(&spec(json!({}))));
        assert!(passes(&spec(json!({ "cpu": 1024.0 }))));
        // Each keyword kind, failing.
        for bad in [
            json!({ "cpu": "1024" }),                          // type
            json!({ "cpu": 1024.5 }),                          // integer
            json!({ "count": 0 }),                             // minimum
            json!({ "count": 11 }),                            // maximum
            json!({ "unknown": 1 }),                           // additionalProperties
            json!({ "network": { "subnets": [] } }),           // minItems
            json!({ "network": { "subnets": ["subnet-x"] } }), // pattern
            json!({ "image": { "param": "image" } }),          // a parameter is no value here
            json!({ "architecture": "ARM64" }),                // enum
        ] {
            assert!(!passes(&spec(bad.clone())), "{bad}");
        }
        let mut no_trigger = spec(json!({}));
        no_trigger["tasks"]["manage"]
            .as_object_mut()
            .unwrap()
            .remove("trigger");
        assert!(!passes(&no_trigger)); // required
        assert!(!passes(
            &json!({ "version": 1, "name": "x", "tasks": { "Bad_Id": {} } })
        )); // propertyNames
    }

    #[test]
    fn unknown_keywords_and_references_defer_to_the_validator() {
        let s = screen().expect("screen");
        let v = json!("x");
        assert!(!s.valid(&json!({ "format": "email" }), &v, 0));
        assert!(!s.valid(&json!({ "$ref": "https://example.com/s" }), &v, 0));
        assert!(!s.valid(&json!({ "$ref": "#/$defs/Nothing" }), &v, 0));
        assert!(!s.valid(&json!({ "pattern": "^(unknown$" }), &v, 0));
        assert!(s.valid(&json!({ "description": "d", "type": "string" }), &v, 0));
        // A schema that refers to itself never ends: the depth limit does.
        let looped = Screen {
            schema: json!({ "$ref": "#" }),
            patterns: HashMap::new(),
        };
        assert!(!looped.valid(&looped.schema, &v, 0));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(equal(&json!(1), &json!(1.0)));
        assert!(!equal(&json!(1), &json!(1.5)));
        assert!(equal(&json!({"a": [1, "x"]}), &json!({"a": [1.0, "x"]})));
        assert_eq!(
            compare(
                &serde_json::Number::from(u64::MAX),
                &serde_json::Number::from(-1)
            ),
            Some(std::cmp::Ordering::Greater)
        );
    }
}
