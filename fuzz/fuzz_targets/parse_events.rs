//! Bytes → decode_utf8 → parse_events → the fixed rules' matchers over every
//! parsed event (fast path and explanation).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::base::text::decode_utf8;
use sigmaplay_core::{parse_events, MatchOptions, Matcher};
use sigmaplay_fuzz::fixed_rules;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode_utf8(data) else { return };
    let batch = parse_events(text);
    let _ = serde_json::to_string(&batch);
    for rule in fixed_rules() {
        let matcher = Matcher::new(rule, &MatchOptions::default());
        for ev in &batch.events {
            let fast = matcher.matches(ev);
            let explained = matcher.explain(ev);
            assert_eq!(fast, explained.matched);
            let _ = ev.get("CommandLine");
            let _ = ev.get_all("a.b.c");
        }
    }
});
