//! `detail: 'full'` photo descriptions for JavaScript: the LLM writes them from a caption's
//! tags (plain data), so they live with the LLM, in the text module too, not with vision.

use super::llm::Llm;
use super::{from_object, to_js, to_object};
use crate::describe::DescribeJob;
use crate::vision::caption::{Caption, CaptionOptions};
use crate::Error;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Llm {
    /// Starts a `detail: 'full'` description of a caption (the object `Captioner.caption`
    /// returned, detail 'brief') in `language` ('zh' | 'en', the caption's own); returns
    /// `{promptTokens, reused}`. Replaces any generation in progress.
    #[wasm_bindgen(js_name = describeStart)]
    pub fn describe_start(&mut self, caption: JsValue, language: &str) -> Result<JsValue, JsError> {
        self.description = None;
        let caption: Caption = from_object(caption, "describeStart needs a caption object")?;
        let language = CaptionOptions::parse(Some(language), None).map_err(to_js)?.language;
        let job = DescribeJob::start(&caption, language, &self.engine, &mut self.session).map_err(to_js)?;
        let r = job.result();
        self.description = Some(job);
        to_object(&serde_json::json!({ "promptTokens": r.tokens.prompt, "reused": r.tokens.reused }))
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
    pub fn describe_result(&self) -> Result<JsValue, JsError> {
        let job = self.description.as_ref().ok_or_else(|| to_js(Error::InvalidInput("no description started".into())))?;
        to_object(&job.result())
    }
}
