//! The browser's regex engine (regex-lite behind `re::fold`) against the CLI's
//! (the regex crate behind `re::check::ascii_perl`): never a panic, and the
//! same verdict on the text whenever both accept the pattern.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::re::{check, fold};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    // First line: the pattern; a leading '!' asks for case-insensitivity. Rest: the text.
    let (head, text) = input.split_once('\n').unwrap_or((input, ""));
    let (ci, pattern) = match head.strip_prefix('!') {
        Some(p) => (true, p),
        None => (false, head),
    };
    let full = regex::RegexBuilder::new(&check::ascii_perl(pattern)).case_insensitive(ci).size_limit(1 << 20).build();
    let lite = regex_lite::RegexBuilder::new(&fold::expand(pattern, ci)).case_insensitive(ci).size_limit(1 << 20).build();
    if let (Ok(full), Ok(lite)) = (full, lite) {
        assert_eq!(full.is_match(text), lite.is_match(text), "pattern {pattern:?} ci {ci} text {text:?}");
    }
});
