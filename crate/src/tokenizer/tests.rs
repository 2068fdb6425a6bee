//! Tokenizer tests on a small synthetic vocabulary (the real one is checked against llama.cpp
//! in crate/tests/tokenizer_llamacpp.rs).

use super::byte_level::byte_to_char;
use super::*;
use crate::gguf::Value;
use crate::Error;

/// An empty GGUF v3 header; tests fill in `metadata` directly.
const EMPTY_GGUF: &[u8] = b"GGUF\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.to_string())).collect())
}

/// 256 byte tokens, then "Ġt", "he", "Ġthe", "<|im_start|>", "<|im_end|>", "<tool_call>",
/// "</s>" (a normal token llama.cpp treats as control) and an unused pad.
fn toy_metadata(gguf: &mut Gguf) {
    let mut tokens: Vec<String> = (0..=255u8).map(|b| byte_to_char(b).to_string()).collect();
    let mut types = vec![1i32; 256];
    for (t, ty) in [("Ġt", 1), ("he", 1), ("Ġthe", 1), ("<|im_start|>", 3), ("<|im_end|>", 3), ("<tool_call>", 4), ("</s>", 1), ("[PAD1]", 5)] {
        tokens.push(t.to_string());
        types.push(ty);
    }
    let m = &mut gguf.metadata;
    m.insert("tokenizer.ggml.model".into(), Value::String("gpt2".into()));
    m.insert("tokenizer.ggml.pre".into(), Value::String("qwen2".into()));
    m.insert("tokenizer.ggml.tokens".into(), Value::Array(tokens.into_iter().map(Value::String).collect()));
    m.insert("tokenizer.ggml.token_type".into(), Value::Array(types.into_iter().map(Value::I32).collect()));
    m.insert("tokenizer.ggml.merges".into(), strings(&["Ġ t", "h e", "Ġt he"]));
    m.insert("tokenizer.ggml.eos_token_id".into(), Value::U32(261));
    m.insert("tokenizer.chat_template".into(), Value::String("{{ messages }}".into()));
}

fn toy() -> Tokenizer {
    let mut g = Gguf::parse(EMPTY_GGUF).unwrap();
    toy_metadata(&mut g);
    Tokenizer::from_gguf(&g).unwrap()
}

#[test]
fn encodes_with_merges_and_specials() {
    let t = toy();
    assert_eq!(t.vocab_size(), 264);
    assert_eq!(t.encode(" the", false), [258]);
    assert_eq!(t.encode("he the", false), [257, 258]);
    assert_eq!(t.encode(" th", false), [256, b'h' as u32]);
    assert_eq!(t.encode("<|im_start|>the<|im_end|>", true), [259, b't' as u32, 257, 260]);
    // Without parse_special, control tokens are text; user-defined ones are still matched.
    assert_eq!(t.encode("<|im_end|>", false).len(), 10);
    assert_eq!(t.encode("<tool_call>", false), [261]);
    assert_eq!(t.encode("</s>", true), [262]);
    assert_eq!(t.encode("", true), Vec::<u32>::new());
}

#[test]
fn decodes_bytes_and_specials() {
    let t = toy();
    for text in ["<|im_start|>the 中文 😀\n<|im_end|>", "a\u{301}  \t\r\n", ""] {
        assert_eq!(t.decode(&t.encode(text, true)), text);
    }
    assert_eq!(t.decode(&[263]), "", "unused tokens render as nothing");
    assert_eq!(t.decode(&[99_999]), "\u{FFFD}");
    assert_eq!(t.decode(&[0xE4, 0xB8]), "\u{FFFD}");
    let ids = t.encode("中", false);
    let mut stream = t.stream_decoder();
    let pieces: Vec<String> = ids.iter().map(|&id| stream.push(id)).collect();
    assert_eq!(pieces, ["", "", "中"]);
}

#[test]
fn metadata_accessors() {
    let t = toy();
    assert_eq!(t.eos_id(), 261);
    assert_eq!(t.bos_id(), None);
    assert_eq!(t.token_id("<|im_end|>"), Some(260));
    assert_eq!(t.token_id("Ġthe"), Some(258));
    assert_eq!(t.token_id("nope"), None);
    assert_eq!(t.token_text(258), Some("Ġthe"));
    assert_eq!(t.token_kind(262), Some(TokenKind::Control));
    assert!(t.is_special(259) && t.is_special(263) && !t.is_special(258));
    assert_eq!(t.eog_ids(), [260, 261, 262]);
    assert!(t.is_eog(260) && !t.is_eog(259));
    assert_eq!(t.chat_template(), Some("{{ messages }}"));
}

fn load_error(edit: impl FnOnce(&mut Gguf)) -> String {
    let mut g = Gguf::parse(EMPTY_GGUF).unwrap();
    toy_metadata(&mut g);
    edit(&mut g);
    match Tokenizer::from_gguf(&g) {
        Err(e @ Error::ModelLoad(_)) => e.to_string(),
        other => panic!("expected a ModelLoad error, got {other:?}"),
    }
}

#[test]
fn malformed_metadata_is_a_model_load_error() {
    let e = load_error(|g| drop(g.metadata.remove("tokenizer.ggml.merges")));
    assert!(e.contains("tokenizer.ggml.merges is missing"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.pre".into(), Value::String("llama3".into()))));
    assert!(e.contains("\"llama3\""), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.model".into(), Value::String("llama".into()))));
    assert!(e.contains("gpt2"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.token_type".into(), Value::Array(vec![]))));
    assert!(e.contains("0 entries"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.merges".into(), strings(&["h x"]))));
    assert!(e.contains("not in the vocabulary"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.merges".into(), strings(&["he"]))));
    assert!(e.contains("separated by a space"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.eos_token_id".into(), Value::U32(1_000_000))));
    assert!(e.contains("eos_token_id"), "{e}");
    let e = load_error(|g| drop(g.metadata.insert("tokenizer.ggml.tokens".into(), strings(&["a", "b"]))));
    assert!(e.contains("token_type"), "{e}");
}
