//! A code editor: a transparent `<textarea>` over a highlighted `<pre>` built
//! from Yew nodes (no markup from text, ever), with line numbers and
//! diagnostic marks in the gutter.
//!
//! The textarea is the source of truth while the user types (uncontrolled):
//! the parent's text is written into it only when `load_rev` changes (an
//! example, a share link). Texts over [`HIGHLIGHT_LIMIT`] are shown plain (the
//! textarea's own text becomes visible) and read back after a pause in typing,
//! so a 5 MB paste does not make every keystroke copy 5 MB.

use std::cell::Cell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use sigmaplay_core::Span;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::dom;
use crate::highlight::{self, mark, CharIndex, Lang, Mark};
use crate::Shared;

/// Texts longer than this (bytes) are not highlighted.
pub const HIGHLIGHT_LIMIT: usize = 100_000;
/// Pause after which a large text is read back from the textarea.
pub const LARGE_DEBOUNCE_MS: u32 = 250;
/// Must equal `--ce-lh` in style.css.
pub const LINE_HEIGHT_PX: i32 = 20;

/// A mark on the editor's text: a diagnostic (with its message) or a highlighted rule part.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorMark {
    pub span: Span,
    /// `highlight::mark` bits.
    pub bits: u8,
    pub message: Option<String>,
}

#[derive(Properties, PartialEq)]
pub struct CodeEditorProps {
    pub id: AttrValue,
    pub testid: AttrValue,
    pub label: AttrValue,
    pub lang: Lang,
    pub text: Shared<str>,
    /// Bumped when `text` comes from outside (load): written into the textarea.
    pub load_rev: u64,
    #[prop_or_default]
    pub marks: Shared<Vec<EditorMark>>,
    /// Select this span and focus the editor; the number makes repeated requests distinct.
    #[prop_or_default]
    pub select: Option<(Span, u64)>,
    /// Replace the whole text as if typed (the browser's undo takes it back);
    /// the number makes repeated requests distinct.
    #[prop_or_default]
    pub replace: Option<(Shared<str>, u64)>,
    /// Bumped to read a pending (debounced) edit now.
    #[prop_or_default]
    pub flush: u64,
    pub on_change: Callback<String>,
    #[prop_or(12)]
    pub rows: u32,
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// Performance mark set when an edit starts being applied (`sp:input-<name>`);
    /// the app measures from it to the updated page (`sp:update-<name>`).
    #[prop_or_default]
    pub perf_name: Option<&'static str>,
    /// Keep the textarea's own text (its default value, i.e. its `textContent`)
    /// equal to the text too, so the element reads as the text it shows. For
    /// short texts (the KQL query): it copies the text on every change.
    #[prop_or_default]
    pub mirror: bool,
    /// Wrap long lines (no line-number gutter then: numbers would not line up).
    #[prop_or_default]
    pub wrap: bool,
    /// Shown but not editable (a read-only embed).
    #[prop_or_default]
    pub readonly: bool,
    /// Extra controls shown next to the label.
    #[prop_or_default]
    pub children: Html,
}

fn line_numbers(text: &str) -> String {
    let n = text.bytes().filter(|b| *b == b'\n').count() + 1;
    let mut s = String::with_capacity(n * 6);
    for i in 1..=n {
        s.push_str(&i.to_string());
        s.push('\n');
    }
    s
}

fn mark_classes(bits: u8) -> &'static str {
    // Most specific first; one class list per combination that matters.
    let diag = if bits & mark::ERROR != 0 {
        "m-err"
    } else if bits & mark::WARNING != 0 {
        "m-warn"
    } else if bits & mark::INFO != 0 {
        "m-info"
    } else {
        ""
    };
    let hl = if bits & mark::MISS != 0 {
        "m-miss"
    } else if bits & mark::HIGHLIGHT != 0 {
        "m-hl"
    } else {
        ""
    };
    match (diag, hl) {
        ("", "") => "",
        (d, "") => d,
        ("", h) => h,
        ("m-err", "m-hl") => "m-err m-hl",
        ("m-err", _) => "m-err m-miss",
        ("m-warn", "m-hl") => "m-warn m-hl",
        ("m-warn", _) => "m-warn m-miss",
        (_, "m-hl") => "m-info m-hl",
        _ => "m-info m-miss",
    }
}

fn severity_rank(bits: u8) -> u8 {
    if bits & mark::ERROR != 0 {
        3
    } else if bits & mark::WARNING != 0 {
        2
    } else if bits & mark::INFO != 0 {
        1
    } else {
        0
    }
}

/// The highlighted copy of the text, as nodes.
fn overlay(text: &str, tokens: &[highlight::Token], marks: &[EditorMark]) -> Html {
    let idx = CharIndex::new(text);
    let hmarks: Vec<Mark> = marks
        .iter()
        .map(|m| Mark {
            range: idx.byte(text, m.span.start as usize)..idx.byte(text, m.span.end.max(m.span.start) as usize),
            bits: m.bits,
            title: None,
        })
        .collect();
    let segs = highlight::segments(text, tokens, &hmarks);
    let nodes = segs.into_iter().map(|s| {
        let t = text.get(s.range.clone()).unwrap_or("");
        let marks = mark_classes(s.marks);
        if s.range.is_empty() {
            return html! { <span class={classes!("m-point", marks)}></span> };
        }
        let class = match (s.tok.class(), marks) {
            ("", "") => return Html::from(t.to_string()),
            (c, "") => c.to_string(),
            ("", m) => m.to_string(),
            (c, m) => format!("{c} {m}"),
        };
        html! { <span {class}>{ t.to_string() }</span> }
    });
    html! { <>{ for nodes }</> }
}

#[function_component(CodeEditor)]
pub fn code_editor(p: &CodeEditorProps) -> Html {
    let ta = use_node_ref();
    let pre = use_node_ref();
    let gutter = use_node_ref();
    // Set while a large edit waits to be read.
    let eager_large = use_state_eq(|| false);
    let pending = use_mut_ref(|| None::<Timeout>);
    let pending_flag: Rc<Cell<bool>> = use_memo((), |_| Cell::new(false));
    let caret = use_state_eq(|| (1u32, 1u32));
    let large = p.text.len() > HIGHLIGHT_LIMIT || *eager_large;

    let numbers = use_memo(p.text.clone(), |t| line_numbers(t));
    let tokens = {
        let lang = p.lang;
        use_memo(
            (p.text.clone(), large),
            move |(t, large)| if *large { Vec::new() } else { highlight::tokenize(lang, t) },
        )
    };

    let sync = {
        let (ta, pre, gutter) = (ta.clone(), pre.clone(), gutter.clone());
        Rc::new(move || {
            let Some(t) = ta.cast::<Element>() else { return };
            let (top, left) = (t.scroll_top(), t.scroll_left());
            if let Some(pre) = pre.cast::<Element>() {
                pre.set_scroll_top(top);
                pre.set_scroll_left(left);
            }
            if let Some(g) = gutter.cast::<HtmlElement>() {
                let _ = g.style().set_property("transform", &format!("translateY({}px)", -top));
            }
        })
    };

    // Write external text into the textarea (mount, example, share link).
    {
        let ta = ta.clone();
        let text = p.text.clone();
        let sync = sync.clone();
        let eager = eager_large.clone();
        use_effect_with(p.load_rev, move |_| {
            if let Some(t) = ta.cast::<HtmlTextAreaElement>() {
                t.set_value(&text);
                t.set_scroll_top(0);
                eager.set(false);
            }
            sync();
        });
    }
    // The textarea's default value follows the text (see `mirror`).
    {
        let ta = ta.clone();
        use_effect_with((p.text.clone(), p.mirror), move |(text, mirror)| {
            if let (true, Some(t)) = (*mirror, ta.cast::<HtmlTextAreaElement>()) {
                let _ = t.set_default_value(text);
            }
        });
    }
    // Keep the overlay aligned after every render.
    {
        let sync = sync.clone();
        use_effect(move || sync());
    }

    let read_now = {
        let ta = ta.clone();
        let on_change = p.on_change.clone();
        let eager = eager_large.clone();
        let flag = pending_flag.clone();
        let perf = p.perf_name;
        Rc::new(move || {
            if let Some(n) = perf {
                dom::mark(&format!("sp:input-{n}"));
            }
            flag.set(false);
            if let Some(t) = ta.cast::<HtmlTextAreaElement>() {
                eager.set(false);
                on_change.emit(t.value());
            }
        })
    };

    // Ctrl+Enter: read a pending edit now.
    {
        let pending = pending.clone();
        let read_now = read_now.clone();
        let flag = pending_flag.clone();
        use_effect_with(p.flush, move |_| {
            if flag.get() {
                pending.borrow_mut().take();
                read_now();
            }
        });
    }

    // Select a span (a diagnostic or a rule part was clicked).
    {
        let ta = ta.clone();
        let text = p.text.clone();
        let sync = sync.clone();
        let select = p.select;
        let caret = caret.clone();
        use_effect_with(select.map(|(_, n)| n), move |_| {
            let (Some((span, _)), Some(t)) = (select, ta.cast::<HtmlTextAreaElement>()) else { return };
            let start = highlight::utf16_of_char(&text, span.start as usize);
            let end = highlight::utf16_of_char(&text, span.end.max(span.start) as usize);
            let _ = t.focus();
            let _ = t.set_selection_range(start, end);
            caret.set((span.line.max(1), span.col.max(1)));
            let top = (span.line.max(1) as i32 - 1) * LINE_HEIGHT_PX - t.client_height() / 3;
            t.set_scroll_top(top.max(0));
            let col_px = (span.col.max(1) as i32 - 1) * 8;
            t.set_scroll_left((col_px - t.client_width() / 2).max(0));
            sync();
        });
    }

    // Put in a replacement text (a lint fix) through the editing commands, so
    // that it lands on the undo stack; the input event it fires reads it back.
    {
        let ta = ta.clone();
        let replace = p.replace.clone();
        let on_change = p.on_change.clone();
        use_effect_with(replace.as_ref().map(|(_, n)| *n), move |_| {
            let (Some((text, _)), Some(t)) = (replace, ta.cast::<HtmlTextAreaElement>()) else { return };
            let _ = t.focus();
            t.select();
            if !dom::insert_text(&text) || t.value() != *text.0 {
                t.set_value(&text);
                on_change.emit(text.0.to_string());
            }
        });
    }

    let oninput = {
        let on_change = p.on_change.clone();
        let pending = pending.clone();
        let eager = eager_large.clone();
        let read_now = read_now.clone();
        let flag = pending_flag.clone();
        let perf = p.perf_name;
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            let n = t.text_length() as usize;
            if n <= HIGHLIGHT_LIMIT {
                if let Some(n) = perf {
                    dom::mark(&format!("sp:input-{n}"));
                }
                pending.borrow_mut().take();
                flag.set(false);
                eager.set(false);
                on_change.emit(t.value());
            } else {
                eager.set(true);
                flag.set(true);
                let read_now = read_now.clone();
                *pending.borrow_mut() = Some(Timeout::new(LARGE_DEBOUNCE_MS, move || read_now()));
            }
        })
    };

    let onscroll = {
        let sync = sync.clone();
        Callback::from(move |_: Event| sync())
    };

    // Caret position, for the status line (small texts only).
    let update_caret = {
        let caret = caret.clone();
        let text = p.text.clone();
        Callback::from(move |e: Event| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            if text.len() > HIGHLIGHT_LIMIT {
                return;
            }
            let pos = t.selection_start().ok().flatten().unwrap_or(0) as usize;
            let (mut line, mut col, mut units) = (1u32, 1u32, 0usize);
            for c in text.chars() {
                if units >= pos {
                    break;
                }
                units += c.len_utf16();
                if c == '\n' {
                    line += 1;
                    col = 1;
                } else {
                    col += 1;
                }
            }
            caret.set((line, col));
        })
    };
    let onkeyup = {
        let f = update_caret.clone();
        Callback::from(move |e: KeyboardEvent| f.emit(e.into()))
    };
    let onclick = {
        let f = update_caret.clone();
        Callback::from(move |e: MouseEvent| f.emit(e.into()))
    };
    let onfocus = {
        let f = update_caret.clone();
        Callback::from(move |e: FocusEvent| f.emit(e.into()))
    };

    // Gutter marks: one per line, the most severe diagnostic of the line.
    let mut by_line: Vec<(u32, u8, &EditorMark)> = Vec::new();
    for m in p.marks.iter().filter(|m| m.message.is_some()) {
        let line = m.span.line.max(1);
        match by_line.iter_mut().find(|(l, _, _)| *l == line) {
            Some(slot) if severity_rank(m.bits) > slot.1 => *slot = (line, severity_rank(m.bits), m),
            Some(_) => {}
            None => by_line.push((line, severity_rank(m.bits), m)),
        }
    }
    let gutter_marks = by_line.iter().map(|(line, rank, m)| {
        let class = match rank {
            3 => "gm gm-err",
            2 => "gm gm-warn",
            _ => "gm gm-info",
        };
        let top = format!("top: calc({}px + var(--ce-pad))", (*line as i32 - 1) * LINE_HEIGHT_PX);
        let message = m.message.clone().unwrap_or_default();
        let title = format!("Line {line}: {message}");
        let onclick = {
            let ta = ta.clone();
            let text = p.text.clone();
            let span = m.span;
            Callback::from(move |_: MouseEvent| {
                if let Some(t) = ta.cast::<HtmlTextAreaElement>() {
                    let s = highlight::utf16_of_char(&text, span.start as usize);
                    let e = highlight::utf16_of_char(&text, span.end.max(span.start) as usize);
                    let _ = t.focus();
                    let _ = t.set_selection_range(s, e);
                }
            })
        };
        html! { <span class={class} style={top} title={title.clone()} aria-label={title} role="img" {onclick}></span> }
    });

    let (cl, cc) = *caret;
    let here: Vec<&EditorMark> = p
        .marks
        .iter()
        .filter(|m| m.message.is_some() && m.span.line <= cl && cl <= m.span.end_line.max(m.span.line))
        .collect();
    let status_msg =
        here.iter().max_by_key(|m| severity_rank(m.bits)).and_then(|m| m.message.clone()).unwrap_or_default();
    let errors = p.marks.iter().filter(|m| m.bits & mark::ERROR != 0).count();
    let height = format!("height: calc({}px + 2 * var(--ce-pad) + 2px)", p.rows as i32 * LINE_HEIGHT_PX);
    let status_id = format!("{}-status", p.id);

    html! {
        <div class={classes!("code-editor", large.then_some("ce-plain"), p.wrap.then_some("ce-wrap"))}>
            <div class="ce-head">
                <label for={p.id.clone()}>{ p.label.clone() }</label>
                { p.children.clone() }
            </div>
            <div class="ce-frame" style={height}>
                if !p.wrap {
                    <div class="ce-gutter">
                        <div class="ce-gutter-inner" ref={gutter}>
                            <pre class="ce-lines" aria-hidden="true">{ (*numbers).clone() }</pre>
                            { for gutter_marks }
                        </div>
                    </div>
                }
                <div class="ce-body">
                    if !large {
                        <pre class="ce-hl" aria-hidden="true" ref={pre}>{ overlay(&p.text, &tokens, &p.marks) }{ "\n " }</pre>
                    }
                    <textarea
                        ref={ta}
                        id={p.id.clone()}
                        class="ce-input"
                        data-testid={p.testid.clone()}
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap={if p.wrap { "soft" } else { "off" }}
                        readonly={p.readonly}
                        placeholder={p.placeholder.clone()}
                        aria-invalid={if errors > 0 { "true" } else { "false" }}
                        aria-describedby={status_id.clone()}
                        {oninput}
                        {onscroll}
                        {onkeyup}
                        {onclick}
                        {onfocus}
                    />
                </div>
            </div>
            <div class="ce-status" id={status_id}>
                if large {
                    <span class="ce-note">{ "Large input: highlighting is off, changes apply after a short pause." }</span>
                } else {
                    <span class="ce-pos">{ format!("Ln {cl}, Col {cc}") }</span>
                    if !status_msg.is_empty() {
                        <span class="ce-msg">{ status_msg }</span>
                    }
                }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_classes() {
        assert_eq!(line_numbers("a\nb"), "1\n2\n");
        assert_eq!(line_numbers(""), "1\n");
        assert_eq!(mark_classes(mark::ERROR | mark::HIGHLIGHT), "m-err m-hl");
        assert_eq!(mark_classes(mark::MISS), "m-miss");
        assert_eq!(mark_classes(0), "");
    }
}
