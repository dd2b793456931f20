//! A small, strict YAML emitter for generated documents (block style, two-space indent).
//!
//! Scalars are emitted plain only when no YAML 1.1 or 1.2 reader (cfn-lint's included) could
//! read them as anything but the same string; otherwise single-quoted (readable for JSON input
//! templates), or double-quoted with escapes when they hold line breaks or non-printable
//! characters. Every string therefore parses back to exactly the value it came from.

use serde_json::Value;

/// Renders `value` as the body of a block at `indent` levels (two spaces each), ending with `\n`.
pub fn to_yaml(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    emit_block(value, indent, &mut out);
    out
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

fn is_scalar(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => true,
    }
}

fn emit_block(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&pad(indent));
                out.push_str(&scalar_string(k));
                out.push(':');
                emit_child(v, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad(indent));
                out.push('-');
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // The first key shares the dash's line; the rest align under it.
                        let mut first = true;
                        for (k, v) in map {
                            if first {
                                out.push(' ');
                                first = false;
                            } else {
                                out.push_str(&pad(indent + 1));
                            }
                            out.push_str(&scalar_string(k));
                            out.push(':');
                            emit_child(v, indent + 1, out);
                        }
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        out.push('\n');
                        emit_block(item, indent + 1, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&scalar(item));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad(indent));
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

/// After `key:`: a scalar on the same line, a collection on the next lines.
fn emit_child(v: &Value, indent: usize, out: &mut String) {
    if is_scalar(v) {
        out.push(' ');
        out.push_str(&scalar(v));
        out.push('\n');
    } else {
        out.push('\n');
        emit_block(v, indent + 1, out);
    }
}

/// A scalar (or empty collection) in flow form.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Words some YAML reader resolves to a non-string (YAML 1.1 booleans and nulls included).
const RESERVED: [&str; 22] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "=", "<<", "nan", "inf",
    "TRUE", "FALSE", "YES", "NO", "ON", "OFF", "NULL", "Null",
];

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let lower = s.to_ascii_lowercase();
    (first.is_ascii_alphabetic() || first == '/' || first == '$' || first == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _./:@+=,$()-".contains(c))
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !RESERVED.contains(&s)
        && !RESERVED.contains(&lower.as_str())
}

/// YAML's printable set (YAML 1.2 §5.1) minus the characters readers treat as line breaks.
pub fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A string scalar, plain when unambiguous, quoted otherwise.
pub fn scalar_string(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    if s.chars().all(printable) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn block_layout() {
        let v = json!({"A": {"B": [1, "x"], "C": []}, "D": [{"E": "f", "G": {"H": true}}, ["m"]]});
        assert_eq!(
            to_yaml(&v, 1),
            "  A:\n    B:\n      - 1\n      - x\n    C: []\n  D:\n    - E: f\n      G:\n        H: true\n    -\n      - m\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for (s, want) in [
            ("yes", "'yes'"),
            ("Off", "'Off'"),
            ("2026-11-28", "'2026-11-28'"),
            ("0123", "'0123'"),
            ("!Ref X", "'!Ref X'"),
            ("a: b", "'a: b'"),
            ("it's", "'it''s'"),
            ("", "''"),
            ("line\nbreak", "\"line\\nbreak\""),
            ("nel\u{85}", "\"nel\\u0085\""),
            ("sh -c", "sh -c"),
            (
                "arn:aws:iam::123456789012:role/x",
                "arn:aws:iam::123456789012:role/x",
            ),
        ] {
            assert_eq!(scalar_string(s), want, "{s:?}");
        }
    }
}
