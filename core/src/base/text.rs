//! Positions in pasted text, and turning raw bytes into text.
//!
//! Parsers report byte offsets; editors and diagnostics want 1-based
//! line/column counted in chars (see [`Span`]). [`LineIndex`] converts one to
//! the other in O(log n) per query without keeping the text alive, so it can
//! be stored next to parsed results.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as in browser code editors.
//! YAML additionally treats U+0085, U+2028 and U+2029 as breaks; we do not, so
//! a YAML file using them would see line numbers drift (not seen in practice).

use crate::base::diag::{Diagnostic, Span};

/// Byte offset to line/column/char-offset mapping for one text.
///
/// Memory: one `usize` per line, plus, only for non-ASCII text, one bit per
/// byte and one `usize` per 64 bytes (≈ 0.25 × text length).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    len: usize,
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    /// Absent for ASCII text, where char offsets equal byte offsets.
    continuation: Option<ContinuationBits>,
}

/// Marks the UTF-8 continuation bytes (`0b10xx_xxxx`): the char offset of a
/// byte offset is the byte offset minus the continuation bytes before it.
#[derive(Debug, Clone, Default)]
struct ContinuationBits {
    /// Bit `i % 64` of word `i / 64` is set when byte `i` is a continuation byte.
    words: Vec<u64>,
    /// Number of continuation bytes in all words before this one.
    before: Vec<usize>,
}

impl ContinuationBits {
    fn count_before(&self, byte: usize) -> usize {
        let word = byte / 64;
        let bit = byte % 64;
        let base = self.before.get(word).copied().unwrap_or_else(|| self.before.last().copied().unwrap_or(0));
        let w = self.words.get(word).copied().unwrap_or(0);
        let mask = if bit == 0 { 0 } else { u64::MAX >> (64 - bit) };
        base + (w & mask).count_ones() as usize
    }

    fn is_continuation(&self, byte: usize) -> bool {
        let w = self.words.get(byte / 64).copied().unwrap_or(0);
        (w >> (byte % 64)) & 1 == 1
    }
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => line_starts.push(i + 1),
                // `\r\n` is one break: the `\n` branch records it.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
        }
        let continuation = if text.is_ascii() {
            None
        } else {
            let mut words = vec![0u64; bytes.len().div_ceil(64)];
            let mut before = Vec::with_capacity(words.len());
            let mut total = 0usize;
            for (chunk, word) in bytes.chunks(64).zip(words.iter_mut()) {
                before.push(total);
                for (bit, &b) in chunk.iter().enumerate() {
                    if b & 0xC0 == 0x80 {
                        *word |= 1u64 << bit;
                    }
                }
                total += word.count_ones() as usize;
            }
            before.push(total);
            Some(ContinuationBits { words, before })
        };
        LineIndex { len: bytes.len(), line_starts, continuation }
    }

    /// Length in bytes of the indexed text.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of lines; a trailing line break starts one more (empty) line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Offsets past the end are clamped to the end; offsets inside a
    /// multi-byte char move back to its first byte, so callers holding a
    /// slightly-off offset from a parser still get a sensible position.
    fn clamp(&self, byte: usize) -> usize {
        let mut b = byte.min(self.len);
        if let Some(c) = &self.continuation {
            while b > 0 && b < self.len && c.is_continuation(b) {
                b -= 1;
            }
        }
        b
    }

    /// 0-based char offset of a byte offset.
    pub fn char_offset(&self, byte: usize) -> usize {
        let b = self.clamp(byte);
        match &self.continuation {
            None => b,
            Some(c) => b - c.count_before(b),
        }
    }

    /// 0-based line number and the byte offset where that line starts.
    fn line_of(&self, byte: usize) -> (usize, usize) {
        let n = self.line_starts.partition_point(|&s| s <= byte);
        let line = n.saturating_sub(1);
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// 1-based (line, column); the column counts chars.
    pub fn line_col(&self, byte: usize) -> (u32, u32) {
        let b = self.clamp(byte);
        let (line, start) = self.line_of(b);
        let col = self.char_offset(b) - self.char_offset(start);
        (to_u32(line + 1), to_u32(col + 1))
    }

    /// A zero-width span at a byte offset.
    pub fn point(&self, byte: usize) -> Span {
        let (line, col) = self.line_col(byte);
        Span::point(line, col, to_u32(self.char_offset(byte)))
    }

    /// The span covering bytes `start..end` (swapped if reversed).
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (start, end) = if start <= end { (start, end) } else { (end, start) };
        let a = self.point(start);
        let b = self.point(end);
        Span::new(a.line, a.col, b.line, b.col, a.start, b.start)
    }

    /// Byte offset where a 1-based line starts, if the line exists.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        self.line_starts.get(i).copied()
    }
}

/// Bytes to text; on failure, a diagnostic (code `invalid-utf8`) pointing at
/// the first byte that is not UTF-8, so users can find a stray Latin-1 `®` in
/// a 5 MB export.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, Diagnostic> {
    let err = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    let good = err.valid_up_to();
    let prefix = bytes.get(..good).and_then(|p| std::str::from_utf8(p).ok()).unwrap_or("");
    let index = LineIndex::new(prefix);
    let p = index.point(good);
    // One column wide so an editor can underline the culprit.
    let span = Span::new(p.line, p.col, p.line, p.col.saturating_add(1), p.start, p.start.saturating_add(1));
    let byte = bytes.get(good).copied().unwrap_or(0);
    let mut message = match err.error_len() {
        Some(_) => format!(
            "the input is not valid UTF-8: byte 0x{byte:02X} at line {}, column {} is not part of a valid character",
            p.line, p.col
        ),
        None => format!(
            "the input is not valid UTF-8: it ends in the middle of a character (line {}, column {})",
            p.line, p.col
        ),
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        message.push_str("; the file looks like UTF-16 (as saved by some Windows tools): re-save it as UTF-8");
    } else {
        message.push_str("; re-save the file as UTF-8");
    }
    Err(Diagnostic::error("invalid-utf8", message, Some(span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward O(n) reference to check the indexed answers against.
    fn naive(text: &str, byte: usize) -> (u32, u32, u32) {
        let mut b = byte.min(text.len());
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        let (mut line, mut col) = (1u32, 1u32);
        // Peek past `b`: a `\r` right before it may be half of a `\r\n`.
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if i >= b {
                break;
            }
            match c {
                '\n' => {
                    line += 1;
                    col = 1;
                }
                '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => col += 1,
                '\r' => {
                    line += 1;
                    col = 1;
                }
                _ => col += 1,
            }
        }
        (line, col, text[..b].chars().count() as u32)
    }

    #[test]
    fn ascii_positions() {
        let t = "ab\ncd\r\nef\rg\n";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_count(), 5);
        for b in 0..=t.len() + 3 {
            let p = idx.point(b);
            assert_eq!((p.line, p.col, p.start), naive(t, b), "byte {b}");
        }
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (3, 1));
        assert_eq!(idx.line_start(3), Some(7));
        assert_eq!(idx.line_start(0), None);
        assert_eq!(idx.line_start(99), None);
    }

    #[test]
    fn non_ascii_positions_match_naive() {
        let mut t = String::new();
        for i in 0..300 {
            t.push_str(["é", "日本", "x", "\n", "🎉", "\r\n", "ab", "\r"][i % 8]);
        }
        let idx = LineIndex::new(&t);
        for b in 0..=t.len() + 1 {
            let p = idx.point(b);
            assert_eq!((p.line, p.col, p.start), naive(&t, b), "byte {b}");
        }
    }

    #[test]
    fn span_covers_range() {
        let t = "{\"a\": \"é\"}\n{}";
        let idx = LineIndex::new(t);
        let s = idx.span(0, 11);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (1, 1, 1, 11));
        assert_eq!((s.start, s.end), (0, 10));
        let s = idx.span(t.len(), 12);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (2, 1, 2, 3));
        assert_eq!((s.start, s.end), (11, 13));
    }

    #[test]
    fn empty_text() {
        let idx = LineIndex::new("");
        assert!(idx.is_empty());
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(10), (1, 1));
    }

    #[test]
    fn utf8_ok_and_error_position() {
        assert_eq!(decode_utf8(b"abc").ok(), Some("abc"));
        // Latin-1 "®" (0xAE) on line 2 after a 2-char prefix with one non-ASCII char.
        let bytes = b"{\"a\": 1}\n\xC3\xA9x\xAE\n";
        let d = decode_utf8(bytes).err().unwrap();
        assert_eq!(d.code, "invalid-utf8");
        assert_eq!((d.line(), d.col()), (2, 3));
        assert_eq!(d.span.unwrap().start, 11);
        assert!(d.message.contains("0xAE"), "{}", d.message);
        // Truncated sequence at the very end.
        let d = decode_utf8(b"ab\xE6\x97").err().unwrap();
        assert_eq!((d.line(), d.col()), (1, 3));
        assert!(d.message.contains("middle"), "{}", d.message);
        // UTF-16 gets a hint.
        let d = decode_utf8(b"\xFF\xFE{\x00").err().unwrap();
        assert_eq!((d.line(), d.col()), (1, 1));
        assert!(d.message.contains("UTF-16"));
    }
}
