//! `detail: 'full'`: the language model writes 2–3 sentences about a photo from its caption's
//! tags and OCR lines only (it never sees the pixels), and every sentence is checked before
//! it is shown: a sentence that names an object, person, animal or place no tag backs, states
//! a count no tag has, names a colour (no model here sees colour), quotes text the OCR did not
//! read, or is in the wrong language is dropped. If nothing survives, the brief caption is the answer (`fallback`).
//!
//! Step-driven like a summary (`start`, `step` until None, `result`) so the worker can stream
//! it and cancel between any two steps; the stream of sentences, their checking and the stop
//! at three are the shared guarded-generation layer (`guarded`).
//!
//! The input is a caption as plain data (`vision::caption::types`): perception hands over its
//! tags and OCR lines, and this job never touches images or the vision models.
//!
//! - [`prompt`]: the findings the model is shown.
//! - [`check`]: the facts a sentence must be backed by.
//! - [`mentions`]: what a sentence names, counts and quotes.

pub mod check;
pub mod mentions;
pub mod prompt;

use crate::guarded::{self, CheckedUnits, Cut, Decoding, Wrote};
use crate::llm::session::{Engine, Session};
use crate::vision::caption::types::{Caption, Language};
use crate::{Error, Result};
use check::SentenceChecks;
use serde::Serialize;

pub use prompt::prompt;

/// A box covering this share of the image is "large" (and may "fill much of the frame").
const LARGE_AREA: f32 = 0.3;
/// Sentences kept at most.
pub const MAX_SENTENCES: usize = 3;
/// Tokens the model may write (3 short sentences fit well within).
const MAX_TOKENS: usize = 120;

/// A sentence the check removed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    pub sentence: String,
    /// e.g. `object: extra:sky`, `colour: white`, `count: 3`, `position: left`, `text: "SALE"`,
    /// `format` (a copied finding rather than a sentence), `language`.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTiming {
    pub prefill_ms: f64,
    pub decode_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DescribeTokens {
    pub prompt: usize,
    /// Prompt tokens whose keys/values were already cached (the shared system prompt).
    pub reused: usize,
    pub generated: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// The sentences, or the brief caption when none survived.
    pub text: String,
    pub sentences: Vec<String>,
    /// The brief caption the description was written from.
    pub brief: String,
    pub language: Language,
    pub fallback: bool,
    pub dropped: Vec<Dropped>,
    pub timing: DescribeTiming,
    pub tokens: DescribeTokens,
}

pub struct DescribeJob {
    check: SentenceChecks,
    brief: String,
    language: Language,
    decoding: Decoding,
    sentences: CheckedUnits,
    /// Text decided before any step (the brief caption when there is nothing to describe).
    pending_output: Option<String>,
    done: bool,
    fallback: bool,
    tokens: DescribeTokens,
}

impl DescribeJob {
    fn new(caption: &Caption, language: Language) -> Self {
        Self {
            check: SentenceChecks::of(caption, language),
            brief: caption.text.clone(),
            language,
            decoding: Decoding::default(),
            sentences: CheckedUnits::new(Cut::Sentences, MAX_SENTENCES),
            pending_output: None,
            done: false,
            fallback: false,
            tokens: DescribeTokens::default(),
        }
    }

    /// Starts the model on a description of `caption` (a brief caption in `language`, as the
    /// captioner returned it).
    pub fn start(caption: &Caption, language: Language, engine: &Engine, session: &mut Session) -> Result<Self> {
        if caption.language != language {
            return Err(Error::InvalidInput(format!(
                "the caption is in {:?} but a {language:?} description was asked for: caption in that language first",
                caption.language
            )));
        }
        let mut job = Self::new(caption, language);
        if caption.tags.is_empty() {
            // Nothing was recognised: there is nothing to describe ("A photo." is the answer).
            job.pending_output = Some(job.finish());
            job.done = true;
            return Ok(job);
        }
        job.tokens.prompt = session.start(engine, &prompt(caption, language), guarded::greedy(MAX_TOKENS, None))?;
        job.tokens.reused = session.reused_tokens;
        Ok(job)
    }

    /// The check applied to a given model output as if the LLM had written it: what tests use
    /// to check the guard on crafted inventions.
    pub fn replay(caption: &Caption, language: Language, model_output: &str) -> (String, Description) {
        let mut job = Self::new(caption, language);
        let kept = job.sentences.replay(model_output, 1, &mut job.check);
        let mut streamed = job.show(&kept);
        streamed.push_str(&job.finish());
        job.done = true;
        (streamed, job.result())
    }

    pub fn is_done(&self) -> bool {
        self.done && self.pending_output.is_none()
    }

    /// The next piece of checked text (empty while the prompt is read or a sentence is being
    /// written), or None when the description is complete.
    pub fn step(&mut self, engine: &Engine, session: &mut Session) -> Result<Option<String>> {
        if let Some(out) = self.pending_output.take() {
            return Ok(Some(out));
        }
        if self.done {
            return Ok(None);
        }
        let (kept, generated, done) = match self.decoding.step_units(&mut self.sentences, &mut self.check, engine, session)? {
            Wrote::Prompt => return Ok(Some(String::new())),
            Wrote::Units { kept, generated, done } => (kept, generated, done),
        };
        self.tokens.generated = generated;
        let mut out = self.show(&kept);
        if done {
            out.push_str(&self.finish());
            self.done = true;
        }
        Ok(Some(out))
    }

    /// The text for sentences just kept (the last of those kept so far).
    fn show(&self, kept: &[String]) -> String {
        let first = self.sentences.kept().len() - kept.len();
        kept.iter().enumerate().map(|(i, s)| format!("{}{s}", self.separator(first + i))).collect()
    }

    fn separator(&self, index: usize) -> &'static str {
        if index == 0 || self.language == Language::Zh {
            ""
        } else {
            " "
        }
    }

    /// Text to emit at the end: the brief caption when no sentence survived.
    fn finish(&mut self) -> String {
        if !self.sentences.kept().is_empty() || self.fallback {
            return String::new();
        }
        self.fallback = true;
        self.brief.clone()
    }

    pub fn result(&self) -> Description {
        let kept = self.sentences.kept();
        Description {
            text: if self.fallback { self.brief.clone() } else { self.show(kept) },
            sentences: kept.to_vec(),
            brief: self.brief.clone(),
            language: self.language,
            fallback: self.fallback,
            dropped: self.sentences.dropped().iter().map(|d| Dropped { sentence: d.unit.clone(), reasons: d.reasons.clone() }).collect(),
            timing: DescribeTiming { prefill_ms: self.decoding.prefill_ms(), decode_ms: self.decoding.decode_ms() },
            tokens: self.tokens.clone(),
        }
    }
}

/// Runs a whole description; `on_text` gets each checked piece (empty ones while the prompt is
/// read) and returns false to cancel.
pub fn describe(
    caption: &Caption,
    language: Language,
    engine: &Engine,
    session: &mut Session,
    mut on_text: impl FnMut(&str) -> bool,
) -> Result<Description> {
    let mut job = DescribeJob::start(caption, language, engine, session)?;
    while let Some(piece) = job.step(engine, session)? {
        if !on_text(&piece) {
            session.cancel();
            return Err(Error::Aborted);
        }
    }
    Ok(job.result())
}

#[cfg(test)]
mod tests;
