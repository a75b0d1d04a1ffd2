//! Diagnostics: every failure in core is a value with a position, never a panic.

use serde::{Deserialize, Serialize};

/// A value with the region of text it was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A region of source text. Lines and columns are 1-based and count Unicode
/// scalar values (chars); `start`/`end` are 0-based char offsets, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(line: u32, col: u32, end_line: u32, end_col: u32, start: u32, end: u32) -> Self {
        Span { line, col, end_line, end_col, start, end }
    }

    /// A zero-width span at a point.
    pub fn point(line: u32, col: u32, offset: u32) -> Self {
        Span { line, col, end_line: line, end_col: col, start: offset, end: offset }
    }

    /// Sub-span of a single-line span, by char offsets relative to its start.
    /// Used to point inside a scalar (a condition token, a modifier) when the
    /// scalar sits on one line; multi-line scalars fall back to the whole span.
    pub fn slice(&self, from: u32, to: u32) -> Self {
        if self.line != self.end_line || from > to || self.start + to > self.end {
            return *self;
        }
        Span {
            line: self.line,
            col: self.col + from,
            end_line: self.line,
            end_col: self.col + to,
            start: self.start + from,
            end: self.start + to,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The name both shells print (`error`, `warning`, `info`), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One text edit: the text of `span` (char offsets `start..end` of the text the
/// diagnostic was found in) becomes `replacement`. An empty span inserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// How to resolve a diagnostic: edits of the text it was found in, which do
/// not overlap and are in text order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, for a button or a log line ("write 'high'").
    pub title: String,
    pub edits: Vec<Edit>,
    /// The fixed rule matches exactly the events the rule matched. An unsafe
    /// fix changes what it matches (its title says how) and is applied only
    /// when asked for by name, never by "fix all".
    pub safe: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `yaml-syntax`, `unknown-modifier`.
    pub code: String,
    pub message: String,
    pub span: Option<Span>,
    /// Boxed: most diagnostics have none, and every `Result<_, Diagnostic>` carries the size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<Fix>>,
}

impl Diagnostic {
    pub fn error(code: &str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic { severity: Severity::Error, code: code.to_string(), message: message.into(), span, fix: None }
    }
    pub fn warning(code: &str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic { severity: Severity::Warning, code: code.to_string(), message: message.into(), span, fix: None }
    }
    pub fn info(code: &str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic { severity: Severity::Info, code: code.to_string(), message: message.into(), span, fix: None }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// 1-based line, 0 when the diagnostic has no position.
    pub fn line(&self) -> u32 {
        self.span.map_or(0, |s| s.line)
    }
    pub fn col(&self) -> u32 {
        self.span.map_or(0, |s| s.col)
    }
}

pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
