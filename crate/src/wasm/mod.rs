//! The JavaScript boundary: the only module that knows about wasm-bindgen.
//! Options and results cross as plain JS objects (serde-wasm-bindgen), typed on the Rust side:
//! a field of the wrong type is an `InvalidInput` naming it. Every error crosses as a `JsError`
//! whose message starts with its kind (`InvalidInput: …`); no panic reaches JS unannounced
//! (the panic hook logs it).

pub(crate) mod browser;
/// Photo captions and the classifier: only in modules built with the `vision` feature.
#[cfg(feature = "vision")]
mod caption;
mod describe;
mod hash;
mod llm;
mod summarize;

use crate::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub(crate) fn to_js(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A result as a plain JS object, shaped like its JSON: maps are objects, `None` is `null`,
/// 64-bit integers are numbers.
pub(crate) fn to_object<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("Internal: a result not representable in JS: {e}")))
}

/// An options object into its Rust type; `undefined` and `null` mean all defaults.
pub(crate) fn options_object<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_object(value, what)
}

/// A plain JS object into its Rust type; something that is not an object, or a field of the
/// wrong type, is `InvalidInput` naming `what` and the field.
pub(crate) fn from_object<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(to_js(Error::InvalidInput(format!("{what} must be an object"))));
    }
    // The path names the field at fault: "summary options: type: invalid type: …".
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let place = if path == "." { String::new() } else { format!("{path}: ") };
        // serde-wasm-bindgen's error is a JS Error: its text starts "Error: ".
        let inner = e.inner().to_string();
        let message = inner.strip_prefix("Error: ").unwrap_or(&inner);
        to_js(Error::InvalidInput(format!("{what}: {place}{message}")))
    })
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::build_info::version().to_string()
}

/// `{version, target_arch, simd128, matmul_kernels, modules ("full" | "text"), threads}`.
#[wasm_bindgen(js_name = buildInfo)]
pub fn build_info() -> Result<JsValue, JsError> {
    to_object(&crate::build_info::build_info())
}

/// Runs the kernel property checks (SIMD128 vs scalar reference, random shapes) inside this
/// module; returns the SIMD path name, or throws naming the first mismatch.
#[wasm_bindgen(js_name = kernelSelfTest)]
pub fn kernel_self_test(seed: u32, cases: u32) -> Result<String, JsError> {
    crate::kernels::check::simd_matches_scalar(seed as u64, cases as usize).map_err(|e| JsError::new(&e))?;
    Ok(crate::kernels::simd_path().to_string())
}

/// Runs the check that products split across the thread pool give the bits of one thread;
/// returns `{threads, parts}` (parts: the most a checked product was cut into), or throws
/// naming the first differing element.
#[wasm_bindgen(js_name = kernelSplitTest)]
pub fn kernel_split_test(seed: u32) -> Result<JsValue, JsError> {
    let parts = crate::kernels::check::split_matches_one_thread(seed as u64).map_err(|e| JsError::new(&e))?;
    to_object(&serde_json::json!({ "threads": crate::kernels::parallel::threads(), "parts": parts }))
}

/// A weight product to time from JS (the kernel rows of `./qy bench llm`): see
/// `kernels::check::ProductBench`.
#[wasm_bindgen]
pub struct KernelBench(crate::kernels::check::ProductBench);

#[wasm_bindgen]
impl KernelBench {
    #[wasm_bindgen(constructor)]
    pub fn new(layout: &str, rows: usize, cols: usize, tokens: usize) -> Result<KernelBench, JsError> {
        crate::kernels::check::ProductBench::new(layout, rows, cols, tokens, 7).map(KernelBench).map_err(|e| JsError::new(&format!("InvalidInput: {e}")))
    }

    /// Runs the product `reps` times on the calling thread; returns a checksum.
    pub fn run(&mut self, reps: usize) -> f32 {
        self.0.run(reps)
    }

    /// Multiply-adds per run.
    pub fn work(&self) -> f64 {
        self.0.work()
    }
}

/// Bytes of this module's linear memory (also when the memory is imported and shared, as in
/// the threaded build, where the instance exports none).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// Kernel threads of this module: 1 in the single-thread build, and in the threaded build
/// until `startThreads` has resolved.
#[wasm_bindgen(js_name = kernelThreads)]
pub fn kernel_threads() -> usize {
    crate::kernels::parallel::threads()
}

/// Threaded build: starts the kernels' pool of `threads` Web Workers sharing this module's
/// memory (wasm-bindgen-rayon), then lets the kernels use it. Call once, from a worker (the
/// pool blocks the calling thread while it works), on a cross-origin isolated page.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = startThreads)]
pub fn start_threads(threads: usize) -> Result<js_sys::Promise, JsError> {
    if threads == 0 {
        return Err(to_js(Error::InvalidInput("startThreads needs at least one thread".into())));
    }
    if crate::kernels::parallel::threads() > 1 {
        return Err(to_js(Error::InvalidInput("the thread pool is already started".into())));
    }
    // The kernels may use the pool once its workers are up, not before.
    let ready = Closure::once(move |_: JsValue| crate::kernels::parallel::started(threads));
    let promise = wasm_bindgen_rayon::init_thread_pool(threads).then(&ready);
    ready.forget(); // runs once; a few bytes for the page's lifetime
    Ok(promise)
}
