//! The Qwen2 forward pass: embeddings → 24 × (RMSNorm, GQA attention with RoPE, RMSNorm,
//! SwiGLU MLP) → RMSNorm → tied output head. One code path serves batched prefill
//! (n tokens) and single-token decode (n = 1).

use super::config::Qwen2Config;
use super::kv_cache::KvCache;
use super::weights::{ModelWeights, TensorSource};
use crate::gguf::Gguf;
use crate::kernels::{self, Q8Vector};
use crate::{Error, Result};
use std::ops::Range;

pub struct Qwen2Model {
    pub config: Qwen2Config,
    pub weights: ModelWeights,
    /// 1 / theta^(2i/head_dim) for i in 0..head_dim/2.
    inv_freq: Vec<f64>,
}

/// Which positions of a forward pass need logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logits {
    LastOnly,
    All,
}

impl Qwen2Model {
    /// From a GGUF held whole in memory.
    pub fn load(g: &Gguf, progress: impl FnMut(usize, usize)) -> Result<Self> {
        Self::from_source(g, &mut { g }, progress)
    }

    /// From a parsed header (the config) and a source of repacked tensors.
    pub fn from_source(header: &Gguf, tensors: &mut impl TensorSource, progress: impl FnMut(usize, usize)) -> Result<Self> {
        let config = Qwen2Config::from_gguf(header)?;
        let weights = ModelWeights::load(tensors, &config, progress)?;
        let half = config.head_dim / 2;
        let inv_freq = (0..half)
            .map(|i| 1.0 / (config.rope_theta as f64).powf(2.0 * i as f64 / config.head_dim as f64))
            .collect();
        Ok(Self { config, weights, inv_freq })
    }

    pub fn new_cache(&self, capacity: usize) -> KvCache {
        KvCache::new(self.config.n_layer, self.config.kv_dim(), capacity)
    }

    /// How the model's largest matrix (the embedding / output head) is held.
    pub fn weight_layout(&self) -> super::weights::WeightLayout {
        match self.weights.embed {
            kernels::Matrix::Expanded(_) => super::weights::WeightLayout::Expanded,
            _ => super::weights::WeightLayout::Packed,
        }
    }

    /// Bytes held by the runtime weights (matrices; the norms and biases are a few KB).
    pub fn weight_bytes(&self) -> usize {
        let w = &self.weights;
        let layer = |l: &super::weights::LayerWeights| [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down].iter().map(|m| m.bytes()).sum::<usize>();
        w.embed.bytes() + w.output.as_ref().map_or(0, |m| m.bytes()) + w.layers.iter().map(layer).sum::<usize>()
    }

    /// Runs `tokens` at positions `cache.len ..`, appends them to the cache, and returns the
    /// logits (vocab floats per requested position).
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, want: Logits) -> Result<Vec<f32>> {
        self.forward_masked(tokens, cache, want, None)
    }

    /// `forward` whose logits are wanted only for the token ids in `allowed` (sorted runs, a
    /// token mask's `Constraints::allowed_rows`); the others may be −∞. A mask that bans most
    /// Latin tokens (Chinese output) spares ~40 % of the output head, ~10 % of a decoded token.
    pub fn forward_masked(&self, tokens: &[u32], cache: &mut KvCache, want: Logits, allowed: Option<&[Range<usize>]>) -> Result<Vec<f32>> {
        let hidden = self.forward_hidden(tokens, cache)?;
        let first = match want {
            Logits::LastOnly => tokens.len() - 1,
            Logits::All => 0,
        };
        Ok(kernels::parallel::enter(|| self.logits_in_pool(&hidden, first..tokens.len(), allowed)))
    }

    /// Logits (vocab floats each) for `rows` of a `forward_hidden` result, only the `allowed`
    /// tokens' where given (the output head is a large share of a pass).
    fn logits_in_pool(&self, hidden: &[f32], rows: Range<usize>, allowed: Option<&[Range<usize>]>) -> Vec<f32> {
        let (d, c) = (self.config.d_model, &self.config);
        let mut xn = vec![0f32; d];
        let mut finals = vec![Q8Vector::default(); rows.len()];
        for (f, t) in finals.iter_mut().zip(rows) {
            kernels::rms_norm(&hidden[t * d..(t + 1) * d], &self.weights.out_norm, c.rms_eps, &mut xn);
            f.quantize(&xn);
        }
        let mut logits = vec![0f32; finals.len() * c.vocab];
        match allowed {
            Some(runs) => kernels::matmul_runs(self.weights.output(), &finals, runs, &mut logits),
            None => kernels::matmul(self.weights.output(), &finals, &mut logits),
        }
        logits
    }

    /// Runs `tokens` at positions `cache.len ..`, appends them to the cache, and returns the
    /// final hidden states (d_model floats per token, before the output norm).
    pub fn forward_hidden(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Vec<f32>> {
        kernels::parallel::enter(|| self.forward_hidden_in_pool(tokens, cache))
    }

    fn forward_hidden_in_pool(&self, tokens: &[u32], cache: &mut KvCache) -> Result<Vec<f32>> {
        let c = &self.config;
        let n = tokens.len();
        if n == 0 {
            return Err(Error::InvalidInput("no tokens to run".into()));
        }
        if cache.len + n > cache.capacity {
            return Err(Error::InvalidInput(format!(
                "context full: {} + {n} tokens exceed the {}-token context",
                cache.len, cache.capacity
            )));
        }
        if let Some(&bad) = tokens.iter().find(|&&t| t as usize >= c.vocab) {
            return Err(Error::InvalidInput(format!("token id {bad} is outside the vocabulary ({})", c.vocab)));
        }
        let (d, kv, hd) = (c.d_model, c.kv_dim(), c.head_dim);
        let pos0 = cache.len;

        let mut x = vec![0f32; n * d];
        for (t, &tok) in tokens.iter().enumerate() {
            self.weights.embed.dequantize_row(tok as usize, &mut x[t * d..(t + 1) * d]);
        }
        let (cos, sin) = self.rope_tables(pos0, n);

        let mut xn = vec![0f32; n * d];
        let mut xq: Vec<Q8Vector> = vec![Q8Vector::default(); n];
        let mut q = vec![0f32; n * d];
        let mut k = vec![0f32; n * kv];
        let mut v = vec![0f32; n * kv];
        let mut attn = vec![0f32; n * d];
        let mut proj = vec![0f32; n * d];
        let mut gate = vec![0f32; n * c.d_ffn];
        let mut up = vec![0f32; n * c.d_ffn];
        let mut hq: Vec<Q8Vector> = vec![Q8Vector::default(); n];

        for (li, l) in self.weights.layers.iter().enumerate() {
            // Attention block.
            norm_and_quantize(&x, &l.attn_norm, c.rms_eps, d, &mut xn, &mut xq);
            kernels::matmul(&l.wq, &xq, &mut q);
            kernels::matmul(&l.wk, &xq, &mut k);
            kernels::matmul(&l.wv, &xq, &mut v);
            for t in 0..n {
                add_bias(&mut q[t * d..(t + 1) * d], &l.bq);
                add_bias(&mut k[t * kv..(t + 1) * kv], &l.bk);
                add_bias(&mut v[t * kv..(t + 1) * kv], &l.bv);
                let half = hd / 2;
                let (ct, st) = (&cos[t * half..(t + 1) * half], &sin[t * half..(t + 1) * half]);
                kernels::rope(&mut q[t * d..(t + 1) * d], hd, ct, st);
                kernels::rope(&mut k[t * kv..(t + 1) * kv], hd, ct, st);
                cache.store(li, pos0 + t, &k[t * kv..(t + 1) * kv], &v[t * kv..(t + 1) * kv]);
            }
            self.attention(li, cache, pos0, n, &q, &mut attn);
            quantize_rows(&attn, d, &mut xq);
            kernels::matmul(&l.wo, &xq, &mut proj);
            add_in_place(&mut x, &proj);

            // SwiGLU MLP block.
            norm_and_quantize(&x, &l.ffn_norm, c.rms_eps, d, &mut xn, &mut xq);
            kernels::matmul(&l.gate, &xq, &mut gate);
            kernels::matmul(&l.up, &xq, &mut up);
            kernels::silu_mul(&mut gate, &up);
            quantize_rows(&gate, c.d_ffn, &mut hq);
            kernels::matmul(&l.down, &hq, &mut proj);
            add_in_place(&mut x, &proj);
        }
        cache.len = pos0 + n;
        Ok(x)
    }

    /// Causal grouped-query attention for the `n` new positions; writes `attn` (n × d). The
    /// (token, head) pairs are split over the threads (`attn` holds them in that order, hd
    /// floats each); every head is computed the same way on any thread.
    fn attention(&self, layer: usize, cache: &KvCache, pos0: usize, n: usize, q: &[f32], attn: &mut [f32]) {
        let c = &self.config;
        let (d, hd, heads) = (c.d_model, c.head_dim, c.n_head);
        let group = c.n_head / c.n_kv_head;
        // Per pair: a dot and an axpy per visible position.
        let parts = kernels::parallel::weighted_parts(n * heads, |i| (pos0 + i / heads + 1) * 2 * hd);
        let mut items: Vec<(std::ops::Range<usize>, &mut [f32])> = Vec::with_capacity(parts.len());
        let mut rest = &mut attn[..n * d];
        for pairs in parts {
            let (out, tail) = std::mem::take(&mut rest).split_at_mut(pairs.len() * hd);
            items.push((pairs, out));
            rest = tail;
        }
        kernels::parallel::for_each(&mut items, |_, (pairs, out)| {
            let mut scores = vec![0f32; pos0 + n];
            for (i, out) in pairs.clone().zip(out.chunks_exact_mut(hd)) {
                let (t, h) = (i / heads, i % heads);
                let s = &mut scores[..pos0 + t + 1];
                self.attend(layer, cache, &q[t * d + h * hd..][..hd], h / group, s, out);
            }
        });
    }

    /// One head of one token: softmax(q·K / √hd) · V over the `scores.len()` visible positions.
    fn attend(&self, layer: usize, cache: &KvCache, qh: &[f32], kv_head: usize, scores: &mut [f32], out: &mut [f32]) {
        let hd = self.config.head_dim;
        let (keys, stride) = cache.head_keys(layer, kv_head, hd);
        kernels::attention_scores(qh, keys, stride, 1.0 / (hd as f32).sqrt(), scores);
        kernels::softmax(scores);
        let (values, stride) = cache.head_values(layer, kv_head, hd);
        kernels::attention_mix(scores, values, stride, out);
    }

    /// cos/sin of every rotary angle for positions pos0..pos0+n (n × head_dim/2 each).
    fn rope_tables(&self, pos0: usize, n: usize) -> (Vec<f32>, Vec<f32>) {
        let half = self.inv_freq.len();
        let mut cos = Vec::with_capacity(n * half);
        let mut sin = Vec::with_capacity(n * half);
        for p in pos0..pos0 + n {
            for &f in &self.inv_freq {
                let angle = p as f64 * f;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        (cos, sin)
    }
}

fn norm_and_quantize(x: &[f32], weight: &[f32], eps: f32, d: usize, xn: &mut [f32], xq: &mut [Q8Vector]) {
    for (t, q) in xq.iter_mut().enumerate() {
        let row = &mut xn[t * d..(t + 1) * d];
        kernels::rms_norm(&x[t * d..(t + 1) * d], weight, eps, row);
        q.quantize(row);
    }
}

fn quantize_rows(x: &[f32], width: usize, out: &mut [Q8Vector]) {
    for (t, q) in out.iter_mut().enumerate() {
        q.quantize(&x[t * width..(t + 1) * width]);
    }
}

fn add_bias(x: &mut [f32], bias: &[f32]) {
    for (v, b) in x.iter_mut().zip(bias) {
        *v += b;
    }
}

fn add_in_place(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}
