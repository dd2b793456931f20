//! The spec: loading YAML with locations, the JSON Schema, and typed parsing.

#[cfg(test)]
mod lean;
pub mod load;
pub mod params;
pub mod screen;
pub mod types;

use std::sync::OnceLock;

use serde_json::Value;

pub use load::{pointer_push, Document, LocationIndex};
pub use types::*;

use crate::diagnostics::Diagnostic;

/// The JSON Schema (draft 2020-12) of spec v1 that editors use, generated from the types: the
/// schema `tfc check` validates with, where every field of [`PARAM_FIELDS`] may also be
/// `{ param: NAME }`.
pub fn schema() -> Value {
    let mut value = base_schema();
    if let Some(obj) = value.as_object_mut() {
        allow_param_refs(obj);
    }
    value
}

/// The schema without parameter references. `tfc check` validates a spec with it, and a spec
/// with parameters once for each set of values (see [`params`]): its messages name the
/// field's own type.
fn base_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<Spec>();
    let mut value = serde_json::to_value(schema).unwrap_or(Value::Null);
    tidy(&mut value);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "description".into(),
            Value::String(
                "A tfc spec: ECS Fargate tasks and the EventBridge rules that start them. \
                 See https://github.com/tfc-dev/tfc#spec-walkthrough."
                    .into(),
            ),
        );
        add_snippets(obj);
    }
    value
}

/// The fields that take a whole value from a parameter (`{ param: NAME }`), by schema
/// definition. Inside strings, `((NAME))` needs no schema change.
pub const PARAM_FIELDS: [(&str, &[&str]); 5] = [
    ("Task", &["image", "cpu", "memory", "count"]),
    ("Defaults", &["image", "cpu", "memory", "count"]),
    ("Network", &["subnets", "security_groups"]),
    ("Trigger", &["bus", "enabled"]),
    ("Cluster", &["arn"]),
];

/// Lets each of [`PARAM_FIELDS`] be `{ param: NAME }` as well as its own type.
fn allow_param_refs(root: &mut serde_json::Map<String, Value>) {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut param_ref =
        serde_json::to_value(generator.into_root_schema_for::<ParamRef>()).unwrap_or(Value::Null);
    tidy(&mut param_ref);
    if let Some(o) = param_ref.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
    }
    let Some(defs) = root.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    defs.insert("ParamRef".into(), param_ref);
    for (def, fields) in PARAM_FIELDS {
        let Some(props) = defs
            .get_mut(def)
            .and_then(|d| d.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for field in fields {
            let Some(Value::Object(own)) = props.get_mut(*field) else {
                continue;
            };
            let mut own = std::mem::take(own);
            let mut wrapped = serde_json::Map::new();
            for k in ["description", "markdownDescription"] {
                if let Some(v) = own.remove(k) {
                    wrapped.insert(k.into(), v);
                }
            }
            wrapped.insert(
                "anyOf".into(),
                serde_json::json!([own, { "$ref": "#/$defs/ParamRef" }]),
            );
            props.insert((*field).to_string(), Value::Object(wrapped));
        }
    }
}

/// Unwraps doc-comment line breaks in descriptions (editors re-flow them) and adds a
/// `markdownDescription` (yaml-language-server and VS Code render it with code spans); drops
/// schemars' Rust-specific `format: uint32`; and removes the `null` schemars allows for
/// `Option` fields: an omitted field takes its default, an explicit `null` is a mistake.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let rest: Vec<Value> = types
                    .iter()
                    .filter(|t| t.as_str() != Some("null"))
                    .cloned()
                    .collect();
                if rest.len() == 1 {
                    map.insert("type".into(), rest[0].clone());
                }
            }
            if let Some(Value::Array(options)) = map.get("anyOf") {
                let rest: Vec<Value> = options
                    .iter()
                    .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                    .cloned()
                    .collect();
                if rest.len() == 1 && options.len() == 2 {
                    map.remove("anyOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            map.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"))
            {
                map.remove("format");
            }
            if let Some(Value::String(d)) = map.get("description") {
                let text = d
                    .split("\n\n")
                    .map(|para| {
                        para.split('\n')
                            .map(str::trim)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n");
                map.insert("description".into(), Value::String(text.clone()));
                map.insert("markdownDescription".into(), Value::String(text));
            }
            for v in map.values_mut() {
                tidy(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The schema as `tfc schema` prints it and `schemas/tfc.schema.json` stores it.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// Editor snippets (yaml-language-server `defaultSnippets`) for a new spec and a new task.
fn add_snippets(root: &mut serde_json::Map<String, Value>) {
    root.insert(
        "defaultSnippets".into(),
        serde_json::json!([{
            "label": "tfc spec",
            "description": "A spec with one event-triggered task",
            "body": {
                "version": 1,
                "name": "${1:my-proj}",
                "tasks": { "${2:manage}": {
                    "image": "${3:123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest}",
                    "network": { "subnets": ["${4:subnet-0123456789abcdef0}"] },
                    "trigger": { "event": { "source": ["${5:com.example.app}"] } }
                } }
            }
        }]),
    );
    if let Some(task) = root
        .get_mut("$defs")
        .and_then(|d| d.get_mut("Task"))
        .and_then(Value::as_object_mut)
    {
        task.insert(
            "defaultSnippets".into(),
            serde_json::json!([
                {
                    "label": "event-triggered task",
                    "description": "A task started by an event, with a value from the event",
                    "body": {
                        "image": "${1:123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest}",
                        "command": ["${2:python}", "${3:manage.py}", "${4:migrate}"],
                        "trigger": { "event": { "source": ["${5:com.example.app}"], "detail-type": ["${6:Run}"] } },
                        "overrides": { "environment": { "${7:ARG}": { "from": "${8:\\$.detail.arg}" } } }
                    }
                },
                {
                    "label": "scheduled task",
                    "description": "A task started on a schedule",
                    "body": {
                        "image": "${1:123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest}",
                        "command": ["${2:python}", "${3:manage.py}", "${4:clearsessions}"],
                        "trigger": { "schedule": "${5:cron(0 3 * * ? *)}" }
                    }
                }
            ]),
        );
    }
}

/// The schema, generated once per process.
fn cached_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(base_schema)
}

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(cached_schema()).ok())
        .as_ref()
}

/// Renders a JSON pointer as the dotted field name users know (`tasks.manage.cpu`).
pub fn field_name(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the spec".to_string();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Every structural error of the document against the JSON Schema.
pub fn schema_check(doc: &Document) -> Vec<Diagnostic> {
    schema_errors(&doc.value, &doc.index)
}

/// The most repairs [`without_invalid_parts`] tries: each removes at least one node, and a spec
/// needs few, so this only bounds hostile input.
const MAX_REPAIRS: usize = 64;

/// The document without the parts that fail the schema, for the semantic checks of everything
/// else (`tfc check` reports every problem in one run): each invalid value is removed with the
/// field that holds it (an array element takes its whole array along), unknown fields are
/// dropped, and what that leaves invalid (a required field now missing) is removed in turn.
/// Returns the repaired value and the pointers of the values removed (unknown fields are not
/// listed: nothing depended on them), or `None` when too little would be left to check (the
/// root, `version` or `tasks` is at fault). Pointers of what remains are unchanged, so
/// diagnostics on it keep their positions.
pub fn without_invalid_parts(
    doc: &Document,
    errors: &[Diagnostic],
) -> Option<(Value, Vec<String>)> {
    let mut value = doc.value.clone();
    let mut removed: Vec<String> = Vec::new();
    let mut errors: Vec<(String, &'static str)> =
        errors.iter().map(|d| (d.pointer.clone(), d.code)).collect();
    for _ in 0..MAX_REPAIRS {
        if errors.is_empty() {
            return Some((value, removed));
        }
        for (pointer, code) in &errors {
            let at = match *code {
                "unknown-field" => pointer.clone(),
                // Required fields that have a stand-in (see below) are themselves replaced.
                "missing-field" if pointer == "/name" || is_trigger(pointer) => pointer.clone(),
                // The pointer names the missing field: the object lacking it goes.
                "missing-field" => {
                    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
                    field_holding(&value, parent)
                }
                _ => field_holding(&value, pointer),
            };
            // A spec without these has nothing left to check.
            if at.is_empty() || at == "/tasks" || at == "/version" {
                return None;
            }
            // The spec's name and a task's trigger are required: the rest is checked with a
            // stand-in, and what they decide counts as removed.
            let stand_in = if at == "/name" {
                Some(Value::String("spec".into()))
            } else if is_trigger(&at) {
                Some(serde_json::json!({ "schedule": "rate(1 hour)" }))
            } else {
                None
            };
            if let Some((parent, key)) = at.rsplit_once('/') {
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                    match stand_in {
                        Some(v) => map.insert(key, v),
                        None => map.remove(&key),
                    };
                }
            }
            if *code != "unknown-field" && !removed.contains(&at) {
                removed.push(at);
            }
        }
        errors = schema_errors(&value, &doc.index)
            .into_iter()
            .map(|d| (d.pointer, d.code))
            .collect();
    }
    None
}

/// Whether `pointer` is a task's `trigger`.
fn is_trigger(pointer: &str) -> bool {
    let parts: Vec<&str> = pointer.split('/').collect();
    matches!(parts.as_slice(), ["", "tasks", _, "trigger"])
}

/// The pointer of the object member holding `pointer` (itself, or the nearest ancestor whose
/// parent is an object): removing an array element would renumber its siblings.
fn field_holding(value: &Value, pointer: &str) -> String {
    let mut p = pointer.to_string();
    while let Some((parent, _)) = p.rsplit_once('/') {
        if value.pointer(parent).is_some_and(Value::is_object) {
            return p;
        }
        p = parent.to_string();
    }
    String::new()
}

/// Whether the `jsonschema` validator itself finds `value` valid, without the screen (the fuzz
/// test holds [`screen::passes`] to it).
pub fn validator_accepts(value: &Value) -> bool {
    validator().is_some_and(|v| v.is_valid(value))
}

/// [`schema_check`] of a value, with positions from `index`.
fn schema_errors(value: &Value, index: &LocationIndex) -> Vec<Diagnostic> {
    // Most specs are valid: the screen says so without building the validator, which then
    // reports the problems of the others (see [`screen`]).
    if screen::passes(value) {
        return Vec::new();
    }
    let Some(validator) = validator() else {
        return vec![Diagnostic::error(
            "internal",
            "",
            "tfc's JSON Schema failed to compile; please report this bug",
        )];
    };
    let schema = cached_schema();
    let mut out = Vec::new();
    for err in validator.iter_errors(value) {
        let pointer = err.instance_path().as_str().to_string();
        let field = field_name(&pointer);
        use jsonschema::error::ValidationErrorKind as K;
        match err.kind() {
            K::AdditionalProperties { unexpected } => {
                let allowed =
                    allowed_properties(schema, err.absolute_keyword_location().map(|u| u.as_str()));
                for key in unexpected {
                    let child = pointer_push(&pointer, key);
                    let mut d = Diagnostic::error(
                        "unknown-field",
                        child.clone(),
                        format!("unknown field `{key}` in {field}"),
                    )
                    .at(index.key_pos(&child));
                    d = d.with_help(match suggest(key, &allowed) {
                        Some(s) => {
                            format!("did you mean `{s}`? valid fields: {}", allowed.join(", "))
                        }
                        None => format!("valid fields: {}", allowed.join(", ")),
                    });
                    out.push(d);
                }
            }
            K::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                // The pointer names the missing field; the caret goes to the object lacking it.
                out.push(
                    Diagnostic::error(
                        "missing-field",
                        pointer_push(&pointer, name),
                        format!("{field} is missing the required field `{name}`"),
                    )
                    .at(index.key_pos(&pointer))
                    .with_help(required_help(name)),
                );
            }
            K::AnyOf { .. } | K::OneOfNotValid { .. } => {
                out.push(
                    Diagnostic::error("type", pointer.clone(), format!("{field} has an invalid value"))
                        .at(index.value_pos(&pointer))
                        .with_help(if pointer.contains("/overrides/") {
                            "expected a literal string or `{ from: $.path.in.event }` (command: also a list of those)".to_string()
                        } else {
                            "see `tfc schema` for the accepted shapes".to_string()
                        }),
                );
            }
            K::PropertyNames { error } => {
                let key = error.instance().as_str().unwrap_or_default().to_string();
                let child = pointer_push(&pointer, &key);
                out.push(
                    Diagnostic::error("name", child.clone(), format!("`{key}` is not a valid key in {field}"))
                        .at(index.key_pos(&child))
                        .with_help(if pointer.starts_with("/tasks") && pointer.matches('/').count() == 1 {
                            "task ids use lower-case letters, digits and dashes and start with a letter".to_string()
                        } else {
                            "environment variable names use letters, digits and `_` and do not start with a digit".to_string()
                        }),
                );
            }
            kind => {
                let detail = err.to_string();
                let keyword_parent =
                    schema_parent(schema, err.absolute_keyword_location().map(|u| u.as_str()));
                let help = value_help(&pointer, kind, keyword_parent);
                let code = match kind {
                    K::Type { .. } => "type",
                    K::Pattern { .. }
                        if pointer.ends_with("/arn") || pointer.ends_with("_role") =>
                    {
                        "arn"
                    }
                    _ => "schema",
                };
                let message = match kind {
                    K::Pattern { .. } => format!("{field}: {} is not valid here", err.instance()),
                    _ => format!("{field}: {detail}"),
                };
                let mut d =
                    Diagnostic::error(code, pointer.clone(), message).at(index.value_pos(&pointer));
                if let Some(h) = help {
                    d = d.with_help(h);
                }
                out.push(d);
            }
        }
    }
    // A value of the wrong type also fails its enum/range/pattern: report the type alone.
    let mistyped: std::collections::HashSet<String> = out
        .iter()
        .filter(|d| d.code == "type")
        .map(|d| d.pointer.clone())
        .collect();
    out.retain(|d| {
        d.code == "type"
            || !mistyped.contains(&d.pointer)
            || d.code == "unknown-field"
            || d.code == "missing-field"
    });
    out
}

/// The schema object holding the failing keyword.
fn schema_parent<'a>(schema: &'a Value, keyword_uri: Option<&str>) -> Option<&'a Value> {
    let fragment = keyword_uri?.split_once('#')?.1;
    let parent = fragment.rsplit_once('/')?.0.replace("%24", "$");
    schema.pointer(&parent)
}

fn required_help(name: &str) -> String {
    match name {
        "trigger" => {
            "add `trigger:` with `event:` (an event pattern) or `schedule:` (cron/rate)".into()
        }
        "version" => "add `version: 1`".into(),
        "name" => "add `name: my-proj` (lower-case letters, digits, dashes)".into(),
        "tasks" => "add `tasks:` with at least one task".into(),
        "subnets" => {
            "list the subnets the task runs in, e.g. `subnets: [subnet-0123456789abcdef0]`".into()
        }
        "from" => "write `{ from: $.detail.field }`".into(),
        _ => format!("add `{name}`"),
    }
}

/// Friendly descriptions of the schema's patterns.
const PATTERNS: [(&str, &str); 5] = [
    (
        "^[a-z][a-z0-9-]*$",
        "lower-case letters, digits and dashes, starting with a letter, e.g. my-proj",
    ),
    (
        "^subnet-([0-9a-f]{8}|[0-9a-f]{17})$",
        "subnet ids look like subnet-0123456789abcdef0",
    ),
    (
        "^sg-([0-9a-f]{8}|[0-9a-f]{17})$",
        "security group ids look like sg-0123456789abcdef0",
    ),
    (
        "^[A-Za-z0-9_-]{1,255}$",
        "letters, digits, `_` and `-`, up to 255 characters",
    ),
    ("^[^:*]{1,128}$", "up to 128 characters without `:` or `*`"),
];

fn value_help(
    pointer: &str,
    kind: &jsonschema::error::ValidationErrorKind,
    keyword_parent: Option<&Value>,
) -> Option<String> {
    use jsonschema::error::ValidationErrorKind as K;
    let range = || {
        let p = keyword_parent?;
        match (p.get("minimum"), p.get("maximum")) {
            (Some(lo), Some(hi)) if lo == hi => Some(format!("the only valid value is {lo}")),
            (Some(lo), Some(hi)) => Some(format!("valid values are {lo} to {hi}")),
            (Some(lo), None) => Some(format!("the smallest valid value is {lo}")),
            (None, Some(hi)) => Some(format!("the largest valid value is {hi}")),
            _ => None,
        }
    };
    match kind {
        K::Type { .. } if pointer.contains("/environment/") || pointer.contains("/tags/") => {
            Some("values are strings: quote numbers and booleans, e.g. \"4\" or \"true\"".into())
        }
        K::Enum { options } => Some(format!(
            "valid values: {}",
            options
                .as_array()
                .map(|o| o
                    .iter()
                    .map(|v| v.to_string().trim_matches('"').to_string())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        )),
        K::Minimum { .. } | K::Maximum { .. } => range(),
        K::MinProperties { .. } if pointer == "/tasks" => {
            Some("declare at least one task under `tasks:`".into())
        }
        K::Pattern { pattern } if pointer.ends_with("/arn") => Some(format!(
            "expected arn:aws:ecs:REGION:ACCOUNT:cluster/NAME ({pattern})"
        )),
        K::Pattern { pattern } => Some(PATTERNS.iter().find(|(p, _)| p == pattern).map_or_else(
            || format!("the value must match {pattern}"),
            |(_, d)| d.to_string(),
        )),
        _ => None,
    }
}

/// The `properties` next to the failing `additionalProperties` keyword.
fn allowed_properties(schema: &Value, keyword_uri: Option<&str>) -> Vec<String> {
    schema_parent(schema, keyword_uri)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The closest valid name, if any is close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

/// Parses the (schema-valid) document into the typed spec.
pub fn parse(doc: &Document) -> Result<Spec, Vec<Diagnostic>> {
    serde_path_to_error::deserialize(&doc.value).map_err(|e| {
        let mut pointer = String::new();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => pointer = pointer_push(&pointer, &index.to_string()),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    pointer = pointer_push(&pointer, key)
                }
                Segment::Unknown => {}
            }
        }
        vec![Diagnostic::error(
            "type",
            pointer.clone(),
            format!("{}: {}", field_name(&pointer), e.inner()),
        )
        .at(doc.index.value_pos(&pointer))]
    })
}
