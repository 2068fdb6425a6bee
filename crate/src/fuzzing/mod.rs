//! Fuzz entry points: one function per parser, taking arbitrary bytes. None may panic, hang or
//! allocate without bound on any input; bad input is a typed `Error` (which is ignored here),
//! and a few invariants of good results are asserted.
//!
//! `crate/fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) call these one-liners, and the tests at
//! the bottom replay every committed seed (`crate/fuzz/corpus/<target>/`) and every crash the
//! fuzzers ever found (`crate/fuzz/regressions/<target>/`) through the same functions on
//! stable `cargo test`.

pub mod synthetic;

use crate::gguf::Gguf;
use crate::llm::stream_load::GgufStream;
use crate::llm::{Logits, Qwen2Model};
use crate::summarize::{self, Length, SummaryJob, SummaryOptions};
use crate::tokenizer::Tokenizer;
use crate::vision::caption::CaptionOptions;
use crate::vision::image_input::{self, MAX_WORKING_SIDE};
use crate::vision::ocr::ctc::{greedy_decode, CharacterKeys};
use crate::vision::ocr::db::{boxes_from_map, tidy_boxes, DbParams};

/// Every fuzz target, by its name under `crate/fuzz/fuzz_targets/`.
pub const TARGETS: &[&str] = &["gguf", "tokenizer", "text", "image", "ocr", "options"];

/// Runs `target` on `data` (the tokenizer target with [`tokenizer`]); false for an unknown name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "gguf" => gguf(data),
        "tokenizer" => tokenizer_round_trip(fuzz_tokenizer(), data),
        "text" => text(data),
        "image" => image(data),
        "ocr" => ocr(data),
        "options" => options(data),
        _ => return false,
    }
    true
}

/// GGUF bytes → header, metadata, tensor table; then, when they parse, the tokenizer and the
/// Qwen2 model they describe, and one forward step of a (small) model. The same bytes also go
/// through the streaming loader (the browser's path) in odd-sized pieces.
pub fn gguf(data: &[u8]) {
    let mut stream = GgufStream::new(data.len(), crate::llm::weights::WeightLayout::Packed);
    let streamed = data.chunks(1 + data.len() % 97).try_for_each(|c| stream.write(c)).and_then(|_| stream.finish(|_, _| {}));
    let Ok(g) = Gguf::parse(data) else {
        assert!(streamed.is_err(), "the stream loaded a file the whole-file parser rejects");
        return;
    };
    assert!(matches!(g.version, 2 | 3));
    for t in &g.tensors {
        assert_eq!(g.data(t).len(), t.len, "tensor {}", t.name);
        assert!(g.tensor(&t.name).is_some());
    }
    for (key, value) in &g.metadata {
        let _ = (value.as_u64(), value.as_f32(), value.as_str(), value.as_array());
        let _ = (g.get_u64(key), g.get_f32(key), g.get_str(key));
    }
    if let Ok(t) = Tokenizer::from_gguf(&g) {
        let ids = t.encode("The 你好 <|im_start|>ing</s>\n", true);
        assert!(ids.iter().all(|&id| (id as usize) < t.vocab_size()));
        let _ = t.decode(&ids);
    }
    if let Ok(model) = Qwen2Model::load(&g, |_, _| {}) {
        // The weights are bounded by the file; a step costs about one pass over them.
        if model.weight_bytes() <= 1 << 20 && model.config.n_layer <= 8 {
            let mut cache = model.new_cache(2);
            if let Ok(logits) = model.forward(&[0], &mut cache, Logits::LastOnly) {
                assert_eq!(logits.len(), model.config.vocab);
            }
        }
    }
}

/// The tokenizer the tokenizer target uses: the real Qwen2 one from `QINGYU_FUZZ_GGUF` or
/// `models/dist` when the file is there, else [`synthetic::tokenizer`]. Loaded once.
pub fn fuzz_tokenizer() -> &'static Tokenizer {
    static TOKENIZER: std::sync::OnceLock<Tokenizer> = std::sync::OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let path = std::env::var_os("QINGYU_FUZZ_GGUF").map(std::path::PathBuf::from).unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf")
        });
        match std::fs::read(&path) {
            Ok(bytes) => Tokenizer::from_gguf(&Gguf::parse(&bytes).expect("model GGUF parses")).expect("model tokenizer loads"),
            Err(_) => synthetic::tokenizer().expect("synthetic tokenizer loads"),
        }
    })
}

/// First byte: flags (bit 0: parse special tokens); the rest is text (lossy UTF-8).
/// encode → decode must give the text back, in one piece and streamed token by token; any ids
/// (the bytes as u32s, most outside the vocabulary) must decode without panicking.
pub fn tokenizer_round_trip(t: &Tokenizer, data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let ids = t.encode(&text, flags & 1 != 0);
    assert!(ids.iter().all(|&id| (id as usize) < t.vocab_size()), "id outside the vocabulary");
    assert_eq!(t.decode(&ids), text, "decode(encode(text)) differs from the text");
    let mut stream = t.stream_decoder();
    let mut streamed: String = ids.iter().map(|&id| stream.push(id)).collect();
    streamed.push_str(&stream.finish());
    assert_eq!(streamed, text, "streamed decode differs from the text");

    let arbitrary: Vec<u32> = rest.chunks(4).map(|c| c.iter().fold(0u32, |acc, &b| acc << 8 | b as u32) % (t.vocab_size() as u32 + 16)).collect();
    let decoded = t.decode(&arbitrary);
    let mut stream = t.stream_decoder();
    let mut streamed: String = arbitrary.iter().map(|&id| stream.push(id)).collect();
    streamed.push_str(&stream.finish());
    assert_eq!(streamed, decoded, "streamed decode of arbitrary ids differs");
}

/// Text (lossy UTF-8) → `prepare` and the extractive key points at every length, the whole
/// summary without a model, and (after a NUL) the guard and post-processing replayed on the
/// bytes after it as if the LLM had written them.
pub fn text(data: &[u8]) {
    let (flags, rest) = data.split_first().map_or((0, data), |(&f, r)| (f, r));
    let input = String::from_utf8_lossy(rest);
    let (article, model_output) = match input.split_once('\0') {
        Some((a, m)) => (a, Some(m)),
        None => (&*input, None),
    };
    let Ok(prepared) = summarize::prepare(article) else { return };
    assert!(!prepared.sentences.is_empty() && !prepared.text.is_empty());
    for length in [Length::Short, Length::Medium, Length::Long] {
        let points = summarize::extract(&prepared, length.key_points());
        assert!(points.len() <= length.key_points());
        assert!(points.iter().all(|p| prepared.sentences.contains(p)), "a key point is not a source sentence");
    }
    let length = [Length::Short, Length::Medium, Length::Long][flags as usize % 3];
    let kp = summarize::key_points(article, length).expect("prepared text has key points");
    let _ = summarize::format_points(&kp.points, summarize::Format::PlainText);
    summarize::summarize(article, SummaryOptions::default(), None, |_| true).expect("extractive summary of prepared text");
    if let Some(output) = model_output {
        let kind = ["key-points", "tldr", "teaser", "headline"][(flags >> 2) as usize % 4];
        let language = [None, Some("zh"), Some("en")][(flags >> 4) as usize % 3];
        let format = ["markdown", "plain-text"][(flags >> 6) as usize % 2];
        let mut options = SummaryOptions::parse(Some(kind), Some(length_name(length)), Some(format), language).unwrap();
        options.rephrase = flags & 2 != 0;
        let _ = SummaryJob::replay(article, options, output, 1 + (flags as usize % 7));
    }
}

/// Loads what the first summary would (jieba's dictionary, stop words, …: seconds under a
/// sanitizer), so the per-input timeout measures inputs, not the one-time set-up.
pub fn text_warm_up() {
    text("\0北京时间3月5日，国务院总理李强在人民大会堂作报告。The council voted 7-2 on Tuesday. Mayor Jane Smith agreed.\0李强说GDP增长5%。".as_bytes());
}

fn length_name(l: Length) -> &'static str {
    match l {
        Length::Short => "short",
        Length::Medium => "medium",
        Length::Long => "long",
    }
}

/// Encoded image bytes (PNG / JPEG / WebP / GIF / anything) → the working image; and the same
/// bytes as raw RGBA pixels of a width and height taken from the first 4 bytes.
pub fn image(data: &[u8]) {
    if let Ok(rgb) = image_input::decode(data) {
        let (w, h) = rgb.dimensions();
        assert!(w > 0 && h > 0 && w <= MAX_WORKING_SIDE && h <= MAX_WORKING_SIDE, "{w}×{h}");
    }
    if data.len() >= 4 {
        let w = u16::from_le_bytes([data[0], data[1]]) as u32;
        let h = u16::from_le_bytes([data[2], data[3]]) as u32;
        if let Ok(rgb) = image_input::from_rgba(w, h, &data[4..]) {
            assert!(rgb.width() <= MAX_WORKING_SIDE && rgb.height() <= MAX_WORKING_SIDE);
        }
    }
}

/// A little-endian cursor over fuzz bytes that yields zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn f32(&mut self) -> f32 {
        f32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

/// OCR post-processing on random model outputs. Header: mode, map width and height (1..=64),
/// image width and height (u16), then DB thresholds; the rest fills the probability map
/// (bytes / 255, or raw f32 bits including NaN and ∞ in raw mode). The same bytes then drive
/// greedy CTC decoding with 1..=16 classes, and parse as a character list.
pub fn ocr(data: &[u8]) {
    let mut r = Bytes(data);
    let mode = r.u8();
    let raw = mode & 1 != 0;
    let (map_w, map_h) = (1 + r.u8() as usize % 64, 1 + r.u8() as usize % 64);
    let (dest_w, dest_h) = (r.u16() as u32, r.u16() as u32);
    let params = if mode & 2 != 0 {
        DbParams {
            thresh: r.u8() as f32 / 255.0,
            box_thresh: r.u8() as f32 / 255.0,
            max_candidates: r.u8() as usize,
            unclip_ratio: r.u8() as f32 / 32.0,
            min_size: r.u8() as f32 / 16.0,
        }
    } else {
        DbParams::RAPIDOCR
    };
    let rest = r.0;
    let prob: Vec<f32> = (0..map_w * map_h).map(|_| if raw { r.f32() } else { r.u8() as f32 / 255.0 }).collect();
    let boxes = boxes_from_map(&prob, map_w, map_h, dest_w, dest_h, &params);
    for b in &boxes {
        for [x, y] in b.points {
            assert!((0.0..=dest_w as f32).contains(&x) && (0.0..=dest_h as f32).contains(&y), "box corner outside the image: {b:?}");
        }
    }
    let _ = tidy_boxes(boxes, dest_w, dest_h);

    let keys = CharacterKeys::parse("a\nb\n中\n \n".as_bytes()).unwrap();
    let classes = 1 + mode as usize % 16;
    let mut r = Bytes(rest);
    let probs: Vec<f32> = (0..rest.len() / if raw { 4 } else { 1 }).map(|_| if raw { r.f32() } else { r.u8() as f32 / 255.0 }).collect();
    let decoded = greedy_decode(&probs, classes, &keys);
    assert!(decoded.class_ids.iter().all(|&c| c > 0 && c < classes));
    if let Ok(keys) = CharacterKeys::parse(rest) {
        let _ = greedy_decode(&probs, keys.num_classes(), &keys);
    }
}

/// Options JSON (lossy UTF-8) → summary options and caption options.
pub fn options(data: &[u8]) {
    let json = String::from_utf8_lossy(data);
    if let Ok(o) = SummaryOptions::from_json(&json) {
        assert!(o.context.as_ref().is_none_or(|c| !c.is_empty() && c.chars().count() <= summarize::options::MAX_CONTEXT_CHARS));
    }
    let _ = CaptionOptions::from_json(&json);
    let mut parts = json.split('\u{1f}');
    let mut next = || parts.next();
    let _ = SummaryOptions::parse(next(), next(), next(), next());
    let _ = CaptionOptions::parse(next(), next());
}

#[cfg(test)]
mod tests;
