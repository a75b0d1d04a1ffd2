//! The marks each editor shows: diagnostics at their place (the query's own
//! only while they are about the text shown), and the rule parts of a hovered
//! result.

use sigmaplay_core::api::{KqlParityReport, Source};
use sigmaplay_core::Severity;
use yew::prelude::*;

use crate::analysis::{Origin, UiDiagnostic};
use crate::editor::EditorMark;
use crate::highlight::mark;
use crate::Shared;

pub struct EditorMarks {
    pub rule: Shared<Vec<EditorMark>>,
    pub events: Shared<Vec<EditorMark>>,
    pub pipeline: Shared<Vec<EditorMark>>,
    pub kql: Shared<Vec<EditorMark>>,
}

fn severity_mark(s: Severity) -> u8 {
    match s {
        Severity::Error => mark::ERROR,
        Severity::Warning => mark::WARNING,
        Severity::Info => mark::INFO,
    }
}

fn diagnostic_marks(list: &[UiDiagnostic], editor: Origin) -> Vec<EditorMark> {
    list.iter()
        .filter(|d| d.origin.editor() == editor)
        .filter_map(|d| {
            Some(EditorMark { span: d.span?, bits: severity_mark(d.severity), message: Some(d.message.clone()) })
        })
        .collect()
}

/// `diagnostics`: the page's list; `highlight`: the hovered result's rule
/// parts; `parity` and `kql_text`: the query's diagnostics and the query shown.
#[hook]
pub fn use_editor_marks(
    diagnostics: &Shared<Vec<UiDiagnostic>>,
    highlight: &Option<Shared<Vec<EditorMark>>>,
    parity: &Option<Shared<KqlParityReport>>,
    kql_text: &Shared<str>,
) -> EditorMarks {
    let kql = use_memo((parity.clone(), kql_text.clone()), |(p, text)| {
        let marks: Vec<EditorMark> = p
            .iter()
            .filter(|r| *r.query == **text)
            .flat_map(|r| r.diagnostics.iter())
            .filter(|d| d.source == Some(Source::Kql))
            .filter_map(|d| {
                Some(EditorMark { span: d.span?, bits: severity_mark(d.severity), message: Some(d.message.clone()) })
            })
            .collect();
        Shared::new(marks)
    });
    let rule = use_memo((diagnostics.clone(), highlight.clone()), |(d, h)| {
        let mut m = diagnostic_marks(d, Origin::Rule);
        if let Some(h) = h {
            m.extend(h.iter().cloned());
        }
        Shared::new(m)
    });
    let events = use_memo(diagnostics.clone(), |d| Shared::new(diagnostic_marks(d, Origin::Events)));
    let pipeline = use_memo(diagnostics.clone(), |d| Shared::new(diagnostic_marks(d, Origin::Pipeline)));
    EditorMarks { rule: (*rule).clone(), events: (*events).clone(), pipeline: (*pipeline).clone(), kql: (*kql).clone() }
}
