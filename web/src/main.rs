fn main() {
    // A share link is inflated by the browser (async) before the first render.
    wasm_bindgen_futures::spawn_local(async {
        let start = sigmaplay_web::state::start::Start::resolve().await;
        let props = sigmaplay_web::app::AppProps { start: Some(sigmaplay_web::Shared::new(start)) };
        yew::Renderer::<sigmaplay_web::App>::with_props(props).render();
    });
}
