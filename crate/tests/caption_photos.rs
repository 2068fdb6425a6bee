//! Captions on real photos with the real models (classifier + detector + OCR).

mod common;

use qingyu::vision::caption::{CaptionOptions, Captioner, Detail, Language};
use qingyu::Error;
use std::sync::OnceLock;

fn captioner() -> &'static Captioner {
    static C: OnceLock<Captioner> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Captioner::new();
        c.load_classifier(&common::model_file("efficientnet-lite0.onnx"), &common::model_file("imagenet-labels.json"))
            .unwrap();
        c.load_detector(&common::model_file("detector.onnx"), &common::model_file("coco-labels.json")).unwrap();
        c.load_ocr(
            &common::model_file("ppocrv4-det.onnx"),
            &common::model_file("ppocrv4-rec.onnx"),
            &common::model_file("ppocr-cls.onnx"),
            &common::model_file("ppocr-keys.txt"),
        )
        .unwrap();
        c
    })
}

fn opts(language: Language) -> CaptionOptions {
    CaptionOptions { language, detail: Detail::Brief }
}

fn both(bytes: &[u8]) -> (String, String) {
    let zh = captioner().caption_encoded(bytes, &opts(Language::Zh)).unwrap();
    let en = captioner().caption_encoded(bytes, &opts(Language::En)).unwrap();
    println!("{}", serde_json::to_string(&en).unwrap());
    println!("zh: {} | en: {}", zh.text, en.text);
    (zh.text, en.text)
}

#[test]
fn coffee_is_a_cup_of_espresso() {
    let (zh, en) = both(&common::photo("coffee.png"));
    let lower = en.to_lowercase();
    assert!(["espresso", "coffee", "cup"].iter().any(|w| lower.contains(w)), "{en}");
    assert!(zh.contains("咖啡") || zh.contains('杯'), "{zh}");
}

#[test]
fn chelsea_is_a_cat() {
    let (zh, en) = both(&common::photo("chelsea.png"));
    assert!(en.to_lowercase().contains("cat"), "{en}");
    assert!(zh.contains('猫'), "{zh}");
    assert!(!en.contains("dog") && !zh.contains('狗'));
}

#[test]
fn astronaut_is_a_person() {
    let (zh, en) = both(&common::photo("astronaut.png"));
    assert!(en.to_lowercase().contains("person"), "{en}");
    assert!(zh.contains('人'), "{zh}");
    assert!(!en.contains("sled"), "the weak bobsled guess must not be stated: {en}");
}

#[test]
fn text_is_quoted() {
    let bytes = common::model_file("ppocr-synthetic.png");
    let c = captioner().caption_encoded(&bytes, &opts(Language::Zh)).unwrap();
    println!("{}", serde_json::to_string(&c).unwrap());
    assert!(!c.ocr.is_empty());
    let best = c.ocr.iter().filter(|l| l.score >= 0.8 && l.text.chars().count() >= 2).next().expect("a confident line");
    assert!(c.text.contains(&format!("“{}", best.text)) || c.text.contains(best.text.as_str()), "{} / {:?}", c.text, c.ocr);
    assert!(c.alt.contains(best.text.as_str()));
    let en = captioner().caption_encoded(&bytes, &opts(Language::En)).unwrap();
    assert!(en.text.contains('"'), "{}", en.text);
}

#[test]
fn rgba_input_matches_encoded_input() {
    let rgb = qingyu::vision::image_input::decode(&common::photo("chelsea.png")).unwrap();
    let rgba: Vec<u8> = rgb.pixels().flat_map(|p| [p.0[0], p.0[1], p.0[2], 255]).collect();
    let c = captioner().caption_rgba(&rgba, rgb.width(), rgb.height(), &opts(Language::En)).unwrap();
    assert!(c.text.to_lowercase().contains("cat"), "{}", c.text);
}

#[test]
fn bad_bytes_are_invalid_input() {
    let err = captioner().caption_encoded(b"definitely not a photo", &opts(Language::En)).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let err = captioner().caption_encoded(&[], &opts(Language::En)).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}
