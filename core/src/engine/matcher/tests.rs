use super::*;
use crate::sigma::rule::parse_rule;

fn rule(detection: &str) -> Rule {
    let text = format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}");
    parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn ev(json: &str) -> Event {
    Event::from_json(serde_json::from_str(json).unwrap_or(Value::Null))
}

fn check(detection: &str, event: &str) -> bool {
    Matcher::new(&rule(detection), &MatchOptions::default()).matches(&ev(event))
}

#[test]
fn equality_is_case_insensitive_and_whole_value() {
    let d = "  sel:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: sel\n";
    assert!(check(d, r#"{"Image":"c:\\windows\\CMD.EXE"}"#));
    assert!(!check(d, r#"{"Image":"c:\\windows\\cmd.exe2"}"#));
    assert!(!check(d, r#"{"Other":"x"}"#));
}

#[test]
fn cased_and_regex_are_case_sensitive() {
    let d = "  sel:\n    A|cased: 'Abc'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"Abc"}"#));
    assert!(!check(d, r#"{"A":"abc"}"#));
    let d = "  sel:\n    A|re: 'ab+c'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"xabbbcx"}"#));
    assert!(!check(d, r#"{"A":"ABC"}"#));
    let d = "  sel:\n    A|re|i: '^ab+c$'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"ABBC"}"#));
}

#[test]
fn position_modifiers_and_wildcards() {
    let d = "  sel:\n    A|contains: 'mid'\n    B|startswith: 'pre'\n    C|endswith: '.exe'\n    D: 'a*b?c'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"xxMIDxx","B":"prefix","C":"x.EXE","D":"aZZbXc"}"#));
    assert!(!check(d, r#"{"A":"xxMIDxx","B":"prefix","C":"x.EXE","D":"aZZbXXc"}"#));
}

#[test]
fn escaped_wildcards_are_literal() {
    let d = "  sel:\n    A: 'a\\*b'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"a*b"}"#));
    assert!(!check(d, r#"{"A":"aXb"}"#));
}

#[test]
fn lists_or_and_all() {
    let d = "  sel:\n    A|contains:\n      - one\n      - two\n  condition: sel\n";
    assert!(check(d, r#"{"A":"..two.."}"#));
    let d = "  sel:\n    A|contains|all:\n      - one\n      - two\n  condition: sel\n";
    assert!(!check(d, r#"{"A":"..two.."}"#));
    assert!(check(d, r#"{"A":"one two"}"#));
}

#[test]
fn numbers_and_numeric_strings() {
    let d = "  sel:\n    EventID: 4688\n  condition: sel\n";
    assert!(check(d, r#"{"EventID":4688}"#));
    assert!(check(d, r#"{"EventID":"4688"}"#));
    assert!(!check(d, r#"{"EventID":"4689"}"#));
    let d = "  sel:\n    EventID: '4688'\n  condition: sel\n";
    assert!(check(d, r#"{"EventID":4688}"#));
    let d = "  sel:\n    N|gte: 10\n  condition: sel\n";
    assert!(check(d, r#"{"N":"12"}"#));
    assert!(!check(d, r#"{"N":"abc"}"#));
    assert!(!check(d, r#"{"N":9}"#));
}

#[test]
fn null_exists_and_empty() {
    let d = "  sel:\n    A: null\n  condition: sel\n";
    assert!(check(d, r#"{"B":1}"#));
    assert!(check(d, r#"{"A":null}"#));
    assert!(!check(d, r#"{"A":""}"#));
    let d = "  sel:\n    A|exists: true\n  condition: sel\n";
    assert!(check(d, r#"{"A":null}"#));
    assert!(!check(d, r#"{"B":1}"#));
    let d = "  sel:\n    A: ''\n  condition: sel\n";
    assert!(check(d, r#"{"A":""}"#));
    assert!(!check(d, r#"{"A":"x"}"#));
}

#[test]
fn keywords_search_every_value() {
    let d = "  keywords:\n    - 'mimikatz'\n    - 'sekurlsa::*'\n  condition: keywords\n";
    assert!(check(d, r#"{"CommandLine":"run MIMIKATZ.exe"}"#));
    assert!(check(d, r#"{"x":{"y":"sekurlsa::logonpasswords"}}"#));
    assert!(!check(d, r#"{"CommandLine":"benign"}"#));
    let d = "  keywords:\n    '|all':\n      - 'a1'\n      - 'b2'\n  condition: keywords\n";
    assert!(check(d, r#"{"x":"a1","y":"b2"}"#));
    assert!(!check(d, r#"{"x":"a1"}"#));
}

#[test]
fn condition_forms() {
    let d = "  sel1:\n    A: 1\n  sel2:\n    B: 2\n  _hidden:\n    C: 3\n  condition: 1 of sel* and not all of them\n";
    assert!(check(d, r#"{"A":1}"#));
    assert!(!check(d, r#"{"A":1,"B":2}"#));
    let d = "  sel1:\n    A: 1\n  sel2:\n    B: 2\n  condition: all of them\n";
    assert!(check(d, r#"{"A":1,"B":2}"#));
    assert!(!check(d, r#"{"A":1}"#));
}

#[test]
fn cidr_both_families() {
    let d = "  sel:\n    Ip|cidr:\n      - 10.0.0.0/8\n      - 'fe80::/10'\n  condition: sel\n";
    assert!(check(d, r#"{"Ip":"10.2.3.4"}"#));
    assert!(check(d, r#"{"Ip":"fe80::1"}"#));
    assert!(check(d, r#"{"Ip":"::ffff:10.1.1.1"}"#));
    assert!(!check(d, r#"{"Ip":"192.168.1.1"}"#));
    assert!(!check(d, r#"{"Ip":"not an ip"}"#));
}

#[test]
fn base64_and_base64offset_and_wide() {
    let d = "  sel:\n    A|base64: 'abc'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"YWJj"}"#));
    let d = "  sel:\n    A|base64offset|contains: 'http://'\n  condition: sel\n";
    for prefix in ["", "a", "ab"] {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{prefix}http://x"));
        assert!(check(d, &format!(r#"{{"A":"zz{encoded}"}}"#)), "{prefix}");
    }
    let d = "  sel:\n    A|wide|base64offset|contains: 'ping'\n  condition: sel\n";
    let wide: Vec<u8> = "xxping".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(wide);
    assert!(check(d, &format!(r#"{{"A":"{encoded}"}}"#)));
    use base64::Engine;
}

#[test]
fn windash_accepts_every_dash() {
    let d = "  sel:\n    A|windash|contains: ' -enc '\n  condition: sel\n";
    for dash in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] {
        assert!(check(d, &format!(r#"{{"A":"powershell {dash}enc abc"}}"#)), "{dash}");
    }
    assert!(!check(d, r#"{"A":"powershell +enc abc"}"#));
}

#[test]
fn neq_and_fieldref() {
    let d = "  sel:\n    A|neq: x\n  condition: sel\n";
    assert!(check(d, r#"{"A":"y"}"#));
    assert!(!check(d, r#"{"A":"X"}"#));
    let d = "  sel:\n    A|fieldref: B\n  condition: sel\n";
    assert!(check(d, r#"{"A":"Same","B":"same"}"#));
    assert!(!check(d, r#"{"A":"one","B":"two"}"#));
    let d = "  sel:\n    A|endswith|fieldref: B\n  condition: sel\n";
    assert!(check(d, r#"{"A":"C:\\x\\evil.exe","B":"evil.exe"}"#));
}

#[test]
fn time_parts() {
    let d = "  sel:\n    T|hour|gte: 22\n  condition: sel\n";
    assert!(check(d, r#"{"T":"2025-01-01T23:10:00Z"}"#));
    assert!(!check(d, r#"{"T":"2025-01-01T08:10:00Z"}"#));
    let d = "  sel:\n    T|month: 12\n  condition: sel\n";
    assert!(check(d, r#"{"T":"2025-12-01 00:00:00"}"#));
}

#[test]
fn arrays_match_any_element() {
    let d = "  sel:\n    A: b\n  condition: sel\n";
    assert!(check(d, r#"{"A":["a","B"]}"#));
}

#[test]
fn placeholders_expand_or_report() {
    let r = rule("  sel:\n    User|expand: '%Admins%'\n  condition: sel\n");
    let m = Matcher::new(&r, &MatchOptions::default());
    assert!(m.diagnostics().iter().any(|d| d.code == "unresolved-placeholder"));
    assert!(!m.matches(&ev(r#"{"User":"%Admins%"}"#)));
    let mut opts = MatchOptions::default();
    opts.placeholders.insert("Admins".into(), vec!["adm_*".into()]);
    let m = Matcher::new(&r, &opts);
    assert!(m.diagnostics().is_empty());
    assert!(m.matches(&ev(r#"{"User":"ADM_bob"}"#)));
}

#[test]
fn explanation_names_the_failing_item() {
    let r = rule("  sel:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|contains: '/c'\n  condition: sel\n");
    let m = Matcher::new(&r, &MatchOptions::default());
    let out = m.explain(&ev(r#"{"Image":"C:\\cmd.exe","CommandLine":"dir"}"#));
    assert!(!out.matched);
    let failed = &out.searches[0].items[0];
    assert_eq!(failed.field.as_deref(), Some("CommandLine"));
    assert_eq!(failed.actual, Some(Value::String("dir".into())));
    assert_eq!(failed.span.line, 7);
    let out = m.explain(&ev(r#"{"Image":"C:\\cmd.exe","CommandLine":"cmd /c dir"}"#));
    assert!(out.matched);
    assert_eq!(out.searches[0].items.len(), 2);
    assert_eq!(out.searches[0].items[1].matched_value.as_deref(), Some("/c"));
}

#[test]
fn numeric_keywords_are_text() {
    let d = "  keywords:\n    - 4688\n  condition: keywords\n";
    assert!(check(d, r#"{"Message":"event 4688 seen"}"#));
    assert!(check(d, r#"{"EventID":4688}"#));
    assert!(!check(d, r#"{"EventID":4689}"#));
}

#[test]
fn dotted_path_checks_every_array_element() {
    let d = "  sel:\n    a.b: x\n  condition: sel\n";
    assert!(check(d, r#"{"a":[{"b":"y"},{"b":"x"}]}"#));
    assert!(!check(d, r#"{"a":[{"b":"y"},{"b":"z"}]}"#));
}

#[test]
fn final_sigma_folds_like_sigma() {
    let d = "  sel:\n    A: 'ΟΔΟΣ'\n  condition: sel\n";
    assert!(check(d, r#"{"A":"οδοσ"}"#));
    assert!(check(d, r#"{"A":"οδος"}"#));
}

#[test]
fn ascii_case_insensitive_contains_in_place() {
    for (hay, needle, want) in [
        ("certutil -URLCACHE -f", "urlcache", true),
        ("abc", "", true),
        ("", "a", false),
        ("ab", "abc", false),
        ("xxAbC", "abc", true),
        ("aaaab", "aab", true),
        ("aaaa", "aab", false),
        ("CMD.EXE", "d.e", true),
        ("a-b", "a_b", false),
        ("é", "e", false),
    ] {
        assert_eq!(super::contains_ascii_ci(hay.as_bytes(), needle.as_bytes()), want, "{hay:?} {needle:?}");
    }
}

#[test]
fn structured_values_are_tested_as_their_json_text() {
    // An Entra audit record: TargetResources is an array of objects.
    let audit = r#"{"OperationName": "Add member to role", "TargetResources": [{"id": "u1", "modifiedProperties": [{"displayName": "Role.TemplateId", "newValue": "\"62e90394-69f5-4237-9190-012177145e10\""}]}]}"#;
    assert!(check(
        "  sel:\n    TargetResources|contains: 62e90394-69f5-4237-9190-012177145e10\n  condition: sel\n",
        audit
    ));
    assert!(!check(
        "  sel:\n    TargetResources|contains: 00000000-0000-0000-0000-000000000000\n  condition: sel\n",
        audit
    ));
    // An object value: its compact JSON text (keys in sorted order).
    let obj = r#"{"properties": {"b": 2, "a": "x"}}"#;
    assert!(check("  sel:\n    properties: '{\"a\":\"x\",\"b\":2}'\n  condition: sel\n", obj));
    assert!(check("  sel:\n    properties|contains: '\"a\":\"x\"'\n  condition: sel\n", obj));
    // A path into the object still reaches the scalar.
    assert!(check("  sel:\n    properties.a: x\n  condition: sel\n", obj));
    // Scalars in an array are still tested one by one.
    assert!(check("  sel:\n    tags: b\n  condition: sel\n", r#"{"tags": ["a", "b"]}"#));
}

/// An item with many literal values of every shape (whole value, prefix,
/// suffix, contains): its combined check agrees with its tests one by one.
mod combined_literals {
    use super::*;
    use proptest::prelude::*;

    fn one_by_one(item: &ItemCheck) -> ItemCheck {
        let tests = item.tests.iter().map(clone_shallow).collect();
        ItemCheck { field: item.field.clone(), tests, all: false, negate: false, multi: None }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn agree_with_tests_one_by_one(
            values in prop::collection::vec("\\*?[abAB.é]{0,4}\\*?", 1..40),
            texts in prop::collection::vec("[abAB.éÉ]{0,8}", 1..6),
            keyword in any::<bool>(),
        ) {
            let list: String = values.iter().map(|v| format!("      - '{v}'\n")).collect();
            let head = if keyword { "  keywords:\n" } else { "  sel:\n    A:\n" };
            let list = if keyword { list.replace("      - ", "    - ") } else { list };
            let cond = if keyword { "keywords" } else { "sel" };
            let m = Matcher::new(&rule(&format!("{head}{list}  condition: {cond}\n")), &MatchOptions::default());
            let Some(item) = m.items.first().and_then(|a| a.first()).and_then(|a| a.first()) else {
                return Err(TestCaseError::fail("no item"));
            };
            let single = one_by_one(item);
            for t in &texts {
                let e = ev(&serde_json::json!({ "A": t, "B": [t, "x"] }).to_string());
                let p = PreparedEvent::new(&e);
                prop_assert_eq!(eval_item(item, &p), eval_item(&single, &p), "values {:?} text {:?}", values, t);
            }
        }
    }

    #[test]
    fn many_needles_of_each_kind() {
        let vals: Vec<String> = (0..80).map(|i| format!("n{i:02}x")).collect();
        for (modifier, text, want) in [
            ("", "N07X", true),
            ("", "n07xx", false),
            ("|startswith", "N79Xtail", true),
            ("|endswith", "headN79X", true),
            ("|endswith", "n79xtail", false),
            ("|contains", "..N42X..", true),
            ("|contains", "..n4x..", false),
        ] {
            let list: String = vals.iter().map(|v| format!("      - '{v}'\n")).collect();
            let d = format!("  sel:\n    A{modifier}:\n{list}  condition: sel\n");
            assert_eq!(check(&d, &serde_json::json!({ "A": text }).to_string()), want, "{modifier} {text}");
        }
    }
}
