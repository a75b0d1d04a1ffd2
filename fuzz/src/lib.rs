//! Shared helpers for the fuzz targets: fixed events and rules, and one
//! function that drives every consumer of a parsed rule (matcher,
//! explanation, compile/lower, KQL), so each target exercises the same code
//! paths. Everything here only *calls* the core: any panic, hang or
//! allocation blow-up is a core bug.

use std::sync::OnceLock;

use sigmaplay_core::sigma::condition::{CondExpr, Range};
use sigmaplay_core::sigma::{compiled, expr};
use sigmaplay_core::{Event, MatchOptions, Matcher, ParsedRules, Placeholders, PreparedEvent, Rule};

/// Events with the shapes the matcher distinguishes: flat Sysmon-like fields,
/// nested objects and arrays, an EVTX rendering, odd value types.
pub const FIXED_EVENTS_JSON: &[&str] = &[
    r##"{"EventID": 4688, "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami -all", "ParentImage": "C:\\Program Files\\x\\explorer.EXE", "User": "NT AUTHORITY\\SYSTEM", "DestinationIp": "10.1.2.3", "DestinationPort": "443", "Initiated": "true", "UtcTime": "2024-05-06 22:13:14.123", "Hashes": "SHA256=ABCDEF", "TargetFilename": "C:\\Users\\Public\\a.ps1", "ScriptBlockText": "powershell -enc SQBFAFgA"}"##,
    r##"{"a": {"b": {"c": "deep"}}, "a.b": {"c": "literal"}, "list": ["x", 1, true, null, {"k": "v"}], "n": 1.5e3, "neg": -7, "t": true, "z": null, "Source Name": "spaced", "emoji": "é😀\u0000"}"##,
    r##"{"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": "1", "Channel": "Microsoft-Windows-Sysmon/Operational", "TimeCreated": {"#attributes": {"SystemTime": "2025-11-27T07:40:10.165324Z"}}}, "EventData": {"Data": [{"#attributes": {"Name": "Image"}, "#text": "C:\\Windows\\System32\\rundll32.exe"}, {"#attributes": {"Name": "CommandLine"}, "#text": "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication\""}, {"#text": "unnamed"}]}}}"##,
    r##"{"": "", "*": "?", "\\": "\\\\", "CommandLine": "", "EventID": "4688", "Image": ["a.exe", "b.exe"], "ip": "::ffff:10.0.0.1", "when": "not a date"}"##,
];

pub fn fixed_events() -> &'static [Event] {
    static EVENTS: OnceLock<Vec<Event>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        FIXED_EVENTS_JSON
            .iter()
            .map(|j| Event::from_json(serde_json::from_str(j).unwrap_or(serde_json::Value::Null)))
            .collect()
    })
}

/// Rules that touch most matcher features, run over fuzzed events.
pub const FIXED_RULES: &str = r#"title: Fixed rule for event fuzzing
logsource:
    category: process_creation
    product: windows
detection:
    selection_img:
        Image|endswith:
            - '\cmd.exe'
            - '\rundll32.exe'
        CommandLine|contains|all:
            - 'who'
            - 'am'
    selection_re:
        CommandLine|re|i: '^cmd\.exe\s+/c\s+(who|net)'
    selection_kw:
        - 'mimikatz'
        - 'Invoke-*Shell?'
    selection_num:
        EventID:
            - 1
            - 4688
        DestinationPort|gte: 400
    selection_cidr:
        DestinationIp|cidr:
            - '10.0.0.0/8'
            - 'fe80::/10'
    selection_misc:
        ScriptBlockText|base64offset|contains: 'IEX'
        Initiated: true
        Missing: null
        Present|exists: false
        User|neq: 'bob'
        ParentImage|fieldref|endswith: Image
        UtcTime|hour|gte: 22
        CommandLine|windash|contains: ' -all'
        a.b.c|cased: 'deep'
        TargetFilename|wide|base64: 'x'
    filter_main:
        Image|startswith: 'C:\Program Files\'
    condition: (1 of selection_* and not filter_main) or all of selection_img*
---
title: Keyword and list-of-maps rule
logsource:
    product: linux
detection:
    keywords:
        '|all':
            - 'a'
            - '*b*'
    alternatives:
        - Image: '*cmd*'
        - CommandLine|startswith: 'rundll32'
          EventID: '4688'
    condition: keywords or alternatives
"#;

pub fn fixed_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| sigmaplay_core::parse_rules(FIXED_RULES).rules)
}

/// Built-in pipelines for KQL conversion.
pub const PIPELINES: &[&str] = &["none", "sentinel_asim", "microsoft_xdr", "azure_monitor"];

/// Drive every consumer of a parsed rule over `events`.
pub fn exercise_rule(rule: &Rule, events: &[Event], placeholders: &Placeholders) {
    let options = MatchOptions { placeholders: placeholders.clone(), ..MatchOptions::default() };
    let matcher = Matcher::new(rule, &options);
    let _ = serde_json::to_string(matcher.diagnostics());
    for ev in events {
        let fast = matcher.matches(ev);
        let explained = matcher.explain(ev);
        assert_eq!(fast, explained.matched, "matches() and explain() disagree");
        let _ = serde_json::to_string(&explained);
    }

    let (compiled, _diags) = compiled::compile_detection(&rule.detection, placeholders);
    let lowered = expr::lower(&compiled);
    let mut leaves = 0usize;
    lowered.for_each_leaf(&mut |_| leaves += 1);

    // KQL backend (kql::convert + pipeline::builtin).
    for name in PIPELINES {
        if let Some(pipeline) = sigmaplay_core::pipeline::builtin(name) {
            let conv = sigmaplay_core::kql::convert(rule, &pipeline, placeholders);
            let _ = serde_json::to_string(&conv);
        }
    }
}

pub fn exercise_parsed(parsed: &ParsedRules, events: &[Event], placeholders: &Placeholders) {
    let _ = serde_json::to_string(parsed);
    for rule in &parsed.rules {
        exercise_rule(rule, events, placeholders);
    }
    // The file as a whole: filters and correlations over the events.
    let options = MatchOptions { placeholders: placeholders.clone(), ..MatchOptions::default() };
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, &options)).collect();
    let prepared: Vec<PreparedEvent<'_>> = events.iter().map(PreparedEvent::new).collect();
    let verdicts = sigmaplay_core::api::evaluate_batch(&parsed.rules, &matchers, &prepared, None);
    let _ = serde_json::to_string(&verdicts);
}

/// The file-level KQL conversion (filters applied, correlations converted) for every built-in pipeline.
pub fn exercise_file_conversion(text: &str, placeholders: &Placeholders) {
    for name in PIPELINES {
        if let Some(pipeline) = sigmaplay_core::pipeline::builtin(name) {
            let report = sigmaplay_core::api::convert_text(text, &pipeline, placeholders);
            let _ = serde_json::to_string(&report);
            // Every export format: a deployable document is never claimed without one.
            for format in sigmaplay_core::deploy::Format::ALL {
                let options = sigmaplay_core::deploy::ExportOptions::default();
                let export = sigmaplay_core::api::export_text(text, &pipeline, placeholders, format, &options);
                assert!(!export.ok || export.document.is_some());
                let _ = serde_json::to_string(&export);
            }
        }
    }
}

/// The tree without positions, to compare shapes across a print/parse round trip.
pub fn shape(e: &CondExpr) -> CondExpr {
    let zero = Range { start: 0, end: 0 };
    match e {
        CondExpr::And(v) => CondExpr::And(v.iter().map(shape).collect()),
        CondExpr::Or(v) => CondExpr::Or(v.iter().map(shape).collect()),
        CondExpr::Not(i) => CondExpr::Not(Box::new(shape(i))),
        CondExpr::Ident { name, .. } => CondExpr::Ident { name: name.clone(), range: zero },
        CondExpr::Of { quantifier, target, .. } => {
            CondExpr::Of { quantifier: *quantifier, target: target.clone(), range: zero }
        }
    }
}
