//! The event flow of a spec as a picture (`tfc graph`): for each task, its trigger (the event
//! pattern and bus, or the schedule) → its rule → the task in the cluster, with the overrides
//! the rule's input transformer copies from the event into the container on the last edge.
//!
//! Two renderings of one layout: a Mermaid flowchart ([`mermaid`]) and Graphviz DOT ([`dot`]).
//! Every string from the spec is escaped for the format (see [`mermaid_text`] and [`dot_text`]),
//! node ids are generated (`trigger1`, `rule1`, `task1`, …, numbered in task order) and never
//! contain user text, and the output is deterministic with `\n` line endings and a trailing
//! newline.

use serde_json::Value;

use crate::model::{Cluster, Definition, Model, TaskModel, Trigger};
use crate::spec::{CommandOverride, OverrideValue};

/// Longest rendering of one event-pattern field or description line, in characters.
const CLIP: usize = 100;

/// The layout both renderings draw: labels are lists of lines of raw (unescaped) text.
struct Flow {
    cluster: Vec<String>,
    tasks: Vec<TaskFlow>,
}

struct TaskFlow {
    trigger: Vec<String>,
    rule: Vec<String>,
    task: Vec<String>,
    /// The rule → task edge: `RunTask` and one line per override.
    run: Vec<String>,
    /// The task node the edge ends at (1-based): its own, or for an extra trigger its task's,
    /// which has no node of its own.
    node: usize,
    /// Whether this flow draws its task node.
    own_node: bool,
}

fn flow(model: &Model) -> Flow {
    let cluster = match &model.cluster {
        Cluster::Create { name } => vec![format!("ECS cluster {name}")],
        Cluster::Existing { arn, name } => vec![format!("ECS cluster {name}"), arn.clone()],
    };
    let mut tasks: Vec<TaskFlow> = model.tasks.iter().map(task_flow).collect();
    for (i, t) in model.tasks.iter().enumerate() {
        let owner = model
            .tasks
            .iter()
            .position(|o| o.id == t.definition_owner)
            .filter(|&o| o != i);
        tasks[i].node = owner.map_or(i + 1, |o| o + 1);
        tasks[i].own_node = owner.is_none();
    }
    Flow { cluster, tasks }
}

fn task_flow(t: &TaskModel) -> TaskFlow {
    let trigger = match &t.trigger {
        Trigger::Pattern { pattern, bus } => {
            let mut lines = vec![match bus {
                Some(bus) => format!("event on bus {bus}"),
                None => "event on the default bus".to_string(),
            }];
            if let Value::Object(fields) = pattern {
                // source and detail-type first: they say what the event is.
                let first = ["source", "detail-type"];
                let ordered = first
                    .iter()
                    .filter_map(|k| fields.get_key_value(*k))
                    .chain(fields.iter().filter(|(k, _)| !first.contains(&k.as_str())));
                for (key, value) in ordered {
                    lines.push(clip(format!("{}: {}", plain(key), pattern_value(value))));
                }
            }
            lines
        }
        Trigger::Schedule {
            expression,
            scheduler: None,
        } => vec!["schedule (UTC)".to_string(), expression.clone()],
        Trigger::Schedule {
            expression,
            scheduler: Some(s),
        } => {
            let mut lines = vec![format!("schedule ({})", s.timezone), expression.clone()];
            if let Some(m) = s.flexible_window {
                lines.push(format!("flexible window {m} min"));
            }
            lines
        }
    };

    let mut rule = vec![if t.uses_scheduler() {
        format!("Scheduler schedule {}", t.rule_name)
    } else {
        format!("rule {}", t.rule_name)
    }];
    if t.enabled == crate::spec::ParamOr::Lit(false) {
        rule.push("disabled".to_string());
    }
    if let Some(d) = &t.description {
        rule.push(clip(d.clone()));
    }

    let mut task = vec![
        format!("task {}", t.id),
        format!("container {}", t.container),
    ];
    match &t.definition {
        Definition::Create(d) => {
            task.push(format!(
                "{} CPU · {} MiB · {}",
                d.cpu,
                d.memory,
                match d.architecture {
                    crate::spec::Architecture::X86_64 => "x86_64",
                    crate::spec::Architecture::Arm64 => "arm64",
                }
            ));
            task.push(format!("image {}", d.image));
        }
        Definition::Existing { arn, .. } => task.push(format!("task definition {arn}")),
    }
    task.extend(t.run.describe().into_iter().map(clip));

    let mut run = vec![if t.count != crate::spec::ParamOr::Lit(1) {
        format!("RunTask × {}", t.count)
    } else {
        "RunTask".to_string()
    }];
    for (name, value) in &t.overrides.environment {
        run.push(format!("{} → {name}", override_value(value)));
    }
    match &t.overrides.command {
        Some(CommandOverride::From(f)) => run.push(format!("{} → command", f.from)),
        Some(CommandOverride::List(items)) => {
            let items: Vec<String> = items.iter().map(override_value).collect();
            run.push(format!("[{}] → command", items.join(", ")));
        }
        None => {}
    }

    TaskFlow {
        trigger,
        rule,
        task,
        run,
        node: 0,
        own_node: true,
    }
}

/// An override value as shown: the event path, or the literal as a JSON string (so spaces,
/// empty strings and line breaks stay visible).
fn override_value(v: &OverrideValue) -> String {
    match v {
        OverrideValue::From(f) => f.from.clone(),
        OverrideValue::Literal(s) => json_string(s),
    }
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A string as written in a pattern: bare when it is a plain word that cannot be mistaken for
/// a number, boolean or null (EventBridge matches `"1"` and `1` differently), else JSON-quoted.
fn plain(s: &str) -> String {
    let bare = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@*+".contains(c))
        && !matches!(s, "true" | "false" | "null");
    if bare {
        s.to_string()
    } else {
        json_string(s)
    }
}

/// A compact, quote-light rendering of a pattern value: `[a, b]`, `{prefix: eu-}`.
fn pattern_value(v: &Value) -> String {
    match v {
        Value::String(s) => plain(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(pattern_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", plain(k), pattern_value(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// Shortens a line to [`CLIP`] characters (on a character boundary), ending it with `…`.
fn clip(s: String) -> String {
    if s.chars().count() <= CLIP {
        return s;
    }
    let mut out: String = s.chars().take(CLIP - 1).collect();
    out.push('…');
    out
}

/// Characters that are invisible or move text around (controls, line and paragraph
/// separators, zero-width and bidirectional formatting marks): shown as numeric entities.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
        )
}

/// Escapes text for a quoted Mermaid label (`id["…"]`, `id(["…"])`, `-->|"…"|`).
///
/// Mermaid reads everything up to the next `"` as the label, then decodes `#name;` / `#123;`
/// entity codes in it, and it scans the whole diagram for `%%{…}%%` directives (which can change
/// the configuration, e.g. `securityLevel`) and for `` "` `` markdown strings. So: `"` → `#quot;`,
/// `#` → `#35;` (no user text forms an entity), `%` → `#37;` (no directive or comment), `` ` ``
/// → `#96;`, `<` `>` `&` → `#lt;` `#gt;` `#amp;` (no HTML), `|` → `#124;` (edge-label
/// delimiter), line breaks → `<br/>`, invisible characters → their code. Mermaid's entity pass
/// also drops the last `;` of any line matching `style.*:\S*#.*;` or `classDef.*:\S*#.*;`, so
/// in a text containing `style` or `classDef`, `:` is written `#58;` too.
pub fn mermaid_text(s: &str) -> String {
    mermaid_escape(s, has_style_word(s))
}

/// Whether Mermaid's `style…:…#…;` pass could fire on a line holding this text (the generated
/// ids and fixed words of a line contain neither word, so the label decides).
fn has_style_word(s: &str) -> bool {
    s.contains("style") || s.contains("classDef")
}

fn mermaid_escape(s: &str, colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '%' => out.push_str("#37;"),
            '`' => out.push_str("#96;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            ':' if colon => out.push_str("#58;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br/>");
            }
            '\n' => out.push_str("<br/>"),
            c if is_hidden(c) => out.push_str(&format!("#{};", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a quoted DOT string used as a label (`label="…"`).
///
/// Inside a quoted DOT string `"` must be `\"`; labels are then read as escString, where `\`
/// starts an escape (`\n`, `\l`, `\N`, `\G`, …), so `\` → `\\`; Graphviz decodes HTML entities
/// in labels, so `&` → `&amp;`; line breaks → `\n` (a centred line break), invisible
/// characters → their numeric entity.
pub fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if is_hidden(c) => out.push_str(&format!("&#{};", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn mermaid_label(lines: &[String]) -> String {
    // One label is one line of the diagram: decide the `:` escape for all its lines at once.
    let colon = lines.iter().any(|l| has_style_word(l));
    let lines: Vec<String> = lines.iter().map(|l| mermaid_escape(l, colon)).collect();
    format!("\"{}\"", lines.join("<br/>"))
}

fn dot_label(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| dot_text(l)).collect();
    format!("\"{}\"", lines.join("\\n"))
}

/// The event flow as a Mermaid flowchart (`flowchart LR`).
pub fn mermaid(model: &Model) -> String {
    let f = flow(model);
    let mut out = String::from("flowchart LR\n");
    for (i, t) in f.tasks.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!("  trigger{n}([{}])\n", mermaid_label(&t.trigger)));
        out.push_str(&format!("  rule{n}[{}]\n", mermaid_label(&t.rule)));
    }
    out.push_str(&format!(
        "  subgraph ecs_cluster [{}]\n",
        mermaid_label(&f.cluster)
    ));
    for (i, t) in f.tasks.iter().enumerate().filter(|(_, t)| t.own_node) {
        out.push_str(&format!("    task{}[{}]\n", i + 1, mermaid_label(&t.task)));
    }
    out.push_str("  end\n");
    for (i, t) in f.tasks.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!("  trigger{n} --> rule{n}\n"));
        out.push_str(&format!(
            "  rule{n} -->|{}| task{}\n",
            mermaid_label(&t.run),
            t.node
        ));
    }
    out
}

/// The event flow as a Graphviz DOT digraph.
pub fn dot(model: &Model) -> String {
    let f = flow(model);
    let mut out = String::from("digraph tfc {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, t) in f.tasks.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!(
            "  trigger{n} [shape=ellipse, label={}];\n",
            dot_label(&t.trigger)
        ));
        out.push_str(&format!("  rule{n} [label={}];\n", dot_label(&t.rule)));
    }
    out.push_str("  subgraph cluster_ecs {\n");
    out.push_str(&format!("    label={};\n", dot_label(&f.cluster)));
    for (i, t) in f.tasks.iter().enumerate().filter(|(_, t)| t.own_node) {
        out.push_str(&format!(
            "    task{} [label={}];\n",
            i + 1,
            dot_label(&t.task)
        ));
    }
    out.push_str("  }\n");
    for (i, t) in f.tasks.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!("  trigger{n} -> rule{n};\n"));
        out.push_str(&format!(
            "  rule{n} -> task{} [label={}];\n",
            t.node,
            dot_label(&t.run)
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hostile string the escapers must survive.
    const HOSTILE: &[&str] = &[
        "plain",
        "\"quoted\" and 'single'",
        "a\"] --> evil[\"x",
        "x --> y ---o z ==> w -.-> v",
        "[brackets] (parens) {braces} ([stadium]) ((circle)) >flag] {{hex}}",
        "%% comment",
        "%%{init: {\"securityLevel\": \"loose\"}}%%",
        "#quot; #35; #lt;script#gt; &lt; &amp;",
        "<script>alert(1)</script><img src=x onerror=alert(1)>",
        "line one\nline two\r\nline three\rfour",
        "tab\there nel\u{85} ls\u{2028} ps\u{2029} bom\u{feff} rlo\u{202e}txt",
        "emoji 🚀, CJK 漢字, RTL שלום, ünïcødé — “curly”",
        "`markdown` **bold** \"`md string`\"",
        "pipe | in |\"edge\"| labels",
        "lifestyle: red #35;",
        "classDef x fill:#f00;",
        "back\\slash \\\\ double \\n \\N \\G \\\"",
        "end",
        "subgraph x\nend\nclick a call alert(1)",
        ";; semi ; colon :::cls @{ shape: circle }",
        "",
    ];

    /// Inverts [`mermaid_text`] the way Mermaid reads a label: entity codes to characters and
    /// `<br/>` to a line break.
    fn mermaid_decode(s: &str) -> String {
        let s = s.replace("<br/>", "\n");
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find('#') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let end = after.find(';').expect("every # starts an entity");
            let name = &after[..end];
            let c = match name {
                "quot" => '"',
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                n => char::from_u32(n.parse().expect("numeric entity")).expect("a char"),
            };
            out.push(c);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn normalize_newlines(s: &str) -> String {
        s.replace("\r\n", "\n").replace('\r', "\n")
    }

    #[test]
    fn mermaid_escaping_round_trips_and_leaves_nothing_mermaid_interprets() {
        let style = regex::Regex::new(r"(style|classDef).*:\S*#.*;").expect("regex");
        for s in HOSTILE {
            let e = mermaid_text(s);
            assert_eq!(mermaid_decode(&e), normalize_newlines(s), "{s:?} → {e:?}");
            assert!(!e.contains('"'), "{e:?}");
            assert!(!e.contains('%'), "{e:?}");
            assert!(!e.contains('`'), "{e:?}");
            assert!(!e.contains('|'), "{e:?}");
            assert!(!e.contains('\n') && !e.contains('\r'), "{e:?}");
            let no_br = e.replace("<br/>", "");
            assert!(!no_br.contains('<') && !no_br.contains('>'), "{e:?}");
            assert!(!e.chars().any(is_hidden), "{e:?}");
            // Mermaid's entity pass strips a `;` from lines like `style…:…#…;`.
            assert!(!style.is_match(&e), "{e:?}");
        }
    }

    #[test]
    fn mermaid_escaping_exact() {
        assert_eq!(mermaid_text("a\"b"), "a#quot;b");
        assert_eq!(mermaid_text("%%{init}%%"), "#37;#37;{init}#37;#37;");
        assert_eq!(mermaid_text("#quot;"), "#35;quot;");
        assert_eq!(mermaid_text("a\r\nb\nc"), "a<br/>b<br/>c");
        assert_eq!(mermaid_text("<b>&"), "#lt;b#gt;#amp;");
        assert_eq!(mermaid_text("x --> y [z]"), "x --#gt; y [z]");
        assert_eq!(mermaid_text("rlo\u{202e}"), "rlo#8238;");
        assert_eq!(mermaid_text("漢字 🚀"), "漢字 🚀");
        assert_eq!(mermaid_text("arn:aws:x"), "arn:aws:x");
        assert_eq!(mermaid_text("style a:#f00;"), "style a#58;#35;f00;");
    }

    /// Inverts [`dot_text`]: escString escapes and the entities it writes.
    fn dot_decode(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(c) => out.push(c),
                    None => panic!("trailing backslash in {s:?}"),
                }
            } else {
                out.push(c);
            }
        }
        let re = regex::Regex::new(r"&#(\d+);").expect("regex");
        let out = re.replace_all(&out, |c: &regex::Captures| {
            char::from_u32(c[1].parse().expect("number"))
                .expect("char")
                .to_string()
        });
        out.replace("&amp;", "&")
    }

    #[test]
    fn dot_escaping_round_trips_and_stays_inside_the_quotes() {
        for s in HOSTILE {
            let e = dot_text(s);
            assert_eq!(dot_decode(&e), normalize_newlines(s), "{s:?} → {e:?}");
            // Every `"` is escaped: strip escape pairs and none may remain.
            let stripped = e.replace("\\\\", "").replace("\\\"", "");
            assert!(!stripped.contains('"'), "{e:?}");
            assert!(!e.ends_with('\\') || e.ends_with("\\\\"), "{e:?}");
            assert!(!e.contains('\n') && !e.contains('\r'), "{e:?}");
        }
        assert_eq!(dot_text("a\"b\\c\nd&e"), "a\\\"b\\\\c\\nd&amp;e");
    }

    fn model_of(yaml: &str) -> Model {
        let checked = crate::check(yaml.as_bytes());
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        crate::model::lower(checked.spec.as_ref().expect("a spec"))
    }

    /// A model whose every user-text field is hostile: a valid spec lowered, then every string
    /// field overwritten (the graph must be safe for any model, not only validated ones).
    fn hostile_model() -> Model {
        let mut m = model_of(
            "version: 1\nname: evil\ntasks:\n  t:\n    image: img\n    \
             network: {subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0]}\n    \
             trigger: {event: {source: [s]}}\n  u:\n    image: img\n    \
             network: {subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0]}\n    \
             trigger: {schedule: \"rate(1 hour)\"}\n",
        );
        let all = HOSTILE.join(" ");
        let strings: Vec<Value> = HOSTILE
            .iter()
            .map(|s| Value::String(s.to_string()))
            .collect();
        m.cluster = Cluster::Existing {
            arn: all.clone(),
            name: all.clone(),
        };
        for t in &mut m.tasks {
            t.id = all.clone();
            t.container = all.clone();
            t.rule_name = all.clone();
            t.description = Some(all.clone());
            if let Definition::Create(d) = &mut t.definition {
                d.image = all.clone();
            }
            t.trigger = match t.trigger {
                Trigger::Pattern { .. } => {
                    let mut pattern = serde_json::Map::new();
                    pattern.insert("source".into(), Value::Array(strings.clone()));
                    pattern.insert(all.clone(), Value::Array(strings.clone()));
                    Trigger::Pattern {
                        pattern: Value::Object(pattern),
                        bus: Some(all.clone()),
                    }
                }
                Trigger::Schedule { .. } => Trigger::Schedule {
                    expression: all.clone(),
                    scheduler: Some(crate::model::Scheduler {
                        timezone: all.clone(),
                        flexible_window: Some(5),
                        start: None,
                        end: None,
                        group: Some(all.clone()),
                    }),
                },
            };
            t.overrides.environment = HOSTILE
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("{s}{i}"), OverrideValue::Literal(s.to_string())))
                .collect();
            t.overrides.environment.insert(
                "FROM".into(),
                OverrideValue::From(crate::spec::FromEvent { from: all.clone() }),
            );
        }
        m
    }

    #[test]
    fn hostile_mermaid_keeps_every_label_quoted_and_every_id_generated() {
        let m = hostile_model();
        let out = mermaid(&m);
        assert_eq!(out, mermaid(&m), "deterministic");
        assert!(out.starts_with("flowchart LR\n") && out.ends_with('\n'));
        assert!(!out.contains('\r') && !out.contains("%%"));
        // With every quoted label replaced by S, only the generated skeleton is left: no user
        // text escaped its quotes.
        let labels = regex::Regex::new(r#""[^"]*""#).expect("regex");
        let skeleton = r"flowchart LR
  trigger1([S])
  rule1[S]
  trigger2([S])
  rule2[S]
  subgraph ecs_cluster [S]
    task1[S]
    task2[S]
  end
  trigger1 --> rule1
  rule1 -->|S| task1
  trigger2 --> rule2
  rule2 -->|S| task2
";
        assert_eq!(labels.replace_all(&out, "S"), skeleton, "{out}");
        // The texts survive: decode the task's edge label and find every literal in it.
        let edge = out
            .lines()
            .find(|l| l.starts_with("  rule1 -->"))
            .expect("edge");
        let decoded = mermaid_decode(edge);
        for s in HOSTILE {
            assert!(decoded.contains(&json_string(s)), "{s:?} in {decoded:?}");
        }
        assert!(decoded.contains(&format!(
            "{} → FROM",
            normalize_newlines(&HOSTILE.join(" "))
        )));
        // Every node label decodes to text that contains the hostile strings.
        for prefix in [
            "  trigger1(",
            "  trigger2(",
            "  rule1[",
            "    task1[",
            "  subgraph",
        ] {
            let line = out.lines().find(|l| l.starts_with(prefix)).expect(prefix);
            let decoded = mermaid_decode(line);
            assert!(
                decoded.contains(&normalize_newlines(&HOSTILE.join(" "))),
                "{decoded:?}"
            );
        }
    }

    #[test]
    fn hostile_dot_keeps_every_string_quoted() {
        let m = hostile_model();
        let out = dot(&m);
        assert_eq!(out, dot(&m), "deterministic");
        assert!(out.starts_with("digraph tfc {\n") && out.ends_with("}\n"));
        // Outside quoted strings only ids, punctuation and attribute names appear: remove the
        // strings (honouring `\"` and `\\`) and check what is left.
        let strings = regex::Regex::new(r#""(\\.|[^"\\])*""#).expect("regex");
        let skeleton = r"digraph tfc {
  rankdir=LR;
  node [shape=box];
  trigger1 [shape=ellipse, label=S];
  rule1 [label=S];
  trigger2 [shape=ellipse, label=S];
  rule2 [label=S];
  subgraph cluster_ecs {
    label=S;
    task1 [label=S];
    task2 [label=S];
  }
  trigger1 -> rule1;
  rule1 -> task1 [label=S];
  trigger2 -> rule2;
  rule2 -> task2 [label=S];
}
";
        assert_eq!(strings.replace_all(&out, "S"), skeleton, "{out}");
        for prefix in [
            "  trigger1 ",
            "  trigger2 ",
            "  rule1 [",
            "    task1 ",
            "    label=",
        ] {
            let line = out.lines().find(|l| l.starts_with(prefix)).expect(prefix);
            let decoded = dot_decode(line);
            assert!(
                decoded.contains(&normalize_newlines(&HOSTILE.join(" "))),
                "{decoded:?}"
            );
        }
        let edge = out
            .lines()
            .find(|l| l.starts_with("  rule1 -> task1"))
            .expect("edge");
        let decoded = dot_decode(edge);
        for s in HOSTILE {
            assert!(decoded.contains(&json_string(s)), "{s:?} in {decoded:?}");
        }
    }

    #[test]
    fn schedule_existing_definition_and_command_list() {
        let m = model_of(
            "version: 1\nname: p\ncluster: {arn: \"arn:aws:ecs:eu-west-1:123456789012:cluster/main\"}\n\
             defaults:\n  network: {subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0]}\n\
             tasks:\n  a:\n    image: img\n    trigger: {schedule: \"rate(1 hour)\", enabled: false}\n    \
             overrides: {command: [echo, {from: $.detail.x}, \"\"]}\n  \
             b:\n    task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/fam:3\n    \
             container: c\n    count: 2\n    trigger: {event: {source: [s]}}\n",
        );
        let out = mermaid(&m);
        let expected = r#"flowchart LR
  trigger1(["schedule (UTC)<br/>rate(1 hour)"])
  rule1["rule p-a<br/>disabled"]
  trigger2(["event on the default bus<br/>source: [s]"])
  rule2["rule p-b"]
  subgraph ecs_cluster ["ECS cluster main<br/>arn:aws:ecs:eu-west-1:123456789012:cluster/main"]
    task1["task a<br/>container a<br/>256 CPU · 512 MiB · x86_64<br/>image img"]
    task2["task b<br/>container c<br/>task definition arn:aws:ecs:eu-west-1:123456789012:task-definition/fam:3"]
  end
  trigger1 --> rule1
  rule1 -->|"RunTask<br/>[#quot;echo#quot;, $.detail.x, #quot;#quot;] → command"| task1
  trigger2 --> rule2
  rule2 -->|"RunTask × 2"| task2
"#;
        assert_eq!(out, expected);
        let d = dot(&m);
        assert!(d.contains("  rule1 -> task1 [label=\"RunTask\\n[\\\"echo\\\", $.detail.x, \\\"\\\"] → command\"];\n"), "{d}");
        assert!(
            d.contains("  trigger1 [shape=ellipse, label=\"schedule (UTC)\\nrate(1 hour)\"];\n"),
            "{d}"
        );
    }

    /// Mermaid drops the last `;` of a line matching `style.*:\S*#.*;` anywhere in the line, so
    /// a `style` in one line of a label and a `:#` in another must still not match.
    #[test]
    fn no_diagram_line_feeds_mermaids_style_pass() {
        let m = model_of(
            "version: 1\nname: p\ntasks:\n  lifestyle:\n    image: img\n    \
             description: \"ratio:#1; a \\\"b\\\"\"\n    \
             network: {subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0]}\n    \
             trigger: {event: {source: [\"x:#y\"]}, bus: \"classDef\"}\n",
        );
        let out = mermaid(&m);
        let style = regex::Regex::new(r"(style|classDef).*:\S*#.*;").expect("regex");
        for line in out.lines() {
            assert!(!style.is_match(line), "{line:?}");
        }
        assert!(out.contains("ratio#58;#35;1; a #quot;b#quot;"), "{out}");
        for line in mermaid(&hostile_model()).lines() {
            assert!(!style.is_match(line), "{line:?}");
        }
    }

    #[test]
    fn long_pattern_fields_are_clipped_on_a_char_boundary() {
        let long = "é".repeat(300);
        let s = clip(format!("source: {long}"));
        assert_eq!(s.chars().count(), CLIP);
        assert!(s.ends_with('…'));
        assert_eq!(clip("short".into()), "short");
    }

    #[test]
    fn pattern_values_quote_only_what_needs_it() {
        let v: Value = serde_json::json!({"n": [{"numeric": [">", 0]}], "s": ["0777", "true", "a b", "ok-1.x"]});
        assert_eq!(
            pattern_value(&v),
            "{n: [{numeric: [\">\", 0]}], s: [\"0777\", \"true\", \"a b\", ok-1.x]}"
        );
    }
}
