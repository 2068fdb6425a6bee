//! The Qwen2 language model: config, weights, KV cache, forward pass, sampling, generation.

pub mod config;
pub mod constraint;
pub mod draft;
pub mod generate;
pub mod kv_cache;
pub mod model;
pub mod sampler;
pub mod session;
pub mod stream_load;
pub mod weights;

pub use config::Qwen2Config;
pub use kv_cache::KvCache;
pub use model::{Logits, Qwen2Model};
