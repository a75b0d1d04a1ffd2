//! Checks of `re` values: a regular expression that is a plain string, maybe
//! anchored, is better written with a modifier (`regex-literal`); a leading or
//! trailing `.*` of an unanchored one does nothing (`regex-redundant-dotstar`).

use crate::base::diag::Span;
use crate::sigma::modifier::Modifier;
use crate::sigma::rule::DetectionItem;

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn regex_literal(&mut self, item: &DetectionItem, pattern: &str, span: Span) {
        if let Some(trimmed) = without_outer_dotstar(pattern) {
            self.fixable(Severity::Info, "regex-redundant-dotstar",
                format!("a regex matches anywhere in the value: the leading or trailing '.*' of '{}' does nothing (and slows some backends)", clip(pattern)),
                span,
                |src| fix(format!("write '{}'", clip(&trimmed)), true, [src.replace_scalar(span, &trimmed)]),
            );
        }
        let Some(lit) = plain_regex(pattern) else { return };
        let case_insensitive = lit.case_insensitive || item.has(Modifier::I);
        let modifier = match (lit.start, lit.end) {
            (true, true) => "",
            (true, false) => "|startswith",
            (false, true) => "|endswith",
            (false, false) => "|contains",
        };
        let cased = if case_insensitive { "" } else { "|cased" };
        let field = item.field.as_deref().unwrap_or("");
        let value = sigma_escape(&lit.text);
        let note = if case_insensitive {
            ""
        } else {
            "; 'cased' keeps it case-sensitive like the regex, drop it to ignore case"
        };
        self.info(
            "regex-literal",
            format!("this regular expression is a plain string: use '{field}{modifier}{cased}' with the value '{}' (simpler and faster{note})", clip(&value)),
            span,
        );
    }
}

/// `pattern` without a `.*` right at its start (after a flag group) and at its
/// end, when there is one: `.*` can match nothing, so in an unanchored search
/// the pattern matches the same values without it. `None` when there is none
/// to drop, or nothing would be left.
fn without_outer_dotstar(pattern: &str) -> Option<String> {
    let (flags, body) = match pattern.strip_prefix("(?") {
        Some(r) => {
            let close = r.find(')')?;
            let f = r.get(..close)?;
            if f.is_empty() || !f.chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            pattern.split_at(close + 3)
        }
        None => ("", pattern),
    };
    let mut body = body;
    let mut changed = false;
    // A quantifier after `.*` (`.*?`, `.*+`) is another construct.
    if let Some(rest) = body.strip_prefix(".*").filter(|r| !r.starts_with(['?', '+', '*', '{'])) {
        body = rest;
        changed = true;
    }
    if let Some(rest) = body.strip_suffix(".*") {
        // The `.` must not be escaped: count the backslashes before it.
        let slashes = rest.chars().rev().take_while(|c| *c == '\\').count();
        if slashes % 2 == 0 {
            body = rest;
            changed = true;
        }
    }
    (changed && !body.is_empty() && !body.ends_with('|') && !body.starts_with(['|', '?', '+', '*', '{']))
        .then(|| format!("{flags}{body}"))
}

/// A regex that is a plain string, maybe anchored.
struct PlainRegex {
    text: String,
    start: bool,
    end: bool,
    case_insensitive: bool,
}

/// `pattern` read as a plain string when it is one: no metacharacters but a
/// leading `(?i)`/`(?s)` flag group, `^`, a final `$` and escaped punctuation.
fn plain_regex(pattern: &str) -> Option<PlainRegex> {
    let mut rest = pattern;
    let mut case_insensitive = false;
    if let Some(r) = rest.strip_prefix("(?") {
        let close = r.find(')')?;
        let flags = r.get(..close)?;
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'i' | 's')) {
            return None; // m changes the anchors, '-' or ':' groups are more than flags
        }
        case_insensitive = flags.contains('i');
        rest = r.get(close + 1..)?;
    }
    let start = rest.starts_with('^');
    if start {
        rest = rest.get(1..)?;
    }
    let mut text = String::new();
    let mut end = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next()?;
                if n.is_ascii_alphanumeric() || n.is_whitespace() || !n.is_ascii() {
                    return None; // \d, \w, \b, \n, \x41 ... are not plain characters
                }
                text.push(n);
            }
            '$' if chars.peek().is_none() => end = true,
            '.' | '[' | ']' | '(' | ')' | '{' | '}' | '*' | '+' | '?' | '|' | '^' | '$' => return None,
            _ => text.push(c),
        }
    }
    (!text.is_empty()).then_some(PlainRegex { text, start, end, case_insensitive })
}

/// Escape a plain string as a Sigma value (wildcards and the backslashes before them).
fn sigma_escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        match c {
            '*' | '?' => {
                out.push('\\');
                out.push(*c);
            }
            '\\' => {
                out.push('\\');
                if matches!(chars.get(i + 1), Some('*' | '?' | '\\')) {
                    out.push('\\');
                }
            }
            _ => out.push(*c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{one, with};
    use super::*;

    #[test]
    fn dotstar() {
        let d = one(
            "CommandLine|contains:\n            - ' /all'\n            - ' /priv'",
            "CommandLine|re: '.*whoami.*'",
            "regex-redundant-dotstar",
        );
        assert!(d.message.contains(".*whoami.*"));
        let w = without_outer_dotstar;
        assert_eq!(w(".*a.*").as_deref(), Some("a"));
        assert_eq!(w("(?i).*a\\\\.*").as_deref(), Some("(?i)a\\\\"));
        for p in ["^.*a", "a.*$", "a\\.*", ".*?a", ".*", "a|.*", "(?i)", ".*", ".**"] {
            assert_eq!(w(p), None, "{p}");
        }
        assert!(with(
            "CommandLine|contains:\n            - ' /all'\n            - ' /priv'",
            "CommandLine|re: '^.*whoami'",
            "regex-redundant-dotstar"
        )
        .is_empty());
    }

    #[test]
    fn regexes() {
        let d = with("CommandLine|contains:", "CommandLine|re:", "regex-literal");
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("'CommandLine|contains|cased' with the value ' /all'"), "{}", d[0].message);
        let d = one(
            "CommandLine|contains:\n            - ' /all'\n            - ' /priv'",
            "CommandLine|re|i: '^C:\\\\Windows\\\\'",
            "regex-literal",
        );
        assert!(d.message.contains("'CommandLine|startswith' with the value 'C:\\Windows\\'"), "{}", d.message);
        let r = |p: &str| plain_regex(p).map(|x| (x.text, x.start, x.end, x.case_insensitive));
        assert_eq!(r("^cmd\\.exe$"), Some(("cmd.exe".into(), true, true, false)));
        assert_eq!(r("(?i)\\\\temp\\\\"), Some(("\\temp\\".into(), false, false, true)));
        assert_eq!(r("abc$"), Some(("abc".into(), false, true, false)));
        for p in ["a.c", "\\d+", "a|b", "(?m)^a$", "[ab]", "a{2}", "", "(?i)", "(?", "\\", "^$"] {
            assert_eq!(r(p), None, "{p}");
        }
        assert_eq!(sigma_escape("a*b\\*c\\d"), "a\\*b\\\\\\*c\\d");
    }
}
