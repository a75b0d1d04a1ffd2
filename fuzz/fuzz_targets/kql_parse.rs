//! KQL text → parser: never panics; an error's span lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::kusto;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(d) = kusto::parse(text) {
        let len = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        let s = d.span.unwrap_or_default();
        assert!(s.start <= s.end && s.end <= len, "span out of the text: {d:?} for {text:?}");
        assert!(s.line >= 1 && s.col >= 1, "positions are 1-based: {d:?}");
    }
});
