//! The linter: what is doubtful in a rule that parses.
//!
//! The parser ([`crate::sigma::rule`]) already reports structural problems (missing
//! parts, bad types, unknown or badly chained modifiers, unused search
//! identifiers, `all` on one value) and [`crate::sigma::compiled`] bad values (regex,
//! CIDR, numbers, `null` in a list); this module does not repeat them. It
//! checks the rule against the specification (sigma-rules-specification.md,
//! the tags appendix, the taxonomy appendix, the JSON schema) and SigmaHQ's
//! conventions (sigmahq-rule-convention.md, tests/logsource.json).
//!
//! Every diagnostic has a stable code, a severity (warning: likely a mistake;
//! info: style or convention) and the span of the offending node.
//!
//! | code | severity | what |
//! | --- | --- | --- |
//! | `id-not-uuid` | warning | `id` is not a UUID |
//! | `invalid-status` | warning | `status` is not stable, test, experimental, deprecated or unsupported |
//! | `invalid-level` | warning | `level` is not informational, low, medium, high or critical |
//! | `invalid-date` | warning | `date`/`modified` is not a real YYYY-MM-DD date |
//! | `modified-before-date` | warning | `modified` is earlier than `date` |
//! | `title-too-long` | warning > 256 chars (schema), info > 110 (SigmaHQ) | |
//! | `missing-id`, `missing-description`, `missing-author`, `missing-date`, `missing-level` | info | SigmaHQ requires them |
//! | `tag-format` | warning | a tag is not `namespace.value` in lower case |
//! | `unknown-tag-namespace` | warning when close to a known one, else info | |
//! | `unknown-tag` | warning; info for unknown group/software/mitigation/data source ids (older data) | malformed or unknown value in a known namespace |
//! | `outdated-tag` | warning (revoked), info (deprecated) | revoked/deprecated ATT&CK object, `defense-evasion`, `tlp.white` |
//! | `duplicate-tag`, `duplicate-reference`, `duplicate-entry` | warning | repeated list items |
//! | `attack-reference` | info | a reference to attack.mitre.org instead of a tag |
//! | `reference-not-permalink` | info | a GitHub/GitLab reference to a branch instead of a commit |
//! | `falsepositive-wording` | info | `None`, `Pentest`... instead of `Unknown`/`Unlikely` |
//! | `unknown-logsource-category` | warning when close to a known one, else info | |
//! | `logsource-format` | warning | a logsource value with upper case or spaces |
//! | `unknown-field` | warning when close to a known field, else info | not in SigmaHQ's field list for the log source |
//! | `field-name-space` | warning | a field name with white space |
//! | `duplicate-value` | warning | the same value twice in one value list |
//! | `value-whitespace` | warning | leading/trailing white space where the match is anchored |
//! | `redundant-wildcard` | info | `*` that the modifier already implies, or `**` |
//! | `wildcard-instead-of-modifier` | info | `*x*`, `*x`, `x*` instead of contains/endswith/startswith |
//! | `regex-literal` | info | an `re` value that is a plain string |
//! | `windows-path-slash` | info | a Windows path field value with `/` and no `\` |

use crate::base::diag::{Diagnostic, Severity, Span, Spanned};
use crate::sigma::modifier::Modifier;
use crate::sigma::rule::{Detection, DetectionItem, RawValue, Rule, RuleKind, Scalar};
use crate::sigma::string::{Part, SigmaString};
use crate::sigma::tags::{self, TagError, TagStatus};

/// Every code this module emits.
pub const CODES: &[&str] = &[
    "id-not-uuid",
    "invalid-status",
    "invalid-level",
    "invalid-date",
    "modified-before-date",
    "title-too-long",
    "missing-id",
    "missing-description",
    "missing-author",
    "missing-date",
    "missing-level",
    "tag-format",
    "unknown-tag-namespace",
    "unknown-tag",
    "outdated-tag",
    "duplicate-tag",
    "duplicate-reference",
    "duplicate-entry",
    "attack-reference",
    "reference-not-permalink",
    "falsepositive-wording",
    "unknown-logsource-category",
    "logsource-format",
    "unknown-field",
    "field-name-space",
    "duplicate-value",
    "value-whitespace",
    "redundant-wildcard",
    "wildcard-instead-of-modifier",
    "regex-literal",
    "windows-path-slash",
];

pub const STATUSES: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];
pub const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];

/// Maximum title length of the JSON schema.
pub const TITLE_MAX: usize = 256;
/// SigmaHQ's title length limit.
pub const TITLE_SIGMAHQ_MAX: usize = 110;

/// Lint a parsed rule. Never panics; the result is sorted by position.
pub fn lint(rule: &Rule) -> Vec<Diagnostic> {
    let mut l = Linter { out: Vec::new() };
    l.metadata(rule);
    l.tags(rule);
    l.references(rule);
    l.other_lists(rule);
    match rule.kind {
        RuleKind::Detection => {
            l.logsource(rule);
            l.detection(&rule.detection, rule);
        }
        RuleKind::Filter => {
            l.logsource(rule);
            if let Some(f) = &rule.filter {
                l.detection(&f.detection, rule);
            }
        }
        RuleKind::Correlation => {}
    }
    crate::base::sort::sort_by_key(&mut l.out, |d| (d.span.map_or(0, |s| s.start), d.severity));
    l.out
}

struct Linter {
    out: Vec<Diagnostic>,
}

impl Linter {
    fn push(&mut self, severity: Severity, code: &str, message: String, span: Span) {
        self.out.push(Diagnostic { severity, code: code.to_string(), message, span: Some(span) });
    }
    fn warn(&mut self, code: &str, message: String, span: Span) {
        self.push(Severity::Warning, code, message, span);
    }
    fn info(&mut self, code: &str, message: String, span: Span) {
        self.push(Severity::Info, code, message, span);
    }

    // ---- metadata ------------------------------------------------------

    fn metadata(&mut self, rule: &Rule) {
        let anchor = rule.title.as_ref().map_or(rule.span, |t| t.span);
        if let Some(title) = &rule.title {
            let n = title.value.chars().count();
            if n > TITLE_MAX {
                self.warn("title-too-long", format!("the title has {n} characters; the maximum is {TITLE_MAX}: shorten it and move details to 'description'"), title.span);
            } else if n > TITLE_SIGMAHQ_MAX {
                self.info("title-too-long", format!("the title has {n} characters; SigmaHQ keeps titles to {TITLE_SIGMAHQ_MAX}: shorten it and move details to 'description'"), title.span);
            }
        }
        match &rule.id {
            Some(id) if !is_uuid(id.value.trim()) => self.warn(
                "id-not-uuid",
                format!(
                    "id '{}' is not a UUID: use a random UUID v4 (e.g. from uuidgen) so that the id is globally unique",
                    clip(&id.value)
                ),
                id.span,
            ),
            Some(_) => {}
            None => self.info(
                "missing-id",
                "no 'id': add a random UUID v4 so that the rule can be referenced and tracked".into(),
                anchor,
            ),
        }
        if let Some(status) = &rule.status {
            if !STATUSES.contains(&status.value.as_str()) {
                let hint = suggestion(&status.value, STATUSES);
                self.warn(
                    "invalid-status",
                    format!("status '{}' is not one of {}{hint}", clip(&status.value), STATUSES.join(", ")),
                    status.span,
                );
            }
        }
        if let Some(level) = &rule.level {
            if !LEVELS.contains(&level.value.as_str()) {
                let hint = suggestion(&level.value, LEVELS);
                self.warn(
                    "invalid-level",
                    format!("level '{}' is not one of {}{hint}", clip(&level.value), LEVELS.join(", ")),
                    level.span,
                );
            }
        } else if rule.kind != RuleKind::Filter {
            self.info("missing-level", "no 'level': add informational, low, medium, high or critical".into(), anchor);
        }
        let date = self.date(rule.date.as_ref(), "date");
        let modified = self.date(rule.modified.as_ref(), "modified");
        if let (Some(d), Some(m), Some(ms)) = (date, modified, rule.modified.as_ref()) {
            if m < d {
                self.warn(
                    "modified-before-date",
                    format!("'modified' ({m}) is earlier than 'date' ({d}): 'modified' is the date of the last change"),
                    ms.span,
                );
            }
        }
        if rule.date.is_none() {
            self.info("missing-date", "no 'date': add the creation date as YYYY-MM-DD".into(), anchor);
        }
        if rule.description.as_ref().is_none_or(|d| d.value.trim().is_empty()) {
            let span = rule.description.as_ref().map_or(anchor, |d| d.span);
            self.info(
                "missing-description",
                "no 'description': say what the rule detects (SigmaHQ starts it with 'Detects ...')".into(),
                span,
            );
        }
        if rule.author.as_ref().is_none_or(|a| a.value.trim().is_empty()) {
            let span = rule.author.as_ref().map_or(anchor, |a| a.span);
            self.info(
                "missing-author",
                "no 'author': add the author's name (several are separated by commas)".into(),
                span,
            );
        }
    }

    /// Check a date attribute; returns it when valid.
    fn date<'a>(&mut self, value: Option<&'a Spanned<String>>, key: &str) -> Option<&'a str> {
        let v = value?;
        let text = v.value.trim();
        if is_date(text) {
            return Some(text);
        }
        let fixed = text.replace(['/', '.'], "-");
        let hint = if fixed != text && is_date(&fixed) {
            format!(": write '{fixed}'")
        } else {
            " (ISO 8601 with dashes, e.g. 2024-03-31)".to_string()
        };
        self.warn("invalid-date", format!("'{key}' must be a real date written YYYY-MM-DD{hint}"), v.span);
        None
    }

    // ---- tags ------------------------------------------------------------

    fn tags(&mut self, rule: &Rule) {
        let mut seen: Vec<String> = Vec::new();
        for tag in &rule.tags {
            let text = tag.value.as_str();
            let key = text.trim().to_ascii_lowercase();
            if seen.contains(&key) {
                self.warn("duplicate-tag", format!("tag '{}' is listed twice: remove one", clip(text)), tag.span);
                continue;
            }
            seen.push(key);
            if !is_tag_format(text) {
                let lower = text.trim().to_ascii_lowercase();
                let hint =
                    if lower != text && is_tag_format(&lower) { format!(": write '{lower}'") } else { String::new() };
                self.warn(
                    "tag-format",
                    format!(
                        "tag '{}' is not 'namespace.value' with lower-case letters, digits, '_', '-' and '.'{hint}",
                        clip(text)
                    ),
                    tag.span,
                );
                continue;
            }
            self.tag(text, tag.span);
        }
    }

    fn tag(&mut self, text: &str, span: Span) {
        match tags::check_tag(text) {
            Ok(info) => match info.status {
                TagStatus::Current => {}
                TagStatus::Revoked { replaced_by } => {
                    let what = info.name.map(|n| format!(" ({n})")).unwrap_or_default();
                    let todo = if replaced_by.is_empty() {
                        "remove it or pick a current one".to_string()
                    } else {
                        format!("use {}", quote_list(&replaced_by))
                    };
                    let version = if text.starts_with("attack.t") || text == "attack.defense-evasion" {
                        tags::ATTACK_VERSION
                    } else {
                        tags::ATTACK_OBJECTS_VERSION
                    };
                    self.warn(
                        "outdated-tag",
                        format!("'{}'{what} is revoked in ATT&CK v{version}: {todo}", clip(text)),
                        span,
                    );
                }
                TagStatus::Deprecated { replaced_by } => {
                    let what = info.name.map(|n| format!(" ({n})")).unwrap_or_default();
                    let todo = if replaced_by.is_empty() {
                        "consider removing it".to_string()
                    } else {
                        format!("use {}", quote_list(&replaced_by))
                    };
                    self.info("outdated-tag", format!("'{}'{what} is deprecated: {todo}", clip(text)), span);
                }
            },
            Err(TagError::NoNamespace) => {} // caught by tag-format
            Err(TagError::UnknownNamespace { namespace, suggestion }) => {
                let known = tags::TAG_NAMESPACES.join(", ");
                match suggestion {
                    Some(s) => self.warn(
                        "unknown-tag-namespace",
                        format!("unknown tag namespace '{}': did you mean '{s}'? (known: {known})", clip(&namespace)),
                        span,
                    ),
                    None => self.info(
                        "unknown-tag-namespace",
                        format!(
                            "'{}' is not a namespace of the Sigma tags appendix ({known}); fine for a private tag",
                            clip(&namespace)
                        ),
                        span,
                    ),
                }
            }
            Err(TagError::Malformed { expected }) => {
                self.warn("unknown-tag", format!("tag '{}' is malformed: expected {expected}", clip(text)), span)
            }
            Err(TagError::UnknownId { suggestion }) => {
                let hint = suggestion.map(|s| format!(": did you mean '{s}'?")).unwrap_or_default();
                let value = text.split_once('.').map_or("", |(_, v)| v);
                let object = value.starts_with(['g', 's', 'm']) || value.starts_with("ds");
                if text.starts_with("attack.") && object && value.bytes().skip(1).any(|b| b.is_ascii_digit()) {
                    // Groups, software... come from an older ATT&CK release than techniques: a newer id may be fine.
                    let msg = format!(
                        "'{}' is not in MITRE ATT&CK Enterprise v{}: check the id",
                        clip(text),
                        tags::ATTACK_OBJECTS_VERSION
                    );
                    self.info("unknown-tag", msg, span);
                } else if text.starts_with("attack.") {
                    let msg =
                        format!("'{}' is not in MITRE ATT&CK (Enterprise v{}){hint}", clip(text), tags::ATTACK_VERSION);
                    self.warn("unknown-tag", msg, span);
                } else {
                    self.warn(
                        "unknown-tag",
                        format!("'{}' is not a known value of its namespace{hint}", clip(text)),
                        span,
                    );
                }
            }
        }
    }

    // ---- references and other lists --------------------------------------

    fn references(&mut self, rule: &Rule) {
        let mut seen: Vec<&str> = Vec::new();
        for r in &rule.references {
            let text = r.value.trim();
            let key = text.trim_end_matches('/');
            if seen.contains(&key) {
                self.warn(
                    "duplicate-reference",
                    format!("reference '{}' is listed twice: remove one", clip(text)),
                    r.span,
                );
                continue;
            }
            seen.push(key);
            let lower = text.to_ascii_lowercase();
            if lower.contains("attack.mitre.org/") {
                let tag = attack_tag_from_url(&lower).map(|t| format!(" (here '{t}')")).unwrap_or_default();
                self.info("attack-reference", format!("SigmaHQ expresses ATT&CK links as tags{tag}, not references: keep references for the sources of the rule"), r.span);
            } else if is_branch_link(&lower) {
                self.info(
                    "reference-not-permalink",
                    "this link points at a branch, whose content changes: use a permalink to a commit (press 'y' on GitHub)".into(),
                    r.span,
                );
            }
        }
    }

    fn other_lists(&mut self, rule: &Rule) {
        for (key, list) in [("falsepositives", &rule.falsepositives), ("fields", &rule.fields)] {
            let mut seen: Vec<String> = Vec::new();
            for item in list {
                let k = item.value.trim().to_lowercase();
                if seen.contains(&k) {
                    self.warn(
                        "duplicate-entry",
                        format!("'{}' is listed twice in '{key}': remove one", clip(&item.value)),
                        item.span,
                    );
                } else {
                    seen.push(k);
                }
            }
        }
        for fp in &rule.falsepositives {
            let v = fp.value.trim().to_lowercase();
            if matches!(
                v.as_str(),
                "none"
                    | "pentest"
                    | "penetration test"
                    | "penetration testing"
                    | "red team"
                    | "red teaming"
                    | "n/a"
                    | "-"
            ) {
                self.info(
                    "falsepositive-wording",
                    format!("'{}' does not help an analyst: write 'Unknown' if you know of none, 'Unlikely' if you expect none, or name the legitimate activity", fp.value.trim()),
                    fp.span,
                );
            }
        }
    }

    // ---- logsource -------------------------------------------------------

    fn logsource(&mut self, rule: &Rule) {
        let ls = &rule.logsource;
        for (key, v) in [("category", &ls.category), ("product", &ls.product), ("service", &ls.service)] {
            let Some(v) = v else { continue };
            if v.value.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
                let fixed = v.value.trim().to_lowercase().replace(char::is_whitespace, "_");
                self.warn(
                    "logsource-format",
                    format!("logsource {key} values are lower case with '_' for spaces: write '{fixed}'"),
                    v.span,
                );
            }
        }
        if let Some(cat) = &ls.category {
            let value = cat.value.trim().to_lowercase().replace(char::is_whitespace, "_");
            if crate::data::attack::CATEGORIES.binary_search(&value.as_str()).is_err() {
                match crate::base::similar::closest(&value, &crate::data::attack::CATEGORIES) {
                    Some(s) => self.warn("unknown-logsource-category", format!("unknown logsource category '{}': did you mean '{s}'?", clip(&cat.value)), cat.span),
                    None => self.info(
                        "unknown-logsource-category",
                        format!("category '{}' is not in the Sigma taxonomy: backends and pipelines will not know it (fine for a private log source)", clip(&cat.value)),
                        cat.span,
                    ),
                }
            }
        }
    }

    // ---- detection -------------------------------------------------------

    fn detection(&mut self, det: &Detection, rule: &Rule) {
        let fields = known_fields(rule);
        let windows = rule.logsource.product().is_some_and(|p| p.eq_ignore_ascii_case("windows"));
        for search in &det.searches {
            for alt in &search.alternatives {
                for item in alt {
                    self.item(item, fields.as_ref(), windows);
                }
            }
        }
    }

    fn item(&mut self, item: &DetectionItem, fields: Option<&KnownFields>, windows: bool) {
        if let Some(field) = &item.field {
            if field.chars().any(char::is_whitespace) {
                let fixed: String = field.split_whitespace().collect();
                self.warn(
                    "field-name-space",
                    format!("field name '{}' contains white space: Sigma field names have none ('New Value' is written 'NewValue'): write '{}'", clip(field), clip(&fixed)),
                    item.field_span,
                );
            } else if let Some(known) = fields {
                self.field(field, item.field_span, known);
            }
        }
        let has = |m: Modifier| item.has(m);
        let special = has(Modifier::Re)
            || has(Modifier::Cidr)
            || has(Modifier::Exists)
            || has(Modifier::FieldRef)
            || item.modifiers.iter().any(|m| m.value.is_comparison() || m.value.is_time_part());
        let encoded = item.modifiers.iter().any(|m| m.value.is_encoding() && m.value != Modifier::Windash);
        // Encodings (base64...) turn case differences into different bytes.
        let cased = has(Modifier::Cased) || has(Modifier::Re) || encoded;

        // Duplicates in the list (a null in a list is an error of compile.rs).
        let mut seen: Vec<String> = Vec::new();
        for v in &item.values {
            let key = match &v.value {
                Scalar::Str(s) if cased => s.clone(),
                Scalar::Str(s) => s.to_lowercase(),
                Scalar::Null => "\u{0}null".to_string(),
                _ => v.text.clone(),
            };
            if seen.contains(&key) {
                self.warn(
                    "duplicate-value",
                    format!("value '{}' is already in this list: remove one", clip(&display(v))),
                    v.span,
                );
            } else {
                seen.push(key);
            }
        }

        if has(Modifier::Re) {
            for v in &item.values {
                if let Scalar::Str(s) = &v.value {
                    self.regex_literal(item, s, v.span);
                }
            }
            return;
        }
        if special {
            return;
        }
        let contains = has(Modifier::Contains);
        let starts = has(Modifier::StartsWith);
        let ends = has(Modifier::EndsWith);
        let keyword = item.field.is_none();
        for v in &item.values {
            let Scalar::Str(s) = &v.value else { continue };
            if s.trim().is_empty() || s.chars().all(|c| c == '*') {
                continue; // ' ' or '*' alone: deliberate
            }
            // White space at an end that the match is anchored to.
            let anchored_start = !keyword && !contains && !ends;
            let anchored_end = !keyword && !contains && !starts;
            let lead = s.starts_with(char::is_whitespace);
            let trail = s.ends_with(char::is_whitespace);
            let newline = s.ends_with('\n') || s.ends_with('\r');
            if (lead && anchored_start) || (trail && anchored_end) || newline {
                let where_ = if newline {
                    "ends with a line break (a block scalar '|' keeps it; use '|-')"
                } else if lead && anchored_start {
                    "starts with white space"
                } else {
                    "ends with white space"
                };
                self.warn(
                    "value-whitespace",
                    format!(
                        "value '{}' {where_}: the match must then include it; trim it if that is not intended",
                        clip(s)
                    ),
                    v.span,
                );
            }
            if encoded {
                continue;
            }
            let parsed = SigmaString::parse(s);
            let doubled = parsed.parts.windows(2).any(|w| w[0] == Part::Star && w[1] == Part::Star);
            let lead_star = parsed.starts_with_star();
            let trail_star = matches!(parsed.parts.last(), Some(Part::Star));
            if contains && (lead_star || trail_star) {
                self.info(
                    "redundant-wildcard",
                    format!("'contains' already matches anywhere: drop the '*' around '{}'", clip(s)),
                    v.span,
                );
            } else if ends && lead_star {
                self.info(
                    "redundant-wildcard",
                    format!("'endswith' already allows anything before: drop the leading '*' of '{}'", clip(s)),
                    v.span,
                );
            } else if starts && trail_star {
                self.info(
                    "redundant-wildcard",
                    format!("'startswith' already allows anything after: drop the trailing '*' of '{}'", clip(s)),
                    v.span,
                );
            } else if doubled {
                self.info("redundant-wildcard", format!("'**' in '{}' means the same as '*'", clip(s)), v.span);
            }
            if windows
                && !keyword
                && is_path_field(item.field.as_deref().unwrap_or(""))
                && s.contains('/')
                && !s.contains('\\')
                && !s.contains("://")
            {
                self.info(
                    "windows-path-slash",
                    format!(
                        "Windows paths in '{}' use '\\', not '/': '{}' will not match",
                        item.field.as_deref().unwrap_or(""),
                        clip(s)
                    ),
                    v.span,
                );
            }
        }
        if !keyword && !contains && !starts && !ends && !encoded {
            self.wildcard_instead_of_modifier(item);
        }
    }

    /// `Field: '*x*'` for every value: the modifier says it more clearly (and SigmaHQ requires it).
    fn wildcard_instead_of_modifier(&mut self, item: &DetectionItem) {
        let mut shape: Option<(bool, bool)> = None;
        for v in &item.values {
            let Scalar::Str(s) = &v.value else { return };
            let p = SigmaString::parse(s);
            let lead = p.starts_with_star();
            let trail = matches!(p.parts.last(), Some(Part::Star));
            let inner = p.parts.len().saturating_sub(usize::from(lead) + usize::from(trail));
            let lit_only = inner == 1 && p.parts.iter().filter(|x| matches!(x, Part::Lit(_))).count() == 1;
            if !(lead || trail) || !lit_only {
                return;
            }
            match shape {
                None => shape = Some((lead, trail)),
                Some(s) if s != (lead, trail) => return,
                Some(_) => {}
            }
        }
        let Some((lead, trail)) = shape else { return };
        let m = match (lead, trail) {
            (true, true) => "contains",
            (true, false) => "endswith",
            _ => "startswith",
        };
        let field = item.field.as_deref().unwrap_or("");
        let values = if item.values.len() == 1 { "the value" } else { "every value" };
        self.info(
            "wildcard-instead-of-modifier",
            format!(
                "{values} is wrapped in '*': write '{field}|{m}' and drop the '*' (clearer, and what SigmaHQ requires)"
            ),
            item.key_span,
        );
    }

    fn regex_literal(&mut self, item: &DetectionItem, pattern: &str, span: Span) {
        let Some(lit) = plain_regex(pattern) else { return };
        let ci = lit.case_insensitive || item.has(Modifier::I);
        let m = match (lit.start, lit.end) {
            (true, true) => "",
            (true, false) => "|startswith",
            (false, true) => "|endswith",
            (false, false) => "|contains",
        };
        let cased = if ci { "" } else { "|cased" };
        let field = item.field.as_deref().unwrap_or("");
        let value = sigma_escape(&lit.text);
        let note = if ci { "" } else { "; 'cased' keeps it case-sensitive like the regex, drop it to ignore case" };
        self.info(
            "regex-literal",
            format!("this regular expression is a plain string: use '{field}{m}{cased}' with the value '{}' (simpler and faster{note})", clip(&value)),
            span,
        );
    }

    fn field(&mut self, field: &str, span: Span, known: &KnownFields) {
        if known.contains(field) {
            return;
        }
        let where_ = &known.label;
        if let Some(s) = known.closest(field) {
            self.warn(
                "unknown-field",
                format!("'{}' is not a field of {where_} in SigmaHQ's taxonomy: did you mean '{s}'?", clip(field)),
                span,
            );
        } else {
            self.info(
                "unknown-field",
                format!("'{}' is not a field of {where_} in SigmaHQ's taxonomy: pipelines may not map it (fine if your log source has it)", clip(field)),
                span,
            );
        }
    }
}

// ---- field lists ------------------------------------------------------------

/// SigmaHQ's allowed field names for a rule's log source.
struct KnownFields {
    label: String,
    lists: [&'static str; 2],
}

impl KnownFields {
    fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lists.iter().flat_map(|l| l.split(' ')).filter(|s| !s.is_empty())
    }
    fn contains(&self, field: &str) -> bool {
        self.names().any(|n| n == field)
    }
    /// A known field equal ignoring case, or within edit distance 2.
    fn closest(&self, field: &str) -> Option<&'static str> {
        if let Some(n) = self.names().find(|n| n.eq_ignore_ascii_case(field)) {
            return Some(n);
        }
        let lower = field.to_lowercase();
        self.names()
            .map(|n| (crate::base::similar::edit_distance(&lower, &n.to_lowercase()), n))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

fn known_fields(rule: &Rule) -> Option<KnownFields> {
    let ls = &rule.logsource;
    let product = ls.product().unwrap_or("").trim();
    let (category, service) = match (ls.category(), ls.service()) {
        (Some(c), None) => (c.trim(), ""),
        (None, Some(s)) => ("", s.trim()),
        _ => return None,
    };
    let row = crate::data::attack::LOGSOURCE_FIELDS
        .iter()
        .find(|(p, c, s, _)| *p == product && *c == category && *s == service)?;
    let common = crate::data::attack::COMMON_FIELDS.iter().find(|(p, _)| *p == product).map_or("", |(_, f)| *f);
    let mut label = String::new();
    for part in [product, category, service] {
        if !part.is_empty() {
            if !label.is_empty() {
                label.push('/');
            }
            label.push_str(part);
        }
    }
    Some(KnownFields { label, lists: [row.3, common] })
}

// ---- helpers ---------------------------------------------------------------

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}

/// `YYYY-MM-DD` naming a real day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The tag pattern of the JSON schema: `^[a-z0-9_-]+\.[a-z0-9._-]+$`.
fn is_tag_format(s: &str) -> bool {
    let Some((ns, rest)) = s.split_once('.') else { return false };
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-';
    !ns.is_empty() && !rest.is_empty() && ns.bytes().all(ok) && rest.bytes().all(|c| ok(c) || c == b'.')
}

/// `attack.tNNNN[.NNN]` / tactic / group / software tag for an attack.mitre.org URL.
fn attack_tag_from_url(url: &str) -> Option<String> {
    let path = url.split("attack.mitre.org/").nth(1)?;
    let mut parts = path.split(['/', '?', '#']).filter(|p| !p.is_empty());
    let kind = parts.next()?;
    let id = parts.next()?;
    let tag = match kind {
        "techniques" => match parts.next().filter(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            Some(sub) => format!("attack.{id}.{sub}"),
            None => format!("attack.{id}"),
        },
        "groups" | "software" | "mitigations" | "datasources" => format!("attack.{id}"),
        "tactics" => {
            let short = tags::tactic_shortnames()
                .into_iter()
                .find(|s| tags::describe_tag(&format!("attack.{s}")).is_some_and(|t| t.id.eq_ignore_ascii_case(id)))?;
            format!("attack.{short}")
        }
        _ => return None,
    };
    tags::describe_tag(&tag).map(|_| tag)
}

/// A GitHub/GitLab link to a file or tree on a branch (not a commit).
fn is_branch_link(url: &str) -> bool {
    if !(url.contains("github.com/") || url.contains("gitlab.com/")) {
        return false;
    }
    [
        "/blob/main/",
        "/blob/master/",
        "/tree/main/",
        "/tree/master/",
        "/-/blob/main/",
        "/-/blob/master/",
        "/blob/dev/",
        "/blob/develop/",
    ]
    .iter()
    .any(|p| url.contains(p))
}

/// Fields that hold Windows file paths.
const PATH_FIELDS: &[&str] = &[
    "Image",
    "ParentImage",
    "TargetFilename",
    "ImageLoaded",
    "CurrentDirectory",
    "SourceImage",
    "TargetImage",
    "SourceFilename",
];

fn is_path_field(field: &str) -> bool {
    PATH_FIELDS.contains(&field)
}

/// A regex that is a plain string, maybe anchored.
struct PlainRegex {
    text: String,
    start: bool,
    end: bool,
    case_insensitive: bool,
}

fn plain_regex(pattern: &str) -> Option<PlainRegex> {
    let mut rest = pattern;
    let mut ci = false;
    if let Some(r) = rest.strip_prefix("(?") {
        let close = r.find(')')?;
        let flags = r.get(..close)?;
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'i' | 's')) {
            return None; // m changes the anchors, '-' or ':' groups are more than flags
        }
        ci = flags.contains('i');
        rest = r.get(close + 1..)?;
    }
    let start = rest.starts_with('^');
    if start {
        rest = rest.get(1..)?;
    }
    let mut text = String::new();
    let mut end = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next()?;
                if n.is_ascii_alphanumeric() || n.is_whitespace() || !n.is_ascii() {
                    return None; // \d, \w, \b, \n, \x41 ... are not plain characters
                }
                text.push(n);
            }
            '$' if chars.peek().is_none() => end = true,
            '.' | '[' | ']' | '(' | ')' | '{' | '}' | '*' | '+' | '?' | '|' | '^' | '$' => return None,
            _ => text.push(c),
        }
    }
    (!text.is_empty()).then_some(PlainRegex { text, start, end, case_insensitive: ci })
}

/// Escape a plain string as a Sigma value (wildcards and the backslashes before them).
fn sigma_escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        match c {
            '*' | '?' => {
                out.push('\\');
                out.push(*c);
            }
            '\\' => {
                out.push('\\');
                if matches!(chars.get(i + 1), Some('*' | '?' | '\\')) {
                    out.push('\\');
                }
            }
            _ => out.push(*c),
        }
    }
    out
}

fn display(v: &RawValue) -> String {
    match &v.value {
        Scalar::Str(s) => s.clone(),
        Scalar::Null => "null".into(),
        _ => v.text.clone(),
    }
}

/// At most 80 chars of user text for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    out.replace('\n', "\\n").replace('\r', "\\r")
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(" or ")
}

fn suggestion(value: &str, known: &[&'static str]) -> String {
    crate::base::similar::closest(value, known).map(|s| format!(": did you mean '{s}'?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "title: Whoami Execution
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
status: test
description: Detects whoami.exe
references:
    - https://example.org/whoami
author: Someone
date: 2019-10-23
modified: 2020-01-02
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\\\whoami.exe'
        CommandLine|contains:
            - ' /all'
            - ' /priv'
    condition: selection
falsepositives:
    - Unknown
level: high
";

    fn lint_text(text: &str) -> Vec<Diagnostic> {
        let parsed = crate::sigma::rule::parse_rules(text);
        assert!(!crate::base::diag::has_errors(&parsed.diagnostics), "{:?}", parsed.diagnostics);
        let out: Vec<Diagnostic> = parsed.rules.iter().flat_map(lint).collect();
        for d in &out {
            assert!(CODES.contains(&d.code.as_str()), "{} is not in CODES", d.code);
        }
        out
    }

    #[test]
    fn codes_are_documented() {
        let table: String = include_str!("mod.rs").lines().filter(|l| l.starts_with("//! | `")).collect();
        for c in CODES {
            assert!(table.contains(&format!("`{c}`")), "{c} is not in the table of the module doc");
        }
    }

    fn codes(text: &str) -> Vec<String> {
        lint_text(text).into_iter().map(|d| d.code).collect()
    }

    /// Lint `BASE` with `from` replaced by `to`; returns the diagnostics with `code`.
    fn with(from: &str, to: &str, code: &str) -> Vec<Diagnostic> {
        assert!(BASE.contains(from), "{from}");
        lint_text(&BASE.replacen(from, to, 1)).into_iter().filter(|d| d.code == code).collect()
    }

    fn one(from: &str, to: &str, code: &str) -> Diagnostic {
        let d = with(from, to, code);
        assert_eq!(d.len(), 1, "{code} for {to:?}: {d:?}");
        d.into_iter().next().unwrap_or_else(|| panic!())
    }

    #[test]
    fn clean_rule_is_clean() {
        assert_eq!(lint_text(BASE), vec![]);
    }

    #[test]
    fn metadata() {
        let d = one("id: 929a690e-bef0-4204-a928-ef5e620d6fcc", "id: my-rule-1", "id-not-uuid");
        assert_eq!((d.line(), d.col(), d.severity), (2, 5, Severity::Warning));
        assert!(with(
            "id: 929a690e-bef0-4204-a928-ef5e620d6fcc",
            "id: 929A690E-BEF0-4204-A928-EF5E620D6FCC",
            "id-not-uuid"
        )
        .is_empty());
        assert!(one("status: test", "status: experimantal", "invalid-status").message.contains("'experimental'"));
        assert!(one("level: high", "level: hihg", "invalid-level").message.contains("'high'"));
        assert!(one("date: 2019-10-23", "date: 2019/10/23", "invalid-date").message.contains("2019-10-23"));
        one("date: 2019-10-23", "date: 2019-02-29", "invalid-date");
        assert!(with("date: 2019-10-23", "date: 2020-02-29", "invalid-date").is_empty());
        one("modified: 2020-01-02", "modified: 2020-13-02", "invalid-date");
        let d = one("modified: 2020-01-02", "modified: 2019-01-02", "modified-before-date");
        assert_eq!(d.line(), 9);
        let d = one("title: Whoami Execution", &format!("title: {}", "A".repeat(120)), "title-too-long");
        assert_eq!(d.severity, Severity::Info);
        let d = one("title: Whoami Execution", &format!("title: {}", "A".repeat(300)), "title-too-long");
        assert_eq!(d.severity, Severity::Warning);
        for (from, code) in [
            ("id: 929a690e-bef0-4204-a928-ef5e620d6fcc\n", "missing-id"),
            ("description: Detects whoami.exe\n", "missing-description"),
            ("author: Someone\n", "missing-author"),
            ("level: high\n", "missing-level"),
        ] {
            let d = one(from, "", code);
            assert_eq!((d.severity, d.line()), (Severity::Info, 1), "{code}");
        }
        let d = one("date: 2019-10-23\nmodified: 2020-01-02\n", "", "missing-date");
        assert_eq!(d.severity, Severity::Info);
    }

    #[test]
    fn tags() {
        let d = one("    - attack.t1033\n", "    - attack.T1033\n", "tag-format");
        assert!(d.message.contains("attack.t1033"), "{}", d.message);
        assert_eq!(d.line(), 12);
        one("    - attack.t1033\n", "    - attack t1033\n", "tag-format");
        one("    - attack.t1033\n", "    - t1033\n", "tag-format");
        let d = one("    - attack.t1033\n", "    - attack.t9999\n", "unknown-tag");
        assert!(d.message.contains("v19.2"));
        assert!(one("    - attack.t1033\n", "    - attack.discovry\n", "unknown-tag")
            .message
            .contains("attack.discovery"));
        one("    - attack.t1033\n", "    - attack.t1033.1\n", "unknown-tag");
        let d = one("    - attack.t1033\n", "    - attack.g9999\n", "unknown-tag");
        assert!(d.severity == Severity::Info && d.message.contains("v18.1"), "{}", d.message);
        one("    - attack.t1033\n", "    - cve.2021\n", "unknown-tag");
        one("    - attack.t1033\n", "    - tlp.white-ish\n", "unknown-tag");
        one("    - attack.t1033\n", "    - detection.hunting\n", "unknown-tag");
        let d = one("    - attack.t1033\n", "    - attak.t1033\n", "unknown-tag-namespace");
        assert_eq!(d.severity, Severity::Warning);
        let d = one("    - attack.t1033\n", "    - mycorp.team-a\n", "unknown-tag-namespace");
        assert_eq!(d.severity, Severity::Info);
        let d = one("    - attack.t1033\n", "    - attack.t1086\n", "outdated-tag");
        assert!(d.message.contains("attack.t1059.001") && d.severity == Severity::Warning, "{}", d.message);
        let d = one("    - attack.discovery\n", "    - attack.defense-evasion\n", "outdated-tag");
        assert!(d.message.contains("attack.stealth"), "{}", d.message);
        let d = one("    - attack.t1033\n", "    - tlp.white\n", "outdated-tag");
        assert_eq!(d.severity, Severity::Info);
        one("    - attack.t1033\n", "    - attack.discovery\n", "duplicate-tag");
        for ok in [
            "cve.2021-44228",
            "car.2016-04-005",
            "detection.threat-hunting",
            "stp.3k",
            "tlp.amber-strict",
            "attack.g0016",
            "attack.s0002",
            "d3fend.d3-am",
        ] {
            assert_eq!(codes(&BASE.replace("attack.t1033", ok)), Vec::<String>::new(), "{ok}");
        }
    }

    #[test]
    fn references_and_lists() {
        one(
            "    - https://example.org/whoami\n",
            "    - https://example.org/whoami\n    - https://example.org/whoami/\n",
            "duplicate-reference",
        );
        let d = one(
            "    - https://example.org/whoami\n",
            "    - https://attack.mitre.org/techniques/T1059/001/\n",
            "attack-reference",
        );
        assert!(d.message.contains("attack.t1059.001"), "{}", d.message);
        one(
            "    - https://example.org/whoami\n",
            "    - https://github.com/a/b/blob/master/x.ps1\n",
            "reference-not-permalink",
        );
        assert!(with(
            "    - https://example.org/whoami\n",
            "    - https://github.com/a/b/blob/0123abc/x.ps1\n",
            "reference-not-permalink"
        )
        .is_empty());
        one("    - Unknown\n", "    - Unknown\n    - unknown\n", "duplicate-entry");
        one("    - Unknown\n", "    - None\n", "falsepositive-wording");
    }

    #[test]
    fn logsource() {
        let d = one("category: process_creation", "category: process_creaton", "unknown-logsource-category");
        assert!(d.message.contains("process_creation") && d.severity == Severity::Warning);
        let d = one("category: process_creation", "category: my_custom_events", "unknown-logsource-category");
        assert_eq!(d.severity, Severity::Info);
        one("product: windows", "product: Windows", "logsource-format");
        let d = one("Image|endswith", "Imagee|endswith", "unknown-field");
        assert!(d.message.contains("'Image'") && d.severity == Severity::Warning, "{}", d.message);
        assert_eq!((d.line(), d.col()), (18, 9));
        assert!(one("Image|endswith", "image|endswith", "unknown-field").message.contains("'Image'"));
        assert_eq!(one("Image|endswith", "NewProcessName|endswith", "unknown-field").severity, Severity::Info);
        assert!(
            with("Image|endswith", "EventID: 1\n        Image|endswith", "unknown-field").is_empty(),
            "common fields"
        );
        assert!(with("category: process_creation", "category: antivirus", "unknown-field").is_empty(), "no list");
        assert!(with(
            "category: process_creation\n",
            "category: process_creation\n    service: sysmon\n",
            "unknown-field"
        )
        .is_empty());
    }

    #[test]
    fn values() {
        one("            - ' /priv'", "            - ' /ALL'", "duplicate-value");
        assert!(with("CommandLine|contains:", "CommandLine|base64offset|contains:", "duplicate-value").is_empty());
        let b64 =
            BASE.replace("CommandLine|contains:", "CommandLine|base64offset|contains:").replace("' /priv'", "' /all'");
        assert_eq!(codes(&b64), vec!["duplicate-value".to_string()]);
        assert!(
            with("            - ' /priv'", "            - ' '", "value-whitespace").is_empty(),
            "white space alone is deliberate"
        );
        assert!(
            with("            - ' /priv'", "            - '*'", "redundant-wildcard").is_empty(),
            "'*' alone is deliberate"
        );
        let cased = BASE.replace("CommandLine|contains:", "CommandLine|contains|cased:").replace("' /priv'", "' /ALL'");
        assert!(!codes(&cased).contains(&"duplicate-value".to_string()));
        let d = one("'\\\\whoami.exe'", "'\\\\whoami.exe '", "value-whitespace");
        assert_eq!(d.line(), 18);
        assert!(
            with("'\\\\whoami.exe'", "' \\\\whoami.exe'", "value-whitespace").is_empty(),
            "leading space with endswith"
        );
        assert!(with("            - ' /priv'", "            - ' /priv '", "value-whitespace").is_empty(), "contains");
        one("Image|endswith: '\\\\whoami.exe'", "Image: 'C:\\Windows\\whoami.exe '", "value-whitespace");
        one("Image|endswith: '\\\\whoami.exe'", "Image|endswith: |\n            \\whoami.exe", "value-whitespace");
        one("'\\\\whoami.exe'", "'*\\\\whoami.exe'", "redundant-wildcard");
        one("            - ' /priv'", "            - '* /priv*'", "redundant-wildcard");
        one("            - ' /priv'", "            - ' /p**riv'", "redundant-wildcard");
        assert!(
            with("            - ' /priv'", "            - ' /priv\\*'", "redundant-wildcard").is_empty(),
            "escaped star"
        );
        one("Image|endswith: '\\\\whoami.exe'", "Image|startswith: 'C:\\Windows\\\\*'", "redundant-wildcard");
        let d = one("Image|endswith: '\\\\whoami.exe'", "Image: '*\\whoami.exe'", "wildcard-instead-of-modifier");
        assert!(d.message.contains("Image|endswith"), "{}", d.message);
        one(
            "Image|endswith: '\\\\whoami.exe'",
            "Image:\n            - '*\\whoami.exe*'\n            - '*\\who.exe*'",
            "wildcard-instead-of-modifier",
        );
        assert!(with(
            "Image|endswith: '\\\\whoami.exe'",
            "Image:\n            - '*\\whoami.exe'\n            - 'C:\\who.exe'",
            "wildcard-instead-of-modifier"
        )
        .is_empty());
        assert!(
            with("Image|endswith: '\\\\whoami.exe'", "Image: '*\\who*.exe'", "wildcard-instead-of-modifier").is_empty()
        );
        let d = one("Image|endswith: '\\\\whoami.exe'", "Image|endswith: '/whoami.exe'", "windows-path-slash");
        assert_eq!(d.severity, Severity::Info);
        assert!(with(
            "category: process_creation\n    product: windows",
            "category: process_creation\n    product: linux",
            "windows-path-slash"
        )
        .is_empty());
        let d = one("Image|endswith", "Parent Image|endswith", "field-name-space");
        assert!(d.message.contains("ParentImage"));
    }

    #[test]
    fn regexes() {
        let d = with("CommandLine|contains:", "CommandLine|re:", "regex-literal");
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("'CommandLine|contains|cased' with the value ' /all'"), "{}", d[0].message);
        let d = one(
            "CommandLine|contains:\n            - ' /all'\n            - ' /priv'",
            "CommandLine|re|i: '^C:\\\\Windows\\\\'",
            "regex-literal",
        );
        assert!(d.message.contains("'CommandLine|startswith' with the value 'C:\\Windows\\'"), "{}", d.message);
        let r = |p: &str| plain_regex(p).map(|x| (x.text, x.start, x.end, x.case_insensitive));
        assert_eq!(r("^cmd\\.exe$"), Some(("cmd.exe".into(), true, true, false)));
        assert_eq!(r("(?i)\\\\temp\\\\"), Some(("\\temp\\".into(), false, false, true)));
        assert_eq!(r("abc$"), Some(("abc".into(), false, true, false)));
        for p in ["a.c", "\\d+", "a|b", "(?m)^a$", "[ab]", "a{2}", "", "(?i)", "(?", "\\", "^$"] {
            assert_eq!(r(p), None, "{p}");
        }
        assert_eq!(sigma_escape("a*b\\*c\\d"), "a\\*b\\\\\\*c\\d");
    }

    #[test]
    fn helpers() {
        assert!(is_uuid("929a690e-bef0-4204-a928-ef5e620d6fcc"));
        assert!(!is_uuid("929a690e-bef0-4204-a928-ef5e620d6fc"));
        assert!(!is_uuid("929a690e_bef0-4204-a928-ef5e620d6fcc"));
        assert!(!is_uuid("929a690é-bef0-4204-a928-ef5e620d6fc"));
        assert!(
            is_date("2024-02-29")
                && !is_date("2023-02-29")
                && !is_date("2024-00-10")
                && !is_date("2024-1-10")
                && !is_date("２024-01-10")
        );
        assert!(
            is_tag_format("attack.t1059.001")
                && !is_tag_format("attack.")
                && !is_tag_format(".x")
                && !is_tag_format("Attack.t1")
        );
        assert_eq!(
            attack_tag_from_url("https://attack.mitre.org/tactics/ta0002/").as_deref(),
            Some("attack.execution")
        );
        assert_eq!(attack_tag_from_url("https://attack.mitre.org/groups/g0016").as_deref(), Some("attack.g0016"));
        assert_eq!(attack_tag_from_url("https://attack.mitre.org/"), None);
    }

    #[test]
    fn correlation_and_filter_rules() {
        let corr = "title: Many\nid: 929a690e-bef0-4204-a928-ef5e620d6fcd\nauthor: x\ndescription: y\ndate: 2024-01-01\nlevel: high\ntags:\n  - attack.t1110\ncorrelation:\n  type: event_count\n  rules:\n    - r1\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 10\n";
        assert_eq!(codes(corr), Vec::<String>::new());
        let filter = "title: F\nid: 929a690e-bef0-4204-a928-ef5e620d6fce\nauthor: x\ndescription: y\ndate: 2024-01-01\nlogsource:\n  category: process_creation\n  product: windows\nfilter:\n  rules:\n    - 929a690e-bef0-4204-a928-ef5e620d6fcc\n  selection:\n    Imagee: 'C:\\x.exe'\n  condition: not selection\n";
        assert_eq!(codes(filter), vec!["unknown-field".to_string()]);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let texts = [
            "title: x\nlogsource:\n  category: '\u{1F600}'\ndetection:\n  s:\n    '\u{e9}\u{e9}|re': ['(?', '(?i', '\\\\', '^', '$', '(?x)a', '\u{1F600}\\\u{1F600}']\n  condition: s\ndate: '\u{e9}\u{e9}\u{e9}\u{e9}-\u{e9}\u{e9}-\u{e9}\u{e9}'\ntags: ['\u{e9}.\u{e9}', '.', 'a.', 'attack.t\u{e9}', 'attack.\u{1F600}']\nreferences: ['https://attack.mitre.org/tactics/', 'https://attack.mitre.org/techniques/\u{1F600}/']\n",
            "title: x\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  s:\n    Image: ['*', '**', '', ' ', '\\\\*', '*\\\\', null, null, 1, 1, 1.5, true]\n    CommandLine|contains: ['*', '**', '']\n    ' '|endswith: '*'\n  condition: s\n",
        ];
        for t in texts {
            for r in crate::sigma::rule::parse_rules(t).rules {
                let _ = lint(&r);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any text in any attribute, value, field name or tag: no panic.
        #[test]
        fn arbitrary_text_does_not_panic(s in "\\PC{0,40}", t in "[a-zA-Z0-9._*?\\\\ |^$()-]{0,30}") {
            let q = |x: &str| serde_json::to_string(x).unwrap_or_default();
            let text = format!(
                "title: {}\nid: {}\nstatus: {}\ndate: {}\nmodified: {}\ntags: [{}, {}, {}]\nreferences: [{}, {}]\nfalsepositives: [{}, {}]\nlogsource:\n  category: {}\n  product: windows\ndetection:\n  sel:\n    {}: [{}, {}]\n    CommandLine|re: [{}, {}]\n    Image|contains: {}\n    Image|endswith: {}\n    Image: [{}, {}]\n  condition: sel\n",
                q(&s), q(&s), q(&s), q(&t), q(&s), q(&s), q(&format!("attack.{t}")), q(&format!("attack.{s}")), q(&s), q(&format!("https://attack.mitre.org/{t}")),
                q(&s), q(&t), q(&s), q(&format!("{t}|contains")), q(&s), q(&t), q(&s), q(&t), q(&t), q(&s), q(&t), q(&s),
            );
            for r in crate::sigma::rule::parse_rules(&text).rules {
                let _ = lint(&r);
            }
            let _ = tags::check_tag(&s);
            let _ = tags::check_tag(&t);
        }
    }

    /// Every rule of SigmaHQ's corpus, linted; prints counts per code
    /// (`cargo test -p sigmaplay-core --lib lint::tests::corpus -- --nocapture`).
    #[test]
    fn corpus() {
        let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq");
        let Ok(top) = std::fs::read_dir(base) else {
            eprintln!("corpus not found at {base}; skipped");
            return;
        };
        // SIGMAPLAY_LINT_DIR=<folder> lints that folder instead (no assertion on it).
        let other = std::env::var("SIGMAPLAY_LINT_DIR").ok();
        let mut stack: Vec<std::path::PathBuf> = match &other {
            Some(dir) => vec![std::path::PathBuf::from(dir)],
            None => top
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("rules")))
                .collect(),
        };
        let mut files = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yml") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let mut counts: std::collections::BTreeMap<String, (usize, usize, String)> = Default::default();
        let (mut rules, mut clean) = (0, 0);
        // SIGMAPLAY_LINT_SHOW=code,code (or all) lists those diagnostics.
        let show = std::env::var("SIGMAPLAY_LINT_SHOW").unwrap_or_default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            for rule in crate::sigma::rule::parse_rules(&text).rules {
                rules += 1;
                let diags = lint(&rule);
                if diags.iter().all(|d| d.severity < Severity::Warning) {
                    clean += 1;
                }
                let mut codes_here: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
                codes_here.dedup();
                for d in &diags {
                    if show.split(',').any(|c| c == d.code || c == "all") {
                        eprintln!(
                            "{}:{}: {}: {}",
                            f.strip_prefix(base).unwrap_or(f).display(),
                            d.line(),
                            d.code,
                            d.message
                        );
                    }
                    let e = counts.entry(d.code.clone()).or_insert((0, 0, String::new()));
                    e.0 += 1;
                    if e.2.is_empty() {
                        e.2 = format!("{}:{}: {}", f.strip_prefix(base).unwrap_or(f).display(), d.line(), d.message);
                    }
                }
                for c in codes_here {
                    if let Some(e) = counts.get_mut(c) {
                        e.1 += 1;
                    }
                }
            }
        }
        eprintln!("linted {rules} rules from {} files; {clean} without warnings", files.len());
        for (code, (n, r, example)) in &counts {
            eprintln!("{code:32} {n:6} diagnostics in {r:5} rules   e.g. {example}");
        }
        if rules > 1000 && other.is_none() {
            // SigmaHQ's own rules must be mostly clean.
            assert!(clean * 100 >= rules * 97, "{clean} of {rules} rules without warnings");
        }
    }
}
