//! The one regular-expression type of the core, over two engines.
//!
//! Native builds (feature `fast-regex`, the default) use the `regex` crate with
//! its literal prefilters and lazy DFA. The WebAssembly build uses `regex-lite`,
//! about 100 KB smaller once gzipped, which folds only ASCII letters under
//! `(?i)`; [`fold`] rewrites a pattern first so that it folds every letter the
//! `regex` crate folds (Unicode simple case folding), and both builds match the
//! same texts. `cargo test -p sigmaplay-core --no-default-features` runs the
//! suites on the lite engine.
//!
//! `\d \w \s \b` have their ASCII meaning in both builds, as in RE2 and PCRE
//! (regex-lite's own; for the regex crate, [`check::ascii_perl`] rewrites them).

pub mod check;
pub mod fold;

use std::borrow::Cow;
use std::fmt;

#[cfg(feature = "fast-regex")]
type Engine = regex::Regex;
#[cfg(not(feature = "fast-regex"))]
type Engine = regex_lite::Regex;

/// Compiled programs larger than this are refused (hostile repetition counts).
pub const SIZE_LIMIT: usize = 4 << 20;
/// Deepest group nesting accepted.
pub const NEST_LIMIT: u32 = 100;

/// A compiled pattern; compares and prints as the pattern the user wrote.
/// One pointer wide, since it sits in recursive syntax trees.
#[derive(Clone)]
pub struct Regex(Box<Compiled>);

#[derive(Clone)]
struct Compiled {
    source: String,
    case_insensitive: bool,
    engine: Engine,
}

impl Regex {
    /// Compile `pattern` with its inline flags only (`(?i)` etc.).
    pub fn new(pattern: &str) -> Result<Regex, String> {
        Regex::with_case(pattern, false)
    }

    /// Compile `pattern`, case-insensitive as a whole when `case_insensitive`.
    pub fn with_case(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
        let engine = build(pattern, case_insensitive)?;
        Ok(Regex(Box::new(Compiled { source: pattern.to_string(), case_insensitive, engine })))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.engine.is_match(text)
    }

    /// Every match replaced by `replacement` (`$1`, `${name}` expand to groups).
    pub fn replace_all<'t>(&self, text: &'t str, replacement: &str) -> Cow<'t, str> {
        self.0.engine.replace_all(text, replacement)
    }

    /// The text of capture group `group` of the first match, if the pattern
    /// matches and the group took part in the match.
    pub fn capture<'t>(&self, text: &'t str, group: usize) -> Option<&'t str> {
        self.0.engine.captures(text)?.get(group).map(|m| m.as_str())
    }

    /// The pattern as written (before the ASCII and case-folding rewrites).
    pub fn as_str(&self) -> &str {
        &self.0.source
    }
}

#[cfg(feature = "fast-regex")]
fn build(pattern: &str, case_insensitive: bool) -> Result<Engine, String> {
    regex::RegexBuilder::new(&check::ascii_perl(pattern))
        .case_insensitive(case_insensitive)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "fast-regex"))]
fn build(pattern: &str, case_insensitive: bool) -> Result<Engine, String> {
    build_lite(pattern, case_insensitive)
}

/// regex-lite reads `\d \w \s \b` as ASCII already, so only the folding rewrite applies.
#[cfg_attr(feature = "fast-regex", allow(dead_code))] // the native build's tests still use it
fn build_lite(pattern: &str, case_insensitive: bool) -> Result<regex_lite::Regex, String> {
    let folded = fold::expand(pattern, case_insensitive);
    regex_lite::RegexBuilder::new(&folded)
        .case_insensitive(case_insensitive)
        .size_limit(SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.0.source == other.0.source && self.0.case_insensitive == other.0.case_insensitive
    }
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Regex({:?})", self.0.source)
    }
}

#[cfg(test)]
mod lite_against_regex {
    //! The lite engine behind [`fold::expand`] against the regex crate, which is
    //! always available to tests: same verdict on every text.
    use super::{build_lite, check::ascii_perl};
    use proptest::prelude::*;

    fn verdicts(pattern: &str, ci: bool, texts: &[&str]) -> Option<(Vec<bool>, Vec<bool>)> {
        let p = ascii_perl(pattern);
        let full = regex::RegexBuilder::new(&p).case_insensitive(ci).build().ok()?;
        let lite = build_lite(pattern, ci).ok()?;
        Some((texts.iter().map(|t| full.is_match(t)).collect(), texts.iter().map(|t| lite.is_match(t)).collect()))
    }

    const TEXTS: &[&str] = &[
        "é",
        "É",
        "e",
        "k",
        "K",
        "\u{212A}",
        "s",
        "S",
        "ſ",
        "σ",
        "ς",
        "Σ",
        "ß",
        "ẞ",
        "ı",
        "I",
        "i",
        "İ",
        "ǅ",
        "Ǆ",
        "ǆ",
        "Straße",
        "STRASSE",
        "ΣΊΣΥΦΟΣ",
        "σίσυφος",
        "x-y",
        "",
        "ПРИВЕТ",
        "привет",
        "ꭰ",
        "Ꭰ",
    ];

    #[test]
    fn fixed_patterns() {
        let patterns = [
            "é",
            "^É$",
            "(?i)é",
            "(?i:é)É",
            "((?i)é)|x",
            "(?i)[é]",
            "(?i)[^é]",
            "(?i)[à-ÿ]+",
            "(?i)[a-z]",
            "(?i)k",
            "(?i)[j-l]",
            "(?i)\\x{e9}",
            "(?i)[\\x{e0}-\\x{ff}]",
            "(?i)σ",
            "(?i)^ς$",
            "(?i)ß",
            "(?i)ı",
            "(?i)i",
            "(?i)ǅ",
            "(?i)straße",
            "(?i)σίσυφος",
            "(?i)привет",
            "(?i)ꭰ",
            "(?i)[[:alpha:]]",
            "(?i)\\bs\\b",
            "(?x)(?i) é # é\n",
            "(?i)é(?-i)é",
            "(?is)é.",
            "(?i)\\u{3A3}",
            "(?i)[\\x41-\\x5A]",
            "(?i)[\\x{41}-z]",
            "(?i)[\\x{80}-\\x{10FFFF}]",
            "(?i)[^\\x{80}-\\x{10FFFF}]",
            "(?i)[Α-Ω]+",
            "(?i)[а-я]",
            "(?i)[zA-Z-]2",
            "(?i)[\\w-]+",
            "(?i)[A-Z\\-]",
            "[--é]",
            "(?i)[--é]",
        ];
        for ci in [false, true] {
            for p in patterns {
                let Some((full, lite)) = verdicts(p, ci, TEXTS) else { panic!("{p:?} does not compile") };
                assert_eq!(full, lite, "pattern {p:?} (ci {ci}) over {TEXTS:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_patterns(tokens in prop::collection::vec(prop::sample::select(vec![
            "é", "É", "e", "k", "s", "S", "σ", "ς", "Σ", "ß", "ı", "i", "ǅ", "[", "]", "[^", "-", "(?i)", "(?-i)",
            "(?i:", "(", ")", "|", "*", "?", "^", "$", ".", "\\x{e9}", "\\u{3C3}", "\\k", "[:alpha:]", "a-z", "à-ÿ",
            "\\w", "\\W", "[:^alpha:]", "[:lower:]", "[:^word:]", "?-i", "A-Z", "-]", "\\-", "\u{212A}", "[:digit:]", "\\d", "\\b",
        ]), 0..10), ci in any::<bool>()) {
            let pattern: String = tokens.concat();
            if let Some((full, lite)) = verdicts(&pattern, ci, TEXTS) {
                prop_assert_eq!(full, lite, "pattern {:?} ci {}", pattern, ci);
            }
        }
    }
}
