//! Summary options with Chrome's Summarizer API names and values; anything else is a typed
//! `Unsupported` error naming the accepted values.

use super::Language;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryType {
    KeyPoints,
    Tldr,
    Teaser,
    Headline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Short,
    Medium,
    Long,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    PlainText,
    Markdown,
}

impl Length {
    /// Chrome's rule: key-points ≤ 3 / 5 / 7 bullets.
    pub fn key_points(self) -> usize {
        match self {
            Length::Short => 3,
            Length::Medium => 5,
            Length::Long => 7,
        }
    }

    /// Chrome's rule: headline ≤ 12 / 17 / 22 words (Chinese: characters / 2).
    pub fn headline_words(self) -> usize {
        match self {
            Length::Short => 12,
            Length::Medium => 17,
            Length::Long => 22,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    pub kind: SummaryType,
    pub length: Length,
    pub format: Format,
    /// None: the input's language.
    pub output_language: Option<Language>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self { kind: SummaryType::KeyPoints, length: Length::Medium, format: Format::Markdown, output_language: None }
    }
}

fn unsupported(what: &str, got: &str, accepted: &str) -> Error {
    Error::Unsupported(format!("{what} {got:?} is not supported; use one of {accepted}"))
}

impl SummaryOptions {
    /// From the API's strings; `None` means the default.
    pub fn parse(kind: Option<&str>, length: Option<&str>, format: Option<&str>, output_language: Option<&str>) -> Result<Self> {
        let d = Self::default();
        Ok(Self {
            kind: match kind {
                None => d.kind,
                Some("key-points") => SummaryType::KeyPoints,
                Some("tldr") => SummaryType::Tldr,
                Some("teaser") => SummaryType::Teaser,
                Some("headline") => SummaryType::Headline,
                Some(other) => return Err(unsupported("type", other, "key-points, tldr, teaser, headline")),
            },
            length: match length {
                None => d.length,
                Some("short") => Length::Short,
                Some("medium") => Length::Medium,
                Some("long") => Length::Long,
                Some(other) => return Err(unsupported("length", other, "short, medium, long")),
            },
            format: match format {
                None => d.format,
                Some("plain-text") => Format::PlainText,
                Some("markdown") => Format::Markdown,
                Some(other) => return Err(unsupported("format", other, "plain-text, markdown")),
            },
            output_language: match output_language {
                None => None,
                Some("zh") | Some("zh-CN") | Some("zh-Hans") => Some(Language::Zh),
                Some("en") | Some("en-US") | Some("en-GB") => Some(Language::En),
                Some(other) => return Err(unsupported("outputLanguage", other, "zh, en")),
            },
        })
    }
}
