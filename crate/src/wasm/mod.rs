//! The JavaScript boundary: the only module that knows about wasm-bindgen.
//! Every error crosses as a `JsError` whose message starts with its kind
//! (`InvalidInput: …`); no panic reaches JS unannounced (the panic hook logs it).

mod caption;
mod llm;
mod summarize;

use crate::vision::{image_input::decode_rgb, ImageClassifier};
use wasm_bindgen::prelude::*;

pub(crate) fn to_js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::build_info::version().to_string()
}

/// `{version, target_arch, simd128, matmul_kernels}` as a JSON string.
#[wasm_bindgen(js_name = buildInfo)]
pub fn build_info() -> String {
    serde_json::to_string(&crate::build_info::build_info()).unwrap_or_default()
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

    /// Top-`k` ImageNet classes for encoded image bytes, as a JSON string
    /// `[{id, name, score}, …]`.
    pub fn classify(&self, image: &[u8], k: usize) -> Result<String, JsError> {
        let rgb = decode_rgb(image).map_err(to_js)?;
        let top = self.inner.classify(&rgb, k).map_err(to_js)?;
        Ok(serde_json::to_string(&top).unwrap_or_default())
    }
}
