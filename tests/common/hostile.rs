//! Generated hostile specs for the round-trip property tests: every free-text field of a spec
//! filled with random strings built from the characters and sequences each target's language
//! treats specially (quotes, backslashes, `${`, `%{`, `{{`, YAML indicators, line breaks of every
//! kind, control characters, non-ASCII text). The generator is seeded, so a failure names the
//! seed that reproduces it.
#![allow(dead_code)]

use serde_json::{json, Map, Value};

/// A small, seeded xorshift generator (no dependency, reproducible everywhere).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces strings are made of.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    " ",
    "  ",
    "\"",
    "'",
    "\\",
    "\\\\",
    "\\n",
    "`",
    "$",
    "${",
    "${x}",
    "$${",
    "$$",
    "%{",
    "%%{",
    "%{ if true }",
    "{{",
    "}}",
    "{%",
    "%}",
    "#",
    "# ",
    "//",
    "/*",
    "*/",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u{1}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{200b}",
    "\u{202e}",
    "é",
    "ß",
    "ſ",
    "ǅ",
    "漢字",
    "🚀",
    "\u{10fffd}",
    "!Ref ",
    "!!str",
    "Fn::Sub",
    "&a",
    "*a",
    "- ",
    ": ",
    "? ",
    "|",
    ">",
    "null",
    "true",
    "~",
    "0x1F",
    "1e3",
    "-.inf",
    "</script>",
    "${AWS::Region}",
    "${!Literal}",
    "<%= x %>",
    "%",
    "@",
    "^",
    "(",
    ")",
    ",",
    ";",
    "=",
    "+",
    "[",
    "]",
    "{",
    "}",
    "&&",
    "||",
    "'; DROP TABLE x; --",
    "\\u0000",
    "\\x41",
    "&#x41;",
    "..",
    "../",
    "?",
    "*",
    "~0",
    "~1",
];

/// A random string of up to `max_pieces` pieces, with none of `avoid` in it.
pub fn text(rng: &mut Rng, max_pieces: usize, avoid: &[&str]) -> String {
    loop {
        let n = rng.below(max_pieces + 1);
        let s: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        // Text tfc rightly refuses (deploy-time evaluated) is not what this test is about.
        let lower = s.to_ascii_lowercase();
        if lower.contains("{{resolve:") || lower.contains("{token[") {
            continue;
        }
        if avoid.iter().any(|a| s.contains(a)) {
            continue;
        }
        return s;
    }
}

/// A random non-empty pattern field name that EventBridge and tfc accept as a plain field.
fn field_name(rng: &mut Rng, i: usize) -> String {
    let t = text(rng, 4, &[]);
    // Unique per position, never empty, never `$or`, an operator name or a dotted path.
    format!("f{i}{}", t.replace('.', "·"))
}

/// Tag values: Unicode letters, digits, spaces and `_ . : / = + - @`.
fn tag_value(rng: &mut Rng) -> String {
    const TAG: &[&str] = &[
        "a", "Z", "9", " ", "_", ".", ":", "/", "=", "+", "-", "@", "é", "漢",
    ];
    let n = rng.below(12);
    (0..n).map(|_| TAG[rng.below(TAG.len())]).collect()
}

/// One generated spec (as a JSON value; write it with [`to_yaml`]).
pub fn spec(seed: u64, tasks: usize) -> Value {
    let mut rng = Rng::new(seed);
    let mut all = Map::new();
    for t in 0..tasks {
        let mut env = Map::new();
        for i in 0..4 {
            env.insert(format!("VAR_{i}"), json!(text(&mut rng, 8, &[])));
        }
        let mut detail = Map::new();
        for i in 0..3 {
            let values: Vec<Value> = (0..1 + rng.below(3))
                .map(|_| json!(text(&mut rng, 5, &[])))
                .collect();
            detail.insert(field_name(&mut rng, i), Value::Array(values));
        }
        detail.insert("arg".into(), json!([{ "exists": true }]));
        let literal = |rng: &mut Rng| json!(text(rng, 6, &["<", ">"]));
        let task = json!({
            "description": text(&mut rng, 20, &[]),
            "image": "registry.example.com/team/app:1.0",
            "container": "app",
            "command": (0..1 + rng.below(5)).map(|_| text(&mut rng, 6, &[])).collect::<Vec<_>>(),
            "entry_point": (0..1 + rng.below(2)).map(|_| text(&mut rng, 4, &[])).collect::<Vec<_>>(),
            "environment": env,
            "logging": { "stream_prefix": text(&mut rng, 6, &[":", "*"]).chars().take(100).collect::<String>() + "p" },
            "tags": { "note": tag_value(&mut rng) },
            "trigger": {
                "event": {
                    "source": [text(&mut rng, 6, &[]), text(&mut rng, 6, &[])],
                    "detail-type": [text(&mut rng, 6, &[])],
                    "detail": detail,
                }
            },
            "overrides": {
                "environment": {
                    "FROM_EVENT": { "from": "$.detail.arg" },
                    "LITERAL": literal(&mut rng),
                },
                "command": [literal(&mut rng), { "from": "$.detail.arg" }, literal(&mut rng)],
            },
        });
        all.insert(format!("task-{t}"), task);
    }
    json!({
        "version": 1,
        "name": "fuzzed",
        "description": text(&mut rng, 20, &[]),
        "tags": { "owner": tag_value(&mut rng) },
        "defaults": { "network": { "subnets": ["subnet-0123456789abcdef0"] } },
        "tasks": all,
    })
}

/// A spec value as YAML: pretty JSON, which is YAML 1.2 (the quoting is a serializer's
/// business). A YAML 1.1 emitter would not do: libyaml writes U+2028/U+2029 as line breaks of a
/// block scalar, which YAML 1.2 reads as content.
pub fn to_yaml(spec: &Value) -> String {
    // tfc's own JSON writer escapes what YAML does not count as printable (DEL, C1 controls).
    tfc::targets::json_pretty(spec).expect("a JSON value serializes")
}

/// What the event carries at `$.detail.arg` when the property tests fill the input template.
pub const EVENT_VALUE: &str = "value from the event";

/// The RunTask overrides an input template yields for an event with `detail.arg` set.
pub fn fill(template: &str) -> Value {
    let filled = template.replace("<detail-arg>", &Value::from(EVENT_VALUE).to_string());
    serde_json::from_str(&filled).unwrap_or_else(|e| panic!("{e}: {filled}"))
}

/// ECS's `[{"name": N, "value": V}]` lists (environment, secrets) as a map `{N: V}`.
pub fn name_value_map(list: &Value) -> Map<String, Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_string(),
                e["value"].clone(),
            )
        })
        .collect()
}

/// Overrides as `{environment: {NAME: value}, command: [...]}` (order-free environment).
fn canonical_overrides(o: &Value) -> Value {
    let c = &o["containerOverrides"][0];
    let env = name_value_map(&c["environment"]);
    json!({ "environment": env, "command": c["command"] })
}

/// The strings of a generated spec as tfc parsed it, per task, in the shape the `observed_*`
/// functions read back from each target's output.
pub fn expected(spec: &tfc::spec::Spec) -> Value {
    let mut tasks = Map::new();
    for (id, t) in &spec.tasks {
        let o = t.overrides.clone().unwrap_or_default();
        let lit = |v: &tfc::spec::OverrideValue| match v {
            tfc::spec::OverrideValue::Literal(s) => json!(s),
            tfc::spec::OverrideValue::From(_) => json!(EVENT_VALUE),
        };
        let env: Map<String, Value> = o
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), lit(v)))
            .collect();
        let command = match &o.command {
            Some(tfc::spec::CommandOverride::List(items)) => {
                json!(items.iter().map(lit).collect::<Vec<_>>())
            }
            _ => Value::Null,
        };
        tasks.insert(
            id.clone(),
            json!({
                "description": t.description,
                "command": t.command,
                "entry_point": t.entry_point,
                "environment": t.environment,
                "stream_prefix": t.logging.as_ref().and_then(|l| l.stream_prefix.clone()),
                "pattern": t.trigger.event,
                "overrides": { "environment": env, "command": command },
            }),
        );
    }
    json!({ "tags": spec.tags, "tasks": tasks })
}

/// Evaluates the `Fn::Sub` forms that spell literal text (`${!X}` escapes and variables whose
/// values are literal strings, such as `{"Fn::Sub": ["${Dollar}{X}", {"Dollar": "$"}]}`) as
/// CloudFormation does; other intrinsics are kept.
pub fn resolve_literal_subs(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => {
            let (template, vars) = match &m["Fn::Sub"] {
                Value::String(s) => (s.clone(), Map::new()),
                Value::Array(a) if a.len() == 2 => (
                    a[0].as_str().unwrap_or_default().to_string(),
                    a[1].as_object().cloned().unwrap_or_default(),
                ),
                _ => return v.clone(),
            };
            let mut out = String::new();
            let mut rest = template.as_str();
            while let Some(i) = rest.find("${") {
                out.push_str(&rest[..i]);
                let after = &rest[i + 2..];
                let Some(end) = after.find('}') else {
                    out.push_str(&rest[i..]);
                    rest = "";
                    break;
                };
                let name = &after[..end];
                if let Some(lit) = name.strip_prefix('!') {
                    out.push_str("${");
                    out.push_str(lit);
                    out.push('}');
                } else if let Some(Value::String(value)) = vars.get(name) {
                    out.push_str(value);
                } else {
                    return v.clone();
                }
                rest = &after[end + 1..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve_literal_subs(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(resolve_literal_subs).collect()),
        other => other.clone(),
    }
}

/// The same strings read back from a CloudFormation template (tfc's, or CDK's synthesized one):
/// resources are found by type and AWS name, not logical id.
pub fn observed_cloudformation(t: &Value, spec_name: &str) -> Value {
    let t = &resolve_literal_subs(t);
    let resources = t["Resources"].as_object().expect("Resources");
    let find = |kind: &str, key: &str, name: &str| {
        resources
            .values()
            .find(|r| r["Type"] == kind && r["Properties"][key] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let mut tasks = Map::new();
    let rules = resources
        .values()
        .filter(|r| r["Type"] == "AWS::Events::Rule");
    for rule in rules {
        let p = &rule["Properties"];
        let name = p["Name"].as_str().unwrap_or_default();
        let id = name.strip_prefix(&format!("{spec_name}-")).unwrap_or(name);
        let def = find("AWS::ECS::TaskDefinition", "Family", name);
        let c = &def["Properties"]["ContainerDefinitions"][0];
        let env: Map<String, Value> = c["Environment"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["Name"].as_str().unwrap_or_default().to_string(),
                    e["Value"].clone(),
                )
            })
            .collect();
        let template = p["Targets"][0]["InputTransformer"]["InputTemplate"]
            .as_str()
            .unwrap_or_default();
        tasks.insert(
            id.to_string(),
            json!({
                "description": p["Description"],
                "command": c["Command"],
                "entry_point": c["EntryPoint"],
                "environment": env,
                "stream_prefix": c["LogConfiguration"]["Options"]["awslogs-stream-prefix"],
                "pattern": p["EventPattern"],
                "overrides": canonical_overrides(&fill(template)),
            }),
        );
    }
    let cluster = resources
        .values()
        .find(|r| r["Type"] == "AWS::ECS::Cluster")
        .expect("a cluster");
    let tags: Map<String, Value> = cluster["Properties"]["Tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["Key"].as_str().unwrap_or_default().to_string(),
                e["Value"].clone(),
            )
        })
        .collect();
    json!({ "tags": tags, "tasks": tasks })
}

/// The same strings read back from a Terraform module decoded by HashiCorp's parser
/// (`jsonencode(...)` arguments evaluated to values).
pub fn observed_terraform(main: &Value) -> Value {
    let r = &main["resource"];
    let mut tasks = Map::new();
    for (label, rules) in r["aws_cloudwatch_event_rule"].as_object().expect("rules") {
        let rule = &rules[0];
        let id = label.replace('_', "-");
        let c = &r["aws_ecs_task_definition"][label][0]["container_definitions"][0];
        let env = name_value_map(&c["environment"]);
        let template = r["aws_cloudwatch_event_target"][label][0]["input_transformer"][0]
            ["input_template"]
            .as_str()
            .unwrap_or_default();
        tasks.insert(
            id,
            json!({
                "description": rule["description"],
                "command": c["command"],
                "entry_point": c["entryPoint"],
                "environment": env,
                "stream_prefix": c["logConfiguration"]["options"]["awslogs-stream-prefix"],
                "pattern": rule["event_pattern"],
                "overrides": canonical_overrides(&fill(template)),
            }),
        );
    }
    json!({ "tags": r["aws_ecs_cluster"]["this"][0]["tags"], "tasks": tasks })
}
