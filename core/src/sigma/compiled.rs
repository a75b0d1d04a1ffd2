//! From the rule as written to what it means: modifiers applied to values.
//!
//! Each detection item becomes a list of typed tests (`Test`) on one field,
//! joined by OR (or AND with `all`), possibly negated (`neq`). This is the one
//! representation that the pipeline maps and that both backends (the matcher
//! and KQL) consume, so a modifier is interpreted in exactly one place.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::base::diag::{Diagnostic, Span};
use crate::sigma::condition::CondExpr;
use crate::sigma::modifier::Modifier;
use crate::sigma::rule::{Detection, DetectionItem, RawValue, Scalar};
use crate::sigma::string::SigmaString;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CmpOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
    pub text: String,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr_text.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_text {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Cidr { addr, prefix, text: text.to_string() })
    }

    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(net) & mask == u32::from(*ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(net) & mask == u128::from(*ip) & mask
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Test {
    /// Whole-value match with `*`/`?` wildcards; case-insensitive unless `cased`.
    Glob {
        pattern: SigmaString,
        cased: bool,
    },
    /// `re` (Rust regex / RE2 syntax), unanchored, case-sensitive unless `i`.
    Regex {
        pattern: String,
        i: bool,
        m: bool,
        s: bool,
    },
    Cidr(Cidr),
    /// A rule number: equal as numbers (event strings that parse as numbers count).
    Number {
        value: f64,
        text: String,
    },
    Compare {
        op: CmpOp,
        value: f64,
    },
    Bool(bool),
    /// `null`: the field is absent or null.
    Null,
    Exists(bool),
    /// `fieldref`: compare with another field of the same event.
    FieldRef {
        field: String,
        position: Option<Position>,
        cased: bool,
    },
    /// Time-part modifiers: take the part of a date value, then test it.
    TimePart {
        part: TimePart,
        test: Box<Test>,
    },
}

impl Test {
    /// The value as the rule wrote it, for explanations and mapped items.
    pub fn describe(&self) -> String {
        match self {
            Test::Glob { pattern, .. } => pattern.to_sigma(),
            Test::Regex { pattern, .. } => pattern.clone(),
            Test::Cidr(c) => c.text.clone(),
            Test::Number { text, .. } => text.clone(),
            Test::Compare { value, .. } => value.to_string(),
            Test::Bool(b) => b.to_string(),
            Test::Null => "null".to_string(),
            Test::Exists(b) => b.to_string(),
            Test::FieldRef { field, .. } => field.clone(),
            Test::TimePart { test, .. } => test.describe(),
        }
    }
}

/// One detection item, compiled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// `None` = keyword (search all values of the event).
    pub field: Option<String>,
    pub tests: Vec<Test>,
    /// AND over tests (`all`) instead of OR.
    pub all: bool,
    /// `neq`: the item holds when the tests do not.
    pub negate: bool,
    /// The modifier names as written, for explanations.
    pub modifiers: Vec<String>,
    /// The rule values as written, for messages.
    pub shown_values: Vec<String>,
    /// For each test, the index in `shown_values` of the value it came from
    /// (one value may give several tests: base64offset, placeholders).
    pub test_sources: Vec<usize>,
    pub key_span: Span,
    pub value_span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledSearch {
    pub name: String,
    pub name_span: Span,
    pub alternatives: Vec<Vec<Item>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledDetection {
    pub searches: Vec<CompiledSearch>,
    pub conditions: Vec<CondExpr>,
}

impl CompiledDetection {
    pub fn search_index(&self, name: &str) -> Option<usize> {
        self.searches.iter().position(|s| s.name == name)
    }
    pub fn names(&self) -> Vec<String> {
        self.searches.iter().map(|s| s.name.clone()).collect()
    }
}

/// Values for `%name%` placeholders used with `expand`.
pub type Placeholders = HashMap<String, Vec<String>>;

/// Compile a parsed detection. Problems (bad regex, bad CIDR, missing
/// placeholder values) are diagnostics; an item that cannot be compiled is
/// replaced by one that never matches, so the rest still runs.
pub fn compile_detection(det: &Detection, placeholders: &Placeholders) -> (CompiledDetection, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut searches = Vec::new();
    for s in &det.searches {
        let alternatives = s
            .alternatives
            .iter()
            .map(|alt| alt.iter().map(|item| compile_item(item, placeholders, &mut diags)).collect())
            .collect();
        searches.push(CompiledSearch { name: s.name.clone(), name_span: s.name_span, alternatives });
    }
    let conditions = det.conditions.iter().filter_map(|c| c.expr.clone()).collect();
    (CompiledDetection { searches, conditions }, diags)
}

fn scalar_text(v: &RawValue) -> String {
    match &v.value {
        Scalar::Str(s) => s.clone(),
        Scalar::Null => String::new(),
        _ => v.text.clone(),
    }
}

pub fn compile_item(item: &DetectionItem, placeholders: &Placeholders, diags: &mut Vec<Diagnostic>) -> Item {
    let chain = item.modifier_chain();
    let has = |m: Modifier| chain.contains(&m);
    let mut out = Item {
        field: item.field.clone(),
        tests: Vec::new(),
        all: has(Modifier::All),
        negate: has(Modifier::Neq),
        modifiers: chain.iter().map(|m| m.name().to_string()).collect(),
        shown_values: item.values.iter().map(|v| v.text.clone()).collect(),
        test_sources: Vec::new(),
        key_span: item.key_span,
        value_span: item.value_span,
    };
    let time_part = chain.iter().find_map(|m| match m {
        Modifier::Minute => Some(TimePart::Minute),
        Modifier::Hour => Some(TimePart::Hour),
        Modifier::Day => Some(TimePart::Day),
        Modifier::Week => Some(TimePart::Week),
        Modifier::Month => Some(TimePart::Month),
        Modifier::Year => Some(TimePart::Year),
        _ => None,
    });
    let comparison = chain.iter().find_map(|m| match m {
        Modifier::Lt => Some(CmpOp::Lt),
        Modifier::Lte => Some(CmpOp::Lte),
        Modifier::Gt => Some(CmpOp::Gt),
        Modifier::Gte => Some(CmpOp::Gte),
        _ => None,
    });
    let position = chain.iter().find_map(|m| match m {
        Modifier::Contains => Some(Position::Contains),
        Modifier::StartsWith => Some(Position::StartsWith),
        Modifier::EndsWith => Some(Position::EndsWith),
        _ => None,
    });
    let cased = has(Modifier::Cased);

    for (vi, v) in item.values.iter().enumerate() {
        // Tests pushed by the previous value belong to it.
        out.test_sources.resize(out.tests.len(), vi.saturating_sub(1));
        let err = |diags: &mut Vec<Diagnostic>, code: &str, msg: String| {
            diags.push(Diagnostic::error(code, msg, Some(v.span)))
        };
        if has(Modifier::Exists) {
            if let Scalar::Bool(b) = v.value {
                out.tests.push(Test::Exists(b));
            }
            continue;
        }
        if let Some(op) = comparison {
            match number_of(v) {
                Some(n) => {
                    let t = Test::Compare { op, value: n };
                    out.tests.push(wrap_time(time_part, t));
                }
                None => err(diags, "not-a-number", format!("'{}' needs a number, got '{}'", op_name(op), v.text)),
            }
            continue;
        }
        if let Some(part) = time_part {
            match number_of(v) {
                Some(n) => out.tests.push(wrap_time(Some(part), Test::Number { value: n, text: v.text.clone() })),
                None => {
                    err(diags, "not-a-number", format!("a time-part modifier compares with a number, got '{}'", v.text))
                }
            }
            continue;
        }
        if has(Modifier::Re) {
            let pattern = scalar_text(v);
            if let Err(e) = crate::re::check::validate(&pattern) {
                err(diags, "invalid-regex", format!("invalid regular expression: {e}"));
                continue;
            }
            out.tests.push(Test::Regex { pattern, i: has(Modifier::I), m: has(Modifier::M), s: has(Modifier::S) });
            continue;
        }
        if has(Modifier::Cidr) {
            let text = scalar_text(v);
            match Cidr::parse(&text) {
                Some(c) => out.tests.push(Test::Cidr(c)),
                None => {
                    err(diags, "invalid-cidr", format!("'{text}' is not a CIDR range such as 10.0.0.0/8 or fe80::/10"))
                }
            }
            continue;
        }
        if has(Modifier::FieldRef) {
            let field = scalar_text(v);
            if field.is_empty() {
                err(diags, "invalid-fieldref", "'fieldref' needs the name of another field".to_string());
                continue;
            }
            out.tests.push(Test::FieldRef { field, position, cased });
            continue;
        }
        match &v.value {
            Scalar::Null => {
                if item.values.len() > 1 {
                    err(
                        diags,
                        "null-in-list",
                        "null cannot be part of a list of values (spec): use a separate selection".to_string(),
                    );
                }
                out.tests.push(Test::Null);
                continue;
            }
            Scalar::Bool(b)
                if position.is_none() && !has(Modifier::Expand) && chain.iter().all(|m| !m.is_encoding()) =>
            {
                out.tests.push(Test::Bool(*b));
                continue;
            }
            Scalar::Int(_) | Scalar::Float(_)
                if position.is_none() && !has(Modifier::Expand) && chain.iter().all(|m| !m.is_encoding()) =>
            {
                if let Some(n) = number_of(v) {
                    out.tests.push(Test::Number { value: n, text: v.text.clone() });
                    continue;
                }
            }
            _ => {}
        }
        // Strings (and numbers used as text): expand, encode, position, glob.
        let raw = scalar_text(v);
        let bases: Vec<SigmaString> = if has(Modifier::Expand) {
            match expand_placeholders(&raw, placeholders) {
                Ok((list, complete)) => {
                    if !complete {
                        diags.push(Diagnostic::warning(
                            "placeholder-truncated",
                            format!(
                                "the placeholder values give more than {MAX_COMBINATIONS} combinations for this value; only the first \
                                 {MAX_COMBINATIONS} are used, so the item tests fewer values than the rule asks for"
                            ),
                            Some(v.span),
                        ));
                    }
                    list
                }
                Err(missing) => {
                    err(
                        diags,
                        "unresolved-placeholder",
                        format!(
                            "placeholder '%{missing}%' has no values: supply them (e.g. --placeholder {missing}=a,b)"
                        ),
                    );
                    continue;
                }
            }
        } else {
            vec![SigmaString::parse(&raw)]
        };
        for base in bases {
            for encoded in encode(base, &chain) {
                let pattern = match position {
                    Some(Position::Contains) => encoded.contains(),
                    Some(Position::StartsWith) => encoded.startswith(),
                    Some(Position::EndsWith) => encoded.endswith(),
                    None => encoded,
                };
                out.tests.push(Test::Glob { pattern, cased });
            }
        }
    }
    out.test_sources.resize(out.tests.len(), item.values.len().saturating_sub(1));
    // base64offset turns each value into three alternatives: with `all`, any of
    // the three must match per value, which a flat AND cannot say. Keep OR
    // semantics then and tell the user.
    if out.all && has(Modifier::Base64Offset) && item.values.len() > 1 {
        diags.push(Diagnostic::warning(
            "all-base64offset",
            "'all' with 'base64offset' is evaluated per encoded variant; each value must match one of its three variants",
            Some(item.key_span),
        ));
    }
    out
}

fn op_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "lt",
        CmpOp::Lte => "lte",
        CmpOp::Gt => "gt",
        CmpOp::Gte => "gte",
    }
}

fn wrap_time(part: Option<TimePart>, test: Test) -> Test {
    match part {
        Some(part) => Test::TimePart { part, test: Box::new(test) },
        None => test,
    }
}

fn number_of(v: &RawValue) -> Option<f64> {
    match &v.value {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        Scalar::Str(s) => crate::base::float::parse_f64(s.trim()).filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Upper bound on the strings one placeholder value expands to.
const MAX_COMBINATIONS: usize = 10_000;

/// Expand `%name%` placeholders. Each placeholder value is itself a Sigma
/// string (wildcards allowed); several placeholders give every combination.
/// `\%` is a literal percent sign. The flag is false when the combinations
/// were cut at [`MAX_COMBINATIONS`].
fn expand_placeholders(raw: &str, placeholders: &Placeholders) -> Result<(Vec<SigmaString>, bool), String> {
    // Split into literal chunks and placeholder names.
    enum Piece {
        Text(String),
        Name(String),
    }
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '\\' if after.starts_with('%') => {
                text.push('%');
                rest = &after[1..];
            }
            // Only up to the next `%`: copying the whole tail per `%` was quadratic.
            '%' => match after.find('%') {
                Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                    pieces.push(Piece::Name(after[..end].to_string()));
                    rest = &after[end + 1..];
                }
                _ => {
                    text.push('%');
                    rest = after;
                }
            },
            _ => {
                text.push(c);
                rest = after;
            }
        }
    }
    pieces.push(Piece::Text(text));
    let mut results = vec![SigmaString::default()];
    let mut complete = true;
    for piece in pieces {
        match piece {
            Piece::Text(t) => {
                let parsed = SigmaString::parse(&t);
                for r in &mut results {
                    r.parts.extend(parsed.parts.iter().cloned());
                    merge_literals(r);
                }
            }
            Piece::Name(name) => {
                let values = placeholders.get(&name).filter(|v| !v.is_empty()).ok_or(name)?;
                let mut next = Vec::new();
                for r in &results {
                    for v in values.iter() {
                        if next.len() >= MAX_COMBINATIONS {
                            complete = false;
                            break;
                        }
                        let mut s = r.clone();
                        s.parts.extend(SigmaString::parse(v).parts);
                        merge_literals(&mut s);
                        next.push(s);
                    }
                }
                results = next;
            }
        }
    }
    Ok((results, complete))
}

fn merge_literals(s: &mut SigmaString) {
    use crate::sigma::string::Part;
    let mut merged: Vec<Part> = Vec::with_capacity(s.parts.len());
    for p in s.parts.drain(..) {
        match (merged.last_mut(), p) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    s.parts = merged;
}

/// Apply encoding modifiers in order. Wildcards are not meaningful inside
/// encoded text, so an encoded value is a plain literal.
fn encode(value: SigmaString, chain: &[Modifier]) -> Vec<SigmaString> {
    if !chain.iter().any(|m| m.is_encoding()) {
        return vec![value];
    }
    if chain.iter().all(|m| !m.is_encoding() || *m == Modifier::Windash) {
        return vec![value.windash()];
    }
    // Work on bytes: utf16 changes the bytes, base64 turns bytes into text.
    let plain = value.as_plain().unwrap_or_else(|| value.to_sigma());
    let mut variants: Vec<Vec<u8>> = vec![plain.into_bytes()];
    let mut text_variants: Option<Vec<String>> = None;
    for m in chain {
        match m {
            Modifier::Utf16le | Modifier::Wide => variants = variants.iter().map(|b| utf16(b, false, false)).collect(),
            Modifier::Utf16be => variants = variants.iter().map(|b| utf16(b, true, false)).collect(),
            Modifier::Utf16 => variants = variants.iter().map(|b| utf16(b, false, true)).collect(),
            Modifier::Base64 => {
                let t: Vec<String> = variants.iter().map(|b| crate::base::b64::encode(b)).collect();
                variants = t.iter().map(|s| s.clone().into_bytes()).collect();
                text_variants = Some(t);
            }
            Modifier::Base64Offset => {
                let t: Vec<String> = variants.iter().flat_map(|b| base64_offsets(b)).collect();
                variants = t.iter().map(|s| s.clone().into_bytes()).collect();
                text_variants = Some(t);
            }
            _ => {}
        }
    }
    let texts =
        text_variants.unwrap_or_else(|| variants.iter().map(|b| b.iter().map(|&c| char::from(c)).collect()).collect());
    texts
        .into_iter()
        .map(|t| {
            let s = SigmaString::literal(&t);
            if chain.contains(&Modifier::Windash) {
                s.windash()
            } else {
                s
            }
        })
        .collect()
}

/// Re-encode UTF-8 bytes as UTF-16 (little or big endian, optional BOM).
fn utf16(bytes: &[u8], big_endian: bool, bom: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::with_capacity(bytes.len() * 2 + 2);
    if bom {
        out.extend_from_slice(&[0xFF, 0xFE]);
    }
    for unit in text.encode_utf16() {
        let b = if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() };
        out.extend_from_slice(&b);
    }
    out
}

/// The three base64 forms of a value that may sit at any offset inside a
/// longer base64-encoded text: encode with 0, 1 or 2 leading filler bytes and
/// keep only the characters that do not depend on the neighbours.
pub fn base64_offsets(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut buf = vec![b' '; shift];
        buf.extend_from_slice(value);
        let encoded = crate::base::b64::encode(&buf);
        let start = [0usize, 2, 3][shift];
        let end_trim = [0usize, 3, 2][(value.len() + shift) % 3];
        let end = encoded.len().saturating_sub(end_trim);
        if let Some(s) = encoded.get(start..end) {
            if !s.is_empty() {
                out.push(s.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64offset_known_values() {
        // By hand: base64("ab") = "YWI=", base64(" ab") = "IGFi", base64("  ab") = "ICBhYg==";
        // keep the characters that do not depend on the bytes around the value.
        assert_eq!(base64_offsets(b"ab"), vec!["YW".to_string(), "Fi".to_string(), "hY".to_string()]);
    }

    #[test]
    fn cidr_contains() {
        let c = Cidr::parse("10.0.0.0/8").unwrap_or_else(|| panic!("cidr"));
        assert!(c.contains(&"10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(!c.contains(&"11.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        let v6 = Cidr::parse("fe80::/10").unwrap_or_else(|| panic!("cidr"));
        assert!(v6.contains(&"fe80::1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains(&IpAddr::from([8, 8, 8, 8]))));
    }

    #[test]
    fn placeholders_expand_and_report_missing() {
        let mut p = Placeholders::new();
        p.insert("Admins".into(), vec!["adm_*".into(), "root".into()]);
        let (out, complete) = expand_placeholders("%Admins%", &p).unwrap_or_default();
        assert!(complete);
        assert_eq!(out.len(), 2);
        assert!(out[0].ends_with_star());
        assert_eq!(expand_placeholders("%Missing%", &p).err(), Some("Missing".to_string()));
        let (lit, _) = expand_placeholders(r"\%plain%Admins%", &p).unwrap_or_default();
        assert_eq!(lit.len(), 2);
        assert!(lit[1].as_plain().is_some_and(|s| s == "%plainroot"), "{lit:?}");
        // Text around names, a lone `%`, a name with a space (not a name).
        let (mixed, _) = expand_placeholders("a%Admins%b % c %x y%", &p).unwrap_or_default();
        assert!(mixed[1].as_plain().is_some_and(|s| s == "arootb % c %x y%"), "{mixed:?}");
        // 200 × 200 values exceed the cap: cut, and said so.
        p.insert("Many".into(), (0..200).map(|i| format!("v{i}")).collect());
        let (many, complete) = expand_placeholders("%Many%-%Many%", &p).unwrap_or_default();
        assert!(!complete);
        assert_eq!(many.len(), MAX_COMBINATIONS);
        // A long run of `%` stays linear.
        let pct = "%".repeat(200_000);
        assert!(expand_placeholders(&pct, &p).is_ok_and(|(v, _)| v.len() == 1));
    }
}
