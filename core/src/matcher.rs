//! The compiled matcher: build once per rule, evaluate many events.
//!
//! Matching semantics (the user-visible contract, also in the README):
//! - Strings compare case-insensitively unless `cased`; `re` is case-sensitive
//!   unless `i`. Wildcards `*`/`?` match any characters, newlines included.
//! - A rule number matches an event number of the same value and an event
//!   string that parses to that number (`4688` matches `"4688"`); a rule string
//!   matches an event number through its decimal text (`'4688'` matches `4688`).
//!   `lt`/`gt`/... parse event strings as numbers and fail when they are not.
//! - Booleans match JSON booleans and the strings `true`/`false` in any case.
//! - `null` matches an absent field or a JSON null; `exists` tests presence only.
//! - An event value that is an array matches when any element matches.
//! - Keywords (values without a field) match when the value occurs anywhere
//!   inside any value of the event (full-text search, as SIEMs do): wildcards
//!   inside a keyword are honoured, the ends are open.
//! - `neq` holds when none of the values match (an absent field is "different").
//! - A missing field fails every test except `null`, `exists: false` and `neq`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;

use regex::{Regex, RegexBuilder};
use serde::Serialize;
use serde_json::Value;

use crate::compile::{self, CmpOp, CompiledDetection, Item, Placeholders, Position, Test, TimePart};
use crate::condition::{self, CondExpr, OfTarget, Quantifier};
use crate::diag::{Diagnostic, Span};
use crate::event::Event;
use crate::rule::{Rule, RuleKind};
use crate::sigma_string::{fold_case, Part, SigmaString};

/// Compiled regexes are bounded so that a hostile pattern cannot eat memory.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    pub placeholders: Placeholders,
}

#[derive(Debug)]
enum StrOp {
    Any,
    Eq(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Regex(Regex),
}

#[derive(Debug)]
struct StrTest {
    op: StrOp,
    cased: bool,
}

impl StrTest {
    fn from_glob(pattern: &SigmaString, cased: bool) -> Result<StrTest, String> {
        let fold = |s: &str| if cased { s.to_string() } else { fold_case(s) };
        let op = match pattern.parts.as_slice() {
            [] => StrOp::Eq(String::new()),
            [Part::Star] => StrOp::Any,
            [Part::Lit(a)] => StrOp::Eq(fold(a)),
            [Part::Lit(a), Part::Star] => StrOp::Prefix(fold(a)),
            [Part::Star, Part::Lit(a)] => StrOp::Suffix(fold(a)),
            [Part::Star, Part::Lit(a), Part::Star] => StrOp::Contains(fold(a)),
            _ => StrOp::Regex(build_regex(&pattern.to_regex(!cased))?),
        };
        // Regexes carry their own case flag, so they run on the original text.
        let cased = cased || matches!(op, StrOp::Regex(_));
        Ok(StrTest { op, cased })
    }

    fn matches(&self, text: &str) -> bool {
        match &self.op {
            StrOp::Any => true,
            StrOp::Eq(s) => text == s,
            StrOp::Prefix(s) => text.starts_with(s.as_str()),
            StrOp::Suffix(s) => text.ends_with(s.as_str()),
            StrOp::Contains(s) => text.contains(s.as_str()),
            StrOp::Regex(r) => r.is_match(text),
        }
    }
}

fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(100)
        .build()
        .map_err(|e| e.to_string())
}

#[derive(Debug)]
enum MTest {
    Str(StrTest),
    Regex(Regex),
    Cidr(compile::Cidr),
    Number { value: f64, text: String },
    Compare { op: CmpOp, value: f64 },
    Bool(bool),
    Null,
    Exists(bool),
    FieldRef { field: String, position: Option<Position>, cased: bool },
    TimePart { part: TimePart, test: Box<MTest> },
    /// A test that failed to compile (already reported): never matches.
    Never,
}

#[derive(Debug)]
struct MItem {
    field: Option<String>,
    tests: Vec<MTest>,
    all: bool,
    negate: bool,
}

#[derive(Debug)]
enum MExpr {
    And(Vec<MExpr>),
    Or(Vec<MExpr>),
    Not(Box<MExpr>),
    Search(usize),
    OneOf(Vec<usize>),
    AllOf(Vec<usize>),
}

/// An event with per-event caches shared by every rule evaluated on it.
pub struct PreparedEvent<'e> {
    pub event: &'e Event,
    lowered: RefCell<HashMap<*const Value, Box<str>>>,
    keyword_text: RefCell<Option<(Vec<Box<str>>, Vec<Box<str>>)>>,
}

impl<'e> PreparedEvent<'e> {
    pub fn new(event: &'e Event) -> Self {
        PreparedEvent { event, lowered: RefCell::new(HashMap::new()), keyword_text: RefCell::new(None) }
    }

    /// Run `f` on the value's text, lowercased unless `cased`.
    fn with_text<R>(&self, v: &Value, cased: bool, f: impl FnOnce(&str) -> R) -> Option<R> {
        let text: std::borrow::Cow<'_, str> = match v {
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            Value::Bool(b) => std::borrow::Cow::Borrowed(if *b { "true" } else { "false" }),
            _ => return None,
        };
        if cased {
            return Some(f(&text));
        }
        if text.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
            return Some(f(&text));
        }
        let key = v as *const Value;
        let mut cache = self.lowered.borrow_mut();
        let lowered = cache.entry(key).or_insert_with(|| fold_case(&text).into_boxed_str());
        Some(f(lowered))
    }

    /// Every leaf value as text (original, lowercased), for keyword search.
    fn with_keyword_texts<R>(&self, f: impl FnOnce(&[Box<str>], &[Box<str>]) -> R) -> R {
        let mut slot = self.keyword_text.borrow_mut();
        let (orig, lower) = slot.get_or_insert_with(|| {
            let mut orig = Vec::new();
            self.event.for_each_string_value(&mut |s| {
                orig.push(Box::<str>::from(s));
                false
            });
            let lower = orig.iter().map(|s| fold_case(s).into_boxed_str()).collect();
            (orig, lower)
        });
        f(orig, lower)
    }
}

/// Why an item held or failed, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemOutcome {
    pub field: Option<String>,
    pub modifiers: Vec<String>,
    /// The rule values, as written.
    pub values: Vec<String>,
    /// The rule value that decided a match, when one did.
    pub matched_value: Option<String>,
    pub matched: bool,
    /// The event's value of the field (`None` when absent or a keyword).
    pub actual: Option<Value>,
    pub span: Span,
    pub value_span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchOutcome {
    pub name: String,
    pub matched: bool,
    pub span: Span,
    /// For a match: the items of the alternative that held. For a miss: the
    /// first failing item of the alternative that came closest.
    pub items: Vec<ItemOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    pub matched: bool,
    pub searches: Vec<SearchOutcome>,
    /// One line a person can read: which searches decided it.
    pub summary: String,
}

pub struct Matcher {
    detection: CompiledDetection,
    items: Vec<Vec<Vec<MItem>>>,
    condition: Option<MExpr>,
    diagnostics: Vec<Diagnostic>,
    title: String,
}

impl Matcher {
    /// Compile a detection rule. Diagnostics (errors included) are kept on the
    /// matcher; a rule with errors still builds, with the broken parts never matching.
    pub fn new(rule: &Rule, options: &MatchOptions) -> Matcher {
        let (detection, mut diagnostics) = compile::compile_detection(&rule.detection, &options.placeholders);
        if rule.kind != RuleKind::Detection {
            diagnostics.push(Diagnostic::info(
                "not-a-detection",
                "only detection rules match single events; correlations and filters apply to other rules",
                Some(rule.span),
            ));
        }
        let mut items = Vec::new();
        for search in &detection.searches {
            let mut alts = Vec::new();
            for alt in &search.alternatives {
                alts.push(alt.iter().map(|i| compile_item(i, &mut diagnostics)).collect());
            }
            items.push(alts);
        }
        let names = detection.names();
        // First index of each name, as `position` would find it; a map keeps 100,000 searches linear.
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            index.entry(n.as_str()).or_insert(i);
        }
        let exprs: Vec<MExpr> = detection.conditions.iter().filter_map(|c| resolve(c, &names, &index, 0)).collect();
        let condition = match exprs.len() {
            0 => None,
            1 => exprs.into_iter().next(),
            _ => Some(MExpr::Or(exprs)),
        };
        Matcher { detection, items, condition, diagnostics, title: rule.title_text().to_string() }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn compiled(&self) -> &CompiledDetection {
        &self.detection
    }

    /// Fast path: does the rule match? No explanation is built.
    pub fn is_match(&self, event: &PreparedEvent<'_>) -> bool {
        let mut memo = vec![None; self.items.len()];
        self.condition.as_ref().is_some_and(|c| self.eval_expr(c, event, &mut memo))
    }

    pub fn matches(&self, event: &Event) -> bool {
        self.is_match(&PreparedEvent::new(event))
    }

    /// Evaluate with an explanation of every search.
    pub fn explain(&self, event: &Event) -> MatchResult {
        let prepared = PreparedEvent::new(event);
        let matched = self.is_match(&prepared);
        let mut searches = Vec::new();
        for (si, search) in self.detection.searches.iter().enumerate() {
            let alts = self.items.get(si).map(Vec::as_slice).unwrap_or(&[]);
            let mut outcome = SearchOutcome { name: search.name.clone(), matched: false, span: search.name_span, items: Vec::new() };
            let mut best: Option<(usize, ItemOutcome)> = None;
            for (ai, alt) in alts.iter().enumerate() {
                let sources = search.alternatives.get(ai).map(Vec::as_slice).unwrap_or(&[]);
                let mut held = Vec::new();
                let mut failed = None;
                for (ii, item) in alt.iter().enumerate() {
                    let Some(src) = sources.get(ii) else { continue };
                    let (ok, matched_value) = self.explain_item(item, src, &prepared);
                    let out = item_outcome(src, event, ok, matched_value);
                    if ok {
                        held.push(out);
                    } else {
                        failed = Some(out);
                        break;
                    }
                }
                match failed {
                    None => {
                        outcome.matched = true;
                        outcome.items = held;
                        break;
                    }
                    Some(f) => {
                        if best.as_ref().is_none_or(|(n, _)| held.len() > *n) {
                            best = Some((held.len(), f));
                        }
                    }
                }
            }
            if !outcome.matched {
                outcome.items = best.map(|(_, f)| vec![f]).unwrap_or_default();
            }
            searches.push(outcome);
        }
        let held: Vec<&str> = searches.iter().filter(|s| s.matched).map(|s| s.name.as_str()).collect();
        let summary = if matched {
            format!("matched: condition true with {}", if held.is_empty() { "no search true (negations)".to_string() } else { held.join(", ") })
        } else if held.is_empty() {
            "no match: no search identifier held".to_string()
        } else {
            format!("no match: {} held but the condition is false", held.join(", "))
        };
        MatchResult { matched, searches, summary }
    }

    fn explain_item(&self, item: &MItem, src: &Item, ev: &PreparedEvent<'_>) -> (bool, Option<String>) {
        let ok = eval_item(item, ev);
        if !ok || item.negate || item.all {
            return (ok, None);
        }
        // Find the first value that decided it, for display.
        let shown = item.tests.iter().position(|t| {
            eval_item(&MItem { field: item.field.clone(), tests: vec![clone_shallow(t)], all: false, negate: false }, ev)
        });
        let value = shown.and_then(|i| {
            src.test_sources.get(i).and_then(|vi| src.shown_values.get(*vi)).cloned().or_else(|| src.tests.get(i).map(describe_test))
        });
        (ok, value)
    }

    fn eval_expr(&self, e: &MExpr, ev: &PreparedEvent<'_>, memo: &mut Vec<Option<bool>>) -> bool {
        match e {
            MExpr::And(xs) => xs.iter().all(|x| self.eval_expr(x, ev, memo)),
            MExpr::Or(xs) => xs.iter().any(|x| self.eval_expr(x, ev, memo)),
            MExpr::Not(x) => !self.eval_expr(x, ev, memo),
            MExpr::Search(i) => self.eval_search(*i, ev, memo),
            MExpr::OneOf(ids) => ids.iter().any(|i| self.eval_search(*i, ev, memo)),
            MExpr::AllOf(ids) => ids.iter().all(|i| self.eval_search(*i, ev, memo)),
        }
    }

    fn eval_search(&self, i: usize, ev: &PreparedEvent<'_>, memo: &mut [Option<bool>]) -> bool {
        if let Some(Some(v)) = memo.get(i) {
            return *v;
        }
        let result = self.items.get(i).is_some_and(|alts| alts.iter().any(|alt| alt.iter().all(|item| eval_item(item, ev))));
        if let Some(slot) = memo.get_mut(i) {
            *slot = Some(result);
        }
        result
    }
}

/// A copy of a test for single-value re-evaluation in explanations. Regexes
/// are cheap to clone (reference counted).
fn clone_shallow(t: &MTest) -> MTest {
    match t {
        MTest::Str(s) => MTest::Str(StrTest {
            op: match &s.op {
                StrOp::Any => StrOp::Any,
                StrOp::Eq(x) => StrOp::Eq(x.clone()),
                StrOp::Prefix(x) => StrOp::Prefix(x.clone()),
                StrOp::Suffix(x) => StrOp::Suffix(x.clone()),
                StrOp::Contains(x) => StrOp::Contains(x.clone()),
                StrOp::Regex(r) => StrOp::Regex(r.clone()),
            },
            cased: s.cased,
        }),
        MTest::Regex(r) => MTest::Regex(r.clone()),
        MTest::Cidr(c) => MTest::Cidr(c.clone()),
        MTest::Number { value, text } => MTest::Number { value: *value, text: text.clone() },
        MTest::Compare { op, value } => MTest::Compare { op: *op, value: *value },
        MTest::Bool(b) => MTest::Bool(*b),
        MTest::Null => MTest::Null,
        MTest::Exists(b) => MTest::Exists(*b),
        MTest::FieldRef { field, position, cased } => MTest::FieldRef { field: field.clone(), position: *position, cased: *cased },
        MTest::TimePart { part, test } => MTest::TimePart { part: *part, test: Box::new(clone_shallow(test)) },
        MTest::Never => MTest::Never,
    }
}

pub fn describe_test(t: &Test) -> String {
    match t {
        Test::Glob { pattern, .. } => pattern.to_sigma(),
        Test::Regex { pattern, .. } => pattern.clone(),
        Test::Cidr(c) => c.text.clone(),
        Test::Number { text, .. } => text.clone(),
        Test::Compare { value, .. } => value.to_string(),
        Test::Bool(b) => b.to_string(),
        Test::Null => "null".to_string(),
        Test::Exists(b) => b.to_string(),
        Test::FieldRef { field, .. } => field.clone(),
        Test::TimePart { test, .. } => describe_test(test),
    }
}

fn item_outcome(src: &Item, event: &Event, matched: bool, matched_value: Option<String>) -> ItemOutcome {
    ItemOutcome {
        field: src.field.clone(),
        modifiers: src.modifiers.clone(),
        values: src.shown_values.clone(),
        matched_value,
        matched,
        actual: src.field.as_deref().and_then(|f| event.get(f)).cloned(),
        span: src.key_span,
        value_span: src.value_span,
    }
}

fn compile_item(item: &Item, diags: &mut Vec<Diagnostic>) -> MItem {
    let keyword = item.field.is_none();
    let tests = item
        .tests
        .iter()
        .map(|t| {
            // Keywords are a full-text search: the value may sit anywhere.
            // An unquoted number or boolean keyword is searched as text too.
            let t = match (keyword, t) {
                (true, Test::Glob { pattern, cased }) => Test::Glob { pattern: pattern.clone().contains(), cased: *cased },
                (true, Test::Number { text, .. }) => Test::Glob { pattern: SigmaString::literal(text).contains(), cased: false },
                (true, Test::Bool(b)) => Test::Glob { pattern: SigmaString::literal(&b.to_string()).contains(), cased: false },
                _ => t.clone(),
            };
            compile_test(&t).unwrap_or_else(|e| {
                diags.push(Diagnostic::error("invalid-pattern", e, Some(item.value_span)));
                MTest::Never
            })
        })
        .collect();
    MItem { field: item.field.clone(), tests, all: item.all, negate: item.negate }
}

fn compile_test(t: &Test) -> Result<MTest, String> {
    Ok(match t {
        Test::Glob { pattern, cased } => MTest::Str(StrTest::from_glob(pattern, *cased)?),
        Test::Regex { pattern, i, m, s } => {
            let mut flags = String::new();
            for (on, f) in [(*i, 'i'), (*m, 'm'), (*s, 's')] {
                if on {
                    flags.push(f);
                }
            }
            let full = if flags.is_empty() { pattern.clone() } else { format!("(?{flags}){pattern}") };
            MTest::Regex(build_regex(&full)?)
        }
        Test::Cidr(c) => MTest::Cidr(c.clone()),
        Test::Number { value, text } => MTest::Number { value: *value, text: fold_case(text) },
        Test::Compare { op, value } => MTest::Compare { op: *op, value: *value },
        Test::Bool(b) => MTest::Bool(*b),
        Test::Null => MTest::Null,
        Test::Exists(b) => MTest::Exists(*b),
        Test::FieldRef { field, position, cased } => MTest::FieldRef { field: field.clone(), position: *position, cased: *cased },
        Test::TimePart { part, test } => MTest::TimePart { part: *part, test: Box::new(compile_test(test)?) },
    })
}

const MAX_EXPR_DEPTH: usize = 256;

fn resolve(e: &CondExpr, names: &[String], index: &HashMap<&str, usize>, depth: usize) -> Option<MExpr> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    let index_of = |n: &str| index.get(n).copied();
    Some(match e {
        CondExpr::And(xs) => MExpr::And(xs.iter().filter_map(|x| resolve(x, names, index, depth + 1)).collect()),
        CondExpr::Or(xs) => MExpr::Or(xs.iter().filter_map(|x| resolve(x, names, index, depth + 1)).collect()),
        CondExpr::Not(x) => MExpr::Not(Box::new(resolve(x, names, index, depth + 1)?)),
        // An undefined name was reported by the parser; it can never be true.
        CondExpr::Ident { name, .. } => index_of(name).map_or(MExpr::Or(Vec::new()), MExpr::Search),
        CondExpr::Of { quantifier, target, .. } => {
            let ids: Vec<usize> = condition::select_names(target, names).iter().filter_map(|n| index_of(n)).collect();
            match (quantifier, target) {
                // `all of` nothing would be vacuously true; treat as false.
                (_, _) if ids.is_empty() => MExpr::Or(Vec::new()),
                (Quantifier::One, _) => MExpr::OneOf(ids),
                (Quantifier::All, OfTarget::Them | OfTarget::Pattern(_)) => MExpr::AllOf(ids),
            }
        }
    })
}

fn eval_item(item: &MItem, ev: &PreparedEvent<'_>) -> bool {
    let result = match &item.field {
        None => eval_keywords(item, ev),
        // A dotted path through an array of objects has one value per element;
        // the item holds when a test holds on any of them.
        Some(field) if field.contains('.') => {
            let values = ev.event.get_all(field);
            let one = |t: &MTest| {
                if values.is_empty() {
                    eval_test(t, None, ev)
                } else {
                    values.iter().any(|v| eval_test(t, Some(v), ev))
                }
            };
            if item.all {
                !item.tests.is_empty() && item.tests.iter().all(one)
            } else {
                item.tests.iter().any(one)
            }
        }
        Some(field) => {
            let value = ev.event.get(field);
            if item.all {
                !item.tests.is_empty() && item.tests.iter().all(|t| eval_test(t, value, ev))
            } else {
                item.tests.iter().any(|t| eval_test(t, value, ev))
            }
        }
    };
    result != item.negate
}

fn eval_keywords(item: &MItem, ev: &PreparedEvent<'_>) -> bool {
    ev.with_keyword_texts(|orig, lower| {
        let one = |t: &MTest| match t {
            MTest::Str(s) => {
                let texts = if s.cased { orig } else { lower };
                texts.iter().any(|x| s.matches(x))
            }
            MTest::Regex(r) => orig.iter().any(|x| r.is_match(x)),
            _ => false,
        };
        if item.all {
            !item.tests.is_empty() && item.tests.iter().all(one)
        } else {
            item.tests.iter().any(one)
        }
    })
}

fn eval_test(t: &MTest, value: Option<&Value>, ev: &PreparedEvent<'_>) -> bool {
    match t {
        MTest::Null => matches!(value, None | Some(Value::Null)),
        MTest::Exists(b) => value.is_some() == *b,
        _ => match value {
            None | Some(Value::Null) => false,
            Some(Value::Array(items)) => items.iter().any(|v| eval_scalar(t, v, ev)),
            Some(v) => eval_scalar(t, v, ev),
        },
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn eval_scalar(t: &MTest, v: &Value, ev: &PreparedEvent<'_>) -> bool {
    match t {
        MTest::Str(s) => ev.with_text(v, s.cased, |text| s.matches(text)).unwrap_or(false),
        MTest::Regex(r) => ev.with_text(v, true, |text| r.is_match(text)).unwrap_or(false),
        MTest::Number { value, text } => match as_number(v) {
            Some(n) => n == *value,
            None => ev.with_text(v, false, |t| t == text).unwrap_or(false),
        },
        MTest::Compare { op, value } => as_number(v).is_some_and(|n| match op {
            CmpOp::Lt => n < *value,
            CmpOp::Lte => n <= *value,
            CmpOp::Gt => n > *value,
            CmpOp::Gte => n >= *value,
        }),
        MTest::Bool(b) => match v {
            Value::Bool(x) => x == b,
            Value::String(s) => s.trim().eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            _ => false,
        },
        MTest::Cidr(c) => match v {
            Value::String(s) => parse_ip(s).is_some_and(|ip| c.contains(&ip)),
            _ => false,
        },
        MTest::FieldRef { field, position, cased } => {
            let Some(other) = ev.event.get(field) else { return false };
            let Some(other_text) = ev.with_text(other, *cased, str::to_string) else { return false };
            ev.with_text(v, *cased, |text| match position {
                None => text == other_text,
                Some(Position::Contains) => text.contains(other_text.as_str()),
                Some(Position::StartsWith) => text.starts_with(other_text.as_str()),
                Some(Position::EndsWith) => text.ends_with(other_text.as_str()),
            })
            .unwrap_or(false)
        }
        MTest::TimePart { part, test } => {
            let Value::String(s) = v else { return false };
            let Some(d) = crate::datetime::parse(s) else { return false };
            let n = match part {
                TimePart::Minute => d.minute,
                TimePart::Hour => d.hour,
                TimePart::Day => d.day,
                TimePart::Week => crate::datetime::iso_week(&d),
                TimePart::Month => d.month,
                TimePart::Year => u32::try_from(d.year).unwrap_or(0),
            };
            eval_scalar(test, &Value::from(n), ev)
        }
        MTest::Null | MTest::Exists(_) | MTest::Never => false,
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = t.parse().ok()?;
    // An IPv4 address written in IPv6-mapped form is the IPv4 address.
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests;
