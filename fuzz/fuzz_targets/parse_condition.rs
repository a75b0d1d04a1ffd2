//! Condition text → parser; on success the printed form must parse back to
//! the same tree, and the semantic helpers must cope with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::sigma::condition::{self, parse_condition, OfTarget};
use sigmaplay_fuzz::shape;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_condition(text) {
        Ok(expr) => {
            let printed = expr.to_string();
            match parse_condition(&printed) {
                Ok(again) => assert_eq!(shape(&expr), shape(&again), "round trip changed the tree: {text:?} -> {printed:?}"),
                Err(e) => panic!("printed condition does not parse: {text:?} -> {printed:?}: {e:?}"),
            }
            let names: Vec<String> = ["selection", "filter", "_private", "sel_1", "a"].iter().map(|s| s.to_string()).collect();
            let _ = condition::check(&expr, &names);
            let _ = condition::referenced_names(&expr, &names);
            let _ = condition::select_names(&OfTarget::Them, &names);
            let _ = expr.range();
        }
        Err(e) => {
            let len = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
            assert!(e.range.start <= e.range.end && e.range.end <= len, "error range out of the text: {e:?} for {text:?}");
        }
    }
});
