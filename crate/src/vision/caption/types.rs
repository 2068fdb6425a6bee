//! What a caption is, as plain data: the caption, its tags, labels, objects and OCR lines,
//! and the caption options. Perception produces these; the language jobs (descriptions) read
//! them. Nothing here needs tract or the image decoders.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// OCR lines quoted in a caption, or shown to a description's model, need this recognizer
/// score (compose.rs adds its own readability rules for the brief sentence).
pub const OCR_MIN_SCORE: f32 = 0.8;

/// Output language of the caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

/// `Brief`: the composed sentence. `Full`: 2–3 sentences by the language model (`crate::describe`).
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
}
