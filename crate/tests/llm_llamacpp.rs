//! The whole forward pass against llama.cpp on the same GGUF (fixture written by
//! models/reference/llm_fixture.py with llama-cpp-python): six ChatML prompts, zh / en /
//! mixed, short and long.
//!
//! Our weights are bit-identical to llama.cpp's (lossless repack), and activations are
//! quantized with llama.cpp's Q8_0 rule; llama.cpp's K-quant matmuls use 256-value Q8_K
//! activation blocks where we use 32-value blocks, and float sums run in another order, so
//! logits differ in the last digits. Hence the checks: greedy output identical to llama.cpp's
//! for every prompt, and teacher-forced top-1 equal at every position except where llama.cpp
//! itself had a near-tie (top-2 logit margin < 0.1); the agreement rate is printed.

mod common;

use qingyu::llm::sampler::argmax;
use qingyu::llm::session::Engine;
use qingyu::llm::Logits;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    prompt_ids: Vec<u32>,
    generated_ids: Vec<u32>,
    argmax: Vec<u32>,
    margin: Vec<f32>,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

fn argmaxes(logits: &[f32], vocab: usize) -> Vec<u32> {
    logits.chunks_exact(vocab).map(argmax).collect()
}

#[test]
fn forward_pass_matches_llama_cpp() {
    let bytes = common::model_file("qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf");
    let engine = Engine::load(&bytes, |_, _| {}).unwrap();
    drop(bytes);
    let model = &engine.model;
    let vocab = model.config.vocab;
    let fixture: Fixture = serde_json::from_str(include_str!("fixtures/llm_llamacpp.json")).unwrap();
    assert_eq!(fixture.cases.len(), 6);

    let (mut agree, mut total) = (0usize, 0usize);
    for case in &fixture.cases {
        let p = case.prompt_ids.len();
        assert_eq!(engine.tokenizer.encode(&engine.tokenizer.decode(&case.prompt_ids), true), case.prompt_ids, "{}: tokenizer", case.name);
        let mut cache = model.new_cache(p + case.generated_ids.len() + 8);

        // Prompt: logits for (at most) its last 64 positions — the 151,936-wide output head
        // on every position of a 1,500-token prompt would dominate the test's run time.
        let head = p.saturating_sub(64);
        if head > 0 {
            model.forward(&case.prompt_ids[..head], &mut cache, Logits::LastOnly).unwrap();
        }
        let logits = model.forward(&case.prompt_ids[head..], &mut cache, Logits::All).unwrap();
        let mut ours = argmaxes(&logits, vocab);
        // Greedy continuation from our own tokens.
        let mut greedy = Vec::new();
        let mut next = *ours.last().unwrap();
        while greedy.len() < case.generated_ids.len() && !engine.tokenizer.is_eog(next) {
            greedy.push(next);
            next = argmax(&model.forward(&[next], &mut cache, Logits::LastOnly).unwrap());
        }
        let same = greedy.iter().zip(&case.generated_ids).take_while(|(a, b)| a == b).count();
        // Teacher forcing after the prompt: feed llama.cpp's own continuation.
        cache.truncate(p);
        if !case.generated_ids.is_empty() {
            ours.extend(argmaxes(&model.forward(&case.generated_ids, &mut cache, Logits::All).unwrap(), vocab));
        }
        let reference = &case.argmax[head..];
        assert_eq!(ours.len(), reference.len(), "{}: positions", case.name);
        let mismatches: Vec<usize> = (0..ours.len()).filter(|&i| ours[i] != reference[i]).collect();
        agree += ours.len() - mismatches.len();
        total += ours.len();
        let divergence_margin = (same < case.generated_ids.len()).then(|| case.margin[p - 1 + same]);
        println!(
            "{:12} prompt {:5} tokens: greedy identical for {}/{} tokens{}; teacher-forced top-1 {}/{} (mismatch margins: {:?})",
            case.name,
            p,
            same,
            case.generated_ids.len(),
            divergence_margin.map_or(String::new(), |m| format!(" (llama.cpp top-2 margin there: {m})")),
            ours.len() - mismatches.len(),
            ours.len(),
            mismatches.iter().map(|&i| case.margin[head + i]).collect::<Vec<_>>()
        );
        println!("  ours : {:?}", engine.tokenizer.decode(&greedy));
        assert!(divergence_margin.is_none(), "{}: greedy diverged from llama.cpp at token {same} (llama.cpp margin {divergence_margin:?})", case.name);
        for &i in &mismatches {
            let m = case.margin[head + i];
            assert!(m < 0.1, "{}: top-1 differs at position {} where llama.cpp's margin is {m}", case.name, head + i);
        }
    }
    let rate = agree as f64 / total as f64;
    println!("teacher-forced top-1 agreement with llama.cpp: {agree}/{total} = {:.4}", rate);
    assert!(rate >= 0.97, "agreement {rate}");
}
