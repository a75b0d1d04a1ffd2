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

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::IpAddr;

use crate::re::Regex;
#[cfg(feature = "fast-regex")]
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use glob::Glob;
use memchr::memmem;
use serde::Serialize;
use serde_json::Value;

use crate::base::diag::{Diagnostic, Span};
use crate::event::Event;
use crate::sigma::compiled::{self, CmpOp, CompiledDetection, Item, Placeholders, Position, Test, TimePart};
use crate::sigma::condition::{self, CondExpr, OfTarget, Quantifier};
use crate::sigma::rule::{Rule, RuleKind};
use crate::sigma::string::{fold_case, Part, SigmaString};

mod fast_hash;
mod glob;
pub(crate) use fast_hash::FastMap;
#[cfg(feature = "fast-regex")]
use fast_hash::FastSet;

#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    pub placeholders: Placeholders,
    /// The event field correlations read time from; `None` tries
    /// [`crate::engine::correlation::TIMESTAMP_FIELDS`].
    pub timestamp_field: Option<String>,
}

// Tests sit inline in the compiled rule and are read on every event; boxing
// the large variants would add a pointer chase to the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum StrOp {
    Any,
    Eq(String),
    Prefix(String),
    Suffix(String),
    /// The needle and its precompiled searcher; without one (a test only an
    /// item's automaton runs, or a copy for explanations), a one-off search.
    Contains(String, Option<memmem::Finder<'static>>),
    Regex(Regex),
    /// Any other wildcard value (see `glob.rs`).
    Glob(Box<Glob>),
}

#[derive(Debug)]
struct StrTest {
    op: StrOp,
    cased: bool,
    /// For rule-set prefiltering: a literal (ASCII lowercase) that the
    /// case-folded text contains whenever the test holds, if one is known.
    hint: Option<Box<str>>,
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
            [Part::Star, Part::Lit(a), Part::Star] => contains_op(fold(a)),
            _ => match Glob::new(pattern, cased) {
                Some(g) => StrOp::Glob(Box::new(g)),
                None => StrOp::Regex(Regex::new(&pattern.to_regex(!cased))?),
            },
        };
        // Regexes and globs carry their own case flag, so they run on the original text.
        let hint = glob_hint(pattern, cased);
        let cased = cased || matches!(op, StrOp::Regex(_) | StrOp::Glob(_));
        Ok(StrTest { op, cased, hint })
    }

    fn matches(&self, text: &str) -> bool {
        match &self.op {
            StrOp::Any => true,
            StrOp::Eq(s) => text == s,
            StrOp::Prefix(s) => text.starts_with(s.as_str()),
            StrOp::Suffix(s) => text.ends_with(s.as_str()),
            StrOp::Contains(_, Some(f)) => f.find(text.as_bytes()).is_some(),
            StrOp::Contains(n, None) => memmem::find(text.as_bytes(), n.as_bytes()).is_some(),
            StrOp::Regex(r) => r.is_match(text),
            StrOp::Glob(g) => g.is_match(text),
        }
    }
}

impl StrTest {
    /// `matches` on the case-folded form of an ASCII `text` (uncased tests).
    fn matches_ascii_folded(&self, text: &str) -> bool {
        // Needles are folded, so their ASCII letters are lowercase already.
        let (t, len) = (text.as_bytes(), text.len());
        match &self.op {
            StrOp::Any => true,
            StrOp::Eq(n) => t.eq_ignore_ascii_case(n.as_bytes()),
            StrOp::Prefix(n) => t.get(..n.len()).is_some_and(|h| h.eq_ignore_ascii_case(n.as_bytes())),
            StrOp::Suffix(n) => len
                .checked_sub(n.len())
                .and_then(|at| t.get(at..))
                .is_some_and(|h| h.eq_ignore_ascii_case(n.as_bytes())),
            StrOp::Contains(n, _) if Self::scan_in_place(len, n.len()) => contains_ascii_ci(t, n.as_bytes()),
            // Long texts: searched on the cached folded text instead (linear time).
            StrOp::Contains(..) | StrOp::Regex(_) | StrOp::Glob(_) => self.matches(&text.to_ascii_lowercase()),
        }
    }

    /// A case-insensitive scan in place costs at most text × needle steps;
    /// below this bound it beats folding a copy of the text.
    fn scan_in_place(text_len: usize, needle_len: usize) -> bool {
        text_len.saturating_mul(needle_len.max(1)) <= 1 << 16
    }

    /// Tests `matches_ascii_folded` handles without a folded copy.
    fn in_place(&self, text: &str) -> bool {
        match &self.op {
            StrOp::Contains(n, _) => Self::scan_in_place(text.len(), n.len()),
            _ => self.anchored(),
        }
    }

    /// Whole-value, prefix or suffix comparison (or `*`).
    fn anchored(&self) -> bool {
        matches!(self.op, StrOp::Any | StrOp::Eq(_) | StrOp::Prefix(_) | StrOp::Suffix(_))
    }
}

/// The longest ASCII run of the glob's literal parts, lowercased, when long
/// enough to index: a text matching the glob contains it, so its case-folded
/// form contains the lowercased run (ASCII folds char by char). Case-insensitive
/// matching also lets `s` match `ſ` (U+017F), which folding keeps, so
/// uncased runs stop at `s`.
fn glob_hint(pattern: &SigmaString, cased: bool) -> Option<Box<str>> {
    let mut best = "";
    for p in &pattern.parts {
        if let Part::Lit(t) = p {
            for piece in t.split(|c: char| !c.is_ascii() || (!cased && matches!(c, 's' | 'S'))) {
                if piece.len() > best.len() {
                    best = piece;
                }
            }
        }
    }
    (best.len() >= MIN_SUB_LEN).then(|| best.to_ascii_lowercase().into_boxed_str())
}

/// `hay` contains `needle` ignoring ASCII case; `needle` is lowercase.
fn contains_ascii_ci(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return true };
    let upper = first.to_ascii_uppercase();
    let last_start = match hay.len().checked_sub(needle.len()) {
        Some(n) => n,
        None => return false,
    };
    let mut from = 0;
    while from <= last_start {
        let Some(at) = memchr::memchr2(first, upper, hay.get(from..=last_start).unwrap_or(&[])) else { return false };
        let start = from + at;
        if hay.get(start + 1..start + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(rest)) {
            return true;
        }
        from = start + 1;
    }
    false
}

/// A `contains` test, its searcher built later by [`arm`].
fn contains_op(needle: String) -> StrOp {
    StrOp::Contains(needle, None)
}

/// Build the searcher of a `contains` test that runs on its own.
fn arm(t: &mut ValueCheck) {
    if let ValueCheck::Str(StrTest { op: StrOp::Contains(n, f @ None), .. }) = t {
        *f = Some(memmem::Finder::new(n.as_bytes()).into_owned());
    }
}

#[allow(clippy::large_enum_variant)] // see StrOp
/// A compiled `Test`, ready to run against an event's values (patterns
/// built, numbers parsed, literals case-folded once).
#[derive(Debug)]
enum ValueCheck {
    Str(StrTest),
    Regex(Regex),
    Cidr(compiled::Cidr),
    Number {
        value: f64,
        text: String,
    },
    Compare {
        op: CmpOp,
        value: f64,
    },
    Bool(bool),
    Null,
    Exists(bool),
    FieldRef {
        field: String,
        position: Option<Position>,
        cased: bool,
    },
    TimePart {
        part: TimePart,
        test: Box<ValueCheck>,
    },
    /// A test that failed to compile (already reported): never matches.
    Never,
}

/// A detection item ready to run: its field and its value checks.
#[derive(Debug)]
struct ItemCheck {
    field: Option<String>,
    tests: Vec<ValueCheck>,
    all: bool,
    negate: bool,
    /// For an "any" item with many case-folded literal tests: those tests as
    /// one automaton; `rest` indexes the tests it does not cover.
    multi: Option<Box<MultiLit>>,
}

/// Several case-folded literal tests of one item, checked in one go: the
/// whole-value, prefix and suffix needles by hash lookups of the text's
/// slices of their lengths, the `contains` needles in one pass of an
/// automaton. Only a speed-up (with the `fast-regex` feature): without it, the
/// tests run one by one, with the same results, and the WebAssembly carries
/// no automaton.
#[cfg(feature = "fast-regex")]
#[derive(Debug)]
struct MultiLit {
    eq: Anchored,
    prefix: Anchored,
    suffix: Anchored,
    /// The `contains` needles, when there are enough to search them together.
    contains: Option<Needles>,
    rest: Vec<usize>,
}

/// Several needles searched for in one pass: SIMD (Teddy) where the CPU
/// and the needles allow it, which costs little to build, else an automaton.
#[cfg(feature = "fast-regex")]
#[derive(Debug)]
enum Needles {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

#[cfg(feature = "fast-regex")]
impl Needles {
    fn new(needles: &[&str]) -> Option<Needles> {
        if let Some(p) = aho_corasick::packed::Config::new().builder().extend(needles).build() {
            return Some(Needles::Packed(p));
        }
        // A non-contiguous NFA, not the DFA the builder picks for few
        // needles: building a DFA per item was the largest cost of compiling
        // the corpus, and on event-sized texts the NFA searches about as fast
        // (and as fast as the contiguous NFA, which costs more to build).
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(needles)
            .ok()
            .filter(|ac| ac.try_find("").is_ok())
            .map(Needles::Automaton)
    }

    /// Does any needle occur in the text?
    fn any_in(&self, text: &str) -> bool {
        match self {
            Needles::Packed(p) => p.find(text).is_some(),
            Needles::Automaton(ac) => ac.try_find(text).is_ok_and(|m| m.is_some()),
        }
    }
}

/// Needles that must sit at one place of the text (the whole of it, its
/// start or its end), as a set, with their distinct lengths in ascending order.
#[cfg(feature = "fast-regex")]
#[derive(Debug, Default)]
struct Anchored {
    set: FastSet<Box<[u8]>>,
    lens: Vec<usize>,
}

#[cfg(feature = "fast-regex")]
impl Anchored {
    fn new(needles: &[&str]) -> Anchored {
        let set = needles.iter().map(|n| Box::from(n.as_bytes())).collect();
        let mut lens: Vec<usize> = needles.iter().map(|n| n.len()).collect();
        lens.sort_unstable();
        lens.dedup();
        Anchored { set, lens }
    }

    /// Does a needle equal `at(len)`, the text's slice of some needle length
    /// (`None` when the text is shorter)?
    fn any<'t>(&self, at: impl Fn(usize) -> Option<&'t [u8]>) -> bool {
        self.lens.iter().map_while(|&n| at(n)).any(|slice| self.set.contains(slice))
    }
}

/// Without `fast-regex`: never built, so every use of it is unreachable.
#[cfg(not(feature = "fast-regex"))]
#[derive(Debug)]
struct MultiLit {
    never: std::convert::Infallible,
    rest: Vec<usize>,
}

#[cfg(not(feature = "fast-regex"))]
impl MultiLit {
    fn build(_tests: &[ValueCheck]) -> Option<MultiLit> {
        None
    }

    fn matches(&self, _text: &str) -> bool {
        match self.never {}
    }

    fn eval(&self, _value: Option<&Value>, _ev: &PreparedEvent<'_>) -> bool {
        match self.never {}
    }
}

#[cfg(feature = "fast-regex")]
impl MultiLit {
    /// Fewer needles of a kind than this are faster one by one.
    const MIN_NEEDLES: usize = 4;

    fn build(tests: &[ValueCheck]) -> Option<MultiLit> {
        fn needle(t: &ValueCheck) -> Option<(&StrOp, &str)> {
            match t {
                ValueCheck::Str(StrTest { op, cased: false, .. }) => match op {
                    StrOp::Eq(s) | StrOp::Prefix(s) | StrOp::Suffix(s) | StrOp::Contains(s, _) if !s.is_empty() => {
                        Some((op, s.as_str()))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        let (mut eq, mut prefix, mut suffix, mut contains) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (op, s) in tests.iter().filter_map(needle) {
            match op {
                StrOp::Eq(_) => eq.push(s),
                StrOp::Prefix(_) => prefix.push(s),
                StrOp::Suffix(_) => suffix.push(s),
                _ => contains.push(s),
            }
        }
        let anchored = eq.len() + prefix.len() + suffix.len() >= Self::MIN_NEEDLES;
        let contains = if contains.len() >= Self::MIN_NEEDLES { Needles::new(&contains) } else { None };
        if !anchored && contains.is_none() {
            return None;
        }
        let covered = |t: &ValueCheck| match needle(t) {
            Some((StrOp::Contains(..), _)) => contains.is_some(),
            Some(_) => anchored,
            None => false,
        };
        let rest = tests.iter().enumerate().filter(|(_, t)| !covered(t)).map(|(i, _)| i).collect();
        let set = |needles: &[&str]| Anchored::new(if anchored { needles } else { &[] });
        Some(MultiLit { eq: set(&eq), prefix: set(&prefix), suffix: set(&suffix), contains, rest })
    }

    /// Does any needle sit in the (case-folded) text as its test requires?
    fn matches(&self, text: &str) -> bool {
        let t = text.as_bytes();
        (!self.eq.set.is_empty() && self.eq.set.contains(t))
            || self.prefix.any(|n| t.get(..n))
            || self.suffix.any(|n| t.len().checked_sub(n).and_then(|at| t.get(at..)))
            || self.contains.as_ref().is_some_and(|n| n.any_in(text))
    }

    fn eval(&self, value: Option<&Value>, ev: &PreparedEvent<'_>) -> bool {
        match value {
            None | Some(Value::Null) => false,
            Some(Value::Array(items)) => {
                items.iter().any(|v| ev.with_text(v, false, |t| self.matches(t)).unwrap_or(false))
            }
            Some(v) => ev.with_text(v, false, |t| self.matches(t)).unwrap_or(false),
        }
    }
}

/// The condition over the rule's searches (by index), `of` quantifiers kept.
#[derive(Debug)]
enum ConditionTree {
    And(Vec<ConditionTree>),
    Or(Vec<ConditionTree>),
    Not(Box<ConditionTree>),
    Search(usize),
    OneOf(Vec<usize>),
    AllOf(Vec<usize>),
}

/// Every leaf value of an event as text: as written, and case-folded.
type KeywordTexts = (Vec<Box<str>>, Vec<Box<str>>);

/// An event with per-event caches shared by every rule evaluated on it.
pub struct PreparedEvent<'e> {
    pub event: &'e Event,
    /// Case-folded text of values, keyed by the value's address.
    lowered: RefCell<FastMap<usize, Box<str>>>,
    keyword_text: RefCell<Option<KeywordTexts>>,
    /// Field lookups so far; past a few, `by_name` is built.
    lookups: Cell<u32>,
    /// Every non-dotted name `Event::get` answers, built lazily.
    by_name: RefCell<Option<FastMap<&'e str, &'e Value>>>,
}

impl<'e> PreparedEvent<'e> {
    /// Lookups done by binary search before the event's hash table is built.
    const LOOKUPS_BEFORE_TABLE: u32 = 24;

    pub fn new(event: &'e Event) -> Self {
        PreparedEvent {
            event,
            lowered: RefCell::new(FastMap::default()),
            keyword_text: RefCell::new(None),
            lookups: Cell::new(0),
            by_name: RefCell::new(None),
        }
    }

    /// Same answer as `Event::get`; many lookups on one event (a rule set)
    /// go through a hash table built once.
    pub(crate) fn get(&self, field: &str) -> Option<&'e Value> {
        let n = self.lookups.get();
        if n < Self::LOOKUPS_BEFORE_TABLE {
            self.lookups.set(n + 1);
            return self.event.get(field);
        }
        let Ok(mut slot) = self.by_name.try_borrow_mut() else { return self.event.get(field) };
        let table = slot.get_or_insert_with(|| {
            let mut t = FastMap::with_capacity_and_hasher(self.event.direct_len(), Default::default());
            self.event.for_each_direct(|k, v| {
                t.entry(k).or_insert(v);
            });
            t
        });
        match table.get(field) {
            Some(v) => Some(*v),
            None if field.contains('.') => self.event.get(field),
            None => None,
        }
    }

    /// Run `f` on the value's text, lowercased unless `cased`.
    pub(crate) fn with_text<R>(&self, v: &Value, cased: bool, f: impl FnOnce(&str) -> R) -> Option<R> {
        let text: std::borrow::Cow<'_, str> = match v {
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            Value::Bool(b) => std::borrow::Cow::Borrowed(if *b { "true" } else { "false" }),
            // A structured value is tested as its JSON text, as a SIEM that
            // stores it as a string does, and as Kusto's string operators do
            // on a dynamic column (README, "Structured values").
            Value::Object(_) => std::borrow::Cow::Owned(v.to_string()),
            _ => return None,
        };
        if cased {
            return Some(f(&text));
        }
        if text.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
            return Some(f(&text));
        }
        let key = v as *const Value as usize;
        let mut cache = self.lowered.borrow_mut();
        let lowered = cache.entry(key).or_insert_with(|| fold_case(&text).into_boxed_str());
        Some(f(lowered))
    }

    /// Every leaf value as text (original, lowercased), for keyword search.
    pub(crate) fn with_keyword_texts<R>(&self, f: impl FnOnce(&[Box<str>], &[Box<str>]) -> R) -> R {
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
    /// The filter rule (sigma-filters-specification) that suppressed a match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
}

pub struct Matcher {
    detection: CompiledDetection,
    items: Vec<Vec<Vec<ItemCheck>>>,
    condition: Option<ConditionTree>,
    diagnostics: Vec<Diagnostic>,
    title: String,
}

impl Matcher {
    /// Compile a detection rule. Diagnostics (errors included) are kept on the
    /// matcher; a rule with errors still builds, with the broken parts never matching.
    pub fn new(rule: &Rule, options: &MatchOptions) -> Matcher {
        // A filter's own selections are what its matcher tests: the events it
        // suppresses from the rules it names.
        let source = rule.filter.as_ref().map_or(&rule.detection, |f| &f.detection);
        let (detection, mut diagnostics) = compiled::compile_detection(source, &options.placeholders);
        if rule.kind != RuleKind::Detection {
            diagnostics.push(Diagnostic::info(
                "not-a-detection",
                match rule.kind {
                    RuleKind::Correlation => {
                        "a correlation rule: evaluated over the events its rules matched, not per event"
                    }
                    _ => "a filter rule: it suppresses matches of the rules it names, it does not match on its own",
                },
                Some(rule.span),
            ));
        }
        let mut items = Vec::new();
        for search in &detection.searches {
            let mut alts = Vec::new();
            for alt in &search.alternatives {
                alts.push(alt.iter().map(|i| prepare_item(i, &mut diagnostics)).collect());
            }
            items.push(alts);
        }
        let names = detection.names();
        // First index of each name, as `position` would find it; a map keeps 100,000 searches linear.
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            index.entry(n.as_str()).or_insert(i);
        }
        let exprs: Vec<ConditionTree> =
            detection.conditions.iter().filter_map(|c| resolve(c, &names, &index, 0)).collect();
        let condition = match exprs.len() {
            0 => None,
            1 => exprs.into_iter().next(),
            _ => Some(ConditionTree::Or(exprs)),
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
        const STACK: usize = 32;
        let Some(c) = self.condition.as_ref() else { return false };
        if self.items.len() <= STACK {
            let mut memo = [None; STACK];
            self.eval_expr(c, event, &mut memo)
        } else {
            let mut memo = vec![None; self.items.len()];
            self.eval_expr(c, event, &mut memo)
        }
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
            let mut outcome =
                SearchOutcome { name: search.name.clone(), matched: false, span: search.name_span, items: Vec::new() };
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
            format!(
                "matched: condition true with {}",
                if held.is_empty() { "no search true (negations)".to_string() } else { held.join(", ") }
            )
        } else if held.is_empty() {
            "no match: no search identifier held".to_string()
        } else {
            format!("no match: {} held but the condition is false", held.join(", "))
        };
        MatchResult { matched, searches, summary, suppressed_by: None }
    }

    fn explain_item(&self, item: &ItemCheck, src: &Item, ev: &PreparedEvent<'_>) -> (bool, Option<String>) {
        let ok = eval_item(item, ev);
        if !ok || item.negate || item.all {
            return (ok, None);
        }
        // Find the first value that decided it, for display.
        let shown = item.tests.iter().position(|t| {
            eval_item(
                &ItemCheck {
                    field: item.field.clone(),
                    tests: vec![clone_shallow(t)],
                    all: false,
                    negate: false,
                    multi: None,
                },
                ev,
            )
        });
        let value = shown.and_then(|i| {
            src.test_sources
                .get(i)
                .and_then(|vi| src.shown_values.get(*vi))
                .cloned()
                .or_else(|| src.tests.get(i).map(Test::describe))
        });
        (ok, value)
    }

    fn eval_expr(&self, e: &ConditionTree, ev: &PreparedEvent<'_>, memo: &mut [Option<bool>]) -> bool {
        match e {
            ConditionTree::And(xs) => xs.iter().all(|x| self.eval_expr(x, ev, memo)),
            ConditionTree::Or(xs) => xs.iter().any(|x| self.eval_expr(x, ev, memo)),
            ConditionTree::Not(x) => !self.eval_expr(x, ev, memo),
            ConditionTree::Search(i) => self.eval_search(*i, ev, memo),
            ConditionTree::OneOf(ids) => ids.iter().any(|i| self.eval_search(*i, ev, memo)),
            ConditionTree::AllOf(ids) => ids.iter().all(|i| self.eval_search(*i, ev, memo)),
        }
    }

    fn eval_search(&self, i: usize, ev: &PreparedEvent<'_>, memo: &mut [Option<bool>]) -> bool {
        if let Some(Some(v)) = memo.get(i) {
            return *v;
        }
        let result =
            self.items.get(i).is_some_and(|alts| alts.iter().any(|alt| alt.iter().all(|item| eval_item(item, ev))));
        if let Some(slot) = memo.get_mut(i) {
            *slot = Some(result);
        }
        result
    }
}

/// One fact about an event that a rule's match implies (see
/// [`Matcher::necessary`]). Field names are the rule's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Atom {
    /// The field is present (a dotted field: `get_all` finds something).
    Present(String),
    /// A value (or array element) of the field whose text, case-folded as
    /// the matcher folds it, equals this.
    Text(String, String),
    /// A value (or array element) of the field that reads as this number
    /// (key from [`num_key`]).
    Num(String, u64),
    /// A value (or array element) of the field whose case-folded text
    /// contains this (non-empty).
    Sub(String, String),
    /// Some leaf value of the event, as keyword search folds it, contains
    /// this (non-empty).
    Keyword(String),
}

impl Atom {
    /// The rule field it is about; `None` for keywords.
    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            Atom::Present(f) | Atom::Text(f, _) | Atom::Num(f, _) | Atom::Sub(f, _) => Some(f),
            Atom::Keyword(_) => None,
        }
    }

    /// A rough price of checking many events for it: lower is more selective.
    fn cost(&self) -> u32 {
        match self {
            Atom::Present(_) => 100,
            Atom::Text(_, t) if t.len() <= 5 => 15,
            Atom::Text(..) => 3,
            Atom::Num(..) => 15,
            Atom::Sub(_, s) | Atom::Keyword(s) if s.len() < 6 => 20,
            Atom::Sub(..) | Atom::Keyword(_) => 10,
        }
    }
}

/// Hash key of a number for [`Atom::Num`]: equal numbers (`0.0 == -0.0`
/// included) get equal keys.
pub(crate) fn num_key(n: f64) -> u64 {
    if n == 0.0 {
        0.0f64.to_bits()
    } else {
        n.to_bits()
    }
}

/// The number an event value reads as, as `ValueCheck::Number` reads it.
pub(crate) fn value_number(v: &Value) -> Option<f64> {
    as_number(v)
}

/// A necessary condition: `None` = none derived (always evaluate);
/// `Some(atoms)` = the rule can only match when one of `atoms` holds
/// (`Some(vec![])`: it never matches).
type Need = Option<Vec<Atom>>;

/// Shorter substrings are too common to be worth indexing.
const MIN_SUB_LEN: usize = 3;

fn need_cost(n: &[Atom]) -> u32 {
    n.iter().map(Atom::cost).fold(0u32, u32::saturating_add)
}

/// Conjunction: any one part's need is the whole's; keep the cheapest.
fn need_and(parts: impl Iterator<Item = Need>) -> Need {
    let mut best: Need = None;
    for p in parts.flatten() {
        if p.is_empty() {
            return Some(p);
        }
        if best.as_ref().is_none_or(|b| need_cost(&p) < need_cost(b)) {
            best = Some(p);
        }
    }
    best
}

/// Disjunction: every part needs a need; their union is the whole's.
fn need_or(parts: impl Iterator<Item = Need>) -> Need {
    let mut all = Vec::new();
    for p in parts {
        all.extend(p?);
    }
    Some(all)
}

impl Matcher {
    /// A necessary condition for [`Matcher::is_match`], for rule-set
    /// prefiltering: when it is `Some(atoms)` and no atom holds on an event,
    /// the rule does not match it.
    pub(crate) fn necessary(&self) -> Option<Vec<Atom>> {
        match &self.condition {
            None => Some(Vec::new()),
            Some(c) => self.need_expr(c, 0),
        }
    }

    fn need_expr(&self, e: &ConditionTree, depth: usize) -> Need {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        match e {
            ConditionTree::And(xs) => need_and(xs.iter().map(|x| self.need_expr(x, depth + 1))),
            ConditionTree::Or(xs) => need_or(xs.iter().map(|x| self.need_expr(x, depth + 1))),
            ConditionTree::Not(_) => None,
            ConditionTree::Search(i) => self.need_search(*i),
            ConditionTree::OneOf(ids) => need_or(ids.iter().map(|i| self.need_search(*i))),
            ConditionTree::AllOf(ids) => need_and(ids.iter().map(|i| self.need_search(*i))),
        }
    }

    fn need_search(&self, i: usize) -> Need {
        let Some(alts) = self.items.get(i) else { return Some(Vec::new()) };
        need_or(alts.iter().map(|alt| need_and(alt.iter().map(need_item))))
    }
}

fn need_item(item: &ItemCheck) -> Need {
    if item.negate {
        return None;
    }
    if item.tests.is_empty() {
        return Some(Vec::new());
    }
    let Some(field) = item.field.as_deref() else {
        return if item.all {
            need_and(item.tests.iter().map(need_keyword))
        } else {
            need_or(item.tests.iter().map(need_keyword))
        };
    };
    if item.all {
        need_and(item.tests.iter().map(|t| need_test(field, t)))
    } else {
        need_or(item.tests.iter().map(|t| need_test(field, t)))
    }
}

/// Keyword tests run on every leaf text, folded (`fold_case`) unless cased.
fn need_keyword(t: &ValueCheck) -> Need {
    match t {
        ValueCheck::Str(StrTest { op: StrOp::Contains(s, _), cased: false, .. }) if s.len() >= MIN_SUB_LEN => {
            Some(vec![Atom::Keyword(s.clone())])
        }
        ValueCheck::Str(StrTest { hint: Some(h), .. }) => Some(vec![Atom::Keyword(h.to_string())]),
        _ => None,
    }
}

fn need_test(field: &str, t: &ValueCheck) -> Need {
    let f = || field.to_string();
    let present = Some(vec![Atom::Present(f())]);
    match t {
        ValueCheck::Null | ValueCheck::Exists(false) => None,
        ValueCheck::Never => Some(Vec::new()),
        ValueCheck::Str(StrTest { op, cased: false, .. }) => match op {
            StrOp::Eq(s) => Some(vec![Atom::Text(f(), s.clone())]),
            StrOp::Prefix(s) | StrOp::Suffix(s) | StrOp::Contains(s, _) if s.len() >= MIN_SUB_LEN => {
                Some(vec![Atom::Sub(f(), s.clone())])
            }
            _ => present,
        },
        // Equal texts fold to equal texts.
        ValueCheck::Str(StrTest { op: StrOp::Eq(s), cased: true, .. }) => Some(vec![Atom::Text(f(), fold_text(s))]),
        ValueCheck::Str(StrTest { hint: Some(h), .. }) => Some(vec![Atom::Sub(f(), h.to_string())]),
        ValueCheck::Number { value, text } => {
            let mut v = vec![Atom::Text(f(), text.clone())];
            if !value.is_nan() {
                v.push(Atom::Num(f(), num_key(*value)));
            }
            Some(v)
        }
        _ => present,
    }
}

/// The text `PreparedEvent::with_text(_, false, _)` gives for a string.
fn fold_text(s: &str) -> String {
    if s.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
        s.to_string()
    } else {
        fold_case(s)
    }
}

/// A copy of a test for single-value re-evaluation in explanations. Regexes
/// are cheap to clone (reference counted).
fn clone_shallow(t: &ValueCheck) -> ValueCheck {
    match t {
        ValueCheck::Str(s) => ValueCheck::Str(StrTest {
            op: match &s.op {
                StrOp::Any => StrOp::Any,
                StrOp::Eq(x) => StrOp::Eq(x.clone()),
                StrOp::Prefix(x) => StrOp::Prefix(x.clone()),
                StrOp::Suffix(x) => StrOp::Suffix(x.clone()),
                StrOp::Contains(x, f) => StrOp::Contains(x.clone(), f.clone()),
                StrOp::Regex(r) => StrOp::Regex(r.clone()),
                StrOp::Glob(g) => StrOp::Glob(g.clone()),
            },
            cased: s.cased,
            hint: s.hint.clone(),
        }),
        ValueCheck::Regex(r) => ValueCheck::Regex(r.clone()),
        ValueCheck::Cidr(c) => ValueCheck::Cidr(c.clone()),
        ValueCheck::Number { value, text } => ValueCheck::Number { value: *value, text: text.clone() },
        ValueCheck::Compare { op, value } => ValueCheck::Compare { op: *op, value: *value },
        ValueCheck::Bool(b) => ValueCheck::Bool(*b),
        ValueCheck::Null => ValueCheck::Null,
        ValueCheck::Exists(b) => ValueCheck::Exists(*b),
        ValueCheck::FieldRef { field, position, cased } => {
            ValueCheck::FieldRef { field: field.clone(), position: *position, cased: *cased }
        }
        ValueCheck::TimePart { part, test } => {
            ValueCheck::TimePart { part: *part, test: Box::new(clone_shallow(test)) }
        }
        ValueCheck::Never => ValueCheck::Never,
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

fn prepare_item(item: &Item, diags: &mut Vec<Diagnostic>) -> ItemCheck {
    let keyword = item.field.is_none();
    let tests = item
        .tests
        .iter()
        .map(|t| {
            // Keywords are a full-text search: the value may sit anywhere.
            // An unquoted number or boolean keyword is searched as text too.
            let t = match (keyword, t) {
                (true, Test::Glob { pattern, cased }) => {
                    Cow::Owned(Test::Glob { pattern: pattern.clone().contains(), cased: *cased })
                }
                (true, Test::Number { text, .. }) => {
                    Cow::Owned(Test::Glob { pattern: SigmaString::literal(text).contains(), cased: false })
                }
                (true, Test::Bool(b)) => {
                    Cow::Owned(Test::Glob { pattern: SigmaString::literal(&b.to_string()).contains(), cased: false })
                }
                _ => Cow::Borrowed(t),
            };
            prepare_test(&t).unwrap_or_else(|e| {
                diags.push(Diagnostic::error("invalid-pattern", e, Some(item.value_span)));
                ValueCheck::Never
            })
        })
        .collect();
    let mut tests: Vec<ValueCheck> = tests;
    let multi = if item.all { None } else { MultiLit::build(&tests).map(Box::new) };
    // Tests the automaton covers never run on their own: no searcher for them.
    match &multi {
        Some(m) => m.rest.iter().for_each(|&i| tests.get_mut(i).into_iter().for_each(arm)),
        None => tests.iter_mut().for_each(arm),
    }
    ItemCheck { field: item.field.clone(), tests, all: item.all, negate: item.negate, multi }
}

fn prepare_test(t: &Test) -> Result<ValueCheck, String> {
    Ok(match t {
        Test::Glob { pattern, cased } => ValueCheck::Str(StrTest::from_glob(pattern, *cased)?),
        Test::Regex { pattern, i, m, s } => {
            let mut flags = String::new();
            for (on, f) in [(*i, 'i'), (*m, 'm'), (*s, 's')] {
                if on {
                    flags.push(f);
                }
            }
            let full = if flags.is_empty() { pattern.clone() } else { format!("(?{flags}){pattern}") };
            ValueCheck::Regex(Regex::new(&full)?)
        }
        Test::Cidr(c) => ValueCheck::Cidr(c.clone()),
        Test::Number { value, text } => ValueCheck::Number { value: *value, text: fold_case(text) },
        Test::Compare { op, value } => ValueCheck::Compare { op: *op, value: *value },
        Test::Bool(b) => ValueCheck::Bool(*b),
        Test::Null => ValueCheck::Null,
        Test::Exists(b) => ValueCheck::Exists(*b),
        Test::FieldRef { field, position, cased } => {
            ValueCheck::FieldRef { field: field.clone(), position: *position, cased: *cased }
        }
        Test::TimePart { part, test } => ValueCheck::TimePart { part: *part, test: Box::new(prepare_test(test)?) },
    })
}

const MAX_EXPR_DEPTH: usize = 256;

fn resolve(e: &CondExpr, names: &[String], index: &HashMap<&str, usize>, depth: usize) -> Option<ConditionTree> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    let index_of = |n: &str| index.get(n).copied();
    Some(match e {
        CondExpr::And(xs) => {
            ConditionTree::And(xs.iter().filter_map(|x| resolve(x, names, index, depth + 1)).collect())
        }
        CondExpr::Or(xs) => ConditionTree::Or(xs.iter().filter_map(|x| resolve(x, names, index, depth + 1)).collect()),
        CondExpr::Not(x) => ConditionTree::Not(Box::new(resolve(x, names, index, depth + 1)?)),
        // An undefined name was reported by the parser; it can never be true.
        CondExpr::Ident { name, .. } => index_of(name).map_or(ConditionTree::Or(Vec::new()), ConditionTree::Search),
        CondExpr::Of { quantifier, target, .. } => {
            let ids: Vec<usize> = condition::select_names(target, names).iter().filter_map(|n| index_of(n)).collect();
            match (quantifier, target) {
                // `all of` nothing would be vacuously true; treat as false.
                (_, _) if ids.is_empty() => ConditionTree::Or(Vec::new()),
                (Quantifier::One, _) => ConditionTree::OneOf(ids),
                (Quantifier::All, OfTarget::Them | OfTarget::Pattern(_)) => ConditionTree::AllOf(ids),
            }
        }
    })
}

fn eval_item(item: &ItemCheck, ev: &PreparedEvent<'_>) -> bool {
    let result = match &item.field {
        None => eval_keywords(item, ev),
        // A dotted path through an array of objects has one value per element;
        // the item holds when a test holds on any of them.
        Some(field) if field.contains('.') => {
            let values = ev.event.get_all(field);
            let one = |t: &ValueCheck| {
                if values.is_empty() {
                    eval_test(t, None, ev)
                } else {
                    values.iter().any(|v| eval_test(t, Some(v), ev))
                }
            };
            if item.all {
                !item.tests.is_empty() && item.tests.iter().all(one)
            } else if let Some(m) = &item.multi {
                values.iter().any(|v| m.eval(Some(v), ev)) || m.rest.iter().filter_map(|&i| item.tests.get(i)).any(one)
            } else {
                item.tests.iter().any(one)
            }
        }
        Some(field) => {
            let value = ev.get(field);
            if item.all {
                !item.tests.is_empty() && item.tests.iter().all(|t| eval_test(t, value, ev))
            } else if let Some(m) = &item.multi {
                m.eval(value, ev) || m.rest.iter().filter_map(|&i| item.tests.get(i)).any(|t| eval_test(t, value, ev))
            } else {
                item.tests.iter().any(|t| eval_test(t, value, ev))
            }
        }
    };
    result != item.negate
}

fn eval_keywords(item: &ItemCheck, ev: &PreparedEvent<'_>) -> bool {
    ev.with_keyword_texts(|orig, lower| {
        let one = |t: &ValueCheck| match t {
            ValueCheck::Str(s) => {
                let texts = if s.cased { orig } else { lower };
                texts.iter().any(|x| s.matches(x))
            }
            ValueCheck::Regex(r) => orig.iter().any(|x| r.is_match(x)),
            _ => false,
        };
        if item.all {
            !item.tests.is_empty() && item.tests.iter().all(one)
        } else if let Some(m) = &item.multi {
            lower.iter().any(|x| m.matches(x)) || m.rest.iter().filter_map(|&i| item.tests.get(i)).any(one)
        } else {
            item.tests.iter().any(one)
        }
    })
}

fn eval_test(t: &ValueCheck, value: Option<&Value>, ev: &PreparedEvent<'_>) -> bool {
    match t {
        ValueCheck::Null => matches!(value, None | Some(Value::Null)),
        ValueCheck::Exists(b) => value.is_some() == *b,
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
        Value::String(s) => crate::base::float::parse_f64(s.trim()).filter(|f| f.is_finite()),
        _ => None,
    }
}

fn eval_scalar(t: &ValueCheck, v: &Value, ev: &PreparedEvent<'_>) -> bool {
    match t {
        ValueCheck::Str(s) => match (v, s.cased) {
            // ASCII text folds to its ASCII lowercase: anchored needles compare
            // in place, without building the folded copy.
            (Value::String(text), false) if s.in_place(text) && text.is_ascii() => s.matches_ascii_folded(text),
            _ => ev.with_text(v, s.cased, |text| s.matches(text)).unwrap_or(false),
        },
        ValueCheck::Regex(r) => ev.with_text(v, true, |text| r.is_match(text)).unwrap_or(false),
        ValueCheck::Number { value, text } => match as_number(v) {
            Some(n) => n == *value,
            None => ev.with_text(v, false, |t| t == text).unwrap_or(false),
        },
        ValueCheck::Compare { op, value } => as_number(v).is_some_and(|n| match op {
            CmpOp::Lt => n < *value,
            CmpOp::Lte => n <= *value,
            CmpOp::Gt => n > *value,
            CmpOp::Gte => n >= *value,
        }),
        ValueCheck::Bool(b) => match v {
            Value::Bool(x) => x == b,
            Value::String(s) => s.trim().eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            _ => false,
        },
        ValueCheck::Cidr(c) => match v {
            Value::String(s) => parse_ip(s).is_some_and(|ip| c.contains(&ip)),
            _ => false,
        },
        ValueCheck::FieldRef { field, position, cased } => {
            let Some(other) = ev.get(field) else { return false };
            let Some(other_text) = ev.with_text(other, *cased, str::to_string) else { return false };
            ev.with_text(v, *cased, |text| match position {
                None => text == other_text,
                Some(Position::Contains) => text.contains(other_text.as_str()),
                Some(Position::StartsWith) => text.starts_with(other_text.as_str()),
                Some(Position::EndsWith) => text.ends_with(other_text.as_str()),
            })
            .unwrap_or(false)
        }
        ValueCheck::TimePart { part, test } => {
            let Value::String(s) = v else { return false };
            let Some(d) = crate::base::datetime::parse(s) else { return false };
            let n = match part {
                TimePart::Minute => d.minute,
                TimePart::Hour => d.hour,
                TimePart::Day => d.day,
                TimePart::Week => crate::base::datetime::iso_week(&d),
                TimePart::Month => d.month,
                TimePart::Year => u32::try_from(d.year).unwrap_or(0),
            };
            eval_scalar(test, &Value::from(n), ev)
        }
        ValueCheck::Null | ValueCheck::Exists(_) | ValueCheck::Never => false,
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
