//! Override values read against what their author most likely meant, and against the trigger's
//! pattern: a literal that is an event path (the `{ from: … }` was forgotten), `{ from: … }`
//! written directly under `environment`, a path the pattern requires to be absent (it can never
//! deliver a value), and a path the pattern fixes to one value (it is a constant).

use serde_json::Value;

use super::json_path;
use crate::diagnostics::Diagnostic;
use crate::spec::{pointer_push, CommandOverride, OverrideValue, Task};

/// Every problem of the task's overrides described above. `t` is the effective task.
pub(super) fn check(id: &str, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(o) = &t.overrides else { return };
    let base = pointer_push(at, "overrides");
    let env = pointer_push(&base, "environment");
    let command = pointer_push(&base, "command");

    // Literals that look like event paths.
    for (name, value) in &o.environment {
        let OverrideValue::Literal(s) = value else {
            continue;
        };
        let ptr = pointer_push(&env, name);
        if name == "from" && s.starts_with('$') {
            out.push(
                Diagnostic::error(
                    "override-from",
                    ptr,
                    format!("tasks.{id}.overrides.environment sets a variable named `from` to `{s}`: `{{ from: … }}` belongs under a variable's name, not directly under `environment`"),
                )
                .with_help(format!("write `environment: {{ NAME: {{ from: {s} }} }}`, with the variable's name for NAME"))
                .on_key(),
            );
        } else if json_path().is_match(s) {
            out.push(
                Diagnostic::warning(
                    "override-literal",
                    ptr,
                    format!("tasks.{id}: override `{name}` is the literal text `{s}`, not the event's value at that path"),
                )
                .with_help(format!("to copy the value from the event, write `{name}: {{ from: {s} }}`")),
            );
        }
    }
    if let Some(CommandOverride::List(items)) = &o.command {
        for (i, item) in items.iter().enumerate() {
            if let OverrideValue::Literal(s) = item {
                if json_path().is_match(s) {
                    out.push(
                        Diagnostic::warning(
                            "override-literal",
                            pointer_push(&command, &i.to_string()),
                            format!("tasks.{id}: command element {i} is the literal text `{s}`, not the event's value at that path"),
                        )
                        .with_help(format!("to pass the value from the event, write this element as `{{ from: {s} }}`")),
                    );
                }
            }
        }
    }

    // `from` paths against the trigger's pattern.
    let Some(pattern) = &t.trigger.event else {
        return;
    };
    let mut reads: Vec<(String, &str, bool)> = o
        .environment
        .iter()
        .filter_map(|(name, v)| match v {
            OverrideValue::From(f) => Some((
                pointer_push(&pointer_push(&env, name), "from"),
                f.from.as_str(),
                false,
            )),
            OverrideValue::Literal(_) => None,
        })
        .collect();
    match &o.command {
        Some(CommandOverride::From(f)) => {
            reads.push((pointer_push(&command, "from"), f.from.as_str(), true));
        }
        Some(CommandOverride::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let OverrideValue::From(f) = item {
                    let ptr = pointer_push(&pointer_push(&command, &i.to_string()), "from");
                    reads.push((ptr, f.from.as_str(), false));
                }
            }
        }
        None => {}
    }
    for (ptr, path, whole_command) in reads {
        let Some((field, indexed, conditions)) = conditions_at(pattern, path) else {
            continue;
        };
        if required_absent(conditions) {
            out.push(
                Diagnostic::error(
                    "override-path",
                    ptr,
                    format!("tasks.{id}: the trigger's pattern requires `{field}` to be absent (`exists: false`), so `{path}` never delivers a value"),
                )
                .with_help(format!("the input transformer would leave the value out and RunTask would fail on every event; read another field, or drop `exists: false` from `{field}` in `trigger.event`")),
            );
        } else if let (false, false, Some(value)) = (indexed, whole_command, constant(conditions)) {
            // An event whose field is an array holding this value matches too (EP, arrays),
            // and then delivers that array, which ECS rejects anyway: for every event that can
            // start the task, the value is this constant.
            out.push(
                Diagnostic::warning(
                    "override-constant",
                    ptr,
                    format!("tasks.{id}: the trigger's pattern matches only events whose `{field}` is {value}, so `{path}` always delivers {value}"),
                )
                .with_help("write the value literally (no input transformer needed for it), or widen the pattern in `trigger.event` if the value should vary"),
            );
        }
    }
}

/// The pattern's conditions on the field a `$.a.b` path (optionally ending in `[N]` indices)
/// reads, outside any `$or` (so every event that matches meets them): the dotted field name,
/// whether the path indexes into it, and its array of conditions.
fn conditions_at<'a>(pattern: &'a Value, path: &'a str) -> Option<(&'a str, bool, &'a [Value])> {
    let rest = path.strip_prefix("$.")?;
    let field = rest.split('[').next().unwrap_or(rest);
    // Only trailing indices (`$.detail.items[0]`); `$.detail[0].x` reads another field.
    let indices = &rest[field.len()..];
    if !indices
        .chars()
        .all(|c| c == '[' || c == ']' || c.is_ascii_digit())
    {
        return None;
    }
    let indexed = !indices.is_empty();
    let mut node = pattern;
    for segment in field.split('.') {
        node = node.as_object()?.get(segment)?;
    }
    node.as_array()
        .map(|conditions| (field, indexed, conditions.as_slice()))
}

/// `[{"exists": false}]` (possibly repeated): only events without the field match. CF "Exists
/// matching": exists works on leaf nodes, so the field may still be an object (or an array of
/// objects) there; neither is a value ECS accepts as an environment value, a command element or
/// a command (arrays of strings).
fn required_absent(conditions: &[Value]) -> bool {
    !conditions.is_empty()
        && conditions.iter().all(|c| {
            c.as_object()
                .is_some_and(|m| m.len() == 1 && m.get("exists") == Some(&Value::Bool(false)))
        })
}

/// The one exact value the conditions allow (a single string, number or boolean), as text.
fn constant(conditions: &[Value]) -> Option<String> {
    match conditions {
        [Value::String(s)] => Some(format!("`{s}`")),
        [v @ (Value::Number(_) | Value::Bool(_))] => Some(format!("`{v}`")),
        _ => None,
    }
}

/// The sizes one run asks for (`overrides.cpu`, `memory`, `container_cpu`,
/// `container_memory`): a literal task CPU must be a Fargate size and, with the memory the run
/// gets (overridden or the created definition's), a Fargate pair; container sizes stay within
/// the task's; a container size read from the event must be a JSON number there, as RunTask
/// takes it. `own` is the task as written, `t` the effective task.
pub(super) fn check_sizes(id: &str, own: &Task, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    use crate::spec::SizeOverride;
    let Some(o) = &t.overrides else { return };
    let base = pointer_push(at, "overrides");
    let lit = |v: Option<&SizeOverride>| match v {
        Some(SizeOverride::Literal(n)) => Some(*n),
        _ => None,
    };
    let created = own.task_definition.is_none();
    let defined = |v: &Option<crate::spec::ParamOr<u32>>, default: u32| match v {
        None if created => Some(default),
        Some(p) if created => p.lit().copied(),
        _ => None,
    };
    // The size the run gets: the override's literal, the definition's when not overridden, or
    // unknown (read from the event, or an existing definition's).
    let cpu = match &o.cpu {
        Some(v) => lit(Some(v)),
        None => defined(&t.cpu, crate::model::DEFAULT_CPU),
    };
    let memory = match &o.memory {
        Some(v) => lit(Some(v)),
        None => defined(&t.memory, crate::model::DEFAULT_MEMORY),
    };
    if let Some(c) = lit(o.cpu.as_ref()) {
        if super::fargate_memory(c).is_empty() {
            out.push(
                Diagnostic::error(
                    "fargate-size",
                    pointer_push(&base, "cpu"),
                    format!("tasks.{id}.overrides.cpu: Fargate has no {c} CPU size"),
                )
                .with_help("use one of 256, 512, 1024, 2048, 4096, 8192, 16384"),
            );
            return;
        }
    }
    if let (Some(c), Some(m), true) = (cpu, memory, o.cpu.is_some() || o.memory.is_some()) {
        let valid = super::fargate_memory(c);
        if !valid.is_empty() && !valid.contains(&m) {
            let field = if o.memory.is_some() { "memory" } else { "cpu" };
            out.push(
                Diagnostic::error(
                    "fargate-size",
                    pointer_push(&base, field),
                    format!("a run of tasks.{id} would ask Fargate for {c} CPU / {m} MiB, which is no Fargate size"),
                )
                .with_help(format!(
                    "with cpu {c}, memory must be one of {}",
                    super::list(&valid)
                )),
            );
        }
    }
    for (name, task_size, unit) in [
        ("container_cpu", cpu, "CPU units"),
        ("container_memory", memory, "MiB"),
    ] {
        let v = if name == "container_cpu" {
            o.container_cpu.as_ref()
        } else {
            o.container_memory.as_ref()
        };
        if let (Some(n), Some(task)) = (lit(v), task_size) {
            if n > task {
                out.push(
                    Diagnostic::error(
                        "fargate-size",
                        pointer_push(&base, name),
                        format!("tasks.{id}.overrides.{name} is {n} {unit}, more than the task's {task}"),
                    )
                    .with_help("a container gets at most what its task has: lower it, or raise the task's size too"),
                );
            }
        }
        if let (Some(SizeOverride::From(f)), Some(pattern)) = (v, &t.trigger.event) {
            if crate::model::kinds::path_kind(pattern, &f.from)
                == crate::model::kinds::ValueKind::String
            {
                out.push(
                    Diagnostic::error(
                        "override-type",
                        pointer_push(&pointer_push(&base, name), "from"),
                        format!("the trigger's pattern shows a string at `{}`, and RunTask takes tasks.{id}.overrides.{name} only as a JSON number", f.from),
                    )
                    .with_help("send the size as a number in the event (`\"memory\": 2048`), or read it from a field that holds one"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn task(yaml: &str) -> Task {
        serde_norway::from_str(yaml).expect("test task")
    }

    fn found(yaml: &str) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        check("t", &task(yaml), "/tasks/t", &mut out);
        out.into_iter()
            .map(|d| (d.pointer, d.code, d.help.unwrap_or_default()))
            .collect()
    }

    const TRIGGER: &str = "trigger: { event: { source: [a], detail: { subject: [execute], gone: [{ exists: false }], n: [5], any: [{ exists: true }] } } }\n";

    #[test]
    fn literals_that_are_paths() {
        let got = found(&format!("{TRIGGER}overrides:\n  environment: {{ TENANT: $.detail.tenant, MODE: fast, PRICE: $5 }}\n  command: [run, '$.resources[0]', '$']\n"));
        assert_eq!(
            got,
            vec![
                (
                    "/tasks/t/overrides/environment/TENANT".into(),
                    "override-literal",
                    "to copy the value from the event, write `TENANT: { from: $.detail.tenant }`".into()
                ),
                (
                    "/tasks/t/overrides/command/1".into(),
                    "override-literal",
                    "to pass the value from the event, write this element as `{ from: $.resources[0] }`".into()
                ),
            ]
        );
    }

    #[test]
    fn a_variable_named_from() {
        let got = found(&format!(
            "{TRIGGER}overrides:\n  environment: {{ from: $.detail.env }}\n"
        ));
        assert_eq!(
            got,
            vec![(
                "/tasks/t/overrides/environment/from".into(),
                "override-from",
                "write `environment: { NAME: { from: $.detail.env } }`, with the variable's name for NAME".into()
            )]
        );
        // A variable named `from` with a plain value, or filled from the event, is fine.
        assert_eq!(
            found(&format!(
                "{TRIGGER}overrides:\n  environment: {{ from: mail, X: {{ from: $.detail.x }} }}\n"
            )),
            vec![]
        );
        assert_eq!(
            found(&format!(
                "{TRIGGER}overrides:\n  environment:\n    from: {{ from: $.detail.x }}\n"
            )),
            vec![]
        );
    }

    #[test]
    fn paths_the_pattern_requires_absent() {
        let got = found(&format!("{TRIGGER}overrides:\n  environment: {{ A: {{ from: $.detail.gone }}, B: {{ from: $.detail.gone.x }} }}\n  command: {{ from: $.detail.gone }}\n"));
        let codes: Vec<_> = got.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            codes,
            vec![
                ("/tasks/t/overrides/environment/A/from", "override-path"),
                ("/tasks/t/overrides/command/from", "override-path"),
            ]
        );
        // `exists: false` ORed with a value: the field may hold that value.
        let or = "trigger: { event: { source: [a], detail: { x: [{ exists: false }, v] } } }\noverrides: { environment: { A: { from: $.detail.x } } }\n";
        assert_eq!(found(or), vec![]);
        // Inside `$or` only one alternative requires it absent.
        let alt = "trigger: { event: { source: [a], $or: [{ detail: { x: [{ exists: false }] } }, { detail-type: [T] }] } }\noverrides: { environment: { A: { from: $.detail.x } } }\n";
        assert_eq!(found(alt), vec![]);
    }

    #[test]
    fn paths_the_pattern_fixes() {
        let got = found(&format!("{TRIGGER}overrides:\n  environment: {{ S: {{ from: $.detail.subject }}, N: {{ from: $.detail.n }}, E: {{ from: $.detail.any }}, I: {{ from: '$.detail.subject[0]' }} }}\n"));
        let codes: Vec<_> = got.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            codes,
            vec![
                ("/tasks/t/overrides/environment/N/from", "override-constant"),
                ("/tasks/t/overrides/environment/S/from", "override-constant"),
            ]
        );
        let mut out = Vec::new();
        check(
            "t",
            &task(&format!(
                "{TRIGGER}overrides: {{ environment: {{ S: {{ from: $.detail.subject }} }} }}\n"
            )),
            "/tasks/t",
            &mut out,
        );
        assert_eq!(out[0].message, "tasks.t: the trigger's pattern matches only events whose `detail.subject` is `execute`, so `$.detail.subject` always delivers `execute`");
    }

    #[test]
    fn conditions_are_found_at_plain_field_paths() {
        let p = json!({"detail": {"a": {"b": ["x"]}}, "$or": [{"c": ["y"]}, {"d": ["z"]}]});
        assert_eq!(
            conditions_at(&p, "$.detail.a.b").map(|c| c.0),
            Some("detail.a.b")
        );
        assert_eq!(
            conditions_at(&p, "$.detail.a.b[2]").map(|c| c.1),
            Some(true)
        );
        assert_eq!(conditions_at(&p, "$.detail.a"), None);
        assert_eq!(conditions_at(&p, "$.c"), None);
        assert_eq!(conditions_at(&p, "$[0]"), None);
        assert_eq!(conditions_at(&p, "$.detail[0].a"), None);
    }
}
