//! Running the model for a guarded job: the decoding set-up both jobs share (greedy, script
//! masks) and stepping a generation one small piece of work at a time, so a caller can stream
//! and cancel between any two steps.

use super::checked::{CheckedUnits, UnitCheck};
use crate::llm::constraint::{Constraints, Script};
use crate::llm::draft::DraftStats;
use crate::llm::generate::GenerateOptions;
use crate::llm::sampler::SamplingOptions;
use crate::llm::session::{Advance, Engine, Session, Stepper};
use crate::text::Language;
use crate::tokenizer::Tokenizer;
use crate::Result;
use std::sync::Arc;

/// The most prompt tokens per step; the stepper sizes each step to about a quarter of a second
/// of work below this (`llm::session::PREFILL_STEP_MS`), so a cancel lands quickly.
const PREFILL_CHUNK: usize = 32;

/// Greedy decoding (the same input always gives the same text) with a light repetition
/// penalty: small models loop otherwise. `mask`: tokens that may never be written.
pub fn greedy(max_tokens: usize, mask: Option<Constraints>) -> GenerateOptions {
    GenerateOptions {
        max_tokens,
        stop: Vec::new(),
        sampling: SamplingOptions { temperature: 0.0, repetition_penalty: 1.05, ..Default::default() },
        constraints: mask.map(Arc::new),
        ..Default::default()
    }
}

/// The script mask for text in `language`: English never shows Han characters; Chinese shows
/// Latin letters only inside `allowed_latin` (names the source has, such as "Mate 80").
pub fn script_mask(tokenizer: &Tokenizer, language: Language, allowed_latin: &[String]) -> Constraints {
    match language {
        Language::En => Constraints::for_script(tokenizer, Script::Latin, &[]),
        _ => Constraints::for_script(tokenizer, Script::Han, allowed_latin),
    }
}

/// What one [`Decoding::step_units`] did.
pub enum Wrote {
    /// Read a chunk of the prompt.
    Prompt,
    /// Decoded one token. `kept`: the units it finished that passed the check; `generated`:
    /// tokens of this generation so far; `done`: the generation is over (the model stopped,
    /// the token budget ran out, or the unit count is kept and the rest was cancelled).
    Units { kept: Vec<String>, generated: usize, done: bool },
}

/// A job's generations, stepped, with their time and drafts (finished generations included).
#[derive(Debug, Clone, Default)]
pub struct Decoding {
    stepper: Stepper,
    spent_prefill_ms: f64,
    spent_decode_ms: f64,
    spent_drafts: DraftStats,
}

impl Decoding {
    /// A chunk of the started generation's prompt, or one token.
    pub fn advance(&mut self, engine: &Engine, session: &mut Session) -> Result<Advance> {
        self.stepper.advance(engine, session, PREFILL_CHUNK)
    }

    /// One step of a generation whose text streams into `units`: decoding stops (the session's
    /// generation is cancelled) once the unit count is kept.
    pub fn step_units(
        &mut self,
        units: &mut CheckedUnits,
        check: &mut impl UnitCheck,
        engine: &Engine,
        session: &mut Session,
    ) -> Result<Wrote> {
        let piece = match self.advance(engine, session)? {
            Advance::Prefilled => return Ok(Wrote::Prompt),
            Advance::Token(piece) => piece,
        };
        // Counted before a cancel, which drops the generation.
        let generated = session.generated_tokens().len();
        let finished = piece.is_none();
        if let Some(p) = piece {
            units.push(&p);
        }
        let kept = units.take(finished, check);
        let done = finished || units.is_full();
        if !finished && done {
            session.cancel(); // enough units: stop decoding early
        }
        Ok(Wrote::Units { kept, generated, done })
    }

    /// Adds the finished generation's time to the totals; the next one is timed afresh.
    pub fn end_generation(&mut self) {
        self.spent_prefill_ms += self.stepper.prefill_ms;
        self.spent_decode_ms += self.stepper.decode_ms;
        self.spent_drafts.add(self.stepper.drafts);
        self.stepper = Stepper::default();
    }

    pub fn prefill_ms(&self) -> f64 {
        self.spent_prefill_ms + self.stepper.prefill_ms
    }

    pub fn decode_ms(&self) -> f64 {
        self.spent_decode_ms + self.stepper.decode_ms
    }

    /// Prompt-lookup drafts proposed and confirmed so far.
    pub fn drafts(&self) -> DraftStats {
        let mut drafts = self.spent_drafts;
        drafts.add(self.stepper.drafts);
        drafts
    }
}
