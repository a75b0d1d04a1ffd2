//! Which column of a query's result gives which entity.
//!
//! Sentinel maps result columns to entities (type + identifier, from
//! Azure-Sentinel's `EntityMappingIdentifiers`); Defender names impacted
//! assets (a device, a user) by an identifier that is itself a column name in
//! camel case. The lists below are tried in order and the first column the
//! result has wins; a column is only ever taken from the result's real
//! columns ([`crate::kusto::schema`] or the query's own projection), never
//! guessed. Sigma field names (`Computer`, `User`, `IpAddress`) are listed
//! too: a correlation's result has its group-by fields under those names.

use serde::Serialize;

/// One Sentinel entity mapping with a single field mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityMapping {
    /// `Host`, `Account`, `Process`, `IP`, `File`, `URL`, `RegistryKey`.
    pub entity_type: &'static str,
    /// The entity's identifier (`HostName`, `FullName`, `CommandLine`, ...).
    pub identifier: &'static str,
    pub column: String,
}

/// (entity type, [(identifier, column)]) in the order tried. A host's
/// `FullName` is its FQDN (Defender's `DeviceName`, Log Analytics'
/// `Computer`); an account's `FullName` takes `DOMAIN\user` or a UPN, which
/// is what ASIM's `*Username` columns hold.
const SENTINEL_CANDIDATES: &[(&str, &[(&str, &str)])] = &[
    (
        "Host",
        &[
            ("HostName", "DvcHostname"),
            ("FullName", "DeviceName"),
            ("FullName", "Computer"),
            ("HostName", "HostName"),
            ("HostName", "Hostname"),
            ("FullName", "ComputerName"),
        ],
    ),
    (
        "Account",
        &[
            ("FullName", "ActorUsername"),
            ("FullName", "TargetUsername"),
            ("FullName", "SrcUsername"),
            ("Sid", "AccountSid"),
            ("Sid", "InitiatingProcessAccountSid"),
            ("FullName", "Account"),
            ("FullName", "UserPrincipalName"),
            ("FullName", "AccountUpn"),
            ("Name", "AccountName"),
            ("Name", "InitiatingProcessAccountName"),
            ("FullName", "User"),
            ("Name", "TargetUserName"),
            ("Name", "SubjectUserName"),
        ],
    ),
    (
        "Process",
        &[
            ("CommandLine", "ProcessCommandLine"),
            ("CommandLine", "TargetProcessCommandLine"),
            ("CommandLine", "CommandLine"),
            ("CommandLine", "InitiatingProcessCommandLine"),
            ("CommandLine", "ActingProcessCommandLine"),
        ],
    ),
    (
        "IP",
        &[
            ("Address", "RemoteIP"),
            ("Address", "DstIpAddr"),
            ("Address", "SrcIpAddr"),
            ("Address", "IpAddress"),
            ("Address", "IPAddress"),
            ("Address", "CallerIpAddress"),
            ("Address", "HostIP"),
            ("Address", "DestinationIp"),
            ("Address", "SourceIp"),
        ],
    ),
    ("File", &[("Name", "FileName"), ("Name", "TargetFileName")]),
    ("URL", &[("Url", "RemoteUrl"), ("Url", "Url")]),
    ("RegistryKey", &[("Key", "RegistryKey")]),
];

/// The entity mappings a result with `columns` supports, one per entity type,
/// in the order of [`SENTINEL_CANDIDATES`].
pub fn sentinel_entities(columns: &[String]) -> Vec<EntityMapping> {
    SENTINEL_CANDIDATES
        .iter()
        .filter_map(|(entity_type, options)| {
            let (identifier, column) = options.iter().find(|(_, c)| columns.iter().any(|have| have == c))?;
            Some(EntityMapping { entity_type, identifier, column: (*column).to_string() })
        })
        .collect()
}

/// Every column [`sentinel_entities`] may use, for the projection of a query
/// that must keep them.
pub fn entity_columns() -> impl Iterator<Item = &'static str> {
    SENTINEL_CANDIDATES.iter().flat_map(|(_, options)| options.iter().map(|(_, c)| *c))
}

/// A Defender impacted asset: the Graph type and its identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpactedAsset {
    /// `#microsoft.graph.security.impactedDeviceAsset` or `...impactedUserAsset`.
    pub odata_type: &'static str,
    /// The Graph identifier (`deviceId`): the result column of that name in Pascal case.
    pub identifier: &'static str,
    pub column: &'static str,
}

const DEVICE_ASSET: &str = "#microsoft.graph.security.impactedDeviceAsset";
const USER_ASSET: &str = "#microsoft.graph.security.impactedUserAsset";

/// Graph's `deviceAssetIdentifier` and `userAssetIdentifier` values that name
/// a result column, in the order tried (one device, one user).
const DEFENDER_CANDIDATES: &[(&str, &[(&str, &str)])] = &[
    (DEVICE_ASSET, &[("deviceId", "DeviceId"), ("deviceName", "DeviceName")]),
    (
        USER_ASSET,
        &[
            ("accountObjectId", "AccountObjectId"),
            ("accountSid", "AccountSid"),
            ("accountUpn", "AccountUpn"),
            ("initiatingProcessAccountUpn", "InitiatingProcessAccountUpn"),
            ("accountName", "AccountName"),
        ],
    ),
];

/// The impacted assets a Defender table supports: a device and a user, each
/// when one of its identifier columns is in `columns`.
pub fn defender_assets(columns: &[&str]) -> Vec<ImpactedAsset> {
    DEFENDER_CANDIDATES
        .iter()
        .filter_map(|(odata_type, options)| {
            let (identifier, column) = options.iter().find(|(_, c)| columns.contains(c))?;
            Some(ImpactedAsset { odata_type, identifier, column })
        })
        .collect()
}

/// Azure-Sentinel's rule for a field mapping's column name: a letter or `_`,
/// then letters, digits and `_` (`ValidEntityMappingsAttribute`).
pub fn valid_column_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Identifiers Azure-Sentinel allows per entity type, and the sets of which
/// one must be present (`EntityMappingIdentifiers`), for the types exported.
pub fn identifier_rules(entity_type: &str) -> Option<(&'static [&'static str], &'static [&'static [&'static str]])> {
    Some(match entity_type {
        "Account" => (
            &[
                "Name",
                "FullName",
                "NTDomain",
                "DnsDomain",
                "UPNSuffix",
                "Sid",
                "AadTenantId",
                "AadUserId",
                "PUID",
                "IsDomainJoined",
                "DisplayName",
                "ObjectGuid",
            ],
            &[&["FullName"], &["Sid"], &["Name"], &["AadUserId"], &["PUID"], &["ObjectGuid"]],
        ),
        "Host" => (
            &[
                "DnsDomain",
                "NTDomain",
                "HostName",
                "FullName",
                "NetBiosName",
                "AzureID",
                "OMSAgentID",
                "OSFamily",
                "OSVersion",
                "IsDomainJoined",
            ],
            &[&["FullName"], &["HostName"], &["NetBiosName"], &["AzureID"], &["OMSAgentID"]],
        ),
        "Process" => {
            (&["ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"], &[&["CommandLine"], &["ProcessId"]])
        }
        "IP" => (&["Address"], &[&["Address"]]),
        "File" => (&["Directory", "Name"], &[&["Name"]]),
        "URL" => (&["Url"], &[&["Url"]]),
        "RegistryKey" => (&["Hive", "Key"], &[&["Key"], &["Hive"]]),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_candidate_is_a_valid_mapping() {
        for (entity_type, options) in SENTINEL_CANDIDATES {
            let (allowed, required) = identifier_rules(entity_type).expect("known entity type");
            for (identifier, column) in *options {
                assert!(allowed.contains(identifier), "{entity_type}/{identifier}");
                assert!(required.iter().any(|set| set == &[*identifier]), "{entity_type}/{identifier} alone");
                assert!(valid_column_name(column));
            }
        }
    }

    #[test]
    fn first_present_column_wins() {
        let cols: Vec<String> = ["DeviceName", "RemoteIP", "InitiatingProcessCommandLine", "RemoteUrl"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = sentinel_entities(&cols);
        let pairs: Vec<(&str, &str)> = e.iter().map(|m| (m.entity_type, m.column.as_str())).collect();
        assert_eq!(
            pairs,
            vec![
                ("Host", "DeviceName"),
                ("Process", "InitiatingProcessCommandLine"),
                ("IP", "RemoteIP"),
                ("URL", "RemoteUrl")
            ]
        );
        let assets = defender_assets(&["DeviceId", "InitiatingProcessAccountUpn"]);
        assert_eq!(assets.len(), 2);
        assert!(!valid_column_name("1abc"));
        assert!(!valid_column_name("a.b"));
    }
}
