//! Lint fixes keep rules valid and keep what they match:
//!
//! - over SigmaHQ's corpus (`shared/corpus/sigmahq/rules*`): every rule file
//!   with every safe fix applied ([`fix_all_safe`]) still checks without an
//!   error, and the matcher gives the same verdict as before on every event of
//!   the regression data (all 202 cases' events, pooled) and on events
//!   generated from the rule's own values (so that rules the regression data
//!   does not reach are matched positively too). Prints fix counts per code
//!   (`cargo test -p sigmaplay-core --test lint_fixes -- --nocapture`).
//! - on synthetic rules (proptest) written with everything the fixes touch:
//!   wildcards around values, repeated values, misspelt status and level,
//!   dates with slashes, upper-case tags and log sources, in block and flow
//!   style, plain and quoted.
//!
//! When the corpus is missing, the corpus test says so and passes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sigmaplay_core::api::{check_rule_text, fix_all_safe};
use sigmaplay_core::engine::matcher::{MatchOptions, Matcher, PreparedEvent};
use sigmaplay_core::sigma::rule::{Rule, Scalar};
use sigmaplay_core::{parse_events, parse_rules, Edit, Event};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// A value as an event would hold it, for a rule value `s` under `modifier`:
/// wildcards filled, text around it where the modifier allows any.
fn event_string(s: &str, contains: bool, starts: bool, ends: bool) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('*' | '?' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '*' => out.push_str("zz"),
            '?' => out.push('q'),
            _ => out.push(c),
        }
    }
    if contains || ends {
        out.insert_str(0, "pre ");
    }
    if contains || starts {
        out.push_str(" post");
    }
    out
}

/// Events built from a rule's own values: per search alternative, one event
/// per value position (up to 4) with every field set from that value; and one
/// event with every alternative's first values merged.
fn generated_events(rule: &Rule) -> Vec<Value> {
    let mut out = Vec::new();
    let mut merged = Map::new();
    for search in &rule.detection.searches {
        for alt in &search.alternatives {
            for i in 0..4 {
                let mut event = Map::new();
                for item in alt {
                    let Some(field) = &item.field else { continue };
                    let Some(v) = item.values.get(i).or(item.values.last()) else { continue };
                    let names: Vec<&str> = item.modifiers.iter().map(|m| m.value.name()).collect();
                    let value = match &v.value {
                        Scalar::Str(s) => json!(event_string(
                            s,
                            names.contains(&"contains"),
                            names.contains(&"startswith"),
                            names.contains(&"endswith")
                        )),
                        Scalar::Int(n) => json!(n),
                        Scalar::Float(f) => json!(f),
                        Scalar::Bool(b) => json!(b),
                        Scalar::Null => Value::Null,
                    };
                    if i == 0 {
                        merged.insert(field.clone(), value.clone());
                    }
                    event.insert(field.clone(), value);
                }
                out.push(Value::Object(event));
            }
        }
    }
    out.push(Value::Object(merged));
    out
}

fn events_of(values: &[Value]) -> Vec<Event> {
    let text: String = values.iter().map(|v| format!("{v}\n")).collect();
    parse_events(&text).events
}

/// Per rule of `text`, its verdict on each event.
fn verdicts(text: &str, events: &[Event]) -> Vec<Vec<bool>> {
    let opts = MatchOptions::default();
    let prepared: Vec<PreparedEvent<'_>> = events.iter().map(PreparedEvent::new).collect();
    parse_rules(text)
        .rules
        .iter()
        .map(|r| {
            let m = Matcher::new(r, &opts);
            prepared.iter().map(|e| m.is_match(e)).collect()
        })
        .collect()
}

/// Fix `text`; the fixed text must check without errors (when the original
/// did) and match `events` and its own generated events as the original does.
fn assert_fix_keeps_matching(name: &str, text: &str, pooled: &[Event]) -> (String, usize) {
    let before = check_rule_text(text, &MatchOptions::default());
    let outcome = fix_all_safe(text, &MatchOptions::default());
    if outcome.text == text {
        return (outcome.text, 0);
    }
    assert!(
        !before.ok || outcome.check.ok,
        "{name}: no longer checks after fixes:\n{}\n{:?}",
        outcome.text,
        outcome.check
    );
    let mut events: Vec<Event> = pooled.to_vec();
    for r in parse_rules(text).rules {
        events.extend(events_of(&generated_events(&r)));
    }
    let (a, b) = (verdicts(text, &events), verdicts(&outcome.text, &events));
    assert_eq!(a.len(), b.len(), "{name}: rule count changed");
    for (ra, rb) in a.iter().zip(&b) {
        let differ: Vec<usize> = (0..ra.len()).filter(|&i| ra.get(i) != rb.get(i)).collect();
        assert!(
            differ.is_empty(),
            "{name}: verdicts changed on events {differ:?}:\n--- before\n{text}\n--- after\n{}",
            outcome.text
        );
    }
    (outcome.text, outcome.applied)
}

/// `text` with findings the fixes resolve put in: the values of `|contains`
/// items wrapped in `*`, `|endswith` items rewritten as `*value`, the first
/// value of each block list repeated. The dirtied rule matches what the rule
/// did; its fixed form must too.
fn dirty(text: &str) -> String {
    let parsed = parse_rules(text);
    let mut edits: Vec<Edit> = Vec::new();
    let sq = |s: &str| format!("'{}'", s.replace('\'', "''"));
    // Values the checks leave alone on purpose ('*' alone, white space alone) are not dirtied.
    let ok = |s: &str| !s.chars().any(char::is_control) && s.chars().any(|c| c != '*' && !c.is_whitespace());
    for rule in &parsed.rules {
        for search in &rule.detection.searches {
            for item in search.alternatives.iter().flatten() {
                let names: Vec<&str> = item.modifiers.iter().map(|m| m.value.name()).collect();
                let strings: Vec<&str> = item
                    .values
                    .iter()
                    .filter_map(|v| match &v.value {
                        Scalar::Str(s) if ok(s) && v.span.line == v.span.end_line => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                if strings.len() != item.values.len() || item.field.is_none() {
                    continue;
                }
                match names.as_slice() {
                    // A trailing backslash would escape the added '*'.
                    ["contains"] if !strings.iter().any(|s| s.ends_with('\\')) => {
                        for v in &item.values {
                            if let Scalar::Str(s) = &v.value {
                                edits.push(Edit { span: v.span, replacement: sq(&format!("*{s}*")) });
                            }
                        }
                    }
                    ["endswith"] if !strings.iter().any(|s| s.contains(['*', '?']) || s.ends_with('\\')) => {
                        let Some(m) = item.modifiers.first() else { continue };
                        let mut span = m.span;
                        span.start -= 1; // the '|' before it
                        edits.push(Edit { span, replacement: String::new() });
                        for v in &item.values {
                            if let Scalar::Str(s) = &v.value {
                                edits.push(Edit { span: v.span, replacement: sq(&format!("*{s}")) });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let refs: Vec<&Edit> = edits.iter().collect();
    sigmaplay_core::lint::apply_edits(text, &refs).unwrap_or_else(|| text.to_string())
}

#[test]
fn corpus_fixes_keep_rules_valid_and_matching_the_same() {
    let corpus = Path::new(CORPUS);
    let root = corpus.join("sigmahq");
    if !root.is_dir() {
        eprintln!("SKIPPED: corpus not found at {CORPUS}");
        return;
    }
    // Every regression event, pooled.
    let cases = std::fs::read_to_string(corpus.join("regression-cases.jsonl")).unwrap_or_default();
    let mut files: Vec<String> = cases
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["event_file"].as_str().map(str::to_string))
        .collect();
    files.sort();
    files.dedup();
    let pooled: Vec<Event> = files
        .iter()
        .flat_map(|f| parse_events(&std::fs::read_to_string(root.join(f)).unwrap_or_default()).events)
        .collect();
    assert!(pooled.len() >= 200, "{} regression events", pooled.len());

    let mut rules = Vec::new();
    for dir in ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"] {
        rules.extend(common::yaml_files_under(&root.join(dir)));
    }
    let (mut changed, mut applied, mut positives) = (0usize, 0usize, 0usize);
    let (mut dirtied, mut dirty_applied) = (0usize, 0usize);
    let mut by_code: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let stride = if std::env::var("SIGMAPLAY_FIX_ALL").is_ok() { 1 } else { 3 };
    let mut dirty_positives = 0usize;
    for (index, path) in rules.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for d in check_rule_text(&text, &MatchOptions::default()).diagnostics {
            if let Some(f) = &d.fix {
                let e = by_code.entry(d.code.clone()).or_default();
                if f.safe {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        // Every third file by default (the whole corpus takes minutes in a debug build).
        let dirty_text = if index % stride == 0 { dirty(&text) } else { text.clone() };
        if dirty_text != text {
            dirtied += 1;
            // The dirtied rule still means the same as the rule (else the generator is wrong).
            let mut events = pooled.clone();
            for r in parse_rules(&text).rules {
                events.extend(events_of(&generated_events(&r)));
            }
            let before = verdicts(&text, &events);
            dirty_positives += before.iter().flatten().filter(|m| **m).count();
            assert_eq!(before, verdicts(&dirty_text, &events), "{name}: dirtying changed it:\n{dirty_text}");
            let (fixed, n) = assert_fix_keeps_matching(&format!("{name} (dirtied)"), &dirty_text, &pooled);
            dirty_applied += n;
            assert!(n > 0, "{name}: no fix for the dirtied text:\n{dirty_text}");
            let _ = fixed;
        }
        let (_, n) = assert_fix_keeps_matching(&name, &text, &pooled);
        if n > 0 {
            changed += 1;
            applied += n;
            let mut events = pooled.clone();
            for r in parse_rules(&text).rules {
                events.extend(events_of(&generated_events(&r)));
            }
            positives += verdicts(&text, &events).iter().flatten().filter(|m| **m).count();
        }
    }
    println!("{} rule files, {changed} changed by {applied} safe fixes; verdicts compared on {} pooled regression events plus generated ones ({positives} matches among them)", rules.len(), pooled.len());
    println!("{dirtied} rule files dirtied (wildcards around contains values, endswith as '*value'; every {stride}. file, SIGMAPLAY_FIX_ALL=1 for all): {dirty_applied} safe fixes applied to them, every one parses and matches as before ({dirty_positives} matches among the compared verdicts)");
    assert!(dirtied > 500 / stride && dirty_positives > 0);
    println!("{:28} {:>6} {:>7}", "code", "safe", "unsafe");
    for (code, (safe, unsafe_)) in &by_code {
        println!("{code:28} {safe:6} {unsafe_:7}");
    }
    assert!(rules.len() > 3000, "{} rule files", rules.len());
    assert!(positives > 0, "the compared events must include matches, or the comparison proves little");
}

/// A value written with the forms the fixes rewrite.
fn value_strategy() -> impl Strategy<Value = String> {
    (
        "[a-c]{1,3}",
        prop::sample::select(vec!["", "*"]),
        prop::sample::select(vec!["", "*", "**"]),
        prop::sample::select(vec!["", "\\\\", "-", "/"]),
    )
        .prop_map(|(core, lead, trail, mid)| format!("{lead}{core}{mid}{core}{trail}"))
}

fn quoted(s: &str, double: bool) -> String {
    if double {
        format!("\"{}\"", s.replace('\\', "\\\\"))
    } else {
        format!("'{s}'")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]
    /// Synthetic rules: after all safe fixes they parse and match the same generated events.
    #[test]
    fn synthetic_rules_keep_matching(
        values in prop::collection::vec(value_strategy(), 1..5),
        modifier in prop::sample::select(vec!["", "|contains", "|startswith", "|endswith", "|contains|all", "|windash", "|cased"]),
        flow in any::<bool>(),
        double in any::<bool>(),
        repeat in any::<bool>(),
        status in prop::sample::select(vec!["test", "tset", "experimantal", "Stable"]),
        level in prop::sample::select(vec!["high", "hihg", "Medium"]),
        date in prop::sample::select(vec!["2024-01-02", "2024/01/02", "2024.01.02"]),
        tag in prop::sample::select(vec!["attack.t1033", "attack.T1033", "attack.discovery"]),
        product in prop::sample::select(vec!["windows", "Windows"]),
        with_id in any::<bool>(),
    ) {
        let mut values = values;
        if repeat {
            if let Some(v) = values.first().cloned() {
                values.push(v);
            }
        }
        let written: Vec<String> = values.iter().map(|v| quoted(v, double)).collect();
        let list = if flow {
            format!(" [{}]", written.join(", "))
        } else {
            written.iter().map(|w| format!("\n            - {w}")).collect()
        };
        let id = if with_id { "id: 929a690e-bef0-4204-a928-ef5e620d6fcc\n" } else { "" };
        let text = format!(
            "title: Synthetic\n{id}status: {status}\ndescription: A synthetic rule for fixes\nauthor: x\ndate: {date}\ntags:\n    - attack.discovery\n    - {tag}\nlogsource:\n    category: process_creation\n    product: {product}\ndetection:\n    selection:\n        CommandLine{modifier}:{list}\n    filter_main:\n        Image: '*\\\\ok.exe'\n    condition: selection and not filter_main\nlevel: {level}\n"
        );
        let pooled: Vec<Event> = Vec::new();
        let (fixed, _) = assert_fix_keeps_matching("synthetic", &text, &pooled);
        // Fixing again finds nothing more to fix safely.
        let again = fix_all_safe(&fixed, &MatchOptions::default());
        prop_assert_eq!(again.applied, 0, "{}", fixed);
    }
}
