//! imDns: the Sysmon event 22 parsers (vimDnsMicrosoftSysmon 0.5.2 for
//! `Event`, vimDnsMicrosoftSysmonWindowsEvent 0.5.1 for `WindowsEvent`).
//! No ASIM DNS parser reads Defender's DnsQueryResponse events.

use serde_json::{Map, Value};

use super::{set, Src};
use crate::sources::{fill, Cols};

const SYSMON: Cols = "\
DnsQuery=QueryName
Domain=QueryName
SrcProcessName=Image
Process=Image
SrcProcessId=ProcessId
SrcProcessGuid{ProcessGuid
SrcUsername=User
User=User
SrcUsernameType:Windows
DvcHostname@
Dvc@
SrcHostname@
Src@
Hostname@
EventType:Query
EventSubType:response
EventProduct:Sysmon
EventVendor:Microsoft
EventOriginalType:22
TimeGenerated^";

/// Windows DNS status names, by the status Sysmon writes.
const CODE_NAMES: &[(&str, &str)] = &[
    ("0", "NOERROR"),
    ("9001", "FORMERR"),
    ("9002", "SERVFAIL"),
    ("9003", "NXDOMAIN"),
    ("9004", "NOTIMP"),
    ("9005", "REFUSED"),
    ("1460", "TIMEOUT"),
];

pub(crate) fn sysmon(src: &Src) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", SYSMON);
    let results = src.get("QueryResults");
    set(&mut r, "DnsResponseName", if results == "-" { String::new() } else { results });
    let status = src.get("QueryStatus");
    // 9001–9099 minus 9000, others unchanged.
    let code = match status.trim().parse::<i64>() {
        Ok(n) if (9001..=9099).contains(&n) => Value::from(n - 9000),
        Ok(n) => Value::from(n),
        Err(_) => Value::Null,
    };
    set(&mut r, "EventResult", if code == 0 { "Success" } else { "Failure" });
    set(&mut r, "DnsResponseCode", code);
    let name = CODE_NAMES.iter().find(|(s, _)| *s == status.trim()).map_or("NA", |(_, n)| *n);
    set(&mut r, "DnsResponseCodeName", name);
    set(&mut r, "EventResultDetails", name);
    r
}
