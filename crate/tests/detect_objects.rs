//! CenterNet through tract-onnx (natively) on the reference photos, against the detections
//! written by models/convert/tfjs_detector.py (detector.reference.json).

mod common;

use qingyu::vision::{image_input::decode, ObjectDetector};
use std::time::Instant;

#[test]
fn detections_match_the_reference_on_every_photo() {
    let started = Instant::now();
    let detector =
        ObjectDetector::load(&common::model_file("detector.onnx"), &common::model_file("coco-labels.json")).unwrap();
    println!("detector plan built in {:?}", started.elapsed());
    let reference: serde_json::Value =
        serde_json::from_slice(&common::model_file("detector.reference.json")).unwrap();
    for photo in reference["photos"].as_array().unwrap() {
        let name = photo["file"].as_str().unwrap();
        let rgb = decode(&common::photo(name)).unwrap();
        let started = Instant::now();
        let found = detector.detect(&rgb).unwrap();
        println!("{name}: {:?} in {:?}", found, started.elapsed());
        let want = photo["detections"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{name}: {found:?}");
        for (got, want) in found.iter().zip(want) {
            assert_eq!(got.class as u64, want["class"].as_u64().unwrap(), "{name}");
            assert_eq!(got.name, want["label"].as_str().unwrap(), "{name}");
            // The reference rounds scores to 4 decimals and boxes to 0.1 px.
            let score = want["score"].as_f64().unwrap() as f32;
            assert!((got.score - score).abs() < 1e-3, "{name}: score {} vs {score}", got.score);
            for (g, w) in got.bbox.iter().zip(want["box_xyxy"].as_array().unwrap()) {
                let w = w.as_f64().unwrap() as f32;
                assert!((g - w).abs() < 1.0, "{name}: box {:?} vs {}", got.bbox, want["box_xyxy"]);
            }
        }
    }
}
