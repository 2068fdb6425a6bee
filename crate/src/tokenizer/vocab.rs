//! The vocabulary from GGUF metadata: each token's stored text, its kind, and the bytes it
//! decodes to, kept in flat buffers (152k tokens would otherwise be 300k small allocations).

use super::byte_level;
use super::hash::FastMap;
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
        Ok(vocab)
    }

    /// A text → id map for building the merge table (kept only while loading: 152k entries
    /// would cost megabytes for the few lookups `id()` serves later).
    pub(super) fn index(&self) -> Result<FastMap<&str, u32>> {
        let mut index = FastMap::with_capacity_and_hasher(self.len(), Default::default());
        for id in 0..self.len() as u32 {
            if let Some(first) = index.insert(self.text(id), id) {
                return Err(bad(&format!("tokens {first} and {id} are both {:?}", self.text(id))));
            }
        }
        Ok(index)
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

    /// The token whose text is `text`: a scan of the flat text buffer (well under a
    /// millisecond), fine for looking up a few special tokens.
    pub(super) fn id(&self, text: &str) -> Option<u32> {
        let mut start = 0;
        for (id, &end) in self.text_ends.iter().enumerate() {
            let end = end as usize;
            if end - start == text.len() && &self.texts[start..end] == text {
                return Some(id as u32);
            }
            start = end;
        }
        None
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
