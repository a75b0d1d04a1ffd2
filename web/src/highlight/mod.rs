//! Syntax highlighting as data: a tokenizer per language of the page
//! ([`yaml`] for Sigma rules and pipelines, [`json`] for events, [`kql`] for
//! the query), the scanning helpers they share, and [`segments()`], which cuts a
//! text into runs of one token kind and one set of marks (diagnostics,
//! highlighted rule parts); [`offsets`] converts the char offsets of spans.
//!
//! Everything here is pure and linear in the input; it never panics and never
//! produces markup: the editor turns segments into Yew text nodes.

use std::ops::Range;

pub mod json;
pub mod kql;
pub mod offsets;
pub mod segments;
pub mod yaml;

pub use offsets::{byte_of_char, utf16_of_char, CharIndex};
pub use segments::{mark, segments, Mark, Segment};

/// What a run of text is, for colouring. `Plain` is everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Plain,
    Key,
    Modifier,
    Str,
    Num,
    Lit,
    Comment,
    Punct,
    Keyword,
    Operator,
    Func,
    Marker,
}

impl Tok {
    pub fn class(self) -> &'static str {
        match self {
            Tok::Plain => "",
            Tok::Key => "t-key",
            Tok::Modifier => "t-mod",
            Tok::Str => "t-str",
            Tok::Num => "t-num",
            Tok::Lit => "t-lit",
            Tok::Comment => "t-com",
            Tok::Punct => "t-pun",
            Tok::Keyword => "t-kw",
            Tok::Operator => "t-op",
            Tok::Func => "t-fn",
            Tok::Marker => "t-mark",
        }
    }
}

/// A token: byte range in the text and its kind. Tokens are sorted and do not overlap.
pub type Token = (Range<usize>, Tok);

/// Which language a text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Yaml,
    Json,
    Kql,
    /// Events: JSON when the text starts with `{` or `[`, else YAML.
    Events,
}

pub fn tokenize(lang: Lang, text: &str) -> Vec<Token> {
    match lang {
        Lang::Yaml => yaml::tokens(text),
        Lang::Json => json::tokens(text),
        Lang::Kql => kql::tokens(text),
        Lang::Events => match text.trim_start().as_bytes().first() {
            Some(b'{') | Some(b'[') => json::tokens(text),
            _ => yaml::tokens(text),
        },
    }
}

/// Adds a token, unless it is empty or plain (plain text needs no token).
fn push(out: &mut Vec<Token>, start: usize, end: usize, tok: Tok) {
    if end > start && tok != Tok::Plain {
        out.push((start..end, tok));
    }
}

/// End (exclusive) of a quoted string starting at `start` (the quote), stopping
/// at the closing quote or the end of the line. `backslash` enables `\` escapes;
/// `doubled` makes `''` an escaped quote (YAML single quotes).
fn quoted_end(b: &[u8], start: usize, quote: u8, backslash: bool, doubled: bool) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            return i;
        }
        if backslash && c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if doubled && b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// Index of the line break at or after `from`, or the text's end.
fn next_newline(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| from + p)
}

/// The tokens of a text with the text they cover, for assertions.
#[cfg(test)]
fn kinds<'a>(text: &'a str, toks: &[Token]) -> Vec<(&'a str, Tok)> {
    toks.iter().map(|(r, t)| (&text[r.clone()], *t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizers_never_panic_and_stay_in_bounds() {
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        let alphabet: Vec<char> = "ab:-|#'\"\\{}[],@!&*>\n \t0123.é😀/~=<".chars().collect();
        for _ in 0..3000 {
            let n = (seed % 40) as usize;
            let mut s = String::new();
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for lang in [Lang::Yaml, Lang::Json, Lang::Kql, Lang::Events] {
                let toks = tokenize(lang, &s);
                let mut last = 0;
                for (r, _) in &toks {
                    assert!(r.start >= last && r.end <= s.len() && r.start < r.end, "{lang:?} {s:?} {toks:?}");
                    assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end), "{lang:?} {s:?}");
                    last = r.end;
                }
                let segs = segments(&s, &toks, &[Mark { range: 1..3, bits: 1, title: None }]);
                let joined: String = segs.iter().map(|g| &s[g.range.clone()]).collect();
                assert_eq!(joined, s);
            }
        }
    }
}
