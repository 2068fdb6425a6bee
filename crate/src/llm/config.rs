//! Qwen2 hyper-parameters, read from GGUF metadata.

use crate::gguf::Gguf;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Qwen2Config {
    pub n_layer: usize,
    pub d_model: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub d_ffn: usize,
    pub vocab: usize,
    /// Context length the model was trained for (the KV cache may be smaller).
    pub n_ctx_train: usize,
    pub rope_theta: f32,
    pub rms_eps: f32,
}

impl Qwen2Config {
    pub fn from_gguf(g: &Gguf) -> Result<Self> {
        let arch = g.get_str("general.architecture")?;
        if arch != "qwen2" {
            return Err(Error::ModelLoad(format!("expected a qwen2 model, this GGUF is {arch:?}")));
        }
        let key = |k: &str| format!("qwen2.{k}");
        let n_head = g.get_u64(&key("attention.head_count"))? as usize;
        let d_model = g.get_u64(&key("embedding_length"))? as usize;
        let embd = g.tensor("token_embd.weight").ok_or_else(|| Error::ModelLoad("GGUF has no token_embd.weight".into()))?;
        let config = Self {
            n_layer: g.get_u64(&key("block_count"))? as usize,
            d_model,
            n_head,
            n_kv_head: g.get_u64(&key("attention.head_count_kv"))? as usize,
            head_dim: d_model / n_head.max(1),
            d_ffn: g.get_u64(&key("feed_forward_length"))? as usize,
            vocab: embd.dims.get(1).copied().unwrap_or(0) as usize,
            n_ctx_train: g.get_u64(&key("context_length"))? as usize,
            rope_theta: g.get_f32(&key("rope.freq_base")).unwrap_or(10_000.0),
            rms_eps: g.get_f32(&key("attention.layer_norm_rms_epsilon"))?,
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        let ok = self.n_layer > 0
            && self.d_model > 0
            && self.d_ffn > 0
            && self.n_head > 0
            && self.n_kv_head > 0
            && self.n_head % self.n_kv_head == 0
            && self.d_model == self.n_head * self.head_dim
            && self.head_dim % 2 == 0
            && self.d_model % 32 == 0
            && self.d_ffn % 32 == 0
            && self.vocab > 0;
        if ok {
            Ok(())
        } else {
            Err(Error::ModelLoad(format!("inconsistent qwen2 hyper-parameters: {self:?}")))
        }
    }

    pub fn kv_dim(&self) -> usize {
        self.n_kv_head * self.head_dim
    }
}
