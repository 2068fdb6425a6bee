//! Pixels → the float tensor a model was trained on.

use image::{imageops::FilterType, RgbImage};

/// Resizes like Pillow's `Image.resize(size, Image.BILINEAR)` on an RGB image, bit for bit:
/// triangle filter widened when shrinking (anti-aliased), coefficients in 22-bit fixed point,
/// horizontal pass first, rounded to u8 between passes. The detector was validated on Pillow's
/// pixels, and `image`'s own triangle filter differs enough (float, other pass order) to move
/// box edges by a few pixels.
pub fn pillow_bilinear_resize(rgb: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (in_w, in_h) = rgb.dimensions();
    if (in_w, in_h) == (width, height) || width == 0 || height == 0 || in_w == 0 || in_h == 0 {
        return image::imageops::resize(rgb, width, height, FilterType::Nearest);
    }
    let columns = pillow_coefficients(in_w as usize, width as usize);
    let rows = pillow_coefficients(in_h as usize, height as usize);
    let src = rgb.as_raw();
    // Horizontal: in_h rows × width columns.
    let mut wide = vec![0u8; in_h as usize * width as usize * 3];
    for y in 0..in_h as usize {
        let row = &src[y * in_w as usize * 3..(y + 1) * in_w as usize * 3];
        for (x, (first, weights)) in columns.iter().enumerate() {
            for c in 0..3 {
                let sum = weights
                    .iter()
                    .enumerate()
                    .fold(1i64 << (PRECISION_BITS - 1), |acc, (k, &w)| acc + row[(first + k) * 3 + c] as i64 * w);
                wide[(y * width as usize + x) * 3 + c] = clip8(sum);
            }
        }
    }
    // Vertical: height rows × width columns.
    let stride = width as usize * 3;
    let mut out = vec![0u8; height as usize * stride];
    for (y, (first, weights)) in rows.iter().enumerate() {
        for i in 0..stride {
            let sum = weights
                .iter()
                .enumerate()
                .fold(1i64 << (PRECISION_BITS - 1), |acc, (k, &w)| acc + wide[(first + k) * stride + i] as i64 * w);
            out[y * stride + i] = clip8(sum);
        }
    }
    RgbImage::from_raw(width, height, out).expect("buffer sized for width × height × 3")
}

const PRECISION_BITS: u32 = 32 - 8 - 2;

fn clip8(sum: i64) -> u8 {
    (sum >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Per output pixel: the first input index and the fixed-point weights (Pillow's
/// `precompute_coeffs` + `normalize_coeffs_8bpc` for the bilinear filter, support 1).
fn pillow_coefficients(in_size: usize, out_size: usize) -> Vec<(usize, Vec<i64>)> {
    let scale = in_size as f64 / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = filter_scale;
    (0..out_size)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = (((center + support + 0.5) as i64).min(in_size as i64) as usize).max(xmin);
            let weights: Vec<f64> = (xmin..xmax)
                .map(|x| {
                    let t = ((x as f64 - center + 0.5) / filter_scale).abs();
                    if t < 1.0 { 1.0 - t } else { 0.0 }
                })
                .collect();
            let total: f64 = weights.iter().sum();
            let fixed = weights
                .iter()
                .map(|&w| {
                    let w = if total != 0.0 { w / total } else { w } * (1i64 << PRECISION_BITS) as f64;
                    if w < 0.0 { (w - 0.5) as i64 } else { (w + 0.5) as i64 }
                })
                .collect();
            (xmin, fixed)
        })
        .collect()
}

/// EfficientNet-Lite0 input: the whole image resized to `side`×`side` (bilinear),
/// `(x − 127.5) / 127.5`, laid out NCHW. Mirrors `models/convert/efficientnet_lite0.py`.
pub fn efficientnet_input(rgb: &RgbImage, side: u32) -> Vec<f32> {
    let resized = image::imageops::resize(rgb, side, side, FilterType::Triangle);
    let plane = (side * side) as usize;
    let mut chw = vec![0f32; 3 * plane];
    for (i, pixel) in resized.pixels().enumerate() {
        for c in 0..3 {
            chw[c * plane + i] = (pixel.0[c] as f32 - 127.5) / 127.5;
        }
    }
    chw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pillow_resize_keeps_flat_colour_and_averages_when_halving() {
        let flat = RgbImage::from_pixel(7, 5, image::Rgb([10, 200, 255]));
        let out = pillow_bilinear_resize(&flat, 3, 9);
        assert!(out.pixels().all(|p| p.0 == [10, 200, 255]));
        // Halving 4 → 2 with Pillow's widened triangle: weights 1/8, 3/8, 3/8, 1/8 (edge-clipped).
        let ramp = RgbImage::from_fn(4, 1, |x, _| image::Rgb([x as u8 * 80, 0, 0]));
        let out = pillow_bilinear_resize(&ramp, 2, 1);
        // out0 = (0·3 + 80·3 + 160·1) / 7 = 57.1; out1 = (80·1 + 160·3 + 240·3) / 7 = 182.9
        assert_eq!([out.get_pixel(0, 0).0[0], out.get_pixel(1, 0).0[0]], [57, 183]);
    }

    #[test]
    fn normalizes_to_minus_one_one_in_chw() {
        let rgb = RgbImage::from_pixel(4, 4, image::Rgb([0, 255, 127]));
        let t = efficientnet_input(&rgb, 2);
        assert_eq!(t.len(), 12);
        assert!(t[..4].iter().all(|&v| v == -1.0));
        assert!(t[4..8].iter().all(|&v| v == 1.0));
        assert!(t[8..].iter().all(|&v| (v + 0.5 / 127.5).abs() < 1e-6));
    }
}
