//! Validation of `re` values before they reach a regex engine.
//!
//! Both engines of [`super`] are linear-time with RE2-like syntax, and KQL's
//! `matches regex` is RE2, so a pattern must parse under those rules: no
//! look-around, no back-references. Checking here gives one clear message for
//! both backends.
//!
//! `\d`, `\w`, `\s`, `\b` and their relatives have their ASCII meaning, as in
//! RE2 (so in the KQL we generate) and in PCRE, the flavour Sigma's `re` follows:
//! `\d` is `[0-9]`, `\w` is `[0-9A-Za-z_]`, `\s` is `[\t\n\v\f\r ]`, `\b` is a
//! boundary between those word characters and anything else. regex-lite reads
//! them so; for the regex crate, [`ascii_perl`] rewrites them first. Case-insensitive
//! matching stays Unicode-aware (`(?i)é` matches `É`, see [`super::fold`]);
//! `\p{..}` classes are not supported.

use std::borrow::Cow;

/// Patterns longer than this are refused outright (they are not rules, they are attacks).
pub const MAX_PATTERN_LEN: usize = 64 * 1024;

pub fn validate(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("pattern is longer than {MAX_PATTERN_LEN} bytes"));
    }
    if let Some(hint) = unsupported_construct(pattern) {
        return Err(hint);
    }
    parse(pattern).map_err(|e| first_line(&e))
}

/// A syntax check without compiling, where the engine offers one.
#[cfg(feature = "fast-regex")]
fn parse(pattern: &str) -> Result<(), String> {
    let mut parser = regex_syntax::ParserBuilder::new().nest_limit(super::NEST_LIMIT).build();
    parser.parse(&ascii_perl(pattern)).map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(not(feature = "fast-regex"))]
fn parse(pattern: &str) -> Result<(), String> {
    super::Regex::new(pattern).map(|_| ())
}

/// `pattern` with the Perl classes and word boundaries spelled in their ASCII
/// meaning (see the module documentation): `\d` becomes `[[:digit:]]`, `\W`
/// `[^[:word:]]` (also inside a class, as a nested class), `\b` `(?-u:\b)`.
/// Everything else is kept byte for byte.
#[cfg_attr(not(feature = "fast-regex"), allow(dead_code))] // regex-lite's classes are ASCII already
pub fn ascii_perl(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains('\\') {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(c);
            break;
        };
        match e {
            'd' => out.push_str("[[:digit:]]"),
            'D' => out.push_str("[^[:digit:]]"),
            'w' => out.push_str("[[:word:]]"),
            'W' => out.push_str("[^[:word:]]"),
            's' => out.push_str("[[:space:]]"),
            'S' => out.push_str("[^[:space:]]"),
            'b' | 'B' | '<' | '>' => {
                out.push_str("(?-u:\\");
                out.push(e);
                // `\b{start}`, `\b{end}`, ...
                if e == 'b' && chars.peek() == Some(&'{') {
                    for x in chars.by_ref() {
                        out.push(x);
                        if x == '}' {
                            break;
                        }
                    }
                }
                out.push(')');
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Cow::Owned(out)
}

fn first_line(text: &str) -> String {
    // regex-syntax renders a multi-line diagram; the last line names the problem.
    text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(text).trim().trim_start_matches("error: ").to_string()
}

/// Name PCRE features that RE2-style engines reject, with a hint, since the
/// raw parser error for them is cryptic.
fn unsupported_construct(p: &str) -> Option<String> {
    let checks: [(&str, &str); 5] = [
        ("(?=", "look-ahead '(?=' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?!", "negative look-ahead '(?!' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?<=", "look-behind '(?<=' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?<!", "negative look-behind '(?<!' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?>", "atomic groups '(?>' are not supported by linear-time regex engines (RE2, KQL)"),
    ];
    for (needle, msg) in checks {
        if p.contains(needle) && !p.contains(&format!("\\{needle}")) {
            return Some(msg.to_string());
        }
    }
    let bytes = p.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1].is_ascii_digit() && bytes[i + 1] != b'0' {
                return Some(
                    "back-references (\\1) are not supported by linear-time regex engines (RE2, KQL)".to_string(),
                );
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_and_rejects() {
        assert!(validate(r"^cmd\.exe$").is_ok());
        assert!(validate(r"(?i)foo|bar[0-9]{2,3}").is_ok());
        assert!(validate(r"foo(?=bar)").is_err());
        assert!(validate(r"(a)\1").is_err());
        assert!(validate(r"(unclosed").is_err());
        assert!(validate(&"(".repeat(10_000)).is_err());
        assert!(validate(r"^\w+\\\d{2}\s\b[\W\D]\B\<x\>\b{start}$").is_ok());
    }

    #[test]
    fn perl_classes_are_ascii() {
        use super::ascii_perl;
        assert_eq!(ascii_perl(r"a.b"), "a.b");
        assert_eq!(ascii_perl(r"\d+\\d[\w-]"), r"[[:digit:]]+\\d[[[:word:]]-]");
        assert_eq!(ascii_perl(r"\bx\B\b{end}"), r"(?-u:\b)x(?-u:\B)(?-u:\b{end})");
        let re = |p: &str| super::super::Regex::new(p);
        let w = re(r"^\w+$").unwrap_or_else(|e| panic!("{e}"));
        assert!(w.is_match("abc_09") && !w.is_match("é"));
        let d = re(r"^\d\D\s\S$").unwrap_or_else(|e| panic!("{e}"));
        assert!(d.is_match("1x a") && !d.is_match("٣x a"));
        let b = re(r"\bcmd\b").unwrap_or_else(|e| panic!("{e}"));
        assert!(b.is_match("run cmd.exe") && !b.is_match("xcmd"));
        let i = re(r"(?i)^é\w$").unwrap_or_else(|e| panic!("{e}"));
        assert!(i.is_match("Éa"));
    }
}
