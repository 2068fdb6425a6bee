//! Tags + OCR lines → one natural sentence in Simplified Chinese or English (no model).
//!
//! * counts: 两只猫 / two cats (the concept's `measure_zh` and `en_plural`), 一只猫 / a cat;
//!   drinks are served: 一杯浓缩咖啡 / a cup of espresso;
//! * the main subject's position (在画面左侧 / on the left) only when it is alone, not too
//!   large and clearly off to one side (or small and centred);
//! * a scene concept as the place: 海边有一只狗 / a dog at the seashore;
//! * confident OCR lines quoted: 一块写着“禁止游泳”的路牌 / a street sign reading "…";
//! * fallbacks: a hedged "a photo of a sled" / 一张雪橇的照片 (coarse concept only) when
//!   nothing is sure, "A photo." / 一张照片。 when nothing passes at all.

use super::tags::Tag;
use super::Language;
use crate::vision::concepts::Kind;

/// OCR lines quoted in the caption need this recognizer score…
pub const OCR_MIN_SCORE: f32 = 0.8;
/// …and this many letters, digits or Han characters, making up most of the line (the
/// recognizer reads texture as "★★★" or "|||" with high confidence).
pub const OCR_MIN_CHARS: usize = 2;
/// At most this many lines are quoted, and the quote is cut to [`QUOTE_MAX_CHARS`].
const QUOTE_MAX_LINES: usize = 3;
const QUOTE_MAX_CHARS: usize = 40;
/// At most this many subjects are named.
const MAX_SUBJECTS: usize = 3;

/// An OCR line as the composer sees it (`bbox`: corners TL, TR, BR, BL).
#[derive(Debug, Clone)]
pub struct OcrText {
    pub text: String,
    pub score: f32,
    pub bbox: [[f32; 2]; 4],
}

/// Where the main subject sits, when worth saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Left,
    Right,
    Center,
}

/// The sentence and the OCR quote it used (for the alt text).
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub text: String,
    /// Confident OCR lines, top to bottom (all of them, not only the quoted ones).
    pub ocr_lines: Vec<String>,
}

/// Position of a lone subject's box in a `width`×`height` image, if it helps the reader.
pub fn position(bbox: [f32; 4], width: u32, height: u32) -> Option<Position> {
    let (w, h) = (width as f32, height as f32);
    if w <= 0.0 || h <= 0.0 {
        return None;
    }
    let bw = (bbox[2] - bbox[0]) / w;
    let cx = (bbox[0] + bbox[2]) / 2.0 / w;
    let cy = (bbox[1] + bbox[3]) / 2.0 / h;
    if bw > 0.6 {
        return None; // fills the frame: "on the left" would mislead
    }
    if cx < 0.36 {
        Some(Position::Left)
    } else if cx > 0.64 {
        Some(Position::Right)
    } else if bw < 0.35 && (bbox[3] - bbox[1]) / h < 0.5 && (0.3..=0.7).contains(&cy) {
        Some(Position::Center)
    } else {
        None
    }
}

/// Confident OCR lines in reading order (top to bottom, then left to right).
pub fn confident_lines(ocr: &[OcrText]) -> Vec<String> {
    let mut lines: Vec<&OcrText> = ocr
        .iter()
        .filter(|l| l.score >= OCR_MIN_SCORE && readable(&l.text))
        .collect();
    lines.sort_by(|a, b| a.bbox[0][1].total_cmp(&b.bbox[0][1]).then(a.bbox[0][0].total_cmp(&b.bbox[0][0])));
    lines.iter().map(|l| l.text.trim().to_string()).collect()
}

/// At least OCR_MIN_CHARS letters/digits/Han, and they are at least 60 % of the non-space text.
fn readable(text: &str) -> bool {
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    let words = text.chars().filter(|c| c.is_alphanumeric()).count();
    words >= OCR_MIN_CHARS && words * 10 >= visible * 6
}

fn quote_of(lines: &[String], separator: &str) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let joined = lines.iter().take(QUOTE_MAX_LINES).cloned().collect::<Vec<_>>().join(separator);
    Some(if joined.chars().count() > QUOTE_MAX_CHARS {
        format!("{}…", joined.chars().take(QUOTE_MAX_CHARS).collect::<String>().trim_end())
    } else {
        joined
    })
}

/// The caption for `tags` (ordered most salient first, as `build_tags` returns them) and OCR
/// lines, for an image of `width`×`height` pixels.
pub fn compose(tags: &[Tag], ocr: &[OcrText], width: u32, height: u32, language: Language) -> Composed {
    let ocr_lines = confident_lines(ocr);
    let quote = quote_of(&ocr_lines, if language == Language::Zh { "，" } else { " / " });
    let scene = tags.iter().find(|t| t.kind() == Kind::Scene);
    let subjects: Vec<&Tag> = tags
        .iter()
        .filter(|t| t.kind() != Kind::Scene && t.is_sure())
        .take(MAX_SUBJECTS)
        .collect();
    let hedged = tags.iter().find(|t| t.kind() != Kind::Scene && !t.is_sure());
    let pos = match subjects.as_slice() {
        [only] if only.count == 1 => only.bbox.and_then(|b| position(b, width, height)),
        _ => None,
    };
    // The quote attaches to a text-bearing subject (sign, menu) when there is one.
    let reader = quote.as_ref().and_then(|_| subjects.iter().position(|t| t.kind() == Kind::Text));
    let text = match language {
        Language::En => english(&subjects, scene, hedged, pos, quote.as_deref(), reader),
        Language::Zh => chinese(&subjects, scene, hedged, pos, quote.as_deref(), reader),
    };
    Composed { text, ocr_lines }
}

// ---- English ----

fn number_en(n: usize) -> String {
    const WORDS: [&str; 11] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    WORDS.get(n).map(|w| w.to_string()).unwrap_or_else(|| n.to_string())
}

/// "a" or "an" before `word` (by sound for the common exceptions).
pub fn article(word: &str) -> &'static str {
    let w = word.to_ascii_lowercase();
    let an_exceptions = ["hour", "honest", "honor", "heir"];
    let a_exceptions = ["uni", "use", "usu", "one", "eu", "ewe", "ur"];
    if an_exceptions.iter().any(|p| w.starts_with(p)) {
        "an"
    } else if a_exceptions.iter().any(|p| w.starts_with(p)) {
        "a"
    } else if w.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The container a drink is counted in, unless its name already says ("glass of wine").
fn serving_en(tag: &Tag) -> Option<(&'static str, &'static str)> {
    if tag.kind() != Kind::Drink || tag.concept.en.contains(" of ") {
        return None;
    }
    if tag.concept.key == "beer" {
        Some(("glass", "glasses"))
    } else {
        Some(("cup", "cups"))
    }
}

fn noun_phrase_en(tag: &Tag) -> String {
    let n = tag.count.max(1);
    let fine = tag.fine.map(|f| f.en);
    if let Some((one, many)) = serving_en(tag) {
        let name = fine.unwrap_or(tag.concept.en);
        return if n == 1 { format!("a {one} of {name}") } else { format!("{} {many} of {name}", number_en(n)) };
    }
    if n == 1 {
        let name = fine.unwrap_or(tag.concept.en);
        format!("{} {name}", article(name))
    } else {
        format!("{} {}", number_en(n), tag.concept.en_plural)
    }
}

fn join_en(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn scene_en(tag: &Tag) -> String {
    let place = tag.concept.en;
    let inside = ["library", "restaurant", "shop", "cinema", "greenhouse", "prison", "barbershop", "sawmill", "valley", "mountains"];
    let prep = if inside.contains(&place) { "in" } else if place == "stage" { "on" } else { "at" };
    format!("{prep} the {place}")
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn english(
    subjects: &[&Tag],
    scene: Option<&Tag>,
    hedged: Option<&Tag>,
    pos: Option<Position>,
    quote: Option<&str>,
    reader: Option<usize>,
) -> String {
    let mut body = if subjects.is_empty() {
        match (scene, hedged) {
            (Some(s), _) => format!("a photo of the {}", s.concept.en),
            (None, Some(h)) => format!("a photo of {} {}", article(h.concept.en), h.concept.en),
            (None, None) => match quote {
                Some(q) => return format!("Text reading \"{q}\"."),
                None => return "A photo.".into(),
            },
        }
    } else {
        let parts: Vec<String> = subjects
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let np = noun_phrase_en(t);
                match (reader == Some(i), quote) {
                    (true, Some(q)) => format!("{np} reading \"{q}\""),
                    _ => np,
                }
            })
            .collect();
        let mut body = join_en(&parts);
        if let Some(p) = pos {
            body.push_str(match p {
                Position::Left => " on the left",
                Position::Right => " on the right",
                Position::Center => " in the center",
            });
        }
        if let Some(s) = scene {
            body.push(' ');
            body.push_str(&scene_en(s));
        }
        body
    };
    if let (None, Some(q)) = (reader, quote) {
        body.push_str(&format!(", with the text \"{q}\""));
    }
    format!("{}.", capitalize(&body))
}

// ---- Chinese ----

fn number_zh(n: usize) -> String {
    const DIGITS: [&str; 11] = ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"];
    DIGITS.get(n).map(|w| w.to_string()).unwrap_or_else(|| n.to_string())
}

fn noun_phrase_zh(tag: &Tag, quote: Option<&str>) -> String {
    let n = tag.count.max(1);
    let name = match tag.fine {
        Some(f) => f.zh,
        None => tag.concept.zh,
    };
    let modifier = quote.map(|q| format!("写着“{q}”的")).unwrap_or_default();
    format!("{}{}{modifier}{name}", number_zh(n), tag.concept.measure_zh)
}

fn join_zh(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{}和{last}", rest.join("、")),
    }
}

fn chinese(
    subjects: &[&Tag],
    scene: Option<&Tag>,
    hedged: Option<&Tag>,
    pos: Option<Position>,
    quote: Option<&str>,
    reader: Option<usize>,
) -> String {
    let mut body = if subjects.is_empty() {
        match (scene, hedged) {
            (Some(s), _) => format!("一张{}的照片", s.concept.zh),
            (None, Some(h)) => format!("一张{}的照片", h.concept.zh),
            (None, None) => match quote {
                Some(q) => return format!("图中写着“{q}”。"),
                None => return "一张照片。".into(),
            },
        }
    } else {
        let parts: Vec<String> = subjects
            .iter()
            .enumerate()
            .map(|(i, t)| noun_phrase_zh(t, quote.filter(|_| reader == Some(i))))
            .collect();
        let nps = join_zh(&parts);
        let mut place: Vec<String> = Vec::new();
        if let Some(s) = scene {
            place.push(s.concept.zh.to_string());
        }
        if let Some(p) = pos {
            place.push(
                match p {
                    Position::Left => "画面左侧",
                    Position::Right => "画面右侧",
                    Position::Center => "画面中央",
                }
                .to_string(),
            );
        }
        if place.is_empty() {
            nps
        } else {
            format!("{}有{nps}", place.join("，"))
        }
    };
    if let (None, Some(q)) = (reader, quote) {
        body.push_str(&format!("，上面写着“{q}”"));
    }
    format!("{body}。")
}

#[cfg(test)]
mod tests {
    use super::super::tags::{build_tags, ClassScore, ObjectBox};
    use super::*;
    use crate::vision::concepts;

    fn inet(en: &str, score: f32) -> ClassScore {
        let class = (0..concepts::IMAGENET_CLASSES).filter_map(concepts::imagenet).find(|l| l.en == en).unwrap();
        ClassScore { class, score }
    }

    fn coco(en: &str, score: f32, bbox: [f32; 4]) -> ObjectBox {
        let class = (0..concepts::COCO_CLASSES).filter_map(concepts::coco).find(|l| l.en == en).unwrap();
        ObjectBox { class, score, bbox }
    }

    fn line(text: &str, score: f32, y: f32) -> OcrText {
        OcrText { text: text.into(), score, bbox: [[0.0, y], [50.0, y], [50.0, y + 10.0], [0.0, y + 10.0]] }
    }

    /// Whole-frame box in a 100×100 image (no position word).
    const FULL: [f32; 4] = [5.0, 5.0, 95.0, 95.0];

    fn both(labels: &[ClassScore], objects: &[ObjectBox], ocr: &[OcrText]) -> (String, String) {
        let tags = build_tags(labels, objects);
        (
            compose(&tags, ocr, 100, 100, Language::Zh).text,
            compose(&tags, ocr, 100, 100, Language::En).text,
        )
    }

    #[test]
    fn coffee_is_a_cup_of_espresso() {
        let (zh, en) = both(&[inet("espresso", 0.9), inet("cup", 0.03)], &[coco("cup", 0.58, FULL)], &[]);
        assert_eq!(zh, "一杯浓缩咖啡。");
        assert_eq!(en, "A cup of espresso.");
    }

    #[test]
    fn single_and_counted_subjects() {
        let (zh, en) = both(&[inet("Egyptian cat", 0.79)], &[coco("cat", 0.47, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一只埃及猫。", "An Egyptian cat."));
        let (zh, en) = both(&[], &[coco("cat", 0.8, FULL), coco("cat", 0.6, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("两只猫。", "Two cats."));
        let (zh, en) = both(&[], &[coco("person", 0.9, FULL), coco("person", 0.8, FULL), coco("person", 0.7, FULL), coco("dog", 0.6, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("三个人和一只狗。", "Three people and a dog."));
        let (zh, en) = both(&[], &[coco("elephant", 0.9, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一头大象。", "An elephant."));
    }

    #[test]
    fn articles() {
        assert_eq!(article("umbrella"), "an");
        assert_eq!(article("unicycle"), "a");
        assert_eq!(article("hourglass"), "an");
        assert_eq!(article("cat"), "a");
    }

    #[test]
    fn position_only_when_useful() {
        let tags = build_tags(&[], &[coco("dog", 0.9, [2.0, 30.0, 30.0, 90.0])]);
        assert_eq!(compose(&tags, &[], 100, 100, Language::En).text, "A dog on the left.");
        assert_eq!(compose(&tags, &[], 100, 100, Language::Zh).text, "画面左侧有一只狗。");
        let tags = build_tags(&[], &[coco("dog", 0.9, [70.0, 30.0, 98.0, 90.0])]);
        assert_eq!(compose(&tags, &[], 100, 100, Language::En).text, "A dog on the right.");
        let tags = build_tags(&[], &[coco("dog", 0.9, [40.0, 40.0, 60.0, 60.0])]);
        assert_eq!(compose(&tags, &[], 100, 100, Language::Zh).text, "画面中央有一只狗。");
        // Fills the frame, or not alone: no position.
        let tags = build_tags(&[], &[coco("dog", 0.9, [0.0, 0.0, 70.0, 100.0])]);
        assert_eq!(compose(&tags, &[], 100, 100, Language::En).text, "A dog.");
        let tags = build_tags(&[], &[coco("dog", 0.9, [2.0, 30.0, 30.0, 90.0]), coco("dog", 0.8, [60.0, 30.0, 90.0, 90.0])]);
        assert_eq!(compose(&tags, &[], 100, 100, Language::En).text, "Two dogs.");
    }

    #[test]
    fn scenes_are_places() {
        let (zh, en) = both(&[inet("seashore", 0.6)], &[coco("dog", 0.8, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("海边有一只狗。", "A dog at the seashore."));
        let (zh, en) = both(&[inet("seashore", 0.6)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张海边的照片。", "A photo of the seashore."));
    }

    #[test]
    fn ocr_is_quoted_when_confident() {
        let ocr = [line("禁止游泳", 0.95, 10.0), line("x", 0.99, 30.0), line("模糊", 0.7, 40.0), line("★★★", 0.9, 45.0)];
        let (zh, en) = both(&[inet("street sign", 0.7)], &[], &ocr);
        assert_eq!(zh, "一块写着“禁止游泳”的路牌。");
        assert_eq!(en, "A street sign reading \"禁止游泳\".");
        let (zh, en) = both(&[], &[coco("person", 0.8, FULL)], &ocr);
        assert_eq!(zh, "一个人，上面写着“禁止游泳”。");
        assert_eq!(en, "A person, with the text \"禁止游泳\".");
        let (zh, en) = both(&[], &[], &ocr);
        assert_eq!((zh.as_str(), en.as_str()), ("图中写着“禁止游泳”。", "Text reading \"禁止游泳\"."));
        // Reading order and the low-score/short lines left out.
        let ocr = [line("second", 0.9, 50.0), line("first", 0.9, 5.0), line("noise", 0.5, 20.0)];
        let tags = build_tags(&[], &[]);
        let c = compose(&tags, &ocr, 100, 100, Language::En);
        assert_eq!(c.text, "Text reading \"first / second\".");
        assert_eq!(compose(&tags, &ocr, 100, 100, Language::Zh).text, "图中写着“first，second”。");
        assert_eq!(c.ocr_lines, vec!["first", "second"]);
    }

    #[test]
    fn fallbacks() {
        let (zh, en) = both(&[], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张照片。", "A photo."));
        // Only a weak classifier label: hedged, coarse concept, never the fine name.
        let (zh, en) = both(&[inet("bobsled", 0.3)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张雪橇的照片。", "A photo of a sled."));
        // Below every threshold: plain fallback.
        let (zh, en) = both(&[inet("bobsled", 0.2)], &[coco("person", 0.3, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张照片。", "A photo."));
    }

    #[test]
    fn astronaut_like_input_is_a_person_without_the_weak_guess() {
        let (zh, en) = both(&[inet("bobsled", 0.28), inet("football helmet", 0.1)], &[coco("person", 0.61, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一个人。", "A person."));
    }

    #[test]
    fn disagreement_keeps_the_confident_classifier() {
        let (zh, en) = both(&[inet("Egyptian cat", 0.79)], &[coco("dog", 0.4, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一只埃及猫。", "An Egyptian cat."));
    }

    #[test]
    fn long_quotes_are_cut() {
        let long = "a".repeat(60);
        let c = compose(&[], &[line(&long, 0.9, 0.0)], 100, 100, Language::En);
        assert!(c.text.contains('…') && c.text.chars().count() < 60, "{}", c.text);
    }
}
