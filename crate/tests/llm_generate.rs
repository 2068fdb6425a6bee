//! Generation controls on the real model: stop strings, max tokens, cancel, seeded sampling,
//! and a prompt longer than the context.

mod common;

use qingyu::llm::draft::DraftPolicy;
use qingyu::llm::generate::{FinishReason, GenerateOptions};
use qingyu::llm::session::{chatml, Engine, Session};
use qingyu::Error;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&common::model_file("qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"), |_, _| {}).unwrap())
}

fn prompt() -> String {
    chatml("You are a helpful assistant.", "用一句话解释什么是本地运行的人工智能助手。")
}

#[test]
fn stop_string_ends_the_output_before_it() {
    let e = engine();
    let mut s = Session::new(e, 256);
    // Greedy output (see llm_llamacpp.rs) is "本地运行的人工智能助手是一种…"; stop at "是".
    let options = GenerateOptions { stop: vec!["是".into()], max_tokens: 40, ..Default::default() };
    let (text, reason) = s.generate(e, &prompt(), options, |_| true).unwrap();
    assert_eq!(reason, FinishReason::Stop);
    assert_eq!(text, "本地运行的人工智能助手");
}

#[test]
fn max_tokens_and_streaming_pieces_add_up() {
    let e = engine();
    let mut s = Session::new(e, 256);
    let mut pieces = Vec::new();
    let options = GenerateOptions { max_tokens: 5, ..Default::default() };
    let (text, reason) = s.generate(e, &prompt(), options, |p| { pieces.push(p.to_string()); true }).unwrap();
    assert_eq!(reason, FinishReason::MaxTokens);
    assert_eq!(s.generated_tokens().len(), 5);
    assert_eq!(pieces.concat(), text);
    assert!(!text.contains('\u{fffd}'));
}

#[test]
fn cancel_takes_effect_before_the_next_token() {
    let e = engine();
    let mut s = Session::new(e, 256);
    let mut calls = 0;
    let result = s.generate(e, &prompt(), GenerateOptions::default(), |_| {
        calls += 1;
        calls < 3
    });
    assert!(matches!(result, Err(Error::Aborted)));
    assert_eq!(calls, 3);
    assert!(s.step(e).is_err(), "a cancelled session runs nothing more");
}

#[test]
fn seeded_sampling_is_reproducible() {
    let e = engine();
    let run = |seed| {
        let mut s = Session::new(e, 256);
        let mut o = GenerateOptions { max_tokens: 12, ..Default::default() };
        o.sampling.temperature = 0.9;
        o.sampling.seed = seed;
        s.generate(e, &prompt(), o, |_| true).unwrap().0
    };
    assert_eq!(run(11), run(11));
}

#[test]
fn prompt_longer_than_the_context_is_invalid_input() {
    let e = engine();
    let mut s = Session::new(e, 32);
    let long = chatml("You are a helpful assistant.", &"很长的文章。".repeat(50));
    let err = s.start(e, &long, GenerateOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[test]
fn a_shared_prompt_prefix_is_reused_and_gives_the_same_output() {
    let e = engine();
    let mut s = Session::new(e, 256);
    let options = GenerateOptions { max_tokens: 12, ..Default::default() };
    let (first, _) = s.generate(e, &prompt(), options.clone(), |_| true).unwrap();
    assert_eq!(s.reused_tokens, 0);
    let (second, _) = s.generate(e, &prompt(), options.clone(), |_| true).unwrap();
    let n = e.tokenizer.encode(&prompt(), true).len();
    assert_eq!(s.reused_tokens, n - 1, "all but the last prompt token come from the cache");
    assert_eq!(first, second);
    // Another user turn after the same system prompt reuses the system part only.
    let other = chatml("You are a helpful assistant.", "Say hello.");
    s.generate(e, &other, options, |_| true).unwrap();
    let system_part = e.tokenizer.encode("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n", true).len();
    assert!(s.reused_tokens >= system_part && s.reused_tokens < n - 1, "{} vs {system_part}", s.reused_tokens);
}

/// Tokens of a greedy generation with the given draft length (0 = one token per pass).
fn greedy_tokens(prompt: &str, draft: usize, context: usize, options: GenerateOptions) -> (Vec<u32>, FinishReason, String, usize) {
    let e = engine();
    let mut s = Session::new(e, context);
    s.draft = Some(DraftPolicy { max_tokens: draft, min_ngram: 1, back_off: false });
    let (text, reason) = s.generate(e, prompt, options, |_| true).unwrap();
    (s.generated_tokens().to_vec(), reason, text, s.draft_stats().accepted)
}

fn copying_prompt() -> String {
    // A prompt whose answer copies runs of its input: what summaries and translations do.
    let article = "青溪镇位于浙江省西部，2024年共接待游客31.5万人次，比上年增长18%。镇政府计划在2025年修复老街的42座木结构民居，并开设两家手工茶坊。";
    chatml("你是一个新闻编辑。", &format!("请用两句话概括下面的新闻，尽量使用原文的措辞：\n{article}"))
}

#[test]
fn prompt_lookup_drafts_give_the_same_tokens_as_one_token_decoding() {
    let options = GenerateOptions {
        max_tokens: 60,
        sampling: qingyu::llm::sampler::SamplingOptions { repetition_penalty: 1.05, ..Default::default() },
        ..Default::default()
    };
    let plain = greedy_tokens(&copying_prompt(), 0, 512, options.clone());
    assert_eq!(plain.3, 0, "no drafts when drafting is off");
    for draft in [1, 3, 5] {
        let drafted = greedy_tokens(&copying_prompt(), draft, 512, options.clone());
        assert_eq!(drafted.0, plain.0, "draft {draft}: {} vs {}", drafted.2, plain.2);
        assert_eq!((drafted.1, &drafted.2), (plain.1, &plain.2));
        assert!(drafted.3 > 0, "draft {draft}: a copying answer confirms some drafted tokens");
    }
}

#[test]
fn prompt_lookup_drafts_stop_where_one_token_decoding_stops() {
    // A stop string, max_tokens and a full context land on the same token with and without drafts.
    let n = engine().tokenizer.encode(&copying_prompt(), true).len();
    let cases = [
        (GenerateOptions { stop: vec!["42".into()], max_tokens: 80, ..Default::default() }, 512, FinishReason::Stop),
        (GenerateOptions { max_tokens: 7, ..Default::default() }, 512, FinishReason::MaxTokens),
        (GenerateOptions { max_tokens: 80, ..Default::default() }, n + 9, FinishReason::ContextFull),
    ];
    for (options, context, reason) in cases {
        let plain = greedy_tokens(&copying_prompt(), 0, context, options.clone());
        assert_eq!(plain.1, reason, "{}", plain.2);
        let drafted = greedy_tokens(&copying_prompt(), 3, context, options);
        assert_eq!((&drafted.0, drafted.1, &drafted.2), (&plain.0, plain.1, &plain.2));
    }
}
