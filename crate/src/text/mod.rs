//! Text utilities that perception and the language jobs both read with: which language a
//! text is in, Chinese word segmentation, and where a period does not end a sentence.

pub mod abbreviations;
pub mod language;

pub use language::{detect, is_han, Language};

use jieba_rs::Jieba;
use std::sync::OnceLock;

/// jieba with its dictionary, loaded once per process (it takes a moment) and shared.
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}
