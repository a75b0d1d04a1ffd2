//! Many rule files over many events at once: a rule repository over a log
//! export, for CI and triage ("which of our 3,000 rules fire on this day of
//! logs?").
//!
//! Every detection rule is compiled once and indexed in a [`RuleSet`], whose
//! prefilter evaluates only the rules an event can match. The verdicts are
//! those of matching rule by rule: the filters of the whole repository apply
//! to the rules they name, and correlation rules see the matches of every
//! file, as a SIEM loaded with the repository would.

use serde::Serialize;

use super::{DiagnosticView, Source};
use crate::base::diag::Severity;
use crate::base::text::decode_utf8;
use crate::engine::correlation::{self, CorrelationInput, CorrelationOutcome};
use crate::engine::matcher::{MatchOptions, PreparedEvent};
use crate::engine::ruleset::RuleSet;
use crate::event::{parse_events, Event};
use crate::sigma::rule::{filters_for, parse_rules, Rule, RuleKind};

/// One rule file to scan: a name for messages, and its bytes.
pub struct ScanFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// A detection rule and the events it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScannedRule {
    /// Index of its file in the input.
    pub file: usize,
    pub title: String,
    pub id: String,
    pub level: Option<String>,
    /// Events (0-based) that matched, after filters.
    pub matched: Vec<usize>,
    /// Matches taken back by a filter rule.
    pub suppressed: usize,
}

/// An error of one rule file (or of the events, with `file` `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanDiagnostic {
    pub file: Option<usize>,
    pub diagnostic: DiagnosticView,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    pub events: usize,
    pub files: usize,
    /// Every detection rule that compiled, matched or not, in file order.
    pub rules: Vec<ScannedRule>,
    pub correlations: Vec<CorrelationOutcome>,
    /// Errors only: the warnings and lint of a file are `check`'s job.
    pub errors: Vec<ScanDiagnostic>,
}

impl ScanReport {
    /// Rules with at least one match.
    pub fn firing(&self) -> impl Iterator<Item = &ScannedRule> {
        self.rules.iter().filter(|r| !r.matched.is_empty())
    }
}

pub fn scan(files: &[ScanFile<'_>], events: &[u8], options: &MatchOptions) -> ScanReport {
    let mut errors = Vec::new();
    let events_text = match decode_utf8(events) {
        Ok(t) => t,
        Err(d) => {
            errors.push(ScanDiagnostic { file: None, diagnostic: DiagnosticView::new(&d, Some(Source::Events)) });
            ""
        }
    };
    let batch = parse_events(events_text);
    for d in batch.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        errors.push(ScanDiagnostic { file: None, diagnostic: DiagnosticView::new(d, Some(Source::Events)) });
    }

    let mut rules: Vec<Rule> = Vec::new();
    let mut file_of: Vec<usize> = Vec::new();
    for (fi, file) in files.iter().enumerate() {
        let parsed = match decode_utf8(file.bytes) {
            Ok(text) => parse_rules(text),
            Err(d) => {
                errors.push(ScanDiagnostic { file: Some(fi), diagnostic: DiagnosticView::new(&d, Some(Source::Rule)) });
                continue;
            }
        };
        for d in parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            errors.push(ScanDiagnostic { file: Some(fi), diagnostic: DiagnosticView::new(d, Some(Source::Rule)) });
        }
        file_of.extend(std::iter::repeat_n(fi, parsed.rules.len()));
        rules.extend(parsed.rules);
    }

    let set = RuleSet::from_rules(&rules, options);
    for (ri, m) in set.matchers().iter().enumerate() {
        for d in m.diagnostics().iter().filter(|d| d.severity == Severity::Error) {
            let file = file_of.get(ri).copied();
            errors.push(ScanDiagnostic { file, diagnostic: DiagnosticView::new(d, Some(Source::Rule)) });
        }
    }
    let filters: Vec<Vec<usize>> =
        rules.iter().map(|r| if r.kind == RuleKind::Detection { filters_for(&rules, r) } else { Vec::new() }).collect();

    let mut matched: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
    let mut suppressed = vec![0usize; rules.len()];
    for (index, event) in batch.events.iter().enumerate() {
        let prepared = PreparedEvent::new(event);
        for ri in set.matching_prepared(&prepared) {
            if rules.get(ri).is_none_or(|r| r.kind != RuleKind::Detection) {
                continue;
            }
            let by_filter = filters
                .get(ri)
                .is_some_and(|fs| fs.iter().any(|&f| set.matchers().get(f).is_some_and(|m| m.is_match(&prepared))));
            match (by_filter, matched.get_mut(ri), suppressed.get_mut(ri)) {
                (false, Some(list), _) => list.push(index),
                (true, _, Some(n)) => *n += 1,
                _ => {}
            }
        }
    }

    let event_refs: Vec<&Event> = batch.events.iter().collect();
    let input = CorrelationInput {
        rules: &rules,
        matched: &matched,
        events: &event_refs,
        timestamp_field: options.timestamp_field.as_deref(),
    };
    let (correlations, correlation_diags) = correlation::evaluate(&input);
    for d in correlation_diags.iter().filter(|d| d.severity == Severity::Error) {
        errors.push(ScanDiagnostic { file: None, diagnostic: DiagnosticView::new(d, Some(Source::Rule)) });
    }

    let scanned = rules
        .iter()
        .zip(matched)
        .zip(suppressed)
        .zip(&file_of)
        .filter(|(((r, _), _), _)| r.kind == RuleKind::Detection)
        .map(|(((r, matched), suppressed), &file)| ScannedRule {
            file,
            title: r.title_text().to_string(),
            id: r.id_text().to_string(),
            level: r.level.as_ref().map(|l| l.value.clone()),
            matched,
            suppressed,
        })
        .collect();
    ScanReport { events: batch.events.len(), files: files.len(), rules: scanned, correlations, errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::match_events;

    const CMD: &str = "title: cmd\nid: 0b8c4e4e-6b8a-4b8e-9a55-111111111111\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\nlevel: high\n";
    const PS: &str = "title: ps\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    CommandLine|contains: 'powershell'\n  condition: sel\n";
    const FILTER: &str = "title: not admin\nfilter:\n  rules: [0b8c4e4e-6b8a-4b8e-9a55-111111111111]\n  selection:\n    User: admin\n  condition: selection\nlogsource: {category: process_creation, product: windows}\n";
    const EVENTS: &str = r#"{"Image": "C:\\cmd.exe", "User": "bob"}
{"Image": "C:\\cmd.exe", "User": "admin", "CommandLine": "cmd /c powershell"}
{"Image": "C:\\x.exe", "CommandLine": "POWERSHELL -nop"}
"#;

    fn file<'a>(name: &'a str, text: &'a str) -> ScanFile<'a> {
        ScanFile { name, bytes: text.as_bytes() }
    }

    #[test]
    fn filters_of_another_file_apply_and_verdicts_equal_rule_by_rule() {
        let files = [file("cmd.yml", CMD), file("ps.yml", PS), file("filter.yml", FILTER)];
        let report = scan(&files, EVENTS.as_bytes(), &MatchOptions::default());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.events, 3);
        let by_title = |t: &str| report.rules.iter().find(|r| r.title == t).map(|r| (r.matched.clone(), r.suppressed));
        assert_eq!(by_title("cmd"), Some((vec![0], 1)));
        assert_eq!(by_title("ps"), Some((vec![1, 2], 0)));
        // The same verdicts as matching the rule file by file, filter beside its rule.
        let one = match_events(&format!("{CMD}---\n{FILTER}"), EVENTS, &MatchOptions::default());
        let hits: Vec<usize> = one.results.iter().filter(|r| r.matched).map(|r| r.index).collect();
        assert_eq!(hits, vec![0]);
    }

    #[test]
    fn broken_files_are_reported_and_the_rest_still_scanned() {
        let files = [ScanFile { name: "bad.yml", bytes: b"title: [\n\xff" }, file("ps.yml", PS)];
        let report = scan(&files, EVENTS.as_bytes(), &MatchOptions::default());
        assert!(report.errors.iter().any(|e| e.file == Some(0)));
        assert_eq!(report.firing().count(), 1);
        let report = scan(&files, b"{not json", &MatchOptions::default());
        assert!(report.errors.iter().any(|e| e.file.is_none()));
    }
}
