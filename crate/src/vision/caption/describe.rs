//! `detail: 'full'`: the language model writes 2–3 sentences about a photo from its caption's
//! tags and OCR lines only (it never sees the pixels), and every sentence is checked before
//! it is shown: a sentence that names an object, person, animal or place no tag backs, states
//! a count no tag has, names a colour (no model here sees colour), quotes text the OCR did not
//! read, or is in the wrong language is dropped. If nothing survives, the brief caption is the answer (`fallback`).
//!
//! Step-driven like a summary (`start`, `step` until None, `result`) so the worker can stream
//! it and cancel between any two steps.

use super::compose::OCR_MIN_SCORE;
use super::mentions::{colours, named_concepts, quotes, stated_counts, without_quotes};
use super::{Caption, CaptionTag, Language};
use crate::guarded::{self, CheckedUnits, Cut, Decoding, UnitCheck, Wrote};
use crate::llm::session::{chatml, Engine, Session};
use crate::text::{detect, is_han, Language as TextLanguage};
use crate::vision::concepts;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::HashSet;

/// A box covering this share of the image is "large" (and may "fill much of the frame").
const LARGE_AREA: f32 = 0.3;
/// Sentences kept at most.
pub const MAX_SENTENCES: usize = 3;
/// Tokens the model may write (3 short sentences fit well within).
const MAX_TOKENS: usize = 120;

/// A sentence the check removed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    pub sentence: String,
    /// e.g. `object: extra:sky`, `colour: white`, `count: 3`, `position: left`, `text: "SALE"`,
    /// `format` (a copied finding rather than a sentence), `language`.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTiming {
    pub prefill_ms: f64,
    pub decode_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DescribeTokens {
    pub prompt: usize,
    /// Prompt tokens whose keys/values were already cached (the shared system prompt).
    pub reused: usize,
    pub generated: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// The sentences, or the brief caption when none survived.
    pub text: String,
    pub sentences: Vec<String>,
    /// The brief caption the description was written from.
    pub brief: String,
    pub language: Language,
    pub fallback: bool,
    pub dropped: Vec<Dropped>,
    pub timing: DescribeTiming,
    pub tokens: DescribeTokens,
}

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

/// "a cup of espresso", "2 cats (left side, large)", "两只猫（左侧）"; hedged tags are marked.
fn tag_phrase(tag: &CaptionTag, language: Language) -> String {
    let concept = concepts::concept(&tag.concept);
    let mut phrase = match language {
        Language::En if tag.count >= 2 => format!("{} {}", tag.count, concept.map_or(tag.name.as_str(), |c| c.en_plural)),
        Language::En => tag.name.clone(),
        Language::Zh => {
            let measure = concept.map_or("个", |c| c.measure_zh);
            match tag.count {
                0 | 1 => format!("一{measure}{}", tag.zh),
                2 => format!("两{measure}{}", tag.zh),
                n => format!("{n}{measure}{}", tag.zh),
            }
        }
    };
    let size = match tag.area {
        a if a >= LARGE_AREA => Some(("large", "很大")),
        a if a > 0.0 && a < 0.05 => Some(("small", "很小")),
        _ => None,
    };
    let place = tag.position.as_deref().map(|p| match p {
        "left" => ("left side", "左侧"),
        "right" => ("right side", "右侧"),
        _ => ("center", "中间"),
    });
    let notes: Vec<(&str, &str)> = place.into_iter().chain(size).collect();
    if !notes.is_empty() {
        phrase = match language {
            Language::En => format!("{phrase} ({})", notes.iter().map(|n| n.0).collect::<Vec<_>>().join(", ")),
            Language::Zh => format!("{phrase}（{}）", notes.iter().map(|n| n.1).collect::<Vec<_>>().join("，")),
        };
    }
    match (tag.kind.as_str(), tag.sure, language) {
        ("scene", true, Language::En) => format!("place: {}", tag.name),
        ("scene", true, Language::Zh) => format!("地点：{}", tag.zh),
        ("scene", false, Language::En) => format!("place: possibly {}", tag.name),
        ("scene", false, Language::Zh) => format!("地点：可能是{}", tag.zh),
        (_, false, Language::En) => format!("possibly {phrase}"),
        (_, false, Language::Zh) => format!("可能有{phrase}"),
        _ => phrase,
    }
}

/// The ChatML prompt: one system prompt per language (its keys/values stay cached across
/// photos), the findings in the user turn.
pub fn prompt(caption: &Caption, language: Language) -> String {
    let mut findings: Vec<String> = caption.tags.iter().map(|t| format!("- {}", tag_phrase(t, language))).collect();
    let lines: Vec<&str> = caption.ocr.iter().filter(|l| l.score >= OCR_MIN_SCORE).map(|l| l.text.as_str()).collect();
    match language {
        Language::En => {
            if !lines.is_empty() {
                findings.push(format!("- text in the photo: \"{}\"", lines.join(" / ")));
            }
            if findings.is_empty() {
                findings.push("- nothing recognised".into());
            }
            let system = "You describe photos for people who cannot see them, using only what image recognition \
                found in the photo. Write 2 or 3 short, plain sentences in English. Say what is in the photo, where it \
                is and how much of the frame it fills, and quote any text found. Never add anything that is not in the \
                findings: no other objects, people, animals, places, colours, actions or text.\n\
                Example 1 findings:\n- 2 dogs (large)\n\
                Example 1 description: There are two dogs in the photo. They fill much of the frame.\n\
                Example 2 findings:\n- a bicycle (right side)\n- possibly a bench\n\
                Example 2 description: There is a bicycle on the right side of the photo. There may also be a bench.";
            let user = format!("Findings:\n{}\nDescription:", findings.join("\n"));
            chatml(system, &user)
        }
        Language::Zh => {
            if !lines.is_empty() {
                findings.push(format!("- 照片中的文字：“{}”", lines.join(" / ")));
            }
            if findings.is_empty() {
                findings.push("- 没有识别出内容".into());
            }
            let system = "你为看不见照片的人描述照片，只使用图像识别在照片中找到的内容。用简体中文写2到3个简短的完整句子：\
                说出照片里有什么、在什么位置、占画面多大，并引用识别出的文字。不要添加识别结果以外的任何东西：\
                不要添加其他物体、人物、动物、地点、颜色、动作或文字。\n\
                示例1识别结果：\n- 两只狗（很大）\n\
                示例1描述：照片中有两只狗。它们占了画面的大部分。\n\
                示例2识别结果：\n- 一辆自行车（右侧）\n- 可能有一张长椅\n\
                示例2描述：照片右侧有一辆自行车。旁边可能还有一张长椅。";
            let user = format!("识别结果：\n{}\n描述：", findings.join("\n"));
            chatml(system, &user)
        }
    }
}

/// The checks a sentence passes before it is shown.
struct SentenceChecks {
    facts: Facts,
    language: Language,
    /// The model's last sentence was dropped (or none was written yet): a following "It …"
    /// would refer to nothing the reader sees.
    previous_dropped: bool,
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

pub struct DescribeJob {
    check: SentenceChecks,
    brief: String,
    language: Language,
    decoding: Decoding,
    sentences: CheckedUnits,
    /// Text decided before any step (the brief caption when there is nothing to describe).
    pending_output: Option<String>,
    done: bool,
    fallback: bool,
    tokens: DescribeTokens,
}

impl DescribeJob {
    fn new(caption: &Caption, language: Language) -> Self {
        Self {
            check: SentenceChecks { facts: Facts::of(caption), language, previous_dropped: true },
            brief: caption.text.clone(),
            language,
            decoding: Decoding::default(),
            sentences: CheckedUnits::new(Cut::Sentences, MAX_SENTENCES),
            pending_output: None,
            done: false,
            fallback: false,
            tokens: DescribeTokens::default(),
        }
    }

    /// Starts the model on a description of `caption` (a brief caption in `language`, as the
    /// captioner returned it).
    pub fn start(caption: &Caption, language: Language, engine: &Engine, session: &mut Session) -> Result<Self> {
        if caption.language != language {
            return Err(Error::InvalidInput(format!(
                "the caption is in {:?} but a {language:?} description was asked for: caption in that language first",
                caption.language
            )));
        }
        let mut job = Self::new(caption, language);
        if caption.tags.is_empty() {
            // Nothing was recognised: there is nothing to describe ("A photo." is the answer).
            job.pending_output = Some(job.finish());
            job.done = true;
            return Ok(job);
        }
        job.tokens.prompt = session.start(engine, &prompt(caption, language), guarded::greedy(MAX_TOKENS, None))?;
        job.tokens.reused = session.reused_tokens;
        Ok(job)
    }

    /// The check applied to a given model output as if the LLM had written it: what tests use
    /// to check the guard on crafted inventions.
    pub fn replay(caption: &Caption, language: Language, model_output: &str) -> (String, Description) {
        let mut job = Self::new(caption, language);
        let kept = job.sentences.replay(model_output, 1, &mut job.check);
        let mut streamed = job.show(&kept);
        streamed.push_str(&job.finish());
        job.done = true;
        (streamed, job.result())
    }

    pub fn is_done(&self) -> bool {
        self.done && self.pending_output.is_none()
    }

    /// The next piece of checked text (empty while the prompt is read or a sentence is being
    /// written), or None when the description is complete.
    pub fn step(&mut self, engine: &Engine, session: &mut Session) -> Result<Option<String>> {
        if let Some(out) = self.pending_output.take() {
            return Ok(Some(out));
        }
        if self.done {
            return Ok(None);
        }
        let (kept, generated, done) = match self.decoding.step_units(&mut self.sentences, &mut self.check, engine, session)? {
            Wrote::Prompt => return Ok(Some(String::new())),
            Wrote::Units { kept, generated, done } => (kept, generated, done),
        };
        self.tokens.generated = generated;
        let mut out = self.show(&kept);
        if done {
            out.push_str(&self.finish());
            self.done = true;
        }
        Ok(Some(out))
    }

    /// The text for sentences just kept (the last of those kept so far).
    fn show(&self, kept: &[String]) -> String {
        let first = self.sentences.kept().len() - kept.len();
        kept.iter().enumerate().map(|(i, s)| format!("{}{s}", self.separator(first + i))).collect()
    }

    fn separator(&self, index: usize) -> &'static str {
        if index == 0 || self.language == Language::Zh {
            ""
        } else {
            " "
        }
    }

    /// Text to emit at the end: the brief caption when no sentence survived.
    fn finish(&mut self) -> String {
        if !self.sentences.kept().is_empty() || self.fallback {
            return String::new();
        }
        self.fallback = true;
        self.brief.clone()
    }

    pub fn result(&self) -> Description {
        let kept = self.sentences.kept();
        Description {
            text: if self.fallback { self.brief.clone() } else { self.show(kept) },
            sentences: kept.to_vec(),
            brief: self.brief.clone(),
            language: self.language,
            fallback: self.fallback,
            dropped: self.sentences.dropped().iter().map(|d| Dropped { sentence: d.unit.clone(), reasons: d.reasons.clone() }).collect(),
            timing: DescribeTiming { prefill_ms: self.decoding.prefill_ms(), decode_ms: self.decoding.decode_ms() },
            tokens: self.tokens.clone(),
        }
    }
}

/// Runs a whole description; `on_text` gets each checked piece (empty ones while the prompt is
/// read) and returns false to cancel.
pub fn describe(
    caption: &Caption,
    language: Language,
    engine: &Engine,
    session: &mut Session,
    mut on_text: impl FnMut(&str) -> bool,
) -> Result<Description> {
    let mut job = DescribeJob::start(caption, language, engine, session)?;
    while let Some(piece) = job.step(engine, session)? {
        if !on_text(&piece) {
            session.cancel();
            return Err(Error::Aborted);
        }
    }
    Ok(job.result())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::caption::{CaptionText, CaptionTiming};

    fn tag(concept: &str, name: &str, zh: &str, count: usize, sure: bool, kind: &str) -> CaptionTag {
        CaptionTag {
            concept: concept.into(),
            name: name.into(),
            zh: zh.into(),
            count,
            score: 0.8,
            sure,
            level: if sure { "sure" } else { "possible" }.into(),
            confidence: if sure { 0.9 } else { 0.5 },
            kind: kind.into(),
            related: vec![],
            position: None,
            area: 0.0,
        }
    }

    fn caption(text: &str, language: Language, tags: Vec<CaptionTag>, ocr: &[&str]) -> Caption {
        Caption {
            text: text.into(),
            alt: text.into(),
            language,
            labels: vec![],
            objects: vec![],
            ocr: ocr.iter().map(|t| CaptionText { text: t.to_string(), score: 0.95, bbox: [[0.0; 2]; 4] }).collect(),
            tags,
            timing: CaptionTiming::default(),
        }
    }

    fn cats(language: Language) -> Caption {
        let text = if language == Language::En { "Two cats on the left." } else { "画面左侧有两只猫。" };
        let mut cats = tag("cat", "cat", "猫", 2, true, "animal");
        cats.position = Some("left".into());
        caption(text, language, vec![cats], &[])
    }

    #[test]
    fn prompt_lists_only_the_findings() {
        let mut c = cats(Language::En);
        c.tags.push(tag("seashore", "seashore", "海边", 1, false, "scene"));
        c.tags.push(tag("coffee", "espresso", "浓缩咖啡", 1, false, "drink"));
        c.ocr.push(CaptionText { text: "SALE".into(), score: 0.9, bbox: [[0.0; 2]; 4] });
        let p = prompt(&c, Language::En);
        assert!(p.contains("Findings:\n- 2 cats (left side)\n- place: possibly seashore\n- possibly espresso\n- text in the photo: \"SALE\"\nDescription:"), "{p}");
        let p = prompt(&cats(Language::Zh), Language::Zh);
        assert!(p.contains("识别结果：\n- 两只猫（左侧）\n描述："), "{p}");
    }

    #[test]
    fn faithful_sentences_stream_and_inventions_are_dropped() {
        let c = cats(Language::En);
        let output = "Two cats rest on the left side of the photo. A dog sleeps beside them. \
            The cats sit under a blue sky. Three cats are visible. A cat sits on the right. The two cats look calm.";
        let (streamed, d) = DescribeJob::replay(&c, Language::En, output);
        assert_eq!(d.sentences, ["Two cats rest on the left side of the photo.", "The two cats look calm."]);
        assert_eq!(streamed, d.text);
        assert!(!d.fallback);
        let reasons: Vec<&str> = d.dropped.iter().flat_map(|x| x.reasons.iter().map(String::as_str)).collect();
        assert_eq!(reasons, ["object: dog", "object: extra:sky", "colour: blue", "count: 3", "position: right"]);
    }

    #[test]
    fn chinese_and_quoted_text() {
        let c = caption("一块写着“禁止游泳”的路牌。", Language::Zh, vec![tag("street_sign", "street sign", "路牌", 1, true, "text")], &["禁止游泳"]);
        let output = "这是一块路牌。路牌上写着“禁止游泳”。牌子上还写着“注意安全”。旁边站着一个男人。一块路牌（很大）";
        let (_, d) = DescribeJob::replay(&c, Language::Zh, output);
        assert_eq!(d.sentences, ["这是一块路牌。", "路牌上写着“禁止游泳”。"]);
        assert_eq!(d.dropped.len(), 3, "{:?}", d.dropped);
        assert!(d.dropped[0].reasons[0].starts_with("text:"));
        assert_eq!(d.dropped[1].reasons, ["object: person"]);
        assert_eq!(d.dropped[2].reasons, ["format", "size"]);
    }

    #[test]
    fn unsure_tags_need_a_hedge_and_pronouns_need_their_sentence() {
        let mut c = cats(Language::En);
        c.tags.push(tag("sled", "bobsled", "雪橇", 1, false, "vehicle"));
        let (_, d) = DescribeJob::replay(&c, Language::En, "There is a bobsled. It is long. There may be a bobsled too. Two cats sit on the left. They rest.");
        assert_eq!(d.sentences, ["There may be a bobsled too.", "Two cats sit on the left.", "They rest."]);
        assert_eq!(d.dropped[0].reasons, ["unhedged: sled"]);
        assert_eq!(d.dropped[1].reasons, ["refers to a dropped sentence"]);
        let (_, d) = DescribeJob::replay(&c, Language::En, "Two cats fill much of the frame.");
        assert_eq!(d.dropped[0].reasons, ["size"], "no tag is large");
    }

    #[test]
    fn wrong_language_and_nothing_left_fall_back_to_the_brief_caption() {
        let c = cats(Language::En);
        let (streamed, d) = DescribeJob::replay(&c, Language::En, "两只猫在休息。A horse runs.");
        assert!(d.fallback);
        assert_eq!((streamed.as_str(), d.text.as_str()), ("Two cats on the left.", "Two cats on the left."));
        assert_eq!(d.dropped[0].reasons, ["language"]);
    }

    #[test]
    fn at_most_three_sentences_and_drinks_come_in_cups() {
        let c = caption("A cup of espresso.", Language::En, vec![tag("coffee", "espresso", "浓缩咖啡", 1, true, "drink")], &[]);
        let (_, d) = DescribeJob::replay(&c, Language::En, "A cup of espresso. It is hot. It is fresh. It is dark.");
        assert_eq!(d.sentences.len(), 3);
        assert!(d.dropped.is_empty());
    }
}
