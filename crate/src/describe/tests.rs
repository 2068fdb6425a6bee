//! The description job on crafted model outputs: what is kept, what is dropped and why.

use super::*;
use crate::vision::caption::types::{CaptionTag, CaptionText, CaptionTiming};

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
