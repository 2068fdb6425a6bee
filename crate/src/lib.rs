//! Qingyu (轻语): on-device summaries and captions.
//!
//! The crate builds natively (tests, CLI, benchmarks) and for `wasm32-unknown-unknown` with
//! SIMD128, where `wasm/` is the only module that knows about JavaScript.
//!
//! Perception (`vision`) produces tags; the language jobs (`summarize`, `describe`) turn
//! input into checked text through one guarded-generation layer (`guarded`); the LLM (`llm`)
//! and its kernels sit below; `text` holds what both sides read text with.

pub mod build_info;
pub mod describe;
pub mod error;
/// Fuzz entry points (cargo-fuzz targets in `crate/fuzz`, replayed by `cargo test`).
#[doc(hidden)]
#[cfg(feature = "vision")]
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
/// Without the `vision` feature: the caption data and concept tables only (no tract, no image).
pub mod vision;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, Result};
