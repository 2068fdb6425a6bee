//! Pixels → the float tensor a model was trained on.

use image::{imageops::FilterType, RgbImage};

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
    fn normalizes_to_minus_one_one_in_chw() {
        let rgb = RgbImage::from_pixel(4, 4, image::Rgb([0, 255, 127]));
        let t = efficientnet_input(&rgb, 2);
        assert_eq!(t.len(), 12);
        assert!(t[..4].iter().all(|&v| v == -1.0));
        assert!(t[4..8].iter().all(|&v| v == 1.0));
        assert!(t[8..].iter().all(|&v| (v + 0.5 / 127.5).abs() < 1e-6));
    }
}
