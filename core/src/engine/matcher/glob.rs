//! A wildcard value that is not a plain equality, prefix, suffix or contains
//! test (`*a*b*`, `a?b`, windash's `-`): matched in place on ASCII text, with
//! the regular expression it stands for compiled only for the texts that
//! need it (non-ASCII, or long enough that the scan could cost more).
//!
//! On ASCII text and ASCII literals, the regex `(?i)(?s)^…$` of
//! [`SigmaString::to_regex`] and this scan agree: case-insensitive matching
//! of an ASCII letter can only meet its two ASCII cases there (the other
//! characters Unicode folds with `k` and `s` are not ASCII), `?` is one byte,
//! and windash's class meets only `-` and `/`.

use std::sync::OnceLock;

use crate::re::Regex;
use crate::sigma::string::{Part, SigmaString};

/// One position of a segment.
#[derive(Debug, Clone, Copy)]
enum Atom {
    /// This byte (lowercase when the glob is case-insensitive).
    Byte(u8),
    /// `?`: any one character, which in ASCII text is one byte.
    Any,
    /// Windash's class: `-` or `/` (its other members are not ASCII).
    Dash,
}

#[derive(Debug, Clone)]
pub(super) struct Glob {
    /// The runs between stars, in order: the first sits at the start of the
    /// text, the last at its end (either may be empty).
    segments: Vec<Box<[Atom]>>,
    cased: bool,
    atoms: usize,
    /// What the glob stands for, for texts the scan does not take.
    source: String,
    regex: OnceLock<Option<Regex>>,
}

impl Glob {
    /// Longer globs compile at once, as a regex, where a compile error is reported.
    const MAX_ATOMS: usize = 256;
    /// Texts longer than this many steps of a naive scan go to the regex.
    const MAX_STEPS: usize = 1 << 18;

    /// `None` when a literal is not ASCII or the glob is long.
    pub(super) fn new(pattern: &SigmaString, cased: bool) -> Option<Glob> {
        let mut segments = Vec::new();
        let mut current = Vec::new();
        for p in &pattern.parts {
            match p {
                Part::Lit(t) if t.is_ascii() => {
                    current.extend(t.bytes().map(|b| Atom::Byte(if cased { b } else { b.to_ascii_lowercase() })));
                }
                Part::Lit(_) => return None,
                Part::Star => segments.push(std::mem::take(&mut current).into_boxed_slice()),
                Part::Quest => current.push(Atom::Any),
                Part::Dash => current.push(Atom::Dash),
            }
        }
        segments.push(current.into_boxed_slice());
        let atoms = segments.iter().map(|s| s.len()).sum();
        if atoms > Self::MAX_ATOMS {
            return None;
        }
        Some(Glob { segments, cased, atoms, source: pattern.to_regex(!cased), regex: OnceLock::new() })
    }

    /// Does the whole text match (as the regex would)?
    pub(super) fn is_match(&self, text: &str) -> bool {
        if text.is_ascii() && text.len().saturating_mul(self.atoms.max(1)) <= Self::MAX_STEPS {
            return self.scan(text.as_bytes());
        }
        // Short ASCII globs always compile (checked by the tests); were one
        // not to, it would match nothing, as a test that failed to compile.
        self.regex.get_or_init(|| Regex::new(&self.source).ok()).as_ref().is_some_and(|r| r.is_match(text))
    }

    fn scan(&self, t: &[u8]) -> bool {
        let (first, rest) = match self.segments.split_first() {
            Some(x) => x,
            None => return t.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            // No star: the one segment is the whole text.
            return t.len() == first.len() && self.at(first, t);
        };
        let Some(end) = t.len().checked_sub(last.len()) else { return false };
        if end < first.len() || !self.at(first, t) || !t.get(end..).is_some_and(|tail| self.at(last, tail)) {
            return false;
        }
        // Between them, each segment at its leftmost place after the one before.
        let mut from = first.len();
        for seg in middle {
            match self.find(seg, t.get(from..end).unwrap_or(&[])) {
                Some(at) => from += at + seg.len(),
                None => return false,
            }
        }
        true
    }

    /// Does `seg` match at the start of `t`?
    fn at(&self, seg: &[Atom], t: &[u8]) -> bool {
        seg.len() <= t.len()
            && seg.iter().zip(t).all(|(a, &c)| match *a {
                Atom::Byte(b) => b == if self.cased { c } else { c.to_ascii_lowercase() },
                Atom::Any => true,
                Atom::Dash => c == b'-' || c == b'/',
            })
    }

    /// The leftmost place of `seg` in `t`.
    fn find(&self, seg: &[Atom], t: &[u8]) -> Option<usize> {
        if seg.is_empty() {
            return Some(0);
        }
        let last_start = t.len().checked_sub(seg.len())?;
        let mut from = 0;
        while from <= last_start {
            let window = t.get(from..=last_start)?;
            // Skip to the next place the first atom can match.
            let skip = match seg.first() {
                Some(Atom::Byte(b)) if !self.cased && b.is_ascii_lowercase() => {
                    memchr::memchr2(*b, b.to_ascii_uppercase(), window)?
                }
                Some(Atom::Byte(b)) => memchr::memchr(*b, window)?,
                Some(Atom::Dash) => memchr::memchr2(b'-', b'/', window)?,
                Some(Atom::Any) | None => 0,
            };
            let start = from + skip;
            if self.at(seg, t.get(start..)?) {
                return Some(start);
            }
            from = start + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn regex_says(pattern: &SigmaString, cased: bool, text: &str) -> bool {
        Regex::new(&pattern.to_regex(!cased)).map(|r| r.is_match(text)).unwrap_or(false)
    }

    #[test]
    fn fixed_cases() {
        for (raw, text, want) in [
            ("*a*b*", "xxAyyBzz", true),
            ("*a*b*", "xxByyAzz", false),
            ("a*b", "ab", true),
            ("a*b", "a", false),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*x?y*", "..x\ny..", true),
            ("", "", true),
            ("a\\*b", "a*b", true),
        ] {
            let p = SigmaString::parse(raw);
            let g = Glob::new(&p, false).unwrap_or_else(|| panic!("{raw}"));
            assert_eq!(g.is_match(text), want, "{raw:?} on {text:?}");
            assert_eq!(regex_says(&p, false, text), want, "regex {raw:?} on {text:?}");
        }
        let dash = SigmaString::parse("* -enc *").windash();
        let g = Glob::new(&dash, false).unwrap_or_else(|| panic!("windash"));
        for t in ["ps /ENC x", "ps -enc x", "ps \u{2013}enc x", "ps enc x"] {
            assert_eq!(g.is_match(t), regex_says(&dash, false, t), "{t:?}");
        }
        assert!(Glob::new(&SigmaString::parse("*é*x*"), false).is_none());
        // The longest glob taken here compiles, so none needs a compile error reported.
        for raw in ["k", "?", "-", "\\\\", "*s"] {
            let long = SigmaString::parse(&raw.repeat(Glob::MAX_ATOMS)).windash();
            for cased in [false, true] {
                if Glob::new(&long, cased).is_some() {
                    assert!(Regex::new(&long.to_regex(!cased)).is_ok(), "{raw}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The scan and the regex agree on every text, ASCII or not.
        #[test]
        fn scan_agrees_with_the_regex(
            raw in "[abkAB*?/\\-]{0,8}",
            windash in any::<bool>(),
            cased in any::<bool>(),
            texts in prop::collection::vec("[abAB/\\-\u{2013}kK\u{212A}\n]{0,10}", 1..8),
        ) {
            let p = SigmaString::parse(&raw);
            let p = if windash { p.windash() } else { p };
            let g = Glob::new(&p, cased);
            prop_assert!(g.is_some());
            if let Some(g) = g {
                for t in &texts {
                    prop_assert_eq!(g.is_match(t), regex_says(&p, cased, t), "{:?} on {:?}", raw, t);
                }
            }
        }
    }
}
