//! Milliseconds for timings: `std::time::Instant` panics on wasm32-unknown-unknown, so the
//! browser build asks the page's or worker's `performance.now()` (see `wasm/browser.rs`).

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    crate::wasm::browser::now_ms()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}
