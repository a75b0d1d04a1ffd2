//! String predicates with Kusto's case rules and `has` term boundaries.
//!
//! Kusto indexes *terms*: maximal runs of alphanumeric characters (anything
//! else, `_` included, separates them). `has "x"` is true when `x` occurs
//! starting at a term start and ending at a term end; an edge of the needle
//! that is itself punctuation needs no boundary there (`has @"\cmd.exe"`
//! matches `C:\Windows\cmd.exe`). `hasprefix`/`hassuffix` check one edge.

use super::ast::StrOp;

fn is_term(c: char) -> bool {
    c.is_alphanumeric()
}

/// Case-insensitive comparisons fold both sides to lower case (Unicode-aware).
pub fn fold(s: &str, cs: bool) -> std::borrow::Cow<'_, str> {
    if cs || !s.chars().any(char::is_uppercase) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(crate::base::case::to_lowercase(s))
    }
}

/// `hay op needle`; `needle` is already folded when `cs` is false.
pub fn str_op(op: StrOp, hay: &str, needle: &str, cs: bool) -> bool {
    if !cs && hay.is_ascii() && needle.is_ascii() {
        // Most event text is ASCII: compare without building a lower-cased copy.
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let at = |i: usize| h.get(i..i + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n));
        match op {
            StrOp::Eq => return h.eq_ignore_ascii_case(n),
            StrOp::StartsWith => return at(0),
            StrOp::EndsWith => return h.len() >= n.len() && at(h.len() - n.len()),
            StrOp::Contains => return n.is_empty() || (0..=h.len().saturating_sub(n.len())).any(at),
            _ => {}
        }
    }
    let hay = fold(hay, cs);
    let hay = hay.as_ref();
    match op {
        StrOp::Eq => hay == needle,
        StrOp::Contains => hay.contains(needle),
        StrOp::StartsWith => hay.starts_with(needle),
        StrOp::EndsWith => hay.ends_with(needle),
        StrOp::Has => term_match(hay, needle, true, true),
        StrOp::HasPrefix => term_match(hay, needle, true, false),
        StrOp::HasSuffix => term_match(hay, needle, false, true),
    }
}

/// An occurrence of `needle` whose alphanumeric edges sit on term boundaries.
pub fn term_match(hay: &str, needle: &str, at_start: bool, at_end: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    let first_is_term = needle.chars().next().is_some_and(is_term);
    let last_is_term = needle.chars().next_back().is_some_and(is_term);
    let mut from = 0;
    while let Some(k) = hay.get(from..).and_then(|h| h.find(needle)) {
        let s = from + k;
        let e = s + needle.len();
        let start_ok = !at_start || !first_is_term || !hay[..s].chars().next_back().is_some_and(is_term);
        let end_ok = !at_end || !last_is_term || !hay[e..].chars().next().is_some_and(is_term);
        if start_ok && end_ok {
            return true;
        }
        // Retry one character later: occurrences may overlap.
        from = s + hay[s..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms() {
        assert!(term_match("cmd.exe /c whoami", "whoami", true, true));
        assert!(!term_match("whoami.exe", "who", true, true));
        assert!(term_match("whoami.exe", "whoami", true, true));
        assert!(term_match("my_cmd", "cmd", true, true));
        assert!(term_match(r"c:\windows\cmd.exe", r"\cmd.exe", true, true));
        assert!(!term_match(r"c:\tools\mycmd.exe", "cmd.exe", true, true));
        assert!(term_match("a.a.a", "a.a", true, true));
        assert!(term_match("abc", "", true, true));
        assert!(term_match("hello world", "wor", true, false));
        assert!(!term_match("hello world", "wor", false, true));
        assert!(term_match("hello world", "llo", false, true));
    }
}
