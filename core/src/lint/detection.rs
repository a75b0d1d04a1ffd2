//! Checks of each detection item: white space in field names, repeated
//! values, white space the match is anchored to, redundant wildcards,
//! wildcards instead of a modifier, and `/` in Windows paths.

use crate::sigma::modifier::Modifier;
use crate::sigma::rule::{Detection, DetectionItem, RawValue, Rule, Scalar};
use crate::sigma::string::{Part, SigmaString};

use super::fix::fix;
use super::logsource::{known_fields, KnownFields};
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    /// Every item of every search of one detection (a rule's or a filter's).
    pub(super) fn detection(&mut self, det: &Detection, rule: &Rule) {
        let fields = known_fields(rule);
        let windows = rule.logsource.product().is_some_and(|p| p.eq_ignore_ascii_case("windows"));
        for search in &det.searches {
            for alt in &search.alternatives {
                for item in alt {
                    self.detection_item(item, fields.as_ref(), windows);
                    self.value_forms(item);
                    self.event_id_item(item, rule);
                }
            }
        }
        self.conditions(det);
    }

    /// How values are written: control characters, escaped wildcards, quoted
    /// numbers, hashes, `all` over exact values, `windash` without a dash.
    fn value_forms(&mut self, item: &DetectionItem) {
        let plain = item.modifiers.is_empty();
        let positional = item.has(Modifier::Contains) || item.has(Modifier::StartsWith) || item.has(Modifier::EndsWith);
        let regex = item.has(Modifier::Re);
        for v in &item.values {
            let Scalar::Str(s) = &v.value else { continue };
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
                self.warn(
                    "control-character",
                    format!("value '{}' holds a control character (a tab?): in double quotes '\\t' is a tab; write '\\\\t' or use single quotes", clip(s)),
                    v.span,
                );
            }
            if !regex && has_escaped_wildcard(s) {
                self.info(
                    "escaped-wildcard",
                    format!("value '{}' has an escaped wildcard ('\\*' or '\\?'): a literal '*' or '?' is rare in logs; check it is meant", clip(s)),
                    v.span,
                );
            }
            // `'0123'` unquoted would be the number 123, which matches other events.
            let leading_zero = s.len() > 1 && s.starts_with('0');
            if plain
                && item.field.is_some()
                && !s.is_empty()
                && !leading_zero
                && s.len() <= 18
                && s.bytes().all(|b| b.is_ascii_digit())
            {
                self.info(
                    "number-as-string",
                    format!("the number {s} is quoted: unquoted it matches the number and its text alike ('{s}' does not match 0{s})"),
                    v.span,
                );
            }
            // A pattern is not checked; under `contains`/`startswith`/`endswith` the value is a part of the
            // field: a bare hash inside `Hashes`, or the start of one.
            if let Some(problem) = item.field.as_deref().filter(|_| !regex).and_then(|f| hash_problem(f, s, positional))
            {
                self.warn("invalid-hash-value", format!("'{}' {problem}", clip(s)), v.span);
            }
            if item.has(Modifier::Windash) && !s.contains(['-', '/', '\u{2013}', '\u{2014}', '\u{2015}']) {
                self.info(
                    "windash-without-dash",
                    format!("'windash' changes only '-' and '/', and '{}' has neither", clip(s)),
                    v.span,
                );
            }
        }
        let exact = || {
            item.values.iter().all(|v| matches!(&v.value, Scalar::Str(s) if !SigmaString::parse(s).parts.iter().any(|p| !matches!(p, Part::Lit(_)))))
        };
        if item.has(Modifier::All)
            && !positional
            && !regex
            && !item.has(Modifier::Cidr)
            && item.field.is_some()
            && item.values.len() > 1
            && exact()
        {
            let field = item.field.clone().unwrap_or_default();
            let span = item.key_span;
            let at = item.field_span;
            self.fixable(Severity::Warning, "all-exact-values",
                format!("'{field}|all' with exact values: a field equals at most one of them, so only list fields can match; did you mean '{field}|contains|all'?"),
                span,
                |src| fix(format!("write '{field}|contains|all' (changes what matches: the values anywhere in the field)"), false, [src.insert_after(at, "|contains")]),
            );
        }
    }

    /// One `field|modifiers: values` entry of a search.
    fn detection_item(&mut self, item: &DetectionItem, fields: Option<&KnownFields>, windows: bool) {
        if let Some(field) = &item.field {
            if field.chars().any(char::is_whitespace) {
                let fixed: String = field.split_whitespace().collect();
                let span = item.field_span;
                self.fixable(Severity::Warning, "field-name-space",
                    format!("field name '{}' contains white space: Sigma field names have none ('New Value' is written 'NewValue'): write '{}'", clip(field), clip(&fixed)),
                    span,
                    // A different field name reads a different field of the events.
                    |src| fix(format!("rename the field to '{}' (changes which events match)", clip(&fixed)), false, [src.replace_exact(span, field, &fixed)]),
                );
            } else if let Some(known) = fields {
                self.unknown_field(field, item.field_span, known);
            }
        }
        let has = |m: Modifier| item.has(m);
        let special = has(Modifier::Re)
            || has(Modifier::Cidr)
            || has(Modifier::Exists)
            || has(Modifier::FieldRef)
            || item.modifiers.iter().any(|m| m.value.is_comparison() || m.value.is_time_part());
        let encoded = item.modifiers.iter().any(|m| m.value.is_encoding() && m.value != Modifier::Windash);
        // Encodings (base64...) turn case differences into different bytes.
        let cased = has(Modifier::Cased) || has(Modifier::Re) || encoded;

        // Duplicates in the list (a null in a list is an error of sigma/compiled.rs).
        let mut seen: Vec<String> = Vec::new();
        for v in &item.values {
            // A string and a number of the same text are not duplicates: a
            // number also matches other spellings of it (`04688`, `4688.0`).
            let key = match &v.value {
                Scalar::Str(s) if cased => format!("s{s}"),
                Scalar::Str(s) => format!("s{}", crate::base::case::to_lowercase(s)),
                Scalar::Null => "\u{0}null".to_string(),
                _ => format!("n{}", v.text),
            };
            if seen.contains(&key) {
                let span = v.span;
                self.fixable(
                    Severity::Warning,
                    "duplicate-value",
                    format!("value '{}' is already in this list: remove one", clip(&value_text(v))),
                    span,
                    |src| fix("remove the repeated value".into(), true, [src.remove_list_item(span)]),
                );
            } else {
                seen.push(key);
            }
        }

        if has(Modifier::Re) {
            for v in &item.values {
                if let Scalar::Str(s) = &v.value {
                    self.regex_literal(item, s, v.span);
                }
            }
            return;
        }
        if special {
            return;
        }
        let contains = has(Modifier::Contains);
        let starts = has(Modifier::StartsWith);
        let ends = has(Modifier::EndsWith);
        let keyword = item.field.is_none();
        for v in &item.values {
            let Scalar::Str(s) = &v.value else { continue };
            if s.trim().is_empty() || s.chars().all(|c| c == '*') {
                continue; // ' ' or '*' alone: deliberate
            }
            // White space at an end that the match is anchored to.
            let anchored_start = !keyword && !contains && !ends;
            let anchored_end = !keyword && !contains && !starts;
            let lead = s.starts_with(char::is_whitespace);
            let trail = s.ends_with(char::is_whitespace);
            let newline = s.ends_with('\n') || s.ends_with('\r');
            if (lead && anchored_start) || (trail && anchored_end) || newline {
                let where_ = if newline {
                    "ends with a line break (a block scalar '|' keeps it; use '|-')"
                } else if lead && anchored_start {
                    "starts with white space"
                } else {
                    "ends with white space"
                };
                self.warn(
                    "value-whitespace",
                    format!(
                        "value '{}' {where_}: the match must then include it; trim it if that is not intended",
                        clip(s)
                    ),
                    v.span,
                );
            }
            if encoded {
                continue;
            }
            let parsed = SigmaString::parse(s);
            let doubled = parsed.parts.windows(2).any(|w| matches!(w, [Part::Star, Part::Star]));
            let lead_star = parsed.starts_with_star();
            let trail_star = matches!(parsed.parts.last(), Some(Part::Star));
            let strip = if contains && (lead_star || trail_star) {
                Some((true, true, format!("'contains' already matches anywhere: drop the '*' around '{}'", clip(s))))
            } else if ends && lead_star {
                Some((
                    true,
                    false,
                    format!("'endswith' already allows anything before: drop the leading '*' of '{}'", clip(s)),
                ))
            } else if starts && trail_star {
                Some((
                    false,
                    true,
                    format!("'startswith' already allows anything after: drop the trailing '*' of '{}'", clip(s)),
                ))
            } else if doubled {
                Some((false, false, format!("'**' in '{}' means the same as '*'", clip(s))))
            } else {
                None
            };
            if let Some((lead, trail, message)) = strip {
                let fixed = rewrite_stars(s, lead, trail);
                let span = v.span;
                self.fixable(Severity::Info, "redundant-wildcard", message, span, |src| {
                    fix(format!("write '{}'", clip(&fixed)), true, [src.replace_scalar(span, &fixed)])
                });
            }
            if windows
                && !keyword
                && is_path_field(item.field.as_deref().unwrap_or(""))
                && s.contains('/')
                && !s.contains('\\')
                && !s.contains("://")
            {
                self.info(
                    "windows-path-slash",
                    format!(
                        "Windows paths in '{}' use '\\', not '/': '{}' will not match",
                        item.field.as_deref().unwrap_or(""),
                        clip(s)
                    ),
                    v.span,
                );
            }
        }
        if !keyword && !contains && !starts && !ends && !encoded {
            self.wildcard_instead_of_modifier(item);
        }
    }

    /// `Field: '*x*'` for every value: the modifier says it more clearly (and SigmaHQ requires it).
    fn wildcard_instead_of_modifier(&mut self, item: &DetectionItem) {
        let mut shape: Option<(bool, bool)> = None;
        for v in &item.values {
            let Scalar::Str(s) = &v.value else { return };
            let p = SigmaString::parse(s);
            let lead = p.starts_with_star();
            let trail = matches!(p.parts.last(), Some(Part::Star));
            let inner = p.parts.len().saturating_sub(usize::from(lead) + usize::from(trail));
            let lit_only = inner == 1 && p.parts.iter().filter(|x| matches!(x, Part::Lit(_))).count() == 1;
            if !(lead || trail) || !lit_only {
                return;
            }
            match shape {
                None => shape = Some((lead, trail)),
                Some(s) if s != (lead, trail) => return,
                Some(_) => {}
            }
        }
        let Some((lead, trail)) = shape else { return };
        let modifier = match (lead, trail) {
            (true, true) => "contains",
            (true, false) => "endswith",
            _ => "startswith",
        };
        let field = item.field.as_deref().unwrap_or("");
        let values = if item.values.len() == 1 { "the value" } else { "every value" };
        self.fixable(Severity::Info, "wildcard-instead-of-modifier",
            format!(
                "{values} is wrapped in '*': write '{field}|{modifier}' and drop the '*' (clearer, and what SigmaHQ requires)"
            ),
            item.key_span,
            |src| {
                // The modifier goes after the field, or after `windash`, which must come first.
                let after = match item.modifiers.first() {
                    Some(m) if m.value == Modifier::Windash => m.span,
                    _ => item.field_span,
                };
                let kept = [Modifier::All, Modifier::Cased, Modifier::Windash];
                if item.modifiers.iter().any(|m| !kept.contains(&m.value))
                    || item.field_span.end - item.field_span.start != field.chars().count() as u32
                {
                    return None;
                }
                let key = src.insert_after(after, &format!("|{modifier}"));
                let edits = item.values.iter().map(|v| match &v.value {
                    Scalar::Str(s) => src.replace_scalar(v.span, &rewrite_stars(s, lead, trail)),
                    _ => None,
                });
                fix(format!("write '{field}|{modifier}' and drop the '*'"), true, std::iter::once(key).chain(edits))
            },
        );
    }
}

/// `s` (a Sigma string as written) without its leading (`lead`) and trailing
/// (`trail`) unescaped `*` wildcards, and with runs of them made one.
pub(super) fn rewrite_stars(s: &str, lead: bool, trail: bool) -> String {
    // Tokens as written: an escape pair, or one char; `true` for a wildcard `*`.
    let mut tokens: Vec<(&str, bool)> = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let len = match rest.strip_prefix('\\').and_then(|r| r.chars().next()) {
            Some(n @ ('*' | '?' | '\\')) => 1 + n.len_utf8(),
            _ => c.len_utf8(),
        };
        let (token, tail) = rest.split_at(len);
        tokens.push((token, token == "*"));
        rest = tail;
    }
    let mut from = 0;
    let mut to = tokens.len();
    if lead {
        while tokens.get(from).is_some_and(|t| t.1) {
            from += 1;
        }
    }
    if trail {
        while to > from && tokens.get(to - 1).is_some_and(|t| t.1) {
            to -= 1;
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut star_before = false;
    for (text, star) in tokens.get(from..to).unwrap_or_default() {
        if !(*star && star_before) {
            out.push_str(text);
        }
        star_before = *star;
    }
    out
}

/// Whether `s` has `\*` or `\?` (an escaped wildcard; `\\*` is a backslash and a wildcard).
fn has_escaped_wildcard(s: &str) -> bool {
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('*' | '?') => return true,
                _ => continue,
            }
        }
    }
    false
}

/// Hash algorithms as Sysmon writes them in `Hashes`, and their hex lengths.
const HASHES: &[(&str, usize)] =
    &[("MD5", 32), ("SHA1", 40), ("SHA256", 64), ("SHA384", 96), ("SHA512", 128), ("IMPHASH", 32)];

/// What is wrong with a hash value of a hash field, if anything: `Hashes`
/// (and `Hash` of Sysmon's stream hash events) holds `ALGO=hex`,
/// `md5`/`sha1`/`sha256`/`Imphash` plain hex of their length.
/// With `partial` (a positional modifier), the value is a part of the field:
/// only hex digits beyond the length, or an unknown algorithm, are wrong.
fn hash_problem(field: &str, value: &str, partial: bool) -> Option<String> {
    if value.contains(['*', '?']) {
        return None;
    }
    let hex_of = |v: &str, len: usize| {
        (if partial { v.len() <= len } else { v.len() == len }) && v.bytes().all(|b| b.is_ascii_hexdigit())
    };
    if field.eq_ignore_ascii_case("Hashes") || field.eq_ignore_ascii_case("Hash") {
        let Some((algo, hex)) = value.split_once('=') else {
            let bare_hash = HASHES.iter().any(|(_, n)| hex_of(value, *n));
            if partial && (bare_hash || value.is_empty()) {
                return None;
            }
            return Some("is not 'ALGORITHM=hex' as Sysmon writes 'Hashes' (e.g. 'SHA256=...')".into());
        };
        return match HASHES.iter().find(|(a, _)| a.eq_ignore_ascii_case(algo)) {
            Some((a, n)) if !hex_of(hex, *n) => Some(format!("is not a {a} hash: {n} hexadecimal digits expected")),
            Some(_) => None,
            None => Some(format!("'{}' is not a hash algorithm of 'Hashes' (MD5, SHA1, SHA256, IMPHASH)", clip(algo))),
        };
    }
    let (name, n) = HASHES.iter().find(|(a, _)| a.eq_ignore_ascii_case(field))?;
    (!hex_of(value, *n)).then(|| format!("is not a {name} hash: {n} hexadecimal digits expected"))
}

/// Fields that hold Windows file paths.
const PATH_FIELDS: &[&str] = &[
    "Image",
    "ParentImage",
    "TargetFilename",
    "ImageLoaded",
    "CurrentDirectory",
    "SourceImage",
    "TargetImage",
    "SourceFilename",
];

/// Whether `/` in a value of `field` is likely a mistake on Windows.
fn is_path_field(field: &str) -> bool {
    PATH_FIELDS.contains(&field)
}

/// A value as the rule wrote it, for messages.
fn value_text(v: &RawValue) -> String {
    match &v.value {
        Scalar::Str(s) => s.clone(),
        Scalar::Null => "null".into(),
        _ => v.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{codes, one, with, BASE};
    use crate::base::diag::Severity;

    #[test]
    fn stars() {
        use super::rewrite_stars;
        assert_eq!(rewrite_stars("**a\\*b**", true, true), "a\\*b");
        assert_eq!(rewrite_stars("a\\\\*", false, true), "a\\\\");
        assert_eq!(rewrite_stars("a**b", false, false), "a*b");
        assert_eq!(rewrite_stars("*a*", true, false), "a*");
    }

    #[test]
    fn values() {
        one("            - ' /priv'", "            - ' /ALL'", "duplicate-value");
        assert!(with("CommandLine|contains:", "CommandLine|base64offset|contains:", "duplicate-value").is_empty());
        let b64 =
            BASE.replace("CommandLine|contains:", "CommandLine|base64offset|contains:").replace("' /priv'", "' /all'");
        assert_eq!(codes(&b64), vec!["duplicate-value".to_string()]);
        assert!(
            with("            - ' /priv'", "            - ' '", "value-whitespace").is_empty(),
            "white space alone is deliberate"
        );
        assert!(
            with("            - ' /priv'", "            - '*'", "redundant-wildcard").is_empty(),
            "'*' alone is deliberate"
        );
        // A number also matches other spellings of it: not the same value as its text.
        let mixed =
            BASE.replace("Image|endswith: '\\\\whoami.exe'", "EventID:\n            - '4688'\n            - 4688");
        assert!(!codes(&mixed).contains(&"duplicate-value".to_string()), "{mixed}");
        let twice =
            BASE.replace("Image|endswith: '\\\\whoami.exe'", "EventID:\n            - 4688\n            - 4688");
        assert!(codes(&twice).contains(&"duplicate-value".to_string()), "{twice}");
        let cased = BASE.replace("CommandLine|contains:", "CommandLine|contains|cased:").replace("' /priv'", "' /ALL'");
        assert!(!codes(&cased).contains(&"duplicate-value".to_string()));
        let d = one("'\\\\whoami.exe'", "'\\\\whoami.exe '", "value-whitespace");
        assert_eq!(d.line(), 18);
        assert!(
            with("'\\\\whoami.exe'", "' \\\\whoami.exe'", "value-whitespace").is_empty(),
            "leading space with endswith"
        );
        assert!(with("            - ' /priv'", "            - ' /priv '", "value-whitespace").is_empty(), "contains");
        one("Image|endswith: '\\\\whoami.exe'", "Image: 'C:\\Windows\\whoami.exe '", "value-whitespace");
        one("Image|endswith: '\\\\whoami.exe'", "Image|endswith: |\n            \\whoami.exe", "value-whitespace");
        one("'\\\\whoami.exe'", "'*\\\\whoami.exe'", "redundant-wildcard");
        one("            - ' /priv'", "            - '* /priv*'", "redundant-wildcard");
        one("            - ' /priv'", "            - ' /p**riv'", "redundant-wildcard");
        assert!(
            with("            - ' /priv'", "            - ' /priv\\*'", "redundant-wildcard").is_empty(),
            "escaped star"
        );
        one("Image|endswith: '\\\\whoami.exe'", "Image|startswith: 'C:\\Windows\\\\*'", "redundant-wildcard");
        let d = one("Image|endswith: '\\\\whoami.exe'", "Image: '*\\whoami.exe'", "wildcard-instead-of-modifier");
        assert!(d.message.contains("Image|endswith"), "{}", d.message);
        one(
            "Image|endswith: '\\\\whoami.exe'",
            "Image:\n            - '*\\whoami.exe*'\n            - '*\\who.exe*'",
            "wildcard-instead-of-modifier",
        );
        assert!(with(
            "Image|endswith: '\\\\whoami.exe'",
            "Image:\n            - '*\\whoami.exe'\n            - 'C:\\who.exe'",
            "wildcard-instead-of-modifier"
        )
        .is_empty());
        assert!(
            with("Image|endswith: '\\\\whoami.exe'", "Image: '*\\who*.exe'", "wildcard-instead-of-modifier").is_empty()
        );
        let d = one("Image|endswith: '\\\\whoami.exe'", "Image|endswith: '/whoami.exe'", "windows-path-slash");
        assert_eq!(d.severity, Severity::Info);
        assert!(with(
            "category: process_creation\n    product: windows",
            "category: process_creation\n    product: linux",
            "windows-path-slash"
        )
        .is_empty());
        let d = one("Image|endswith", "Parent Image|endswith", "field-name-space");
        assert!(d.message.contains("ParentImage"));
    }

    #[test]
    fn value_forms() {
        one("- ' /priv'", "- \" /pr\\tiv\"", "control-character");
        assert!(with("- ' /priv'", "- ' /pr\\tiv'", "control-character").is_empty());
        one("- ' /priv'", "- ' /pr\\*iv'", "escaped-wildcard");
        assert!(
            with("- ' /priv'", "- ' /pr\\\\*iv'", "escaped-wildcard").is_empty(),
            "escaped backslash, then a wildcard"
        );
        one("Image|endswith: '\\\\whoami.exe'", "EventID: '4688'", "number-as-string");
        assert!(with("Image|endswith: '\\\\whoami.exe'", "EventID: 4688", "number-as-string").is_empty());
        // Unquoted, '0123' would be the number 123.
        assert!(with("Image|endswith: '\\\\whoami.exe'", "EventID: '0123'", "number-as-string").is_empty());
        one("Image|endswith: '\\\\whoami.exe'", "Hashes: 'SHA256=abc'", "invalid-hash-value");
        one("Image|endswith: '\\\\whoami.exe'", "Hashes|contains: 'SHA256=xyz'", "invalid-hash-value");
        // A part of the field: the start of a hash, a bare hash in `Hashes`; a pattern is not checked.
        assert!(
            with("Image|endswith: '\\\\whoami.exe'", "Hashes|contains: 'SHA256=abc'", "invalid-hash-value").is_empty()
        );
        assert!(with(
            "Image|endswith: '\\\\whoami.exe'",
            &format!("Hashes|contains: '{}'", "a".repeat(64)),
            "invalid-hash-value"
        )
        .is_empty());
        assert!(with("Image|endswith: '\\\\whoami.exe'", "md5|startswith: 'a1b2'", "invalid-hash-value").is_empty());
        assert!(with("Image|endswith: '\\\\whoami.exe'", "Hashes|re: 'SHA256=[0-9A-F]{64}'", "invalid-hash-value")
            .is_empty());
        one("Image|endswith: '\\\\whoami.exe'", "Hashes|contains: 'SHA257=abc'", "invalid-hash-value");
        one("Image|endswith: '\\\\whoami.exe'", "md5: 'xyz'", "invalid-hash-value");
        assert!(with(
            "Image|endswith: '\\\\whoami.exe'",
            &format!("Hashes|contains: 'MD5={}'", "a".repeat(32)),
            "invalid-hash-value"
        )
        .is_empty());
        let windash = BASE.replace("CommandLine|contains:", "CommandLine|windash|contains:");
        assert!(!codes(&windash).contains(&"windash-without-dash".to_string()), "every value has '/'");
        assert!(codes(&windash.replace("' /priv'", "' priv'")).contains(&"windash-without-dash".to_string()));
        let d = one("CommandLine|contains:", "CommandLine|all:", "all-exact-values");
        assert!(d.message.contains("CommandLine|contains|all"));
        assert!(with("CommandLine|contains:", "CommandLine|contains|all:", "all-exact-values").is_empty());
    }
}
