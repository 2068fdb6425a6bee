//! Photo captions without a language model: classifier + detector + OCR → tags → sentence.
//!
//! A [`Captioner`] holds whichever vision models are loaded (each is optional and loadable on
//! its own; a caption uses what is there, e.g. before the OCR models have downloaded) and
//! returns a [`Caption`]: one sentence in Simplified Chinese or English, the alt text, the
//! labels/objects/OCR lines behind it and per-stage timings.
//!
//! `detail: Full` is a longer description written by the language model from these tags
//! ([`describe`]); the captioner itself writes the brief sentence and answers `Unsupported`
//! to `Full`, so a caller never gets a brief caption where it asked for a full one.

pub mod compose;
pub mod describe;
pub mod mentions;
pub mod tags;

use super::concepts;
use super::image_input;
use super::{ImageClassifier, ObjectDetector, TextReader};
use crate::clock::now_ms;
use crate::{Error, Result};
use compose::{compose, OcrText};
use image::RgbImage;
use serde::{Deserialize, Serialize};
use tags::{build_tags, ClassScore, ObjectBox, Tag, DET_MIN};

/// Classifier labels reported in `labels` (top-k).
pub const TOP_K: usize = 5;
/// Classifier labels whose probabilities are summed per concept (the calibration's top 20).
pub const TOP_K_CONCEPTS: usize = 20;

/// Output language of the caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

/// `Brief`: the composed sentence. `Full`: 2–3 sentences by the language model ([`describe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    Brief,
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptionOptions {
    pub language: Language,
    pub detail: Detail,
}

impl Default for CaptionOptions {
    fn default() -> Self {
        Self { language: Language::Zh, detail: Detail::Brief }
    }
}

impl CaptionOptions {
    /// `language`: `zh` | `en` (also `zh-CN`, `en-US`, …); `detail`: `brief` | `full`. `None`
    /// keeps the default (zh, brief); anything else is `Unsupported`.
    pub fn parse(language: Option<&str>, detail: Option<&str>) -> Result<Self> {
        let mut o = Self::default();
        if let Some(l) = language {
            let primary = l.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
            o.language = match primary.as_str() {
                "zh" => Language::Zh,
                "en" => Language::En,
                _ => return Err(Error::Unsupported(format!("language {l:?} (expected 'zh' or 'en')"))),
            };
        }
        if let Some(d) = detail {
            o.detail = match d {
                "brief" => Detail::Brief,
                "full" => Detail::Full,
                _ => return Err(Error::Unsupported(format!("detail {d:?} (expected 'brief' or 'full')"))),
            };
        }
        Ok(o)
    }

    /// `{"language": "zh"|"en", "detail": "brief"|"full"}`; both optional, `""` means `{}`.
    /// Not JSON / not an object → `InvalidInput`; unknown values → `Unsupported`.
    pub fn from_json(json: &str) -> Result<Self> {
        if json.trim().is_empty() {
            return Ok(Self::default());
        }
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::InvalidInput(format!("caption options are not JSON: {e}")))?;
        let obj = v.as_object().ok_or_else(|| Error::InvalidInput("caption options must be a JSON object".into()))?;
        let field = |name: &str| -> Result<Option<&str>> {
            match obj.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err(Error::Unsupported(format!("{name} {other} (expected a string)"))),
            }
        };
        Self::parse(field("language")?, field("detail")?)
    }

    /// From the options object as deserialized at the wasm boundary.
    pub fn from_input(raw: CaptionOptionsInput) -> Result<Self> {
        Self::parse(raw.language.as_deref(), raw.detail.as_deref())
    }
}

/// The caption options object as the JS API spells it; unknown keys are ignored, `null` and a
/// missing key mean the default.
#[derive(Debug, Default, Deserialize)]
pub struct CaptionOptionsInput {
    pub language: Option<String>,
    pub detail: Option<String>,
}

/// A classifier label, bilingual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionLabel {
    pub name: String,
    pub zh: String,
    pub score: f32,
}

/// A detected object the caption relies on; `box` is `[x0, y0, x1, y1]` in pixels of the
/// image captioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionObject {
    pub name: String,
    pub zh: String,
    pub score: f32,
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
}

/// A line of text read in the image; `box` corners TL, TR, BR, BL in pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionText {
    pub text: String,
    pub score: f32,
    #[serde(rename = "box")]
    pub bbox: [[f32; 2]; 4],
}

/// Milliseconds per stage (0 for a stage whose model is not loaded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CaptionTiming {
    pub decode_ms: f64,
    pub classify_ms: f64,
    pub detect_ms: f64,
    pub ocr_ms: f64,
    pub compose_ms: f64,
    pub total_ms: f64,
}

/// A concept the caption is built from (classifier and detector merged, see [`tags`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptionTag {
    /// Concept key (`cat`, `coffee`, `seashore`).
    pub concept: String,
    /// English wording: the classifier's finer name when the caption uses it ("espresso").
    pub name: String,
    pub zh: String,
    /// Instances seen (detector boxes; 1 for a classifier-only tag).
    pub count: usize,
    pub score: f32,
    /// Stated plainly; false when the caption hedges ("probably …", "possibly …").
    pub sure: bool,
    /// How the caption words it: `sure`, `likely` ("probably") or `possible` ("possibly").
    #[serde(default)]
    pub level: String,
    /// How often a tag like this was right on the tune photos (tags.rs, calibration).
    #[serde(default)]
    pub confidence: f32,
    /// person, animal, vehicle, food, drink, plant, object, scene or text.
    pub kind: String,
    /// Other concepts this tag stands for (the cup a drink absorbed, the finer class's).
    #[serde(default)]
    pub related: Vec<String>,
    /// Where its best box sits ("left", "right", "center"; none when it fills the frame or
    /// there is no box).
    #[serde(default)]
    pub position: Option<String>,
    /// Its best box's share of the image area (0 without a box).
    #[serde(default)]
    pub area: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Caption {
    /// The sentence.
    pub text: String,
    /// The sentence, plus every confident OCR line when text was read.
    pub alt: String,
    pub language: Language,
    /// The classifier's top-5 labels (empty without the classifier).
    pub labels: Vec<CaptionLabel>,
    /// Detections (score ≥ 0.35) behind the tags the sentence names.
    pub objects: Vec<CaptionObject>,
    /// Every OCR line (empty without the OCR models).
    pub ocr: Vec<CaptionText>,
    /// The concepts the sentence names, in its order.
    #[serde(default)]
    pub tags: Vec<CaptionTag>,
    #[serde(default)]
    pub timing: CaptionTiming,
}

/// The vision models a caption can use; each is optional.
#[derive(Default)]
pub struct Captioner {
    pub classifier: Option<ImageClassifier>,
    pub detector: Option<ObjectDetector>,
    pub reader: Option<TextReader>,
}

impl Captioner {
    pub fn new() -> Self {
        Self::default()
    }

    /// EfficientNet-Lite0 ONNX bytes + `imagenet-labels.json`.
    pub fn load_classifier(&mut self, onnx: &[u8], labels_json: &[u8]) -> Result<()> {
        self.classifier = Some(ImageClassifier::load(onnx, labels_json)?);
        Ok(())
    }

    /// CenterNet ONNX bytes + `coco-labels.json`.
    pub fn load_detector(&mut self, onnx: &[u8], labels_json: &[u8]) -> Result<()> {
        self.detector = Some(ObjectDetector::load(onnx, labels_json)?);
        Ok(())
    }

    /// PP-OCR det/rec/cls ONNX bytes + `ppocr-keys.txt`.
    pub fn load_ocr(&mut self, det: &[u8], rec: &[u8], cls: &[u8], keys_txt: &[u8]) -> Result<()> {
        self.reader = Some(TextReader::load(det, rec, cls, keys_txt)?);
        Ok(())
    }

    /// Encoded PNG/JPEG/WebP/GIF bytes → caption (`decodeMs` filled in).
    pub fn caption_encoded(&self, bytes: &[u8], options: &CaptionOptions) -> Result<Caption> {
        check_detail(options)?;
        let t = now_ms();
        let rgb = image_input::decode(bytes)?;
        self.finish(&rgb, options, now_ms() - t)
    }

    /// Raw RGBA pixels (canvas `ImageData`) → caption.
    pub fn caption_rgba(&self, rgba: &[u8], width: u32, height: u32, options: &CaptionOptions) -> Result<Caption> {
        check_detail(options)?;
        let t = now_ms();
        let rgb = image_input::from_rgba(width, height, rgba)?;
        self.finish(&rgb, options, now_ms() - t)
    }

    /// A decoded working image → caption.
    pub fn caption(&self, rgb: &RgbImage, options: &CaptionOptions) -> Result<Caption> {
        self.finish(rgb, options, 0.0)
    }

    fn finish(&self, rgb: &RgbImage, options: &CaptionOptions, decode_ms: f64) -> Result<Caption> {
        check_detail(options)?;
        let (width, height) = rgb.dimensions();
        if width == 0 || height == 0 {
            return Err(Error::InvalidInput("the image has no pixels".into()));
        }
        let mut timing = CaptionTiming { decode_ms, ..Default::default() };
        let start = now_ms();

        let mut scores: Vec<ClassScore> = Vec::new();
        let mut labels = Vec::new();
        if let Some(c) = &self.classifier {
            let t = now_ms();
            for (rank, l) in c.classify(rgb, TOP_K_CONCEPTS)?.into_iter().enumerate() {
                if let Some(class) = concepts::imagenet(l.id) {
                    scores.push(ClassScore { class, score: l.score });
                    if rank < TOP_K {
                        labels.push(CaptionLabel { name: class.en.into(), zh: class.zh.into(), score: l.score });
                    }
                }
            }
            timing.classify_ms = now_ms() - t;
        }

        let mut boxes: Vec<ObjectBox> = Vec::new();
        if let Some(d) = &self.detector {
            let t = now_ms();
            for det in d.detect(rgb)? {
                if let Some(class) = concepts::coco(det.class) {
                    boxes.push(ObjectBox { class, score: det.score, bbox: det.bbox });
                }
            }
            timing.detect_ms = now_ms() - t;
        }

        let mut ocr = Vec::new();
        if let Some(r) = &self.reader {
            let t = now_ms();
            ocr = r.read(rgb)?;
            timing.ocr_ms = now_ms() - t;
        }

        let t = now_ms();
        let tags = build_tags(&scores, &boxes);
        let ocr_text: Vec<OcrText> =
            ocr.iter().map(|l| OcrText { text: l.text.clone(), score: l.score, bbox: l.bbox }).collect();
        let composed = compose(&tags, &ocr_text, width, height, options.language);
        let alt = alt_text(&composed.text, &composed.ocr_lines, options.language);
        // Only what the sentence names is reported (and may be described): a tag it leaves out
        // was not worth hedging.
        let tags = composed.named;
        let mut used: Vec<usize> = tags.iter().flat_map(|t| t.objects.iter().copied()).collect();
        used.sort_unstable();
        let objects = used
            .into_iter()
            .map(|i| &boxes[i])
            .filter(|b| b.score >= DET_MIN)
            .map(|b| CaptionObject { name: b.class.en.into(), zh: b.class.zh.into(), score: b.score, bbox: b.bbox })
            .collect();
        let tags = tags.iter().map(|t| caption_tag(t, &boxes, width, height)).collect();
        timing.compose_ms = now_ms() - t;
        timing.total_ms = decode_ms + (now_ms() - start);

        Ok(Caption {
            text: composed.text,
            alt,
            language: options.language,
            labels,
            objects,
            ocr: ocr.into_iter().map(|l| CaptionText { text: l.text, score: l.score, bbox: l.bbox }).collect(),
            tags,
            timing,
        })
    }
}

fn caption_tag(tag: &Tag, boxes: &[ObjectBox], width: u32, height: u32) -> CaptionTag {
    let mut related: Vec<String> = tag.objects.iter().map(|&i| boxes[i].class.concept.key.to_string()).collect();
    related.extend(tag.fine.map(|f| f.concept.key.to_string()));
    related.retain(|k| k != tag.concept.key);
    related.sort();
    related.dedup();
    CaptionTag {
        concept: tag.concept.key.into(),
        name: tag.fine.map_or(tag.concept.en, |f| f.en).into(),
        zh: tag.fine.map_or(tag.concept.zh, |f| f.zh).into(),
        count: tag.count,
        score: tag.score,
        sure: tag.is_sure(),
        level: tag.level().as_str().into(),
        confidence: tag.confidence,
        kind: tag.kind().as_str().into(),
        related,
        position: tag.bbox.and_then(|b| compose::position(b, width, height)).map(|p| {
            match p {
                compose::Position::Left => "left",
                compose::Position::Right => "right",
                compose::Position::Center => "center",
            }
            .into()
        }),
        area: tag.bbox.map_or(0.0, |b| ((b[2] - b[0]) * (b[3] - b[1]) / (width as f32 * height as f32)).clamp(0.0, 1.0)),
    }
}

fn check_detail(options: &CaptionOptions) -> Result<()> {
    match options.detail {
        Detail::Brief => Ok(()),
        Detail::Full => Err(Error::Unsupported(
            "detail 'full' is written by the language model: caption with detail 'brief', then describe the caption \
             (caption::describe; wasm: Llm.describeStart)"
                .into(),
        )),
    }
}

/// The sentence, plus the confident OCR lines it did not already quote in full.
fn alt_text(sentence: &str, lines: &[String], language: Language) -> String {
    if lines.is_empty() || lines.iter().all(|l| sentence.contains(l.as_str())) {
        return sentence.to_string();
    }
    match language {
        Language::En => format!("{sentence} Text: {}", lines.join(" / ")),
        Language::Zh => format!("{sentence}文字：{}", lines.join(" / ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_reject() {
        assert_eq!(CaptionOptions::from_json("").unwrap(), CaptionOptions::default());
        let o = CaptionOptions::from_json(r#"{"language":"en","detail":"brief"}"#).unwrap();
        assert_eq!((o.language, o.detail), (Language::En, Detail::Brief));
        assert_eq!(CaptionOptions::from_json(r#"{"language":"zh-CN"}"#).unwrap().language, Language::Zh);
        for bad in [r#"{"language":"fr"}"#, r#"{"detail":"long"}"#, r#"{"language":3}"#] {
            assert!(matches!(CaptionOptions::from_json(bad), Err(Error::Unsupported(_))), "{bad}");
        }
        for bad in ["{", "[1]"] {
            assert!(matches!(CaptionOptions::from_json(bad), Err(Error::InvalidInput(_))), "{bad}");
        }
    }

    #[test]
    fn works_with_no_models_and_rejects_full_detail() {
        let c = Captioner::new();
        let rgb = RgbImage::new(8, 8);
        let cap = c.caption(&rgb, &CaptionOptions::default()).unwrap();
        assert_eq!((cap.text.as_str(), cap.alt.as_str()), ("一张照片。", "一张照片。"));
        let en = CaptionOptions { language: Language::En, detail: Detail::Brief };
        assert_eq!(c.caption(&rgb, &en).unwrap().text, "A photo.");
        let full = CaptionOptions { language: Language::En, detail: Detail::Full };
        let err = c.caption(&rgb, &full).unwrap_err();
        assert!(matches!(err, Error::Unsupported(ref m) if m.contains("language model")), "{err}");
        assert!(cap.tags.is_empty());
        assert!(matches!(c.caption_encoded(b"not an image", &en), Err(Error::InvalidInput(_))));
        assert!(matches!(c.caption_rgba(&[0; 10], 2, 2, &en), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn serializes_camel_case_with_box() {
        let cap = Caption {
            text: "A cat.".into(),
            alt: "A cat.".into(),
            language: Language::En,
            labels: vec![],
            objects: vec![CaptionObject { name: "cat".into(), zh: "猫".into(), score: 0.5, bbox: [0.0; 4] }],
            ocr: vec![],
            tags: vec![],
            timing: CaptionTiming::default(),
        };
        let v = serde_json::to_value(&cap).unwrap();
        let back: Caption = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, cap, "describeStart reads the caption JSON back");
        assert!(v["objects"][0]["box"].is_array());
        for k in ["decodeMs", "classifyMs", "detectMs", "ocrMs", "composeMs", "totalMs"] {
            assert!(v["timing"][k].is_number(), "{k}");
        }
        assert_eq!(v["language"], "en");
    }

    #[test]
    fn alt_adds_unquoted_text() {
        assert_eq!(alt_text("A cat.", &[], Language::En), "A cat.");
        assert_eq!(alt_text("A sign reading \"hi there\".", &["hi there".into()], Language::En), "A sign reading \"hi there\".");
        assert_eq!(alt_text("A cat.", &["a".into(), "b".into()], Language::En), "A cat. Text: a / b");
        assert_eq!(alt_text("一只猫。", &["你好".into()], Language::Zh), "一只猫。文字：你好");
    }
}
