//! Loads a GGUF that arrives in pieces (the browser cache's 16 MiB parts, or a file read in
//! chunks) and repacks each tensor as soon as its bytes are complete. Only the header and the
//! tensor being filled are ever held as file bytes, so memory peaks near the size of the
//! runtime weights instead of file + weights.

use super::session::Engine;
use super::weights::{repack, Tensor, TensorSource, WeightLayout};
use crate::gguf::{Gguf, TensorInfo};
use crate::{Error, Result};
use std::collections::HashMap;

/// A header larger than this is treated as corrupt rather than buffered further.
const MAX_HEADER: usize = 64 << 20;

pub struct GgufStream {
    size: usize,
    layout: WeightLayout,
    received: usize,
    /// The file's first bytes, until the header parses; then only the header (kept for the
    /// metadata: config and tokenizer).
    head: Vec<u8>,
    /// Next header parse attempt once `head` is this long (doubling, so retries stay cheap).
    parse_at: usize,
    /// Tensors in file order, once the header is known.
    plan: Option<Vec<TensorInfo>>,
    /// Index in `plan` of the tensor being filled, and its bytes so far.
    next: usize,
    pending: Vec<u8>,
    /// Repacked tensors by name (an unsupported one keeps its error until the model asks).
    done: HashMap<String, Result<Tensor>>,
}

impl GgufStream {
    pub fn new(size: usize, layout: WeightLayout) -> Self {
        Self {
            size,
            layout,
            received: 0,
            head: Vec::new(),
            parse_at: 1 << 16,
            plan: None,
            next: 0,
            pending: Vec::new(),
            done: HashMap::new(),
        }
    }

    /// Bytes received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// Takes the next piece of the file.
    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        if self.received + chunk.len() > self.size {
            return Err(Error::ModelLoad(format!("the model is longer than the {} bytes announced", self.size)));
        }
        let at = self.received;
        self.received += chunk.len();
        if self.plan.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < self.parse_at.min(self.size) {
                return Ok(());
            }
            return match self.parse_header()? {
                Some(tensors) => self.start_tensors(tensors),
                None => Ok(()),
            };
        }
        self.feed(at, chunk)
    }

    fn parse_header(&mut self) -> Result<Option<Vec<TensorInfo>>> {
        match Gguf::parse_prefix(&self.head, self.size)? {
            Some(g) => {
                let mut tensors = g.tensors;
                tensors.sort_by_key(|t| t.start);
                if let Some(w) = tensors.windows(2).find(|w| w[0].start + w[0].len > w[1].start) {
                    return Err(Error::ModelLoad(format!("GGUF: tensors {} and {} overlap", w[0].name, w[1].name)));
                }
                Ok(Some(tensors))
            }
            None if self.head.len() >= MAX_HEADER => {
                Err(Error::ModelLoad(format!("GGUF: no complete header in the first {MAX_HEADER} bytes")))
            }
            None => {
                self.parse_at = self.head.len().saturating_mul(2);
                Ok(None)
            }
        }
    }

    /// The header is known: keep only it in `head` and route the data bytes after it.
    fn start_tensors(&mut self, tensors: Vec<TensorInfo>) -> Result<()> {
        let header_end = tensors.iter().map(|t| t.start).min().unwrap_or(self.head.len()).min(self.head.len());
        let rest = self.head.split_off(header_end);
        self.head.shrink_to_fit();
        self.plan = Some(tensors);
        self.feed(header_end, &rest)
    }

    /// Routes file bytes starting at offset `at` into the tensors they belong to.
    fn feed(&mut self, mut at: usize, mut bytes: &[u8]) -> Result<()> {
        let plan = self.plan.as_ref().expect("header parsed");
        while !bytes.is_empty() && self.next < plan.len() {
            let t = &plan[self.next];
            if at < t.start {
                // Alignment padding before the tensor.
                let skip = (t.start - at).min(bytes.len());
                at += skip;
                bytes = &bytes[skip..];
                continue;
            }
            if self.pending.is_empty() {
                self.pending.try_reserve_exact(t.len).map_err(|_| out_of_memory(t.len))?;
            }
            let take = (t.len - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            at += take;
            bytes = &bytes[take..];
            if self.pending.len() == t.len {
                let tensor = repack(t, &self.pending, self.layout);
                self.done.insert(t.name.clone(), tensor);
                self.pending = Vec::new();
                self.next += 1;
            }
        }
        Ok(())
    }

    /// The engine, once every byte has arrived.
    pub fn finish(mut self, progress: impl FnMut(usize, usize)) -> Result<Engine> {
        if self.received != self.size {
            return Err(Error::ModelLoad(format!("the model stopped after {} of {} bytes", self.received, self.size)));
        }
        if self.plan.is_none() {
            // A file shorter than the first parse attempt: parse it now (errors are final).
            self.parse_at = 0;
            match self.parse_header()? {
                Some(tensors) => self.start_tensors(tensors)?,
                None => return Err(Error::ModelLoad("GGUF is truncated inside its header".into())),
            }
        }
        let head = std::mem::take(&mut self.head);
        let header = Gguf::parse_prefix(&head, self.size)?.ok_or_else(|| Error::ModelLoad("GGUF header vanished".into()))?;
        let mut source = Streamed { header: &header, done: self.done };
        Engine::from_source(&header, &mut source, progress)
    }
}

fn out_of_memory(bytes: usize) -> Error {
    Error::ModelLoad(format!("not enough memory for a {bytes}-byte tensor"))
}

/// The tensors a stream repacked, served to `ModelWeights::load`.
struct Streamed<'h> {
    header: &'h Gguf<'h>,
    done: HashMap<String, Result<Tensor>>,
}

impl TensorSource for Streamed<'_> {
    fn info(&self, name: &str) -> Option<&TensorInfo> {
        self.header.tensor(name)
    }
    fn take(&mut self, name: &str) -> Result<Tensor> {
        self.done.remove(name).unwrap_or_else(|| Err(Error::ModelLoad(format!("GGUF has no tensor {name}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::synthetic;

    fn stream_in_pieces(bytes: &[u8], piece: usize) -> Result<Engine> {
        let layout = if piece % 2 == 0 { WeightLayout::Packed } else { WeightLayout::Expanded };
        let mut s = GgufStream::new(bytes.len(), layout);
        for chunk in bytes.chunks(piece) {
            s.write(chunk)?;
        }
        s.finish(|_, _| {})
    }

    #[test]
    fn streamed_pieces_of_any_size_and_either_layout_load_the_same_model_as_the_whole_file() {
        let bytes = synthetic::engine_gguf();
        let whole = Engine::load(&bytes, |_, _| {}).unwrap();
        let prompt = whole.tokenizer.encode("hello world", true);
        let want = {
            let mut cache = whole.model.new_cache(32);
            whole.model.forward(&prompt, &mut cache, crate::llm::model::Logits::LastOnly).unwrap()
        };
        for piece in [1, 7, 4096, bytes.len(), bytes.len() - 1] {
            let e = stream_in_pieces(&bytes, piece).unwrap();
            let mut cache = e.model.new_cache(32);
            let got = e.model.forward(&prompt, &mut cache, crate::llm::model::Logits::LastOnly).unwrap();
            assert_eq!(got, want, "pieces of {piece} bytes");
        }
    }

    #[test]
    fn short_long_and_corrupt_streams_are_model_load_errors() {
        let bytes = synthetic::engine_gguf();
        let mut s = GgufStream::new(bytes.len() - 10, WeightLayout::Packed);
        assert!(matches!(s.write(&bytes), Err(Error::ModelLoad(_))));
        let mut s = GgufStream::new(bytes.len(), WeightLayout::Packed);
        s.write(&bytes[..bytes.len() - 10]).unwrap();
        assert!(matches!(s.finish(|_, _| {}), Err(Error::ModelLoad(_))));
        let mut corrupt = bytes.clone();
        corrupt[..4].copy_from_slice(b"GGUX");
        assert!(matches!(stream_in_pieces(&corrupt, 1000), Err(Error::ModelLoad(_))));
        assert!(matches!(stream_in_pieces(&bytes[..100], 7), Err(Error::ModelLoad(_))));
    }
}
