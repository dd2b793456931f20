//! A small TypeScript expression printer whose output prettier (default options) leaves as it
//! is: 80 columns, two-space indent, double quotes unless a string holds more `"` than `'`,
//! trailing commas, objects always expanded, arrays and calls flat when they fit, a call's last
//! object argument hugged. String literals escape everything that is not printable.

/// Prettier's default print width.
pub const WIDTH: usize = 80;

use std::borrow::Cow;

use crate::plan::{has_marker, pieces, whole_marker, Piece};

/// A TypeScript expression. Its text is borrowed where it can be (from the plan, or static),
/// since an expression lives only until its statement is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Ts<'a> {
    /// Code written by tfc itself: identifiers, member access, numbers, `this`.
    Atom(Cow<'a, str>),
    /// A string literal (escaped on output).
    Str(Cow<'a, str>),
    Array(Vec<Ts<'a>>),
    /// An object literal; keys quoted only where needed.
    Object(Vec<(&'a str, Ts<'a>)>),
    /// `callee(args…)`; `callee` may start with `new `.
    Call(Cow<'a, str>, Vec<Ts<'a>>),
    /// `expr as unknown as Type`, for the documented escape hatches.
    Cast(Box<Ts<'a>>, Cow<'a, str>),
    /// A template literal: text (escaped on output) and tfc's own expressions.
    Template(Vec<Part<'a>>),
    /// An expression tfc writes itself that is not an atom (an arrow function over a
    /// parameter's list); never holds spec text.
    Code(Cow<'a, str>),
}

/// A piece of a template literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Part<'a> {
    /// Text, escaped for a template literal (`` ` ``, `\`, `${`, and every non-printable).
    Lit(Cow<'a, str>),
    /// An expression tfc writes itself (`Aws.PARTITION`), printed as `${expr}`.
    Code(&'static str),
}

/// Shorthands.
pub fn atom<'a>(s: impl Into<Cow<'a, str>>) -> Ts<'a> {
    Ts::Atom(s.into())
}
pub fn string<'a>(s: impl Into<Cow<'a, str>>) -> Ts<'a> {
    Ts::Str(s.into())
}
pub fn call<'a>(callee: impl Into<Cow<'a, str>>, args: Vec<Ts<'a>>) -> Ts<'a> {
    Ts::Call(callee.into(), args)
}
pub fn object<'a>(fields: Vec<(&'a str, Ts<'a>)>) -> Ts<'a> {
    Ts::Object(fields)
}

/// The width of text in columns: its characters, as prettier counts (`é` is one column).
fn columns(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Where printed text goes: the output itself, or a [`Width`] that only counts it. The escaping
/// and the one-line form are written once, generic over the sink, so a measured width is always
/// the width of what is then written.
trait Sink {
    fn text(&mut self, s: &str);
    /// Text known to be ASCII (one column per byte).
    fn ascii(&mut self, s: &str);
    fn char(&mut self, c: char);
    /// Whether a count has passed its budget; writers then stop early. Output never is.
    fn over(&self) -> bool {
        false
    }
}

impl Sink for String {
    fn text(&mut self, s: &str) {
        self.push_str(s);
    }
    fn ascii(&mut self, s: &str) {
        self.push_str(s);
    }
    fn char(&mut self, c: char) {
        self.push(c);
    }
}

/// The width of text in characters (prettier's measure, so `é` is one column), counted up to a
/// budget: past it, measuring stops.
struct Width {
    used: usize,
    budget: usize,
}

impl Width {
    fn new(budget: usize) -> Width {
        Width { used: 0, budget }
    }
}

impl Sink for Width {
    fn text(&mut self, s: &str) {
        self.used += columns(s);
    }
    fn ascii(&mut self, s: &str) {
        self.used += s.len();
    }
    fn char(&mut self, _: char) {
        self.used += 1;
    }
    fn over(&self) -> bool {
        self.used > self.budget
    }
}

/// The output, written while counting its columns up to a budget, so a one-line form is
/// measured as it is written (and taken back when it does not fit).
struct Bounded<'a> {
    out: &'a mut String,
    used: usize,
    budget: usize,
}

impl Sink for Bounded<'_> {
    fn text(&mut self, s: &str) {
        self.used += columns(s);
        self.out.push_str(s);
    }
    fn ascii(&mut self, s: &str) {
        self.used += s.len();
        self.out.push_str(s);
    }
    fn char(&mut self, c: char) {
        self.used += 1;
        self.out.push(c);
    }
    fn over(&self) -> bool {
        self.used > self.budget
    }
}

/// `\uXXXX` for each UTF-16 unit of a character a literal cannot hold as it is.
fn write_unicode_escape<S: Sink>(out: &mut S, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut units = [0u16; 2];
    for u in c.encode_utf16(&mut units) {
        out.text("\\u");
        for shift in [12, 8, 4, 0] {
            out.char(char::from(HEX[usize::from((*u >> shift) & 0xf)]));
        }
    }
}

/// Writes `s` with `escape` applied to each character: runs that need no escape are written
/// as they are, in one piece.
fn write_escaped<S: Sink>(out: &mut S, s: &str, escape: impl Fn(char) -> Option<&'static str>) {
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escaped = escape(c);
        if escaped.is_none() && super::yaml::printable(c) {
            continue;
        }
        out.text(&s[run..i]);
        match escaped {
            Some(e) => out.text(e),
            None => write_unicode_escape(out, c),
        }
        run = i + c.len_utf8();
    }
    out.text(&s[run..]);
}

/// Whether every byte of `s` is printable ASCII other than `"`, `'` and `\`: text a string
/// literal holds as it is, in double quotes (nearly every string). Eight bytes at a time; a
/// flag may be false (then the careful path decides), never missed.
fn plain(s: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte below `n` (n <= 0x80), at least for every such byte.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let words = s.as_bytes().chunks_exact(8);
    let rest = words.remainder();
    for word in words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w);
        let flagged = below(x, 0x20)
            | (x & HIGH)
            | below(x ^ (ONES * 0x7f), 1)
            | below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\'')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1);
        if flagged != 0 {
            return false;
        }
    }
    rest.iter()
        .all(|&b| matches!(b, b' '..=b'~') && !matches!(b, b'"' | b'\'' | b'\\'))
}

/// [`quote`], written to a sink.
fn write_quoted<S: Sink>(out: &mut S, s: &str) {
    if plain(s) {
        out.char('"');
        out.ascii(s);
        return out.char('"');
    }
    // One pass: the quotes, and whether every byte is printable ASCII other than `\`.
    let (mut doubles, mut singles, mut plain) = (0usize, 0usize, true);
    for b in s.bytes() {
        match b {
            b'"' => doubles += 1,
            b'\'' => singles += 1,
            b'\\' => plain = false,
            b' '..=b'~' => {}
            _ => plain = false,
        }
    }
    let (q, escaped_q, clashes) = if doubles > singles {
        ('\'', "\\'", singles)
    } else {
        ('"', "\\\"", doubles)
    };
    out.char(q);
    if plain && clashes == 0 {
        // Nothing to escape (the common case).
        out.ascii(s);
        return out.char(q);
    }
    write_escaped(out, s, |c| match c {
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        c if c == q => Some(escaped_q),
        _ => None,
    });
    out.char(q);
}

/// A string literal the way prettier prints it: double quotes unless the text holds more
/// double than single quotes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_quoted(&mut out, s);
    out
}

/// The TypeScript name of a deploy-time parameter (`image_tag` → `imageTag`), a member of the
/// construct's `params`.
pub fn param_name(name: &str) -> String {
    let p = crate::plan::pascal(name);
    let mut cs = p.chars();
    match cs.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + cs.as_str(),
        None => p,
    }
}

/// The expression a parameter marker stands for.
fn param_expression(piece: Piece<'_>) -> Option<String> {
    match piece {
        Piece::Text(_) => None,
        Piece::Param(name) => Some(format!("params.{}", param_name(name))),
        Piece::ClusterName(name) => Some(format!(
            "Fn.select(1, Fn.split(\"/\", params.{}))",
            param_name(name)
        )),
    }
}

/// [`string_literal`], written to a sink.
fn write_string_literal<S: Sink>(out: &mut S, s: &str) {
    // Markers are private-use characters: ASCII text holds none.
    if s.is_ascii() || !has_marker(s) {
        return write_quoted(out, s);
    }
    if let Some(e) = whole_marker(s).and_then(param_expression) {
        return out.text(&e);
    }
    out.char('`');
    for p in pieces(s) {
        match (p, param_expression(p)) {
            (_, Some(e)) => {
                out.text("${");
                out.text(&e);
                out.char('}');
            }
            (Piece::Text(t), None) => write_template_text(out, t),
            _ => {}
        }
    }
    out.char('`');
}

/// A string of the plan as TypeScript: a string literal; with deploy-time parameters inside, a
/// template literal interpolating them (its text escaped); a parameter alone, its expression.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_string_literal(&mut out, s);
    out
}

/// Text inside a template literal: the characters that would end it or start an expression are
/// escaped, and so is everything a string literal escapes.
fn write_template_text<S: Sink>(out: &mut S, s: &str) {
    if s.bytes()
        .all(|b| matches!(b, b' '..=b'~') && !matches!(b, b'\\' | b'`' | b'$'))
    {
        return out.ascii(s);
    }
    write_escaped(out, s, |c| match c {
        '\\' => Some("\\\\"),
        '`' => Some("\\`"),
        '$' => Some("\\$"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    });
}

/// Whether an atom is code tfc writes (identifiers, member access, calls without arguments,
/// numbers, keywords). Anything else is printed as a string literal, so text that reached an
/// atom by mistake can never run; the conformance tests would then see the wrong value.
fn is_code(a: &str) -> bool {
    !a.is_empty()
        && a.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'(' | b')' | b'-' | b'+')
        })
}

/// An object key as prettier prints it ("as-needed" quoting). `__proto__` is written as a
/// computed key: as a plain key an object literal would set its prototype instead of a field.
fn write_key<S: Sink>(out: &mut S, k: &str) {
    if k == "__proto__" {
        out.char('[');
        write_quoted(out, k);
        return out.char(']');
    }
    let ident = k
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    if ident {
        out.ascii(k);
    } else {
        write_quoted(out, k);
    }
}

/// `indent` levels of two spaces.
fn pad(out: &mut String, indent: usize) {
    // Two bytes at a time: short, fixed copies the compiler writes in place.
    for _ in 0..indent {
        out.push_str("  ");
    }
}

/// Writes the one-line form of `e`. False when it has none (non-empty objects never do) or, for
/// a [`Width`], as soon as the count passes its budget; what was written is then partial.
fn write_flat<S: Sink>(out: &mut S, e: &Ts) -> bool {
    match e {
        Ts::Atom(a) if is_code(a) => out.ascii(a),
        Ts::Atom(a) => write_quoted(out, a),
        Ts::Template(parts) => {
            out.char('`');
            for p in parts {
                match p {
                    Part::Lit(s) => write_template_text(out, s),
                    Part::Code(c) => {
                        out.ascii("${");
                        out.text(c);
                        out.char('}');
                    }
                }
            }
            out.char('`');
        }
        Ts::Str(s) => write_string_literal(out, s),
        Ts::Code(c) => out.text(c),
        Ts::Array(items) => {
            out.char('[');
            if !write_flat_list(out, items) {
                return false;
            }
            out.char(']');
        }
        Ts::Object(fields) if fields.is_empty() => out.ascii("{}"),
        Ts::Object(_) => return false,
        Ts::Call(callee, args) => {
            out.text(callee);
            out.char('(');
            if !write_flat_list(out, args) {
                return false;
            }
            out.char(')');
        }
        Ts::Cast(inner, ty) => {
            if !write_flat(out, inner) {
                return false;
            }
            out.ascii(" as unknown as ");
            out.text(ty);
        }
    }
    !out.over()
}

/// Items separated by `, `, each in its one-line form (see [`write_flat`]).
fn write_flat_list<S: Sink>(out: &mut S, items: &[Ts]) -> bool {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.ascii(", ");
        }
        if !write_flat(out, item) {
            return false;
        }
    }
    true
}

/// The width in characters of the one-line form of `e`, if it has one no wider than `budget`
/// (measuring stops at the budget: a long subtree costs no more than the columns it may fill).
fn flat_width(e: &Ts, budget: usize) -> Option<usize> {
    let mut w = Width::new(budget);
    write_flat(&mut w, e).then_some(w.used)
}

/// Whether the one-line form of `e` fits in what is left of the line after `used` columns.
fn fits(e: &Ts, used: usize) -> bool {
    WIDTH
        .checked_sub(used)
        .is_some_and(|budget| flat_width(e, budget).is_some())
}

/// False for what certainly has no one-line form: a non-empty object, or a call, array or cast
/// that ends in one (most broken expressions, seen without writing anything).
fn may_be_flat(e: &Ts) -> bool {
    match e {
        Ts::Object(fields) => fields.is_empty(),
        Ts::Call(_, items) | Ts::Array(items) => items.last().is_none_or(may_be_flat),
        Ts::Cast(inner, _) => may_be_flat(inner),
        _ => true,
    }
}

/// Writes the one-line form of `e` when it fits in what is left of the line after `used`
/// columns; otherwise writes nothing. Whether it was written.
fn write_if_fits(out: &mut String, e: &Ts, used: usize) -> bool {
    let Some(budget) = WIDTH.checked_sub(used) else {
        return false;
    };
    let start = out.len();
    if write_flat(
        &mut Bounded {
            out,
            used: 0,
            budget,
        },
        e,
    ) {
        return true;
    }
    out.truncate(start);
    false
}

/// Writes `e` starting at column `col` inside a line indented `indent` levels; `tail` is the
/// number of characters that follow on the same line (`,` or `;`).
pub fn write_expr(out: &mut String, e: &Ts, indent: usize, col: usize, tail: usize) {
    if may_be_flat(e) && write_if_fits(out, e, col + tail) {
        return;
    }
    match e {
        Ts::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for item in items {
                pad(out, indent + 1);
                write_expr(out, item, indent + 1, 2 * (indent + 1), 1);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(']');
        }
        Ts::Object(fields) if !fields.is_empty() => {
            out.push_str("{\n");
            for (k, v) in fields {
                pad(out, indent + 1);
                let key_start = out.len();
                write_key(out, k);
                // `  key: `
                let head = 2 * (indent + 1) + columns(&out[key_start..]) + 2;
                out.push_str(": ");
                match v {
                    // An unbreakable string that does not fit moves to its own line.
                    Ts::Str(text) => {
                        if !write_if_fits(out, v, head + 1) {
                            out.pop();
                            out.push('\n');
                            pad(out, indent + 2);
                            write_string_literal(out, text);
                        }
                    }
                    _ => write_expr(out, v, indent + 1, head, 1),
                }
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push('}');
        }
        Ts::Call(callee, args) if !args.is_empty() => {
            // Hug a last object argument when everything before it is flat and fits.
            if let Some((last @ Ts::Object(_), rest)) = args.split_last() {
                if let Some(head) = write_hug_head(out, callee, rest, col) {
                    write_expr(out, last, indent, col + head, tail + 1);
                    out.push(')');
                    return;
                }
            }
            out.push_str(callee);
            out.push_str("(\n");
            for a in args {
                pad(out, indent + 1);
                write_expr(out, a, indent + 1, 2 * (indent + 1), 1);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(')');
        }
        Ts::Cast(inner, ty) => {
            write_expr(out, inner, indent, col, tail + ty.len() + 14);
            out.push_str(" as unknown as ");
            out.push_str(ty);
        }
        other => {
            write_flat(out, other);
        }
    }
}

/// Writes `callee(a, b, ` and returns its width when every argument before the last has a
/// one-line form and the head ends before the last column (`col + width < WIDTH`), so the last
/// can be hugged; otherwise writes nothing.
fn write_hug_head(out: &mut String, callee: &str, rest: &[Ts], col: usize) -> Option<usize> {
    let budget = (WIDTH - 1).checked_sub(col)?;
    let start = out.len();
    let mut head = Bounded {
        out,
        used: 0,
        budget,
    };
    head.text(callee);
    head.char('(');
    let mut flat = true;
    for h in rest {
        if !write_flat(&mut head, h) {
            flat = false;
            break;
        }
        head.ascii(", ");
    }
    if flat && !head.over() {
        return Some(head.used);
    }
    out.truncate(start);
    None
}

/// Prints `e` starting at column `col` inside a line indented `indent` levels; `tail` is the
/// number of characters that follow on the same line (`,` or `;`).
pub fn print(e: &Ts, indent: usize, col: usize, tail: usize) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, indent, col, tail);
    out
}

/// Writes the statement `prefix<expr>;` at `indent` (e.g. `const x = …;`), ending with a
/// newline.
pub fn write_statement(out: &mut String, prefix: &str, e: &Ts, indent: usize) {
    write_statement_with(out, |out| out.push_str(prefix), e, indent);
}

/// [`write_statement`] with the prefix written by `prefix` (straight into the output, so a
/// prefix built from parts needs no String of its own).
pub fn write_statement_with(
    out: &mut String,
    prefix: impl FnOnce(&mut String),
    e: &Ts,
    indent: usize,
) {
    pad(out, indent);
    let start = out.len();
    prefix(out);
    let col = 2 * indent + columns(&out[start..]);
    // Prettier breaks after `=` when what follows cannot start on this line: a call whose
    // callee does not fit, or an unbreakable value.
    let starts_too_long = match e {
        Ts::Call(callee, _) => col + columns(callee) + 1 > WIDTH,
        Ts::Atom(_) | Ts::Str(_) | Ts::Template(_) => !fits(e, col + 1),
        _ => false,
    };
    if out[start..].ends_with("= ") && starts_too_long {
        let head = out[start..].trim_end().len();
        out.truncate(start + head);
        out.push('\n');
        pad(out, indent + 1);
        write_expr(out, e, indent + 1, 2 * (indent + 1), 1);
    } else {
        write_expr(out, e, indent, col, 1);
    }
    out.push_str(";\n");
}

/// A statement `prefix<expr>;` at `indent` (e.g. `const x = …;`), ending with a newline.
pub fn statement(prefix: &str, e: &Ts, indent: usize) -> String {
    let mut out = String::new();
    write_statement(&mut out, prefix, e, indent);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The one-line form, if the expression has one.
    fn flat(e: &Ts) -> Option<String> {
        let mut out = String::new();
        write_flat(&mut out, e).then_some(out)
    }

    fn key(k: &str) -> String {
        let mut out = String::new();
        write_key(&mut out, k);
        out
    }

    #[test]
    fn plain_text_is_printable_ascii_without_quotes_or_backslashes() {
        for (i, special) in [
            "\"", "'", "\\", "\n", "\u{1f}", "\u{7f}", "é", "\u{2028}", "\u{0}",
        ]
        .iter()
        .enumerate()
        {
            for at in 0..20 {
                let s = format!("{}{special}{}", &"a~ ".repeat(at)[..at], "z".repeat(i));
                assert!(!plain(&s), "{s:?}");
            }
        }
        for n in 0..40 {
            let s: String = (0..n)
                .map(|i| char::from(b' ' + (i * 7 % 95) as u8))
                .collect();
            let expected = !s.contains(['"', '\'', '\\']);
            assert_eq!(plain(&s), expected, "{s:?}");
        }
        assert!(plain(""));
    }

    #[test]
    fn quotes_like_prettier() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("say \"hi\""), "'say \"hi\"'");
        assert_eq!(quote("it's \"x\" 'y'"), "\"it's \\\"x\\\" 'y'\"");
        assert_eq!(quote("a\nb\\c ${x}"), "\"a\\nb\\\\c ${x}\"");
        assert_eq!(quote("ls\u{2028}"), "\"ls\\u2028\"");
    }

    #[test]
    fn template_literals_keep_text_as_text() {
        let t = Ts::Template(vec![
            Part::Lit("arn:".into()),
            Part::Code("Aws.PARTITION"),
            Part::Lit(":ecr:${require('child_process')}`x\\y\n".into()),
        ]);
        assert_eq!(
            flat(&t).unwrap(),
            "`arn:${Aws.PARTITION}:ecr:\\${require('child_process')}\\`x\\\\y\\n`"
        );
    }

    #[test]
    fn atoms_are_code_or_become_strings() {
        assert_eq!(
            flat(&atom("cluster.clusterArn")).unwrap(),
            "cluster.clusterArn"
        );
        assert_eq!(flat(&atom("-1.5e+21")).unwrap(), "-1.5e+21");
        assert_eq!(
            flat(&atom("x; require('child_process')")).unwrap(),
            "\"x; require('child_process')\""
        );
        assert_eq!(key("__proto__"), "[\"__proto__\"]");
        assert_eq!(key("detail-type"), "\"detail-type\"");
    }

    #[test]
    fn hugs_the_last_object_and_breaks_long_arrays() {
        let e = call(
            "new ecs.Cluster",
            vec![
                atom("this"),
                string("Cluster"),
                object(vec![
                    ("clusterName", string("my-proj")),
                    ("vpc", atom("vpc")),
                ]),
            ],
        );
        assert_eq!(
            statement("const cluster = ", &e, 2),
            "    const cluster = new ecs.Cluster(this, \"Cluster\", {\n      clusterName: \"my-proj\",\n      vpc: vpc,\n    });\n"
        );
        let long = Ts::Array(
            (0..8)
                .map(|i| string(format!("subnet-0123456789abcdef{i}")))
                .collect(),
        );
        assert!(print(&long, 0, 0, 0).starts_with("[\n  \"subnet-0123456789abcdef0\",\n"));
    }

    #[test]
    fn flat_exactly_at_the_width_stays_flat() {
        // `["x…x"];` is 80 columns with 75 x's.
        let line = |n: usize| statement("", &Ts::Array(vec![string("x".repeat(n))]), 0);
        assert_eq!(line(75), format!("[\"{}\"];\n", "x".repeat(75)));
        assert_eq!(line(76), format!("[\n  \"{}\",\n];\n", "x".repeat(76)));
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        // 75 two-byte characters: 150 bytes, 80 columns.
        let e = Ts::Array(vec![string("é".repeat(75))]);
        assert_eq!(statement("", &e, 0), format!("[\"{}\"];\n", "é".repeat(75)));
        assert_eq!(flat_width(&string("日本"), 80), Some(4));
        // Escapes count as what is written: `"\u2028"` is 8 columns.
        assert_eq!(flat_width(&string("\u{2028}"), 80), Some(8));
    }

    #[test]
    fn flat_width_is_the_written_width_up_to_the_budget() {
        let cases = vec![
            atom("cluster.clusterArn"),
            atom("x; require('child_process')"),
            string("it's \"x\" 'y' \\ \n\t é \u{1F600} \u{85}"),
            string(format!("{}image_tag{}", '\u{E000}', '\u{E001}')),
            string(format!("a`${{b}}{}tag{}", '\u{E000}', '\u{E001}')),
            Ts::Template(vec![
                Part::Lit("arn:`${x}".into()),
                Part::Code("Aws.PARTITION"),
            ]),
            Ts::Code("props.x ?? 1".into()),
            call(
                "f",
                vec![
                    atom("this"),
                    Ts::Array(vec![string("a"), Ts::Array(vec![])]),
                ],
            ),
            Ts::Cast(Box::new(call("g", vec![string("p")])), "string[]".into()),
            Ts::Object(vec![]),
        ];
        for e in &cases {
            let written = flat(e).expect("a one-line form").chars().count();
            assert_eq!(flat_width(e, usize::MAX), Some(written), "{e:?}");
            assert_eq!(flat_width(e, written), Some(written), "{e:?}");
            assert_eq!(flat_width(e, written - 1), None, "{e:?}");
        }
        for e in &cases {
            assert!(may_be_flat(e), "{e:?}");
        }
        // No one-line form: an object, even past the budget's end or inside a call.
        let obj = object(vec![("k", atom("v"))]);
        assert_eq!(flat_width(&obj, usize::MAX), None);
        assert_eq!(
            flat_width(&call("f", vec![atom("a"), obj.clone()]), usize::MAX),
            None
        );
        assert!(!may_be_flat(&call("f", vec![Ts::Array(vec![obj.clone()])])));
        // Seen without writing only when the object comes last.
        assert!(may_be_flat(&call("f", vec![obj, atom("a")])));
        // Measuring stops at the budget: a long list is cut off, whatever follows.
        let long = Ts::Array((0..10_000).map(|i| string(format!("item-{i}"))).collect());
        assert_eq!(flat_width(&long, 80), None);
    }

    #[test]
    fn hugs_only_while_the_head_ends_before_the_last_column() {
        // `f(a, ` is 5 columns: hugged while col + 5 < 80.
        let e = call("f", vec![atom("a"), object(vec![("k", atom("v"))])]);
        assert!(print(&e, 0, 74, 1).starts_with("f(a, {\n"));
        assert!(print(&e, 0, 75, 1).starts_with("f(\n  a,\n  {\n"));
        assert!(print(&e, 0, 200, 1).starts_with("f(\n"));
    }

    #[test]
    fn long_strings_move_to_their_own_line() {
        // `  k: "x…x",` is 80 columns with 72 x's.
        let field = |n: usize| print(&object(vec![("k", string("x".repeat(n)))]), 0, 0, 1);
        assert_eq!(field(72), format!("{{\n  k: \"{}\",\n}}", "x".repeat(72)));
        assert_eq!(
            field(73),
            format!("{{\n  k:\n    \"{}\",\n}}", "x".repeat(73))
        );
        assert_eq!(
            print(&object(vec![("__proto__", atom("x"))]), 0, 0, 1),
            "{\n  [\"__proto__\"]: x,\n}"
        );
        // `const v = "x…x";` is 80 columns with 67 x's; longer breaks after `=`.
        let declare = |n: usize| statement("const v = ", &string("x".repeat(n)), 0);
        assert_eq!(declare(67), format!("const v = \"{}\";\n", "x".repeat(67)));
        assert_eq!(
            declare(68),
            format!("const v =\n  \"{}\";\n", "x".repeat(68))
        );
        assert_eq!(
            statement("const v = ", &string("x".repeat(68)), 2),
            format!("    const v =\n      \"{}\";\n", "x".repeat(68))
        );
    }
}
