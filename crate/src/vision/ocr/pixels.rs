//! Pixel work for OCR: OpenCV-style resizes, cutting a (possibly tilted) text box out of the
//! image, and the BGR float tensors the PaddleOCR models were trained on.

use super::geometry::{perspective_transform, Point};
use image::{Rgb, RgbImage};

/// Bilinear resize with half-pixel centres and edge clamping, no anti-aliasing (like
/// `cv2.resize(..., INTER_LINEAR)`, in floats rounded to u8 as in the reference converter).
pub fn resize_linear(src: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (in_w, in_h) = src.dimensions();
    if (in_w, in_h) == (width, height) {
        return src.clone();
    }
    let axis = |n_out: u32, n_in: u32| -> Vec<(usize, usize, f32)> {
        let scale = n_in as f64 / n_out as f64;
        (0..n_out)
            .map(|i| {
                let pos = ((i as f64 + 0.5) * scale - 0.5).clamp(0.0, (n_in - 1) as f64);
                let i0 = pos.floor() as usize;
                (i0, (i0 + 1).min(n_in as usize - 1), (pos - i0 as f64) as f32)
            })
            .collect()
    };
    let (xs, ys) = (axis(width, in_w), axis(height, in_h));
    let raw = src.as_raw();
    let stride = in_w as usize * 3;
    let mut out = vec![0u8; width as usize * height as usize * 3];
    let mut row = vec![0f32; stride];
    for (y, &(y0, y1, fy)) in ys.iter().enumerate() {
        for (i, value) in row.iter_mut().enumerate() {
            *value = raw[y0 * stride + i] as f32 * (1.0 - fy) + raw[y1 * stride + i] as f32 * fy;
        }
        for (x, &(x0, x1, fx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let v = row[x0 * 3 + c] * (1.0 - fx) + row[x1 * 3 + c] * fx;
                out[(y * width as usize + x) * 3 + c] = v.round_ties_even().clamp(0.0, 255.0) as u8;
            }
        }
    }
    RgbImage::from_raw(width, height, out).expect("buffer sized for width × height × 3")
}

/// Cuts the quadrilateral `quad` (top-left, top-right, bottom-right, bottom-left) out of `src`
/// into a `width`×`height` upright image (perspective warp, bilinear, replicated border), like
/// rapidocr's `get_rotate_crop_image` (which samples bicubic; bilinear is close enough for text).
pub fn warp_quad(src: &RgbImage, quad: &[Point; 4], width: u32, height: u32) -> RgbImage {
    let (w, h) = (width as f32, height as f32);
    let target = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
    // Map each output pixel back into the source.
    let Some(m) = perspective_transform(&target, quad) else {
        return RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
    };
    let (sw, sh) = (src.width() as i64, src.height() as i64);
    let texel = |x: i64, y: i64| src.get_pixel(x.clamp(0, sw - 1) as u32, y.clamp(0, sh - 1) as u32).0;
    RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f64, y as f64);
        let d = m[6] * x + m[7] * y + m[8];
        let (sx, sy) = ((m[0] * x + m[1] * y + m[2]) / d, (m[3] * x + m[4] * y + m[5]) / d);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (a, b, c, e) = (texel(x0, y0), texel(x0 + 1, y0), texel(x0, y0 + 1), texel(x0 + 1, y0 + 1));
        Rgb(std::array::from_fn(|k| {
            let top = a[k] as f32 * (1.0 - fx) + b[k] as f32 * fx;
            let bottom = c[k] as f32 * (1.0 - fx) + e[k] as f32 * fx;
            (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
        }))
    })
}

/// The line image the rec/cls models read: height `height`, width `min(ceil(height·w/h),
/// target_width)`, `(x/255 − 0.5)/0.5` per channel in BGR order, zero-padded on the right to
/// `target_width`; NCHW without the batch dimension.
pub fn line_tensor(crop: &RgbImage, height: u32, target_width: u32) -> Vec<f32> {
    let (w, h) = crop.dimensions();
    let fitted = ((height as f64 * w as f64 / h as f64).ceil() as u32).clamp(1, target_width);
    let resized = resize_linear(crop, fitted, height);
    let plane = height as usize * target_width as usize;
    let mut out = vec![0f32; 3 * plane];
    for (x, y, pixel) in resized.enumerate_pixels() {
        let at = y as usize * target_width as usize + x as usize;
        for (channel, &value) in pixel.0.iter().rev().enumerate() {
            out[channel * plane + at] = (value as f32 / 255.0 - 0.5) / 0.5;
        }
    }
    out
}

/// `image` NCHW (BGR) with per-channel mean/std (given in BGR order) for the detector.
pub fn det_tensor(image: &RgbImage, mean: [f32; 3], std: [f32; 3]) -> Vec<f32> {
    let plane = image.width() as usize * image.height() as usize;
    let mut out = vec![0f32; 3 * plane];
    for (i, pixel) in image.pixels().enumerate() {
        for (channel, &value) in pixel.0.iter().rev().enumerate() {
            out[channel * plane + i] = (value as f32 / 255.0 - mean[channel]) / std[channel];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_linear_matches_half_pixel_bilinear() {
        let ramp = RgbImage::from_fn(4, 1, |x, _| Rgb([x as u8 * 60, 0, 0]));
        // Doubling: positions (i + 0.5)/2 − 0.5 = −0.25 (clamped), 0.25, 0.75, …
        let up = resize_linear(&ramp, 8, 1);
        let got: Vec<u8> = up.pixels().map(|p| p.0[0]).collect();
        assert_eq!(got, vec![0, 15, 45, 75, 105, 135, 165, 180]);
        // Halving without anti-aliasing averages the middle pairs.
        let down = resize_linear(&ramp, 2, 1);
        assert_eq!([down.get_pixel(0, 0).0[0], down.get_pixel(1, 0).0[0]], [30, 150]);
    }

    #[test]
    fn warp_of_an_axis_aligned_box_is_a_plain_crop() {
        let src = RgbImage::from_fn(20, 10, |x, y| Rgb([x as u8 * 10, y as u8 * 10, 0]));
        let crop = warp_quad(&src, &[[5.0, 2.0], [15.0, 2.0], [15.0, 8.0], [5.0, 8.0]], 10, 6);
        assert_eq!(crop.get_pixel(0, 0).0, [50, 20, 0]);
        assert_eq!(crop.get_pixel(9, 5).0, [140, 70, 0]);
    }

    #[test]
    fn line_tensor_is_bgr_normalized_and_padded() {
        let crop = RgbImage::from_pixel(10, 10, Rgb([255, 0, 0]));
        let t = line_tensor(&crop, 4, 8);
        let plane = 4 * 8;
        assert_eq!(t.len(), 3 * plane);
        assert_eq!(t[0], -1.0, "blue plane first");
        assert_eq!(t[2 * plane], 1.0, "red plane last");
        assert_eq!(t[2 * plane + 4], 0.0, "padding beyond width 4");
    }
}
