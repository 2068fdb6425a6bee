//! One summary, driven step by step so a caller can stream it and cancel between any two
//! steps: the wasm worker calls `step` from its event loop, the CLI in a loop.
//!
//! Extractive `key-points` finish in `start`. LLM summaries prefill in small chunks, then
//! decode token by token; the model's text is cut into units (bullets / sentences / the
//! headline), each unit is cleaned, checked by the faithfulness guard and only then emitted —
//! so streamed text is never taken back. A unit with an invented number or name is dropped;
//! if no unit survives, the extractive summary is the answer (`fallback`).

use super::guard::{self, Violation};
use super::postprocess::{finished_units, join_units, limit_headline, unit_limit, unit_prefix};
use super::{compress, extract, prepare, prompt, Language, Prepared, SummaryOptions, SummaryType};
use crate::clock::now_ms;
use crate::llm::generate::GenerateOptions;
use crate::llm::sampler::SamplingOptions;
use crate::llm::session::{Advance, Engine, Session, Stepper};
use crate::{Error, Result};
use serde::Serialize;

/// Prompt tokens run per `step` call: small enough that cancel lands within a fraction of a
/// second in the browser, large enough to keep the matmul tiles busy.
const PREFILL_CHUNK: usize = 32;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub extract_ms: f64,
    pub prefill_ms: f64,
    pub decode_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Article tokens given to the model (after compression).
    pub input: usize,
    pub prompt: usize,
    /// Prompt tokens whose keys/values were already cached (shared system prompt).
    pub reused: usize,
    pub generated: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Violations {
    /// Invented numbers/names found in the model's units.
    pub found: usize,
    /// Of those, removed (unit dropped or replaced by the extractive fallback).
    pub repaired: usize,
    /// Left in the final text (the design goal is 0).
    pub remaining: usize,
    pub details: Vec<Violation>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryResult {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub language: Language,
    pub output_language: Language,
    /// The units (bullets / sentences / headline) the text is made of.
    pub units: Vec<String>,
    pub llm: bool,
    pub fallback: bool,
    pub violations: Violations,
    pub timing: Timing,
    pub tokens: Tokens,
}

pub struct SummaryJob {
    options: SummaryOptions,
    prepared: Prepared,
    source: guard::Source,
    output_language: Language,
    llm: bool,
    stepper: Stepper,
    raw: String,
    consumed: usize,
    accepted: Vec<String>,
    found: Vec<Violation>,
    pending_output: Option<String>,
    done: bool,
    fallback: bool,
    timing: Timing,
    tokens: Tokens,
}

/// Whether these options need the LLM (otherwise the extractive core answers).
pub fn needs_llm(options: &SummaryOptions, input: Language) -> bool {
    options.kind != SummaryType::KeyPoints || options.rephrase || options.output_language.is_some_and(|l| l != input && input != Language::Mixed)
}

/// Article tokens given to the model per type and length (see the README's bench for the
/// time this buys: prefill dominates an LLM summary).
fn input_budget(options: &SummaryOptions) -> usize {
    let base = match options.kind {
        SummaryType::Headline | SummaryType::Tldr | SummaryType::Teaser => 128,
        SummaryType::KeyPoints => 256,
    };
    match options.length {
        super::Length::Short => base,
        super::Length::Medium => base * 2,
        super::Length::Long => base * 3,
    }
}

impl SummaryJob {
    /// Validates the input and, for extractive key points, answers at once.
    fn new(text: &str, options: SummaryOptions) -> Result<Self> {
        let t0 = now_ms();
        let prepared = prepare(text)?;
        let input_language = prepared.language;
        let output_language = match options.output_language {
            Some(l) => l,
            None if input_language == Language::Mixed => Language::Zh,
            None => input_language,
        };
        let mut job = SummaryJob {
            source: guard::Source::new(&prepared.text),
            llm: needs_llm(&options, input_language),
            options,
            prepared,
            output_language,
            stepper: Stepper::default(),
            raw: String::new(),
            consumed: 0,
            accepted: Vec::new(),
            found: Vec::new(),
            pending_output: None,
            done: false,
            fallback: false,
            timing: Timing::default(),
            tokens: Tokens::default(),
        };
        if !job.llm {
            job.accepted = extract(&job.prepared, job.options.length.key_points());
            job.pending_output = Some(job.text());
            job.done = true;
        }
        job.timing.extract_ms = now_ms() - t0;
        Ok(job)
    }

    /// Validates the input, and for LLM summaries compresses it and starts the generation.
    /// `llm` is None when the model is not loaded: LLM-only options are then `Unsupported`.
    pub fn start(text: &str, options: SummaryOptions, llm: Option<(&Engine, &mut Session)>) -> Result<Self> {
        let t0 = now_ms();
        let mut job = Self::new(text, options)?;
        if !job.llm {
            return Ok(job);
        }
        let Some((engine, session)) = llm else {
            return Err(Error::Unsupported(format!(
                "a {} summary needs the language model, which is not loaded",
                job.options.kind.name()
            )));
        };
        let compressed = compress::to_budget(&job.prepared, &engine.tokenizer, input_budget(&job.options));
        job.tokens.input = compressed.tokens;
        job.timing.extract_ms = now_ms() - t0;
        let prompt = prompt::build(&compressed.text, &job.options, job.prepared.language, job.output_language);
        let generate = GenerateOptions {
            max_tokens: prompt.max_tokens,
            stop: Vec::new(),
            // Greedy, with a light repetition penalty: small models loop otherwise.
            sampling: SamplingOptions { temperature: 0.0, repetition_penalty: 1.05, ..Default::default() },
        };
        job.tokens.prompt = session.start(engine, &prompt.text, generate)?;
        job.tokens.reused = session.reused_tokens;
        Ok(job)
    }

    /// Post-processing and guard applied to a given model output, as if the LLM had written
    /// it (in pieces of `piece_chars`): what tests use to check the guard on crafted
    /// hallucinations, and what a caller can use to check text from another model.
    pub fn replay(text: &str, options: SummaryOptions, model_output: &str, piece_chars: usize) -> Result<(String, SummaryResult)> {
        let mut job = Self::new(text, options)?;
        let mut streamed = job.pending_output.take().unwrap_or_default();
        let chars: Vec<char> = model_output.chars().collect();
        for piece in chars.chunks(piece_chars.max(1)) {
            if job.done {
                break;
            }
            job.raw.extend(piece);
            streamed.push_str(&job.take_units(false));
            if job.accepted.len() >= unit_limit(job.options.kind, job.options.length) {
                streamed.push_str(&job.finish());
                job.done = true;
            }
        }
        if !job.done {
            streamed.push_str(&job.take_units(true));
            streamed.push_str(&job.finish());
            job.done = true;
        }
        Ok((streamed, job.result()))
    }

    pub fn is_done(&self) -> bool {
        self.done && self.pending_output.is_none()
    }

    /// The next piece of verified text (possibly empty while the prompt is read or a unit is
    /// still being written), or None when the summary is complete.
    pub fn step(&mut self, llm: Option<(&Engine, &mut Session)>) -> Result<Option<String>> {
        if let Some(out) = self.pending_output.take() {
            return Ok(Some(out));
        }
        if self.done {
            return Ok(None);
        }
        let (engine, session) = llm.ok_or_else(|| Error::InvalidInput("this summary needs the language model".into()))?;
        let piece = match self.stepper.advance(engine, session, PREFILL_CHUNK)? {
            Advance::Prefilled => return Ok(Some(String::new())),
            Advance::Token(piece) => piece,
        };
        self.tokens.generated = session.generated_tokens().len();
        let finished = piece.is_none();
        if let Some(p) = piece {
            self.raw.push_str(&p);
        }
        let mut out = self.take_units(finished);
        let limit = unit_limit(self.options.kind, self.options.length);
        if finished || self.accepted.len() >= limit {
            if !finished {
                session.cancel(); // enough units: stop decoding early
            }
            out.push_str(&self.finish());
            self.done = true;
        }
        Ok(Some(out))
    }

    /// Cleans, checks and accepts the units completed so far; returns the text to emit.
    fn take_units(&mut self, finished: bool) -> String {
        let (units, rest) = finished_units(self.options.kind, &self.raw[self.consumed..], finished);
        self.consumed += rest;
        let limit = unit_limit(self.options.kind, self.options.length);
        let mut out = String::new();
        for unit in units {
            let unit = if self.options.kind == SummaryType::Headline {
                limit_headline(&unit, self.options.length.headline_words())
            } else {
                unit
            };
            if self.accepted.len() >= limit || unit.is_empty() || self.accepted.contains(&unit) || !self.in_output_language(&unit) {
                continue;
            }
            let violations = self.source.check(&unit);
            if !violations.is_empty() {
                self.found.extend(violations);
                continue;
            }
            out.push_str(&unit_prefix(self.options.kind, self.options.format, self.output_language, self.accepted.len()));
            out.push_str(&unit);
            self.accepted.push(unit);
        }
        out
    }

    /// A Chinese summary must be mostly Chinese; an English one must have no Han characters
    /// (a half-translated "Bus Line Opens in临川" is not English).
    fn in_output_language(&self, unit: &str) -> bool {
        match self.output_language {
            Language::Zh => {
                let lang = super::language::detect(unit);
                lang != Language::En || !unit.chars().any(|c| c.is_ascii_alphabetic())
            }
            _ => !unit.chars().any(super::language::is_han),
        }
    }

    /// Text to emit at the end: the extractive fallback when no unit survived.
    fn finish(&mut self) -> String {
        if !self.accepted.is_empty() {
            return String::new();
        }
        self.fallback = true;
        let n = match self.options.kind {
            SummaryType::KeyPoints => self.options.length.key_points(),
            SummaryType::Headline => 1,
            _ => self.options.length.sentences(),
        };
        let mut units = extract(&self.prepared, n);
        if self.options.kind == SummaryType::Headline {
            units = units.into_iter().map(|u| limit_headline(&u, self.options.length.headline_words())).collect();
        }
        self.accepted = units;
        self.text()
    }

    fn text(&self) -> String {
        join_units(self.options.kind, self.options.format, self.output_language, &self.accepted)
    }

    pub fn result(&self) -> SummaryResult {
        let text = self.text();
        let remaining = self.source.check(&text).len();
        let found = self.found.len();
        SummaryResult {
            kind: self.options.kind.name(),
            language: self.prepared.language,
            output_language: if self.fallback { self.prepared.language } else { self.output_language },
            units: self.accepted.clone(),
            llm: self.llm,
            fallback: self.fallback,
            violations: Violations { found, repaired: found, remaining, details: self.found.clone() },
            timing: Timing { prefill_ms: self.stepper.prefill_ms, decode_ms: self.stepper.decode_ms, ..self.timing.clone() },
            tokens: self.tokens.clone(),
            text,
        }
    }
}

/// Runs a whole summary; `on_text` gets each verified piece (empty ones while the prompt is
/// read) and returns false to cancel.
pub fn summarize(
    text: &str,
    options: SummaryOptions,
    mut llm: Option<(&Engine, &mut Session)>,
    mut on_text: impl FnMut(&str) -> bool,
) -> Result<SummaryResult> {
    let mut job = SummaryJob::start(text, options, llm.as_mut().map(|(e, s)| (*e, &mut **s)))?;
    while let Some(piece) = job.step(llm.as_mut().map(|(e, s)| (*e, &mut **s)))? {
        // Called for empty pieces too (prefill chunks), so a cancel lands within one chunk.
        if !on_text(&piece) {
            if let Some((_, s)) = llm.as_mut() {
                s.cancel();
            }
            return Err(Error::Aborted);
        }
    }
    Ok(job.result())
}
