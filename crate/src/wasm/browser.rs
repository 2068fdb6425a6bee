//! What the engine asks of the browser itself, through `web-sys`: a monotonic clock, in a
//! window or a worker.

use wasm_bindgen::JsCast;

/// `performance.now()` of the window or worker this module runs in; `Date.now()` where
/// neither has a `performance` object (never in a browser, but a bare JS host might).
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    let performance = if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        worker.performance()
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.performance()
    } else {
        None
    };
    performance.map_or_else(js_sys::Date::now, |p| p.now())
}
