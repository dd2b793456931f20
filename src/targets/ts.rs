//! A small TypeScript expression printer whose output prettier (default options) leaves as it
//! is: 80 columns, two-space indent, double quotes unless a string holds more `"` than `'`,
//! trailing commas, objects always expanded, arrays and calls flat when they fit, a call's last
//! object argument hugged. String literals escape everything that is not printable.

/// Prettier's default print width.
pub const WIDTH: usize = 80;

use crate::plan::{has_marker, pieces, whole_marker, Piece};

/// A TypeScript expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ts {
    /// Code written by tfc itself: identifiers, member access, numbers, `this`.
    Atom(String),
    /// A string literal (escaped on output).
    Str(String),
    Array(Vec<Ts>),
    /// An object literal; keys quoted only where needed.
    Object(Vec<(String, Ts)>),
    /// `callee(args…)`; `callee` may start with `new `.
    Call(String, Vec<Ts>),
    /// `expr as unknown as Type`, for the documented escape hatches.
    Cast(Box<Ts>, String),
    /// A template literal: text (escaped on output) and tfc's own expressions.
    Template(Vec<Part>),
    /// An expression tfc writes itself that is not an atom (an arrow function over a
    /// parameter's list); never holds spec text.
    Code(String),
}

/// A piece of a template literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text, escaped for a template literal (`` ` ``, `\`, `${`, and every non-printable).
    Lit(String),
    /// An expression tfc writes itself (`Aws.PARTITION`), printed as `${expr}`.
    Code(&'static str),
}

/// Shorthands.
pub fn atom(s: impl Into<String>) -> Ts {
    Ts::Atom(s.into())
}
pub fn string(s: impl Into<String>) -> Ts {
    Ts::Str(s.into())
}
pub fn call(callee: impl Into<String>, args: Vec<Ts>) -> Ts {
    Ts::Call(callee.into(), args)
}
pub fn object(fields: Vec<(&str, Ts)>) -> Ts {
    Ts::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A string literal the way prettier prints it: double quotes unless the text holds more
/// double than single quotes.
pub fn quote(s: &str) -> String {
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    let q = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if super::yaml::printable(c) => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
        }
    }
    out.push(q);
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

/// A string of the plan as TypeScript: a string literal; with deploy-time parameters inside, a
/// template literal interpolating them (its text escaped); a parameter alone, its expression.
pub fn string_literal(s: &str) -> String {
    if !has_marker(s) {
        return quote(s);
    }
    if let Some(e) = whole_marker(s).and_then(param_expression) {
        return e;
    }
    let mut out = String::from("`");
    for p in pieces(s) {
        match (p, param_expression(p)) {
            (_, Some(e)) => out.push_str(&format!("${{{e}}}")),
            (Piece::Text(t), None) => out.push_str(&template_text(t)),
            _ => {}
        }
    }
    out.push('`');
    out
}

/// Text inside a template literal: the characters that would end it or start an expression are
/// escaped, and so is everything a string literal escapes.
fn template_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '`' => out.push_str("\\`"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if super::yaml::printable(c) => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
        }
    }
    out
}

/// Whether an atom is code tfc writes (identifiers, member access, calls without arguments,
/// numbers, keywords). Anything else is printed as a string literal, so text that reached an
/// atom by mistake can never run; the conformance tests would then see the wrong value.
fn is_code(a: &str) -> bool {
    !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '(' | ')' | '-' | '+'))
}

/// An object key as prettier prints it ("as-needed" quoting). `__proto__` is written as a
/// computed key: as a plain key an object literal would set its prototype instead of a field.
fn key(k: &str) -> String {
    if k == "__proto__" {
        return format!("[{}]", quote(k));
    }
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        k.to_string()
    } else {
        quote(k)
    }
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

/// The one-line form, if the expression has one (non-empty objects never do).
fn flat(e: &Ts) -> Option<String> {
    match e {
        Ts::Atom(a) if is_code(a) => Some(a.clone()),
        Ts::Atom(a) => Some(quote(a)),
        Ts::Template(parts) => Some(
            std::iter::once("`".to_string())
                .chain(parts.iter().map(|p| match p {
                    Part::Lit(s) => template_text(s),
                    Part::Code(c) => format!("${{{c}}}"),
                }))
                .chain(std::iter::once("`".to_string()))
                .collect(),
        ),
        Ts::Str(s) => Some(string_literal(s)),
        Ts::Code(c) => Some(c.clone()),
        Ts::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flat).collect();
            parts.map(|p| format!("[{}]", p.join(", ")))
        }
        Ts::Object(fields) if fields.is_empty() => Some("{}".into()),
        Ts::Object(_) => None,
        Ts::Call(callee, args) => {
            let parts: Option<Vec<String>> = args.iter().map(flat).collect();
            parts.map(|p| format!("{callee}({})", p.join(", ")))
        }
        Ts::Cast(inner, ty) => flat(inner).map(|i| format!("{i} as unknown as {ty}")),
    }
}

/// Prints `e` starting at column `col` inside a line indented `indent` levels; `tail` is the
/// number of characters that follow on the same line (`,` or `;`).
pub fn print(e: &Ts, indent: usize, col: usize, tail: usize) -> String {
    if let Some(f) = flat(e) {
        if col + f.chars().count() + tail <= WIDTH {
            return f;
        }
    }
    match e {
        Ts::Array(items) if !items.is_empty() => {
            let mut out = String::from("[\n");
            for item in items {
                let p = pad(indent + 1);
                out.push_str(&p);
                out.push_str(&print(item, indent + 1, p.len(), 1));
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push(']');
            out
        }
        Ts::Object(fields) if !fields.is_empty() => {
            let mut out = String::from("{\n");
            for (k, v) in fields {
                let head = format!("{}{}: ", pad(indent + 1), key(k));
                match v {
                    // An unbreakable string that does not fit moves to its own line.
                    Ts::Str(text)
                        if head.chars().count() + string_literal(text).chars().count() + 1
                            > WIDTH =>
                    {
                        out.push_str(head.trim_end());
                        out.push('\n');
                        out.push_str(&pad(indent + 2));
                        out.push_str(&string_literal(text));
                    }
                    _ => {
                        out.push_str(&head);
                        out.push_str(&print(v, indent + 1, head.chars().count(), 1));
                    }
                }
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push('}');
            out
        }
        Ts::Call(callee, args) if !args.is_empty() => {
            // Hug a last object argument when everything before it is flat and fits.
            if let Some((Ts::Object(_), rest)) = args.split_last() {
                let heads: Option<Vec<String>> = rest.iter().map(flat).collect();
                if let Some(heads) = heads {
                    let mut head = format!("{callee}(");
                    for h in &heads {
                        head.push_str(h);
                        head.push_str(", ");
                    }
                    if col + head.chars().count() < WIDTH {
                        let last = &args[args.len() - 1];
                        return format!(
                            "{head}{})",
                            print(last, indent, col + head.chars().count(), tail + 1)
                        );
                    }
                }
            }
            let mut out = format!("{callee}(\n");
            for a in args {
                let p = pad(indent + 1);
                out.push_str(&p);
                out.push_str(&print(a, indent + 1, p.len(), 1));
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push(')');
            out
        }
        Ts::Cast(inner, ty) => format!(
            "{} as unknown as {ty}",
            print(inner, indent, col, tail + ty.len() + 14)
        ),
        other => flat(other).unwrap_or_default(),
    }
}

/// A statement `prefix<expr>;` at `indent` (e.g. `const x = …;`), ending with a newline.
pub fn statement(prefix: &str, e: &Ts, indent: usize) -> String {
    let head = format!("{}{prefix}", pad(indent));
    let col = head.chars().count();
    // Prettier breaks after `=` when what follows cannot start on this line: a call whose
    // callee does not fit, or an unbreakable value.
    let starts_too_long = match e {
        Ts::Call(callee, _) => col + callee.chars().count() + 1 > WIDTH,
        Ts::Atom(_) | Ts::Str(_) | Ts::Template(_) => {
            flat(e).is_some_and(|f| col + f.chars().count() + 1 > WIDTH)
        }
        _ => false,
    };
    if prefix.ends_with("= ") && starts_too_long {
        let inner = pad(indent + 1);
        return format!(
            "{}\n{inner}{};\n",
            head.trim_end(),
            print(e, indent + 1, inner.len(), 1)
        );
    }
    format!("{head}{};\n", print(e, indent, col, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

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
}
