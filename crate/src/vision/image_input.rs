//! Encoded image bytes → RGB pixels, with limits so a hostile file cannot exhaust memory.

use crate::{Error, Result};
use image::{ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// Largest side we accept; bigger files are almost certainly decompression bombs.
pub const MAX_SIDE: u32 = 16_384;
/// Largest decode allocation (a 6000×4000 RGBA photo needs ~96 MB).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes PNG / JPEG / WebP / GIF (first frame) bytes into RGB, dropping alpha.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::InvalidInput("the image is empty (0 bytes)".into()));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::InvalidInput(format!("cannot read the image: {e}")))?;
    if reader.format().is_none() {
        return Err(Error::InvalidInput(
            "not an image: expected PNG, JPEG, WebP or GIF bytes".into(),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| Error::InvalidInput(format!("cannot decode the image: {e}")))?;
    if decoded.width() == 0 || decoded.height() == 0 {
        return Err(Error::InvalidInput("the image has no pixels (0×0)".into()));
    }
    Ok(decoded.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bytes_are_invalid_input() {
        assert!(matches!(decode_rgb(&[]), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn garbage_is_invalid_input() {
        let err = decode_rgb(b"definitely not a picture").unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }

    #[test]
    fn truncated_png_is_invalid_input() {
        let mut png = Vec::new();
        RgbImage::new(8, 8)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let err = decode_rgb(&png[..png.len() / 2]).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }

    #[test]
    fn small_png_round_trips() {
        let mut png = Vec::new();
        RgbImage::from_pixel(3, 2, image::Rgb([10, 20, 30]))
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let rgb = decode_rgb(&png).unwrap();
        assert_eq!((rgb.width(), rgb.height()), (3, 2));
        assert_eq!(rgb.get_pixel(2, 1).0, [10, 20, 30]);
    }
}
