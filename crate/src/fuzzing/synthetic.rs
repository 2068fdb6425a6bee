//! Small synthetic GGUF files, written byte by byte: the fuzzers' seeds (a tiny Qwen2 model and
//! a byte-level BPE tokenizer) and the tokenizer the tokenizer target falls back to when the
//! real model file is not there.

use crate::gguf::{GgmlType, Value};
use crate::tokenizer::Tokenizer;
use crate::Result;

/// A GGUF v3 being built: metadata in insertion order, tensors with their raw data.
#[derive(Default)]
pub struct GgufWriter {
    metadata: Vec<(String, Value)>,
    tensors: Vec<(String, Vec<u64>, GgmlType, Vec<u8>)>,
}

impl GgufWriter {
    pub fn meta(&mut self, key: &str, value: Value) -> &mut Self {
        self.metadata.push((key.to_owned(), value));
        self
    }

    /// `dims` in ggml order (`dims[0]` is the row length); `data` already in `ty`'s layout.
    pub fn tensor(&mut self, name: &str, dims: &[u64], ty: GgmlType, data: Vec<u8>) -> &mut Self {
        self.tensors.push((name.to_owned(), dims.to_vec(), ty, data));
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(b"GGUF");
        b.extend(3u32.to_le_bytes());
        b.extend((self.tensors.len() as u64).to_le_bytes());
        b.extend((self.metadata.len() as u64).to_le_bytes());
        for (key, value) in &self.metadata {
            string(&mut b, key);
            b.extend(type_id(value).to_le_bytes());
            write_value(&mut b, value);
        }
        let mut offset = 0u64;
        for (name, dims, ty, data) in &self.tensors {
            string(&mut b, name);
            b.extend((dims.len() as u32).to_le_bytes());
            for d in dims {
                b.extend(d.to_le_bytes());
            }
            b.extend(ggml_id(*ty).to_le_bytes());
            b.extend(offset.to_le_bytes());
            offset += (data.len() as u64).div_ceil(32) * 32;
        }
        pad(&mut b);
        for (_, _, _, data) in &self.tensors {
            b.extend(data);
            pad(&mut b);
        }
        b
    }
}

fn pad(b: &mut Vec<u8>) {
    while b.len() % 32 != 0 {
        b.push(0);
    }
}

fn string(b: &mut Vec<u8>, s: &str) {
    b.extend((s.len() as u64).to_le_bytes());
    b.extend(s.as_bytes());
}

fn type_id(v: &Value) -> u32 {
    match v {
        Value::U8(_) => 0,
        Value::I8(_) => 1,
        Value::U16(_) => 2,
        Value::I16(_) => 3,
        Value::U32(_) => 4,
        Value::I32(_) => 5,
        Value::F32(_) => 6,
        Value::Bool(_) => 7,
        Value::String(_) => 8,
        Value::Array(_) => 9,
        Value::U64(_) => 10,
        Value::I64(_) => 11,
        Value::F64(_) => 12,
    }
}

fn write_value(b: &mut Vec<u8>, v: &Value) {
    match v {
        Value::U8(x) => b.push(*x),
        Value::I8(x) => b.push(*x as u8),
        Value::U16(x) => b.extend(x.to_le_bytes()),
        Value::I16(x) => b.extend(x.to_le_bytes()),
        Value::U32(x) => b.extend(x.to_le_bytes()),
        Value::I32(x) => b.extend(x.to_le_bytes()),
        Value::F32(x) => b.extend(x.to_le_bytes()),
        Value::Bool(x) => b.push(*x as u8),
        Value::String(s) => string(b, s),
        Value::Array(items) => {
            // An empty array is written as an array of u8.
            b.extend(items.first().map_or(0, type_id).to_le_bytes());
            b.extend((items.len() as u64).to_le_bytes());
            for item in items {
                write_value(b, item);
            }
        }
        Value::U64(x) => b.extend(x.to_le_bytes()),
        Value::I64(x) => b.extend(x.to_le_bytes()),
        Value::F64(x) => b.extend(x.to_le_bytes()),
    }
}

fn ggml_id(ty: GgmlType) -> u32 {
    (0..64).find(|&id| GgmlType::from_id(id) == Some(ty)).expect("every GgmlType has an id")
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::String((*s).to_owned())).collect())
}

/// GPT-2's byte → printable character map (the vocabulary stores byte tokens this way).
fn byte_char(b: u8) -> char {
    match b {
        b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF => b as char,
        _ => {
            let below = (0..b).filter(|&x| !matches!(x, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)).count() as u32;
            char::from_u32(256 + below).unwrap()
        }
    }
}

/// Byte-level BPE metadata: 256 byte tokens, a few merges ("Ġthe", "你好", "ing"), the Qwen
/// chat markers as control tokens, one user-defined token and one unused token.
pub fn tokenizer_metadata(w: &mut GgufWriter) {
    let mut tokens: Vec<String> = (0..=255u8).map(|b| byte_char(b).to_string()).collect();
    let mut types = vec![1i32; 256];
    let hao: String = "你好".bytes().map(byte_char).collect();
    let (ni, hao2) = (hao[..hao.char_indices().nth(3).unwrap().0].to_owned(), hao[hao.char_indices().nth(3).unwrap().0..].to_owned());
    let extra: Vec<(String, i32)> = vec![
        ("Ġt".into(), 1),
        ("he".into(), 1),
        ("Ġthe".into(), 1),
        ("in".into(), 1),
        ("ing".into(), 1),
        (ni.clone(), 1),
        (hao2.clone(), 1),
        (hao.clone(), 1),
        ("<|endoftext|>".into(), 3),
        ("<|im_start|>".into(), 3),
        ("<|im_end|>".into(), 3),
        ("<tool_call>".into(), 4),
        ("</s>".into(), 1),
        ("[PAD0]".into(), 5),
    ];
    // Merges of the multi-byte characters' byte tokens, pairwise left to right.
    let mut merges: Vec<String> = vec!["Ġ t".into(), "h e".into(), "Ġt he".into(), "i n".into(), "in g".into()];
    for part in [&ni, &hao2] {
        let chars: Vec<String> = part.chars().map(String::from).collect();
        let first = format!("{}{}", chars[0], chars[1]);
        tokens.push(first.clone());
        types.push(1);
        merges.push(format!("{} {}", chars[0], chars[1]));
        merges.push(format!("{} {}", first, chars[2]));
    }
    merges.push(format!("{ni} {hao2}"));
    for (t, ty) in extra {
        tokens.push(t);
        types.push(ty);
    }
    let eos = tokens.iter().position(|t| t == "<|im_end|>").unwrap() as u32;
    w.meta("tokenizer.ggml.model", Value::String("gpt2".into()))
        .meta("tokenizer.ggml.pre", Value::String("qwen2".into()))
        .meta("tokenizer.ggml.tokens", Value::Array(tokens.into_iter().map(Value::String).collect()))
        .meta("tokenizer.ggml.token_type", Value::Array(types.into_iter().map(Value::I32).collect()))
        .meta("tokenizer.ggml.merges", Value::Array(merges.into_iter().map(Value::String).collect()))
        .meta("tokenizer.ggml.eos_token_id", Value::U32(eos))
        .meta("tokenizer.chat_template", Value::String("{% for m in messages %}{{ m.content }}{% endfor %}".into()));
}

/// A GGUF holding only the synthetic tokenizer.
pub fn tokenizer_gguf() -> Vec<u8> {
    let mut w = GgufWriter::default();
    w.meta("general.architecture", Value::String("qwen2".into()));
    tokenizer_metadata(&mut w);
    w.to_bytes()
}

/// The synthetic tokenizer, parsed from [`tokenizer_gguf`].
pub fn tokenizer() -> Result<Tokenizer> {
    let bytes = tokenizer_gguf();
    Tokenizer::from_gguf(&crate::gguf::Gguf::parse(&bytes)?)
}

/// Deterministic small weights (xorshift), in [-0.5, 0.5).
fn floats(n: usize, seed: &mut u64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect()
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `rows` × 32·k values as Q8_0 blocks (f16 scale, 32 i8).
fn q8_0_bytes(rows: usize, cols: usize, seed: &mut u64) -> Vec<u8> {
    let mut out = Vec::new();
    for block in floats(rows * cols, seed).chunks(32) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        out.extend(half::f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|&v| if d == 0.0 { 0 } else { (v / d).round() as i8 as u8 }));
    }
    out
}

/// `rows` × 32·k values as Q5_0 blocks (f16 scale, u32 fifth bits, 16 bytes of nibbles).
fn q5_0_bytes(rows: usize, cols: usize, seed: &mut u64) -> Vec<u8> {
    let mut out = Vec::new();
    for block in floats(rows * cols, seed).chunks(32) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 15.0;
        let q: Vec<u8> = block.iter().map(|&v| if d == 0.0 { 16 } else { ((v / d).round() as i32 + 16).clamp(0, 31) as u8 }).collect();
        out.extend(half::f16::from_f32(d).to_le_bytes());
        let qh = (0..32).fold(0u32, |h, j| h | ((q[j] as u32 >> 4) & 1) << j);
        out.extend(qh.to_le_bytes());
        out.extend((0..16).map(|j| (q[j] & 0x0f) | (q[j + 16] & 0x0f) << 4));
    }
    out
}

/// A one-layer Qwen2 with d_model 32, 2 heads (1 KV head), FFN 32 and an 8-token vocabulary:
/// F32 norms and biases, Q8_0 matrices, tied output head. About 7 KB.
pub fn tiny_model_gguf() -> Vec<u8> {
    model_gguf(32, 16, 32, 8)
}

/// A one-layer Qwen2 of these sizes (2 heads, 1 KV head; `d` and `ffn` multiples of 32, or 0).
pub fn model_gguf(d: usize, kv: usize, ffn: usize, vocab: usize) -> Vec<u8> {
    model_writer(d, kv, ffn, vocab, GgmlType::Q8_0, |w| {
        w.meta("tokenizer.ggml.tokens", strings(&["a", "b", "c", "d", "e", "f", "g", "h"]));
    })
    .to_bytes()
}

/// A model `Engine::load` accepts: the synthetic BPE tokenizer (its ~280 tokens fit the 288-row
/// embedding) and Q5_0 matrices, so the packed-weight path runs end to end.
pub fn engine_gguf() -> Vec<u8> {
    model_writer(32, 16, 64, 288, GgmlType::Q5_0, tokenizer_metadata).to_bytes()
}

fn model_writer(d: usize, kv: usize, ffn: usize, vocab: usize, matrices: GgmlType, tokenizer: impl FnOnce(&mut GgufWriter)) -> GgufWriter {
    let mut seed = 0x2545_f491_4f6c_dd1d;
    let mut w = GgufWriter::default();
    w.meta("general.architecture", Value::String("qwen2".into()))
        .meta("qwen2.block_count", Value::U32(1))
        .meta("qwen2.context_length", Value::U32(64))
        .meta("qwen2.embedding_length", Value::U32(d as u32))
        .meta("qwen2.feed_forward_length", Value::U32(ffn as u32))
        .meta("qwen2.attention.head_count", Value::U32(2))
        .meta("qwen2.attention.head_count_kv", Value::U32(1))
        .meta("qwen2.rope.freq_base", Value::F32(10_000.0))
        .meta("qwen2.attention.layer_norm_rms_epsilon", Value::F32(1e-6))
        .meta("general.alignment", Value::U32(32));
    tokenizer(&mut w);
    let ty = matrices;
    let q = |rows: usize, cols: usize, seed: &mut u64| match ty {
        GgmlType::Q5_0 => q5_0_bytes(rows, cols, seed),
        _ => q8_0_bytes(rows, cols, seed),
    };
    w.tensor("token_embd.weight", &[d as u64, vocab as u64], ty, q(vocab, d, &mut seed));
    let ones = f32_bytes(&vec![1.0; d]);
    w.tensor("blk.0.attn_norm.weight", &[d as u64], GgmlType::F32, ones.clone());
    w.tensor("blk.0.attn_q.weight", &[d as u64, d as u64], ty, q(d, d, &mut seed));
    w.tensor("blk.0.attn_q.bias", &[d as u64], GgmlType::F32, f32_bytes(&floats(d, &mut seed)));
    w.tensor("blk.0.attn_k.weight", &[d as u64, kv as u64], ty, q(kv, d, &mut seed));
    w.tensor("blk.0.attn_k.bias", &[kv as u64], GgmlType::F32, f32_bytes(&floats(kv, &mut seed)));
    w.tensor("blk.0.attn_v.weight", &[d as u64, kv as u64], ty, q(kv, d, &mut seed));
    w.tensor("blk.0.attn_v.bias", &[kv as u64], GgmlType::F32, f32_bytes(&floats(kv, &mut seed)));
    w.tensor("blk.0.attn_output.weight", &[d as u64, d as u64], ty, q(d, d, &mut seed));
    w.tensor("blk.0.ffn_norm.weight", &[d as u64], GgmlType::F32, ones.clone());
    w.tensor("blk.0.ffn_gate.weight", &[d as u64, ffn as u64], ty, q(ffn, d, &mut seed));
    w.tensor("blk.0.ffn_up.weight", &[d as u64, ffn as u64], ty, q(ffn, d, &mut seed));
    w.tensor("blk.0.ffn_down.weight", &[ffn as u64, d as u64], ty, q(d, ffn, &mut seed));
    w.tensor("output_norm.weight", &[d as u64], GgmlType::F32, ones);
    w
}
