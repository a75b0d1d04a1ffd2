//! Unicode case folding for an engine that folds only ASCII letters.
//!
//! `regex-lite` (the WebAssembly build's engine) reads `(?i)é` as `é` only,
//! where the `regex` crate, RE2 and Kusto also match `É`. [`expand`] rewrites
//! a pattern so that every letter matched case-insensitively carries its whole
//! case-folding orbit explicitly: `(?i)é` becomes `(?i)[éÉ]`, `(?i)[α-γ]`
//! becomes `(?i)[α-γΑ-Γ]`, and the ASCII letters whose orbit leaves ASCII
//! (`k`: KELVIN SIGN, `s`: LONG S) get their extra member. The rest of the
//! pattern is copied byte for byte, so its syntax errors stay the engine's.
//!
//! The orbit of a letter is the set of letters with the same simple case fold;
//! it is derived from the standard library's case mappings (see [`fold_key`]).

use std::borrow::Cow;
use std::sync::OnceLock;

/// `pattern` with the case-folding orbits of its case-insensitive letters
/// spelled out; `case_insensitive` is the flag the pattern starts with.
pub fn expand(pattern: &str, case_insensitive: bool) -> Cow<'_, str> {
    let may_fold = case_insensitive || pattern.contains("(?");
    // Escapes may name a letter, and a class may hold `k` or `s` (ranges, [:alpha:]).
    let foldable = pattern.chars().any(|c| !c.is_ascii() || matches!(c, 'k' | 'K' | 's' | 'S' | '\\' | '['));
    if !may_fold || !foldable {
        return Cow::Borrowed(pattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut w = Writer { chars: &chars, pos: 0, out: String::with_capacity(pattern.len() + 8) };
    w.pattern(Flags { ci: case_insensitive, verbose: false });
    Cow::Owned(w.out)
}

#[derive(Clone, Copy)]
struct Flags {
    ci: bool,
    verbose: bool,
}

struct Writer<'a> {
    chars: &'a [char],
    pos: usize,
    out: String,
}

impl Writer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn copy(&mut self, n: usize) {
        let end = (self.pos + n).min(self.chars.len());
        self.out.extend(&self.chars[self.pos..end]);
        self.pos = end;
    }

    /// The whole pattern; groups keep their own flags on an explicit stack
    /// (no recursion, so nesting depth costs no stack).
    fn pattern(&mut self, start: Flags) {
        let mut flags = start;
        let mut saved: Vec<Flags> = Vec::new();
        while let Some(c) = self.peek(0) {
            match c {
                '\\' if flags.ci && matches!(self.peek(1), Some('w' | 'W')) => {
                    self.out.push('[');
                    self.word_class();
                    self.out.push(']');
                }
                '\\' => {
                    let (text, lit) = self.escape();
                    match lit.filter(|_| flags.ci).map(orbit).filter(|o| needs_class(o)) {
                        Some(members) => {
                            self.out.push('[');
                            self.out.push_str(&text);
                            self.out.extend(members.into_iter().filter(|&m| Some(m) != lit));
                            self.out.push(']');
                        }
                        None => self.out.push_str(&text),
                    }
                }
                '[' => self.class(flags.ci),
                '(' => {
                    if self.peek(1) == Some('?') {
                        let (inner, opens_group) = self.group_opening(flags);
                        if opens_group {
                            saved.push(flags);
                        }
                        flags = inner;
                    } else {
                        self.copy(1);
                        saved.push(flags);
                    }
                }
                ')' => {
                    flags = saved.pop().unwrap_or(flags);
                    self.copy(1);
                }
                '#' if flags.verbose => {
                    while let Some(x) = self.peek(0) {
                        self.copy(1);
                        if x == '\n' {
                            break;
                        }
                    }
                }
                _ => {
                    self.pos += 1;
                    let members = if flags.ci { orbit(c) } else { Vec::new() };
                    if needs_class(&members) {
                        self.out.push('[');
                        self.out.extend(members);
                        self.out.push(']');
                    } else {
                        self.out.push(c);
                    }
                }
            }
        }
    }

    /// At `(?`: copies the group's opening (or the whole `(?flags)`) and
    /// returns the flags that follow it, and whether it opens a group: a bare
    /// `(?i)` changes the flags of the enclosing group from here on instead.
    fn group_opening(&mut self, current: Flags) -> (Flags, bool) {
        let mut i = 2;
        let mut on = true;
        let mut next = current;
        while let Some(x) = self.peek(i) {
            match x {
                '-' => on = false,
                'i' => next.ci = on,
                'x' => next.verbose = on,
                'm' | 's' | 'U' | 'u' | 'R' => {}
                ':' => {
                    self.copy(i + 1);
                    return (next, true);
                }
                ')' => {
                    self.copy(i + 1);
                    return (next, false);
                }
                _ => break, // `(?P<name>`, `(?<name>`, or a syntax error the engine reports
            }
            i += 1;
        }
        self.copy(2);
        (current, true)
    }

    /// At `\`: the escape's text and the character it stands for, if it is one.
    fn escape(&mut self) -> (String, Option<char>) {
        let start = self.pos;
        let Some(e) = self.peek(1) else {
            self.copy(1);
            return ("\\".into(), None);
        };
        self.pos += 2;
        let lit = match e {
            'x' | 'u' | 'U' => self.hex_escape(e),
            'p' | 'P' | 'b' if self.peek(0) == Some('{') => {
                self.skip_braces();
                None
            }
            'p' | 'P' => {
                self.pos = (self.pos + 1).min(self.chars.len());
                None
            }
            // Escaped punctuation stands for itself, but it folds to nothing.
            _ => None,
        };
        let text: String = self.chars[start..self.pos].iter().collect();
        (text, lit)
    }

    fn hex_escape(&mut self, kind: char) -> Option<char> {
        let digits: String = if self.peek(0) == Some('{') {
            let from = self.pos + 1;
            self.skip_braces();
            self.chars[from..self.pos.saturating_sub(1).max(from)].iter().collect()
        } else {
            let n = match kind {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let end = (self.pos + n).min(self.chars.len());
            let d: String = self.chars[self.pos..end].iter().collect();
            self.pos = end;
            d
        };
        u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
    }

    fn skip_braces(&mut self) {
        while let Some(x) = self.peek(0) {
            self.pos += 1;
            if x == '}' {
                break;
            }
        }
    }

    /// A bracketed class, nested classes included; under `ci` the orbits of
    /// its letters and ranges are added before its closing `]`.
    fn class(&mut self, ci: bool) {
        let mut extra: Vec<Vec<char>> = vec![Vec::new()];
        // Where the output ends after a bare `-` copied as a member, if it does.
        let mut bare_dash_at = None;
        self.open_class();
        while let Some(c) = self.peek(0) {
            if c == '-' && self.peek(1) == Some(']') {
                self.copy(1);
                bare_dash_at = Some(self.out.len());
                continue;
            }
            match c {
                ']' => {
                    self.pos += 1;
                    // A bare `-` before `]` is a literal dash; members written
                    // after it would make it a range, so they go before it.
                    let members = extra.pop().unwrap_or_default();
                    let dash = bare_dash_at == Some(self.out.len()) && !members.is_empty();
                    if dash {
                        self.out.pop();
                    }
                    push_runs(&mut self.out, members);
                    if dash {
                        self.out.push('-');
                    }
                    self.out.push(']');
                    if extra.is_empty() {
                        return;
                    }
                }
                '[' if self.peek(1) == Some(':') => {
                    // `[:alpha:]`: an ASCII class, copied whole (or folded).
                    let from = self.pos;
                    while let Some(x) = self.peek(0) {
                        self.copy(1);
                        if x == ']' {
                            break;
                        }
                    }
                    let name: String = self.chars[from..self.pos].iter().collect();
                    if let (true, Some(members)) = (ci, posix_folded(&name)) {
                        self.out.truncate(self.out.len() - name.len());
                        self.out.push_str(&members);
                    }
                }
                '[' => {
                    extra.push(Vec::new());
                    self.open_class();
                }
                '\\' if ci && matches!(self.peek(1), Some('w' | 'W')) => self.word_class(),
                _ => {
                    let lo = self.class_char();
                    let hi = if self.peek(0) == Some('-') && !matches!(self.peek(1), Some(']') | None) {
                        self.copy(1);
                        self.class_char()
                    } else {
                        lo
                    };
                    if let (true, Some(lo), Some(hi), Some(slot)) = (ci, lo, hi, extra.last_mut()) {
                        add_range_orbits(lo, hi, slot);
                    }
                }
            }
        }
    }

    /// At `\w` or `\W` under case folding, written as class members: the
    /// regex crate folds its ASCII word class (adding LONG S and KELVIN SIGN)
    /// before any negation, so `\W` becomes explicit ranges (a flat class
    /// cannot say "except").
    fn word_class(&mut self) {
        let negated = self.peek(1) == Some('W');
        self.pos += 2;
        // The added letters first, so that whatever follows `\w` still follows it.
        self.out.push_str(if negated { NOT_WORD_FOLDED } else { "\u{17F}\u{212A}\\w" });
    }

    /// Copies `[`, a `^` and a leading literal `]`.
    fn open_class(&mut self) {
        self.copy(1);
        if self.peek(0) == Some('^') {
            self.copy(1);
        }
        if self.peek(0) == Some(']') {
            self.copy(1);
        }
        // Leading dashes are literals and start no range (`[--é]` is `-` and
        // `é`), in the regex crate's syntax as in regex-lite's.
        while self.peek(0) == Some('-') {
            self.copy(1);
        }
    }

    /// Copies one class member (a character or an escape) and returns the
    /// character it stands for, if it is one.
    /// An escaped ASCII letter is written as the letter: regex-lite rejects
    /// `(?i)[\x41-\x5A]` (it folds the escape into a class before the range).
    fn class_char(&mut self) -> Option<char> {
        if self.peek(0) == Some('\\') {
            let (text, lit) = self.escape();
            match lit.filter(char::is_ascii_alphabetic) {
                Some(letter) => self.out.push(letter),
                None => self.out.push_str(&text),
            }
            lit
        } else {
            let c = self.peek(0);
            self.copy(1);
            c
        }
    }
}

/// `\W` under case folding: no ASCII word character, LONG S or KELVIN SIGN.
const NOT_WORD_FOLDED: &str = r"\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x{17E}\x{180}-\x{2129}\x{212B}-\x{10FFFF}";

/// An ASCII class `[:name:]` or `[:^name:]` as the regex crate folds it,
/// written as plain class members (`None`: no change). Folding a class that
/// holds a letter adds the other case, and `k`, `s` bring KELVIN SIGN and
/// LONG S; a negated class is folded before it is negated, so it excludes all
/// of those, which only explicit ranges can say here.
fn posix_folded(class: &str) -> Option<String> {
    let name = class.trim_start_matches("[:").trim_end_matches(":]");
    let (negated, name) = match name.strip_prefix('^') {
        Some(n) => (true, n),
        None => (false, name),
    };
    let ascii: &[(u8, u8)] = match name {
        "alpha" => &[(b'A', b'Z'), (b'a', b'z')],
        "alnum" => &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
        "word" => &[(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')],
        "lower" | "upper" => &[(b'A', b'Z'), (b'a', b'z')],
        "graph" => &[(b'!', b'~')],
        "print" => &[(b' ', b'~')],
        _ => return None,
    };
    let mut members: Vec<(u32, u32)> = ascii.iter().map(|&(a, b)| (u32::from(a), u32::from(b))).collect();
    members.extend([(0x17F, 0x17F), (0x212A, 0x212A)]);
    if negated {
        let mut gaps = Vec::new();
        let mut next = 0u32;
        for &(a, b) in &members {
            if a > next {
                gaps.push((next, a - 1));
            }
            next = b + 1;
        }
        gaps.push((next, 0x10FFFF));
        members = gaps;
    }
    let text = |cp: u32| {
        char::from_u32(cp).filter(char::is_ascii_alphanumeric).map_or_else(|| format!("\\x{{{cp:X}}}"), String::from)
    };
    Some(members.iter().map(|&(a, b)| if a == b { text(a) } else { format!("{}-{}", text(a), text(b)) }).collect())
}

fn swap_ascii_case(c: char) -> char {
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c.to_ascii_uppercase()
    }
}

/// Whether an orbit holds more than the engine folds by itself (ASCII pairs).
fn needs_class(members: &[char]) -> bool {
    members.len() > 1 && members.iter().any(|m| !m.is_ascii())
}

/// Writes class members (letters, which need no escaping), consecutive ones as ranges.
fn push_runs(out: &mut String, mut members: Vec<char>) {
    crate::base::sort::sort_dedup_char(&mut members);
    let mut i = 0;
    while i < members.len() {
        let mut j = i;
        while j + 1 < members.len() && u32::from(members[j + 1]) == u32::from(members[j]) + 1 {
            j += 1;
        }
        if j >= i + 2 {
            out.push(members[i]);
            out.push('-');
            out.push(members[j]);
        } else {
            out.extend(&members[i..=j]);
        }
        i = j + 1;
    }
}

/// Adds to `into` the orbit members of every letter in `lo..=hi`.
fn add_range_orbits(lo: char, hi: char, into: &mut Vec<char>) {
    if hi < lo {
        return; // the engine reports the bad range
    }
    let in_range = |c: &char| (lo..=hi).contains(c);
    // Only members outside the range are added: a wide range (`[\x{80}-\x{10FFFF}]`)
    // then adds a handful, not every cased letter, and no pattern grows much.
    let mut add = |c: char| {
        if !in_range(&c) {
            into.push(c);
        }
    };
    for (ascii, other) in [('k', '\u{212A}'), ('K', '\u{212A}'), ('s', '\u{17F}'), ('S', '\u{17F}')] {
        if in_range(&ascii) {
            add(other);
        }
    }
    // regex-lite folds a range that spans both cases only partly (`(?i)[?-i]`
    // misses `k`), so ASCII counterparts are listed too.
    let one_case =
        (lo.is_ascii_lowercase() && hi.is_ascii_lowercase()) || (lo.is_ascii_uppercase() && hi.is_ascii_uppercase());
    if lo < hi && lo.is_ascii() && !one_case {
        (lo..=hi.min('\u{7F}')).filter(char::is_ascii_alphabetic).map(swap_ascii_case).for_each(&mut add);
    }
    if hi.is_ascii() {
        return;
    }
    let table = table();
    let mut keys: Vec<char> = table.iter().filter(|(k, m)| in_range(k) || in_range(m)).map(|(k, _)| *k).collect();
    crate::base::sort::sort_dedup_char(&mut keys);
    for key in keys {
        members_of(table, key).for_each(&mut add);
        add(key);
    }
}

fn members_of(table: &[(char, char)], key: char) -> impl Iterator<Item = char> + '_ {
    let from = table.partition_point(|(k, _)| *k < key);
    table[from..].iter().take_while(move |(k, _)| *k == key).map(|(_, m)| *m)
}

/// The letters case-insensitively equal to `c`, `c` included, sorted.
pub fn orbit(c: char) -> Vec<char> {
    if c.is_ascii() {
        let mut members = match c.to_ascii_lowercase() {
            'k' => vec!['K', 'k', '\u{212A}'],
            's' => vec!['S', 's', '\u{17F}'],
            _ => vec![c.to_ascii_uppercase(), c.to_ascii_lowercase()],
        };
        members.dedup();
        return members;
    }
    let key = fold_key(c);
    let mut members: Vec<char> = members_of(table(), key).collect();
    members.push(c);
    members.push(key);
    crate::base::sort::sort_dedup_char(&mut members);
    members
}

/// The representative of `c`'s orbit (Unicode's simple case folding): its
/// lowercase when that is one character, except for the letters below, which
/// are lowercase already but fold to another lowercase letter (and three
/// whose folding joins two precomposed forms). The exhaustive test against the
/// regex crate's tables keeps this list honest; it avoids the standard
/// library's uppercase table, which the WebAssembly build would otherwise carry.
pub fn fold_key(c: char) -> char {
    const FOLDS: &[(char, char)] = &[
        ('\u{B5}', '\u{3BC}'),
        ('\u{17F}', 's'),
        ('\u{345}', '\u{3B9}'),
        ('\u{3C2}', '\u{3C3}'),
        ('\u{3D0}', '\u{3B2}'),
        ('\u{3D1}', '\u{3B8}'),
        ('\u{3D5}', '\u{3C6}'),
        ('\u{3D6}', '\u{3C0}'),
        ('\u{3F0}', '\u{3BA}'),
        ('\u{3F1}', '\u{3C1}'),
        ('\u{3F5}', '\u{3B5}'),
        ('\u{1C80}', '\u{432}'),
        ('\u{1C81}', '\u{434}'),
        ('\u{1C82}', '\u{43E}'),
        ('\u{1C83}', '\u{441}'),
        ('\u{1C84}', '\u{442}'),
        ('\u{1C85}', '\u{442}'),
        ('\u{1C86}', '\u{44A}'),
        ('\u{1C87}', '\u{463}'),
        ('\u{1C88}', '\u{A64B}'),
        ('\u{1E9B}', '\u{1E61}'),
        ('\u{1FBE}', '\u{3B9}'),
        ('\u{1FD3}', '\u{390}'),
        ('\u{1FE3}', '\u{3B0}'),
        ('\u{FB05}', '\u{FB06}'),
    ];
    match FOLDS.binary_search_by_key(&c, |&(from, _)| from) {
        Ok(i) => FOLDS[i].1,
        Err(_) => crate::base::case::char_lowercase_single(c).unwrap_or(c),
    }
}

/// `(fold key, letter)` for every letter that is not its own key, sorted by key.
/// Built on first use (a pass over the planes that hold cased letters).
fn table() -> &'static [(char, char)] {
    static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries: Vec<(char, char)> =
            (0..0x1F000u32).filter_map(char::from_u32).map(|c| (fold_key(c), c)).filter(|&(key, c)| key != c).collect();
        // One entry per letter, so no two are equal and the dedup drops nothing.
        crate::base::sort::sort_dedup(
            &mut entries,
            |(k, c)| u64::from(k) << 32 | u64::from(c),
            |x| {
                (
                    char::from_u32((x >> 32) as u32).unwrap_or(char::REPLACEMENT_CHARACTER),
                    char::from_u32(x as u32).unwrap_or(char::REPLACEMENT_CHARACTER),
                )
            },
        );
        entries
    })
}

#[cfg(test)]
mod tests {
    use super::{expand, orbit};

    #[test]
    fn orbits() {
        assert_eq!(orbit('σ'), vec!['Σ', 'ς', 'σ']);
        assert_eq!(orbit('é'), vec!['É', 'é']);
        assert_eq!(orbit('k'), vec!['K', 'k', '\u{212A}']);
        assert_eq!(orbit('ı'), vec!['ı']);
        assert_eq!(orbit('ß'), vec!['ß', 'ẞ']);
        assert_eq!(orbit('x'), vec!['X', 'x']);
        assert_eq!(orbit('1'), vec!['1']);
    }

    /// A hostile 60 KB pattern of wide or case-heavy classes stays within a
    /// small multiple of its size (members inside a range are not repeated).
    #[test]
    fn growth_is_bounded() {
        for unit in [r"[\x{80}-\x{10FFFF}]", "[Α-Ωа-я]", "[\u{10400}-\u{1044F}]", "ǅé"] {
            let pattern = unit.repeat(60_000 / unit.len());
            let out = expand(&pattern, true);
            assert!(out.len() <= 6 * pattern.len(), "{unit}: {} -> {}", pattern.len(), out.len());
        }
    }

    #[test]
    fn rewrites() {
        assert_eq!(expand("abc", true), "abc");
        assert_eq!(expand("é", false), "é");
        assert_eq!(expand("é", true), "[Éé]");
        assert_eq!(expand("(?i)é(?-i)é", false), "(?i)[Éé](?-i)é");
        assert_eq!(expand("(?i:é)é", false), "(?i:[Éé])é");
        assert_eq!(expand("((?i)é)é", false), "((?i)[Éé])é");
        assert_eq!(expand(r"\x{e9}+", true), r"[\x{e9}É]+");
        assert_eq!(expand("[^é-ë]", true), "[^é-ëÉ-Ë]");
        assert_eq!(expand(r"[\x{80}-\x{10FFFF}]", true), "[\\x{80}-\\x{10FFFF}KSks]");
        assert_eq!(expand("[a-c]", true), "[a-c]");
        assert_eq!(expand("[j-l]", true), "[j-l\u{212A}]");
        assert_eq!(expand(r"[\]é][[:digit:]]", true), r"[\]éÉ][[:digit:]]");
        assert_eq!(expand(r"[[:alpha:]]", true), r"[A-Za-z\x{17F}\x{212A}]");
        assert_eq!(expand(r"[\x41-\x{5A}]", true), "[A-Z\u{17F}\u{212A}]");
        assert_eq!(expand("sk", true), "[Ss\u{17F}][Kk\u{212A}]");
        assert_eq!(expand(r"\bs\p{L}", true), "\\b[Ss\u{17F}]\\p{L}");
        assert_eq!(expand(r"\w[\w]", true), "[\u{17F}\u{212A}\\w][\u{17F}\u{212A}\\w]");
        assert_eq!(expand("[z-]", true), "[z-]");
        assert_eq!(expand("[zA-Z-]", true), "[zA-Z\u{17F}\u{212A}-]");
        assert_eq!(expand(r"[a\-]", true), r"[a\-]");
        assert_eq!(expand(r"\w", false), r"\w");
        assert!(expand(r"\W", true).starts_with(r"[\x00-\x2F"));
        assert_eq!(expand(r"\w[\w]", true), "[\u{17F}\u{212A}\\w][\u{17F}\u{212A}\\w]");
        assert_eq!(expand("[z-]", true), "[z-]");
        assert_eq!(expand("[zA-Z-]", true), "[zA-Z\u{17F}\u{212A}-]");
        assert_eq!(expand(r"[a\-]", true), r"[a\-]");
        assert_eq!(expand(r"\w", false), r"\w");
        assert_eq!(expand("(?x) é # é\nk", true), "(?x) [Éé] # é\n[Kk\u{212A}]");
    }
}

#[cfg(test)]
mod against_regex_syntax {
    use super::orbit;
    use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

    /// Every character's orbit equals the regex crate's simple case folding
    /// (the semantics of the native build), over the planes with cased letters.
    #[test]
    fn orbits_match_the_regex_crate() {
        let mut differ = Vec::new();
        // Letters new in Unicode 17, which the standard library knows and the
        // regex crate's tables predate: the lite build folds them, the native one not.
        let newer = |c: char| matches!(c as u32, 0xA7CE..=0xA7D5 | 0x16EA0..=0x16EDF);
        for c in (0..0x1F000u32).filter_map(char::from_u32).filter(|&c| !newer(c)) {
            let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
            class.case_fold_simple();
            let theirs: Vec<char> = class.iter().flat_map(|r| r.start()..=r.end()).collect();
            if theirs != orbit(c) {
                differ.push((c, theirs, orbit(c)));
            }
        }
        assert!(differ.is_empty(), "{} differ, e.g. {:?}", differ.len(), &differ[..differ.len().min(8)]);
    }
}
