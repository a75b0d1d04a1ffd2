//! Checks of the rule's attributes: id, status, level, dates, title length,
//! and the attributes SigmaHQ requires.

use crate::base::datetime::month_days;
use crate::base::diag::Spanned;
use crate::sigma::rule::{Rule, RuleKind};

use super::fix::{fix, SourceText};
use super::{clip, Linter};
use crate::base::diag::{Fix, Severity, Span};

/// The values of `status` the specification allows.
pub const STATUSES: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];
/// The values of `level` the specification allows.
pub const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];

/// Maximum title length of the JSON schema.
pub const TITLE_MAX: usize = 256;
/// Descriptions shorter than this say too little (SigmaHQ's description length check).
pub const DESCRIPTION_MIN: usize = 16;
/// SigmaHQ's title length limit.
pub const TITLE_SIGMAHQ_MAX: usize = 110;

impl Linter<'_> {
    pub(super) fn metadata(&mut self, rule: &Rule) {
        let anchor = rule.title.as_ref().map_or(rule.span, |t| t.span);
        if let Some(title) = &rule.title {
            let n = title.value.chars().count();
            if n > TITLE_MAX {
                self.warn("title-too-long", format!("the title has {n} characters; the maximum is {TITLE_MAX}: shorten it and move details to 'description'"), title.span);
            } else if n > TITLE_SIGMAHQ_MAX {
                self.info("title-too-long", format!("the title has {n} characters; SigmaHQ keeps titles to {TITLE_SIGMAHQ_MAX}: shorten it and move details to 'description'"), title.span);
            }
        }
        match &rule.id {
            Some(id) if !is_uuid(id.value.trim()) => self.warn(
                "id-not-uuid",
                format!(
                    "id '{}' is not a UUID: use a random UUID v4 (e.g. from uuidgen) so that the id is globally unique",
                    clip(&id.value)
                ),
                id.span,
            ),
            Some(_) => {}
            None => {
                let title = rule.title.as_ref().map(|t| t.span);
                let document = rule.document;
                self.fixable(
                    Severity::Info,
                    "missing-id",
                    "no 'id': add a UUID so that the rule can be referenced and tracked (the fix derives one from the file's text)".into(),
                    anchor,
                    |src| {
                        let id = new_rule_id(src.text(), document);
                        fix(
                            format!("add 'id: {id}'"),
                            true,
                            [src.insert_line_after(title?, "title", &format!("id: {id}"))],
                        )
                    },
                )
            }
        }
        if let Some(status) = &rule.status {
            if !STATUSES.contains(&status.value.as_str()) {
                let hint = did_you_mean(&status.value, STATUSES);
                let span = status.span;
                self.fixable(
                    Severity::Warning,
                    "invalid-status",
                    format!("status '{}' is not one of {}{hint}", clip(&status.value), STATUSES.join(", ")),
                    span,
                    |src| replace_with_closest(src, span, &status.value, STATUSES),
                );
            }
        }
        if let Some(level) = &rule.level {
            if !LEVELS.contains(&level.value.as_str()) {
                let hint = did_you_mean(&level.value, LEVELS);
                let span = level.span;
                self.fixable(
                    Severity::Warning,
                    "invalid-level",
                    format!("level '{}' is not one of {}{hint}", clip(&level.value), LEVELS.join(", ")),
                    span,
                    |src| replace_with_closest(src, span, &level.value, LEVELS),
                );
            }
        } else if rule.kind != RuleKind::Filter {
            self.info("missing-level", "no 'level': add informational, low, medium, high or critical".into(), anchor);
        }
        let date = self.check_date(rule.date.as_ref(), "date");
        let modified = self.check_date(rule.modified.as_ref(), "modified");
        if let (Some(d), Some(m), Some(ms)) = (date, modified, rule.modified.as_ref()) {
            if m < d {
                self.warn(
                    "modified-before-date",
                    format!("'modified' ({m}) is earlier than 'date' ({d}): 'modified' is the date of the last change"),
                    ms.span,
                );
            }
        }
        if let (Some(m), None) = (&rule.modified, &rule.date) {
            self.info(
                "modified-without-date",
                "'modified' without 'date': add the creation date as 'date'".into(),
                m.span,
            );
        }
        if let (Some(d), Some(m), Some(ms)) = (date, modified, rule.modified.as_ref()) {
            if d == m {
                let span = ms.span;
                self.fixable(
                    Severity::Info,
                    "redundant-modified",
                    "'modified' equals 'date': leave 'modified' out until the rule changes".into(),
                    span,
                    |src| fix("remove 'modified'".into(), true, [src.remove_line(span, "modified")]),
                );
            }
        }
        if rule.status.is_none() && rule.kind != RuleKind::Filter {
            self.info(
                "missing-status",
                "no 'status': add one (new rules start as 'experimental' or 'test')".into(),
                anchor,
            );
        }
        if rule.references.is_empty()
            && rule.level.as_ref().is_some_and(|l| matches!(l.value.trim(), "high" | "critical"))
        {
            let span = rule.level.as_ref().map_or(anchor, |l| l.span);
            self.info(
                "missing-references",
                "a high or critical rule without 'references': link the report or research it is based on, so that an analyst can judge an alert".into(),
                span,
            );
        }
        self.title_style(rule);
        self.description_style(rule);
        if rule.date.is_none() {
            self.info("missing-date", "no 'date': add the creation date as YYYY-MM-DD".into(), anchor);
        }
        if rule.description.as_ref().is_none_or(|d| d.value.trim().is_empty()) {
            let span = rule.description.as_ref().map_or(anchor, |d| d.span);
            self.info(
                "missing-description",
                "no 'description': say what the rule detects (SigmaHQ starts it with 'Detects ...')".into(),
                span,
            );
        }
        if rule.author.as_ref().is_none_or(|a| a.value.trim().is_empty()) {
            let span = rule.author.as_ref().map_or(anchor, |a| a.span);
            self.info(
                "missing-author",
                "no 'author': add the author's name (several are separated by commas)".into(),
                span,
            );
        }
    }

    /// SigmaHQ's title conventions: no final period, no "Detects" (that is the description's start).
    fn title_style(&mut self, rule: &Rule) {
        let Some(title) = &rule.title else { return };
        let text = title.value.trim();
        if text.ends_with('.') && !text.ends_with("..") {
            let span = title.span;
            self.fixable(
                Severity::Info,
                "title-period",
                "a title is not a sentence: drop the final '.'".into(),
                span,
                |src| fix("remove the final '.'".into(), true, [src.remove_last_char(span, '.')]),
            );
        }
        if text.get(..8).is_some_and(|w| w.eq_ignore_ascii_case("detects ")) {
            self.info(
                "title-starts-detects",
                "titles name what is detected ('Whoami Execution'); 'Detects ...' is how the description starts".into(),
                title.span,
            );
        }
    }

    /// A description long enough to say something, and without links (they go in 'references').
    fn description_style(&mut self, rule: &Rule) {
        let Some(d) = &rule.description else { return };
        let text = d.value.trim();
        let n = text.chars().count();
        if n > 0 && n < DESCRIPTION_MIN {
            self.info(
                "description-too-short",
                format!("the description has {n} characters: say what the rule detects and why it matters (SigmaHQ wants at least {DESCRIPTION_MIN})"),
                d.span,
            );
        }
        if text.contains("http://") || text.contains("https://") {
            self.info(
                "link-in-description",
                "a link in the description: put it in 'references', where tools and readers look for it".into(),
                d.span,
            );
        }
    }

    /// Check a date attribute; returns it when valid.
    fn check_date<'a>(&mut self, value: Option<&'a Spanned<String>>, key: &str) -> Option<&'a str> {
        let v = value?;
        let text = v.value.trim();
        if is_date(text) {
            return Some(text);
        }
        let fixed = text.replace(['/', '.'], "-");
        let fixable = fixed != text && is_date(&fixed);
        let hint =
            if fixable { format!(": write '{fixed}'") } else { " (ISO 8601 with dashes, e.g. 2024-03-31)".to_string() };
        let span = v.span;
        self.fixable(
            Severity::Warning,
            "invalid-date",
            format!("'{key}' must be a real date written YYYY-MM-DD{hint}"),
            span,
            |src| fixable.then(|| fix(format!("write '{fixed}'"), true, [src.replace_scalar(span, &fixed)])).flatten(),
        );
        None
    }
}

/// The fix of a misspelt value: the closest allowed one.
fn replace_with_closest(src: &SourceText<'_>, span: Span, value: &str, known: &[&'static str]) -> Option<Fix> {
    let to = crate::base::similar::closest(value.trim(), known)?;
    fix(format!("write '{to}'"), true, [src.replace_scalar(span, to)])
}

/// An id for a rule that has none: the name-based UUID (version 5) of the
/// rule file's text and the rule's place in it. No randomness is needed (the
/// browser build has no source of it without a dependency), and a rule's
/// text, which holds its title, is as unique as the rule.
fn new_rule_id(text: &str, document: usize) -> String {
    crate::base::uuid::uuid_v5(&crate::base::uuid::NAMESPACE_URL, &format!("urn:sigmaplay:rule:{document}:{text}"))
}

/// `8-4-4-4-12` hexadecimal digits, either case.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}

/// `YYYY-MM-DD` naming a real day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    // 0 days for a month that does not exist.
    let days = month_days(i64::from(y), i64::from(m));
    (1..=days).contains(&i64::from(d))
}

/// ": did you mean 'x'?" when a known value is close, else nothing.
fn did_you_mean(value: &str, known: &[&'static str]) -> String {
    crate::base::similar::closest(value, known).map(|s| format!(": did you mean '{s}'?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{one, with};
    use super::*;
    use crate::base::diag::Severity;

    #[test]
    fn metadata() {
        let d = one("id: 929a690e-bef0-4204-a928-ef5e620d6fcc", "id: my-rule-1", "id-not-uuid");
        assert_eq!((d.line(), d.col(), d.severity), (2, 5, Severity::Warning));
        assert!(with(
            "id: 929a690e-bef0-4204-a928-ef5e620d6fcc",
            "id: 929A690E-BEF0-4204-A928-EF5E620D6FCC",
            "id-not-uuid"
        )
        .is_empty());
        assert!(one("status: test", "status: experimantal", "invalid-status").message.contains("'experimental'"));
        assert!(one("level: high", "level: hihg", "invalid-level").message.contains("'high'"));
        assert!(one("date: 2019-10-23", "date: 2019/10/23", "invalid-date").message.contains("2019-10-23"));
        one("date: 2019-10-23", "date: 2019-02-29", "invalid-date");
        assert!(with("date: 2019-10-23", "date: 2020-02-29", "invalid-date").is_empty());
        one("modified: 2020-01-02", "modified: 2020-13-02", "invalid-date");
        let d = one("modified: 2020-01-02", "modified: 2019-01-02", "modified-before-date");
        assert_eq!(d.line(), 9);
        let d = one("title: Whoami Execution", &format!("title: {}", "A".repeat(120)), "title-too-long");
        assert_eq!(d.severity, Severity::Info);
        let d = one("title: Whoami Execution", &format!("title: {}", "A".repeat(300)), "title-too-long");
        assert_eq!(d.severity, Severity::Warning);
        for (from, code) in [
            ("id: 929a690e-bef0-4204-a928-ef5e620d6fcc\n", "missing-id"),
            ("description: Detects whoami.exe\n", "missing-description"),
            ("author: Someone\n", "missing-author"),
            ("level: high\n", "missing-level"),
        ] {
            let d = one(from, "", code);
            assert_eq!((d.severity, d.line()), (Severity::Info, 1), "{code}");
        }
        let d = one("date: 2019-10-23\nmodified: 2020-01-02\n", "", "missing-date");
        assert_eq!(d.severity, Severity::Info);
    }

    #[test]
    fn helpers() {
        assert!(is_uuid("929a690e-bef0-4204-a928-ef5e620d6fcc"));
        assert!(!is_uuid("929a690e-bef0-4204-a928-ef5e620d6fc"));
        assert!(!is_uuid("929a690e_bef0-4204-a928-ef5e620d6fcc"));
        assert!(!is_uuid("929a690é-bef0-4204-a928-ef5e620d6fc"));
        assert!(
            is_date("2024-02-29")
                && !is_date("2023-02-29")
                && !is_date("2024-00-10")
                && !is_date("2024-1-10")
                && !is_date("２024-01-10")
        );
    }
}
