//! Bytes → a JSON value of the document plus a location index (JSON pointer → line:col).
//!
//! Two parsers, each for what it does best:
//! - `saphyr-parser` (pure-Rust YAML 1.2 event parser with spans) builds the location index and
//!   finds *every* duplicate key and syntax problem position without building values;
//! - `serde_norway` (the maintained drop-in fork of the archived `serde_yaml`, same API and
//!   libyaml-derived parser, with recursion and alias-expansion limits) produces the value.
//!
//! Most specs are plain: no anchors, tags, merge keys or multi-line scalars. For those the event
//! pass builds the value itself ([`ValueBuilder`], resolving plain scalars as serde_norway does)
//! and libyaml does not run (13 % fewer instructions for a 10-task `check`). Anything else
//! takes the two-parser path, and a test holds the two to the same value.
//!
//! Limits guard against hostile input before either parser runs: a size cap, UTF-8, and a
//! nesting cap enforced by the event pass (which is iterative, so depth cannot overflow a stack).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span};
use serde_json::{Map, Number, Value};

use crate::diagnostics::{Diagnostic, Pos};

/// Largest spec tfc reads. Real specs are a few KiB; this leaves room for hundreds of tasks.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;
/// Deepest nesting accepted. The spec itself needs about 8 levels; event patterns a few more.
pub const MAX_DEPTH: usize = 64;

/// Where a node sits in the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    /// Position of the mapping key that holds the node, if any.
    pub key: Option<Pos>,
    /// Position of the node itself.
    pub value: Pos,
}

/// JSON pointer → location, for every node the event pass saw.
#[derive(Debug, Clone, Default)]
pub struct LocationIndex {
    map: HashMap<String, Loc>,
}

impl LocationIndex {
    /// The location of `pointer`, or of its nearest ancestor that has one.
    pub fn find(&self, pointer: &str) -> Option<Loc> {
        let mut p = pointer;
        loop {
            if let Some(loc) = self.map.get(p) {
                return Some(*loc);
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
    }

    /// Position of the value at `pointer` (or its nearest ancestor).
    pub fn value_pos(&self, pointer: &str) -> Option<Pos> {
        self.find(pointer).map(|l| l.value)
    }

    /// Position of the key holding `pointer`, falling back to its value.
    pub fn key_pos(&self, pointer: &str) -> Option<Pos> {
        self.find(pointer).map(|l| l.key.unwrap_or(l.value))
    }
}

/// A loaded document.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub index: LocationIndex,
    /// The text the document was read from (without a BOM), for positions inside values.
    pub source: String,
}

/// Appends `segment` to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(pointer: &str, segment: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + 1 + segment.len());
    out.push_str(pointer);
    out.push('/');
    if segment.contains(['~', '/']) {
        for c in segment.chars() {
            match c {
                '~' => out.push_str("~0"),
                '/' => out.push_str("~1"),
                c => out.push(c),
            }
        }
    } else {
        out.push_str(segment);
    }
    out
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        col: span.start.col() + 1,
    }
}

/// Loads a spec: every problem that stops parsing is returned, with a position where one exists.
pub fn load(bytes: &[u8]) -> Result<Document, Vec<Diagnostic>> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(vec![Diagnostic::error(
            "too-large",
            "",
            format!(
                "the spec is {} bytes; tfc reads specs of at most {} bytes",
                bytes.len(),
                MAX_SPEC_BYTES
            ),
        )
        .with_help("split the tasks over several specs")]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(vec![Diagnostic::error(
                "encoding",
                "",
                format!(
                    "the spec is not valid UTF-8 (byte offset {})",
                    e.valid_up_to()
                ),
            )
            .at(Some(Pos { line, col }))
            .with_help("save the file as UTF-8")]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (index, value) = scan_events(text, fast_path_ok(text))?;
    if index.map.is_empty() {
        return Err(vec![Diagnostic::error("empty", "", "the spec is empty")
            .at(Some(Pos { line: 1, col: 1 }))
            .with_help(
                "start from `version: 1`, `name: …` and `tasks: …`; see `tfc schema`",
            )]);
    }
    let value = match value {
        Some(value) => value,
        None => parse_value(text, &index)?,
    };
    Ok(Document {
        value,
        index,
        source: text.to_string(),
    })
}

/// The document's value by serde_norway (libyaml), converted to JSON by [`to_json`]: the path
/// for what [`ValueBuilder`] leaves.
fn parse_value(text: &str, index: &LocationIndex) -> Result<Value, Vec<Diagnostic>> {
    let (shielded, swaps) = shield_breaks(text);
    let mut yaml: serde_norway::Value = serde_norway::from_str(&shielded).map_err(|e| {
        let pos = e.location().map(|l| Pos {
            line: l.line(),
            col: l.column(),
        });
        vec![syntax_error(text, &e.to_string(), pos)]
    })?;
    yaml.apply_merge().map_err(|e| {
        vec![Diagnostic::error(
            "yaml",
            "",
            format!("invalid YAML merge key: {e}"),
        )]
    })?;
    let mut diags = Vec::new();
    let mut value = to_json(yaml, &mut Vec::new(), index, &mut diags);
    if !swaps.is_empty() {
        value = unshield(value, &swaps);
    }
    if diags.is_empty() {
        Ok(value)
    } else {
        Err(diags)
    }
}

/// NEL (U+0085), LS (U+2028) and PS (U+2029) are ordinary content characters in YAML 1.2
/// (YAML 1.2.2, 5.4 "Line Break Characters": only LF and CR break lines; 1.1 also counted these
/// three), which is how saphyr reads them. libyaml, behind serde_norway, implements YAML 1.1 and
/// would fold them into spaces or line breaks. So they are swapped for private-use characters
/// the text does not contain before serde_norway parses it, and swapped back in every string of
/// the result: a raw U+0085 inside a quoted string stays U+0085.
fn shield_breaks(text: &str) -> (std::borrow::Cow<'_, str>, Vec<(char, char)>) {
    const BREAKS: [char; 3] = ['\u{85}', '\u{2028}', '\u{2029}'];
    if !text.contains(BREAKS) {
        return (std::borrow::Cow::Borrowed(text), Vec::new());
    }
    let mut used: std::collections::HashSet<char> = text.chars().collect();
    // A double-quoted scalar names characters by escapes too (`"\ue000"`): those are taken as
    // well, or swapping back would turn them into line breaks.
    for (i, _) in text.match_indices('\\') {
        let rest = &text[i + 1..];
        let digits = match rest.chars().next() {
            Some('x') => 2,
            Some('u') => 4,
            Some('U') => 8,
            _ => continue,
        };
        if let Some(c) = rest
            .get(1..1 + digits)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
        {
            used.insert(c);
        }
    }
    // The private-use planes hold 137,468 characters; a 1 MiB text cannot use them all.
    let mut free = ('\u{E000}'..='\u{F8FF}')
        .chain('\u{F0000}'..='\u{FFFFD}')
        .chain('\u{100000}'..='\u{10FFFD}')
        .filter(|c| !used.contains(c));
    let swaps: Vec<(char, char)> = BREAKS
        .iter()
        .filter(|b| used.contains(b))
        .filter_map(|b| free.next().map(|f| (*b, f)))
        .collect();
    let shielded = text
        .chars()
        .map(|c| swaps.iter().find(|(b, _)| *b == c).map_or(c, |(_, f)| *f))
        .collect();
    (std::borrow::Cow::Owned(shielded), swaps)
}

/// Swaps the characters [`shield_breaks`] replaced back, in keys and values.
fn unshield(value: Value, swaps: &[(char, char)]) -> Value {
    let restore = |s: String| -> String {
        if !s.contains(|c| swaps.iter().any(|(_, f)| *f == c)) {
            return s;
        }
        s.chars()
            .map(|c| swaps.iter().find(|(_, f)| *f == c).map_or(c, |(b, _)| *b))
            .collect()
    };
    match value {
        Value::String(s) => Value::String(restore(s)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| unshield(v, swaps)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (restore(k), unshield(v, swaps)))
                .collect(),
        ),
        other => other,
    }
}

/// A YAML syntax error, made specific when a tab is the cause.
fn syntax_error(text: &str, message: &str, pos: Option<Pos>) -> Diagnostic {
    // The parsers report tabs as "found character that cannot start any token" or similar; find
    // the first tab in indentation at or before the reported line and say so.
    if let Some(p) = pos {
        for (i, line) in text.lines().enumerate().take(p.line) {
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            if let Some(col) = indent.chars().position(|c| c == '\t') {
                if i + 1 == p.line || message.contains("tab") {
                    return Diagnostic::error("tab", "", "a tab character indents this line")
                        .at(Some(Pos {
                            line: i + 1,
                            col: col + 1,
                        }))
                        .with_help("YAML indentation must use spaces; replace the tab");
                }
            }
        }
    }
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .trim_end_matches(',')
        .to_string();
    let help = pos.and_then(|p| quoting_help(text, p)).unwrap_or_else(|| {
        "fix the YAML syntax here; `tfc check` reads the rest once the file parses".to_string()
    });
    Diagnostic::error("yaml", "", format!("invalid YAML: {message}"))
        .at(pos)
        .with_help(help)
}

/// The help for a syntax error that one of tfc's own idioms causes when written unquoted, when
/// the error position lies in such a value:
/// - `{ from: $.items[0] }`: in a flow collection `[`, `]`, `{`, `}` and `,` end a plain
///   scalar (YAML 1.2.2, 7.3.3 "Plain Style": flow indicators are excluded inside flow
///   collections), so an indexed path breaks the mapping;
/// - a secret ARN ending in `:` (`…:password::`, the empty version fields of ECS's
///   `:json-key:version-stage:version-id`): a plain scalar cannot end with `:` before a
///   space, a line break or a flow indicator (7.3.3: that `:` is a mapping indicator).
fn quoting_help(text: &str, pos: Pos) -> Option<String> {
    let line: Vec<char> = text
        .lines()
        .nth(pos.line.checked_sub(1)?)?
        .chars()
        .collect();
    // The characters from `start` while `keep` holds, and whether `pos` lies in them (or on
    // the character right after, where parsers often report the error).
    let span = |start: usize, keep: &dyn Fn(char) -> bool| {
        let s: String = line[start..].iter().take_while(|c| keep(**c)).collect();
        let hit = (start + 1..=start + s.chars().count() + 1).contains(&pos.col);
        (s, hit)
    };
    let starts_with = |i: usize, s: &str| line[i..].iter().copied().take(s.len()).eq(s.chars());
    for i in 0..line.len() {
        if i > 0 && !matches!(line[i - 1], ' ' | '{' | ',' | '[') {
            continue;
        }
        if starts_with(i, "from:") && line[..i].contains(&'{') {
            let start = i + 5 + line[i + 5..].iter().take_while(|c| **c == ' ').count();
            let (path, hit) = span(start, &|c| {
                c.is_alphanumeric() || matches!(c, '$' | '.' | '_' | '-' | '[' | ']')
            });
            if path.starts_with('$') && path.contains('[') && hit {
                return Some(format!("quote the path: inside `{{ … }}` a plain YAML value ends at `[`, so write `{{ from: \"{path}\" }}` (or put `from: {path}` on a line of its own)"));
            }
        }
        if starts_with(i, "arn:") {
            let (arn, hit) = span(i, &|c| {
                !c.is_whitespace() && !matches!(c, '"' | '\'' | ',' | '{' | '}' | '[' | ']')
            });
            if arn.ends_with(':') && hit {
                return Some(format!("quote the ARN: a plain YAML value cannot end with `:`, so write it as \"{arn}\""));
            }
        }
    }
    None
}

/// A position past the end of the text (parsers report "end of input" there) moved to the end
/// of the last line, so a caret can show it.
fn clamp(text: &str, pos: Pos) -> Pos {
    let lines: Vec<&str> = text.lines().collect();
    if pos.line <= lines.len() {
        return pos;
    }
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(0);
    Pos {
        line: last + 1,
        col: lines.get(last).map_or(0, |l| l.chars().count()) + 1,
    }
}

/// The innermost `[` or `{` still open before `upto`, ignoring quoted text and comments: the
/// real cause of "while parsing a flow sequence/mapping" errors.
fn unclosed_flow(text: &str, upto: Pos) -> Option<(Pos, char)> {
    let mut open: Vec<(Pos, char)> = Vec::new();
    for (i, line) in text.lines().enumerate().take(upto.line) {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (j, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q && prev != '\\' => quote = None,
                (Some(_), _) => {}
                (None, '#') if prev == ' ' || j == 0 => break,
                (None, '"' | '\'') if open.last().is_some() || prev == ' ' || j == 0 => {
                    quote = Some(c)
                }
                (None, '[' | '{') => open.push((
                    Pos {
                        line: i + 1,
                        col: j + 1,
                    },
                    c,
                )),
                (None, ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
            prev = c;
        }
    }
    open.pop()
}

fn too_deep(pointer: &str, pos: Pos) -> Diagnostic {
    Diagnostic::error(
        "too-deep",
        pointer,
        format!("the spec nests deeper than {MAX_DEPTH} levels"),
    )
    .at(Some(pos))
    .with_help("a tfc spec needs about ten levels; flatten this structure")
}

enum Frame<'a> {
    Map {
        pointer: String,
        key: Option<(std::borrow::Cow<'a, str>, Pos)>,
        seen: HashMap<std::borrow::Cow<'a, str>, Pos>,
        /// The anchor of this mapping (0: none) and its expanded size so far.
        anchor: usize,
        weight: u64,
    },
    Seq {
        pointer: String,
        next: usize,
        anchor: usize,
        weight: u64,
    },
}

impl Frame<'_> {
    fn weight_mut(&mut self) -> &mut u64 {
        match self {
            Frame::Map { weight, .. } | Frame::Seq { weight, .. } => weight,
        }
    }
}

/// How much a document may grow when its aliases are expanded, in [`node_weight`] units (about
/// bytes). A spec without aliases weighs about its size; aliases may add up to the size limit
/// again. Without this cap an "alias bomb" of a few hundred bytes expands to gigabytes in any
/// parser that builds values, and the expansion guards of YAML libraries grow with the document.
pub const MAX_EXPANDED_WEIGHT: u64 = 2 * MAX_SPEC_BYTES as u64;

/// The weight of one node: one for the node, plus its text for a scalar.
fn node_weight(text: &str) -> u64 {
    1 + text.len() as u64
}

fn alias_bomb(pos: Pos) -> Diagnostic {
    Diagnostic::error(
        "too-large",
        "",
        format!(
            "the spec's aliases expand it beyond {} MiB",
            MAX_EXPANDED_WEIGHT / (1024 * 1024)
        ),
    )
    .at(Some(pos))
    .with_help("use fewer or smaller `*alias` references; `defaults:` shares values between tasks without YAML aliases")
}

/// The event pass: builds the index and reports duplicate keys, depth and syntax errors; with
/// `build`, the document's value too where it is plain (see [`ValueBuilder`]).
fn scan_events(text: &str, build: bool) -> Result<(LocationIndex, Option<Value>), Vec<Diagnostic>> {
    let mut index = LocationIndex::default();
    let mut value = ValueBuilder::new(text, build);
    let mut stack: Vec<Frame> = Vec::new();
    let mut diags = Vec::new();
    let mut documents = 0;
    // Alias expansion accounting: the expanded weight of each anchored node, and of the whole
    // document so far (see MAX_EXPANDED_WEIGHT).
    let mut anchors: HashMap<usize, u64> = HashMap::new();
    let mut expanded: u64 = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                let pos = Pos {
                    line: e.marker().line(),
                    col: e.marker().col() + 1,
                };
                diags.push(if e.info().contains("recursion limit") {
                    too_deep("", pos)
                } else if let Some(open) = e
                    .info()
                    .contains("flow")
                    .then(|| unclosed_flow(text, pos))
                    .flatten()
                {
                    Diagnostic::error(
                        "yaml",
                        "",
                        format!("invalid YAML: this `{}` is never closed", open.1),
                    )
                    .at(Some(open.0))
                    .with_help(format!(
                        "close it with `{}` (in a flow collection, separate items with `,`)",
                        if open.1 == '[' { ']' } else { '}' }
                    ))
                } else {
                    syntax_error(text, e.info(), Some(clamp(text, pos)))
                });
                return Err(diags);
            }
        };
        let pos = pos_of(&span);
        value.event(&event, &span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    diags.push(
                        Diagnostic::error("yaml", "", "the file holds more than one YAML document")
                            .at(Some(pos))
                            .with_help("keep one spec per file; remove the `---` separator"),
                    );
                    return Err(diags);
                }
            }
            Event::Scalar(..)
            | Event::Alias(_)
            | Event::MappingStart(..)
            | Event::SequenceStart(..) => {
                let is_container =
                    matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
                let leaf_weight = match &event {
                    Event::Scalar(value, _, anchor, _) => {
                        let w = node_weight(value);
                        if *anchor != 0 {
                            anchors.insert(*anchor, w);
                        }
                        Some(w)
                    }
                    Event::Alias(id) => Some(anchors.get(id).copied().unwrap_or(1)),
                    _ => None,
                };
                if let Some(w) = leaf_weight {
                    expanded = expanded.saturating_add(w);
                    if let Some(frame) = stack.last_mut() {
                        *frame.weight_mut() = frame.weight_mut().saturating_add(w);
                    }
                } else {
                    expanded = expanded.saturating_add(1);
                }
                if expanded > MAX_EXPANDED_WEIGHT {
                    diags.push(alias_bomb(pos));
                    return Err(diags);
                }
                // Is this node a mapping key?
                if let Some(Frame::Map {
                    key: key @ None,
                    seen,
                    pointer,
                    ..
                }) = stack.last_mut()
                {
                    let name = match &event {
                        // Borrowed from the text unless the scalar has escapes.
                        Event::Scalar(s, ..) => s.clone(),
                        _ => {
                            diags.push(
                                Diagnostic::error(
                                    "yaml",
                                    pointer.clone(),
                                    "only plain scalar mapping keys are supported",
                                )
                                .at(Some(pos)),
                            );
                            return Err(diags);
                        }
                    };
                    if let Some(first) = seen.get(&name) {
                        diags.push(
                            Diagnostic::error(
                                "duplicate-key",
                                pointer_push(pointer, &name),
                                format!("duplicate key `{name}` in {}", super::field_name(pointer)),
                            )
                            .at(Some(pos))
                            .with_help(format!(
                                "`{name}` is already defined at line {}, column {}; YAML keeps only one of them, so remove or rename one",
                                first.line, first.col
                            )),
                        );
                    } else if name != "<<" {
                        seen.insert(name.clone(), pos);
                    }
                    *key = Some((name, pos));
                    continue;
                }
                let (pointer, key_pos) = match stack.last_mut() {
                    None => (String::new(), None),
                    Some(Frame::Map { pointer, key, .. }) => {
                        let (name, kpos) = key.take().unwrap_or_default();
                        (pointer_push(pointer, &name), Some(kpos))
                    }
                    Some(Frame::Seq { pointer, next, .. }) => {
                        *next += 1;
                        (pointer_push(pointer, &(*next - 1).to_string()), None)
                    }
                };
                let loc = Loc {
                    key: key_pos,
                    value: pos,
                };
                if !is_container {
                    index.map.entry(pointer).or_insert(loc);
                } else {
                    // A container's pointer also names its children.
                    index.map.entry(pointer.clone()).or_insert(loc);
                    if stack.len() >= MAX_DEPTH {
                        diags.push(too_deep(&pointer, pos));
                        return Err(diags);
                    }
                    stack.push(match event {
                        Event::MappingStart(anchor, _) => Frame::Map {
                            pointer,
                            key: None,
                            seen: HashMap::new(),
                            anchor,
                            weight: 1,
                        },
                        Event::SequenceStart(anchor, _) => Frame::Seq {
                            pointer,
                            next: 0,
                            anchor,
                            weight: 1,
                        },
                        _ => unreachable!("only containers are pushed"),
                    });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(frame) = stack.pop() {
                    let (anchor, weight) = match frame {
                        Frame::Map { anchor, weight, .. } | Frame::Seq { anchor, weight, .. } => {
                            (anchor, weight)
                        }
                    };
                    if anchor != 0 {
                        anchors.insert(anchor, weight);
                    }
                    if let Some(parent) = stack.last_mut() {
                        *parent.weight_mut() = parent.weight_mut().saturating_add(weight);
                    }
                }
            }
            _ => {}
        }
    }
    if diags.is_empty() {
        Ok((index, value.finish()))
    } else {
        Err(diags)
    }
}

/// Whether libyaml would read `text` as saphyr does wherever [`ValueBuilder`] builds a value:
/// no directive (`%YAML`), and only characters libyaml accepts in a document and does not take
/// for line breaks (YAML 1.1 also breaks lines at U+0085, U+2028 and U+2029; see
/// [`shield_breaks`]). Other texts take the two-parser path.
fn fast_path_ok(text: &str) -> bool {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    };
    let ascii = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
    !text.starts_with('%')
        && !text.contains("\n%")
        && (text.as_bytes().iter().all(ascii) || text.chars().all(printable))
}

/// Builds the document's value from the event pass, as the two-parser path (serde_norway, then
/// [`to_json`]) would, for documents the two parsers read alike: it gives up (and `load` parses
/// again with serde_norway) at an anchor, alias or tag, a merge key `<<`, a block scalar or a
/// scalar over several lines (folding and escapes across lines), a key that is not a string
/// once resolved, a number the slow path reports (beyond 64 bits, not finite), and where
/// YAML 1.2 (saphyr) is laxer than libyaml's 1.1: a plain scalar that starts with an
/// indicator, an empty value in a flow collection (found by the generated-documents test).
struct ValueBuilder<'t> {
    /// Still building (`false` once anything above is seen).
    on: bool,
    /// The open mappings (with the key waiting for its value) and sequences, and whether each
    /// is in a flow collection (`{…}`, `[…]`).
    stack: Vec<(Open, bool)>,
    root: Option<Value>,
    text: &'t str,
    /// A character index of `text` (saphyr's spans count characters) and its byte offset.
    cursor: (usize, usize),
}

enum Open {
    Map(Map<String, Value>, Option<String>),
    Seq(Vec<Value>),
}

impl<'t> ValueBuilder<'t> {
    fn new(text: &'t str, on: bool) -> Self {
        ValueBuilder {
            on,
            stack: Vec::new(),
            root: None,
            text,
            cursor: (0, 0),
        }
    }

    /// The character at character index `at` (spans come in order: the cursor moves forward).
    fn char_at(&mut self, at: usize) -> Option<char> {
        if at < self.cursor.0 {
            self.cursor = (0, 0);
        }
        let (mut n, mut byte) = self.cursor;
        let mut chars = self.text[byte..].chars();
        while n < at {
            byte += chars.next()?.len_utf8();
            n += 1;
        }
        self.cursor = (n, byte);
        self.text[byte..].chars().next()
    }

    fn event(&mut self, event: &Event, span: &Span) {
        if !self.on {
            return;
        }
        let (awaits_key, in_flow) = match self.stack.last() {
            Some((open, flow)) => (matches!(open, Open::Map(_, None)), *flow),
            None => (false, false),
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                use saphyr_parser::ScalarStyle;
                if *anchor != 0
                    || tag.is_some()
                    || span.start.line() != span.end.line()
                    || !matches!(
                        style,
                        ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                    )
                {
                    return self.off();
                }
                let value = if *style == ScalarStyle::Plain {
                    // In a flow collection libyaml (YAML 1.1) refuses `[x:]`, `{x:}`, `[x:, y]`,
                    // which saphyr (YAML 1.2) reads as a key with an empty value.
                    if !plain_start_ok(text) || (in_flow && text.is_empty()) {
                        return self.off();
                    }
                    match plain_scalar(text) {
                        Some(v) => v,
                        None => return self.off(),
                    }
                } else {
                    Value::String(text.to_string())
                };
                if awaits_key {
                    match value {
                        Value::String(key) if key != "<<" => {
                            if let Some((Open::Map(_, slot), _)) = self.stack.last_mut() {
                                *slot = Some(key);
                            }
                        }
                        _ => self.off(),
                    }
                } else {
                    self.add(value);
                }
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                if *anchor != 0 || tag.is_some() || awaits_key {
                    return self.off();
                }
                let flow = in_flow || matches!(self.char_at(span.start.index()), Some('{' | '['));
                let open = if matches!(event, Event::MappingStart(..)) {
                    Open::Map(Map::new(), None)
                } else {
                    Open::Seq(Vec::new())
                };
                self.stack.push((open, flow));
            }
            Event::MappingEnd | Event::SequenceEnd => match self.stack.pop() {
                Some((Open::Map(map, _), _)) => self.add(Value::Object(map)),
                Some((Open::Seq(items), _)) => self.add(Value::Array(items)),
                None => self.off(),
            },
            Event::Alias(_) => self.off(),
            _ => {}
        }
    }

    /// A finished value, in its place.
    fn add(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some((Open::Map(map, key), _)) => {
                if let Some(key) = key.take() {
                    map.insert(key, value);
                }
            }
            Some((Open::Seq(items), _)) => items.push(value),
        }
    }

    fn off(&mut self) {
        self.on = false;
        self.stack = Vec::new();
        self.root = None;
    }

    fn finish(self) -> Option<Value> {
        self.root.filter(|_| self.on && self.stack.is_empty())
    }
}

/// Whether libyaml would start a plain scalar with `text` as saphyr did: YAML's indicators
/// cannot start one (YAML 1.2 production 22), `-` only before a character that makes it part
/// of the scalar. saphyr reads some of them as plain inside flow collections (`[a, >]`), where
/// libyaml refuses them.
fn plain_start_ok(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        None => true,
        Some('-') => chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.'),
        Some(c) => !"?:,[]{}#&*!|>'\"%@`".contains(c),
    }
}

/// A plain scalar's value as serde_norway resolves it (null, bool, integer, float, else a
/// string: its `visit_untagged_scalar`) and [`to_json`] turns it into JSON; `None` where the
/// slow path does more than convert (integers beyond 64 bits are its error, non-finite
/// numbers a diagnostic).
fn plain_scalar(text: &str) -> Option<Value> {
    use resolve::{digits_but_not_number, parse_f64, parse_negative_int, parse_unsigned_int};
    if text.is_empty() || matches!(text, "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    match text {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(u) = parse_unsigned_int(text, u64::from_str_radix) {
        return Some(Value::Number(u.into()));
    }
    if let Some(i) = parse_negative_int(text, i64::from_str_radix) {
        return Some(Value::Number(i.into()));
    }
    if parse_unsigned_int(text, u128::from_str_radix).is_some()
        || parse_negative_int(text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(text) {
        if let Some(f) = parse_f64(text) {
            // As to_json: `cpu: 1024.0` means 1024.
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                return Some(Value::Number((f as i64).into()));
            }
            return Number::from_f64(f).map(Value::Number);
        }
    }
    Some(Value::String(text.to_string()))
}

/// serde_norway 0.9's resolution of plain scalars (src/de.rs, MIT OR Apache-2.0), copied
/// because it is private there; the test `fast_values_are_serde_norways` holds the copy to it.
mod resolve {
    use std::num::ParseIntError;

    pub fn parse_unsigned_int<T>(
        scalar: &str,
        from_str_radix: fn(&str, radix: u32) -> Result<T, ParseIntError>,
    ) -> Option<T> {
        let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
            if let Some(rest) = unpositive.strip_prefix(prefix) {
                if rest.starts_with(['+', '-']) {
                    return None;
                }
                if let Ok(int) = from_str_radix(rest, radix) {
                    return Some(int);
                }
            }
        }
        if unpositive.starts_with(['+', '-']) {
            return None;
        }
        if digits_but_not_number(scalar) {
            return None;
        }
        from_str_radix(unpositive, 10).ok()
    }

    pub fn parse_negative_int<T>(
        scalar: &str,
        from_str_radix: fn(&str, radix: u32) -> Result<T, ParseIntError>,
    ) -> Option<T> {
        for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
            if let Some(rest) = scalar.strip_prefix(prefix) {
                if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                    return Some(int);
                }
            }
        }
        if digits_but_not_number(scalar) {
            return None;
        }
        from_str_radix(scalar, 10).ok()
    }

    pub fn parse_f64(scalar: &str) -> Option<f64> {
        let unpositive = if let Some(unpositive) = scalar.strip_prefix('+') {
            if unpositive.starts_with(['+', '-']) {
                return None;
            }
            unpositive
        } else {
            scalar
        };
        if let ".inf" | ".Inf" | ".INF" = unpositive {
            return Some(f64::INFINITY);
        }
        if let "-.inf" | "-.Inf" | "-.INF" = scalar {
            return Some(f64::NEG_INFINITY);
        }
        if let ".nan" | ".NaN" | ".NAN" = scalar {
            return Some(f64::NAN.copysign(1.0));
        }
        if let Ok(float) = unpositive.parse::<f64>() {
            if float.is_finite() {
                return Some(float);
            }
        }
        None
    }

    /// Leading zeros followed by digits are a string in YAML 1.2.
    pub fn digits_but_not_number(scalar: &str) -> bool {
        let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
        scalar.len() > 1
            && scalar.starts_with('0')
            && scalar[1..].bytes().all(|b| b.is_ascii_digit())
    }
}

/// One step of the path [`to_json`] is at: the pointer is spelled only for a diagnostic.
enum Step {
    Key(String),
    Index(usize),
}

fn pointer_of(path: &[Step]) -> String {
    let mut pointer = String::new();
    for step in path {
        pointer = match step {
            Step::Key(k) => pointer_push(&pointer, k),
            Step::Index(i) => pointer_push(&pointer, &i.to_string()),
        };
    }
    pointer
}

/// Converts a YAML value to JSON, reporting what JSON cannot hold (tags, non-finite numbers,
/// non-scalar keys). `path` is where `value` stands.
fn to_json(
    value: serde_norway::Value,
    path: &mut Vec<Step>,
    index: &LocationIndex,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    use serde_norway::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else if let Some(i) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                // `cpu: 1024.0` means 1024; JSON Schema's `integer` agrees.
                Value::Number((i as i64).into())
            } else if let Some(f) = n.as_f64().and_then(Number::from_f64) {
                Value::Number(f)
            } else {
                let pointer = pointer_of(path);
                diags.push(
                    Diagnostic::error("type", &pointer, format!("`{n}` is not a finite number"))
                        .at(index.value_pos(&pointer)),
                );
                Value::Null
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    path.push(Step::Index(i));
                    let v = to_json(v, path, index, diags);
                    path.pop();
                    v
                })
                .collect(),
        ),
        Y::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        let pointer = pointer_of(path);
                        diags.push(
                            Diagnostic::error("type", &pointer, "mapping keys must be strings")
                                .at(index.value_pos(&pointer)),
                        );
                        continue;
                    }
                };
                path.push(Step::Key(key));
                let v = to_json(v, path, index, diags);
                if let Some(Step::Key(key)) = path.pop() {
                    out.insert(key, v);
                }
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let pointer = pointer_of(path);
            diags.push(
                Diagnostic::error(
                    "yaml-tag",
                    &pointer,
                    format!("YAML tag `{}` is not supported", t.tag),
                )
                .at(index.value_pos(&pointer))
                .with_help("write plain values; tfc generates `!Ref`/`Fn::` for you"),
            );
            Value::Null
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The value the event pass built, beside the two-parser path's for the same text; `None`
    /// where the event pass gave up (or the text does not scan).
    fn both(text: &str) -> Option<(Value, Option<Value>)> {
        let (index, fast) = scan_events(text, fast_path_ok(text)).ok()?;
        Some((fast?, parse_value(text, &index).ok()))
    }

    /// The event pass's value is the one serde_norway and `to_json` make, for plain scalars of
    /// every kind (null, bool, integers in each radix and beyond 64 bits, floats, the strings
    /// that look like numbers) as values, keys and items, block and flow, quoted or not; and
    /// for every spec of the repository. The pass is taken often enough to mean something, and
    /// never where the slow path would fail.
    #[test]
    fn fast_values_are_serde_norways() {
        #[rustfmt::skip]
        let scalars = [
            "", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false",
            "False", "FALSE", "yes", "no", "on", "off", "y", "n", "0", "-0", "+0", "00", "007",
            "-007", "+007", "08", "1", "-1", "+1", "++1", "+-1", "-+1", "1_000", "0x1F", "0X1F",
            "-0x1F", "+0x1F", "0x-1", "0x+1", "0o17", "-0o17", "+0o17", "0o8", "0b101", "-0b101",
            "0b2", "0xG", "0x", "0o", "0b", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
            "18446744073709551616", "-18446744073709551616", "0xFFFFFFFFFFFFFFFFFF",
            "340282366920938463463374607431768211456", "340282366920938463463374607431768211455",
            "1.0", "-1.5", "+1.5", "1.", ".5", "-.5", "1e3", "1E3", "1e-3", "+1e3", "1e999",
            "-1e999", "1.5e300", "9.0e15", "-9.0e15", "8999999999999999.0", "1024.0", "0.1e1",
            "-0.0", "0.0", "00.5", ".inf", "-.inf", "+.inf", ".Inf", ".INF", "-.Inf", ".nan",
            ".NaN", ".NAN", "NaN", "nan", "inf", "infinity", "1_0.5", "1__0", "123abc", "-", ".",
            "..", "1:2", "12:30:00", "2001-12-14", "1,000", "cron(1 3 * * ? *)", "rate(5 minutes)",
            "$.detail.x", "a b", "é", "日本", "'q'", "'it''s'", "\"dq\"", "\"a\\tb\"", "\"\\u00e9\"",
            "\"\\x41\\N\"", "'0x1F'", "\"1\"", "\"true\"", "'~'", "''", "\"\"",
        ];
        let mut fast = 0;
        for scalar in scalars {
            for text in [
                format!("k: {scalar}\n"),
                format!("{scalar}: v\n"),
                format!("- {scalar}\n- [{scalar}, x]\n"),
                format!("{{k: {scalar}, {scalar}: 1}}\n"),
                format!("a:\n  b:\n    - {scalar}\n"),
            ] {
                if let Some((value, slow)) = both(&text) {
                    fast += 1;
                    assert_eq!(Some(value), slow, "{text:?}");
                }
            }
        }
        assert!(
            fast > 2 * scalars.len(),
            "the event pass built {fast} values"
        );
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["examples", "tests/invalid", "tests/hostile"] {
            let mut dirs = vec![root.join(dir)];
            while let Some(dir) = dirs.pop() {
                for entry in std::fs::read_dir(dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                        files.push(path);
                    }
                }
            }
        }
        let mut built = 0;
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if let Some((value, slow)) = both(text.strip_prefix('\u{feff}').unwrap_or(&text)) {
                built += 1;
                assert_eq!(Some(value), slow, "{}", path.display());
            }
        }
        assert!(
            built * 2 > files.len(),
            "built {built} of {} files",
            files.len()
        );
    }

    /// Generated documents (block and flow, explicit keys, tabs, document markers, JSON-like
    /// keys) of awkward scalars: wherever the event pass builds a value it is the two-parser
    /// path's, and wherever that path fails the event pass gave up. (It found that libyaml
    /// refuses `[a, >]` and `{x:}`, which saphyr reads.)
    #[test]
    fn fast_values_agree_on_generated_documents() {
        #[rustfmt::skip]
        let atoms = [
            "", "~", "null", "true", "False", "0", "-0", "007", "0x1F", "-0o17", "0b2", "1e3",
            "1.5", ".inf", ".nan", "9223372036854775808", "-9223372036854775809", "a b", "é", "$.x",
            "1:2", "x#y", "x #y", "'q'", "'it''s'", "\"d\\tq\"", "\"\\N\"", "-", "?", "a,b", "[]",
            "{}", "<<", "\"<<\"", "k", "0.0", "+1", "1_0", "@x", "`x", "%x", "!x", "&a x", "*a",
            "|", ">", "a: b", "- x", "a:b", "a[b", "a]b", "a{b", "a}b", "a - b", "x'y", "x\"y",
            "x\\y", "-x", "-1", "-.5", "--", "- -", "x:", ":x", "?x", "x?", "a\tb", "0o", "1e", ".",
            "..", "...", "---", "x%y", "x@y", "x`y", "x!y", "x&y", "x*y", "x|y", "x>y", "' a '",
            "\" a \"", "a  b", "a ", " a", "\"\\x41\"", "\"\\u263A\"", "\"\\/\"", "'a''b'",
            "x: y: z", "1.0e+3", "-.inf", "+.5", "0.", "0x_1", "1_000_000", "٣", "\u{a0}x",
            "x\u{a0}", "#", "a#", "a :b", "a? b", "{a}", "[a]", "a,", ",a", "\"\"", "''", "ü",
            "\u{1F600}", "a\u{3000}b", "\"\\u{1F600}\"", "\"\\U0001F600\"", "\"\\ud800\"", "'\\'",
            "\"a\\\"b\"", "x\u{feff}", "k\tv", "a\u{85}b", "\"\\e\\a\\v\\0\"", "\"\\ \"", "\"\\_\"",
            "\"\\L\\P\"",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut built, mut total) = (0, 0);
        for _ in 0..30_000 {
            let mut text = String::new();
            let lines = 1 + next(6);
            let mut depth = 0usize;
            for _ in 0..lines {
                let indent = "  ".repeat(depth);
                let k = atoms[next(atoms.len())];
                let v = atoms[next(atoms.len())];
                let w = atoms[next(atoms.len())];
                match next(9) {
                    0 => text.push_str(&format!("{indent}{k}: {v}\n")),
                    1 => text.push_str(&format!("{indent}- {v}\n")),
                    2 => text.push_str(&format!("{indent}{k}: [{v}, {w}]\n")),
                    3 => text.push_str(&format!("{indent}{k}: {{{v}: {w}, {k}: [{w}]}}\n")),
                    4 => {
                        text.push_str(&format!("{indent}{k}:\n"));
                        depth += 1;
                    }
                    5 => {
                        text.push_str(&format!("{indent}- {k}: {v}\n"));
                    }
                    6 => {
                        depth = depth.saturating_sub(1);
                        text.push_str(&format!("{indent}{k}: {v} # {w}\n"));
                    }
                    7 => match next(8) {
                        0 => text.push_str(&format!("{indent}? {k}\n{indent}: {v}\n")),
                        1 => text.push_str(&format!("{indent}{k}:\t{v}\n")),
                        2 => text.push_str(&format!("{indent}\"{k}\":{v}\n")),
                        3 => text.push_str(&format!("{indent}{k}: {{\"{v}\":{w}}}\n")),
                        4 => text.push_str(&format!("{indent}{k} : {v}\n")),
                        5 => text
                            .push_str(&format!("{indent}{k}:\n{indent}- {v}\n{indent}- [{w}]\n")),
                        6 => text.push_str(&format!("---\n{indent}{k}: {v}\n...\n")),
                        _ => text.push_str(&format!("{indent}'{k}': {v}   \n")),
                    },
                    _ => text.push_str(&format!("{indent}{k}: [{v}, {{{w}: {v}}}, [{k}]]\n")),
                }
            }
            total += 1;
            if let Some((value, slow)) = both(&text) {
                built += 1;
                assert_eq!(Some(value), slow, "{text:?}");
            }
        }
        assert!(built * 20 > total, "built {built} of {total}");
    }

    /// What the two parsers could read differently takes the two-parser path.
    #[test]
    fn the_event_pass_gives_up_where_the_parsers_may_differ() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: !Ref x\n",
            "base: {x: 1}\nc:\n  <<: {x: 2}\n",
            "a: |\n  text\n",
            "a: >\n  folded\n",
            "a: one\n  two\n",
            "a: \"one\n  two\"\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: x\u{85}y\n",
            "a: x\u{2028}y\n",
            "a: 340282366920938463463374607431768211455\n",
            "a: .inf\n",
            "1: one\n",
            "true: yes\n",
            "a: [b, >]\n",
            "a: [x:]\n",
            "a: {x:, y: 1}\n",
        ] {
            let (_, value) = scan_events(text, fast_path_ok(text)).expect(text);
            assert_eq!(value, None, "{text:?}");
        }
        assert!(both("a: plain\n").is_some());
    }

    fn errs(src: &str) -> Vec<Diagnostic> {
        load(src.as_bytes()).expect_err("should fail")
    }

    #[test]
    fn indexes_keys_and_values() {
        let doc = load(b"a:\n  b: [1, 2]\n  c:\n    - x: 1\n").unwrap();
        let loc = doc.index.find("/a/b").unwrap();
        assert_eq!(loc.key, Some(Pos { line: 2, col: 3 }));
        assert_eq!(loc.value, Pos { line: 2, col: 6 });
        assert_eq!(
            doc.index.value_pos("/a/b/1"),
            Some(Pos { line: 2, col: 10 })
        );
        assert_eq!(doc.index.key_pos("/a/c/0/x"), Some(Pos { line: 4, col: 7 }));
        // Unknown pointers fall back to the nearest ancestor.
        assert_eq!(
            doc.index.key_pos("/a/c/0/zzz"),
            Some(Pos { line: 4, col: 7 })
        );
    }

    #[test]
    fn unquoted_idioms_get_a_quoting_help() {
        let help = |src: &str| {
            let d = errs(src);
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].code, "yaml");
            (d[0].pos, d[0].help.clone().unwrap_or_default())
        };
        let (pos, h) = help("env:\n  FIRST: { from: $.resources[0] }\n");
        assert_eq!(pos, Some(Pos { line: 2, col: 29 }));
        assert_eq!(h, "quote the path: inside `{ … }` a plain YAML value ends at `[`, so write `{ from: \"$.resources[0]\" }` (or put `from: $.resources[0]` on a line of its own)");
        let (_, h) = help("command: [run, { from: $.detail.items[0].id }, --x]\n");
        assert!(h.contains("`{ from: \"$.detail.items[0].id\" }`"), "{h}");
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::";
        for src in [
            format!("secrets:\n  DB: {arn}\n"),
            format!("secrets: {{ DB: {arn} }}\n"),
            format!("secrets:\n  DB: {arn}   # the password key\n"),
        ] {
            let (_, h) = help(&src);
            assert_eq!(h, format!("quote the ARN: a plain YAML value cannot end with `:`, so write it as \"{arn}\""), "{src}");
        }
        // The same errors elsewhere keep the general help.
        let (_, h) = help("a: b: c\n");
        assert!(h.starts_with("fix the YAML syntax here"), "{h}");
        let (_, h) = help("env: { X: [1, 2 }\nlater: { from: $.x[0] }\n");
        assert!(!h.contains("quote the path"), "{h}");
        // Quoted or block-style forms parse.
        assert!(load(b"e: { from: \"$.resources[0]\" }\nf:\n  from: $.resources[0]\n").is_ok());
        assert!(load(format!("s: \"{arn}\"\n").as_bytes()).is_ok());
    }

    #[test]
    fn reports_every_duplicate_key() {
        let d = errs("a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].code, "duplicate-key");
        assert_eq!(d[0].pos, Some(Pos { line: 3, col: 1 }));
        assert_eq!(d[1].pos, Some(Pos { line: 6, col: 3 }));
        assert_eq!(d[1].pointer, "/c/x");
    }

    #[test]
    fn tab_indentation_is_named() {
        let d = errs("a:\n\tb: 1\n");
        assert_eq!(d[0].code, "tab");
        assert_eq!(d[0].pos, Some(Pos { line: 2, col: 1 }));
    }

    #[test]
    fn hostile_inputs_are_clean_errors() {
        assert_eq!(errs("")[0].code, "empty");
        assert_eq!(errs("# only a comment\n")[0].code, "empty");
        assert_eq!(load(b"a: \xff\xfe").unwrap_err()[0].code, "encoding");
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(errs(&deep)[0].code, "too-deep");
        let big = vec![b'#'; MAX_SPEC_BYTES + 1];
        assert_eq!(load(&big).unwrap_err()[0].code, "too-large");
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert_eq!(errs(&bomb)[0].code, "too-large");
    }

    #[test]
    fn alias_expansion_is_bounded_whatever_the_document_size() {
        // A wide bomb: one 100 KB anchored string referenced 100 times (10 MB expanded) stays
        // far under the size limit itself.
        let mut wide = format!("a: &a \"{}\"\nb: [", "x".repeat(100_000));
        wide.push_str(&vec!["*a"; 100].join(", "));
        wide.push_str("]\n");
        let d = errs(&wide);
        assert_eq!(d[0].code, "too-large");
        assert_eq!(d[0].pos.map(|p| p.line), Some(2));
        // A deep one of about 200 KB, as the audit used.
        let mut deep = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        let mut i = 1;
        while deep.len() < 200_000 {
            let refs = vec![format!("*l{}", i - 1); 10].join(", ");
            deep.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
            i += 1;
        }
        assert_eq!(errs(&deep)[0].code, "too-large");
        // Aliases within the budget still load.
        let fine = "a: &a {x: 1}\nb: *a\nc: [*a, *a]\n";
        let doc = load(fine.as_bytes()).unwrap();
        assert_eq!(doc.value["c"][1]["x"], 1);
    }

    #[test]
    fn line_separators_are_content_as_yaml_1_2_says() {
        let src = "a: \"x\u{85}y \u{2028} z\u{2029}\"\nb: plain\u{85}text\nc: 'q\u{2028}'\nd: \"\\N\\L\\P\"\n\u{2028}e: 1\n";
        let doc = load(src.as_bytes()).unwrap();
        assert_eq!(doc.value["a"], "x\u{85}y \u{2028} z\u{2029}");
        assert_eq!(doc.value["b"], "plain\u{85}text");
        assert_eq!(doc.value["c"], "q\u{2028}");
        assert_eq!(doc.value["d"], "\u{85}\u{2028}\u{2029}");
        assert_eq!(doc.value["\u{2028}e"], 1);
        // Positions count lines as YAML 1.2 does.
        assert_eq!(doc.index.value_pos("/b").map(|p| p.line), Some(2));
        // A text that already holds private-use characters keeps them.
        let doc = load("a: \"\u{E000}\u{85}\"\n".as_bytes()).unwrap();
        assert_eq!(doc.value["a"], "\u{E000}\u{85}");
    }

    #[test]
    fn escaped_private_use_characters_stay_what_they_are() {
        // The stand-in for NEL must not be a character an escape names (found by comparing
        // this loader with one that builds values from the event pass).
        let doc = load("a: \"x\\ue000y\"\nb: \"\u{85}\"\n".as_bytes()).unwrap();
        assert_eq!(doc.value["a"], "x\u{e000}y");
        assert_eq!(doc.value["b"], "\u{85}");
    }

    #[test]
    fn tags_are_rejected_where_they_stand() {
        let d = errs("a:\n  b: !Ref X\n");
        assert_eq!(d[0].code, "yaml-tag");
        assert_eq!(d[0].pos, Some(Pos { line: 2, col: 6 }));
    }
}
