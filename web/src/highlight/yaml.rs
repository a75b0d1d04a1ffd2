//! The YAML tokenizer (Sigma rules, pipelines, YAML events), line by line:
//! a `Field|modifier` key is coloured as a key and its modifiers apart.

use super::{next_newline, push, quoted_end, Tok, Token};

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

fn scalar_tok(s: &str) -> Tok {
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
pub fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Indentation of the key that opened a block scalar (`|` or `>`), while inside it.
    let mut block: Option<usize> = None;
    let mut line_start = 0;
    while line_start <= b.len() {
        let line_end = next_newline(b, line_start);
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
            if let Some(opened) = line_tokens(text, line_start, line_start + indent, line_end, &mut out) {
                block = Some(opened.min(indent));
            }
        }
        line_start = line_end + 1;
    }
    out
}

/// Tokens of one non-blank line; returns the indentation of the key when the
/// line opens a block scalar.
fn line_tokens(text: &str, line_start: usize, first: usize, end: usize, out: &mut Vec<Token>) -> Option<usize> {
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
    value_tokens(text, i, end, out, key_col)
}

/// The value part of a line (after `key:` or a dash, or a whole flow line).
fn value_tokens(text: &str, mut i: usize, end: usize, out: &mut Vec<Token>, key_col: usize) -> Option<usize> {
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
            flow_tokens(text, i, end, out);
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
fn flow_tokens(text: &str, mut i: usize, end: usize, out: &mut Vec<Token>) {
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
                    push(out, s, e, scalar_tok(scalar));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::kinds;

    #[test]
    fn yaml_keys_modifiers_values() {
        let text = "title: Test # c\ndetection:\n  sel:\n    Image|endswith:\n      - '\\cmd.exe'\n    EventID: 4688\n    Flag: true\n";
        let k = kinds(text, &tokens(text));
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
        let k = kinds(text, &tokens(text));
        assert!(k.contains(&("line one: not a key", Tok::Str)), "{k:?}");
        assert!(k.contains(&("level", Tok::Key)));
        assert!(k.contains(&("a", Tok::Str)));
        assert!(k.contains(&("'b'", Tok::Str)));
        assert!(k.contains(&("3", Tok::Num)));
        assert!(k.contains(&("[", Tok::Punct)));
    }
}
