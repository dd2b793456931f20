//! `tfc event`: an event that a task's pattern matches, with its override paths filled in, as a
//! PutEvents entry. The caller checks the result with [`super::simulate`].

use serde_json::{json, Map, Value};

use crate::model::{TaskModel, Trigger};
use crate::spec::{CommandOverride, OverrideValue};

/// A value that satisfies one element of a leaf array, if tfc can construct one.
fn satisfy(element: &Value) -> Option<Option<Value>> {
    // Some(None) = the field must be absent (exists: false).
    match element {
        Value::Object(op) => {
            let (name, arg) = op.iter().next()?;
            let text = |v: &Value| -> Option<String> {
                match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(inner) => inner
                        .get("equals-ignore-case")
                        .and_then(Value::as_str)
                        .map(String::from),
                    _ => None,
                }
            };
            Some(Some(match name.as_str() {
                "prefix" | "suffix" | "equals-ignore-case" => json!(text(arg)?),
                "wildcard" => json!(unwildcard(arg.as_str()?)),
                "exists" => {
                    return Some(if arg.as_bool()? {
                        Some(json!("example"))
                    } else {
                        None
                    })
                }
                "cidr" => json!(arg.as_str()?.split('/').next()?),
                "numeric" => {
                    let n = numeric_example(arg.as_array()?)?;
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        json!(n as i64)
                    } else {
                        json!(n)
                    }
                }
                "anything-but" => anything_but_example(arg)?,
                _ => return None,
            }))
        }
        Value::Array(_) => None,
        other => Some(Some(other.clone())),
    }
}

/// The literal text a wildcard pattern matches when every `*` matches nothing.
fn unwildcard(p: &str) -> String {
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => {}
            c => out.push(c),
        }
    }
    out
}

fn numeric_example(ops: &[Value]) -> Option<f64> {
    let mut lo = f64::MIN;
    let mut hi = f64::MAX;
    let mut exact = None;
    for pair in ops.chunks(2) {
        let (op, n) = (pair.first()?.as_str()?, pair.get(1)?.as_f64()?);
        match op {
            "=" => exact = Some(n),
            ">" | ">=" => lo = if op == ">" { n + 0.5 } else { n },
            "<" | "<=" => hi = if op == "<" { n - 0.5 } else { n },
            _ => return None,
        }
    }
    if let Some(e) = exact {
        return Some(e);
    }
    let v = match (lo > f64::MIN, hi < f64::MAX) {
        (true, true) => (lo + hi) / 2.0,
        (true, false) => lo.ceil(),
        (false, true) => hi.floor(),
        (false, false) => 0.0,
    };
    Some(v)
}

fn anything_but_example(arg: &Value) -> Option<Value> {
    let excluded_numbers: Vec<f64> = match arg {
        Value::Number(n) => vec![n.as_f64()?],
        Value::Array(items) => items.iter().filter_map(Value::as_f64).collect(),
        _ => Vec::new(),
    };
    if !excluded_numbers.is_empty() {
        let mut n = 0.0;
        while excluded_numbers.contains(&n) {
            n += 1.0;
        }
        return Some(json!(n));
    }
    Some(json!("tfc-example-value"))
}

/// A pattern object → an event object it matches (first satisfiable choice everywhere).
fn build(pattern: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in pattern {
        if k == "$or" {
            let first = v.as_array()?.first()?.as_object()?;
            merge(&mut out, build(first)?);
            continue;
        }
        match v {
            Value::Object(inner) => {
                let built = build(inner)?;
                match out.get_mut(k) {
                    Some(Value::Object(existing)) => merge(existing, built),
                    _ => {
                        out.insert(k.clone(), Value::Object(built));
                    }
                }
            }
            Value::Array(choices) => {
                let value = choices.iter().find_map(satisfy)?;
                if let Some(v) = value {
                    out.insert(k.clone(), v);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// The most array elements an example event may gain from paths: PutEvents takes at most 256 KB
/// and an element needs at least two bytes, so an event with more could never be put. Bounds
/// what `tfc event` allocates, whatever the spec's and `--set`'s indices add up to.
pub const MAX_PADDING: usize = crate::model::input::MAX_PATH_INDEX + 1;

/// Sets `value` at a `$.a.b` / `$.a[0]` path, creating objects (and arrays) on the way; the
/// array elements this adds count against `budget` (see [`MAX_PADDING`]). Paths are at most
/// [`crate::validate::MAX_PATH_CHARS`] long, as EventBridge's, which also bounds the nesting.
pub fn set_path(
    event: &mut Value,
    path: &str,
    value: Value,
    budget: &mut usize,
) -> Result<(), String> {
    if path.len() > crate::validate::MAX_PATH_CHARS {
        return Err(format!(
            "the path is {} characters; EventBridge reads paths of at most {}",
            path.len(),
            crate::validate::MAX_PATH_CHARS
        ));
    }
    let too_big = || {
        "an event with array elements up to these indices would be over 256 KB, the most PutEvents accepts".to_string()
    };
    let rest = path
        .strip_prefix("$.")
        .ok_or_else(|| format!("`{path}` is not a `$.`-rooted path"))?;
    let mut segments = Vec::new();
    for part in rest.split('.') {
        let (name, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return Err(format!("`{path}` has an empty field name"));
        }
        segments.push(Err(name.to_string()));
        for idx in indices.split('[').filter(|s| !s.is_empty()) {
            let n: usize = idx
                .trim_end_matches(']')
                .parse()
                .ok()
                .filter(|n| *n <= crate::model::input::MAX_PATH_INDEX)
                .ok_or_else(|| {
                    format!(
                        "`{path}` has an index that is not a number from 0 to {} (an event is at most 256 KB)",
                        crate::model::input::MAX_PATH_INDEX
                    )
                })?;
            segments.push(Ok(n));
        }
    }
    let mut cur = event;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let next_default = || match segments.get(i + 1) {
            Some(Ok(_)) => json!([]),
            _ => json!({}),
        };
        cur = match seg {
            Err(name) => {
                if !cur.is_object() {
                    *cur = json!({});
                }
                let m = cur.as_object_mut().ok_or("not an object")?;
                let slot = m.entry(name.clone()).or_insert_with(next_default);
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            Ok(n) => {
                if !cur.is_array() {
                    *cur = json!([]);
                }
                let a = cur.as_array_mut().ok_or("not an array")?;
                let grow = (*n + 1).saturating_sub(a.len());
                *budget = budget.checked_sub(grow).ok_or_else(too_big)?;
                a.resize(a.len() + grow, Value::Null);
                if last {
                    a[*n] = value;
                    return Ok(());
                }
                if a[*n].is_null() {
                    a[*n] = next_default();
                }
                &mut a[*n]
            }
        };
    }
    Ok(())
}

/// The event (EventBridge's shape) for a task: its pattern satisfied, its override paths filled
/// with the `sets` given (path → value) or with placeholders of the type ECS expects.
pub fn example_event(task: &TaskModel, sets: &[(String, Value)]) -> Result<Value, String> {
    let Trigger::Pattern { pattern, .. } = &task.trigger else {
        return Err(format!(
            "task `{}` runs on a schedule: EventBridge itself emits its events (source aws.events cannot be put); try `tfc simulate --at TIME`",
            task.id
        ));
    };
    let object = pattern.as_object().ok_or("the pattern is not an object")?;
    let mut event = Value::Object(build(object).ok_or_else(|| {
        format!(
            "tfc cannot construct an event for the pattern of task `{}`",
            task.id
        )
    })?);
    let o = &task.overrides;
    let mut defaults: Vec<(String, Value)> = Vec::new();
    for v in o.environment.values() {
        if let OverrideValue::From(f) = v {
            defaults.push((f.from.clone(), json!("example")));
        }
    }
    match &o.command {
        Some(CommandOverride::From(f)) => {
            defaults.push((f.from.clone(), json!(["echo", "example"])))
        }
        Some(CommandOverride::List(items)) => {
            for v in items {
                if let OverrideValue::From(f) = v {
                    defaults.push((f.from.clone(), json!("example")));
                }
            }
        }
        None => {}
    }
    // Sizes the definition can take: its own CPU (1024 for an existing one), the smallest
    // memory Fargate pairs with it, and container sizes below both.
    let def_cpu = match &task.definition {
        crate::model::Definition::Create(d) => d.cpu.lit_or(crate::model::DEFAULT_CPU),
        crate::model::Definition::Existing { .. } => 1024,
    };
    let cpu = match &o.cpu {
        Some(crate::spec::SizeOverride::Literal(n)) => *n,
        _ => def_cpu,
    };
    let memory = crate::validate::fargate_memory(cpu)
        .first()
        .copied()
        .unwrap_or(crate::model::DEFAULT_MEMORY);
    for (name, f) in o.size_paths() {
        let value = match name {
            "cpu" => cpu,
            "memory" => memory,
            "container_cpu" => cpu / 2,
            _ => memory / 2,
        };
        defaults.push((f.from.clone(), json!(value)));
    }
    let mut budget = MAX_PADDING;
    for (path, value) in defaults {
        if !sets.iter().any(|(p, _)| *p == path)
            && super::transform::lookup(&event, &path).is_none()
        {
            set_path(&mut event, &path, value, &mut budget)?;
        }
    }
    for (path, value) in sets {
        set_path(&mut event, path, value.clone(), &mut budget)
            .map_err(|e| format!("--set `{}`: {e}", shorten(path)))?;
    }
    // An event PutEvents would refuse is no example: say so rather than print it.
    let size = super::stream::entry_size(&event);
    if size > super::stream::MAX_ENTRY_BYTES {
        return Err(format!(
            "the event for task `{}` would be {size} bytes as PutEvents counts it, above the {} it accepts (256 KB); use smaller array indices or values",
            task.id,
            super::stream::MAX_ENTRY_BYTES
        ));
    }
    Ok(event)
}

/// A path as an error message shows it: at most 80 characters.
fn shorten(path: &str) -> String {
    match path.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &path[..i]),
        None => path.to_string(),
    }
}

/// The PutEvents entry for an event (`Detail` as a JSON string, the trigger's bus).
pub fn put_events_entry(task: &TaskModel, event: &Value) -> Value {
    let mut entry = Map::new();
    entry.insert(
        "Source".into(),
        event.get("source").cloned().unwrap_or(json!("tfc.example")),
    );
    entry.insert(
        "DetailType".into(),
        event
            .get("detail-type")
            .cloned()
            .unwrap_or(json!("tfc example")),
    );
    let detail = event.get("detail").cloned().unwrap_or(json!({}));
    entry.insert(
        "Detail".into(),
        json!(serde_json::to_string(&detail).unwrap_or_default()),
    );
    if let Some(r) = event
        .get("resources")
        .filter(|r| r.as_array().is_some_and(|a| !a.is_empty()))
    {
        entry.insert("Resources".into(), r.clone());
    }
    if let Trigger::Pattern { bus: Some(bus), .. } = &task.trigger {
        entry.insert("EventBusName".into(), json!(bus));
    }
    Value::Object(entry)
}

/// `aws events put-events --entries '…'`, quoted for a POSIX shell.
pub fn aws_cli(entry: &Value) -> String {
    let json = serde_json::to_string(&json!([entry])).unwrap_or_default();
    format!(
        "aws events put-events --entries '{}'",
        json.replace('\'', "'\\''")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_path_creates_what_is_missing() {
        let mut e = json!({"detail": {"a": 1}});
        let mut budget = MAX_PADDING;
        set_path(&mut e, "$.detail.command", json!("x"), &mut budget).unwrap();
        set_path(&mut e, "$.resources[1]", json!("r"), &mut budget).unwrap();
        assert_eq!(
            e,
            json!({"detail": {"a": 1, "command": "x"}, "resources": [null, "r"]})
        );
        assert!(set_path(&mut e, "detail", json!(1), &mut budget).is_err());
    }

    #[test]
    fn paths_cannot_build_an_event_put_events_would_refuse() {
        // Indices add up across levels and paths: the budget of elements is shared.
        let mut e = json!({});
        let mut budget = MAX_PADDING;
        let deep = format!("$.detail.a{}", "[65535]".repeat(2));
        set_path(&mut e, &deep, json!(1), &mut budget).unwrap();
        assert_eq!(budget, 0);
        assert!(set_path(&mut e, "$.detail.b[0]", json!(1), &mut budget).is_err());
        // A path longer than EventBridge reads is refused before anything is built.
        let long = format!("$.detail{}", ".a".repeat(200));
        assert!(set_path(&mut json!({}), &long, json!(1), &mut MAX_PADDING.clone()).is_err());
    }

    #[test]
    fn examples_satisfy_operators() {
        let p = json!({"source": ["a"], "detail": {"n": [{"numeric": [">", 0, "<=", 5]}], "r": [{"prefix": "eu-"}], "gone": [{"exists": false}], "w": [{"wildcard": "a*b"}]}});
        let e = build(p.as_object().unwrap()).unwrap();
        assert_eq!(
            Value::Object(e),
            json!({"source": "a", "detail": {"n": 2.75, "r": "eu-", "w": "ab"}})
        );
        assert_eq!(
            aws_cli(&json!({"Detail": "it's"})),
            r#"aws events put-events --entries '[{"Detail":"it'\''s"}]'"#
        );
    }
}
