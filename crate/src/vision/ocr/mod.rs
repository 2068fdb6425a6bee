//! PP-OCRv4 text reading (placeholder while the pipeline is written).

pub struct TextReader;
pub struct TextLine;
