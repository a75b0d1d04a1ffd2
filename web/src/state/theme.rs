//! The colour theme: following the system, or the user's choice of light or
//! dark (kept in localStorage).

use yew::prelude::*;

use crate::dom;

pub const THEME_KEY: &str = "sigmaplay:theme";

pub struct Theme {
    /// What the theme button says (its label and title).
    pub label: &'static str,
    pub toggle: Callback<MouseEvent>,
}

#[hook]
pub fn use_theme() -> Theme {
    // "" follows the system.
    let theme = use_state(|| dom::storage_get(THEME_KEY).filter(|t| t == "light" || t == "dark").unwrap_or_default());
    use_effect_with((*theme).clone(), move |t| {
        dom::set_theme_attr(t);
        let _ = dom::storage_set(THEME_KEY, t);
    });
    let toggle = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let dark_now = match theme.as_str() {
                "dark" => true,
                "light" => false,
                _ => dom::prefers_dark(),
            };
            let next = if dark_now { "light" } else { "dark" };
            // Back to following the system when the choice equals it.
            let follows = dom::prefers_dark() == (next == "dark");
            theme.set(if follows { String::new() } else { next.to_string() });
        })
    };
    let label = match theme.as_str() {
        "dark" => "Dark theme (click for light)",
        "light" => "Light theme (click for dark)",
        _ => "Theme follows the system (click to switch)",
    };
    Theme { label, toggle }
}
