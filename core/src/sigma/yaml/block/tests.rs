use std::path::{Path, PathBuf};

use proptest::prelude::*;
use saphyr_parser::Parser;

use super::*;

/// saphyr-parser's events for `text`, or `None` when it reports an error.
fn saphyr(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    Parser::new_from_str(text).collect::<Result<Vec<_>, _>>().ok()
}

/// When the block reader answers, saphyr-parser must give the same events.
fn agrees(text: &str) -> Result<bool, String> {
    let Some(ours) = events(text) else { return Ok(false) };
    match saphyr(text) {
        None => Err(format!("saphyr-parser rejects a text the block reader read:\n{text}")),
        Some(theirs) if theirs == ours => Ok(true),
        Some(theirs) => {
            let at = theirs.iter().zip(&ours).position(|(a, b)| a != b).unwrap_or(theirs.len().min(ours.len()));
            Err(format!(
                "events differ at #{at}:\n saphyr: {:?}\n ours:   {:?}\ntext:\n{text}",
                theirs.get(at),
                ours.get(at)
            ))
        }
    }
}

#[test]
fn typical_rules_are_read_and_agree() {
    let cases = [
        "title: Foo bar\nid: 1234\n# comment\ntags:\n    - attack.t1\n    - x # c\ndetection:\n  sel:\n    A|endswith: '\\\\x.exe'\n    B:\n      - a\n      - \"b\"\n  condition: sel\nlevel: high\n",
        "# lead\n\ntitle: x\nk:\nn: 1",
        "---\na: 1\n---\nb: 2\n",
        "a:\n- x\n- y: 1\n  z: 2\nb: 3",
        "a:   \n  # c\nb: ~",
        "a: x\n\n",
        "a: x   # c\n   # d\nb: y",
        "a:\n  b: 1\n# c\n  # d\nc: 2",
        "a:\n    - - x\n      - y\n    - k: v\n      l:\n        - 1\n",
        "x: 1",
        "a: \"x y\"  \nb: 'it''s'\n",
        "---   \na: 1\n",
        "a: b:c\nd: http://x/y#z\ne: -1\nf: 'a: b' # c\n",
        "t: Ünïcödé – ok\nk:\n  - é\n  - 'ü''x'\n",
        "a:\n- k:\n  - x\n  l: 2\n- m\n",
        "a: 1\n  \n",
        "a: 1\n# end",
        "a: 1\n   ",
        "description: |\n    Line one\n      indented\n\n    last\nid: 1\n",
        "a: |\n  x\n\n\nb: 1",
        "a: |-\n  x\n  # not comment\n# comment\nb: 1\n",
        "a:\n  - |\n    x\n  - y\n",
        "a: |  # c\n  x\n",
        "a:\n  b: |\n    x\n\n    y\n  c: 1\n",
    ];
    for text in cases {
        assert_eq!(agrees(text), Ok(true), "{text}");
    }
}

#[test]
fn other_yaml_is_left_to_saphyr() {
    let cases = [
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: >\n  text\n",
        "a: |+\n  text\n",
        "a: |2\n  text\n",
        "a: |\n\n  text\n",
        "a: |\nb: 1\n",
        "a: |\n  x\n   \n  y\n",
        "a: |\n  x",
        "a: first\n  second\n",
        "a: &x 1\nb: *x\n",
        "a: !tag 1\n",
        "a:\tb\n",
        "a: 1\r\n",
        "a: \"x\\ty\"\n",
        "a: 'multi\n  line'\n",
        "a:\n  -\n  - x\n",
        "? a\n: b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n",
        "a: 1\n---\n",
        "",
        "# only a comment\n",
        "  a: 1\n",
        "just a scalar\n",
        "'a': 1\n",
        "a: b: c\n",
        "--- a\n",
        "\u{feff}a: 1\n",
    ];
    for text in cases {
        assert_eq!(events(text).map(|e| e.len()), None, "{text:?}");
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for p in rd.filter_map(Result::ok).map(|e| e.path()) {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

/// Every YAML file of the shared corpus (rules, pipelines, regression data):
/// where the block reader answers, its events are saphyr-parser's. It must
/// answer for nearly every rule, or the fast path has silently stopped being one.
#[test]
fn corpus_agrees_with_saphyr() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    if files.is_empty() {
        eprintln!("SKIPPED: no corpus under {}", root.display());
        return;
    }
    let (mut read, mut rules, mut rules_read) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let is_rule = path.components().any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with("rules")));
        match agrees(&text) {
            Ok(hit) => {
                read += usize::from(hit);
                rules += usize::from(is_rule);
                rules_read += usize::from(is_rule && hit);
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{} files differ, first: {}", failures.len(), failures[0]);
    eprintln!("block reader: {read} of {} corpus files, {rules_read} of {rules} rule files", files.len());
    assert!(rules_read * 100 >= rules * 95, "only {rules_read} of {rules} rule files take the fast path");
}

/// A scalar as a rule might write it: plain (with the characters that end or
/// continue one), single- or double-quoted, non-ASCII.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9_.\\\\/é–][a-zA-Z0-9_.|\\\\/ :#'\"é–-]{0,10}",
        2 => "[a-zA-Z0-9_.|\\\\/ :#'\"é–-]{0,12}",
        1 => "'[a-z :#'é-]{0,8}'",
        1 => "\"[a-z :#'é-]{0,8}\"",
        1 => Just("'it''s'".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("a: b".to_string()),
        1 => Just("x # c".to_string()),
        1 => Just("[1]".to_string()),
    ]
}

/// A key as a rule might write it (some are not keys at all).
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => "[a-zA-Z][a-zA-Z0-9_|. ]{0,10}",
        1 => Just("'q'".to_string()),
        1 => Just("-k".to_string()),
        1 => Just("é".to_string()),
    ]
}

#[derive(Debug, Clone)]
enum Doc {
    Scalar(String),
    /// A literal block scalar's lines (empty ones blank) and whether it strips.
    Literal(Vec<String>, bool),
    Map(Vec<(String, Doc)>),
    Seq(Vec<Doc>),
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = prop_oneof![
        4 => scalar().prop_map(Doc::Scalar),
        1 => (prop::collection::vec("[a-z #:']{0,8}", 1..4), any::<bool>()).prop_map(|(l, s)| Doc::Literal(l, s)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec((key(), inner.clone()), 1..4).prop_map(Doc::Map),
            prop::collection::vec(inner, 1..4).prop_map(Doc::Seq),
        ]
    })
}

/// The end of a rendered line: spaces or a comment now and then, and now and
/// then a blank or comment line after it.
fn line_end(out: &mut String, noise: u8, i: usize) {
    match (noise as usize + i) % 5 {
        1 => out.push_str("  "),
        2 => out.push_str(" # c"),
        _ => {}
    }
    out.push('\n');
    if (noise as usize + i) % 7 == 3 {
        out.push_str(if i.is_multiple_of(2) { "\n" } else { "  # note\n" });
    }
}

/// A scalar after `key:` or `-` (the `i`-th child); `false` for collections.
fn render_leaf(d: &Doc, at: usize, noise: u8, i: usize, out: &mut String) -> bool {
    match d {
        Doc::Scalar(s) => {
            out.push(' ');
            out.push_str(s);
            line_end(out, noise, i);
        }
        Doc::Literal(lines, strip) => {
            out.push_str(if *strip { " |-" } else { " |" });
            out.push('\n');
            for l in lines {
                if !l.is_empty() {
                    out.push_str(&" ".repeat(at));
                    out.push_str(l);
                }
                out.push('\n');
            }
        }
        Doc::Map(_) | Doc::Seq(_) => return false,
    }
    true
}

/// Render a document in block style with the given indent step; `compact`
/// writes mappings in sequences as `- k: v`, `indentless` sequences under keys
/// at the key's indent; noise adds comments, blank lines and trailing spaces.
fn render(d: &Doc, indent: usize, step: usize, style: (bool, bool, u8), out: &mut String) {
    let (compact, indentless, noise) = style;
    let pad = " ".repeat(indent);
    match d {
        Doc::Scalar(s) => {
            out.push_str(&pad);
            out.push_str(s);
            line_end(out, noise, 0);
        }
        Doc::Literal(..) => {
            out.push_str(&pad);
            render_leaf(d, indent + step, noise, 0, out);
        }
        Doc::Map(pairs) => {
            for (i, (k, v)) in pairs.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                if !render_leaf(v, indent + step, noise, i, out) {
                    line_end(out, noise, i);
                    let child_indent = if indentless && matches!(v, Doc::Seq(_)) { indent } else { indent + step };
                    render(v, child_indent, step, style, out);
                }
            }
        }
        Doc::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad);
                out.push('-');
                if render_leaf(v, indent + step, noise, i, out) {
                    continue;
                }
                if compact {
                    // The first line of the child after `- `, the rest at its indent.
                    let mut child = String::new();
                    render(v, indent + 2, step, style, &mut child);
                    out.push(' ');
                    out.push_str(child.get(indent + 2..).unwrap_or(""));
                } else {
                    line_end(out, noise, i);
                    render(v, indent + step, step, style, out);
                }
            }
        }
    }
}

fn document_text(d: &Doc, second: Option<&Doc>, step: usize, style: (bool, bool, u8), final_break: bool) -> String {
    let mut text = String::new();
    if style.2.is_multiple_of(3) {
        text.push_str("# head\n\n");
    }
    render(d, 0, step, style, &mut text);
    if let Some(second) = second {
        text.push_str("---\n");
        render(second, 0, step, style, &mut text);
    }
    if !final_break {
        while text.ends_with('\n') {
            text.pop();
        }
    }
    text
}

/// The generator must reach the fast path often, or the property below
/// would compare little.
#[test]
fn generated_documents_often_take_the_fast_path() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (doc(), 1usize..5, any::<bool>(), any::<bool>(), any::<u8>());
    let mut read = 0;
    for _ in 0..500 {
        let Ok(tree) = strategy.new_tree(&mut runner) else { continue };
        let (d, step, compact, indentless, noise) = tree.current();
        read += usize::from(events(&document_text(&d, None, step, (compact, indentless, noise), true)).is_some());
    }
    assert!(read >= 150, "only {read} of 500 generated documents were read by the block reader");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Generated block documents: whenever the block reader answers, its events
    /// are saphyr-parser's (spans included).
    #[test]
    fn generated_documents_agree(
        d in doc(),
        step in 1usize..5,
        compact in any::<bool>(),
        indentless in any::<bool>(),
        noise in any::<u8>(),
        second in prop::option::of(doc()),
        final_break in any::<bool>(),
    ) {
        let text = document_text(&d, second.as_ref(), step, (compact, indentless, noise), final_break);
        prop_assert_eq!(agrees(&text).map(|_| ()), Ok(()));
    }

    /// Any text over YAML's significant characters: never a panic, and the
    /// same events whenever the block reader answers.
    #[test]
    fn arbitrary_text_agrees(text in "[a-c :#'\"\\-\n é|.\\[]{0,60}") {
        prop_assert_eq!(agrees(&text).map(|_| ()), Ok(()));
    }
}
