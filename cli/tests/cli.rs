//! End-to-end tests of the `sigmaplay` binary: exit codes, output shapes,
//! positions. Inputs are written under Cargo's per-target temp folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sigmaplay");
const LOCALTONET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml"
);

const GOOD: &str = "title: Cmd started\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\cmd.exe'\n    condition: selection\nlevel: low\n";

/// Line 7, column 15 is `endswit`.
const BAD: &str = "title: Cmd started\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswit: '\\cmd.exe'\n    condition: selection\n";

/// A fresh folder for one test.
fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("create {}: {e}", d.display()));
    d
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p
}

fn run(args: &[&str]) -> Output {
    run_stdin(args, None)
}

fn run_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {BIN}: {e}"));
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input).unwrap_or_else(|e| panic!("stdin: {e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("wait: {e}"))
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_else(|| panic!("non-UTF-8 temp path"))
}

fn localtonet() -> Option<&'static str> {
    if Path::new(LOCALTONET).is_file() {
        Some(LOCALTONET)
    } else {
        eprintln!("SKIPPED: corpus rule not found at {LOCALTONET}");
        None
    }
}

/// Every diagnostic has exactly the documented keys.
fn assert_diag_shape(d: &Value, with_source: bool) {
    let obj = d.as_object().unwrap_or_else(|| panic!("diagnostic is not an object: {d}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = vec!["code", "col", "line", "message", "severity"];
    if with_source {
        want.push("source");
    }
    if let Some(fix) = obj.get("fix") {
        // A lint finding's fix: `{title, safe, edits: [{span, replacement}]}`.
        assert!(fix["title"].is_string() && fix["safe"].is_boolean() && fix["edits"].is_array(), "{d}");
        want.push("fix");
    }
    want.sort_unstable();
    assert_eq!(keys, want, "{d}");
    assert!(matches!(d["severity"].as_str(), Some("info" | "warning" | "error")), "{d}");
    assert!(d["line"].is_u64() && d["col"].is_u64(), "{d}");
}

/// The example of issue #11: a misspelt status, an unknown level and a repeated value.
#[test]
fn check_lints_by_default() {
    let d = dir("check_lint");
    let rule = write(
        &d,
        "r.yml",
        b"title: t\nid: 5c9d6b2a-3f4e-4c1a-9d0b-7a6e5f4c3b2a\nstatus: experimantal\nlevel: severe\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith:\n      - 'a.exe'\n      - 'a.exe'\n  condition: selection\n",
    );
    let o = run(&["check", path_str(&rule)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains(":3:9: warning[invalid-status]"), "{text}");
    assert!(text.contains(":4:8: warning[invalid-level]"), "{text}");
    assert!(text.contains(":12:9: warning[duplicate-value]"), "{text}");
    let o = run(&["check", "--no-lint", path_str(&rule)]);
    assert_eq!(stdout(&o), "1 file, 0 with errors\n");
}

/// `--fix` rewrites the file with the safe fixes and checks the result.
#[test]
fn check_fix_applies_safe_fixes_in_place() {
    let d = dir("check_fix");
    let text = "title: t\nid: 5c9d6b2a-3f4e-4c1a-9d0b-7a6e5f4c3b2a\nstatus: experimantal\nlevel: High\ndate: 2024/01/02\nlogsource:\n  category: process_creation\n  product: Windows\ndetection:\n  selection:\n    Image|endswith:\n      - 'a.exe'\n      - '*a.exe'\n      - 'b.exe'\n    Parent Image: x\n  condition: selection\n";
    let rule = write(&d, "r.yml", text.as_bytes());
    let clean = "title: t\nid: 5c9d6b2a-3f4e-4c1a-9d0b-7a6e5f4c3b2a\nlogsource:\n  product: windows\n  service: system\ndetection:\n  selection:\n    EventID: 7045\n  condition: selection\n";
    let untouched = write(&d, "clean.yml", clean.as_bytes());
    let o = run(&["check", "--fix", path_str(&d)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let fixed = std::fs::read_to_string(&rule).unwrap_or_default();
    assert_eq!(
        fixed,
        "title: t\nid: 5c9d6b2a-3f4e-4c1a-9d0b-7a6e5f4c3b2a\nstatus: experimental\nlevel: high\ndate: 2024-01-02\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith:\n      - 'a.exe'\n      - 'b.exe'\n    Parent Image: x\n  condition: selection\n"
    );
    assert_eq!(std::fs::read_to_string(&untouched).unwrap_or_default(), clean, "no safe fix: not rewritten");
    let out = stdout(&o);
    // The field name's fix changes what matches: it is reported, not applied.
    assert!(out.contains(":14:5: warning[field-name-space]"), "{out}");
    // status, level, date, product, the '*' of '*a.exe'; then the repeated 'a.exe' it became.
    assert!(out.ends_with("2 files, 0 with errors\n6 fixes applied in 1 file\n"), "{out}");
    let o = run(&["check", "--fix", path_str(&rule)]);
    assert!(stdout(&o).ends_with("0 fixes applied in 0 files\n"), "{}", stdout(&o));
}

#[test]
fn check_good_rule() {
    let d = dir("check_good");
    let good = write(&d, "good.yml", GOOD.as_bytes());
    let o = run(&["check", "--format", "jsonl", path_str(&good)]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["path"], path_str(&good));
    assert_eq!(lines[0]["ok"], true);
    // The rule is valid; the linter notes what SigmaHQ would also ask for (infos).
    let lint: Vec<&str> =
        lines[0]["diagnostics"].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(lint, vec!["missing-id", "missing-status", "missing-date", "missing-description", "missing-author"]);
    let o = run(&["check", "--format", "jsonl", "--no-lint", path_str(&good)]);
    assert_eq!(json_lines(&o)[0]["diagnostics"], Value::Array(Vec::new()));

    let o = run(&["check", path_str(&good)]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "1 file, 0 with errors\n");
}

#[test]
fn check_bad_rule_positions() {
    let d = dir("check_bad");
    let bad = write(&d, "bad.yml", BAD.as_bytes());
    let o = run(&["check", "--format", "jsonl", path_str(&bad)]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["ok"], false);
    let diags = lines[0]["diagnostics"].as_array().cloned().unwrap_or_default();
    for d in &diags {
        assert_diag_shape(d, false);
    }
    let m = diags.iter().find(|d| d["code"] == "unknown-modifier").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!((m["line"].as_u64(), m["col"].as_u64()), (Some(7), Some(15)));
    assert_eq!(m["severity"], "error");
    assert!(m["message"].as_str().unwrap_or("").contains("endswith"), "did-you-mean hint: {m}");

    let o = run(&["check", path_str(&bad)]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    let want = format!("{}:7:15: error[unknown-modifier]: ", path_str(&bad));
    assert!(text.lines().any(|l| l.starts_with(&want)), "{text}");
    assert!(text.ends_with("1 file, 1 with errors\n"), "{text}");
}

#[test]
fn check_compile_errors_are_reported_once() {
    let d = dir("check_regex");
    let rule = GOOD.replace("Image|endswith: '\\cmd.exe'", "CommandLine|re: 'a(b'");
    let p = write(&d, "re.yml", rule.as_bytes());
    let o = run(&["check", "--format", "jsonl", path_str(&p)]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let lines = json_lines(&o);
    let diags = lines[0]["diagnostics"].as_array().cloned().unwrap_or_default();
    let regex: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(regex.len(), 1, "{diags:?}");
    assert_eq!(regex[0]["line"], 7);
}

#[test]
fn check_folders_recursively() {
    let d = dir("check_folder");
    write(&d, "a/good.yml", GOOD.as_bytes());
    write(&d, "a/b/bad.yaml", BAD.as_bytes());
    write(&d, "a/b/notes.txt", b"not a rule");
    write(&d, "c.YML", GOOD.as_bytes());
    let o = run(&["check", "--format", "jsonl", path_str(&d)]);
    assert_eq!(code(&o), 1);
    let lines = json_lines(&o);
    let mut got: Vec<(String, bool)> = lines
        .iter()
        .map(|l| {
            let p = l["path"].as_str().unwrap_or("");
            let rel = Path::new(p).strip_prefix(&d).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            (rel, l["ok"].as_bool().unwrap_or(true))
        })
        .collect();
    got.sort();
    let want = vec![("a/b/bad.yaml".to_string(), false), ("a/good.yml".to_string(), true), ("c.YML".to_string(), true)];
    assert_eq!(got, want);

    let o = run(&["check", path_str(&d)]);
    assert!(stdout(&o).ends_with("3 files, 1 with errors\n"), "{}", stdout(&o));
}

#[test]
fn check_missing_path_is_an_error_line() {
    let d = dir("check_missing");
    let missing = d.join("nope.yml");
    let o = run(&["check", "--format", "jsonl", path_str(&missing)]);
    assert_eq!(code(&o), 1);
    let lines = json_lines(&o);
    assert_eq!(lines[0]["ok"], false);
    assert_eq!(lines[0]["diagnostics"][0]["code"], "io-error");
}

#[test]
fn check_invalid_utf8() {
    let d = dir("check_utf8");
    let mut bytes = GOOD.as_bytes().to_vec();
    // "title: Cmd st\xE9rted": a Latin-1 é at line 1, column 14.
    bytes.splice(13..14, [0xE9]);
    let p = write(&d, "latin1.yml", &bytes);
    let o = run(&["check", "--format", "jsonl", path_str(&p)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let lines = json_lines(&o);
    let diag = &lines[0]["diagnostics"][0];
    assert_diag_shape(diag, false);
    assert_eq!(diag["code"], "invalid-utf8");
    assert_eq!((diag["line"].as_u64(), diag["col"].as_u64()), (Some(1), Some(14)));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&[])), 2);
    assert_eq!(code(&run(&["check"])), 2);
    assert_eq!(code(&run(&["check", "--format", "xml", "x.yml"])), 2);
    assert_eq!(code(&run(&["match", "only-one-arg"])), 2);
    assert_eq!(code(&run(&["match", "r.yml", "e.json", "--placeholder", "novalue"])), 2);
    assert_eq!(code(&run(&["match", "-", "-"])), 2);
    let d = dir("usage");
    let good = write(&d, "good.yml", GOOD.as_bytes());
    let o = run(&["match", path_str(&good), path_str(&d.join("missing.json"))]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read events file"), "{}", stderr(&o));
    assert_eq!(code(&run(&["--help"])), 0);
}

const LOCALTONET_EVENTS: &str = r#"{"Image": "C:\\Users\\x\\agent.exe", "Initiated": "true", "DestinationHostname": "abc.localto.net"}
{"Image": "C:\\Windows\\System32\\svchost.exe", "Initiated": "true", "DestinationHostname": "www.example.com"}
"#;

#[test]
fn match_localtonet_json() {
    let Some(rule) = localtonet() else { return };
    let d = dir("match_json");
    let events = write(&d, "events.jsonl", LOCALTONET_EVENTS.as_bytes());
    let o = run(&["match", rule, path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let top: Vec<&str> = v.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    // `correlations` is always there (`[]` without correlation rules), as the JavaScript package types it.
    assert_eq!(top, vec!["correlations", "diagnostics", "results"]);
    assert_eq!(v["correlations"], Value::Array(Vec::new()));
    assert_eq!(v["diagnostics"], Value::Array(Vec::new()));
    let results = v["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 2);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], i);
        assert!(r.get("rule").is_none(), "single-rule files carry no rule title: {r}");
        assert_eq!(r["matched"], r["explanation"]["matched"]);
        assert!(r["explanation"]["summary"].is_string());
    }
    assert_eq!(results[0]["matched"], true);
    assert_eq!(results[1]["matched"], false);

    let sel = &results[0]["explanation"]["searches"][0];
    assert_eq!(sel["name"], "selection");
    assert_eq!(sel["matched"], true);
    assert_eq!(sel["span"]["line"], 22);
    let host =
        sel["items"].as_array().and_then(|items| items.iter().find(|i| i["field"] == "DestinationHostname")).cloned();
    let host = host.unwrap_or_else(|| panic!("{sel}"));
    assert_eq!(host["modifiers"], serde_json::json!(["endswith"]));
    assert_eq!(host["actual"], "abc.localto.net");
    assert_eq!(host["matched"], true);

    let miss = &results[1]["explanation"]["searches"][0];
    assert_eq!(miss["matched"], false);
    assert_eq!(miss["items"][0]["field"], "DestinationHostname");
    assert_eq!(miss["items"][0]["actual"], "www.example.com");
}

#[test]
fn match_localtonet_text_and_stdin() {
    let Some(rule) = localtonet() else { return };
    let o = run_stdin(&["match", rule, "-"], Some(LOCALTONET_EVENTS.as_bytes()));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("#0 MATCH  selection: "), "{text}");
    assert!(lines[0].contains("DestinationHostname endswith '.localto.net' (actual: \"abc.localto.net\")"), "{text}");
    assert!(lines[1].starts_with("#1 no match  selection: DestinationHostname endswith "), "{text}");
    assert!(lines[1].contains("failed (actual: \"www.example.com\")"), "{text}");
    assert_eq!(lines[2], "1 of 2 events matched");
}

#[test]
fn match_evtx_json_event() {
    let Some(rule) = localtonet() else { return };
    let d = dir("match_evtx");
    let evtx = r##"{
  "Event": {
    "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational"},
    "EventData": {"Image": "C:\\a.exe", "Initiated": true, "DestinationHostname": "x.LOCALTONET.com"}
  }
}
"##;
    let events = write(&d, "evtx.json", evtx.as_bytes());
    let o = run(&["match", rule, path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["results"][0]["matched"], true, "{}", stdout(&o));
}

const PLACEHOLDER_RULE: &str = "title: Admin logon\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        TargetUserName|expand: '%admins%'\n    condition: selection\n";

#[test]
fn match_placeholder_flag() {
    let d = dir("match_placeholder");
    let rule = write(&d, "rule.yml", PLACEHOLDER_RULE.as_bytes());
    let events = write(&d, "events.json", br#"[{"TargetUserName": "alice"}, {"TargetUserName": "mallory"}]"#);

    // Without values the rule cannot be matched: exit 1, the error points at the value.
    let o = run(&["match", path_str(&rule), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["results"], Value::Array(Vec::new()));
    let diag = &v["diagnostics"][0];
    assert_diag_shape(diag, true);
    assert_eq!((diag["code"].as_str(), diag["source"].as_str()), (Some("unresolved-placeholder"), Some("rule")));
    assert_eq!((diag["line"].as_u64(), diag["col"].as_u64()), (Some(7), Some(32)));

    let o =
        run(&["match", path_str(&rule), path_str(&events), "--placeholder", "admins=alice,bob", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    let got: Vec<bool> =
        v["results"].as_array().map(|r| r.iter().map(|x| x["matched"] == true).collect()).unwrap_or_default();
    assert_eq!(got, vec![true, false]);

    // `%name%=` spelling and wildcards in values.
    let o = run(&["match", path_str(&rule), path_str(&events), "--placeholder", "%admins%=mal*"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("#0 no match"), "{}", stdout(&o));
    assert!(stdout(&o).contains("#1 MATCH"), "{}", stdout(&o));

    // check: a missing placeholder value is only a warning.
    let o = run(&["check", "--format", "jsonl", "--no-lint", path_str(&rule)]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(json_lines(&o)[0]["diagnostics"][0]["severity"], "warning");
}

#[test]
fn match_several_rules() {
    let d = dir("match_multi");
    let second = GOOD.replace("Cmd started", "PowerShell started").replace("cmd.exe", "powershell.exe");
    let rule = write(&d, "rules.yml", format!("{GOOD}---\n{second}").as_bytes());
    let events = write(&d, "events.json", br#"{"Image": "C:\\Windows\\powershell.exe"}"#);
    let o = run(&["match", path_str(&rule), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    let got: Vec<(String, u64, bool)> = v["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| {
                    (
                        x["rule"].as_str().unwrap_or("").to_string(),
                        x["index"].as_u64().unwrap_or(99),
                        x["matched"] == true,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got, vec![("Cmd started".to_string(), 0, false), ("PowerShell started".to_string(), 0, true)]);

    let o = run(&["match", path_str(&rule), path_str(&events)]);
    let text = stdout(&o);
    assert!(text.contains("rule: Cmd started\n#0 no match"), "{text}");
    assert!(text.contains("rule: PowerShell started\n#0 MATCH"), "{text}");
}

#[test]
fn match_rule_errors_exit_1() {
    let d = dir("match_bad_rule");
    let rule = write(&d, "bad.yml", BAD.as_bytes());
    let events = write(&d, "events.json", br#"{"Image": "cmd.exe"}"#);
    let o = run(&["match", path_str(&rule), path_str(&events)]);
    assert_eq!(code(&o), 1);
    let want = format!("{}:7:15: error[unknown-modifier]", path_str(&rule));
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn match_invalid_utf8() {
    let d = dir("match_utf8");
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    // Line 2, column 11: the 0xFF byte.
    let events = write(&d, "events.json", b"{\"Image\": \"a\"}\n{\"Image\": \"\xFF\"}\n");
    let o = run(&["match", path_str(&rule), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let diag = &v["diagnostics"][0];
    assert_diag_shape(diag, true);
    assert_eq!((diag["code"].as_str(), diag["source"].as_str()), (Some("invalid-utf8"), Some("events")));
    assert_eq!((diag["line"].as_u64(), diag["col"].as_u64()), (Some(2), Some(12)));

    let bad_rule = write(&d, "bad.yml", b"title: \xC3\n");
    let o = run(&["match", path_str(&bad_rule), path_str(&rule)]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[invalid-utf8]"), "{}", stderr(&o));
}

#[test]
fn match_event_syntax_errors_keep_other_events() {
    let d = dir("match_event_syntax");
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    let events = write(&d, "events.jsonl", b"{\"Image\": \"C:\\\\cmd.exe\"}\n{\"Image\": oops}\n{\"Image\": \"x\"}\n");
    let o = run(&["match", path_str(&rule), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 1, "event errors are errors");
    let v = json(&o);
    let diag = &v["diagnostics"][0];
    assert_eq!(
        (diag["code"].as_str(), diag["source"].as_str(), diag["line"].as_u64()),
        (Some("event-syntax"), Some("events"), Some(2))
    );
    let matched: Vec<bool> =
        v["results"].as_array().map(|r| r.iter().map(|x| x["matched"] == true).collect()).unwrap_or_default();
    assert_eq!(matched, vec![true, false]);
}

#[test]
fn garbage_inputs_do_not_crash() {
    let d = dir("garbage");
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    let inputs: [&[u8]; 8] = [
        b"",
        b"\xEF\xBB\xBF",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        b"- a\n- b\n",
        b"a: &x [*x]\n",
        b"\x00\x01\x02",
        b"{\"Image\": 1e999}",
        b"title: x\ndetection: [",
    ];
    for (n, input) in inputs.iter().enumerate() {
        let f = write(&d, &format!("in{n}.yml"), input);
        for args in [
            vec!["check", path_str(&f)],
            vec!["check", "--format", "jsonl", path_str(&f)],
            vec!["match", path_str(&rule), path_str(&f)],
            vec!["match", path_str(&f), path_str(&rule), "--format", "json"],
        ] {
            let o = run(&args);
            let c = code(&o);
            assert!(c == 0 || c == 1, "{args:?} exited {c}: {}", stderr(&o));
            assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
        }
    }
}

// ---------------------------------------------------------------------------
// convert

#[test]
fn convert_localtonet_sentinel_asim() {
    let Some(rule) = localtonet() else { return };
    let o = run(&["convert", rule, "--pipeline", "sentinel_asim", "--format", "jsonl"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    let mut keys: Vec<&str> = l.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["diagnostics", "ok", "path", "queries", "table"]);
    assert_eq!(l["path"], rule);
    assert_eq!(l["ok"], true);
    assert_eq!(l["table"], "imNetworkSession");
    let q = l["queries"][0].as_str().unwrap_or_default();
    assert!(q.starts_with("imNetworkSession\n| where "), "{q}");
    assert!(q.contains("NetworkDirection =~ \"Outbound\""), "{q}");
    assert!(!q.contains("=~ \"true\""), "Initiated: 'true' must not become a string comparison: {q}");
    for d in l["diagnostics"].as_array().cloned().unwrap_or_default() {
        assert_diag_shape(&d, false);
    }

    // json: one object for one file; text: the query first.
    let o = run(&["convert", rule, "-p", "sentinel_asim", "--format", "json"]);
    assert_eq!(code(&o), 0);
    assert_eq!(json(&o)["queries"][0].as_str(), Some(q));
    let o = run(&["convert", rule, "-p", "sentinel_asim"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with(&format!("{q}\n")), "{}", stdout(&o));
}

#[test]
fn convert_unknown_pipeline_is_a_usage_error() {
    let d = dir("convert_bad_pipeline");
    let good = write(&d, "good.yml", GOOD.as_bytes());
    let o = run(&["convert", path_str(&good), "--pipeline", "sentinel"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    for name in ["sentinel_asim", "microsoft_xdr", "microsoft_365_defender", "azure_monitor", "none"] {
        assert!(err.contains(name), "built-in names listed: {err}");
    }
    // A pipeline file that is not a pipeline: usage error with its position.
    let bad = write(&d, "bad_pipeline.yml", b"- just a list\n");
    let o = run(&["convert", path_str(&good), "--pipeline", path_str(&bad)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad_pipeline.yml"), "{}", stderr(&o));
}

#[test]
fn convert_custom_pipeline_file_chained() {
    let d = dir("convert_custom");
    let rule = GOOD.replace("Image|endswith: '\\cmd.exe'", "ProcPath|endswith: '\\cmd.exe'");
    let rule = write(&d, "rule.yml", rule.as_bytes());
    let custom = write(
        &d,
        "custom.yml",
        b"name: mine\ntransformations:\n  - id: rename\n    type: field_name_mapping\n    mapping:\n      ProcPath: Image\n",
    );
    // Alone: no table, the renamed field.
    let o = run(&["convert", path_str(&rule), "--pipeline", path_str(&custom), "--format", "jsonl"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let l = &json_lines(&o)[0];
    assert_eq!(l["table"], Value::Null);
    assert!(l["queries"][0].as_str().unwrap_or_default().contains("Image endswith @\"\\cmd.exe\""), "{l}");
    // Chained before a built-in target: its table and columns.
    let o = run(&[
        "convert",
        path_str(&rule),
        "--pipeline",
        path_str(&custom),
        "--pipeline",
        "microsoft_xdr",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let l = &json_lines(&o)[0];
    assert_eq!(l["table"], "DeviceProcessEvents");
    let q = l["queries"][0].as_str().unwrap_or_default();
    assert!(q.starts_with("DeviceProcessEvents\n| where ") && q.contains("FolderPath endswith"), "{q}");
}

#[test]
fn convert_folder_recursively() {
    let d = dir("convert_folder");
    write(&d, "a/good.yml", GOOD.as_bytes());
    write(&d, "a/b/unmapped.yml", GOOD.replace("product: windows", "product: no_such_product").as_bytes());
    write(&d, "a/b/notes.txt", b"not a rule");
    let o = run(&["convert", path_str(&d), "--pipeline", "sentinel_asim", "--format", "jsonl"]);
    assert_eq!(code(&o), 1, "one rule did not convert: {}{}", stdout(&o), stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2, "{lines:?}");
    // Name order: a/b/unmapped.yml before a/good.yml.
    assert!(lines[0]["path"].as_str().unwrap_or_default().ends_with("unmapped.yml"));
    assert_eq!(lines[0]["ok"], false);
    assert_eq!(lines[0]["queries"], Value::Array(Vec::new()));
    let diags = lines[0]["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(diags.iter().any(|d| d["severity"] == "error"), "{diags:?}");
    assert_eq!(lines[1]["ok"], true);
    assert!(lines[1]["table"].is_string());

    // json: one array, same content.
    let o = run(&["convert", path_str(&d), "--pipeline", "sentinel_asim", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o), Value::Array(lines));

    // text: notes as path:line:col: severity[code]: message; summary on stderr.
    let o = run(&["convert", path_str(&d), "--pipeline", "sentinel_asim"]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(text.lines().any(|l| l.contains("unmapped.yml") && l.contains(": error[")), "{text}");
    assert!(stderr(&o).contains("2 files, 1 converted, 1 not converted"), "{}", stderr(&o));
}

#[test]
fn convert_placeholders() {
    let d = dir("convert_placeholder");
    let rule = GOOD.replace("Image|endswith: '\\cmd.exe'", "User|expand: '%admins%'");
    let p = write(&d, "ph.yml", rule.as_bytes());
    let o = run(&["convert", path_str(&p), "--pipeline", "none", "--format", "jsonl"]);
    assert_eq!(code(&o), 1, "no values: not converted: {}", stdout(&o));
    let o =
        run(&["convert", path_str(&p), "--pipeline", "none", "--placeholder", "admins=alice,bob", "--format", "jsonl"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let q = json_lines(&o)[0]["queries"][0].as_str().unwrap_or_default().to_string();
    assert!(q.contains("alice") && q.contains("bob"), "{q}");
}

#[test]
fn match_evaluates_correlations_and_filters() {
    let d = dir("correlation");
    let rule = write(
        &d,
        "brute.yml",
        b"title: failed logon\nname: failed_logon\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4625\n    condition: selection\n---\ntitle: service accounts\nlogsource:\n    product: windows\nfilter:\n    rules:\n        - failed_logon\n    selection:\n        TargetUserName|startswith: svc_\n    condition: selection\n---\ntitle: brute force\ncorrelation:\n    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 5m\n    condition:\n        gte: 2\n",
    );
    let events = write(
        &d,
        "events.jsonl",
        b"{\"EventID\":4625,\"TargetUserName\":\"a\",\"when\":\"2024-05-01T08:00:00Z\"}\n{\"EventID\":4625,\"TargetUserName\":\"a\",\"when\":\"2024-05-01T08:03:00Z\"}\n{\"EventID\":4625,\"TargetUserName\":\"svc_x\",\"when\":\"2024-05-01T08:03:00Z\"}\n{\"EventID\":4625,\"TargetUserName\":\"svc_x\",\"when\":\"2024-05-01T08:04:00Z\"}\n",
    );
    let o = run(&["match", path_str(&rule), path_str(&events), "--timestamp-field", "when", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let matched: Vec<bool> = v["results"].as_array().unwrap().iter().map(|r| r["matched"].as_bool().unwrap()).collect();
    assert_eq!(matched, vec![true, true, false, false]);
    assert_eq!(v["results"][2]["explanation"]["suppressed_by"], "service accounts");
    let hits = v["correlations"][0]["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["events"], serde_json::json!([0, 1]));
    assert_eq!(hits[0]["group"][0]["value"], "a");
    // Text output names the hit; another time field sees no time and says so.
    let o = run(&["match", path_str(&rule), path_str(&events), "--timestamp-field", "nope"]);
    assert!(stdout(&o).contains("correlation: brute force (event_count): 1 hit(s)"), "{}", stdout(&o));
    assert!(stderr(&o).contains("no-timestamps"), "{}", stderr(&o));
}

const PROC_EVENTS: &str = "{\"Image\": \"C:\\\\Windows\\\\System32\\\\cmd.exe\", \"User\": \"a\"}\n{\"Image\": \"C:\\\\x\\\\notepad.exe\", \"User\": \"b\"}\n";

#[test]
fn kql_parity_json_and_text() {
    let d = dir("kql_parity");
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    let events = write(&d, "events.jsonl", PROC_EVENTS.as_bytes());
    for p in ["sentinel_asim", "microsoft_xdr", "azure_monitor", "none"] {
        let o = run(&["kql", path_str(&rule), path_str(&events), "--pipeline", p, "--format", "json"]);
        assert_eq!(code(&o), 0, "{p}: {}{}", stdout(&o), stderr(&o));
        let v = json(&o);
        assert_eq!(v["agree"], true, "{p}: {v}");
        // Flat Sysmon fields are read as Sysmon records: the rows of every source
        // of the table; `none` has no table, so the events are matched as they are.
        assert_eq!(v["schema"], if p == "none" { "sigma" } else { "source" }, "{p}");
        if p != "none" {
            let feeds = v["sources"]["feeds"].as_array().map(Vec::len).unwrap_or(0);
            assert_eq!(feeds, if p == "sentinel_asim" { 5 } else { 1 }, "{p}: {v}");
        }
        let got: Vec<(bool, bool)> = v["results"]
            .as_array()
            .map(|a| a.iter().map(|r| (r["sigma"] == true, r["kql"] == true)).collect())
            .unwrap_or_default();
        assert_eq!(got, vec![(true, true), (false, false)], "{p}");
        assert!(v["query"].as_str().is_some_and(|q| q.contains("cmd.exe")), "{v}");
    }
    let o = run(&["kql", path_str(&rule), path_str(&events), "-p", "sentinel_asim", "--rows"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("events read as: Sysmon (2)"), "{text}");
    assert!(text.contains("Security log via SecurityEvent  2/2 agree"), "{text}");
    assert!(
        text.contains("event 0: sigma match; kql: Sysmon via Event match, Sysmon via WindowsEvent match"),
        "{text}"
    );
    assert!(text.contains("Defender for Endpoint row: {"), "{text}");
    assert!(text.trim_end().ends_with("2 events, 0 disagree (events: as each source gives them)"), "{text}");
    // The rule's own mapping, as asked.
    let o = run(&["kql", path_str(&rule), path_str(&events), "-p", "sentinel_asim", "--schema", "sigma"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("event 0: sigma match, kql match"), "{text}");
    assert!(
        text.trim_end().ends_with("2 events, 0 disagree (events: Sigma fields, mapped by the rule's own mapping)"),
        "{text}"
    );
}

/// The LocaltoNet rule on an outbound Sysmon connection: the source rows
/// of imNetworkSession hold no direction for Sysmon and a bare file name for
/// Defender, and the query still returns both (exit 0); the inbound one not.
#[test]
fn kql_parity_on_source_rows() {
    let d = dir("kql_sources");
    let rule = write(
        &d,
        "rule.yml",
        b"title: LocaltoNet\nlogsource:\n  category: network_connection\n  product: windows\ndetection:\n  selection:\n    DestinationHostname|endswith: '.localto.net'\n    Initiated: 'true'\n  condition: selection\n",
    );
    let events = write(
        &d,
        "ev.jsonl",
        b"{\"EventID\": 3, \"Image\": \"C:\\\\t\\\\lt.exe\", \"Initiated\": \"true\", \"DestinationHostname\": \"k3v9q.localto.net\", \"SourceIp\": \"10.0.0.5\", \"DestinationIp\": \"203.0.113.7\"}\n{\"EventID\": 3, \"Image\": \"C:\\\\t\\\\lt.exe\", \"Initiated\": \"false\", \"SourceHostname\": \"k3v9q.localto.net\", \"SourceIp\": \"203.0.113.7\", \"DestinationIp\": \"10.0.0.5\"}\n",
    );
    for p in ["sentinel_asim", "microsoft_xdr"] {
        let o = run(&["kql", path_str(&rule), path_str(&events), "-p", p, "--format", "json", "--rows"]);
        assert_eq!(code(&o), 0, "{p}: {}{}", stdout(&o), stderr(&o));
        let v = json(&o);
        for f in v["sources"]["feeds"].as_array().into_iter().flatten() {
            let kql: Vec<bool> = f["results"].as_array().into_iter().flatten().map(|r| r["kql"] == true).collect();
            assert_eq!(kql, vec![true, false], "{p} {}", f["label"]);
            assert!(f["rows"][0].is_object(), "{p}: rows with --rows");
        }
    }
    let o = run(&["kql", path_str(&rule), path_str(&events), "-p", "sentinel_asim", "--format", "json", "--rows"]);
    let v = json(&o);
    let defender = &v["sources"]["feeds"][2];
    assert_eq!(defender["label"], "Defender for Endpoint");
    assert_eq!(defender["rows"][0]["SrcProcessName"], "lt.exe");
    let sysmon = &v["sources"]["feeds"][0];
    assert_eq!(sysmon["rows"][0]["DstProcessName"], "C:\\t\\lt.exe");
    assert!(sysmon["rows"][0].get("NetworkDirection").is_none());
}

#[test]
fn kql_parity_target_schema_and_disagreement() {
    let d = dir("kql_target");
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    // An export of imProcessCreate: ASIM column names.
    let events = write(
        &d,
        "asim.jsonl",
        b"{\"TargetProcessName\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"TargetProcessName\": \"C:\\\\a.exe\"}\n",
    );
    let o = run(&["kql", path_str(&rule), path_str(&events), "-p", "sentinel_asim", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["schema"], "target", "{v}");
    assert_eq!(v["agree"], true, "{v}");
    // An edited query that no longer matches: exit 3, with a cause.
    let q = write(&d, "q.kql", b"imProcessCreate | where TargetProcessName endswith \"notepad.exe\"");
    let o = run(&[
        "kql",
        path_str(&rule),
        path_str(&events),
        "-p",
        "sentinel_asim",
        "--query",
        path_str(&q),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["edited"], true);
    assert_eq!(v["agree"], false);
    assert!(v["results"][0]["cause"].as_str().is_some_and(|c| c.starts_with("Sigma matches, KQL does not")), "{v}");
}

#[test]
fn kql_query_mode_and_errors() {
    let d = dir("kql_query");
    let events = write(&d, "events.jsonl", PROC_EVENTS.as_bytes());
    let q = write(&d, "q.kql", b"T\n| where Image endswith @\"\\cmd.exe\"\n| project Image, User");
    let o = run(&["kql", "--query", path_str(&q), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["results"][0]["matched"], true);
    assert_eq!(v["results"][1]["matched"], false);
    assert_eq!(v["rows"]["columns"], serde_json::json!(["Image", "User"]));
    assert_eq!(v["rows"]["values"][0][1], "a");
    let o = run(&["kql", "--query", path_str(&q), path_str(&events)]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("1 row; 1 of 2 events returned"), "{}", stdout(&o));
    // A syntax error: exit 1, positioned, source kql.
    let bad = write(&d, "bad.kql", b"T\n| where Image endswith");
    let o = run(&["kql", "--query", path_str(&bad), path_str(&events), "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["diagnostics"][0]["source"], "kql");
    assert_eq!((v["diagnostics"][0]["line"].as_u64(), v["diagnostics"][0]["col"].as_u64()), (Some(2), Some(23)));
    let o = run(&["kql", "--query", path_str(&bad), path_str(&events)]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(":2:23"), "{}", stderr(&o));
    // Usage: a rule without --pipeline, an unknown pipeline.
    let rule = write(&d, "rule.yml", GOOD.as_bytes());
    assert_eq!(code(&run(&["kql", path_str(&rule), path_str(&events)])), 2);
    assert_eq!(code(&run(&["kql", path_str(&rule), path_str(&events), "-p", "nope"])), 2);
    // A broken rule: exit 1.
    let bad_rule = write(&d, "bad.yml", BAD.as_bytes());
    assert_eq!(code(&run(&["kql", path_str(&bad_rule), path_str(&events), "-p", "none"])), 1);
}

#[test]
fn match_scans_a_folder_of_rules() {
    let d = dir("scan");
    write(&d, "rules/cmd.yml", GOOD.as_bytes());
    write(
        &d,
        "rules/sub/ps.yml",
        GOOD.replace("cmd.exe", "powershell.exe").replace("Cmd started", "PS started").as_bytes(),
    );
    write(&d, "rules/sub/broken.yml", BAD.as_bytes());
    let events = write(&d, "events.json", b"{\"Image\": \"C:\\\\cmd.exe\"}\n{\"Image\": \"C:\\\\x.exe\"}\n");
    let rules = d.join("rules");
    let o = run(&["match", path_str(&rules), path_str(&events)]);
    let out = stdout(&o);
    assert!(out.contains("cmd.yml: Cmd started [low]: 1 event(s) #0"), "{out}");
    assert!(!out.contains("PS started"), "{out}");
    assert!(out.ends_with("1 of 3 rules fired on 2 events (3 files)\n"), "{out}");
    // The broken rule is named with its position, and makes the exit status 1.
    assert!(stderr(&o).contains("broken.yml:7:15: error"), "{}", stderr(&o));
    assert_eq!(code(&o), 1);
    let o = run(&["match", path_str(&rules), path_str(&events), "--format", "json"]);
    let j = json(&o);
    assert_eq!(j["report"]["events"], 2);
    assert_eq!(j["report"]["rules"].as_array().map(Vec::len), Some(3));
    assert_eq!(j["files"].as_array().map(Vec::len), Some(3));
}

#[test]
fn export_writes_the_document_to_stdout_and_notes_to_stderr() {
    let Some(rule) = localtonet() else { return };
    let o = run(&["export", rule, "--pipeline", "microsoft_xdr", "--format", "sentinel-yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let yaml = stdout(&o);
    assert!(yaml.starts_with("id: "), "{yaml}");
    assert!(yaml.contains("kind: Scheduled"));
    assert!(yaml.contains("  - \"CommandAndControl\""));
    let o = run(&["export", rule, "-p", "microsoft_xdr", "--format", "defender-json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["schedule"]["period"], "1H");
    let o = run(&[
        "export",
        rule,
        "-p",
        "microsoft_xdr",
        "--format",
        "sentinel-arm",
        "--frequency",
        "3h",
        "--period",
        "6h",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["resources"][0]["properties"]["queryPeriod"], "PT6H");
}

#[test]
fn export_fails_a_pre_flight_check_with_status_1() {
    let Some(rule) = localtonet() else { return };
    // Sentinel's ASIM tables are not Defender advanced hunting tables.
    let o = run(&["export", rule, "-p", "sentinel_asim", "--format", "defender-json"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[defender-required-column]"), "{}", stderr(&o));
    assert!(!stdout(&o).is_empty(), "the document is still shown");
    let o =
        run(&["export", rule, "-p", "microsoft_xdr", "--format", "sentinel-yaml", "--threshold", "20000", "--json"]);
    assert_eq!(code(&o), 1);
    let report = json(&o);
    assert_eq!(report["ok"], false);
    assert_eq!(report["format"], "sentinel-yaml");
    assert!(report["document"].as_str().is_some_and(|d| d.contains("triggerThreshold: 20000")));
    let diags = report["diagnostics"].as_array().expect("diagnostics");
    for d in diags {
        assert_diag_shape(d, true);
    }
    assert!(diags.iter().any(|d| d["code"] == "sentinel-threshold"));
    // Usage errors: an unknown format, a bad duration.
    assert_eq!(code(&run(&["export", rule, "-p", "microsoft_xdr", "--format", "splunk"])), 2);
    assert_eq!(
        code(&run(&["export", rule, "-p", "microsoft_xdr", "--format", "sentinel-yaml", "--frequency", "soon"])),
        2
    );
}
