//! Tags + OCR lines → one natural sentence in Simplified Chinese or English (no model).
//!
//! The wording follows the tags' calibrated levels ([`Level`], fitted on the tune photos):
//! * sure: stated plainly, with counts (两只猫 / two cats, the concept's `measure_zh` and
//!   `en_plural`; drinks are served: 一杯浓缩咖啡 / a cup of espresso), the main subject's
//!   position (在画面左侧 / on the left) when it is alone and clearly off to one side, a sure
//!   scene as the place (湖边的五艘船 / five boats by a lake) and one likely extra
//!   ("A cup and probably a keyboard." / 一个杯子，可能还有一个键盘。);
//! * likely (nothing sure): "Probably a pier by the water." / 可能是水边的码头。;
//! * possible (nothing likely): the best candidate, "Possibly a lampshade." / 也许是灯罩。 (two
//!   candidates, "Possibly a lampshade or cups.", added false mentions on tune:
//!   [`POSSIBLE_CANDIDATES`]);
//! * a page or a screen (many OCR lines or a large share of the image covered by text): "A page
//!   of text beginning "…"." / "A screenshot with the text "…"." instead of an object;
//! * confident OCR lines quoted: 一块写着“禁止游泳”的路牌 / a street sign reading "…";
//! * a text-bearing thing (menu, street sign) is named only when sure or when the OCR read a
//!   line: blurred print is no menu;
//! * "A photo." / 一张照片。 only when nothing reaches the possible level and no text was read.

use super::tags::{lower_bound, Level, Source, Tag};
use super::{Language, OCR_MIN_SCORE};
use crate::vision::concepts::{self, Kind};

/// OCR lines quoted in the caption need [`OCR_MIN_SCORE`] and this many letters, digits or
/// Han characters, making up most of the line (the recognizer reads texture as "★★★" or
/// "|||" with high confidence).
pub const OCR_MIN_CHARS: usize = 2;
/// At most this many lines are quoted, and the quote is cut to [`QUOTE_MAX_CHARS`].
const QUOTE_MAX_LINES: usize = 3;
const QUOTE_MAX_CHARS: usize = 40;
/// At most this many subjects are named.
const MAX_SUBJECTS: usize = 3;
/// A photo is a page or a screen when its confident OCR lines number at least this many…
/// (tune half: every document/screenshot the OCR reads has ≥ 17 lines, every other photo ≤ 5)
pub const DOC_MIN_LINES: usize = 10;
/// …or their boxes cover at least this share of the image (tune: ≥ 21.6 % vs ≤ 12.5 %).
pub const DOC_MIN_AREA: f32 = 0.18;
/// A page is a screen when the classifier gives a website/monitor/laptop concept this much
/// (tune: screenshots 0.63–0.91, the typed page 0.39).
pub const SCREEN_MIN: f32 = 0.5;
/// Concepts that say "screen" for [`SCREEN_MIN`].
const SCREEN_CONCEPTS: &[&str] = &["website", "tv", "laptop"];
/// The page/screen rule was right on 5 of 5 tune photos it fired on: confidence
/// [`lower_bound`]`(5, 5)` = 0.83, sure.
pub const DOC_TUNE: (u32, u32) = (5, 5);
/// Candidates named when nothing is likely. Two ("Possibly a lampshade or cups.") were named before;
/// of the 6 pairs on the tune photos, the second candidate was right next to a right first one
/// twice, right next to a false first one twice (a missile at 0.37 of a drilling platform, a ball
/// at 0.66 of a clock: false mentions either way) and false next to a right first one twice (a
/// laptop at 0.47 of a binder, a cassette at 0.96 of a camera, the closest tie): it never spared
/// a caption a false mention and added two. So one candidate, the best.
pub const POSSIBLE_CANDIDATES: usize = 1;

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
#[derive(Debug, Clone)]
pub struct Composed {
    pub text: String,
    /// Confident OCR lines, top to bottom (all of them, not only the quoted ones).
    pub ocr_lines: Vec<String>,
    /// The tags the sentence names, in its order (a page/screen is a tag of its own).
    pub named: Vec<Tag>,
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

/// Share of the image covered by the confident OCR lines' boxes, and how many there are.
fn text_cover(ocr: &[OcrText], width: u32, height: u32) -> (usize, f32) {
    let area = (width as f32 * height as f32).max(1.0);
    let lines: Vec<&OcrText> = ocr.iter().filter(|l| l.score >= OCR_MIN_SCORE && readable(&l.text)).collect();
    let covered: f32 = lines
        .iter()
        .map(|l| {
            let xs = l.bbox.map(|c| c[0]);
            let ys = l.bbox.map(|c| c[1]);
            let span = |v: [f32; 4]| v.iter().copied().fold(f32::MIN, f32::max) - v.iter().copied().fold(f32::MAX, f32::min);
            span(xs) * span(ys)
        })
        .sum();
    (lines.len(), (covered / area).min(1.0))
}

/// A page or screen of text: the tag standing for it, or `None` for a photo.
fn document_tag(tags: &[Tag], ocr: &[OcrText], width: u32, height: u32) -> Option<Tag> {
    let (lines, cover) = text_cover(ocr, width, height);
    if lines < DOC_MIN_LINES && cover < DOC_MIN_AREA {
        return None;
    }
    let screen = tags.iter().any(|t| SCREEN_CONCEPTS.contains(&t.concept.key) && t.score >= SCREEN_MIN);
    let concept = concepts::concept(if screen { "screenshot" } else { "document" })?;
    Some(Tag {
        concept,
        fine: None,
        score: cover,
        count: 1,
        bbox: None,
        source: Source::Classifier,
        objects: Vec::new(),
        confidence: lower_bound(DOC_TUNE.0, DOC_TUNE.1),
    })
}

/// Text-bearing concepts whose hedged guess, with no line the OCR can read, still says what the
/// photo is: print (a menu, a crossword) or a screen (a web page). Signs are not here: a sign
/// without text is as often a post, a board or a window.
const UNREAD_AS: &[(&str, &str)] = &[("menu", "document"), ("crossword", "document"), ("website", "screenshot")];

/// A hedged text-bearing tag with no readable text, as the page or screen it stands for.
fn unread(t: &Tag) -> Option<Tag> {
    let (_, key) = UNREAD_AS.iter().find(|(from, _)| *from == t.concept.key)?;
    Some(Tag { concept: concepts::concept(key)?, fine: None, ..t.clone() })
}

/// What the sentence says and how sure it is.
struct Plan<'a> {
    lead: Level,
    /// Named at the lead level (sure/likely subjects, or the two possible candidates).
    subjects: Vec<&'a Tag>,
    /// One likely thing added to sure subjects ("and probably a keyboard").
    extra: Option<&'a Tag>,
    /// A place: sure or likely scenes only, or the subject itself when only a scene is there.
    scene: Option<&'a Tag>,
}

fn plan(tags: &[Tag]) -> Plan<'_> {
    let things: Vec<&Tag> = tags.iter().filter(|t| t.kind() != Kind::Scene).collect();
    let scene = tags.iter().find(|t| t.kind() == Kind::Scene && t.level() >= Level::Likely);
    let lead = things.first().map_or(Level::None, |t| t.level());
    let at = |l: Level, n: usize| things.iter().copied().filter(|t| t.level() == l).take(n).collect::<Vec<_>>();
    match lead {
        // Stated plainly, the place must be sure too (a likely landscape is left out).
        Level::Sure => Plan {
            lead,
            subjects: at(Level::Sure, MAX_SUBJECTS),
            extra: at(Level::Likely, 1).pop(),
            scene: scene.filter(|s| s.is_sure()),
        },
        Level::Likely => Plan { lead, subjects: at(Level::Likely, 2), extra: None, scene },
        Level::Possible => Plan { lead, subjects: at(Level::Possible, POSSIBLE_CANDIDATES), extra: None, scene },
        Level::None => {
            let scene = tags.iter().find(|t| t.kind() == Kind::Scene);
            Plan { lead: scene.map_or(Level::None, |s| s.level()), subjects: Vec::new(), extra: None, scene }
        }
    }
}

/// The caption for `tags` (ordered most salient first, as `build_tags` returns them) and OCR
/// lines, for an image of `width`×`height` pixels.
pub fn compose(tags: &[Tag], ocr: &[OcrText], width: u32, height: u32, language: Language) -> Composed {
    let ocr_lines = confident_lines(ocr);
    let quote = quote_of(&ocr_lines, if language == Language::Zh { "，" } else { " / " });
    if let (Some(doc), Some(q)) = (document_tag(tags, ocr, width, height), quote.as_deref()) {
        let screen = doc.concept.key == "screenshot";
        let text = match (language, screen) {
            (Language::En, true) => format!("A screenshot with the text \"{q}\"."),
            (Language::En, false) => format!("A page of text beginning \"{q}\"."),
            (Language::Zh, true) => format!("一张屏幕截图，上面写着“{q}”。"),
            (Language::Zh, false) => format!("一页文字，开头是“{q}”。"),
        };
        return Composed { text, ocr_lines, named: vec![doc] };
    }
    // A text-bearing thing without readable text is named only when sure; a hedged one is
    // named for what the classifier does see, print or a screen (tune: the one hedged menu with
    // no OCR line was blurred print), or dropped (a sign without text).
    let tags: Vec<Tag> = tags
        .iter()
        .filter_map(|t| if t.kind() != Kind::Text || t.is_sure() || !ocr_lines.is_empty() { Some(t.clone()) } else { unread(t) })
        .collect();
    let p = plan(&tags);
    let pos = match (p.lead, p.subjects.as_slice()) {
        (Level::Sure, [only]) if only.count == 1 => only.bbox.and_then(|b| position(b, width, height)),
        _ => None,
    };
    // The quote attaches to a text-bearing subject (sign, menu) when there is one.
    let reader = quote.as_ref().and_then(|_| p.subjects.iter().position(|t| t.kind() == Kind::Text));
    let text = match language {
        Language::En => english(&p, pos, quote.as_deref(), reader),
        Language::Zh => chinese(&p, pos, quote.as_deref(), reader),
    };
    let mut named: Vec<Tag> = p.subjects.iter().chain(p.extra.iter()).chain(p.scene.iter()).map(|t| (*t).clone()).collect();
    named.dedup_by(|a, b| std::ptr::eq(a.concept, b.concept));
    Composed { text, ocr_lines, named }
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

/// A scene as a place after a noun phrase: "by a lake", "in the mountains", "at the seashore".
fn scene_en(tag: &Tag) -> String {
    let place = tag.concept.en;
    match tag.concept.key {
        "lakeside" => "by a lake".into(),
        "landscape" => "in a landscape".into(),
        "seashore" => "at the seashore".into(),
        "mountain" => "in the mountains".into(),
        "volcano" | "geyser" => format!("by {} {place}", article(place)),
        "cliff" | "coral_reef" | "promontory" | "stage" | "patio" => format!("on {} {place}", article(place)),
        "library" | "restaurant" | "shop" | "cinema" | "greenhouse" | "prison" | "barbershop" | "sawmill" | "valley"
        | "rapeseed_field" => format!("in {} {place}", article(place)),
        _ => format!("at {} {place}", article(place)),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn english(p: &Plan, pos: Option<Position>, quote: Option<&str>, reader: Option<usize>) -> String {
    let mut body = if p.subjects.is_empty() {
        match (p.scene, quote) {
            (Some(s), _) if s.concept.key == "landscape" => format!("{}a landscape", hedge_en(p.lead)),
            (Some(s), _) => format!("{}a photo of the {}", hedge_en(p.lead), s.concept.en),
            (None, Some(q)) => return format!("Text reading \"{q}\"."),
            (None, None) => return "A photo.".into(),
        }
    } else {
        let parts: Vec<String> = p
            .subjects
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
        let mut body = hedge_en(p.lead).to_string();
        body.push_str(&if p.lead == Level::Possible { join_or_en(&parts) } else { join_en(&parts) });
        if let Some(pos) = pos {
            body.push_str(match pos {
                Position::Left => " on the left",
                Position::Right => " on the right",
                Position::Center => " in the center",
            });
        }
        // The place is likely or sure (see `plan`); a possible subject is hedged on its own:
        // "Possibly three sheep in the mountains."
        if let Some(s) = p.scene.filter(|_| p.lead >= Level::Possible) {
            body.push(' ');
            body.push_str(&scene_en(s));
        }
        if let Some(x) = p.extra {
            body.push_str(" and probably ");
            body.push_str(&noun_phrase_en(x));
        }
        body
    };
    if let (None, Some(q)) = (reader, quote) {
        body.push_str(&format!(", with the text \"{q}\""));
    }
    format!("{}.", capitalize(&body))
}

/// "probably " / "possibly " before what the level hedges ("" when sure).
fn hedge_en(level: Level) -> &'static str {
    match level {
        Level::Sure | Level::None => "",
        Level::Likely => "probably ",
        Level::Possible => "possibly ",
    }
}

fn join_or_en(parts: &[String]) -> String {
    match parts {
        [a, b] => format!("{a} or {b}"),
        _ => join_en(parts),
    }
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

/// A scene as the place before 的: 湖边, 山谷里, 舞台上.
fn scene_zh(tag: &Tag) -> String {
    let place = tag.concept.zh;
    match tag.concept.key {
        "library" | "restaurant" | "shop" | "cinema" | "greenhouse" | "prison" | "barbershop" | "sawmill" | "valley"
        | "rapeseed_field" | "apiary" => format!("{place}里"),
        "stage" | "patio" | "promontory" | "coral_reef" => format!("{place}上"),
        "volcano" | "geyser" | "dock" => format!("{place}旁"),
        "landscape" => format!("{place}中"),
        _ => place.to_string(),
    }
}

/// A candidate without a count when there is one of it ("灯罩"), counted otherwise.
fn candidate_zh(tag: &Tag) -> String {
    // A page or a screen reads as one ("也许是一页文字"), as in the sure wording.
    match tag.concept.key {
        "document" => return "一页文字".into(),
        "screenshot" => return "一张屏幕截图".into(),
        _ => {}
    }
    if tag.count > 1 {
        noun_phrase_zh(tag, None)
    } else {
        tag.fine.map_or(tag.concept.zh, |f| f.zh).to_string()
    }
}

fn chinese(p: &Plan, pos: Option<Position>, quote: Option<&str>, reader: Option<usize>) -> String {
    let hedge = match p.lead {
        Level::Sure | Level::None => "",
        Level::Likely => "可能是",
        Level::Possible => "也许是",
    };
    let mut body = if p.subjects.is_empty() {
        match (p.scene, quote) {
            (Some(s), _) if s.concept.key == "landscape" => format!("{hedge}一张风景照"),
            (Some(s), _) => format!("{hedge}一张{}的照片", s.concept.zh),
            (None, Some(q)) => return format!("图中写着“{q}”。"),
            (None, None) => return "一张照片。".into(),
        }
    } else if p.lead == Level::Possible {
        let parts: Vec<String> = p.subjects.iter().map(|t| candidate_zh(t)).collect();
        let place = p.scene.map(|s| format!("{}的", scene_zh(s))).unwrap_or_default();
        let mut body = format!("{hedge}{place}{}", parts.join("或"));
        if let (Some(_), Some(q)) = (reader, quote) {
            // A hedged sign keeps its text: 也许是路牌，上面写着“…”
            body.push_str(&format!("，上面写着“{q}”"));
        }
        body
    } else {
        let parts: Vec<String> = p
            .subjects
            .iter()
            .enumerate()
            .map(|(i, t)| noun_phrase_zh(t, quote.filter(|_| reader == Some(i))))
            .collect();
        let nps = join_zh(&parts);
        let scene = p.scene.filter(|_| p.lead >= Level::Likely).map(scene_zh);
        let mut body = match (scene, pos) {
            (Some(s), None) => format!("{s}的{nps}"),
            (scene, Some(pos)) => {
                let side = match pos {
                    Position::Left => "画面左侧",
                    Position::Right => "画面右侧",
                    Position::Center => "画面中央",
                };
                match scene {
                    Some(s) => format!("{s}，{side}有{nps}"),
                    None => format!("{side}有{nps}"),
                }
            }
            (None, None) => nps,
        };
        body.insert_str(0, hedge);
        if let Some(x) = p.extra {
            body.push_str(&format!("，可能还有{}", noun_phrase_zh(x, None)));
        }
        body
    };
    if let (None, Some(q)) = (reader, quote) {
        body.push_str(&format!("，图中写着“{q}”"));
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
        let (zh, en) = both(&[], &[coco("person", 0.9, FULL), coco("person", 0.8, FULL), coco("person", 0.7, FULL), coco("dog", 0.7, FULL)], &[]);
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
        assert_eq!((zh.as_str(), en.as_str()), ("海边的一只狗。", "A dog at the seashore."));
        let (zh, en) = both(&[inet("seashore", 0.6)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张海边的照片。", "A photo of the seashore."));
    }

    #[test]
    fn scenes_with_counted_objects() {
        let boats: Vec<ObjectBox> = (0..5).map(|i| coco("boat", 0.8 - 0.02 * i as f32, FULL)).collect();
        let (zh, en) = both(&[inet("lakeside", 0.7), inet("canoe", 0.2)], &boats, &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("湖边的五艘船。", "Five boats by a lake."));
        let (zh, en) = both(&[inet("canoe", 0.8), inet("lakeside", 0.15)], &[coco("boat", 0.8, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一艘独木舟。", "A canoe."), "an unsure scene is left out");
        // A hedged subject takes the sure scene along.
        let (zh, en) = both(&[inet("valley", 0.8)], &[coco("sheep", 0.5, FULL), coco("sheep", 0.4, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是山谷里的两只羊。", "Possibly two sheep in a valley."));
    }

    #[test]
    fn ocr_is_quoted_when_confident() {
        let ocr = [line("禁止游泳", 0.95, 10.0), line("x", 0.99, 30.0), line("模糊", 0.7, 40.0), line("★★★", 0.9, 45.0)];
        let (zh, en) = both(&[inet("street sign", 0.7)], &[], &ocr);
        assert_eq!(zh, "一块写着“禁止游泳”的路牌。");
        assert_eq!(en, "A street sign reading \"禁止游泳\".");
        let (zh, en) = both(&[], &[coco("person", 0.8, FULL)], &ocr);
        assert_eq!(zh, "一个人，图中写着“禁止游泳”。");
        assert_eq!(en, "A person, with the text \"禁止游泳\".");
        let (zh, en) = both(&[], &[], &ocr);
        assert_eq!((zh.as_str(), en.as_str()), ("图中写着“禁止游泳”。", "Text reading \"禁止游泳\"."));
        let (zh, en) = both(&[inet("street sign", 0.3)], &[], &ocr);
        assert_eq!(zh, "也许是路牌，上面写着“禁止游泳”。", "a hedged sign keeps its text");
        assert_eq!(en, "Possibly a street sign reading \"禁止游泳\".");
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
        // Only a weak classifier label: hedged, coarse concept, never the fine name…
        let (zh, en) = both(&[inet("lampshade", 0.3)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是灯。", "Possibly a lamp."));
        // …or its group, where it has one (tags.rs: the group is surer).
        let (zh, en) = both(&[inet("bobsled", 0.3)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是交通工具。", "Possibly a vehicle."));
        let (zh, en) = both(&[inet("wombat", 0.3), inet("wallaby", 0.25)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一只动物。", "An animal."));
        // Below the possible level: plain fallback.
        let (zh, en) = both(&[inet("bobsled", 0.12)], &[coco("person", 0.4, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一张照片。", "A photo."));
    }

    /// Composes `tags` after setting the confidence of the tag of concept `key`.
    fn with_confidence(mut tags: Vec<Tag>, key: &str, confidence: f32) -> (String, String) {
        for t in tags.iter_mut().filter(|t| t.concept.key == key) {
            t.confidence = confidence;
        }
        let backed = |t: &Tag| t.source != Source::Classifier;
        tags.sort_by(|a, b| b.level().cmp(&a.level()).then(backed(b).cmp(&backed(a))));
        (compose(&tags, &[], 100, 100, Language::Zh).text, compose(&tags, &[], 100, 100, Language::En).text)
    }

    #[test]
    fn hedges_follow_the_level() {
        // sure: plain; a possible extra is left out, a likely one gets "probably" (no tune bin of
        // a thing vouches for "probably" at present, so the level is set by hand)
        let tags = build_tags(&[inet("canoe", 0.9)], &[coco("boat", 0.8, FULL), coco("person", 0.5, FULL)]);
        let (zh, en) = with_confidence(tags.clone(), "canoe", 0.9);
        assert_eq!((zh.as_str(), en.as_str()), ("一艘独木舟。", "A canoe."));
        let (zh, en) = with_confidence(tags, "person", 0.7);
        assert_eq!((zh.as_str(), en.as_str()), ("一艘独木舟，可能还有一个人。", "A canoe and probably a person."));
        // likely only
        let (zh, en) = with_confidence(build_tags(&[inet("lampshade", 0.65)], &[]), "lamp", 0.7);
        assert_eq!((zh.as_str(), en.as_str()), ("可能是一盏灯。", "Probably a lamp."));
        // possible: the best candidate only
        let (zh, en) = both(&[inet("lampshade", 0.3), inet("cup", 0.2), inet("vase", 0.11)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是灯。", "Possibly a lamp."));
        let tags = build_tags(&[inet("lampshade", 0.3), inet("cup", 0.29)], &[]);
        let c = compose(&tags, &[], 100, 100, Language::En);
        assert!(c.named.iter().all(|t| !t.is_sure()), "hedged tags stay marked unsure for describe");
        assert_eq!(c.named.len(), 1, "even a near tie names one candidate");
    }

    #[test]
    fn pages_and_screens_of_text() {
        let lines: Vec<OcrText> = (0..12).map(|i| line(&format!("line number {i}"), 0.95, 5.0 + 7.0 * i as f32)).collect();
        let (zh, en) = both(&[inet("website", 0.8)], &[], &lines);
        assert_eq!(en, "A screenshot with the text \"line number 0 / line number 1 / line num…\".");
        assert!(zh.starts_with("一张屏幕截图，上面写着“line number 0，"), "{zh}");
        let tags = build_tags(&[inet("website", 0.8)], &[]);
        let c = compose(&tags, &lines, 100, 100, Language::En);
        assert_eq!(c.named.iter().map(|t| t.concept.key).collect::<Vec<_>>(), ["screenshot"]);
        let (zh, en) = both(&[inet("envelope", 0.5)], &[], &lines);
        assert!(en.starts_with("A page of text beginning \"line number 0"), "{en}");
        assert!(zh.starts_with("一页文字，开头是“line number 0"), "{zh}");
        // A few lines on a sign stay a sign; one line covering most of the image is a page.
        let (_, en) = both(&[inet("street sign", 0.8)], &[], &lines[..3]);
        assert!(en.starts_with("A street sign reading"), "{en}");
        let big = [OcrText { text: "WELCOME".into(), score: 0.9, bbox: [[0.0, 0.0], [100.0, 0.0], [100.0, 30.0], [0.0, 30.0]] }];
        assert_eq!(both(&[], &[], &big).1, "A page of text beginning \"WELCOME\".");
    }

    #[test]
    fn a_text_thing_needs_text_or_certainty() {
        // A hedged menu with no line read (blurred print): a page, hedged.
        let (zh, en) = both(&[inet("menu", 0.32)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是一页文字。", "Possibly a page of text."));
        let (zh, en) = both(&[inet("website", 0.3)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是一张屏幕截图。", "Possibly a screenshot."));
        // A sign with no text is not named: it is as often a post or a board.
        let (_, en) = both(&[inet("street sign", 0.32)], &[], &[]);
        assert_eq!(en, "A photo.");
        let (_, en) = both(&[inet("menu", 0.32)], &[], &[line("Soup 5", 0.9, 10.0)]);
        assert_eq!(en, "Possibly a menu reading \"Soup 5\".");
        let (_, en) = both(&[inet("crossword puzzle", 0.91)], &[], &[]);
        assert_eq!(en, "A crossword puzzle.");
    }

    #[test]
    fn landscapes() {
        let (zh, en) = both(&[inet("volcano", 0.36), inet("geyser", 0.14)], &[], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是一张风景照。", "Possibly a landscape."));
        // A place must be likely to go with a subject: the possible landscape is left out.
        let (zh, en) = both(&[inet("volcano", 0.36)], &[coco("sheep", 0.5, FULL), coco("sheep", 0.45, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("也许是两只羊。", "Possibly two sheep."));
        let (zh, en) = both(&[inet("volcano", 0.36)], &[coco("sheep", 0.8, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一只羊。", "A sheep."));
    }

    #[test]
    fn astronaut_like_input_is_a_person_without_the_weak_guess() {
        let (zh, en) = both(&[inet("bobsled", 0.12), inet("football helmet", 0.1)], &[coco("person", 0.61, FULL)], &[]);
        // An unbacked box of 0.61: 8 of 11 right on tune, "possibly".
        assert_eq!((zh.as_str(), en.as_str()), ("也许是人。", "Possibly a person."));
        let (zh, en) = both(&[inet("bobsled", 0.28)], &[coco("person", 0.75, FULL)], &[]);
        assert_eq!((zh.as_str(), en.as_str()), ("一个人。", "A person."), "a possible guess is not added to a sure subject");
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
