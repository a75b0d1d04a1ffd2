//! Browser tests: `cargo test -p sigmaplay-web --target wasm32-unknown-unknown`
//! (headless Chromium via wasm-bindgen-test-runner, see .cargo/config.toml).
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use sigmaplay_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlTextAreaElement, InputEvent, InputEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// Every test mounts into its own div: all tests share one document.
async fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    TimeoutFuture::new(50).await;
    root
}

fn find(root: &Element, testid: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
}

async fn type_into(area: &Element, text: &str) {
    let area: &HtmlTextAreaElement = area.dyn_ref().unwrap();
    area.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let ev = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&ev).unwrap();
    TimeoutFuture::new(50).await;
}

#[wasm_bindgen_test]
async fn renders_heading_editors_and_output() {
    let root = mount().await;
    let h1 = root.query_selector("h1").unwrap().expect("h1");
    assert_eq!(h1.text_content().unwrap(), "Sigmaplay");
    find(&root, "rule-editor");
    find(&root, "events-editor");
    let out = find(&root, "kql-output").text_content().unwrap();
    assert!(out.contains(sigmaplay_core::version()), "{out}");
    assert!(out.contains("rule: 0 characters"), "{out}");
}

#[wasm_bindgen_test]
async fn typing_a_rule_updates_the_output() {
    let root = mount().await;
    let rule = find(&root, "rule-editor");
    type_into(&rule, "title: Test\n").await;
    let out = find(&root, "kql-output").text_content().unwrap();
    assert!(out.contains("rule: 12 characters"), "{out}");

    type_into(&rule, "é€😀").await;
    let out = find(&root, "kql-output").text_content().unwrap();
    assert!(out.contains("rule: 3 characters"), "{out}");
}

#[wasm_bindgen_test]
async fn events_editor_keeps_its_text() {
    let root = mount().await;
    let events = find(&root, "events-editor");
    type_into(&events, "{\"EventID\": 1}").await;
    let area: &HtmlTextAreaElement = events.dyn_ref().unwrap();
    assert_eq!(area.value(), "{\"EventID\": 1}");
    let out = find(&root, "kql-output").text_content().unwrap();
    assert!(out.contains("rule: 0 characters"), "{out}");
}
