//! Smaller previews of uploaded images, re-encoded by the server as JPEG so a
//! preview can be shown inline without trusting the uploaded bytes.
//!
//! An image is judged by its header before its pixels are decoded: one of more than
//! `MAX_PIXELS`, or one whose decoding would take more than `DECODE_BUDGET_BYTES`,
//! gets no preview (the upload itself is kept). A compressed image can be a thousand
//! times smaller than its pixels, so its size in bytes says nothing here.
//!
//! Every image is decoded at full size and then shrunk: none of the decoders in use
//! can decode at a reduced scale (zune-jpeg 0.5, the `image` crate's JPEG decoder, has
//! no scaled IDCT; png, gif and image-webp always produce every pixel), so the limits
//! are what bound the memory. How many previews decode at once is `preview_pool`'s.

use std::io::Cursor;

use image::error::LimitErrorKind;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// The longest side of a preview, in pixels.
pub const THUMBNAIL_SIDE: u32 = 480;
/// Most pixels an image may have to get a preview: a 24-megapixel camera's 6000 × 4000
/// (a phone's usual photo is 12 MP). Larger ones (panoramas, phones' 48 MP modes) are
/// stored and downloadable, without a preview.
pub const MAX_PIXELS: u64 = 24_000_000;
const MAX_SIDE: u32 = 12_000;
/// Memory one decode may take: the pixels of a 24 MP image with alpha (96 MB) and
/// the decoder's own buffers. With `preview_pool`'s workers this bounds all decoding.
pub const DECODE_BUDGET_BYTES: u64 = 128 * 1024 * 1024;

/// Why an upload got no preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Not a format we make previews of.
    NotAnImage,
    /// Over `MAX_PIXELS`, or a side over the decoder limit.
    TooManyPixels,
    /// Its decoding would take more than `DECODE_BUDGET_BYTES`.
    OverBudget,
    /// Damaged, or using something the decoder does not support.
    Undecodable,
    /// Every worker busy and the queue full (`preview_pool`).
    QueueFull,
}

impl Skipped {
    pub fn as_str(self) -> &'static str {
        match self {
            Skipped::NotAnImage => "not_an_image",
            Skipped::TooManyPixels => "too_many_pixels",
            Skipped::OverBudget => "over_decode_budget",
            Skipped::Undecodable => "undecodable",
            Skipped::QueueFull => "queue_full",
        }
    }
}

/// Whether a sniffed content type is an image we make previews of.
pub fn previewable(content_type: &str) -> bool {
    matches!(content_type, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}

/// A JPEG preview of an image no larger than `THUMBNAIL_SIDE` on its longest side,
/// or `None` when the bytes are not an image we can safely decode. CPU-bound: call
/// from a blocking task.
pub fn make(bytes: &[u8]) -> Option<Vec<u8>> {
    preview(bytes).ok()
}

/// Decodes an image after judging it by its header: over `MAX_PIXELS` or the decode
/// budget it is refused before its pixels are decoded. CPU-bound.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, Skipped> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(DECODE_BUDGET_BYTES);
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| Skipped::NotAnImage)?;
    let format = reader.format().ok_or(Skipped::NotAnImage)?;
    reader.limits(limits.clone());
    // Reads the header only (a JPEG decoder also copies the file).
    let mut decoder = reader.into_decoder().map_err(skipped_by)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Skipped::TooManyPixels);
    }
    if decode_cost(format, bytes, width, height, decoder.total_bytes()) > DECODE_BUDGET_BYTES {
        return Err(Skipped::OverBudget);
    }
    // The pixels count against `max_alloc`, so the decoder's own buffers get the rest.
    limits.reserve(decoder.total_bytes()).map_err(skipped_by)?;
    decoder.set_limits(limits).map_err(skipped_by)?;
    DynamicImage::from_decoder(decoder).map_err(skipped_by)
}

/// A profile photo: the image's centre square at `side` × `side`, re-encoded as JPEG
/// from its pixels alone, so nothing of the upload's metadata (EXIF with a place and a
/// camera, comments, colour profiles) survives. CPU-bound: call from a blocking task.
pub fn photo(bytes: &[u8], side: u32) -> Result<Vec<u8>, Skipped> {
    let image = decode(bytes)?;
    let (x, y, square) = parta_domain::profile::centre_square(image.width(), image.height());
    if square == 0 {
        return Err(Skipped::Undecodable);
    }
    // Cut and shrunk without copying the whole image again.
    let pixels = image.into_rgb8();
    let square = image::imageops::crop_imm(&pixels, x, y, square, square);
    let resized = image::imageops::resize(&*square, side, side, image::imageops::FilterType::Lanczos3);
    let mut out = Cursor::new(Vec::new());
    resized.write_to(&mut out, ImageFormat::Jpeg).map_err(|_| Skipped::Undecodable)?;
    Ok(out.into_inner())
}

/// As `make`, saying why there is no preview.
pub fn preview(bytes: &[u8]) -> Result<Vec<u8>, Skipped> {
    let image = decode(bytes)?;
    let preview = if image.width().max(image.height()) > THUMBNAIL_SIDE {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        image
    };
    let mut out = Cursor::new(Vec::new());
    preview.to_rgb8().write_to(&mut out, ImageFormat::Jpeg).map_err(|_| Skipped::Undecodable)?;
    Ok(out.into_inner())
}

fn skipped_by(error: ImageError) -> Skipped {
    match error {
        ImageError::Limits(limit) if limit.kind() == LimitErrorKind::DimensionError => Skipped::TooManyPixels,
        ImageError::Limits(_) => Skipped::OverBudget,
        _ => Skipped::Undecodable,
    }
}

/// Bytes a decode holds at its peak besides the upload: the pixels (`pixel_bytes`)
/// and what the format's decoder keeps beside them.
fn decode_cost(format: ImageFormat, bytes: &[u8], width: u32, height: u32, pixel_bytes: u64) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    let file = bytes.len() as u64;
    let beside = match format {
        // Its own copy of the file, and for some files every DCT coefficient.
        ImageFormat::Jpeg => file + jpeg_coefficient_bytes(bytes).unwrap_or(8 * pixels),
        // Its own copy of the data; a lossy image decodes to YUV planes and alpha first.
        ImageFormat::WebP => file + 3 * pixels,
        // A frame may be decoded aside before it is placed on the canvas.
        ImageFormat::Gif => pixel_bytes,
        // PNG decodes row by row straight into the pixels.
        _ => 0,
    };
    pixel_bytes.saturating_add(beside)
}

/// The DCT coefficients zune-jpeg keeps for a whole JPEG, in bytes: none for a
/// sequential file whose first scan holds every component (decoded a row of blocks at
/// a time); otherwise (progressive, or components in separate scans) 2 bytes for each
/// of every component's coefficients. `None` when the markers before the first scan
/// cannot be read.
fn jpeg_coefficient_bytes(bytes: &[u8]) -> Option<u64> {
    // (sequential, coefficients, components) of the frame header.
    let mut frame: Option<(bool, u64, usize)> = None;
    let mut at = 2; // past the start of image
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1; // fill bytes
        }
        let marker = *bytes.get(at)?;
        at += 1;
        if matches!(marker, 0x01 | 0xD0..=0xD8) {
            continue; // markers without a segment
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        let segment = bytes.get(at + 2..at + length.max(2))?;
        match marker {
            // Start of frame (0xC4, 0xC8 and 0xCC are tables and a reserved code).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                frame = Some(jpeg_frame(matches!(marker, 0xC0 | 0xC1), segment)?);
            }
            // Start of scan: its first byte is how many components it holds.
            0xDA => {
                let (sequential, coefficients, components) = frame?;
                let interleaved = usize::from(*segment.first()?) == components;
                return Some(if sequential && interleaved { 0 } else { 2 * coefficients });
            }
            _ => {}
        }
        at += length;
    }
}

/// (sequential, coefficients, components) from a start-of-frame segment: precision,
/// height, width, then each component's id, sampling factors and table.
fn jpeg_frame(sequential: bool, segment: &[u8]) -> Option<(bool, u64, usize)> {
    let height = u64::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
    let width = u64::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
    let count = usize::from(*segment.get(5)?);
    let sampling: Vec<(u64, u64)> = segment
        .get(6..6 + 3 * count)?
        .chunks_exact(3)
        .map(|c| (u64::from(c[1] >> 4).max(1), u64::from(c[1] & 0x0F).max(1)))
        .collect();
    let h_max = sampling.iter().map(|s| s.0).max()?;
    let v_max = sampling.iter().map(|s| s.1).max()?;
    let mcus = width.div_ceil(8 * h_max) * height.div_ceil(8 * v_max);
    let blocks_per_mcu: u64 = sampling.iter().map(|(h, v)| h * v).sum();
    Some((sequential, mcus * blocks_per_mcu * 64, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    mod bomb {
        include!("../tests/api/png_bomb.rs");
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    /// A PNG whose header claims other dimensions, its checksum made right again.
    fn claiming(mut png: Vec<u8>, width: u32, height: u32) -> Vec<u8> {
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = bomb::png_crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn a_large_image_becomes_a_small_jpeg() {
        let preview = make(&png(1200, 600)).expect("preview");
        let decoded = image::load_from_memory(&preview).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (480, 240));
        assert_eq!(&preview[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn a_photo_is_the_centre_square_at_its_side() {
        // Left third red, middle blue, right third red: the centre square is blue.
        let image = image::RgbImage::from_fn(900, 300, |x, _| {
            if (300..600).contains(&x) { image::Rgb([0, 0, 255]) } else { image::Rgb([255, 0, 0]) }
        });
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("encode");
        let photo = photo(out.get_ref(), 256).expect("a photo");
        let decoded = image::load_from_memory(&photo).expect("decodes").to_rgb8();
        assert_eq!(decoded.dimensions(), (256, 256));
        let centre = decoded.get_pixel(128, 128);
        assert!(centre[2] > 200 && centre[0] < 60, "{centre:?}");
        assert_eq!(&photo[..3], &[0xFF, 0xD8, 0xFF]);
        assert_eq!(super::photo(b"not an image", 256), Err(Skipped::NotAnImage));
        assert_eq!(super::photo(&claiming(png(1, 1), 100_000, 100_000), 256), Err(Skipped::TooManyPixels));
    }

    #[test]
    fn not_an_image_or_too_large_gives_none() {
        assert!(make(b"%PDF-1.7 not an image").is_none());
        assert_eq!(preview(b"%PDF-1.7 not an image"), Err(Skipped::NotAnImage));
        let bomb = claiming(png(1, 1), 100_000, 100_000);
        assert!(make(&bomb).is_none());
        assert_eq!(preview(&bomb), Err(Skipped::TooManyPixels));
    }

    #[test]
    fn a_small_png_of_many_pixels_gets_no_preview() {
        // The image: 258 KB that decode to 254 MiB, within the side limit.
        let bomb = bomb::png_bomb(12_000, 7_400);
        assert!(bomb.len() < 300 * 1024, "{} bytes", bomb.len());
        assert!(make(&bomb).is_none(), "12000 × 7400 pixels got a preview");
    }

    #[test]
    fn the_pixel_count_is_judged_from_the_header_alone() {
        // A row over the limit is refused before its pixels are decoded: the one-pixel
        // image data behind this header would fail to decode.
        let just_over = claiming(png(1, 1), 6_000, 4_001);
        assert_eq!(preview(&just_over), Err(Skipped::TooManyPixels));
        assert_eq!(preview(&bomb::png_bomb(12_000, 7_400)), Err(Skipped::TooManyPixels));
        // At the limit the same header is decoded, and fails there.
        let at_limit = claiming(png(1, 1), 6_000, 4_000);
        assert_eq!(preview(&at_limit), Err(Skipped::Undecodable));
    }

    #[test]
    fn the_budget_counts_what_each_decoder_keeps() {
        let (width, height) = (6_000, 4_000);
        let rgb = 3 * 24_000_000;
        // A 24 MP PNG costs its pixels and fits.
        assert_eq!(decode_cost(ImageFormat::Png, &[], width, height, rgb), rgb);
        assert!(decode_cost(ImageFormat::Png, &[], width, height, rgb) <= DECODE_BUDGET_BYTES);
        // A progressive JPEG of the same size keeps its coefficients too: over the budget.
        let progressive = jpeg_header(0xC2, width as u16, height as u16, 3, 0x11);
        assert_eq!(jpeg_coefficient_bytes(&progressive), Some(2 * 3 * 24_000_000));
        assert!(decode_cost(ImageFormat::Jpeg, &progressive, width, height, rgb) > DECODE_BUDGET_BYTES);
        // A baseline JPEG with every component in its first scan keeps none.
        let baseline = jpeg_header(0xC0, width as u16, height as u16, 3, 0x11);
        assert_eq!(jpeg_coefficient_bytes(&baseline), Some(0));
        // …unless its components come in separate scans.
        let separate = jpeg_header(0xC0, width as u16, height as u16, 1, 0x11);
        assert_eq!(jpeg_coefficient_bytes(&separate), Some(2 * 3 * 24_000_000));
        // 4:2:0 chroma: a quarter of the samples each.
        let subsampled = jpeg_header(0xC2, 16, 16, 3, 0x22);
        assert_eq!(jpeg_coefficient_bytes(&subsampled), Some(2 * (256 + 64 + 64)));
        assert_eq!(jpeg_coefficient_bytes(b"\xFF\xD8garbage"), None);
    }

    #[test]
    fn a_real_jpeg_is_read_as_sequential_and_interleaved() {
        let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
        assert_eq!(jpeg_coefficient_bytes(out.get_ref()), Some(0));
        assert!(make(out.get_ref()).is_some());
    }

    /// Start of image, a frame header of three components (the first with `luma`
    /// sampling, the others 1×1), and a scan header holding `in_first_scan` of them.
    fn jpeg_header(frame: u8, width: u16, height: u16, in_first_scan: u8, luma: u8) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00]; // an empty APP0
        out.extend_from_slice(&[0xFF, frame, 0x00, 17, 8]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[3, 1, luma, 0, 2, 0x11, 1, 3, 0x11, 1]);
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 6 + 2 * in_first_scan, in_first_scan]);
        out.extend((0..in_first_scan).flat_map(|i| [i + 1, 0]));
        out.extend_from_slice(&[0, 63, 0]);
        out
    }
}
