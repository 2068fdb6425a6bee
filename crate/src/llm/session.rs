//! What the wasm worker and the CLI drive: an `Engine` (model + tokenizer, loaded once) and a
//! `Session` (KV cache + one generation at a time, streamed token by token).

use super::draft::{DraftPolicy, DraftStats};
use super::generate::{FinishReason, GenerateOptions, Generation, TokenText};
use super::stream_load::GgufStream;
use super::weights::{TensorSource, WeightLayout};
use super::{KvCache, Qwen2Model};
use crate::gguf::Gguf;
use crate::tokenizer::{Tokenizer, Utf8Stream};
use crate::{Error, Result};

pub struct Engine {
    pub model: Qwen2Model,
    pub tokenizer: Tokenizer,
}

impl Engine {
    /// Loads a GGUF held whole in memory. It goes through the same streaming loader as the
    /// browser's pieces (`GgufStream`), so both paths are one.
    pub fn load(gguf_bytes: &[u8], progress: impl FnMut(usize, usize)) -> Result<Self> {
        let mut stream = GgufStream::new(gguf_bytes.len(), WeightLayout::Packed);
        for chunk in gguf_bytes.chunks(16 << 20) {
            stream.write(chunk)?;
        }
        stream.finish(progress)
    }

    /// Reads a GGUF file in 16 MiB pieces through the streaming loader.
    pub fn load_file(path: &std::path::Path, layout: WeightLayout) -> Result<Self> {
        use std::io::Read;
        let io = |e: std::io::Error| Error::ModelLoad(format!("{}: {e}", path.display()));
        let mut file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len() as usize;
        let mut stream = GgufStream::new(size, layout);
        let mut buf = vec![0u8; 16 << 20];
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            stream.write(&buf[..n])?;
        }
        stream.finish(|_, _| {})
    }

    /// The tokenizer and model from a parsed header and a source of repacked tensors;
    /// `progress(layer, layers)` reports the assembly.
    pub fn from_source(header: &Gguf, tensors: &mut impl TensorSource, progress: impl FnMut(usize, usize)) -> Result<Self> {
        let tokenizer = Tokenizer::from_gguf(header)?;
        let model = Qwen2Model::from_source(header, tensors, progress)?;
        if tokenizer.vocab_size() > model.config.vocab {
            return Err(Error::ModelLoad(format!(
                "tokenizer has {} tokens, the embedding only {}",
                tokenizer.vocab_size(),
                model.config.vocab
            )));
        }
        Ok(Self { model, tokenizer })
    }
}

/// A ChatML prompt (Qwen2's chat format) for one system + user turn.
pub fn chatml(system: &str, user: &str) -> String {
    format!("<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
}

pub struct Session {
    pub cache: KvCache,
    generation: Option<Generation>,
    utf8: Utf8Stream,
    /// Tokens of a cancelled generation, so its prefix can still be reused.
    cancelled_tokens: Vec<u32>,
    /// Prompt tokens the last `start` found already in the cache.
    pub reused_tokens: usize,
    /// Overrides every generation's prompt-lookup drafting (`DraftPolicy::OFF`: one-token
    /// decoding), for benchmarks and the same-tokens check.
    pub draft: Option<DraftPolicy>,
}

struct Detokenizer<'a> {
    tokenizer: &'a Tokenizer,
    utf8: &'a mut Utf8Stream,
}

impl TokenText for Detokenizer<'_> {
    fn push(&mut self, id: u32) -> String {
        self.utf8.push_bytes(self.tokenizer.token_bytes(id))
    }
    fn flush(&mut self) -> String {
        self.utf8.finish()
    }
    fn is_end(&self, id: u32) -> bool {
        self.tokenizer.is_eog(id)
    }
}

impl Session {
    pub fn new(engine: &Engine, context: usize) -> Self {
        Self {
            cache: engine.model.new_cache(context),
            generation: None,
            utf8: Utf8Stream::new(),
            cancelled_tokens: Vec::new(),
            reused_tokens: 0,
            draft: None,
        }
    }

    /// Starts a generation for `prompt` (ChatML special tokens are parsed). Returns the prompt
    /// length in tokens. Errors if the prompt does not leave room for `max_tokens`.
    pub fn start(&mut self, engine: &Engine, prompt: &str, options: GenerateOptions) -> Result<usize> {
        let ids = engine.tokenizer.encode(prompt, true);
        self.start_ids(ids, options)
    }

    pub fn start_ids(&mut self, ids: Vec<u32>, mut options: GenerateOptions) -> Result<usize> {
        if let Some(policy) = self.draft {
            options.draft = policy;
        }
        let n = ids.len();
        if n + 1 > self.cache.capacity {
            return Err(Error::InvalidInput(format!(
                "the prompt is {n} tokens; the context holds {}",
                self.cache.capacity
            )));
        }
        // Keys/values of a shared prefix (e.g. the same system prompt) are kept, not recomputed.
        let previous = self.generation.as_ref().map_or(&self.cancelled_tokens[..], |g| g.tokens());
        let in_cache = &previous[..self.cache.len.min(previous.len())];
        let shared = in_cache.iter().zip(&ids).take_while(|(a, b)| a == b).count().min(n.saturating_sub(1));
        let generation = Generation::new(ids, shared, options)?;
        self.cache.truncate(shared);
        self.reused_tokens = shared;
        self.utf8 = Utf8Stream::new();
        self.generation = Some(generation);
        Ok(n)
    }

    /// Runs up to `chunk` prompt tokens; true once the prompt is fully processed.
    pub fn prefill(&mut self, engine: &Engine, chunk: usize) -> Result<bool> {
        let g = self.generation.as_mut().ok_or_else(|| Error::InvalidInput("no generation started".into()))?;
        g.prefill(&engine.model, &mut self.cache, chunk)
    }

    /// Prompt tokens not yet run (0 without a generation).
    pub fn prompt_remaining(&self) -> usize {
        self.generation.as_ref().map_or(0, |g| g.prompt_remaining())
    }

    /// One token; the text it completed, or None when finished.
    pub fn step(&mut self, engine: &Engine) -> Result<Option<String>> {
        let g = self.generation.as_mut().ok_or_else(|| Error::InvalidInput("no generation started".into()))?;
        let mut out = Detokenizer { tokenizer: &engine.tokenizer, utf8: &mut self.utf8 };
        g.step(&engine.model, &mut self.cache, &mut out)
    }

    pub fn finish_reason(&self) -> Option<FinishReason> {
        self.generation.as_ref().and_then(|g| g.finished())
    }

    pub fn generated_tokens(&self) -> &[u32] {
        self.generation.as_ref().map_or(&[], |g| g.generated_tokens())
    }

    /// Prompt-lookup drafts of the current generation: proposed, confirmed, passes.
    pub fn draft_stats(&self) -> DraftStats {
        self.generation.as_ref().map_or_else(DraftStats::default, |g| g.draft_stats())
    }

    /// Drops the current generation; the next `step` fails until `start` is called again.
    pub fn cancel(&mut self) {
        if let Some(g) = self.generation.take() {
            self.cancelled_tokens = g.tokens().to_vec();
        }
    }

    /// Forgets everything in the cache (the next prompt is computed from scratch).
    pub fn reset(&mut self) {
        self.generation = None;
        self.cancelled_tokens.clear();
        self.cache.clear();
    }

    /// Runs a whole generation, calling `on_text` with each piece; `on_text` returning false
    /// cancels (takes effect before the next token). Returns the text and the finish reason.
    pub fn generate(
        &mut self,
        engine: &Engine,
        prompt: &str,
        options: GenerateOptions,
        mut on_text: impl FnMut(&str) -> bool,
    ) -> Result<(String, FinishReason)> {
        self.start(engine, prompt, options)?;
        let mut text = String::new();
        while let Some(piece) = self.step(engine)? {
            text.push_str(&piece);
            if !on_text(&piece) {
                self.cancel();
                return Err(Error::Aborted);
            }
        }
        Ok((text, self.finish_reason().unwrap_or(FinishReason::MaxTokens)))
    }
}

/// What one [`Stepper::advance`] did.
pub enum Advance {
    /// Read a chunk of the prompt (more may follow).
    Prefilled,
    /// Decoded one token: the text it completed (maybe ""), or None when the generation ended.
    Token(Option<String>),
}

/// Prompt tokens per prefill step are sized to about this much work, so a caller that yields
/// between steps (the browser worker) answers a cancel well inside its 0.9 s grace period even on
/// a slow or busy machine; prefill speed hardly depends on the step size as long as steps are
/// whole groups of the matmul kernels' tokens.
pub const PREFILL_STEP_MS: f64 = 250.0;
/// The smallest prefill step and the unit of every step: one group of the batched matmul
/// kernels (a step of 6 would run 2 tokens through the slower one-token path).
const MIN_PREFILL_STEP: usize = 4;

/// Drives a started generation one small unit at a time for step-driven jobs (summaries, photo
/// descriptions), so a caller can yield or cancel between any two, and times the two phases.
#[derive(Debug, Clone, Default)]
pub struct Stepper {
    prompt_done: bool,
    /// Tokens for the next prefill step (0: not measured yet).
    prefill_step: usize,
    pub prefill_ms: f64,
    pub decode_ms: f64,
    /// The generation's prompt-lookup drafts so far.
    pub drafts: DraftStats,
}

impl Stepper {
    /// Up to `max_chunk` prompt tokens while the prompt is being read (as many as take about
    /// [`PREFILL_STEP_MS`], measured on the previous step), else one token.
    pub fn advance(&mut self, engine: &Engine, session: &mut Session, max_chunk: usize) -> Result<Advance> {
        let t0 = crate::clock::now_ms();
        if !self.prompt_done {
            let max_chunk = max_chunk.max(MIN_PREFILL_STEP);
            let mut chunk = if self.prefill_step == 0 { MIN_PREFILL_STEP } else { self.prefill_step }.min(max_chunk);
            chunk -= chunk % MIN_PREFILL_STEP;
            // A rest smaller than one group joins this step rather than making a step of its own.
            let remaining = session.prompt_remaining();
            if remaining < chunk + MIN_PREFILL_STEP {
                chunk = remaining.max(1);
            }
            self.prompt_done = session.prefill(engine, chunk)?;
            let ms = crate::clock::now_ms() - t0;
            self.prefill_ms += ms;
            let per_token = ms / chunk as f64;
            self.prefill_step = if per_token > 0.0 {
                ((PREFILL_STEP_MS / per_token) as usize).clamp(MIN_PREFILL_STEP, max_chunk)
            } else {
                max_chunk
            };
            return Ok(Advance::Prefilled);
        }
        let piece = session.step(engine)?;
        self.decode_ms += crate::clock::now_ms() - t0;
        self.drafts = session.draft_stats();
        Ok(Advance::Token(piece))
    }
}
