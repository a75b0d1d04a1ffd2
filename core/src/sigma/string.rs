//! Sigma string values: literal text mixed with `*` and `?` wildcards.
//!
//! Escaping follows the spec (sigma-rules-specification.md, "Escape Character"):
//! a backslash escapes `*`, `?` and `\`; a backslash before anything else is a
//! plain backslash. So `\\` and `\` both mean one backslash when no wildcard
//! follows, `\*` is a literal star, `\\*` is a backslash then a wildcard.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    Quest,
    /// One of the characters `windash` makes interchangeable.
    Dash,
}

/// The characters that the `windash` modifier treats as the same flag prefix.
pub const WINDASH_CHARS: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SigmaString {
    pub parts: Vec<Part>,
}

impl SigmaString {
    /// Parse a rule value, interpreting wildcards and escapes.
    pub fn parse(raw: &str) -> Self {
        let mut s = SigmaString::default();
        // Text between special characters goes in as whole runs, not char by char.
        let mut rest = raw;
        while let Some(at) = memchr::memchr3(b'*', b'?', b'\\', rest.as_bytes()) {
            s.push_str(rest.get(..at).unwrap_or(""));
            let special = rest.as_bytes().get(at).copied();
            let after = rest.get(at + 1..).unwrap_or("");
            rest = match special {
                Some(b'*') => {
                    s.parts.push(Part::Star);
                    after
                }
                Some(b'?') => {
                    s.parts.push(Part::Quest);
                    after
                }
                // A backslash escapes `*`, `?` and `\`; before anything else it is itself.
                _ => match after.as_bytes().first() {
                    Some(&c @ (b'*' | b'?' | b'\\')) => {
                        s.push_char(char::from(c));
                        after.get(1..).unwrap_or("")
                    }
                    _ => {
                        s.push_char('\\');
                        after
                    }
                },
            };
        }
        s.push_str(rest);
        s
    }

    /// A string with no wildcards at all (used for transformed values such as base64).
    pub fn literal(text: &str) -> Self {
        let mut s = SigmaString::default();
        s.push_str(text);
        s
    }

    pub fn push_char(&mut self, c: char) {
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push(c);
        } else {
            self.parts.push(Part::Lit(c.to_string()));
        }
    }

    pub fn push_str(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(Part::Lit(text.to_string()));
        }
    }

    pub fn starts_with_star(&self) -> bool {
        matches!(self.parts.first(), Some(Part::Star))
    }

    pub fn ends_with_star(&self) -> bool {
        matches!(self.parts.last(), Some(Part::Star))
    }

    /// `contains`: wildcards on both ends, without doubling existing ones.
    pub fn contains(self) -> Self {
        self.endswith().startswith()
    }

    pub fn startswith(mut self) -> Self {
        if !self.ends_with_star() {
            self.parts.push(Part::Star);
        }
        self
    }

    pub fn endswith(mut self) -> Self {
        if !self.starts_with_star() {
            self.parts.insert(0, Part::Star);
        }
        self
    }

    /// The plain text when the value has no wildcards.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(t) => out.push_str(t),
                _ => return None,
            }
        }
        Some(out)
    }

    pub fn has_wildcards(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Lit(_)))
    }

    /// Text with wildcards rendered back in Sigma syntax (escaped), for display.
    pub fn to_sigma(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(t) => {
                    let mut chars = t.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '*' | '?' => {
                                out.push('\\');
                                out.push(c);
                            }
                            // A backslash only needs escaping where it would otherwise escape what follows.
                            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\') | None) => out.push_str("\\\\"),
                            _ => out.push(c),
                        }
                    }
                }
                Part::Star => out.push('*'),
                Part::Quest => out.push('?'),
                Part::Dash => out.push('-'),
            }
        }
        out
    }

    /// Length in chars, counting each wildcard as one.
    pub fn text_len(&self) -> usize {
        self.parts.iter().map(|p| if let Part::Lit(t) = p { t.chars().count() } else { 1 }).sum()
    }

    /// Replace every windash character in the literal parts with the `Dash` class.
    pub fn windash(self) -> Self {
        let mut out = SigmaString::default();
        for p in self.parts {
            match p {
                Part::Lit(t) => {
                    for c in t.chars() {
                        if WINDASH_CHARS.contains(&c) {
                            out.parts.push(Part::Dash);
                        } else {
                            out.push_char(c);
                        }
                    }
                }
                other => out.parts.push(other),
            }
        }
        out
    }

    /// A regex (Rust `regex` syntax) matching the whole value.
    pub fn to_regex(&self, case_insensitive: bool) -> String {
        let mut out = String::with_capacity(self.text_len() + 8);
        if case_insensitive {
            out.push_str("(?i)");
        }
        // `(?s)` so that `*` and `?` also cover newlines, as a glob does.
        out.push_str("(?s)^");
        for p in &self.parts {
            match p {
                Part::Lit(t) => out.push_str(&regex_escape(t)),
                Part::Star => out.push_str(".*"),
                Part::Quest => out.push('.'),
                Part::Dash => out.push_str("[-/\u{2013}\u{2014}\u{2015}]"),
            }
        }
        out.push('$');
        out
    }
}

/// Case folding for case-insensitive comparison. `to_lowercase` maps a final
/// capital sigma to `ς`, so text differing only in case would not compare
/// equal; folding both forms to `σ` makes the comparison symmetric.
pub fn fold_case(text: &str) -> String {
    let lower = crate::base::case::to_lowercase(text);
    if lower.contains('ς') {
        lower.replace('ς', "σ")
    } else {
        lower
    }
}

pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '#' | '&' | '-' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Lit(s.to_string())
    }

    #[test]
    fn escapes_follow_the_spec() {
        // `\*` escapes the wildcard, so this is a literal star, not a prefix match.
        assert_eq!(SigmaString::parse(r"C:\Windows\*").parts, vec![lit(r"C:\Windows*")]);
        assert_eq!(SigmaString::parse(r"a\*b").parts, vec![lit("a*b")]);
        assert_eq!(SigmaString::parse(r"a\\*").parts, vec![lit(r"a\"), Part::Star]);
        assert_eq!(SigmaString::parse(r"a\\\*").parts, vec![lit(r"a\*")]);
        assert_eq!(SigmaString::parse(r"\\\\").parts, vec![lit(r"\\")]);
        assert_eq!(SigmaString::parse(r"\\\").parts, vec![lit(r"\\")]);
        assert_eq!(SigmaString::parse(r"a\b").parts, vec![lit(r"a\b")]);
        assert_eq!(SigmaString::parse(r"trail\").parts, vec![lit(r"trail\")]);
        assert_eq!(SigmaString::parse("p?x").parts, vec![lit("p"), Part::Quest, lit("x")]);
    }

    #[test]
    fn position_modifiers_do_not_double_wildcards() {
        let s = SigmaString::parse("*abc").contains();
        assert_eq!(s.parts, vec![Part::Star, lit("abc"), Part::Star]);
        let s = SigmaString::parse("*").contains();
        assert_eq!(s.parts, vec![Part::Star]);
        let s = SigmaString::parse("").contains();
        assert_eq!(s.parts, vec![Part::Star]);
    }

    /// The spec's escaping read one char at a time: what `parse` must equal.
    fn parse_char_by_char(raw: &str) -> SigmaString {
        let mut s = SigmaString::default();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => s.parts.push(Part::Star),
                '?' => s.parts.push(Part::Quest),
                '\\' => match chars.peek() {
                    Some(&next @ ('*' | '?' | '\\')) => {
                        chars.next();
                        s.push_char(next);
                    }
                    _ => s.push_char('\\'),
                },
                _ => s.push_char(c),
            }
        }
        s
    }

    proptest::proptest! {
        #[test]
        fn parse_by_runs_equals_char_by_char(raw in "[a\\\\*?é\\-]{0,12}") {
            proptest::prop_assert_eq!(SigmaString::parse(&raw), parse_char_by_char(&raw));
        }
    }

    #[test]
    fn round_trip_display() {
        for raw in [r"C:\Windows\*", r"a\*b", r"a\\*", "x?y", r"end\"] {
            let s = SigmaString::parse(raw);
            assert_eq!(SigmaString::parse(&s.to_sigma()), s, "{raw}");
        }
    }
}
