//! The core's folders are stages, and imports point down only: a module may
//! use its own folder and the folders on floors below it, never a sibling on
//! its own floor or anything above. `docs/architecture.md` shows the same
//! floors; this test reads every source file (tests excepted) and holds the
//! code to them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Floor of each top-level module of `core/src`, lowest first.
const FLOORS: &[(&str, u8)] = &[
    ("base", 0),
    ("data", 0),
    ("re", 1),
    ("event", 2),
    ("sigma", 2),
    ("kusto", 2),
    ("engine", 3),
    ("lint", 3),
    ("pipeline", 3),
    ("regression", 3),
    ("sources", 3),
    ("kql", 4),
    ("deploy", 5),
    ("api", 6),
];

fn floor(module: &str) -> Option<u8> {
    FLOORS.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(p);
        }
    }
}

/// The text of a file before its inline test module, if it has one.
fn code_part(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests {").map_or(text, |i| &text[..i])
}

/// Every top-level module named after `crate::` in `code`.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_top_level_module_has_a_floor() {
    let mut missing = Vec::new();
    for e in std::fs::read_dir(src()).expect("core/src").flatten() {
        let name = e.file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if name != "lib" && floor(&name).is_none() {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "give these a floor in FLOORS and in docs/architecture.md: {missing:?}");
}

#[test]
fn imports_point_down_only() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 50, "read only {} files", files.len());
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let Some((stage, _)) = rel.split_once('/') else { continue }; // lib.rs
        let Some(own) = floor(stage) else { continue }; // reported by the other test
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for used in crate_imports(code_part(&text)) {
            let ok = used == stage || floor(&used).is_some_and(|f| f < own);
            if !ok {
                wrong.entry(rel.clone()).or_default().push(used);
            }
        }
    }
    assert!(wrong.is_empty(), "imports from a stage on the same floor or above: {wrong:#?}");
}

#[test]
fn the_architecture_page_lists_every_floor() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/architecture.md"))
        .expect("docs/architecture.md");
    for (module, _) in FLOORS {
        assert!(page.contains(&format!("`{module}/`")), "docs/architecture.md does not describe `{module}/`");
    }
}

#[test]
fn the_checker_sees_a_wrong_import() {
    // Guard the guard: a sibling import on one floor and an upward one are caught.
    let code = "use crate::base::diag::Span;\nuse crate::kql::convert;\nfn f() { crate::pipeline::apply(); }\n";
    let used = crate_imports(code);
    assert_eq!(used, ["base", "kql", "pipeline"].iter().map(|s| s.to_string()).collect());
    let own = floor("engine").unwrap_or(0);
    let bad: Vec<_> = used.iter().filter(|u| floor(u).is_some_and(|f| f >= own)).collect();
    assert_eq!(bad, ["kql", "pipeline"]);
}
