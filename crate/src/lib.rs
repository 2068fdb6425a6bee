//! Qingyu (轻语): on-device summaries and captions.
//!
//! The crate builds natively (tests, CLI, benchmarks) and for `wasm32-unknown-unknown` with
//! SIMD128, where `wasm/` is the only module that knows about JavaScript.

pub mod build_info;
pub mod error;
/// Fuzz entry points (cargo-fuzz targets in `crate/fuzz`, replayed by `cargo test`).
#[doc(hidden)]
pub mod fuzzing;
pub mod gguf;
pub mod guarded;
pub mod kernels;
pub mod llm;
pub mod clock;
pub mod rng;
pub mod summarize;
pub mod text;
pub mod tokenizer;
pub mod vision;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, Result};
