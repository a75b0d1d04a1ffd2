use serde_json::{json, Value as Json};

use super::*;

fn events() -> Vec<Json> {
    vec![
        json!({"Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami", "User": "CORP\\Alice", "EventID": 4688, "Port": 443, "Ip": "10.1.2.3", "Time": "2024-05-01T22:30:00Z", "Tags": ["a", "b"], "Obj": {"k": {"n": 5}, "s": "Deep"}}),
        json!({"Image": "C:\\WINDOWS\\SYSTEM32\\CMD.EXE", "CommandLine": "CMD.EXE /C WHOAMI", "User": "corp\\bob", "EventID": 1, "Port": 80, "Ip": "192.168.1.1", "Time": "2024-05-02T01:00:00+02:00"}),
        json!({"Image": "/usr/bin/my_cmd", "CommandLine": "", "User": "", "EventID": 4624, "Ip": "fe80::1"}),
    ]
}

fn hits(q: &str) -> Vec<usize> {
    let evs = events();
    let ev = evaluate(q, &evs);
    assert!(ev.ok(), "{q}: {:?}", ev.diagnostics);
    ev.matched(evs.len()).iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i).collect()
}

fn error(q: &str) -> Diagnostic {
    let ev = evaluate(q, &events());
    match ev.diagnostics.into_iter().find(|d| d.is_error()) {
        Some(d) => d,
        None => panic!("{q}: expected an error"),
    }
}

fn w(cond: &str) -> Vec<usize> {
    hits(&format!("T | where {cond}"))
}

#[test]
fn string_operators_and_case_rules() {
    assert_eq!(w(r#"Image == @"C:\Windows\System32\cmd.exe""#), vec![0]);
    assert_eq!(w(r#"Image =~ @"c:\windows\system32\cmd.exe""#), vec![0, 1]);
    assert_eq!(w(r#"Image !~ @"c:\windows\system32\cmd.exe""#), vec![2]);
    assert_eq!(w(r#"Image != @"C:\Windows\System32\cmd.exe""#), vec![1, 2]);
    assert_eq!(w(r#"CommandLine contains "WHOAMI""#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine contains_cs "WHOAMI""#), vec![1]);
    assert_eq!(w(r#"CommandLine !contains "whoami""#), vec![2]);
    assert_eq!(w(r#"CommandLine !contains_cs "whoami""#), vec![1, 2]);
    assert_eq!(w(r#"CommandLine startswith "cmd""#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine startswith_cs "cmd""#), vec![0]);
    assert_eq!(w(r#"CommandLine !startswith "cmd""#), vec![2]);
    assert_eq!(w(r#"Image endswith "CMD.EXE""#), vec![0, 1]);
    assert_eq!(w(r#"Image endswith_cs "CMD.EXE""#), vec![1]);
    assert_eq!(w(r#"Image !endswith ".exe""#), vec![2]);
    assert_eq!(w(r#"CommandLine has "whoami""#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine has_cs "whoami""#), vec![0]);
    assert_eq!(w(r#"CommandLine !has "who""#), vec![0, 1, 2]);
    assert_eq!(w(r#"CommandLine !has_cs "whoami""#), vec![1, 2]);
    assert_eq!(w(r#"Image has "cmd""#), vec![0, 1, 2]);
    assert_eq!(w(r#"Image hasprefix "sys""#), vec![0, 1]);
    assert_eq!(w(r#"Image hassuffix "32""#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine has_any ("nope", "WHOAMI")"#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine has_all ("cmd", "whoami")"#), vec![0, 1]);
    assert_eq!(w(r#"CommandLine has_all ("cmd", "who")"#), Vec::<usize>::new());
    assert_eq!(w(r#"User in ("corp\\bob", "x")"#), vec![1]);
    assert_eq!(w(r#"User in~ ("CORP\\BOB", "corp\\alice")"#), vec![0, 1]);
    assert_eq!(w(r#"User !in ("corp\\bob")"#), vec![0, 2]);
    assert_eq!(w(r#"User !in~ ("CORP\\BOB")"#), vec![0, 2]);
    assert_eq!(w(r#"User in (dynamic(["corp\\bob", ""]))"#), vec![1, 2]);
    assert_eq!(w(r#"Image matches regex @"(?i)\\cmd\.exe$""#), vec![0, 1]);
    assert_eq!(w(r#"Image matches regex "cmd\\.exe$""#), vec![0]);
    assert_eq!(w(r#"* contains "alice""#), vec![0]);
    assert_eq!(w(r#"* has "bob""#), vec![1]);
}

#[test]
fn numbers_dates_and_nulls() {
    assert_eq!(w("EventID == 4688"), vec![0]);
    assert_eq!(w("EventID != 4688"), vec![1, 2]);
    assert_eq!(w("Port > 100"), vec![0]);
    // Null compares false with ==, true with !=, null with < (and not(null) stays null).
    assert_eq!(w("Port != 443"), vec![1, 2]);
    assert_eq!(w("not(Port > 100)"), vec![1]);
    assert_eq!(w("isnull(Port)"), vec![2]);
    assert_eq!(w("isnotnull(Port)"), vec![0, 1]);
    assert_eq!(w("Port between (80 .. 443)"), vec![0, 1]);
    assert_eq!(w("Port !between (81 .. 443)"), vec![1]);
    assert_eq!(w("Port in (80, 8080)"), vec![1]);
    assert_eq!(w("Port * 2 + 1 == 161"), vec![1]);
    assert_eq!(w("Port % 2 == 1 or Port / 2 == 40"), vec![0, 1]);
    assert_eq!(w("-Port < -100"), vec![0]);
    assert_eq!(w("Time > datetime(2024-05-01 23:00)"), Vec::<usize>::new());
    assert_eq!(w("todatetime(Time) between (datetime(2024-05-01) .. 1d)"), vec![0, 1]);
    assert_eq!(w("todatetime(Time) - datetime(2024-05-01) > 22h + 45m"), vec![1]);
    assert_eq!(w("hourofday(todatetime(Time)) == 23"), vec![1]);
    assert_eq!(w(r#"datetime_part("hour", todatetime(Time)) >= 22"#), vec![0, 1]);
    assert_eq!(w("dayofmonth(todatetime(Time)) == 1 and getmonth(todatetime(Time)) == 5 and getyear(todatetime(Time)) == 2024"), vec![0, 1]);
    assert_eq!(w("true and not(false)"), vec![0, 1, 2]);
    // Strings are never null: a missing or blank string is empty.
    assert_eq!(w("isempty(User)"), vec![2]);
    assert_eq!(w("isnull(User)"), Vec::<usize>::new());
    assert_eq!(w("isempty(Missing)"), vec![0, 1, 2]);
    assert_eq!(w("isnotempty(CommandLine)"), vec![0, 1]);
}

#[test]
fn functions() {
    assert_eq!(w(r#"tolower(Image) endswith_cs "cmd.exe""#), vec![0, 1]);
    assert_eq!(w(r#"toupper(User) == "CORP\\BOB""#), vec![1]);
    assert_eq!(w("strlen(User) == 8"), vec![1]);
    assert_eq!(w(r#"tostring(EventID) == "4688""#), vec![0]);
    assert_eq!(w(r#"toint("42") == 42 and tolong(EventID) == 1"#), vec![1]);
    assert_eq!(w(r#"toreal("1.5") > 1"#), vec![0, 1, 2]);
    assert_eq!(w(r#"ipv4_is_in_range(Ip, "10.0.0.0/8")"#), vec![0]);
    assert_eq!(w(r#"ipv4_is_in_any_range(Ip, "10.0.0.0/8", "192.168.0.0/16")"#), vec![0, 1]);
    assert_eq!(w(r#"ipv4_is_in_any_range(Ip, dynamic(["192.168.0.0/16"]))"#), vec![1]);
    assert_eq!(w(r#"ipv6_is_in_range(Ip, "fe80::/10")"#), vec![2]);
    assert_eq!(w(r#"ipv6_is_in_range(Ip, "10.0.0.0/8")"#), vec![0]);
    // A non-IPv4 range is null, so neither the test nor its negation holds.
    assert_eq!(w(r#"ipv4_is_in_range(Ip, "fe80::/10")"#), Vec::<usize>::new());
    assert_eq!(w(r#"not(ipv4_is_in_range(Ip, "fe80::/10"))"#), Vec::<usize>::new());
    assert_eq!(w(r#"not(coalesce(ipv4_is_in_range(Ip, "10.0.0.0/8"), false))"#), vec![1, 2]);
    assert_eq!(w(r#"column_ifexists("Nope", "x") == "x" and column_ifexists("EventID", 0) == 4688"#), vec![0]);
    assert_eq!(w(r#"tostring(Obj.k.n) == "5" and Obj["s"] =~ "deep" and Tags[1] == "b""#), vec![0]);
    assert_eq!(w("array_length(Tags) == 2"), vec![0]);
    assert_eq!(w(r#"strcat(User, "!") == "corp\\bob!" and substring(User, 5) == "bob""#), vec![1]);
    assert_eq!(w(r#"iff(Port > 100, "big", "small") == "big""#), vec![0]);
    assert_eq!(w(r#"base64_decode_tostring("d2hvYW1p") == "whoami" and indexof(User, "bob") == 5"#), vec![1]);
    assert_eq!(w(r#"replace_string(User, "corp", "X") == @"X\bob""#), vec![1]);
}

#[test]
fn lets_and_string_literal_forms() {
    assert_eq!(
        hits("let n = 4688;\nlet names = dynamic([\"corp\\\\bob\"]);\nT | where EventID == n or User in (names)"),
        vec![0, 1]
    );
    assert_eq!(
        w(r#"CommandLine contains 'WHO' and CommandLine contains @'c' and CommandLine contains h"AMI""#),
        vec![0, 1]
    );
    assert_eq!(w(r#"User == "corp\u005cbob""#), vec![1]);
    assert_eq!(w(r#"User == @"corp\bob" and "a" "b" == "ab""#), vec![1]);
    assert_eq!(w(r#"['User'] == @'corp\bob'"#), vec![1]);
    assert_eq!(w("Port == 0x50 // a comment\n"), vec![1]);
}

#[test]
fn tabular_operators() {
    let evs = events();
    let ev = evaluate("T | where Port > 0 | project User, P = Port * 2 | sort by P asc | take 1", &evs);
    assert!(ev.ok(), "{:?}", ev.diagnostics);
    assert_eq!(ev.columns, vec!["User", "P"]);
    assert_eq!(ev.rows.len(), 1);
    assert_eq!(ev.rows[0].origin, Some(1));
    assert_eq!(ev.rows[0].values[1], Value::Long(160));
    let ev = evaluate("T | extend Big = Port > 100 | project-away Image, CommandLine | order by Port", &evs);
    assert!(ev.ok(), "{:?}", ev.diagnostics);
    assert!(ev.columns.contains(&"Big".to_string()) && !ev.columns.contains(&"Image".to_string()));
    // Descending by default, nulls last.
    assert_eq!(ev.rows.iter().map(|r| r.origin).collect::<Vec<_>>(), vec![Some(0), Some(1), Some(2)]);
    let ev = evaluate("T | summarize count() by Big = Port > 100", &evs);
    assert_eq!(ev.columns, vec!["Big", "count_"]);
    assert_eq!(ev.rows.len(), 3);
    assert!(ev.matched(3).iter().all(|m| !m));
    let ev = evaluate("T | summarize n = countif(EventID > 10), d = dcount(User)", &evs);
    assert_eq!(ev.rows[0].values, vec![Value::Long(2), Value::Long(3)]);
    assert_eq!(evaluate("T | distinct tolower(Image)", &evs).rows.len(), 2);
    assert_eq!(evaluate("T | count", &evs).rows[0].values, vec![Value::Long(3)]);
    assert_eq!(evaluate("T | limit 2", &evs).rows.len(), 2);
    let top = evaluate("T | top 1 by EventID asc", &evs);
    assert_eq!(top.rows[0].origin, Some(1));
    assert_eq!(hits("imNetworkSession(starttime=ago(1d), dstportnumber=443) | where Port == 443"), vec![0]);
    assert_eq!(hits("T() | where Port == 443"), vec![0]);
}

#[test]
fn typed_tables_follow_the_schema() {
    // SecurityEvent declares EventID an int: "4688" converts; a missing string column reads "".
    let evs = vec![json!({"EventID": "4688", "NewProcessName": "a"}), json!({"EventID": 4624})];
    let ev = evaluate("SecurityEvent | where EventID == 4688 or isempty(NewProcessName)", &evs);
    assert!(ev.ok(), "{:?}", ev.diagnostics);
    assert_eq!(ev.matched(2), vec![true, true]);
}

#[test]
fn errors_have_positions() {
    let d = error("T\n| where Image endswith");
    assert_eq!((d.code.as_str(), d.line(), d.col()), ("kql-syntax", 2, 23));
    let d = error("T | where x == \"abc");
    assert_eq!((d.code.as_str(), d.line(), d.col()), ("kql-syntax", 1, 16));
    let d = error("T | where x == \"a\\qb\"");
    assert!(d.message.contains("escape"), "{d:?}");
    let d = error("T\n| join (U) on x");
    assert_eq!((d.code.as_str(), d.line(), d.col()), ("kql-unsupported", 2, 3));
    let d = error("T | where x like \"a\"");
    assert_eq!((d.code.as_str(), d.col()), ("kql-unsupported", 13));
    let d = error("T | where ago(1d) > x");
    assert_eq!(d.code, "kql-unsupported");
    let d = error("T | where foo(x)");
    assert_eq!((d.code.as_str(), d.col()), ("kql-unsupported", 11));
    let d = error("T | where x matches regex \"a(\"");
    assert_eq!((d.code.as_str(), d.col()), ("kql-invalid-regex", 27));
    let d = error("T | where x matches regex \"(?=a)\"");
    assert_eq!(d.code, "kql-invalid-regex");
    let d = error("T | where * == 1");
    assert_eq!((d.code.as_str(), d.col()), ("kql-syntax", 11));
    assert_eq!(error("T | where x == *").code, "kql-syntax");
    assert_eq!(error("T | where * in (1)").code, "kql-syntax");
    let d = error("T | summarize avg(x)");
    assert_eq!(d.code, "kql-unsupported");
    let d = error("T | where tolower(a, b)");
    assert!(d.message.contains("takes 1"), "{d:?}");
    let d = error("union T, U");
    assert_eq!(d.code, "kql-unsupported");
    let d = error("T | where a == 1 b");
    assert_eq!(d.col(), 18);
    let d = error("let x = T | where a;\nT");
    assert_eq!(d.code, "kql-unsupported");
    let d = error("");
    assert_eq!(d.code, "kql-syntax");
    // Columns count chars, not bytes.
    let d = error("T | where \"é\" == ");
    assert_eq!(d.col(), 18);
}

#[test]
fn unknown_columns_are_a_warning_not_a_guess() {
    let ev = evaluate("T | where Nope == \"x\" or Image == \"y\"", &events());
    assert!(ev.ok());
    assert!(ev.diagnostics.iter().any(|d| d.code == "kql-unknown-column"), "{:?}", ev.diagnostics);
}

#[test]
fn deep_and_large_queries() {
    let nested = format!("T | where {}Port > 1{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(hits(&nested), vec![0, 1]);
    let nots = format!("T | where {}Port > 1{}", "not(".repeat(100), ")".repeat(100));
    assert_eq!(hits(&nots), vec![0, 1]);
    // Just under the limit: parsing and evaluating stay within a test thread's stack.
    let limit = parser::MAX_DEPTH as usize - 3;
    for (open, close) in [("not(", ")"), ("(", ")"), ("tostring(", ")"), ("-", "")] {
        let q = format!("T | where {}Port{} != 0", open.repeat(limit), close.repeat(limit));
        let ev = evaluate(&q, &events());
        assert!(ev.ok(), "{open}: {:?}", ev.diagnostics);
    }
    let sum = format!("T | where Port == {}", vec!["1"; limit].join(" + "));
    assert!(evaluate(&sum, &events()).ok());
    for open in ["(", "not(", "-", "dynamic([", "tostring("] {
        let q = format!("T | where {}1{}", open.repeat(10_000), ")".repeat(10_000));
        assert_eq!(error(&q).code, "kql-too-deep", "{open}");
    }
    let long_sum = format!("T | where Port == {}", vec!["1"; 20_000].join(" + "));
    assert_eq!(error(&long_sum).code, "kql-too-deep");
    let members = format!("T | where Obj{} == 1", ".a".repeat(10_000));
    assert_eq!(error(&members).code, "kql-too-deep");
    // About 1 MB of `or` terms: a flat chain, evaluated quickly.
    let terms: Vec<String> = (0..50_000).map(|i| format!("User == \"user{i}\"")).collect();
    let q = format!("T | where {} or Port == 80", terms.join(" or "));
    assert!(q.len() > 1_000_000);
    let start = std::time::Instant::now();
    assert_eq!(hits(&q), vec![1]);
    assert!(start.elapsed().as_secs() < 20);
    let garbage = "|".repeat(1 << 20);
    assert_eq!(error(&garbage).code, "kql-syntax");
}

mod props {
    use proptest::prelude::*;

    use super::super::evaluate;

    const PIECES: &[&str] = &[
        "T",
        "|",
        "where",
        "project",
        "extend",
        "summarize",
        "count()",
        "by",
        "sort",
        "take",
        "1",
        "(",
        ")",
        "[",
        "]",
        ",",
        "==",
        "=~",
        "!in~",
        "has",
        "contains",
        "\"a\"",
        "@'b'",
        "Port",
        "Image",
        "and",
        "or",
        "not(",
        "dynamic([",
        "datetime(2024-01-01)",
        "between",
        "..",
        "matches regex",
        "\"(?i)x\"",
        "-",
        "*",
        ".",
        "let",
        "=",
        ";",
        "1d",
        "tostring(",
        "=",
        "0x",
        "\\",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = evaluate(&s, &super::events());
        }

        #[test]
        fn api_never_panics(q in "\\PC{0,120}", ev in "\\PC{0,80}") {
            let rule = "title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: x\n  condition: sel\n";
            let _ = crate::api::run_kql(&q, &ev);
            let opts = crate::api::KqlOptions { pipeline: "sentinel_asim".into(), query_override: Some(q.clone()), ..Default::default() };
            let _ = crate::api::kql_parity(rule, &ev, &opts);
            let _ = crate::api::kql_parity(&q, &ev, &crate::api::KqlOptions::default());
        }

        #[test]
        fn token_soup_never_panics(idx in proptest::collection::vec(0..PIECES.len(), 0..40)) {
            let q: Vec<&str> = idx.iter().map(|i| PIECES[*i]).collect();
            let _ = evaluate(&q.join(" "), &super::events());
            let _ = evaluate(&format!("T | where {}", q.join(" ")), &super::events());
        }
    }
}

/// The rows of `table` (with its schema's column types) a condition returns.
fn hits_in(table: &str, rows: &[Json], cond: &str) -> Vec<usize> {
    let ev = evaluate(&format!("{table} | where {cond}"), rows);
    assert!(ev.ok(), "{cond}: {:?}", ev.diagnostics);
    ev.matched(rows.len()).iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i).collect()
}

#[test]
fn paths_into_json_text() {
    // A string column that holds JSON (AWSCloudTrail's RequestParameters): the
    // path is read from the parsed text; text that is no JSON object has no member.
    let rows = vec![
        json!({"RequestParameters": "{\"userName\":\"admin\",\"policy\":{\"effect\":\"Allow\"}}"}),
        json!({"RequestParameters": "not json"}),
        json!({"RequestParameters": ""}),
    ];
    let run = |cond: &str| hits_in("AWSCloudTrail", &rows, cond);
    assert_eq!(run(r#"tostring(parse_json(RequestParameters).userName) =~ "ADMIN""#), vec![0]);
    assert_eq!(run(r#"tostring(parse_json(RequestParameters).policy.effect) == "Allow""#), vec![0]);
    assert_eq!(run(r#"isempty(tostring(parse_json(RequestParameters).userName))"#), vec![1, 2]);
}

#[test]
fn extract_reads_a_capture_group() {
    let rows = vec![
        json!({"SyslogMessage": "<Event><EventData><Data Name=\"Image\">/usr/bin/curl</Data><Data Name=\"CommandLine\">curl a &amp;&amp; b</Data></EventData></Event>"}),
        json!({"SyslogMessage": "Accepted publickey for root"}),
    ];
    let run = |cond: &str| hits_in("Syslog", &rows, cond);
    assert_eq!(run(r#"extract(@'<Data Name="Image">([^<]*)</Data>', 1, SyslogMessage) endswith "/curl""#), vec![0]);
    // No match is the empty string, never null: `!contains` holds there.
    assert_eq!(run(r#"isempty(extract(@'<Data Name="Image">([^<]*)</Data>', 1, SyslogMessage))"#), vec![1]);
    assert_eq!(run(r#"extract(@'<Data Name="Image">([^<]*)</Data>', 1, SyslogMessage) !contains "wget""#), vec![0, 1]);
    // The text is read as written: XML's entities are not decoded.
    assert_eq!(
        run(r#"extract(@'<Data Name="CommandLine">([^<]*)</Data>', 1, SyslogMessage) contains "&amp;&amp;""#),
        vec![0]
    );
    // A group the pattern does not have gives "".
    assert_eq!(run(r#"isempty(extract("(a)", 2, "a"))"#), vec![0, 1]);
}
