//! The shape of a Sigma string pattern (plain, prefix, suffix, contains),
//! splitting and joining its parts without losing a wildcard, and whole-value
//! glob matching for finite vocabularies.

use crate::sigma::string::{Part, SigmaString, WINDASH_CHARS};

fn is_lit(p: &Part) -> bool {
    matches!(p, Part::Lit(_) | Part::Dash)
}

pub(super) fn no_wild(parts: &[Part]) -> bool {
    parts.iter().all(is_lit)
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// No wildcard at all.
    Plain,
    /// `X*`
    Prefix,
    /// `*X`
    Suffix,
    /// `*X*`
    Contains,
    /// `*`
    Any,
    Other,
}

pub(super) fn shape(parts: &[Part]) -> Shape {
    let n = parts.len();
    let star = |i: usize| matches!(parts.get(i), Some(Part::Star));
    if n == 0 || no_wild(parts) {
        return Shape::Plain;
    }
    if n == 1 && star(0) {
        return Shape::Any;
    }
    let inner = |a: usize, b: usize| parts.get(a..b).is_some_and(no_wild);
    if star(0) && star(n - 1) && n >= 3 && inner(1, n - 1) {
        return Shape::Contains;
    }
    if star(0) && inner(1, n) {
        return Shape::Suffix;
    }
    if star(n - 1) && inner(0, n - 1) {
        return Shape::Prefix;
    }
    Shape::Other
}

pub(super) fn lit_count(parts: &[Part], c: char) -> usize {
    parts.iter().map(|p| if let Part::Lit(t) = p { t.matches(c).count() } else { 0 }).sum()
}

pub(super) fn starts_with_backslash(p: &SigmaString) -> bool {
    matches!(p.parts.first(), Some(Part::Lit(t)) if t.starts_with('\\'))
}

pub(super) fn from_parts(parts: Vec<Part>) -> SigmaString {
    let mut s = SigmaString::default();
    for p in parts {
        match p {
            Part::Lit(t) => s.push_str(&t),
            other => s.parts.push(other),
        }
    }
    s
}

/// Split at the last literal occurrence of `sep`: (before, after), both without it.
pub(super) fn split_last(p: &SigmaString, sep: char) -> Option<(SigmaString, SigmaString)> {
    let (i, pos) = p.parts.iter().enumerate().rev().find_map(|(i, part)| match part {
        Part::Lit(t) => t.rfind(sep).map(|pos| (i, pos)),
        _ => None,
    })?;
    let Some(Part::Lit(t)) = p.parts.get(i) else { return None };
    let mut left: Vec<Part> = p.parts.get(..i).map(<[Part]>::to_vec).unwrap_or_default();
    let mut right: Vec<Part> = Vec::new();
    let (before, after) = (t.get(..pos).unwrap_or(""), t.get(pos + sep.len_utf8()..).unwrap_or(""));
    if !before.is_empty() {
        left.push(Part::Lit(before.to_string()));
    }
    if !after.is_empty() {
        right.push(Part::Lit(after.to_string()));
    }
    right.extend(p.parts.get(i + 1..).map(<[Part]>::to_vec).unwrap_or_default());
    Some((from_parts(left), from_parts(right)))
}

pub(super) fn split_first(p: &SigmaString, sep: char) -> Option<(SigmaString, SigmaString)> {
    let (i, pos) = p.parts.iter().enumerate().find_map(|(i, part)| match part {
        Part::Lit(t) => t.find(sep).map(|pos| (i, pos)),
        _ => None,
    })?;
    let Some(Part::Lit(t)) = p.parts.get(i) else { return None };
    let mut left: Vec<Part> = p.parts.get(..i).map(<[Part]>::to_vec).unwrap_or_default();
    let mut right: Vec<Part> = Vec::new();
    let (before, after) = (t.get(..pos).unwrap_or(""), t.get(pos + sep.len_utf8()..).unwrap_or(""));
    if !before.is_empty() {
        left.push(Part::Lit(before.to_string()));
    }
    if !after.is_empty() {
        right.push(Part::Lit(after.to_string()));
    }
    right.extend(p.parts.get(i + 1..).map(<[Part]>::to_vec).unwrap_or_default());
    Some((from_parts(left), from_parts(right)))
}

pub(super) fn concat(a: &SigmaString, b: &[Part]) -> SigmaString {
    let mut parts = a.parts.clone();
    parts.extend(b.iter().cloned());
    from_parts(parts)
}

/// Whole-value glob match (for finite vocabularies).
pub(crate) fn glob_match(p: &SigmaString, text: &str, cased: bool) -> bool {
    /// One position of the pattern: a character (case-folded like the text) or a wildcard.
    #[derive(Clone, Copy)]
    enum Token {
        Char(char),
        Star,
        Quest,
        Dash,
    }
    let fold = |c: char| if cased { c } else { crate::base::case::char_lowercase_first(c) };
    let mut toks = Vec::new();
    for part in &p.parts {
        match part {
            Part::Lit(t) => toks.extend(t.chars().map(|c| Token::Char(fold(c)))),
            Part::Star => toks.push(Token::Star),
            Part::Quest => toks.push(Token::Quest),
            Part::Dash => toks.push(Token::Dash),
        }
    }
    let chars: Vec<char> = text.chars().map(fold).collect();
    let (mut ti, mut ci) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while ci < chars.len() {
        let c = chars.get(ci).copied().unwrap_or('\0');
        match toks.get(ti).copied() {
            Some(Token::Star) => {
                back = Some((ti, ci));
                ti += 1;
                continue;
            }
            Some(Token::Quest) => {
                ti += 1;
                ci += 1;
                continue;
            }
            Some(Token::Dash) if WINDASH_CHARS.contains(&c) => {
                ti += 1;
                ci += 1;
                continue;
            }
            Some(Token::Char(x)) if x == c => {
                ti += 1;
                ci += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bt, bc)) => {
                ti = bt + 1;
                ci = bc + 1;
                back = Some((bt, bc + 1));
            }
            None => return false,
        }
    }
    toks.get(ti..).is_some_and(|rest| rest.iter().all(|t| matches!(t, Token::Star)))
}
