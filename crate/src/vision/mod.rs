//! Vision: decoding photos and running the ONNX models through tract.
//!
//! - [`image_input`]: encoded bytes or raw RGBA → a bounded RGB working image.
//! - [`caption`]: tags from all three models → one zh/en sentence (+ alt text, timings).
//! - [`classifier`]: EfficientNet-Lite0 ImageNet labels.
//! - [`detector`]: CenterNet COCO-80 objects with boxes.
//! - [`ocr`]: PP-OCRv4 text lines (detect → orient → recognize).
//! - [`concepts`]: the project's bilingual label tables, ImageNet/COCO classes → concepts.
//!
//! Without the `vision` feature (the text-only wasm module) only the plain data is built: the
//! caption types and the concept tables, which the description job reads.

pub mod caption;
pub mod concepts;
#[cfg(feature = "vision")]
pub mod classifier;
#[cfg(feature = "vision")]
pub mod detector;
#[cfg(feature = "vision")]
pub mod image_input;
#[cfg(feature = "vision")]
pub mod labels;
#[cfg(feature = "vision")]
pub mod ocr;
#[cfg(feature = "vision")]
pub mod preprocess;
#[cfg(feature = "vision")]
mod runtime;

#[cfg(feature = "vision")]
pub use classifier::{ImageClassifier, LabelScore};
#[cfg(feature = "vision")]
pub use detector::{Detection, ObjectDetector};
#[cfg(feature = "vision")]
pub use ocr::{TextLine, TextReader};
