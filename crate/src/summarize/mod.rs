//! Summaries shaped like Chrome's Summarizer API: text handling, the extractive `key-points`
//! core (no LLM, milliseconds; also the fallback whenever the LLM is not loaded or fails the
//! guard), and LLM `tldr` / `teaser` / `headline` / rephrased key points checked by the
//! faithfulness guard.

pub mod candidates;
pub mod compress;
pub mod fill;
pub mod guard;
pub mod headline;
pub mod job;
pub mod lexicon;
pub mod names;
pub mod normalize;
pub mod options;
pub mod polarity;
pub mod postprocess;
pub mod prompt;
pub mod rank;
pub mod sentences;
pub mod support;
pub mod terms;
pub mod translate;

pub use job::{needs_llm, summarize, SummaryJob, SummaryResult};
pub use crate::text::Language;
pub use options::{Format, Length, Quality, SummaryOptions, SummaryOptionsInput, SummaryType};

use crate::text::is_han;
use crate::{Error, Result};
use serde::Serialize;

/// Longest input accepted, in characters (a long feature is ~20,000).
pub const MAX_INPUT_CHARS: usize = 100_000;

/// Normalized input, its language and sentences.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub language: Language,
    pub sentences: Vec<String>,
}

/// Validates and segments the input: empty, over-long and non-text inputs are `InvalidInput`.
pub fn prepare(text: &str) -> Result<Prepared> {
    let chars = text.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(Error::InvalidInput(format!(
            "the text is {chars} characters; the limit is {MAX_INPUT_CHARS}"
        )));
    }
    let junk = text.chars().filter(|&c| (c.is_control() && !c.is_whitespace()) || c == '\u{FFFD}').count();
    if chars > 0 && junk * 10 > chars {
        return Err(Error::InvalidInput("the input does not look like text (binary data?)".into()));
    }
    let text = normalize::normalize(text);
    if text.is_empty() {
        return Err(Error::InvalidInput("the text is empty".into()));
    }
    let sentences = sentences::split(&text);
    if sentences.is_empty() {
        return Err(Error::InvalidInput("the text has no sentences (only punctuation or symbols)".into()));
    }
    Ok(Prepared { language: crate::text::detect(&text), text, sentences })
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyPoints {
    pub language: Language,
    /// Verbatim source sentences, in text order.
    pub points: Vec<String>,
}

/// The extractive key points of `text`: up to 3 / 5 / 7 source sentences (short / medium /
/// long), ranked by TextRank with a lead prior and de-duplicated.
pub fn key_points(text: &str, length: Length) -> Result<KeyPoints> {
    let prepared = prepare(text)?;
    Ok(KeyPoints { language: prepared.language, points: extract(&prepared, length.key_points()) })
}

pub fn extract(prepared: &Prepared, count: usize) -> Vec<String> {
    let candidates = candidates(prepared);
    rank::select(&candidates, count).into_iter().map(|i| candidates[i].text.to_string()).collect()
}

/// The `count` best key sentences, best first (`extract` gives the same in article order).
pub fn extract_ranked(prepared: &Prepared, count: usize) -> Vec<String> {
    let candidates = candidates(prepared);
    rank::select_ranked(&candidates, count).into_iter().map(|i| candidates[i].text.to_string()).collect()
}

/// The sentences as ranking candidates (terms and length computed once).
fn candidates(prepared: &Prepared) -> Vec<rank::Candidate<'_>> {
    prepared
        .sentences
        .iter()
        .map(|s| rank::Candidate { text: s, terms: terms::terms(s), units: content_units(s) })
        .collect()
}

/// Han characters count 1, Latin words 2: a rough, language-neutral sentence length.
fn content_units(s: &str) -> usize {
    let han = s.chars().filter(|&c| is_han(c)).count();
    let words = s.split(|c: char| !c.is_alphanumeric() || is_han(c)).filter(|w| !w.is_empty()).count();
    han + 2 * words
}

/// Bullets as text: "• " lines for plain text, "- " lines for markdown.
pub fn format_points(points: &[String], format: Format) -> String {
    let bullet = match format {
        Format::PlainText => "• ",
        Format::Markdown => "- ",
    };
    points.iter().map(|p| format!("{bullet}{p}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests;
