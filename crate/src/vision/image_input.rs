//! Photos in → one bounded RGB working image out.
//!
//! Accepts encoded PNG / JPEG / WebP / GIF (first frame) bytes or raw RGBA pixels. EXIF
//! orientation is applied (JPEG, WebP), transparency is composited on white, grayscale is
//! expanded to RGB, and the result is shrunk so its longer side is at most [`MAX_WORKING_SIDE`]:
//! every model downstream works at ≤ 2000 px, and a bounded image keeps wasm memory in check.
//! Anything we cannot or will not decode is `Error::InvalidInput` with a message that says why.

use crate::{Error, Result};
use image::{
    imageops, DynamicImage, ImageDecoder, ImageReader, Limits, Rgb, RgbImage, RgbaImage,
};
use std::io::Cursor;

/// Longer side of the image handed to the models (a 6000×4000 photo becomes 2048×1365).
pub const MAX_WORKING_SIDE: u32 = 2048;
/// Largest image we decode at all: 50 megapixels (a 6000×4000 photo is 24). Bigger headers are
/// treated as decompression bombs and rejected before any pixel memory is allocated.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Largest side accepted, whatever the pixel count (a 1×100000 strip is not a photo either).
pub const MAX_SIDE: u32 = 20_000;
/// An encoded image may claim at most this many pixels per byte of file once it is over
/// [`BOMB_FREE_PIXELS`]: photos and screenshots stay far below (deflate tops out near 350 RGB
/// pixels a byte, a smooth 12 MP JPEG is ~100 KB, i.e. 120), while a 108-byte lossless WebP or a
/// 110-byte GIF can announce tens of megapixels that cost a second to render (found by fuzzing).
pub const MAX_PIXELS_PER_BYTE: u64 = 2_000;
/// Images up to this size are decoded whatever their file size (a solid-colour 4 MP PNG is fine).
pub const BOMB_FREE_PIXELS: u64 = 4_000_000;
/// Cap on the decoders' own allocations (50 MP as RGBA16 would be 400 MB; RGB8 is 150 MB).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes PNG / JPEG / WebP / GIF (first frame) bytes into the RGB working image:
/// EXIF orientation applied, alpha composited on white, longer side ≤ [`MAX_WORKING_SIDE`].
pub fn decode(bytes: &[u8]) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::InvalidInput("the image is empty (0 bytes)".into()));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::InvalidInput(format!("cannot read the image: {e}")))?;
    let Some(format) = reader.format() else {
        return Err(Error::InvalidInput(
            "not an image: expected PNG, JPEG, WebP or GIF bytes".into(),
        ));
    };
    let mut decoder = reader.into_decoder().map_err(|e| {
        Error::InvalidInput(format!("cannot decode the {format:?} image: {e}"))
    })?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    let pixels = width as u64 * height as u64;
    if pixels > BOMB_FREE_PIXELS && pixels > bytes.len() as u64 * MAX_PIXELS_PER_BYTE {
        return Err(Error::InvalidInput(format!(
            "the {format:?} image claims {width}×{height} pixels from only {} bytes; refused as a decompression bomb",
            bytes.len()
        )));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    decoder
        .set_limits(limits)
        .map_err(|e| Error::InvalidInput(format!("the image is too large to decode: {e}")))?;
    // A broken EXIF block must not cost the user their photo: fall back to "as stored".
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(|e| {
        Error::InvalidInput(format!("cannot decode the {format:?} image (corrupt or truncated?): {e}"))
    })?;
    // Shrink before rotating: both commute, and rotating the small image is cheaper.
    let mut rgb = shrink_to_working_size(flatten_to_rgb(decoded));
    rotate_in_place(&mut rgb, orientation);
    Ok(rgb)
}

/// The previous name of [`decode`], kept for existing callers.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage> {
    decode(bytes)
}

/// Raw RGBA pixels (row-major, 4 bytes per pixel, e.g. a canvas `ImageData`) → the RGB working
/// image, alpha composited on white, longer side ≤ [`MAX_WORKING_SIDE`].
pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<RgbImage> {
    check_dimensions(width, height)?;
    let expected = width as u64 * height as u64 * 4;
    if rgba.len() as u64 != expected {
        return Err(Error::InvalidInput(format!(
            "RGBA buffer has {} bytes, but {width}×{height} pixels need {expected}",
            rgba.len()
        )));
    }
    let rgba = RgbaImage::from_raw(width, height, rgba.to_vec())
        .ok_or_else(|| Error::InvalidInput("RGBA buffer does not match its size".into()))?;
    Ok(shrink_to_working_size(composite_on_white(&rgba)))
}

fn check_dimensions(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::InvalidInput(format!("the image has no pixels ({width}×{height})")));
    }
    if width > MAX_SIDE || height > MAX_SIDE || width as u64 * height as u64 > MAX_PIXELS {
        return Err(Error::InvalidInput(format!(
            "the image is too large ({width}×{height}); at most {} megapixels and {MAX_SIDE} px a side are accepted",
            MAX_PIXELS / 1_000_000
        )));
    }
    Ok(())
}

/// Any colour type → 8-bit RGB; images with an alpha channel are composited on white so a
/// transparent logo does not turn into a black rectangle.
fn flatten_to_rgb(image: DynamicImage) -> RgbImage {
    if image.color().has_alpha() {
        composite_on_white(&image.to_rgba8())
    } else {
        match image {
            DynamicImage::ImageRgb8(rgb) => rgb,
            other => other.to_rgb8(),
        }
    }
}

fn composite_on_white(rgba: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = a as u32;
        // out = c·a + 255·(1 − a), rounded, in integers.
        let over_white = |c: u8| ((c as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// Scales the image down (never up) so its longer side is at most [`MAX_WORKING_SIDE`].
fn shrink_to_working_size(rgb: RgbImage) -> RgbImage {
    let (w, h) = rgb.dimensions();
    let long = w.max(h);
    if long <= MAX_WORKING_SIDE {
        return rgb;
    }
    let scale = |side: u32| ((side as u64 * MAX_WORKING_SIDE as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    // `thumbnail` averages whole source areas: anti-aliased and much faster than a filtered resize.
    imageops::thumbnail(&rgb, scale(w), scale(h))
}

fn rotate_in_place(rgb: &mut RgbImage, orientation: image::metadata::Orientation) {
    if orientation == image::metadata::Orientation::NoTransforms {
        return;
    }
    let mut dynamic = DynamicImage::ImageRgb8(std::mem::take(rgb));
    dynamic.apply_orientation(orientation);
    *rgb = dynamic.into_rgb8();
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, ImageFormat, Luma, LumaA, Rgba};

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        bytes
    }

    #[test]
    fn tiny_files_that_announce_huge_images_are_refused_before_decoding() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/image");
        for name in ["webp-lossless-108-bytes-11525x3149", "gif-110-bytes-1541x9475-canvas"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let t0 = std::time::Instant::now();
            let err = decode(&bytes).unwrap_err().to_string();
            assert!(err.starts_with("InvalidInput: ") && err.contains("decompression bomb"), "{name}: {err}");
            assert!(t0.elapsed().as_millis() < 100, "{name}: refused only after {:?}", t0.elapsed());
        }
        // A plain 2000×2500 (5 MP) single-colour PNG is far from the limit: still decoded.
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(2000, 2500, Rgb([40, 90, 160])));
        assert!(decode(&encode(&flat, ImageFormat::Png)).is_ok());
    }

    fn is_invalid_input(result: Result<RgbImage>) -> String {
        match result {
            Err(Error::InvalidInput(message)) => message,
            other => panic!("expected InvalidInput, got {:?}", other.map(|i| i.dimensions())),
        }
    }

    /// A 4×2 image: left half red, right half blue (so rotations and flips are visible).
    fn red_blue() -> RgbImage {
        RgbImage::from_fn(4, 2, |x, _| if x < 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) })
    }

    #[test]
    fn empty_and_garbage_bytes_are_invalid_input() {
        assert!(is_invalid_input(decode(&[])).contains("empty"));
        assert!(is_invalid_input(decode(b"definitely not a picture")).contains("not an image"));
    }

    #[test]
    fn truncated_png_and_jpeg_are_invalid_input() {
        let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, y| Rgb([x as u8 * 4, y as u8 * 4, 7])));
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let bytes = encode(&photo, format);
            is_invalid_input(decode(&bytes[..bytes.len() / 2]));
        }
    }

    #[test]
    fn every_supported_format_decodes() {
        let photo = DynamicImage::ImageRgb8(red_blue());
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Gif] {
            let rgb = decode(&encode(&photo, format)).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(rgb.dimensions(), (4, 2), "{format:?}");
            let [r, _, b] = rgb.get_pixel(0, 0).0;
            assert!(r > 200 && b < 60, "{format:?}: left pixel {:?}", rgb.get_pixel(0, 0));
        }
    }

    #[test]
    fn png_round_trips_exactly() {
        let rgb = decode(&encode(&DynamicImage::ImageRgb8(red_blue()), ImageFormat::Png)).unwrap();
        assert_eq!(rgb, red_blue());
    }

    #[test]
    fn grayscale_becomes_gray_rgb() {
        let gray = GrayImage::from_pixel(3, 3, Luma([90]));
        let rgb = decode(&encode(&DynamicImage::ImageLuma8(gray), ImageFormat::Png)).unwrap();
        assert_eq!(rgb.get_pixel(1, 1).0, [90, 90, 90]);
    }

    #[test]
    fn transparency_is_composited_on_white() {
        let mut rgba = RgbaImage::from_pixel(2, 1, Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, Rgba([0, 0, 0, 128]));
        let rgb = decode(&encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png)).unwrap();
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255], "fully transparent → white");
        assert_eq!(rgb.get_pixel(1, 0).0, [127, 127, 127], "half-transparent black → mid gray");
        let gray_alpha = image::GrayAlphaImage::from_pixel(1, 1, LumaA([0, 0]));
        let rgb = decode(&encode(&DynamicImage::ImageLumaA8(gray_alpha), ImageFormat::Png)).unwrap();
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
    }

    /// Inserts an APP1 EXIF segment with the given orientation right after the JPEG SOI marker.
    fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF header, IFD at offset 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // tag: Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // type: SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]); // value padding
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn jpeg_exif_orientation_is_applied() {
        let jpeg = encode(&DynamicImage::ImageRgb8(red_blue()), ImageFormat::Jpeg);
        let upright = decode(&with_exif_orientation(&jpeg, 1)).unwrap();
        assert_eq!(upright.dimensions(), (4, 2));
        // 6 = "rotate 90° clockwise to display": the red left half ends up on top.
        let turned = decode(&with_exif_orientation(&jpeg, 6)).unwrap();
        assert_eq!(turned.dimensions(), (2, 4));
        assert!(turned.get_pixel(0, 0).0[0] > 200, "top is red: {:?}", turned.get_pixel(0, 0));
        assert!(turned.get_pixel(0, 3).0[2] > 200, "bottom is blue: {:?}", turned.get_pixel(0, 3));
        // 3 = rotate 180°: blue comes first.
        let upside_down = decode(&with_exif_orientation(&jpeg, 3)).unwrap();
        assert!(upside_down.get_pixel(0, 0).0[2] > 200);
    }

    #[test]
    fn big_photo_is_shrunk_to_the_working_size() {
        let photo = DynamicImage::ImageRgb8(RgbImage::from_pixel(6000, 4000, Rgb([30, 60, 90])));
        let rgb = decode(&encode(&photo, ImageFormat::Jpeg)).unwrap();
        assert_eq!(rgb.dimensions(), (2048, 1365));
        let [r, g, b] = rgb.get_pixel(1000, 700).0;
        assert!(r.abs_diff(30) < 4 && g.abs_diff(60) < 4 && b.abs_diff(90) < 4);
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= byte as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_100_megapixel_bomb_is_rejected_from_its_header() {
        // A valid 1×1 PNG whose IHDR (with a fixed CRC) claims 10000×10000 pixels.
        let mut png = encode(&DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png);
        png[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(is_invalid_input(decode(&png)).contains("too large"));
    }

    #[test]
    fn rgba_pixels_are_checked_and_composited() {
        let rgb = from_rgba(2, 1, &[255, 0, 0, 255, 0, 0, 255, 0]).unwrap();
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(rgb.get_pixel(1, 0).0, [255, 255, 255]);
        assert!(is_invalid_input(from_rgba(2, 2, &[0; 15])).contains("16"));
        assert!(is_invalid_input(from_rgba(0, 0, &[])).contains("no pixels"));
        is_invalid_input(from_rgba(u32::MAX, u32::MAX, &[0; 4]));
    }

    #[test]
    fn large_rgba_is_shrunk() {
        let rgb = from_rgba(4096, 100, &vec![200; 4096 * 100 * 4]).unwrap();
        assert_eq!(rgb.dimensions(), (2048, 50));
    }
}
