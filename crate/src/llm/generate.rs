//! Token-by-token generation: prefill in chunks, then one `step` per token, so a caller
//! (the wasm worker's event loop, a CLI) can stream text and cancel between any two tokens.
//! Stop strings are matched on the decoded text; text that might be the start of a stop
//! string is held back until it is known not to be.

use super::constraint::Constraints;
use super::model::{Logits, Qwen2Model};
use super::sampler::{Sampler, SamplingOptions};
use super::KvCache;
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub max_tokens: usize,
    pub stop: Vec<String>,
    pub sampling: SamplingOptions,
    /// Script mask, applied before sampling (None: unconstrained).
    pub constraints: Option<std::sync::Arc<Constraints>>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { max_tokens: 256, stop: Vec::new(), sampling: SamplingOptions::default(), constraints: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// The model produced an end-of-turn / end-of-text token.
    EndOfText,
    /// A stop string appeared (it is not part of the output).
    Stop,
    MaxTokens,
    /// No room left in the KV cache.
    ContextFull,
}

/// Turns generated token ids into text, and says which ids end the turn.
pub trait TokenText {
    /// Text completed by this token (empty while a UTF-8 sequence is still partial).
    fn push(&mut self, id: u32) -> String;
    /// Whatever is still held back at the end.
    fn flush(&mut self) -> String;
    fn is_end(&self, id: u32) -> bool;
}

pub struct Generation {
    options: GenerateOptions,
    sampler: Sampler,
    /// Prompt tokens not yet run through the model.
    pending: Vec<u32>,
    /// Everything the model has seen or produced, for the repetition penalty.
    history: Vec<u32>,
    generated: usize,
    logits: Option<Vec<f32>>,
    text: String,
    emitted: usize,
    finished: Option<FinishReason>,
}

impl Generation {
    /// `cached`: how many leading prompt tokens are already in the KV cache (a shared prefix
    /// from the previous generation); at least the last prompt token is always run.
    pub fn new(prompt: Vec<u32>, cached: usize, options: GenerateOptions) -> Result<Self> {
        if prompt.is_empty() {
            return Err(Error::InvalidInput("the prompt has no tokens".into()));
        }
        if options.stop.iter().any(|s| s.is_empty()) {
            return Err(Error::InvalidInput("stop strings must not be empty".into()));
        }
        let sampler = Sampler::new(options.sampling.clone());
        Ok(Self {
            options,
            sampler,
            pending: prompt[cached.min(prompt.len() - 1)..].to_vec(),
            history: prompt,
            generated: 0,
            logits: None,
            text: String::new(),
            emitted: 0,
            finished: None,
        })
    }

    pub fn finished(&self) -> Option<FinishReason> {
        self.finished
    }

    /// Tokens generated so far.
    pub fn generated_tokens(&self) -> &[u32] {
        &self.history[self.history.len() - self.generated..]
    }

    /// Prompt + generated tokens (those whose keys/values are in the cache come first).
    pub fn tokens(&self) -> &[u32] {
        &self.history
    }

    pub fn prompt_remaining(&self) -> usize {
        self.pending.len()
    }

    /// Runs up to `chunk` prompt tokens. Returns true once the whole prompt is in the cache.
    pub fn prefill(&mut self, model: &Qwen2Model, cache: &mut KvCache, chunk: usize) -> Result<bool> {
        if self.pending.is_empty() {
            return Ok(true);
        }
        let take = chunk.max(1).min(self.pending.len());
        let batch: Vec<u32> = self.pending.drain(..take).collect();
        let logits = model.forward(&batch, cache, Logits::LastOnly)?;
        if self.pending.is_empty() {
            self.logits = Some(logits);
        }
        Ok(self.pending.is_empty())
    }

    /// Generates one token. Returns the text that became final (possibly empty), or `None`
    /// once generation has finished (see `finished()`).
    pub fn step(&mut self, model: &Qwen2Model, cache: &mut KvCache, out: &mut dyn TokenText) -> Result<Option<String>> {
        if self.finished.is_some() {
            return Ok(None);
        }
        while !self.prefill(model, cache, 512)? {}
        if self.generated >= self.options.max_tokens {
            return Ok(Some(self.finish(FinishReason::MaxTokens, out)));
        }
        let mut logits = self.logits.take().expect("logits after prefill");
        if let Some(c) = &self.options.constraints {
            c.apply(&mut logits);
        }
        let id = self.sampler.sample(&mut logits, &self.history);
        if out.is_end(id) {
            return Ok(Some(self.finish(FinishReason::EndOfText, out)));
        }
        self.history.push(id);
        self.generated += 1;
        self.text.push_str(&out.push(id));
        if let Some(at) = self.find_stop() {
            self.text.truncate(at);
            return Ok(Some(self.finish(FinishReason::Stop, out)));
        }
        if self.generated >= self.options.max_tokens {
            return Ok(Some(self.finish(FinishReason::MaxTokens, out)));
        }
        if cache.len >= cache.capacity {
            return Ok(Some(self.finish(FinishReason::ContextFull, out)));
        }
        self.logits = Some(model.forward(&[id], cache, Logits::LastOnly)?);
        let safe = self.text.len() - self.held_back();
        Ok(Some(self.emit_up_to(safe)))
    }

    fn finish(&mut self, reason: FinishReason, out: &mut dyn TokenText) -> String {
        if reason != FinishReason::Stop {
            self.text.push_str(&out.flush());
            if let Some(at) = self.find_stop() {
                self.text.truncate(at);
            }
        }
        self.finished = Some(reason);
        let end = self.text.len();
        self.emit_up_to(end)
    }

    fn emit_up_to(&mut self, end: usize) -> String {
        let end = end.max(self.emitted);
        let piece = self.text[self.emitted..end].to_string();
        self.emitted = end;
        piece
    }

    /// Byte offset of the first stop string in the not-yet-emitted tail, if any.
    fn find_stop(&self) -> Option<usize> {
        let longest = self.options.stop.iter().map(String::len).max()?;
        let mut from = self.emitted.saturating_sub(longest);
        while !self.text.is_char_boundary(from) {
            from -= 1;
        }
        self.options.stop.iter().filter_map(|s| self.text[from..].find(s.as_str()).map(|i| from + i)).min()
    }

    /// Length of the longest suffix of the text that is a proper prefix of a stop string.
    fn held_back(&self) -> usize {
        let tail = &self.text[self.emitted..];
        let mut hold = 0;
        for stop in &self.options.stop {
            for (i, _) in stop.char_indices().skip(1) {
                if tail.ends_with(&stop[..i]) {
                    hold = hold.max(i);
                }
            }
        }
        hold
    }
}
