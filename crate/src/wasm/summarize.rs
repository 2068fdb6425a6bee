//! Summaries for JavaScript. `summarizeExtractive` needs no model (key points in
//! milliseconds, usable while the LLM downloads); the LLM path is step-driven like
//! generation: `summarizeStart`, then `summarizeStep` until it returns undefined (the worker
//! yields to its event loop between steps, so a cancel lands within one step), then
//! `summarizeResult` for the text, guard counts and timings.

use super::llm::Llm;
use super::{options_object, to_js, to_object};
use crate::summarize::{SummaryJob, SummaryOptions, SummaryOptionsInput};
use crate::Error;
use wasm_bindgen::prelude::*;

/// The Chrome-Summarizer-style options object `{type, length, format, outputLanguage,
/// context, sharedContext, rephrase}`: all optional strings (`rephrase` a boolean).
fn summary_options(options: JsValue) -> Result<SummaryOptions, JsError> {
    SummaryOptions::from_input(options_object::<SummaryOptionsInput>(options, "summary options")?).map_err(to_js)
}

/// Installs the zh-en lexicon (CC-CEDICT text, see `eval/support/lexicon.py`) that the
/// translation check uses to see mistranslated words; once per page, before summaries that
/// translate. Returns false when one was installed already. Without it the check is skipped.
#[wasm_bindgen(js_name = loadLexicon)]
pub fn load_lexicon(cedict: &str) -> bool {
    crate::summarize::lexicon::install(crate::summarize::lexicon::Lexicon::parse(cedict))
}

/// Extractive key points (the LLM is not needed): the result object (see `summarizeResult`).
/// Options that need the LLM (tldr, teaser, headline, another output language) throw
/// `Unsupported`.
#[wasm_bindgen(js_name = summarizeExtractive)]
pub fn summarize_extractive(text: &str, options: JsValue) -> Result<JsValue, JsError> {
    let job = SummaryJob::start(text, summary_options(options)?, None).map_err(to_js)?;
    to_object(&job.result())
}

#[wasm_bindgen]
impl Llm {
    /// Starts a summary of `text` with the options object (see `summarizeExtractive`);
    /// returns `{language, outputLanguage, llm, tokens, timing}`. Replaces any generation in
    /// progress.
    #[wasm_bindgen(js_name = summarizeStart)]
    pub fn summarize_start(&mut self, text: &str, options: JsValue) -> Result<JsValue, JsError> {
        self.summary = None;
        let options = summary_options(options)?;
        let job = SummaryJob::start(text, options, Some((&self.engine, &mut self.session))).map_err(to_js)?;
        let r = job.result();
        self.summary = Some(job);
        to_object(&serde_json::json!({
            "language": r.language, "outputLanguage": r.output_language, "llm": r.llm,
            "tokens": r.tokens, "timing": r.timing,
        }))
    }

    /// The next piece of verified summary text (may be empty while the prompt is read), or
    /// undefined when the summary is complete.
    #[wasm_bindgen(js_name = summarizeStep)]
    pub fn summarize_step(&mut self) -> Result<Option<String>, JsError> {
        let job = self.summary.as_mut().ok_or_else(|| to_js(Error::InvalidInput("no summary started".into())))?;
        job.step(Some((&self.engine, &mut self.session))).map_err(to_js)
    }

    /// The finished (or so far) summary: `{text, type, language, outputLanguage, units, llm,
    /// fallback, violations: {found, repaired, remaining, details}, timing: {extractMs,
    /// prefillMs, decodeMs}, tokens: {input, prompt, reused, generated}}`.
    #[wasm_bindgen(js_name = summarizeResult)]
    pub fn summarize_result(&self) -> Result<JsValue, JsError> {
        let job = self.summary.as_ref().ok_or_else(|| to_js(Error::InvalidInput("no summary started".into())))?;
        to_object(&job.result())
    }
}
