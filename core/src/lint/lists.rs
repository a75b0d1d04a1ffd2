//! Checks of the other lists of a rule, `falsepositives` and `fields`:
//! duplicates, and false positives that tell an analyst nothing.

use crate::sigma::rule::Rule;

use super::fix::fix;
use super::{clip, Linter};

impl Linter<'_> {
    pub(super) fn falsepositives_and_fields(&mut self, rule: &Rule) {
        for (key, list) in [("falsepositives", &rule.falsepositives), ("fields", &rule.fields)] {
            let mut seen: Vec<String> = Vec::new();
            for item in list {
                let k = crate::base::case::to_lowercase(item.value.trim());
                if seen.contains(&k) {
                    let span = item.span;
                    self.warn_fix(
                        "duplicate-entry",
                        format!("'{}' is listed twice in '{key}': remove one", clip(&item.value)),
                        span,
                        |src| fix("remove the repeated entry".into(), true, [src.remove_list_item(span)]),
                    );
                } else {
                    seen.push(k);
                }
            }
        }
        for fp in &rule.falsepositives {
            let v = crate::base::case::to_lowercase(fp.value.trim());
            if matches!(
                v.as_str(),
                "none"
                    | "pentest"
                    | "penetration test"
                    | "penetration testing"
                    | "red team"
                    | "red teaming"
                    | "n/a"
                    | "-"
            ) {
                self.info(
                    "falsepositive-wording",
                    format!("'{}' does not help an analyst: write 'Unknown' if you know of none, 'Unlikely' if you expect none, or name the legitimate activity", fp.value.trim()),
                    fp.span,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::one;

    #[test]
    fn lists() {
        one("    - Unknown\n", "    - Unknown\n    - unknown\n", "duplicate-entry");
        one("    - Unknown\n", "    - None\n", "falsepositive-wording");
    }
}
