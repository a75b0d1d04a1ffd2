//! Windows events rendered as JSON (evtx_dump, xmltodict-style converters)
//! flattened to the field names Sigma rules use: module docs, "Evtx".

use serde_json::Value;

use super::fields::{FieldsBuilder, PRIO_DATA, PRIO_EVENT_OTHER, PRIO_OUTER, PRIO_SYSTEM};
use super::node::{last_entry, Node};

/// Where the evtx parts of a top-level object are.
pub(super) struct EvtxParts {
    /// Key of the `Event` wrapper in the top-level object, if wrapped.
    wrapper: Option<usize>,
}

/// Whether a top-level object is a Windows event, and where its parts are.
pub(super) fn evtx_parts(top: &[(String, Node)]) -> Option<EvtxParts> {
    // Wrapped: the `Event` key (last occurrence) holding an object with System.
    if let Some(i) = top.iter().rposition(|(k, _)| k == "Event") {
        let inner = top.get(i).and_then(|(_, v)| v.entries())?;
        return last_entry(inner, "System").and_then(Node::entries).map(|_| EvtxParts { wrapper: Some(i) });
    }
    // Unwrapped: only when it clearly is one, so a flat event that happens to
    // have a `System` field is left alone.
    let system = last_entry(top, "System")?.entries()?;
    let has_system_keys = last_entry(system, "EventID").is_some() || last_entry(system, "Provider").is_some();
    let has_data = last_entry(top, "EventData").is_some() || last_entry(top, "UserData").is_some();
    (has_system_keys && has_data).then_some(EvtxParts { wrapper: None })
}

/// The fields of a Windows event (module docs, "Evtx").
pub(super) fn flatten_evtx(top: &[(String, Node)], parts: EvtxParts) -> FieldsBuilder {
    let mut fields = FieldsBuilder::default();
    match parts.wrapper {
        Some(w) => {
            for (i, (k, v)) in top.iter().enumerate() {
                if i == w {
                    if let Some(inner) = v.entries() {
                        flatten_event_element(inner, &mut fields);
                    }
                } else if k != "Event" {
                    fields.put(k.clone(), v.to_value(), PRIO_OUTER);
                }
            }
        }
        None => flatten_event_element(top, &mut fields),
    }
    fields
}

/// Children of `<Event>`: System, EventData, UserData, others kept as-is.
fn flatten_event_element(entries: &[(String, Node)], fields: &mut FieldsBuilder) {
    for (k, v) in entries {
        match k.as_str() {
            "System" => {
                if let Some(sys) = v.entries() {
                    for (name, element) in sys {
                        if attribute_name(name).is_none() && name != "#text" {
                            flatten_system_element(name, element, fields, 0);
                        }
                    }
                }
            }
            "EventData" => flatten_event_data(v, fields),
            "UserData" => flatten_user_data(v, fields),
            _ if attribute_name(k).is_some() => {}
            _ => fields.put(k.clone(), v.to_value(), PRIO_EVENT_OTHER),
        }
    }
}

/// `#attributes` holds attributes in evtx_dump output; xmltodict-style
/// converters write `@Name` instead. Returns `Some("")` for the former.
fn attribute_name(key: &str) -> Option<&str> {
    if key == "#attributes" {
        return Some("");
    }
    key.strip_prefix('@')
}

/// Namespace declarations say nothing about the event.
fn is_xmlns(attr: &str) -> bool {
    attr == "xmlns" || attr.starts_with("xmlns:")
}

/// Attributes of an element, from either convention, xmlns dropped.
fn attributes(entries: &[(String, Node)]) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for (k, v) in entries {
        match attribute_name(k) {
            Some("") => {
                if let Some(attrs) = v.entries() {
                    out.extend(attrs.iter().filter(|(a, _)| !is_xmlns(a)).map(|(a, x)| (a.as_str(), x)));
                }
            }
            Some(a) if !is_xmlns(a) => out.push((a, v)),
            _ => {}
        }
    }
    out
}

/// System values are numbers in evtx_dump output but strings in some other
/// converters; rules compare them either way, the UI shows them as numbers.
fn system_scalar(v: &Node) -> Value {
    match v {
        Node::Leaf(Value::String(s)) => {
            let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
            match s.parse::<u64>() {
                Ok(n) if plain => Value::Number(n.into()),
                _ => Value::String(s.clone()),
            }
        }
        other => other.to_value(),
    }
}

/// One element of `System`: its text under its own name, its attributes as
/// `<Element>_<Attribute>`, nested elements as `<Element>_<Child>`.
fn flatten_system_element(name: &str, element: &Node, fields: &mut FieldsBuilder, depth: usize) {
    match element {
        // `<Correlation />`: no attributes, no text, nothing to match.
        Node::Leaf(Value::Null) => {}
        Node::Obj(entries) => {
            for (attr, v) in attributes(entries) {
                if !v.is_null() {
                    fields.put(format!("{name}_{attr}"), system_scalar(v), PRIO_SYSTEM);
                }
            }
            if let Some(text) = last_entry(entries, "#text") {
                fields.put(name.to_owned(), system_scalar(text), PRIO_SYSTEM);
            }
            for (child, v) in entries {
                if attribute_name(child).is_some() || child == "#text" {
                    continue;
                }
                // Unknown nested elements: `Parent_Child`, a few levels at most.
                if depth < 4 {
                    flatten_system_element(&format!("{name}_{child}"), v, fields, depth + 1);
                }
            }
        }
        other => fields.put(name.to_owned(), system_scalar(other), PRIO_SYSTEM),
    }
}

/// The value of a named data element: its text when it is an element with
/// attributes (`{"#attributes": …, "#text": "x"}`), otherwise as-is.
fn element_value(v: &Node) -> Value {
    if let Some(entries) = v.entries() {
        let only_text_and_attrs = entries.iter().all(|(k, _)| k == "#text" || attribute_name(k).is_some());
        if only_text_and_attrs {
            return last_entry(entries, "#text").map_or(Value::Null, Node::to_value);
        }
    }
    v.to_value()
}

/// `EventData`: named data elements are fields, unnamed ones are collected
/// into `Data`, its own attributes become `EventData_<attr>`.
fn flatten_event_data(v: &Node, fields: &mut FieldsBuilder) {
    let mut unnamed: Vec<Value> = Vec::new();
    match v {
        Node::Leaf(Value::Null) => {}
        Node::Obj(entries) => {
            for (attr, x) in attributes(entries) {
                fields.put(format!("EventData_{attr}"), x.to_value(), PRIO_DATA);
            }
            for (k, x) in entries {
                if attribute_name(k).is_some() {
                    continue;
                }
                match k.as_str() {
                    "#text" => collect_unnamed(x, &mut unnamed),
                    "Data" => match x {
                        Node::Arr(items) => {
                            for item in items {
                                flatten_data_element(item, fields, &mut unnamed);
                            }
                        }
                        other => flatten_data_element(other, fields, &mut unnamed),
                    },
                    _ => fields.put_data(k, element_value(x), PRIO_DATA),
                }
            }
        }
        // Some converters emit EventData as the bare list of Data elements.
        Node::Arr(items) => {
            for item in items {
                flatten_data_element(item, fields, &mut unnamed);
            }
        }
        Node::Leaf(other) => unnamed.push(other.clone()),
    }
    put_unnamed_data(unnamed, fields);
}

/// One `<Data>` element: `{"#attributes": {"Name": n}, "#text": t}`,
/// `{"@Name": n, "#text": t}` or `{"Name": n, "#text": t}` is a named field;
/// text without a name is collected as `Data`; an object of plain keys is a
/// set of named fields (another converter's way of writing EventData).
fn flatten_data_element(item: &Node, fields: &mut FieldsBuilder, unnamed: &mut Vec<Value>) {
    match item {
        Node::Obj(entries) => {
            let attrs = attributes(entries);
            let text = last_entry(entries, "#text");
            let name = attrs
                .iter()
                .find(|(a, _)| *a == "Name")
                .map(|(_, n)| *n)
                .or_else(|| text.and(last_entry(entries, "Name")));
            match name {
                Some(Node::Leaf(Value::String(n))) => {
                    fields.put_data(n, text.map_or(Value::Null, Node::to_value), PRIO_DATA);
                }
                _ => match text {
                    Some(t) => collect_unnamed(t, unnamed),
                    None => {
                        for (k, x) in entries {
                            if attribute_name(k).is_none() {
                                fields.put_data(k, element_value(x), PRIO_DATA);
                            }
                        }
                    }
                },
            }
        }
        other => collect_unnamed(other, unnamed),
    }
}

/// Adds the text of a data element without a name to those collected.
fn collect_unnamed(v: &Node, unnamed: &mut Vec<Value>) {
    match v {
        Node::Leaf(Value::Null) => {}
        Node::Arr(items) => unnamed.extend(items.iter().filter(|x| !x.is_null()).map(Node::to_value)),
        other => unnamed.push(other.to_value()),
    }
}

/// Data without a name, as the field `Data`: a scalar for one, an array for
/// several.
fn put_unnamed_data(mut unnamed: Vec<Value>, fields: &mut FieldsBuilder) {
    match unnamed.len() {
        0 => {}
        1 => {
            if let Some(v) = unnamed.pop() {
                fields.put("Data".to_owned(), v, PRIO_DATA);
            }
        }
        _ => fields.put("Data".to_owned(), Value::Array(unnamed), PRIO_DATA),
    }
}

/// `UserData`: its one wrapper element is skipped, the wrapper's children are
/// fields and its attributes `<Wrapper>_<attr>`.
fn flatten_user_data(v: &Node, fields: &mut FieldsBuilder) {
    let Some(entries) = v.entries() else {
        if !v.is_null() {
            fields.put("UserData".to_owned(), v.to_value(), PRIO_DATA);
        }
        return;
    };
    for (wrapper, inner) in entries {
        if attribute_name(wrapper).is_some() {
            continue;
        }
        match inner {
            Node::Obj(children) => {
                for (attr, x) in attributes(children) {
                    fields.put(format!("{wrapper}_{attr}"), x.to_value(), PRIO_DATA);
                }
                for (k, x) in children {
                    if attribute_name(k).is_some() {
                        continue;
                    }
                    if k == "#text" {
                        fields.put_data(wrapper, x.to_value(), PRIO_DATA);
                    } else {
                        fields.put_data(k, element_value(x), PRIO_DATA);
                    }
                }
            }
            Node::Leaf(Value::Null) => {}
            other => fields.put_data(wrapper, other.to_value(), PRIO_DATA),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{names, one, read_regression, REGRESSION};
    use super::super::{parse_events, Event, EventFormat, EventShape};
    use serde_json::{json, Value};

    #[test]
    fn evtx_real_single_event() {
        let text = read_regression(
            "rules-threat-hunting/windows/image_load/image_load_win_werfaultsecure_dbgcore_dbghelp_load/8a2f4b1c-3d5e-4f7a-9b2c-1e4f6d8a9c2b.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.format, EventFormat::JsonObject);
        let e = &b.events[0];
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("EventID"), Some(&json!(7)));
        assert_eq!(e.get("Channel"), Some(&json!("Microsoft-Windows-Sysmon/Operational")));
        assert_eq!(e.get("Provider_Name"), Some(&json!("Microsoft-Windows-Sysmon")));
        assert_eq!(e.get("Provider_Guid"), Some(&json!("5770385F-C22A-43E0-BF4C-06F5698FFBD9")));
        assert_eq!(e.get("TimeCreated_SystemTime"), Some(&json!("2025-11-27T07:40:10.165324Z")));
        assert_eq!(e.get("Execution_ProcessID"), Some(&json!(3544)));
        assert_eq!(e.get("Execution_ThreadID"), Some(&json!(4272)));
        assert_eq!(e.get("Security_UserID"), Some(&json!("S-1-5-18")));
        assert_eq!(e.get("Keywords"), Some(&json!("0x8000000000000000")));
        assert_eq!(e.get("ImageLoaded"), Some(&json!("C:\\Windows\\System32\\dbgcore.dll")));
        assert_eq!(e.get("Image"), Some(&json!("C:\\Windows\\System32\\WerFaultSecure.exe")));
        assert_eq!(e.get("Correlation"), None);
        assert_eq!(e.get("xmlns"), None);
        assert_eq!(e.get("Event.System.Provider.#attributes.Name"), Some(&json!("Microsoft-Windows-Sysmon")));
        // System first, then EventData, each in input order.
        let n = names(e);
        assert_eq!(n.first(), Some(&"Provider_Name"));
        assert_eq!(
            n.iter().position(|k| *k == "RuleName"),
            n.iter().position(|k| *k == "Security_UserID").map(|i| i + 1)
        );
        assert_eq!(n.last(), Some(&"User"));
        // Keyword search sees values, not the XML namespace.
        assert!(!e.for_each_string_value(&mut |s| s.contains("schemas.microsoft.com")));
        assert!(e.for_each_string_value(&mut |s| s.contains("dbgcore")));
    }

    #[test]
    fn evtx_real_concatenated_events() {
        let text = read_regression(
            "rules/windows/process_creation/proc_creation_win_dtrace_kernel_dump/7124aebe-4cd7-4ccb-8df0-6d6b93c96795.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.format, EventFormat::JsonStream);
        assert_eq!(b.events.len(), 2);
        let lines: Vec<(u32, u32)> = b.events.iter().map(|e| e.span().unwrap()).map(|s| (s.line, s.end_line)).collect();
        assert_eq!(lines, [(1, 66), (67, 132)]);
        assert!(b.events.iter().all(|e| e.shape() == EventShape::Evtx && e.get("EventID") == Some(&json!(1))));
        assert_eq!(
            b.events[1].get("CommandLine"),
            Some(&json!("dtrace.exe  -w -n \"syscall:::return {lkd(0); exit(0);}\""))
        );
        let text = read_regression(
            "rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/efc21479-9e83-41da-8cf1-122e06ba8db3.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.events.len(), 7);
        assert!(b.diagnostics.is_empty());
    }

    #[test]
    fn evtx_real_event_data_attributes() {
        // `<EventData Name="TaskDisabled">`: an attribute on EventData itself.
        let text = read_regression(
            "rules/windows/builtin/taskscheduler/win_taskscheduler_susp_schtasks_delete_or_disable/9e3cb244-bdb8-4632-8c90-6079c8f4f16d.json",
        );
        let e = one(&text);
        assert_eq!(e.get("EventID"), Some(&json!(142)));
        assert_eq!(e.get("TaskName"), Some(&json!("\\Microsoft\\Windows\\SystemRestore\\SR")));
        assert_eq!(e.get("UserName"), Some(&json!("System")));
        assert_eq!(e.get("EventData_Name"), Some(&json!("TaskDisabled")));
        assert_eq!(e.get("Name"), None);
        assert_eq!(e.get("#attributes"), None);
    }

    #[test]
    fn evtx_real_user_data() {
        let text = read_regression(
            "rules/windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog/d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.json",
        );
        let e = one(&text);
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("EventID"), Some(&json!(5858)));
        let op = e.get("Operation").and_then(Value::as_str).unwrap_or("");
        assert!(op.contains("Win32_NTEventlogFile") && op.contains("cleareventlog"), "{op}");
        assert_eq!(e.get("ClientProcessId"), Some(&json!(25920)));
        assert_eq!(e.get("Operation_ClientFailure"), None);
        assert_eq!(e.get("Operation_ClientFailure_xmlns"), None);
    }

    #[test]
    fn evtx_real_spaced_defender_names() {
        let text = read_regression(
            "rules-emerging-threats/2026/Exploits/RedSun/win_defender_exploit_redsun_tiering_engine_detected_as_eicar/a7c3e5f2-8b1d-4e9a-b6c2-3d7f5e8a9b4c.json",
        );
        let e = one(&text);
        assert_eq!(e.get("SourceName"), Some(&json!("Real-Time Protection")));
        assert_eq!(e.get("Source Name"), Some(&json!("Real-Time Protection")));
        assert_eq!(e.get("ProcessName"), Some(&json!("C:\\Users\\xodih\\Downloads\\RedSun.exe")));
        assert_eq!(e.get("ThreatName"), Some(&json!("Tool:Win32/EICAR_Test_File")));
        assert!(names(&e).iter().all(|n| !n.contains(' ')));
    }

    #[test]
    fn evtx_every_regression_file_parses() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "json") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(std::path::Path::new(REGRESSION), &mut files);
        assert!(files.len() >= 200, "found {}", files.len());
        let mut total = 0;
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let text = crate::base::text::decode_utf8(&bytes).unwrap();
            let b = parse_events(text);
            assert!(b.diagnostics.is_empty(), "{}: {:?}", f.display(), b.diagnostics);
            assert!(!b.events.is_empty(), "{}", f.display());
            for e in &b.events {
                assert_eq!(e.shape(), EventShape::Evtx, "{}", f.display());
                assert!(e.get("EventID").is_some_and(Value::is_number), "{}", f.display());
                assert!(e.get("Channel").is_some() && e.get("Computer").is_some(), "{}", f.display());
                assert!(e.fields().all(|(k, _)| !k.starts_with('#') && !k.contains(' ')), "{}", f.display());
            }
            total += b.events.len();
        }
        println!("{} regression files, {total} events", files.len());
    }

    #[test]
    fn evtx_data_list_shapes() {
        let e = Event::from_json(json!({"Event": {
            "System": {
                "Provider": {"@Name": "Service Control Manager", "@Guid": "{555908d1}", "@EventSourceName": "SCM"},
                "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": "7045"},
                "Level": "4",
                "Version": "00",
                "Computer": "host",
                "Image": "from-system"
            },
            "EventData": {"Data": [
                {"#attributes": {"Name": "ServiceName"}, "#text": "evil"},
                {"@Name": "ImagePath", "#text": "C:\\evil.exe"},
                {"Name": "StartType", "#text": "auto start"},
                {"#attributes": {"Name": "Empty"}},
                {"#attributes": {"Name": "Image"}, "#text": "from-data"},
                "unnamed one",
                {"#text": "unnamed two"}
            ], "Binary": "00AA"},
            "RenderingInfo": {"Message": "A service was installed"}
        }, "Timestamp": "2024-01-01", "Image": "outer"}));
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("Provider_Name"), Some(&json!("Service Control Manager")));
        assert_eq!(e.get("Provider_EventSourceName"), Some(&json!("SCM")));
        assert_eq!(e.get("EventID"), Some(&json!(7045)));
        assert_eq!(e.get("EventID_Qualifiers"), Some(&json!(16384)));
        assert_eq!(e.get("Level"), Some(&json!(4)));
        assert_eq!(e.get("Version"), Some(&json!("00")), "not a plain decimal, left as text");
        assert_eq!(e.get("ServiceName"), Some(&json!("evil")));
        assert_eq!(e.get("ImagePath"), Some(&json!("C:\\evil.exe")));
        assert_eq!(e.get("StartType"), Some(&json!("auto start")));
        assert_eq!(e.get("Empty"), Some(&Value::Null));
        assert_eq!(e.get("Image"), Some(&json!("from-data")), "EventData wins over System and outer keys");
        assert_eq!(e.get("Data"), Some(&json!(["unnamed one", "unnamed two"])));
        assert_eq!(e.get("Binary"), Some(&json!("00AA")));
        assert_eq!(e.get("RenderingInfo.Message"), Some(&json!("A service was installed")));
        assert_eq!(e.get("Timestamp"), Some(&json!("2024-01-01")));
    }

    #[test]
    fn evtx_without_wrapper_only_when_clear() {
        let e = one(r#"{"System": {"EventID": 4624, "Channel": "Security"}, "EventData": {"LogonType": 3}}"#);
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("LogonType"), Some(&json!(3)));
        assert_eq!(e.get("Channel"), Some(&json!("Security")));
        // A flat event that merely has a "System" field stays as it is.
        let e = one(r#"{"System": {"name": "linux"}, "EventData": "x"}"#);
        assert_eq!(e.shape(), EventShape::Nested);
        let e = one(r#"{"System": "Windows", "Image": "a"}"#);
        assert_eq!(e.shape(), EventShape::Flat);
        // "Event" that is not an evtx event.
        let e = one(r#"{"Event": "login", "user": "bob"}"#);
        assert_eq!(e.shape(), EventShape::Flat);
        assert_eq!(e.get("Event"), Some(&json!("login")));
    }

    #[test]
    fn evtx_single_and_unnamed_data_and_user_data_variants() {
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 104},
            "EventData": {"Data": {"#text": ["a", "b"]}}
        }}));
        assert_eq!(e.get("Data"), Some(&json!(["a", "b"])));
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 1},
            "EventData": {"Data": {"@Name": "Only", "#text": "one"}}
        }}));
        assert_eq!(e.get("Only"), Some(&json!("one")));
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 1102},
            "UserData": {"LogFileCleared": {
                "@xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog",
                "SubjectUserName": "admin",
                "Subject Domain": {"#text": "CORP"}
            }}
        }}));
        assert_eq!(e.get("SubjectUserName"), Some(&json!("admin")));
        assert_eq!(e.get("SubjectDomain"), Some(&json!("CORP")));
        assert_eq!(e.get("LogFileCleared_xmlns"), None);
    }
}
