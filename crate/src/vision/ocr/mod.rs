//! Reading text in photos with PaddleOCR's PP-OCRv4 models on tract, following
//! rapidocr-onnxruntime 1.4.4 (parameters in `models/dist/ppocr.reference.json`; the detector
//! input size follows PaddleOCR's own rule instead, see `DET_MAX_SIDE`):
//! find text boxes (DB detector) → cut each out upright → turn lines that read upside down
//! (angle classifier) → recognize characters (CTC recognizer).

pub mod ctc;
pub mod db;
pub mod geometry;
pub mod pixels;

use super::runtime::Plan;
use crate::{Error, Result};
use ctc::{greedy_decode, CharacterKeys};
use db::{boxes_from_map, tidy_boxes, DbParams, TextBox};
use geometry::{distance, Point};
use image::{imageops, RgbImage};
use pixels::{det_tensor, line_tensor, resize_linear, warp_quad};
use serde::Serialize;

/// One line of text found in the image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    pub text: String,
    /// Recognizer confidence, 0..1 (lines under 0.5 are not returned).
    pub score: f32,
    /// Corners top-left, top-right, bottom-right, bottom-left, in pixels of the image given
    /// to [`TextReader::read`].
    pub bbox: [[f32; 2]; 4],
}

/// rapidocr 1.4.4's global and per-model settings (config.yaml and its code).
mod settings {
    /// Images are scaled so their longer side ≤ this, and their shorter side ≥ MIN_SIDE.
    pub const MAX_SIDE: u32 = 2000;
    pub const MIN_SIDE: u32 = 30;
    /// Thin images (h ≤ MIN_HEIGHT or w/h > WIDTH_HEIGHT_RATIO) get black bands above and below.
    pub const MIN_HEIGHT: u32 = 30;
    pub const WIDTH_HEIGHT_RATIO: u32 = 8;
    /// The detector input's longer side is scaled down to this, never up. rapidocr 1.4.4
    /// instead scales the *shorter* side up to 736 and PaddleOCR's document default caps the
    /// longer side at 960; a caption quotes only prominent text, and at 640 the detector
    /// (most of a caption's time) sees 4–7× fewer pixels than rapidocr's rule on photos while
    /// the eval signs still read with 0 % CER (`./qy bench caption`).
    pub const DET_MAX_SIDE: u32 = 640;
    pub const DET_MEAN: [f32; 3] = [0.5, 0.5, 0.5];
    pub const DET_STD: [f32; 3] = [0.5, 0.5, 0.5];
    /// Angle classifier input and the confidence needed to turn a line by 180°.
    pub const CLS_HEIGHT: u32 = 48;
    pub const CLS_WIDTH: u32 = 192;
    pub const CLS_THRESH: f32 = 0.9;
    /// Recognizer input height and minimum width. rapidocr pads every line to at least 320;
    /// 160 halves the cost of a short word (the padding is zeros either way) and reads the
    /// eval signs and photo text the same.
    pub const REC_HEIGHT: u32 = 48;
    pub const REC_MIN_WIDTH: u32 = 160;
    /// Concrete plans kept per input size (see `vision::runtime`): detector inputs follow the
    /// photo's aspect ratio, recognizer inputs are bucketed widths (see `rec_input_width`).
    pub const DET_PLANS_KEPT: usize = 3;
    pub const REC_PLANS_KEPT: usize = 8;
    /// Lines read with less confidence are dropped.
    pub const TEXT_SCORE: f32 = 0.5;
    /// Crops at least this much taller than wide are vertical text: turned 90° to read.
    pub const VERTICAL_RATIO: f32 = 1.5;
}
use settings::*;

/// The three PP-OCR models plus the recognizer's character list; plans are built once.
pub struct TextReader {
    det: Plan,
    cls: Plan,
    rec: Plan,
    keys: CharacterKeys,
}

impl TextReader {
    /// `det`, `rec`, `cls`: the bytes of `ppocrv4-det.onnx`, `ppocrv4-rec.onnx`,
    /// `ppocr-cls.onnx`; `keys_txt`: `ppocr-keys.txt`.
    pub fn load(det: &[u8], rec: &[u8], cls: &[u8], keys_txt: &[u8]) -> Result<Self> {
        Ok(Self {
            // Detector input sides are multiples of 32 (see det_input_size).
            det: Plan::load(det, "PP-OCRv4 text detector", &["1", "3", "32*h", "32*w"], DET_PLANS_KEPT)?,
            rec: Plan::load_widening_shape_casts(rec, "PP-OCRv4 text recognizer", &["1", "3", "48", "w"], REC_PLANS_KEPT)?,
            cls: Plan::load(cls, "PP-OCR angle classifier", &["1", "3", "48", "192"], 1)?,
            keys: CharacterKeys::parse(keys_txt)?,
        })
    }

    /// All text lines in the image, top to bottom, left to right.
    pub fn read(&self, rgb: &RgbImage) -> Result<Vec<TextLine>> {
        let (raw_w, raw_h) = rgb.dimensions();
        if raw_w == 0 || raw_h == 0 {
            return Err(Error::InvalidInput("the image has no pixels".into()));
        }
        let scaled = fit_side_limits(rgb);
        let (work, pad_top) = pad_thin_image(&scaled);
        let ratio_w = raw_w as f32 / scaled.width() as f32;
        let ratio_h = raw_h as f32 / scaled.height() as f32;

        let mut lines = Vec::new();
        for text_box in self.find_text_boxes(&work)? {
            let mut crop = cut_out(&work, &text_box.points);
            if self.reads_upside_down(&crop)? {
                imageops::rotate180_in_place(&mut crop);
            }
            let decoded = self.recognize(&crop)?;
            if decoded.score < TEXT_SCORE {
                continue;
            }
            let bbox = text_box.points.map(|[x, y]| {
                [(x * ratio_w).clamp(0.0, raw_w as f32), ((y - pad_top as f32) * ratio_h).clamp(0.0, raw_h as f32)]
            });
            lines.push(TextLine { text: decoded.text, score: decoded.score, bbox });
        }
        Ok(lines)
    }

    /// DB detector at its input size → boxes in `image` pixels, in reading order.
    fn find_text_boxes(&self, image: &RgbImage) -> Result<Vec<TextBox>> {
        let (w, h) = det_input_size(image.width(), image.height());
        let input = det_tensor(&resize_linear(image, w, h), DET_MEAN, DET_STD);
        let (w, h) = (w as usize, h as usize);
        let outputs = self.det.run(&[1, 3, h, w], input)?;
        let prob = outputs
            .first()
            .filter(|o| o.data.len() == w * h)
            .ok_or_else(|| Error::ModelLoad(format!("text detector did not return a {w}×{h} map")))?;
        let boxes = boxes_from_map(&prob.data, w, h, image.width(), image.height(), &DbParams::RAPIDOCR);
        Ok(tidy_boxes(boxes, image.width(), image.height()))
    }

    /// The angle classifier says "180" with more than CLS_THRESH confidence.
    fn reads_upside_down(&self, crop: &RgbImage) -> Result<bool> {
        let input = line_tensor(crop, CLS_HEIGHT, CLS_WIDTH);
        let outputs = self.cls.run(&[1, 3, CLS_HEIGHT as usize, CLS_WIDTH as usize], input)?;
        match outputs.first().map(|o| o.data.as_slice()) {
            Some(&[upright, turned]) => Ok(turned > upright && turned > CLS_THRESH),
            _ => Err(Error::ModelLoad("angle classifier did not return 2 scores".into())),
        }
    }

    fn recognize(&self, crop: &RgbImage) -> Result<ctc::Decoded> {
        let width = rec_input_width(crop.width(), crop.height());
        let input = line_tensor(crop, REC_HEIGHT, width);
        let outputs = self.rec.run(&[1, 3, REC_HEIGHT as usize, width as usize], input)?;
        let classes = self.keys.num_classes();
        let probs = outputs
            .first()
            .filter(|o| o.shape.len() == 3 && o.shape[2] == classes)
            .ok_or_else(|| {
                Error::ModelLoad(format!("text recognizer output is not [1, T, {classes}] (character list mismatch?)"))
            })?;
        Ok(greedy_decode(&probs.data, classes, &self.keys))
    }
}

/// Recognizer input width: rapidocr's `int(48 · max(min/48, w/h))`, rounded up to a bucket
/// (multiples of 80 to 640, of 160 to 1280, then of 320) so that few concrete plans serve
/// all line lengths. The extra columns are zero padding, as in rapidocr's batches.
fn rec_input_width(crop_w: u32, crop_h: u32) -> u32 {
    let aspect = crop_w as f32 / crop_h.max(1) as f32;
    let width = (REC_HEIGHT as f32 * aspect.max(REC_MIN_WIDTH as f32 / REC_HEIGHT as f32)) as u32;
    let step = match width {
        0..=640 => 80,
        641..=1280 => 160,
        _ => 320,
    };
    width.div_ceil(step) * step
}

/// Python's `round(v / 32) * 32` (ties to even), at least 32.
fn round_to_32(v: u32) -> u32 {
    ((v as f64 / 32.0).round_ties_even() as u32 * 32).max(32)
}

/// Global size rules: longer side ≤ MAX_SIDE, then shorter side ≥ MIN_SIDE, each scaled side
/// truncated then rounded to a multiple of 32.
fn fit_side_limits(rgb: &RgbImage) -> RgbImage {
    let mut image = rgb.clone();
    for (limit, too_far) in [(MAX_SIDE, true), (MIN_SIDE, false)] {
        let (w, h) = image.dimensions();
        let side = if too_far { w.max(h) } else { w.min(h) };
        if (too_far && side > limit) || (!too_far && side < limit) {
            let ratio = limit as f64 / side as f64;
            let (nw, nh) = (round_to_32((w as f64 * ratio) as u32), round_to_32((h as f64 * ratio) as u32));
            image = resize_linear(&image, nw, nh);
        }
    }
    image
}

/// Black bands above and below very flat images so the detector sees a sensible aspect.
/// Returns the padded image and the band height.
fn pad_thin_image(image: &RgbImage) -> (RgbImage, u32) {
    let (w, h) = image.dimensions();
    let flat = h <= MIN_HEIGHT || w as f32 / h as f32 > WIDTH_HEIGHT_RATIO as f32;
    if !flat {
        return (image.clone(), 0);
    }
    let new_h = (w / WIDTH_HEIGHT_RATIO).max(MIN_HEIGHT) * 2;
    let pad = new_h.abs_diff(h) / 2;
    let mut padded = RgbImage::new(w, h + 2 * pad);
    imageops::replace(&mut padded, image, 0, pad as i64);
    (padded, pad)
}

/// Detector input size: longer side scaled down to DET_MAX_SIDE if above it, both sides
/// truncated, then rounded to multiples of 32.
fn det_input_size(w: u32, h: u32) -> (u32, u32) {
    let long = w.max(h);
    let ratio = if long > DET_MAX_SIDE { DET_MAX_SIDE as f64 / long as f64 } else { 1.0 };
    (round_to_32((w as f64 * ratio) as u32), round_to_32((h as f64 * ratio) as u32))
}

/// The text box cut out upright (size from its longest edges); tall crops are vertical text
/// and are turned 90° counter-clockwise so the recognizer reads them as a line.
fn cut_out(image: &RgbImage, quad: &[Point; 4]) -> RgbImage {
    let width = distance(quad[0], quad[1]).max(distance(quad[2], quad[3])) as u32;
    let height = distance(quad[0], quad[3]).max(distance(quad[1], quad[2])) as u32;
    let crop = warp_quad(image, quad, width.max(1), height.max(1));
    if crop.height() as f32 / crop.width() as f32 >= VERTICAL_RATIO {
        imageops::rotate270(&crop)
    } else {
        crop
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn det_input_follows_the_max_side_rule() {
        assert_eq!(det_input_size(640, 480), (640, 480));
        assert_eq!(det_input_size(600, 400), (608, 384), "small images are not scaled up (12.5 → 12: ties to even)");
        assert_eq!(det_input_size(800, 520), (640, 416)); // the eval signs
        assert_eq!(det_input_size(2000, 1500), (640, 480));
        assert_eq!(det_input_size(32, 1984), (32, 640));
        assert_eq!(det_input_size(10, 10), (32, 32));
    }

    #[test]
    fn rec_widths_fall_into_buckets() {
        assert_eq!(rec_input_width(100, 48), 160, "short words run at the minimum width");
        assert_eq!(rec_input_width(173, 72), 160); // "github" on the mug: int(48·2.4) = 115
        assert_eq!(rec_input_width(351, 45), 400); // int(48·7.8) = 374
        assert_eq!(rec_input_width(900, 48), 960);
        assert_eq!(rec_input_width(3000, 48), 3200);
    }

    #[test]
    fn big_and_tiny_images_are_brought_within_limits() {
        assert_eq!(fit_side_limits(&RgbImage::new(2048, 1365)).dimensions(), (1984, 1344)); // 62.5 → 62: ties to even
        assert_eq!(fit_side_limits(&RgbImage::new(100, 20)).dimensions(), (160, 32));
        assert_eq!(fit_side_limits(&RgbImage::new(640, 480)).dimensions(), (640, 480));
    }

    #[test]
    fn flat_images_get_black_bands() {
        let (padded, pad) = pad_thin_image(&RgbImage::from_pixel(400, 20, Rgb([255, 255, 255])));
        assert_eq!((pad, padded.dimensions()), (40, (400, 100)));
        assert_eq!(padded.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(padded.get_pixel(0, 50).0, [255, 255, 255]);
        assert_eq!(pad_thin_image(&RgbImage::new(300, 200)).1, 0);
    }

    #[test]
    fn tall_crops_are_turned_to_read_as_a_line() {
        let image = RgbImage::from_fn(50, 200, |_, y| Rgb([y as u8, 0, 0]));
        let crop = cut_out(&image, &[[10.0, 10.0], [40.0, 10.0], [40.0, 190.0], [10.0, 190.0]]);
        assert_eq!(crop.dimensions(), (180, 30));
        // Turned counter-clockwise: the top of the column (small y) ends up on the left.
        assert!(crop.get_pixel(0, 15).0[0] < crop.get_pixel(179, 15).0[0]);
    }

    /// Per-model times on the synthetic sign (models/dist must exist):
    /// `cargo test -p qingyu --release --lib ocr::tests::stage_timings -- --ignored --nocapture`
    #[test]
    #[ignore = "timing report, needs models/dist"]
    fn stage_timings() {
        use std::time::Instant;
        let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/dist");
        let file = |name: &str| std::fs::read(dist.join(name)).unwrap();
        let started = Instant::now();
        let reader = TextReader::load(
            &file("ppocrv4-det.onnx"),
            &file("ppocrv4-rec.onnx"),
            &file("ppocr-cls.onnx"),
            &file("ppocr-keys.txt"),
        )
        .unwrap();
        println!("plans built: {:?}", started.elapsed());
        // QY_OCR_IMAGE=path times another image.
        let image = match std::env::var("QY_OCR_IMAGE") {
            Ok(path) => crate::vision::image_input::decode(&std::fs::read(path).unwrap()).unwrap(),
            Err(_) => crate::vision::image_input::decode(&file("ppocr-synthetic.png")).unwrap(),
        };
        for round in 0..2 {
            let started = Instant::now();
            let boxes = reader.find_text_boxes(&image).unwrap();
            let (w, h) = det_input_size(image.width(), image.height());
            println!("round {round}: det {w}x{h} + DB: {:?}", started.elapsed());
            for text_box in &boxes {
                let crop = cut_out(&image, &text_box.points);
                let started = Instant::now();
                reader.reads_upside_down(&crop).unwrap();
                let cls = started.elapsed();
                let started = Instant::now();
                let text = reader.recognize(&crop).unwrap().text;
                println!("  cls {cls:?}, rec {:?} ({}x{} crop): {text}", started.elapsed(), crop.width(), crop.height());
            }
        }
    }

    #[test]
    fn corrupt_models_are_model_load_errors() {
        assert!(matches!(TextReader::load(b"x", b"y", b"z", b"a\n"), Err(Error::ModelLoad(_))));
    }
}
