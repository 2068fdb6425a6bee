//! What a description may say: the facts a caption establishes (its tags' concepts, counts,
//! positions and sizes, the OCR text) and the check each written sentence passes against them.

use super::mentions::{colours, named_concepts, quotes, stated_counts, without_quotes};
use super::LARGE_AREA;
use crate::guarded::UnitCheck;
use crate::text::{detect, is_han, Language as TextLanguage};
use crate::vision::caption::types::{Caption, Language, OCR_MIN_SCORE};
use std::collections::HashSet;

/// What the photo is known to contain: the check's reference.
struct Facts {
    concepts: HashSet<String>,
    counts: HashSet<usize>,
    /// Concepts the captioner was unsure of: a sentence must hedge when it names them.
    unsure: HashSet<String>,
    /// "left" / "right" where a tag's box sits.
    sides: HashSet<String>,
    /// Some tag's box covers at least LARGE_AREA of the image.
    something_large: bool,
    /// OCR lines, squashed (see `squash`).
    text: Vec<String>,
}

impl Facts {
    fn of(caption: &Caption) -> Self {
        let mut concepts = HashSet::new();
        let mut counts = HashSet::new();
        let mut sides = HashSet::new();
        let mut unsure = HashSet::new();
        for tag in &caption.tags {
            sides.extend(tag.position.clone());
            if !tag.sure {
                unsure.insert(tag.concept.clone());
            }
            concepts.insert(tag.concept.clone());
            concepts.extend(tag.related.iter().cloned());
            if tag.kind == "drink" {
                concepts.insert("cup".into()); // "a cup of espresso" names the drink, not a new object
            }
            counts.insert(tag.count);
        }
        // The lines the prompt shows (see `prompt`).
        let text = caption
            .ocr
            .iter()
            .filter(|l| l.score >= OCR_MIN_SCORE)
            .map(|l| squash(&l.text))
            .filter(|t| !t.is_empty())
            .collect();
        let something_large = caption.tags.iter().any(|t| t.area >= LARGE_AREA);
        Self { concepts, counts, unsure, sides, something_large, text }
    }

    /// Why `sentence` is not backed by the facts (empty: it is).
    fn problems(&self, sentence: &str, language: Language) -> Vec<String> {
        let mut out = Vec::new();
        for key in named_concepts(sentence) {
            if !self.concepts.contains(&key) && !out.contains(&format!("object: {key}")) {
                out.push(format!("object: {key}"));
            } else if self.unsure.contains(&key) && !hedged(sentence) && !out.contains(&format!("unhedged: {key}")) {
                out.push(format!("unhedged: {key}"));
            }
        }
        for c in colours(sentence) {
            out.push(format!("colour: {c}"));
        }
        for n in stated_counts(sentence) {
            if !self.counts.contains(&n) {
                out.push(format!("count: {n}"));
            }
        }
        // A quote must be text the OCR read (the prompt joins lines with " / ").
        let read: String = self.text.concat();
        for q in quotes(sentence) {
            if !read.contains(&squash(&q)) {
                out.push(format!("text: \"{q}\""));
            }
        }
        if !is_sentence(sentence) {
            out.push("format".into());
        }
        for side in stated_sides(sentence) {
            if !self.sides.contains(side) {
                out.push(format!("position: {side}"));
            }
        }
        if claims_large(sentence) && !self.something_large {
            out.push("size".into());
        }
        if !in_language(sentence, language) {
            out.push("language".into());
        }
        out
    }
}

/// Letters, digits and Han characters only, lower-cased: how OCR text and quotes compare.
fn squash(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The sentence says something fills the frame or is large.
fn claims_large(sentence: &str) -> bool {
    let lower = without_quotes(sentence).to_lowercase();
    ["much of the frame", "most of the frame", "fills the frame", "large", "big"].iter().any(|w| lower.contains(w))
        || ["大部分", "很大", "占满"].iter().any(|w| lower.contains(w))
}

/// The sentence says it is not sure ("possibly", 可能…).
fn hedged(sentence: &str) -> bool {
    const EN: &[&str] = &["possibly", "perhaps", "maybe", "may", "might", "likely", "appears", "seems"];
    const ZH: &[&str] = &["可能", "也许", "或许", "似乎", "好像", "看起来"];
    let lower = sentence.to_lowercase();
    lower.split(|c: char| !c.is_ascii_alphabetic()).any(|w| EN.contains(&w)) || ZH.iter().any(|w| sentence.contains(w))
}

/// Starts with a pronoun ("It", "They", 它…): only meaningful after the sentence it refers to.
fn leans_on_previous(sentence: &str) -> bool {
    const EN: &[&str] = &["it", "they", "its", "their", "both"];
    let first = sentence.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_lowercase();
    EN.contains(&first.as_str()) || ["它", "他", "她", "两者"].iter().any(|p| sentence.starts_with(p))
}

/// A sentence, not a copied finding: no "(left side)" notes or "label:" outside quotes.
fn is_sentence(sentence: &str) -> bool {
    !without_quotes(sentence).contains(['(', ')', '（', '）', ':', '：'])
}

/// "left" / "right" when the sentence places something there.
fn stated_sides(sentence: &str) -> Vec<&'static str> {
    let body = without_quotes(sentence).to_lowercase();
    let words: Vec<&str> = body.split(|c: char| !c.is_ascii_alphabetic()).collect();
    [("left", "左"), ("right", "右")]
        .into_iter()
        .filter(|(en, zh)| words.contains(en) || body.contains(&format!("{zh}侧")) || body.contains(&format!("{zh}边")))
        .map(|(en, _)| en)
        .collect()
}

/// English: no Han characters outside quotes. Chinese: mostly Han outside quotes.
fn in_language(sentence: &str, language: Language) -> bool {
    let body = without_quotes(sentence);
    match language {
        Language::En => !body.chars().any(is_han),
        Language::Zh => body.chars().any(is_han) && detect(&body) != TextLanguage::En,
    }
}

/// The checks a sentence passes before it is shown.
pub(super) struct SentenceChecks {
    facts: Facts,
    language: Language,
    /// The model's last sentence was dropped (or none was written yet): a following "It …"
    /// would refer to nothing the reader sees.
    previous_dropped: bool,
}

impl SentenceChecks {
    pub(super) fn of(caption: &Caption, language: Language) -> Self {
        Self { facts: Facts::of(caption), language, previous_dropped: true }
    }
}

impl UnitCheck for SentenceChecks {
    fn problems(&mut self, sentence: &str) -> Vec<String> {
        let mut reasons = self.facts.problems(sentence, self.language);
        if self.previous_dropped && leans_on_previous(sentence) {
            reasons.push("refers to a dropped sentence".into());
        }
        self.previous_dropped = !reasons.is_empty();
        reasons
    }
}
