//! Vision: decoding photos and running the ONNX models through tract.
//!
//! - [`image_input`]: encoded bytes or raw RGBA → a bounded RGB working image.
//! - [`caption`]: tags from all three models → one zh/en sentence (+ alt text, timings).
//! - [`classifier`]: EfficientNet-Lite0 ImageNet labels.
//! - [`detector`]: CenterNet COCO-80 objects with boxes.
//! - [`ocr`]: PP-OCRv4 text lines (detect → orient → recognize).
//! - [`concepts`]: the project's bilingual label tables, ImageNet/COCO classes → concepts.

pub mod caption;
pub mod classifier;
pub mod concepts;
pub mod detector;
pub mod image_input;
pub mod labels;
pub mod ocr;
pub mod preprocess;
mod runtime;

pub use classifier::{ImageClassifier, LabelScore};
pub use detector::{Detection, ObjectDetector};
pub use ocr::{TextLine, TextReader};
