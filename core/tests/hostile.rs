//! Hostile input: the core runs in the browser, where a panic, a hang or a
//! memory blow-up kills the page. Every test feeds one kind of attack (or
//! accident) through the public API and asserts a diagnostic or the correct
//! result. No timing assertions: a regression shows up as a slow or killed
//! test run. Sizes are the ones the issue asks for (10,000-deep, 5 MB, 1 MB,
//! 100,000 identifiers) unless a test says otherwise.
//!
//! Regression inputs found by fuzzing (fuzz/, scripts/fuzz.sh) are at the end.

use serde_json::json;
use sigmaplay_core::base::diag::has_errors;
use sigmaplay_core::base::text::decode_utf8;
use sigmaplay_core::sigma::condition::parse_condition;
use sigmaplay_core::{parse_events, parse_rules, Diagnostic, Event, MatchOptions, Matcher, Placeholders, Rule};

// ---------------------------------------------------------------------------
// Helpers

/// Codes only: messages may quote megabytes of input.
fn codes(diags: &[Diagnostic]) -> Vec<String> {
    let mut c: Vec<String> = diags.iter().map(|d| format!("{:?}:{}", d.severity, d.code)).collect();
    c.truncate(20);
    c
}

fn has_code(diags: &[Diagnostic], code: &str) -> bool {
    diags.iter().any(|d| d.code == code)
}

/// A detection rule around `detection` (lines indented by four spaces).
fn rule_text(detection: &str) -> String {
    format!("title: hostile\nlogsource:\n    product: windows\ndetection:\n{detection}")
}

/// Parses a rule that must be free of errors.
fn good_rule(text: &str) -> Rule {
    let parsed = parse_rules(text);
    assert!(!has_errors(&parsed.diagnostics), "unexpected errors: {:?}", codes(&parsed.diagnostics));
    assert_eq!(parsed.rules.len(), 1);
    parsed.rules.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn matcher(rule: &Rule) -> Matcher {
    matcher_with(rule, &Placeholders::new())
}

fn matcher_with(rule: &Rule, placeholders: &Placeholders) -> Matcher {
    Matcher::new(rule, &MatchOptions { placeholders: placeholders.clone(), ..MatchOptions::default() })
}

/// The KQL backend over every built-in pipeline: the queries, none when the
/// conversion was refused (the diagnostics say why).
fn kql_all(rule: &Rule, placeholders: &Placeholders) -> Vec<String> {
    let mut out = Vec::new();
    for name in sigmaplay_core::pipeline::BUILTIN_NAMES {
        let Some(pipeline) = sigmaplay_core::pipeline::builtin(name) else { continue };
        let conv = sigmaplay_core::kql::convert(rule, &pipeline, placeholders);
        assert!(conv.queries.is_empty() || !has_errors(&conv.diagnostics), "{name}: queries despite errors");
        out.extend(conv.queries);
    }
    out
}

fn event(v: serde_json::Value) -> Event {
    Event::from_json(v)
}

/// Runs every consumer of a parsed text (matcher, explanation) on one event:
/// the point is that none of them panics.
fn exercise(parsed: &sigmaplay_core::ParsedRules, ev: &Event) {
    for rule in &parsed.rules {
        let m = matcher(rule);
        let fast = m.matches(ev);
        assert_eq!(fast, m.explain(ev).matched);
        let _ = kql_all(rule, &Placeholders::new());
    }
}

fn sample_event() -> Event {
    event(json!({"Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c whoami", "EventID": 1}))
}

// ---------------------------------------------------------------------------
// 10,000-deep nesting

const DEEP: usize = 10_000;

#[test]
fn yaml_flow_nesting_10k() {
    for text in [
        "[".repeat(DEEP),
        format!("{}x{}", "[".repeat(DEEP), "]".repeat(DEEP)),
        format!("{}x{}", "{a: ".repeat(DEEP), "}".repeat(DEEP)),
        rule_text(&format!("    sel:\n        Image: {}1{}\n    condition: sel\n", "[".repeat(DEEP), "]".repeat(DEEP))),
    ] {
        let parsed = parse_rules(&text);
        assert!(
            has_code(&parsed.diagnostics, "yaml-too-deep") || has_code(&parsed.diagnostics, "yaml-syntax"),
            "{:?}",
            codes(&parsed.diagnostics)
        );
        exercise(&parsed, &sample_event());
        let stream = sigmaplay_core::sigma::yaml::parse_stream(&text);
        assert!(has_errors(&stream.diagnostics));
    }
}

#[test]
fn yaml_block_nesting_10k() {
    // Compact block sequences: `- - - - x`, one level per `- `.
    let compact = format!("{}x\n", "- ".repeat(DEEP));
    // Indented block maps, one space more per level (about 50 MB of text).
    let mut indented = String::with_capacity(DEEP * (DEEP / 2 + 4));
    for i in 0..DEEP {
        indented.push_str(&" ".repeat(i));
        indented.push_str("a:\n");
    }
    // The same inside a rule's detection.
    let mut in_rule = rule_text("    sel:\n");
    for i in 0..DEEP {
        in_rule.push_str(&" ".repeat(8 + i));
        in_rule.push_str("- \n");
    }
    for text in [compact, indented, in_rule] {
        let parsed = parse_rules(&text);
        assert!(has_code(&parsed.diagnostics, "yaml-too-deep"), "{:?}", codes(&parsed.diagnostics));
        exercise(&parsed, &sample_event());
    }
}

#[test]
fn json_nesting_10k() {
    for text in [
        "[".repeat(DEEP),
        format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP)),
        format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP)),
        format!("{{\"ok\": 1}}\n{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP)),
    ] {
        let batch = parse_events(&text);
        assert!(has_code(&batch.diagnostics, "event-too-deep"), "{:?}", codes(&batch.diagnostics));
    }
    // Deep YAML events (block and flow) are refused too, not recursed into.
    let block = format!("{}x\n", "- ".repeat(DEEP));
    let flow = format!("a: {}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    for text in [block, flow] {
        let batch = parse_events(&text);
        assert!(has_errors(&batch.diagnostics), "{:?}", codes(&batch.diagnostics));
        assert!(batch.events.is_empty());
    }
}

#[test]
fn condition_nesting_10k() {
    let parens = format!("{}sel{}", "(".repeat(DEEP), ")".repeat(DEEP));
    let nots = format!("{}sel", "not ".repeat(DEEP));
    let mixed = format!("{}sel{}", "not (".repeat(DEEP), ")".repeat(DEEP));
    let unclosed = "(".repeat(DEEP);
    for text in [&parens, &nots, &mixed, &unclosed] {
        let err = parse_condition(text).err();
        let err = err.unwrap_or_else(|| panic!("a 10,000-deep condition must be refused"));
        assert!(err.range.end as usize <= text.chars().count());
    }
    assert!(parse_condition(&parens).err().is_some_and(|e| e.message.contains("nested too deeply")));
    // `not not ... not` an even number of times within the limit is fine and means `sel`.
    let ok = format!("{}sel", "not ".repeat(100));
    assert!(parse_condition(&ok).is_ok());

    for cond in [&parens, &nots] {
        let text = rule_text(&format!("    sel:\n        Image: x\n    condition: '{cond}'\n"));
        let parsed = parse_rules(&text);
        assert!(has_code(&parsed.diagnostics, "condition-syntax"), "{:?}", codes(&parsed.diagnostics));
        exercise(&parsed, &sample_event());
    }
}

// ---------------------------------------------------------------------------
// 5 MB of NDJSON

#[test]
fn ndjson_5mb_parse_and_match() {
    const TARGET: usize = 5 << 20;
    let mut text = String::with_capacity(TARGET + 256);
    let mut n = 0usize;
    let mut expected = 0usize;
    while text.len() < TARGET {
        let image = if n.is_multiple_of(7) { "C:\\Windows\\System32\\cmd.exe" } else { "C:\\Windows\\notepad.exe" };
        let user = if n.is_multiple_of(21) { "admin" } else { "user" };
        if n.is_multiple_of(7) && !n.is_multiple_of(21) {
            expected += 1;
        }
        text.push_str(
            &json!({"EventID": 1, "Image": image, "CommandLine": format!("{image} /c echo {n}"), "User": user, "Seq": n})
                .to_string(),
        );
        text.push('\n');
        n += 1;
    }
    let batch = parse_events(&text);
    assert!(batch.diagnostics.is_empty(), "{:?}", codes(&batch.diagnostics));
    assert_eq!(batch.events.len(), n);
    assert_eq!(batch.format, sigmaplay_core::event::EventFormat::JsonLines);

    let rule = good_rule(&rule_text(
        "    sel:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: ' /c echo '\n        EventID: 1\n    filter:\n        User: admin\n    condition: sel and not filter\n",
    ));
    let m = matcher(&rule);
    let matched = batch.events.iter().filter(|e| m.matches(e)).count();
    assert_eq!(matched, expected);
    // The explanation path agrees on a sample.
    for e in batch.events.iter().take(50) {
        assert_eq!(m.explain(e).matched, m.matches(e));
    }
    // The last event is still at the right place in the text.
    let last = batch.events.last().and_then(Event::span).map(|s| s.line);
    assert_eq!(last, u32::try_from(n).ok());
}

// ---------------------------------------------------------------------------
// Invalid UTF-8

#[test]
fn invalid_utf8_in_rules_and_events() {
    let mut rule = rule_text("    sel:\n        Image: '").into_bytes();
    rule.extend_from_slice(b"caf\xE9'\n    condition: sel\n");
    let d = decode_utf8(&rule).err().unwrap_or_else(|| panic!("Latin-1 byte accepted"));
    assert_eq!(d.code, "invalid-utf8");
    assert_eq!((d.line(), d.col()), (6, 20));
    assert!(d.message.contains("0xE9"));

    let events = b"{\"a\": \"ok\"}\n{\"a\": \"\xC3\"}\n";
    let d = decode_utf8(events).err().unwrap_or_else(|| panic!("truncated char accepted"));
    assert_eq!(d.code, "invalid-utf8");
    assert_eq!(d.line(), 2);

    // Cut in the middle of a multi-byte char at the very end.
    let d = decode_utf8("é".as_bytes().get(..1).unwrap_or_default()).err();
    assert!(d.is_some_and(|d| d.message.contains("middle of a character")));

    // UTF-16 with a BOM gets the hint.
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("title: x".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let d = decode_utf8(&utf16).err();
    assert!(d.is_some_and(|d| d.message.contains("UTF-16")));

    // Every prefix of a valid multi-byte text decodes or reports, never panics.
    let text = "título: ñandú 😀 — ok".as_bytes();
    for end in 0..=text.len() {
        let slice = text.get(..end).unwrap_or_default();
        if let Ok(s) = decode_utf8(slice) {
            let _ = parse_rules(s);
            let _ = parse_events(s);
        }
    }
    // Valid text decodes unchanged; lossily decoded garbage is still safe to parse.
    assert_eq!(decode_utf8(b"a: 1").ok(), Some("a: 1"));
    let lossy = String::from_utf8_lossy(&rule).into_owned();
    assert!(!parse_rules(&lossy).rules.is_empty());
}

// ---------------------------------------------------------------------------
// Unknown and absurd modifiers

#[test]
fn unknown_modifiers() {
    let parsed =
        parse_rules(&rule_text("    sel:\n        Image|contians: x\n        A||contains: y\n    condition: sel\n"));
    let unknown: Vec<&Diagnostic> = parsed.diagnostics.iter().filter(|d| d.code == "unknown-modifier").collect();
    assert_eq!(unknown.len(), 2, "{:?}", codes(&parsed.diagnostics));
    assert!(unknown.iter().any(|d| d.message.contains("did you mean 'contains'")));
    assert!(unknown.iter().any(|d| d.message.contains("empty modifier")));
    exercise(&parsed, &sample_event());

    // A 1 MB modifier name and 10,000 unknown modifiers on one key.
    let long = "x".repeat(1 << 20);
    let many = "|nope".repeat(10_000);
    for key in [format!("Image|{long}"), format!("Image{many}")] {
        // Explicit `? key` syntax: YAML limits implicit keys to 1024 chars.
        let parsed =
            parse_rules(&rule_text(&format!("    sel:\n        ? '{key}'\n        : x\n    condition: sel\n")));
        assert!(has_code(&parsed.diagnostics, "unknown-modifier"), "{:?}", codes(&parsed.diagnostics));
        // Messages may quote the name, but the total stays linear in the input.
        let total: usize = parsed.diagnostics.iter().map(|d| d.message.len()).sum();
        assert!(total <= 2 * key.len() + 65_536, "{total} bytes of messages for a {} byte key", key.len());
        exercise(&parsed, &sample_event());
    }
}

#[test]
fn long_chains_of_known_modifiers() {
    // Chains that are invalid in quadratically many ways must not produce
    // quadratically many diagnostics (memory) or take quadratic time.
    for chain in [
        "|exists".repeat(10_000),
        "|re|contains".repeat(5_000),
        "|lt|contains".repeat(5_000),
        "|contains".repeat(10_000),
    ] {
        let parsed =
            parse_rules(&rule_text(&format!("    sel:\n        ? 'Image{chain}'\n        : x\n    condition: sel\n")));
        assert!(has_code(&parsed.diagnostics, "invalid-modifier-chain"), "{:?}", codes(&parsed.diagnostics));
        assert!(parsed.diagnostics.len() <= 1_000, "{} diagnostics for one key", parsed.diagnostics.len());
        exercise(&parsed, &sample_event());
    }
}

// ---------------------------------------------------------------------------
// YAML bombs

fn billion_laughs() -> String {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut prev = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    text
}

#[test]
fn yaml_billion_laughs_in_rules() {
    let bomb = billion_laughs();
    let parsed = parse_rules(&bomb);
    assert!(has_code(&parsed.diagnostics, "yaml-alias-bomb"), "{:?}", codes(&parsed.diagnostics));
    // Inside a rule, where the values would become detection values.
    let text =
        rule_text(&format!("    sel:\n        Image: &v0 [x, x, x, x, x, x, x, x, x, x]\n{}    condition: sel\n", {
            let mut s = String::new();
            for i in 1..9 {
                s.push_str(&format!(
                    "    s{i}:\n        Image: &v{i} [{}]\n",
                    vec![format!("*v{}", i - 1); 10].join(", ")
                ));
            }
            s
        }));
    let parsed = parse_rules(&text);
    assert!(has_code(&parsed.diagnostics, "yaml-alias-bomb"), "{:?}", codes(&parsed.diagnostics));
    exercise(&parsed, &sample_event());
}

#[test]
fn yaml_billion_laughs_in_events() {
    let batch = parse_events(&billion_laughs());
    assert!(has_code(&batch.diagnostics, "event-too-large"), "{:?}", codes(&batch.diagnostics));
}

/// Few nodes, many bytes: one 100 KB scalar aliased 10,000 times would be 1 GB.
fn wide_alias_bomb() -> String {
    let mut text = format!(
        "title: &t '{}'\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image:\n",
        "A".repeat(100_000)
    );
    for _ in 0..10_000 {
        text.push_str("            - *t\n");
    }
    text.push_str("    condition: sel\n");
    text
}

#[test]
fn yaml_wide_alias_bomb_in_rules() {
    let parsed = parse_rules(&wide_alias_bomb());
    assert!(has_code(&parsed.diagnostics, "yaml-alias-bomb"), "{:?}", codes(&parsed.diagnostics));
    exercise(&parsed, &sample_event());
}

#[test]
fn yaml_wide_alias_bomb_in_events() {
    let batch = parse_events(&wide_alias_bomb());
    assert!(has_code(&batch.diagnostics, "event-too-large"), "{:?}", codes(&batch.diagnostics));
}

// ---------------------------------------------------------------------------
// Huge values

const MB: usize = 1 << 20;

#[test]
fn one_megabyte_single_line_value() {
    let value = "ab".repeat(MB / 2);
    let rule =
        good_rule(&rule_text(&format!("    sel:\n        CommandLine|contains: '{value}'\n    condition: sel\n")));
    let m = matcher(&rule);
    assert!(m.diagnostics().iter().all(|d| !d.is_error()));
    assert!(m.matches(&event(json!({"CommandLine": format!("x{}y", value.to_uppercase())}))));
    assert!(!m.matches(&event(json!({"CommandLine": value.get(1..).unwrap_or_default()}))));
    let explained = m.explain(&event(json!({"CommandLine": "short"})));
    assert!(!explained.matched);
    assert!(kql_all(&rule, &Placeholders::new()).iter().all(|q| q.len() < 8 * MB));

    // The same as a keyword, and as a 1 MB line of wildcards (a regex of
    // more than 1 MB): either it compiles and is right, or it is reported.
    let rule = good_rule(&rule_text(&format!("    keywords:\n        - '{value}'\n    condition: keywords\n")));
    assert!(matcher(&rule).matches(&event(json!({"a": ["z", value.clone()]}))));
    // The regex compiler is slow in debug builds (seconds for 1 MB); the wildcard line is smaller there.
    let stars_len = if cfg!(debug_assertions) { MB / 16 } else { MB };
    let stars = "a*".repeat(stars_len / 2);
    let rule = good_rule(&rule_text(&format!("    sel:\n        CommandLine: '{stars}'\n    condition: sel\n")));
    let m = matcher(&rule);
    let hit = event(json!({"CommandLine": "a".repeat(stars_len / 2)}));
    assert!(m.matches(&hit) || has_code(m.diagnostics(), "invalid-pattern"), "{:?}", codes(m.diagnostics()));
    assert!(!m.matches(&event(json!({"CommandLine": "b"}))));

    // A 1 MB condition identifier and title.
    let name = "s".repeat(MB);
    let parsed = parse_rules(&format!(
        "title: {name}\nlogsource:\n    product: x\ndetection:\n    sel:\n        a: b\n    condition: {name}\n"
    ));
    assert!(has_code(&parsed.diagnostics, "condition-reference"));
    assert!(parsed.diagnostics.iter().all(|d| d.message.len() < 4096));
}

// ---------------------------------------------------------------------------
// Hostile regexes

#[test]
fn hostile_regexes_run_in_linear_time_or_are_refused() {
    const N: usize = 100_000;
    let cases: [(&str, &str, bool); 6] = [
        ("(a*)*b", "a", false),
        ("(x+x+)+y", "x", false),
        ("(a|a)*c", "a", false),
        ("^(a+)+$", "a", true),
        ("(.*a){20}", "a", true),
        ("(?i)(A*)*B", "a", false),
    ];
    for (pattern, fill, expected) in cases {
        let rule = good_rule(&rule_text(&format!("    sel:\n        Payload|re: '{pattern}'\n    condition: sel\n")));
        let m = matcher(&rule);
        assert!(m.diagnostics().iter().all(|d| !d.is_error()), "{pattern}: {:?}", codes(m.diagnostics()));
        let ev = event(json!({"Payload": fill.repeat(N)}));
        assert_eq!(m.matches(&ev), expected, "{pattern}");
    }

    // Huge counted repetitions: refused with a diagnostic (at parse or compile), never built.
    // (`\w` is the ASCII class, so `\w{1000}\w{1000}\w{1000}` is a small regex now: not here.)
    // (`[\w\W]{65535}` is refused by the regex crate, whose class is a UTF-8
    // automaton, and fits regex-lite's limit as 65,535 one-range states: it
    // runs below, not here.)
    for pattern in ["a{1000}{1000}", "(a{1000}){1000}", "((a{100}){100}){100}", "\\w{1000}{1000}"] {
        let text = rule_text(&format!("    sel:\n        Payload|re: '{pattern}'\n    condition: sel\n"));
        let parsed = parse_rules(&text);
        let mut diags = parsed.diagnostics.clone();
        for rule in &parsed.rules {
            let m = matcher(rule);
            diags.extend_from_slice(m.diagnostics());
            assert!(!m.matches(&event(json!({"Payload": "a".repeat(2000)}))));
        }
        assert!(
            has_code(&diags, "invalid-regex") || has_code(&diags, "invalid-pattern"),
            "{pattern}: {:?}",
            codes(&diags)
        );
    }

    // Look-around and back-references get a hint (when compiled), not a crash.
    for pattern in ["(a)\\1", "a(?=b)", "(?<!x)y"] {
        let rule = good_rule(&rule_text(&format!("    sel:\n        A|re: '{pattern}'\n    condition: sel\n")));
        let m = matcher(&rule);
        assert!(has_code(m.diagnostics(), "invalid-regex"), "{pattern}: {:?}", codes(m.diagnostics()));
        assert!(!m.matches(&sample_event()));
    }
}

// ---------------------------------------------------------------------------
// Many identifiers

/// `count` searches `sel0..`, each `Field: v<i>`; the event has `Field: v<hit>`.
fn many_searches(count: usize, condition: &str) -> String {
    let mut det = String::with_capacity(count * 32);
    for i in 0..count {
        det.push_str(&format!("    sel{i}:\n        Field: v{i}\n"));
    }
    det.push_str(&format!("    condition: {condition}\n"));
    rule_text(&det)
}

#[test]
fn one_hundred_thousand_search_identifiers() {
    const N: usize = 100_000;
    let rule = good_rule(&many_searches(N, "1 of sel*"));
    assert_eq!(rule.detection.searches.len(), N);
    let m = matcher(&rule);
    assert!(m.matches(&event(json!({"Field": format!("v{}", N - 1)}))));
    assert!(!m.matches(&event(json!({"Field": "nope"}))));
    let explained = m.explain(&event(json!({"Field": "v5"})));
    assert!(explained.matched);
    assert_eq!(explained.searches.iter().filter(|s| s.matched).count(), 1);
    let queries = kql_all(&rule, &Placeholders::new());
    assert!(queries.iter().any(|q| q.contains("v99999")));
}

#[test]
fn condition_referencing_ten_thousand_names() {
    const N: usize = 10_000;
    let or_all: Vec<String> = (0..N).map(|i| format!("sel{i}")).collect();
    let rule = good_rule(&many_searches(N, &or_all.join(" or ")));
    let m = matcher(&rule);
    assert!(m.matches(&event(json!({"Field": format!("v{}", N - 1)}))));
    assert!(!m.matches(&event(json!({"Field": "v-1"}))));

    // AND over 10,000 names can never hold (one field, different values); a
    // mixed chain with `not` and parentheses holds for exactly one event.
    let and_all = or_all.join(" and ");
    let rule = good_rule(&many_searches(N, &and_all));
    assert!(!matcher(&rule).matches(&event(json!({"Field": "v0"}))));
    let mixed: Vec<String> = (1..N).map(|i| format!("not sel{i}")).collect();
    let rule = good_rule(&many_searches(N, &format!("sel0 and ({})", mixed.join(" and "))));
    let m = matcher(&rule);
    assert!(m.matches(&event(json!({"Field": "v0"}))));
    assert!(!m.matches(&event(json!({"Field": "v1"}))));

    // 10,000 undefined names: one diagnostic each, no blow-up.
    let undefined: Vec<String> = (0..N).map(|i| format!("missing{i}")).collect();
    let parsed = parse_rules(&many_searches(1, &format!("sel0 or {}", undefined.join(" or "))));
    assert_eq!(parsed.diagnostics.iter().filter(|d| d.code == "condition-reference").count(), N);
}

// ---------------------------------------------------------------------------
// Modifier expansions that other engines do combinatorially

#[test]
fn windash_with_thirty_dashes() {
    let dashes = "-".repeat(30);
    let rule = good_rule(&rule_text(&format!(
        "    sel:\n        CommandLine|windash|contains: 'x{dashes}y'\n    condition: sel\n"
    )));
    let m = matcher(&rule);
    // Every position may be any of the five dash characters: 5^30 spellings.
    let mixed: String = (0..30).map(|i| ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'][i % 5]).collect();
    assert!(m.matches(&event(json!({"CommandLine": format!("cmd X{mixed}Y end")}))));
    assert!(m.matches(&event(json!({"CommandLine": format!("x{}y", "/".repeat(30))}))));
    assert!(!m.matches(&event(json!({"CommandLine": format!("x{}y", "-".repeat(29))}))));
    assert!(!m.matches(&event(json!({"CommandLine": format!("x{}_y", "-".repeat(29))}))));
    // KQL gets one character class per dash, not 5^30 alternatives.
    let queries = kql_all(&rule, &Placeholders::new());
    assert!(!queries.is_empty());
    assert!(queries.iter().all(|q| q.len() < 4096), "{queries:?}");
}

#[test]
fn base64offset_on_a_one_megabyte_value() {
    use base64::Engine as _;
    let value: String = (0..MB).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let rule = good_rule(&rule_text(&format!(
        "    sel:\n        Payload|base64offset|contains: '{value}'\n    condition: sel\n"
    )));
    let m = matcher(&rule);
    assert!(m.diagnostics().iter().all(|d| !d.is_error()), "{:?}", codes(m.diagnostics()));
    let b64 = base64::engine::general_purpose::STANDARD;
    for prefix in ["", "x", "xy", "xyz"] {
        let encoded = b64.encode(format!("{prefix}{value}!"));
        assert!(m.matches(&event(json!({"Payload": encoded}))), "offset {}", prefix.len());
    }
    let other = b64.encode(value.replace('q', "Q"));
    assert!(!m.matches(&event(json!({"Payload": other}))));
    assert!(kql_all(&rule, &Placeholders::new()).iter().all(|q| q.len() < 8 * MB));
}

#[test]
fn placeholders_with_ten_thousand_values() {
    const N: usize = 10_000;
    let mut p = Placeholders::new();
    p.insert("Users".to_string(), (0..N).map(|i| format!("user{i}")).collect());
    p.insert("Hosts".to_string(), (0..N).map(|i| format!("host{i}*")).collect());
    let rule = good_rule(&rule_text("    sel:\n        User|expand: '%Users%'\n    condition: sel\n"));
    let m = matcher_with(&rule, &p);
    assert!(m.diagnostics().iter().all(|d| !d.is_error()), "{:?}", codes(m.diagnostics()));
    assert!(m.matches(&event(json!({"User": format!("USER{}", N - 1)}))));
    assert!(!m.matches(&event(json!({"User": format!("user{N}")}))));
    let queries = kql_all(&rule, &p);
    assert!(queries.iter().any(|q| q.contains("user9999")), "no query lists the last value");

    // With wildcards in the values, and two placeholders in one value
    // (10,000 × 10,000 combinations): bounded, never 100 million patterns.
    let rule = good_rule(&rule_text("    sel:\n        Host|expand: '%Hosts%'\n    condition: sel\n"));
    assert!(matcher_with(&rule, &p).matches(&event(json!({"Host": "host9999.example"}))));
    let rule = good_rule(&rule_text("    sel:\n        Pair|expand: '%Users%@%Hosts%'\n    condition: sel\n"));
    let m = matcher_with(&rule, &p);
    assert!(m.matches(&event(json!({"Pair": "user0@host0"}))));
    let _ = m.explain(&event(json!({"Pair": "nobody"})));

    // A value naming a placeholder that has no values is reported.
    let rule = good_rule(&rule_text("    sel:\n        User|expand: '%Nobody%'\n    condition: sel\n"));
    assert!(has_code(matcher_with(&rule, &p).diagnostics(), "unresolved-placeholder"));
}

// ---------------------------------------------------------------------------
// Regressions found by fuzzing

// ---------------------------------------------------------------------------
// Formerly open problems (size bounds)

/// KQL lowering inlines a search at every reference: `sel or sel or ...`
/// 30,000 times over a 1,000-value `sel` is a 230 KB rule that would expand to
/// 30 million cloned tests and a query of gigabytes. Lowering counts the tests
/// before cloning and refuses with `kql-too-large` at the condition. The
/// matcher is unaffected (it evaluates each search once per event).
#[test]
fn repeated_references_do_not_explode_the_query() {
    let values: String = (0..1_000).map(|i| format!("            - v{i}\n")).collect();
    let condition = vec!["sel"; 30_000].join(" or ");
    let text = format!(
        "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains:\n{values}    condition: {condition}\n"
    );
    let rule = good_rule(&text);
    assert!(matcher(&rule).matches(&event(json!({"CommandLine": "x v999 y"}))));
    for q in kql_all(&rule, &Placeholders::new()) {
        assert!(q.len() < 64 * text.len(), "a {} byte rule gave a {} byte query", text.len(), q.len());
    }
    let Some(p) = sigmaplay_core::pipeline::builtin("sentinel_asim") else { unreachable!() };
    let conv = sigmaplay_core::kql::convert(&rule, &p, &Placeholders::new());
    let too_large: Vec<_> = conv.diagnostics.iter().filter(|d| d.code == "kql-too-large").collect();
    assert_eq!(too_large.len(), 1, "{:?}", codes(&conv.diagnostics));
    assert_eq!(too_large[0].line(), 1008, "at the condition");
}

/// A map whose second half repeats the keys of the first: a scan and a shift
/// per duplicate made 1 MB of such keys take about 5 s in a release build;
/// large maps now find duplicates through a hash index and remove them in one
/// pass at the end.
#[test]
fn many_duplicate_yaml_keys_stay_linear() {
    const N: usize = 50_000;
    let mut text = String::new();
    for _ in 0..2 {
        for i in 0..N {
            text.push_str(&format!("k{i}: v\n"));
        }
    }
    let stream = sigmaplay_core::sigma::yaml::parse_stream(&text);
    assert_eq!(stream.diagnostics.iter().filter(|d| d.code == "yaml-duplicate-key").count(), N);
}

// ---------------------------------------------------------------------------
// Source adapters: every table's sources over odd events

#[test]
fn source_adapters_take_any_event() {
    use sigmaplay_core::sources;
    let big = "x".repeat(1 << 20);
    let events = vec![
        json!({}),
        json!({"EventID": "not a number"}),
        json!({"EventID": 3, "Initiated": {"deep": [1, 2, 3]}, "DestinationHostname": "\\\\\\.", "SourcePort": "0x"}),
        json!({"EventID": 13, "TargetObject": "HKU\\", "Details": "DWORD (0xZZ)", "EventType": "SetValue"}),
        json!({"EventID": 13, "TargetObject": "\\", "Details": "QWORD (0x1-0xffffffffffffffff)"}),
        json!({"EventID": 1, "User": "\\", "ParentUser": "NT AUTHORITY\\", "LogonId": "0xffffffffffffffffff", "ProcessId": "-1",
               "Image": "", "IntegrityLevel": "ünïcödé", "Hashes": "=,==,SHA1=,MD5"}),
        json!({"EventID": 4688, "Provider_Name": "Microsoft-Windows-Security-Auditing", "NewProcessId": "0x", "TargetUserName": "-"}),
        json!({"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 22, "Computer": ""},
               "EventData": {"QueryName": big, "QueryStatus": "99999999999999999999", "ProcessGuid": "{{{{"}}}),
        json!({"ActionType": "ConnectionSuccess", "InitiatingProcessFileName": "<Data Name=\"x\">&amp;</Data>", "RemoteUrl": "https://"}),
        json!({"ActionType": "RegistryValueDeleted", "InitiatingProcessId": 1, "PreviousRegistryKey": null}),
        json!({"EventID": 14, "TargetObject": "HKLM\\a", "NewName": "<Data Name=\"Details\">{}</Data>", "RuleName": "-"}),
    ];
    let events: Vec<Event> = events.into_iter().map(Event::from_json).collect();
    let tables = [
        "imProcessCreate",
        "imNetworkSession",
        "imFileEvent",
        "imRegistry",
        "imDns",
        "imAuthentication",
        "DeviceProcessEvents",
        "DeviceNetworkEvents",
        "DeviceFileEvents",
        "DeviceRegistryEvents",
        "DeviceEvents",
        "DeviceImageLoadEvents",
        "DeviceLogonEvents",
        "SecurityEvent",
        "NoSuchTable",
        "",
    ];
    for table in tables {
        for category in
            [None, Some("process_creation"), Some("network_connection"), Some("registry_set"), Some("dns_query")]
        {
            let r = sources::rows_for(table, &events, category);
            assert_eq!(r.kinds.len(), events.len(), "{table}");
            for f in &r.feeds {
                assert_eq!(f.rows.len(), events.len());
                assert_eq!(f.views.len(), events.len());
            }
        }
    }
}
