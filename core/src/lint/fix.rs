//! Fixes as text edits: the linter sees the parsed rule, a fix must edit the
//! text it came from. Every edit is computed from the spans of the YAML nodes
//! and checked against the text under them (a quoted scalar must start and end
//! with its quote, a list item must sit alone on its line or after a comma), so
//! that flow and block style, quoting and comments are kept; when the text does
//! not look as expected there is no fix rather than a wrong one.

use crate::base::diag::{Edit, Fix, Span};
use crate::base::text::LineIndex;

/// The text a rule was parsed from, with what edits need to find their place.
pub(super) struct SourceText<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> SourceText<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        SourceText { text, index: LineIndex::new(text) }
    }

    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset of a 1-based line and column (columns count chars).
    fn byte_at(&self, line: u32, col: u32) -> Option<usize> {
        let start = self.index.line_start(line)?;
        let rest = self.text.get(start..)?;
        let skip = usize::try_from(col.checked_sub(1)?).ok()?;
        match rest.char_indices().nth(skip) {
            Some((b, _)) => Some(start + b),
            None if rest.chars().count() == skip => Some(self.text.len()),
            None => None,
        }
    }

    /// Byte range of a span.
    fn bytes(&self, span: Span) -> Option<(usize, usize)> {
        let from = self.byte_at(span.line, span.col)?;
        let to = self.byte_at(span.end_line, span.end_col)?;
        (from <= to).then_some((from, to))
    }

    fn slice(&self, from: usize, to: usize) -> Option<&'a str> {
        self.text.get(from..to)
    }

    fn edit(&self, from: usize, to: usize, replacement: String) -> Edit {
        Edit { span: self.index.span(from, to), replacement }
    }

    /// The line break the text uses, for inserted lines.
    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// An edit that replaces the scalar node at `span` with `value`, quoted
    /// as the original was (single quotes for a quoted one; plain when the
    /// original was plain and `value` reads back as the same string).
    pub(super) fn replace_scalar(&self, span: Span, value: &str) -> Option<Edit> {
        if span.line != span.end_line {
            return None; // block and multi-line scalars: not rewritten
        }
        let (from, to) = self.bytes(span)?;
        let old = self.slice(from, to)?;
        let quoted = match old.as_bytes().first() {
            Some(b'\'') => old.len() >= 2 && old.ends_with('\''),
            Some(b'"') => old.len() >= 2 && old.ends_with('"'),
            Some(b'|' | b'>' | b'&' | b'!') | None => return None,
            Some(_) => false,
        };
        let scalar = if !quoted && is_plain_safe(value) { value.to_string() } else { single_quoted(value)? };
        Some(self.edit(from, to, scalar))
    }

    /// An edit that replaces the text of a single-line `span`, which must read `expected`.
    pub(super) fn replace_exact(&self, span: Span, expected: &str, replacement: &str) -> Option<Edit> {
        let (from, to) = self.bytes(span)?;
        (span.line == span.end_line && self.slice(from, to)? == expected)
            .then(|| self.edit(from, to, replacement.to_string()))
    }

    /// Byte range of a single-line scalar's content: inside its quotes, or
    /// all of a plain one. `None` for block scalars and multi-line ones.
    fn scalar_content(&self, span: Span) -> Option<(usize, usize)> {
        if span.line != span.end_line {
            return None;
        }
        let (from, to) = self.bytes(span)?;
        let old = self.slice(from, to)?;
        match old.as_bytes().first() {
            Some(q @ (b'\'' | b'"')) if old.len() >= 2 && old.as_bytes().last() == Some(q) => Some((from + 1, to - 1)),
            Some(b'\'' | b'"' | b'|' | b'>' | b'&' | b'!' | b'*') | None => None,
            Some(_) => Some((from, to)),
        }
    }

    /// An edit that replaces the first char of a scalar's content, which must be `old`.
    pub(super) fn replace_first_char(&self, span: Span, old: char, new: &str) -> Option<Edit> {
        let (from, _) = self.scalar_content(span)?;
        self.text.get(from..)?.starts_with(old).then(|| self.edit(from, from + old.len_utf8(), new.to_string()))
    }

    /// An edit that replaces the first `old` in a scalar's content (plain or single-quoted).
    pub(super) fn replace_in_content(&self, span: Span, old: &str, new: &str) -> Option<Edit> {
        let (from, to) = self.scalar_content(span)?;
        let content = self.slice(from, to)?;
        if content.contains(['\\', '\'']) {
            return None; // escapes: the written text is not the value
        }
        let at = from + content.find(old)?;
        Some(self.edit(at, at + old.len(), new.to_string()))
    }

    /// An edit that removes the last char of a scalar's content, which must be `old`
    /// (and not escaped).
    pub(super) fn remove_last_char(&self, span: Span, old: char) -> Option<Edit> {
        let (from, to) = self.scalar_content(span)?;
        let content = self.slice(from, to)?;
        let at = to.checked_sub(old.len_utf8())?;
        (content.ends_with(old) && !content.ends_with(&format!("\\{old}")) && at > from)
            .then(|| self.edit(at, to, String::new()))
    }

    /// An edit that removes the top-level line `key: value` whose single-line value is at `value_span`.
    pub(super) fn remove_line(&self, value_span: Span, key: &str) -> Option<Edit> {
        if value_span.line != value_span.end_line {
            return None;
        }
        let start = self.index.line_start(value_span.line)?;
        let line = self.text.get(start..)?;
        if !line.starts_with(key) || !line.get(key.len()..)?.starts_with(':') {
            return None;
        }
        let end = line.find('\n').map_or(self.text.len(), |i| start + i + 1);
        Some(self.edit(start, end, String::new()))
    }

    /// An edit that inserts `text` right after the char at `span.end` (no quote handling).
    pub(super) fn insert_after(&self, span: Span, text: &str) -> Option<Edit> {
        let (_, to) = self.bytes(span)?;
        Some(self.edit(to, to, text.to_string()))
    }

    /// An edit that removes the list item at `span`: its whole line in a block
    /// list (`- item` alone on the line), or `, item` in a flow list.
    pub(super) fn remove_list_item(&self, span: Span) -> Option<Edit> {
        if span.line != span.end_line {
            return None;
        }
        let (from, to) = self.bytes(span)?;
        let line_start = self.index.line_start(span.line)?;
        let before = self.slice(line_start, from)?;
        let after_end = self.text.get(to..)?.find('\n').map_or(self.text.len(), |i| to + i + 1);
        let after = self.slice(to, after_end)?;
        let dash = before.trim_start();
        if dash.starts_with('-') && dash.get(1..).is_some_and(|r| !r.is_empty() && r.trim().is_empty()) {
            if after.trim().is_empty() {
                return Some(self.edit(line_start, after_end, String::new()));
            }
            return None;
        }
        // Flow list: the item follows a comma.
        let head = self.slice(0, from)?;
        let comma = head.trim_end_matches([' ', '\t', '\r', '\n']);
        if comma.ends_with(',') {
            let start = comma.len() - 1;
            let tail = self.text.get(to..)?.trim_start_matches([' ', '\t', '\r', '\n']);
            if tail.starts_with([',', ']']) {
                return Some(self.edit(start, to, String::new()));
            }
        }
        None
    }

    /// An edit that adds a top-level line after the single-line top-level
    /// attribute whose value is at `value_span` (`key` names it).
    pub(super) fn insert_line_after(&self, value_span: Span, key: &str, line: &str) -> Option<Edit> {
        if value_span.line != value_span.end_line {
            return None;
        }
        let start = self.index.line_start(value_span.line)?;
        let this_line = self.text.get(start..)?;
        if !this_line.starts_with(key) || !this_line.get(key.len()..)?.starts_with(':') {
            return None; // not a top-level `key:` line of a block map
        }
        let nl = self.newline();
        match self.index.line_start(value_span.line + 1) {
            Some(next) if next > start => Some(self.edit(next, next, format!("{line}{nl}"))),
            _ => {
                let end = self.text.len();
                let sep = if self.text.ends_with('\n') { "" } else { nl };
                Some(self.edit(end, end, format!("{sep}{line}{nl}")))
            }
        }
    }
}

/// A fix with one or more edits; `None` when any edit could not be made.
pub(super) fn fix(title: String, safe: bool, edits: impl IntoIterator<Item = Option<Edit>>) -> Option<Fix> {
    // The generic part stays one line: a copy of the rest per call site would cost the web build.
    fix_of(title, safe, edits.into_iter().collect())
}

fn fix_of(title: String, safe: bool, edits: Vec<Option<Edit>>) -> Option<Fix> {
    let mut out: Vec<Edit> = edits.into_iter().collect::<Option<_>>()?;
    crate::base::sort::sort_by_key(&mut out, |e| e.span.start);
    let disjoint = out.windows(2).all(|w| matches!(w, [a, b] if a.span.end <= b.span.start));
    (!out.is_empty() && disjoint).then_some(Fix { title, edits: out, safe })
}

/// `value` as a single-quoted YAML scalar; `None` if it holds a line break or
/// another control character (a single-quoted scalar would fold or reject it).
fn single_quoted(value: &str) -> Option<String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return None;
    }
    Some(format!("'{}'", value.replace('\'', "''")))
}

/// Whether `value` may be written as a plain scalar and read back as the same
/// string (not a number, boolean or null of the YAML 1.2 core schema).
fn is_plain_safe(value: &str) -> bool {
    let first_ok = value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let chars_ok = value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    let reads_as_string = matches!(crate::sigma::yaml::resolve_plain(value), crate::sigma::yaml::Value::Str(_));
    first_ok && chars_ok && reads_as_string
}

/// Apply non-overlapping edits (char offsets into `text`) in text order.
/// `None` when an edit falls outside the text or two overlap.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    crate::base::sort::sort_by_key(&mut sorted, |e| (e.span.start, e.span.end));
    let mut offsets: Vec<usize> = Vec::with_capacity(sorted.len() * 2);
    for e in &sorted {
        offsets.push(e.span.start as usize);
        offsets.push(e.span.end as usize);
    }
    if offsets.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
        return None;
    }
    // Char offsets to byte offsets in one pass (offsets are sorted; one may repeat).
    let mut bytes = Vec::with_capacity(offsets.len());
    let mut chars = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).enumerate().peekable();
    for want in offsets {
        while chars.peek().is_some_and(|(i, _)| *i < want) {
            chars.next();
        }
        match chars.peek() {
            Some((i, b)) if *i == want => bytes.push(*b),
            _ => return None,
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (e, range) in sorted.iter().zip(bytes.chunks_exact(2)) {
        let [from, to] = [range.first().copied()?, range.get(1).copied()?];
        out.push_str(text.get(at..from)?);
        out.push_str(&e.replacement);
        at = to;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::BASE;
    use super::*;

    /// `BASE` with `from` replaced by `to`, linted with fixes; the fix of the one finding with `code`.
    fn fix_of(from: &str, to: &str, code: &str) -> (String, Fix) {
        assert!(BASE.contains(from), "{from}");
        let text = BASE.replacen(from, to, 1);
        let parsed = crate::sigma::rule::parse_rules(&text);
        let found: Vec<Fix> = parsed
            .rules
            .iter()
            .flat_map(|r| super::super::lint_with_fixes(r, &text))
            .filter(|d| d.code == code)
            .filter_map(|d| d.fix.map(|f| *f))
            .collect();
        assert_eq!(found.len(), 1, "{code}: {found:?}");
        (text, found.into_iter().next().unwrap_or_else(|| panic!()))
    }

    /// The text after the fix, which must parse without errors.
    fn fixed(from: &str, to: &str, code: &str) -> (String, bool) {
        let (text, f) = fix_of(from, to, code);
        let edits: Vec<&Edit> = f.edits.iter().collect();
        let out = apply_edits(&text, &edits).unwrap_or_else(|| panic!("edits do not apply: {f:?}"));
        let parsed = crate::sigma::rule::parse_rules(&out);
        assert!(!crate::base::diag::has_errors(&parsed.diagnostics), "{out}\n{:?}", parsed.diagnostics);
        let still: Vec<_> = parsed.rules.iter().flat_map(super::super::lint).filter(|d| d.code == code).collect();
        assert!(still.is_empty(), "{code} still reported after its fix:\n{out}\n{still:?}");
        (out, f.safe)
    }

    #[test]
    fn metadata_fixes() {
        assert!(fixed("date: 2019-10-23", "date: 2019/10/23", "invalid-date").0.contains("\ndate: 2019-10-23\n"));
        assert!(fixed("date: 2019-10-23", "date: '2019.10.23'", "invalid-date").0.contains("\ndate: '2019-10-23'\n"));
        assert!(fixed("status: test", "status: experimantal", "invalid-status").0.contains("\nstatus: experimental\n"));
        assert!(fixed("level: high", "level: High", "invalid-level").0.contains("\nlevel: high\n"));
        let (out, safe) = fixed("id: 929a690e-bef0-4204-a928-ef5e620d6fcc\n", "", "missing-id");
        let id = out.lines().nth(1).unwrap_or_default();
        assert!(safe && id.starts_with("id: ") && id.len() == 40 && id.as_bytes().get(18) == Some(&b'5'), "{out}");
        assert!(fixed("    - attack.t1033\n", "    - attack.T1033\n", "tag-format").0.contains("- attack.t1033\n"));
        let (out, _) = fixed("    - attack.t1033\n", "    - attack.t1033\n    - attack.discovery\n", "duplicate-tag");
        assert_eq!(out, BASE);
        let (out, _) = fixed(
            "tags:\n    - attack.discovery\n    - attack.t1033\n",
            "tags: [attack.discovery, attack.t1033, attack.discovery]\n",
            "duplicate-tag",
        );
        assert!(out.contains("tags: [attack.discovery, attack.t1033]\n"), "{out}");
        let (out, _) = fixed(
            "    - https://example.org/whoami\n",
            "    - https://example.org/whoami\n    - https://example.org/whoami/\n",
            "duplicate-reference",
        );
        assert_eq!(out, BASE);
        let (out, _) = fixed("    - Unknown\n", "    - Unknown\n    - unknown\n", "duplicate-entry");
        assert_eq!(out, BASE);
        assert!(fixed("product: windows", "product: Windows", "logsource-format").0.contains("product: windows\n"));
    }

    #[test]
    fn detection_fixes() {
        let (out, safe) =
            fixed("            - ' /priv'", "            - ' /priv'\n            - ' /ALL'", "duplicate-value");
        assert!(safe);
        assert_eq!(out, BASE);
        let (out, _) = fixed(
            "CommandLine|contains:\n            - ' /all'\n            - ' /priv'",
            "CommandLine|contains: [' /all', \" /priv\", ' /all']",
            "duplicate-value",
        );
        assert!(out.contains("CommandLine|contains: [' /all', \" /priv\"]\n"), "{out}");
        assert!(fixed("            - ' /priv'", "            - '* /priv*'", "redundant-wildcard")
            .0
            .contains("- ' /priv'\n"));
        assert!(fixed("'\\\\whoami.exe'", "'**\\\\whoami.exe'", "redundant-wildcard")
            .0
            .contains("endswith: '\\\\whoami.exe'"));
        assert!(fixed("            - ' /priv'", "            - ' /p**riv'", "redundant-wildcard")
            .0
            .contains("- ' /p*riv'\n"));
        let (out, safe) =
            fixed("Image|endswith: '\\\\whoami.exe'", "Image: '*\\whoami.exe'", "wildcard-instead-of-modifier");
        assert!(safe && out.contains("Image|endswith: '\\whoami.exe'\n"), "{out}");
        let (out, _) = fixed(
            "Image|endswith: '\\\\whoami.exe'",
            "'Image|windash':\n            - '*-x*'\n            - \"*-y*\"",
            "wildcard-instead-of-modifier",
        );
        assert!(out.contains("'Image|windash|contains':\n            - '-x'\n            - '-y'\n"), "{out}");
        let (out, safe) = fixed("Image|endswith", "Parent Image|endswith", "field-name-space");
        assert!(!safe && out.contains("ParentImage|endswith"), "{out}");
    }

    #[test]
    fn no_fix_where_the_text_is_not_as_expected() {
        // A folded block scalar is not rewritten; the finding stays, without a fix.
        let text = BASE.replacen("status: test", "status: >-\n  experimantal", 1);
        let parsed = crate::sigma::rule::parse_rules(&text);
        let d: Vec<_> = parsed
            .rules
            .iter()
            .flat_map(|r| super::super::lint_with_fixes(r, &text))
            .filter(|d| d.code == "invalid-status")
            .collect();
        assert!(d.len() == 1 && d.iter().all(|d| d.fix.is_none()), "{d:?}");
    }

    #[test]
    fn edits_apply_in_char_offsets() {
        let e = |start, end, r: &str| Edit { span: Span { start, end, ..Span::default() }, replacement: r.into() };
        let (a, b) = (e(1, 2, "X"), e(3, 3, "+"));
        assert_eq!(apply_edits("é€ab", &[&b, &a]).as_deref(), Some("éXa+b"));
        assert_eq!(apply_edits("ab", &[&e(0, 2, ""), &e(1, 2, "")]), None);
        assert_eq!(apply_edits("ab", &[&e(0, 3, "")]), None);
    }
}
