//! Photo captions without a language model: classifier + detector + OCR → tags → sentence.
//!
//! A [`Captioner`] holds whichever vision models are loaded (each is optional and loadable on
//! its own; a caption uses what is there, e.g. before the OCR models have downloaded) and
//! returns a [`Caption`]: one sentence in Simplified Chinese or English, the alt text, the
//! labels/objects/OCR lines behind it and per-stage timings.
//!
//! The caption and its options are plain data ([`types`], no tract or image code), which is
//! what the language jobs read: `detail: Full` is a longer description written by the language
//! model from these tags (`crate::describe`); the captioner itself writes the brief sentence
//! and answers `Unsupported` to `Full`, so a caller never gets a brief caption where it asked
//! for a full one.

#[cfg(feature = "vision")]
mod captioner;
#[cfg(feature = "vision")]
pub mod compose;
#[cfg(feature = "vision")]
pub mod contradict;
#[cfg(feature = "vision")]
pub mod tags;
pub mod types;

#[cfg(feature = "vision")]
pub use captioner::{Captioner, TOP_K, TOP_K_CONCEPTS};

pub use types::{
    Caption, CaptionLabel, CaptionObject, CaptionOptions, CaptionOptionsInput, CaptionTag, CaptionText, CaptionTiming,
    Detail, Language, OCR_MIN_SCORE,
};
