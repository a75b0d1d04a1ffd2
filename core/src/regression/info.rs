//! `info.yml`: read with positions and diagnostics, and written back in the
//! shape SigmaHQ's files have (four-space indents, keys in their order).

use serde::Serialize;

use crate::base::diag::{Diagnostic, Span, Spanned};
use crate::sigma::yaml::{parse_stream, Node, Value};

/// The test types SigmaHQ's runner knows; any other fails there.
pub const TEST_TYPES: &[&str] = &["evtx", "json", "ndjson", "jsonl"];

/// The name SigmaHQ's runner gives a test without one.
pub const UNNAMED_TEST: &str = "Unnamed Test";

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RegressionInfo {
    pub id: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub author: Option<Spanned<String>>,
    pub rule_metadata: Vec<RuleMetadata>,
    pub tests: Vec<RegressionTest>,
}

impl RegressionInfo {
    /// The rule id the runner compares with the rule's: the last entry's.
    pub fn rule_id(&self) -> Option<&Spanned<String>> {
        self.rule_metadata.iter().rev().find_map(|m| m.id.as_ref())
    }

    pub fn rule_title(&self) -> Option<&str> {
        self.rule_metadata.iter().rev().find_map(|m| m.title.as_ref()).map(|t| t.value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleMetadata {
    pub id: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
}

/// One entry of `regression_tests_info`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionTest {
    pub name: String,
    /// `type`; empty when absent (the runner then calls it "unknown" and fails it).
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: String,
    pub match_count: Option<u64>,
    /// As written: relative to the repository root.
    pub path: Option<Spanned<String>>,
    pub span: Span,
}

impl RegressionTest {
    pub fn is_known_type(&self) -> bool {
        TEST_TYPES.contains(&self.kind.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedInfo {
    pub info: RegressionInfo,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedInfo {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Whether `text` is an `info.yml` (a mapping with `regression_tests_info` or
/// `rule_metadata`), as opposed to a rule or events.
pub fn looks_like_info(text: &str) -> bool {
    let stream = parse_stream(text);
    stream
        .documents
        .first()
        .is_some_and(|d| d.root.get("regression_tests_info").or(d.root.get("rule_metadata")).is_some())
}

pub fn parse_info(text: &str) -> ParsedInfo {
    let stream = parse_stream(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut diagnostics = stream.diagnostics;
    let mut info = RegressionInfo::default();
    let Some(root) = stream.documents.first().map(|d| &d.root) else {
        if diagnostics.is_empty() {
            diagnostics.push(Diagnostic::error("regression-empty", "info.yml is empty", None));
        }
        return ParsedInfo { info, diagnostics };
    };
    if root.as_map().is_none() {
        diagnostics.push(Diagnostic::error(
            "regression-shape",
            format!("info.yml should be a mapping, not a {}", root.kind_name()),
            Some(root.span),
        ));
        return ParsedInfo { info, diagnostics };
    }
    info.id = text_field(root, "id", &mut diagnostics);
    info.description = text_field(root, "description", &mut diagnostics);
    info.date = text_field(root, "date", &mut diagnostics);
    info.author = text_field(root, "author", &mut diagnostics);
    for entry in list_field(root, "rule_metadata", &mut diagnostics) {
        if entry.as_map().is_none() {
            diagnostics.push(not_a_mapping("rule_metadata", entry));
            continue;
        }
        let id = text_field(entry, "id", &mut diagnostics);
        let title = text_field(entry, "title", &mut diagnostics);
        info.rule_metadata.push(RuleMetadata { id, title });
    }
    if info.rule_metadata.iter().all(|m| m.id.is_none()) {
        diagnostics.push(Diagnostic::error(
            "regression-rule-id",
            "info.yml names no rule: `rule_metadata` needs an entry with the rule's `id`",
            Some(root.span),
        ));
    }
    match root.get("regression_tests_info") {
        None => diagnostics.push(Diagnostic::error(
            "regression-no-tests",
            "info.yml has no `regression_tests_info`: there is nothing to run",
            Some(root.span),
        )),
        Some(_) => {
            for entry in list_field(root, "regression_tests_info", &mut diagnostics) {
                if let Some(test) = read_test(entry, &mut diagnostics) {
                    info.tests.push(test);
                }
            }
        }
    }
    ParsedInfo { info, diagnostics }
}

fn read_test(entry: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<RegressionTest> {
    if entry.as_map().is_none() {
        // The runner skips entries that are not mappings.
        diagnostics.push(not_a_mapping("regression_tests_info", entry));
        return None;
    }
    let name = text_field(entry, "name", diagnostics).map_or_else(|| UNNAMED_TEST.to_string(), |n| n.value);
    let kind_node = text_field(entry, "type", diagnostics);
    let kind = kind_node.as_ref().map(|k| k.value.clone()).unwrap_or_default();
    if !TEST_TYPES.contains(&kind.as_str()) {
        let span = kind_node.as_ref().map_or(entry.span, |k| k.span);
        let shown = if kind.is_empty() { "no `type`".to_string() } else { format!("type `{kind}`") };
        diagnostics.push(Diagnostic::error(
            "regression-type",
            format!("{shown}: SigmaHQ's runner runs only {} tests and fails the others", TEST_TYPES.join(", ")),
            Some(span),
        ));
    }
    let provider = text_field(entry, "provider", diagnostics).map(|p| p.value).unwrap_or_default();
    let match_count = match entry.get("match_count") {
        None => None,
        Some(Node { value: Value::Null, .. }) => None,
        Some(n) => match n.value {
            Value::Int(i) if i >= 0 => Some(i as u64),
            _ => {
                diagnostics.push(Diagnostic::error(
                    "regression-match-count",
                    format!("`match_count` should be a whole number of events, not `{}`", n.text),
                    Some(n.span),
                ));
                None
            }
        },
    };
    let path = text_field(entry, "path", diagnostics);
    if path.as_ref().is_none_or(|p| p.value.trim().is_empty()) {
        diagnostics.push(Diagnostic::error(
            "regression-path",
            "this test has no `path` to its events",
            Some(entry.span),
        ));
    }
    Some(RegressionTest { name, kind, provider, match_count, path, span: entry.span })
}

fn not_a_mapping(list: &str, node: &Node) -> Diagnostic {
    Diagnostic::error(
        "regression-shape",
        format!("an entry of `{list}` should be a mapping, not a {}", node.kind_name()),
        Some(node.span),
    )
}

/// A scalar field as text (numbers and dates as written); a warning when it
/// is a list or mapping.
fn text_field(node: &Node, key: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<Spanned<String>> {
    let v = node.get(key)?;
    match v.scalar_text() {
        Some(text) => Some(Spanned { value: text, span: v.span }),
        None if matches!(v.value, Value::Null) => None,
        None => {
            diagnostics.push(Diagnostic::error(
                "regression-shape",
                format!("`{key}` should be a single value, not a {}", v.kind_name()),
                Some(v.span),
            ));
            None
        }
    }
}

fn list_field<'a>(node: &'a Node, key: &str, diagnostics: &mut Vec<Diagnostic>) -> &'a [Node] {
    let Some(v) = node.get(key) else { return &[] };
    match &v.value {
        Value::Seq(items) => items,
        Value::Null => &[],
        _ => {
            diagnostics.push(Diagnostic::error(
                "regression-shape",
                format!("`{key}` should be a list, not a {}", v.kind_name()),
                Some(v.span),
            ));
            &[]
        }
    }
}

/// What [`render_info`] writes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInfo {
    pub id: String,
    pub description: String,
    pub date: String,
    pub author: String,
    pub rule_id: String,
    pub rule_title: String,
    pub tests: Vec<NewTest>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTest {
    pub name: String,
    pub kind: String,
    pub provider: String,
    pub match_count: Option<u64>,
    pub path: String,
}

/// `info.yml` text in SigmaHQ's shape.
pub fn render_info(info: &NewInfo) -> String {
    let mut out = String::new();
    line(&mut out, "", "id", &info.id);
    line(&mut out, "", "description", &info.description);
    line(&mut out, "", "date", &info.date);
    line(&mut out, "", "author", &info.author);
    out.push_str("rule_metadata:\n");
    line(&mut out, "    - ", "id", &info.rule_id);
    line(&mut out, "      ", "title", &info.rule_title);
    out.push_str("regression_tests_info:\n");
    for t in &info.tests {
        line(&mut out, "    - ", "name", &t.name);
        line(&mut out, "      ", "type", &t.kind);
        line(&mut out, "      ", "provider", &t.provider);
        if let Some(n) = t.match_count {
            out.push_str(&format!("      match_count: {n}\n"));
        }
        line(&mut out, "      ", "path", &t.path);
    }
    out
}

fn line(out: &mut String, indent: &str, key: &str, value: &str) {
    out.push_str(indent);
    out.push_str(key);
    out.push_str(": ");
    out.push_str(&yaml_scalar(value));
    out.push('\n');
}

/// `text` as a YAML scalar that reads back as the same string: plain when
/// that is safe, else double-quoted with escapes. Dates stay plain (SigmaHQ
/// writes `date: 2025-10-24`; the reader takes them as text either way).
fn yaml_scalar(text: &str) -> String {
    if plain_is_safe(text) {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    if text.trim() != text || "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return false;
    }
    if text.chars().any(|c| c.is_control()) {
        return false;
    }
    // Plain text that YAML would read as another type, a date aside.
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | ".inf" | ".nan") {
        return false;
    }
    let is_date = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    is_date || !looks_numeric(text)
}

fn looks_numeric(text: &str) -> bool {
    let t = text.trim_start_matches(['+', '-']);
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | '_' | 'x' | 'o' | 'X' | 'O'))
        && t.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERTUTIL: &str = "id: ee435dcb-08cb-4de1-bb70-bdd27cf0dae9
description: N/A
date: 2025-10-24
author: SigmaHQ Team
rule_metadata:
    - id: 19b08b1c-861d-4e75-a1ef-ea0c1baf202b
      title: Suspicious Download Via Certutil.EXE
regression_tests_info:
    - name: Positive Detection Test
      type: evtx
      provider: Microsoft-Windows-Sysmon
      match_count: 1
      path: regression_data/rules/windows/process_creation/proc_creation_win_certutil_download/19b08b1c-861d-4e75-a1ef-ea0c1baf202b.evtx
";

    #[test]
    fn reads_sigmahq_info_with_positions() {
        let p = parse_info(CERTUTIL);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let i = &p.info;
        assert_eq!(i.rule_id().map(|s| s.value.as_str()), Some("19b08b1c-861d-4e75-a1ef-ea0c1baf202b"));
        assert_eq!(i.rule_title(), Some("Suspicious Download Via Certutil.EXE"));
        assert_eq!(i.date.as_ref().map(|d| d.value.as_str()), Some("2025-10-24"));
        assert_eq!(i.tests.len(), 1);
        let t = &i.tests[0];
        assert_eq!((t.name.as_str(), t.kind.as_str(), t.match_count), ("Positive Detection Test", "evtx", Some(1)));
        assert_eq!(t.provider, "Microsoft-Windows-Sysmon");
        let path = t.path.as_ref().unwrap();
        assert!(path.value.ends_with("19b08b1c-861d-4e75-a1ef-ea0c1baf202b.evtx"));
        assert_eq!((path.span.line, path.span.col), (13, 13));
    }

    #[test]
    fn renders_what_it_reads() {
        let p = parse_info(CERTUTIL).info;
        let t = &p.tests[0];
        let new = NewInfo {
            id: p.id.clone().unwrap().value,
            description: "N/A".into(),
            date: "2025-10-24".into(),
            author: "SigmaHQ Team".into(),
            rule_id: p.rule_id().unwrap().value.clone(),
            rule_title: p.rule_title().unwrap().into(),
            tests: vec![NewTest {
                name: t.name.clone(),
                kind: t.kind.clone(),
                provider: t.provider.clone(),
                match_count: t.match_count,
                path: t.path.clone().unwrap().value,
            }],
        };
        assert_eq!(render_info(&new), CERTUTIL);
    }

    #[test]
    fn awkward_values_round_trip() {
        for title in [
            "a: b",
            "- x",
            "'quoted'",
            "\"dq\"",
            "true",
            "12",
            "0x1F",
            "a #b",
            "line\nbreak",
            " pad",
            "",
            "ü: ä",
            "x\\y",
        ] {
            let new = NewInfo {
                id: "1".into(),
                description: title.into(),
                date: "2026-01-02".into(),
                author: title.into(),
                rule_id: "r".into(),
                rule_title: title.into(),
                tests: vec![NewTest {
                    name: title.into(),
                    kind: "evtx".into(),
                    provider: "p".into(),
                    match_count: Some(0),
                    path: "x.evtx".into(),
                }],
            };
            let back = parse_info(&render_info(&new));
            let errs: Vec<_> = back.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(errs.is_empty(), "{title:?}: {errs:?}");
            assert_eq!(back.info.rule_title(), Some(title), "{}", render_info(&new));
            assert_eq!(back.info.tests[0].name, title);
            assert_eq!(back.info.author.map(|a| a.value).unwrap_or_default(), title);
            assert_eq!(back.info.id.map(|a| a.value).as_deref(), Some("1"));
        }
    }

    #[test]
    fn problems_are_diagnostics_with_positions() {
        let p = parse_info("rule_metadata:\n    - title: x\nregression_tests_info:\n    - name: a\n      type: raw\n      match_count: two\n    - just text\n");
        let codes: Vec<_> = p.diagnostics.iter().map(|d| (d.code.as_str(), d.line())).collect();
        assert!(codes.contains(&("regression-rule-id", 1)), "{codes:?}");
        assert!(codes.contains(&("regression-type", 5)), "{codes:?}");
        assert!(codes.contains(&("regression-match-count", 6)), "{codes:?}");
        assert!(codes.contains(&("regression-path", 4)), "{codes:?}");
        assert!(codes.contains(&("regression-shape", 7)), "{codes:?}");
        assert_eq!(p.info.tests.len(), 1);
        for bad in ["", "[1, 2]", ": :", "regression_tests_info: 3", "a: [", "\u{feff}"] {
            let p = parse_info(bad);
            assert!(p.has_errors(), "{bad:?}");
        }
    }
}
