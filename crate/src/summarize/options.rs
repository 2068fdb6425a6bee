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

impl SummaryType {
    pub fn name(self) -> &'static str {
        match self {
            SummaryType::KeyPoints => "key-points",
            SummaryType::Tldr => "tldr",
            SummaryType::Teaser => "teaser",
            SummaryType::Headline => "headline",
        }
    }
}

impl Length {
    /// Chrome's rule for tldr and teaser: 1 / 3 / 5 sentences.
    pub fn sentences(self) -> usize {
        match self {
            Length::Short => 1,
            Length::Medium => 3,
            Length::Long => 5,
        }
    }
}

/// How much generation an LLM summary may spend on being right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    /// One greedy generation, streamed unit by unit as it passes the checks.
    #[default]
    Fast,
    /// Several generations (greedy and seeded samples); the one whose checked units cover the
    /// article's key sentences best is shown, when all are done. About 2–3× the decoding time.
    Best,
}

impl Quality {
    pub fn name(self) -> &'static str {
        match self {
            Quality::Fast => "fast",
            Quality::Best => "best",
        }
    }
}

/// Longest `context` accepted, in characters (it goes into every prompt).
pub const MAX_CONTEXT_CHARS: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    pub kind: SummaryType,
    pub length: Length,
    pub format: Format,
    /// None: the input's language.
    pub output_language: Option<Language>,
    /// Background for the model ("for a product manager", …), Chrome's `sharedContext`/`context`.
    pub context: Option<String>,
    /// `key-points` by the LLM instead of extracted sentences (also implied when the output
    /// language differs from the input's).
    pub rephrase: bool,
    pub quality: Quality,
}

impl Default for SummaryOptions {
    /// Chrome's defaults: key-points, short, markdown.
    fn default() -> Self {
        Self {
            kind: SummaryType::KeyPoints,
            length: Length::Short,
            format: Format::Markdown,
            output_language: None,
            context: None,
            rephrase: false,
            quality: Quality::Fast,
        }
    }
}

/// The options object as the JS API spells it (camelCase), from JSON (CLI, tests) or a plain
/// JS object (the wasm boundary); unknown keys are ignored, as a browser API ignores dictionary
/// members it does not know. `null` and a missing key both mean the default.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryOptionsInput {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub length: Option<String>,
    pub format: Option<String>,
    pub output_language: Option<String>,
    pub context: Option<String>,
    pub shared_context: Option<String>,
    pub rephrase: Option<bool>,
    pub quality: Option<String>,
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
            context: None,
            rephrase: false,
            quality: Quality::Fast,
        })
    }

    /// `quality` from the API's string; `None` means `fast`.
    pub fn with_quality(mut self, quality: Option<&str>) -> Result<Self> {
        self.quality = match quality {
            None | Some("fast") => Quality::Fast,
            Some("best") => Quality::Best,
            Some(other) => return Err(unsupported("quality", other, "fast, best")),
        };
        Ok(self)
    }

    /// From the JS options object (`{"type": "tldr", "length": "short", …}`); `""` or `"{}"`
    /// give the defaults.
    pub fn from_json(json: &str) -> Result<Self> {
        let raw: SummaryOptionsInput = if json.trim().is_empty() {
            SummaryOptionsInput::default()
        } else {
            serde_json::from_str(json).map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?
        };
        Self::from_input(raw)
    }

    /// Checks the options object's values (the types were checked when it was deserialized).
    pub fn from_input(raw: SummaryOptionsInput) -> Result<Self> {
        let mut options = Self::parse(raw.kind.as_deref(), raw.length.as_deref(), raw.format.as_deref(), raw.output_language.as_deref())?
            .with_quality(raw.quality.as_deref())?;
        let context: Vec<String> = [raw.shared_context, raw.context].into_iter().flatten().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        if !context.is_empty() {
            let context = context.join("\n");
            let chars = context.chars().count();
            if chars > MAX_CONTEXT_CHARS {
                return Err(Error::InvalidInput(format!("the context is {chars} characters; the limit is {MAX_CONTEXT_CHARS}")));
            }
            options.context = Some(context);
        }
        options.rephrase = raw.rephrase.unwrap_or(false);
        Ok(options)
    }
}
