//! sigmaplay-web: the Yew front end of the Sigmaplay playground.
//!
//! A thin shell over `sigmaplay_core`:
//! - [`analysis`]: calls into core, cached per input (pure, host-tested);
//! - [`highlight`]: tokenizers and text segments for the editors (pure);
//! - [`share`]: the state as a share link / saved JSON (pure), [`compress`]: its DEFLATE (browser);
//! - [`embed`]: embeds for documentation pages: the embed page's URL and the iframe snippet (pure);
//! - [`examples`]: the gallery's rules and events (host-tested against core);
//! - [`editor`]: the code editor component (textarea over a highlighted `<pre>`);
//! - [`components`]: rule card, KQL output, Sigma versus KQL, match results, diagnostics, gallery;
//! - [`state`]: the page's state and behaviour as hooks: persistence, share links, shortcuts, theme;
//! - [`app`]: the page's layout;
//! - [`dom`]: small wrappers over browser APIs.
//!
//! Everything the user types is rendered as text nodes or `value`s: never as HTML.

pub mod analysis;
pub mod app;
pub mod components;
pub mod compress;
pub mod dom;
pub mod editor;
pub mod embed;
pub mod examples;
pub mod highlight;
pub mod share;
pub mod state;

use std::ops::Deref;
use std::rc::Rc;

pub use app::App;

/// Shared data compared by identity: props and memo keys stay cheap even for
/// a 5 MB text (no content comparison on every render).
pub struct Shared<T: ?Sized>(pub Rc<T>);

impl<T: ?Sized> Shared<T> {
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Shared<T> {
    pub fn new(v: T) -> Self {
        Shared(Rc::new(v))
    }
}

impl From<String> for Shared<str> {
    fn from(s: String) -> Self {
        Shared(Rc::from(s))
    }
}

impl From<&str> for Shared<str> {
    fn from(s: &str) -> Self {
        Shared(Rc::from(s))
    }
}

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: ?Sized> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl Default for Shared<str> {
    fn default() -> Self {
        Shared(Rc::from(""))
    }
}

impl<T> Default for Shared<Vec<T>> {
    fn default() -> Self {
        Shared(Rc::new(Vec::new()))
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A file name for the KQL download, from the rule title (`query.kql` when it has none).
pub fn kql_filename(title: &str) -> String {
    // `char::to_lowercase` of each character, by core's tables (the standard library's cost 9 KB).
    let mut lower = String::with_capacity(title.len());
    for c in title.chars() {
        sigmaplay_core::base::case::push_char_lowercase(&mut lower, c);
    }
    let mut slug = String::new();
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "query.kql".to_string()
    } else {
        format!("{slug}.kql")
    }
}

/// A file name for an exported rule: the KQL download's name with the
/// format's extension (`rule.sentinel.yaml`, `rule.arm.json`, `rule.defender.json`).
pub fn export_filename(title: &str, format: sigmaplay_core::deploy::Format) -> String {
    let base = kql_filename(title);
    let stem = base.strip_suffix(".kql").unwrap_or(&base);
    let stem = if stem == "query" { "rule" } else { stem };
    let extension = match format {
        sigmaplay_core::deploy::Format::SentinelYaml => "sentinel.yaml",
        sigmaplay_core::deploy::Format::SentinelArm => "arm.json",
        sigmaplay_core::deploy::Format::DefenderJson => "defender.json",
    };
    format!("{stem}.{extension}")
}

/// Whether a rule's reference may be shown as a link (http and https only:
/// never `javascript:` or `data:`).
pub fn is_web_link(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")) && !s.trim().contains(char::is_whitespace) && s.len() < 2048
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        assert_eq!(
            kql_filename("Communication To LocaltoNet Tunneling Service Initiated"),
            "communication-to-localtonet-tunneling-service-initiated.kql"
        );
        assert_eq!(kql_filename("<img src=x onerror=alert(1)>"), "img-src-x-onerror-alert-1.kql");
        assert_eq!(kql_filename("../..//"), "query.kql");
        assert_eq!(kql_filename(""), "query.kql");
        assert_eq!(
            export_filename("Communication To LocaltoNet", sigmaplay_core::deploy::Format::SentinelYaml),
            "communication-to-localtonet.sentinel.yaml"
        );
        assert_eq!(export_filename("", sigmaplay_core::deploy::Format::DefenderJson), "rule.defender.json");
    }

    #[test]
    fn links() {
        assert!(is_web_link("https://example.org/a"));
        assert!(is_web_link("HTTP://example.org"));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link(" data:text/html,x"));
        assert!(!is_web_link("https://a b"));
    }

    #[test]
    fn shared_compares_by_identity() {
        let a: Shared<str> = "x".into();
        let b: Shared<str> = "x".into();
        assert!(a == a.clone());
        assert!(a != b);
    }
}
