//! Raw DEFLATE through the browser's `CompressionStream` / `DecompressionStream`
//! (no compressor in the wasm), and the share-link encoding built on it.
//! Inflating stops with an error past [`share::MAX_INFLATED`] bytes.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::share::{self, Snapshot};

#[wasm_bindgen(inline_js = r#"
export async function sp_deflate_raw(bytes) {
  const s = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(s).arrayBuffer());
}
export async function sp_inflate_raw(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) { await reader.cancel(); throw new Error('too large'); }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn sp_deflate_raw(bytes: &[u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn sp_inflate_raw(bytes: &[u8], limit: f64) -> Result<JsValue, JsValue>;
}

pub async fn deflate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let v = sp_deflate_raw(bytes).await.map_err(|_| "this browser cannot compress (CompressionStream)".to_string())?;
    Ok(Uint8Array::new(&v).to_vec())
}

pub async fn inflate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let v = sp_inflate_raw(bytes, share::MAX_INFLATED as f64)
        .await
        .map_err(|_| "the link is damaged or too large (deflate)".to_string())?;
    Ok(Uint8Array::new(&v).to_vec())
}

/// The share-link payload (after `s=`) of a snapshot.
pub async fn encode(s: &Snapshot) -> Result<String, String> {
    Ok(share::payload(&deflate(s.to_json().as_bytes()).await?))
}

/// [`encode`] in the background: `done` gets the payload or the error. One
/// instantiation of the future for every caller (each generic one costs wasm).
pub fn encode_then(s: Snapshot, done: yew::Callback<Result<String, String>>) {
    wasm_bindgen_futures::spawn_local(async move { done.emit(encode(&s).await) });
}

pub async fn decode(payload: &str) -> Result<Snapshot, String> {
    let packed = share::unpayload(payload)?;
    share::from_inflated(inflate(&packed).await?)
}
