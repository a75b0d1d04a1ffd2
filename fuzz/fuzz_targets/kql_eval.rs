//! A query and events, split at the first NUL: parse and evaluate never panic,
//! and every output row that claims an event points at one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::kusto;

const EVENTS: &str = r#"[{"Image": "C:\\Windows\\cmd.exe", "EventID": 4688, "Port": "80", "Nested": {"a": [1, "x"]}, "T": "2024-05-01T10:00:00Z"},
{"Image": "", "EventID": null, "Ip": "10.1.2.3"}, {}]"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (query, events_text) = text.split_once('\0').unwrap_or((text, EVENTS));
    let events: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(events_text) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(v) => vec![v],
        Err(_) => events_text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
    };
    for q in [query.to_string(), format!("T | where {query}")] {
        let ev = kusto::evaluate(&q, &events);
        for r in &ev.rows {
            if let Some(i) = r.origin {
                assert!(i < events.len(), "origin {i} out of {} events", events.len());
            }
            assert_eq!(r.values.len(), ev.columns.len(), "row width differs from the columns");
        }
    }
});
