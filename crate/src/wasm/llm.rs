//! The LLM for JavaScript: load once, then `start` → `step`… per token (the worker yields to
//! its event loop between steps, so a cancel message takes effect within one token).

use super::{options_object, to_js, to_object};
use crate::llm::draft::DraftPolicy;
use crate::llm::generate::{FinishReason, GenerateOptions};
use crate::llm::sampler::{argmax, SamplingOptions};
use crate::llm::session::{Engine, Session};
use crate::llm::stream_load::GgufStream;
use crate::llm::weights::WeightLayout;
use crate::llm::Logits;
use crate::Error;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Generation options, a plain object (all optional): `{maxTokens, temperature, topK, topP,
/// repetitionPenalty, seed, stop: [..], draftTokens}` (draftTokens: prompt-lookup draft length
/// for greedy decoding, 0 = one token per pass; the output is the same either way).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsOptions {
    max_tokens: Option<usize>,
    temperature: Option<f32>,
    top_k: Option<usize>,
    top_p: Option<f32>,
    repetition_penalty: Option<f32>,
    seed: Option<u32>,
    stop: Option<Vec<String>>,
    draft_tokens: Option<usize>,
}

/// Longer drafts only add work: a verifying pass costs more per token than it can save.
const MAX_DRAFT_TOKENS: usize = 8;

/// The keys `JsOptions` knows. serde-wasm-bindgen reads a struct by looking up its fields, so
/// it never sees other keys (`deny_unknown_fields` cannot fire): a misspelt option would be
/// silently ignored without this check.
const OPTION_KEYS: [&str; 8] = ["maxTokens", "temperature", "topK", "topP", "repetitionPenalty", "seed", "stop", "draftTokens"];

fn reject_unknown_keys(options: &JsValue) -> Result<(), JsError> {
    let Some(object) = options.dyn_ref::<js_sys::Object>() else { return Ok(()) };
    for key in js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()) {
        if !OPTION_KEYS.contains(&key.as_str()) {
            return Err(to_js(Error::InvalidInput(format!("generation options: unknown field `{key}`, expected one of {}", OPTION_KEYS.join(", ")))));
        }
    }
    Ok(())
}

/// Checks the ranges of the options (their types were checked when they were deserialized).
fn check_options(o: JsOptions) -> Result<GenerateOptions, Error> {
    let d = GenerateOptions::default();
    let s = SamplingOptions::default();
    let opts = GenerateOptions {
        max_tokens: o.max_tokens.unwrap_or(d.max_tokens),
        stop: o.stop.unwrap_or_default(),
        sampling: SamplingOptions {
            temperature: o.temperature.unwrap_or(s.temperature),
            top_k: o.top_k.unwrap_or(s.top_k),
            top_p: o.top_p.unwrap_or(s.top_p),
            repetition_penalty: o.repetition_penalty.unwrap_or(s.repetition_penalty),
            seed: o.seed.map_or(s.seed, u64::from),
            ..s
        },
        constraints: None,
        draft: DraftPolicy { max_tokens: o.draft_tokens.unwrap_or(d.draft.max_tokens), ..d.draft },
    };
    let sp = &opts.sampling;
    if opts.max_tokens == 0 || !(0.0..=5.0).contains(&sp.temperature) || !(0.0..=1.0).contains(&sp.top_p) || sp.top_p == 0.0 || !(0.5..=3.0).contains(&sp.repetition_penalty) || opts.draft.max_tokens > MAX_DRAFT_TOKENS {
        return Err(Error::Unsupported(format!(
            "generation options out of range (maxTokens ≥ 1, temperature 0–5, topP (0, 1], repetitionPenalty 0.5–3, draftTokens 0–{MAX_DRAFT_TOKENS}): maxTokens {}, temperature {}, topP {}, repetitionPenalty {}, draftTokens {}",
            opts.max_tokens, sp.temperature, sp.top_p, sp.repetition_penalty, opts.draft.max_tokens
        )));
    }
    Ok(opts)
}

#[wasm_bindgen]
pub struct Llm {
    pub(super) engine: Engine,
    pub(super) session: Session,
    /// Argmax after the last `benchPrefill`, where `benchDecode` continues.
    bench_next: u32,
    /// The summary being generated (see wasm/summarize.rs).
    pub(super) summary: Option<crate::summarize::SummaryJob>,
    /// The photo description being generated (see wasm/caption.rs).
    pub(super) description: Option<crate::describe::DescribeJob>,
}

/// Receives a GGUF file piece by piece (e.g. the 16 MiB parts the model cache holds) and
/// repacks each tensor as soon as its bytes are in (`GgufStream`), so the page never holds
/// the file beside the weights: `new LlmLoader(size)`, `write(chunk)`… in order, then
/// `finish(context)`.
#[wasm_bindgen]
pub struct LlmLoader {
    stream: GgufStream,
}

#[wasm_bindgen]
impl LlmLoader {
    /// Grows the memory at once to what the runtime weights will need (packed ~1.15× the
    /// file, expanded ~1.64×, plus headroom): a tab without that much memory fails here,
    /// before any copying, with `ModelLoad`, not with an allocation trap halfway through.
    /// `weights`: "packed" (default: Q5_0/Q4_K kept packed, ~380 MiB) or "expanded" (one i8
    /// per weight, ~540 MiB, faster kernels in wasm).
    #[wasm_bindgen(constructor)]
    pub fn new(size: usize, weights: Option<String>) -> Result<LlmLoader, JsError> {
        let layout = match weights.as_deref() {
            None | Some("packed") => WeightLayout::Packed,
            Some("expanded") => WeightLayout::Expanded,
            Some(other) => return Err(to_js(Error::InvalidInput(format!("weights: {other:?} is not \"packed\" or \"expanded\"")))),
        };
        let need = match layout {
            WeightLayout::Packed => size.saturating_add(size / 4),
            WeightLayout::Expanded => size.saturating_add(size / 4 * 3),
        };
        let mut probe: Vec<u8> = Vec::new();
        probe.try_reserve_exact(need).map_err(|_| to_js(Error::ModelLoad(format!("not enough memory for the {size}-byte model"))))?;
        drop(probe);
        Ok(LlmLoader { stream: GgufStream::new(size, layout) })
    }

    /// Takes the next piece of the file.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        self.stream.write(chunk).map_err(to_js)
    }

    /// Bytes received so far.
    pub fn received(&self) -> usize {
        self.stream.received()
    }

    /// The engine, once every byte has arrived (see `new Llm`).
    pub fn finish(self, context: usize) -> Result<Llm, JsError> {
        let engine = self.stream.finish(|_, _| {}).map_err(to_js)?;
        Ok(Llm::with_engine(engine, context))
    }
}

impl Llm {
    fn with_engine(engine: Engine, context: usize) -> Llm {
        let context = context.clamp(16, engine.model.config.n_ctx_train);
        let session = Session::new(&engine, context);
        Llm {
            engine,
            session,
            bench_next: 0,
            summary: None,
            description: None,
        }
    }
}

#[wasm_bindgen]
impl Llm {
    /// Loads the GGUF bytes (repacking the weights) with a KV cache of `context` tokens.
    #[wasm_bindgen(constructor)]
    pub fn new(gguf: &[u8], context: usize) -> Result<Llm, JsError> {
        let engine = Engine::load(gguf, |_, _| {}).map_err(to_js)?;
        Ok(Llm::with_engine(engine, context))
    }

    /// `{n_layer, d_model, vocab, context, weight_bytes, weights ("packed" | "expanded"),
    /// kv_cache_bytes, kernels, threads}`.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let c = &self.engine.model.config;
        to_object(&serde_json::json!({
            "n_layer": c.n_layer, "d_model": c.d_model, "vocab": c.vocab,
            "context": self.session.cache.capacity,
            "weight_bytes": self.engine.model.weight_bytes(),
            "weights": self.engine.model.weight_layout().name(),
            "kv_cache_bytes": self.session.cache.bytes(),
            "kernels": crate::kernels::simd_path(),
            "threads": crate::kernels::parallel::threads(),
        }))
    }

    /// Token ids of `text` (ChatML special tokens parsed).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.engine.tokenizer.encode(text, true)
    }

    pub fn detokenize(&self, ids: &[u32]) -> String {
        self.engine.tokenizer.decode(ids)
    }

    /// Starts generating after `prompt` (a full ChatML prompt) with the options object (see
    /// `JsOptions`; an unknown key is `InvalidInput`, a value out of range `Unsupported`);
    /// returns the prompt's length in tokens.
    pub fn start(&mut self, prompt: &str, options: JsValue) -> Result<usize, JsError> {
        reject_unknown_keys(&options)?;
        let options = check_options(options_object::<JsOptions>(options, "generation options")?).map_err(to_js)?;
        self.session.start(&self.engine, prompt, options).map_err(to_js)
    }

    /// Runs up to `chunk` prompt tokens; true when the prompt is done (call between yields
    /// so a long prompt can be cancelled too).
    pub fn prefill(&mut self, chunk: usize) -> Result<bool, JsError> {
        self.session.prefill(&self.engine, chunk).map_err(to_js)
    }

    /// One token: the text it completed (maybe ""), or undefined when finished.
    pub fn step(&mut self) -> Result<Option<String>, JsError> {
        self.session.step(&self.engine).map_err(to_js)
    }

    /// "end-of-text" | "stop" | "max-tokens" | "context-full", or undefined while running.
    #[wasm_bindgen(js_name = finishReason)]
    pub fn finish_reason(&self) -> Option<String> {
        self.session.finish_reason().map(|r| {
            match r {
                FinishReason::EndOfText => "end-of-text",
                FinishReason::Stop => "stop",
                FinishReason::MaxTokens => "max-tokens",
                FinishReason::ContextFull => "context-full",
            }
            .to_string()
        })
    }

    /// `[drafted, confirmed, passes]`: the current generation's prompt-lookup drafts.
    #[wasm_bindgen(js_name = draftStats)]
    pub fn draft_stats(&self) -> Vec<u32> {
        let s = self.session.draft_stats();
        [s.drafted, s.accepted, s.verifications].map(|v| v as u32).to_vec()
    }

    /// Drafting for every later generation, summaries and descriptions included ("0" =
    /// one-token decoding; for benchmarks); `undefined` restores each request's own.
    #[wasm_bindgen(js_name = setDraft)]
    /// `spec`: "K", "K:N" or "K:N:b" as in the CLI's `--draft`.
    pub fn set_draft(&mut self, spec: Option<String>) -> Result<(), JsError> {
        self.session.draft = match spec {
            None => None,
            Some(spec) => match DraftPolicy::parse(&spec).filter(|p| p.max_tokens <= MAX_DRAFT_TOKENS) {
                Some(policy) => Some(policy),
                None => return Err(to_js(Error::Unsupported(format!("draft {spec:?}: K, K:N or K:N:b with K 0–{MAX_DRAFT_TOKENS}, N 1–3")))),
            },
        };
        Ok(())
    }

    #[wasm_bindgen(js_name = generatedTokens)]
    pub fn generated_tokens(&self) -> Vec<u32> {
        self.session.generated_tokens().to_vec()
    }

    pub fn cancel(&mut self) {
        self.session.cancel();
        self.summary = None;
        self.description = None;
    }

    /// Benchmark helper: runs `ids` from an empty cache (one batch), returns the argmax.
    #[wasm_bindgen(js_name = benchPrefill)]
    pub fn bench_prefill(&mut self, ids: &[u32]) -> Result<u32, JsError> {
        self.session.cancel();
        self.session.cache.clear();
        let logits = self.engine.model.forward(ids, &mut self.session.cache, Logits::LastOnly).map_err(to_js)?;
        self.bench_next = argmax(&logits);
        Ok(self.bench_next)
    }

    /// Benchmark helper: `n` greedy single-token steps continuing the cache.
    #[wasm_bindgen(js_name = benchDecode)]
    pub fn bench_decode(&mut self, n: usize) -> Result<Vec<u32>, JsError> {
        let model = &self.engine.model;
        let cache = &mut self.session.cache;
        if cache.len == 0 {
            return Err(to_js(Error::InvalidInput("benchDecode needs a prompt first (benchPrefill)".into())));
        }
        let mut out = Vec::with_capacity(n);
        let mut next = self.bench_next;
        for _ in 0..n {
            let logits = model.forward(&[next], cache, Logits::LastOnly).map_err(to_js)?;
            next = argmax(&logits);
            out.push(next);
        }
        self.bench_next = next;
        Ok(out)
    }
}
