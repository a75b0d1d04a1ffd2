//! Words, icons and classes that several panels share: severities, verdicts,
//! counts of things, the names of the built-in targets.

use sigmaplay_core::Severity;

pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✖",
        Severity::Warning => "▲",
        Severity::Info => "ℹ",
    }
}

pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-err",
        Severity::Warning => "sev-warn",
        Severity::Info => "sev-info",
    }
}

/// `1 event`, `2 events`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A rule's or a query's verdict on one event, as (`data-` attribute value, text, badge classes).
pub fn verdict(v: Option<bool>) -> (&'static str, &'static str, &'static str) {
    match v {
        Some(true) => ("true", "✓ match", "badge badge-hit"),
        Some(false) => ("false", "✗ no match", "badge badge-miss"),
        None => ("none", "— not run", "badge"),
    }
}

/// The built-in targets, in the order of the selector.
pub const TARGETS: &[(&str, &str)] = &[
    ("sentinel_asim", "Sentinel (ASIM)"),
    ("microsoft_xdr", "Defender XDR"),
    ("azure_monitor", "Azure Monitor"),
    ("none", "None (Sigma fields)"),
];

pub fn target_label(name: &str) -> &'static str {
    TARGETS.iter().find(|(n, _)| *n == name).map_or("Sentinel (ASIM)", |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_core_builtins() {
        for (name, _) in TARGETS {
            assert!(sigmaplay_core::pipeline::BUILTIN_NAMES.contains(name), "{name}");
        }
    }

    /// The diagnostics list speaks core's names (`aria-label`): they must stay the plain words.
    #[test]
    fn severity_names_are_the_lowercase_variants() {
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            assert_eq!(s.name(), format!("{s:?}").to_lowercase());
        }
    }
}
