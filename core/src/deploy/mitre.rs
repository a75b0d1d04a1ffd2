//! Sigma's `attack.*` tags as the tactics and techniques of Sentinel and
//! Defender.
//!
//! Sentinel names tactics in one word (`CommandAndControl`); the names it
//! accepts are Azure-Sentinel's `AttackTactic` enum (docs/deploy.md cites the
//! file). ATT&CK v19 split Defense Evasion into Stealth and Defense
//! Impairment; Sentinel still has only `DefenseEvasion`, so all three tags
//! become it.
//!
//! Azure-Sentinel's template validator (`NoTechniquesWithoutMatchingTactics`)
//! requires, for each technique, every tactic its own table lists for it. That
//! table is a fixed snapshot of ATT&CK, older than ours; [`validator_tactics`]
//! holds its enterprise part as facts (ids only), so that the export can say
//! in advance which technique the validator will refuse.

/// Sigma tactic tag (after `attack.`) → Sentinel tactic name.
const TACTICS: &[(&str, &str)] = &[
    ("collection", "Collection"),
    ("command-and-control", "CommandAndControl"),
    ("credential-access", "CredentialAccess"),
    ("defense-evasion", "DefenseEvasion"),
    ("defense-impairment", "DefenseEvasion"),
    ("discovery", "Discovery"),
    ("execution", "Execution"),
    ("exfiltration", "Exfiltration"),
    ("impact", "Impact"),
    ("impair-process-control", "ImpairProcessControl"),
    ("inhibit-response-function", "InhibitResponseFunction"),
    ("initial-access", "InitialAccess"),
    ("lateral-movement", "LateralMovement"),
    ("persistence", "Persistence"),
    ("privilege-escalation", "PrivilegeEscalation"),
    ("reconnaissance", "Reconnaissance"),
    ("resource-development", "ResourceDevelopment"),
    ("stealth", "DefenseEvasion"),
];

/// Every tactic name Sentinel accepts (Azure-Sentinel `AttackTactic`), in its order.
pub const SENTINEL_TACTICS: &[&str] = &[
    "InitialAccess",
    "Execution",
    "Persistence",
    "PrivilegeEscalation",
    "DefenseEvasion",
    "CredentialAccess",
    "Discovery",
    "LateralMovement",
    "Collection",
    "Exfiltration",
    "CommandAndControl",
    "Impact",
    "Reconnaissance",
    "ResourceDevelopment",
    "ImpairProcessControl",
    "InhibitResponseFunction",
];

/// The Sentinel tactic of a Sigma tag's value (`command-and-control`,
/// `command_and_control`), if it names a tactic.
pub fn sentinel_tactic(value: &str) -> Option<&'static str> {
    let value = value.trim().to_ascii_lowercase().replace('_', "-");
    TACTICS.iter().find(|(tag, _)| *tag == value).map(|(_, name)| *name)
}

/// A technique id from a tag's value (`t1059.001` → `T1059.001`), if it is one.
pub fn technique_id(value: &str) -> Option<String> {
    let value = value.trim();
    let rest = value.strip_prefix(['t', 'T'])?;
    let (main, sub) = match rest.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (rest, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(main, 4) || !sub.is_none_or(|s| digits(s, 3)) {
        return None;
    }
    Some(match sub {
        Some(s) => format!("T{main}.{s}"),
        None => format!("T{main}"),
    })
}

/// Enterprise techniques per tactic in Azure-Sentinel's validator table
/// (`KillChainTechniquesHelper`), as the numbers after `T`.
const VALIDATOR_TABLE: &[(&str, &[u16])] = &[
    ("InitialAccess", &[1078, 1091, 1133, 1189, 1190, 1195, 1199, 1200, 1566]),
    (
        "Persistence",
        &[
            1037, 1053, 1078, 1098, 1133, 1136, 1137, 1176, 1197, 1205, 1505, 1525, 1542, 1543, 1546, 1547, 1554, 1556,
            1574,
        ],
    ),
    ("PrivilegeEscalation", &[1037, 1053, 1055, 1068, 1078, 1134, 1484, 1543, 1546, 1547, 1548, 1574, 1611]),
    (
        "DefenseEvasion",
        &[
            1006, 1014, 1027, 1036, 1055, 1070, 1078, 1112, 1127, 1134, 1140, 1197, 1202, 1205, 1207, 1211, 1216, 1218,
            1220, 1221, 1222, 1480, 1484, 1497, 1535, 1542, 1548, 1550, 1553, 1556, 1562, 1564, 1574, 1578, 1599, 1600,
            1601, 1610, 1612,
        ],
    ),
    (
        "CredentialAccess",
        &[1003, 1040, 1056, 1110, 1111, 1187, 1212, 1528, 1539, 1552, 1555, 1556, 1557, 1558, 1606, 1613, 1614, 1621],
    ),
    (
        "Discovery",
        &[
            1007, 1010, 1012, 1016, 1018, 1033, 1040, 1046, 1049, 1057, 1069, 1082, 1083, 1087, 1120, 1124, 1135, 1201,
            1217, 1482, 1497, 1518, 1526, 1538, 1580,
        ],
    ),
    ("LateralMovement", &[1021, 1072, 1080, 1091, 1210, 1534, 1550, 1563, 1570]),
    ("Execution", &[1047, 1053, 1059, 1072, 1106, 1129, 1203, 1204, 1559, 1569]),
    (
        "Collection",
        &[
            1005, 1025, 1039, 1056, 1074, 1113, 1114, 1115, 1119, 1123, 1125, 1185, 1213, 1530, 1557, 1560, 1602, 1609,
            1610,
        ],
    ),
    ("Exfiltration", &[1011, 1020, 1029, 1030, 1041, 1048, 1052, 1537, 1567]),
    (
        "CommandAndControl",
        &[1001, 1008, 1071, 1090, 1092, 1095, 1102, 1104, 1105, 1132, 1205, 1219, 1568, 1571, 1572, 1573],
    ),
    ("Impact", &[1485, 1486, 1489, 1490, 1491, 1495, 1496, 1498, 1499, 1529, 1531, 1561, 1565]),
    ("Reconnaissance", &[1589, 1590, 1591, 1592, 1593, 1594, 1595, 1596, 1597, 1598]),
    ("ResourceDevelopment", &[1583, 1584, 1585, 1586, 1587, 1588, 1608]),
];

/// The tactics Azure-Sentinel's validator requires for a technique (its
/// sub-technique part is ignored, as the validator does); empty when its
/// table does not know the technique.
pub fn validator_tactics(technique: &str) -> Vec<&'static str> {
    let main = technique.split('.').next().unwrap_or(technique);
    let Some(number) = main.strip_prefix('T').and_then(|n| n.parse::<u16>().ok()) else { return Vec::new() };
    VALIDATOR_TABLE.iter().filter(|(_, ids)| ids.binary_search(&number).is_ok()).map(|(tactic, _)| *tactic).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_sentinel_tactics() {
        assert_eq!(sentinel_tactic("command-and-control"), Some("CommandAndControl"));
        assert_eq!(sentinel_tactic("command_and_control"), Some("CommandAndControl"));
        assert_eq!(sentinel_tactic("stealth"), Some("DefenseEvasion"));
        assert_eq!(sentinel_tactic("t1059"), None);
        for (_, name) in TACTICS {
            assert!(SENTINEL_TACTICS.contains(name), "{name}");
        }
    }

    #[test]
    fn technique_ids() {
        assert_eq!(technique_id("t1059.001").as_deref(), Some("T1059.001"));
        assert_eq!(technique_id("t1572").as_deref(), Some("T1572"));
        assert_eq!(technique_id("t15"), None);
        assert_eq!(technique_id("g0016"), None);
    }

    #[test]
    fn the_validator_table_is_sorted_and_knows_localtonet() {
        for (tactic, ids) in VALIDATOR_TABLE {
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{tactic} is not sorted");
            assert!(SENTINEL_TACTICS.contains(tactic));
        }
        for t in ["T1572", "T1090", "T1102"] {
            assert_eq!(validator_tactics(t), vec!["CommandAndControl"]);
        }
        assert_eq!(validator_tactics("T1078.004").len(), 4);
        assert!(validator_tactics("T1657").is_empty());
    }
}
