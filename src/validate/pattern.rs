//! Structural validation of EventBridge event patterns (operators, value types, sizes).
//!
//! [`check_pattern`] reports every problem with a JSON pointer relative to the pattern root; it
//! never matches events. Rules cite their source as: EP, the EventBridge user guide page "Event
//! patterns" <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>;
//! OPS, "Comparison operators for use in event patterns" (`eb-create-pattern-operators.html`);
//! CF, "Content filtering" (`eb-event-patterns-content-based-filtering.html`); and, where the
//! guide is silent, RULER: <https://github.com/aws/event-ruler>, the open-source engine behind
//! EventBridge patterns.
use serde_json::{Map, Value};
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub level: Level,
    /// JSON pointer *relative to the pattern root*, RFC 6901 escaped (e.g. "/detail/state/0/numeric"), "" for the root.
    pub pointer: String,
    /// What is wrong, naming the field and the operator, e.g. "`numeric` needs operator/value pairs such as [\">\", 0, \"<=\", 5]".
    pub message: String,
    /// What would be valid.
    pub help: Option<String>,
    /// The problem is the key at `pointer` (an unknown operator), not its value.
    pub on_key: bool,
}

/// OPS: the only keys an operator object may have.
const OPERATORS: [&str; 8] = [
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];
/// The envelope every event on a bus has: the user guide's "Event structure reference"
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>: "The
/// following fields appear in all events delivered to an event bus": version, id, detail-type,
/// source, account, time, region, resources, detail), plus `replay-name`, which EventBridge adds
/// to events it replays from an archive (AWS's Powertools `EventBridgeModel`/`EventBridgeEvent`
/// declare it as the one optional top-level field), so `"replay-name": [{"exists": false}]` is
/// the usual way to skip replays. A pattern key outside this list names a field no event has:
/// EP "the event must contain all the field names listed in the event pattern", so the rule
/// never matches.
pub const ENVELOPE: [&str; 10] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
    "replay-name",
];
/// Envelope fields that are a string in every event (EB structure reference), so conditions
/// every string satisfies hold for every event there: the first seven of [`ENVELOPE`].
const ALWAYS_STRINGS: &[&str] = ENVELOPE.split_at(7).0;
/// OPS rows "Anything-but (begins with | ends with | ignore case | using a wildcard)".
const ANYTHING_BUT_OPERATORS: [&str; 4] = ["prefix", "suffix", "equals-ignore-case", "wildcard"];
/// CF "Numeric matching ... limited to values between -5.0e9 and +5.0e9 inclusive".
const NUMERIC_LIMIT: f64 = 5.0e9;
/// PutRule API reference: EventPattern "Maximum length of 4096".
const MAX_API_CHARS: usize = 4096;
/// User guide "Amazon EventBridge quotas": event pattern 2048 characters (adjustable quota).
const QUOTA_CHARS: usize = 2048;
/// OPS/CF "Complex example with $or matching": at most 1000 combinations (the limit tfc was
/// given; the archived copies of the guide that could be checked do not state it).
const MAX_COMBINATIONS: u64 = 1000;
/// tfc's own limit (not AWS's), against abusive input: nested objects, the root being level 1.
const MAX_DEPTH: usize = 20;
/// Above this raw JSON nesting the size check is skipped: serialising could exhaust the stack.
const MAX_SERIALIZE_NESTING: usize = 128;

const OBJECT_HELP: &str =
    "e.g. {\"source\": [\"aws.ec2\"], \"detail\": {\"state\": [\"running\"]}}";
const OR_HELP: &str = "e.g. \"$or\": [{\"source\": [\"aws.ec2\"]}, {\"detail-type\": [\"Tick\"]}]";
const NUMERIC_HELP: &str = "e.g. [\"<\", 10], [\"=\", 3.018e2] or [\">\", 0, \"<=\", 5]";
const WILDCARD_HELP: &str = "use single `*`s; escape a literal `*` as `\\*` and `\\` as `\\\\`";
const CIDR_HELP: &str = "e.g. \"10.0.0.0/24\" or \"2001:db8::/32\"";
const ANYTHING_BUT_HELP: &str = "use a string, a number, a list of only strings or only \
     numbers, or one of {\"prefix\"|\"suffix\"|\"equals-ignore-case\"|\"wildcard\": ...}";

/// Every problem in the pattern (not just the first).
pub fn check_pattern(pattern: &Value) -> Vec<Problem> {
    let mut checker = Checker::default();
    match pattern {
        Value::Object(map) => {
            checker.object(map, "", "", 1, false);
            // OPS/CF "Complex example with $or matching" caps a pattern at 1000 combinations.
            // The counting rule is not spelled out, so this estimates it as the sub-patterns RULER
            // JsonRuleCompiler expands `$or` into: alternatives of one `$or` add up, separate
            // `$or`s (siblings or nested) multiply. Leaf values are not counted.
            let n = combinations(map, 1);
            if n > MAX_COMBINATIONS {
                let msg = format!("`$or` expands to {n} combinations, above {MAX_COMBINATIONS}");
                let help = "use fewer `$or` alternatives, or split the pattern into several rules";
                checker.err("", msg, help);
            }
        }
        // EP: an event pattern is a JSON object with the structure of the events it matches.
        other => checker.err("", format!("the pattern is {}", kind(other)), OBJECT_HELP),
    }
    checker.size(pattern);
    // EP "Considerations when creating event patterns": "If multiple patterns are specified for
    // the same JSON field, EventBridge only uses the last one" (keys joined with dots, and in a
    // `$or` alternative together with the fields around it: RULER "$or").
    let (_, ignored) = crate::simulate::pattern::normalize(pattern);
    let mut seen = std::collections::BTreeSet::new();
    for i in ignored {
        if !seen.insert((i.pointer.clone(), i.by_or)) {
            continue;
        }
        let (msg, help) = if i.by_or {
            (
                format!("field `{}` is given again in a `$or` alternative, so that alternative ignores it here", i.field),
                "EventBridge compiles each `$or` alternative together with the fields around it, and the alternative's own field is the one it uses; give the field in only one place",
            )
        } else {
            (
                format!("field `{}` is given again later in the pattern, so EventBridge ignores it here", i.field),
                "EventBridge uses only the last pattern given for a field (keys are joined with dots: `a.b` is field `b` of `a`); keep one",
            )
        };
        checker.warn(&i.pointer, msg, help);
    }
    checker.problems
}

/// Every problem of `pattern` as the event pattern of a rule on a bus: [`check_pattern`]'s,
/// field names at the top level that no event has ([`ENVELOPE`]), and a warning when the
/// pattern matches every event.
pub fn check_event_pattern(pattern: &Value) -> Vec<Problem> {
    let mut checker = Checker {
        problems: check_pattern(pattern),
    };
    if let Value::Object(map) = pattern {
        checker.envelope(map, "");
        // Only for an otherwise valid pattern: a broken one is reported for what it is.
        if !checker.problems.iter().any(|p| p.level == Level::Error) && matches_everything(map) {
            checker.warn(
                "",
                "the pattern matches every event on its bus, so every event starts this task".into(),
                "its conditions hold for any event (`exists: true` on an envelope field every event has, `prefix: \"\"`, `wildcard: \"*\"`, or `exists` both true and false); match the `source` (and `detail-type`) of the events meant for this task, e.g. `source: [com.acme.app]`",
            );
        }
    }
    checker.problems
}

/// Whether a (root-level) pattern holds for every event: each of its fields trivially (see
/// [`trivial_field`]), or some `$or` alternative does. Conservative: any condition that could
/// fail for some event (an exact value, `anything-but`, `numeric`, a field not every event has)
/// makes the pattern narrow.
fn matches_everything(map: &Map<String, Value>) -> bool {
    trivial_object(map, true)
}

fn trivial_object(map: &Map<String, Value>, root: bool) -> bool {
    !map.is_empty()
        && map.iter().all(|(key, value)| match (key.as_str(), value) {
            ("$or", Value::Array(alternatives)) => alternatives
                .iter()
                .any(|a| a.as_object().is_some_and(|m| trivial_object(m, root))),
            (_, Value::Object(inner)) => trivial_object(inner, false),
            (_, Value::Array(items)) => trivial_field(key, items, root),
            _ => false,
        })
}

/// Whether the conditions of one field hold for every event. Values in one array are ORed
/// (EP), so one trivial value is enough: `exists: true` beside `exists: false` on any field
/// (present or absent); and on the envelope fields that are a string in every event,
/// `exists: true`, `prefix: ""`, `suffix: ""` (also their `equals-ignore-case` forms) and
/// `wildcard: "*"`.
fn trivial_field(key: &str, items: &[Value], root: bool) -> bool {
    let exists = |want: bool| {
        items
            .iter()
            .any(|v| v.get("exists").and_then(Value::as_bool) == Some(want))
    };
    if exists(true) && exists(false) {
        return true;
    }
    if !root || !ALWAYS_STRINGS.contains(&key) {
        return false;
    }
    items.iter().any(|item| {
        let Value::Object(op) = item else {
            return false;
        };
        let empty = |v: &Value| match v {
            Value::String(s) => s.is_empty(),
            Value::Object(m) => {
                m.len() == 1 && m.get("equals-ignore-case").and_then(Value::as_str) == Some("")
            }
            _ => false,
        };
        op.len() == 1
            && match op.iter().next() {
                Some((name, value)) => match name.as_str() {
                    "exists" => value.as_bool() == Some(true),
                    "prefix" | "suffix" => empty(value),
                    "wildcard" => value.as_str() == Some("*"),
                    _ => false,
                },
                None => false,
            }
    })
}

/// `detailType`, `detail_type`, `Detail-Type` → `detail-type`: the spellings of an envelope
/// field a user may have meant.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('-');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        match c {
            '_' | ' ' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, level: Level, pointer: &str, message: String, help: &str) {
        let (pointer, help) = (pointer.to_string(), Some(help.to_string()));
        self.problems.push(Problem {
            level,
            pointer,
            message,
            help,
            on_key: false,
        });
    }

    fn err(&mut self, pointer: &str, message: String, help: &str) {
        self.push(Level::Error, pointer, message, help);
    }

    fn warn(&mut self, pointer: &str, message: String, help: &str) {
        self.push(Level::Warning, pointer, message, help);
    }

    /// The top level of the pattern, and of each `$or` alternative there, may only name
    /// envelope fields ([`ENVELOPE`]).
    fn envelope(&mut self, map: &Map<String, Value>, ptr: &str) {
        for (key, value) in map {
            let at = child(ptr, key);
            if key == "$or" {
                for (i, alternative) in value.as_array().into_iter().flatten().enumerate() {
                    if let Value::Object(m) = alternative {
                        self.envelope(m, &format!("{at}/{i}"));
                    }
                }
            } else {
                // An operator name inside `$or`, an empty name and a lone `Ref`/`Fn::…` are
                // reported as that (see `object`).
                let operator_in_or = !ptr.is_empty() && OPERATORS.contains(&key.as_str());
                let intrinsic = map.len() == 1 && (key == "Ref" || key.starts_with("Fn::"));
                // EP "Considerations": keys are joined with dots, so `detail.state` is a field
                // of `detail`.
                let first = key.split('.').next().unwrap_or_default();
                if key.is_empty() || ENVELOPE.contains(&first) || operator_in_or || intrinsic {
                    continue;
                }
                let msg = format!("`{key}` is not a field of EventBridge events, so the rule never matches: the top level of a pattern names the event's envelope fields");
                let mut candidates = ENVELOPE.to_vec();
                candidates.push("$or");
                let help = did_you_mean(&kebab(key), &candidates);
                self.err(
                    &at,
                    msg,
                    &format!("{help}; the event's own fields go under `detail`"),
                );
                if let Some(last) = self.problems.last_mut() {
                    last.on_key = true;
                }
            }
        }
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        ptr: &str,
        field: &str,
        depth: usize,
        in_or: bool,
    ) {
        if depth > MAX_DEPTH {
            let msg = format!("objects nest deeper than {MAX_DEPTH} levels (a tfc limit)");
            return self.err(ptr, msg, "flatten the pattern");
        }
        // EP needs a field to match; RULER: "Empty objects are not allowed".
        if map.is_empty() {
            let what = if ptr.is_empty() {
                "the pattern".into()
            } else {
                format!("field `{field}`")
            };
            return self.err(ptr, format!("{what} is an empty object"), OBJECT_HELP);
        }
        // CloudFormation (and so CDK) reads an object whose only key is `Ref` or `Fn::…` as an
        // intrinsic function anywhere in a template, also inside an event pattern: the rule would
        // then match on a value resolved at deploy time (a role ARN, an imported export).
        if let [key] = map.keys().collect::<Vec<_>>().as_slice() {
            if key.as_str() == "Ref" || key.starts_with("Fn::") {
                let msg = format!("field `{key}` is the only field of its object, so CloudFormation would evaluate it as the intrinsic function `{key}`");
                self.err(
                    &child(ptr, key),
                    msg,
                    "patterns cannot match a field with this name on its own; match a sibling field as well, or restructure the event",
                );
                return;
            }
        }
        for (key, value) in map {
            let at = child(ptr, key);
            if key.is_empty() {
                self.err(&at, "empty field name".into(), "e.g. \"source\"");
            } else if key == "$or" {
                self.or(value, &at, depth);
            } else if in_or && OPERATORS.contains(&key.as_str()) {
                // RULER: "... is Ruler reserved fieldName which cannot be used inside $or".
                let msg = format!("operator `{key}` is used as a field name inside `$or`");
                self.err(
                    &at,
                    msg,
                    "use operators in a field's array: {\"f\": [{\"prefix\": \"a\"}]}",
                );
            } else {
                match value {
                    Value::Object(inner) => self.object(inner, &at, key, depth + 1, in_or),
                    Value::Array(items) => self.leaf(items, &at, key),
                    // EP: the value to match is in a JSON array; RULER: "must be an object
                    // or an array".
                    scalar => {
                        let msg =
                            format!("field `{key}` is {}: every leaf is an array", kind(scalar));
                        let help = format!("wrap it in an array: {}: [{scalar}]", js(key));
                        self.err(&at, msg, &help);
                    }
                }
            }
        }
    }

    /// OPS "Or": `"$or": [{...}, {...}]`; RULER requires an array of at least 2 objects.
    fn or(&mut self, value: &Value, ptr: &str, depth: usize) {
        let Value::Array(alternatives) = value else {
            return self.err(ptr, format!("`$or` is {}", kind(value)), OR_HELP);
        };
        if alternatives.len() < 2 {
            let msg = format!(
                "`$or` needs 2 or more alternatives, not {}",
                alternatives.len()
            );
            self.err(ptr, msg, OR_HELP);
        }
        for (i, alternative) in alternatives.iter().enumerate() {
            let at = format!("{ptr}/{i}");
            match alternative {
                Value::Object(map) => self.object(map, &at, "$or", depth + 1, true),
                other => self.err(&at, format!("`$or` holds {}", kind(other)), OR_HELP),
            }
        }
    }

    /// EP/CF: a non-empty array of strings, numbers, true, false, null or operator objects.
    fn leaf(&mut self, items: &[Value], ptr: &str, field: &str) {
        // RULER: "Empty arrays are not allowed" (it would match nothing).
        if items.is_empty() {
            let msg = format!("field `{field}` has an empty array, which matches nothing");
            return self.err(ptr, msg, "list at least one value, e.g. [\"running\"]");
        }
        for (i, item) in items.iter().enumerate() {
            let at = format!("{ptr}/{i}");
            match item {
                // RULER: "Match value must be String, number, true, false, or null".
                Value::Array(_) => {
                    let msg = format!("field `{field}` contains a nested array");
                    self.err(&at, msg, "list the values directly: [\"a\", \"b\"]");
                }
                Value::Object(op) => self.operator(op, &at, field),
                _ => {}
            }
        }
        // Not checked: "`exists` must be alone in its array". Neither CF "Exists matching" nor
        // OPS says so, and RULER JsonRuleCompiler compiles `exists` beside other matchers.
        // Nor is `[{"exists": false}, "x"]` a pattern that never matches: the values of one
        // array are ORed (EP "if any value in the array matches"; RULER README "a field
        // matches if any of the provided field values match"), so it matches events without
        // the field and events where it is "x". One pattern cannot AND two conditions on one
        // field either (RULER issue #126: "Not possible today"; duplicate keys are a load
        // error), so an absent-and-present contradiction only arises against an override
        // that reads the field (validate::overrides).
    }

    fn operator(&mut self, op: &Map<String, Value>, ptr: &str, field: &str) {
        let mut entries = op.iter();
        // RULER: "Only one key allowed in match expression".
        let (Some((name, value)), None) = (entries.next(), entries.next()) else {
            let msg = format!("operator object on field `{field}` has {} keys", op.len());
            let help = format!("one operator per object; valid: {}", OPERATORS.join(", "));
            return self.err(ptr, msg, &help);
        };
        let (at, ctx) = (child(ptr, name), format!("`{name}` on field `{field}`"));
        let is_eic = |m: &Map<String, Value>| {
            m.len() == 1 && m.get("equals-ignore-case").is_some_and(Value::is_string)
        };
        match (name.as_str(), value) {
            // OPS "Begins with", "Ends with" and their "(ignore case)" forms.
            ("prefix" | "suffix", Value::String(_)) => {}
            ("prefix" | "suffix", Value::Object(m)) if is_eic(m) => {}
            ("prefix" | "suffix", _) => {
                let msg = format!("{ctx} needs a string or {{\"equals-ignore-case\": \"...\"}}");
                self.err(&at, msg, &format!("e.g. {{\"{name}\": \"abc\"}}"));
            }
            // OPS "Equals (ignore case)" and "Wildcard" take a string; CF "Exists matching"
            // takes true or false.
            ("equals-ignore-case", Value::String(_)) | ("exists", Value::Bool(_)) => {}
            ("wildcard", Value::String(s)) => self.wildcard(s, &at, &ctx),
            ("equals-ignore-case" | "wildcard", _) => {
                let sample = if name == "wildcard" {
                    "dir/*.png"
                } else {
                    "alice"
                };
                let help = format!("e.g. {{\"{name}\": \"{sample}\"}}");
                self.err(&at, format!("{ctx} needs a string"), &help);
            }
            ("exists", _) => self.err(
                &at,
                format!("{ctx} needs true or false"),
                "{\"exists\": true}",
            ),
            ("anything-but", _) => self.anything_but(value, &at, &ctx),
            ("numeric", _) => self.numeric(value, &at, &ctx),
            ("cidr", _) => self.cidr(value, &at, &ctx),
            (unknown, _) => {
                let msg = format!("unknown operator `{unknown}` on field `{field}`");
                self.err(&at, msg, &did_you_mean(unknown, &OPERATORS));
                if let Some(last) = self.problems.last_mut() {
                    last.on_key = true;
                }
            }
        }
    }

    /// OPS "Wildcard matching": no consecutive `*`; RULER README: a backslash may only
    /// escape `*` or `\`.
    fn wildcard(&mut self, pattern: &str, ptr: &str, ctx: &str) {
        let mut chars = pattern.chars();
        let mut after_star = false;
        while let Some(c) = chars.next() {
            let problem = match c {
                '\\' => match chars.next() {
                    Some('*' | '\\') => None,
                    Some(other) => Some(format!("escapes `{other}`, but only `*` and `\\` can be")),
                    None => Some("ends with a lone backslash".to_string()),
                },
                '*' if after_star => Some("has consecutive wildcards `**`".to_string()),
                _ => None,
            };
            if let Some(problem) = problem {
                let msg = format!("{ctx}: {} {problem}", js(pattern));
                return self.err(ptr, msg, WILDCARD_HELP);
            }
            after_star = c == '*';
        }
    }

    /// CF "Anything-but matching" and the OPS anything-but rows.
    fn anything_but(&mut self, value: &Value, ptr: &str, ctx: &str) {
        match value {
            Value::String(_) | Value::Number(_) => {}
            Value::Array(l) if l.is_empty() => {
                self.err(ptr, format!("{ctx} has an empty list"), ANYTHING_BUT_HELP);
            }
            Value::Array(l) if strings(value) || l.iter().all(Value::is_number) => {}
            Value::Array(l) if l.iter().all(|v| v.is_string() || v.is_number()) => {
                let msg = format!("{ctx} list mixes strings and numbers");
                self.err(ptr, msg, ANYTHING_BUT_HELP);
            }
            Value::Array(l) => {
                for (i, item) in l.iter().enumerate() {
                    if !item.is_string() && !item.is_number() {
                        let msg = format!("{ctx} list holds {}", kind(item));
                        self.err(&format!("{ptr}/{i}"), msg, ANYTHING_BUT_HELP);
                    }
                }
            }
            Value::Object(inner) => {
                let mut entries = inner.iter();
                let (Some((op, v)), None) = (entries.next(), entries.next()) else {
                    let msg = format!("{ctx} object needs exactly one key");
                    return self.err(ptr, msg, ANYTHING_BUT_HELP);
                };
                let at = child(ptr, op);
                match (op.as_str(), v) {
                    // RULER: "Null prefix/suffix not allowed"; its README's anything-but section
                    // documents lists too (`{"anything-but": {"prefix": ["init", "error"]}}`).
                    ("prefix" | "suffix", Value::String(s)) if !s.is_empty() => {}
                    ("prefix" | "suffix", Value::Array(list))
                        if !list.is_empty()
                            && list
                                .iter()
                                .all(|v| v.as_str().is_some_and(|s| !s.is_empty())) => {}
                    ("equals-ignore-case", _) if v.is_string() || strings(v) => {}
                    ("wildcard", Value::String(s)) => self.wildcard(s, &at, ctx),
                    ("wildcard", Value::Array(list)) if strings(v) => {
                        for (i, item) in list.iter().enumerate() {
                            if let Value::String(s) = item {
                                self.wildcard(s, &format!("{at}/{i}"), ctx);
                            }
                        }
                    }
                    ("prefix" | "suffix", _) => {
                        let msg =
                            format!("{ctx} `{op}` needs a non-empty string or a list of them");
                        self.err(&at, msg, ANYTHING_BUT_HELP);
                    }
                    ("equals-ignore-case" | "wildcard", _) => {
                        let msg = format!("{ctx} `{op}` needs a string or a list of strings");
                        self.err(&at, msg, ANYTHING_BUT_HELP);
                    }
                    (unknown, _) => {
                        let msg = format!("{ctx} does not support `{unknown}`");
                        self.err(&at, msg, &did_you_mean(unknown, &ANYTHING_BUT_OPERATORS));
                    }
                }
            }
            other => self.err(ptr, format!("{ctx} is {}", kind(other)), ANYTHING_BUT_HELP),
        }
    }

    /// CF "Numeric matching"; operand order as RULER JsonRuleCompiler parses ranges.
    fn numeric(&mut self, value: &Value, ptr: &str, ctx: &str) {
        let items = match value {
            Value::Array(items) if items.len() == 2 || items.len() == 4 => items,
            _ => {
                let msg = format!("{ctx} needs operator/value pairs such as [\">\", 0, \"<=\", 5]");
                return self.err(ptr, msg, NUMERIC_HELP);
            }
        };
        let mut pairs = Vec::new();
        for (i, pair) in items.chunks(2).enumerate() {
            let [op_value, number_value] = pair else {
                continue;
            };
            let op = op_value
                .as_str()
                .filter(|o| ["<", "<=", "=", ">", ">="].contains(o));
            if op.is_none() {
                let msg = format!("{ctx} expects one of <, <=, =, >, >= here, not {op_value}");
                self.err(&format!("{ptr}/{}", 2 * i), msg, NUMERIC_HELP);
            }
            let number = number_value.as_f64();
            match number {
                None => {
                    let msg = format!("{ctx} expects a number here, not {number_value}");
                    self.err(&format!("{ptr}/{}", 2 * i + 1), msg, NUMERIC_HELP);
                }
                Some(n) if n.abs() > NUMERIC_LIMIT => {
                    let msg = format!("{ctx} value {n} is outside -5.0e9..=5.0e9");
                    let help = "EventBridge compares numbers between -5.0e9 and 5.0e9 inclusive";
                    self.err(&format!("{ptr}/{}", 2 * i + 1), msg, help);
                }
                Some(_) => {}
            }
            pairs.extend(op.zip(number.filter(|n| n.abs() <= NUMERIC_LIMIT)));
        }
        let [(low_op, low), (high_op, high)] = pairs[..] else {
            return;
        };
        let help = "lower bound first, then upper bound: [\">\", 0, \"<=\", 5]; `=` only alone";
        if !matches!(low_op, ">" | ">=") || !matches!(high_op, "<" | "<=") {
            let msg = format!("{ctx} range needs a lower (>, >=) then an upper (<, <=) bound");
            self.err(ptr, msg, help);
        } else if low > high {
            let msg = format!("{ctx} lower bound {low} is above upper bound {high}");
            self.err(ptr, msg, help);
        } else if low == high {
            // RULER Range.java (every version) throws "Bottom must be less than top" when the
            // bottom is not below the top, and JsonRuleCompiler turns that into a pattern error;
            // SNS, on the same engine, answers PutSubscriptionAttributes with that message (as
            // moto's SNS model records). So an equal-bounds range is rejected, and with an open
            // side (`>`/`<`) it could not match anything anyway.
            if low_op == ">=" && high_op == "<=" {
                let msg = format!("{ctx} has equal bounds {low}, and EventBridge rejects a range whose lower bound is not below its upper bound");
                self.err(
                    ptr,
                    msg,
                    &format!("to match exactly {low}, use [\"=\", {low}]"),
                );
            } else {
                let msg = format!("{ctx} range {low_op} {low} and {high_op} {high} admits no number, so the rule never matches (and EventBridge rejects equal bounds)");
                self.err(
                    ptr,
                    msg,
                    &format!("{help}; to match exactly {low}, use [\"=\", {low}]"),
                );
            }
        }
    }

    /// CF "IP address matching": an IPv4 (/0-32) or IPv6 (/0-128) CIDR block.
    fn cidr(&mut self, value: &Value, ptr: &str, ctx: &str) {
        let Value::String(text) = value else {
            return self.err(ptr, format!("{ctx} is {}", kind(value)), CIDR_HELP);
        };
        let problem = match text.split_once('/') {
            None => "has no prefix length `/n`".to_string(),
            Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
                (Err(_), _) => format!("has `{ip}`, which is not an IPv4 or IPv6 address"),
                (_, Err(_)) => format!("has prefix length `{bits}`, which is not 0 to 128"),
                (Ok(addr), Ok(bits)) => {
                    let max = if addr.is_ipv4() { 32 } else { 128 };
                    if bits == max {
                        // RULER CIDR.java: "IPv4 mask bits must be < 32" (IPv6: < 128), and
                        // the rule is rejected when it is created.
                        let msg = format!("{ctx} /{max} is a single address, and EventBridge rejects a CIDR block of /{max} (the mask must be shorter)");
                        return self.err(
                            ptr,
                            msg,
                            &format!("match the address as a string: \"{ip}\""),
                        );
                    } else if bits < max {
                        return;
                    }
                    format!("has prefix length /{bits}, above /{max}")
                }
            },
        };
        self.err(ptr, format!("{ctx}: {} {problem}", js(text)), CIDR_HELP);
    }

    /// PutRule API maximum and the adjustable "Event pattern" quota, both in characters.
    fn size(&mut self, pattern: &Value) {
        if nesting(pattern) > MAX_SERIALIZE_NESTING {
            return;
        }
        let Ok(text) = serde_json::to_string(pattern) else {
            return;
        };
        let n = text.chars().count();
        if n > MAX_API_CHARS {
            let msg =
                format!("the pattern is {n} characters, above the API maximum {MAX_API_CHARS}");
            self.err(
                "",
                msg,
                "shorten the pattern or split it into several rules",
            );
        } else if n > QUOTA_CHARS {
            let msg =
                format!("the pattern is {n} characters, above the default quota {QUOTA_CHARS}");
            let help = "the quota is adjustable: request an increase, or shorten the pattern";
            self.warn("", msg, help);
        }
    }
}

/// A non-empty array of only strings.
fn strings(value: &Value) -> bool {
    matches!(value, Value::Array(l) if !l.is_empty() && l.iter().all(Value::is_string))
}

/// The number of sub-patterns the `$or`s expand to (see `check_pattern`), saturating.
fn combinations(map: &Map<String, Value>, depth: usize) -> u64 {
    if depth > MAX_DEPTH {
        return 1;
    }
    map.iter().fold(1, |total: u64, (key, value)| {
        let n = match value {
            Value::Array(alts) if key == "$or" => alts
                .iter()
                .filter_map(Value::as_object)
                .fold(0, |sum: u64, alt| {
                    sum.saturating_add(combinations(alt, depth + 1))
                }),
            Value::Object(inner) => combinations(inner, depth + 1),
            _ => 1,
        };
        total.saturating_mul(n.max(1))
    })
}

/// The deepest container nesting, computed without recursion.
fn nesting(value: &Value) -> usize {
    let (mut max, mut stack) = (0, vec![(value, 1)]);
    while let Some((value, depth)) = stack.pop() {
        max = max.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    max
}

fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    let list = candidates.join(", ");
    let lower = name.to_lowercase();
    let best = candidates
        .iter()
        .map(|c| (edit_distance(&lower, c), *c))
        .min();
    match best {
        Some((d, c)) if d <= (name.chars().count() / 3).max(2) => {
            format!("did you mean `{c}`? valid: {list}")
        }
        _ => format!("valid: {list}"),
    }
}

/// Levenshtein distance, over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn js(s: &str) -> String {
    Value::from(s).to_string()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;
    use Level::{Error as E, Warning as W};

    fn found(pattern: &Value) -> Vec<(Level, String)> {
        check_pattern(pattern)
            .into_iter()
            .map(|p| (p.level, p.pointer))
            .collect()
    }

    fn valid(patterns: &[Value]) {
        for pattern in patterns {
            assert_eq!(check_pattern(pattern), vec![], "{pattern}");
        }
    }

    /// Each pattern has exactly one problem, of this level, at `base` + this pointer suffix.
    fn invalid(base: &str, cases: &[(Value, Level, &str)]) {
        for (pattern, level, suffix) in cases {
            assert_eq!(
                found(pattern),
                vec![(level.clone(), format!("{base}{suffix}"))],
                "{pattern}"
            );
        }
    }

    /// `{"f": [operator]}`: problems are under "/f/0".
    fn op(operator: Value) -> Value {
        json!({ "f": [operator] })
    }

    fn help(pattern: &Value) -> String {
        check_pattern(pattern)
            .into_iter()
            .filter_map(|p| p.help)
            .collect()
    }

    #[test]
    fn aws_documentation_examples_are_valid() {
        valid(&[
            // User guide "Event patterns" (eb-event-patterns.html).
            json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
                   "detail": {"state": ["running"]}}),
            // "Content filtering" (eb-event-patterns-content-based-filtering.html).
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}),
            json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}),
            json!({"detail": {"c-count": [{"exists": false}], "state": [{"exists": true}]}}),
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            json!({"time": [{"prefix": "2017-10-02"}], "detail": {
                "state": [{"anything-but": "initializing"}],
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"anything-but": [100, 200, 300]}],
                "y-limit": [{"numeric": ["=", 3.018e2]}]}}),
            // "Comparison operators for use in event patterns" (eb-create-pattern-operators.html).
            json!({"$or": [{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}},
                           {"detail": {"d-count": [{"numeric": ["<", 10]}]}}]}),
            json!({"Region": [{"anything-but": {"prefix": "us-"}}],
                   "FileName": [{"anything-but": {"suffix": ".png"}}],
                   "FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}],
                   "state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}),
            json!({"service": [{"prefix": {"equals-ignore-case": "eventb"}},
                               {"suffix": {"equals-ignore-case": "tbridge"}}],
                   "Name": [{"equals-ignore-case": "alice"}, "Alice"], "LastName": [""],
                   "UserID": [null], "Price": [100], "EventFile": [{"wildcard": "dir/*.png"}]}),
            json!({"source": ["aws.cloudwatch"], "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"namespace": ["AWS/EC2", "AWS/ES"]}]}),
        ]);
    }

    #[test]
    fn root_must_be_a_non_empty_object() {
        let cases = [json!([]), json!("x"), json!(null), json!({})];
        invalid("", &cases.map(|pattern| (pattern, E, "")));
    }

    #[test]
    fn fields_hold_objects_or_non_empty_arrays_of_values() {
        valid(&[json!({"a": [true, false, null, 1, -2.5, "s", ""], "b": {"c": ["x"]}})]);
        let cases = [
            (json!({"source": "aws.ec2"}), E, "source"),
            (json!({"a": {"b": 5}}), E, "a/b"),
            (json!({"a": []}), E, "a"),
            (json!({"a": [["x"]]}), E, "a/0"),
            (json!({"a": {}}), E, "a"),
            (json!({"": ["x"]}), E, ""),
            (json!({"a/b": {"c~d": "x"}}), E, "a~1b/c~0d"),
        ];
        invalid("/", &cases);
        let expected = r#"wrap it in an array: "source": ["aws.ec2"]"#;
        assert_eq!(help(&json!({"source": "aws.ec2"})), expected);
    }

    #[test]
    fn operator_objects_have_one_known_key() {
        let cases = [
            (op(json!({})), E, ""),
            (op(json!({"prefix": "a", "suffix": "b"})), E, ""),
            (op(json!({"prefx": "a"})), E, "/prefx"),
            (op(json!({"contains": "a"})), E, "/contains"),
        ];
        invalid("/f/0", &cases);
        let typo = help(&op(json!({"prefx": "a"})));
        assert!(typo.starts_with("did you mean `prefix`? valid: prefix,"));
        assert!(help(&op(json!({"Numeric": [">", 1]}))).starts_with("did you mean `numeric`?"));
        assert!(help(&op(json!({"contains": "a"}))).starts_with("valid: prefix, suffix"));
    }

    #[test]
    fn string_operators() {
        valid(&[
            op(json!({"prefix": ""})),
            op(json!({"suffix": {"equals-ignore-case": "A"}})),
        ]);
        valid(&[
            op(json!({"equals-ignore-case": "a"})),
            op(json!({"wildcard": "a*\\*\\\\\\**"})),
        ]);
        let cases = [
            (op(json!({"prefix": 1})), E, "/prefix"),
            (
                op(json!({"suffix": {"equals-ignore-case": 1}})),
                E,
                "/suffix",
            ),
            (op(json!({"prefix": {"wildcard": "a*"}})), E, "/prefix"),
            (
                op(json!({"equals-ignore-case": ["a"]})),
                E,
                "/equals-ignore-case",
            ),
            (op(json!({"wildcard": 5})), E, "/wildcard"),
            (op(json!({"wildcard": "a**b"})), E, "/wildcard"),
            (op(json!({"wildcard": "a\\b"})), E, "/wildcard"),
            (op(json!({"wildcard": "a\\"})), E, "/wildcard"),
        ];
        invalid("/f/0", &cases);
    }

    #[test]
    fn anything_but() {
        let ab = |value: Value| op(json!({ "anything-but": value }));
        valid(&[
            ab(json!([1, 2.5])),
            ab(json!({"equals-ignore-case": ["a", "b"]})),
        ]);
        valid(&[ab(json!({"wildcard": ["*/lib/*", "*/bin/*"]}))]);
        // Event Ruler's README, "Anything-but matching": prefix and suffix lists.
        valid(&[
            ab(json!({"prefix": ["init", "error"]})),
            ab(json!({"suffix": [".png", ".jpg"]})),
        ]);
        let cases = [
            (ab(json!(["a", 1])), E, ""),
            (ab(json!([])), E, ""),
            (ab(json!(["a", true])), E, "/1"),
            (ab(json!(null)), E, ""),
            (ab(json!({"prefix": "a", "suffix": "b"})), E, ""),
            (ab(json!({"prefix": ""})), E, "/prefix"),
            (ab(json!({"suffix": ["a", ""]})), E, "/suffix"),
            (ab(json!({"prefix": []})), E, "/prefix"),
            (
                ab(json!({"equals-ignore-case": [1]})),
                E,
                "/equals-ignore-case",
            ),
            (ab(json!({"wildcard": ["a*", "b**"]})), E, "/wildcard/1"),
            (ab(json!({"numeric": [">", 1]})), E, "/numeric"),
        ];
        invalid("/f/0/anything-but", &cases);
        assert!(help(&ab(json!({"sufix": "a"}))).starts_with("did you mean `suffix`?"));
    }

    #[test]
    fn numeric() {
        let num = |value: Value| op(json!({ "numeric": value }));
        valid(&[
            num(json!([">=", -5.0e9, "<", 5.0e9])),
            num(json!(["<=", 0])),
        ]);
        let cases = [
            (num(json!([">", 0, "<="])), E, ""),
            (num(json!("> 0")), E, ""),
            (num(json!(["~", 1])), E, "/0"),
            (num(json!([">", "1"])), E, "/1"),
            (num(json!([">", 6.0e9])), E, "/1"),
            (num(json!(["=", 1, "<", 2])), E, ""),
            (num(json!(["<", 5, ">", 0])), E, ""),
            (num(json!([">", 5, "<", 1])), E, ""),
            (num(json!([">=", 3, "<=", 3])), E, ""),
            (num(json!([">", 5, "<", 5])), E, ""),
            (num(json!([">=", 5, "<", 5])), E, ""),
            (num(json!([">", 5, "<=", 5])), E, ""),
        ];
        invalid("/f/0/numeric", &cases);
        let message = &check_pattern(&json!({"c-count": [{"numeric": [1]}]}))[0].message;
        let expected =
            r#"`numeric` on field `c-count` needs operator/value pairs such as [">", 0, "<=", 5]"#;
        assert_eq!(message, expected);
    }

    #[test]
    fn exists_and_cidr() {
        // EventBridge's docs do not forbid `exists` beside other values, so neither do we.
        valid(&[
            op(json!({"exists": false})),
            json!({"f": [{"exists": false}, "x"]}),
        ]);
        valid(&[
            op(json!({"cidr": "0.0.0.0/0"})),
            op(json!({"cidr": "2001:db8::/32"})),
        ]);
        invalid("/f/0", &[(op(json!({"exists": "true"})), E, "/exists")]);
        let cidr = |value: Value| op(json!({ "cidr": value }));
        let cases = [
            (cidr(json!("10.0.0.0")), E, ""),
            (cidr(json!("10.0.0.0/33")), E, ""),
            (cidr(json!("2001:db8::/129")), E, ""),
            (cidr(json!("300.0.0.0/8")), E, ""),
            (cidr(json!("10.0.0.0/x")), E, ""),
            (cidr(json!(24)), E, ""),
            // RULER CIDR.java rejects a mask of the full length.
            (cidr(json!("10.0.0.1/32")), E, ""),
            (cidr(json!("::1/128")), E, ""),
        ];
        invalid("/f/0/cidr", &cases);
    }

    fn or_of(n: usize) -> Value {
        json!({ "$or": (0..n).map(|i| json!({ format!("k{i}"): ["x"] })).collect::<Vec<_>>() })
    }

    #[test]
    fn or() {
        valid(&[json!({"detail": {"$or": [{"a": ["x"]},
                                      {"b": ["x"], "$or": [{"c": [1]}, {"d": [2]}]}]}})]);
        let cases = [
            (json!({"$or": [{"a": ["x"]}]}), E, ""),
            (json!({"$or": {"a": ["x"]}}), E, ""),
            (json!({"$or": [{"a": ["x"]}, ["b"]]}), E, "/1"),
            (json!({"$or": [{"a": ["x"]}, {}]}), E, "/1"),
            (
                json!({"$or": [{"a": ["x"]}, {"prefix": ["x"]}]}),
                E,
                "/1/prefix",
            ),
        ];
        invalid("/$or", &cases);
        let nested = json!({"$or": [{"a": ["x"]},
                                    {"d": ["x"], "$or": [{"b": ["x"]}, {"c": ["x"]}]}],
                            "detail": {"$or": [{"e": ["x"]}, {"f": ["x"]}]}});
        assert_eq!(nested.as_object().map(|m| combinations(m, 1)), Some(6));
        valid(&[json!({"a": or_of(10), "b": or_of(10), "c": or_of(10)})]);
        let too_many = json!({"a": or_of(10), "b": or_of(10), "c": or_of(10), "d": or_of(2)});
        invalid("", &[(too_many, E, "")]);
    }

    #[test]
    fn size_and_depth() {
        let sized = |n: usize| json!({ "a": ["x".repeat(n)] });
        invalid("", &[(sized(2100), W, ""), (sized(4100), E, "")]);
        let nest = |levels| (0..levels).fold(json!({"leaf": ["x"]}), |v, _| json!({ "k": v }));
        valid(&[nest(19)]);
        invalid("", &[(nest(20), E, &"/k".repeat(20))]);
        // Deeper than serde_json's own parser allows: no stack overflow, no size check.
        let deep = (0..1000).fold(json!("x"), |v, _| json!([v]));
        invalid("", &[(json!({ "a": [deep] }), E, "/a/0")]);
    }

    fn event(pattern: &Value) -> Vec<(Level, String, bool)> {
        check_event_pattern(pattern)
            .into_iter()
            .map(|p| (p.level, p.pointer, p.on_key))
            .collect()
    }

    #[test]
    fn contradictory_ranges_say_they_never_match() {
        let message = |range: Value| {
            check_pattern(&json!({ "n": [{ "numeric": range }] }))
                .into_iter()
                .map(|p| (p.message, p.help.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let open = message(json!([">", 5, "<", 5]));
        assert_eq!(open.len(), 1);
        assert!(
            open[0]
                .0
                .contains("range > 5 and < 5 admits no number, so the rule never matches"),
            "{open:?}"
        );
        let closed = message(json!([">=", 5, "<=", 5]));
        assert!(
            closed[0]
                .0
                .contains("has equal bounds 5, and EventBridge rejects"),
            "{closed:?}"
        );
        assert_eq!(closed[0].1, r#"to match exactly 5, use ["=", 5]"#);
        // A real range stays valid.
        assert_eq!(message(json!([">=", 5, "<", 5.5])), vec![]);
    }

    #[test]
    fn top_level_keys_are_envelope_fields() {
        let ok = json!({"version": ["0"], "account": ["123456789012"],
            "region": ["eu-west-1"], "resources": [{"prefix": "arn:"}],
            "replay-name": [{"exists": false}], "detail": {"Source": ["anything goes here"]},
            "$or": [{"source": ["a"]}, {"detail-type": ["b"], "$or": [{"id": ["x"]}, {"time": ["y"]}]}]});
        assert_eq!(event(&ok), vec![]);
        for (key, suggestion) in [
            ("Source", "source"),
            ("detail_type", "detail-type"),
            ("detailType", "detail-type"),
            ("DetailType", "detail-type"),
            ("details", "detail"),
        ] {
            let pattern = json!({ key: ["x"], "source": ["s"] });
            assert_eq!(event(&pattern), vec![(E, format!("/{key}"), true)], "{key}");
            let problem = &check_event_pattern(&pattern)[0];
            assert!(problem
                .message
                .starts_with(&format!("`{key}` is not a field of EventBridge events")));
            let help = problem.help.clone().unwrap_or_default();
            assert!(help.starts_with(&format!("did you mean `{suggestion}`? valid: version, id, detail-type, source, account, time, region, resources, detail, replay-name, $or")), "{help}");
        }
        // In each top-level `$or` alternative too, but not below `detail`.
        let in_or = json!({"source": ["s"], "$or": [{"detail": {"x": ["a"]}}, {"state": ["b"]}]});
        assert_eq!(event(&in_or), vec![(E, "/$or/1/state".into(), true)]);
        // An operator name inside `$or` is reported once, as that.
        let op_in_or = json!({"source": ["s"], "$or": [{"id": ["a"]}, {"prefix": ["x"]}]});
        assert_eq!(event(&op_in_or), vec![(E, "/$or/1/prefix".into(), false)]);
        // A lone intrinsic is reported once, as that.
        assert_eq!(event(&json!({"Ref": "X"})), vec![(E, "/Ref".into(), false)]);
        // check_pattern alone (pattern structure) does not judge field names.
        assert_eq!(check_pattern(&json!({"state": ["b"]})), vec![]);
    }

    #[test]
    fn patterns_matching_every_event_are_warned() {
        let everything = [
            json!({"source": [{"prefix": ""}]}),
            json!({"detail-type": [{"wildcard": "*"}], "account": [{"exists": true}]}),
            json!({"region": [{"suffix": {"equals-ignore-case": ""}}]}),
            json!({"detail": {"x": [{"exists": true}, {"exists": false}]}}),
            json!({"$or": [{"source": ["a"]}, {"time": [{"exists": true}]}]}),
        ];
        for pattern in &everything {
            assert_eq!(event(pattern), vec![(W, String::new(), false)], "{pattern}");
        }
        let narrow = [
            json!({"source": ["a"]}),
            json!({"detail": {"x": [{"exists": true}]}}),
            json!({"detail": {"x": [{"prefix": ""}]}}),
            json!({"resources": [{"exists": true}]}),
            json!({"source": [{"anything-but": "aws.ec2"}]}),
            json!({"source": [{"prefix": "com."}]}),
            json!({"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]}),
            json!({"time": [{"exists": true}], "detail": {"n": [{"numeric": [">", 0]}]}}),
        ];
        for pattern in &narrow {
            assert_eq!(event(pattern), vec![], "{pattern}");
        }
        // Not on top of an error.
        assert_eq!(
            event(&json!({"source": [{"prefix": ""}], "id": []})),
            vec![(E, "/id".into(), false)]
        );
    }

    #[test]
    fn kebab_spellings() {
        assert_eq!(kebab("detailType"), "detail-type");
        assert_eq!(kebab("Detail_Type"), "detail-type");
        assert_eq!(kebab("SOURCE"), "source");
        assert_eq!(kebab("replayName"), "replay-name");
    }

    #[test]
    fn reports_every_problem() {
        let pattern = json!({"a": "x", "b": [], "c": [{"prefx": 1}, {"numeric": [">", "y"]}]});
        let expected = ["/a", "/b", "/c/0/prefx", "/c/1/numeric/1"].map(|p| (E, p.to_string()));
        assert_eq!(found(&pattern), expected.to_vec());
    }
}
