//! Token-by-token generation: prefill in chunks, then one `step` per token, so a caller
//! (the wasm worker's event loop, a CLI) can stream text and cancel between any two tokens.
//! Stop strings are matched on the decoded text; text that might be the start of a stop
//! string is held back until it is known not to be.
//!
//! Greedy generations also draft tokens by prompt lookup (`draft`) and verify a draft in one
//! batched forward pass. Every kernel computes each token's row independently of the batch, so
//! the verified logits are bit-identical to one-token decoding and the output is the same
//! token for token; only fewer passes over the weights are made.

use super::constraint::Constraints;
use super::draft::{self, DraftPolicy, DraftStats};
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
    /// Prompt-lookup drafts verified per forward pass (greedy only).
    pub draft: DraftPolicy,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_tokens: 256,
            stop: Vec::new(),
            sampling: SamplingOptions::default(),
            constraints: None,
            draft: DraftPolicy::default(),
        }
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
    prompt_len: usize,
    generated: usize,
    logits: Option<Vec<f32>>,
    /// Tokens a verification pass confirmed (already in the cache), handed out one per step.
    verified: std::collections::VecDeque<u32>,
    drafts: DraftStats,
    /// The last verification pass confirmed none of its draft.
    missed: bool,
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
            prompt_len: prompt.len(),
            history: prompt,
            generated: 0,
            logits: None,
            verified: Default::default(),
            drafts: DraftStats::default(),
            missed: false,
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

    /// Draft tokens proposed and confirmed so far.
    pub fn draft_stats(&self) -> DraftStats {
        self.drafts
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
        if self.pending.is_empty() {
            self.logits = Some(model.forward_masked(&batch, cache, Logits::LastOnly, self.allowed_tokens())?);
        } else {
            // An earlier piece of the prompt leaves only its keys and values: no output head.
            model.forward_hidden(&batch, cache)?;
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
        // A token confirmed by the last verification pass is already in the cache.
        let (id, in_cache) = match self.verified.pop_front() {
            Some(id) => (id, true),
            None => {
                let mut logits = self.logits.take().expect("logits after prefill");
                (self.choose(&mut logits), false)
            }
        };
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
        // Sequential decoding would need room for this token now (the cache holds every token
        // before it), whether or not a verification pass already stored it.
        if self.history.len() > cache.capacity {
            return Ok(Some(self.finish(FinishReason::ContextFull, out)));
        }
        if !in_cache {
            self.run(id, model, cache)?;
        }
        let safe = self.text.len() - self.held_back();
        Ok(Some(self.emit_up_to(safe)))
    }

    /// The tokens the mask lets through, if there is one: only their logits are computed.
    fn allowed_tokens(&self) -> Option<&[std::ops::Range<usize>]> {
        self.options.constraints.as_deref().and_then(|c| c.allowed_rows())
    }

    /// The next token after the history from `logits` (masked and penalized in place).
    fn choose(&mut self, logits: &mut [f32]) -> u32 {
        if let Some(c) = &self.options.constraints {
            // The history's tail after the prompt, draft tokens under verification included.
            c.apply_after(logits, &self.history[self.prompt_len..]);
        }
        self.sampler.sample(logits, &self.history)
    }

    /// Runs the just-chosen token `id` (already in the history): alone, or followed by a
    /// prompt-lookup draft that is verified in the same pass. Leaves the logits for the token
    /// after the last one kept, and the cache holding exactly the kept tokens.
    fn run(&mut self, id: u32, model: &Qwen2Model, cache: &mut KvCache) -> Result<()> {
        let greedy = self.options.sampling.temperature <= 0.0;
        // Drafts past max_tokens or past the cache would be wasted work.
        let room = (self.options.max_tokens - self.generated).min(cache.capacity - cache.len).saturating_sub(1);
        let policy = DraftPolicy { max_tokens: self.options.draft.max_tokens.min(room), ..self.options.draft.after(self.missed) };
        let draft = if greedy { draft::lookup(&self.history, policy) } else { Vec::new() };
        if draft.is_empty() {
            self.logits = Some(model.forward_masked(&[id], cache, Logits::LastOnly, self.allowed_tokens())?);
            return Ok(());
        }
        let base = cache.len;
        let mut batch = Vec::with_capacity(draft.len() + 1);
        batch.push(id);
        batch.extend_from_slice(&draft);
        // Every row's logits at once: most drafts are confirmed, and the head's token tile is
        // cheaper per row than rows computed one at a time (measured slower overall).
        let logits = model.forward_masked(&batch, cache, Logits::All, self.allowed_tokens())?;
        let vocab = model.config.vocab;
        let row_logits = |i: usize| logits[i * vocab..(i + 1) * vocab].to_vec();
        // Each row is judged exactly as one-token decoding would have: after the history plus
        // the draft tokens kept before it (pushed for the penalty, taken back below).
        let mut kept = 0;
        let mut next = None;
        for (i, &guess) in draft.iter().enumerate() {
            let row = row_logits(i);
            if self.choose(&mut row.clone()) != guess {
                next = Some(row);
                break;
            }
            self.history.push(guess);
            kept += 1;
        }
        self.history.truncate(self.history.len() - kept);
        let next = next.unwrap_or_else(|| row_logits(draft.len()));
        self.drafts.add(DraftStats { drafted: draft.len(), accepted: kept, verifications: 1 });
        self.missed = kept == 0;
        self.verified.extend(&draft[..kept]);
        cache.truncate(base + 1 + kept);
        self.logits = Some(next);
        Ok(())
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
