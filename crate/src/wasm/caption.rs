//! Photo captions for JavaScript: `new Captioner()`, load whichever models have arrived
//! (`loadClassifier`, `loadDetector`, `loadOcr`; each optional), then `caption(bytes, options)`,
//! `captionImageData(imageData, options)` or `captionRgba(rgba, width, height, options)` → the
//! caption object `{text, alt, language, labels: [{name, zh, score}], objects: [{name, zh,
//! score, box}], ocr: [{text, score, box}], timing: {decodeMs, classifyMs, detectMs, ocrMs,
//! composeMs, totalMs}, tags: [{concept, name, zh, count, score, sure, kind, related}]}`.
//! Options `{language: 'zh'|'en', detail: 'brief'}`; other values throw `Unsupported`, a value
//! of the wrong type `InvalidInput` (`detail: 'full'` is written by the language model: pass
//! the brief caption object to `Llm.describeStart` (wasm/describe.rs), then `describeStep`
//! until undefined, then `describeResult`); bytes that are not an image throw `InvalidInput`.

use super::{options_object, to_js, to_object};
use crate::vision::caption::{CaptionOptions, CaptionOptionsInput, Captioner as Inner};
use crate::vision::{image_input::decode_rgb, ImageClassifier};
use crate::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
pub struct Captioner {
    inner: Inner,
}

#[wasm_bindgen]
impl Captioner {
    /// A captioner with no models yet (captions say "一张照片。" / "A photo." until some load).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Captioner {
        Captioner { inner: Inner::new() }
    }

    /// EfficientNet-Lite0 ONNX bytes + `imagenet-labels.json` bytes.
    #[wasm_bindgen(js_name = loadClassifier)]
    pub fn load_classifier(&mut self, onnx: &[u8], labels_json: &[u8]) -> Result<(), JsError> {
        self.inner.load_classifier(onnx, labels_json).map_err(to_js)
    }

    /// CenterNet detector ONNX bytes + `coco-labels.json` bytes.
    #[wasm_bindgen(js_name = loadDetector)]
    pub fn load_detector(&mut self, onnx: &[u8], labels_json: &[u8]) -> Result<(), JsError> {
        self.inner.load_detector(onnx, labels_json).map_err(to_js)
    }

    /// PP-OCR det, rec, cls ONNX bytes + `ppocr-keys.txt` bytes.
    #[wasm_bindgen(js_name = loadOcr)]
    pub fn load_ocr(&mut self, det: &[u8], rec: &[u8], cls: &[u8], keys_txt: &[u8]) -> Result<(), JsError> {
        self.inner.load_ocr(det, rec, cls, keys_txt).map_err(to_js)
    }

    /// Which models are loaded: `{classifier, detector, ocr}` booleans.
    pub fn loaded(&self) -> Result<JsValue, JsError> {
        to_object(&serde_json::json!({
            "classifier": self.inner.classifier.is_some(),
            "detector": self.inner.detector.is_some(),
            "ocr": self.inner.reader.is_some(),
        }))
    }

    /// Encoded PNG/JPEG/WebP/GIF bytes → the caption object.
    pub fn caption(&self, image: &[u8], options: JsValue) -> Result<JsValue, JsError> {
        let caption = self.inner.caption_encoded(image, &caption_options(options)?).map_err(to_js)?;
        to_object(&caption)
    }

    /// A canvas's `ImageData` (as `getImageData` or `new ImageData` gives it, in a window or a
    /// worker) → the caption object.
    #[wasm_bindgen(js_name = captionImageData)]
    pub fn caption_image_data(&self, image: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let image: web_sys::ImageData =
            image.dyn_into().map_err(|_| to_js(Error::InvalidInput("captionImageData needs an ImageData".into())))?;
        let options = caption_options(options)?;
        let caption = self.inner.caption_rgba(&image.data(), image.width(), image.height(), &options).map_err(to_js)?;
        to_object(&caption)
    }

    /// Raw RGBA pixels (row-major, 4 bytes a pixel) → the caption object.
    #[wasm_bindgen(js_name = captionRgba)]
    pub fn caption_rgba(&self, rgba: &[u8], width: u32, height: u32, options: JsValue) -> Result<JsValue, JsError> {
        let caption = self.inner.caption_rgba(rgba, width, height, &caption_options(options)?).map_err(to_js)?;
        to_object(&caption)
    }
}

fn caption_options(options: JsValue) -> Result<CaptionOptions, JsError> {
    CaptionOptions::from_input(options_object::<CaptionOptionsInput>(options, "caption options")?).map_err(to_js)
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
