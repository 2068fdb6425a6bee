//! The captioner: runs whichever vision models are loaded on a photo and composes the brief
//! caption from their tags (built only with the `vision` feature: it needs tract and image).

use super::compose::{self, compose, OcrText};
use super::tags::{build_tags, ClassScore, ObjectBox, Tag, DET_MIN};
use super::types::{Caption, CaptionLabel, CaptionObject, CaptionOptions, CaptionTag, CaptionText, CaptionTiming, Detail, Language};
use crate::vision::concepts;
use crate::vision::image_input;
use crate::vision::{ImageClassifier, ObjectDetector, TextReader};
use crate::clock::now_ms;
use crate::{Error, Result};
use image::RgbImage;

/// Classifier labels reported in `labels` (top-k).
pub const TOP_K: usize = 5;
/// Classifier labels whose probabilities are summed per concept (the calibration's top 20).
pub const TOP_K_CONCEPTS: usize = 20;

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
    fn alt_adds_unquoted_text() {
        assert_eq!(alt_text("A cat.", &[], Language::En), "A cat.");
        assert_eq!(alt_text("A sign reading \"hi there\".", &["hi there".into()], Language::En), "A sign reading \"hi there\".");
        assert_eq!(alt_text("A cat.", &["a".into(), "b".into()], Language::En), "A cat. Text: a / b");
        assert_eq!(alt_text("一只猫。", &["你好".into()], Language::Zh), "一只猫。文字：你好");
    }
}
