//! Checks of the other lists of a rule, `falsepositives` and `fields`:
//! duplicates, and false positives that tell an analyst nothing.

use crate::sigma::rule::Rule;

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn falsepositives_and_fields(&mut self, rule: &Rule) {
        for (key, list) in [("falsepositives", &rule.falsepositives), ("fields", &rule.fields)] {
            let mut seen: Vec<String> = Vec::new();
            for item in list {
                let k = crate::base::case::to_lowercase(item.value.trim());
                if seen.contains(&k) {
                    let span = item.span;
                    self.fixable(
                        Severity::Warning,
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
            self.falsepositive_spelling(fp);
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

/// Misspellings seen in false positive entries, and their spelling.
const TYPOS: &[(&str, &str)] =
    &[("unkown", "unknown"), ("ligitimate", "legitimate"), ("legitimeate", "legitimate"), ("legitmate", "legitimate")];

impl Linter<'_> {
    /// An entry starts with a capital letter and has no common typo.
    fn falsepositive_spelling(&mut self, fp: &crate::base::diag::Spanned<String>) {
        let text = fp.value.trim_start();
        let span = fp.span;
        // ASCII only: the Unicode case predicates would bring their tables into the web build.
        if let Some(first) = text.chars().next().filter(char::is_ascii_lowercase) {
            let upper = first.to_ascii_uppercase().to_string();
            self.fixable(
                Severity::Info,
                "falsepositive-case",
                format!(
                    "false positive entries start with a capital letter: '{}'",
                    clip(&format!("{upper}{}", text.get(first.len_utf8()..).unwrap_or_default()))
                ),
                span,
                |src| fix(format!("write '{upper}'"), true, [src.replace_first_char(span, first, &upper)]),
            );
        }
        for word in fp.value.split(|c: char| !c.is_ascii_alphanumeric()) {
            let lower = word.to_ascii_lowercase();
            let Some((_, right)) = TYPOS.iter().find(|(typo, _)| *typo == lower) else { continue };
            // Keep the case of the first letter.
            let fixed = if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                right.get(..1).unwrap_or_default().to_ascii_uppercase() + right.get(1..).unwrap_or_default()
            } else {
                right.to_string()
            };
            self.fixable(
                Severity::Info,
                "falsepositive-typo",
                format!("'{word}' is misspelt: write '{fixed}'"),
                span,
                |src| fix(format!("write '{fixed}'"), true, [src.replace_in_content(span, word, &fixed)]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{one, with};

    #[test]
    fn lists() {
        one("    - Unknown\n", "    - Unknown\n    - unknown\n", "duplicate-entry");
        one("    - Unknown\n", "    - None\n", "falsepositive-wording");
        one("    - Unknown\n", "    - unknown admin tools\n", "falsepositive-case");
        assert!(with("    - Unknown\n", "    - 7-Zip updates\n", "falsepositive-case").is_empty());
        assert!(one("    - Unknown\n", "    - Unkown\n", "falsepositive-typo").message.contains("'Unknown'"));
        assert!(with("    - Unknown\n", "    - Legitimate use\n", "falsepositive-typo").is_empty());
    }
}
