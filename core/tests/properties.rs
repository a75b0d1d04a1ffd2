//! Property tests (proptest):
//! - random text never panics the rule, event and condition parsers;
//! - generated valid rules (random fields, modifier chains drawn from valid
//!   combinations, values) parse and compile without errors, and for the plain
//!   cases (equality, contains, startswith, endswith, case-insensitive or
//!   `cased`, `*`/`?` wildcards, `all`, `neq`, `null`, keywords) the matcher's
//!   verdict agrees with the small reference oracle below;
//! - the condition parser round-trips: a generated tree, printed with the
//!   minimum (plus random extra) parentheses, parses to the same flattened
//!   tree, and the parser's own printed form parses back to it.

use proptest::prelude::*;
use serde_json::{Map, Value};
use sigmaplay_core::base::diag::has_errors;
use sigmaplay_core::sigma::condition::{parse_condition, CondExpr, OfTarget, Quantifier, Range};
use sigmaplay_core::{parse_events, parse_rules, Diagnostic, Event, MatchOptions, Matcher, Placeholders};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn codes(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).collect()
}

// ---------------------------------------------------------------------------
// Random text never panics

/// Fragments that steer random text towards the parsers' interesting states.
const YAMLISH: &[&str] = &[
    "title: x\n",
    "logsource:\n",
    "  product: windows\n",
    "detection:\n",
    "  sel:\n",
    "    Image|endswith: ",
    "|contains",
    "|all",
    "|re",
    "|base64offset",
    "|windash",
    "|cidr",
    "|exists",
    "|expand",
    "|fieldref",
    "|gte",
    "|hour",
    "|nope",
    "- ",
    "  ",
    "\n",
    "condition: ",
    "sel",
    " and ",
    " or ",
    "not ",
    "1 of ",
    "all of ",
    "them",
    "(",
    ")",
    "'",
    "\"",
    "*",
    "?",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ": ",
    ",",
    "&a ",
    "*a",
    "!tag ",
    "---\n",
    "...\n",
    "%P%",
    "#",
    "|",
    "null",
    "true",
    "1",
    "0x1F",
    "1e999",
    "é",
    "\u{2013}",
    "\t",
    "\r\n",
    "? ",
    "correlation:\n",
    "filter:\n",
    "  rules:\n",
];
const JSONISH: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"Event\"",
    "\"System\"",
    "\"EventData\"",
    "\"Data\"",
    "\"#attributes\"",
    "\"Name\"",
    "\"#text\"",
    "1",
    "-0.5e3",
    "true",
    "null",
    "\"x\\u0000\"",
    "\"\\ud800\"",
    "\n",
    " ",
    "a: ",
    "- ",
    "---\n",
    "\u{feff}",
];
const CONDISH: &[&str] = &[
    "sel", "sel_1", "filter", "_x", "and", "or", "not", "of", "1", "any", "all", "them", "AND", "Not", "(", ")", " ",
    "*", "sel*", "|", "count()", "é", "\t",
];

fn fragments(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pool), 0..max).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn random_text_never_panics_parse_rules(s in any::<String>(), y in fragments(YAMLISH, 60)) {
        for text in [&s, &y, &format!("{y}{s}")] {
            let parsed = parse_rules(text);
            for rule in &parsed.rules {
                let m = Matcher::new(rule, &MatchOptions::default());
                let ev = Event::from_json(serde_json::json!({"Image": "C:\\x\\cmd.exe", "a": [1, "b"]}));
                prop_assert_eq!(m.matches(&ev), m.explain(&ev).matched);
            }
        }
    }

    #[test]
    fn random_text_never_panics_parse_events(s in any::<String>(), j in fragments(JSONISH, 60)) {
        for text in [&s, &j, &format!("{j}{s}")] {
            let batch = parse_events(text);
            for ev in &batch.events {
                let _ = ev.get("a");
                let _ = ev.get_all("a.b");
            }
        }
    }

    #[test]
    fn random_text_never_panics_parse_condition(s in any::<String>(), c in fragments(CONDISH, 30)) {
        let spaced = c.clone();
        for text in [&s, &spaced] {
            match parse_condition(text) {
                Ok(expr) => {
                    // Whatever parses prints as something that parses to the same tree.
                    let again = parse_condition(&expr.to_string());
                    prop_assert_eq!(again.map(|e| shape(&e)).ok(), Some(shape(&expr)));
                }
                Err(e) => {
                    let len = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
                    prop_assert!(e.range.start <= e.range.end && e.range.end <= len, "{:?} for {:?}", e, text);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Generated rules

/// Sigma-string pieces: wildcards, escapes, case, a quote (YAML escaping), non-ASCII.
const PIECES: &[&str] =
    &["a", "b", "A", "B", "x", "-", ".", " ", "\\", "*", "?", "\\*", "\\?", "\\\\", "'", "é", "É", "/"];
/// Event text pieces: the same characters without the escaping.
const EVENT_PIECES: &[&str] = &["a", "b", "A", "B", "x", "-", ".", " ", "\\", "*", "?", "'", "é", "É", "/", "ab", "AB"];

fn sigma_value() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..6).prop_map(|v| v.concat())
}

fn event_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(EVENT_PIECES), 0..7).prop_map(|v| v.concat())
}

fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pos {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
}

/// A detection item the oracle understands.
#[derive(Debug, Clone)]
struct PlainItem {
    field: String,
    pos: Pos,
    cased: bool,
    all: bool,
    neq: bool,
    /// `None` is YAML `null` (only ever alone).
    values: Vec<Option<String>>,
    /// Order of the non-position modifiers as written.
    order: Vec<usize>,
}

impl PlainItem {
    fn key(&self) -> String {
        let mut mods: Vec<&str> = Vec::new();
        match self.pos {
            Pos::Exact => {}
            Pos::Contains => mods.push("contains"),
            Pos::StartsWith => mods.push("startswith"),
            Pos::EndsWith => mods.push("endswith"),
        }
        let flags: Vec<&str> = [(self.cased, "cased"), (self.all, "all"), (self.neq, "neq")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        for &i in &self.order {
            if let Some(f) = flags.get(i) {
                mods.push(f);
            }
        }
        let mut key = self.field.clone();
        for m in mods {
            key.push('|');
            key.push_str(m);
        }
        key
    }

    fn yaml(&self, indent: &str) -> String {
        let key = yaml_quote(&self.key());
        let render = |v: &Option<String>| v.as_deref().map_or("null".to_string(), yaml_quote);
        match self.values.as_slice() {
            [one] => format!("{indent}{key}: {}\n", render(one)),
            many => {
                let mut s = format!("{indent}{key}:\n");
                for v in many {
                    s.push_str(&format!("{indent}    - {}\n", render(v)));
                }
                s
            }
        }
    }
}

fn plain_item(field: String) -> impl Strategy<Value = PlainItem> {
    let pos = prop::sample::select(vec![Pos::Exact, Pos::Contains, Pos::StartsWith, Pos::EndsWith]);
    let values = prop_oneof![
        8 => prop::collection::vec(sigma_value().prop_map(Some), 1..4),
        1 => Just(vec![None]),
    ];
    let order = Just(vec![0usize, 1, 2]).prop_shuffle();
    (pos, any::<bool>(), any::<bool>(), any::<bool>(), values, order).prop_map(
        move |(pos, cased, all, neq, values, order)| {
            // `null` stands for "absent": no position, no `all`.
            let null = values.iter().any(Option::is_none);
            PlainItem {
                field: field.clone(),
                pos: if null { Pos::Exact } else { pos },
                cased: cased && !null,
                all: all && !null && values.len() > 1,
                neq,
                values,
                order,
            }
        },
    )
}

#[derive(Debug, Clone)]
enum SearchBody {
    Items(Vec<PlainItem>),
    Keywords(Vec<String>),
}

#[derive(Debug, Clone)]
enum Cond {
    Name(String),
    OneOf(&'static str),
    AllOf(&'static str),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

const FIELDS: &[&str] = &["Image", "CommandLine", "User", "F_3", "p", "ÄField"];

/// Searches `sel0..`, each with distinct fields (a repeated YAML key would be a duplicate).
fn searches() -> impl Strategy<Value = Vec<SearchBody>> {
    let one = prop_oneof![
        5 => prop::sample::subsequence(FIELDS.to_vec(), 1..4).prop_flat_map(|fields| {
            fields.into_iter().map(|f| plain_item(f.to_string())).collect::<Vec<_>>()
        }).prop_map(SearchBody::Items),
        1 => prop::collection::vec(sigma_value(), 1..3).prop_map(SearchBody::Keywords),
    ];
    prop::collection::vec(one, 1..4)
}

fn cond_over(n: usize) -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![
        6 => (0..n).prop_map(|i| Cond::Name(format!("sel{i}"))),
        1 => prop::sample::select(vec!["them", "sel*", "sel1*"]).prop_map(Cond::OneOf),
        1 => prop::sample::select(vec!["them", "sel*", "sel1*"]).prop_map(Cond::AllOf),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::And),
            prop::collection::vec(inner, 2..4).prop_map(Cond::Or),
        ]
    })
}

fn render_cond(c: &Cond) -> String {
    fn binding(c: &Cond) -> u8 {
        match c {
            Cond::Or(_) => 1,
            Cond::And(_) => 2,
            Cond::Not(_) => 3,
            _ => 4,
        }
    }
    fn child(c: &Cond, min: u8) -> String {
        if binding(c) < min {
            format!("({})", render_cond(c))
        } else {
            render_cond(c)
        }
    }
    match c {
        Cond::Name(n) => n.clone(),
        Cond::OneOf(p) => format!("1 of {p}"),
        Cond::AllOf(p) => format!("all of {p}"),
        Cond::Not(x) => format!("not {}", child(x, 3)),
        Cond::And(xs) => xs.iter().map(|x| child(x, 3)).collect::<Vec<_>>().join(" and "),
        Cond::Or(xs) => xs.iter().map(|x| child(x, 2)).collect::<Vec<_>>().join(" or "),
    }
}

#[derive(Debug, Clone)]
struct RuleSpec {
    searches: Vec<SearchBody>,
    condition: Cond,
}

impl RuleSpec {
    fn yaml(&self) -> String {
        let mut y = String::from("title: generated\nlogsource:\n    product: windows\ndetection:\n");
        for (i, s) in self.searches.iter().enumerate() {
            y.push_str(&format!("    sel{i}:\n"));
            match s {
                SearchBody::Items(items) => {
                    for it in items {
                        y.push_str(&it.yaml("        "));
                    }
                }
                SearchBody::Keywords(kws) => {
                    for k in kws {
                        y.push_str(&format!("        - {}\n", yaml_quote(k)));
                    }
                }
            }
        }
        y.push_str(&format!("    condition: {}\n", render_cond(&self.condition)));
        y
    }
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    searches().prop_flat_map(|s| {
        let n = s.len();
        (Just(s), cond_over(n)).prop_map(|(searches, condition)| RuleSpec { searches, condition })
    })
}

/// Text that a Sigma value matches: wildcards filled in, escapes resolved.
fn instantiate(value: &str, upper: bool) -> String {
    let mut out = String::new();
    for t in glob_tokens(value) {
        match t {
            Tok::Lit(c) => out.push(c),
            Tok::Star => out.push_str("zZ"),
            Tok::Quest => out.push('q'),
        }
    }
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// For each field, strings that the rule's values would match (so that
/// events hit as well as miss).
fn candidates(spec: &RuleSpec, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in &spec.searches {
        match s {
            SearchBody::Items(items) => {
                for it in items.iter().filter(|it| it.field == field) {
                    for v in it.values.iter().flatten() {
                        out.push(instantiate(v, false));
                        out.push(instantiate(v, true));
                        out.push(format!("<{}>", instantiate(v, false)));
                    }
                }
            }
            SearchBody::Keywords(kws) => {
                for k in kws {
                    out.push(format!("pre {} post", instantiate(k, true)));
                }
            }
        }
    }
    out
}

/// Per field: absent, JSON null, random text, or text built from a rule value.
fn event_for(spec: &RuleSpec) -> impl Strategy<Value = Vec<(String, Option<Option<String>>)>> {
    let per_field: Vec<_> = FIELDS
        .iter()
        .map(|f| {
            let cands = candidates(spec, f);
            let from_rule = if cands.is_empty() { event_text().boxed() } else { prop::sample::select(cands).boxed() };
            let value = prop_oneof![
                2 => Just(None),
                1 => Just(Some(None)),
                3 => event_text().prop_map(|t| Some(Some(t))),
                5 => from_rule.prop_map(|t| Some(Some(t))),
            ];
            (Just(f.to_string()), value)
        })
        .collect();
    per_field
}

fn event_json(fields: &[(String, Option<Option<String>>)]) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        match v {
            None => {}
            Some(None) => {
                m.insert(k.clone(), Value::Null);
            }
            Some(Some(s)) => {
                m.insert(k.clone(), Value::String(s.clone()));
            }
        }
    }
    Value::Object(m)
}

// --- the oracle --------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Lit(char),
    Star,
    Quest,
}

/// The spec's escaping: `\` escapes `*`, `?` and `\`; before anything else it is a plain backslash.
fn glob_tokens(value: &str) -> Vec<Tok> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::Quest),
            '\\' if matches!(chars.get(i + 1), Some('*' | '?' | '\\')) => {
                out.push(Tok::Lit(chars[i + 1]));
                i += 1;
            }
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    out
}

/// Plain backtracking glob over chars (tiny inputs only).
fn glob(p: &[Tok], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((Tok::Star, rest)) => (0..=t.len()).any(|i| glob(rest, &t[i..])),
        Some((Tok::Quest, rest)) => !t.is_empty() && glob(rest, &t[1..]),
        Some((Tok::Lit(c), rest)) => t.first() == Some(c) && glob(rest, &t[1..]),
    }
}

fn value_matches(value: &str, pos: Pos, cased: bool, text: &str) -> bool {
    let fold = |s: &str| if cased { s.to_string() } else { s.to_lowercase() };
    let mut toks = glob_tokens(&fold(value));
    if matches!(pos, Pos::Contains | Pos::EndsWith) && toks.first() != Some(&Tok::Star) {
        toks.insert(0, Tok::Star);
    }
    if matches!(pos, Pos::Contains | Pos::StartsWith) && toks.last() != Some(&Tok::Star) {
        toks.push(Tok::Star);
    }
    let chars: Vec<char> = fold(text).chars().collect();
    glob(&toks, &chars)
}

fn item_holds(it: &PlainItem, event: &Map<String, Value>) -> bool {
    let actual = event.get(&it.field);
    let base = if it.values.iter().any(Option::is_none) {
        matches!(actual, None | Some(Value::Null))
    } else {
        match actual {
            Some(Value::String(text)) => {
                let one = |v: &Option<String>| v.as_deref().is_some_and(|v| value_matches(v, it.pos, it.cased, text));
                if it.all {
                    it.values.iter().all(one)
                } else {
                    it.values.iter().any(one)
                }
            }
            _ => false,
        }
    };
    base != it.neq
}

fn search_holds(s: &SearchBody, event: &Map<String, Value>) -> bool {
    match s {
        SearchBody::Items(items) => items.iter().all(|it| item_holds(it, event)),
        SearchBody::Keywords(kws) => kws.iter().any(|k| {
            event.values().any(|v| matches!(v, Value::String(t) if value_matches(k, Pos::Contains, false, t)))
        }),
    }
}

fn selected(pattern: &str, n: usize) -> Vec<usize> {
    (0..n)
        .filter(|i| {
            let name = format!("sel{i}");
            match pattern {
                "them" | "sel*" => true,
                "sel1*" => name.starts_with("sel1"),
                _ => false,
            }
        })
        .collect()
}

fn cond_holds(c: &Cond, results: &[bool]) -> bool {
    match c {
        Cond::Name(n) => n
            .strip_prefix("sel")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| results.get(i))
            .copied()
            .unwrap_or(false),
        // An `of` that selects nothing is false (and reported).
        Cond::OneOf(p) => selected(p, results.len()).iter().any(|&i| results[i]),
        Cond::AllOf(p) => {
            let ids = selected(p, results.len());
            !ids.is_empty() && ids.iter().all(|&i| results[i])
        }
        Cond::Not(x) => !cond_holds(x, results),
        Cond::And(xs) => xs.iter().all(|x| cond_holds(x, results)),
        Cond::Or(xs) => xs.iter().any(|x| cond_holds(x, results)),
    }
}

fn selects_nothing(c: &Cond, n: usize) -> bool {
    match c {
        Cond::OneOf(p) | Cond::AllOf(p) => selected(p, n).is_empty(),
        Cond::Not(x) => selects_nothing(x, n),
        Cond::And(xs) | Cond::Or(xs) => xs.iter().any(|x| selects_nothing(x, n)),
        Cond::Name(_) => false,
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn matcher_agrees_with_the_oracle(
        (spec, fields) in rule_spec().prop_flat_map(|spec| {
            let ev = event_for(&spec);
            (Just(spec), ev)
        })
    ) {
        let yaml = spec.yaml();
        let parsed = parse_rules(&yaml);
        let n = spec.searches.len();
        if selects_nothing(&spec.condition, n) {
            // `1 of sel1*` without a sel1: a reported error, not a generated valid rule.
            prop_assert!(has_errors(&parsed.diagnostics));
            return Ok(());
        }
        prop_assert!(!has_errors(&parsed.diagnostics), "{:?}\n{}", codes(&parsed.diagnostics), yaml);
        prop_assert_eq!(parsed.rules.len(), 1);
        let rule = &parsed.rules[0];
        let m = Matcher::new(rule, &MatchOptions::default());
        prop_assert!(!has_errors(m.diagnostics()), "{:?}\n{}", codes(m.diagnostics()), yaml);

        let json = event_json(&fields);
        let Value::Object(map) = &json else { unreachable!() };
        let results: Vec<bool> = spec.searches.iter().map(|s| search_holds(s, map)).collect();
        let expected = cond_holds(&spec.condition, &results);
        let event = Event::from_json(json.clone());
        prop_assert_eq!(m.matches(&event), expected, "rule:\n{}event: {}\nsearches: {:?}", yaml, json, results);
        let explained = m.explain(&event);
        prop_assert_eq!(explained.matched, expected);
        let per_search: Vec<bool> = explained.searches.iter().map(|s| s.matched).collect();
        prop_assert_eq!(per_search, results, "rule:\n{}event: {}", yaml, json);

        // The same event pasted as text reads back to the same verdict.
        let batch = parse_events(&json.to_string());
        prop_assert_eq!(batch.events.len(), 1);
        prop_assert_eq!(m.matches(&batch.events[0]), expected);
    }
}

// --- every valid modifier chain parses and compiles ---------------------------

/// Chains from the spec's valid combinations, with a value strategy each.
fn valid_item() -> BoxedStrategy<(String, Vec<String>)> {
    let text = || sigma_value().prop_map(|v| yaml_quote(&v));
    let plain_text = || {
        prop::collection::vec(prop::sample::select(vec!["a", "B", "é", "-", " ", "/", "x"]), 1..6)
            .prop_map(|v| yaml_quote(&v.concat()))
    };
    let regex = || {
        prop::collection::vec(
            prop::sample::select(vec!["a", "b+", "[0-9]", "\\d", ".*", "(x|y)", "\\.", "^", "$", "\\w{2,3}", "é"]),
            1..5,
        )
        .prop_map(|v| yaml_quote(&v.concat()))
    };
    let ipv4 = || {
        (any::<[u8; 4]>(), 0u8..=32).prop_map(|(a, p)| yaml_quote(&format!("{}.{}.{}.{}/{p}", a[0], a[1], a[2], a[3])))
    };
    let ipv6 = || {
        (any::<[u16; 8]>(), 0u8..=128).prop_map(|(a, p)| yaml_quote(&format!("{}/{p}", std::net::Ipv6Addr::from(a))))
    };
    let number =
        || prop_oneof![any::<i32>().prop_map(|n| n.to_string()), (-1e6f64..1e6).prop_map(|f| format!("{f:?}"))];
    let field = || prop::sample::select(FIELDS.to_vec()).prop_map(yaml_quote);
    let chain = |c: &[&str]| c.iter().map(|m| format!("|{m}")).collect::<String>();
    let with = |c: &'static [&'static str], v: BoxedStrategy<String>| {
        let key = chain(c);
        prop::collection::vec(v, 1..3).prop_map(move |vals| (key.clone(), vals)).boxed()
    };
    prop_oneof![
        with(&[], text().boxed()),
        with(&["contains"], text().boxed()),
        with(&["contains", "all"], text().boxed()),
        with(&["startswith", "cased"], text().boxed()),
        with(&["endswith", "neq"], text().boxed()),
        with(&["re"], regex().boxed()),
        with(&["re", "i"], regex().boxed()),
        with(&["re", "i", "m", "s"], regex().boxed()),
        with(&["cidr"], prop_oneof![ipv4(), ipv6()].boxed()),
        with(&["exists"], any::<bool>().prop_map(|b| b.to_string()).boxed()),
        with(&["lt"], number().boxed()),
        with(&["gte"], number().boxed()),
        with(&["hour", "gte"], (0u8..24).prop_map(|n| n.to_string()).boxed()),
        with(&["year"], (1990u16..2100).prop_map(|n| n.to_string()).boxed()),
        with(&["windash"], plain_text().boxed()),
        with(&["windash", "contains"], plain_text().boxed()),
        with(&["base64"], plain_text().boxed()),
        with(&["base64", "contains"], plain_text().boxed()),
        with(&["base64offset", "contains"], plain_text().boxed()),
        with(&["wide", "base64offset", "contains"], plain_text().boxed()),
        with(&["utf16le", "base64"], plain_text().boxed()),
        with(&["utf16be", "base64offset", "contains"], plain_text().boxed()),
        with(&["utf16", "base64"], plain_text().boxed()),
        with(&["fieldref"], field().boxed()),
        with(&["fieldref", "endswith"], field().boxed()),
        with(&["expand"], sigma_value().prop_map(|v| yaml_quote(&format!("%P%{v}"))).boxed()),
        with(&["expand", "contains"], Just("'%P%'".to_string()).boxed()),
        with(&["cased"], text().boxed()),
    ]
    .boxed()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_modifier_chains_parse_and_compile_without_errors(
        items in prop::collection::vec(valid_item(), 1..5),
        fields in prop::collection::vec((prop::sample::select(FIELDS.to_vec()), event_text()), 0..6),
    ) {
        let mut y = String::from("title: chains\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n");
        for (i, (chain, values)) in items.iter().enumerate() {
            y.push_str(&format!("    sel{i}:\n        'F{i}{chain}':\n"));
            for v in values {
                y.push_str(&format!("            - {v}\n"));
            }
        }
        y.push_str("    condition: 1 of them\n");
        let parsed = parse_rules(&y);
        // Repeated values under `all` and friends may warn; nothing may fail.
        prop_assert!(!has_errors(&parsed.diagnostics), "{:?}\n{}", codes(&parsed.diagnostics), y);
        prop_assert_eq!(parsed.rules.len(), 1);
        let mut placeholders = Placeholders::new();
        placeholders.insert("P".to_string(), vec!["adm*".to_string(), "root".to_string()]);
        let m = Matcher::new(&parsed.rules[0], &MatchOptions { placeholders: placeholders.clone(), ..MatchOptions::default() });
        prop_assert!(!has_errors(m.diagnostics()), "{:?}\n{}", codes(m.diagnostics()), y);
        let mut obj = Map::new();
        for (f, v) in &fields {
            obj.insert(f.to_string(), Value::String(v.clone()));
        }
        let ev = Event::from_json(Value::Object(obj));
        prop_assert_eq!(m.matches(&ev), m.explain(&ev).matched);
        // The other backend must cope with every valid chain as well.
        if let Some(p) = sigmaplay_core::pipeline::builtin("none") {
            let _ = sigmaplay_core::kql::convert(&parsed.rules[0], &p, &placeholders);
        }
    }
}

// ---------------------------------------------------------------------------
// The condition parser round-trips

fn zero() -> Range {
    Range { start: 0, end: 0 }
}

fn shape(e: &CondExpr) -> CondExpr {
    match e {
        CondExpr::And(v) => CondExpr::And(v.iter().map(shape).collect()),
        CondExpr::Or(v) => CondExpr::Or(v.iter().map(shape).collect()),
        CondExpr::Not(i) => CondExpr::Not(Box::new(shape(i))),
        CondExpr::Ident { name, .. } => CondExpr::Ident { name: name.clone(), range: zero() },
        CondExpr::Of { quantifier, target, .. } => {
            CondExpr::Of { quantifier: *quantifier, target: target.clone(), range: zero() }
        }
    }
}

/// A condition tree plus, per node, whether to print redundant parentheses.
#[derive(Debug, Clone)]
enum Tree {
    Ident(&'static str),
    Of(Quantifier, Option<&'static str>, &'static str),
    Not(Box<Tree>, bool),
    And(Vec<Tree>, bool),
    Or(Vec<Tree>, bool),
}

/// Identifiers the language allows, none a keyword in any case.
const IDENTS: &[&str] = &["a", "sel_1", "x-y", "a.b", "é", "_f", "Sel", "n0", "filter_main", "1a", "themx", "ändern"];
const OF_PATTERNS: &[&str] = &["sel*", "*", "_*", "a.*", "x"];
const SPACES: &[&str] = &[" ", "  ", "\t", "\n", " \r\n "];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        4 => prop::sample::select(IDENTS).prop_map(Tree::Ident),
        1 => (any::<bool>(), prop::sample::select(vec!["1", "any"]), prop::option::of(prop::sample::select(OF_PATTERNS)))
            .prop_map(|(all, one, p)| if all { Tree::Of(Quantifier::All, p, "all") } else { Tree::Of(Quantifier::One, p, one) }),
    ];
    leaf.prop_recursive(6, 40, 4, |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>()).prop_map(|(t, p)| Tree::Not(Box::new(t), p)),
            (prop::collection::vec(inner.clone(), 2..5), any::<bool>()).prop_map(|(v, p)| Tree::And(v, p)),
            (prop::collection::vec(inner, 2..5), any::<bool>()).prop_map(|(v, p)| Tree::Or(v, p)),
        ]
    })
}

fn print_tree(t: &Tree, sp: &str) -> String {
    fn binding(t: &Tree) -> u8 {
        match t {
            Tree::Or(..) => 1,
            Tree::And(..) => 2,
            Tree::Not(..) => 3,
            _ => 4,
        }
    }
    let child = |c: &Tree, min: u8| {
        let s = print_tree(c, sp);
        let extra = matches!(c, Tree::Not(_, true) | Tree::And(_, true) | Tree::Or(_, true));
        if binding(c) < min || extra {
            format!("({sp}{s}{sp})")
        } else {
            s
        }
    };
    match t {
        Tree::Ident(n) => n.to_string(),
        Tree::Of(_, p, q) => format!("{q}{sp}of{sp}{}", p.unwrap_or("them")),
        Tree::Not(x, _) => format!("not{sp}{}", child(x, 3)),
        Tree::And(xs, _) => xs.iter().map(|x| child(x, 3)).collect::<Vec<_>>().join(&format!("{sp}and{sp}")),
        Tree::Or(xs, _) => xs.iter().map(|x| child(x, 2)).collect::<Vec<_>>().join(&format!("{sp}or{sp}")),
    }
}

/// The tree the parser should produce: same-operator children merged.
fn expected(t: &Tree) -> CondExpr {
    fn merge(xs: &[Tree], and: bool) -> Vec<CondExpr> {
        let mut out = Vec::new();
        for x in xs {
            match (x, and) {
                (Tree::And(ys, _), true) => out.extend(merge(ys, true)),
                (Tree::Or(ys, _), false) => out.extend(merge(ys, false)),
                _ => out.push(expected(x)),
            }
        }
        out
    }
    match t {
        Tree::Ident(n) => CondExpr::Ident { name: n.to_string(), range: zero() },
        Tree::Of(q, p, _) => CondExpr::Of {
            quantifier: *q,
            target: p.map_or(OfTarget::Them, |p| OfTarget::Pattern(p.to_string())),
            range: zero(),
        },
        Tree::Not(x, _) => CondExpr::Not(Box::new(expected(x))),
        Tree::And(xs, _) => CondExpr::And(merge(xs, true)),
        Tree::Or(xs, _) => CondExpr::Or(merge(xs, false)),
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn condition_parser_round_trips(t in tree(), sp in prop::sample::select(SPACES), pad in any::<bool>()) {
        let mut text = print_tree(&t, sp);
        if pad {
            text = format!("{sp}{text}{sp}");
        }
        let parsed = parse_condition(&text);
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{text:?} does not parse: {e:?}"))),
        };
        prop_assert_eq!(shape(&parsed), expected(&t), "{:?}", text);
        let printed = parsed.to_string();
        let again = parse_condition(&printed).map(|e| shape(&e)).ok();
        prop_assert_eq!(again, Some(shape(&parsed)), "{:?} printed as {:?}", text, printed);
        // Ranges point into the text: every leaf's range covers its own spelling.
        let chars: Vec<char> = text.chars().collect();
        let mut stack = vec![&parsed];
        while let Some(e) = stack.pop() {
            match e {
                CondExpr::And(v) | CondExpr::Or(v) => stack.extend(v.iter()),
                CondExpr::Not(x) => stack.push(x),
                CondExpr::Ident { name, range } => {
                    let s: String = chars.get(range.start as usize..range.end as usize).map(|c| c.iter().collect()).unwrap_or_default();
                    prop_assert_eq!(&s, name);
                }
                CondExpr::Of { range, .. } => prop_assert!(range.start < range.end && range.end as usize <= chars.len()),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Correlations: random batches keep the hit invariants

const CORRELATION_RULES: &str = "title: a\nname: a\nlogsource:\n    product: p\ndetection:\n    s:\n        K: a\n    condition: s\n---
title: b\nname: b\nlogsource:\n    product: p\ndetection:\n    s:\n        K: b\n    condition: s\n---
title: CORR\ncorrelation:\n    type: TYPE\n    rules:\n        - a\n        - b\n    group-by:\n        - G\n    timespan: 60s\n    condition:\n        field: V\n        OP: BOUND\n";

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn correlation_hits_respect_group_span_and_condition(
        kind in prop::sample::select(vec!["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg"]),
        op in prop::sample::select(vec!["gt", "gte", "lt", "lte", "eq", "neq"]),
        bound in 0u32..5,
        events in prop::collection::vec((prop::sample::select(vec!["a", "b", "c"]), 0u8..3, 0u32..300, 0u8..4), 0..40),
    ) {
        let rule = CORRELATION_RULES.replace("CORR", "corr").replace("TYPE", kind).replace("OP", op).replace("BOUND", &bound.to_string());
        let text: String = events
            .iter()
            .map(|(k, g, t, v)| format!("{{\"K\":\"{k}\",\"G\":\"g{g}\",\"V\":{v},\"@timestamp\":{}}}\n", 1_700_000_000 + t))
            .collect();
        let report = sigmaplay_core::api::match_events(&rule, &text, &MatchOptions::default());
        prop_assert!(!report.has_rule_errors(), "{:?}", report.diagnostics);
        prop_assert_eq!(report.correlations.len(), 1);
        let mut seen = std::collections::HashSet::new();
        for hit in &report.correlations[0].hits {
            let group = hit.group[0].value.clone().unwrap_or_default();
            let times: Vec<u32> = hit.events.iter().map(|&i| events[i].2).collect();
            let (lo, hi) = (times.iter().min().copied().unwrap_or(0), times.iter().max().copied().unwrap_or(0));
            prop_assert!(hi - lo <= 60, "a hit spans at most the timespan");
            for &i in &hit.events {
                prop_assert_eq!(format!("g{}", events[i].1), group.clone(), "a hit stays in its group");
                prop_assert!(events[i].0 != "c", "only events the referenced rules matched");
                prop_assert!(seen.insert(i), "hits do not share events");
            }
            if kind == "event_count" {
                prop_assert_eq!(hit.value, hit.events.len() as f64);
            }
        }
    }
}
