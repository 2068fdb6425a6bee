//! DB (Differentiable Binarization) post-processing: the detector's text-probability map →
//! scored, slightly enlarged text boxes, as PaddleOCR / rapidocr do it.

use super::geometry::{distance, min_area_rect, mini_box_order, order_clockwise, quad_contains, Point};

/// Post-processing parameters (`ppocr.reference.json` → `det`).
#[derive(Debug, Clone, Copy)]
pub struct DbParams {
    /// Map pixels above this are text.
    pub thresh: f32,
    /// Boxes whose mean probability is below this are dropped.
    pub box_thresh: f32,
    pub max_candidates: usize,
    /// How far to grow a box: area × ratio / perimeter (the network predicts shrunk text cores).
    pub unclip_ratio: f32,
    /// Boxes with a short side below this (in map pixels) are dropped.
    pub min_size: f32,
}

impl DbParams {
    /// rapidocr-onnxruntime 1.4.4's values.
    pub const RAPIDOCR: DbParams =
        DbParams { thresh: 0.3, box_thresh: 0.5, max_candidates: 1000, unclip_ratio: 1.6, min_size: 3.0 };
}

/// A text box: corners top-left, top-right, bottom-right, bottom-left, and its DB score.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub points: [Point; 4],
    pub score: f32,
}

/// `prob` is the `map_w`×`map_h` probability map of an image of `dest_w`×`dest_h` pixels;
/// boxes come back in that image's pixels (rounded, clamped to `[0, dest]`).
pub fn boxes_from_map(prob: &[f32], map_w: usize, map_h: usize, dest_w: u32, dest_h: u32, p: &DbParams) -> Vec<TextBox> {
    if map_w == 0 || map_h == 0 || prob.len() != map_w * map_h {
        return Vec::new();
    }
    let mask = dilate_2x2(&prob.iter().map(|&v| v > p.thresh).collect::<Vec<_>>(), map_w, map_h);
    let (sx, sy) = (dest_w as f32 / map_w as f32, dest_h as f32 / map_h as f32);
    let mut boxes = Vec::new();
    for outline in component_outlines(&mask, map_w, map_h).into_iter().take(p.max_candidates) {
        let Some(rect) = min_area_rect(&outline) else { continue };
        if rect.short_side() < p.min_size {
            continue;
        }
        let score = mean_inside(prob, map_w, map_h, &mini_box_order(rect.corners));
        if score < p.box_thresh {
            continue;
        }
        let perimeter = 2.0 * (rect.width + rect.height);
        // A single map pixel (possible when `min_size` is 0) has no perimeter to grow by.
        if !(perimeter > 0.0) {
            continue;
        }
        let grown = rect.grown(rect.width * rect.height * p.unclip_ratio / perimeter);
        if grown.short_side() < p.min_size + 2.0 {
            continue;
        }
        let points = mini_box_order(grown.corners)
            .map(|[x, y]| [(x * sx).round().clamp(0.0, dest_w as f32), (y * sy).round().clamp(0.0, dest_h as f32)]);
        boxes.push(TextBox { points, score });
    }
    boxes
}

/// rapidocr's last det steps: corners clockwise from top-left, clipped to the image (integer
/// pixels), boxes 3 px or thinner dropped, then sorted top to bottom, left to right within a
/// line (tops less than 10 px apart count as one line).
pub fn tidy_boxes(boxes: Vec<TextBox>, width: u32, height: u32) -> Vec<TextBox> {
    let (max_x, max_y) = (width.saturating_sub(1) as f32, height.saturating_sub(1) as f32);
    let mut kept: Vec<TextBox> = boxes
        .into_iter()
        .map(|b| TextBox {
            points: order_clockwise(b.points).map(|[x, y]| [x.clamp(0.0, max_x).trunc(), y.clamp(0.0, max_y).trunc()]),
            score: b.score,
        })
        .filter(|b| {
            distance(b.points[0], b.points[1]).trunc() > 3.0 && distance(b.points[0], b.points[3]).trunc() > 3.0
        })
        .collect();
    kept.sort_by(|a, b| a.points[0][1].total_cmp(&b.points[0][1]).then(a.points[0][0].total_cmp(&b.points[0][0])));
    for i in 0..kept.len().saturating_sub(1) {
        for j in (0..=i).rev() {
            let (upper, lower) = (kept[j].points[0], kept[j + 1].points[0]);
            if (lower[1] - upper[1]).abs() < 10.0 && lower[0] < upper[0] {
                kept.swap(j, j + 1);
            } else {
                break;
            }
        }
    }
    kept
}

/// Dilation with a 2×2 kernel anchored at its bottom-right cell (OpenCV's default anchor):
/// a pixel is set if it or its left, upper or upper-left neighbour is.
fn dilate_2x2(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = mask.to_vec();
    for y in 0..h {
        for x in 0..w {
            let at = |dx: usize, dy: usize| x >= dx && y >= dy && mask[(y - dy) * w + x - dx];
            if at(1, 0) || at(0, 1) || at(1, 1) {
                out[y * w + x] = true;
            }
        }
    }
    out
}

/// 8-connected components of `mask`, each as the leftmost and rightmost pixel centre of every
/// row it spans: enough points for the component's convex hull (and so its min-area rect),
/// which is all that OpenCV's outer contour is used for here.
fn component_outlines(mask: &[bool], w: usize, h: usize) -> Vec<Vec<Point>> {
    let mut label = vec![u32::MAX; w * h];
    let mut outlines = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !mask[start] || label[start] != u32::MAX {
            continue;
        }
        let id = outlines.len() as u32;
        // row → (min x, max x), rows relative to the first row seen (components grow downwards too).
        let mut extents: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let e = extents.entry(y).or_insert((x, x));
            e.0 = e.0.min(x);
            e.1 = e.1.max(x);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let n = ny * w + nx;
                    if mask[n] && label[n] == u32::MAX {
                        label[n] = id;
                        stack.push(n);
                    }
                }
            }
        }
        outlines.push(
            extents
                .into_iter()
                .flat_map(|(y, (x0, x1))| [[x0 as f32, y as f32], [x1 as f32, y as f32]])
                .collect(),
        );
    }
    outlines
}

/// rapidocr's "fast" box score: the mean probability over the pixels of the quad's integer
/// bounding box that fall inside the quad (its corners truncated to integers, edges included).
fn mean_inside(prob: &[f32], w: usize, h: usize, quad: &[Point; 4]) -> f32 {
    let clamp_x = |v: f32| (v as i64).clamp(0, w as i64 - 1) as usize;
    let clamp_y = |v: f32| (v as i64).clamp(0, h as i64 - 1) as usize;
    let xs = quad.map(|p| p[0]);
    let ys = quad.map(|p| p[1]);
    let x0 = clamp_x(xs.iter().copied().fold(f32::MAX, f32::min).floor());
    let x1 = clamp_x(xs.iter().copied().fold(f32::MIN, f32::max).ceil());
    let y0 = clamp_y(ys.iter().copied().fold(f32::MAX, f32::min).floor());
    let y1 = clamp_y(ys.iter().copied().fold(f32::MIN, f32::max).ceil());
    let polygon = quad.map(|[x, y]| [(x - x0 as f32).trunc(), (y - y0 as f32).trunc()]);
    let (mut sum, mut count) = (0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if quad_contains(&polygon, (x - x0) as f32, (y - y0) as f32) {
                sum += prob[y * w + x] as f64;
                count += 1;
            }
        }
    }
    if count == 0 { 0.0 } else { (sum / count as f64) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 100×60 map with two text blobs: a bright 40×10 bar and a faint one under box_thresh.
    fn synthetic_map() -> Vec<f32> {
        let (w, h) = (100, 60);
        let mut prob = vec![0.01f32; w * h];
        for y in 10..20 {
            for x in 20..60 {
                prob[y * w + x] = 0.9;
            }
        }
        for y in 40..48 {
            for x in 10..30 {
                prob[y * w + x] = 0.35; // above thresh, below box_thresh
            }
        }
        prob
    }

    #[test]
    fn finds_the_bright_bar_and_grows_it() {
        let boxes = boxes_from_map(&synthetic_map(), 100, 60, 200, 120, &DbParams::RAPIDOCR);
        assert_eq!(boxes.len(), 1, "{boxes:?}");
        let b = &boxes[0];
        // The dilated rim (prob 0.01) is inside the box too: (400·0.9 + 51·0.01) / 451 ≈ 0.80.
        assert!((b.score - 0.80).abs() < 0.01, "{}", b.score);
        // Dilated bar: pixel centres x 20..=60, y 10..=20 → 40×10 rect; grown by
        // 400·1.6/100 = 6.4 each side → x 13.6..66.4, y 3.6..26.4; ×2 to the 200×120 image.
        let want = [[27.0, 7.0], [133.0, 7.0], [133.0, 53.0], [27.0, 53.0]];
        for (got, want) in b.points.iter().zip(want) {
            assert!((got[0] - want[0]).abs() <= 1.0 && (got[1] - want[1]).abs() <= 1.0, "{:?}", b.points);
        }
    }

    #[test]
    fn specks_and_empty_maps_give_nothing() {
        let mut prob = vec![0f32; 50 * 50];
        prob[25 * 50 + 25] = 0.99; // a 2×2 blob after dilation: short side < min_size
        assert!(boxes_from_map(&prob, 50, 50, 50, 50, &DbParams::RAPIDOCR).is_empty());
        assert!(boxes_from_map(&[], 0, 0, 10, 10, &DbParams::RAPIDOCR).is_empty());
        assert!(boxes_from_map(&[0.9; 3], 2, 2, 10, 10, &DbParams::RAPIDOCR).is_empty(), "wrong length");
    }

    #[test]
    fn tilted_text_gets_a_tilted_box() {
        let (w, h) = (120, 120);
        let mut prob = vec![0f32; w * h];
        // A 60×8 bar rising at 45°... shallower: slope 1/4.
        for t in 0..60 {
            for d in 0..8 {
                let (x, y) = (30 + t, 70 - t / 4 + d);
                prob[y * w + x] = 0.95;
            }
        }
        let boxes = boxes_from_map(&prob, w, h, w as u32, h as u32, &DbParams::RAPIDOCR);
        assert_eq!(boxes.len(), 1);
        let [tl, tr, _, _] = boxes[0].points;
        assert!(tr[1] < tl[1] - 8.0, "right end is higher: {:?}", boxes[0].points);
    }

    #[test]
    fn tidy_orders_lines_and_drops_slivers() {
        let rect = |x0: f32, y0: f32, x1: f32, y1: f32| TextBox {
            points: [[x1, y1], [x0, y1], [x0, y0], [x1, y0]], // scrambled on purpose
            score: 0.9,
        };
        let boxes = vec![rect(200.0, 48.0, 300.0, 80.0), rect(10.0, 50.0, 150.0, 80.0), rect(10.0, 5.0, 90.0, 30.0), rect(5.0, 100.0, 8.0, 200.0)];
        let tidy = tidy_boxes(boxes, 400, 300);
        let tops: Vec<Point> = tidy.iter().map(|b| b.points[0]).collect();
        assert_eq!(tops, vec![[10.0, 5.0], [10.0, 50.0], [200.0, 48.0]], "same line, left first");
        assert_eq!(tidy[0].points, [[10.0, 5.0], [90.0, 5.0], [90.0, 30.0], [10.0, 30.0]]);
    }
}
