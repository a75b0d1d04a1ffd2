//! Validation of `re` values before they reach a regex engine.
//!
//! The matcher uses the `regex` crate (linear time, RE2-like syntax) and KQL's
//! `matches regex` is RE2, so a pattern must parse under those rules: no
//! look-around, no back-references. Checking here gives one clear message for
//! both backends.

/// Patterns longer than this are refused outright (they are not rules, they are attacks).
pub const MAX_PATTERN_LEN: usize = 64 * 1024;

pub fn validate(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("pattern is longer than {MAX_PATTERN_LEN} bytes"));
    }
    if let Some(hint) = unsupported_construct(pattern) {
        return Err(hint);
    }
    let mut parser = regex_syntax::ParserBuilder::new().nest_limit(100).build();
    parser.parse(pattern).map(|_| ()).map_err(|e| first_line(&e.to_string()))
}

fn first_line(text: &str) -> String {
    // regex-syntax renders a multi-line diagram; the last line names the problem.
    text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(text).trim().trim_start_matches("error: ").to_string()
}

/// Name PCRE features that RE2-style engines reject, with a hint, since the
/// raw parser error for them is cryptic.
fn unsupported_construct(p: &str) -> Option<String> {
    let checks: [(&str, &str); 5] = [
        ("(?=", "look-ahead '(?=' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?!", "negative look-ahead '(?!' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?<=", "look-behind '(?<=' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?<!", "negative look-behind '(?<!' is not supported by linear-time regex engines (RE2, KQL)"),
        ("(?>", "atomic groups '(?>' are not supported by linear-time regex engines (RE2, KQL)"),
    ];
    for (needle, msg) in checks {
        if p.contains(needle) && !p.contains(&format!("\\{needle}")) {
            return Some(msg.to_string());
        }
    }
    let bytes = p.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1].is_ascii_digit() && bytes[i + 1] != b'0' {
                return Some("back-references (\\1) are not supported by linear-time regex engines (RE2, KQL)".to_string());
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_and_rejects() {
        assert!(validate(r"^cmd\.exe$").is_ok());
        assert!(validate(r"(?i)foo|bar[0-9]{2,3}").is_ok());
        assert!(validate(r"foo(?=bar)").is_err());
        assert!(validate(r"(a)\1").is_err());
        assert!(validate(r"(unclosed").is_err());
        assert!(validate(&"(".repeat(10_000)).is_err());
    }
}
