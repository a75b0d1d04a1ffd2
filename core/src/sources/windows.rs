//! Windows event log records as the Log Analytics tables hold them: the
//! `Event` table (named data as XML text in `EventData`) and the
//! `WindowsEvent` table (named data as a dynamic object), and the two ways
//! ASIM parsers read the XML back.

use serde_json::{Map, Value};

use super::set;

use super::record::WinRecord;

/// XML text escaping as Windows renders event data.
fn xml_escape(s: &str, out: &mut String) {
    out.push_str(&crate::kusto::schema::xml_escape(s));
}

/// The record's named values as its source writes them: for Sysmon, every
/// field of the event in Sysmon's order (a field the paste lacks is empty),
/// then any other; for the Security log, as pasted.
pub(crate) fn written(r: &WinRecord) -> Vec<(&str, &str)> {
    let order: &[&str] =
        if r.provider == super::record::SECURITY { &[] } else { crate::data::sysmon::fields(r.event_id) };
    let mut out: Vec<(&str, &str)> = order.iter().map(|k| (*k, r.get(k))).collect();
    out.extend(r.data.iter().filter(|(k, _)| !order.contains(&k.as_str())).map(|(k, v)| (k.as_str(), v.as_str())));
    out
}

/// `<Data Name="k">v</Data>` elements, escaped as Windows writes them.
fn data_elements(r: &WinRecord, x: &mut String) {
    for (k, v) in written(r) {
        x.push_str("<Data Name=\"");
        xml_escape(k, x);
        x.push_str("\">");
        xml_escape(v, x);
        x.push_str("</Data>");
    }
}

/// The `EventData` column of the `Event` table: the agent's `DataItem`
/// wrapper around the record's `<EventData>`.
pub(crate) fn event_data_xml(r: &WinRecord) -> String {
    let mut x = String::from(crate::kusto::schema::EVENT_DATA_OPEN);
    data_elements(r, &mut x);
    x.push_str(crate::kusto::schema::EVENT_DATA_CLOSE);
    x
}

/// A `Syslog` row of Sysmon for Linux: the event's XML in `SyslogMessage`,
/// the machine's address in `HostIP` (the local side of a connection).
pub(crate) fn syslog_row(r: &WinRecord) -> Map<String, Value> {
    let mut x = format!(
        "<Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{{ff032593-a8d3-4f13-b0d6-01fc615a0f97}}\"/><EventID>{}</EventID><Version>5</Version><Level>4</Level><Task>{}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime=\"{}\"/><EventRecordID>1</EventRecordID><Correlation/><Execution ProcessID=\"1\" ThreadID=\"1\"/><Channel>Linux-Sysmon/Operational</Channel><Computer>",
        r.event_id, r.event_id, r.time
    );
    xml_escape(&r.computer, &mut x);
    x.push_str("</Computer><Security UserId=\"0\"/></System><EventData>");
    data_elements(r, &mut x);
    x.push_str("</EventData></Event>");
    let local =
        if r.get("Initiated").eq_ignore_ascii_case("false") { r.get("DestinationIp") } else { r.get("SourceIp") };
    let mut m = Map::new();
    set(&mut m, "TimeGenerated", r.time.clone());
    set(&mut m, "Computer", r.computer.clone());
    set(&mut m, "HostName", r.computer.clone());
    set(&mut m, "HostIP", if local.is_empty() { "10.0.0.5" } else { local });
    set(&mut m, "Facility", "user");
    set(&mut m, "SeverityLevel", "info");
    set(&mut m, "ProcessName", "sysmon");
    set(&mut m, "SyslogMessage", x);
    set(&mut m, "Type", "Syslog");
    m
}

/// A row of the `Event` table (Log Analytics agent / Azure Monitor Agent).
pub(crate) fn event_row(r: &WinRecord) -> Map<String, Value> {
    let mut m = Map::new();
    set(&mut m, "TimeGenerated", r.time.clone());
    set(&mut m, "Source", r.provider);
    set(&mut m, "EventLog", r.channel);
    set(&mut m, "Computer", r.computer.clone());
    set(&mut m, "EventLevel", 4);
    set(&mut m, "EventLevelName", "Information");
    set(&mut m, "EventID", r.event_id);
    set(&mut m, "UserName", "NT AUTHORITY\\SYSTEM");
    set(&mut m, "EventData", event_data_xml(r));
    set(&mut m, "Type", "Event");
    m
}

/// A row of the `WindowsEvent` table: `EventData` is an object of the named values.
pub(crate) fn windows_event_row(r: &WinRecord) -> Map<String, Value> {
    let mut data = Map::new();
    for (k, v) in &r.data {
        data.insert(k.clone(), Value::from(v.clone()));
    }
    let mut m = Map::new();
    set(&mut m, "TimeGenerated", r.time.clone());
    set(&mut m, "Provider", r.provider);
    set(&mut m, "Channel", r.channel);
    set(&mut m, "Computer", r.computer.clone());
    set(&mut m, "EventID", r.event_id);
    set(&mut m, "EventLevel", 4);
    set(&mut m, "EventLevelName", "Information");
    set(&mut m, "EventData", Value::Object(data));
    set(&mut m, "Type", "WindowsEvent");
    m
}

/// How a parser reads the XML `EventData` of the `Event` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XmlRead {
    /// `parse-kv` with the regex `<Data Name="(\w+)">{?([^>]*?)}?</Data>`:
    /// values keep their XML entities (`&amp;`, `&lt;`, `&gt;` stay as
    /// written), and a leading `{` and trailing `}` are dropped from every
    /// value (meant for GUIDs).
    ParseKvRegex,
    /// Text between the tags as written (entities kept, braces kept).
    Raw,
}

/// The named values of an `Event` row's `EventData`, read as `how` does,
/// and their names in record order.
pub(crate) fn read_event_data(xml: &str, how: XmlRead) -> (Map<String, Value>, Vec<String>) {
    let mut out = Map::new();
    let mut order = Vec::new();
    let mut rest = xml;
    const OPEN: &str = "<Data Name=\"";
    while let Some(at) = rest.find(OPEN) {
        rest = &rest[at + OPEN.len()..];
        let Some(q) = rest.find('"') else { break };
        let name = &rest[..q];
        rest = &rest[q..];
        let Some(body) = rest.strip_prefix("\">") else { continue };
        let Some(end) = body.find("</Data>") else { break };
        let raw = &body[..end];
        rest = &body[end..];
        order.push(name.to_string());
        match how {
            XmlRead::ParseKvRegex => {
                // `\w+` names only; a value holding `>` (never, once escaped) would not match.
                if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') || raw.contains('>') {
                    continue;
                }
                let v = raw.strip_prefix('{').unwrap_or(raw);
                let v = v.strip_suffix('}').unwrap_or(v);
                // parse-kv keeps the first occurrence of a key.
                out.entry(name.to_string()).or_insert_with(|| Value::from(v));
            }
            XmlRead::Raw => {
                out.entry(name.to_string()).or_insert_with(|| Value::from(raw));
            }
        }
    }
    (out, order)
}

/// The named values of a `WindowsEvent` row (`EventData` is dynamic).
pub(crate) fn windows_event_data(row: &Map<String, Value>) -> Map<String, Value> {
    match row.get("EventData") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> WinRecord {
        WinRecord {
            provider: super::super::record::SYSMON,
            channel: super::super::record::SYSMON_CHANNEL,
            event_id: 1,
            computer: "h".into(),
            time: "t".into(),
            data: vec![("ProcessGuid".into(), "{abc-1}".into()), ("CommandLine".into(), "cmd /c \"a\" > b & c".into())],
        }
    }

    #[test]
    fn regex_read_keeps_entities_and_drops_braces() {
        let xml = event_data_xml(&rec());
        let (kv, order) = read_event_data(&xml, XmlRead::ParseKvRegex);
        // Sysmon's own order, every field of the event (absent ones empty).
        assert_eq!(order.len(), 23);
        assert_eq!(&order[..4], ["RuleName", "UtcTime", "ProcessGuid", "ProcessId"]);
        assert_eq!(kv["RuleName"], "");
        assert_eq!(kv["ProcessGuid"], "abc-1");
        assert_eq!(kv["CommandLine"], "cmd /c \"a\" &gt; b &amp; c");
        let (x, _) = read_event_data(&xml, XmlRead::Raw);
        assert_eq!(x["ProcessGuid"], "{abc-1}");
        assert_eq!(x["CommandLine"], "cmd /c \"a\" &gt; b &amp; c");
    }
}
