//! The JavaScript boundary: the only module that knows about wasm-bindgen.
//! Options and results cross as plain JS objects (serde-wasm-bindgen), typed on the Rust side:
//! a field of the wrong type is an `InvalidInput` naming it. Every error crosses as a `JsError`
//! whose message starts with its kind (`InvalidInput: …`); no panic reaches JS unannounced
//! (the panic hook logs it).

pub(crate) mod browser;
mod caption;
mod llm;
mod summarize;

use crate::vision::{image_input::decode_rgb, ImageClassifier};
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

/// `{version, target_arch, simd128, matmul_kernels}`.
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

#[wasm_bindgen]
pub struct Classifier {
    inner: ImageClassifier,
}

#[wasm_bindgen]
impl Classifier {
    /// Loads EfficientNet-Lite0 from ONNX bytes and its label list (JSON bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(onnx: &[u8], labels_json: &[u8]) -> Result<Classifier, JsError> {
        Ok(Classifier { inner: ImageClassifier::load(onnx, labels_json).map_err(to_js)? })
    }

    /// Top-`k` ImageNet classes for encoded image bytes: `[{id, name, score}, …]`.
    pub fn classify(&self, image: &[u8], k: usize) -> Result<JsValue, JsError> {
        let rgb = decode_rgb(image).map_err(to_js)?;
        let top = self.inner.classify(&rgb, k).map_err(to_js)?;
        to_object(&top)
    }
}
