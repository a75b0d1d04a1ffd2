use super::*;
use crate::base::diag::Severity;
use crate::kusto::literal::{identifier, number_literal, string_literal, table_reference};
use crate::kusto::schema::ColumnType;
use crate::pipeline::{self, MappedItem};
use crate::sigma::compiled::Item;
use crate::sigma::expr::Expr;
use crate::sigma::rule::parse_rule;

fn rule(detection: &str) -> Rule {
    let text = format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}");
    parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn conv(detection: &str) -> Conversion {
    convert(&rule(detection), &Pipeline::none(), &Placeholders::new())
}

/// Convert with the `none` pipeline; the one query.
fn none(detection: &str) -> String {
    let c = conv(detection);
    assert_eq!(c.queries.len(), 1, "{c:#?}");
    c.queries[0].clone()
}

/// One selection `sel` with one item, converted with `none`.
fn one(key: &str, value: &str) -> String {
    none(&format!("  sel:\n    {key}: {value}\n  condition: sel\n"))
}

/// Simulate a pipeline that knows column types: table `T`, fields typed from `types`.
fn mapped(detection: &str, types: &[(&str, ColumnType)]) -> Mapped {
    let r = rule(detection);
    let (det, diags) = compiled::compile_detection(&r.detection, &Placeholders::new());
    assert!(!crate::base::diag::has_errors(&diags), "{diags:#?}");
    let expr = expr::lower(&det).map_leaves(&mut |item: Item| {
        let column_type =
            types.iter().find(|(f, _)| item.field.as_deref() == Some(*f)).map_or(ColumnType::Unknown, |(_, t)| *t);
        Expr::Leaf(MappedItem { sigma_field: item.field.clone(), item, column_type })
    });
    Mapped { pipeline: "test".into(), table: Some("T".into()), expr, notes: Vec::new(), field_mappings: Vec::new() }
}

fn typed(key: &str, value: &str, t: ColumnType) -> String {
    let field = key.split('|').next().unwrap_or(key);
    let m = mapped(&format!("  sel:\n    {key}: {value}\n  condition: sel\n"), &[(field, t)]);
    let q = render(&m).unwrap_or_else(|d| panic!("{d:#?}"));
    q.strip_prefix("T\n| where ").unwrap_or_else(|| panic!("no table prefix: {q}")).to_string()
}

// ---------------------------------------------------------------------------
// Operators, `none` pipeline (no schema)

#[test]
fn equality_and_lists() {
    assert_eq!(one("A", "x"), r#"A =~ "x""#);
    assert_eq!(one("A|cased", "x"), r#"A == "x""#);
    assert_eq!(one("A", "[a, b]"), r#"A in~ ("a", "b")"#);
    assert_eq!(one("A|cased", "[a, b]"), r#"A in ("a", "b")"#);
    // `all` is an AND of equalities, never has_all.
    assert_eq!(one("A|all", "[a, b]"), r#"A =~ "a" and A =~ "b""#);
    // Plain values are grouped, the others stay as they are, in order.
    assert_eq!(one("A", "[a, 'b*', c]"), r#"A in~ ("a", "c") or A startswith "b""#);
    // Duplicates are listed once.
    assert_eq!(one("A", "[a, a]"), r#"A =~ "a""#);
}

#[test]
fn position_modifiers() {
    assert_eq!(one("A|contains", "x"), r#"A contains "x""#);
    assert_eq!(one("A|startswith", "x"), r#"A startswith "x""#);
    assert_eq!(one("A|endswith", "x"), r#"A endswith "x""#);
    assert_eq!(one("A|contains|cased", "x"), r#"A contains_cs "x""#);
    assert_eq!(one("A|startswith|cased", "x"), r#"A startswith_cs "x""#);
    assert_eq!(one("A|endswith|cased", "x"), r#"A endswith_cs "x""#);
    assert_eq!(one("A|contains|all", "[a, b]"), r#"A contains "a" and A contains "b""#);
    // OR of many contains stays OR.
    assert_eq!(one("A|contains", "[a, b, c]"), r#"A contains "a" or A contains "b" or A contains "c""#);
    // Wildcards written by hand mean the same as the modifiers.
    assert_eq!(one("A", "'*x*'"), r#"A contains "x""#);
    assert_eq!(one("A", "'x*'"), r#"A startswith "x""#);
    assert_eq!(one("A", "'*x'"), r#"A endswith "x""#);
    assert_eq!(one("A", "'**x**'"), r#"A contains "x""#);
    assert_eq!(one("A", "'*'"), "isnotempty(A)");
    assert_eq!(one("A|contains", "''"), "isnotempty(A)");
}

#[test]
fn inner_wildcards_become_anchored_regexes() {
    assert_eq!(one("A", "'foo*bar'"), r#"A matches regex "(?is)^foo.*bar$""#);
    assert_eq!(one("A", "'a?b'"), r#"A matches regex "(?is)^a.b$""#);
    assert_eq!(one("A|cased", "'foo*bar'"), r#"A matches regex "(?s)^foo.*bar$""#);
    // A side that ends in `*` needs no anchor.
    assert_eq!(one("A|contains", "'foo*bar'"), r#"A matches regex "(?is)foo.*bar""#);
    assert_eq!(one("A|startswith", "'a?b'"), r#"A matches regex "(?is)^a.b""#);
    assert_eq!(one("A|endswith", "'a?b'"), r#"A matches regex "(?is)a.b$""#);
    // Regex metacharacters in the literal parts are escaped (then the string layer: verbatim).
    assert_eq!(one("A", "'C:\\Prog*\\a.exe'"), r#"A matches regex @"(?is)^C:\\Prog.*\\a\.exe$""#);
    assert_eq!(one("A", "'(x)*[y]+{z}|^$'"), r#"A matches regex @"(?is)^\(x\).*\[y\]\+\{z\}\|\^\$$""#);
}

#[test]
fn windash_is_a_character_class() {
    assert_eq!(one("A|windash|contains", "' -enc '"), "A matches regex \"(?i) [-/\u{2013}\u{2014}\u{2015}]enc \"");
    assert_eq!(one("A|windash", "'-x'"), "A matches regex \"(?i)^[-/\u{2013}\u{2014}\u{2015}]x$\"");
    assert_eq!(one("A|windash|contains|cased", "'-x'"), "A matches regex \"[-/\u{2013}\u{2014}\u{2015}]x\"");
    // Without a dash, windash changes nothing.
    assert_eq!(one("A|windash|contains", "abc"), r#"A contains "abc""#);
}

#[test]
fn regular_expressions() {
    assert_eq!(one("A|re", "'ab+c'"), r#"A matches regex "ab+c""#);
    assert_eq!(one("A|re|i", "'ab+c'"), r#"A matches regex "(?i)ab+c""#);
    assert_eq!(one("A|re|m", "'^a'"), r#"A matches regex "(?m)^a""#);
    assert_eq!(one("A|re|s", "'a.b'"), r#"A matches regex "(?s)a.b""#);
    assert_eq!(one("A|re|i|m|s", "'a'"), r#"A matches regex "(?ims)a""#);
    // Backslashes: verbatim; a quote too: regular string with both escaped.
    assert_eq!(one("A|re", r"'\d+\.exe'"), r#"A matches regex @"\d+\.exe""#);
    assert_eq!(one("A|re", r#"'a"\d'"#), r#"A matches regex "a\"\\d""#);
    assert_eq!(one("A|re|neq", "'x'"), r#"not(A matches regex "x")"#);
    // A list of regexes is an OR (no grouping).
    assert_eq!(one("A|re", "['a', 'b']"), r#"A matches regex "a" or A matches regex "b""#);
}

#[test]
fn cidr_by_address_family() {
    assert_eq!(one("A|cidr", "10.0.0.0/8"), r#"ipv4_is_in_range(A, "10.0.0.0/8")"#);
    assert_eq!(one("A|cidr", "'fe80::/10'"), r#"ipv6_is_in_range(A, "fe80::/10")"#);
    assert_eq!(
        one("A|cidr", "['10.0.0.0/8', '::1/128']"),
        r#"ipv4_is_in_range(A, "10.0.0.0/8") or ipv6_is_in_range(A, "::1/128")"#
    );
    // A bare address is a /32.
    assert_eq!(one("A|cidr", "'192.168.1.1'"), r#"ipv4_is_in_range(A, "192.168.1.1/32")"#);
    // Under a negation the null that a non-IP value gives is made false first.
    assert_eq!(
        none("  sel:\n    A|cidr: ['10.0.0.0/8', '172.16.0.0/12']\n  condition: not sel\n"),
        r#"not(coalesce(ipv4_is_in_range(A, "10.0.0.0/8") or ipv4_is_in_range(A, "172.16.0.0/12"), false))"#
    );
    assert_eq!(one("A|cidr|neq", "10.0.0.0/8"), r#"not(coalesce(ipv4_is_in_range(A, "10.0.0.0/8"), false))"#);
    // Two negations: positive again, no coalesce needed.
    assert_eq!(
        none("  sel:\n    A|cidr|neq: 10.0.0.0/8\n  condition: not sel\n"),
        r#"ipv4_is_in_range(A, "10.0.0.0/8")"#
    );
}

#[test]
fn numbers_and_comparisons() {
    assert_eq!(one("EventID", "4688"), "EventID == 4688");
    assert_eq!(one("EventID", "[4688, 1]"), "EventID in (4688, 1)");
    assert_eq!(one("A", "1.5"), "A == 1.5");
    assert_eq!(one("A", "-3"), "A == -3");
    assert_eq!(one("A|gt", "5"), "A > 5");
    assert_eq!(one("A|gte", "5"), "A >= 5");
    assert_eq!(one("A|lt", "5"), "A < 5");
    assert_eq!(one("A|lte", "'5'"), "A <= 5");
    assert_eq!(one("A|all|gt", "[1, 2]"), "A > 1 and A > 2");
    // `not (A > 5)` must keep rows where A is null: Kusto's `not(null)` is null.
    assert_eq!(none("  sel:\n    A|gt: 5\n  condition: not sel\n"), "not(coalesce(A > 5, false))");
    // `neq` of numbers: `!=` is never null against a literal.
    assert_eq!(one("A|neq", "5"), "A != 5");
    assert_eq!(one("A|neq", "[5, 6]"), "A !in (5, 6)");
    assert_eq!(number_literal(1e300), "1e300");
    assert_eq!(number_literal(f64::INFINITY), "real(+inf)");
    assert_eq!(number_literal(-0.25), "-0.25");
}

#[test]
fn null_exists_and_booleans() {
    // No schema: isempty() holds for "" and for null, whatever the type.
    assert_eq!(one("A", "null"), "isempty(A)");
    assert_eq!(none("  sel:\n    A: null\n  condition: not sel\n"), "isnotempty(A)");
    let c = conv("  sel:\n    A|exists: true\n  condition: sel\n");
    assert_eq!(c.queries, vec!["isnotempty(A)".to_string()]);
    assert!(
        c.diagnostics.iter().any(|d| d.code == "kql-exists-approximated" && d.severity == Severity::Info),
        "{c:#?}"
    );
    assert_eq!(one("A|exists", "false"), "isempty(A)");
    assert_eq!(one("A", "true"), "A == true");
    assert_eq!(one("A", "'true'"), r#"A =~ "true""#);
}

#[test]
fn field_references() {
    assert_eq!(one("A|fieldref", "B"), "A =~ B");
    assert_eq!(one("A|fieldref|cased", "B"), "A == B");
    assert_eq!(one("A|fieldref|contains", "B"), "A contains B");
    assert_eq!(one("A|fieldref|startswith", "B"), "A startswith B");
    assert_eq!(one("A|fieldref|endswith", "B"), "A endswith B");
    assert_eq!(one("A|fieldref|endswith|cased", "B"), "A endswith_cs B");
    assert_eq!(one("A|fieldref|neq", "B"), "A !~ B");
    assert_eq!(one("A|fieldref", "['B', 'c-d']"), "A =~ B or A =~ ['c-d']");
}

#[test]
fn time_parts() {
    assert_eq!(one("T|hour|gte", "22"), r#"datetime_part("hour", todatetime(T)) >= 22"#);
    assert_eq!(one("T|minute", "5"), r#"datetime_part("minute", todatetime(T)) == 5"#);
    assert_eq!(one("T|day|lt", "3"), r#"datetime_part("day", todatetime(T)) < 3"#);
    assert_eq!(one("T|week", "3"), r#"datetime_part("week_of_year", todatetime(T)) == 3"#);
    assert_eq!(
        one("T|month", "[1, 2]"),
        r#"datetime_part("month", todatetime(T)) == 1 or datetime_part("month", todatetime(T)) == 2"#
    );
    assert_eq!(one("T|year|gt", "2020"), r#"datetime_part("year", todatetime(T)) > 2020"#);
    assert_eq!(
        none("  sel:\n    T|hour|gte: 22\n  condition: not sel\n"),
        r#"not(coalesce(datetime_part("hour", todatetime(T)) >= 22, false))"#
    );
}

#[test]
fn encodings_and_placeholders() {
    assert_eq!(one("A|base64", "abc"), r#"A =~ "YWJj""#);
    assert_eq!(one("A|base64|contains", "abc"), r#"A contains "YWJj""#);
    assert_eq!(one("A|base64offset|contains", "abc"), r#"A contains "YWJj" or A contains "FiY" or A contains "hYm""#);
    // utf16 then base64: plain ASCII out.
    assert_eq!(
        one("A|utf16le|base64offset|contains", "'a'"),
        r#"A contains "YQ" or A contains "EA" or A contains "hA""#
    );
    // utf16 alone: NUL characters, written as \u0000.
    assert_eq!(one("A|wide|contains", "ab"), r#"A contains "a\u0000b\u0000""#);
    assert_eq!(one("A|utf16be|contains", "a"), r#"A contains "\u0000a""#);
    assert_eq!(one("A|utf16|contains", "a"), "A contains \"\u{ff}\u{fe}a\\u0000\"");
    let r = rule("  sel:\n    A|expand: '%Admins%'\n  condition: sel\n");
    let mut p = Placeholders::new();
    p.insert("Admins".into(), vec!["root".into(), "adm*".into()]);
    let c = convert(&r, &Pipeline::none(), &p);
    assert_eq!(c.queries, vec![r#"A =~ "root" or A startswith "adm""#.to_string()]);
    // Missing placeholder values: no query, and why.
    let c = convert(&r, &Pipeline::none(), &Placeholders::new());
    assert!(c.queries.is_empty());
    assert!(c.diagnostics.iter().any(|d| d.code == "unresolved-placeholder"), "{c:#?}");
}

#[test]
fn negation_uses_negated_operators() {
    assert_eq!(one("A|neq", "x"), r#"A !~ "x""#);
    assert_eq!(one("A|neq|cased", "x"), r#"A != "x""#);
    assert_eq!(one("A|neq", "[a, b]"), r#"A !in~ ("a", "b")"#);
    assert_eq!(one("A|contains|neq", "x"), r#"A !contains "x""#);
    assert_eq!(one("A|startswith|cased|neq", "x"), r#"A !startswith_cs "x""#);
    assert_eq!(one("A|contains|neq", "[a, b]"), r#"not(A contains "a" or A contains "b")"#);
    assert_eq!(none("  sel:\n    A: x\n  condition: not sel\n"), r#"A !~ "x""#);
    assert_eq!(none("  sel:\n    A: x\n    B: y\n  condition: not sel\n"), r#"not(A =~ "x" and B =~ "y")"#);
    assert_eq!(none("  sel:\n    A: x\n  condition: not not sel\n"), r#"A =~ "x""#);
    assert_eq!(none("  sel:\n    A: 'a*b'\n  condition: not sel\n"), r#"not(A matches regex "(?is)^a.*b$")"#);
}

#[test]
fn precedence_and_grouping() {
    let d = "  a:\n    A: 1\n  b:\n    B: 2\n  c:\n    C: 3\n  condition: a and (b or c)\n";
    assert_eq!(none(d), "A == 1 and (B == 2 or C == 3)");
    let d = "  a:\n    A: 1\n  b:\n    B: 2\n  c:\n    C: 3\n  condition: a or b and c\n";
    assert_eq!(none(d), "A == 1 or B == 2 and C == 3");
    let d = "  a:\n    A: [1, 'x*']\n  b:\n    B: 2\n  condition: a and not b\n";
    assert_eq!(none(d), r#"(A == 1 or A startswith "x") and B != 2"#);
    let d = "  sel:\n    - A: 1\n      B: 2\n    - C: 3\n  condition: sel\n";
    assert_eq!(none(d), "A == 1 and B == 2 or C == 3");
    let d = "  sel1:\n    A: 1\n  sel2:\n    B: 2\n  condition: 1 of sel*\n";
    assert_eq!(none(d), "A == 1 or B == 2");
    let d = "  sel1:\n    A: 1\n  sel2:\n    B: 2\n  condition: all of sel*\n";
    assert_eq!(none(d), "A == 1 and B == 2");
    let d = "  sel:\n    A|contains: [a, b]\n  f:\n    B|contains: [c, d]\n  condition: sel and not f\n";
    assert_eq!(none(d), r#"(A contains "a" or A contains "b") and not(B contains "c" or B contains "d")"#);
}

#[test]
fn keywords_search_the_whole_row() {
    let d = "  keywords:\n    - evil\n    - 'bad\"x'\n  condition: keywords\n";
    assert_eq!(none(d), r#"* contains "evil" or * contains "bad\"x""#);
    let d = "  keywords:\n    - 'ev*il'\n  condition: keywords\n";
    assert_eq!(none(d), r#"* matches regex "(?is)ev.*il""#);
    let d = "  keywords:\n    - 'C:\\Temp\\'\n  condition: not keywords\n";
    assert_eq!(none(d), r#"not(* contains @"C:\Temp\")"#);
    let d = "  keywords:\n    '|all':\n      - a\n      - b\n  condition: keywords\n";
    let c = conv(d);
    if let Some(q) = c.queries.first() {
        assert_eq!(q, r#"* contains "a" and * contains "b""#);
    }
}

// ---------------------------------------------------------------------------
// Typed columns (what a schema-aware pipeline tells the backend)

#[test]
fn typed_columns_choose_operators() {
    use ColumnType::*;
    // Numbers: unquoted on numeric columns, compared as text on string columns.
    assert_eq!(typed("EventID", "4688", Int), "EventID == 4688");
    assert_eq!(typed("EventID", "4688", String), r#"EventID =~ "4688""#);
    assert_eq!(typed("EventID", "[4688, 4689]", String), r#"EventID in~ ("4688", "4689")"#);
    assert_eq!(typed("EventID", "'4688'", Long), "EventID == 4688");
    assert_eq!(typed("EventID", "['4688', 1]", Long), "EventID in (4688, 1)");
    assert_eq!(typed("EventID", "'46*'", Int), r#"tostring(EventID) startswith "46""#);
    assert_eq!(typed("EventID|gt", "5", String), "toreal(EventID) > 5");
    assert_eq!(typed("EventID|gt", "5", Real), "EventID > 5");
    // Booleans.
    assert_eq!(typed("B", "true", Bool), "B == true");
    assert_eq!(typed("B", "'True'", Bool), "B == true");
    assert_eq!(typed("B", "true", String), r#"B =~ "true""#);
    assert_eq!(typed("B", "true", Dynamic), r#"tostring(B) =~ "true""#);
    // null / exists on typed columns.
    assert_eq!(typed("N", "null", Int), "isnull(N)");
    assert_eq!(typed("N", "null", String), "isempty(N)");
    assert_eq!(typed("N|exists", "true", Datetime), "isnotnull(N)");
    assert_eq!(typed("N|exists", "false", String), "isempty(N)");
    // Non-string columns are compared through their text.
    assert_eq!(typed("G|contains", "abc", Guid), r#"tostring(G) contains "abc""#);
    assert_eq!(typed("D|contains", "x", Dynamic), r#"tostring(D) contains "x""#);
    assert_eq!(typed("D|re", "x", Dynamic), r#"tostring(D) matches regex "x""#);
    assert_eq!(typed("Ip|cidr", "10.0.0.0/8", Dynamic), r#"ipv4_is_in_range(tostring(Ip), "10.0.0.0/8")"#);
    // Time parts on a datetime column need no conversion.
    assert_eq!(typed("Timestamp|hour", "3", Datetime), r#"datetime_part("hour", Timestamp) == 3"#);
    // A dotted name the pipeline says is a string column is one column.
    assert_eq!(typed("a.b", "x", String), r#"['a.b'] =~ "x""#);
}

#[test]
fn dotted_fields_are_dynamic_paths() {
    let c = conv("  sel:\n    properties.message: x\n  condition: sel\n");
    assert_eq!(c.queries, vec![r#"tostring(properties.message) =~ "x""#.to_string()]);
    assert!(c.diagnostics.iter().any(|d| d.code == "kql-dynamic-path"), "{c:#?}");
    assert_eq!(one("a.0.b", "1"), "toreal(a[0].b) == 1");
    assert_eq!(one("a.b-c|contains", "x"), r#"tostring(a['b-c']) contains "x""#);
    assert_eq!(one("a.b", "null"), "isempty(a.b)");
    // Not a path: quoted as one name.
    assert_eq!(one("'a..b'", "x"), r#"['a..b'] =~ "x""#);
}

#[test]
fn table_prefix_and_constant_folding() {
    let m = mapped("  sel:\n    A: x\n  condition: sel\n", &[]);
    assert_eq!(render(&m).as_deref(), Ok("T\n| where A =~ \"x\""));
    // A dropped item (Const(true)) disappears from an AND.
    let mut m2 = m.clone();
    m2.expr = Expr::And(vec![m.expr.clone(), Expr::Const(true)]);
    assert_eq!(render(&m2).as_deref(), Ok("T\n| where A =~ \"x\""));
    m2.expr = Expr::Or(vec![Expr::Const(false), Expr::Not(Box::new(Expr::Not(Box::new(m.expr.clone()))))]);
    assert_eq!(render(&m2).as_deref(), Ok("T\n| where A =~ \"x\""));
    // Everything dropped: no query, an error.
    m2.expr = Expr::And(vec![Expr::Const(true), Expr::Const(true)]);
    let err = render(&m2).err().unwrap_or_default();
    assert!(err.iter().any(|d| d.code == "kql-always-true" && d.is_error()), "{err:#?}");
    // Never true: a query that returns nothing, and a warning.
    m2.expr = Expr::And(vec![m.expr.clone(), Expr::Not(Box::new(Expr::Const(true)))]);
    let (q, d) = render_with_diagnostics(&m2);
    assert_eq!(q.as_deref(), Some("T\n| where false"));
    assert!(d.iter().any(|d| d.code == "kql-never-matches"));
    // Pipeline errors mean no query.
    let mut m3 = m.clone();
    m3.notes.push(Diagnostic::error("unmapped-field", "no column for A", None));
    assert!(render(&m3).is_err());
    // Table names: kept when they are names or calls.
    assert_eq!(table_reference("imNetworkSession"), "imNetworkSession");
    assert_eq!(table_reference("imNetworkSession(starttime=ago(1d))"), "imNetworkSession(starttime=ago(1d))");
    assert_eq!(table_reference("My Table"), "['My Table']");
}

// ---------------------------------------------------------------------------
// Literals

#[test]
fn string_literals() {
    assert_eq!(string_literal(""), r#""""#);
    assert_eq!(string_literal("plain"), r#""plain""#);
    // Backslashes, no quote: verbatim, even a trailing one.
    assert_eq!(string_literal(r"C:\Windows\"), r#"@"C:\Windows\""#);
    assert_eq!(string_literal(r"\\server\share"), r#"@"\\server\share""#);
    // Quotes without backslashes: escaped.
    assert_eq!(string_literal(r#"say "hi""#), r#""say \"hi\"""#);
    // Both: regular literal, both escaped.
    assert_eq!(string_literal(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    // Single quotes need nothing in a double-quoted literal.
    assert_eq!(string_literal("it's"), r#""it's""#);
    // Control characters are escaped (and rule out verbatim).
    assert_eq!(string_literal("a\0b"), r#""a\u0000b""#);
    assert_eq!(string_literal("a\nb\tc\rd"), r#""a\nb\tc\rd""#);
    assert_eq!(string_literal("C:\\x\n"), r#""C:\\x\n""#);
    assert_eq!(string_literal("\u{1b}[0m"), r#""\u001b[0m""#);
    // Invisible format characters stay raw (valid everywhere, no undocumented escape needed).
    assert_eq!(string_literal("a\u{202e}b\u{200b}\u{feff}"), "\"a\u{202e}b\u{200b}\u{feff}\"");
    assert_eq!(string_literal("C:\\\u{202e}x"), "@\"C:\\\u{202e}x\"");
    // C1 controls and DEL are control characters.
    assert_eq!(string_literal("a\u{85}\u{7f}"), r#""a\u0085\u007f""#);
    // Other Unicode is kept.
    assert_eq!(string_literal("Update application – Certificates"), "\"Update application – Certificates\"");
}

#[test]
fn escaping_through_the_sigma_layer() {
    // `C:\Windows\` + startswith: the trailing backslash is literal, the star is the modifier's.
    assert_eq!(one("Image|startswith", r"'C:\Windows\'"), r#"Image startswith @"C:\Windows\""#);
    // `\*` is a literal star (Sigma escape): equality, not a prefix.
    assert_eq!(one("A", r"'C:\Windows\*'"), r#"A =~ @"C:\Windows*""#);
    assert_eq!(one("A", r"'a\*b'"), r#"A =~ "a*b""#);
    // `\\*`: a backslash, then a wildcard.
    assert_eq!(one("A", r"'C:\Windows\\*'"), r#"A startswith @"C:\Windows\""#);
    // An escaped star inside a regex-rendered glob.
    assert_eq!(one("A", r"'a\*b*c'"), r#"A matches regex @"(?is)^a\*b.*c$""#);
    assert_eq!(one("A", r#"'say "hi"'"#), r#"A =~ "say \"hi\"""#);
    assert_eq!(one("A|contains", r#"'\"x'"#), r#"A contains "\\\"x""#);
    assert_eq!(one("A", "''"), r#"A =~ """#);
    assert_eq!(one("A", r#""a\tb""#), r#"A =~ "a\tb""#);
    // A glob regex with a quote and a backslash: both layers escaped.
    assert_eq!(one("A", r#"'"\*?'"#), r#"A matches regex "(?is)^\"\\*.$""#);
}

#[test]
fn identifiers() {
    assert_eq!(identifier("CommandLine"), "CommandLine");
    assert_eq!(identifier("_x1"), "_x1");
    assert_eq!(identifier("c-uri"), "['c-uri']");
    assert_eq!(identifier("1abc"), "['1abc']");
    assert_eq!(identifier("and"), "['and']");
    assert_eq!(identifier("title"), "['title']");
    assert_eq!(identifier("it's"), r"['it\'s']");
    assert_eq!(identifier(r"a\b"), r"['a\\b']");
    assert_eq!(identifier("Source Name"), "['Source Name']");
    assert_eq!(one("c-uri|contains", "x"), r#"['c-uri'] contains "x""#);
    assert_eq!(one("where", "x"), r#"['where'] =~ "x""#);
}

// ---------------------------------------------------------------------------
// Whole rules, errors, limits

#[test]
fn localtonet_rule() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("corpus not found at {path}; skipped");
        return;
    };
    let r = parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"));
    let c = convert(&r, &Pipeline::none(), &Placeholders::new());
    assert_eq!(
        c.queries,
        vec![r#"(DestinationHostname endswith ".localto.net" or DestinationHostname endswith ".localtonet.com") and Initiated =~ "true""#
            .to_string()]
    );
    assert_eq!(c.table, None);
    assert!(!crate::base::diag::has_errors(&c.diagnostics));
    // With a schema-aware mapping (what sentinel_asim should give): a table, typed columns.
    let mut m = mapped(
        "  selection:\n    DestinationHostname|endswith:\n      - '.localto.net'\n      - '.localtonet.com'\n    Initiated: 'true'\n  condition: selection\n",
        &[("DestinationHostname", ColumnType::String), ("Initiated", ColumnType::Bool)],
    );
    m.table = Some("imNetworkSession".into());
    assert_eq!(
        render(&m).as_deref(),
        Ok("imNetworkSession\n| where (DestinationHostname endswith \".localto.net\" or DestinationHostname endswith \".localtonet.com\") and Initiated == true")
    );
}

#[test]
fn rule_level_errors_give_no_query() {
    let c = conv("  sel:\n    A|re: '(unclosed'\n  condition: sel\n");
    assert!(c.queries.is_empty());
    assert!(c.diagnostics.iter().any(|d| d.code == "invalid-regex"), "{c:#?}");
    let c = conv("  sel:\n    A|cidr: 'nonsense'\n  condition: sel\n");
    assert!(c.queries.is_empty());
    // A correlation rule is not a query.
    let text = "title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  group-by: [A]\n  timespan: 1h\n  condition:\n    gte: 10\n";
    if let Ok(r) = parse_rule(text) {
        let c = convert(&r, &Pipeline::none(), &Placeholders::new());
        assert!(c.queries.is_empty());
        assert!(c.diagnostics.iter().any(|d| d.code == "kql-not-a-detection"), "{c:#?}");
    }
    // The Conversion is plain data for the shells.
    let c = conv("  sel:\n    A: x\n  condition: sel\n");
    let json = serde_json::to_value(&c).unwrap_or_default();
    assert_eq!(json["queries"][0], "A =~ \"x\"");
    assert!(json.get("field_mappings").is_some());
}

fn leaf(field: &str, value: &str) -> Expr<MappedItem> {
    let r = rule(&format!("  sel:\n    {field}: {value}\n  condition: sel\n"));
    let (det, _) = compiled::compile_detection(&r.detection, &Placeholders::new());
    let item = det.searches[0].alternatives[0][0].clone();
    Expr::Leaf(MappedItem { sigma_field: item.field.clone(), item, column_type: ColumnType::Unknown })
}

fn render_none(expr: Expr<MappedItem>) -> (Option<String>, Vec<Diagnostic>) {
    render_with_diagnostics(&none_mapped(expr))
}

fn none_mapped(expr: Expr<MappedItem>) -> Mapped {
    Mapped { pipeline: "none".into(), table: None, expr, notes: Vec::new(), field_mappings: Vec::new() }
}

/// Render on a thread with a small stack: recursion over a deep tree would overflow it.
fn render_on_small_stack(m: &Mapped) -> (Option<String>, Vec<Diagnostic>) {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn_scoped(s, || render_with_diagnostics(m))
            .unwrap_or_else(|e| panic!("spawn: {e}"))
            .join()
            .unwrap_or_else(|_| panic!("rendering panicked"))
    })
}

#[test]
fn deep_trees_do_not_recurse() {
    // Building, cloning and dropping a deep `Expr` recurse in std's derives,
    // so the test runs on a big stack and only the rendering on a small one.
    let big = std::thread::Builder::new().stack_size(512 << 20).spawn(|| {
        const DEPTH: usize = 20_000;
        let a = leaf("A", "x");
        let b = leaf("B", "y");
        // and(or(not(and(or(... a ...), b)), b), b)... 20 000 levels deep.
        let mut e = a.clone();
        for i in 0..DEPTH {
            e = match i % 3 {
                0 => Expr::And(vec![e, b.clone()]),
                1 => Expr::Or(vec![e, b.clone()]),
                _ => Expr::Not(Box::new(e)),
            };
        }
        let (q, d) = render_on_small_stack(&none_mapped(e));
        let q = q.unwrap_or_else(|| panic!("{d:#?}"));
        assert!(q.len() > DEPTH * 5, "{}", q.len());
        assert_eq!(q.matches('(').count(), q.matches(')').count());
        // A chain of 20 000 `not`: folded away (an even number).
        let mut n = a;
        for _ in 0..DEPTH {
            n = Expr::Not(Box::new(n));
        }
        let (q, _) = render_on_small_stack(&none_mapped(n));
        assert_eq!(q.as_deref(), Some(r#"A =~ "x""#));
    });
    let ok = big.map(|h| h.join().is_ok()).unwrap_or(false);
    assert!(ok, "deep tree test failed");
}

#[test]
fn wide_trees_render_in_linear_time() {
    let items: Vec<Expr<MappedItem>> = (0..50_000).map(|i| leaf("A|contains", &format!("v{i}"))).collect();
    let e = Expr::Or(items);
    let start = std::time::Instant::now();
    let (q, _) = render_none(e);
    let q = q.unwrap_or_default();
    // 50 000 terms: groups of 64 groups of 64 (13 at the top).
    assert!(q.starts_with(r#"((A contains "v0" or A contains "v1""#), "{}", &q[..40]);
    assert_eq!(q.matches(" or ").count(), 49_999);
    assert_eq!(q.matches('(').count(), 13 + 782);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

#[test]
fn any_value_by_type() {
    use ColumnType::*;
    assert_eq!(typed("N", "'*'", Long), "isnotnull(N)");
    assert_eq!(typed("N", "'*'", Datetime), "isnotnull(N)");
    assert_eq!(typed("N", "'*'", Dynamic), "isnotempty(N)");
    assert_eq!(typed("N", "'*'", String), "isnotempty(N)");
    assert_eq!(typed("N|neq", "'*'", Bool), "isnull(N)");
}

#[test]
fn long_value_lists_stay_linear() {
    let values: Vec<String> = (0..20_000).map(|i| format!("      - v{i}\n")).collect();
    let d = format!("  sel:\n    A:\n{}  condition: sel\n", values.concat());
    let start = std::time::Instant::now();
    let q = none(&d);
    assert!(q.starts_with(r#"A in~ ("v0", "v1", "#), "{}", &q[..40]);
    assert_eq!(q.matches(", ").count(), 19_999);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}

#[test]
fn long_chains_are_grouped() {
    // One item with 300 contains: groups of 64 in parentheses (Kusto.Language's
    // analyser gives up on a flat chain of ~500 terms).
    let values: Vec<String> = (0..300).map(|i| format!("      - v{i}\n")).collect();
    let q = none(&format!("  sel:\n    A|contains:\n{}  condition: sel\n", values.concat()));
    assert!(q.starts_with(r#"(A contains "v0" or "#), "{}", &q[..60]);
    assert_eq!(q.matches('(').count(), 5);
    assert_eq!(q.matches(" or ").count(), 299);
    assert!(q.contains(r#"A contains "v63") or (A contains "v64" or"#));
    // Short chains are left alone.
    assert!(!one("A|contains", "[a, b, c]").contains('('));
    // The same for a chain of 200 selections in the condition.
    let sels: Vec<String> = (0..200).map(|i| format!("  sel{i}:\n    A{i}: x\n")).collect();
    let q = none(&format!("{}  condition: 1 of sel*\n", sels.concat()));
    assert_eq!(q.matches('(').count(), 4, "{q}");
    assert_eq!(q.matches(" or ").count(), 199);
    // Under an AND the groups keep their parentheses, and the OR gets its own.
    let q = none(&format!("{}  other:\n    B: y\n  condition: 1 of sel* and other\n", sels.concat()));
    assert!(q.starts_with("((A0 =~ \"x\" or "), "{}", &q[..40]);
    assert!(q.ends_with(") and B =~ \"y\""), "{}", &q[q.len() - 40..]);
}

// ---------------------------------------------------------------------------
// Built-in pipelines

const TARGETS: [&str; 4] = ["none", "sentinel_asim", "microsoft_xdr", "azure_monitor"];

fn builtin(name: &str) -> Pipeline {
    pipeline::builtin(name).unwrap_or_else(|| panic!("no built-in pipeline {name}"))
}

fn process_rule(detection: &str) -> Rule {
    let text =
        format!("title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n{detection}");
    parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn localtonet_rule_per_target() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("corpus not found at {path}; skipped");
        return;
    };
    let r = parse_rule(&text).unwrap_or_else(|d| panic!("{d:#?}"));
    // The column names are the pipeline's business (and may change); the
    // operators and the shape are the backend's.
    for (target, table) in [("sentinel_asim", "imNetworkSession"), ("microsoft_xdr", "DeviceNetworkEvents")] {
        let c = convert(&r, &builtin(target), &Placeholders::new());
        assert_eq!(c.table.as_deref(), Some(table));
        let q = c.queries.first().unwrap_or_else(|| panic!("{target}: {c:#?}"));
        assert!(q.starts_with(&format!("{table}\n| where (")), "{q}");
        assert!(q.contains(r#" endswith ".localto.net" or "#) && q.contains(r#" endswith ".localtonet.com""#), "{q}");
        assert!(q.contains(") and "), "{q}");
        assert!(!q.contains(" has "), "{q}");
    }
    // azure_monitor reads Sysmon's network events in WindowsEvent: the named values are dynamic.
    let c = convert(&r, &builtin("azure_monitor"), &Placeholders::new());
    let q = c.queries.first().unwrap_or_else(|| panic!("{c:#?}"));
    assert!(
        q.starts_with(
            "WindowsEvent\n| where Channel =~ \"Microsoft-Windows-Sysmon/Operational\" and EventID == 3 and "
        ),
        "{q}"
    );
    assert!(q.contains(r#"tostring(EventData.DestinationHostname) endswith ".localto.net""#), "{q}");
}

/// Every modifier on a string field, through every target: the operator is
/// the same whatever the column is called; the table prefix is the target's.
#[test]
fn modifiers_across_targets() {
    let cases: &[(&str, &str)] = &[
        ("CommandLine: x", r#" =~ "x""#),
        ("CommandLine|cased: x", r#" == "x""#),
        ("CommandLine: [a, b]", r#" in~ ("a", "b")"#),
        ("CommandLine|cased: [a, b]", r#" in ("a", "b")"#),
        ("CommandLine|contains: x", r#" contains "x""#),
        ("CommandLine|contains|cased: x", r#" contains_cs "x""#),
        ("CommandLine|startswith: x", r#" startswith "x""#),
        ("CommandLine|startswith|cased: x", r#" startswith_cs "x""#),
        ("CommandLine|endswith: x", r#" endswith "x""#),
        ("CommandLine|endswith|cased: x", r#" endswith_cs "x""#),
        ("CommandLine|contains|all: [a, b]", r#" contains "a" and "#),
        ("CommandLine: 'a*b'", r#" matches regex "(?is)^a.*b$""#),
        ("CommandLine|windash|contains: '-x'", "matches regex \"(?i)[-/\u{2013}\u{2014}\u{2015}]x\""),
        ("CommandLine|re: 'a.b'", r#" matches regex "a.b""#),
        ("CommandLine|re|i|m|s: 'a.b'", r#" matches regex "(?ims)a.b""#),
        ("CommandLine|base64|contains: abc", r#" contains "YWJj""#),
        ("CommandLine|base64offset|contains: abc", r#" contains "YWJj" or "#),
        ("CommandLine|wide|contains: a", r#" contains "a\u0000""#),
        ("CommandLine|neq: x", r#" !~ "x""#),
        ("CommandLine|contains|neq: x", r#" !contains "x""#),
        ("CommandLine: null", "isempty("),
        ("CommandLine|exists: true", "isnotempty("),
        ("CommandLine|exists: false", "isempty("),
        ("CommandLine|startswith: 'C:\\Windows\\'", r#" startswith @"C:\Windows\""#),
        ("CommandLine|contains: 'say \"hi\" \\x'", r#" contains "say \"hi\" \\x""#),
    ];
    for target in TARGETS {
        let p = builtin(target);
        for (item, expected) in cases {
            let r = process_rule(&format!("  sel:\n    {item}\n  condition: sel\n"));
            let c = convert(&r, &p, &Placeholders::new());
            let q = c.queries.first().unwrap_or_else(|| panic!("{target} {item}: no query {c:#?}"));
            assert!(q.contains(expected), "{target} {item}: {q}");
            match &c.table {
                Some(t) => assert!(q.starts_with(&format!("{t}\n| where ")), "{target} {item}: {q}"),
                None => assert!(!q.contains('\n'), "{target} {item}: {q}"),
            }
        }
    }
}

/// Modifiers whose rendering depends on the column type: through the real
/// pipelines the column is typed, so the operator must fit the type.
#[test]
fn typed_modifiers_through_pipelines() {
    for target in TARGETS {
        let p = builtin(target);
        for (item, check) in [
            ("ProcessId: 4", "4"),
            ("ProcessId|gt: 4", "> 4"),
            ("CommandLine|hour|gte: 22", "datetime_part(\"hour\", "),
            ("CommandLine|week: 3", "datetime_part(\"week_of_year\", "),
        ] {
            let r = process_rule(&format!("  sel:\n    {item}\n  condition: sel\n"));
            let c = convert(&r, &p, &Placeholders::new());
            if let Some(q) = c.queries.first() {
                assert!(q.contains(check), "{target} {item}: {q}");
            } else {
                assert!(
                    c.diagnostics.iter().any(Diagnostic::is_error),
                    "{target} {item}: neither query nor error {c:#?}"
                );
            }
        }
    }
}

/// A field with no column is replaced by the constant that narrows the
/// query, only where that constant exists without turning a filter into an
/// evasion hole: at a positive position. The warning names the field.
#[test]
fn unmapped_fields_drop_by_polarity() {
    // GrandParentImage: recorded neither by event 4688 nor by Sysmon, so the
    // rule stays on SecurityEvent (a field Sysmon records moves it to WindowsEvent).
    let am = builtin("azure_monitor");
    let run = |det: &str| convert(&process_rule(det), &am, &Placeholders::new());
    let dropped = |c: &Conversion| {
        c.diagnostics
            .iter()
            .filter(|d| d.code == "lossy-mapping" && d.message.starts_with("GrandParentImage on SecurityEvent"))
            .count()
    };
    // `1 of selection_*`: one alternative needs GrandParentImage.
    let c = run("  selection_img:\n    - Image|endswith: '\\certutil.exe'\n    - GrandParentImage|endswith: \\explorer.exe\n  selection_cli:\n    CommandLine|contains: urlcache\n  condition: all of selection_*\n");
    assert_eq!(c.queries.len(), 1, "{c:#?}");
    assert!(!c.queries[0].contains("GrandParentImage"), "{}", c.queries[0]);
    assert!(c.queries[0].contains(r#"NewProcessName endswith @"\certutil.exe""#), "{}", c.queries[0]);
    assert_eq!(dropped(&c), 1, "{c:#?}");
    assert_eq!(c.diagnostics.iter().find(|d| d.code == "lossy-mapping").map(Diagnostic::line), Some(8));
    let ofn = c.field_mappings.iter().find(|f| f.sigma == "GrandParentImage");
    assert!(ofn.is_some_and(|f| f.targets.is_empty() && f.approximate), "{:?}", c.field_mappings);
    // The same through `or` in the condition.
    let c = run("  a:\n    Image|endswith: '\\x.exe'\n  b:\n    GrandParentImage: x.exe\n  condition: a or b\n");
    assert_eq!(c.queries.len(), 1, "{c:#?}");
    // Under `not`: an error, whatever the shape of the filter.
    for filter in ["GrandParentImage: x.exe", "- Image: a\n    - GrandParentImage: x.exe"] {
        let det = format!(
            "  sel:\n    Image|endswith: '\\x.exe'\n  filter:\n    {filter}\n  condition: sel and not filter\n"
        );
        let c = run(&det);
        assert!(c.queries.is_empty(), "{c:#?}");
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.is_error() && d.code == "unmapped-field" && d.message.contains("under a `not`")),
            "{c:#?}"
        );
    }
    // Needed by every alternative: nothing left, the error stays.
    let c = run("  sel:\n    Image|endswith: '\\x.exe'\n    GrandParentImage: x.exe\n  condition: sel\n");
    assert!(c.queries.is_empty(), "{c:#?}");
    assert_eq!(dropped(&c), 0);
    assert!(c.diagnostics.iter().any(|d| d.is_error() && d.message.starts_with("GrandParentImage")), "{c:#?}");
    // Double negation is positive again.
    let c = run(
        "  sel:\n    Image|endswith: '\\x.exe'\n  b:\n    GrandParentImage: x.exe\n  condition: sel or not (not b)\n",
    );
    assert_eq!(c.queries.len(), 1, "{c:#?}");
    assert_eq!(dropped(&c), 1);
}
