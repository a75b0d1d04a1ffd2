//! Text output: one line per diagnostic, one line per (rule, event) result.

use sigmaplay_core::api::explain::{item_words, one_line, ItemWords};
use sigmaplay_core::api::{DiagnosticView, EventResult};
use sigmaplay_core::engine::matcher::SearchOutcome;
use sigmaplay_core::Severity;

/// `path:line:col: severity[code]: message` (`path: ...` without a position).
pub fn diagnostic_line(path: &str, d: &DiagnosticView) -> String {
    let at = if d.line == 0 { String::new() } else { format!(":{}:{}", d.line, d.col) };
    format!("{path}{at}: {}[{}]: {}", Severity::name(d.severity), d.code, one_line(&d.message, usize::MAX))
}

/// `#0 MATCH  selection: Image endswith '\cmd.exe' (actual: "C:\Windows\cmd.exe")`
/// or `#1 no match  selection: CommandLine contains '/c' failed (actual: "dir")`.
pub fn result_line(r: &EventResult) -> String {
    let e = &r.explanation;
    let detail = if let Some(filter) = &e.suppressed_by {
        format!("suppressed by filter '{filter}'")
    } else if r.matched {
        let held: Vec<String> = e.searches.iter().filter(|s| s.matched).map(held_search).collect();
        if held.is_empty() {
            e.summary.clone()
        } else {
            held.join("; ")
        }
    } else {
        let mut parts: Vec<String> = e.searches.iter().filter(|s| !s.matched).map(failed_search).collect();
        let held: Vec<&str> = e.searches.iter().filter(|s| s.matched).map(|s| s.name.as_str()).collect();
        if !held.is_empty() {
            parts.push(format!("held: {}", held.join(", ")));
        }
        if parts.is_empty() {
            e.summary.clone()
        } else {
            parts.join("; ")
        }
    };
    let verdict = if r.matched { "MATCH" } else { "no match" };
    format!("#{} {verdict}  {detail}", r.index)
}

fn held_search(s: &SearchOutcome) -> String {
    let items: Vec<String> = s.items.iter().map(|i| item_text(&item_words(i), true)).collect();
    format!("{}: {}", s.name, items.join(", "))
}

fn failed_search(s: &SearchOutcome) -> String {
    match s.items.first() {
        Some(i) => {
            let w = item_words(i);
            format!("{}: {} failed{}", s.name, item_text_core(&w, false), actual_text(&w))
        }
        None => format!("{}: failed", s.name),
    }
}

fn item_text(w: &ItemWords, decided: bool) -> String {
    format!("{}{}", item_text_core(w, decided), actual_text(w))
}

/// `Field mod|mod 'value'` (`keyword 'value'` for keywords, `=` without modifiers).
fn item_text_core(w: &ItemWords, decided: bool) -> String {
    let op = match (w.modifiers.is_empty(), w.actual.is_some()) {
        (false, _) => format!(" {}", w.modifiers),
        (true, true) => " =".to_string(),
        (true, false) => String::new(),
    };
    let value = match (&w.decided_by, decided) {
        (Some(v), true) => v,
        _ => &w.expects,
    };
    format!("{}{op} {value}", w.field)
}

fn actual_text(w: &ItemWords) -> String {
    match w.actual.as_deref() {
        None => String::new(),
        Some("absent") => " (field absent)".to_string(),
        Some(v) => format!(" (actual: {v})"),
    }
}
