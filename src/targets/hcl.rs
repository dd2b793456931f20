//! A small HCL writer that produces `terraform fmt` form directly: two-space indent, `=` aligned
//! within runs of consecutive single-line attributes (a multi-line value, a nested block or a
//! blank line ends a run), and string literals escaped so no user text is ever interpolated.

use serde_json::Value;

use crate::plan::{has_marker, pieces, whole_marker, Piece};

/// An HCL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal (escaped on output).
    Str(String),
    /// A number, boolean or null literal taken from JSON.
    Json(Value),
    /// A reference or function call written by tfc itself (never user text).
    Raw(String),
    /// A string template mixing escaped literal parts and `${…}` interpolations of references.
    Template(Vec<Part>),
    List(Vec<Expr>),
    /// Keys in the order given.
    Object(Vec<(String, Expr)>),
    /// `name(arg)` with one argument, e.g. `jsonencode({…})`.
    Call(&'static str, Box<Expr>),
}

/// A part of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    /// A reference written by tfc itself.
    Ref(String),
}

/// An item of a block body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
}

/// `type "label" … { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Self {
        Block {
            kind: kind.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            body: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn attr(mut self, key: &str, value: Expr) -> Self {
        self.body.push(Item::Attr(key.to_string(), value));
        self
    }

    /// Adds an attribute when there is a value.
    pub fn attr_opt(self, key: &str, value: Option<Expr>) -> Self {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }

    /// Adds a nested block.
    pub fn block(mut self, block: Block) -> Self {
        self.body.push(Item::Block(block));
        self
    }

    /// Renders the block at `indent` levels, ending with a newline.
    pub fn render(&self, indent: usize) -> String {
        let mut out = pad(indent);
        out.push_str(&self.kind);
        for l in &self.labels {
            out.push(' ');
            out.push_str(&quote(l));
        }
        if self.body.is_empty() {
            out.push_str(" {}\n");
            return out;
        }
        out.push_str(" {\n");
        render_body(&self.body, indent + 1, &mut out);
        out.push_str(&pad(indent));
        out.push_str("}\n");
        out
    }
}

/// A string literal: `"…"` with HCL's escapes, `${` → `$${` and `%{` → `%%{` so that text is
/// never read as a template interpolation or directive, and every non-printable character as
/// `\uNNNN`.
///
/// A deploy-time parameter's marker (see [`crate::plan::pieces`]) becomes the interpolation of
/// its variable, the only `${…}` tfc writes into a string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    out.push_str(&literal_with_variables(s));
    out.push('"');
    out
}

/// The expression a parameter marker stands for.
fn variable(piece: Piece<'_>) -> Option<String> {
    match piece {
        Piece::Text(_) => None,
        Piece::Param(name) => Some(format!("var.{name}")),
        Piece::ClusterName(name) => Some(format!("element(split(\"/\", var.{name}), 1)")),
    }
}

/// The inside of a string literal with parameter markers interpolated.
fn literal_with_variables(s: &str) -> String {
    if !has_marker(s) {
        return escape_literal(s);
    }
    pieces(s)
        .into_iter()
        .map(|p| match (p, variable(p)) {
            (_, Some(v)) => format!("${{{v}}}"),
            (Piece::Text(t), None) => escape_literal(t),
            _ => String::new(),
        })
        .collect()
}

/// A string value: a parameter's variable itself when the string is exactly one.
fn string_value(s: &str) -> String {
    match whole_marker(s).and_then(variable) {
        Some(v) => v,
        None => quote(s),
    }
}

/// The inside of a string literal (see [`quote`]).
pub fn escape_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if super::yaml::printable(c) => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            k,
            "true" | "false" | "null" | "for" | "in" | "if" | "endif" | "endfor"
        );
    if ident {
        k.to_string()
    } else {
        quote(k)
    }
}

/// The single-line form of an expression (the multi-line one when it has none).
pub fn inline_expr(e: &Expr) -> String {
    inline(e).unwrap_or_else(|| {
        let mut out = String::new();
        multiline(e, 0, &mut out);
        out
    })
}

/// A block's body items at the top level (a `.tfvars` file), `=` aligned as `terraform fmt`.
pub fn body(b: &Block) -> String {
    let mut out = String::new();
    render_body(&b.body, 0, &mut out);
    out
}

/// The single-line form of an expression, if it has one.
fn inline(e: &Expr) -> Option<String> {
    match e {
        Expr::Str(s) => Some(string_value(s)),
        Expr::Json(v) => Some(match v {
            Value::String(s) => string_value(s),
            other => other.to_string(),
        }),
        Expr::Raw(r) => Some(r.clone()),
        Expr::Template(parts) => {
            let mut s = String::from("\"");
            for p in parts {
                match p {
                    Part::Lit(l) => s.push_str(&literal_with_variables(l)),
                    Part::Ref(r) => {
                        s.push_str("${");
                        s.push_str(r);
                        s.push('}');
                    }
                }
            }
            s.push('"');
            Some(s)
        }
        Expr::List(items) if items.is_empty() => Some("[]".into()),
        Expr::List(items)
            if items
                .iter()
                .all(|i| !matches!(i, Expr::List(_) | Expr::Object(_) | Expr::Call(..))) =>
        {
            let parts: Option<Vec<String>> = items.iter().map(inline).collect();
            parts.map(|p| format!("[{}]", p.join(", ")))
        }
        Expr::Object(fields) if fields.is_empty() => Some("{}".into()),
        Expr::Object(fields)
            if fields.len() == 1
                && !matches!(
                    fields[0].1,
                    Expr::List(_) | Expr::Object(_) | Expr::Call(..)
                ) =>
        {
            inline(&fields[0].1).map(|v| format!("{{ {} = {v} }}", key(&fields[0].0)))
        }
        _ => None,
    }
}

/// Writes a multi-line expression starting after `key = `; ends without a newline.
fn multiline(e: &Expr, indent: usize, out: &mut String) {
    if let Some(s) = inline(e) {
        out.push_str(&s);
        return;
    }
    match e {
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad(indent + 1));
                multiline(item, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Expr::Object(fields) => {
            out.push_str("{\n");
            let items: Vec<Item> = fields
                .iter()
                .map(|(k, v)| Item::Attr(k.clone(), v.clone()))
                .collect();
            render_body(&items, indent + 1, out);
            out.push_str(&pad(indent));
            out.push('}');
        }
        Expr::Call(name, arg) => {
            out.push_str(name);
            out.push('(');
            multiline(arg, indent, out);
            out.push(')');
        }
        _ => {}
    }
}

/// Renders body items with `=` aligned in runs of single-line attributes.
fn render_body(items: &[Item], indent: usize, out: &mut String) {
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Item::Block(b) => {
                // A blank line separates a nested block from what precedes it.
                if i > 0 && !matches!(items[i - 1], Item::Block(_)) {
                    out.push('\n');
                }
                out.push_str(&b.render(indent));
                if i + 1 < items.len() {
                    out.push('\n');
                }
                i += 1;
            }
            Item::Attr(..) => {
                // The run of single-line attributes starting here.
                let mut j = i;
                let mut run = Vec::new();
                while let Some(Item::Attr(k, v)) = items.get(j) {
                    match inline(v) {
                        Some(s) => run.push((key(k), s)),
                        None => break,
                    }
                    j += 1;
                }
                if run.is_empty() {
                    if let Item::Attr(k, v) = &items[i] {
                        out.push_str(&pad(indent));
                        out.push_str(&key(k));
                        out.push_str(" = ");
                        multiline(v, indent, out);
                        out.push('\n');
                    }
                    i += 1;
                    continue;
                }
                let width = run
                    .iter()
                    .map(|(k, _)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                for (k, v) in run {
                    out.push_str(&pad(indent));
                    out.push_str(&k);
                    out.push_str(&" ".repeat(width - k.chars().count()));
                    out.push_str(" = ");
                    out.push_str(&v);
                    out.push('\n');
                }
                i = j;
            }
        }
    }
}

/// An HCL expression for a JSON value (for `jsonencode(…)` arguments).
pub fn from_json(v: &Value) -> Expr {
    match v {
        Value::String(s) => Expr::Str(s.clone()),
        Value::Array(items) => Expr::List(items.iter().map(from_json).collect()),
        Value::Object(map) => {
            Expr::Object(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
        other => Expr::Json(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn strings_are_never_interpolated() {
        assert_eq!(quote("${x} %{if} $$ % $"), r#""$${x} %%{if} $$ % $""#);
        assert_eq!(quote("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(quote("nel\u{85}"), r#""nel\u0085""#);
        assert_eq!(quote("ünï 🚀"), "\"ünï 🚀\"");
    }

    #[test]
    fn alignment_runs_end_at_multiline_values_and_blocks() {
        let b = Block::new("resource", &["aws_iam_role", "x"])
            .attr("name", Expr::Str("a".into()))
            .attr("assume_role_policy", Expr::Call("jsonencode", Box::new(from_json(&json!({"Version": "1", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s"}}]})))))
            .attr("tags", from_json(&json!({"team": "p", "cost-center": "x"})))
            .block(Block::new("ecs_target", &[]).attr("task_count", Expr::Json(json!(1))).attr("launch_type", Expr::Str("FARGATE".into())));
        assert_eq!(
            b.render(0),
            r#"resource "aws_iam_role" "x" {
  name = "a"
  assume_role_policy = jsonencode({
    Version = "1"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "s" }
      },
    ]
  })
  tags = {
    team          = "p"
    "cost-center" = "x"
  }

  ecs_target {
    task_count  = 1
    launch_type = "FARGATE"
  }
}
"#
        );
    }
}
