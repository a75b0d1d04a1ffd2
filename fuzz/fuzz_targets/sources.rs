//! Source adapters: arbitrary event text, read as events, through every
//! table's sources (Sysmon via Event and WindowsEvent, Security, Defender and
//! their ASIM parsers), and through the source-faithful parity of the API.
//! Nothing may panic; every feed has a row slot per event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmaplay_core::api::{kql_parity, EventsSchema, KqlOptions};
use sigmaplay_core::{parse_events, sources};

const TABLES: &[&str] = &[
    "imProcessCreate", "imNetworkSession", "imFileEvent", "imRegistry", "imDns", "imAuthentication",
    "DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents", "DeviceEvents",
    "SecurityEvent",
];

const RULE: &str = "title: t\nlogsource:\n  category: network_connection\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\certutil.exe'\n    Initiated: 'true'\n    DestinationHostname|contains: '&<>'\n  filter:\n    User|contains: AUTHORI\n  condition: selection and not filter\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let batch = parse_events(text);
    for table in TABLES {
        for category in [None, Some("process_creation"), Some("registry_set")] {
            let r = sources::rows_for(table, &batch.events, category);
            assert_eq!(r.kinds.len(), batch.events.len());
            for f in &r.feeds {
                assert_eq!(f.rows.len(), batch.events.len());
            }
        }
    }
    for pipeline in ["sentinel_asim", "microsoft_xdr", "azure_monitor"] {
        let opts = KqlOptions { pipeline: pipeline.into(), events_schema: EventsSchema::Source, include_rows: true, ..KqlOptions::default() };
        let _ = kql_parity(RULE, text, &opts);
    }
});
