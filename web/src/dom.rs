//! Thin wrappers over browser APIs (storage, location, clipboard, downloads, fetch,
//! performance marks). Every call tolerates a missing API: failures are
//! returned or ignored, never panics.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local as spawn, JsFuture};

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn document() -> Option<web_sys::Document> {
    window()?.document()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Err when storage is unavailable or full.
pub fn storage_set(key: &str, value: &str) -> Result<(), String> {
    let s = storage().ok_or_else(|| "local storage is not available".to_string())?;
    s.set_item(key, value).map_err(|_| "local storage is full: the state was not saved".to_string())
}

pub fn location_hash() -> String {
    window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

pub fn location_search() -> String {
    window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The page URL without its fragment.
pub fn base_url() -> String {
    let Some(w) = window() else { return String::new() };
    let href = w.location().href().unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_string(),
        None => href,
    }
}

/// Replaces the fragment without a navigation or a history entry.
pub fn replace_hash(fragment: &str) {
    let Some(w) = window() else { return };
    let url = if fragment.is_empty() { base_url() } else { format!("{}#{fragment}", base_url()) };
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Whether the system asks for a dark colour scheme.
pub fn prefers_dark() -> bool {
    window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches())
}

/// Sets `data-theme` on `<html>` ("" removes it: follow the system).
pub fn set_theme_attr(theme: &str) {
    let Some(el) = document().and_then(|d| d.document_element()) else { return };
    if theme.is_empty() {
        let _ = el.remove_attribute("data-theme");
    } else {
        let _ = el.set_attribute("data-theme", theme);
    }
}

/// The text of the file at `url`, relative to the page (same origin).
pub async fn fetch_text(url: String) -> Result<String, String> {
    let failed = || format!("could not load {url}");
    let w = window().ok_or_else(failed)?;
    let response: web_sys::Response =
        JsFuture::from(w.fetch_with_str(&url)).await.map_err(|_| failed())?.unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {url} (HTTP {})", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|_| failed())?).await.map_err(|_| failed())?;
    text.as_string().ok_or_else(failed)
}

/// Copies text to the clipboard; `done` gets Ok or an error message.
pub fn copy_text(text: &str, done: impl FnOnce(Result<(), String>) + 'static) {
    let Some(w) = window() else {
        done(Err("no window".into()));
        return;
    };
    let nav = w.navigator();
    let has_clipboard = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard")).is_ok_and(|c| !c.is_undefined());
    if !has_clipboard {
        done(Err("the clipboard is not available here: select the text and copy it".into()));
        return;
    }
    let promise = nav.clipboard().write_text(text);
    spawn(async move {
        let r = JsFuture::from(promise).await;
        done(r.map(|_| ()).map_err(|_| "the browser refused clipboard access: select the text and copy it".into()));
    });
}

/// Offers `text` as a file download (a same-origin blob: URL).
pub fn download(filename: &str, text: &str, mime: &str) -> Result<(), String> {
    let doc = document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "cannot create the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot create the file")?;
    let a: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(|_| "cannot create a link")?.dyn_into().map_err(|_| "cannot create a link")?;
    a.set_href(&url);
    a.set_download(filename);
    a.set_rel("noopener");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn performance() -> Option<web_sys::Performance> {
    window()?.performance()
}

pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// `performance.measure(name, start_mark)` and clears the start mark.
pub fn measure_from(name: &str, start_mark: &str) {
    if let Some(p) = performance() {
        let _ = p.measure_with_start_mark(name, start_mark);
        p.clear_marks_with_mark_name(start_mark);
    }
}

pub fn has_mark(name: &str) -> bool {
    performance().is_some_and(|p| p.get_entries_by_name_with_entry_type(name, "mark").length() > 0)
}

pub fn now() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

/// Type `text` over the focused field's selection through the browser's
/// editing commands, so that undo takes it back; false when the browser
/// cannot (`execCommand` is deprecated, but no other API reaches the undo stack).
pub fn insert_text(text: &str) -> bool {
    let Some(doc) = document() else { return false };
    let Ok(exec) = js_sys::Reflect::get(&doc, &JsValue::from_str("execCommand")) else { return false };
    let Ok(exec) = exec.dyn_into::<js_sys::Function>() else { return false };
    exec.call3(&doc, &JsValue::from_str("insertText"), &JsValue::FALSE, &JsValue::from_str(text))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}
