//! The examples gallery: rules with events that match and events that do not.
//!
//! The files live in `static/examples/`, which Trunk copies to `dist/examples/`.
//! Only the first one (LocaltoNet, a SigmaHQ rule under the Detection Rule
//! License), what a first visit shows, is compiled in; the others (written for
//! Sigmaplay but for Findstr, also SigmaHQ's) are fetched from the page's own
//! origin when chosen, which keeps about 7 KB of gzip out of the wasm.
//! A host test checks that every rule parses, converts for its target, and
//! that each event matches or not exactly as `expected` says.

pub struct Example {
    pub id: &'static str,
    pub name: &'static str,
    /// What the example shows (a modifier, a condition form, an event shape).
    pub shows: &'static str,
    /// The texts, for the tests only: the page fetches them ([`file_url`]).
    #[cfg(test)]
    pub rule: &'static str,
    #[cfg(test)]
    pub events: &'static str,
    /// The built-in target it converts with.
    pub target: &'static str,
    /// For each event, in order: does the rule match it?
    pub expected: &'static [bool],
}

macro_rules! example {
    ($id:literal, $name:literal, $shows:literal, $target:literal, $expected:expr) => {
        Example {
            id: $id,
            name: $name,
            shows: $shows,
            #[cfg(test)]
            rule: include_str!(concat!("../../static/examples/", $id, ".yml")),
            #[cfg(test)]
            events: include_str!(concat!("../../static/examples/", $id, ".events.json")),
            target: $target,
            expected: $expected,
        }
    };
}

pub static EXAMPLES: &[Example] = &[
    example!(
        "01-localtonet-tunnel",
        "LocaltoNet tunnel",
        "endswith list, network_connection",
        "sentinel_asim",
        &[true, false]
    ),
    example!(
        "02-certutil-download",
        "Certutil download",
        "process_creation, all of selection_*",
        "sentinel_asim",
        &[true, false]
    ),
    example!("03-run-key-temp", "Run key into Temp", "registry_set", "sentinel_asim", &[true, false]),
    example!("04-ssh-root-login", "SSH root password login", "keywords", "none", &[true, false]),
    example!("05-powershell-public-ip", "PowerShell to public IP", "cidr, not filter", "microsoft_xdr", &[true, false]),
    example!("06-base64-reverse-shell", "Base64 reverse shell", "base64offset", "sentinel_asim", &[true, false]),
    example!("07-encoded-powershell-regex", "Encoded PowerShell", "re|i", "microsoft_xdr", &[true, false]),
    example!("08-dns-rare-tld", "DNS rare TLD", "1 of selection_*, dns_query", "sentinel_asim", &[true, false, false]),
    example!("09-whoami-priv-windash", "Whoami /priv", "windash", "microsoft_xdr", &[true, false]),
    example!(
        "10-startup-folder-script",
        "Startup folder script",
        "contains|all, file_event",
        "sentinel_asim",
        &[true, false]
    ),
    example!(
        "11-failed-network-logon",
        "Failed admin logon",
        "numbers, windows security",
        "azure_monitor",
        &[true, false, false]
    ),
    example!("12-renamed-binary-exists", "Renamed system binary", "exists", "microsoft_xdr", &[true, false, false]),
    example!("13-evtx-user-created", "Account ending in $", "nested EVTX events", "azure_monitor", &[true, false]),
    example!("14-curl-pipe-shell", "curl | sh", "re, linux", "sentinel_asim", &[true, false]),
    example!(
        "15-brute-force-correlation",
        "Brute force (correlation)",
        "event_count correlation, filter rule",
        "sentinel_asim",
        &[true, true, false, true, false]
    ),
    example!(
        "16-ps-script-download-cradle",
        "Download cradle (script block)",
        "ps_script, WindowsEvent",
        "azure_monitor",
        &[true, false]
    ),
    example!(
        "17-cloudtrail-logging-stopped",
        "CloudTrail logging stopped",
        "aws cloudtrail, nested field",
        "azure_monitor",
        &[true, false]
    ),
    example!(
        "18-findstr-everyone",
        "Findstr everyone",
        "SigmaHQ regression test",
        "sentinel_asim",
        &[false, false, true]
    ),
];

/// Whether the example comes with a SigmaHQ regression test (`<id>.info.yml`);
/// its events are the test's event JSON.
pub fn has_regression_test(id: &str) -> bool {
    id == "18-findstr-everyone"
}

/// The example a first visit shows.
pub fn default_example() -> &'static Example {
    &EXAMPLES[0]
}

/// The rule and events of the first example, compiled in so that the page
/// renders without a request.
pub const DEFAULT_TEXTS: (&str, &str) = (
    include_str!("../../static/examples/01-localtonet-tunnel.yml"),
    include_str!("../../static/examples/01-localtonet-tunnel.events.json"),
);

/// Where the page finds an example's file: `suffix` is `.yml`, `.events.json`
/// or `.info.yml`. Relative, so it works from any sub-path and in embeds.
pub fn file_url(id: &str, suffix: &str) -> String {
    format!("examples/{id}{suffix}")
}

pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;
    use sigmaplay_core::Severity;

    #[test]
    fn every_example_parses_converts_and_matches_as_labelled() {
        assert!(EXAMPLES.len() >= 12);
        for ex in EXAMPLES {
            let rule = analysis::analyse_rule(ex.rule);
            let errors: Vec<_> = rule.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
            assert!(errors.is_empty() && !rule.has_errors, "{}: {errors:?}", ex.id);
            let events = analysis::analyse_events(ex.events);
            assert!(events.diagnostics.is_empty(), "{}: {:?}", ex.id, events.diagnostics);
            let results = analysis::match_all(&rule, &events.batch).rules;
            assert_eq!(results.len(), 1, "{}", ex.id);
            assert_eq!(results[0].matched, ex.expected, "{}", ex.id);
            assert!(ex.expected.contains(&true) && ex.expected.contains(&false), "{}", ex.id);
            let kql = analysis::convert(&rule, &analysis::choose_pipeline(ex.target, ""));
            assert!(!kql.text.is_empty(), "{} ({}): {:?}", ex.id, ex.target, kql.diagnostics);
        }
    }

    #[test]
    fn required_features_are_covered() {
        let all: String = EXAMPLES.iter().map(|e| e.rule).collect();
        for needle in [
            "|cidr",
            "|base64offset",
            "keywords:",
            "category: process_creation",
            "category: registry_set",
            "localto.net",
        ] {
            assert!(all.contains(needle), "{needle}");
        }
        assert!(default_example().rule.contains("Andreas Braathen"));
        assert!(default_example().rule.contains("https://localtonet.com/documents/supported-tunnels"));
        let mut ids: Vec<_> = EXAMPLES.iter().map(|e| e.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), EXAMPLES.len());
    }

    #[test]
    fn compiled_in_texts_are_the_first_examples() {
        assert_eq!(DEFAULT_TEXTS, (default_example().rule, default_example().events));
        let with_tests: Vec<_> = EXAMPLES.iter().filter(|e| has_regression_test(e.id)).map(|e| e.id).collect();
        assert_eq!(with_tests, ["18-findstr-everyone"]);
        assert_eq!(file_url("02-certutil-download", ".events.json"), "examples/02-certutil-download.events.json");
    }

    #[test]
    fn localtonet_converts_to_asim_network_session() {
        let ex = default_example();
        let rule = analysis::analyse_rule(ex.rule);
        let kql = analysis::convert(&rule, &analysis::choose_pipeline("sentinel_asim", ""));
        assert!(kql.text.contains("imNetworkSession"), "{}", kql.text);
        assert!(kql.text.contains("DstHostname") || kql.text.contains("DstFQDN"), "{}", kql.text);
    }
}
