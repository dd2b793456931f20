//! EventBridge input-transformer semantics: what a rule with `InputPathsMap` + `InputTemplate`
//! hands its target for an event, and whether ECS RunTask would accept it as `overrides`.
//!
//! Sources: the EventBridge user guide "Amazon EventBridge input transformation"
//! (`eb-transform-target-input.html`, cited TI), the EventBridge API reference
//! `InputTransformer` (API), the ECS API reference `RunTask`/`ContainerOverride` (ECS), and what
//! LocalStack recorded against AWS (REC, summarised in tfc's `aws-facts.md`).
//!
//! Substitution, as tfc assumes it:
//! - `<key>` is a placeholder when `key` is in the InputPathsMap or is reserved; any other
//!   `<...>` text is left as it is (PutTargets rejects undefined placeholders, REC).
//! - A placeholder standing alone as a JSON value (`"value":<cmd>`) becomes the JSON text of the
//!   value at its path: a string is quoted and escaped (`"showmigrations myapp"`), numbers,
//!   booleans, null, objects and arrays are their compact JSON (TI "Simple JSON", "JSON with a
//!   mix of variables"; REC: `{"id":<v>}` and `{"id":"<v>"}` give the same JSON string).
//! - A placeholder inside a quoted string (`"run <cmd> now"`) gets a string value without its
//!   quotes, other values as their JSON text (TI "JSON with strings and variables").
//!   **Assumption** (AWS only says it "doesn't escape values extracted by Input Path"): tfc
//!   assumes EventBridge copies the value's JSON text out of the event and drops the
//!   surrounding quotes, so a `"` or `\` in an event string stays escaped (`\"`, `\\`) and the
//!   result stays valid JSON. Should AWS insert the unescaped text instead, an event string with
//!   a quote or a backslash would break the JSON inside quoted strings. tfc's own templates put a
//!   placeholder inside quotes only where the trigger's pattern shows a number or a boolean,
//!   whose text has no quotes or backslashes, so this does not change what tfc's output does
//!   (README, "Values from the event").
//! - A path that is missing from the event gives an empty string (TI: "that variable isn't
//!   created"), so `"value":<cmd>` becomes the invalid JSON `"value":`, which
//!   [`check_overrides`] reports.
//! - Reserved placeholders (TI "Predefined variables"): `<aws.events.rule-arn>`,
//!   `<aws.events.rule-name>` and `<aws.events.event.ingestion-time>` are strings;
//!   `<aws.events.event>` and `<aws.events.event.json>` are the whole event as JSON. They take
//!   precedence over an InputPathsMap key of the same name (API: keys cannot start with "AWS").
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Context for reserved placeholders.
pub struct RuleContext<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    pub ingestion_time: &'a str,
}

/// Something that would make the invocation fail (EventBridge counts it in FailedInvocations).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub message: String,
}

/// RunTask: "A total of 8192 characters are allowed for overrides" (ECS `TaskOverride`).
pub const MAX_OVERRIDES_CHARS: usize = 8192;

/// Applies InputPathsMap + InputTemplate to an event as EventBridge does; returns the resulting text.
pub fn apply(
    input_paths: &BTreeMap<String, String>,
    template: &str,
    event: &Value,
    ctx: &RuleContext,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some((name, after)) = rest[1..].split_once('>') {
                if let Some(value) = resolve(name, input_paths, event, ctx) {
                    out.push_str(&render(value.as_ref(), in_string));
                    rest = after;
                    escaped = false;
                    continue;
                }
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The value a placeholder stands for: `Some(None)` for a mapped path missing from the event,
/// `None` when `name` is not a placeholder at all.
fn resolve<'a>(
    name: &str,
    input_paths: &BTreeMap<String, String>,
    event: &'a Value,
    ctx: &RuleContext,
) -> Option<Option<Resolved<'a>>> {
    let text = |s: &str| Some(Some(Resolved::Text(s.to_string())));
    match name {
        "aws.events.rule-arn" => text(ctx.rule_arn),
        "aws.events.rule-name" => text(ctx.rule_name),
        "aws.events.event.ingestion-time" => text(ctx.ingestion_time),
        "aws.events.event" | "aws.events.event.json" => Some(Some(Resolved::Json(event))),
        _ => input_paths
            .get(name)
            .map(|path| lookup(event, path).map(Resolved::Json)),
    }
}

enum Resolved<'a> {
    Json(&'a Value),
    Text(String),
}

fn render(value: Option<&Resolved>, in_string: bool) -> String {
    let json = |v: &Value| serde_json::to_string(v).unwrap_or_default();
    match value {
        None => String::new(),
        Some(Resolved::Text(s)) => render_string(s, in_string),
        Some(Resolved::Json(Value::String(s))) => render_string(s, in_string),
        Some(Resolved::Json(v)) => json(v),
    }
}

fn render_string(s: &str, in_string: bool) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    if in_string {
        // The escaped text without its quotes (see the module's assumption).
        quoted[1..quoted.len() - 1].to_string()
    } else {
        quoted
    }
}

/// Evaluates a JSON path like `$.detail.command` or `$.resources[0]` against the event (None
/// when missing). Supports `$`, `.name`, `[index]` and `['name']`/`["name"]`; anything else
/// (wildcards, filters) is None.
pub fn lookup<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut node = event;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() || name == "*" {
                return None;
            }
            node = node.as_object()?.get(name)?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let (inside, tail) = after.split_once(']')?;
            let quoted = ['\'', '"']
                .iter()
                .find_map(|q| inside.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)));
            node = match quoted {
                Some(name) => node.as_object()?.get(name)?,
                None => node.as_array()?.get(inside.trim().parse::<usize>().ok()?)?,
            };
            rest = tail;
        } else {
            return None;
        }
    }
    Some(node)
}

/// Parses the transformed text as RunTask `overrides` and reports problems: not valid JSON,
/// over 8192 characters, a containerOverrides entry whose `name` is not `container`, a
/// non-string environment value or command element, a command that is not an array of
/// strings, an environment entry without a string name.
pub fn check_overrides(text: &str, container: &str) -> Result<Value, Vec<Problem>> {
    let problem = |message: String| Problem { message };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![problem(format!(
                "the transformed input is not valid JSON ({e}), so RunTask cannot take it as \
                 overrides: {}",
                excerpt(text)
            ))])
        }
    };
    let mut problems = Vec::new();
    // EventBridge passes the JSON minified (TI "Common issues"); ECS counts those characters.
    let length = serde_json::to_string(&value)
        .map(|s| s.chars().count())
        .unwrap_or(0);
    if length > MAX_OVERRIDES_CHARS {
        problems.push(problem(format!(
            "the overrides are {length} characters; RunTask allows at most {MAX_OVERRIDES_CHARS}"
        )));
    }
    let Value::Object(top) = &value else {
        problems.push(problem(format!(
            "the overrides are {}; RunTask expects a JSON object",
            kind(&value)
        )));
        return Err(problems);
    };
    match top.get("containerOverrides") {
        None => {}
        Some(Value::Array(entries)) => {
            for (i, entry) in entries.iter().enumerate() {
                check_container(entry, i, container, &mut problems);
            }
        }
        Some(other) => problems.push(problem(format!(
            "containerOverrides is {}; ECS expects an array",
            kind(other)
        ))),
    }
    // The task's sizes are strings of a number (ECS API reference, `TaskOverride`).
    for key in ["cpu", "memory"] {
        match top.get(key) {
            None => {}
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {}
            Some(Value::String(s)) => problems.push(problem(format!(
                "{key} is {}; ECS expects the number as a string, e.g. \"1024\"",
                Value::String(s.clone())
            ))),
            Some(other) => problems.push(problem(format!(
                "{key} is {}; ECS expects a string",
                kind(other)
            ))),
        }
    }
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

fn check_container(entry: &Value, i: usize, container: &str, problems: &mut Vec<Problem>) {
    let mut push = |message: String| problems.push(Problem { message });
    let at = format!("containerOverrides[{i}]");
    let Value::Object(fields) = entry else {
        return push(format!("{at} is {}; ECS expects an object", kind(entry)));
    };
    match fields.get("name") {
        Some(Value::String(name)) if name == container => {}
        Some(Value::String(name)) => push(format!(
            "{at}.name is {}, but the task definition's container is {}",
            Value::String(name.clone()),
            Value::String(container.to_string())
        )),
        Some(other) => push(format!(
            "{at}.name is {}; ECS expects a string",
            kind(other)
        )),
        None => push(format!(
            "{at} has no name; ECS needs the container's name ({})",
            Value::String(container.to_string())
        )),
    }
    match fields.get("command") {
        None => {}
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                if !item.is_string() {
                    push(format!(
                        "{at}.command[{j}] is {}; ECS expects a string",
                        kind(item)
                    ));
                }
            }
        }
        Some(other) => push(format!(
            "{at}.command is {}; ECS expects an array of strings",
            kind(other)
        )),
    }
    match fields.get("environment") {
        None => {}
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                let at = format!("{at}.environment[{j}]");
                let Value::Object(pair) = item else {
                    push(format!(
                        "{at} is {}; ECS expects {{\"name\", \"value\"}}",
                        kind(item)
                    ));
                    continue;
                };
                let name = match pair.get("name") {
                    Some(Value::String(n)) => format!(" ({n})"),
                    Some(other) => {
                        push(format!(
                            "{at}.name is {}; ECS expects a string",
                            kind(other)
                        ));
                        String::new()
                    }
                    None => {
                        push(format!("{at} has no name; ECS expects a string"));
                        String::new()
                    }
                };
                match pair.get("value") {
                    None | Some(Value::String(_)) => {}
                    Some(other) => push(format!(
                        "{at}.value{name} is {}; ECS expects a string",
                        kind(other)
                    )),
                }
            }
        }
        Some(other) => push(format!(
            "{at}.environment is {}; ECS expects an array of {{\"name\", \"value\"}}",
            kind(other)
        )),
    }
    // A container's sizes are JSON integers (ECS API reference, `ContainerOverride`).
    for key in ["cpu", "memory"] {
        match fields.get(key) {
            None => {}
            Some(Value::Number(n)) if n.as_u64().is_some() => {}
            Some(other) => push(format!(
                "{at}.{key} is {}; ECS expects a whole number",
                kind(other)
            )),
        }
    }
}

fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", Value::String(s.clone())),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// The start of a long text, for messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> RuleContext<'static> {
        RuleContext {
            rule_arn: "arn:aws:events:eu-west-1:123456789012:rule/r",
            rule_name: "r",
            ingestion_time: "2024-01-01T00:00:00Z",
        }
    }

    #[test]
    fn lookup_paths() {
        let e = json!({"detail": {"a-b": [1, {"c": "x"}]}, "resources": ["r0"]});
        assert_eq!(lookup(&e, "$"), Some(&e));
        assert_eq!(lookup(&e, "$.resources[0]"), Some(&json!("r0")));
        assert_eq!(lookup(&e, "$.detail.a-b[1].c"), Some(&json!("x")));
        assert_eq!(lookup(&e, "$['detail']['a-b'][0]"), Some(&json!(1)));
        for missing in [
            "$.nope",
            "$.resources[1]",
            "$.resources[x]",
            "detail",
            "$.",
            "$..a",
            "$.detail.*",
            "$[",
        ] {
            assert_eq!(lookup(&e, missing), None, "{missing}");
        }
    }

    #[test]
    fn placeholders_in_strings_and_unknown_ones() {
        let paths = BTreeMap::from([("v".to_string(), "$.v".to_string())]);
        let e = json!({"v": "say \"hi\"\\"});
        let t = r#"{"a":<v>,"b":"<v>","c":"x <v> <w> <aws.events.rule-name>","d":"\"<v>"}"#;
        let out = apply(&paths, t, &e, &ctx());
        assert_eq!(
            out,
            r#"{"a":"say \"hi\"\\","b":"say \"hi\"\\","c":"x say \"hi\"\\ <w> r","d":"\"say \"hi\"\\"}"#
        );
        assert!(serde_json::from_str::<Value>(&out).is_ok());
    }
}
