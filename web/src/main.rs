fn main() {
    yew::Renderer::<sigmaplay_web::App>::new().render();
}
