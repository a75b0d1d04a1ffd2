//! Reading inputs: placeholder arguments, files or stdin, rule folders.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sigmaplay_core::engine::matcher::MatchOptions;

/// Parse `NAME=V1,V2` (the name may be written `%NAME%`). Values are Sigma
/// strings (wildcards allowed), separated by commas.
pub fn parse_placeholder(arg: &str) -> Result<(String, Vec<String>), String> {
    let Some((name, values)) = arg.split_once('=') else {
        return Err(format!("expected NAME=V1,V2, got '{arg}'"));
    };
    let name = name.trim();
    let name = name.strip_prefix('%').and_then(|n| n.strip_suffix('%')).unwrap_or(name);
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains('%') {
        return Err(format!("'{name}' is not a placeholder name (expected NAME=V1,V2)"));
    }
    if values.is_empty() {
        return Err(format!("placeholder '{name}' needs at least one value (NAME=V1,V2)"));
    }
    Ok((name.to_string(), values.split(',').map(str::to_string).collect()))
}

/// Collect `--placeholder` arguments; a name given twice gets both value lists.
pub fn match_options(placeholders: &[(String, Vec<String>)]) -> MatchOptions {
    let mut opts = MatchOptions::default();
    for (name, values) in placeholders {
        opts.placeholders.entry(name.clone()).or_default().extend(values.iter().cloned());
    }
    opts
}

/// How an input is named in messages.
pub fn display_name(arg: &str) -> String {
    if arg == "-" {
        "<stdin>".to_string()
    } else {
        arg.to_string()
    }
}

/// Read a file, or stdin for `-`.
pub fn read_input(arg: &str) -> io::Result<Vec<u8>> {
    if arg == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(arg)
    }
}

/// A rule file to check, or a path that could not be listed.
pub enum Entry {
    File(PathBuf),
    Unreadable(PathBuf, String),
}

fn is_rule_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Expand the command-line paths: files as given (whatever their extension),
/// folders recursively to their *.yml / *.yaml files in name order. Symbolic
/// links to folders inside a folder are not followed (no cycles).
pub fn collect(paths: &[PathBuf]) -> Vec<Entry> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out),
            Ok(_) => out.push(Entry::File(p.clone())),
            Err(e) => out.push(Entry::Unreadable(p.clone(), e.to_string())),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Entry>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(Entry::Unreadable(dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    let mut entries: Vec<(std::ffi::OsString, PathBuf, Option<std::fs::FileType>)> =
        rd.filter_map(Result::ok).map(|e| (e.file_name(), e.path(), e.file_type().ok())).collect();
    // By name: the same order as by path (one parent), without comparing
    // paths component by component (a visible share of a large folder's run).
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, path, ty) in entries {
        let Some(ty) = ty else { continue };
        if ty.is_dir() {
            walk(&path, out);
        } else if is_rule_file(&path) && (ty.is_file() || (ty.is_symlink() && path.is_file())) {
            out.push(Entry::File(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_arguments() {
        assert_eq!(parse_placeholder("admins=a,b"), Ok(("admins".to_string(), vec!["a".to_string(), "b".to_string()])));
        assert_eq!(parse_placeholder("%admins%=x").map(|p| p.0), Ok("admins".to_string()));
        assert!(parse_placeholder("admins").is_err());
        assert!(parse_placeholder("=a").is_err());
        assert!(parse_placeholder("a=").is_err());
        assert!(parse_placeholder("a b=c").is_err());
        let opts = match_options(&[("a".into(), vec!["1".into()]), ("a".into(), vec!["2".into()])]);
        assert_eq!(opts.placeholders.get("a").map(Vec::len), Some(2));
    }
}
