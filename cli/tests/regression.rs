//! `sigmaplay test`: SigmaHQ's regression tests, held against the shared
//! corpus's independent index of them (`regression-cases.jsonl`, built from
//! the `info.yml` files by a script we did not write) and against small
//! repositories made up here for the failures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sigmaplay");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap_or_else(|e| panic!("run sigmaplay: {e}"))
}

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("regression-tests").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("create {}: {e}", d.display()));
    d
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

#[test]
fn reproduces_every_corpus_case() {
    let corpus = Path::new(CORPUS);
    let Ok(index) = std::fs::read_to_string(corpus.join("regression-cases.jsonl")) else {
        eprintln!("SKIPPED: no corpus at {CORPUS}");
        return;
    };
    let expected: Vec<Value> = index.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(expected.len(), 202);
    let root = corpus.join("sigmahq");
    let started = Instant::now();
    let out = run(&["test", root.to_str().unwrap(), "--json"]);
    let elapsed = started.elapsed();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let cases = report["cases"].as_array().unwrap();
    let prefix = format!("{}/", root.to_str().unwrap());
    let mut differences = Vec::new();
    for want in &expected {
        let rule_path = want["rule_path"].as_str().unwrap();
        let found: Vec<&Value> = cases
            .iter()
            .filter(|c| c["rule_path"].as_str().unwrap().strip_prefix(&prefix) == Some(rule_path))
            .collect();
        let [got] = found.as_slice() else {
            differences.push(format!("{rule_path}: {} cases reported", found.len()));
            continue;
        };
        let matched = got["matched"].as_u64().unwrap();
        let fields = [
            ("events_file", &want["event_file"], &got["events_file"]),
            ("match_count", &want["match_count"], &got["match_count"]),
            ("event_count", &want["event_count"], &got["events"]),
            ("name", &want["test_name"], &got["name"]),
            ("type", &want["test_type"], &got["type"]),
            ("provider", &want["provider"], &got["provider"]),
            ("rule_id", &want["rule_id"], &got["rule_id"]),
            ("passed", &Value::Bool(want["expected_match"].as_bool().unwrap()), &got["passed"]),
        ];
        for (name, w, g) in fields {
            if w != g {
                differences.push(format!("{rule_path}: {name} {w} expected, {g} reported"));
            }
        }
        if matched < want["match_count"].as_u64().unwrap_or(1) {
            differences.push(format!("{rule_path}: {matched} matches"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(202), Some(0)));
    assert_eq!(cases.len(), 202, "no case beyond the index");
    assert_eq!(out.status.code(), Some(0));
    println!("202 corpus cases reproduced in {elapsed:?}");

    let text = run(&["test", root.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert_eq!(stdout.lines().last(), Some("202 passed, 0 failed"));
    assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS ") || l.starts_with("WARN ")).count(), 202);
}

const RULE: &str = "title: Whoami
id: 11111111-2222-4333-8444-555555555555
status: test
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
regression_tests_path: regression_data/rules/windows/whoami/info.yml
";

const EVENTS: &str = r##"{"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"}, "EventData": {"Image": "C:\\Windows\\System32\\whoami.exe"}}}
{"Event": {"System": {"EventID": 1}, "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe"}}}
"##;

fn info(rule_id: &str, match_count: &str, file: &str) -> String {
    format!(
        "id: 0\ndescription: N/A\ndate: 2026-01-01\nauthor: me\nrule_metadata:\n    - id: {rule_id}\n      title: Whoami\nregression_tests_info:\n    - name: Positive Detection Test\n      type: evtx\n      provider: Microsoft-Windows-Sysmon\n{match_count}      path: regression_data/rules/windows/whoami/{file}.evtx\n"
    )
}

const ID: &str = "11111111-2222-4333-8444-555555555555";

/// A repository with the rule deep below the root, so that paths resolve only
/// by walking up as SigmaHQ's runner does.
fn repository(name: &str, info_text: &str) -> PathBuf {
    let root = dir(name);
    write(&root, "rules/windows/whoami.yml", RULE);
    write(&root, "regression_data/rules/windows/whoami/info.yml", info_text);
    write(&root, &format!("regression_data/rules/windows/whoami/{ID}.json"), EVENTS);
    root
}

fn test_output(root: &Path) -> (Option<i32>, String) {
    let out = run(&["test", root.join("rules").to_str().unwrap()]);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn passes_and_fails_as_sigmahq_ci() {
    let ok = repository("ok", &info(ID, "      match_count: 1\n", ID));
    let (code, out) = test_output(&ok);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("PASS ") && out.contains("1 of 2 events match; match_count is 1"), "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");

    let no_count = repository("no-count", &info(ID, "", ID));
    assert_eq!(test_output(&no_count).0, Some(0));

    let too_many = repository("too-many", &info(ID, "      match_count: 2\n", ID));
    let (code, out) = test_output(&too_many);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL ") && out.contains("too few") && out.ends_with("0 passed, 1 failed\n"), "{out}");

    let fewer = repository("fewer", &info(ID, "      match_count: 0\n", ID));
    let (code, out) = test_output(&fewer);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("WARN "), "{out}");

    let other_rule = repository("other-rule", &info("99999999-2222-4333-8444-555555555555", "", ID));
    let (code, out) = test_output(&other_rule);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("regression-rule-id"), "{out}");

    let misnamed = repository("misnamed", &info(ID, "", "events"));
    let (code, out) = test_output(&misnamed);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("regression-file-name") && out.contains("cannot read"), "{out}");

    let missing = dir("missing-info");
    write(&missing, "rules/windows/whoami.yml", RULE);
    let (code, out) = test_output(&missing);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL ") && out.contains("info.yml") && out.contains("not found"), "{out}");

    let nothing = dir("nothing");
    write(&nothing, "rules/a.yml", "title: x\nlogsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\n");
    let out = run(&["test", nothing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("0 passed, 0 failed\n"));
}

#[test]
fn json_output_has_every_case() {
    let root = repository("json", &info(ID, "      match_count: 1\n", ID));
    let out = run(&["test", root.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64(), v["rules"].as_u64()), (Some(1), Some(0), Some(1)));
    let case = &v["cases"][0];
    assert_eq!(case["rule_id"], ID);
    assert_eq!(
        (case["matched"].as_u64(), case["events"].as_u64(), case["match_count"].as_u64()),
        (Some(1), Some(2), Some(1))
    );
    assert!(case["events_file"].as_str().unwrap().ends_with(&format!("{ID}.json")));
}
