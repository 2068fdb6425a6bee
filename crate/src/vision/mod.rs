//! Vision: decoding photos and running the ONNX models through tract.

pub mod classifier;
pub mod concepts;
pub mod image_input;
pub mod labels;
pub mod preprocess;

pub use classifier::{ImageClassifier, LabelScore};
