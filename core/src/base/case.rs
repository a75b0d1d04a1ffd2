//! Unicode lower and upper case: the same text as the standard library's
//! `str::to_lowercase` (with its final-sigma rule), `str::to_uppercase` and
//! `char::to_lowercase` give, held to them for every character by the tests.
//!
//! Why not the standard library's: its case tables are pairs of 32-bit
//! characters (24 KB of WebAssembly data, 9 KB gzipped); the same mappings as
//! runs of equal offset (`case_tables.rs`, generated from the standard
//! library by `scripts/gen_case_tables.rs`) take a sixth of that.

use super::case_tables::{CASE_IGNORABLE, LOWER, LOWER_MULTI, TITLECASE, UPPER, UPPER_MULTI};

/// `text.to_lowercase()`.
pub fn to_lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c == 'Σ' {
            // σ, but ς at the end of a word (Unicode's Final_Sigma), as the standard library decides it.
            let before = text.get(..i).unwrap_or_default().chars().rev();
            let after = text.get(i + 'Σ'.len_utf8()..).unwrap_or_default().chars();
            out.push(if ignorable_then_cased(before) && !ignorable_then_cased(after) { 'ς' } else { 'σ' });
        } else {
            push_mapped(&mut out, c, LOWER, LOWER_MULTI);
        }
    }
    out
}

/// `text.to_uppercase()`.
pub fn to_uppercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_uppercase());
        } else {
            push_mapped(&mut out, c, UPPER, UPPER_MULTI);
        }
    }
    out
}

/// `c.to_lowercase()` (no final-sigma rule: `Σ` is `σ`), pushed onto `out`.
pub fn push_char_lowercase(out: &mut String, c: char) {
    push_mapped(out, c, LOWER, LOWER_MULTI);
}

/// The first character of `c.to_lowercase()`.
pub fn char_lowercase_first(c: char) -> char {
    single(c, LOWER).or_else(|| multi(c, LOWER_MULTI).and_then(|m| m.chars().next())).unwrap_or(c)
}

/// `c.to_lowercase()` when that is one character.
pub fn char_lowercase_single(c: char) -> Option<char> {
    match multi(c, LOWER_MULTI) {
        Some(_) => None,
        None => Some(single(c, LOWER).unwrap_or(c)),
    }
}

fn push_mapped(out: &mut String, c: char, runs: &[[u32; 2]], multis: &'static str) {
    match (single(c, runs), multi(c, multis)) {
        (Some(m), _) => out.push(m),
        (None, Some(m)) => out.push_str(m),
        (None, None) => out.push(c),
    }
}

/// The one-character mapping of `c` in `runs`, if it has one.
fn single(c: char, runs: &[[u32; 2]]) -> Option<char> {
    let u = u32::from(c);
    let i = runs.partition_point(|r| r[0] >> 11 <= u).checked_sub(1)?;
    let &[head, tail] = runs.get(i)?;
    let (offset, count) = (u - (head >> 11), (head & 0x7ff) + 1);
    let stride = (tail & 1) + 1;
    let delta = (tail as i32) >> 1;
    if offset % stride != 0 || offset / stride >= count {
        return None;
    }
    char::from_u32(u.wrapping_add_signed(delta))
}

/// The mapping of `c` in a `*_MULTI` table, if it is there.
fn multi(c: char, table: &'static str) -> Option<&'static str> {
    table.lines().find_map(|line| line.strip_prefix(c))
}

/// Whether the first character that is not case-ignorable is cased.
fn ignorable_then_cased(mut chars: impl Iterator<Item = char>) -> bool {
    chars.find(|&c| !case_ignorable(c)).is_some_and(|c| c.is_lowercase() || c.is_uppercase() || TITLECASE.contains(c))
}

fn case_ignorable(c: char) -> bool {
    let u = u32::from(c);
    let mut bytes = CASE_IGNORABLE.iter();
    let mut leb = || {
        let mut v = 0u32;
        for (i, &b) in bytes.by_ref().enumerate() {
            v |= u32::from(b & 0x7f) << (7 * i.min(4));
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    };
    let mut next = 0u32;
    while let (Some(gap), Some(len)) = (leb(), leb()) {
        let start = next + gap;
        if u < start {
            return false;
        }
        if u <= start + len {
            return true;
        }
        next = start + len + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_as_std() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(to_lowercase(&s), s.to_lowercase(), "{c:?}");
            assert_eq!(to_uppercase(&s), s.to_uppercase(), "{c:?}");
            let mut ours = String::new();
            push_char_lowercase(&mut ours, c);
            assert_eq!(ours, c.to_lowercase().collect::<String>(), "{c:?}");
            assert_eq!(char_lowercase_first(c), c.to_lowercase().next().unwrap_or(c), "{c:?}");
            let std_single = {
                let mut it = c.to_lowercase();
                it.next().filter(|_| it.next().is_none())
            };
            assert_eq!(char_lowercase_single(c), std_single, "{c:?}");
            // The final-sigma context: every character before, after and between.
            for t in [format!("{c}Σ"), format!("A{c}Σ"), format!("AΣ{c}"), format!("AΣ{c}a"), format!("{c}Σ{c}")] {
                assert_eq!(to_lowercase(&t), t.to_lowercase(), "{t:?}");
            }
        }
    }

    #[test]
    fn sigma_in_words_as_std() {
        for t in [
            "Σ",
            "ΑΣ",
            "ΟΔΟΣ ΟΔΟΣ",
            "ΣΑ",
            "Α'Σ",
            "Α'Σ'",
            "ΑΣ'Β",
            "Α.Σ",
            "İSTANBUL",
            "ΣΣΣ",
            "aΣ\u{301}",
            "aΣ\u{301}b",
            "1Σ",
            "ǅΣ",
            "ᾼΣ",
            "Σ̈",
            "ΌΣΟΣ.",
            "Straße ΦΙΛΟΣ",
            "",
        ] {
            assert_eq!(to_lowercase(t), t.to_lowercase(), "{t:?}");
            assert_eq!(to_uppercase(t), t.to_uppercase(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_texts_as_std(text in "[aA'.:Σσς\u{301}\u{2019} İıßΆ-Ͽ\u{10400}-\u{1044F}]{0,12}") {
            proptest::prop_assert_eq!(to_lowercase(&text), text.to_lowercase());
            proptest::prop_assert_eq!(to_uppercase(&text), text.to_uppercase());
        }

        #[test]
        fn any_texts_as_std(text in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(to_lowercase(&text), text.to_lowercase());
            proptest::prop_assert_eq!(to_uppercase(&text), text.to_uppercase());
        }
    }
}
