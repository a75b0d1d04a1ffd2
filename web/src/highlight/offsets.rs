//! Char, byte and UTF-16 offsets: core's spans count chars, Rust strings
//! index bytes and a `<textarea>` selection counts UTF-16 units.

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
