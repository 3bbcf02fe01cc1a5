// A valid black PNG of any size in a few hundred kilobytes: the decompression bomb of
// the image-preview issue (12000 × 7400 pixels in 259 KB, 254 MiB once decoded). The
// API tests, the thumbnail unit tests and `parta-bench probe images` include this file.
//
// The pixels are all zero, so the deflate stream is one literal zero and then copies of
// 258 bytes at distance 1, in a dynamic Huffman block where that copy and its distance
// take one bit each: two bits per 258 decoded bytes.

/// An 8-bit RGB PNG of `width` × `height` black pixels.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let row = 1 + 3 * u64::from(width); // each row: filter type 0, then its bytes
    let decoded = row * u64::from(height);
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter set, not interlaced
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &header);
    png_chunk(&mut png, b"IDAT", &zlib_zeros(decoded));
    png_chunk(&mut png, b"IEND", &[]);
    png
}

fn png_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = png_crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO 3309, as PNG chunks use it), bit by bit.
pub fn png_crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zlib stream that inflates to `count` zero bytes (`count` ≥ 1).
fn zlib_zeros(count: u64) -> Vec<u8> {
    let mut bits = DeflateBits::default();
    bits.put(1, 1); // the last block
    bits.put(2, 2); // dynamic Huffman codes
    bits.put(286 - 257, 5); // literal/length codes 0..=285
    bits.put(2 - 1, 5); // distance codes 0 and 1
    bits.put(18 - 4, 4); // code length code lengths given, in the order below
    // Lengths of the code length codes: 18 (a run of zeros) gets 1 bit, 1 and 2 get 2.
    for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        bits.put(
            match symbol {
                18 => 1,
                1 | 2 => 2,
                _ => 0,
            },
            3,
        );
    }
    // Canonical codes: 18 → 0, 1 → 10, 2 → 11.
    let (run_of_zeros, one, two) = ((0, 1), (0b10, 2), (0b11, 2));
    // Literal 0 and end of block get 2 bits, length 258 (symbol 285) 1 bit; both
    // distance codes 1 bit, so the distance code is complete.
    bits.code(two); // literal 0
    bits.code(run_of_zeros);
    bits.put(138 - 11, 7); // literals 1..=138
    bits.code(run_of_zeros);
    bits.put(117 - 11, 7); // literals 139..=255
    bits.code(two); // end of block
    bits.code(run_of_zeros);
    bits.put(28 - 11, 7); // lengths 257..=284
    bits.code(one); // length 258
    bits.code(one); // distance 1
    bits.code(one); // distance 2
    // Canonical codes: length 258 → 0, literal 0 → 10, end of block → 11; distance 1 → 0.
    let (copy_258, literal_zero, end) = ((0, 1), (0b10, 2), (0b11, 2));
    bits.code(literal_zero);
    let rest = count - 1;
    for _ in 0..rest / 258 {
        bits.code(copy_258);
        bits.code((0, 1));
    }
    for _ in 0..rest % 258 {
        bits.code(literal_zero);
    }
    bits.code(end);
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&bits.finish());
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let adler = (((count % 65_521) as u32) << 16) | 1;
    zlib.extend_from_slice(&adler.to_be_bytes());
    zlib
}

/// Deflate's bit order: values least significant bit first, Huffman codes most
/// significant bit first.
#[derive(Default)]
struct DeflateBits {
    bytes: Vec<u8>,
    current: u8,
    used: u8,
}

impl DeflateBits {
    fn bit(&mut self, bit: u32) {
        self.current |= ((bit & 1) as u8) << self.used;
        self.used += 1;
        if self.used == 8 {
            self.bytes.push(self.current);
            (self.current, self.used) = (0, 0);
        }
    }

    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.bit(value >> i);
        }
    }

    fn code(&mut self, (code, length): (u32, u32)) {
        for i in (0..length).rev() {
            self.bit(code >> i);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.bytes.push(self.current);
        }
        self.bytes
    }
}
