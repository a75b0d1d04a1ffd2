//! Marks laid over a text (diagnostics, rule parts picked from a match
//! result) and [`segments`], which cuts the text at token and mark boundaries.

use std::ops::Range;

use super::{Tok, Token};

/// Marks laid over the text, as a bit set.
pub mod mark {
    pub const ERROR: u8 = 1;
    pub const WARNING: u8 = 2;
    pub const INFO: u8 = 4;
    /// A part of the rule picked from a match result.
    pub const HIGHLIGHT: u8 = 8;
    /// A failed part of the rule picked from a match result.
    pub const MISS: u8 = 16;
}

/// A mark over a byte range (zero-width marks are widened by [`segments`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub range: Range<usize>,
    pub bits: u8,
    /// Shown on hover (the diagnostic's message).
    pub title: Option<String>,
}

/// A run of text with one token kind and one set of marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub range: Range<usize>,
    pub tok: Tok,
    pub marks: u8,
    /// Index into the marks given to [`segments`] of the first mark covering this run.
    pub title_of: Option<usize>,
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn next_boundary(text: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j.min(text.len())
}

/// Cut `text` into segments covering it entirely, in order. Zero-width marks
/// cover the next character when it is not a line break (else they stay
/// zero-width and still produce an empty segment, for a caret-like marker).
pub fn segments(text: &str, tokens: &[Token], marks: &[Mark]) -> Vec<Segment> {
    // Boundaries: token starts/ends and mark starts/ends.
    let mut cuts: Vec<usize> = Vec::with_capacity(tokens.len() * 2 + marks.len() * 2 + 2);
    cuts.push(0);
    cuts.push(text.len());
    for (r, _) in tokens {
        cuts.push(floor_boundary(text, r.start));
        cuts.push(floor_boundary(text, r.end));
    }
    let marks: Vec<(Range<usize>, &Mark)> = marks
        .iter()
        .map(|m| {
            let s = floor_boundary(text, m.range.start);
            let mut e = floor_boundary(text, m.range.end.max(m.range.start));
            if e == s && s < text.len() && text.as_bytes()[s] != b'\n' {
                e = next_boundary(text, s);
            }
            (s..e, m)
        })
        .collect();
    for (r, _) in &marks {
        cuts.push(r.start);
        cuts.push(r.end);
    }
    sigmaplay_core::base::sort::sort_dedup_usize(&mut cuts);
    let mut out = Vec::with_capacity(cuts.len() + marks.len());
    let mut ti = 0;
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        // Zero-width marks sitting exactly at `s`.
        for (mi, (r, m)) in marks.iter().enumerate() {
            if r.start == s && r.end == s {
                out.push(Segment { range: s..s, tok: Tok::Plain, marks: m.bits, title_of: Some(mi) });
            }
        }
        while ti < tokens.len() && tokens[ti].0.end <= s {
            ti += 1;
        }
        let tok = match tokens.get(ti) {
            Some((r, t)) if r.start <= s && e <= r.end => *t,
            _ => Tok::Plain,
        };
        let mut bits = 0;
        let mut title_of = None;
        for (mi, (r, m)) in marks.iter().enumerate() {
            if r.start <= s && e <= r.end && r.start < r.end {
                bits |= m.bits;
                if title_of.is_none() && m.title.is_some() {
                    title_of = Some(mi);
                }
            }
        }
        out.push(Segment { range: s..e, tok, marks: bits, title_of });
    }
    // Zero-width marks at the very end of the text.
    for (mi, (r, m)) in marks.iter().enumerate() {
        if r.start == text.len() && r.end == text.len() {
            out.push(Segment { range: r.clone(), tok: Tok::Plain, marks: m.bits, title_of: Some(mi) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::yaml;

    #[test]
    fn segments_cover_text_and_split_at_marks() {
        let text = "key: value\nx: é\n";
        let toks = yaml::tokens(text);
        let marks = vec![
            Mark { range: 2..7, bits: mark::ERROR, title: Some("bad".into()) },
            Mark { range: 10..10, bits: mark::WARNING, title: None },
            Mark { range: 14..14, bits: mark::INFO, title: None },
        ];
        let segs = segments(text, &toks, &marks);
        let joined: String = segs.iter().map(|s| &text[s.range.clone()]).collect();
        assert_eq!(joined, text);
        let marked: String =
            segs.iter().filter(|s| s.marks & mark::ERROR != 0).map(|s| &text[s.range.clone()]).collect();
        assert_eq!(marked, "y: va");
        // Zero-width at a newline stays empty; the one before 'é' covers it.
        assert!(segs.iter().any(|s| s.range == (10..10) && s.marks == mark::WARNING));
        assert!(segs.iter().any(|s| &text[s.range.clone()] == "é" && s.marks == mark::INFO));
    }
}
