//! The JSON tokenizer (events, JSON lines too): keys apart from string values.

use super::{push, quoted_end, Tok, Token};

/// JSON (and JSON lines): strings (keys apart from values), numbers, literals, punctuation.
pub fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                let e = quoted_end(b, i, b'"', true, false).min(b.len());
                let mut j = e;
                while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
                    j += 1;
                }
                let tok = if j < b.len() && b[j] == b':' { Tok::Key } else { Tok::Str };
                push(&mut out, i, e, tok);
                i = e.max(i + 1);
            }
            b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                push(&mut out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let s = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                push(&mut out, s, i, Tok::Num);
            }
            b'a'..=b'z' => {
                let s = i;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let tok = if matches!(&text[s..i], "true" | "false" | "null") { Tok::Lit } else { Tok::Plain };
                push(&mut out, s, i, tok);
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::kinds;

    #[test]
    fn json_keys_and_values() {
        let text = "{\"a\": \"x\\\"y\", \"n\": -1.5e3, \"b\": [true, null]}\n{\"c\":1}";
        let k = kinds(text, &tokens(text));
        assert!(k.contains(&("\"a\"", Tok::Key)));
        assert!(k.contains(&("\"x\\\"y\"", Tok::Str)));
        assert!(k.contains(&("-1.5e3", Tok::Num)));
        assert!(k.contains(&("null", Tok::Lit)));
        assert!(k.contains(&("\"c\"", Tok::Key)));
    }
}
