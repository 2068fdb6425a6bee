//! The Qwen2 byte-level BPE tokenizer, read from GGUF metadata and matching llama.cpp token
//! for token (see `crate/tests/tokenizer_llamacpp.rs`).
//!
//! Encoding: special tokens are cut out first (`special`), the remaining text is split by the
//! Qwen2 pre-tokenizer (`pretokenize`), and each piece's bytes are merged by BPE (`bpe`).
//! Decoding maps tokens back to bytes; `StreamDecoder` releases only complete UTF-8.

mod bpe;
mod byte_level;
mod decode;
mod hash;
mod pretokenize;
mod special;
mod unicode;
mod unicode_tables;
mod vocab;

pub use decode::{StreamDecoder, Utf8Stream};
pub use vocab::TokenKind;

use crate::gguf::Gguf;
use crate::Result;
use bpe::Merges;
use hash::FastMap;
use special::{Fragment, SpecialToken};
use vocab::{bad, string_array, Vocab};

/// `tokenizer.ggml.pre` values that llama.cpp tokenizes with the Qwen2 pre-tokenizer.
const QWEN2_PRE: &[&str] = &["qwen2", "deepseek-r1-qwen", "megrez"];

/// Fill-in-the-middle markers llama.cpp also stops generation at (pad, repo, file separator).
const FIM_EOG_NAMES: &[&str] = &["<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"];

pub struct Tokenizer {
    vocab: Vocab,
    merges: Merges,
    /// Control, user-defined and unknown tokens, longest text first.
    specials: Vec<SpecialToken>,
    eos_id: u32,
    bos_id: Option<u32>,
    /// End-of-generation tokens, sorted.
    eog_ids: Vec<u32>,
    chat_template: Option<String>,
}

impl Tokenizer {
    pub fn from_gguf(gguf: &Gguf) -> Result<Self> {
        let model = gguf.get_str("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(bad(&format!("tokenizer.ggml.model is {model:?}; only byte-level BPE (\"gpt2\") is supported")));
        }
        let pre = gguf.get_str("tokenizer.ggml.pre")?;
        if !QWEN2_PRE.contains(&pre) {
            return Err(bad(&format!("tokenizer.ggml.pre is {pre:?}; only the Qwen2 pre-tokenizer is implemented")));
        }
        let vocab = Vocab::from_gguf(gguf)?;
        let index = vocab.index()?;
        let merges = load_merges(gguf, &index)?;

        let mut specials: Vec<SpecialToken> = (0..vocab.len() as u32)
            .filter_map(|id| {
                let control = match vocab.kind(id) {
                    TokenKind::Control | TokenKind::Unknown => true,
                    TokenKind::UserDefined => false,
                    _ => return None,
                };
                Some(SpecialToken { text: vocab.text(id).to_owned(), id, control })
            })
            .collect();
        special::match_order(&mut specials);

        let token_key = |key: &str| -> Result<Option<u32>> {
            match gguf.metadata.get(key) {
                None => Ok(None),
                Some(v) => {
                    let id = v.as_u64().filter(|&id| id < vocab.len() as u64);
                    id.map(|id| Some(id as u32)).ok_or_else(|| bad(&format!("{key} is not a token id")))
                }
            }
        };
        let eos_id = token_key("tokenizer.ggml.eos_token_id")?
            .ok_or_else(|| bad("metadata key tokenizer.ggml.eos_token_id is missing"))?;
        let bos_id = token_key("tokenizer.ggml.bos_token_id")?;

        let mut eog_ids: Vec<u32> = vocab::EOG_NAMES
            .iter()
            .chain(FIM_EOG_NAMES)
            .filter_map(|name| index.get(name).copied())
            .chain([eos_id])
            .collect();
        eog_ids.sort_unstable();
        eog_ids.dedup();

        let chat_template = match gguf.metadata.get("tokenizer.chat_template") {
            None => None,
            Some(v) => Some(v.as_str().ok_or_else(|| bad("tokenizer.chat_template is not a string"))?.to_owned()),
        };
        Ok(Self { vocab, merges, specials, eos_id, bos_id, eog_ids, chat_template })
    }

    /// Token ids for `text`. With `parse_special`, control-token texts such as `<|im_start|>`
    /// become their tokens; without it they are encoded as plain text. (User-defined tokens
    /// like `<tool_call>` are always recognised, as in llama.cpp.) No BOS is added.
    pub fn encode(&self, text: &str, parse_special: bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 2 + 1);
        for fragment in special::split(text, &self.specials, parse_special) {
            match fragment {
                Fragment::Token(id) => out.push(id),
                Fragment::Text(range) => {
                    let text = &text[range];
                    for piece in pretokenize::split(text) {
                        self.merges.encode_piece(text[piece].as_bytes(), &mut out);
                    }
                }
            }
        }
        out
    }

    /// The bytes a token stands for: control and user-defined tokens give their text,
    /// unused ones nothing, an id outside the vocabulary U+FFFD.
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        if (id as usize) < self.vocab.len() {
            self.vocab.bytes(id)
        } else {
            "\u{FFFD}".as_bytes()
        }
    }

    /// The concatenated bytes of `ids` (not necessarily valid UTF-8).
    pub fn decode_bytes(&self, ids: &[u32]) -> Vec<u8> {
        ids.iter().flat_map(|&id| self.token_bytes(id).iter().copied()).collect()
    }

    /// Text of `ids`, special tokens included; invalid UTF-8 becomes U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> String {
        String::from_utf8_lossy(&self.decode_bytes(ids)).into_owned()
    }

    /// A decoder for generated tokens that only ever returns complete characters.
    pub fn stream_decoder(&self) -> StreamDecoder<'_> {
        StreamDecoder::new(self)
    }

    /// The id of a token by its vocabulary text (`"<|im_start|>"`; normal tokens are stored
    /// byte-level encoded, e.g. `"Ġthe"` for `" the"`).
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.vocab.id(text)
    }

    /// A token's text as stored in the vocabulary.
    pub fn token_text(&self, id: u32) -> Option<&str> {
        ((id as usize) < self.vocab.len()).then(|| self.vocab.text(id))
    }

    pub fn token_kind(&self, id: u32) -> Option<TokenKind> {
        ((id as usize) < self.vocab.len()).then(|| self.vocab.kind(id))
    }

    /// Control, user-defined, unknown or unused: tokens that are not ordinary text.
    pub fn is_special(&self, id: u32) -> bool {
        self.token_kind(id).is_some_and(|k| !matches!(k, TokenKind::Normal | TokenKind::Byte))
    }

    /// `tokenizer.ggml.eos_token_id` (`<|im_end|>` for Qwen2.5 instruct models).
    pub fn eos_id(&self) -> u32 {
        self.eos_id
    }

    pub fn bos_id(&self) -> Option<u32> {
        self.bos_id
    }

    /// Whether generation should stop at `id`; the same set llama.cpp uses (EOS,
    /// `<|im_end|>`, `<|endoftext|>`, `</s>`, and the FIM pad/repo/file-separator markers).
    pub fn is_eog(&self, id: u32) -> bool {
        self.eog_ids.binary_search(&id).is_ok()
    }

    pub fn eog_ids(&self) -> &[u32] {
        &self.eog_ids
    }

    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// The Jinja chat template stored with the model, if any.
    pub fn chat_template(&self) -> Option<&str> {
        self.chat_template.as_deref()
    }
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_size", &self.vocab.len())
            .field("merges", &self.merges.len())
            .field("special_tokens", &self.specials.len())
            .field("eos_id", &self.eos_id)
            .finish_non_exhaustive()
    }
}

/// Reads `tokenizer.ggml.merges` ("left right" per entry, rank = position) into id pairs.
fn load_merges(gguf: &Gguf, index: &FastMap<&str, u32>) -> Result<Merges> {
    let id = |text: &str| index.get(text).copied();
    let mut byte_ids = [0u32; 256];
    for (b, slot) in byte_ids.iter_mut().enumerate() {
        let c = byte_level::byte_to_char(b as u8);
        *slot = id(c.encode_utf8(&mut [0; 4]))
            .ok_or_else(|| bad(&format!("the vocabulary has no token for byte 0x{b:02X} ({c:?})")))?;
    }
    let mut merges = Merges::new(byte_ids);
    let mut joined = String::new();
    for (rank, line) in string_array(gguf, "tokenizer.ggml.merges")?.into_iter().enumerate() {
        // Split at the first space after the first character (a token may start with one).
        let split = line
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == ' ')
            .map(|(i, _)| i)
            .ok_or_else(|| bad(&format!("merge {rank} ({line:?}) is not two tokens separated by a space")))?;
        let (left, right) = (&line[..split], &line[split + 1..]);
        let (Some(l), Some(r)) = (id(left), id(right)) else {
            // BPE symbols are always vocabulary tokens, so this merge could never apply.
            continue;
        };
        joined.clear();
        joined.push_str(left);
        joined.push_str(right);
        let merged = id(&joined).ok_or_else(|| bad(&format!("merge {rank} ({line:?}) makes {joined:?}, which is not in the vocabulary")))?;
        merges.insert(l, r, rank as u32, merged);
    }
    Ok(merges)
}

#[cfg(test)]
mod tests;
