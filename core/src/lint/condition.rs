//! Checks of the condition: `all of them`, `of` over a single search, and a
//! filter that is not negated. (Undefined and unused search identifiers are
//! the parser's: `condition-reference`, `unused-search`.)

use crate::sigma::condition::{select_names, CondExpr, OfTarget, Quantifier};
use crate::sigma::rule::{Condition, Detection};

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn conditions(&mut self, det: &Detection) {
        let names = det.names();
        for cond in &det.conditions {
            let Some(expr) = &cond.expr else { continue };
            // Leaves with whether they sit under a `not`; an explicit stack, no recursion.
            let mut stack: Vec<(&CondExpr, bool)> = vec![(expr, false)];
            while let Some((e, negated)) = stack.pop() {
                match e {
                    CondExpr::And(children) | CondExpr::Or(children) => {
                        stack.extend(children.iter().rev().map(|c| (c, negated)));
                    }
                    CondExpr::Not(inner) => stack.push((inner, !negated)),
                    CondExpr::Ident { name, range } => {
                        if !negated && is_filter_name(name) && det.searches.len() > 1 {
                            self.info(
                                "filter-not-negated",
                                format!("'{}' is named like a filter but the condition does not negate it: write 'not {}' if it should exclude events", clip(name), clip(name)),
                                cond.span_of(*range),
                            );
                        }
                    }
                    CondExpr::Of { quantifier, target, range } => {
                        self.of_target(cond, *quantifier, target, *range, &names);
                    }
                }
            }
        }
    }

    /// `1 of x*` / `all of them`: discouraged forms, and quantifiers over one search.
    fn of_target(
        &mut self,
        cond: &Condition,
        quantifier: Quantifier,
        target: &OfTarget,
        range: crate::sigma::condition::Range,
        names: &[String],
    ) {
        let span = cond.span_of(range);
        let selected = select_names(target, names);
        // SigmaHQ writes `1 of filter_main_*` over one search on purpose (more
        // can be added), so a pattern is reported only when it has no wildcard.
        let single = match target {
            OfTarget::Them => Some(("them-single-search", "'them'".to_string())),
            OfTarget::Pattern(p) if !p.contains('*') => {
                Some(("of-without-wildcard", format!("'{}' has no '*' and", clip(p))))
            }
            OfTarget::Pattern(_) => None,
        };
        if let (Some((code, what)), [only]) = (single, selected.as_slice()) {
            let written: String =
                cond.text.chars().skip(range.start as usize).take((range.end - range.start) as usize).collect();
            let only = only.to_string();
            self.fixable(
                Severity::Info,
                code,
                format!(
                    "{what} selects only '{}': write '{}' (one search needs no quantifier)",
                    clip(&only),
                    clip(&only)
                ),
                span,
                |src| fix(format!("write '{}'", clip(&only)), true, [src.replace_exact(span, &written, &only)]),
            );
            return;
        }
        if quantifier == Quantifier::All && *target == OfTarget::Them {
            self.info(
                "all-of-them",
                "'all of them' ANDs every search, including any added later: name them ('all of selection_*', or 'a and b')".into(),
                span,
            );
        }
    }
}

/// `filter`, `filter_main_x`, `filter1`: the SigmaHQ names of searches that exclude.
fn is_filter_name(name: &str) -> bool {
    name.strip_prefix("filter").is_some_and(|rest| {
        rest.is_empty() || rest.starts_with(['_', '-']) || rest.starts_with(|c: char| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{one, with, BASE};

    /// `BASE` with a second search, `filter_main`, and `condition`.
    fn two(condition: &str) -> String {
        BASE.replace(
            "    condition: selection\n",
            &format!("    filter_main:\n        User: SYSTEM\n    condition: {condition}\n"),
        )
    }

    #[test]
    fn conditions() {
        one("condition: selection", "condition: all of them", "them-single-search");
        one("condition: selection", "condition: 1 of selection", "of-without-wildcard");
        assert!(with("condition: selection", "condition: 1 of sel*", "of-without-wildcard").is_empty());
        let codes = |t: &str| super::super::tests::codes(t);
        assert!(codes(&two("all of them")).contains(&"all-of-them".to_string()), "{:?}", codes(&two("all of them")));
        assert!(!codes(&two("1 of them")).contains(&"all-of-them".to_string()));
        assert!(codes(&two("selection and filter_main")).contains(&"filter-not-negated".to_string()));
        assert!(!codes(&two("selection and not filter_main")).contains(&"filter-not-negated".to_string()));
        assert!(
            !codes(&two("selection and not (filter_main or selection)")).contains(&"filter-not-negated".to_string())
        );
    }
}
