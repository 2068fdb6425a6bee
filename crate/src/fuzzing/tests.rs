//! The fuzz regression replay: every committed seed and every crash input, through the same
//! entry points the fuzzers run. `QINGYU_WRITE_SEEDS=1 cargo test -p qingyu --lib fuzzing`
//! rewrites the generated seeds.

use super::*;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file of `corpus/<target>` and `regressions/<target>`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else { continue };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file() && !p.ends_with(".gitkeep")));
    }
    files.sort();
    files
}

fn replay(target: &str) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no seeds for fuzz target {target} under {}", fuzz_dir().display());
    let failing: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            std::panic::catch_unwind(|| assert!(run(target, &data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(failing.is_empty(), "fuzz target {target} panics on {failing:#?}");
}

#[test]
fn replay_gguf() {
    replay("gguf");
}

#[test]
fn replay_tokenizer() {
    replay("tokenizer");
    // The synthetic tokenizer too when fuzz_tokenizer() is the real one (and vice versa it is
    // the same one): the seeds must round-trip through both.
    let synthetic = synthetic::tokenizer().unwrap();
    for path in inputs("tokenizer") {
        tokenizer_round_trip(&synthetic, &std::fs::read(path).unwrap());
    }
}

#[test]
fn replay_text() {
    replay("text");
}

#[test]
fn replay_image() {
    replay("image");
}

#[test]
fn replay_ocr() {
    replay("ocr");
}

#[test]
fn replay_options() {
    replay("options");
}

#[test]
fn every_target_has_a_fuzz_target_file_and_seeds() {
    for target in TARGETS {
        assert!(fuzz_dir().join("fuzz_targets").join(format!("{target}.rs")).is_file(), "{target}");
        assert!(!inputs(target).is_empty(), "{target}");
    }
    assert!(!run("nope", b""));
}

#[test]
fn synthetic_files_load() {
    let t = synthetic::tokenizer().unwrap();
    assert_eq!(t.encode(" the你好ing", false).len(), 3);
    let bytes = synthetic::tiny_model_gguf();
    let g = Gguf::parse(&bytes).unwrap();
    let model = Qwen2Model::load(&g, |_, _| {}).unwrap();
    let mut cache = model.new_cache(2);
    let logits = model.forward(&[3], &mut cache, Logits::LastOnly).unwrap();
    assert!(logits.len() == 8 && logits.iter().all(|v| v.is_finite()));
}

/// The generated seeds match what is committed (rewritten with `QINGYU_WRITE_SEEDS=1`).
#[test]
fn generated_seeds_are_current() {
    let generated: [(&str, &str, Vec<u8>); 9] = [
        ("gguf", "tiny-qwen2.gguf", synthetic::tiny_model_gguf()),
        // Found by reading while fuzzing: a model of width 0 loaded (every tensor empty), and
        // its 2^40-token vocabulary then asked for 4 TB of logits.
        ("../regressions/gguf", "zero-width-model-huge-vocab", synthetic::model_gguf(0, 0, 0, 1 << 40)),
        ("gguf", "tokenizer.gguf", synthetic::tokenizer_gguf()),
        ("image", "tiny.png", encoded(image::ImageFormat::Png, true)),
        ("image", "tiny.jpg", encoded(image::ImageFormat::Jpeg, false)),
        ("image", "tiny-exif-rotated.jpg", with_exif_orientation(&encoded(image::ImageFormat::Jpeg, false), 6)),
        ("image", "tiny.gif", encoded(image::ImageFormat::Gif, true)),
        ("image", "tiny.webp", encoded(image::ImageFormat::WebP, true)),
        ("image", "raw-rgba-2x2", [&[2u8, 0, 2, 0][..], &[255; 16]].concat()),
    ];
    for (target, name, bytes) in generated {
        let path = fuzz_dir().join("corpus").join(target).join(name);
        if std::env::var_os("QINGYU_WRITE_SEEDS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&bytes[..]), "{} is stale: rerun with QINGYU_WRITE_SEEDS=1", path.display());
    }
}

/// A 5×3 gradient in `format`, with a transparent column when `alpha`.
fn encoded(format: image::ImageFormat, alpha: bool) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(5, 3, |x, y| image::Rgba([(x * 50) as u8, (y * 80) as u8, 128, if x == 0 { 0 } else { 255 }]));
    let img = if alpha { image::DynamicImage::ImageRgba8(img) } else { image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(img).to_rgb8()) };
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), format).unwrap();
    bytes
}

/// `jpeg` with an EXIF APP1 segment right after SOI holding only the orientation tag.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes()); // IFD0 offset
    tiff.extend(1u16.to_le_bytes()); // one entry
    tiff.extend(0x0112u16.to_le_bytes()); // Orientation
    tiff.extend(3u16.to_le_bytes()); // SHORT
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0u32.to_le_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// `QINGYU_FUZZ_TIME=<target>:<dir>[,…]`: times every input of a (grown) corpus natively, no
/// sanitizer, and prints the slowest (`./qy fuzz` runs this after fuzzing).
#[test]
#[ignore]
fn slowest_inputs() {
    let Ok(spec) = std::env::var("QINGYU_FUZZ_TIME") else { return };
    for item in spec.split(',').filter(|s| !s.is_empty()) {
        let (target, dir) = item.split_once(':').expect("target:dir");
        let mut times: Vec<(f64, usize, PathBuf)> = Vec::new();
        let paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        // One untimed input first: loading the tokenizer or jieba's dictionary is not an input's cost.
        if let Some(first) = paths.first() {
            run(target, &std::fs::read(first).unwrap());
        }
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let t0 = std::time::Instant::now();
            assert!(run(target, &data));
            times.push((t0.elapsed().as_secs_f64() * 1e3, data.len(), path));
        }
        times.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total: f64 = times.iter().map(|t| t.0).sum();
        println!("[fuzz] {target}: {} inputs in {total:.0} ms; slowest:", times.len());
        for (ms, len, path) in times.iter().take(3) {
            println!("  {ms:8.1} ms  {len:6} B  {}", path.display());
        }
    }
}
