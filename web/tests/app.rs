//! Browser tests: `cargo test -p sigmaplay-web --target wasm32-unknown-unknown`
//! (headless Chromium via wasm-bindgen-test-runner, see .cargo/config.toml).
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use sigmaplay_core::Span;
use sigmaplay_web::editor::{CodeEditor, CodeEditorProps, EditorMark};
use sigmaplay_web::highlight::{mark, Lang};
use sigmaplay_web::{compress, share, App, Shared};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement, InputEvent, InputEventInit, MouseEvent, MouseEventInit};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn new_root() -> Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

/// Every test mounts into its own div (all tests share one document), with no saved state.
async fn mount() -> Element {
    if let Ok(Some(s)) = web_sys::window().unwrap().local_storage() {
        let _ = s.clear();
    }
    let root = new_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    TimeoutFuture::new(80).await;
    root
}

fn find(root: &Element, testid: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

async fn type_into(area: &Element, value: &str) {
    let area: &HtmlTextAreaElement = area.dyn_ref().unwrap();
    area.set_value(value);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let ev = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&ev).unwrap();
    TimeoutFuture::new(60).await;
}

const RULE: &str = "title: Cmd\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  condition: selection\nlevel: low\n";
const EVENTS: &str = "{\"Image\": \"C:\\\\Windows\\\\System32\\\\cmd.exe\"}\n{\"Image\": \"C:\\\\x.exe\"}\n";

#[wasm_bindgen_test]
async fn first_visit_shows_localtonet_kql_and_a_match() {
    let root = mount().await;
    assert_eq!(text(&root.query_selector("h1").unwrap().unwrap()), "Sigmaplay");
    let kql = text(&find(&root, "kql-output"));
    assert!(kql.contains("imNetworkSession") && kql.contains("DstHostname"), "{kql}");
    let results = all(&root, "[data-testid=\"event-result\"]");
    let flags: Vec<String> = results.iter().map(|e| e.get_attribute("data-matched").unwrap()).collect();
    assert_eq!(flags, vec!["true", "false"]);
    assert!(text(&results[0]).contains("selection"));
    assert_eq!(
        find(&root, "pipeline-select").dyn_into::<web_sys::HtmlSelectElement>().unwrap().value(),
        "sentinel_asim"
    );
    assert!(all(&find(&root, "examples"), "button").len() >= 12);
}

#[wasm_bindgen_test]
async fn typing_a_rule_and_events_updates_kql_and_results() {
    let root = mount().await;
    type_into(&find(&root, "rule-editor"), RULE).await;
    type_into(&find(&root, "events-editor"), EVENTS).await;
    let kql = text(&find(&root, "kql-output"));
    assert!(kql.contains("imProcessCreate"), "{kql}");
    let flags: Vec<String> =
        all(&root, "[data-testid=\"event-result\"]").iter().map(|e| e.get_attribute("data-matched").unwrap()).collect();
    assert_eq!(flags, vec!["true", "false"]);
    assert_eq!(text(&find(&root, "match-count")), "1 of 2 events match");
    // The highlighted overlay holds the same text as the textarea.
    let overlay = root.query_selector(".ce-hl").unwrap().unwrap();
    assert!(text(&overlay).starts_with(RULE), "{}", text(&overlay));
    assert!(!all(&overlay, ".t-key").is_empty() && !all(&overlay, ".t-mod").is_empty());
}

#[wasm_bindgen_test]
async fn invalid_yaml_is_a_diagnostic_at_its_line_with_a_gutter_mark() {
    let root = mount().await;
    type_into(&find(&root, "rule-editor"), "title: t\nlogsource:\n  product: windows\n   category: x\n").await;
    let errs = all(&find(&root, "diagnostics"), "li.sev-err");
    assert!(!errs.is_empty());
    assert_eq!(errs[0].get_attribute("data-line").as_deref(), Some("4"));
    assert_eq!(all(&root, ".gm-err").len(), 1);
    assert_eq!(text(&find(&root, "match-count")), "rule has errors");
    // Clicking the diagnostic selects its position in the rule editor.
    let btn: HtmlElement = errs[0].query_selector("button").unwrap().unwrap().dyn_into().unwrap();
    btn.click();
    TimeoutFuture::new(60).await;
    let area: HtmlTextAreaElement = find(&root, "rule-editor").dyn_into().unwrap();
    let start = area.selection_start().unwrap().unwrap() as usize;
    let before: String =
        area.value().encode_utf16().take(start).map(|u| char::from_u32(u as u32).unwrap_or('?')).collect();
    assert_eq!(before.matches('\n').count() + 1, 4);
}

#[wasm_bindgen_test]
async fn user_markup_is_text() {
    let root = mount().await;
    let rule = "title: '<img src=x onerror=alert(1)>'\nlogsource:\n  product: windows\ndetection:\n  s:\n    A: '<b>x</b>'\n  condition: s\nreferences:\n  - 'javascript:alert(1)'\n";
    type_into(&find(&root, "rule-editor"), rule).await;
    type_into(&find(&root, "events-editor"), "{\"A\": \"<script>alert(1)</script>\"}").await;
    assert_eq!(text(&find(&root, "rule-title")), "<img src=x onerror=alert(1)>");
    assert!(all(&root, "img").is_empty());
    assert!(all(&root, "b").is_empty());
    assert!(all(&root, "script").is_empty());
    assert!(all(&root, "a[href^=\"javascript\"]").is_empty());
}

#[wasm_bindgen_test]
async fn hovering_a_result_highlights_the_rule() {
    let root = mount().await;
    type_into(&find(&root, "rule-editor"), RULE).await;
    type_into(&find(&root, "events-editor"), EVENTS).await;
    let result = all(&root, "[data-testid=\"event-result\"]").remove(0);
    let init = MouseEventInit::new();
    init.set_bubbles(false);
    result.dispatch_event(&MouseEvent::new_with_mouse_event_init_dict("mouseenter", &init).unwrap()).unwrap();
    TimeoutFuture::new(60).await;
    let hl = all(&root, ".ce-hl .m-hl");
    assert!(!hl.is_empty());
    let marked: String = hl.iter().map(text).collect();
    assert!(marked.contains("Image|endswith"), "{marked}");
    result.dispatch_event(&MouseEvent::new_with_mouse_event_init_dict("mouseleave", &init).unwrap()).unwrap();
    TimeoutFuture::new(60).await;
    assert!(all(&root, ".ce-hl .m-hl").is_empty());
}

#[wasm_bindgen_test]
async fn code_editor_renders_marks_and_reports_edits() {
    let root = new_root();
    let edits = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = edits.clone();
    let span = Span { line: 2, col: 1, end_line: 2, end_col: 4, start: 7, end: 10 };
    let props = CodeEditorProps {
        id: "t-ed".into(),
        testid: "t-ed".into(),
        label: "Test".into(),
        lang: Lang::Json,
        text: "{\"a\":\n \"<b>\"}".into(),
        load_rev: 1,
        marks: Shared::new(vec![EditorMark { span, bits: mark::ERROR, message: Some("bad value".into()) }]),
        select: None,
        replace: None,
        flush: 0,
        on_change: Callback::from(move |s: String| sink.borrow_mut().push(s)),
        rows: 5,
        placeholder: Default::default(),
        perf_name: None,
        mirror: true,
        wrap: false,
        readonly: false,
        children: Default::default(),
    };
    yew::Renderer::<CodeEditor>::with_root_and_props(root.clone(), props).render();
    TimeoutFuture::new(60).await;
    let area = find(&root, "t-ed");
    assert_eq!(area.dyn_ref::<HtmlTextAreaElement>().unwrap().value(), "{\"a\":\n \"<b>\"}");
    // `mirror`: the textarea's own text (textContent) is the text too.
    assert_eq!(text(&area), "{\"a\":\n \"<b>\"}");
    assert_eq!(all(&root, "b").len(), 0);
    let err = all(&root, ".m-err");
    assert_eq!(err.iter().map(text).collect::<String>(), "\"<b");
    let gm = all(&root, ".gm-err");
    assert_eq!(gm.len(), 1);
    assert_eq!(gm[0].get_attribute("title").as_deref(), Some("Line 2: bad value"));
    assert_eq!(text(&root.query_selector(".ce-lines").unwrap().unwrap()), "1\n2\n");
    type_into(&area, "[1]").await;
    assert_eq!(edits.borrow().as_slice(), ["[1]".to_string()]);
}

#[wasm_bindgen_test]
async fn share_links_round_trip_through_the_browsers_deflate() {
    let s = share::Snapshot {
        rule: "title: é😀\n".into(),
        events: "{\"a\": 1}\n".repeat(200),
        target: "microsoft_xdr".into(),
        pipeline: String::new(),
        kql: None,
    };
    let payload = compress::encode(&s).await.unwrap();
    assert!(payload.len() < s.events.len() / 4, "{}", payload.len());
    let p = share::parse_params(&share::fragment(&payload, false));
    assert_eq!(compress::decode(&p.state.unwrap()).await.unwrap(), s);
    assert!(compress::decode("AAAA").await.is_err());
    assert!(compress::decode("!!").await.is_err());
    // A deflate bomb (33 MB of spaces) is refused.
    let bomb = compress::deflate(&vec![b' '; share::MAX_INFLATED + 1024]).await.unwrap();
    assert!(compress::inflate(&bomb).await.is_err());
}
