//! What a trigger's event pattern says about the JSON type of an event field: the input
//! transformer copies values into RunTask overrides, where ECS accepts only strings (environment
//! values, command elements), so a field the pattern shows to be a number or a boolean must
//! arrive quoted.
//!
//! The pattern is the only knowledge tfc has of the event: a field matched by a `numeric`
//! operator or by exact numbers can only be a number when the rule fires (EventBridge user guide,
//! "Comparison operators": numeric matching applies to JSON numbers; exact values match by JSON
//! type, so `[5]` does not match `"5"`), one matched by `true`/`false` only a boolean, and one
//! matched by strings or string operators (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`,
//! `cidr`) only a string. Anything else (`exists`, `anything-but`, no condition) is unknown.

use serde_json::Value;

/// The JSON type the pattern allows at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Only strings match.
    String,
    /// Only numbers, booleans, or both match: never a string.
    NonString,
    /// Strings and numbers or booleans both match.
    Mixed,
    /// The pattern does not say.
    Unknown,
}

#[derive(Default)]
struct Seen {
    string: bool,
    non_string: bool,
    unknown: bool,
    any: bool,
}

impl Seen {
    fn kind(&self) -> ValueKind {
        match (self.any, self.unknown, self.string, self.non_string) {
            (false, ..) | (_, true, ..) => ValueKind::Unknown,
            (_, _, true, true) => ValueKind::Mixed,
            (_, _, true, false) => ValueKind::String,
            (_, _, false, true) => ValueKind::NonString,
            _ => ValueKind::Unknown,
        }
    }

    fn condition(&mut self, c: &Value) {
        self.any = true;
        match c {
            Value::String(_) => self.string = true,
            Value::Number(_) | Value::Bool(_) => self.non_string = true,
            Value::Object(op) => match op.keys().next().map(String::as_str) {
                Some("prefix" | "suffix" | "equals-ignore-case" | "wildcard" | "cidr") => {
                    self.string = true
                }
                Some("numeric") => self.non_string = true,
                _ => self.unknown = true,
            },
            _ => self.unknown = true,
        }
    }
}

/// The kind of the value at a `$.a.b` path under `pattern` (indexed paths are unknown: a
/// pattern matches an array when any element matches, whatever its position).
pub fn path_kind(pattern: &Value, path: &str) -> ValueKind {
    let Some(rest) = path.strip_prefix("$.") else {
        return ValueKind::Unknown;
    };
    if rest.contains(['[', '\'', '"']) {
        return ValueKind::Unknown;
    }
    let segments: Vec<&str> = rest.split('.').collect();
    let mut seen = Seen::default();
    collect(pattern, &segments, &mut seen);
    seen.kind()
}

fn collect(node: &Value, segments: &[&str], seen: &mut Seen) {
    let Value::Object(map) = node else { return };
    // Every `$or` branch at this level may constrain the path too.
    if let Some(Value::Array(branches)) = map.get("$or") {
        for b in branches {
            collect(b, segments, seen);
        }
    }
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    match (map.get(*first), rest.is_empty()) {
        (Some(Value::Array(conditions)), true) => {
            for c in conditions {
                seen.condition(c);
            }
        }
        (Some(child @ Value::Object(_)), false) => collect(child, rest, seen),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_follow_the_matchers() {
        let p = json!({
            "detail": {
                "amount": [{"numeric": [">", 0]}],
                "count": [1, 2],
                "flag": [true],
                "name": ["a", {"prefix": "b"}],
                "either": ["a", 1],
                "any": [{"exists": true}],
                "nested": {"x": [{"cidr": "10.0.0.0/8"}]}
            },
            "$or": [{"detail": {"orred": [5]}}, {"detail": {"orred": [{"numeric": ["<", 0]}]}}]
        });
        let k = |path| path_kind(&p, path);
        assert_eq!(k("$.detail.amount"), ValueKind::NonString);
        assert_eq!(k("$.detail.count"), ValueKind::NonString);
        assert_eq!(k("$.detail.flag"), ValueKind::NonString);
        assert_eq!(k("$.detail.name"), ValueKind::String);
        assert_eq!(k("$.detail.either"), ValueKind::Mixed);
        assert_eq!(k("$.detail.any"), ValueKind::Unknown);
        assert_eq!(k("$.detail.nested.x"), ValueKind::String);
        assert_eq!(k("$.detail.orred"), ValueKind::NonString);
        assert_eq!(k("$.detail.missing"), ValueKind::Unknown);
        assert_eq!(k("$.detail.count[0]"), ValueKind::Unknown);
        assert_eq!(k("$.detail"), ValueKind::Unknown);
    }
}
