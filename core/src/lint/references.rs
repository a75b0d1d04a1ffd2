//! Checks of `references`: duplicates, ATT&CK links that belong in tags, and
//! links to a branch rather than a commit.

use crate::sigma::rule::Rule;
use crate::sigma::tags;

use super::fix::fix;
use super::{clip, Linter};
use crate::base::diag::Severity;

impl Linter<'_> {
    pub(super) fn references(&mut self, rule: &Rule) {
        let mut seen: Vec<&str> = Vec::new();
        for r in &rule.references {
            let text = r.value.trim();
            let key = text.trim_end_matches('/');
            if seen.contains(&key) {
                let span = r.span;
                self.fixable(
                    Severity::Warning,
                    "duplicate-reference",
                    format!("reference '{}' is listed twice: remove one", clip(text)),
                    span,
                    |src| fix("remove the repeated reference".into(), true, [src.remove_list_item(span)]),
                );
                continue;
            }
            seen.push(key);
            let lower = text.to_ascii_lowercase();
            if lower.contains("attack.mitre.org/") {
                let tag = attack_tag_from_url(&lower).map(|t| format!(" (here '{t}')")).unwrap_or_default();
                self.info("attack-reference", format!("SigmaHQ expresses ATT&CK links as tags{tag}, not references: keep references for the sources of the rule"), r.span);
            } else if is_branch_link(&lower) {
                self.info(
                    "reference-not-permalink",
                    "this link points at a branch, whose content changes: use a permalink to a commit (press 'y' on GitHub)".into(),
                    r.span,
                );
            }
        }
    }
}

/// `attack.tNNNN[.NNN]` / tactic / group / software tag for an attack.mitre.org URL.
fn attack_tag_from_url(url: &str) -> Option<String> {
    let path = url.split("attack.mitre.org/").nth(1)?;
    let mut parts = path.split(['/', '?', '#']).filter(|p| !p.is_empty());
    let kind = parts.next()?;
    let id = parts.next()?;
    let tag = match kind {
        "techniques" => match parts.next().filter(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            Some(sub) => format!("attack.{id}.{sub}"),
            None => format!("attack.{id}"),
        },
        "groups" | "software" | "mitigations" | "datasources" => format!("attack.{id}"),
        "tactics" => {
            let short = tags::tactic_shortnames()
                .into_iter()
                .find(|s| tags::describe_tag(&format!("attack.{s}")).is_some_and(|t| t.id.eq_ignore_ascii_case(id)))?;
            format!("attack.{short}")
        }
        _ => return None,
    };
    tags::describe_tag(&tag).map(|_| tag)
}

/// A GitHub/GitLab link to a file or tree on a branch (not a commit).
fn is_branch_link(url: &str) -> bool {
    if !(url.contains("github.com/") || url.contains("gitlab.com/")) {
        return false;
    }
    [
        "/blob/main/",
        "/blob/master/",
        "/tree/main/",
        "/tree/master/",
        "/-/blob/main/",
        "/-/blob/master/",
        "/blob/dev/",
        "/blob/develop/",
    ]
    .iter()
    .any(|p| url.contains(p))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{one, with};
    use super::*;

    #[test]
    fn references() {
        one(
            "    - https://example.org/whoami\n",
            "    - https://example.org/whoami\n    - https://example.org/whoami/\n",
            "duplicate-reference",
        );
        let d = one(
            "    - https://example.org/whoami\n",
            "    - https://attack.mitre.org/techniques/T1059/001/\n",
            "attack-reference",
        );
        assert!(d.message.contains("attack.t1059.001"), "{}", d.message);
        one(
            "    - https://example.org/whoami\n",
            "    - https://github.com/a/b/blob/master/x.ps1\n",
            "reference-not-permalink",
        );
        assert!(with(
            "    - https://example.org/whoami\n",
            "    - https://github.com/a/b/blob/0123abc/x.ps1\n",
            "reference-not-permalink"
        )
        .is_empty());
    }

    #[test]
    fn helpers() {
        assert_eq!(
            attack_tag_from_url("https://attack.mitre.org/tactics/ta0002/").as_deref(),
            Some("attack.execution")
        );
        assert_eq!(attack_tag_from_url("https://attack.mitre.org/groups/g0016").as_deref(), Some("attack.g0016"));
        assert_eq!(attack_tag_from_url("https://attack.mitre.org/"), None);
    }
}
