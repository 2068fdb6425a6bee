//! `detail: 'full'`: the real LLM describes real photos from their captions, and every
//! sentence it keeps passes the check (no object, count, colour, position or text the vision
//! models did not find).

mod common;

use qingyu::llm::session::{Engine, Session};
use qingyu::describe::{describe, MAX_SENTENCES};
use qingyu::vision::caption::{Caption, CaptionOptions, Captioner, Detail, Language};
use qingyu::Error;

fn caption(photo: &str, language: Language) -> Caption {
    let mut c = Captioner::new();
    c.load_classifier(&common::model_file("efficientnet-lite0.onnx"), &common::model_file("imagenet-labels.json")).unwrap();
    c.load_detector(&common::model_file("detector.onnx"), &common::model_file("coco-labels.json")).unwrap();
    c.caption_encoded(&common::photo(photo), &CaptionOptions { language, detail: Detail::Brief }).unwrap()
}

fn engine() -> Engine {
    Engine::load(&common::model_file("qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"), |_, _| {}).unwrap()
}

#[test]
fn coffee_and_cat_are_described_in_both_languages_from_their_tags_only() {
    let engine = engine();
    let mut session = Session::new(&engine, 1024);
    for (photo, language, names) in [
        ("coffee.png", Language::En, &["espresso", "coffee", "cup"][..]),
        ("coffee.png", Language::Zh, &["咖啡", "杯"][..]),
        ("chelsea.png", Language::En, &["cat"][..]),
        ("chelsea.png", Language::Zh, &["猫"][..]),
    ] {
        let c = caption(photo, language);
        let mut streamed = String::new();
        let d = describe(&c, language, &engine, &mut session, |piece| {
            streamed.push_str(piece);
            true
        })
        .unwrap();
        println!("{photo} {language:?}: {} | dropped {:?}", d.text, d.dropped);
        assert_eq!(streamed, d.text, "the stream is the result");
        assert!(d.sentences.len() <= MAX_SENTENCES);
        assert_eq!(d.brief, c.text);
        if d.fallback {
            assert_eq!(d.text, c.text);
        } else {
            let lower = d.text.to_lowercase();
            assert!(names.iter().any(|n| lower.contains(n)), "{photo}: the description names what was seen: {}", d.text);
        }
        let han = d.text.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
        assert_eq!(han, language == Language::Zh, "{}", d.text);
    }
}

#[test]
fn a_caption_in_another_language_and_a_cancel_are_clear() {
    let engine = engine();
    let mut session = Session::new(&engine, 1024);
    let c = caption("coffee.png", Language::En);
    assert!(matches!(describe(&c, Language::Zh, &engine, &mut session, |_| true), Err(Error::InvalidInput(_))));
    let mut calls = 0;
    let cancelled = describe(&c, Language::En, &engine, &mut session, |_| {
        calls += 1;
        calls < 2
    });
    assert!(matches!(cancelled, Err(Error::Aborted)));
    // The session is usable again after a cancel.
    assert!(describe(&c, Language::En, &engine, &mut session, |_| true).is_ok());

    // Nothing recognised: nothing to describe, the brief caption answers without the model.
    let blank = Caption { tags: vec![], labels: vec![], objects: vec![], ocr: vec![], text: "A photo.".into(), alt: "A photo.".into(), ..c };
    let d = describe(&blank, Language::En, &engine, &mut session, |_| true).unwrap();
    assert!(d.fallback && d.text == "A photo." && d.tokens.prompt == 0, "{d:?}");
}
