//! Photo captions for JavaScript: `new Captioner()`, load whichever models have arrived
//! (`loadClassifier`, `loadDetector`, `loadOcr`; each optional), then `caption(bytes,
//! optionsJson)` or `captionRgba(rgba, width, height, optionsJson)` → the caption JSON
//! `{text, alt, language, labels: [{name, zh, score}], objects: [{name, zh, score, box}],
//! ocr: [{text, score, box}], timing: {decodeMs, classifyMs, detectMs, ocrMs, composeMs,
//! totalMs}, tags: [{concept, name, zh, count, score, sure, kind, related}]}`. Options
//! `{language: 'zh'|'en', detail: 'brief'}`; other values throw `Unsupported` (`detail:
//! 'full'` is written by the language model: pass the brief caption's JSON to
//! `Llm.describeStart`, then `describeStep` until undefined, then `describeResult`); bytes
//! that are not an image throw `InvalidInput`.

use super::llm::Llm;
use super::to_js;
use crate::vision::caption::describe::DescribeJob;
use crate::vision::caption::{Caption, CaptionOptions, Captioner as Inner};
use crate::Error;
use wasm_bindgen::prelude::*;

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

    /// Which models are loaded: `{classifier, detector, ocr}` booleans as JSON.
    pub fn loaded(&self) -> String {
        serde_json::json!({
            "classifier": self.inner.classifier.is_some(),
            "detector": self.inner.detector.is_some(),
            "ocr": self.inner.reader.is_some(),
        })
        .to_string()
    }

    /// Encoded PNG/JPEG/WebP/GIF bytes → caption JSON.
    pub fn caption(&self, image: &[u8], options_json: &str) -> Result<String, JsError> {
        let options = CaptionOptions::from_json(options_json).map_err(to_js)?;
        let caption = self.inner.caption_encoded(image, &options).map_err(to_js)?;
        Ok(serde_json::to_string(&caption).unwrap_or_default())
    }

    /// Raw RGBA pixels (a canvas `ImageData.data`) → caption JSON.
    #[wasm_bindgen(js_name = captionRgba)]
    pub fn caption_rgba(&self, rgba: &[u8], width: u32, height: u32, options_json: &str) -> Result<String, JsError> {
        let options = CaptionOptions::from_json(options_json).map_err(to_js)?;
        let caption = self.inner.caption_rgba(rgba, width, height, &options).map_err(to_js)?;
        Ok(serde_json::to_string(&caption).unwrap_or_default())
    }
}

#[wasm_bindgen]
impl Llm {
    /// Starts a `detail: 'full'` description of a caption (the JSON `Captioner.caption`
    /// returned, detail 'brief') in `language` ('zh' | 'en', the caption's own); returns
    /// `{promptTokens, reused}` as JSON. Replaces any generation in progress.
    #[wasm_bindgen(js_name = describeStart)]
    pub fn describe_start(&mut self, caption_json: &str, language: &str) -> Result<String, JsError> {
        self.description = None;
        let caption: Caption = serde_json::from_str(caption_json)
            .map_err(|e| to_js(Error::InvalidInput(format!("describeStart needs a caption's JSON: {e}"))))?;
        let language = CaptionOptions::parse(Some(language), None).map_err(to_js)?.language;
        let job = DescribeJob::start(&caption, language, &self.engine, &mut self.session).map_err(to_js)?;
        let r = job.result();
        self.description = Some(job);
        Ok(serde_json::json!({ "promptTokens": r.tokens.prompt, "reused": r.tokens.reused }).to_string())
    }

    /// The next piece of checked description (may be empty while the prompt is read), or
    /// undefined when it is complete.
    #[wasm_bindgen(js_name = describeStep)]
    pub fn describe_step(&mut self) -> Result<Option<String>, JsError> {
        let job = self.description.as_mut().ok_or_else(|| to_js(Error::InvalidInput("no description started".into())))?;
        job.step(&self.engine, &mut self.session).map_err(to_js)
    }

    /// `{text, sentences, brief, language, fallback, dropped: [{sentence, reasons}], timing:
    /// {prefillMs, decodeMs}, tokens: {prompt, reused, generated}}`.
    #[wasm_bindgen(js_name = describeResult)]
    pub fn describe_result(&self) -> Result<String, JsError> {
        let job = self.description.as_ref().ok_or_else(|| to_js(Error::InvalidInput("no description started".into())))?;
        Ok(serde_json::to_string(&job.result()).unwrap_or_default())
    }
}
