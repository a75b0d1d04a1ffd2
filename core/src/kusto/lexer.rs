//! KQL tokens with byte spans. Strings are decoded here (all Kusto forms:
//! `'..'`, `".."`, verbatim `@'..'`/`@".."`, obfuscated `h".."`), so the
//! parser only sees values.

use super::value::MICROS_PER_DAY;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifiers and keywords; `['name']` brackets give `quoted = true`.
    Ident(String, bool),
    Str(String),
    Long(i64),
    Real(f64),
    Timespan(i64),
    /// Punctuation and symbolic operators (`==`, `=~`, `!contains`, `in~`, `..`).
    Op(&'static str),
    /// A word operator with its `!` or `~` attached: `!contains`, `in~`, `!in~`, `!has`.
    WordOp(String),
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offsets into the query, end exclusive.
    pub start: usize,
    pub end: usize,
}

/// A lexing error: message and byte range.
pub type LexError = (String, usize, usize);

const PUNCT: &[&str] = &[
    "==", "=~", "!=", "!~", "<=", ">=", "..", "<>", "|", "(", ")", "[", "]", "{", "}", ",", ";", ".", "*", "+", "-",
    "/", "%", "<", ">", "=", ":",
];

pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        let tok = if c == b'"' || c == b'\'' {
            let (s, next) = regular_string(src, i)?;
            i = next;
            Tok::Str(s)
        } else if (c == b'@' || c == b'h' || c == b'H') && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
            let (s, next) = if c == b'@' { verbatim_string(src, i + 1)? } else { regular_string(src, i + 1)? };
            i = next;
            Tok::Str(s)
        } else if (c == b'h' || c == b'H') && b.get(i + 1) == Some(&b'@') && matches!(b.get(i + 2), Some(b'"' | b'\''))
        {
            let (s, next) = verbatim_string(src, i + 2)?;
            i = next;
            Tok::Str(s)
        } else if c.is_ascii_digit() {
            let (t, next) = number(src, i)?;
            i = next;
            t
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let end = ident_end(b, i);
            let word = &src[i..end];
            i = end;
            if b.get(i) == Some(&b'~') && word.eq_ignore_ascii_case("in") {
                i += 1;
                Tok::WordOp(format!("{word}~"))
            } else if b.get(i) == Some(&b'-') && is_dashed_word(word, src.get(i + 1..).unwrap_or("")).is_some() {
                let tail = is_dashed_word(word, src.get(i + 1..).unwrap_or("")).unwrap_or("");
                i += 1 + tail.len();
                Tok::Ident(format!("{word}-{tail}"), false)
            } else {
                Tok::Ident(word.to_string(), false)
            }
        } else if c == b'!' && b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
            let end = ident_end(b, i + 1);
            let mut word = format!("!{}", &src[i + 1..end]);
            i = end;
            if b.get(i) == Some(&b'~') {
                word.push('~');
                i += 1;
            }
            Tok::WordOp(word)
        } else if let Some((name, next)) = bracketed_name(src, i) {
            i = next;
            Tok::Ident(name, true)
        } else if let Some(p) = PUNCT.iter().find(|p| src[i..].starts_with(**p)) {
            i += p.len();
            Tok::Op(p)
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err((format!("unexpected character '{ch}'"), i, i + ch.len_utf8()));
        };
        out.push(Token { tok, start, end: i });
    }
    out.push(Token { tok: Tok::Eof, start: b.len(), end: b.len() });
    Ok(out)
}

/// `['name']` / `["name"]`: a column name that is not an identifier. `["a", "b"]`
/// (an array in `dynamic(...)`) is not one: the string must close the bracket.
fn bracketed_name(src: &str, i: usize) -> Option<(String, usize)> {
    let b = src.as_bytes();
    if b.get(i) != Some(&b'[') || !matches!(b.get(i + 1), Some(b'"' | b'\'')) {
        return None;
    }
    let (s, next) = regular_string(src, i + 1).ok()?;
    (b.get(next) == Some(&b']')).then_some((s, next + 1))
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
        i += 1;
    }
    i
}

/// Operator names written with a dash: `project-away`, `mv-expand`, ...
fn is_dashed_word<'a>(word: &str, rest: &'a str) -> Option<&'a str> {
    const DASHED: &[(&str, &str)] = &[
        ("project", "away"),
        ("project", "keep"),
        ("project", "rename"),
        ("project", "reorder"),
        ("mv", "expand"),
        ("mv", "apply"),
        ("parse", "where"),
        ("make", "series"),
        ("top", "nested"),
        ("top", "hitters"),
        ("parse", "kv"),
    ];
    DASHED.iter().find_map(|(w, tail)| {
        let follows = rest.starts_with(tail)
            && !rest.as_bytes().get(tail.len()).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        (w.eq_ignore_ascii_case(word) && follows).then(|| &rest[..tail.len()])
    })
}

/// A `'..'` or `".."` string with backslash escapes starting at the quote at `i`.
fn regular_string(src: &str, i: usize) -> Result<(String, usize), LexError> {
    let quote = src.as_bytes()[i] as char;
    let mut out = String::new();
    let mut chars = src[i + 1..].char_indices();
    while let Some((k, ch)) = chars.next() {
        let at = i + 1 + k;
        match ch {
            c if c == quote => return Ok((out, at + 1)),
            '\n' => return Err(("a string literal cannot span lines (use a ``` string)".into(), i, at)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) if hex.len() == 4 => out.push(c),
                            _ => {
                                return Err((
                                    "invalid \\u escape (expected 4 hex digits)".into(),
                                    at,
                                    at + 2 + hex.len(),
                                ))
                            }
                        }
                    }
                    other => {
                        return Err((
                            format!("unknown escape sequence '\\{other}' in a string literal"),
                            at,
                            at + 1 + other.len_utf8(),
                        ))
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(("unterminated string literal".into(), i, src.len()))
}

/// `@"..."`: no escapes; a doubled quote stands for one quote.
fn verbatim_string(src: &str, i: usize) -> Result<(String, usize), LexError> {
    let quote = src.as_bytes()[i] as char;
    let mut out = String::new();
    let mut chars = src[i + 1..].char_indices().peekable();
    while let Some((k, ch)) = chars.next() {
        if ch == quote {
            if chars.peek().map(|(_, c)| *c) == Some(quote) {
                chars.next();
                out.push(quote);
                continue;
            }
            return Ok((out, i + 1 + k + 1));
        }
        if ch == '\n' {
            return Err(("a string literal cannot span lines".into(), i - 1, i + 1 + k));
        }
        out.push(ch);
    }
    Err(("unterminated string literal".into(), i - 1, src.len()))
}

/// Integers, reals, hex, and timespans (`1d`, `2h`, `30m`, `10s`, `5ms`).
fn number(src: &str, i: usize) -> Result<(Tok, usize), LexError> {
    let b = src.as_bytes();
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
        let end = ident_end(b, i + 2);
        return i64::from_str_radix(&src[i + 2..end], 16)
            .map(|n| (Tok::Long(n), end))
            .map_err(|_| ("invalid hexadecimal number".to_string(), i, end));
    }
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    let mut real = false;
    if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
        real = true;
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if matches!(b.get(j), Some(b'e' | b'E'))
        && (b.get(j + 1).is_some_and(u8::is_ascii_digit)
            || (matches!(b.get(j + 1), Some(b'+' | b'-')) && b.get(j + 2).is_some_and(u8::is_ascii_digit)))
    {
        real = true;
        j += 2;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    let text = &src[i..j];
    let unit_end = ident_end(b, j);
    if unit_end > j {
        let unit = src[j..unit_end].to_ascii_lowercase();
        let per: f64 = match unit.as_str() {
            "d" | "day" | "days" => MICROS_PER_DAY as f64,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000_000.0,
            "m" | "min" | "minute" | "minutes" => 60_000_000.0,
            "s" | "sec" | "second" | "seconds" => 1_000_000.0,
            "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1000.0,
            "microsecond" | "microseconds" => 1.0,
            "tick" | "ticks" => 0.1,
            _ => return Err((format!("unknown number suffix '{unit}'"), i, unit_end)),
        };
        let n: f64 = crate::base::float::parse_f64(text).ok_or_else(|| ("invalid number".to_string(), i, unit_end))?;
        let us = n * per;
        if !us.is_finite() || us.abs() > 9.2e18 {
            return Err(("timespan out of range".into(), i, unit_end));
        }
        return Ok((Tok::Timespan(us as i64), unit_end));
    }
    if real {
        crate::base::float::parse_f64(text)
            .map(|f| (Tok::Real(f), j))
            .ok_or_else(|| ("invalid number".to_string(), i, j))
    } else {
        match text.parse::<i64>() {
            Ok(n) => Ok((Tok::Long(n), j)),
            Err(_) => crate::base::float::parse_f64(text)
                .map(|f| (Tok::Real(f), j))
                .ok_or_else(|| ("invalid number".to_string(), i, j)),
        }
    }
}
