//! imNetworkSession: the Sysmon event 3 parsers (Event 0.1.1, WindowsEvent
//! 0.1.1) and the Defender parser (0.4).
//!
//! Facts (docs/sources.md): Sysmon rows carry no `NetworkDirection` and put
//! the process and user of an initiated connection in `Dst*` and of an
//! accepted one in `Src*`; Defender rows put the initiating process's bare
//! file name in `Src*` (outbound) or `Dst*` (inbound) and set the direction;
//! host names are split so that `*Hostname` is the first label and the full
//! name is in `*FQDN`.

use serde_json::{Map, Value};

use super::{basename, int, put_fqdn, Row, Src};
use crate::sources::Feed;

/// Sysmon event 3 (vimNetworkSessionMicrosoftSysmon 0.1.1,
/// vimNetworkSessionMicrosoftSysmonWindowsEvent 0.1.1).
pub(crate) fn sysmon(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Row::default();
    let initiated = src.get("Initiated").eq_ignore_ascii_case("true");
    // The process side: Dst* for an initiated connection, Src* for an accepted one.
    let (side, other) = if initiated { ("Dst", "Src") } else { ("Src", "Dst") };
    let image = src.get("Image");
    r.s(&format!("{side}ProcessName"), image.clone())
        .s(&format!("{side}ProcessId"), src.get("ProcessId"))
        .s(&format!("{side}ProcessGuid"), src.guid("ProcessGuid"))
        .s(&format!("{side}Username"), src.get("User"))
        .s(&format!("{side}UsernameType"), "Windows")
        .s(&format!("{side}AppName"), basename(&image))
        .s(&format!("{side}AppType"), "Process");
    for col in ["ProcessName", "ProcessId", "ProcessGuid", "Username", "UsernameType", "AppName", "AppType"] {
        r.s(&format!("{other}{col}"), "");
    }
    let blank = |s: String| if s == "-" { String::new() } else { s };
    // The WindowsEvent parser reads `SrcHostname`, a name Sysmon does not write.
    let src_host = if feed == Feed::SysmonWindowsEvent { src.get("SrcHostname") } else { src.get("SourceHostname") };
    let dst_host = src.get("DestinationHostname");
    let hostname = if initiated { dst_host.clone() } else { src_host.clone() };
    put_fqdn(&mut r, "Src", &blank(src_host));
    put_fqdn(&mut r, "Dst", &blank(dst_host));
    put_fqdn(&mut r, "Dvc", &blank(hostname.clone()));
    let v6 = src.get("SourceIsIpv6").eq_ignore_ascii_case("true") || src.get("DestinationIsIpv6").eq_ignore_ascii_case("true");
    r.s("Hostname", hostname)
        .s("Dvc", src.computer.clone())
        .s("SrcIpAddr", src.get("SourceIp"))
        .s("IpAddr", src.get("SourceIp"))
        .s("Src", src.get("SourceIp"))
        .s("DstIpAddr", src.get("DestinationIp"))
        .s("Dst", src.get("DestinationIp"))
        .s("DvcIpAddr", if initiated { src.get("SourceIp") } else { src.get("DestinationIp") })
        .v("SrcPortNumber", int(&src.get("SourcePort")))
        .v("DstPortNumber", int(&src.get("DestinationPort")))
        .s("NetworkProtocol", src.get("Protocol").to_uppercase())
        .s("NetworkProtocolVersion", if v6 { "IPV6" } else { "IPV4" })
        .s("NetworkRuleName", src.get("RuleName"))
        .s("EventType", "EndpointNetworkSession")
        .s("EventResult", "Success")
        .s("EventProduct", "Sysmon")
        .s("EventVendor", "Microsoft")
        .s("EventOriginalType", "3")
        .s("TimeGenerated", src.time.clone());
    r.0
}

/// `http://` or `https://` dropped, nothing else (the parser's own clean-up).
fn clean_url(u: &str) -> &str {
    u.strip_prefix("http://").or_else(|| u.strip_prefix("https://")).unwrap_or(u)
}

/// A `DeviceNetworkEvents` row (vimNetworkSessionMicrosoft365Defender 0.4):
/// six ActionTypes are mapped, any other is dropped.
pub(crate) fn defender(d: &Map<String, Value>) -> Option<Map<String, Value>> {
    let t = |k: &str| crate::sources::text(d, k);
    let action = t("ActionType");
    let (direction, outbound) = match action.as_str() {
        "ConnectionSuccess" | "ConnectionFailed" | "ConnectionRequest" => ("Outbound", true),
        "InboundConnectionAccepted" => ("Inbound", false),
        "ConnectionFound" => ("Unknown", false),
        "ListeningConnectionCreated" => ("Listen", false),
        _ => return None,
    };
    let mut r = Row::default();
    let (side, other) = if outbound { ("Src", "Dst") } else { ("Dst", "Src") };
    let name = t("InitiatingProcessFileName");
    let user = if t("InitiatingProcessAccountDomain").is_empty() {
        t("InitiatingProcessAccountName")
    } else {
        format!("{}\\{}", t("InitiatingProcessAccountDomain"), t("InitiatingProcessAccountName"))
    };
    r.s(&format!("{side}ProcessName"), name.clone())
        .s(&format!("{side}AppName"), name)
        .s(&format!("{side}AppType"), "Process")
        .s(&format!("{side}ProcessId"), t("InitiatingProcessId"))
        .s(&format!("{side}Username"), user)
        .s(&format!("{side}UsernameType"), "Windows")
        .s(&format!("{other}ProcessName"), "")
        .s(&format!("{other}Username"), "");
    let (src_ip, src_port, dst_ip, dst_port) = if outbound {
        ("LocalIP", "LocalPort", "RemoteIP", "RemotePort")
    } else {
        ("RemoteIP", "RemotePort", "LocalIP", "LocalPort")
    };
    r.s("SrcIpAddr", t(src_ip)).v("SrcPortNumber", int(&t(src_port))).s("DstIpAddr", t(dst_ip)).v("DstPortNumber", int(&t(dst_port)));
    let remote = clean_url(&t("RemoteUrl")).to_string();
    let device = t("DeviceName");
    let (local_side, remote_side) = if outbound { ("Src", "Dst") } else { ("Dst", "Src") };
    split_dotted(&mut r, local_side, &device);
    split_dotted(&mut r, remote_side, &remote);
    split_dotted(&mut r, "Dvc", &device);
    let hostname = remote.split('.').next().unwrap_or("").to_string();
    let proto = t("Protocol");
    let proto = if proto.starts_with("Tcp") {
        "TCP".to_string()
    } else if proto == "Unknown" {
        String::new()
    } else {
        proto.to_uppercase()
    };
    r.s("Hostname", hostname)
        .s("NetworkDirection", direction)
        .s("NetworkProtocol", proto)
        .s("DvcIpAddr", t("LocalIP"))
        .s("EventType", "NetworkSession")
        .s("EventResult", if action == "ConnectionFailed" { "Failure" } else { "Success" })
        .s("EventOriginalResultDetails", action)
        .s("EventProduct", "M365 Defender for Endpoint")
        .s("EventVendor", "Microsoft")
        .s("TimeGenerated", t("Timestamp"));
    Some(r.0)
}

/// The Defender parser's own host split: first label, the rest, and the whole
/// name when it has a dot.
fn split_dotted(r: &mut Row, side: &str, name: &str) {
    let (h, d) = name.split_once('.').unwrap_or((name, ""));
    let fqdn = if name.contains('.') { name } else { "" };
    r.s(&format!("{side}Hostname"), h)
        .s(&format!("{side}Domain"), d)
        .s(&format!("{side}DomainType"), if fqdn.is_empty() { "" } else { "FQDN" })
        .s(&format!("{side}FQDN"), fqdn);
}
