//! Near misses: the known name a mistyped one most likely meant, for "did
//! you mean" hints (modifiers, tags, logsource values, field names).

/// The closest of `known` to `name` (trimmed, lowercased) within an edit
/// distance of 2, if any.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = crate::base::case::to_lowercase(name.trim());
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over the first 64 characters of each (hints only:
/// bounded work for hostile input).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let up = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let left = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(up).min(left);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_within_two_edits() {
        assert_eq!(closest("contians", &["contains", "endswith"]), Some("contains"));
        assert_eq!(closest(" Experimantal ", &["experimental"]), Some("experimental"));
        assert_eq!(closest("zzzz", &["contains"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
