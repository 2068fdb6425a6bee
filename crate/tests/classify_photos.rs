//! EfficientNet-Lite0 through tract-onnx (natively) on real photos, against the numpy
//! reference written by models/convert/efficientnet_lite0.py.

mod common;

use qingyu::vision::{image_input::decode_rgb, ImageClassifier};

#[test]
fn top_class_matches_the_numpy_reference_on_every_photo() {
    let classifier = ImageClassifier::load(
        &common::model_file("efficientnet-lite0.onnx"),
        &common::model_file("imagenet-labels.json"),
    )
    .unwrap();
    let reference: serde_json::Value =
        serde_json::from_slice(&common::model_file("efficientnet-lite0.reference.json")).unwrap();
    for photo in reference["photos"].as_array().unwrap() {
        let name = photo["file"].as_str().unwrap();
        let top5 = classifier.classify(&decode_rgb(&common::photo(name)).unwrap(), 5).unwrap();
        let want: Vec<u64> = photo["top5"].as_array().unwrap().iter().map(|t| t[0].as_u64().unwrap()).collect();
        println!("{name}: {:?}", top5.iter().map(|l| format!("{} {:.3}", l.name, l.score)).collect::<Vec<_>>());
        // Our resize (image's triangle filter) is not byte-identical to PIL's, so only the
        // decision is compared here: same top-1, and most of the top-5 shared.
        assert_eq!(top5[0].id as u64, want[0], "{name}: top-1");
        let shared = top5.iter().filter(|l| want.contains(&(l.id as u64))).count();
        assert!(shared >= 3, "{name}: only {shared} of the reference top-5");
    }
}

#[test]
fn coffee_is_espresso() {
    let classifier = ImageClassifier::load(
        &common::model_file("efficientnet-lite0.onnx"),
        &common::model_file("imagenet-labels.json"),
    )
    .unwrap();
    let top = classifier.classify(&decode_rgb(&common::photo("coffee.png")).unwrap(), 1).unwrap();
    assert!(top[0].name.starts_with("espresso"), "{top:?}");
}
