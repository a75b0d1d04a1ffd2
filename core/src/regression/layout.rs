//! Where SigmaHQ keeps a rule's regression files, as repository-relative
//! paths with `/` separators.

/// `regression_data/<rule path without .yml>`: the folder of a rule's tests.
pub fn regression_folder(rule_path: &str) -> String {
    let path = rule_path.replace('\\', "/");
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let stem = path.strip_suffix(".yml").or_else(|| path.strip_suffix(".yaml")).unwrap_or(path);
    format!("regression_data/{stem}")
}

/// The file that holds a test's events in a form we read: `evtx` tests name
/// the binary log, whose JSON rendering sits next to it as `.json`; JSON
/// tests name their file directly.
pub fn events_file(test_path: &str, kind: &str) -> String {
    if kind == "evtx" {
        if let Some(stem) = strip_suffix_ascii_case(test_path, ".evtx") {
            return format!("{stem}.json");
        }
    }
    test_path.to_string()
}

/// The last component of a path, `/` or `\` separated.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A file name without its last extension.
pub fn file_stem(path: &str) -> &str {
    let name = file_name(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

fn strip_suffix_ascii_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmahq_paths() {
        assert_eq!(
            regression_folder("rules/windows/process_creation/proc_creation_win_certutil_download.yml"),
            "regression_data/rules/windows/process_creation/proc_creation_win_certutil_download"
        );
        assert_eq!(regression_folder(".\\rules-emerging-threats\\x.yaml"), "regression_data/rules-emerging-threats/x");
        assert_eq!(events_file("regression_data/a/b/id.evtx", "evtx"), "regression_data/a/b/id.json");
        assert_eq!(events_file("regression_data/a/b/id.EVTX", "evtx"), "regression_data/a/b/id.json");
        assert_eq!(events_file("regression_data/a/b/id.ndjson", "ndjson"), "regression_data/a/b/id.ndjson");
        assert_eq!(events_file("é", "evtx"), "é");
        assert_eq!(file_name("a/b\\c.evtx"), "c.evtx");
        assert_eq!((file_stem("a/id.evtx"), file_stem(".hidden"), file_stem("x")), ("id", ".hidden", "x"));
    }
}
