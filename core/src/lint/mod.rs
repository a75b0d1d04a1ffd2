//! The linter: what is doubtful in a rule that parses.
//!
//! The parser ([`crate::sigma::rule`]) already reports structural problems (missing
//! parts, bad types, unknown or badly chained modifiers, unused search
//! identifiers, `all` on one value) and [`crate::sigma::compiled`] bad values (regex,
//! CIDR, numbers, `null` in a list); this module does not repeat them. It
//! checks the rule against the specification (sigma-rules-specification.md,
//! the tags appendix, the taxonomy appendix, the JSON schema) and SigmaHQ's
//! conventions (sigmahq-rule-convention.md, tests/logsource.json).
//!
//! Every diagnostic has a stable code, a severity (warning: likely a mistake;
//! info: style or convention) and the span of the offending node. With the
//! rule's text ([`lint_with_fixes`]) a finding may carry a fix: text edits
//! computed from the spans (`fix.rs`), marked safe when the fixed rule matches
//! exactly what the rule matched. Fixes exist for `invalid-date`,
//! `invalid-status`, `invalid-level`, `missing-id` (a name-based UUID of the
//! rule text, see `metadata.rs`), `tag-format`, `duplicate-tag`,
//! `duplicate-reference`, `duplicate-entry`, `logsource-format`,
//! `duplicate-value`, `redundant-wildcard`, `wildcard-instead-of-modifier` and
//! those marked (fix) below; `field-name-space` and `all-exact-values` have
//! unsafe ones (they change which events match, and say so).
//!
//! | code | severity | what |
//! | --- | --- | --- |
//! | `id-not-uuid` | warning | `id` is not a UUID |
//! | `invalid-status` | warning | `status` is not stable, test, experimental, deprecated or unsupported |
//! | `invalid-level` | warning | `level` is not informational, low, medium, high or critical |
//! | `invalid-date` | warning | `date`/`modified` is not a real YYYY-MM-DD date |
//! | `modified-before-date` | warning | `modified` is earlier than `date` |
//! | `title-too-long` | warning > 256 chars (schema), info > 110 (SigmaHQ) | |
//! | `missing-id`, `missing-description`, `missing-author`, `missing-date`, `missing-level` | info | SigmaHQ requires them |
//! | `tag-format` | warning | a tag is not `namespace.value` in lower case |
//! | `unknown-tag-namespace` | warning when close to a known one, else info | |
//! | `unknown-tag` | warning; info for unknown group/software/mitigation/data source ids (older data) | malformed or unknown value in a known namespace |
//! | `outdated-tag` | warning (revoked), info (deprecated) | revoked/deprecated ATT&CK object, `defense-evasion`, `tlp.white` |
//! | `duplicate-tag`, `duplicate-reference`, `duplicate-entry` | warning | repeated list items |
//! | `attack-reference` | info | a reference to attack.mitre.org instead of a tag |
//! | `reference-not-permalink` | info | a GitHub/GitLab reference to a branch instead of a commit |
//! | `falsepositive-wording` | info | `None`, `Pentest`... instead of `Unknown`/`Unlikely` |
//! | `unknown-logsource-category` | warning when close to a known one, else info | |
//! | `logsource-format` | warning | a logsource value with upper case or spaces |
//! | `unknown-field` | warning when close to a known field, else info | not in SigmaHQ's field list for the log source |
//! | `field-name-space` | warning | a field name with white space |
//! | `duplicate-value` | warning | the same value twice in one value list |
//! | `value-whitespace` | warning | leading/trailing white space where the match is anchored |
//! | `redundant-wildcard` | info | `*` that the modifier already implies, or `**` |
//! | `wildcard-instead-of-modifier` | info | `*x*`, `*x`, `x*` instead of contains/endswith/startswith |
//! | `regex-literal` | info | an `re` value that is a plain string |
//! | `windows-path-slash` | info | a Windows path field value with `/` and no `\` |
//! | `modified-without-date` | info | `modified` without `date` |
//! | `redundant-modified` | info (fix) | `modified` equal to `date` |
//! | `missing-status` | info | no `status` (SigmaHQ requires it) |
//! | `missing-references` | info | a high or critical rule without `references` |
//! | `title-period` | info (fix) | the title ends with `.` |
//! | `title-starts-detects` | info | the title starts with "Detects" (the description's opening) |
//! | `description-too-short` | info | a description under 16 characters |
//! | `link-in-description` | info | a URL in the description instead of `references` |
//! | `falsepositive-case` | info (fix) | a false positive entry starting in lower case |
//! | `falsepositive-typo` | info (fix) | a common misspelling (`Unkown`, `ligitimate`) in a false positive entry |
//! | `technique-without-tactic` | info | an ATT&CK technique tag without any tactic tag |
//! | `hunting-level` | info | a `detection.threat-hunting` rule at level high or critical |
//! | `all-of-them` | info | `all of them` (ANDs every search, including later ones) |
//! | `them-single-search` | info (fix) | `1 of them` / `all of them` with a single search |
//! | `of-without-wildcard` | info (fix) | `1 of x` / `all of x` with no `*` in `x` (it is just `x`) |
//! | `filter-not-negated` | info | a search named `filter...` used without `not` |
//! | `control-character` | warning | a value with a control character (`\t` in double quotes) |
//! | `escaped-wildcard` | info | a value with `\*` or `\?` (a literal star or question mark) |
//! | `number-as-string` | info | a quoted number as a plain field value |
//! | `invalid-hash-value` | warning | a `Hashes`, `md5`, `sha1`, `sha256`, `Imphash` value that is not such a hash |
//! | `windash-without-dash` | info | `windash` on a value without `-` or `/` |
//! | `all-exact-values` | warning (unsafe fix) | `Field|all` over several exact values (matches only list fields) |
//! | `category-event-id` | info | `EventID` in a Windows rule with a `category` |
//! | `generic-logsource` | info | a Sysmon/Security event id that has a generic category |
//! | `regex-redundant-dotstar` | info (fix) | a leading or trailing `.*` in an unanchored `re` value |
//!
//! One file per group of checks, each adding methods to `Linter`:
//! `metadata.rs` (id, status, level, dates, title, required attributes),
//! `tags.rs`, `references.rs`, `lists.rs` (falsepositives and fields),
//! `logsource.rs` (the log source, the fields it is known to have, event ids),
//! `detection.rs` (field names and values), `condition.rs` and
//! `regex_literal.rs` (`re` values); `fix.rs` turns fixes into text edits.

use crate::base::diag::{Diagnostic, Fix, Severity, Span};
use crate::sigma::rule::{Rule, RuleKind};

mod condition;
mod detection;
mod fix;
mod lists;
mod logsource;
mod metadata;
mod references;
mod regex_literal;
mod tags;

pub use fix::apply_edits;
pub use metadata::{LEVELS, STATUSES, TITLE_MAX, TITLE_SIGMAHQ_MAX};

/// Every code this module emits.
pub const CODES: &[&str] = &[
    "id-not-uuid",
    "invalid-status",
    "invalid-level",
    "invalid-date",
    "modified-before-date",
    "title-too-long",
    "missing-id",
    "missing-description",
    "missing-author",
    "missing-date",
    "missing-level",
    "tag-format",
    "unknown-tag-namespace",
    "unknown-tag",
    "outdated-tag",
    "duplicate-tag",
    "duplicate-reference",
    "duplicate-entry",
    "attack-reference",
    "reference-not-permalink",
    "falsepositive-wording",
    "unknown-logsource-category",
    "logsource-format",
    "unknown-field",
    "field-name-space",
    "duplicate-value",
    "value-whitespace",
    "redundant-wildcard",
    "wildcard-instead-of-modifier",
    "regex-literal",
    "windows-path-slash",
    "modified-without-date",
    "redundant-modified",
    "missing-status",
    "missing-references",
    "title-period",
    "title-starts-detects",
    "description-too-short",
    "link-in-description",
    "falsepositive-case",
    "falsepositive-typo",
    "technique-without-tactic",
    "hunting-level",
    "all-of-them",
    "them-single-search",
    "of-without-wildcard",
    "filter-not-negated",
    "control-character",
    "escaped-wildcard",
    "number-as-string",
    "invalid-hash-value",
    "windash-without-dash",
    "all-exact-values",
    "category-event-id",
    "generic-logsource",
    "regex-redundant-dotstar",
];

/// Lint a parsed rule. Never panics; the result is sorted by position.
pub fn lint(rule: &Rule) -> Vec<Diagnostic> {
    run(rule, None)
}

/// As [`lint`], with fixes: `text` is the text `rule` was parsed from, which
/// the fixes' edits apply to.
pub fn lint_with_fixes(rule: &Rule, text: &str) -> Vec<Diagnostic> {
    run(rule, Some(fix::SourceText::new(text)))
}

fn run(rule: &Rule, source: Option<fix::SourceText<'_>>) -> Vec<Diagnostic> {
    let mut linter = Linter { diagnostics: Vec::new(), source };
    linter.metadata(rule);
    linter.tags(rule);
    linter.references(rule);
    linter.falsepositives_and_fields(rule);
    match rule.kind {
        RuleKind::Detection => {
            linter.logsource(rule);
            linter.detection(&rule.detection, rule);
        }
        RuleKind::Filter => {
            linter.logsource(rule);
            if let Some(f) = &rule.filter {
                linter.detection(&f.detection, rule);
            }
        }
        RuleKind::Correlation => {}
    }
    crate::base::sort::sort_by_key(&mut linter.diagnostics, |d| (d.span.map_or(0, |s| s.start), d.severity));
    linter.diagnostics
}

/// The diagnostics of one rule, as the checks find them.
struct Linter<'a> {
    diagnostics: Vec<Diagnostic>,
    /// The rule's text, when fixes are wanted.
    source: Option<fix::SourceText<'a>>,
}

impl Linter<'_> {
    fn push(&mut self, severity: Severity, code: &str, message: String, span: Span, fix: Option<Fix>) {
        let fix = fix.map(Box::new);
        self.diagnostics.push(Diagnostic { severity, code: code.to_string(), message, span: Some(span), fix });
    }
    fn warn(&mut self, code: &str, message: String, span: Span) {
        self.push(Severity::Warning, code, message, span, None);
    }
    fn info(&mut self, code: &str, message: String, span: Span) {
        self.push(Severity::Info, code, message, span, None);
    }
    /// A finding with the fix `make` builds from the text (when there is text and it can).
    fn fixable(
        &mut self,
        severity: Severity,
        code: &str,
        message: String,
        span: Span,
        make: impl FnOnce(&fix::SourceText<'_>) -> Option<Fix>,
    ) {
        let fix = self.source.as_ref().and_then(make);
        self.push(severity, code, message, span, fix);
    }
}

/// At most 80 chars of user text for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    out.replace('\n', "\\n").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigma::tags;

    pub(super) const BASE: &str = "title: Whoami Execution
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
status: test
description: Detects whoami.exe
references:
    - https://example.org/whoami
author: Someone
date: 2019-10-23
modified: 2020-01-02
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\\\whoami.exe'
        CommandLine|contains:
            - ' /all'
            - ' /priv'
    condition: selection
falsepositives:
    - Unknown
level: high
";

    pub(super) fn lint_text(text: &str) -> Vec<Diagnostic> {
        let parsed = crate::sigma::rule::parse_rules(text);
        assert!(!crate::base::diag::has_errors(&parsed.diagnostics), "{:?}", parsed.diagnostics);
        let out: Vec<Diagnostic> = parsed.rules.iter().flat_map(lint).collect();
        for d in &out {
            assert!(CODES.contains(&d.code.as_str()), "{} is not in CODES", d.code);
        }
        out
    }

    #[test]
    fn codes_are_documented() {
        let table: String = include_str!("mod.rs").lines().filter(|l| l.starts_with("//! | `")).collect();
        for c in CODES {
            assert!(table.contains(&format!("`{c}`")), "{c} is not in the table of the module doc");
        }
    }

    pub(super) fn codes(text: &str) -> Vec<String> {
        lint_text(text).into_iter().map(|d| d.code).collect()
    }

    /// Lint `BASE` with `from` replaced by `to`; returns the diagnostics with `code`.
    pub(super) fn with(from: &str, to: &str, code: &str) -> Vec<Diagnostic> {
        assert!(BASE.contains(from), "{from}");
        lint_text(&BASE.replacen(from, to, 1)).into_iter().filter(|d| d.code == code).collect()
    }

    pub(super) fn one(from: &str, to: &str, code: &str) -> Diagnostic {
        let d = with(from, to, code);
        assert_eq!(d.len(), 1, "{code} for {to:?}: {d:?}");
        d.into_iter().next().unwrap_or_else(|| panic!())
    }

    #[test]
    fn clean_rule_is_clean() {
        assert_eq!(lint_text(BASE), vec![]);
    }

    #[test]
    fn correlation_and_filter_rules() {
        let corr = "title: Many\nid: 929a690e-bef0-4204-a928-ef5e620d6fcd\nstatus: test\nauthor: x\ndescription: Detects many failed logons\nreferences:\n  - https://example.org/\ndate: 2024-01-01\nlevel: high\ntags:\n  - attack.credential-access\n  - attack.t1110\ncorrelation:\n  type: event_count\n  rules:\n    - r1\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 10\n";
        assert_eq!(codes(corr), Vec::<String>::new());
        let filter = "title: F\nid: 929a690e-bef0-4204-a928-ef5e620d6fce\nauthor: x\ndescription: Excludes a known tool\ndate: 2024-01-01\nlogsource:\n  category: process_creation\n  product: windows\nfilter:\n  rules:\n    - 929a690e-bef0-4204-a928-ef5e620d6fcc\n  selection:\n    Imagee: 'C:\\x.exe'\n  condition: not selection\n";
        assert_eq!(codes(filter), vec!["unknown-field".to_string()]);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let texts = [
            "title: x\nlogsource:\n  category: '\u{1F600}'\ndetection:\n  s:\n    '\u{e9}\u{e9}|re': ['(?', '(?i', '\\\\', '^', '$', '(?x)a', '\u{1F600}\\\u{1F600}']\n  condition: s\ndate: '\u{e9}\u{e9}\u{e9}\u{e9}-\u{e9}\u{e9}-\u{e9}\u{e9}'\ntags: ['\u{e9}.\u{e9}', '.', 'a.', 'attack.t\u{e9}', 'attack.\u{1F600}']\nreferences: ['https://attack.mitre.org/tactics/', 'https://attack.mitre.org/techniques/\u{1F600}/']\n",
            "title: x\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  s:\n    Image: ['*', '**', '', ' ', '\\\\*', '*\\\\', null, null, 1, 1, 1.5, true]\n    CommandLine|contains: ['*', '**', '']\n    ' '|endswith: '*'\n  condition: s\n",
        ];
        for t in texts {
            for r in crate::sigma::rule::parse_rules(t).rules {
                let _ = lint(&r);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any text in any attribute, value, field name or tag: no panic.
        #[test]
        fn arbitrary_text_does_not_panic(s in "\\PC{0,40}", t in "[a-zA-Z0-9._*?\\\\ |^$()-]{0,30}") {
            let q = |x: &str| serde_json::to_string(x).unwrap_or_default();
            let text = format!(
                "title: {}\nid: {}\nstatus: {}\ndate: {}\nmodified: {}\ntags: [{}, {}, {}]\nreferences: [{}, {}]\nfalsepositives: [{}, {}]\nlogsource:\n  category: {}\n  product: windows\ndetection:\n  sel:\n    {}: [{}, {}]\n    CommandLine|re: [{}, {}]\n    Image|contains: {}\n    Image|endswith: {}\n    Image: [{}, {}]\n  condition: sel\n",
                q(&s), q(&s), q(&s), q(&t), q(&s), q(&s), q(&format!("attack.{t}")), q(&format!("attack.{s}")), q(&s), q(&format!("https://attack.mitre.org/{t}")),
                q(&s), q(&t), q(&s), q(&format!("{t}|contains")), q(&s), q(&t), q(&s), q(&t), q(&t), q(&s), q(&t), q(&s),
            );
            for r in crate::sigma::rule::parse_rules(&text).rules {
                let _ = lint(&r);
            }
            let _ = tags::check_tag(&s);
            let _ = tags::check_tag(&t);
        }
    }

    /// Every rule of SigmaHQ's corpus, linted; prints counts per code
    /// (`cargo test -p sigmaplay-core --lib lint::tests::corpus -- --nocapture`).
    #[test]
    fn corpus() {
        let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq");
        let Ok(top) = std::fs::read_dir(base) else {
            eprintln!("corpus not found at {base}; skipped");
            return;
        };
        // SIGMAPLAY_LINT_DIR=<folder> lints that folder instead (no assertion on it).
        let other = std::env::var("SIGMAPLAY_LINT_DIR").ok();
        let mut stack: Vec<std::path::PathBuf> = match &other {
            Some(dir) => vec![std::path::PathBuf::from(dir)],
            None => top
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("rules")))
                .collect(),
        };
        let mut files = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yml") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let mut counts: std::collections::BTreeMap<String, (usize, usize, String)> = Default::default();
        let (mut rules, mut clean) = (0, 0);
        // SIGMAPLAY_LINT_SHOW=code,code (or all) lists those diagnostics.
        let show = std::env::var("SIGMAPLAY_LINT_SHOW").unwrap_or_default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            for rule in crate::sigma::rule::parse_rules(&text).rules {
                rules += 1;
                let diags = lint(&rule);
                if diags.iter().all(|d| d.severity < Severity::Warning) {
                    clean += 1;
                }
                let mut codes_here: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
                codes_here.dedup();
                for d in &diags {
                    if show.split(',').any(|c| c == d.code || c == "all") {
                        eprintln!(
                            "{}:{}: {}: {}",
                            f.strip_prefix(base).unwrap_or(f).display(),
                            d.line(),
                            d.code,
                            d.message
                        );
                    }
                    let e = counts.entry(d.code.clone()).or_insert((0, 0, String::new()));
                    e.0 += 1;
                    if e.2.is_empty() {
                        e.2 = format!("{}:{}: {}", f.strip_prefix(base).unwrap_or(f).display(), d.line(), d.message);
                    }
                }
                for c in codes_here {
                    if let Some(e) = counts.get_mut(c) {
                        e.1 += 1;
                    }
                }
            }
        }
        eprintln!("linted {rules} rules from {} files; {clean} without warnings", files.len());
        for (code, (n, r, example)) in &counts {
            eprintln!("{code:32} {n:6} diagnostics in {r:5} rules   e.g. {example}");
        }
        if rules > 1000 && other.is_none() {
            // SigmaHQ's own rules must be mostly clean.
            assert!(clean * 100 >= rules * 97, "{clean} of {rules} rules without warnings");
        }
    }
}
