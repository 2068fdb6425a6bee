//! The tokenizer against llama.cpp: `fixtures/tokenizer_llamacpp.json` holds the ids
//! llama.cpp gives for ~300 strings (written by `models/reference/tokenizer_fixture.py`).
//! Set QINGYU_GGUF to use another copy of the model file (the tokenizer is the same).

#[allow(dead_code)] // not every test uses every helper
mod common;

use qingyu::gguf::Gguf;
use qingyu::tokenizer::Tokenizer;
use std::sync::OnceLock;
use std::time::Instant;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf";

fn tokenizer() -> &'static Tokenizer {
    static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let bytes = match std::env::var_os("QINGYU_GGUF") {
            Some(path) => std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.to_string_lossy())),
            None => common::model_file(MODEL),
        };
        let started = Instant::now();
        let tokenizer = Tokenizer::from_gguf(&Gguf::parse(&bytes).unwrap()).unwrap();
        println!("tokenizer loaded in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
        tokenizer
    })
}

struct Case {
    text: String,
    ids: Vec<u32>,
    parse_special: bool,
}

fn fixtures() -> Vec<Case> {
    let path = common::repo_root().join("crate/tests/fixtures/tokenizer_llamacpp.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|e| Case {
            text: e["text"].as_str().unwrap().to_owned(),
            ids: e["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect(),
            parse_special: e.get("parse_special").map_or(true, |v| v.as_bool().unwrap()),
        })
        .collect()
}

/// The ~3,000-character Chinese article at the end of the fixtures.
fn long_chinese(cases: &[Case]) -> &str {
    let text = &cases.iter().max_by_key(|c| c.text.chars().count()).unwrap().text;
    assert!(text.chars().count() >= 3000);
    text
}

#[test]
fn ids_match_llama_cpp() {
    let tok = tokenizer();
    let cases = fixtures();
    assert!(cases.len() >= 200, "only {} fixtures", cases.len());
    let mut mismatches = 0;
    for case in &cases {
        let ids = tok.encode(&case.text, case.parse_special);
        if ids != case.ids {
            mismatches += 1;
            println!("MISMATCH (parse_special={}) {:?}\n  llama.cpp: {:?}\n  ours:      {:?}", case.parse_special, case.text, case.ids, ids);
        }
    }
    assert_eq!(mismatches, 0, "{mismatches} of {} fixtures differ from llama.cpp", cases.len());
    println!("{} fixtures match llama.cpp", cases.len());
}

#[test]
fn decode_inverts_encode() {
    let tok = tokenizer();
    for case in fixtures() {
        let ids = tok.encode(&case.text, case.parse_special);
        assert_eq!(tok.decode(&ids), case.text, "ids {ids:?}");
    }
}

#[test]
fn stream_decoder_releases_only_whole_characters() {
    let tok = tokenizer();
    let cases = fixtures();
    let mut texts: Vec<&str> = vec![long_chinese(&cases), "龘靐齉爩鬱蠡籲，今天天气真好☀️👨‍👩‍👧‍👦！"];
    texts.extend(cases.iter().filter(|c| c.text.chars().any(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch))).map(|c| c.text.as_str()));
    let mut held_back = 0;
    for text in texts {
        let ids = tok.encode(text, true);
        let mut stream = tok.stream_decoder();
        let mut out = String::new();
        for &id in &ids {
            let piece = stream.push(id);
            assert!(!piece.contains('\u{FFFD}'), "U+FFFD mid-stream in {text:?} at token {id}");
            if piece.is_empty() && !tok.token_bytes(id).is_empty() {
                held_back += 1;
            }
            out += &piece;
        }
        out += &stream.finish();
        assert_eq!(out, tok.decode(&ids));
        assert_eq!(out, text);
    }
    assert!(held_back > 0, "no token ended mid-character; the test proves nothing");
}

#[test]
fn vocabulary_facts() {
    let tok = tokenizer();
    assert_eq!(tok.vocab_size(), 151_936);
    assert_eq!(tok.eos_id(), 151_645);
    assert_eq!(tok.token_id("<|im_start|>"), Some(151_644));
    assert_eq!(tok.token_id("<|im_end|>"), Some(151_645));
    assert_eq!(tok.token_id("<|endoftext|>"), Some(151_643));
    // The end-of-generation set llama.cpp reports for this vocabulary (tokenizer_fixture.py prints it).
    assert_eq!(tok.eog_ids(), [128_247, 151_643, 151_645, 151_662, 151_663, 151_664]);
    assert!(tok.chat_template().unwrap().contains("<|im_start|>"));
    assert_eq!(tok.encode("<|im_start|>user\n", true), [151_644, 872, 198]);
}

#[test]
fn encoding_a_3000_character_article_is_fast() {
    let tok = tokenizer();
    let cases = fixtures();
    let text = long_chinese(&cases);
    let rounds = 20;
    let started = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        n = tok.encode(text, true).len();
    }
    let ms = started.elapsed().as_secs_f64() * 1e3 / rounds as f64;
    println!("encoded {} chars ({} bytes) into {n} tokens in {ms:.2} ms", text.chars().count(), text.len());
    // Generous: the test profile compiles this crate unoptimized.
    assert!(ms < 250.0, "{ms:.1} ms");
}
