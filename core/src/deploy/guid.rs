//! Stable GUIDs for exported rules: a name-based UUID (version 5, RFC 9562
//! §5.5) of the Sigma id, so that exporting the same rule again gives the same
//! Sentinel rule id and a redeploy updates the rule instead of adding one.
//! The hashing lives in [`crate::base::uuid`].

use crate::base::uuid::{uuid_v5, NAMESPACE_URL};

/// The exported rule's GUID: the Sigma `id` (lowercased, so that the same id
/// in another case is the same rule) and the target pipeline, whose queries
/// differ (two exports of one rule for two targets may share a workspace).
/// Without an id, the title stands in (stable while the title is).
pub fn rule_guid(sigma_id: &str, title: &str, pipeline: &str) -> String {
    let key = if sigma_id.trim().is_empty() {
        format!("title:{}", title.trim())
    } else {
        sigma_id.trim().to_ascii_lowercase()
    };
    uuid_v5(&NAMESPACE_URL, &format!("urn:sigma:{key}:{pipeline}"))
}

/// The `id` of a rule's regression-test `info.yml`: stable per rule, so that
/// exporting the tests again gives the same file.
pub fn regression_test_guid(sigma_id: &str) -> String {
    uuid_v5(&NAMESPACE_URL, &format!("urn:sigma:{}:regression-test", sigma_id.trim().to_ascii_lowercase()))
}

/// Whether `text` is a GUID in the 8-4-4-4-12 hex form.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_rule_gets_the_same_guid() {
        let a = rule_guid("3ab65069-d82a-4d44-a759-466661a082d1", "t", "sentinel_asim");
        assert_eq!(a, rule_guid("3AB65069-D82A-4D44-A759-466661A082D1", "other title", "sentinel_asim"));
        assert_ne!(a, rule_guid("3ab65069-d82a-4d44-a759-466661a082d1", "t", "microsoft_xdr"));
        assert!(is_guid(&a));
        assert!(!is_guid("not-a-guid"));
    }
}
