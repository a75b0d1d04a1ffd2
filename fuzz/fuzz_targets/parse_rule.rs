//! Bytes → decode_utf8 → parse_rules → every consumer of each rule (matcher,
//! explain on fixed events, compile/lower, KQL), then the file as a whole
//! (filters, correlations, file-level KQL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::base::text::decode_utf8;
use sigmaplay_core::Placeholders;
use sigmaplay_fuzz::{exercise_file_conversion, exercise_parsed, fixed_events};

fuzz_target!(|data: &[u8]| {
    let text = match decode_utf8(data) {
        Ok(t) => t,
        Err(d) => {
            assert_eq!(d.code, "invalid-utf8");
            return;
        }
    };
    let parsed = sigmaplay_core::parse_rules(text);
    exercise_parsed(&parsed, fixed_events(), &Placeholders::new());
    exercise_file_conversion(text, &Placeholders::new());
});
