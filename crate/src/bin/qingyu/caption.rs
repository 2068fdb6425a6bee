//! `qingyu caption IMG... [--lang zh|en] [--detail brief|full] [--json] [--models DIR]
//! [--gguf PATH] [--write-alt DIR]`: one sentence per image (or one JSON object per line with
//! `--json`, the wasm shape plus `"file"`); `--detail full` has the language model describe
//! each photo in 2–3 checked sentences (JSON: `text` is the description, `brief` the
//! sentence, `description` the details); `--write-alt DIR` writes `DIR/alt.json` (file name →
//! the brief alt text, which suits an `alt` attribute) for every jpg/png/webp/gif in DIR.
//! `--raw` (with `--json`) adds `"raw"`: the classifier's top 20 labels and every detection
//! (score ≥ 0.2, before tagging), with their concept keys, for calibration
//! (eval/photos/calibrate.mjs); it runs the classifier and detector a second time.

use super::flag;
use super::summarize::load_engine;
use qingyu::llm::session::{Engine, Session};
use qingyu::describe::describe;
use qingyu::vision::caption::{Caption, CaptionOptions, Captioner, Detail};
use qingyu::vision::{concepts, image_input};
use std::io::Write;
use std::path::{Path, PathBuf};

/// KV cache for a description: the prompt (~200 tokens) and 120 written tokens fit.
const DESCRIBE_CONTEXT: usize = 1024;

const DEFAULT_MODELS: &str = "models/dist";
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif"];

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Loads every model found in `dir`; a missing set is skipped (captions use what is there).
fn load(dir: &Path) -> Result<Captioner, String> {
    let mut c = Captioner::new();
    let has = |names: &[&str]| names.iter().all(|n| dir.join(n).is_file());
    let (cls, det, ocr) = (
        ["efficientnet-lite0.onnx", "imagenet-labels.json"],
        ["detector.onnx", "coco-labels.json"],
        ["ppocrv4-det.onnx", "ppocrv4-rec.onnx", "ppocr-cls.onnx", "ppocr-keys.txt"],
    );
    if has(&cls) {
        c.load_classifier(&read(dir, cls[0])?, &read(dir, cls[1])?).map_err(|e| e.to_string())?;
    }
    if has(&det) {
        c.load_detector(&read(dir, det[0])?, &read(dir, det[1])?).map_err(|e| e.to_string())?;
    }
    if has(&ocr) {
        c.load_ocr(&read(dir, ocr[0])?, &read(dir, ocr[1])?, &read(dir, ocr[2])?, &read(dir, ocr[3])?)
            .map_err(|e| e.to_string())?;
    }
    if c.classifier.is_none() && c.detector.is_none() && c.reader.is_none() {
        return Err(format!("no vision models in {} (run models/fetch.py)", dir.display()));
    }
    Ok(c)
}

fn caption_file(c: &Captioner, path: &Path, options: &CaptionOptions) -> Result<Caption, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    c.caption_encoded(&bytes, options).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn caption_cmd(args: &[String]) -> Result<(), String> {
    let requested = CaptionOptions::parse(Some(flag(args, "--lang").unwrap_or("zh")), flag(args, "--detail"))
        .map_err(|e| e.to_string())?;
    // The captioner writes the brief sentence; a full description is written from it.
    let options = CaptionOptions { detail: Detail::Brief, ..requested };
    let json = args.iter().any(|a| a == "--json");
    let raw = args.iter().any(|a| a == "--raw");
    let models = PathBuf::from(flag(args, "--models").unwrap_or(DEFAULT_MODELS));
    let write_alt = flag(args, "--write-alt");
    // Positional arguments: everything that is not a flag or a flag's value.
    let with_value = ["--lang", "--detail", "--models", "--gguf", "--write-alt"];
    let mut files: Vec<PathBuf> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if with_value.contains(&args[i].as_str()) {
            i += 2;
            continue;
        }
        if !args[i].starts_with("--") {
            files.push(PathBuf::from(&args[i]));
        }
        i += 1;
    }
    if files.is_empty() && write_alt.is_none() {
        return Err("caption needs IMG... or --write-alt DIR".into());
    }
    let captioner = load(&models)?;
    let mut llm = match requested.detail {
        Detail::Full if !files.is_empty() => {
            let engine = load_engine(args)?;
            let session = Session::new(&engine, DESCRIBE_CONTEXT);
            Some((engine, session))
        }
        _ => None,
    };
    let mut failed = 0;
    for path in &files {
        let streaming = llm.is_some() && !json;
        if streaming {
            print!("{}\t", path.display());
        }
        let result = caption_file(&captioner, path, &options).and_then(|c| {
            let mut v = serde_json::to_value(&c).map_err(|e| e.to_string())?;
            if let Some((engine, session)) = llm.as_mut() {
                describe_into(&c, engine, session, &mut v, !json).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok((c, v))
        });
        match result {
            Ok((_, mut v)) if json => {
                v["file"] = serde_json::Value::String(path.display().to_string());
                if raw {
                    v["raw"] = raw_signals(&captioner, path)?;
                }
                println!("{v}");
            }
            Ok((c, _)) if llm.is_none() => println!("{}\t{}", path.display(), c.text),
            Ok(_) => println!(),
            Err(e) => {
                if streaming {
                    println!();
                }
                eprintln!("qingyu: {e}");
                failed += 1;
            }
        }
    }
    if let Some(dir) = write_alt {
        failed += write_alt_json(&captioner, Path::new(dir), &options)?;
    }
    if failed > 0 {
        return Err(format!("{failed} image(s) could not be captioned"));
    }
    Ok(())
}

/// The models' outputs before tagging (`--raw`): top-20 labels and every detection, each
/// with its English name, concept key and score.
fn raw_signals(c: &Captioner, path: &Path) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rgb = image_input::decode(&bytes).map_err(|e| e.to_string())?;
    let mut labels = Vec::new();
    if let Some(cls) = &c.classifier {
        for l in cls.classify(&rgb, 20).map_err(|e| e.to_string())? {
            if let Some(class) = concepts::imagenet(l.id) {
                labels.push(serde_json::json!({"name": class.en, "concept": class.concept.key,
                    "conceptEn": class.concept.en, "kind": class.concept.kind.as_str(), "score": l.score}));
            }
        }
    }
    let mut detections = Vec::new();
    if let Some(det) = &c.detector {
        for d in det.detect(&rgb).map_err(|e| e.to_string())? {
            if let Some(class) = concepts::coco(d.class) {
                detections.push(serde_json::json!({"name": class.en, "concept": class.concept.key,
                    "conceptEn": class.concept.en, "kind": class.concept.kind.as_str(), "score": d.score, "box": d.bbox}));
            }
        }
    }
    Ok(serde_json::json!({"labels": labels, "detections": detections, "width": rgb.width(), "height": rgb.height()}))
}

/// Writes the description of `caption` into its JSON (`text` ← the description, `brief`,
/// `detail`, `description`), streaming the checked text to stdout when `stream`.
fn describe_into(
    caption: &Caption,
    engine: &Engine,
    session: &mut Session,
    v: &mut serde_json::Value,
    stream: bool,
) -> Result<(), String> {
    let mut out = std::io::stdout();
    let d = describe(caption, caption.language, engine, session, |piece| {
        if stream && !piece.is_empty() {
            let _ = write!(out, "{piece}");
            let _ = out.flush();
        }
        true
    })
    .map_err(|e| e.to_string())?;
    v["brief"] = serde_json::Value::String(caption.text.clone());
    v["text"] = serde_json::Value::String(d.text.clone());
    v["detail"] = serde_json::Value::String("full".into());
    v["description"] = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    Ok(())
}

/// Captions every image in `dir` into `dir/alt.json` (sorted by file name); returns how many
/// failed (those are reported and left out).
fn write_alt_json(c: &Captioner, dir: &Path, options: &CaptionOptions) -> Result<usize, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| IMAGE_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
        })
        .collect();
    paths.sort();
    let mut alt = serde_json::Map::new();
    let mut failed = 0;
    for path in &paths {
        match caption_file(c, path, options) {
            Ok(cap) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                eprintln!("{name}: {}", cap.alt);
                alt.insert(name, serde_json::Value::String(cap.alt));
            }
            Err(e) => {
                eprintln!("qingyu: {e}");
                failed += 1;
            }
        }
    }
    let out = dir.join("alt.json");
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(alt)).map_err(|e| e.to_string())?;
    std::fs::write(&out, text + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} images)", out.display(), paths.len() - failed);
    Ok(failed)
}
