//! An explanation in words: what each item of a search expected, which rule
//! value decided it, and what the event held. The CLI prints these pieces on
//! one line and the web app lays them out in a list; both take them from here
//! so that they say the same thing.

use serde_json::Value;

use crate::engine::matcher::ItemOutcome;

/// Longest event or rule value shown, in chars; longer ones end in `…`.
pub const MAX_VALUE_CHARS: usize = 120;
/// Rule values listed for an item with several values before `+N more`.
pub const MAX_VALUES: usize = 3;

/// The words for one detection item of an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemWords {
    /// The field as written, or `keyword` for a keyword search.
    pub field: String,
    /// The modifiers joined with `|` (`contains|all`), empty when there are none.
    pub modifiers: String,
    /// The rule's values: `'x'`, or `any of ['a', 'b', +2 more]` (`all of` with `|all`).
    pub expects: String,
    /// For a match, the rule value that decided it, quoted as the author wrote it.
    pub decided_by: Option<String>,
    /// The event's value (`"text"` or JSON), `absent`, or `None` for a keyword.
    pub actual: Option<String>,
}

impl ItemWords {
    /// `Image|endswith`, or `keyword`.
    pub fn key(&self) -> String {
        if self.modifiers.is_empty() {
            self.field.clone()
        } else {
            format!("{}|{}", self.field, self.modifiers)
        }
    }
}

pub fn item_words(item: &ItemOutcome) -> ItemWords {
    let all = item.modifiers.iter().any(|m| m == "all");
    ItemWords {
        field: item.field.as_deref().map_or_else(|| "keyword".to_string(), |f| one_line(f, MAX_VALUE_CHARS)),
        modifiers: item.modifiers.join("|"),
        expects: values_text(&item.values, all),
        decided_by: item.matched_value.as_deref().filter(|_| item.matched).map(|v| quote(value_as_written(item, v))),
        actual: item.field.as_ref().map(|_| match &item.actual {
            None => "absent".to_string(),
            Some(v) => value_text(v, MAX_VALUE_CHARS),
        }),
    }
}

/// The rule value as written that produced the deciding pattern: the matcher
/// reports the compiled pattern (`*.exe` for `endswith: .exe`); the author
/// recognises their own value, so show that when it can be found.
fn value_as_written<'a>(item: &'a ItemOutcome, decided: &'a str) -> &'a str {
    let strip = |d: &'a str| d.strip_prefix('*').unwrap_or(d);
    let candidates = [
        decided,
        strip(decided),
        decided.strip_suffix('*').unwrap_or(decided),
        strip(decided).strip_suffix('*').unwrap_or(decided),
    ];
    item.values.iter().find(|v| candidates.contains(&v.as_str())).map_or(decided, String::as_str)
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

/// An event value on one line: a string in double quotes, anything else as JSON.
pub fn value_text(v: &Value, max_chars: usize) -> String {
    match v {
        Value::String(s) => format!("\"{}\"", one_line(s, max_chars)),
        other => one_line(&other.to_string(), max_chars),
    }
}

fn quote(v: &str) -> String {
    format!("'{}'", one_line(v, MAX_VALUE_CHARS))
}

/// Text kept on one line: control characters escaped, cut after `max` chars with `…`.
pub fn one_line(s: &str, max: usize) -> String {
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
    use crate::base::diag::Span;

    fn item(values: &[&str], mods: &[&str], matched: Option<&str>, actual: Option<Value>) -> ItemOutcome {
        ItemOutcome {
            field: Some("Image".into()),
            modifiers: mods.iter().map(|m| m.to_string()).collect(),
            values: values.iter().map(|v| v.to_string()).collect(),
            matched_value: matched.map(str::to_string),
            matched: matched.is_some(),
            actual,
            span: Span::default(),
            value_span: Span::default(),
        }
    }

    #[test]
    fn a_match_names_the_value_as_written() {
        let w = item_words(&item(
            &["\\cmd.exe", "\\pwsh.exe"],
            &["endswith"],
            Some("*\\cmd.exe"),
            Some("C:\\cmd.exe".into()),
        ));
        assert_eq!(w.key(), "Image|endswith");
        assert_eq!(w.decided_by.as_deref(), Some("'\\cmd.exe'"));
        assert_eq!(w.expects, "any of ['\\cmd.exe', '\\pwsh.exe']");
        assert_eq!(w.actual.as_deref(), Some("\"C:\\cmd.exe\""));
    }

    #[test]
    fn a_miss_lists_bounded_values_and_an_absent_field() {
        let w = item_words(&item(&["a", "b", "c", "d", "e"], &["contains", "all"], None, None));
        assert_eq!(w.expects, "all of ['a', 'b', 'c', +2 more]");
        assert_eq!(w.decided_by, None);
        assert_eq!(w.actual.as_deref(), Some("absent"));
        let mut k = item(&["x"], &[], None, None);
        k.field = None;
        let w = item_words(&k);
        assert_eq!((w.key().as_str(), w.actual), ("keyword", None));
    }

    #[test]
    fn one_line_escapes_and_cuts() {
        assert_eq!(one_line("a\nb\tc\u{1}", 100), "a\\nb\\tc\\u{1}");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(value_text(&Value::from(5), 10), "5");
    }
}
