//! Summaries by the real model (Qwen2.5-0.5B GGUF from models/dist) on the project's
//! evaluation articles: every type answers in the asked language within the length rules,
//! with nothing left by the faithfulness guard; cancel stops a summary and the session
//! stays usable. (Recall and speed are the bench's job: `./qy bench summarize`.)

mod common;

use qingyu::llm::draft::DraftPolicy;
use qingyu::llm::session::{Engine, Session};
use qingyu::summarize::{summarize, Language, SummaryOptions};
use qingyu::Error;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&common::model_file("qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"), |_, _| {}).unwrap())
}

fn article(id: &str) -> String {
    let path = common::repo_root().join("eval/articles").join(format!("{id}.json"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["text"].as_str().unwrap().to_string()
}

fn options(json: &str) -> SummaryOptions {
    SummaryOptions::from_json(json).unwrap()
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn chinese_tldr_and_english_headline_follow_the_rules() {
    let e = engine();
    let mut s = Session::new(e, 2048);
    let mut streamed = String::new();
    let r = summarize(&article("zh-01"), options(r#"{"type":"tldr","length":"short"}"#), Some((e, &mut s)), |p| {
        streamed.push_str(p);
        true
    })
    .unwrap();
    assert_eq!(streamed, r.text, "the stream adds up to the result");
    assert!(has_han(&r.text) && r.units.len() == 1, "{r:?}");
    assert_eq!(r.violations.remaining, 0);
    assert!(r.tokens.prompt > 0 && r.tokens.generated > 0 && r.timing.prefill_ms > 0.0);

    let r = summarize(&article("en-01"), options(r#"{"type":"headline","length":"short"}"#), Some((e, &mut s)), |_| true).unwrap();
    assert!(!has_han(&r.text) && !r.text.is_empty() && r.text.split_whitespace().count() <= 12, "{r:?}");
    assert_eq!(r.violations.remaining, 0);
}

#[test]
fn a_summary_the_model_left_short_is_filled_from_the_article() {
    // The model writes one sentence for en-09's three-sentence tl;dr; the article's next key
    // sentences make up the count, verbatim, and the result says how many.
    let e = engine();
    let mut s = Session::new(e, 2048);
    let text = article("en-09");
    let mut streamed = String::new();
    let r = summarize(&text, options(r#"{"type":"tldr","length":"medium","format":"plain-text"}"#), Some((e, &mut s)), |p| {
        streamed.push_str(p);
        true
    })
    .unwrap();
    assert_eq!(streamed, r.text, "the stream adds up to the result");
    assert!(!r.fallback && r.units.len() == 3 && r.filled >= 1, "{r:?}");
    for unit in &r.units[r.units.len() - r.filled..] {
        assert!(text.contains(unit.as_str()), "a filled unit is the article's own sentence: {unit}");
    }
    assert_eq!(r.violations.remaining, 0);
}

/// Han characters outside the parentheses that give a name's source spelling.
fn han_outside_parentheses(s: &str) -> bool {
    let mut depth = 0;
    s.chars().any(|c| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        depth == 0 && has_han(&c.to_string())
    })
}

#[test]
fn cross_language_summaries_are_in_the_requested_language_or_say_why_not() {
    let e = engine();
    let mut s = Session::new(e, 2048);
    for (id, json, want) in [
        ("zh-01", r#"{"type":"tldr","length":"short","outputLanguage":"en"}"#, Language::En),
        ("zh-01", r#"{"type":"headline","outputLanguage":"en"}"#, Language::En),
        ("en-01", r#"{"type":"key-points","length":"short","outputLanguage":"zh"}"#, Language::Zh),
    ] {
        let mut streamed = String::new();
        let r = summarize(&article(id), options(json), Some((e, &mut s)), |p| {
            streamed.push_str(p);
            true
        })
        .unwrap();
        assert_eq!(streamed, r.text, "{id} {json}: the stream adds up to the result");
        assert!(!r.text.is_empty());
        match &r.fallback_reason {
            None => {
                assert_eq!(r.output_language, want, "{id} {json}: {r:?}");
                assert_eq!(r.translated_from.len(), r.units.len());
                if want == Language::En {
                    assert!(!han_outside_parentheses(&r.text), "{id}: {}", r.text);
                } else {
                    assert!(has_han(&r.text), "{id}: {}", r.text);
                }
            }
            Some(reason) => {
                // Nothing in the requested language passed: said so, in the article's language.
                assert!(r.fallback && r.output_language != want && reason.contains("extractive"), "{r:?}");
            }
        }
    }
}

#[test]
fn cancel_stops_the_summary_and_the_session_stays_usable() {
    let e = engine();
    let mut s = Session::new(e, 2048);
    let mut calls = 0;
    let err = summarize(&article("zh-04"), options(r#"{"type":"tldr"}"#), Some((e, &mut s)), |_| {
        calls += 1;
        calls < 2 // cancel during the prompt's prefill
    })
    .unwrap_err();
    assert!(matches!(err, Error::Aborted));
    assert_eq!(calls, 2, "no work after the cancel");
    let r = summarize(&article("en-01"), options(r#"{"type":"headline"}"#), Some((e, &mut s)), |_| true).unwrap();
    assert!(!r.text.is_empty());
}

#[test]
fn prompt_lookup_drafts_leave_every_summary_unchanged() {
    // The summary (script mask, repetition penalty) and its translation (stop at a newline)
    // come out the same with one-token decoding and with drafts; drafts are confirmed.
    let e = engine();
    let mut s = Session::new(e, 2048);
    let text = article("zh-04");
    let o = || options(r#"{"type":"tldr","length":"short","outputLanguage":"en","format":"plain-text"}"#);
    s.draft = Some(DraftPolicy::OFF);
    let plain = summarize(&text, o(), Some((e, &mut s)), |_| true).unwrap();
    s.draft = None;
    let drafted = summarize(&text, o(), Some((e, &mut s)), |_| true).unwrap();
    assert_eq!((&drafted.text, &drafted.units, &drafted.dropped.len()), (&plain.text, &plain.units, &plain.dropped.len()));
    assert_eq!(drafted.tokens.generated, plain.tokens.generated);
    assert_eq!(plain.tokens.drafted, 0);
    assert!(drafted.tokens.draft_accepted > 0, "{:?}", drafted.tokens);
}
