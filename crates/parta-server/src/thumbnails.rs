//! Smaller previews of uploaded images, re-encoded by the server as JPEG so a
//! preview can be shown inline without trusting the uploaded bytes. Decoding has
//! limits, so a crafted image (huge dimensions, a decompression bomb) is refused
//! instead of eating the server's memory.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// The longest side of a preview, in pixels.
pub const THUMBNAIL_SIDE: u32 = 480;
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Whether a sniffed content type is an image we make previews of.
pub fn previewable(content_type: &str) -> bool {
    matches!(content_type, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}

/// A JPEG preview of an image no larger than `THUMBNAIL_SIDE` on its longest side,
/// or `None` when the bytes are not an image we can safely decode. CPU-bound: call
/// from a blocking task.
pub fn make(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let preview = if image.width().max(image.height()) > THUMBNAIL_SIDE {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        image
    };
    let mut out = Cursor::new(Vec::new());
    preview.to_rgb8().write_to(&mut out, ImageFormat::Jpeg).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_large_image_becomes_a_small_jpeg() {
        let preview = make(&png(1200, 600)).expect("preview");
        let decoded = image::load_from_memory(&preview).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (480, 240));
        assert_eq!(&preview[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn not_an_image_or_too_large_gives_none() {
        assert!(make(b"%PDF-1.7 not an image").is_none());
        // A PNG header claiming 100000 × 100000 pixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(make(&bomb).is_none());
    }
}
