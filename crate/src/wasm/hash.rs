//! Incremental SHA-256 for the model store (www/lib/models.js): the 347 MB GGUF is streamed
//! into the engine part by part as it downloads and checked against index.json at the end, so
//! the page never holds the whole file in JS (SubtleCrypto only hashes whole buffers).

use sha2::Digest;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Sha256 {
    state: sha2::Sha256,
}

#[wasm_bindgen]
impl Sha256 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Sha256 {
        Sha256 { state: sha2::Sha256::new() }
    }

    /// Takes the next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        self.state.update(bytes);
    }

    /// The digest of everything taken, as 64 lowercase hex digits (frees the hasher).
    pub fn hex(self) -> String {
        self.state.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}
