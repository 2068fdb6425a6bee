//! PP-OCRv4 through tract-onnx (natively) on the synthetic sign rendered by
//! models/convert/ppocr.py, against the text in ppocr.reference.json.

mod common;

use qingyu::vision::{image_input::decode, TextLine, TextReader};
use std::time::Instant;

fn reader() -> TextReader {
    let started = Instant::now();
    let reader = TextReader::load(
        &common::model_file("ppocrv4-det.onnx"),
        &common::model_file("ppocrv4-rec.onnx"),
        &common::model_file("ppocr-cls.onnx"),
        &common::model_file("ppocr-keys.txt"),
    )
    .unwrap();
    println!("OCR plans built in {:?}", started.elapsed());
    reader
}

fn reference_lines() -> Vec<serde_json::Value> {
    let reference: serde_json::Value =
        serde_json::from_slice(&common::model_file("ppocr.reference.json")).unwrap();
    reference["examples"]["synthetic"]["lines"].as_array().unwrap().clone()
}

fn read(reader: &TextReader, image: &image::RgbImage, what: &str) -> Vec<TextLine> {
    let started = Instant::now();
    let lines = reader.read(image).unwrap();
    println!("{what}: read in {:?}", started.elapsed());
    for line in &lines {
        println!("  {:?} {:.3} {:?}", line.text, line.score, line.bbox);
    }
    lines
}

/// Spaces are not compared: PP-OCRv4 rarely emits the space class between CJK and Latin.
fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn synthetic_sign_reads_the_reference_text_upright_and_upside_down() {
    let reader = reader();
    let image = decode(&common::model_file("ppocr-synthetic.png")).unwrap();
    let (w, h) = (image.width() as f32, image.height() as f32);
    let want = reference_lines();

    let upright = read(&reader, &image, "upright");
    assert_eq!(upright.len(), want.len(), "{upright:?}");
    for (got, want) in upright.iter().zip(&want) {
        assert_eq!(without_spaces(&got.text), without_spaces(want["decoded"].as_str().unwrap()));
        assert!(got.score > 0.9, "{got:?}");
        // The reference boxes are axis-aligned approximations of the same DB rules.
        let ref_box: Vec<f32> = want["det_box_xyxy"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let [tl, _, br, _] = got.bbox;
        for (g, r) in [tl[0], tl[1], br[0], br[1]].iter().zip(&ref_box) {
            assert!((g - r).abs() <= 4.0, "box {:?} vs {ref_box:?}", got.bbox);
        }
    }

    let turned = image::imageops::rotate180(&image);
    let upside_down = read(&reader, &turned, "rotated 180°");
    assert_eq!(upside_down.len(), want.len(), "{upside_down:?}");
    // Upside down, the last line comes first.
    for (got, want) in upside_down.iter().zip(want.iter().rev()) {
        assert_eq!(without_spaces(&got.text), without_spaces(want["decoded"].as_str().unwrap()));
        let [tl, _, br, _] = got.bbox;
        assert!(tl[0] >= 0.0 && br[0] <= w && tl[1] >= 0.0 && br[1] <= h);
    }
}

#[test]
fn a_photo_without_text_reads_nothing_or_little() {
    let reader = reader();
    let lines = read(&reader, &decode(&common::photo("coffee.png")).unwrap(), "coffee.png");
    assert!(lines.len() <= 2, "{lines:?}");
}

#[test]
fn tiny_and_strip_shaped_images_read_without_errors() {
    let reader = reader();
    let white = |w, h| image::RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
    for (w, h) in [(1, 1), (2048, 3), (5, 2000)] {
        let lines = read(&reader, &white(w, h), &format!("blank {w}x{h}"));
        assert!(lines.is_empty(), "{w}x{h}: {lines:?}");
    }
}

#[test]
fn sign_turned_90_degrees_either_way_reads_as_vertical_lines() {
    let reader = reader();
    let image = decode(&common::model_file("ppocr-synthetic.png")).unwrap();
    let mut want: Vec<String> = reference_lines().iter().map(|l| without_spaces(l["decoded"].as_str().unwrap())).collect();
    want.sort();
    for (what, turned) in [("90° clockwise", image::imageops::rotate90(&image)), ("90° counter-clockwise", image::imageops::rotate270(&image))] {
        let mut got: Vec<String> = read(&reader, &turned, what).iter().map(|l| without_spaces(&l.text)).collect();
        got.sort();
        assert_eq!(got, want, "{what}");
    }
}
