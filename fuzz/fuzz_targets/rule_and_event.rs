//! Structure-aware: `arbitrary` builds a rule (searches with random fields,
//! modifier chains, values and conditions), placeholders and events; the rule
//! is rendered to YAML and the events to JSON, then everything runs through
//! the whole core (parse, matcher + explanation, compile/lower, KQL).
//!
//! Most generated rules are well-formed so that the fuzzer spends its time in
//! the matcher and the backends, but every level has a `Raw` escape hatch so
//! that malformed pieces are reached too.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use sigmaplay_core::sigma::modifier::ALL_NAMES;
use sigmaplay_core::{parse_events, Event, Placeholders};
use sigmaplay_fuzz::{exercise_parsed, fixed_events};

const SEARCH_NAMES: &[&str] = &["selection", "sel_a", "sel_b", "filter_main", "_hidden", "keywords", "a.b", "x-1", "Sel"];
const FIELD_NAMES: &[&str] = &[
    "Image", "CommandLine", "EventID", "a.b.c", "a", "a.b", "list", "Source Name", "SourceName", "User", "ip", "when",
    "n", "", "Event.System.Provider.#attributes.Name", "list.0", "Data",
];
const PATTERNS: &[&str] = &["selection", "sel_*", "*", "_*", "filter*", "x*1", "them", "Sel*", "nomatch*"];
const WORDS: &[&str] = &[
    "cmd.exe", "\\", "C:\\Windows\\", "-", "/", "\u{2013}", "é", "İ", "ß", "K", "\u{212a}", "%", "%Admins%", "\\*",
    "\\?", "\\\\", " ", "\n", "\u{0}", "😀", "0x10", "4688", "true", "1.5", "a",
];
const REGEX_PIECES: &[&str] = &[
    "(a*)*", "b", "(x+x+)+y", "a{1000}", "{1000}", ".", "|", "(?i)", "(?m)", "(?s)", "^", "$", "\\", "(", ")", "[",
    "]", "[a-z]", "\\d+", "\\w", "(?=x)", "(?<n>x)", "\\1", "\\p{L}", "\\b", "*", "+", "?", "{2,}", "é", "(?-u:\\xFF)",
];
const PLACEHOLDER_NAMES: &[&str] = &["Admins", "Domains", "x"];
const LOGSOURCES: &[&str] = &[
    "category: process_creation\n    product: windows",
    "category: network_connection\n    product: windows",
    "product: linux\n    service: auditd",
    "category: file_event\n    product: windows",
    "product: azure\n    service: signinlogs",
    "service: sysmon",
    "category: nonexistent_category",
];

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool.get(usize::from(i) % pool.len()).copied().unwrap_or("")
}

#[derive(Arbitrary, Debug)]
enum Name {
    Pool(u8),
    Raw(String),
}

impl Name {
    fn render(&self, pool: &[&str]) -> String {
        match self {
            Name::Pool(i) => pick(pool, *i).to_string(),
            Name::Raw(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Piece {
    Word(u8),
    Char(char),
    Star,
    Quest,
    /// A run of one char, to reach long values cheaply (bounded).
    Run(char, u16),
}

#[derive(Arbitrary, Debug)]
enum Val {
    Str(String),
    Glob(Vec<Piece>),
    SingleQuoted(Vec<Piece>),
    Plain(Vec<Piece>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Regex(Vec<u8>),
    Cidr4([u8; 4], u8),
    Cidr6([u16; 8], u8),
    Placeholder(u8, Vec<Piece>),
}

fn pieces_text(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Word(i) => s.push_str(pick(WORDS, *i)),
            Piece::Char(c) => s.push(*c),
            Piece::Star => s.push('*'),
            Piece::Quest => s.push('?'),
            Piece::Run(c, n) => s.extend(std::iter::repeat_n(*c, usize::from(*n % 4096))),
        }
    }
    s
}

/// JSON string syntax is valid YAML double-quoted syntax.
fn dq(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "''".to_string())
}

fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Val {
    fn render(&self) -> String {
        match self {
            Val::Str(s) => dq(s),
            Val::Glob(p) => dq(&pieces_text(p)),
            Val::SingleQuoted(p) => sq(&pieces_text(p)),
            Val::Plain(p) => pieces_text(p).replace('\n', " "),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => {
                if f.is_finite() {
                    format!("{f:?}")
                } else if f.is_nan() {
                    ".nan".to_string()
                } else if *f > 0.0 {
                    ".inf".to_string()
                } else {
                    "-.inf".to_string()
                }
            }
            Val::Bool(b) => b.to_string(),
            Val::Null => "null".to_string(),
            Val::Regex(ix) => dq(&ix.iter().map(|i| pick(REGEX_PIECES, *i)).collect::<String>()),
            Val::Cidr4(a, p) => dq(&format!("{}.{}.{}.{}/{}", a[0], a[1], a[2], a[3], p % 40)),
            Val::Cidr6(a, p) => {
                let ip = std::net::Ipv6Addr::new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
                dq(&format!("{ip}/{}", p % 140))
            }
            Val::Placeholder(i, rest) => dq(&format!("%{}%{}", pick(PLACEHOLDER_NAMES, *i), pieces_text(rest))),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Modif {
    Known(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Values {
    One(Val),
    List(Vec<Val>),
}

#[derive(Arbitrary, Debug)]
struct ItemSpec {
    field: Name,
    modifiers: Vec<Modif>,
    values: Values,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Map(Vec<ItemSpec>),
    ListOfMaps(Vec<Vec<ItemSpec>>),
    Keywords(Vec<Val>),
    Keyword(Val),
    Null,
}

#[derive(Arbitrary, Debug)]
struct SearchSpec {
    name: Name,
    body: Body,
}

#[derive(Arbitrary, Debug)]
enum Cond {
    Ident(Name),
    OneOf(u8),
    AllOf(u8),
    AnyOf(u8),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Paren(Box<Cond>),
    Raw(String),
}

impl Cond {
    fn render(&self, out: &mut String, depth: usize) {
        if depth > 64 {
            out.push_str("selection");
            return;
        }
        match self {
            Cond::Ident(n) => out.push_str(&n.render(SEARCH_NAMES)),
            Cond::OneOf(p) => out.push_str(&format!("1 of {}", pick(PATTERNS, *p))),
            Cond::AllOf(p) => out.push_str(&format!("all of {}", pick(PATTERNS, *p))),
            Cond::AnyOf(p) => out.push_str(&format!("any of {}", pick(PATTERNS, *p))),
            Cond::Not(c) => {
                out.push_str("not ");
                c.render(out, depth + 1);
            }
            Cond::And(cs) | Cond::Or(cs) => {
                let sep = if matches!(self, Cond::And(_)) { " and " } else { " or " };
                if cs.is_empty() {
                    out.push_str("selection");
                }
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    c.render(out, depth + 1);
                }
            }
            Cond::Paren(c) => {
                out.push('(');
                c.render(out, depth + 1);
                out.push(')');
            }
            Cond::Raw(s) => out.push_str(s),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum JVal {
    Str(String),
    Pool(u8),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Array(Vec<JVal>),
    Object(Vec<(Name, JVal)>),
}

impl JVal {
    fn to_json(&self, depth: usize) -> Value {
        if depth > 32 {
            return Value::Null;
        }
        match self {
            JVal::Str(s) => Value::String(s.clone()),
            JVal::Pool(i) => Value::String(pick(WORDS, *i).to_string()),
            JVal::Int(i) => json!(i),
            JVal::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            JVal::Bool(b) => Value::Bool(*b),
            JVal::Null => Value::Null,
            JVal::Array(xs) => Value::Array(xs.iter().map(|x| x.to_json(depth + 1)).collect()),
            JVal::Object(kv) => object(kv, depth + 1),
        }
    }
}

fn object(kv: &[(Name, JVal)], depth: usize) -> Value {
    let mut m = Map::new();
    for (k, v) in kv {
        m.insert(k.render(FIELD_NAMES), v.to_json(depth));
    }
    Value::Object(m)
}

#[derive(Arbitrary, Debug)]
enum EventSpec {
    Flat(Vec<(Name, JVal)>),
    Evtx { system: Vec<(Name, JVal)>, data: Vec<(Name, JVal)>, list_form: bool },
    Other(JVal),
}

impl EventSpec {
    fn to_json(&self) -> Value {
        match self {
            EventSpec::Flat(kv) => object(kv, 0),
            EventSpec::Evtx { system, data, list_form } => {
                let data = if *list_form {
                    let items: Vec<Value> = data
                        .iter()
                        .map(|(k, v)| json!({"#attributes": {"Name": k.render(FIELD_NAMES)}, "#text": v.to_json(1)}))
                        .collect();
                    json!({ "Data": items })
                } else {
                    object(data, 1)
                };
                json!({"Event": {"System": object(system, 1), "EventData": data}})
            }
            EventSpec::Other(v) => v.to_json(0),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    title: Option<String>,
    logsource: u8,
    searches: Vec<SearchSpec>,
    conditions: Vec<Cond>,
    events: Vec<EventSpec>,
    placeholders: Vec<(u8, Vec<Vec<Piece>>)>,
    /// A further YAML document (a correlation, a filter, garbage) after `---`.
    extra_doc: Option<String>,
}

fn render_items(out: &mut String, items: &[ItemSpec], indent: &str, first_prefix: &str) {
    for (i, item) in items.iter().enumerate() {
        let mut key = item.field.render(FIELD_NAMES);
        for m in &item.modifiers {
            key.push('|');
            match m {
                Modif::Known(i) => key.push_str(pick(ALL_NAMES, *i)),
                Modif::Raw(s) => key.push_str(s),
            }
        }
        let prefix = if i == 0 { first_prefix } else { indent };
        out.push_str(prefix);
        out.push_str(&dq(&key));
        out.push(':');
        match &item.values {
            Values::One(v) => {
                out.push(' ');
                out.push_str(&v.render());
                out.push('\n');
            }
            Values::List(vs) if vs.is_empty() => out.push_str(" []\n"),
            Values::List(vs) => {
                out.push('\n');
                for v in vs {
                    out.push_str(indent);
                    out.push_str("    - ");
                    out.push_str(&v.render());
                    out.push('\n');
                }
            }
        }
    }
}

fn render_rule(input: &Input) -> String {
    let mut y = String::new();
    if let Some(t) = &input.title {
        y.push_str(&format!("title: {}\n", dq(t)));
    }
    y.push_str(&format!("logsource:\n    {}\n", pick(LOGSOURCES, input.logsource)));
    y.push_str("detection:\n");
    for s in &input.searches {
        y.push_str(&format!("    {}:", dq(&s.name.render(SEARCH_NAMES))));
        match &s.body {
            Body::Map(items) if items.is_empty() => y.push_str(" {}\n"),
            Body::Map(items) => {
                y.push('\n');
                render_items(&mut y, items, "        ", "        ");
            }
            Body::ListOfMaps(alts) if alts.is_empty() => y.push_str(" []\n"),
            Body::ListOfMaps(alts) => {
                y.push('\n');
                for alt in alts {
                    if alt.is_empty() {
                        y.push_str("        - {}\n");
                    } else {
                        render_items(&mut y, alt, "          ", "        - ");
                    }
                }
            }
            Body::Keywords(vs) if vs.is_empty() => y.push_str(" []\n"),
            Body::Keywords(vs) => {
                y.push('\n');
                for v in vs {
                    y.push_str(&format!("        - {}\n", v.render()));
                }
            }
            Body::Keyword(v) => y.push_str(&format!(" {}\n", v.render())),
            Body::Null => y.push('\n'),
        }
    }
    let conds: Vec<String> = input
        .conditions
        .iter()
        .map(|c| {
            let mut s = String::new();
            c.render(&mut s, 0);
            s
        })
        .collect();
    match conds.as_slice() {
        [] => y.push_str("    condition: 1 of them\n"),
        [one] => y.push_str(&format!("    condition: {}\n", dq(one))),
        many => {
            y.push_str("    condition:\n");
            for c in many {
                y.push_str(&format!("        - {}\n", dq(c)));
            }
        }
    }
    y.push_str("level: high\n");
    if let Some(extra) = &input.extra_doc {
        y.push_str("---\n");
        y.push_str(extra);
    }
    y
}

fuzz_target!(|input: Input| {
    let yaml = render_rule(&input);
    let parsed = sigmaplay_core::parse_rules(&yaml);

    let mut placeholders = Placeholders::new();
    for (name, values) in input.placeholders.iter().take(4) {
        let values: Vec<String> = values.iter().take(64).map(|p| pieces_text(p)).collect();
        placeholders.insert(pick(PLACEHOLDER_NAMES, *name).to_string(), values);
    }

    let jsons: Vec<Value> = input.events.iter().take(8).map(EventSpec::to_json).collect();
    let mut events: Vec<Event> = jsons.iter().cloned().map(Event::from_json).collect();
    // The same events through the text parser (NDJSON), as a paste would arrive.
    let ndjson: String = jsons.iter().map(|j| format!("{j}\n")).collect();
    let batch = parse_events(&ndjson);
    events.extend(batch.events);
    events.extend(fixed_events().iter().cloned());

    exercise_parsed(&parsed, &events, &placeholders);
});
