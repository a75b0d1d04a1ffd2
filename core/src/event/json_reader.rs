//! The JSON side of the reader: top-level values one after another (one
//! object, an array, NDJSON, a stream), arrays element by element, resuming
//! after a syntax error, and serde's messages without its positions.

use crate::base::diag::Diagnostic;

use super::node::Node;
use super::read::{is_json_whitespace, Reader, MAX_DEPTH};
use super::EventFormat;

/// Stop reporting after this many syntax errors in one paste.
const MAX_SYNTAX_ERRORS: usize = 20;

/// The offset of the first non-white-space byte at or after `pos`.
fn skip_json_whitespace(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while bytes.get(pos).is_some_and(|&b| is_json_whitespace(b)) {
        pos += 1;
    }
    pos
}

/// Why one JSON value did not parse.
struct JsonFailure {
    /// Byte offset in the whole text.
    at: usize,
    message: String,
    /// Over serde_json's nesting limit rather than a syntax error.
    too_deep: bool,
}

/// serde puts " at line X column Y" (libyaml also " at position N") into
/// messages; the diagnostic's span says it better: in chars, and relative to
/// the whole text rather than the slice serde was given.
fn strip_position(message: &str) -> String {
    fn after_number(s: &str) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        s.get(n..)
    }
    fn after_position(s: &str) -> Option<&str> {
        if let Some(r) = s.strip_prefix(" at line ").and_then(after_number) {
            return r.strip_prefix(" column ").and_then(after_number).or(Some(r));
        }
        s.strip_prefix(" at position ").and_then(after_number)
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at ") {
        let (head, tail) = (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or(""));
        out.push_str(head);
        match after_position(tail) {
            Some(r) => rest = r,
            None => {
                out.push_str(" at ");
                rest = tail.get(4..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses one JSON value starting at `pos` (after whitespace); returns the
/// node and the byte offset just past it.
fn parse_json_value(text: &str, pos: usize) -> Result<(Node, usize), JsonFailure> {
    let sub = text.get(pos..).unwrap_or("");
    let mut stream = serde_json::Deserializer::from_str(sub).into_iter::<Node>();
    match stream.next() {
        Some(Ok(node)) => Ok((node, pos + stream.byte_offset())),
        Some(Err(e)) => {
            // serde_json counts lines by `\n` and columns in bytes, 1-based at
            // the offending byte (0 at EOF after a newline).
            let line_start = match e.line() {
                0 | 1 => 0,
                n => sub.match_indices('\n').nth(n - 2).map_or(sub.len(), |(i, _)| i + 1),
            };
            let col = if e.is_eof() { e.column() } else { e.column().saturating_sub(1) };
            let at = pos + (line_start + col).min(sub.len());
            let message = strip_position(&e.to_string());
            let too_deep = message.starts_with("recursion limit exceeded");
            Err(JsonFailure { at, message, too_deep })
        }
        None => Err(JsonFailure { at: text.len(), message: "EOF while parsing a value".into(), too_deep: false }),
    }
}

impl Reader<'_> {
    /// The diagnostic for a value that did not parse.
    fn json_error(&mut self, f: &JsonFailure) {
        let span = Some(self.index.point(f.at));
        self.diagnostics.push(if f.too_deep {
            Diagnostic::error(
                "event-too-deep",
                format!("values nested more than {MAX_DEPTH} levels deep are not supported ({})", f.message),
                span,
            )
        } else {
            Diagnostic::error("event-syntax", format!("JSON syntax error: {}", f.message), span)
        });
    }

    /// Whether `pos` starts a line (a BOM before it is not content).
    fn at_line_start(&self, pos: usize) -> bool {
        pos == 0
            || matches!(self.text.as_bytes().get(pos - 1), Some(b'\n' | b'\r') | None)
            || self.text.get(..pos) == Some("\u{feff}")
    }

    /// Returns the format; events and diagnostics accumulate in `self`.
    pub(super) fn read_json(&mut self, start: usize) -> EventFormat {
        let text = self.text;
        let mut pos = start;
        let (mut top_values, mut top_arrays, mut errors) = (0usize, 0usize, 0usize);
        let mut line_oriented = true;
        loop {
            pos = skip_json_whitespace(text, pos);
            if pos >= text.len() {
                break;
            }
            top_values += 1;
            if text.as_bytes().get(pos) == Some(&b'[') {
                top_arrays += 1;
                line_oriented = false;
                match self.read_json_array(pos, top_values == 1) {
                    Some(end) => {
                        pos = end;
                        continue;
                    }
                    None => break,
                }
            }
            match parse_json_value(text, pos) {
                Ok((node, end)) => {
                    let one_line = !text.get(pos..end).unwrap_or("").contains('\n');
                    if !(one_line && self.at_line_start(pos) && matches!(node, Node::Obj(_))) {
                        line_oriented = false;
                    }
                    self.push(node, self.index.span(pos, end), "top-level JSON value");
                    pos = end;
                }
                Err(f) => {
                    if top_values == 1 {
                        self.first_value_failed = !f.too_deep;
                    }
                    self.json_error(&f);
                    errors += 1;
                    if errors >= MAX_SYNTAX_ERRORS {
                        self.diagnostics.push(Diagnostic::info(
                            "event-syntax",
                            format!("stopped reading after {MAX_SYNTAX_ERRORS} errors"),
                            Some(self.index.point(f.at)),
                        ));
                        break;
                    }
                    // Resume at the next line that starts an object: the
                    // failed value's own lines are indented or are its `}`.
                    match next_object_line(text, pos) {
                        Some(next) => pos = next,
                        None => break,
                    }
                }
            }
        }
        match (top_values, top_arrays) {
            (1, 1) => EventFormat::JsonArray,
            (1, _) => EventFormat::JsonObject,
            _ if line_oriented => EventFormat::JsonLines,
            _ => EventFormat::JsonStream,
        }
    }

    /// A top-level array, element by element so each event gets its own span
    /// and elements before an error are kept. Returns the offset past `]`,
    /// `None` after an error (resyncing inside an array is guesswork).
    fn read_json_array(&mut self, open: usize, first_top: bool) -> Option<usize> {
        let text = self.text;
        let mut pos = skip_json_whitespace(text, open + 1);
        let mut first_element = true;
        if text.as_bytes().get(pos) == Some(&b']') {
            return Some(pos + 1);
        }
        loop {
            if pos >= text.len() {
                self.fail_array(pos, "EOF while parsing a list", first_top && first_element);
                return None;
            }
            match parse_json_value(text, pos) {
                Ok((node, end)) => {
                    self.push(node, self.index.span(pos, end), "JSON array element");
                    pos = skip_json_whitespace(text, end);
                }
                Err(f) => {
                    if first_top && first_element {
                        self.first_value_failed = !f.too_deep;
                    }
                    self.json_error(&f);
                    return None;
                }
            }
            first_element = false;
            match text.as_bytes().get(pos) {
                Some(b',') => {
                    pos = skip_json_whitespace(text, pos + 1);
                    if text.as_bytes().get(pos) == Some(&b']') {
                        self.fail_array(pos, "trailing comma", false);
                        return None;
                    }
                }
                Some(b']') => return Some(pos + 1),
                None => {
                    self.fail_array(pos, "EOF while parsing a list", false);
                    return None;
                }
                Some(_) => {
                    self.fail_array(pos, "expected `,` or `]`", false);
                    return None;
                }
            }
        }
    }

    /// A top-level array that breaks between elements; `first` when that is
    /// the very first thing read, which makes YAML worth a try.
    fn fail_array(&mut self, at: usize, message: &str, first: bool) {
        if first {
            self.first_value_failed = true;
        }
        self.json_error(&JsonFailure { at, message: message.to_owned(), too_deep: false });
    }
}

/// Start of the next line after `pos`'s line whose first byte is `{`.
fn next_object_line(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = pos;
    loop {
        let nl = bytes.get(i..)?.iter().position(|&b| b == b'\n')?;
        i += nl + 1;
        if bytes.get(i) == Some(&b'{') {
            return Some(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_events;
    use super::super::read::MAX_SKIP_WARNINGS;
    use super::super::tests::{codes, pos};
    use super::*;
    use serde_json::{json, Value};
    use std::time::{Duration, Instant};

    #[test]
    fn json_array_elements_with_spans_and_skipped_scalars() {
        let b = parse_events("[\n  {\"a\": 1},\n  2,\n  {\"b\": \"x\"}\n]");
        assert_eq!(b.format, EventFormat::JsonArray);
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.events[1].span().map(|s| (s.line, s.col, s.end_col)), Some((4, 3, 13)));
        assert_eq!(codes(&b), ["event-not-object"]);
        assert_eq!(pos(&b.diagnostics[0]), (3, 3));
        assert!(!b.diagnostics[0].is_error());
        assert_eq!(parse_events("[]").events.len(), 0);
        assert_eq!(parse_events("[ ]").format, EventFormat::JsonArray);
    }

    #[test]
    fn ndjson() {
        let text = "{\"a\": 1}\n{\"a\": 2}\r\n\n{\"a\": 3}\n";
        let b = parse_events(text);
        assert_eq!(b.format, EventFormat::JsonLines);
        assert_eq!(b.events.len(), 3);
        let lines: Vec<u32> = b.events.iter().map(|e| e.span().unwrap().line).collect();
        assert_eq!(lines, [1, 2, 4]);
        assert!(b.diagnostics.is_empty());
    }

    #[test]
    fn ndjson_bad_line_is_reported_and_the_rest_is_read() {
        let text = "{\"a\": 1}\n{\"a\": 2, oops}\n{\"a\": 3}\n{\"a\": 4\n{\"a\": 5}\n";
        let b = parse_events(text);
        let got: Vec<&Value> = b.events.iter().filter_map(|e| e.get("a")).collect();
        assert_eq!(got, [&json!(1), &json!(3), &json!(5)]);
        assert_eq!(codes(&b), ["event-syntax", "event-syntax"]);
        assert_eq!(pos(&b.diagnostics[0]), (2, 10));
        // The unterminated object runs into the next line; the error is there.
        assert_eq!(pos(&b.diagnostics[1]), (5, 1));
        assert_eq!(b.format, EventFormat::JsonLines);
    }

    #[test]
    fn json_stream_of_pretty_objects() {
        let text = "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}{\"a\": 3}";
        let b = parse_events(text);
        assert_eq!(b.format, EventFormat::JsonStream);
        let spans: Vec<(u32, u32, u32, u32)> =
            b.events.iter().map(|e| e.span().unwrap()).map(|s| (s.line, s.col, s.end_line, s.end_col)).collect();
        assert_eq!(spans, [(1, 1, 3, 2), (4, 1, 6, 2), (6, 2, 6, 10)]);
    }

    #[test]
    fn json_syntax_error_positions() {
        let b = parse_events("{\"a\": 1,\n  \"b\": x}");
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(pos(&b.diagnostics[0]), (2, 8));
        assert!(!b.diagnostics[0].message.contains("at line"), "{}", b.diagnostics[0].message);
        // Columns count chars, not bytes.
        let b = parse_events("{\"é日\": \"🎉\", x}");
        assert_eq!(pos(&b.diagnostics[0]), (1, 13));
        // EOF points at the end.
        let b = parse_events("{\"a\": [1,\n2");
        assert_eq!(pos(&b.diagnostics[0]), (2, 2));
        // Array driver errors, and the elements before them are kept.
        let b = parse_events("[{\"a\": 1}, {\"a\": 2},]");
        assert_eq!(b.events.len(), 2);
        assert_eq!(pos(&b.diagnostics[0]), (1, 21));
        assert!(b.diagnostics[0].message.contains("trailing comma"));
        let b = parse_events("[{\"a\": 1} {\"a\": 2}]");
        assert_eq!(b.events.len(), 1);
        assert_eq!(pos(&b.diagnostics[0]), (1, 11));
        let b = parse_events("[{\"a\": 1},\n {\"a\": ");
        assert_eq!(b.events.len(), 1);
        assert_eq!(pos(&b.diagnostics[0]), (2, 8));
    }

    #[test]
    fn positions_are_stripped_from_messages() {
        assert_eq!(strip_position("expected value at line 1 column 7"), "expected value");
        assert_eq!(
            strip_position(
                "did not find expected ',' at line 6 column 1, while parsing a flow sequence at line 5 column 4"
            ),
            "did not find expected ',', while parsing a flow sequence"
        );
        assert_eq!(strip_position("bad at position 12"), "bad");
        assert_eq!(strip_position("look at line x"), "look at line x");
        assert_eq!(strip_position("a at "), "a at ");
    }

    #[test]
    fn many_errors_stop_early() {
        let text = "{x}\n".repeat(1000);
        let b = parse_events(&text);
        assert_eq!(b.diagnostics.iter().filter(|d| d.is_error()).count(), MAX_SYNTAX_ERRORS);
        let text = format!("[{}]", vec!["1"; 500].join(","));
        let b = parse_events(&text);
        assert_eq!(b.diagnostics.len(), MAX_SKIP_WARNINGS + 1);
        assert!(b.diagnostics.last().unwrap().message.contains("480 more"));
    }

    #[test]
    fn five_megabytes_of_ndjson() {
        let line = r#"{"EventID": 4688, "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami /all", "User": "CORP\\alice", "ProcessId": 4242, "Tags": ["a", "b"]}"#;
        let mut text = String::with_capacity(5 << 20);
        while text.len() < 5 << 20 {
            text.push_str(line);
            text.push('\n');
        }
        let t = Instant::now();
        let b = parse_events(&text);
        let took = t.elapsed();
        println!("5 MB NDJSON: {} events in {:?}", b.events.len(), took);
        assert_eq!(b.format, EventFormat::JsonLines);
        assert_eq!(b.events.len(), (5 << 20) / (line.len() + 1) + 1);
        assert!(b.diagnostics.is_empty());
        if !cfg!(debug_assertions) {
            assert!(took < Duration::from_millis(1000), "{took:?}");
        }
    }
}
