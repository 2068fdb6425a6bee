//! The vocabulary from GGUF metadata: each token's stored text, its kind, and the bytes it
//! decodes to, kept in flat buffers (152k tokens would otherwise be 300k small allocations).

use super::byte_level;
use crate::gguf::{Gguf, Value};
use crate::{Error, Result};

/// `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Undefined,
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl TokenKind {
    fn from_type(t: u64) -> Self {
        match t {
            1 => Self::Normal,
            2 => Self::Unknown,
            3 => Self::Control,
            4 => Self::UserDefined,
            5 => Self::Unused,
            6 => Self::Byte,
            _ => Self::Undefined,
        }
    }
}

/// Token texts llama.cpp treats as end-of-generation markers and therefore as control tokens,
/// whatever their stored type. In the Qwen2 vocabulary this turns the normal token `</s>`
/// (id 128247) into a control token, so `"</s>"` in text becomes that single token when
/// special tokens are parsed.
pub(super) const EOG_NAMES: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
];

pub(super) struct Vocab {
    texts: String,
    text_ends: Vec<u32>,
    bytes: Vec<u8>,
    byte_ends: Vec<u32>,
    kinds: Vec<TokenKind>,
    /// Token ids sorted by text, for `id()`.
    by_text: Vec<u32>,
}

impl Vocab {
    pub(super) fn from_gguf(gguf: &Gguf) -> Result<Self> {
        let tokens = string_array(gguf, "tokenizer.ggml.tokens")?;
        if tokens.is_empty() || tokens.len() > u32::MAX as usize / 2 {
            return Err(bad(&format!("tokenizer.ggml.tokens has {} entries", tokens.len())));
        }
        let types = gguf
            .get("tokenizer.ggml.token_type")?
            .as_array()
            .ok_or_else(|| bad("tokenizer.ggml.token_type is not an array"))?;
        if types.len() != tokens.len() {
            return Err(bad(&format!(
                "tokenizer.ggml.token_type has {} entries but there are {} tokens",
                types.len(),
                tokens.len()
            )));
        }

        let mut vocab = Vocab {
            texts: String::with_capacity(tokens.iter().map(|t| t.len()).sum()),
            text_ends: Vec::with_capacity(tokens.len()),
            bytes: Vec::new(),
            byte_ends: Vec::with_capacity(tokens.len()),
            kinds: Vec::with_capacity(tokens.len()),
            by_text: (0..tokens.len() as u32).collect(),
        };
        for (i, (text, ty)) in tokens.iter().zip(types).enumerate() {
            let ty = ty.as_u64().ok_or_else(|| bad(&format!("tokenizer.ggml.token_type[{i}] is not an integer")))?;
            let mut kind = TokenKind::from_type(ty);
            if kind == TokenKind::Normal && EOG_NAMES.contains(text) {
                kind = TokenKind::Control;
            }
            let decoded = match kind {
                TokenKind::Normal | TokenKind::Byte => {
                    byte_level::decode_str(text).unwrap_or_else(|| text.as_bytes().to_vec())
                }
                TokenKind::Control | TokenKind::UserDefined | TokenKind::Unknown => text.as_bytes().to_vec(),
                TokenKind::Unused | TokenKind::Undefined => Vec::new(),
            };
            vocab.texts.push_str(text);
            vocab.text_ends.push(vocab.texts.len() as u32);
            vocab.bytes.extend_from_slice(&decoded);
            vocab.byte_ends.push(vocab.bytes.len() as u32);
            vocab.kinds.push(kind);
        }
        let texts = &vocab.texts;
        let ends = &vocab.text_ends;
        let text_of = |id: u32| slice(texts, ends, id);
        vocab.by_text.sort_unstable_by(|&a, &b| text_of(a).cmp(text_of(b)));
        if let Some(w) = vocab.by_text.windows(2).find(|w| text_of(w[0]) == text_of(w[1])) {
            return Err(bad(&format!("tokens {} and {} are both {:?}", w[0], w[1], text_of(w[0]))));
        }
        Ok(vocab)
    }

    pub(super) fn len(&self) -> usize {
        self.kinds.len()
    }

    pub(super) fn text(&self, id: u32) -> &str {
        slice(&self.texts, &self.text_ends, id)
    }

    pub(super) fn bytes(&self, id: u32) -> &[u8] {
        let start = if id == 0 { 0 } else { self.byte_ends[id as usize - 1] as usize };
        &self.bytes[start..self.byte_ends[id as usize] as usize]
    }

    pub(super) fn kind(&self, id: u32) -> TokenKind {
        self.kinds[id as usize]
    }

    pub(super) fn id(&self, text: &str) -> Option<u32> {
        self.by_text.binary_search_by(|&id| self.text(id).cmp(text)).ok().map(|i| self.by_text[i])
    }
}

fn slice<'a>(texts: &'a str, ends: &[u32], id: u32) -> &'a str {
    let start = if id == 0 { 0 } else { ends[id as usize - 1] as usize };
    &texts[start..ends[id as usize] as usize]
}

/// A metadata array of strings.
pub(super) fn string_array<'g>(gguf: &'g Gguf, key: &str) -> Result<Vec<&'g str>> {
    let items: &[Value] = gguf.get(key)?.as_array().ok_or_else(|| bad(&format!("{key} is not an array")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| v.as_str().ok_or_else(|| bad(&format!("{key}[{i}] is not a string"))))
        .collect()
}

pub(super) fn bad(msg: &str) -> Error {
    Error::ModelLoad(format!("tokenizer: {msg}"))
}
