//! The rule target's input, built once for every target: the RunTask `overrides` object as an
//! EventBridge input transformer (InputPathsMap + InputTemplate) when values come from the event,
//! or as a static Input when every override is a literal.
//!
//! Placeholder names follow aws-cdk's `EventField.fromPath` (aws-events/lib/input.ts): the path
//! without its leading non-word characters, every other character outside `[A-Za-z0-9_-]` turned
//! into `-` (`$.detail.command` → `detail-command`); one path always maps to one key. The template
//! is compact JSON with each placeholder standing alone as a JSON value, exactly as CDK renders
//! `{"containerOverrides":[{"name":"web","environment":[{"name":"X","value":<detail-command>}]}]}`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::kinds::ValueKind;
use crate::spec::{CommandOverride, OverrideValue, Overrides, SizeOverride};

/// The largest array index a path into an event can usefully hold: a PutEvents entry is at most
/// 256 KB (EventBridge quotas) and every array element takes at least two bytes (`0,`), so no
/// event array has more than 131,072 elements. Bounding indices also bounds what `tfc event`
/// and `tfc simulate` allocate for a path.
pub const MAX_PATH_INDEX: usize = 131_071;

/// What EventBridge passes to ECS as the RunTask `overrides`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetInput {
    /// Values from the event: an input transformer.
    Transformer {
        /// Placeholder name → JSON path in the event.
        input_paths: BTreeMap<String, String>,
        /// The overrides JSON with `<placeholder>`s.
        input_template: String,
    },
    /// Literal overrides only: a constant JSON document.
    Static { input: String },
}

/// The CDK placeholder name of a JSON path.
pub fn placeholder_name(path: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    path.trim_start_matches(|c: char| !is_word(c))
        .chars()
        .map(|c| if is_word(c) { c } else { '-' })
        .collect()
}

/// A JSON tree whose leaves may be placeholders.
enum Node {
    Str(String),
    Number(u32),
    Placeholder(String),
    /// A placeholder inside quotes: EventBridge inserts a number or boolean's text there, so
    /// the value reaches ECS as the string it requires.
    QuotedPlaceholder(String),
    Array(Vec<Node>),
    /// Keys in the order written.
    Object(Vec<(&'static str, Node)>),
}

impl Node {
    fn render(&self, out: &mut String) {
        match self {
            Node::Str(s) => out.push_str(&json_string(s)),
            Node::Number(n) => out.push_str(&n.to_string()),
            Node::Placeholder(key) => {
                out.push('<');
                out.push_str(key);
                out.push('>');
            }
            Node::QuotedPlaceholder(key) => {
                out.push_str("\"<");
                out.push_str(key);
                out.push_str(">\"");
            }
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render(out);
                }
                out.push(']');
            }
            Node::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&json_string(k));
                    out.push(':');
                    v.render(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string literal, escaped as `JSON.stringify` does.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

struct Paths<'a> {
    map: BTreeMap<String, String>,
    kind: &'a dyn Fn(&str) -> ValueKind,
}

impl Paths<'_> {
    fn key(&mut self, path: &str) -> String {
        if let Some((k, _)) = self.map.iter().find(|(_, p)| p.as_str() == path) {
            return k.clone();
        }
        let base = placeholder_name(path);
        let base = if base.is_empty() {
            "f".to_string()
        } else {
            base
        };
        let mut key = base.clone();
        let mut n = 1;
        while self.map.contains_key(&key) {
            n += 1;
            key = format!("{base}{n}");
        }
        self.map.insert(key.clone(), path.to_string());
        key
    }

    /// A value ECS needs as a string: a literal, or a placeholder, quoted when the trigger's
    /// pattern shows the event holds a number or boolean there.
    fn string_value(&mut self, v: &OverrideValue) -> Node {
        match v {
            OverrideValue::Literal(s) => Node::Str(s.clone()),
            OverrideValue::From(f) if (self.kind)(&f.from) == ValueKind::NonString => {
                Node::QuotedPlaceholder(self.key(&f.from))
            }
            OverrideValue::From(f) => Node::Placeholder(self.key(&f.from)),
        }
    }

    /// A task size, which RunTask takes as a string (`"cpu":"1024"`): from the event always a
    /// quoted placeholder, so a number there arrives as its text and a string as itself.
    fn size_text(&mut self, v: &SizeOverride) -> Node {
        match v {
            SizeOverride::Literal(n) => Node::Str(n.to_string()),
            SizeOverride::From(f) => Node::QuotedPlaceholder(self.key(&f.from)),
        }
    }

    /// A container size, which RunTask takes as a JSON number: from the event a bare
    /// placeholder (the event must hold a number there).
    fn size_number(&mut self, v: &SizeOverride) -> Node {
        match v {
            SizeOverride::Literal(n) => Node::Number(*n),
            SizeOverride::From(f) => Node::Placeholder(self.key(&f.from)),
        }
    }
}

/// Builds the target input for a container's overrides. Without overrides it is the empty
/// object `{}`, as CDK's `EcsTask` sends, so the event itself never reaches RunTask. `kind`
/// tells what the trigger's pattern says about a path's JSON type (see [`super::kinds`]).
///
/// A placeholder stands alone as a JSON value (CDK's form, byte for byte), which EventBridge
/// fills with the value's JSON: a string arrives as a string, with its quotes escaped. Where the
/// pattern shows a number or boolean, the placeholder is put inside quotes instead, so the
/// value arrives as the string ECS requires: EventBridge inserts the value's text between them
/// (recorded AWS behaviour: see README, "Values from the event").
pub fn build_input(
    container: &str,
    overrides: &Overrides,
    kind: &dyn Fn(&str) -> ValueKind,
) -> TargetInput {
    let mut paths = Paths {
        map: BTreeMap::new(),
        kind,
    };
    let mut fields: Vec<(&'static str, Node)> = vec![("name", Node::Str(container.to_string()))];
    match &overrides.command {
        Some(CommandOverride::From(f)) => {
            fields.push(("command", Node::Placeholder(paths.key(&f.from))));
        }
        Some(CommandOverride::List(items)) => {
            let items = items.iter().map(|v| paths.string_value(v)).collect();
            fields.push(("command", Node::Array(items)));
        }
        None => {}
    }
    if !overrides.environment.is_empty() {
        let env = overrides
            .environment
            .iter()
            .map(|(name, v)| {
                Node::Object(vec![
                    ("name", Node::Str(name.clone())),
                    ("value", paths.string_value(v)),
                ])
            })
            .collect();
        fields.push(("environment", Node::Array(env)));
    }
    if let Some(v) = &overrides.container_cpu {
        fields.push(("cpu", paths.size_number(v)));
    }
    if let Some(v) = &overrides.container_memory {
        fields.push(("memory", paths.size_number(v)));
    }
    // RunTask's task-level sizes follow the container overrides, in CDK's order.
    let mut task: Vec<(&'static str, Node)> = Vec::new();
    if let Some(v) = &overrides.cpu {
        task.push(("cpu", paths.size_text(v)));
    }
    if let Some(v) = &overrides.memory {
        task.push(("memory", paths.size_text(v)));
    }
    if fields.len() == 1 && task.is_empty() {
        return TargetInput::Static { input: "{}".into() };
    }
    let mut top = Vec::new();
    if fields.len() > 1 {
        top.push((
            "containerOverrides",
            Node::Array(vec![Node::Object(fields)]),
        ));
    }
    top.extend(task);
    let root = Node::Object(top);
    let mut text = String::new();
    root.render(&mut text);
    if paths.map.is_empty() {
        TargetInput::Static { input: text }
    } else {
        TargetInput::Transformer {
            input_paths: paths.map,
            input_template: text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::FromEvent;
    use pretty_assertions::assert_eq;

    fn from(p: &str) -> OverrideValue {
        OverrideValue::From(FromEvent { from: p.into() })
    }

    fn unknown(_: &str) -> ValueKind {
        ValueKind::Unknown
    }

    #[test]
    fn task_sizes_are_strings_and_container_sizes_numbers() {
        let o = Overrides {
            cpu: Some(SizeOverride::From(FromEvent {
                from: "$.detail.cpu".into(),
            })),
            memory: Some(SizeOverride::Literal(8192)),
            container_memory: Some(SizeOverride::From(FromEvent {
                from: "$.detail.mem".into(),
            })),
            container_cpu: Some(SizeOverride::Literal(512)),
            ..Overrides::default()
        };
        let TargetInput::Transformer { input_template, .. } = build_input("w", &o, &unknown) else {
            panic!("expected a transformer");
        };
        assert_eq!(
            input_template,
            r#"{"containerOverrides":[{"name":"w","cpu":512,"memory":<detail-mem>}],"cpu":"<detail-cpu>","memory":"8192"}"#
        );
        // Task sizes alone need no container entry.
        let o = Overrides {
            cpu: Some(SizeOverride::Literal(2048)),
            ..Overrides::default()
        };
        assert_eq!(
            build_input("w", &o, &unknown),
            TargetInput::Static {
                input: r#"{"cpu":"2048"}"#.into()
            }
        );
    }

    #[test]
    fn numbers_and_booleans_are_quoted_in_string_positions() {
        let mut o = Overrides {
            command: Some(CommandOverride::List(vec![
                OverrideValue::Literal("refund".into()),
                from("$.detail.amount"),
            ])),
            ..Overrides::default()
        };
        o.environment.insert("DRY_RUN".into(), from("$.detail.dry"));
        o.environment.insert("WHO".into(), from("$.detail.who"));
        let kind = |p: &str| match p {
            "$.detail.amount" | "$.detail.dry" => ValueKind::NonString,
            _ => ValueKind::String,
        };
        let TargetInput::Transformer { input_template, .. } = build_input("w", &o, &kind) else {
            panic!("expected a transformer");
        };
        assert_eq!(
            input_template,
            r#"{"containerOverrides":[{"name":"w","command":["refund","<detail-amount>"],"environment":[{"name":"DRY_RUN","value":"<detail-dry>"},{"name":"WHO","value":<detail-who>}]}]}"#
        );
    }

    #[test]
    fn seed_matches_cdk_byte_for_byte() {
        let mut o = Overrides::default();
        o.environment
            .insert("MANAGEMENT_COMMAND".into(), from("$.detail.command"));
        let TargetInput::Transformer {
            input_paths,
            input_template,
        } = build_input("web", &o, &unknown)
        else {
            panic!("expected a transformer");
        };
        assert_eq!(
            input_paths,
            BTreeMap::from([("detail-command".to_string(), "$.detail.command".to_string())])
        );
        assert_eq!(
            input_template,
            r#"{"containerOverrides":[{"name":"web","environment":[{"name":"MANAGEMENT_COMMAND","value":<detail-command>}]}]}"#
        );
    }

    #[test]
    fn literals_only_give_static_input_and_are_escaped() {
        let mut o = Overrides::default();
        o.environment
            .insert("MODE".into(), OverrideValue::Literal("a\"b\\c\n".into()));
        assert_eq!(
            build_input("c", &o, &unknown),
            TargetInput::Static {
                input: r#"{"containerOverrides":[{"name":"c","environment":[{"name":"MODE","value":"a\"b\\c\n"}]}]}"#.into()
            }
        );
        assert_eq!(
            build_input("c", &Overrides::default(), &unknown),
            TargetInput::Static { input: "{}".into() }
        );
    }

    #[test]
    fn command_forms_and_shared_paths() {
        let mut o = Overrides {
            command: Some(CommandOverride::List(vec![
                OverrideValue::Literal("python".into()),
                from("$.detail.cmd"),
            ])),
            ..Overrides::default()
        };
        o.environment.insert("A".into(), from("$.detail.cmd"));
        o.environment.insert("B".into(), from("$.detail['cmd']"));
        let TargetInput::Transformer {
            input_paths,
            input_template,
        } = build_input("w", &o, &unknown)
        else {
            panic!("expected a transformer");
        };
        assert_eq!(input_paths.len(), 2);
        assert_eq!(input_paths["detail-cmd"], "$.detail.cmd");
        assert_eq!(input_paths["detail--cmd--"], "$.detail['cmd']");
        assert_eq!(
            input_template,
            r#"{"containerOverrides":[{"name":"w","command":["python",<detail-cmd>],"environment":[{"name":"A","value":<detail-cmd>},{"name":"B","value":<detail--cmd-->}]}]}"#
        );
        let whole = Overrides {
            command: Some(CommandOverride::From(FromEvent {
                from: "$.detail.argv".into(),
            })),
            ..Overrides::default()
        };
        let TargetInput::Transformer { input_template, .. } = build_input("w", &whole, &unknown)
        else {
            panic!("expected a transformer");
        };
        assert_eq!(
            input_template,
            r#"{"containerOverrides":[{"name":"w","command":<detail-argv>}]}"#
        );
    }
}
