//! EventBridge event-pattern matching, with no knowledge of targets.
//!
//! [`matches`] says whether an event matches a pattern and, when it does not, which field failed
//! first. Sources, cited as in `validate::pattern`: EP, the EventBridge user guide page "Event
//! patterns" (`eb-event-patterns.html`); ARR, "Arrays in event patterns"
//! (`eb-event-patterns-arrays.html`); NULL, "Matching null values and empty strings"
//! (`eb-event-patterns-null-values.html`); OPS, "Comparison operators for use in event patterns"
//! (`eb-create-pattern-operators.html`); CF, "Content filtering"
//! (`eb-event-patterns-content-based-filtering.html`); RULER, the aws/event-ruler README (the engine behind EventBridge patterns); and REC, the
//! event/pattern pairs LocalStack recorded against AWS's TestEventPattern
//! (`tests/aws/services/events/event_pattern_templates/` in localstack/localstack).
//!
//! The semantics, field by field:
//! - Fields are ANDed; a leaf array is an OR over its elements (EP). `$or` (an array of
//!   sub-patterns, at any level) matches when any alternative does (OPS).
//! - The *leaf values* of an event field are the field's value when it is a string, number,
//!   boolean or null; the elements of an array, arrays flattened; nothing for an object (ARR,
//!   RULER "JSON Array Matching"). A field without leaf values is absent: CF "Exists matching
//!   only works on leaf nodes", an object there counts as missing (CF's `c-count` example), and
//!   so does an empty array (tfc's reading: it holds no leaf).
//! - A condition matches when any leaf value satisfies it (ARR: the intersection is non-empty).
//! - Exact values compare by JSON type: strings exactly, numbers numerically (`5` matches `5.0`),
//!   `true`/`false` only booleans (never `1`/`0`), `null` only null, `""` only the empty string
//!   (NULL; RULER "JSON text matching").
//! - `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` only match strings (OPS,
//!   RULER "only work on string-valued fields"; REC `content_ip_address_bad_type_NEG`); `numeric`
//!   only JSON numbers (CF "Numeric matching works with values that are JSON numbers"; REC
//!   `numeric-null_NEG`).
//! - `anything-but` needs the field to be present (REC `content_anything_but_*_missing_NEG`) and
//!   then matches any leaf that is not excluded, whatever its type: a null or a number passes
//!   `{"anything-but": "x"}`, `{"anything-but": {"prefix": "x"}}` and
//!   `{"anything-but": {"equals-ignore-case": [...]}}` (REC `content_anything_but_string_null`,
//!   `content_anything_prefix_int_value`, `content_anything_but_ignorecase_list_null`).
//! - `exists` looks only at presence (CF: it "works on the presence or absence of a field"):
//!   `exists: true` matches a null leaf.
//! - A pattern object over an event array of objects matches when one element matches the whole
//!   sub-pattern (RULER "JSON Array Matching": array-consistent matching, which is what
//!   `rulesForJSONEvent` does; REC `list_within_dict`). A pattern object over a scalar, or over a
//!   missing field, sees every field below it as absent (REC `or-exists`, `or-exists-parent`).
//!
//! Forms AWS rejects when the rule is created (tfc check reports them) still get a meaning here,
//! so the simulator never fails on them: list values for `prefix`, `suffix` and
//! `equals-ignore-case` match when any element does, and `anything-but` around `numeric` or
//! `cidr` negates it (both as moto 5.2.5 reads them); a CIDR block with host bits set is masked
//! (moto: never matches). An unknown operator, or `anything-but` around `exists`, never matches.
//!
//! Before matching, the pattern is compiled as EventBridge does ([`normalize`]): dotted keys
//! become nested fields, a field given twice keeps the last, and the fields around a `$or` join
//! each alternative unless it gives the same field (CONS, the user guide's "Considerations when
//! creating event patterns"; RULER "$or"). Event keys with dots are read as nested fields too
//! (RULER "Compiled rules and JSON keys with dots"). Exact integers compare exactly; case
//! folding follows RULER's `EqualsIgnoreCaseParser` (see `ignore_case`).
use serde::Serialize;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Why an event does not match: the first failing field, the condition, what the event had.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// Dotted path of the field, e.g. "detail.state" ("" for the pattern itself).
    pub path: String,
    /// The condition the field failed, e.g. `one of ["running"]` or `prefix "eu-"`.
    pub condition: String,
    /// What the event had there; `None` when the field is absent.
    pub found: Option<Value>,
}

/// Whether `event` matches `pattern` (both JSON). `Ok(())` on match.
pub fn matches(pattern: &Value, event: &Value) -> Result<(), Mismatch> {
    match pattern {
        Value::Object(_) => {
            let joined;
            let event = if has_dotted_keys(event) {
                joined = join_dotted_keys(event);
                &joined
            } else {
                event
            };
            match &normalize(pattern).0 {
                Value::Object(map) => match_object(map, Some(event), ""),
                _ => Ok(()),
            }
        }
        other => Err(Mismatch {
            path: String::new(),
            condition: format!("an event pattern is a JSON object, not {}", describe(other)),
            found: None,
        }),
    }
}

/// A field of a pattern that EventBridge ignores because the same field is given again later
/// (EP "Considerations when creating event patterns": "If multiple patterns are specified for
/// the same JSON field, EventBridge only uses the last one").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// JSON pointer of the ignored occurrence in the pattern as written.
    pub pointer: String,
    /// The field, dotted (`detail.state`).
    pub field: String,
    /// Replaced in an `$or` alternative (and used in the others), rather than everywhere.
    pub by_or: bool,
}

/// The pattern as EventBridge compiles it: dotted keys joined into nested fields (EP "…uses
/// dot (.) as the joining character": `{"detail.state": […]}` is `{"detail": {"state":
/// […]}}`), a field given twice kept once, the last (EP, above), and every field outside a
/// `$or` copied into each alternative unless the alternative gives the same field, which
/// replaces it (RULER "$or": each alternative is compiled as its own rule together with the
/// fields around it, so the alternative's field is the later one). Returns the fields ignored.
pub fn normalize(pattern: &Value) -> (Value, Vec<Ignored>) {
    let mut ignored = Vec::new();
    let value = match pattern {
        Value::Object(map) => Value::Object(normalize_object(map, "", "", &mut ignored)),
        other => other.clone(),
    };
    (value, ignored)
}

fn has_dotted_keys(v: &Value) -> bool {
    match v {
        Value::Object(map) => map
            .iter()
            .any(|(k, x)| k.contains('.') || has_dotted_keys(x)),
        Value::Array(items) => items.iter().any(has_dotted_keys),
        _ => false,
    }
}

/// The event with dotted keys read as nested fields, as RULER compiles field names ("Compiled
/// rules and JSON keys with dots": `{"state.status": "running"}` and `{"state": {"status":
/// "running"}}` match the same rules). A dotted key whose first part is already a value that is
/// not an object stays as it is.
fn join_dotted_keys(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(join_dotted_keys).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, x) in map {
                let x = join_dotted_keys(x);
                let parts: Vec<&str> = k.split('.').collect();
                if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
                    merge_field(&mut out, k, x);
                    continue;
                }
                let mut nested = x;
                for p in parts[1..].iter().rev() {
                    let mut m = Map::new();
                    m.insert((*p).to_string(), nested);
                    nested = Value::Object(m);
                }
                merge_field(&mut out, parts[0], nested);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn merge_field(out: &mut Map<String, Value>, key: &str, value: Value) {
    match (out.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(add)) => {
            for (k, v) in add {
                merge_field(existing, &k, v);
            }
        }
        (Some(_), _) => {}
        (None, value) => {
            out.insert(key.to_string(), value);
        }
    }
}

/// Where each leaf of a normalized object came from, by dotted field.
type Origins = std::collections::BTreeMap<String, String>;

fn normalize_object(
    map: &Map<String, Value>,
    pointer: &str,
    field: &str,
    ignored: &mut Vec<Ignored>,
) -> Map<String, Value> {
    let mut origins = Origins::new();
    let mut out = Map::new();
    let mut alternatives: Option<(Vec<Value>, String)> = None;
    for (key, sub) in map {
        let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        if key == "$or" {
            if let Value::Array(items) = sub {
                alternatives = Some((items.clone(), at));
                continue;
            }
        }
        let segments: Vec<&str> = if key.contains('.') && key.split('.').all(|s| !s.is_empty()) {
            key.split('.').collect()
        } else {
            vec![key.as_str()]
        };
        insert(&mut out, &segments, sub, &at, field, &mut origins, ignored);
    }
    if let Some((items, at)) = alternatives {
        let merged: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, alt)| match alt {
                Value::Object(a) => {
                    let a = normalize_object(a, &format!("{at}/{i}"), field, ignored);
                    let mut base = out.clone();
                    let mut base_origins = origins.clone();
                    let mut alt_origins = Origins::new();
                    leaf_origins(&a, field, &format!("{at}/{i}"), &mut alt_origins);
                    let before = ignored.len();
                    overlay(
                        &mut base,
                        &a,
                        field,
                        &mut base_origins,
                        &alt_origins,
                        ignored,
                    );
                    for i in &mut ignored[before..] {
                        i.by_or = true;
                    }
                    Value::Object(base)
                }
                other => other.clone(),
            })
            .collect();
        // The fields around the `$or` now live in each alternative.
        let mut only = Map::new();
        only.insert("$or".into(), Value::Array(merged));
        return only;
    }
    out
}

fn join_field(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}.{key}")
    }
}

/// Puts `sub` at `segments` below `out`, merging objects; a leaf given again replaces the
/// earlier one, which is recorded as ignored.
fn insert(
    out: &mut Map<String, Value>,
    segments: &[&str],
    sub: &Value,
    at: &str,
    field: &str,
    origins: &mut Origins,
    ignored: &mut Vec<Ignored>,
) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let here = join_field(field, first);
    if !rest.is_empty() {
        let entry = out
            .entry(first.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            forget(origins, &here, ignored);
            *entry = Value::Object(Map::new());
        }
        if let Value::Object(inner) = entry {
            insert(inner, rest, sub, at, &here, origins, ignored);
        }
        return;
    }
    match sub {
        Value::Object(nested) => {
            let normalized = normalize_object(nested, at, &here, ignored);
            let entry = out
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                forget(origins, &here, ignored);
                *entry = Value::Object(Map::new());
            }
            let mut nested_origins = Origins::new();
            leaf_origins(&normalized, &here, at, &mut nested_origins);
            if let Value::Object(existing) = entry {
                overlay(
                    existing,
                    &normalized,
                    &here,
                    origins,
                    &nested_origins,
                    ignored,
                );
            }
        }
        leaf => {
            if out.contains_key(*first) {
                forget(origins, &here, ignored);
            }
            out.insert(first.to_string(), leaf.clone());
            origins.insert(here, at.to_string());
        }
    }
}

/// Records every leaf at or below `field` as ignored (it is being replaced).
fn forget(origins: &mut Origins, field: &str, ignored: &mut Vec<Ignored>) {
    let below = format!("{field}.");
    let gone: Vec<String> = origins
        .keys()
        .filter(|k| *k == field || k.starts_with(&below))
        .cloned()
        .collect();
    for k in gone {
        if let Some(pointer) = origins.remove(&k) {
            ignored.push(Ignored {
                pointer,
                field: k,
                by_or: false,
            });
        }
    }
}

/// The source pointer of each leaf of a normalized object (the pointers are approximate for
/// fields below a merged `$or`).
fn leaf_origins(map: &Map<String, Value>, field: &str, at: &str, out: &mut Origins) {
    for (k, v) in map {
        let here = join_field(field, k);
        match v {
            Value::Object(inner) if k != "$or" => {
                leaf_origins(inner, &here, &format!("{at}/{k}"), out)
            }
            _ => {
                out.insert(here, format!("{at}/{k}"));
            }
        }
    }
}

/// Lays `top` over `base`: objects merge, anything else in `top` replaces what `base` has.
fn overlay(
    base: &mut Map<String, Value>,
    top: &Map<String, Value>,
    field: &str,
    base_origins: &mut Origins,
    top_origins: &Origins,
    ignored: &mut Vec<Ignored>,
) {
    for (k, v) in top {
        let here = join_field(field, k);
        match (base.get_mut(k), v) {
            (Some(Value::Object(b)), Value::Object(t)) if k != "$or" => {
                overlay(b, t, &here, base_origins, top_origins, ignored)
            }
            (existing, _) => {
                if existing.is_some() {
                    forget(base_origins, &here, ignored);
                }
                base.insert(k.clone(), v.clone());
                let below = format!("{here}.");
                for (f, p) in top_origins {
                    if *f == here || f.starts_with(&below) {
                        base_origins.insert(f.clone(), p.clone());
                    }
                }
            }
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Matches a pattern object against one event node (`None`: the node is absent).
fn match_object(
    pattern: &Map<String, Value>,
    node: Option<&Value>,
    path: &str,
) -> Result<(), Mismatch> {
    for (key, sub) in pattern {
        if key == "$or" {
            if let Value::Array(alternatives) = sub {
                match_or(alternatives, node, path)?;
                continue;
            }
        }
        let child = match node {
            Some(Value::Object(fields)) => fields.get(key),
            _ => None,
        };
        let child_path = join(path, key);
        match sub {
            Value::Array(conditions) => match_leaf(conditions, child, &child_path)?,
            Value::Object(nested) => match_nested(nested, child, &child_path)?,
            other => {
                return Err(Mismatch {
                    path: child_path,
                    condition: format!(
                        "a pattern field is an array or an object, not {}",
                        describe(other)
                    ),
                    found: child.cloned(),
                })
            }
        }
    }
    Ok(())
}

fn match_or(alternatives: &[Value], node: Option<&Value>, path: &str) -> Result<(), Mismatch> {
    let mut first: Option<Mismatch> = None;
    for alternative in alternatives {
        let outcome = match alternative {
            Value::Object(map) => match_object(map, node, path),
            other => Err(Mismatch {
                path: join(path, "$or"),
                condition: format!("a `$or` alternative is an object, not {}", describe(other)),
                found: None,
            }),
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(m) => {
                first.get_or_insert(m);
            }
        }
    }
    let others = alternatives.len().saturating_sub(1);
    Err(match first {
        Some(m) => Mismatch {
            condition: format!(
                "{} (and none of the other {others} `$or` alternatives matched)",
                m.condition
            ),
            ..m
        },
        None => Mismatch {
            path: join(path, "$or"),
            condition: "one of no `$or` alternatives".to_string(),
            found: None,
        },
    })
}

/// A pattern object below `path`: the event's object there, or any object of its array.
fn match_nested(
    pattern: &Map<String, Value>,
    child: Option<&Value>,
    path: &str,
) -> Result<(), Mismatch> {
    let mut candidates = Vec::new();
    if let Some(value) = child {
        objects_in(value, &mut candidates);
    }
    if candidates.is_empty() {
        // A scalar, an array without objects, or nothing: every field below is absent.
        return match_object(pattern, None, path);
    }
    let mut first = None;
    for candidate in candidates {
        match match_object(pattern, Some(candidate), path) {
            Ok(()) => return Ok(()),
            Err(m) => {
                first.get_or_insert(m);
            }
        }
    }
    match first {
        Some(m) => Err(m),
        None => Ok(()),
    }
}

fn objects_in<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(_) => out.push(value),
        Value::Array(items) => items.iter().for_each(|item| objects_in(item, out)),
        _ => {}
    }
}

fn leaves_in<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(_) => {}
        Value::Array(items) => items.iter().for_each(|item| leaves_in(item, out)),
        leaf => out.push(leaf),
    }
}

fn match_leaf(conditions: &[Value], child: Option<&Value>, path: &str) -> Result<(), Mismatch> {
    let mut leaves = Vec::new();
    if let Some(value) = child {
        leaves_in(value, &mut leaves);
    }
    if conditions.iter().any(|c| condition_matches(c, &leaves)) {
        return Ok(());
    }
    Err(Mismatch {
        path: path.to_string(),
        condition: describe_conditions(conditions),
        found: child.cloned(),
    })
}

/// One element of a leaf array against the field's leaf values (empty: the field is absent).
fn condition_matches(condition: &Value, leaves: &[&Value]) -> bool {
    match condition {
        Value::Object(op) => {
            let mut entries = op.iter();
            let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
                return false;
            };
            match name.as_str() {
                "exists" => arg.as_bool() == Some(!leaves.is_empty()),
                "anything-but" => leaves.iter().any(|leaf| !excluded(arg, leaf)),
                _ => leaves.iter().any(|leaf| operator_matches(name, arg, leaf)),
            }
        }
        Value::Array(_) => false,
        literal => leaves.iter().any(|leaf| same_value(literal, leaf)),
    }
}

/// Whether `anything-but`'s argument excludes this leaf.
fn excluded(arg: &Value, leaf: &Value) -> bool {
    match arg {
        Value::Array(values) => values.iter().any(|v| same_value(v, leaf)),
        Value::Object(op) => {
            let mut entries = op.iter();
            match (entries.next(), entries.next()) {
                (Some((name, inner)), None) if name != "exists" && name != "anything-but" => {
                    operator_matches(name, inner, leaf)
                }
                // Not a form anything-but takes: exclude everything, so it never matches.
                _ => true,
            }
        }
        value => same_value(value, leaf),
    }
}

/// Exact matching by JSON type: numbers by value, everything else by equality. Two integers
/// compare exactly (19-digit ids beyond a double's 53 bits stay distinct: `12345678901234567890`
/// is not `12345678901234567891`); otherwise as doubles, so `5` is `5.0` (RULER compiles exact
/// numbers to `ComparableNumber`, numerically).
fn same_value(pattern: &Value, leaf: &Value) -> bool {
    fn integer(n: &serde_json::Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (pattern, leaf) {
        (Value::Number(a), Value::Number(b)) => match (integer(a), integer(b)) {
            (Some(x), Some(y)) => x == y,
            _ => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            },
        },
        (a, b) => a == b,
    }
}

/// `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `numeric` and `cidr` on one leaf.
fn operator_matches(name: &str, arg: &Value, leaf: &Value) -> bool {
    if name == "numeric" {
        return match leaf {
            Value::Number(n) => n.as_f64().is_some_and(|x| numeric_matches(arg, x)),
            _ => false,
        };
    }
    let Value::String(text) = leaf else {
        return false;
    };
    match name {
        "prefix" => string_test(arg, text, |p, t| t.starts_with(p), Some(Fold::Prefix)),
        "suffix" => string_test(arg, text, |p, t| t.ends_with(p), Some(Fold::Suffix)),
        "equals-ignore-case" => {
            string_test(arg, text, |p, t| ignore_case(p, t, Fold::Equals), None)
        }
        "wildcard" => string_test(arg, text, wildcard_matches, None),
        "cidr" => arg.as_str().is_some_and(|block| cidr_matches(block, text)),
        _ => false,
    }
}

/// A string operator's argument: a string, a list of strings (any), or for prefix/suffix
/// `{"equals-ignore-case": string}` (compared lower-cased).
fn string_test(
    arg: &Value,
    text: &str,
    test: fn(&str, &str) -> bool,
    nested_ignore_case: Option<Fold>,
) -> bool {
    match arg {
        Value::String(p) => test(p, text),
        Value::Array(list) => list
            .iter()
            .any(|p| p.as_str().is_some_and(|p| test(p, text))),
        Value::Object(inner) if inner.len() == 1 => match nested_ignore_case {
            // `{"prefix": {"equals-ignore-case": …}}`.
            Some(fold) => inner
                .get("equals-ignore-case")
                .and_then(Value::as_str)
                .is_some_and(|p| ignore_case(p, text, fold)),
            None => false,
        },
        _ => false,
    }
}

/// Where a case-insensitive pattern must match: all of the text, its start or its end.
#[derive(Clone, Copy, PartialEq)]
enum Fold {
    Equals,
    Prefix,
    Suffix,
}

/// Case-insensitive matching as RULER does it (`EqualsIgnoreCaseParser`): each character of
/// the *pattern* stands for its lower-case or its upper-case mapping (Java's `toLowerCase` /
/// `toUpperCase` with `Locale.ROOT`, one UTF-16 unit at a time, so full mappings such as
/// `ß` → `SS` and `İ` → `i̇` count, and a character outside the Basic Multilingual Plane, a
/// surrogate pair in Java, has no case mapping). The text must be exactly such a spelling.
/// This is not symmetric: pattern `straße` matches `STRASSE`, pattern `STRASSE` does not match
/// `straße`; `ς` matches `Σ` and `ς` but not `σ`; dotless `ı` matches `I`, but `I` does not
/// match `ı` (its mappings are `i` and `I`).
fn ignore_case(pattern: &str, text: &str, fold: Fold) -> bool {
    let mut alternatives: Vec<Vec<String>> = pattern
        .chars()
        .map(|c| {
            if (c as u32) > 0xFFFF {
                return vec![c.to_string()];
            }
            let lower: String = c.to_lowercase().collect();
            let upper: String = c.to_uppercase().collect();
            if lower == upper {
                vec![lower]
            } else {
                vec![lower, upper]
            }
        })
        .collect();
    let reversed: String;
    let text = if fold == Fold::Suffix {
        // Matching the end is matching the start of both reversed.
        alternatives.reverse();
        for alts in &mut alternatives {
            for a in alts.iter_mut() {
                *a = a.chars().rev().collect();
            }
        }
        reversed = text.chars().rev().collect();
        reversed.as_str()
    } else {
        text
    };
    // The byte offsets of `text` a spelling of the pattern's first characters can reach.
    let mut reach = std::collections::BTreeSet::from([0usize]);
    for alts in &alternatives {
        let mut next = std::collections::BTreeSet::new();
        for &at in &reach {
            for a in alts {
                if text[at..].starts_with(a.as_str()) {
                    next.insert(at + a.len());
                }
            }
        }
        if next.is_empty() {
            return false;
        }
        reach = next;
    }
    match fold {
        Fold::Equals => reach.contains(&text.len()),
        Fold::Prefix | Fold::Suffix => true,
    }
}

/// `numeric`: operator/value pairs, all of which must hold.
fn numeric_matches(arg: &Value, x: f64) -> bool {
    let Value::Array(items) = arg else {
        return false;
    };
    if items.is_empty() || items.len() % 2 != 0 {
        return false;
    }
    items.chunks(2).all(|pair| {
        let (Some(op), Some(bound)) = (pair[0].as_str(), pair[1].as_f64()) else {
            return false;
        };
        match op {
            "=" => x == bound,
            "<" => x < bound,
            "<=" => x <= bound,
            ">" => x > bound,
            ">=" => x >= bound,
            _ => false,
        }
    })
}

/// `wildcard`: `*` matches any run of characters (newlines included), `\*` a literal star,
/// `\\` a literal backslash; any other backslash is itself (moto's reading; AWS rejects it).
fn wildcard_matches(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next) if next == '*' || next == '\\' => {
                    tokens.push(Token::Char(next));
                    chars.next();
                }
                _ => tokens.push(Token::Char('\\')),
            },
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with backtracking to the last star: linear in practice.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|tok| *tok == Token::Star)
}

/// `cidr`: an IPv4 or IPv6 block; the event string must be an address of the same family.
fn cidr_matches(block: &str, text: &str) -> bool {
    let Some((net, bits)) = block.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(bits), Ok(addr)) = (
        net.parse::<IpAddr>(),
        bits.parse::<u32>(),
        text.parse::<IpAddr>(),
    ) else {
        return false;
    };
    match (net, addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", Value::String(s.clone())),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// `one of ["a", 5]`, `prefix "eu-"`, joined with ` or `.
fn describe_conditions(conditions: &[Value]) -> String {
    let literals: Vec<Value> = conditions
        .iter()
        .filter(|c| !c.is_object() && !c.is_array())
        .cloned()
        .collect();
    let mut parts = Vec::new();
    if !literals.is_empty() {
        parts.push(format!("one of {}", Value::Array(literals)));
    }
    for condition in conditions {
        match condition {
            Value::Object(op) if op.len() == 1 => {
                for (name, arg) in op {
                    parts.push(describe_operator(name, arg));
                }
            }
            Value::Object(_) | Value::Array(_) => {
                parts.push(format!("the unsupported condition {condition}"));
            }
            _ => {}
        }
    }
    if parts.is_empty() {
        "a non-empty list of conditions".to_string()
    } else {
        parts.join(" or ")
    }
}

fn describe_operator(name: &str, arg: &Value) -> String {
    match (name, arg) {
        ("prefix" | "suffix", Value::Object(inner)) if inner.len() == 1 => {
            match inner.get("equals-ignore-case") {
                Some(p) => format!("{name} (ignoring case) {p}"),
                None => format!("{name} {arg}"),
            }
        }
        ("anything-but", Value::Object(inner)) if inner.len() == 1 => {
            let (inner_name, inner_arg) = inner
                .iter()
                .next()
                .map_or(("", &Value::Null), |(k, v)| (k.as_str(), v));
            format!("anything but {}", describe_operator(inner_name, inner_arg))
        }
        ("anything-but", _) => format!("anything but {arg}"),
        ("exists", Value::Bool(true)) => "present".to_string(),
        ("exists", Value::Bool(false)) => "absent".to_string(),
        _ => format!("{name} {arg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcard_escapes_and_backtracking() {
        assert!(wildcard_matches("dir/*.png", "dir/a/b.png"));
        assert!(!wildcard_matches("dir/*.png", "dir/a/b.png.txt"));
        assert!(wildcard_matches("a*b*c", "aXbYbc"));
        assert!(wildcard_matches("a\\*b", "a*b"));
        assert!(!wildcard_matches("a\\*b", "aXb"));
        assert!(wildcard_matches("a\\\\b", "a\\b"));
        assert!(wildcard_matches("*", ""));
        assert!(!wildcard_matches("", "x"));
        assert!(wildcard_matches("*\n*", "line\nnext"));
    }

    #[test]
    fn cidr_families_and_masks() {
        assert!(cidr_matches("10.0.0.0/24", "10.0.0.255"));
        assert!(!cidr_matches("10.0.0.0/24", "10.0.1.0"));
        assert!(cidr_matches("0.0.0.0/0", "8.8.8.8"));
        assert!(cidr_matches("2001:db8::/32", "2001:DB8:0:0:1::1"));
        assert!(!cidr_matches("2001:db8::/32", "10.0.0.1"));
        assert!(!cidr_matches("10.0.0.0/24", "not an ip"));
        assert!(!cidr_matches("10.0.0.0/33", "10.0.0.1"));
    }

    #[test]
    fn mismatch_names_field_condition_and_value() {
        let pattern = json!({"detail": {"state": ["running"], "n": [{"numeric": [">", 1]}]}});
        let m = matches(&pattern, &json!({"detail": {"state": "stopped"}})).unwrap_err();
        assert_eq!(m.path, "detail.state");
        assert_eq!(m.condition, "one of [\"running\"]");
        assert_eq!(m.found, Some(json!("stopped")));
        let m = matches(&pattern, &json!({"detail": {"state": "running"}})).unwrap_err();
        assert_eq!((m.path.as_str(), m.found), ("detail.n", None));
        assert_eq!(m.condition, "numeric [\">\",1]");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for pattern in [
            json!(null),
            json!({"a": 1}),
            json!({"a": [{}]}),
            json!({"a": [{"numeric": [">"]}]}),
            json!({"a": [{"numeric": "x"}]}),
            json!({"a": [{"cidr": 5}]}),
            json!({"a": [{"anything-but": {}}]}),
            json!({"$or": []}),
            json!({"$or": [1, 2]}),
            json!({"a": [[1]]}),
        ] {
            let _ = matches(&pattern, &json!({"a": [1, {"b": 2}, [3]]}));
            let _ = matches(&pattern, &json!("not an object"));
        }
    }
}
