use super::*;
use crate::event::parse_events;
use crate::sigma::rule::parse_rules;
use serde_json::Map;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn rule_files(root: &Path) -> Vec<PathBuf> {
    let mut stack: Vec<PathBuf> = match std::fs::read_dir(root) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("rules") || n == "deprecated")
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn regression_events(root: &Path) -> Vec<Event> {
    let Ok(cases) = std::fs::read_to_string(corpus().join("regression-cases.jsonl")) else { return Vec::new() };
    let mut events = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let Some(file) = v["event_file"].as_str() else { continue };
        if seen.insert(file.to_string()) {
            if let Ok(text) = std::fs::read_to_string(root.join(file)) {
                events.extend(parse_events(&text).events);
            }
        }
    }
    events
}

/// The event flattened, with every value passed through `f`.
fn mutated(e: &Event, f: &dyn Fn(&Value) -> Value) -> Event {
    let map: Map<String, Value> = e.fields().map(|(k, v)| (k.to_string(), f(v))).collect();
    Event::from_json(Value::Object(map))
}

fn upper(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.to_uppercase()),
        Value::Array(xs) => Value::Array(xs.iter().map(upper).collect()),
        x => x.clone(),
    }
}

fn typed(v: &Value) -> Value {
    match v {
        Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        Value::String(s) => s.parse::<i64>().map(Value::from).unwrap_or_else(|_| v.clone()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(xs) => Value::Array(xs.iter().map(typed).collect()),
        x => x.clone(),
    }
}

#[test]
fn rule_set_agrees_with_every_rule_on_the_corpus() {
    let root = corpus().join("sigmahq");
    let files = rule_files(&root);
    if files.is_empty() {
        eprintln!("corpus not found; skipped");
        return;
    }
    let mut matchers = Vec::new();
    for p in &files {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        matchers.extend(parse_rules(&text).rules.iter().map(|r| Matcher::new(r, &MatchOptions::default())));
    }
    let base = regression_events(&root);
    assert!(!base.is_empty());
    let mut events: Vec<Event> = Vec::new();
    for e in &base {
        events.push(e.clone());
        events.push(mutated(e, &upper));
        events.push(mutated(e, &typed));
    }
    let set = RuleSet::new(matchers);
    let mut hits = 0;
    let mut evaluated = 0;
    for (n, e) in events.iter().enumerate() {
        let p = PreparedEvent::new(e);
        let want: Vec<usize> =
            set.matchers().iter().enumerate().filter(|(_, m)| m.is_match(&p)).map(|(i, _)| i).collect();
        let got = set.matching(e);
        assert_eq!(got, want, "event {n}");
        hits += got.len();
        evaluated += set.candidates(&PreparedEvent::new(e)).len();
    }
    assert!(hits > 700, "{hits}");
    eprintln!(
        "{} rules ({} always evaluated), {} events, {hits} matches, {evaluated} rule evaluations instead of {}",
        set.len(),
        set.always.len(),
        events.len(),
        set.len() * events.len()
    );
}

fn rule(detection: &str) -> Rule {
    let text = format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}");
    crate::sigma::rule::parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn corners_agree() {
    let dets = [
        "  sel:\n    A: 'X'\n  condition: sel\n",
        "  sel:\n    A: 5\n  condition: sel\n",
        "  sel:\n    A|contains: 'abc'\n  condition: not sel\n",
        "  sel:\n    A|cased: 'Abc'\n  condition: sel\n",
        "  sel:\n    A|contains|cased: 'Abc'\n  condition: sel\n",
        "  sel:\n    A: null\n  condition: sel\n",
        "  sel:\n    A|exists: true\n  condition: sel\n",
        "  sel:\n    a.b|endswith: 'xyz'\n  condition: sel\n",
        "  sel:\n    A|re: 'ab+c'\n  condition: sel\n",
        "  sel:\n    - 'keyword'\n  condition: sel\n",
        "  sel:\n    A|contains|all:\n      - 'abc'\n      - 'def'\n  condition: sel\n",
        "  sel:\n    A|startswith:\n      - 'aaa'\n      - 'bbb'\n      - 'ccc'\n      - 'ddd'\n      - 'e'\n  condition: sel\n",
        "  sel:\n    A|endswith: 'Σ'\n  condition: sel\n",
        "  sel:\n    Source Name: 'x'\n  condition: sel\n",
        "  sel:\n    SourceName: 'x'\n  condition: sel\n",
        "  a:\n    A: 'x'\n  b:\n    B: 'y'\n  condition: a or not b\n",
        "  a:\n    A: 'x'\n  b:\n    B|contains: 'yyy'\n  condition: a and b\n",
    ];
    let events = [
        r#"{"A":"x"}"#,
        r#"{"A":"X"}"#,
        r#"{"A":5}"#,
        r#"{"A":"5"}"#,
        r#"{"A":"5.0"}"#,
        r#"{"A":-0.0}"#,
        r#"{"A":null}"#,
        r#"{"A":["q","x"]}"#,
        r#"{"A":"zAbcz"}"#,
        r#"{"A":"abc def"}"#,
        r#"{"A":"abbbc"}"#,
        r#"{"A":"bbbq"}"#,
        r#"{"A":"eq"}"#,
        r#"{"A":"ΑΣ"}"#,
        r#"{"A":"ας"}"#,
        r#"{"a":{"b":"..XYZ"}}"#,
        r#"{"a":[{"b":"1"},{"b":"xyz"}]}"#,
        r#"{"B":"y"}"#,
        r#"{"B":"ayyyb","A":"x"}"#,
        r#"{"Source Name":"X"}"#,
        r#"{"SourceName":"x"}"#,
        r#"{"C":"a keyword here"}"#,
        r#"{}"#,
    ];
    let matchers: Vec<Matcher> = dets.iter().map(|d| Matcher::new(&rule(d), &MatchOptions::default())).collect();
    let set = RuleSet::new(matchers);
    for (n, text) in events.iter().enumerate() {
        let e = Event::from_json(serde_json::from_str(text).unwrap_or(Value::Null));
        let p = PreparedEvent::new(&e);
        let want: Vec<usize> =
            set.matchers().iter().enumerate().filter(|(_, m)| m.is_match(&p)).map(|(i, _)| i).collect();
        assert_eq!(set.matching(&e), want, "event {n}: {text}");
    }
}

#[test]
#[ignore]
fn list_always() {
    let root = corpus().join("sigmahq");
    let mut matchers = Vec::new();
    for p in &rule_files(&root) {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        matchers.extend(parse_rules(&text).rules.iter().map(|r| Matcher::new(r, &MatchOptions::default())));
    }
    let set = RuleSet::new(matchers);
    for &i in &set.always {
        let m = &set.matchers()[i];
        let d = m.compiled();
        let fields: Vec<String> = d
            .searches
            .iter()
            .flat_map(|s| {
                s.alternatives.iter().flatten().map(|it| format!("{:?}{}", it.field, if it.negate { "!" } else { "" }))
            })
            .take(6)
            .collect();
        eprintln!("ALWAYS {} | {:?}", m.title(), fields);
    }
}
