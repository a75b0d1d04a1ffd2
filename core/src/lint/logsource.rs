//! Checks of the log source (value format, known categories) and of field
//! names against SigmaHQ's field list for that log source.

use crate::base::diag::Span;
use crate::sigma::rule::Rule;

use super::fix::fix;
use super::{clip, Linter};

impl Linter<'_> {
    pub(super) fn logsource(&mut self, rule: &Rule) {
        let ls = &rule.logsource;
        for (key, v) in [("category", &ls.category), ("product", &ls.product), ("service", &ls.service)] {
            let Some(v) = v else { continue };
            if v.value.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
                let fixed = crate::base::case::to_lowercase(v.value.trim()).replace(char::is_whitespace, "_");
                let span = v.span;
                self.warn_fix(
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
    use super::super::tests::{one, with};
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
        assert!(with(
            "category: process_creation\n",
            "category: process_creation\n    service: sysmon\n",
            "unknown-field"
        )
        .is_empty());
    }
}
