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

use super::{put_fqdn, resolve_fqdn, set, Src};
use crate::sources::{fill, Cols, Feed};

/// The process side of a Sysmon row (column names after `Src`/`Dst`).
const SYSMON_PROCESS: Cols = "\
ProcessName=Image
ProcessId=ProcessId
ProcessGuid{ProcessGuid
Username=User
UsernameType:Windows
AppName/Image
AppType:Process";

/// The other side: empty.
const NO_PROCESS: Cols = "\
ProcessName:
ProcessId:
ProcessGuid:
Username:
UsernameType:
AppName:
AppType:";

const SYSMON: Cols = "\
Dvc@
SrcIpAddr=SourceIp
IpAddr=SourceIp
Src=SourceIp
DstIpAddr=DestinationIp
Dst=DestinationIp
SrcPortNumber#SourcePort
DstPortNumber#DestinationPort
NetworkRuleName=RuleName
EventType:EndpointNetworkSession
EventResult:Success
EventProduct:Sysmon
EventVendor:Microsoft
EventOriginalType:3
TimeGenerated^";

/// Sysmon event 3 (vimNetworkSessionMicrosoftSysmon 0.1.1,
/// vimNetworkSessionMicrosoftSysmonWindowsEvent 0.1.1).
pub(crate) fn sysmon(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Map::new();
    let initiated = src.get("Initiated").eq_ignore_ascii_case("true");
    // The process side: Dst* for an initiated connection, Src* for an accepted one.
    let (side, other) = if initiated { ("Dst", "Src") } else { ("Src", "Dst") };
    fill(&mut r, src, side, SYSMON_PROCESS);
    fill(&mut r, src, other, NO_PROCESS);
    fill(&mut r, src, "", SYSMON);
    let blank = |s: String| if s == "-" { String::new() } else { s };
    // The WindowsEvent parser reads `SrcHostname`, a name Sysmon does not write.
    let src_host = src.get(if feed == Feed::SysmonWindowsEvent { "SrcHostname" } else { "SourceHostname" });
    let dst_host = src.get("DestinationHostname");
    let hostname = if initiated { dst_host.clone() } else { src_host.clone() };
    put_fqdn(&mut r, "Src", resolve_fqdn(&blank(src_host)));
    put_fqdn(&mut r, "Dst", resolve_fqdn(&blank(dst_host)));
    put_fqdn(&mut r, "Dvc", resolve_fqdn(&blank(hostname.clone())));
    set(&mut r, "Hostname", hostname);
    let v6 = ["SourceIsIpv6", "DestinationIsIpv6"].iter().any(|k| src.get(k).eq_ignore_ascii_case("true"));
    set(&mut r, "NetworkProtocolVersion", if v6 { "IPV6" } else { "IPV4" });
    set(&mut r, "NetworkProtocol", src.get("Protocol").to_ascii_uppercase());
    set(&mut r, "DvcIpAddr", src.get(if initiated { "SourceIp" } else { "DestinationIp" }));
    r
}

const DEFENDER_PROCESS: Cols = "\
ProcessName=InitiatingProcessFileName
AppName=InitiatingProcessFileName
AppType:Process
ProcessId=InitiatingProcessId
UsernameType:Windows";

const DEFENDER: Cols = "\
DvcIpAddr=LocalIP
EventType:NetworkSession
EventOriginalResultDetails=ActionType
EventProduct:M365 Defender for Endpoint
EventVendor:Microsoft
TimeGenerated^";

/// `DeviceNetworkEvents` (vimNetworkSessionMicrosoft365Defender 0.4): six
/// ActionTypes are mapped, any other is dropped.
pub(crate) fn defender(d: &Map<String, Value>) -> Option<Map<String, Value>> {
    let src = Src::row(d);
    let action = src.get("ActionType");
    let (direction, outbound) = match action.as_str() {
        "ConnectionSuccess" | "ConnectionFailed" | "ConnectionRequest" => ("Outbound", true),
        "InboundConnectionAccepted" => ("Inbound", false),
        "ConnectionFound" => ("Unknown", false),
        "ListeningConnectionCreated" => ("Listen", false),
        _ => return None,
    };
    let mut r = Map::new();
    let (near, far) = if outbound { ("Src", "Dst") } else { ("Dst", "Src") };
    fill(&mut r, &src, near, DEFENDER_PROCESS);
    fill(&mut r, &src, "", DEFENDER);
    let user =
        super::process::joined(&src.get("InitiatingProcessAccountDomain"), &src.get("InitiatingProcessAccountName"));
    set(&mut r, &format!("{near}Username"), user);
    set(&mut r, &format!("{far}ProcessName"), "");
    set(&mut r, &format!("{far}Username"), "");
    for (sig, local, remote) in [("IpAddr", "LocalIP", "RemoteIP"), ("PortNumber", "LocalPort", "RemotePort")] {
        let value = |k: &str| {
            if sig == "PortNumber" {
                crate::sources::value_of(&src, '#', if k == "L" { local } else { remote })
            } else {
                Value::from(src.get(if k == "L" { local } else { remote }))
            }
        };
        r.insert(format!("{near}{sig}"), value("L"));
        r.insert(format!("{far}{sig}"), value("R"));
    }
    // `http://` or `https://` dropped from the remote name, nothing else.
    let url = src.get("RemoteUrl");
    let remote = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")).unwrap_or(&url).to_string();
    let device = src.get("DeviceName");
    put_fqdn(&mut r, near, dotted(&device));
    put_fqdn(&mut r, far, dotted(&remote));
    put_fqdn(&mut r, "Dvc", dotted(&device));
    set(&mut r, "Hostname", remote.split('.').next().unwrap_or(""));
    let proto = src.get("Protocol");
    let proto = if proto.starts_with("Tcp") {
        "TCP".to_string()
    } else if proto == "Unknown" {
        String::new()
    } else {
        proto.to_ascii_uppercase()
    };
    set(&mut r, "NetworkProtocol", proto);
    set(&mut r, "NetworkDirection", direction);
    set(&mut r, "EventResult", if action == "ConnectionFailed" { "Failure" } else { "Success" });
    Some(r)
}

/// The Defender parser's own host split: first label, the rest, and the
/// whole name when it has a dot (no backslash rule).
fn dotted(name: &str) -> [String; 4] {
    let (h, d) = name.split_once('.').unwrap_or((name, ""));
    let fqdn = if name.contains('.') { name } else { "" };
    [h.to_string(), d.to_string(), if fqdn.is_empty() { "" } else { "FQDN" }.to_string(), fqdn.to_string()]
}
