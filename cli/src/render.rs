//! Text output: one line per diagnostic, one line per (rule, event) result.

use serde_json::Value;
use sigmaplay_core::api::{DiagnosticView, EventResult};
use sigmaplay_core::engine::matcher::{ItemOutcome, SearchOutcome};
use sigmaplay_core::Severity;

/// Longest event value shown, in chars; longer ones end in `…`.
const MAX_ACTUAL: usize = 120;
/// Rule values listed for an item with several values before `+N more`.
const MAX_VALUES: usize = 3;

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
    let items: Vec<String> =
        s.items.iter().map(|i| item_text(i, i.matched_value.as_deref().map(|v| source_value(i, v)))).collect();
    format!("{}: {}", s.name, items.join(", "))
}

fn failed_search(s: &SearchOutcome) -> String {
    match s.items.first() {
        Some(i) => format!("{}: {} failed{}", s.name, item_text_core(i, None), actual_text(i)),
        None => format!("{}: failed", s.name),
    }
}

/// The rule value as written that produced the deciding pattern: the core
/// reports the compiled pattern (`*.exe` for `endswith: .exe`); show what the
/// author wrote when it can be recognised, else the pattern.
fn source_value<'a>(i: &'a ItemOutcome, decided: &'a str) -> &'a str {
    let strip = |d: &'a str| d.strip_prefix('*').unwrap_or(d);
    let candidates = [
        decided,
        strip(decided),
        decided.strip_suffix('*').unwrap_or(decided),
        strip(decided).strip_suffix('*').unwrap_or(decided),
    ];
    i.values.iter().find(|v| candidates.contains(&v.as_str())).map_or(decided, String::as_str)
}

fn item_text(i: &ItemOutcome, decided_by: Option<&str>) -> String {
    format!("{}{}", item_text_core(i, decided_by), actual_text(i))
}

/// `Field mod|mod 'value'` (`keyword 'value'` for keywords, `=` without modifiers).
fn item_text_core(i: &ItemOutcome, decided_by: Option<&str>) -> String {
    let field = i.field.as_deref().map_or_else(|| "keyword".to_string(), |f| one_line(f, MAX_ACTUAL));
    let op = match (i.modifiers.is_empty(), i.field.is_some()) {
        (false, _) => format!(" {}", i.modifiers.join("|")),
        (true, true) => " =".to_string(),
        (true, false) => String::new(),
    };
    let value = match decided_by {
        Some(v) => quote(v),
        None => values_text(&i.values, i.modifiers.iter().any(|m| m == "all")),
    };
    format!("{field}{op} {value}")
}

fn values_text(values: &[String], all: bool) -> String {
    match values {
        [] => "(no value)".to_string(),
        [v] => quote(v),
        _ => {
            let mut shown: Vec<String> = values.iter().take(MAX_VALUES).map(|v| quote(v)).collect();
            if values.len() > MAX_VALUES {
                shown.push(format!("+{} more", values.len() - MAX_VALUES));
            }
            format!("{} of [{}]", if all { "all" } else { "any" }, shown.join(", "))
        }
    }
}

fn actual_text(i: &ItemOutcome) -> String {
    if i.field.is_none() {
        return String::new();
    }
    match &i.actual {
        None => " (field absent)".to_string(),
        Some(Value::String(s)) => format!(" (actual: \"{}\")", one_line(s, MAX_ACTUAL)),
        Some(v) => format!(" (actual: {})", one_line(&v.to_string(), MAX_ACTUAL)),
    }
}

fn quote(v: &str) -> String {
    format!("'{}'", one_line(v, MAX_ACTUAL))
}

/// Keep a result on one line: control characters escaped, long text cut.
fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_escapes_and_cuts() {
        assert_eq!(one_line("a\nb\u{1}", 10), "a\\nb\\u{1}");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }

    #[test]
    fn value_lists() {
        assert_eq!(values_text(&["a".into()], false), "'a'");
        let many: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert_eq!(values_text(&many, true), "all of ['0', '1', '2', +2 more]");
    }
}
