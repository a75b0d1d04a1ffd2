//! The parse events of plain block YAML, read line by line instead of
//! through saphyr-parser's scanner, which copies every scalar char by char
//! (it was about a third of converting a rule folder).
//!
//! Only a subset is read here: block mappings with plain keys, block
//! sequences (also compact `- key: value` and indentless ones), one-line plain,
//! single-quoted and escape-free double-quoted scalars, literal block scalars
//! (`|`, `|-`) of the plain shape, comments, blank lines and `---` between
//! documents. Nearly every Sigma rule is written so. Anything else (flow
//! collections, folded and other block scalars, multi-line plain scalars, anchors, tags, tabs,
//! CR, escapes, empty documents, ...) makes [`events`] answer `None`, and the
//! caller asks saphyr-parser instead. When it answers, the events and their
//! spans are saphyr-parser's, event for event: the tests hold the two together
//! on every corpus file and on generated documents.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle, Span};

/// Nesting deeper than this is left to saphyr-parser (and its depth limit in the caller).
const MAX_DEPTH: usize = 64;
/// saphyr-parser refuses implicit keys longer than 1024 characters; longer lines go there.
const MAX_KEY_BYTES: usize = 1000;

/// One line of the text, without its `\n`.
struct Line {
    start: usize,
    end: usize,
    /// Where the content starts, in bytes from `start` (spaces only before it,
    /// so also in characters). A compact `- key: v` moves it past the dash.
    indent: usize,
    /// Characters before `start`.
    chars_before: usize,
    ascii: bool,
    /// Blank or comment only.
    empty: bool,
}

struct Reader<'a> {
    text: &'a str,
    lines: Vec<Line>,
    cur: usize,
    out: Vec<(Event<'a>, Span)>,
    eof: Marker,
}

/// The events saphyr-parser would give for `text`, or `None` when the text
/// leaves the subset this module reads.
pub fn events(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    let mut r = Reader::new(text)?;
    r.stream()?;
    Some(r.out)
}

fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Option<Reader<'a>> {
        let mut lines = Vec::with_capacity(text.len() / 24 + 1);
        let (mut start, mut chars_before) = (0usize, 0usize);
        let bytes = text.as_bytes();
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', bytes.get(start..)?).map_or(bytes.len(), |i| start + i);
            let line = bytes.get(start..end)?;
            // One pass without early exit (it vectorises): control characters
            // (tabs, CR, NUL, ...) have rules of their own, so they go to saphyr-parser.
            let (mut control, mut any) = (false, 0u8);
            for &b in line {
                control |= b < 0x20 || b == 0x7f;
                any |= b;
            }
            let ascii = any < 0x80;
            let text_line = text.get(start..end)?;
            if control || (!ascii && text_line.contains('\u{feff}')) {
                return None;
            }
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let chars = if ascii { line.len() } else { text_line.chars().count() };
            let empty = matches!(line.get(indent), None | Some(b'#'));
            if indent == 0 && !empty {
                // Other document markers and directives are left to saphyr-parser.
                Self::is_marker_line(line)?;
            }
            lines.push(Line { start, end, indent, chars_before, ascii, empty });
            chars_before += chars + 1;
            start = end + 1;
        }
        // Past the end, saphyr-parser counts a missing final line break as present
        // (in the line number, not in the index).
        let final_break = text.ends_with('\n');
        let total_chars = chars_before - usize::from(!final_break && !lines.is_empty());
        let newlines = lines.len() - usize::from(!final_break && !lines.is_empty());
        let eof = Marker::new(total_chars, newlines + 1 + usize::from(!final_break), 0);
        Some(Reader { text, lines, cur: 0, out: Vec::with_capacity(text.len() / 12 + 8), eof })
    }

    /// For a line starting in column 0: `Some(true)` for a bare `---`, `Some(false)`
    /// for an ordinary line, `None` for other document markers and directives.
    fn is_marker_line(line: &[u8]) -> Option<bool> {
        let blank_after = |n: usize| line.get(n).is_none_or(|&b| b == b' ');
        if line.starts_with(b"---") && blank_after(3) {
            return line.iter().skip(3).all(|&b| b == b' ').then_some(true);
        }
        if (line.starts_with(b"...") && blank_after(3)) || line.first() == Some(&b'%') {
            return None;
        }
        Some(false)
    }

    fn line(&self) -> Option<&Line> {
        self.lines.get(self.cur)
    }

    fn marker(&self, line_index: usize, pos: usize) -> Option<Marker> {
        let l = self.lines.get(line_index)?;
        let col = if l.ascii { pos.checked_sub(l.start)? } else { self.text.get(l.start..pos)?.chars().count() };
        Some(Marker::new(l.chars_before + col, line_index + 1, col))
    }

    fn point(m: Marker) -> Span {
        Span::new(m, m)
    }

    /// Where the next token starts: the current content line's first character, or the end.
    fn next_token(&self) -> Option<Marker> {
        match self.line() {
            None => Some(self.eof),
            Some(l) => self.marker(self.cur, l.start + l.indent),
        }
    }

    fn skip_empty(&mut self) {
        while self.line().is_some_and(|l| l.empty) {
            self.cur += 1;
        }
    }

    fn at_separator(&self) -> Option<bool> {
        match self.line() {
            None => Some(false),
            Some(l) if l.indent > 0 => Some(false),
            Some(l) => Self::is_marker_line(self.text.as_bytes().get(l.start..l.end)?),
        }
    }

    /// The current line's content from its indent.
    fn content(&self) -> Option<(usize, &'a str)> {
        let l = self.line()?;
        let from = l.start + l.indent;
        Some((from, self.text.get(from..l.end)?))
    }

    /// The `---` of a separator line.
    fn separator_span(&self, line: usize) -> Option<Span> {
        let start = self.lines.get(line)?.start;
        Some(Span::new(self.marker(line, start)?, self.marker(line, start + 3)?))
    }

    fn stream(&mut self) -> Option<()> {
        let start = Marker::new(0, 1, 0);
        self.out.push((Event::StreamStart, Self::point(start)));
        self.skip_empty();
        let first = self.cur;
        if self.at_separator()? {
            let span = self.separator_span(first)?;
            self.out.push((Event::DocumentStart(true), span));
            self.cur += 1;
            self.skip_empty();
        } else {
            self.out.push((Event::DocumentStart(false), Self::point(self.next_token()?)));
        }
        loop {
            // An empty document, or a root that is not in column 0.
            if self.line()?.indent != 0 || self.at_separator()? {
                return None;
            }
            self.block(0)?;
            if self.line().is_none() {
                let end = Self::point(self.eof);
                self.out.push((Event::DocumentEnd, end));
                self.out.push((Event::StreamEnd, end));
                return Some(());
            }
            if !self.at_separator()? {
                return None;
            }
            let sep = self.cur;
            let span = self.separator_span(sep)?;
            self.out.push((Event::DocumentEnd, span));
            self.out.push((Event::DocumentStart(true), span));
            self.cur += 1;
            self.skip_empty();
        }
    }

    /// A block node starting at the current (content) line's indent.
    fn block(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let indent = self.line()?.indent;
        let (_, content) = self.content()?;
        if is_entry(content) {
            self.sequence(indent, depth, false)
        } else if self.key()?.is_some() {
            self.mapping(indent, depth)
        } else {
            None
        }
    }

    /// The current line as `key: ...`: the key's end and the position after
    /// its colon; `Some(None)` when the line is no key line.
    fn key(&self) -> Option<Option<(usize, usize)>> {
        let (from, content) = self.content()?;
        let b = content.as_bytes();
        if b.first().is_none_or(|&c| is_indicator(c)) {
            return Some(None);
        }
        let mut from_i = 0;
        while let Some(i) = memchr::memchr2(b':', b'#', b.get(from_i..)?).map(|k| k + from_i) {
            match b.get(i) {
                Some(b':') if b.get(i + 1).is_none_or(|&n| n == b' ') => {
                    let key_len = content.get(..i)?.trim_end_matches(' ').len();
                    if key_len > MAX_KEY_BYTES {
                        return None;
                    }
                    return Some(Some((from + key_len, from + i + 1)));
                }
                Some(b'#') if b.get(i.wrapping_sub(1)) == Some(&b' ') => return Some(None),
                _ => from_i = i + 1,
            }
        }
        Some(None)
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Option<()> {
        self.out.push((Event::MappingStart(0, None), Self::point(self.next_token()?)));
        loop {
            let (key_end, after_colon) = self.key()??;
            let (from, _) = self.content()?;
            let line = self.cur;
            let key = self.text.get(from..key_end)?;
            let span = Span::new(self.marker(line, from)?, self.marker(line, key_end)?);
            self.out.push((Event::Scalar(Cow::Borrowed(key), ScalarStyle::Plain, 0, None), span));
            let end = self.line()?.end;
            let rest = self.text.get(after_colon..end)?;
            let value_at = after_colon + (rest.len() - rest.trim_start_matches(' ').len());
            let rest = rest.trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                self.cur += 1;
                self.skip_empty();
                match self.line().map(|l| l.indent) {
                    Some(next) if next > indent => self.block(depth + 1)?,
                    Some(next) if next == indent && is_entry(self.content()?.1) => {
                        self.sequence(indent, depth + 1, true)?
                    }
                    _ => {
                        // saphyr-parser puts an empty value at its key's colon.
                        let empty = Self::point(self.marker(line, after_colon - 1)?);
                        self.out.push((Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), empty));
                    }
                }
            } else {
                self.scalar_value(line, value_at, indent)?;
            }
            if !self.same_level(indent)? {
                break;
            }
        }
        self.out.push((Event::MappingEnd, Self::point(self.next_token()?)));
        Some(())
    }

    /// A block sequence whose dashes sit at `indent`; `indentless` when it is
    /// a mapping value at the key's own indent (saphyr-parser then starts it at
    /// the first entry's content, not at its dash).
    fn sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<()> {
        let mut first = true;
        loop {
            let line = self.cur;
            let (dash, content) = self.content()?;
            let after = content.get(1..)?;
            let pad = after.len() - after.trim_start_matches(' ').len();
            let value_at = dash + 1 + pad;
            let rest = after.trim_start_matches(' ');
            if first {
                let at = if indentless { value_at } else { dash };
                self.out.push((Event::SequenceStart(0, None), Self::point(self.marker(line, at)?)));
                first = false;
            }
            if rest.is_empty() || rest.starts_with('#') {
                // An empty entry, or one on the next lines: left to saphyr-parser.
                return None;
            }
            let start = self.lines.get(line)?.start;
            let nested = is_entry(rest);
            if let Some(l) = self.lines.get_mut(line) {
                l.indent = value_at - start;
            }
            if nested || self.key()?.is_some() {
                self.block(depth + 1)?;
            } else {
                self.scalar_value(line, value_at, indent)?;
            }
            if !self.same_level(indent)? || !is_entry(self.content()?.1) {
                break;
            }
        }
        self.out.push((Event::SequenceEnd, Self::point(self.next_token()?)));
        Some(())
    }

    /// A scalar value at `at` on line `line` of a node at `indent` (literal or
    /// on one line); leaves the reader on the next content line.
    fn scalar_value(&mut self, line: usize, at: usize, indent: usize) -> Option<()> {
        if self.text.get(at..)?.starts_with('|') {
            return self.literal(line, at, indent);
        }
        self.inline_scalar(line, at)?;
        self.cur += 1;
        self.skip_empty();
        // A deeper line would continue the scalar (or be an error).
        if self.line().is_some_and(|l| l.indent > indent) {
            return None;
        }
        Some(())
    }

    /// Whether the current line goes on with the node at `indent` (`None`:
    /// a deeper line, which only saphyr-parser can judge).
    fn same_level(&self, indent: usize) -> Option<bool> {
        match self.line() {
            None => Some(false),
            Some(l) if l.indent < indent || self.at_separator()? => Some(false),
            Some(l) if l.indent > indent => None,
            Some(_) => Some(true),
        }
    }

    /// A literal block scalar (`|` or `|-`) whose header is at `at` on line
    /// `line`, inside a node at `parent` indent; leaves the reader on the
    /// first line after it. Only the plain shape: content on the next line,
    /// no blank line before it, no blank line with spaces past the indent.
    fn literal(&mut self, line: usize, at: usize, parent: usize) -> Option<()> {
        let header = self.text.get(at..self.lines.get(line)?.end)?;
        let after = header.get(1..)?;
        let (strip, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let trimmed = after.trim_start_matches(' ');
        if !(trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())) {
            return None;
        }
        let first = line + 1;
        let l = self.lines.get(first)?;
        let indent = l.indent;
        if indent <= parent || l.start + indent == l.end {
            return None;
        }
        let start = self.marker(first, l.start + indent)?;
        let mut value = String::new();
        let mut pending_breaks = 0usize;
        let mut next = first;
        while let Some(l) = self.lines.get(next) {
            if l.start + l.indent == l.end {
                if l.end - l.start > indent {
                    return None;
                }
                pending_breaks += 1;
            } else if l.indent < indent {
                break;
            } else {
                if next > first {
                    value.extend(std::iter::repeat_n('\n', pending_breaks + 1));
                }
                pending_breaks = 0;
                value.push_str(self.text.get(l.start + indent..l.end)?);
            }
            next += 1;
        }
        let end = match self.lines.get(next) {
            Some(l) => self.marker(next, l.start + l.indent.min(indent))?,
            // To the end of the text: only with its final line break.
            None if self.text.ends_with('\n') => self.eof,
            None => return None,
        };
        if !strip {
            value.push('\n');
        }
        self.out.push((Event::Scalar(Cow::Owned(value), ScalarStyle::Literal, 0, None), Span::new(start, end)));
        self.cur = next;
        self.skip_empty();
        Some(())
    }

    /// A scalar that starts at `at` on line `line` and ends on it.
    fn inline_scalar(&mut self, line: usize, at: usize) -> Option<()> {
        let end = self.lines.get(line)?.end;
        let s = self.text.get(at..end)?;
        let b = s.as_bytes();
        let (value, style, len) = match *b.first()? {
            b'\'' => {
                let mut i = 1;
                let mut escaped = false;
                loop {
                    match (b.get(i)?, b.get(i + 1)) {
                        (b'\'', Some(b'\'')) => {
                            escaped = true;
                            i += 2;
                        }
                        (b'\'', _) => break,
                        _ => i += 1,
                    }
                }
                let inner = s.get(1..i)?;
                let value = if escaped { Cow::Owned(inner.replace("''", "'")) } else { Cow::Borrowed(inner) };
                (value, ScalarStyle::SingleQuoted, i + 1)
            }
            b'"' => {
                let close = 1 + memchr::memchr2(b'"', b'\\', b.get(1..)?)?;
                if b.get(close) != Some(&b'"') {
                    return None;
                }
                (Cow::Borrowed(s.get(1..close)?), ScalarStyle::DoubleQuoted, close + 1)
            }
            c if is_indicator(c) && !(c == b'-' && b.get(1).is_some_and(|&n| n != b' ')) => return None,
            _ => {
                // Up to a comment; a `: ` (or a final `:`) would make it a key.
                let mut stop = b.len();
                let mut from_i = 0;
                while let Some(i) = memchr::memchr2(b':', b'#', b.get(from_i..)?).map(|k| k + from_i) {
                    match b.get(i) {
                        Some(b'#') if b.get(i.wrapping_sub(1)) == Some(&b' ') => {
                            stop = i;
                            break;
                        }
                        Some(b':') if b.get(i + 1).is_none_or(|&n| n == b' ') => return None,
                        _ => from_i = i + 1,
                    }
                }
                let value = s.get(..stop)?.trim_end_matches(' ');
                (Cow::Borrowed(value), ScalarStyle::Plain, value.len())
            }
        };
        let mut span_end = at + len;
        if style != ScalarStyle::Plain {
            // After a quoted scalar: spaces, then nothing or a comment. saphyr-parser's
            // span of the scalar runs over them to the end of the line.
            let tail = s.get(len..)?;
            let trimmed = tail.trim_start_matches(' ');
            if !(trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len())) {
                return None;
            }
            span_end = end;
        }
        let span = Span::new(self.marker(line, at)?, self.marker(line, span_end)?);
        self.out.push((Event::Scalar(value, style, 0, None), span));
        Some(())
    }
}

/// `- ...` or a lone `-`: a block sequence entry.
fn is_entry(content: &str) -> bool {
    let b = content.as_bytes();
    b.first() == Some(&b'-') && b.get(1).is_none_or(|&c| c == b' ')
}

#[cfg(test)]
mod tests;
