//! imDns: the Sysmon event 22 parsers (vimDnsMicrosoftSysmon 0.5.2 for
//! `Event`, vimDnsMicrosoftSysmonWindowsEvent 0.5.1 for `WindowsEvent`).
//! No ASIM DNS parser reads Defender's DnsQueryResponse events.

use serde_json::{Map, Value};

use super::{Row, Src};
use crate::sources::Feed;

/// Windows DNS status (9003) → DNS response code: minus 9000 in 9001–9099,
/// else unchanged.
fn response_code(status: &str) -> Value {
    match status.trim().parse::<i64>() {
        Ok(n) if (9001..=9099).contains(&n) => Value::from(n - 9000),
        Ok(n) => Value::from(n),
        Err(_) => Value::Null,
    }
}

fn code_name(status: &str) -> &'static str {
    match status.trim() {
        "0" => "NOERROR",
        "9001" => "FORMERR",
        "9002" => "SERVFAIL",
        "9003" => "NXDOMAIN",
        "9004" => "NOTIMP",
        "9005" => "REFUSED",
        "1460" => "TIMEOUT",
        _ => "NA",
    }
}

pub(crate) fn sysmon(src: &Src, _feed: Feed) -> Map<String, Value> {
    let mut r = Row::default();
    let results = src.get("QueryResults");
    let status = src.get("QueryStatus");
    let code = response_code(&status);
    let ok = code == Value::from(0);
    r.s("DnsQuery", src.get("QueryName"))
        .s("Domain", src.get("QueryName"))
        .s("DnsResponseName", if results == "-" { String::new() } else { results })
        .v("DnsResponseCode", code)
        .s("DnsResponseCodeName", code_name(&status))
        .s("EventResultDetails", code_name(&status))
        .s("SrcProcessName", src.get("Image"))
        .s("Process", src.get("Image"))
        .s("SrcProcessId", src.get("ProcessId"))
        .s("SrcProcessGuid", src.guid("ProcessGuid"))
        .s("SrcUsername", src.get("User"))
        .s("User", src.get("User"))
        .s("SrcUsernameType", "Windows")
        .s("EventResult", if ok { "Success" } else { "Failure" })
        .s("DvcHostname", src.computer.clone())
        .s("Dvc", src.computer.clone())
        .s("SrcHostname", src.computer.clone())
        .s("Src", src.computer.clone())
        .s("Hostname", src.computer.clone())
        .s("EventType", "Query")
        .s("EventSubType", "response")
        .s("EventProduct", "Sysmon")
        .s("EventVendor", "Microsoft")
        .s("EventOriginalType", "22")
        .s("TimeGenerated", src.time.clone());
    r.0
}
