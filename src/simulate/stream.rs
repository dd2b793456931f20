//! Reading events for `tfc simulate` one at a time, with bounded memory whatever the input: a
//! stream of JSON values (one event, JSON lines, or concatenated objects), where a top-level
//! array is read element by element. Each event's text is cut out by a small scanner (strings,
//! escapes and bracket depth) and parsed on its own, so at most one event is held at a time.
//!
//! EventBridge's PutEvents accepts entries of at most 256 KB (EventBridge quotas, "PutEvents
//! entry size"; the size counts the UTF-8 bytes of `Source`, `DetailType`, `Detail`,
//! `Resources` and 14 bytes for `Time`), so an event above that is never delivered to a rule:
//! [`entry_size`] computes it and the caller rejects it. The raw text of one event may be at most
//! [`MAX_EVENT_TEXT`] bytes (room for whitespace and the delivered envelope).

use std::io::BufRead;

use serde_json::Value;

/// PutEvents' limit on one entry, in bytes.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;
/// The most text one event may take in the input, whitespace included.
pub const MAX_EVENT_TEXT: usize = 1024 * 1024;

/// Events from a reader, one at a time.
pub struct EventReader<R> {
    input: R,
    /// Inside a top-level array: the next value is an element.
    in_array: bool,
    /// Whether any value has been read (a top-level `[` only counts as an array first).
    started: bool,
    done: bool,
    /// 1-based number of the next event, for messages.
    next: usize,
}

impl<R: BufRead> EventReader<R> {
    pub fn new(input: R) -> Self {
        EventReader {
            input,
            in_array: false,
            started: false,
            done: false,
            next: 1,
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, String> {
        let buf = self
            .input
            .fill_buf()
            .map_err(|e| format!("cannot read the events: {e}"))?;
        Ok(buf.first().copied())
    }

    fn bump(&mut self) {
        self.input.consume(1);
    }

    fn skip_ws(&mut self) -> Result<Option<u8>, String> {
        while let Some(b) = self.peek()? {
            if b.is_ascii_whitespace() {
                self.bump();
            } else {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// The bytes of one JSON value (its syntax is checked by the parser afterwards).
    fn value_text(&mut self) -> Result<Vec<u8>, String> {
        let mut text = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let too_big = |n: usize| {
            format!(
                "event {n} takes more than {} MiB of text; EventBridge accepts entries of at most 256 KB",
                MAX_EVENT_TEXT / (1024 * 1024)
            )
        };
        while let Some(b) = self.peek()? {
            if in_string {
                self.bump();
                text.push(b);
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => {
                        in_string = false;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth == 0 => break,
                    b'}' | b']' => depth -= 1,
                    b',' if depth == 0 => break,
                    b if b.is_ascii_whitespace() && depth == 0 && !text.is_empty() => break,
                    _ => {}
                }
                self.bump();
                text.push(b);
                if depth == 0 && matches!(b, b'}' | b']') {
                    break;
                }
            }
            if text.len() > MAX_EVENT_TEXT {
                return Err(too_big(self.next));
            }
        }
        Ok(text)
    }

    fn read_one(&mut self) -> Result<Option<Value>, String> {
        let Some(first) = self.skip_ws()? else {
            if self.in_array {
                return Err("the events end inside a JSON array (a `]` is missing)".into());
            }
            return Ok(None);
        };
        if !self.started && first == b'[' {
            self.started = true;
            self.in_array = true;
            self.bump();
            if self.skip_ws()? == Some(b']') {
                self.bump();
                self.in_array = false;
                return self.read_one();
            }
        } else if self.in_array && first == b']' {
            self.bump();
            self.in_array = false;
            return self.read_one();
        }
        self.started = true;
        let text = self.value_text()?;
        let value: Value = serde_json::from_slice(&text)
            .map_err(|e| format!("event {} is not JSON: {e}", self.next))?;
        if self.in_array {
            match self.skip_ws()? {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    self.in_array = false;
                }
                _ => {
                    return Err(format!(
                        "event {} is not followed by `,` or `]` in the JSON array",
                        self.next
                    ))
                }
            }
        }
        self.next += 1;
        Ok(Some(value))
    }
}

impl<R: BufRead> Iterator for EventReader<R> {
    type Item = Result<Value, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.read_one().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

/// The size PutEvents counts for an event (delivered shape or PutEvents entry shape).
pub fn entry_size(event: &Value) -> usize {
    let text = |keys: &[&str]| -> usize {
        keys.iter()
            .find_map(|k| event.get(*k))
            .map_or(0, |v| match v {
                Value::String(s) => s.len(),
                other => other.to_string().len(),
            })
    };
    let resources = ["Resources", "resources"]
        .iter()
        .find_map(|k| event.get(*k).and_then(Value::as_array))
        .map_or(0, |r| {
            r.iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string().len(), str::len))
                .sum()
        });
    let time = if event.get("Time").is_some() || event.get("time").is_some() {
        14
    } else {
        0
    };
    text(&["Source", "source"])
        + text(&["DetailType", "detail-type"])
        + text(&["Detail", "detail"])
        + resources
        + time
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<Vec<Value>, String> {
        EventReader::new(text.as_bytes()).collect()
    }

    #[test]
    fn one_value_lines_arrays_and_concatenation() {
        assert_eq!(read("{\"a\":1}").unwrap(), vec![json!({"a": 1})]);
        assert_eq!(
            read("{\"a\":1}\n{\"a\":2}\n").unwrap(),
            vec![json!({"a": 1}), json!({"a": 2})]
        );
        assert_eq!(
            read(" [ {\"a\":\"]}\\\"[\"} , {\"b\":[1,{}]} ] ").unwrap(),
            vec![json!({"a": "]}\"["}), json!({"b": [1, {}]})]
        );
        assert_eq!(read("[]").unwrap(), Vec::<Value>::new());
        assert_eq!(read("{}{}").unwrap(), vec![json!({}), json!({})]);
        assert!(read("[{}").is_err());
        assert!(read("[{} {}]").is_err());
        assert!(read("{\"a\":").is_err());
        assert!(read("").unwrap().is_empty());
    }

    #[test]
    fn one_event_is_bounded_and_nothing_else_is_kept() {
        let huge = format!("{{\"detail\":\"{}\"}}", "x".repeat(MAX_EVENT_TEXT));
        let e = read(&huge).unwrap_err();
        assert!(e.contains("event 1 takes more than 1 MiB"), "{e}");
        // Many events stream through without being collected first.
        let many = "{\"a\":1}\n".repeat(10_000);
        assert_eq!(EventReader::new(many.as_bytes()).count(), 10_000);
    }

    #[test]
    fn entry_size_counts_what_put_events_counts() {
        let e = json!({"Source": "abc", "DetailType": "de", "Detail": "{\"x\":1}", "Resources": ["r1"], "Time": "2026-01-01T00:00:00Z"});
        assert_eq!(entry_size(&e), 3 + 2 + 7 + 2 + 14);
        let d = json!({"source": "abc", "detail-type": "de", "detail": {"x": 1}});
        assert_eq!(entry_size(&d), 3 + 2 + 7);
    }
}
