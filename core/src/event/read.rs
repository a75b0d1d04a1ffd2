//! Pasted text to an [`EventBatch`]: choosing JSON or YAML (falling back to
//! YAML for flow syntax), and collecting events and diagnostics under the
//! limits the module docs list. `json_reader.rs` and `yaml_reader.rs` read
//! the text itself.

use crate::base::diag::{Diagnostic, Span};
use crate::base::text::LineIndex;

use super::node::Node;
use super::{Event, EventBatch, EventFormat};

/// Nesting serde_json accepts (its limit of 128 counts the level that fails);
/// repeated here for messages.
pub(super) const MAX_DEPTH: usize = 127;
/// Stop listing skipped non-object items after this many warnings.
pub(super) const MAX_SKIP_WARNINGS: usize = 20;
/// Falling back from broken JSON to YAML re-reads the text; not worth it for
/// large pastes, which are machine-made JSON anyway.
const MAX_YAML_FALLBACK_BYTES: usize = 1 << 20;

/// Reads pasted text into events; see the module docs for formats and limits.
pub fn parse_events(text: &str) -> EventBatch {
    let body_start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = text.get(body_start..).unwrap_or("");
    let Some(first) = body.char_indices().find(|(_, c)| !c.is_whitespace()) else {
        return EventBatch { events: Vec::new(), format: EventFormat::Empty, diagnostics: Vec::new() };
    };
    let index = LineIndex::new(text);
    let is_json =
        matches!(first.1, '{' | '[') && body.get(..first.0).is_some_and(|ws| ws.bytes().all(is_json_whitespace));
    if !is_json {
        return Reader::new(text, &index).read_yaml(body_start);
    }
    let mut json = Reader::new(text, &index);
    let format = json.read_json(body_start + first.0);
    let json_batch = json.finish(format);
    if json_batch.events.is_empty() && json.first_value_failed && body.len() <= MAX_YAML_FALLBACK_BYTES {
        let yaml = Reader::new(text, &index).read_yaml(body_start);
        if !yaml.events.is_empty() && !crate::base::diag::has_errors(&yaml.diagnostics) {
            let mut diagnostics: Vec<Diagnostic> = json_batch
                .diagnostics
                .into_iter()
                .filter(|d| d.code == "event-syntax")
                .take(1)
                .map(|d| {
                    Diagnostic::warning(
                        "event-syntax",
                        format!("{}; read as YAML instead (YAML flow syntax allows unquoted keys)", d.message),
                        d.span,
                    )
                })
                .collect();
            diagnostics.extend(yaml.diagnostics);
            return EventBatch { events: yaml.events, format: EventFormat::Yaml, diagnostics };
        }
    }
    json_batch
}

/// Accumulates events and diagnostics for one parse.
pub(super) struct Reader<'t> {
    /// The whole paste, a BOM included, so offsets match the line index.
    pub(super) text: &'t str,
    pub(super) index: &'t LineIndex,
    events: Vec<Event>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Items skipped for not being objects; only the first few get a warning.
    skipped: usize,
    /// The first JSON value did not parse: maybe the text is YAML flow syntax.
    pub(super) first_value_failed: bool,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str, index: &'t LineIndex) -> Self {
        Reader { text, index, events: Vec::new(), diagnostics: Vec::new(), skipped: 0, first_value_failed: false }
    }

    /// The batch so far, with a last count of skipped items beyond the warnings.
    pub(super) fn finish(&mut self, format: EventFormat) -> EventBatch {
        if self.skipped > MAX_SKIP_WARNINGS {
            self.diagnostics.push(Diagnostic::warning(
                "event-not-object",
                format!("{} more items that are not objects were skipped", self.skipped - MAX_SKIP_WARNINGS),
                None,
            ));
        }
        EventBatch {
            events: std::mem::take(&mut self.events),
            format,
            diagnostics: std::mem::take(&mut self.diagnostics),
        }
    }

    /// An object is an event; anything else is skipped with a warning that
    /// names it as `what`.
    pub(super) fn push(&mut self, node: Node, span: Span, what: &str) {
        if let Node::Obj(_) = node {
            self.events.push(Event::from_node(node, Some(span)));
            return;
        }
        self.skipped += 1;
        if self.skipped <= MAX_SKIP_WARNINGS {
            self.diagnostics.push(Diagnostic::warning(
                "event-not-object",
                format!("skipped a {} ({}): an event must be an object of fields", what, node.type_name()),
                Some(span),
            ));
        }
    }
}

/// The four bytes JSON counts as white space (Unicode white space is not).
pub(super) fn is_json_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::super::tests::{codes, names, pos, read_regression};
    use super::super::EventShape;
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    #[test]
    fn flat_object_keeps_input_order_and_span() {
        let b = parse_events("\n  {\"Image\": \"C:\\\\a.exe\", \"CommandLine\": \"a -x\", \"EventID\": 1}\n");
        assert_eq!(b.format, EventFormat::JsonObject);
        assert!(b.diagnostics.is_empty());
        let e = &b.events[0];
        assert_eq!(e.shape(), EventShape::Flat);
        assert_eq!(names(e), ["Image", "CommandLine", "EventID"]);
        assert_eq!(e.get("Image"), Some(&json!("C:\\a.exe")));
        assert_eq!(e.get("EventID"), Some(&json!(1)));
        assert_eq!(e.get("image"), None, "field names are case-sensitive");
        let s = e.span().unwrap();
        assert_eq!((s.line, s.col, s.end_line), (2, 3, 2));
        assert_eq!(e.original()["CommandLine"], json!("a -x"));
    }

    #[test]
    fn yaml_flow_that_is_not_json_falls_back_with_a_warning() {
        let b = parse_events("{EventID: 4688, Image: 'C:\\x.exe'}");
        assert_eq!(b.format, EventFormat::Yaml);
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].get("EventID"), Some(&json!(4688)));
        assert_eq!(codes(&b), ["event-syntax"]);
        assert!(!b.diagnostics[0].is_error());
        // Broken JSON that is not YAML either keeps the JSON error.
        let b = parse_events("{\"a\": 1 \"b\": 2}");
        assert!(b.events.is_empty());
        assert_eq!(codes(&b), ["event-syntax"]);
        assert!(b.diagnostics[0].is_error());
        assert_eq!(pos(&b.diagnostics[0]), (1, 9));
    }

    #[test]
    fn empty_inputs() {
        for t in ["", "   \n\t\r\n", "\u{feff}", "\u{feff}  \n"] {
            let b = parse_events(t);
            assert_eq!(b.format, EventFormat::Empty, "{t:?}");
            assert!(b.events.is_empty() && b.diagnostics.is_empty());
        }
    }

    #[test]
    fn bom_is_skipped_and_positions_count_it_as_a_char() {
        let b = parse_events("\u{feff}{\"a\": 1}\n{\"a\": x}");
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].span().map(|s| (s.line, s.col)), Some((1, 2)));
        assert_eq!(pos(&b.diagnostics[0]), (2, 7));
        let b = parse_events("\u{feff}a: 1\nb: [\n");
        assert_eq!(b.format, EventFormat::Yaml);
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(b.diagnostics[0].line(), 3);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let n = 10_000;
        let cases = [
            ("[".repeat(n) + &"]".repeat(n), "event-too-deep"),
            ("{\"a\":".repeat(n) + "1" + &"}".repeat(n), "event-too-deep"),
            (format!("{{\"ok\": 1}}\n{}", "[".repeat(n)), "event-too-deep"),
            (format!("x: {}{}", "[".repeat(n), "]".repeat(n)), ""),
            (format!("x: {}1{}", "{a: ".repeat(n), "}".repeat(n)), ""),
        ];
        for (text, code) in cases {
            let t = Instant::now();
            let b = parse_events(&text);
            assert!(t.elapsed() < Duration::from_secs(5));
            let d = b.diagnostics.iter().find(|d| d.is_error()).expect("an error");
            if !code.is_empty() {
                assert_eq!(d.code, code, "{}", d.message);
            }
            assert!(d.span.is_some());
        }
        let b = parse_events(&("[".repeat(200) + &"]".repeat(200)));
        assert_eq!(b.diagnostics[0].code, "event-too-deep");
        // The top-level array is ours; serde refuses the element's 128th level.
        assert_eq!(pos(&b.diagnostics[0]), (1, 129));
    }

    #[test]
    fn five_megabytes_of_evtx_stream_and_yaml() {
        let one_evtx = read_regression(
            "rules/windows/process_creation/proc_creation_win_dtrace_kernel_dump/7124aebe-4cd7-4ccb-8df0-6d6b93c96795.json",
        );
        let text = one_evtx.repeat((5 << 20) / one_evtx.len() + 1);
        let t = Instant::now();
        let b = parse_events(&text);
        let took = t.elapsed();
        println!("5 MB evtx stream: {} events in {took:?}", b.events.len());
        assert_eq!(b.format, EventFormat::JsonStream);
        assert!(b.diagnostics.is_empty());
        let doc =
            "EventID: 4688\nImage: C:\\Windows\\System32\\cmd.exe\nCommandLine: cmd.exe /c whoami\nTags: [a, b]\n---\n";
        let yaml = doc.repeat((5 << 20) / doc.len() + 1);
        let t = Instant::now();
        let y = parse_events(&yaml);
        let took_yaml = t.elapsed();
        println!("5 MB YAML: {} events in {took_yaml:?}", y.events.len());
        assert_eq!(y.events.len(), (5 << 20) / doc.len() + 1);
        assert!(y.diagnostics.is_empty());
        if !cfg!(debug_assertions) {
            assert!(took < Duration::from_millis(1000), "{took:?}");
        }
    }

    #[test]
    fn invalid_utf8_then_parse() {
        let bytes = b"{\"Product\": \"Microsoft\xAE Windows\"}";
        let d = crate::base::text::decode_utf8(bytes).err().unwrap();
        assert_eq!((d.line(), d.col()), (1, 23));
        let lossy = String::from_utf8_lossy(bytes);
        assert_eq!(parse_events(&lossy).events.len(), 1);
    }
}
