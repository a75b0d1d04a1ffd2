//! The KQL tokenizer (the generated or edited query).

use super::{next_newline, push, quoted_end, Tok, Token};

const KEYWORDS: &[&str] = &[
    "where",
    "project",
    "extend",
    "summarize",
    "take",
    "limit",
    "by",
    "count",
    "let",
    "union",
    "join",
    "on",
    "kind",
    "sort",
    "order",
    "top",
    "distinct",
    "asc",
    "desc",
    "search",
    "parse",
    "with",
    "datatable",
    "evaluate",
    "project-away",
    "project-rename",
    "mv-expand",
    "and",
    "or",
    "not",
    "in",
    "in~",
    "has",
    "has_cs",
    "has_any",
    "has_all",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "matches",
    "regex",
    "between",
    "true",
    "false",
    "!in",
    "!in~",
    "!contains",
    "!contains_cs",
    "!startswith",
    "!startswith_cs",
    "!endswith",
    "!endswith_cs",
    "!has",
];

/// KQL: `//` comments, strings (`"..."`, `'...'`, verbatim `@"..."`), numbers,
/// keywords and word operators, function calls, symbolic operators.
pub fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let e = next_newline(b, i);
                push(&mut out, i, e, Tok::Comment);
                i = e;
            }
            b'@' if matches!(b.get(i + 1), Some(b'"') | Some(b'\'')) => {
                let e = quoted_end(b, i + 1, b[i + 1], false, true);
                push(&mut out, i, e, Tok::Str);
                i = e.max(i + 2);
            }
            b'"' | b'\'' => {
                let e = quoted_end(b, i, c, true, false);
                push(&mut out, i, e, Tok::Str);
                i = e.max(i + 1);
            }
            b'0'..=b'9' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                push(&mut out, s, i, Tok::Num);
            }
            b'|' => {
                push(&mut out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b'(' | b')' | b',' | b'[' | b']' | b';' => {
                push(&mut out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b'=' | b'<' | b'>' | b'~' => {
                let s = i;
                while i < b.len() && matches!(b[i], b'=' | b'<' | b'>' | b'~' | b'!') {
                    i += 1;
                }
                push(&mut out, s, i, Tok::Operator);
            }
            b'!' => {
                let s = i;
                i += 1;
                if i < b.len() && (b[i] == b'=' || b[i] == b'~') {
                    i += 1;
                    push(&mut out, s, i, Tok::Operator);
                } else {
                    let e = word_end(b, i);
                    let w = &text[s..e];
                    push(&mut out, s, e, if KEYWORDS.contains(&w) { Tok::Keyword } else { Tok::Operator });
                    i = e.max(s + 1);
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'*' => {
                let s = i;
                if c == b'*' {
                    i += 1;
                    continue;
                }
                let mut e = word_end(b, i);
                if b.get(e) == Some(&b'~') && &text[s..e] == "in" {
                    e += 1;
                }
                let w = &text[s..e];
                let tok = if KEYWORDS.contains(&w) {
                    Tok::Keyword
                } else if b.get(e) == Some(&b'(') {
                    Tok::Func
                } else {
                    Tok::Plain
                };
                push(&mut out, s, e, tok);
                i = e.max(s + 1);
            }
            _ => i += 1,
        }
    }
    out
}

fn word_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.')) {
        // `-` only inside words such as `project-away`, `mv-expand`.
        if b[i] == b'-' && !b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::kinds;

    #[test]
    fn kql_tokens() {
        let text = "imNetworkSession\n| where (DstHostname endswith \".localto.net\" or X in~ (@\"a\\b\", 'c')) and ipv4_is_in_range(Ip, \"10.0.0.0/8\") // c";
        let k = kinds(text, &tokens(text));
        assert!(k.contains(&("where", Tok::Keyword)));
        assert!(k.contains(&("endswith", Tok::Keyword)));
        assert!(k.contains(&("in~", Tok::Keyword)));
        assert!(k.contains(&("\".localto.net\"", Tok::Str)));
        assert!(k.contains(&("@\"a\\b\"", Tok::Str)));
        assert!(k.contains(&("ipv4_is_in_range", Tok::Func)));
        assert!(k.contains(&("// c", Tok::Comment)));
    }
}
