//! Checks of the log source (value format, known categories) and of field
//! names against SigmaHQ's field list for that log source.

use crate::base::diag::Span;
use crate::sigma::rule::{DetectionItem, Rule, Scalar};

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn logsource(&mut self, rule: &Rule) {
        let ls = &rule.logsource;
        for (key, v) in [("category", &ls.category), ("product", &ls.product), ("service", &ls.service)] {
            let Some(v) = v else { continue };
            if v.value.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
                let fixed = crate::base::case::to_lowercase(v.value.trim()).replace(char::is_whitespace, "_");
                let span = v.span;
                self.fixable(
                    Severity::Warning,
                    "logsource-format",
                    format!("logsource {key} values are lower case with '_' for spaces: write '{fixed}'"),
                    span,
                    |src| fix(format!("write '{fixed}'"), true, [src.replace_scalar(span, &fixed)]),
                );
            }
        }
        if let Some(cat) = &ls.category {
            let value = crate::base::case::to_lowercase(cat.value.trim()).replace(char::is_whitespace, "_");
            if crate::data::attack::CATEGORIES.binary_search(&value.as_str()).is_err() {
                match crate::base::similar::closest(&value, &crate::data::attack::CATEGORIES) {
                    Some(s) => self.warn("unknown-logsource-category", format!("unknown logsource category '{}': did you mean '{s}'?", clip(&cat.value)), cat.span),
                    None => self.info(
                        "unknown-logsource-category",
                        format!("category '{}' is not in the Sigma taxonomy: backends and pipelines will not know it (fine for a private log source)", clip(&cat.value)),
                        cat.span,
                    ),
                }
            }
        }
    }

    /// `EventID` where the log source already says which events: a category
    /// implies its event ids, and a Sysmon event id has a generic category.
    pub(super) fn event_id_item(&mut self, item: &DetectionItem, rule: &Rule) {
        if item.field.as_deref() != Some("EventID") || !item.modifiers.is_empty() {
            return;
        }
        let ls = &rule.logsource;
        if ls.product().is_none_or(|p| p.trim() != "windows") {
            return;
        }
        if let Some(category) = ls.category() {
            self.info(
                "category-event-id",
                format!("with category '{}' the log source already selects the events: drop 'EventID' (pipelines map the category to the right event ids)", clip(category)),
                item.key_span,
            );
            return;
        }
        let service = ls.service().map(str::trim);
        let ids: Vec<i64> = item
            .values
            .iter()
            .filter_map(|v| match &v.value {
                Scalar::Int(i) => Some(*i),
                Scalar::Str(s) => s.trim().parse().ok(),
                _ => None,
            })
            .collect();
        let [id] = ids.as_slice() else { return };
        let generic = match service {
            Some("sysmon") => SYSMON_CATEGORIES.iter().find(|(i, _)| i == id).map(|(_, c)| *c),
            Some("security") if *id == 4688 => Some("process_creation"),
            _ => None,
        };
        if let Some(category) = generic {
            self.info(
                "generic-logsource",
                format!("EventID {id} of '{}' is the generic category '{category}': write 'category: {category}' so that rules work with any source of these events", service.unwrap_or_default()),
                item.key_span,
            );
        }
    }

    /// `unknown-field`: a field name missing from the log source's list.
    pub(super) fn unknown_field(&mut self, field: &str, span: Span, known: &KnownFields) {
        if known.contains(field) {
            return;
        }
        let where_ = &known.label;
        if let Some(s) = known.closest(field) {
            self.warn(
                "unknown-field",
                format!("'{}' is not a field of {where_} in SigmaHQ's taxonomy: did you mean '{s}'?", clip(field)),
                span,
            );
        } else {
            self.info(
                "unknown-field",
                format!("'{}' is not a field of {where_} in SigmaHQ's taxonomy: pipelines may not map it (fine if your log source has it)", clip(field)),
                span,
            );
        }
    }
}

/// Sysmon event ids and the Sigma taxonomy's generic category for them.
const SYSMON_CATEGORIES: &[(i64, &str)] = &[
    (1, "process_creation"),
    (3, "network_connection"),
    (5, "process_termination"),
    (6, "driver_load"),
    (7, "image_load"),
    (8, "create_remote_thread"),
    (9, "raw_access_thread"),
    (10, "process_access"),
    (11, "file_event"),
    (13, "registry_set"),
    (15, "create_stream_hash"),
    (16, "sysmon_status"),
    (17, "pipe_created"),
    (18, "pipe_created"),
    (22, "dns_query"),
    (23, "file_delete"),
    (24, "clipboard_capture"),
    (25, "process_tampering"),
    (26, "file_delete_detected"),
    (27, "file_block_executable"),
    (28, "file_block_shredding"),
    (29, "file_executable_detected"),
];

/// SigmaHQ's allowed field names for a rule's log source.
pub(super) struct KnownFields {
    /// The log source as `product/category/service`, for messages.
    label: String,
    /// Space-separated names: the log source's own, then the product's common ones.
    lists: [&'static str; 2],
}

impl KnownFields {
    fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lists.iter().flat_map(|l| l.split(' ')).filter(|s| !s.is_empty())
    }
    fn contains(&self, field: &str) -> bool {
        self.names().any(|n| n == field)
    }
    /// A known field equal ignoring case, or within edit distance 2.
    fn closest(&self, field: &str) -> Option<&'static str> {
        if let Some(n) = self.names().find(|n| n.eq_ignore_ascii_case(field)) {
            return Some(n);
        }
        let lower = crate::base::case::to_lowercase(field);
        self.names()
            .map(|n| (crate::base::similar::edit_distance(&lower, &crate::base::case::to_lowercase(n)), n))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

/// The fields SigmaHQ knows for the rule's log source; `None` when it has no
/// list for it (then no field is reported).
pub(super) fn known_fields(rule: &Rule) -> Option<KnownFields> {
    let ls = &rule.logsource;
    let product = ls.product().unwrap_or("").trim();
    let (category, service) = match (ls.category(), ls.service()) {
        (Some(c), None) => (c.trim(), ""),
        (None, Some(s)) => ("", s.trim()),
        _ => return None,
    };
    let row = crate::data::attack::LOGSOURCE_FIELDS
        .iter()
        .find(|(p, c, s, _)| *p == product && *c == category && *s == service)?;
    let common = crate::data::attack::COMMON_FIELDS.iter().find(|(p, _)| *p == product).map_or("", |(_, f)| *f);
    let mut label = String::new();
    for part in [product, category, service] {
        if !part.is_empty() {
            if !label.is_empty() {
                label.push('/');
            }
            label.push_str(part);
        }
    }
    Some(KnownFields { label, lists: [row.3, common] })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{codes, one, with, BASE};
    use crate::base::diag::Severity;

    #[test]
    fn logsource() {
        let d = one("category: process_creation", "category: process_creaton", "unknown-logsource-category");
        assert!(d.message.contains("process_creation") && d.severity == Severity::Warning);
        let d = one("category: process_creation", "category: my_custom_events", "unknown-logsource-category");
        assert_eq!(d.severity, Severity::Info);
        one("product: windows", "product: Windows", "logsource-format");
        let d = one("Image|endswith", "Imagee|endswith", "unknown-field");
        assert!(d.message.contains("'Image'") && d.severity == Severity::Warning, "{}", d.message);
        assert_eq!((d.line(), d.col()), (18, 9));
        assert!(one("Image|endswith", "image|endswith", "unknown-field").message.contains("'Image'"));
        assert_eq!(one("Image|endswith", "NewProcessName|endswith", "unknown-field").severity, Severity::Info);
        assert!(
            with("Image|endswith", "EventID: 1\n        Image|endswith", "unknown-field").is_empty(),
            "common fields"
        );
        assert!(with("category: process_creation", "category: antivirus", "unknown-field").is_empty(), "no list");
        one("Image|endswith", "EventID: 1\n        Image|endswith", "category-event-id");
        let sysmon = BASE
            .replace("category: process_creation\n    product: windows", "product: windows\n    service: sysmon")
            .replace("Image|endswith", "EventID: 1\n        Image|endswith");
        let has = |t: &str, c: &str| codes(t).iter().any(|x| x == c);
        assert!(has(&sysmon, "generic-logsource") && !has(&sysmon, "category-event-id"));
        assert!(!has(&sysmon.replace("service: sysmon", "service: powershell"), "generic-logsource"));
        assert!(with(
            "category: process_creation\n",
            "category: process_creation\n    service: sysmon\n",
            "unknown-field"
        )
        .is_empty());
    }
}
