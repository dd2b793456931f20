//! Deploy-time parameters: where a spec may reference them, what values they take, and baking
//! a set of values into the spec.
//!
//! Syntax (chosen so that no existing spec changes meaning):
//! - a whole value is `{ param: NAME }`, the spec's own object form (like `{ from: $.path }`);
//! - inside a string, `((NAME))`. Shell `${VAR}`/`$VAR`, CloudFormation `${X}` and
//!   `{{resolve:…}}`, Terraform `${…}`/`%{…}`, Jinja `{{ }}` and input-transformer `<name>` all
//!   stay literal text; `$((…))` (shell arithmetic) is never a reference.
//! - References are read only in a spec that declares `parameters`, so a spec written before
//!   parameters existed means what it meant.
//!
//! `tfc check` validates a parameterised spec once per environment (or with the defaults when
//! it has none): it bakes that environment's values into the document ([`bake`]) and runs every
//! ordinary rule on the result, so a value is held to the rules of the field it lands in
//! (subnet ids, Fargate sizes, patterns); a problem in a whole value is reported at the value
//! (in `environments` or the `default`), one inside a string where the string is.

use std::collections::BTreeMap;

use serde_json::Value;

use super::load::{pointer_push, Document};
use super::{field_name, suggest, ParamType, SG_PATTERN, SUBNET_PATTERN};
use crate::diagnostics::Diagnostic;

/// Pattern of parameter names.
pub const NAME_PATTERN: &str = "^[a-z][a-z0-9_]*$";

/// Whether the document declares parameters (only then are references read).
pub fn declares(value: &Value) -> bool {
    value
        .get("parameters")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

/// The `((NAME))` references in a string: (char offset, name). `$((` is shell arithmetic.
pub fn refs_in(s: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '(' && chars[i + 1] == '(' && (i == 0 || chars[i - 1] != '$') {
            let mut j = i + 2;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let name: String = chars[i + 2..j].iter().collect();
            let closed = j + 1 < chars.len() && chars[j] == ')' && chars[j + 1] == ')';
            if closed && is_name(&name) {
                out.push((i, name));
                i = j + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_lowercase())
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A whole-value reference, `{ param: NAME }`.
pub fn whole_ref(v: &Value) -> Option<&str> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    o.get("param")?.as_str()
}

/// Where a reference stands, relative to a task or `defaults` (or the spec root for the
/// cluster): which fields take a whole value, and of which parameter types.
fn whole_field(rel: &str) -> Option<&'static [ParamType]> {
    use ParamType::*;
    Some(match rel {
        "cpu" | "memory" | "count" => &[Number],
        "network/subnets" => &[SubnetIds],
        "network/security_groups" => &[SecurityGroupIds],
        "trigger/enabled" => &[Boolean],
        "trigger/bus" => &[String, Arn],
        "/cluster/arn" => &[Arn, String],
        _ => return None,
    })
}

/// Whether `((NAME))` may stand in the string at `rel`.
fn text_field(rel: &str) -> bool {
    let mut parts = rel.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("image"), None, _)
            | (
                Some("environment" | "command" | "entry_point"),
                Some(_),
                None
            )
            | (Some("trigger"), Some("event"), _)
            | (Some("trigger"), Some("bus"), None)
            | (Some("logging"), Some("stream_prefix"), None)
    )
}

/// The fields that take parameters, for messages.
pub const WHERE: &str = "a whole value `{ param: NAME }` in `cpu`, `memory`, `count`, `network.subnets`, `network.security_groups`, `trigger.bus`, `trigger.enabled` and `cluster.arn`; `((NAME))` inside the tag of `image`, `environment` values, `command` and `entry_point` arguments, event-pattern strings, `trigger.bus` and `logging.stream_prefix`";

/// The part of a pointer relative to its task or `defaults`, or the pointer itself for the
/// spec's own fields (`/cluster/arn`).
fn relative(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["tasks", _, rest @ ..] => rest.join("/"),
        ["defaults", rest @ ..] => rest.join("/"),
        _ => pointer.to_string(),
    }
}

/// One reference in the document.
#[derive(Debug, Clone)]
pub struct Use {
    pub pointer: String,
    pub name: String,
    /// Characters into the string, for `((NAME))`; `None` for `{ param: NAME }`.
    pub offset: Option<usize>,
}

/// Every reference outside `parameters` and `environments`.
pub fn uses(value: &Value) -> Vec<Use> {
    fn walk(v: &Value, pointer: &str, out: &mut Vec<Use>) {
        if let Some(name) = whole_ref(v) {
            out.push(Use {
                pointer: pointer.to_string(),
                name: name.to_string(),
                offset: None,
            });
            return;
        }
        match v {
            Value::String(s) => {
                for (offset, name) in refs_in(s) {
                    out.push(Use {
                        pointer: pointer.to_string(),
                        name,
                        offset: Some(offset),
                    });
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &pointer_push(pointer, &i.to_string()), out);
                }
            }
            Value::Object(map) => {
                for (k, x) in map {
                    if pointer.is_empty() && (k == "parameters" || k == "environments") {
                        continue;
                    }
                    walk(x, &pointer_push(pointer, k), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

/// A parameter as declared (read from the document before the typed parse, so that every
/// problem can be reported at once).
#[derive(Debug, Clone)]
pub struct Declared {
    pub kind: ParamType,
    pub default: Option<Value>,
    pub allowed: Option<Vec<Value>>,
    pub pattern: Option<regex::Regex>,
}

fn declared(value: &Value) -> BTreeMap<String, Declared> {
    let mut out = BTreeMap::new();
    for (name, p) in value
        .get("parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Ok(kind) = serde_json::from_value::<ParamType>(p["type"].clone()) else {
            continue;
        };
        out.insert(
            name.clone(),
            Declared {
                kind,
                default: p.get("default").cloned(),
                allowed: p.get("allowed").and_then(Value::as_array).cloned(),
                pattern: p
                    .get("pattern")
                    .and_then(Value::as_str)
                    .and_then(|re| full_match(re).ok()),
            },
        );
    }
    out
}

/// `re` anchored to match a whole value, bounded in size (the spec is untrusted).
fn full_match(re: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{re})$"))
        .size_limit(1 << 20)
        .build()
}

fn type_name(t: ParamType) -> &'static str {
    match t {
        ParamType::String => "string",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::SubnetIds => "subnet_ids",
        ParamType::SecurityGroupIds => "security_group_ids",
        ParamType::Arn => "arn",
    }
}

/// What is wrong with `v` as a value of `p`, if anything.
fn value_problem(p: &Declared, v: &Value) -> Option<String> {
    let ids = |v: &Value, pattern: &str, max: usize, min: usize, what: &str| -> Option<String> {
        let re = regex::Regex::new(pattern).ok()?;
        let Some(list) = v.as_array() else {
            return Some(format!("a list of {what} ids is expected, not {v}"));
        };
        if list.len() < min || list.len() > max {
            return Some(format!(
                "{min}–{max} {what} ids are expected, not {}",
                list.len()
            ));
        }
        list.iter()
            .find(|x| !x.as_str().is_some_and(|s| re.is_match(s)))
            .map(|x| format!("{x} is not a {what} id (e.g. `{what}-0123456789abcdef0`)"))
    };
    let problem = match p.kind {
        ParamType::String => (!v.is_string()).then(|| format!("a string is expected, not {v}")),
        ParamType::Number => (!v.is_number()).then(|| format!("a number is expected, not {v}")),
        ParamType::Boolean => {
            (!v.is_boolean()).then(|| format!("`true` or `false` is expected, not {v}"))
        }
        ParamType::SubnetIds => ids(v, SUBNET_PATTERN, 16, 1, "subnet"),
        ParamType::SecurityGroupIds => ids(v, SG_PATTERN, 5, 0, "sg"),
        ParamType::Arn => match v.as_str() {
            Some(s) if s.starts_with("arn:") && s.split(':').count() >= 6 => None,
            _ => Some(format!(
                "an ARN is expected (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`), not {v}"
            )),
        },
    };
    if problem.is_some() {
        return problem;
    }
    if let Some(allowed) = &p.allowed {
        if !allowed.contains(v) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            return Some(format!(
                "{v} is not one of the allowed values: {}",
                list.join(", ")
            ));
        }
    }
    if let Some(re) = &p.pattern {
        let texts: Vec<String> = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            other => vec![other.to_string()],
        };
        if let Some(t) = texts.iter().find(|t| !re.is_match(t)) {
            return Some(format!("`{t}` does not match the parameter's pattern"));
        }
    }
    None
}

/// Values chosen on the command line: an environment and `--set NAME=VALUE`s.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub env: Option<String>,
    pub set: Vec<(String, String)>,
    /// Check with exactly one set of values (the defaults unless `env`/`set` choose), as the
    /// commands that use the spec do; otherwise (`tfc check`) with every environment.
    pub single: bool,
}

impl Values {
    pub fn is_empty(&self) -> bool {
        self.env.is_none() && self.set.is_empty()
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The parameter's `default` (its pointer).
    Default(String),
    /// An environment's value (its pointer).
    Environment(String),
    /// `--set` on the command line.
    Set,
    /// No value: a stand-in that passes the field's rules, whose diagnostics are dropped.
    StandIn,
}

/// One set of values to bake.
#[derive(Debug, Clone)]
pub struct Context {
    /// The environment's name, or `None` for defaults (and `--set`).
    pub env: Option<String>,
    pub values: BTreeMap<String, (Value, Source)>,
}

impl Context {
    /// What each parameter's value is and where it came from, for commands that say so.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, (v, source)) in &self.values {
            let from = match source {
                Source::Default(_) => "default".to_string(),
                Source::Environment(_) => {
                    format!("environment {}", self.env.as_deref().unwrap_or_default())
                }
                Source::Set => "--set".to_string(),
                Source::StandIn => "no value".to_string(),
            };
            let shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parts.push(format!("{name} = {shown} ({from})"));
        }
        parts.join(", ")
    }
}

/// A value for a parameter that passes the rules of where it is used, for checking a spec
/// whose parameter has no value (deploy time will give one).
fn stand_in(p: &Declared) -> Value {
    if let Some(first) = p.allowed.as_ref().and_then(|a| a.first()) {
        return first.clone();
    }
    match p.kind {
        ParamType::String => Value::String("stand-in".into()),
        ParamType::Number => serde_json::json!(1),
        ParamType::Boolean => Value::Bool(true),
        ParamType::SubnetIds => serde_json::json!(["subnet-00000000"]),
        ParamType::SecurityGroupIds => serde_json::json!([]),
        ParamType::Arn => Value::String("arn:aws:iam::000000000000:role/stand-in".into()),
    }
}

/// `--set` text as a value of the parameter's type.
fn parse_set(p: &Declared, text: &str) -> Value {
    match p.kind {
        ParamType::Number => text
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(text.into())),
        ParamType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        ParamType::SubnetIds | ParamType::SecurityGroupIds => Value::Array(
            text.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.trim().into()))
                .collect(),
        ),
        ParamType::String | ParamType::Arn => Value::String(text.into()),
    }
}

/// The parameter problems of a document (names, types, values, where references stand,
/// unused parameters), and the sets of values to check it with: each environment (or the
/// defaults, with stand-ins, when it has none); with `values` given, exactly the one they
/// choose (a parameter without a value is then an error).
pub fn contexts(doc: &Document, values: &Values) -> (Vec<Context>, Vec<Diagnostic>) {
    let value = &doc.value;
    let params = declared(value);
    let names: Vec<String> = params.keys().cloned().collect();
    let mut out = Vec::new();
    // Declarations.
    for (name, p) in value
        .get("parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = pointer_push("/parameters", name);
        if let Some(re) = p.get("pattern").and_then(Value::as_str) {
            if let Err(e) = full_match(re) {
                out.push(
                    Diagnostic::error(
                        "parameter-pattern",
                        pointer_push(&at, "pattern"),
                        format!("parameters.{name}.pattern is not a valid regular expression: {e}"),
                    )
                    .with_help("use the regular-expression syntax of the `regex` crate (RE2-like, as Terraform's `regex`)"),
                );
            }
        }
        let Some(d) = params.get(name) else { continue };
        if let Some(v) = &d.default {
            if let Some(problem) = value_problem(d, v) {
                out.push(
                    Diagnostic::error(
                        "parameter-value",
                        pointer_push(&at, "default"),
                        format!("parameters.{name}.default: {problem}"),
                    )
                    .with_help(format!("a value of type `{}`", type_name(d.kind))),
                );
            }
        }
        for (i, a) in d.allowed.iter().flatten().enumerate() {
            let bare = Declared {
                allowed: None,
                ..d.clone()
            };
            if let Some(problem) = value_problem(&bare, a) {
                out.push(Diagnostic::error(
                    "parameter-value",
                    pointer_push(&pointer_push(&at, "allowed"), &i.to_string()),
                    format!("parameters.{name}.allowed: {problem}"),
                ));
            }
        }
    }
    // Names the targets spell alike (`image_tag` is ImageTag in CloudFormation, imageTag in
    // CDK): two that differ only in underscores would be one parameter there.
    let mut spelled: BTreeMap<String, &String> = BTreeMap::new();
    for name in &names {
        let key = crate::model::pascal(name);
        if let Some(first) = spelled.get(&key) {
            out.push(
                Diagnostic::error(
                    "parameter-name",
                    pointer_push("/parameters", name),
                    format!("parameters `{first}` and `{name}` are both `{key}` in CloudFormation and CDK"),
                )
                .with_help("rename one: names that differ only in underscores cannot be told apart there")
                .on_key(),
            );
        } else {
            spelled.insert(key, name);
        }
    }
    // References.
    let used = uses(value);
    for u in &used {
        let rel = relative(&u.pointer);
        let Some(p) = params.get(&u.name) else {
            let help = match suggest(&u.name, &names) {
                Some(s) => format!("did you mean `{s}`? Declared: {}", names.join(", ")),
                None => format!(
                    "declare it under `parameters` (declared: {})",
                    names.join(", ")
                ),
            };
            out.push(
                Diagnostic::error(
                    "parameter-undefined",
                    u.pointer.clone(),
                    format!(
                        "{} uses parameter `{}`, which is not declared",
                        field_name(&u.pointer),
                        u.name
                    ),
                )
                .with_help(help)
                .at_offset(u.offset),
            );
            continue;
        };
        let allowed_types: Option<&[ParamType]> = match u.offset {
            None => whole_field(&rel),
            Some(_) if text_field(&rel) => Some(&[
                ParamType::String,
                ParamType::Number,
                ParamType::Boolean,
                ParamType::Arn,
            ]),
            Some(_) => None,
        };
        match allowed_types {
            None => out.push(
                Diagnostic::error(
                    "parameter-position",
                    u.pointer.clone(),
                    format!(
                        "{} cannot take a parameter (`{}`)",
                        field_name(&u.pointer),
                        u.name
                    ),
                )
                .with_help(format!("parameters can stand as {WHERE}"))
                .at_offset(u.offset),
            ),
            Some(types) if !types.contains(&p.kind) => out.push(
                Diagnostic::error(
                    "parameter-type",
                    u.pointer.clone(),
                    format!(
                        "{} takes a {}, but parameter `{}` is a `{}`",
                        field_name(&u.pointer),
                        types
                            .iter()
                            .map(|t| format!("`{}`", type_name(*t)))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        u.name,
                        type_name(p.kind)
                    ),
                )
                .at_offset(u.offset),
            ),
            Some(_) => {}
        }
        // The repository stays literal: tfc grants the pull permission for it, and renders the
        // same permission whatever the tag is.
        if let (Some(offset), "image") = (u.offset, rel.as_str()) {
            let text = doc
                .value
                .pointer(&u.pointer)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let chars: Vec<char> = text.chars().collect();
            let slash = chars.iter().rposition(|c| *c == '/').map_or(0, |i| i + 1);
            let tag = chars[slash..]
                .iter()
                .position(|c| *c == ':' || *c == '@')
                .map(|i| i + slash);
            if tag.is_none_or(|t| offset <= t) {
                out.push(
                    Diagnostic::error(
                        "parameter-position",
                        u.pointer.clone(),
                        format!(
                            "{} may use a parameter only in its tag (`{}`)",
                            field_name(&u.pointer),
                            u.name
                        ),
                    )
                    .with_help("keep the registry and repository literal, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:((image_tag))`: tfc grants the pull permission for that repository")
                    .at_offset(u.offset),
                );
            }
        }
    }
    for name in &names {
        if !used.iter().any(|u| &u.name == name) {
            out.push(
                Diagnostic::warning(
                    "parameter-unused",
                    pointer_push("/parameters", name),
                    format!("parameter `{name}` is declared but not used"),
                )
                .with_help(format!("use it as {WHERE}, or remove it")),
            );
        }
    }
    // Environments.
    let envs = value
        .get("environments")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (env, given) in &envs {
        let at = pointer_push("/environments", env);
        for (name, v) in given.as_object().into_iter().flatten() {
            let vp = pointer_push(&at, name);
            match params.get(name) {
                None => out.push(
                    Diagnostic::error(
                        "parameter-undefined",
                        vp,
                        format!("environment `{env}` gives a value for `{name}`, which is not a declared parameter"),
                    )
                    .with_help(match suggest(name, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("declared: {}", names.join(", ")),
                    })
                    .on_key(),
                ),
                Some(p) => {
                    if let Some(problem) = value_problem(p, v) {
                        out.push(
                            Diagnostic::error(
                                "parameter-value",
                                vp,
                                format!("environments.{env}.{name}: {problem}"),
                            )
                            .with_help(format!("a value of type `{}`", type_name(p.kind))),
                        );
                    }
                }
            }
        }
        for (name, p) in &params {
            if p.default.is_none() && given.get(name).is_none() {
                out.push(
                    Diagnostic::error(
                        "parameter-missing",
                        at.clone(),
                        format!(
                            "environment `{env}` gives no value for `{name}`, which has no default"
                        ),
                    )
                    .with_help(format!(
                        "add `{name}: …` to environments.{env}, or a `default` to the parameter"
                    ))
                    .on_key(),
                );
            }
        }
    }
    // The values to check with.
    let resolve = |env: Option<&str>,
                   set: &[(String, String)],
                   strict: bool,
                   out: &mut Vec<Diagnostic>| {
        let mut values = BTreeMap::new();
        for (name, p) in &params {
            let from_env = env.and_then(|e| {
                envs.get(e).and_then(|g| g.get(name)).map(|v| {
                    (
                        v.clone(),
                        Source::Environment(pointer_push(&pointer_push("/environments", e), name)),
                    )
                })
            });
            let chosen = from_env.or_else(|| {
                p.default.clone().map(|v| {
                    (
                        v,
                        Source::Default(pointer_push(
                            &pointer_push("/parameters", name),
                            "default",
                        )),
                    )
                })
            });
            let chosen = match chosen {
                Some(c) => c,
                None if strict => {
                    if !set.iter().any(|(n, _)| n == name) {
                        out.push(
                            Diagnostic::error(
                                "parameter-missing",
                                pointer_push("/parameters", name),
                                format!("parameter `{name}` has no value{}", env.map(|e| format!(" in environment `{e}`")).unwrap_or_default()),
                            )
                            .with_help(format!("give one with `--set {name}=VALUE`, an environment (`--env NAME`), or a `default`"))
                            .on_key(),
                        );
                    }
                    (stand_in(p), Source::StandIn)
                }
                None => (stand_in(p), Source::StandIn),
            };
            values.insert(name.clone(), chosen);
        }
        for (name, text) in set {
            match params.get(name) {
                Some(p) => {
                    let v = parse_set(p, text);
                    if let Some(problem) = value_problem(p, &v) {
                        out.push(
                            Diagnostic::error(
                                "parameter-value",
                                "",
                                format!("--set {name}={text}: {problem}"),
                            )
                            .with_help(format!("a value of type `{}`", type_name(p.kind))),
                        );
                    }
                    values.insert(name.clone(), (v, Source::Set));
                }
                None => out.push(
                    Diagnostic::error(
                        "parameter-undefined",
                        "",
                        format!("--set {name}=…: `{name}` is not a declared parameter"),
                    )
                    .with_help(match suggest(name, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("declared: {}", names.join(", ")),
                    }),
                ),
            }
        }
        Context {
            env: env.map(str::to_string),
            values,
        }
    };
    let mut contexts = Vec::new();
    if values.single || !values.is_empty() {
        if let Some(e) = &values.env {
            if !envs.contains_key(e) {
                let known: Vec<String> = envs.keys().cloned().collect();
                out.push(
                    Diagnostic::error(
                        "parameter-environment",
                        "",
                        format!("--env {e}: the spec has no environment `{e}`"),
                    )
                    .with_help(if known.is_empty() {
                        "the spec declares no `environments`".to_string()
                    } else {
                        format!("environments: {}", known.join(", "))
                    }),
                );
            }
        }
        contexts.push(resolve(values.env.as_deref(), &values.set, true, &mut out));
    } else if envs.is_empty() {
        contexts.push(resolve(None, &[], false, &mut out));
    } else {
        for env in envs.keys() {
            contexts.push(resolve(Some(env), &[], false, &mut out));
        }
    }
    (contexts, out)
}

/// Where a value was baked in: the pointer, and whether the whole value came from the
/// parameter (a problem there is the value's).
#[derive(Debug, Clone)]
pub struct Binding {
    pub pointer: String,
    pub name: String,
    pub whole: bool,
}

/// The document with `ctx`'s values in place of every reference.
pub fn bake(value: &Value, ctx: &Context) -> (Value, Vec<Binding>) {
    fn text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    fn walk(v: &mut Value, pointer: &str, ctx: &Context, out: &mut Vec<Binding>) {
        if let Some(name) = whole_ref(v).map(str::to_string) {
            if let Some((value, _)) = ctx.values.get(&name) {
                *v = value.clone();
            }
            out.push(Binding {
                pointer: pointer.to_string(),
                name,
                whole: true,
            });
            return;
        }
        match v {
            Value::String(s) => {
                let refs = refs_in(s);
                if refs.is_empty() {
                    return;
                }
                let chars: Vec<char> = s.chars().collect();
                let mut baked = String::new();
                let mut at = 0;
                for (offset, name) in &refs {
                    baked.extend(&chars[at..*offset]);
                    match ctx.values.get(name) {
                        Some((value, _)) => baked.push_str(&text(value)),
                        None => baked.push_str(&format!("(({name}))")),
                    }
                    at = offset + name.chars().count() + 4;
                    out.push(Binding {
                        pointer: pointer.to_string(),
                        name: name.clone(),
                        whole: false,
                    });
                }
                baked.extend(&chars[at.min(chars.len())..]);
                *s = baked;
            }
            Value::Array(items) => {
                for (i, x) in items.iter_mut().enumerate() {
                    walk(x, &pointer_push(pointer, &i.to_string()), ctx, out);
                }
            }
            Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    if pointer.is_empty() && (k == "parameters" || k == "environments") {
                        continue;
                    }
                    walk(x, &pointer_push(pointer, k), ctx, out);
                }
            }
            _ => {}
        }
    }
    let mut baked = value.clone();
    let mut bindings = Vec::new();
    walk(&mut baked, "", ctx, &mut bindings);
    (baked, bindings)
}

/// A diagnostic of the baked document, told in terms of the spec: dropped when it is about a
/// stand-in; for a whole value, moved to where the value was given; inside a string, noted
/// with the value used.
pub fn relate(d: Diagnostic, bindings: &[Binding], ctx: &Context) -> Option<Diagnostic> {
    let under =
        |b: &Binding| d.pointer == b.pointer || d.pointer.starts_with(&format!("{}/", b.pointer));
    let hits: Vec<&Binding> = bindings.iter().filter(|b| under(b)).collect();
    if hits.is_empty() {
        return Some(d);
    }
    // A stand-in, or a parameter without a value (undeclared: reported as such).
    if hits
        .iter()
        .any(|b| matches!(ctx.values.get(&b.name), Some((_, Source::StandIn)) | None))
    {
        return None;
    }
    let b = hits[0];
    let context = match ctx.values.get(&b.name) {
        Some((_, Source::Environment(_))) => {
            format!(
                "in environment `{}`",
                ctx.env.as_deref().unwrap_or_default()
            )
        }
        Some((_, Source::Set)) => "from --set".to_string(),
        _ => "with its default".to_string(),
    };
    let mut d = d;
    let names: Vec<&str> = hits.iter().map(|b| b.name.as_str()).collect();
    d.message = format!(
        "{} (parameter `{}` {context})",
        d.message,
        names.join("`, `")
    );
    if b.whole {
        match ctx.values.get(&b.name) {
            Some((_, Source::Default(p) | Source::Environment(p))) => {
                d.pointer = p.clone();
                d.pos = None;
                d.offset = None;
            }
            Some((_, Source::Set)) => {
                d.pointer = String::new();
                d.pos = None;
                d.offset = None;
            }
            _ => {}
        }
    } else {
        // Offsets into the baked string do not point into the written one.
        d.offset = None;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn references_in_strings() {
        assert_eq!(
            refs_in("app:((tag))-((n1))"),
            [(4, "tag".to_string()), (12, "n1".to_string())]
        );
        // Shell arithmetic, other syntaxes and malformed names are text.
        for s in [
            "$((1+2))",
            "echo $((tag))",
            "${tag} $tag {{tag}} <tag> %{tag}",
            "((Tag))",
            "((tag)",
            "((1tag))",
            "(( tag ))",
        ] {
            assert_eq!(refs_in(s), [], "{s}");
        }
    }

    #[test]
    fn whole_references_are_objects_with_only_param() {
        assert_eq!(whole_ref(&serde_json::json!({"param": "cpu"})), Some("cpu"));
        assert_eq!(
            whole_ref(&serde_json::json!({"param": "cpu", "x": 1})),
            None
        );
        assert_eq!(whole_ref(&serde_json::json!("((cpu))")), None);
    }

    #[test]
    fn bake_replaces_whole_values_and_text() {
        let ctx = Context {
            env: Some("prod".into()),
            values: BTreeMap::from([
                ("cpu".to_string(), (serde_json::json!(512), Source::Set)),
                ("tag".to_string(), (serde_json::json!("1.2"), Source::Set)),
            ]),
        };
        let (baked, bindings) = bake(
            &serde_json::json!({
                "parameters": {"tag": {"type": "string", "default": "((tag))"}},
                "tasks": {"a": {"cpu": {"param": "cpu"}, "image": "app:((tag)) $((1))"}}
            }),
            &ctx,
        );
        assert_eq!(baked["tasks"]["a"]["cpu"], 512);
        assert_eq!(baked["tasks"]["a"]["image"], "app:1.2 $((1))");
        assert_eq!(baked["parameters"]["tag"]["default"], "((tag))");
        assert_eq!(bindings.len(), 2);
    }
}

/// Opens a parameter marker in a symbolic spec: `OPEN name CLOSE` stands for the parameter's
/// value. The characters are from Unicode's private-use area, which `check` rejects in specs
/// that declare parameters, so no spec text can forge one.
pub const OPEN: char = '\u{E000}';
/// Closes a marker.
pub const CLOSE: char = '\u{E001}';
/// Opens a marker for the cluster name in a cluster ARN parameter (`…:cluster/NAME`).
pub const NAME_OF: char = '\u{E002}';

/// Whether `c` is one of the marker characters.
pub fn is_marker_char(c: char) -> bool {
    matches!(c, OPEN | CLOSE | NAME_OF)
}

/// The marker for parameter `name`.
pub fn marker(name: &str) -> String {
    format!("{OPEN}{name}{CLOSE}")
}

/// A piece of a string of a symbolic spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// The value of a parameter.
    Param(&'a str),
    /// The cluster name in the value of a cluster ARN parameter.
    ClusterName(&'a str),
}

/// The pieces of `s`: text and parameter markers.
pub fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find([OPEN, NAME_OF]) {
        let kind = rest[i..].chars().next();
        let after = &rest[i + 3..];
        let Some(end) = after.find(CLOSE) else { break };
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let name = &after[..end];
        out.push(if kind == Some(OPEN) {
            Piece::Param(name)
        } else {
            Piece::ClusterName(name)
        });
        rest = &after[end + 3..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Whether `s` holds a marker.
pub fn has_marker(s: &str) -> bool {
    s.contains([OPEN, NAME_OF])
}

/// The parameter `s` consists of, when it is exactly one marker.
pub fn whole_marker(s: &str) -> Option<Piece<'_>> {
    match pieces(s).as_slice() {
        [p @ (Piece::Param(_) | Piece::ClusterName(_))] => Some(*p),
        _ => None,
    }
}

/// The document with every reference made a marker: `((NAME))` inside strings, and a whole
/// value in a string field. References in the other fields stay `{ param: NAME }`, which the
/// typed spec reads as [`super::ParamOr::Param`]. Only for a spec `check` accepted.
pub fn symbolic(value: &Value) -> Value {
    fn walk(v: &Value, pointer: &str) -> Value {
        if let Some(name) = whole_ref(v) {
            return match relative(pointer).as_str() {
                "trigger/bus" | "/cluster/arn" => Value::String(marker(name)),
                _ => v.clone(),
            };
        }
        match v {
            Value::String(s) => {
                let refs = refs_in(s);
                if refs.is_empty() {
                    return v.clone();
                }
                let chars: Vec<char> = s.chars().collect();
                let mut out = String::new();
                let mut at = 0;
                for (offset, name) in refs {
                    out.extend(&chars[at..offset]);
                    out.push_str(&marker(&name));
                    at = offset + name.chars().count() + 4;
                }
                out.extend(&chars[at..]);
                Value::String(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| walk(x, &pointer_push(pointer, &i.to_string())))
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, x)| {
                        let keep = pointer.is_empty() && (k == "parameters" || k == "environments");
                        (
                            k.clone(),
                            if keep {
                                x.clone()
                            } else {
                                walk(x, &pointer_push(pointer, k))
                            },
                        )
                    })
                    .collect(),
            ),
            _ => v.clone(),
        }
    }
    walk(value, "")
}

/// Private-use characters tfc reserves for its markers, wherever a spec with parameters has
/// them (in a key or a value).
pub fn reserved_characters(value: &Value) -> Vec<Diagnostic> {
    fn walk(v: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
        let bad = |s: &str| s.chars().any(is_marker_char);
        match v {
            Value::String(s) if bad(s) => out.push(
                Diagnostic::error(
                    "reserved-character",
                    pointer.to_string(),
                    format!(
                        "{} holds a private-use character U+E000–U+E002 that tfc reserves in specs with parameters",
                        field_name(pointer)
                    ),
                )
                .with_help("remove the character"),
            ),
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &pointer_push(pointer, &i.to_string()), out);
                }
            }
            Value::Object(map) => {
                for (k, x) in map {
                    let at = pointer_push(pointer, k);
                    if bad(k) {
                        out.push(
                            Diagnostic::error(
                                "reserved-character",
                                at.clone(),
                                "a key holds a private-use character U+E000–U+E002 that tfc reserves in specs with parameters",
                            )
                            .with_help("remove the character")
                            .on_key(),
                        );
                    }
                    walk(x, &at, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

/// `v` with every marker written back as the spec writes it, `((name))` (the cluster name of
/// a cluster ARN parameter as `((name)):cluster-name`), for showing a symbolic model or plan.
pub fn readable(v: &mut Value) {
    match v {
        Value::String(s) if has_marker(s) => {
            *s = pieces(s)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t.to_string(),
                    Piece::Param(n) => format!("(({n}))"),
                    Piece::ClusterName(n) => format!("(({n})):cluster-name"),
                })
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(readable),
        Value::Object(map) => map.values_mut().for_each(readable),
        _ => {}
    }
}
