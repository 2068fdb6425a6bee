//! COCO-80 object detector: CenterNet (MobileNetV3) on tract, decoded and NMS-ed exactly as
//! `models/dist/detector.reference.json` describes (written by `models/convert/tfjs_detector.py`).

use super::{labels::parse_label_list, preprocess::pillow_bilinear_resize, runtime::Plan};
use crate::{Error, Result};
use image::RgbImage;
use serde::Serialize;

/// Square network input side (the image is letterboxed into it).
pub const INPUT_SIDE: u32 = 512;
pub const NUM_CLASSES: usize = 80;
/// Heatmap cells per side and input pixels per cell.
const GRID: usize = 128;
const STRIDE: f32 = 4.0;
/// Decoder constants from the reference (graph TopK 100, @vladmandic/human's defaults).
const TOP_K: usize = 100;
const MIN_SCORE: f32 = 0.2;
const NMS_IOU: f32 = 0.4;
const MAX_DETECTIONS: usize = 10;

/// One detected object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// Index into `coco-labels.json`.
    pub class: usize,
    pub name: String,
    /// Centre-heatmap peak, 0..1.
    pub score: f32,
    /// `[x0, y0, x1, y1]` in pixels of the image given to [`ObjectDetector::detect`].
    pub bbox: [f32; 4],
}

pub struct ObjectDetector {
    plan: Plan,
    labels: Vec<String>,
}

impl ObjectDetector {
    /// Builds the optimized plan from `detector.onnx` and `coco-labels.json` bytes.
    pub fn load(onnx: &[u8], labels_json: &[u8]) -> Result<Self> {
        let labels = parse_label_list(labels_json, NUM_CLASSES)?;
        let plan = Plan::load(onnx, "CenterNet detector", &["1", "512", "512", "3"], 1)?;
        Ok(Self { plan, labels })
    }

    /// At most 10 objects, best first.
    pub fn detect(&self, rgb: &RgbImage) -> Result<Vec<Detection>> {
        let (width, height) = rgb.dimensions();
        if width == 0 || height == 0 {
            return Err(Error::InvalidInput("the image has no pixels".into()));
        }
        let (content_w, content_h) = letterbox_size(width, height);
        let side = INPUT_SIDE as usize;
        let outputs = self.plan.run(&[1, side, side, 3], letterboxed_input(rgb, content_w, content_h))?;
        let heat = outputs
            .iter()
            .find(|o| o.shape == [1, GRID, GRID, NUM_CLASSES])
            .ok_or_else(|| Error::ModelLoad("detector has no [1,128,128,80] keypoints output".into()))?;
        let wh = outputs
            .iter()
            .find(|o| o.shape == [1, GRID, GRID, 4])
            .ok_or_else(|| Error::ModelLoad("detector has no [1,128,128,4] wh output".into()))?;

        let candidates = centre_candidates(&heat.data, &wh.data);
        let boxes: Vec<[f32; 4]> = candidates.iter().map(|c| c.bbox).collect();
        let scores: Vec<f32> = candidates.iter().map(|c| c.score).collect();
        let (sx, sy) = (width as f32 / content_w as f32, height as f32 / content_h as f32);
        let (w, h) = (width as f32, height as f32);
        Ok(non_max_suppression(&boxes, &scores, NMS_IOU, MAX_DETECTIONS)
            .into_iter()
            .map(|i| {
                let [x0, y0, x1, y1] = candidates[i].bbox;
                Detection {
                    class: candidates[i].class,
                    name: self.labels[candidates[i].class].clone(),
                    score: candidates[i].score,
                    bbox: [
                        (x0 * sx).clamp(0.0, w),
                        (y0 * sy).clamp(0.0, h),
                        (x1 * sx).clamp(0.0, w),
                        (y1 * sy).clamp(0.0, h),
                    ],
                }
            })
            .collect())
    }
}

/// The content size inside the 512 canvas: long side 512, short side rounded half up.
fn letterbox_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height) as u64;
    let side = INPUT_SIDE as u64;
    let scale = |s: u32| (((2 * s as u64 * side + long) / (2 * long)) as u32).max(1);
    (scale(width), scale(height))
}

/// NHWC RGB 0..255 floats: the image resized to the content size (Pillow-exact bilinear)
/// pasted top-left on a black 512×512 canvas.
fn letterboxed_input(rgb: &RgbImage, content_w: u32, content_h: u32) -> Vec<f32> {
    let resized = pillow_bilinear_resize(rgb, content_w, content_h);
    let side = INPUT_SIDE as usize;
    let mut input = vec![0f32; side * side * 3];
    for (x, y, pixel) in resized.enumerate_pixels() {
        let at = (y as usize * side + x as usize) * 3;
        for c in 0..3 {
            input[at + c] = pixel.0[c] as f32;
        }
    }
    input
}

struct Candidate {
    class: usize,
    score: f32,
    /// In 512×512 input pixels.
    bbox: [f32; 4],
}

/// Heatmap peaks (3×3 local maxima per class) → the best `TOP_K` with score ≥ `MIN_SCORE`,
/// best first, ties by flat index `(y*128 + x)*80 + c`. Only cells ≥ MIN_SCORE can survive
/// the reference's top-100-then-threshold, so only those are examined.
fn centre_candidates(heat: &[f32], wh: &[f32]) -> Vec<Candidate> {
    let at = |y: usize, x: usize, c: usize| heat[(y * GRID + x) * NUM_CLASSES + c];
    let mut peaks: Vec<(usize, f32)> = Vec::new();
    for (index, &score) in heat.iter().enumerate() {
        if score < MIN_SCORE {
            continue;
        }
        let (c, cell) = (index % NUM_CLASSES, index / NUM_CLASSES);
        let (y, x) = (cell / GRID, cell % GRID);
        let is_peak = (y.saturating_sub(1)..=(y + 1).min(GRID - 1))
            .all(|ny| (x.saturating_sub(1)..=(x + 1).min(GRID - 1)).all(|nx| at(ny, nx, c) <= score));
        if is_peak {
            peaks.push((index, score));
        }
    }
    // Stable sort keeps index order among equal scores.
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    peaks.truncate(TOP_K);
    peaks
        .into_iter()
        .map(|(index, score)| {
            let cell = index / NUM_CLASSES;
            let (cy, cx) = ((cell / GRID) as f32 * STRIDE, (cell % GRID) as f32 * STRIDE);
            let d = &wh[cell * 4..cell * 4 + 4]; // left, top, right, bottom distances
            Candidate { class: index % NUM_CLASSES, score, bbox: [cx - d[0], cy - d[1], cx + d[2], cy + d[3]] }
        })
        .collect()
}

/// Intersection over union of two `[x0, y0, x1, y1]` boxes; 0 when either is empty.
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let area = |r: &[f32; 4]| (r[2] - r[0]) * (r[3] - r[1]);
    let (area_a, area_b) = (area(a), area(b));
    if area_a <= 0.0 || area_b <= 0.0 {
        return 0.0;
    }
    let iw = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let ih = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    inter / (area_a + area_b - inter)
}

/// Greedy class-agnostic NMS: visits boxes by descending score (ties in input order), keeps one
/// unless its IoU with an already kept box is above `iou_threshold`; stops at `max_keep`.
/// Returns the kept indices, best first.
pub fn non_max_suppression(boxes: &[[f32; 4]], scores: &[f32], iou_threshold: f32, max_keep: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..boxes.len().min(scores.len())).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if kept.len() == max_keep {
            break;
        }
        if kept.iter().all(|&k| iou(&boxes[i], &boxes[k]) <= iou_threshold) {
            kept.push(i);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_known_boxes() {
        assert_eq!(iou(&[0.0, 0.0, 2.0, 2.0], &[0.0, 0.0, 2.0, 2.0]), 1.0);
        assert!((iou(&[0.0, 0.0, 2.0, 2.0], &[1.0, 0.0, 3.0, 2.0]) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(iou(&[0.0, 0.0, 1.0, 1.0], &[2.0, 2.0, 3.0, 3.0]), 0.0);
        assert_eq!(iou(&[0.0, 0.0, 0.0, 5.0], &[0.0, 0.0, 0.0, 5.0]), 0.0, "empty boxes never overlap");
    }

    #[test]
    fn nms_drops_overlaps_across_classes_and_keeps_the_best() {
        let boxes = [
            [0.0, 0.0, 10.0, 10.0],  // 0: 0.5
            [1.0, 1.0, 10.0, 10.0],  // 1: 0.9, overlaps 0 (IoU 0.81)
            [20.0, 0.0, 30.0, 10.0], // 2: 0.7, separate
            [0.0, 0.0, 10.0, 17.0],  // 3: 0.3, IoU with 1 = 81/170 ≈ 0.48 → dropped
        ];
        let kept = non_max_suppression(&boxes, &[0.5, 0.9, 0.7, 0.3], 0.4, 10);
        assert_eq!(kept, vec![1, 2]);
        assert_eq!(non_max_suppression(&boxes, &[0.5, 0.9, 0.7, 0.3], 0.4, 1), vec![1]);
        assert_eq!(non_max_suppression(&boxes, &[0.5, 0.9, 0.7, 0.3], 1.0, 10), vec![1, 2, 0, 3]);
        assert!(non_max_suppression(&[], &[], 0.4, 10).is_empty());
    }

    #[test]
    fn letterbox_rounds_half_up_and_keeps_the_long_side() {
        assert_eq!(letterbox_size(600, 400), (512, 341));
        assert_eq!(letterbox_size(451, 300), (512, 341));
        assert_eq!(letterbox_size(512, 512), (512, 512));
        assert_eq!(letterbox_size(3000, 1), (512, 1));
    }

    #[test]
    fn candidates_are_3x3_peaks_with_their_boxes() {
        let mut heat = vec![0f32; GRID * GRID * NUM_CLASSES];
        let mut wh = vec![0f32; GRID * GRID * 4];
        let cell = |y: usize, x: usize| y * GRID + x;
        heat[cell(10, 20) * NUM_CLASSES + 3] = 0.9;
        heat[cell(10, 21) * NUM_CLASSES + 3] = 0.8; // neighbour of a higher peak: not a peak
        heat[cell(10, 21) * NUM_CLASSES + 4] = 0.6; // other class, same cell: a peak
        heat[cell(50, 50) * NUM_CLASSES + 7] = 0.1; // below MIN_SCORE
        wh[cell(10, 20) * 4..cell(10, 20) * 4 + 4].copy_from_slice(&[5.0, 6.0, 7.0, 8.0]);
        let found = centre_candidates(&heat, &wh);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].class, found[0].score), (3, 0.9));
        assert_eq!(found[0].bbox, [80.0 - 5.0, 40.0 - 6.0, 80.0 + 7.0, 40.0 + 8.0]);
        assert_eq!(found[1].class, 4);
    }

    #[test]
    fn corrupt_model_is_a_model_load_error() {
        let labels = serde_json::to_vec(&vec!["x"; NUM_CLASSES]).unwrap();
        assert!(matches!(ObjectDetector::load(b"junk", &labels), Err(Error::ModelLoad(_))));
    }
}
