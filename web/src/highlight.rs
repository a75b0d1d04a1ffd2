//! Syntax highlighting as data: tokenizers for YAML (Sigma rules, pipelines),
//! JSON (events) and KQL, and [`segments`], which cuts a text into runs of one
//! token kind and one set of marks (diagnostics, highlighted rule parts).
//!
//! Everything here is pure and linear in the input; it never panics and never
//! produces markup: the editor turns segments into Yew text nodes.

use std::ops::Range;

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
        Lang::Yaml => yaml(text),
        Lang::Json => json(text),
        Lang::Kql => kql(text),
        Lang::Events => match text.trim_start().as_bytes().first() {
            Some(b'{') | Some(b'[') => json(text),
            _ => yaml(text),
        },
    }
}

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

fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s.is_empty() {
        return false;
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit());
    }
    let mut digits = 0;
    let mut dots = 0;
    for c in s.bytes() {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            _ => return false,
        }
    }
    digits > 0 && dots <= 1
}

fn yaml_scalar_tok(s: &str) -> Tok {
    let t = s.trim();
    match t {
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~" | "yes" | "no" => {
            Tok::Lit
        }
        _ if is_number(t) => Tok::Num,
        _ => Tok::Str,
    }
}

/// YAML, line by line: comments, keys (with `|modifier` parts), quoted and plain
/// scalars, numbers, literals, list dashes, flow punctuation, block scalars,
/// anchors, aliases and tags, document markers.
pub fn yaml(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Indentation of the key that opened a block scalar (`|` or `>`), while inside it.
    let mut block: Option<usize> = None;
    let mut line_start = 0;
    while line_start <= b.len() {
        let line_end = memchr_nl(b, line_start);
        let line = &b[line_start..line_end];
        let indent = line.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
        let blank = indent == line.len();
        if let Some(key_indent) = block {
            if blank || indent > key_indent {
                push(&mut out, line_start + indent, line_end, Tok::Str);
                line_start = line_end + 1;
                continue;
            }
            block = None;
        }
        if !blank {
            if let Some(opened) = yaml_line(text, line_start, line_start + indent, line_end, &mut out) {
                block = Some(opened.min(indent));
            }
        }
        line_start = line_end + 1;
    }
    out
}

fn memchr_nl(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| from + p)
}

/// Tokens of one non-blank line; returns the indentation of the key when the
/// line opens a block scalar.
fn yaml_line(text: &str, line_start: usize, first: usize, end: usize, out: &mut Vec<Token>) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = first;
    let rest = &text[first..end];
    if rest.starts_with("---") || rest.starts_with("...") {
        push(out, i, i + 3, Tok::Marker);
        i += 3;
    }
    // List dashes, possibly several (`- - a`).
    loop {
        while i < end && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i < end && b[i] == b'-' && (i + 1 == end || b[i + 1] == b' ' || b[i + 1] == b'\t') {
            push(out, i, i + 1, Tok::Punct);
            i += 1;
        } else {
            break;
        }
    }
    if i >= end {
        return None;
    }
    let key_col = i - line_start;
    if b[i] == b'#' {
        push(out, i, end, Tok::Comment);
        return None;
    }
    // A key: plain up to `: `/`:` at end of line, or quoted then `:`.
    let key_end = if b[i] == b'"' || b[i] == b'\'' {
        let q = quoted_end(b, i, b[i], b[i] == b'"', b[i] == b'\'');
        let mut j = q;
        while j < end && b[j] == b' ' {
            j += 1;
        }
        (j < end && b[j] == b':' && (j + 1 == end || matches!(b[j + 1], b' ' | b'\t'))).then_some((q, j))
    } else if b[i] != b'[' && b[i] != b'{' {
        let mut j = i;
        let mut found = None;
        while j < end {
            match b[j] {
                b':' if j + 1 == end || matches!(b[j + 1], b' ' | b'\t') => {
                    found = Some((j, j));
                    break;
                }
                b' ' | b'\t' if b.get(j + 1) == Some(&b'#') => break,
                _ => j += 1,
            }
        }
        found
    } else {
        None
    };
    if let Some((kend, colon)) = key_end {
        let key = &text[i..kend];
        // `Field|mod|mod`: the field as a key, the modifiers apart.
        match key.find('|') {
            Some(p) if !key.starts_with(['"', '\'']) => {
                push(out, i, i + p, Tok::Key);
                push(out, i + p, kend, Tok::Modifier);
            }
            _ => push(out, i, kend, Tok::Key),
        }
        push(out, colon, colon + 1, Tok::Punct);
        i = colon + 1;
    }
    yaml_value(text, i, end, out, key_col)
}

/// The value part of a line (after `key:` or a dash, or a whole flow line).
fn yaml_value(text: &str, mut i: usize, end: usize, out: &mut Vec<Token>, key_col: usize) -> Option<usize> {
    let b = text.as_bytes();
    while i < end && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i >= end {
        return None;
    }
    // Anchors, aliases and tags before the value.
    while i < end && matches!(b[i], b'&' | b'*' | b'!') {
        let s = i;
        while i < end && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        push(out, s, i, Tok::Marker);
        while i < end && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
    }
    if i >= end {
        return None;
    }
    match b[i] {
        b'|' | b'>' => {
            let mut j = i + 1;
            while j < end && matches!(b[j], b'+' | b'-' | b'0'..=b'9') {
                j += 1;
            }
            push(out, i, j, Tok::Punct);
            comment_rest(b, j, end, out);
            Some(key_col)
        }
        b'#' => {
            push(out, i, end, Tok::Comment);
            None
        }
        _ => {
            yaml_flow(text, i, end, out);
            None
        }
    }
}

fn comment_rest(b: &[u8], from: usize, end: usize, out: &mut Vec<Token>) {
    if let Some(p) = b[from..end].iter().position(|c| *c == b'#') {
        push(out, from + p, end, Tok::Comment);
    }
}

/// Scalars and flow collections up to the end of the line.
fn yaml_flow(text: &str, mut i: usize, end: usize, out: &mut Vec<Token>) {
    let b = text.as_bytes();
    let mut depth = 0usize;
    while i < end {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t') => {
                push(out, i, end, Tok::Comment);
                return;
            }
            b'[' | b'{' => {
                depth += 1;
                push(out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                push(out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b',' if depth > 0 => {
                push(out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b':' if depth > 0 => {
                push(out, i, i + 1, Tok::Punct);
                i += 1;
            }
            b'"' | b'\'' => {
                let q = quoted_end(b, i, b[i], b[i] == b'"', b[i] == b'\'');
                push(out, i, q.min(end), Tok::Str);
                i = q.min(end).max(i + 1);
            }
            _ => {
                // A plain scalar: to the end of the line, or to a flow delimiter inside a collection,
                // or to ` #`.
                let s = i;
                while i < end {
                    let c = b[i];
                    if depth > 0 && matches!(c, b',' | b']' | b'}') {
                        break;
                    }
                    if depth > 0 && c == b':' && (i + 1 == end || matches!(b[i + 1], b' ' | b',')) {
                        break;
                    }
                    if c == b'#' && i > s && matches!(b[i - 1], b' ' | b'\t') {
                        break;
                    }
                    i += 1;
                }
                let mut e = i;
                while e > s && matches!(b[e - 1], b' ' | b'\t') {
                    e -= 1;
                }
                if let Some(scalar) = text.get(s..e) {
                    push(out, s, e, yaml_scalar_tok(scalar));
                }
            }
        }
    }
}

/// JSON (and JSON lines): strings (keys apart from values), numbers, literals, punctuation.
pub fn json(text: &str) -> Vec<Token> {
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

const KQL_KEYWORDS: &[&str] = &[
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
pub fn kql(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let e = memchr_nl(b, i);
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
                    push(&mut out, s, e, if KQL_KEYWORDS.contains(&w) { Tok::Keyword } else { Tok::Operator });
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
                let tok = if KQL_KEYWORDS.contains(&w) {
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

/// Byte offset of a char offset (clamped to the text's end).
pub fn byte_of_char(text: &str, char_offset: usize) -> usize {
    text.char_indices().nth(char_offset).map_or(text.len(), |(b, _)| b)
}

/// UTF-16 offset (what a `<textarea>` selection counts) of a char offset.
pub fn utf16_of_char(text: &str, char_offset: usize) -> u32 {
    text.chars().take(char_offset).map(|c| c.len_utf16() as u32).sum()
}

/// Maps char offsets to byte offsets in one pass for many (sorted or not) queries.
pub struct CharIndex {
    /// Byte offset of every 64th char.
    every: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut every = Vec::with_capacity(text.len() / 64 + 1);
        for (n, (b, _)) in text.char_indices().enumerate() {
            if n % 64 == 0 {
                every.push(b);
            }
        }
        CharIndex { every }
    }

    pub fn byte(&self, text: &str, char_offset: usize) -> usize {
        let block = char_offset / 64;
        let Some(&base) = self.every.get(block) else { return text.len() };
        text[base..].char_indices().nth(char_offset % 64).map_or(text.len(), |(b, _)| base + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds<'a>(text: &'a str, toks: &[Token]) -> Vec<(&'a str, Tok)> {
        toks.iter().map(|(r, t)| (&text[r.clone()], *t)).collect()
    }

    #[test]
    fn yaml_keys_modifiers_values() {
        let text = "title: Test # c\ndetection:\n  sel:\n    Image|endswith:\n      - '\\cmd.exe'\n    EventID: 4688\n    Flag: true\n";
        let k = kinds(text, &yaml(text));
        assert!(k.contains(&("title", Tok::Key)));
        assert!(k.contains(&("Test", Tok::Str)));
        assert!(k.contains(&("# c", Tok::Comment)));
        assert!(k.contains(&("Image", Tok::Key)));
        assert!(k.contains(&("|endswith", Tok::Modifier)));
        assert!(k.contains(&("'\\cmd.exe'", Tok::Str)));
        assert!(k.contains(&("-", Tok::Punct)));
        assert!(k.contains(&("4688", Tok::Num)));
        assert!(k.contains(&("true", Tok::Lit)));
    }

    #[test]
    fn yaml_block_scalars_and_flow() {
        let text = "description: |\n    line one: not a key\n    two\nlevel: high\ntags: [a, 'b', 3]\n";
        let k = kinds(text, &yaml(text));
        assert!(k.contains(&("line one: not a key", Tok::Str)), "{k:?}");
        assert!(k.contains(&("level", Tok::Key)));
        assert!(k.contains(&("a", Tok::Str)));
        assert!(k.contains(&("'b'", Tok::Str)));
        assert!(k.contains(&("3", Tok::Num)));
        assert!(k.contains(&("[", Tok::Punct)));
    }

    #[test]
    fn json_keys_and_values() {
        let text = "{\"a\": \"x\\\"y\", \"n\": -1.5e3, \"b\": [true, null]}\n{\"c\":1}";
        let k = kinds(text, &json(text));
        assert!(k.contains(&("\"a\"", Tok::Key)));
        assert!(k.contains(&("\"x\\\"y\"", Tok::Str)));
        assert!(k.contains(&("-1.5e3", Tok::Num)));
        assert!(k.contains(&("null", Tok::Lit)));
        assert!(k.contains(&("\"c\"", Tok::Key)));
    }

    #[test]
    fn kql_tokens() {
        let text = "imNetworkSession\n| where (DstHostname endswith \".localto.net\" or X in~ (@\"a\\b\", 'c')) and ipv4_is_in_range(Ip, \"10.0.0.0/8\") // c";
        let k = kinds(text, &kql(text));
        assert!(k.contains(&("where", Tok::Keyword)));
        assert!(k.contains(&("endswith", Tok::Keyword)));
        assert!(k.contains(&("in~", Tok::Keyword)));
        assert!(k.contains(&("\".localto.net\"", Tok::Str)));
        assert!(k.contains(&("@\"a\\b\"", Tok::Str)));
        assert!(k.contains(&("ipv4_is_in_range", Tok::Func)));
        assert!(k.contains(&("// c", Tok::Comment)));
    }

    #[test]
    fn segments_cover_text_and_split_at_marks() {
        let text = "key: value\nx: é\n";
        let toks = yaml(text);
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

    #[test]
    fn offsets() {
        let t = "a😀b";
        assert_eq!(byte_of_char(t, 2), 5);
        assert_eq!(utf16_of_char(t, 2), 3);
        let idx = CharIndex::new(t);
        assert_eq!(idx.byte(t, 2), 5);
        assert_eq!(idx.byte(t, 9), t.len());
        let long: String = "é".repeat(200);
        let idx = CharIndex::new(&long);
        assert_eq!(idx.byte(&long, 130), 260);
    }
}
