//! KQL lexical pieces: string literals, identifiers, numbers, regex text.
//!
//! String literals (Kusto "string data type" docs, and the decoder of
//! Microsoft's parser, Kusto.Language `KustoFacts.DecodeEscapes`):
//! - verbatim `@"..."`: backslash is an ordinary character, `"` is written
//!   `""`; no escape sequences, and no line breaks allowed inside.
//! - regular `"..."`: `\\`, `\"`, `\'`, `\n`, `\t`, `\r`, `\uXXXX` (and a few
//!   more) are escapes; any other `\x` is a syntax error (KS001); a raw line
//!   break ends the literal (syntax error).
//!
//! We write verbatim when the value has a backslash and nothing that needs an
//! escape (no `"`, no control character): paths then read as in the rule
//! (`@"C:\Windows\"`). Everything else is a regular literal.

use std::fmt::Write as _;

/// Characters written as escapes: line breaks (a raw one ends the literal),
/// tab, and every other control character (NUL from utf16 values, ESC, C1
/// controls), which terminals, clipboards and web forms mangle. `\uXXXX` is
/// decoded by Kusto.Language (the parser of the Kusto editors); the docs list
/// only `\t`, `\n`, `\\`, `\"`, `\'`. Invisible format characters (bidi
/// overrides, zero-width spaces) stay raw: they are valid in any literal and
/// need no undocumented escape; a UI should make them visible.
fn needs_escape(c: char) -> bool {
    c.is_control()
}

/// A KQL string literal whose value is exactly `s`.
pub fn string_literal(s: &str) -> String {
    if s.contains('\\') && !s.contains('"') && !s.chars().any(needs_escape) {
        let mut out = String::with_capacity(s.len() + 3);
        out.push_str("@\"");
        out.push_str(s);
        out.push('"');
        return out;
    }
    quoted(s, '"')
}

/// A regular (non-verbatim) literal with `quote` as delimiter.
fn quoted(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    // Runs of characters that stand as they are are copied whole: only ASCII
    // controls, DEL, the backslash, the quote and C1 controls (UTF-8 lead byte
    // 0xC2) can need an escape.
    let special = |b: &u8| *b < 0x20 || *b == 0x7f || *b == b'\\' || u32::from(*b) == u32::from(quote) || *b == 0xc2;
    let rest = match s.bytes().position(|b| special(&b)) {
        None => {
            out.push_str(s);
            out.push(quote);
            return out;
        }
        Some(at) => {
            out.push_str(s.get(..at).unwrap_or_default());
            s.get(at..).unwrap_or_default()
        }
    };
    for c in rest.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            // Control characters are all in the Basic Multilingual Plane: four hex digits.
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Words that cannot be used as a bare column name in a `where` expression
/// (checked against Kusto.Language: they are keywords or parse as special
/// syntax). Quoting more than needed is harmless, so the list is generous.
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "access", "alias", "and", "as", "asc", "between", "bool", "boolean", "by", "cluster", "consume", "contains",
    "contains_cs", "database", "datatable", "date", "datetime", "decimal", "declare", "desc", "distinct", "double",
    "dynamic", "endswith", "endswith_cs", "entity_group", "evaluate", "extend", "external_data", "externaldata",
    "false", "filter", "find", "first", "fork", "from", "guid", "has", "has_all", "has_any", "has_cs", "hasprefix",
    "hassuffix", "in", "int", "int64", "invoke", "isfuzzy", "join", "kind", "last", "let", "limit", "long",
    "materialize", "materialized_view", "matches", "not", "notcontains", "notcontainscs", "notlike", "null", "nulls",
    "of", "on", "or", "order", "pattern", "print", "project", "range", "real", "regex", "restrict", "sample",
    "search", "set", "sort", "startswith", "startswith_cs", "step", "string", "table", "take", "time", "timespan",
    "title", "to", "toscalar", "true", "typeof", "union", "uniqueidentifier", "where", "with",
];

/// A name that can stand bare in KQL: `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        // Keywords are lowercase: most column names skip the list.
        && (name.bytes().any(|b| b.is_ascii_uppercase()) || !KEYWORDS.contains(&name))
}

/// A column name as KQL text: bare when possible, else `['name']`.
pub fn identifier(name: &str) -> String {
    if is_plain_identifier(name) {
        name.to_string()
    } else {
        let mut out = String::with_capacity(name.len() + 4);
        out.push('[');
        out.push_str(&quoted(name, '\''));
        out.push(']');
        out
    }
}

/// A table (or tabular function call such as `imNetworkSession(starttime=ago(1d))`)
/// as written by a pipeline: kept when it is a name or a call, else quoted.
pub fn table_reference(table: &str) -> String {
    let t = table.trim();
    let name_end = t.find('(').unwrap_or(t.len());
    let name = &t[..name_end];
    let call_ok = name_end == t.len() || t.ends_with(')');
    if call_ok && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        t.to_string()
    } else {
        identifier(t)
    }
}

/// A rule number as a KQL literal.
pub fn number_literal(v: f64) -> String {
    if v.is_nan() {
        return "real(nan)".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "real(+inf)".to_string() } else { "real(-inf)".to_string() };
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        // Exact: |v| < 2^53, so the integer conversion loses nothing.
        #[allow(clippy::cast_possible_truncation)]
        let i = v as i64;
        return i.to_string();
    }
    // `{:?}` gives the shortest text that reads back to the same f64 (`1.5`, `1e300`).
    format!("{v:?}")
}

/// Escape text so that an RE2 regex matches it literally. Only RE2's
/// metacharacters are escaped, so the regex stays readable.
pub fn regex_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The windash character class (`-`, `/`, en dash, em dash, horizontal bar) in RE2 syntax.
pub const DASH_CLASS: &str = "[-/\u{2013}\u{2014}\u{2015}]";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The literal char by char, as `quoted` wrote it before it copied runs.
    fn quoted_char_by_char(s: &str, quote: char) -> String {
        let mut out = String::from(quote);
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c if needs_escape(c) => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        out
    }

    proptest! {
        #[test]
        fn quoted_copies_runs_as_char_by_char(s in "[a-z\\\\\"'\n\t\r\u{0}\u{7f}\u{80}\u{9f}\u{a0}é€\u{1f600}]{0,24}") {
            for quote in ['"', '\''] {
                prop_assert_eq!(quoted(&s, quote), quoted_char_by_char(&s, quote));
            }
        }

        #[test]
        fn plain_identifiers_skip_the_keyword_list_only_when_uppercase(s in "[a-zA-Z_][a-zA-Z0-9_]{0,12}") {
            let listed = KEYWORDS.contains(&s.as_str());
            prop_assert_eq!(is_plain_identifier(&s), !listed);
        }
    }

    #[test]
    fn keywords_are_lowercase_and_quoted() {
        assert!(KEYWORDS.iter().all(|k| !k.bytes().any(|b| b.is_ascii_uppercase())));
        assert_eq!(identifier("where"), "['where']");
        assert_eq!(identifier("Where"), "Where");
    }
}
