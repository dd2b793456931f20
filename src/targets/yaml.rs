//! A small, strict YAML emitter for generated documents (block style, two-space indent).
//!
//! Scalars are emitted plain only when no YAML 1.1 or 1.2 reader (cfn-lint's included) could
//! read them as anything but the same string; otherwise single-quoted (readable for JSON input
//! templates), or double-quoted with escapes when they hold line breaks or non-printable
//! characters. Every string therefore parses back to exactly the value it came from.
//!
//! The emitter writes a [`Node`] tree into a [`Sink`]: a `String`, or a [`Count`] that only
//! adds up the bytes, so the size of a document is measured by the very code that writes it.

use std::borrow::Cow;
use std::cell::RefCell;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

/// Where emitted text goes.
pub trait Sink {
    fn put(&mut self, s: &str);
}

impl Sink for String {
    #[inline]
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Bytes, for text that is valid UTF-8 by construction (JSON from `serde_json`).
impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// A sink that keeps only the number of bytes written to it: the length the same text would
/// have, without building it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub usize);

impl Sink for Count {
    #[inline]
    fn put(&mut self, s: &str) {
        self.0 += s.len();
    }
}

impl std::io::Write for Count {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0 += buf.len();
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `write!` into a sink (numbers, escapes).
struct Fmt<'s, S: ?Sized>(&'s mut S);

impl<S: Sink + ?Sized> std::fmt::Write for Fmt<'_, S> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.put(s);
        Ok(())
    }
}

/// A document value, as `serde_json::Value` holds one, but borrowing its strings where it can
/// and keeping a map's entries in a plain list (documents are built in order and read once:
/// nothing is looked up by key, so nothing is hashed). YAML through [`write_block`], JSON
/// through its `Serialize` (the same calls `serde_json::Value` makes, so the same bytes).
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(Cow<'a, str>),
    List(Vec<Node<'a>>),
    Map(Map<'a>),
}

/// One entry of a map node.
pub type Entry<'a> = (Cow<'a, str>, Node<'a>);

/// The entries of a map node, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map<'a>(pub Vec<Entry<'a>>);

impl<'a> Map<'a> {
    pub fn new() -> Self {
        Map(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Map(Vec::with_capacity(n))
    }

    /// Appends an entry whose key is not in the map yet (debug builds check).
    pub fn push(&mut self, key: impl Into<Cow<'a, str>>, value: Node<'a>) {
        let key = key.into();
        debug_assert!(self.get(&key).is_none(), "duplicate key {key}");
        self.0.push((key, value));
    }

    /// Sets `key` to `value`: in place when the key is there (a map keeps the order of first
    /// insertion, as `serde_json`'s does), else appended.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: Node<'a>) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where a document's lists and maps come from: new ones, or ones a written document gave back
/// ([`Nodes::recycle`]), so that building document after document allocates for the first few
/// only. Kept by capacity (at most 1, 4, more), so that a list or map built is rarely grown.
#[derive(Debug, Default)]
pub struct Nodes<'a> {
    lists: RefCell<[Vec<Vec<Node<'a>>>; 3]>,
    maps: RefCell<[Vec<Vec<Entry<'a>>>; 3]>,
}

/// The capacity class of a list or map of `n` items, and the capacity a new one gets.
fn class(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (0, 1),
        2..=4 => (1, 4),
        _ => (2, n.clamp(12, 64)),
    }
}

impl<'a> Nodes<'a> {
    fn take_map(&self, n: usize) -> Vec<Entry<'a>> {
        let (class, capacity) = class(n);
        let spare = self.maps.borrow_mut()[class].pop();
        spare.unwrap_or_else(|| Vec::with_capacity(capacity))
    }

    /// An empty map to push entries into.
    pub fn map(&self) -> Map<'a> {
        Map(self.take_map(12))
    }

    /// A map of these entries.
    pub fn obj<const N: usize>(&self, entries: [(&'static str, Node<'a>); N]) -> Node<'a> {
        let mut map = self.take_map(N);
        map.extend(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)));
        Node::Map(Map(map))
    }

    /// A list of these items.
    pub fn list<const N: usize>(&self, items: [Node<'a>; N]) -> Node<'a> {
        self.list_of(items)
    }

    /// A list of the items of `items`.
    pub fn list_of(&self, items: impl IntoIterator<Item = Node<'a>>) -> Node<'a> {
        let items = items.into_iter();
        let (class, capacity) = class(items.size_hint().0);
        let spare = self.lists.borrow_mut()[class].pop();
        let mut list = spare.unwrap_or_else(|| Vec::with_capacity(capacity));
        list.extend(items);
        Node::List(list)
    }

    /// `value` as a node, borrowing its strings (as [`Node::from`] makes it).
    pub fn value(&self, value: &'a Value) -> Node<'a> {
        match value {
            Value::Array(items) => self.list_of(items.iter().map(|v| self.value(v))),
            Value::Object(entries) => {
                let mut map = self.take_map(entries.len());
                map.extend(
                    entries
                        .iter()
                        .map(|(k, v)| (Cow::Borrowed(k.as_str()), self.value(v))),
                );
                Node::Map(Map(map))
            }
            scalar => Node::from(scalar),
        }
    }

    /// Takes back the lists and maps of a document that is no longer needed, emptied.
    pub fn recycle(&self, node: Node<'a>) {
        match node {
            Node::List(mut items) => {
                while let Some(item) = items.pop() {
                    if matches!(item, Node::List(_) | Node::Map(_)) {
                        self.recycle(item);
                    }
                }
                self.lists.borrow_mut()[class(items.capacity()).0].push(items);
            }
            Node::Map(Map(mut entries)) => {
                while let Some((_, value)) = entries.pop() {
                    if matches!(value, Node::List(_) | Node::Map(_)) {
                        self.recycle(value);
                    }
                }
                self.maps.borrow_mut()[class(entries.capacity()).0].push(entries);
            }
            _ => {}
        }
    }
}

impl<'a> From<&'a Value> for Node<'a> {
    /// The same value, borrowing its strings.
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            Value::Array(items) => Node::List(items.iter().map(Node::from).collect()),
            Value::Object(map) => Node::Map(Map(map
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from(v)))
                .collect())),
        }
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::Str(s) => serializer.serialize_str(s),
            Node::List(items) => items.serialize(serializer),
            Node::Map(map) => map.serialize(serializer),
        }
    }
}

impl Serialize for Map<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

/// Renders `value` as the body of a block at `indent` levels (two spaces each), ending with `\n`.
pub fn to_yaml(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_block(&Node::from(value), indent, &mut out, &mut Plain::new());
    out
}

/// Which strings can be written plain, remembered by address (a direct-mapped table each for
/// keys and values) for the strings a document borrows: most keys, and many values, are tfc's
/// own words, written again and again, and the test reads every byte. Only borrowed strings:
/// they outlive the table (`'a`), so while it lives an address and a length name one
/// unchanging string; an owned one may be freed and its address reused, so it is looked at
/// each time.
pub struct Plain<'a> {
    keys: Vec<(usize, usize, bool)>,
    values: Vec<(usize, usize, bool)>,
    _borrowed: std::marker::PhantomData<&'a str>,
}

impl<'a> Plain<'a> {
    const SLOTS: usize = 256;

    pub fn new() -> Self {
        Plain {
            keys: vec![(0, 0, false); Self::SLOTS],
            values: vec![(0, 0, false); Self::SLOTS],
            _borrowed: std::marker::PhantomData,
        }
    }

    fn lookup(table: &mut [(usize, usize, bool)], s: &'a str) -> bool {
        let at = s.as_ptr() as usize;
        // Fibonacci hashing of the address: neighbouring strings land apart.
        let slot = &mut table[at.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - 8)];
        if slot.0 != at || slot.1 != s.len() {
            *slot = (at, s.len(), plain_ok(s));
        }
        slot.2
    }

    /// Writes a map key, as [`write_scalar_string`] does.
    #[allow(clippy::ptr_arg)] // Whether the key is borrowed is the point.
    fn write_key(&mut self, key: &Cow<'a, str>, out: &mut (impl Sink + ?Sized)) {
        Self::write(&mut self.keys, key, out)
    }

    /// Writes a string value, as [`write_scalar_string`] does.
    #[allow(clippy::ptr_arg)] // Whether the value is borrowed is the point.
    fn write_value(&mut self, value: &Cow<'a, str>, out: &mut (impl Sink + ?Sized)) {
        Self::write(&mut self.values, value, out)
    }

    /// A key or value: a borrowed string looked up in its table (keys and values apart, each
    /// mostly tfc's own words), an owned one looked at.
    #[allow(clippy::ptr_arg)]
    fn write(
        table: &mut [(usize, usize, bool)],
        text: &Cow<'a, str>,
        out: &mut (impl Sink + ?Sized),
    ) {
        match text {
            Cow::Borrowed(text) if Self::lookup(table, text) => out.put(text),
            Cow::Borrowed(text) => write_quoted(text, out),
            Cow::Owned(text) => write_scalar_string(text, out),
        }
    }
}

impl Default for Plain<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes `node` as the body of a block at `indent` levels (two spaces each), ending with `\n`.
pub fn write_block<'a, S: Sink + ?Sized>(
    node: &Node<'a>,
    indent: usize,
    out: &mut S,
    plain: &mut Plain<'a>,
) {
    match node {
        Node::Map(map) if !map.is_empty() => write_entries(map, indent, out, plain),
        Node::List(items) if !items.is_empty() => {
            for item in items {
                pad(indent, out);
                out.put("-");
                match item {
                    Node::Map(map) if !map.is_empty() => {
                        // The first key shares the dash's line; the rest align under it.
                        let mut first = true;
                        for (k, v) in &map.0 {
                            if first {
                                out.put(" ");
                                first = false;
                            } else {
                                pad(indent + 1, out);
                            }
                            plain.write_key(k, out);
                            write_child(v, indent + 1, out, plain);
                        }
                    }
                    Node::List(inner) if !inner.is_empty() => {
                        out.put("\n");
                        write_block(item, indent + 1, out, plain);
                    }
                    _ => {
                        out.put(" ");
                        write_value(item, out, plain);
                        out.put("\n");
                    }
                }
            }
        }
        other => {
            pad(indent, out);
            write_value(other, out, plain);
            out.put("\n");
        }
    }
}

/// Writes the map node of `map` as [`write_block`] does.
pub fn write_map_block<'a, S: Sink + ?Sized>(
    map: &Map<'a>,
    indent: usize,
    out: &mut S,
    plain: &mut Plain<'a>,
) {
    if map.is_empty() {
        pad(indent, out);
        out.put("{}\n");
    } else {
        write_entries(map, indent, out, plain);
    }
}

fn write_entries<'a, S: Sink + ?Sized>(
    map: &Map<'a>,
    indent: usize,
    out: &mut S,
    plain: &mut Plain<'a>,
) {
    for (k, v) in &map.0 {
        pad(indent, out);
        plain.write_key(k, out);
        write_child(v, indent, out, plain);
    }
}

const SPACES: &str = "                                                                ";

fn pad<S: Sink + ?Sized>(indent: usize, out: &mut S) {
    // The usual depths as constants (copied without a call), deeper ones from `SPACES`.
    match indent {
        0 => return,
        1 => return out.put("  "),
        2 => return out.put("    "),
        3 => return out.put("      "),
        4 => return out.put("        "),
        5 => return out.put("          "),
        6 => return out.put("            "),
        _ => {}
    }
    let mut n = 2 * indent;
    while n > SPACES.len() {
        out.put(SPACES);
        n -= SPACES.len();
    }
    out.put(&SPACES[..n]);
}

fn is_scalar(v: &Node) -> bool {
    match v {
        Node::List(a) => a.is_empty(),
        Node::Map(o) => o.is_empty(),
        _ => true,
    }
}

/// After a key, its colon and value: a scalar on the same line, a collection on the next lines.
fn write_child<'a, S: Sink + ?Sized>(
    v: &Node<'a>,
    indent: usize,
    out: &mut S,
    plain: &mut Plain<'a>,
) {
    if is_scalar(v) {
        out.put(": ");
        write_value(v, out, plain);
        out.put("\n");
    } else {
        out.put(":\n");
        write_block(v, indent + 1, out, plain);
    }
}

/// A scalar in a block, as [`write_scalar`] writes it (remembering which borrowed strings are
/// plain).
fn write_value<'a, S: Sink + ?Sized>(v: &Node<'a>, out: &mut S, plain: &mut Plain<'a>) {
    match v {
        Node::Str(s) => plain.write_value(s, out),
        other => write_scalar(other, out),
    }
}

/// A scalar (or empty collection) in flow form.
pub fn scalar(v: &Value) -> String {
    let mut out = String::new();
    write_scalar(&Node::from(v), &mut out);
    out
}

/// Writes a scalar (or empty collection) in flow form.
pub fn write_scalar<S: Sink + ?Sized>(v: &Node, out: &mut S) {
    match v {
        Node::Null => out.put("null"),
        Node::Bool(b) => out.put(if *b { "true" } else { "false" }),
        Node::Number(n) => {
            let _ = std::fmt::Write::write_fmt(&mut Fmt(out), format_args!("{n}"));
        }
        Node::Str(s) => write_scalar_string(s, out),
        Node::List(_) => out.put("[]"),
        Node::Map(_) => out.put("{}"),
    }
}

/// Words some YAML reader resolves to a non-string (YAML 1.1 booleans and nulls included),
/// in any case: `True`, `NULL`, `Off`, … (`~`, `=` and `<<` never start a plain scalar).
const RESERVED: [&str; 11] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
];

/// What [`plain_ok`] needs to know of each byte, as bits: [`NOT_PLAIN`] for a byte a plain
/// scalar may not hold (any but ASCII letters and digits and ` _./:@+=,$()-`), [`COLON`] for
/// `:` and [`SPACE`] for ` ` (only a string with both can hold `: `).
const BYTES: [u8; 256] = {
    let mut t = [NOT_PLAIN; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'_' | b'.' | b'/' | b'@' | b'+' | b'=' | b',' | b'$' | b'(' | b')' | b'-'
            )
        {
            t[c] = 0;
        }
        c += 1;
    }
    t[b':' as usize] = COLON;
    t[b' ' as usize] = SPACE;
    t
};
const NOT_PLAIN: u8 = 1;
const COLON: u8 = 2;
const SPACE: u8 = 4;

/// Whether `s` can be written plain: it starts with a letter, `/`, `$` or `_`, holds only
/// plain bytes ([`BYTES`]), has no `: ` (nor ` #`: `#` is not plain), does not end with a
/// space or a colon, and is no [`RESERVED`] word.
fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || matches!(first, b'/' | b'$' | b'_'))
        || matches!(last, b' ' | b':')
    {
        return false;
    }
    // One pass that only gathers the bytes' kinds: no branch per byte, eight at a time.
    let kind = |b: u8| BYTES[usize::from(b)];
    let mut words = bytes.chunks_exact(8);
    let mut kinds = 0;
    for w in &mut words {
        kinds |= kind(w[0])
            | kind(w[1])
            | kind(w[2])
            | kind(w[3])
            | kind(w[4])
            | kind(w[5])
            | kind(w[6])
            | kind(w[7]);
    }
    for &b in words.remainder() {
        kinds |= kind(b);
    }
    // `: ` by hand: a string searcher costs more to set up than these short strings take.
    let colon_space = || bytes.windows(2).any(|w| w == b": ");
    if kinds & NOT_PLAIN != 0 || (kinds & (COLON | SPACE) == COLON | SPACE && colon_space()) {
        return false;
    }
    // The reserved words start with `t`, `f`, `y`, `n`, `o` or `i`, in either case.
    let reserved = s.len() <= 5
        && matches!(first | 0x20, b't' | b'f' | b'y' | b'n' | b'o' | b'i')
        && RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w));
    !reserved
}

/// YAML's printable set (YAML 1.2 §5.1) minus the characters readers treat as line breaks.
pub fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether every character of `s` is [`printable`] (ASCII checked byte by byte).
fn all_printable(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b)) || s.chars().all(printable)
}

/// A string scalar, plain when unambiguous, quoted otherwise.
pub fn scalar_string(s: &str) -> String {
    let mut out = String::new();
    write_scalar_string(s, &mut out);
    out
}

/// Writes a string scalar, plain when unambiguous, quoted otherwise (see [`scalar_string`]).
pub fn write_scalar_string<S: Sink + ?Sized>(s: &str, out: &mut S) {
    if plain_ok(s) {
        out.put(s);
    } else {
        write_quoted(s, out);
    }
}

/// Writes a string that cannot be plain, single-quoted, or double-quoted with escapes.
fn write_quoted<S: Sink + ?Sized>(s: &str, out: &mut S) {
    if all_printable(s) {
        out.put("'");
        let mut parts = s.split('\'');
        if let Some(first) = parts.next() {
            out.put(first);
        }
        for part in parts {
            out.put("''");
            out.put(part);
        }
        out.put("'");
        return;
    }
    out.put("\"");
    // Runs of characters written as they are, between escapes.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if printable(c) => continue,
            _ => "",
        };
        out.put(&s[run..i]);
        run = i + c.len_utf8();
        if escape.is_empty() {
            let mut f = Fmt(&mut *out);
            let _ = if (c as u32) <= 0xffff {
                std::fmt::Write::write_fmt(&mut f, format_args!("\\u{:04x}", c as u32))
            } else {
                std::fmt::Write::write_fmt(&mut f, format_args!("\\U{:08x}", c as u32))
            };
        } else {
            out.put(escape);
        }
    }
    out.put(&s[run..]);
    out.put("\"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn block_layout() {
        let v = json!({"A": {"B": [1, "x"], "C": []}, "D": [{"E": "f", "G": {"H": true}}, ["m"]]});
        assert_eq!(
            to_yaml(&v, 1),
            "  A:\n    B:\n      - 1\n      - x\n    C: []\n  D:\n    - E: f\n      G:\n        H: true\n    -\n      - m\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for (s, want) in [
            ("yes", "'yes'"),
            ("Off", "'Off'"),
            ("2026-11-28", "'2026-11-28'"),
            ("0123", "'0123'"),
            ("!Ref X", "'!Ref X'"),
            ("a: b", "'a: b'"),
            ("it's", "'it''s'"),
            ("", "''"),
            ("line\nbreak", "\"line\\nbreak\""),
            ("nel\u{85}", "\"nel\\u0085\""),
            ("sh -c", "sh -c"),
            (
                "arn:aws:iam::123456789012:role/x",
                "arn:aws:iam::123456789012:role/x",
            ),
        ] {
            assert_eq!(scalar_string(s), want, "{s:?}");
        }
    }

    /// The emitter as it was before it wrote into sinks: one `String` per scalar, the plain
    /// test as a list of conditions. The sink version must agree with it on every string.
    mod reference {
        pub const RESERVED: [&str; 22] = [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "=", "<<", "nan",
            "inf", "TRUE", "FALSE", "YES", "NO", "ON", "OFF", "NULL", "Null",
        ];

        pub fn plain_ok(s: &str) -> bool {
            let Some(first) = s.chars().next() else {
                return false;
            };
            let lower = s.to_ascii_lowercase();
            (first.is_ascii_alphabetic() || first == '/' || first == '$' || first == '_')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || " _./:@+=,$()-".contains(c))
                && !s.ends_with(' ')
                && !s.ends_with(':')
                && !s.contains(": ")
                && !s.contains(" #")
                && !RESERVED.contains(&s)
                && !RESERVED.contains(&lower.as_str())
        }

        pub fn scalar_string(s: &str) -> String {
            if plain_ok(s) {
                return s.to_string();
            }
            if s.chars().all(super::printable) {
                return format!("'{}'", s.replace('\'', "''"));
            }
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if super::printable(c) => out.push(c),
                    c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push_str(&format!("\\U{:08x}", c as u32)),
                }
            }
            out.push('"');
            out
        }
    }

    /// Strings built from the characters and words that decide quoting.
    fn tricky_strings() -> Vec<String> {
        let atoms = [
            "",
            "a",
            "Z",
            "0",
            "9",
            "/",
            "$",
            "_",
            " ",
            ":",
            "#",
            "'",
            "\"",
            "\\",
            "-",
            ".",
            "@",
            "+",
            "=",
            ",",
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "!",
            "&",
            "*",
            "?",
            "|",
            ">",
            "%",
            "`",
            "~",
            "<<",
            "\n",
            "\t",
            "\r",
            "\u{0}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "é",
            "\u{2028}",
            "\u{2029}",
            "\u{feff}",
            "\u{e000}",
            "\u{fffe}",
            "\u{1f600}",
            "\u{10ffff}",
            "true",
            "True",
            "TRUE",
            "tRuE",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "N",
            "null",
            "Null",
            "nan",
            "NaN",
            "inf",
            "-inf",
            ".inf",
            "${",
            "${X}",
            ": ",
            " #",
            "::",
            "a:",
            "x y",
        ];
        let mut out: Vec<String> = atoms.iter().map(|s| s.to_string()).collect();
        for a in atoms {
            for b in atoms {
                out.push(format!("{a}{b}"));
                for c in ["a", " ", ":", "'", "\n", "é"] {
                    out.push(format!("{a}{c}{b}"));
                }
            }
        }
        out
    }

    #[test]
    fn scalars_agree_with_the_reference_emitter() {
        for s in tricky_strings() {
            assert_eq!(scalar_string(&s), reference::scalar_string(&s), "{s:?}");
            assert_eq!(plain_ok(&s), reference::plain_ok(&s), "{s:?}");
            let mut count = Count::default();
            write_scalar_string(&s, &mut count);
            assert_eq!(count.0, scalar_string(&s).len(), "{s:?}");
        }
    }

    #[test]
    fn remembered_strings_are_written_as_scalars() {
        let strings = tricky_strings();
        let mut plain = Plain::new();
        // Twice, so that the second round reads what the first remembered.
        for _ in 0..2 {
            for s in &strings {
                let mut remembered = String::new();
                plain.write_key(&Cow::Borrowed(s.as_str()), &mut remembered);
                plain.write_key(&Cow::Owned(s.clone()), &mut remembered);
                plain.write_value(&Cow::Borrowed(s.as_str()), &mut remembered);
                plain.write_value(&Cow::Owned(s.clone()), &mut remembered);
                assert_eq!(remembered, scalar_string(s).repeat(4), "{s:?}");
            }
        }
    }

    #[test]
    fn counting_measures_the_written_text() {
        let v = json!({
            "A": {"B": [1, -2.5, null, false, "x"], "C": [], "D": {}},
            "E": [{"F": "it's", "G": {"H": "a\nb"}}, [["deep"]], [], {}],
            "I": "\u{1f600}\u{85}"
        });
        for indent in [0, 1, 2, 40] {
            let mut text = String::new();
            let mut count = Count::default();
            write_block(&Node::from(&v), indent, &mut text, &mut Plain::new());
            write_block(&Node::from(&v), indent, &mut count, &mut Plain::new());
            assert_eq!(count.0, text.len());
        }
        assert!(to_yaml(&json!({"A": 1}), 40).starts_with(&" ".repeat(80)));
    }

    #[test]
    fn map_blocks_and_nodes_match_values() {
        let v = json!({"K": {"L": [1, {"M": "n"}]}});
        let Node::Map(map) = Node::from(&v) else {
            panic!("a map")
        };
        let mut text = String::new();
        write_map_block(&map, 1, &mut text, &mut Plain::new());
        assert_eq!(text, to_yaml(&v, 1));
        let mut empty = String::new();
        write_map_block(&Map::new(), 1, &mut empty, &mut Plain::new());
        assert_eq!(empty, to_yaml(&json!({}), 1));
        // JSON: the node serialises exactly as the value it came from.
        assert_eq!(
            serde_json::to_string_pretty(&Node::from(&v)).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }

    #[test]
    fn recycled_lists_and_maps_build_the_same_nodes() {
        let v = json!({"A": [1, {"B": []}, [[]]], "C": {}, "D": [{"E": "f", "G": {"H": true}}]});
        let nodes = Nodes::default();
        for _ in 0..3 {
            let built = nodes.value(&v);
            assert_eq!(built, Node::from(&v));
            let more = nodes.obj([("K", nodes.list([Node::Null, nodes.list_of([])]))]);
            assert_eq!(more, Node::from(&json!({"K": [null, []]})));
            nodes.recycle(built);
            nodes.recycle(more);
        }
        assert_eq!(nodes.map(), Map::new());
    }

    #[test]
    fn insert_keeps_the_first_position() {
        let mut m = Map::new();
        m.insert("a", Node::Null);
        m.insert("b", Node::Bool(true));
        m.insert("a", Node::Bool(false));
        assert_eq!(
            m.0,
            vec![
                (Cow::Borrowed("a"), Node::Bool(false)),
                (Cow::Borrowed("b"), Node::Bool(true))
            ]
        );
    }
}
