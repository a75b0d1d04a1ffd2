//! Checks of `tags`: the `namespace.value` format, duplicates, and each value
//! against the Sigma tags appendix and MITRE ATT&CK (unknown, revoked,
//! deprecated).

use crate::base::diag::Span;
use crate::sigma::rule::Rule;
use crate::sigma::tags::{self, TagError, TagStatus};

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn tags(&mut self, rule: &Rule) {
        let mut seen: Vec<String> = Vec::new();
        for tag in &rule.tags {
            let text = tag.value.as_str();
            let key = text.trim().to_ascii_lowercase();
            if seen.contains(&key) {
                let span = tag.span;
                self.fixable(
                    Severity::Warning,
                    "duplicate-tag",
                    format!("tag '{}' is listed twice: remove one", clip(text)),
                    span,
                    |src| fix("remove the repeated tag".into(), true, [src.remove_list_item(span)]),
                );
                continue;
            }
            seen.push(key);
            if !is_tag_format(text) {
                let lower = text.trim().to_ascii_lowercase();
                let fixable = lower != text && is_tag_format(&lower);
                let hint = if fixable { format!(": write '{lower}'") } else { String::new() };
                let span = tag.span;
                self.fixable(
                    Severity::Warning,
                    "tag-format",
                    format!(
                        "tag '{}' is not 'namespace.value' with lower-case letters, digits, '_', '-' and '.'{hint}",
                        clip(text)
                    ),
                    span,
                    |src| fixable.then(|| fix(format!("write '{lower}'"), true, [src.replace_scalar(span, &lower)]))?,
                );
                continue;
            }
            self.check_tag_value(text, tag.span);
        }
        self.tag_consistency(rule);
    }

    /// Techniques come with their tactic; hunting rules are not alerts.
    fn tag_consistency(&mut self, rule: &Rule) {
        // A legacy tactic (`defense-evasion`) is a tactic too: its own check says it is deprecated.
        let has_tactic = rule
            .tags
            .iter()
            .any(|t| t.value.trim().strip_prefix("attack.").is_some_and(|t| tags::tactic_name(t).is_some()));
        let technique = rule.tags.iter().find(|t| {
            t.value.trim().strip_prefix("attack.t").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        });
        if let (Some(t), false) = (technique, has_tactic) {
            self.info(
                "technique-without-tactic",
                format!(
                    "'{}' has no tactic tag next to it: add the tactic it serves (e.g. 'attack.execution')",
                    clip(&t.value)
                ),
                t.span,
            );
        }
        let hunting = rule.tags.iter().find(|t| t.value.trim() == "detection.threat-hunting");
        let level = rule.level.as_ref().filter(|l| matches!(l.value.trim(), "high" | "critical"));
        if let (Some(_), Some(l)) = (hunting, level) {
            self.info(
                "hunting-level",
                format!("a 'detection.threat-hunting' rule at level '{}': hunting rules find leads, not alerts (SigmaHQ keeps them low or medium)", l.value.trim()),
                l.span,
            );
        }
    }

    /// A well-formed tag against the taxonomy.
    fn check_tag_value(&mut self, text: &str, span: Span) {
        match tags::check_tag(text) {
            Ok(info) => match info.status {
                TagStatus::Current => {}
                TagStatus::Revoked { replaced_by } => {
                    let what = info.name.map(|n| format!(" ({n})")).unwrap_or_default();
                    let todo = if replaced_by.is_empty() {
                        "remove it or pick a current one".to_string()
                    } else {
                        format!("use {}", quote_list(&replaced_by))
                    };
                    let version = if text.starts_with("attack.t") || text == "attack.defense-evasion" {
                        tags::ATTACK_VERSION
                    } else {
                        tags::ATTACK_OBJECTS_VERSION
                    };
                    self.warn(
                        "outdated-tag",
                        format!("'{}'{what} is revoked in ATT&CK v{version}: {todo}", clip(text)),
                        span,
                    );
                }
                TagStatus::Deprecated { replaced_by } => {
                    let what = info.name.map(|n| format!(" ({n})")).unwrap_or_default();
                    let todo = if replaced_by.is_empty() {
                        "consider removing it".to_string()
                    } else {
                        format!("use {}", quote_list(&replaced_by))
                    };
                    self.info("outdated-tag", format!("'{}'{what} is deprecated: {todo}", clip(text)), span);
                }
            },
            Err(TagError::NoNamespace) => {} // caught by tag-format
            Err(TagError::UnknownNamespace { namespace, suggestion }) => {
                let known = tags::TAG_NAMESPACES.join(", ");
                match suggestion {
                    Some(s) => self.warn(
                        "unknown-tag-namespace",
                        format!("unknown tag namespace '{}': did you mean '{s}'? (known: {known})", clip(&namespace)),
                        span,
                    ),
                    None => self.info(
                        "unknown-tag-namespace",
                        format!(
                            "'{}' is not a namespace of the Sigma tags appendix ({known}); fine for a private tag",
                            clip(&namespace)
                        ),
                        span,
                    ),
                }
            }
            Err(TagError::Malformed { expected }) => {
                self.warn("unknown-tag", format!("tag '{}' is malformed: expected {expected}", clip(text)), span)
            }
            Err(TagError::UnknownId { suggestion }) => {
                let hint = suggestion.map(|s| format!(": did you mean '{s}'?")).unwrap_or_default();
                let value = text.split_once('.').map_or("", |(_, v)| v);
                let object = value.starts_with(['g', 's', 'm']) || value.starts_with("ds");
                if text.starts_with("attack.") && object && value.bytes().skip(1).any(|b| b.is_ascii_digit()) {
                    // Groups, software... come from an older ATT&CK release than techniques: a newer id may be fine.
                    let msg = format!(
                        "'{}' is not in MITRE ATT&CK Enterprise v{}: check the id",
                        clip(text),
                        tags::ATTACK_OBJECTS_VERSION
                    );
                    self.info("unknown-tag", msg, span);
                } else if text.starts_with("attack.") {
                    let msg =
                        format!("'{}' is not in MITRE ATT&CK (Enterprise v{}){hint}", clip(text), tags::ATTACK_VERSION);
                    self.warn("unknown-tag", msg, span);
                } else {
                    self.warn(
                        "unknown-tag",
                        format!("'{}' is not a known value of its namespace{hint}", clip(text)),
                        span,
                    );
                }
            }
        }
    }
}

/// The tag pattern of the JSON schema: `^[a-z0-9_-]+\.[a-z0-9._-]+$`.
fn is_tag_format(s: &str) -> bool {
    let Some((ns, rest)) = s.split_once('.') else { return false };
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-';
    !ns.is_empty() && !rest.is_empty() && ns.bytes().all(ok) && rest.bytes().all(|c| ok(c) || c == b'.')
}

/// `'a' or 'b'`, for the replacements of an outdated tag.
fn quote_list(items: &[String]) -> String {
    items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(" or ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{codes, one, BASE};
    use super::*;
    use crate::base::diag::Severity;

    #[test]
    fn tags() {
        let d = one("    - attack.t1033\n", "    - attack.T1033\n", "tag-format");
        assert!(d.message.contains("attack.t1033"), "{}", d.message);
        assert_eq!(d.line(), 12);
        one("    - attack.t1033\n", "    - attack t1033\n", "tag-format");
        one("    - attack.t1033\n", "    - t1033\n", "tag-format");
        let d = one("    - attack.t1033\n", "    - attack.t9999\n", "unknown-tag");
        assert!(d.message.contains("v19.2"));
        assert!(one("    - attack.t1033\n", "    - attack.discovry\n", "unknown-tag")
            .message
            .contains("attack.discovery"));
        one("    - attack.t1033\n", "    - attack.t1033.1\n", "unknown-tag");
        let d = one("    - attack.t1033\n", "    - attack.g9999\n", "unknown-tag");
        assert!(d.severity == Severity::Info && d.message.contains("v18.1"), "{}", d.message);
        one("    - attack.t1033\n", "    - cve.2021\n", "unknown-tag");
        one("    - attack.t1033\n", "    - tlp.white-ish\n", "unknown-tag");
        one("    - attack.t1033\n", "    - detection.hunting\n", "unknown-tag");
        let d = one("    - attack.t1033\n", "    - attak.t1033\n", "unknown-tag-namespace");
        assert_eq!(d.severity, Severity::Warning);
        let d = one("    - attack.t1033\n", "    - mycorp.team-a\n", "unknown-tag-namespace");
        assert_eq!(d.severity, Severity::Info);
        let d = one("    - attack.t1033\n", "    - attack.t1086\n", "outdated-tag");
        assert!(d.message.contains("attack.t1059.001") && d.severity == Severity::Warning, "{}", d.message);
        let d = one("    - attack.discovery\n", "    - attack.defense-evasion\n", "outdated-tag");
        assert!(d.message.contains("attack.stealth"), "{}", d.message);
        let d = one("    - attack.t1033\n", "    - tlp.white\n", "outdated-tag");
        assert_eq!(d.severity, Severity::Info);
        one("    - attack.t1033\n", "    - attack.discovery\n", "duplicate-tag");
        for ok in [
            "cve.2021-44228",
            "car.2016-04-005",
            "detection.threat-hunting",
            "stp.3k",
            "tlp.amber-strict",
            "attack.g0016",
            "attack.s0002",
            "d3fend.d3-am",
        ] {
            let text = BASE.replace("attack.t1033", ok).replace("level: high", "level: medium");
            assert_eq!(codes(&text), Vec::<String>::new(), "{ok}");
        }
    }

    #[test]
    fn consistency() {
        one("    - attack.discovery\n", "", "technique-without-tactic");
        assert!(super::super::tests::with(
            "    - attack.discovery\n",
            "    - attack.execution\n",
            "technique-without-tactic"
        )
        .is_empty());
        // A legacy tactic is a tactic: its deprecation is another check's.
        assert!(super::super::tests::with(
            "    - attack.discovery\n",
            "    - attack.defense-evasion\n",
            "technique-without-tactic"
        )
        .is_empty());
        one("    - attack.t1033\n", "    - attack.t1033\n    - detection.threat-hunting\n", "hunting-level");
        let low = BASE
            .replace("    - attack.t1033\n", "    - attack.t1033\n    - detection.threat-hunting\n")
            .replace("level: high", "level: low");
        assert!(!codes(&low).contains(&"hunting-level".to_string()));
    }

    #[test]
    fn helpers() {
        assert!(
            is_tag_format("attack.t1059.001")
                && !is_tag_format("attack.")
                && !is_tag_format(".x")
                && !is_tag_format("Attack.t1")
        );
    }
}
