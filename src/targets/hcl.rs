//! A small HCL writer that produces `terraform fmt` form directly: two-space indent, `=` aligned
//! within runs of consecutive single-line attributes (a multi-line value, a nested block or a
//! blank line ends a run), and string literals escaped so no user text is ever interpolated.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::{Number, Value};

use crate::plan::{has_marker, pieces, whole_marker, Piece};

/// An HCL expression. Text is borrowed where it can be (from the plan, or `'static`), owned
/// where tfc builds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<'a> {
    /// A string literal (escaped on output).
    Str(Cow<'a, str>),
    /// A number literal (as JSON writes it).
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A reference or function call written by tfc itself (never user text).
    Raw(Cow<'a, str>),
    /// A string template mixing escaped literal parts and `${…}` interpolations of references.
    Template(Vec<Part<'a>>),
    List(Vec<Expr<'a>>),
    /// Keys in the order given.
    Object(Vec<(&'a str, Expr<'a>)>),
    /// `name(arg)` with one argument, e.g. `jsonencode({…})`.
    Call(&'static str, Box<Expr<'a>>),
}

/// A part of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part<'a> {
    Lit(Cow<'a, str>),
    /// A reference written by tfc itself.
    Ref(Cow<'a, str>),
}

/// An item of a block body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'a> {
    Attr(&'a str, Expr<'a>),
    Block(Block<'a>),
}

/// `type "label" … { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block<'a> {
    pub kind: &'a str,
    pub labels: Vec<Cow<'a, str>>,
    pub body: Vec<Item<'a>>,
}

impl<'a> Block<'a> {
    pub fn new(kind: &'a str, labels: &[&'a str]) -> Self {
        Block {
            kind,
            labels: labels.iter().map(|l| Cow::Borrowed(*l)).collect(),
            // Most blocks have a few attributes: one allocation instead of two or three.
            body: Vec::with_capacity(8),
        }
    }

    /// A block with labels tfc built (a resource's name from its task id).
    pub fn labelled(kind: &'a str, labels: Vec<Cow<'a, str>>) -> Self {
        Block {
            kind,
            labels,
            body: Vec::with_capacity(8),
        }
    }

    /// Adds an attribute.
    pub fn attr(mut self, key: &'a str, value: Expr<'a>) -> Self {
        self.body.push(Item::Attr(key, value));
        self
    }

    /// Adds an attribute when there is a value.
    pub fn attr_opt(self, key: &'a str, value: Option<Expr<'a>>) -> Self {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }

    /// Adds a nested block.
    pub fn block(mut self, block: Block<'a>) -> Self {
        self.body.push(Item::Block(block));
        self
    }

    /// Renders the block at `indent` levels, ending with a newline.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(indent, &mut out);
        out
    }

    /// Appends the block at `indent` levels to `out`, ending with a newline.
    pub fn write(&self, indent: usize, out: &mut String) {
        push_pad(indent, out);
        out.push_str(self.kind);
        for l in &self.labels {
            out.push(' ');
            write_quoted(l, out);
        }
        if self.body.is_empty() {
            out.push_str(" {}\n");
            return;
        }
        out.push_str(" {\n");
        write_body(&self.body, indent + 1, out);
        push_pad(indent, out);
        out.push_str("}\n");
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
    write_quoted(s, &mut out);
    out
}

/// Appends [`quote`]`(s)` to `out`.
fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    write_literal_with_variables(s, out);
    out.push('"');
}

/// Appends the expression a parameter marker stands for; false for plain text.
fn write_variable(piece: Piece<'_>, out: &mut String) -> bool {
    match piece {
        Piece::Text(_) => return false,
        Piece::Param(name) => {
            out.push_str("var.");
            out.push_str(name);
        }
        Piece::ClusterName(name) => {
            out.push_str("element(split(\"/\", var.");
            out.push_str(name);
            out.push_str("), 1)");
        }
    }
    true
}

/// Appends the inside of a string literal with parameter markers interpolated.
fn write_literal_with_variables(s: &str, out: &mut String) {
    if is_plain_text(s) {
        out.push_str(s);
        return;
    }
    if !may_hold_marker(s) {
        write_escaped(s, out);
        return;
    }
    for p in pieces(s) {
        match p {
            Piece::Text(t) => write_escaped(t, out),
            _ => {
                out.push_str("${");
                write_variable(p, out);
                out.push('}');
            }
        }
    }
}

/// Whether `s` may hold a parameter marker: markers are not ASCII, and most text is.
fn may_hold_marker(s: &str) -> bool {
    !s.is_ascii() && has_marker(s)
}

/// Whether a byte is a character a string literal holds as it is: printable ASCII except `"`,
/// `\` and the `$`/`%` that may open an interpolation or a directive.
const fn is_plain(b: u8) -> bool {
    (b >= b' ') & (b <= b'~') & (b != b'"') & (b != b'\\') & (b != b'$') & (b != b'%')
}

/// [`is_plain`] of every byte: one load per byte when checking a string (most are short, so
/// this beats the vector instructions a branch-free check compiles to).
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = 0;
    while b < 256 {
        plain[b] = is_plain(b as u8);
        b += 1;
    }
    plain
};

/// Whether a string literal holds `s` as it is: nothing to escape and no marker (most text).
fn is_plain_text(s: &str) -> bool {
    s.bytes().all(|b| PLAIN[usize::from(b)])
}

/// Appends a string value: a parameter's variable itself when the string is exactly one.
fn write_string_value(s: &str, out: &mut String) {
    if is_plain_text(s) {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    if may_hold_marker(s) {
        if let Some(p) = whole_marker(s) {
            if write_variable(p, out) {
                return;
            }
        }
    }
    write_quoted(s, out);
}

/// The inside of a string literal (see [`quote`]).
pub fn escape_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    write_escaped(s, &mut out);
    out
}

/// Appends [`escape_literal`]`(s)` to `out`, copying each run of characters that need no
/// escape in one piece.
fn write_escaped(s: &str, out: &mut String) {
    let mut rest = s;
    loop {
        // Plain bytes are ASCII, so the first other byte starts a character.
        let plain = rest
            .bytes()
            .position(|b| !PLAIN[usize::from(b)])
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(plain);
        out.push_str(run);
        let mut chars = tail.chars();
        let Some(c) = chars.next() else { return };
        rest = chars.as_str();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' => {
                // `${` → `$${`, `%{` → `%%{`.
                out.push(c);
                if rest.starts_with('{') {
                    out.push(c);
                }
            }
            c if super::yaml::printable(c) => out.push(c),
            // Writing into a String cannot fail.
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
}

/// Spaces for indentation and alignment, taken a slice at a time.
const SPACES: &str = "                                                                ";

/// Appends `n` spaces.
fn push_spaces(mut n: usize, out: &mut String) {
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// Appends `indent` levels of two spaces.
fn push_pad(indent: usize, out: &mut String) {
    push_spaces(2 * indent, out);
}

/// Whether an object key can be written bare: a plain identifier that is not a keyword.
fn is_identifier(k: &str) -> bool {
    let bytes = k.as_bytes();
    let Some((first, rest)) = bytes.split_first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || *first == b'_')
        && rest.iter().all(|c| WORD[usize::from(*c)])
        && !is_keyword(bytes)
}

/// The bytes an identifier goes on with: ASCII letters, digits and `_`.
const WORD: [bool; 256] = {
    let mut word = [false; 256];
    let mut c = 0;
    while c < 256 {
        word[c] = (c as u8).is_ascii_alphanumeric() || c == b'_' as usize;
        c += 1;
    }
    word
};

/// Whether an identifier is one of HCL's keywords, which a bare key cannot be.
fn is_keyword(k: &[u8]) -> bool {
    match k.len() {
        2 => k == b"in" || k == b"if",
        3 => k == b"for",
        4 => k == b"true" || k == b"null",
        5 => k == b"false" || k == b"endif",
        6 => k == b"endfor",
        _ => false,
    }
}

/// Appends an object key: bare when it is a plain identifier, quoted otherwise. Returns its
/// width in characters.
fn write_key(k: &str, out: &mut String) -> usize {
    if is_identifier(k) {
        out.push_str(k);
        // An identifier is ASCII: one byte per character.
        return k.len();
    }
    let start = out.len();
    write_quoted(k, out);
    out[start..].chars().count()
}

/// How [`write_key`] writes a key: its width in characters, and whether it is bare. A quoted
/// key is written to the end of `out` and taken off again, so the width is exact by
/// construction.
fn measure_key(k: &str, out: &mut String) -> (usize, bool) {
    if is_identifier(k) {
        return (k.len(), true);
    }
    let start = out.len();
    let width = write_key(k, out);
    out.truncate(start);
    (width, false)
}

/// The single-line form of an expression (the multi-line one when it has none).
pub fn inline_expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, 0, &mut out);
    out
}

/// A block's body items at the top level (a `.tfvars` file), `=` aligned as `terraform fmt`.
pub fn body(b: &Block) -> String {
    let mut out = String::new();
    write_body(&b.body, 0, &mut out);
    out
}

/// Whether an expression is a list, an object or a call: what a single-line list or object
/// cannot hold.
fn is_compound(e: &Expr) -> bool {
    matches!(e, Expr::List(_) | Expr::Object(_) | Expr::Call(..))
}

/// Whether an expression has a single-line form: every scalar; a list of scalars; an object
/// with no field, or one whose value is a scalar. Never a call.
fn is_inline(e: &Expr) -> bool {
    match e {
        Expr::List(items) => !items.iter().any(is_compound),
        Expr::Object(fields) => match fields.as_slice() {
            [] => true,
            [(_, v)] => !is_compound(v),
            _ => false,
        },
        Expr::Call(..) => false,
        Expr::Str(_)
        | Expr::Number(_)
        | Expr::Bool(_)
        | Expr::Null
        | Expr::Raw(_)
        | Expr::Template(_) => true,
    }
}

/// Appends the single-line form of an expression [`is_inline`] accepts.
fn write_inline(e: &Expr, out: &mut String) {
    debug_assert!(is_inline(e));
    match e {
        Expr::Str(s) => write_string_value(s, out),
        // Writing into a String cannot fail.
        Expr::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Null => out.push_str("null"),
        Expr::Raw(r) => out.push_str(r),
        Expr::Template(parts) => {
            out.push('"');
            for p in parts {
                match p {
                    Part::Lit(l) => write_literal_with_variables(l, out),
                    Part::Ref(r) => {
                        out.push_str("${");
                        out.push_str(r);
                        out.push('}');
                    }
                }
            }
            out.push('"');
        }
        Expr::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_inline(item, out);
            }
            out.push(']');
        }
        Expr::Object(fields) => match fields.as_slice() {
            [(k, v)] => {
                out.push_str("{ ");
                write_key(k, out);
                out.push_str(" = ");
                write_inline(v, out);
                out.push_str(" }");
            }
            _ => out.push_str("{}"),
        },
        // Never inline; written whole should it ever be asked for.
        Expr::Call(..) => write_expr(e, 0, out),
    }
}

/// Appends an expression starting after `key = `: its single-line form when it has one,
/// otherwise multi-line at `indent` levels. Ends without a newline.
fn write_expr(e: &Expr, indent: usize, out: &mut String) {
    match e {
        _ if is_inline(e) => write_inline(e, out),
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                push_pad(indent + 1, out);
                write_expr(item, indent + 1, out);
                out.push_str(",\n");
            }
            push_pad(indent, out);
            out.push(']');
        }
        Expr::Object(fields) => {
            out.push_str("{\n");
            write_body(fields, indent + 1, out);
            push_pad(indent, out);
            out.push('}');
        }
        Expr::Call(name, arg) => {
            out.push_str(name);
            out.push('(');
            write_expr(arg, indent, out);
            out.push(')');
        }
        Expr::Str(_)
        | Expr::Number(_)
        | Expr::Bool(_)
        | Expr::Null
        | Expr::Raw(_)
        | Expr::Template(_) => write_inline(e, out),
    }
}

/// What a body is made of: a block's items, or an object's fields (attributes only).
trait BodyItem {
    fn attr(&self) -> Option<(&str, &Expr<'_>)>;
    fn block(&self) -> Option<&Block<'_>>;
}

impl BodyItem for Item<'_> {
    fn attr(&self) -> Option<(&str, &Expr<'_>)> {
        match self {
            Item::Attr(k, v) => Some((k, v)),
            Item::Block(_) => None,
        }
    }
    fn block(&self) -> Option<&Block<'_>> {
        match self {
            Item::Block(b) => Some(b),
            Item::Attr(..) => None,
        }
    }
}

impl BodyItem for (&str, Expr<'_>) {
    fn attr(&self) -> Option<(&str, &Expr<'_>)> {
        Some((self.0, &self.1))
    }
    fn block(&self) -> Option<&Block<'_>> {
        None
    }
}

/// Appends body items with `=` aligned in runs of single-line attributes.
fn write_body<T: BodyItem>(items: &[T], indent: usize, out: &mut String) {
    let mut i = 0;
    while i < items.len() {
        if let Some(b) = items[i].block() {
            // A blank line separates a nested block from what precedes it.
            if i > 0 && items[i - 1].block().is_none() {
                out.push('\n');
            }
            b.write(indent, out);
            if i + 1 < items.len() {
                out.push('\n');
            }
            i += 1;
            continue;
        }
        // The run of single-line attributes starting here.
        let run = items[i..]
            .iter()
            .map_while(|item| item.attr().filter(|(_, v)| is_inline(v)))
            .count();
        if run == 0 {
            if let Some((k, v)) = items[i].attr() {
                push_pad(indent, out);
                write_key(k, out);
                out.push_str(" = ");
                write_expr(v, indent, out);
                out.push('\n');
            }
            i += 1;
            continue;
        }
        // Each key measured once: which of the first 64 are bare is remembered for writing
        // them (a longer run's later keys are measured again as they are written).
        let mut bare = 0u64;
        let mut width = 0;
        for (n, (k, _)) in items[i..i + run]
            .iter()
            .filter_map(BodyItem::attr)
            .enumerate()
        {
            let (w, is_bare) = measure_key(k, out);
            if is_bare && n < 64 {
                bare |= 1 << n;
            }
            width = width.max(w);
        }
        for (n, (k, v)) in items[i..i + run]
            .iter()
            .filter_map(BodyItem::attr)
            .enumerate()
        {
            push_pad(indent, out);
            let written = if n < 64 && bare & (1 << n) != 0 {
                out.push_str(k);
                // A bare key is ASCII: one byte per character.
                k.len()
            } else {
                write_key(k, out)
            };
            push_spaces(width.saturating_sub(written), out);
            out.push_str(" = ");
            write_inline(v, out);
            out.push('\n');
        }
        i += run;
    }
}

/// An HCL expression for a JSON value (for `jsonencode(…)` arguments).
pub fn from_json(v: &Value) -> Expr<'_> {
    match v {
        Value::String(s) => Expr::Str(Cow::Borrowed(s)),
        Value::Array(items) => Expr::List(items.iter().map(from_json).collect()),
        Value::Object(map) => Expr::Object(
            map.iter()
                .map(|(k, v)| (k.as_str(), from_json(v)))
                .collect(),
        ),
        Value::Number(n) => Expr::Number(n.clone()),
        Value::Bool(b) => Expr::Bool(*b),
        Value::Null => Expr::Null,
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
        let policy = json!({"Version": "1", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s"}}]});
        let tags = json!({"team": "p", "cost-center": "x"});
        let b = Block::new("resource", &["aws_iam_role", "x"])
            .attr("name", Expr::Str("a".into()))
            .attr(
                "assume_role_policy",
                Expr::Call("jsonencode", Box::new(from_json(&policy))),
            )
            .attr("tags", from_json(&tags))
            .block(
                Block::new("ecs_target", &[])
                    .attr("task_count", Expr::Number(1.into()))
                    .attr("launch_type", Expr::Str("FARGATE".into())),
            );
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

    #[test]
    fn escapes_cover_every_kind_of_character() {
        // `$`/`%` double only before `{`, also at the end of a run and of the string.
        assert_eq!(escape_literal("$%${%{$"), "$%$${%%{$");
        assert_eq!(escape_literal("a${"), "a$${");
        // Control characters as \uNNNN, astral non-printables as \UNNNNNNNN, printables kept.
        assert_eq!(
            escape_literal("\u{0}\u{7f}\u{2028}x\u{feff}"),
            "\\u0000\\u007F\\u2028x\\uFEFF"
        );
        assert_eq!(escape_literal("\r\t😀é"), "\\r\\t😀é");
        assert_eq!(escape_literal(""), "");
    }

    #[test]
    fn alignment_counts_the_characters_of_quoted_keys() {
        // `"é-x"` is five characters (six bytes); `"a\"b"` is six; `"${x}"` is seven.
        let tags = json!({"id": "1", "é-x": "2", "a\"b": "3", "${x}": "4", "for": "5"});
        let b = Block::new("locals", &[]).attr("tags", from_json(&tags));
        assert_eq!(
            b.render(0),
            r#"locals {
  tags = {
    id      = "1"
    "é-x"   = "2"
    "a\"b"  = "3"
    "$${x}" = "4"
    "for"   = "5"
  }
}
"#
        );
    }

    #[test]
    fn a_quoted_key_as_wide_as_its_bytes_keeps_its_quotes() {
        // `"f1ſé"` is six characters, and `f1ſé` six bytes.
        let tags = json!({"f1ſé": "a", "abcdefg": "b"});
        assert_eq!(
            inline_expr(&from_json(&tags)),
            "{\n  \"f1ſé\"  = \"a\"\n  abcdefg = \"b\"\n}"
        );
    }

    #[test]
    fn long_runs_align_every_key() {
        // More keys (80) than write_body remembers the measure of (64).
        let mut map = serde_json::Map::new();
        for n in 0..40 {
            map.insert(format!("k{n}"), json!(n));
            map.insert(format!("q-{n}"), json!(n));
        }
        let mut expected = String::from("{\n");
        for n in 0..40 {
            expected.push_str(&format!("  {:<6} = {n}\n", format!("k{n}")));
            expected.push_str(&format!("  {:<6} = {n}\n", format!("\"q-{n}\"")));
        }
        expected.push('}');
        assert_eq!(inline_expr(&from_json(&Value::Object(map))), expected);
    }

    #[test]
    fn lists_of_objects_and_calls_inside_objects_are_multi_line() {
        let float = json!(2.5);
        let e = Expr::Object(vec![
            ("a", Expr::Raw("x.y".into())),
            (
                "nested",
                Expr::List(vec![
                    Expr::List(vec![]),
                    Expr::Object(vec![]),
                    Expr::Object(vec![("k", Expr::List(vec![Expr::Str("v".into())]))]),
                    Expr::List(vec![Expr::Number(1.into()), Expr::Null]),
                ]),
            ),
            ("bb", Expr::Bool(true)),
            ("ccc", from_json(&float)),
            (
                "call",
                Expr::Call(
                    "jsonencode",
                    Box::new(Expr::Object(vec![
                        ("one", Expr::Str("1".into())),
                        ("two", Expr::Call("f", Box::new(Expr::Object(vec![])))),
                    ])),
                ),
            ),
            (
                "short",
                Expr::Call(
                    "jsonencode",
                    Box::new(Expr::Object(vec![("x", Expr::Raw("y".into()))])),
                ),
            ),
            ("d", Expr::Object(vec![("e", Expr::Str("f".into()))])),
        ]);
        assert_eq!(
            inline_expr(&e),
            r#"{
  a = x.y
  nested = [
    [],
    {},
    {
      k = ["v"]
    },
    [1, null],
  ]
  bb  = true
  ccc = 2.5
  call = jsonencode({
    one = "1"
    two = f({})
  })
  short = jsonencode({ x = y })
  d = { e = "f" }
}"#
        );
        // A call has no single-line form even with a scalar argument.
        assert_eq!(
            inline_expr(&Expr::Call("tostring", Box::new(Expr::Number(1.into())))),
            "tostring(1)"
        );
    }

    #[test]
    fn templates_and_parameter_markers() {
        use crate::spec::params::{marker, NAME_OF};
        let cluster = json!(format!("{NAME_OF}c{}", crate::spec::params::CLOSE));
        let e = Expr::Object(vec![
            ("whole", Expr::Str(marker("tag").into())),
            (
                "inside",
                Expr::Str(format!("app:{}${{", marker("tag")).into()),
            ),
            ("cluster", from_json(&cluster)),
            (
                "template",
                Expr::Template(vec![
                    Part::Lit("a\"${".into()),
                    Part::Ref("data.x.y".into()),
                    Part::Lit(marker("p").into()),
                ]),
            ),
        ]);
        assert_eq!(
            inline_expr(&e),
            r#"{
  whole    = var.tag
  inside   = "app:${var.tag}$${"
  cluster  = element(split("/", var.c), 1)
  template = "a\"$${${data.x.y}${var.p}"
}"#
        );
    }

    #[test]
    fn blocks_separate_from_attributes_with_blank_lines() {
        let b = Block::new("resource", &["t", "l\"x"])
            .block(Block::new("empty", &[]))
            .block(Block::new("one", &["a"]).attr("x", Expr::Number(1.into())))
            .attr("after", Expr::Str("y".into()))
            .block(Block::new("last", &[]));
        assert_eq!(
            b.render(1),
            r#"  resource "t" "l\"x" {
    empty {}

    one "a" {
      x = 1
    }

    after = "y"

    last {}
  }
"#
        );
        let subnets = json!(["a", "b"]);
        let vars = Block {
            kind: "",
            labels: Vec::new(),
            body: vec![
                Item::Attr("subnets", from_json(&subnets)),
                Item::Attr("n", Expr::Number(3.into())),
            ],
        };
        assert_eq!(body(&vars), "subnets = [\"a\", \"b\"]\nn       = 3\n");
    }
}
