//! Embeds for documentation pages, the pure parts: the embed page's URL and
//! the `<iframe>` snippet the Share menu's Embed dialog gives (docs/embedding.md).
//! `static/embed.js` builds the same URLs in the page that hosts the embeds.

use crate::share;

/// The iframe's height before its content reports its own, in CSS pixels.
pub const DEFAULT_HEIGHT: u32 = 480;
const HEIGHTS: std::ops::RangeInclusive<u32> = 120..=4000;

/// What the snippet asks of the embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedOptions {
    /// The texts cannot be edited.
    pub readonly: bool,
    /// As typed, so that the field keeps what is being typed; the snippet bounds it.
    pub height: u32,
    /// Add the `embed.js` script, which fits the iframe to its content.
    pub fit: bool,
}

/// The embed page of a share payload; `page` is the app's URL without fragment.
pub fn embed_url(page: &str, payload: &str, readonly: bool) -> String {
    let flags = if readonly { "embed&ro" } else { "embed" };
    format!("{page}#{flags}&{}", share::fragment(payload, false))
}

/// The URL of `embed.js`: it is served next to the app's page.
pub fn script_url(page: &str) -> String {
    let without_query = page.split(['?', '#']).next().unwrap_or(page);
    let folder = without_query.rsplit_once('/').map_or(without_query, |(folder, _)| folder);
    format!("{folder}/embed.js")
}

/// The HTML a documentation page pastes to show the state.
pub fn iframe_snippet(page: &str, payload: &str, options: EmbedOptions) -> String {
    let src = escape_attribute(&embed_url(page, payload, options.readonly));
    let mut html = format!(
        "<iframe src=\"{src}\" title=\"Sigma rule in Sigmaplay\" data-sigmaplay allow=\"clipboard-write\" width=\"100%\" height=\"{}\" style=\"display:block;border:0\" loading=\"lazy\"></iframe>",
        options.height.clamp(*HEIGHTS.start(), *HEIGHTS.end())
    );
    if options.fit {
        html.push_str(&format!("\n<script src=\"{}\" defer></script>", escape_attribute(&script_url(page))));
    }
    html
}

/// The height being typed in the dialog, as typed: `None` while it is not a number yet.
pub fn typed_height(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok()
}

/// The height typed in the dialog, kept within sensible bounds ([`DEFAULT_HEIGHT`] if unreadable).
pub fn parse_height(text: &str) -> u32 {
    text.trim().parse::<u32>().map_or(DEFAULT_HEIGHT, |h| h.clamp(*HEIGHTS.start(), *HEIGHTS.end()))
}

/// Rows for an embedded editor: the whole text and a line to type on, within `min..=max`.
pub fn fitted_rows(text: &str, min: u32, max: u32) -> u32 {
    let lines = text.lines().count().min(max as usize) as u32;
    (lines + 1).clamp(min, max)
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.org/tools/sigmaplay/index.html";

    #[test]
    fn embed_urls_carry_the_flags_the_app_reads() {
        let url = embed_url(PAGE, "abc", true);
        assert_eq!(url, "https://example.org/tools/sigmaplay/index.html#embed&ro&s=abc");
        let params = share::parse_params(url.split_once('#').unwrap().1);
        assert_eq!(params, share::LinkParams { embed: true, readonly: true, state: Some("abc".into()) });
        let params = share::parse_params(embed_url(PAGE, "abc", false).split_once('#').unwrap().1);
        assert!(params.embed && !params.readonly);
    }

    #[test]
    fn the_script_is_next_to_the_page() {
        assert_eq!(script_url(PAGE), "https://example.org/tools/sigmaplay/embed.js");
        assert_eq!(script_url("http://127.0.0.1:18001/dist/"), "http://127.0.0.1:18001/dist/embed.js");
        assert_eq!(script_url("https://h/a/?x=1/2"), "https://h/a/embed.js");
    }

    #[test]
    fn snippet_is_escaped_html() {
        let options = EmbedOptions { readonly: false, height: 300, fit: false };
        let html = iframe_snippet("https://h/p/?a=1&b=\"<x>", "abc", options);
        assert!(html.starts_with("<iframe src=\"https://h/p/?a=1&amp;b=&quot;&lt;x>#embed&amp;s=abc\""), "{html}");
        assert!(html.contains(" height=\"300\" "));
        assert!(!html.contains("<script"));
        let html = iframe_snippet(PAGE, "abc", EmbedOptions { readonly: true, fit: true, ..options });
        assert!(html.contains("#embed&amp;ro&amp;s=abc\""), "{html}");
        assert!(html.ends_with("\n<script src=\"https://example.org/tools/sigmaplay/embed.js\" defer></script>"));
    }

    #[test]
    fn heights_and_rows() {
        assert_eq!(parse_height(" 640 "), 640);
        assert_eq!(parse_height("5"), 120);
        assert_eq!(parse_height("99999999"), 4000);
        assert_eq!(parse_height("-3"), DEFAULT_HEIGHT);
        assert_eq!(parse_height("tall"), DEFAULT_HEIGHT);
        assert_eq!(typed_height(" 30"), Some(30));
        assert_eq!(typed_height(""), None);
        let typing = EmbedOptions { readonly: false, height: 3, fit: false };
        assert!(iframe_snippet("https://x.test/", "p", typing).contains(" height=\"120\" "));
        assert_eq!(fitted_rows("a\nb\nc\n", 2, 30), 4);
        assert_eq!(fitted_rows("", 2, 30), 2);
        assert_eq!(fitted_rows(&"x\n".repeat(100), 2, 30), 30);
    }
}
