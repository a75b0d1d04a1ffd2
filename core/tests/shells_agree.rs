//! `sigmaplay check` and the web app report the same diagnostics for the
//! same rule: both come from `core::api` (`check_rule_text` and
//! `analyse_rules`). Over every SigmaHQ rule file they must agree, but for
//! the two documented differences: a missing placeholder value is an error
//! for matching and a warning for checking, and only matching notes the
//! rules that match no single event. Without `shared/` the test says so and passes.

mod common;

use common::{shared, yaml_files_under};
use sigmaplay_core::api::{analyse_rules, check_rule_text};
use sigmaplay_core::MatchOptions;

#[test]
fn check_and_web_give_the_same_diagnostics() {
    let root = shared().join("corpus/sigmahq");
    let mut files = Vec::new();
    for dir in [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-placeholder",
        "rules-compliance",
        "deprecated",
    ] {
        files.extend(yaml_files_under(&root.join(dir)));
    }
    if files.is_empty() {
        eprintln!("shells_agree: no corpus, skipped");
        return;
    }
    let opts = MatchOptions::default();
    let (mut same, mut lint_findings) = (0usize, 0usize);
    let mut differ = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let key = |code: &str, line: u32, col: u32, msg: &str| format!("{line}:{col} {code} {msg}");
        let check: Vec<String> =
            check_rule_text(&text, &opts).diagnostics.iter().map(|d| key(&d.code, d.line, d.col, &d.message)).collect();
        let web: Vec<String> = analyse_rules(&text, &opts)
            .diagnostics
            .iter()
            .filter(|d| d.code != "not-a-detection")
            .map(|d| key(&d.code, d.line(), d.col(), &d.message))
            .collect();
        lint_findings +=
            check.iter().filter(|k| sigmaplay_core::lint::CODES.iter().any(|c| k.contains(&format!(" {c} ")))).count();
        if check == web {
            same += 1;
        } else {
            differ.push(format!("{}:\n  check: {check:?}\n  web:   {web:?}", f.display()));
        }
    }
    eprintln!(
        "shells_agree: {} rule files, {same} with the same diagnostics, {lint_findings} lint findings",
        files.len()
    );
    for d in differ.iter().take(10) {
        eprintln!("{d}");
    }
    assert!(differ.is_empty(), "{} files differ", differ.len());
    assert!(lint_findings > 0, "check reports no lint finding over the corpus");
}
