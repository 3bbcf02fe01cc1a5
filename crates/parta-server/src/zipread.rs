//! Reading zips sent by people, within limits: the OneRoster bundle and a chat's
//! exported history both go through here. An entry is inflated only up to its limit
//! and must come to exactly the size its header declares (a zip bomb lies about it);
//! a name is judged as text only, never used as a path on the disk.

use std::io::Read;

/// Why an entry cannot be taken: `too_large` (it declares more than its limit),
/// `size_mismatch` (it inflates to other than it declares, or to the size declared
/// but not the checksum), `unreadable`.
pub type EntryError = &'static str;

/// Reads one entry whole, within `limit` bytes.
pub fn read_entry<R: Read>(entry: &mut zip::read::ZipFile<'_, R>, limit: u64) -> Result<Vec<u8>, EntryError> {
    let declared = entry.size();
    if declared > limit {
        return Err("too_large");
    }
    let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
    // One byte past what it declares is enough to catch a lie.
    if let Err(error) = entry.by_ref().take(declared + 1).read_to_end(&mut data) {
        // The zip reader stops an entry inflating past its declared size; reading
        // stopped at that size with the checksum failed is the same lie.
        let lies = error.to_string().contains("declared") || data.len() as u64 == declared;
        return Err(if lies { "size_mismatch" } else { "unreadable" });
    }
    if data.len() as u64 != declared {
        return Err("size_mismatch");
    }
    Ok(data)
}

/// A name inside an export, as a relative path of plain parts joined by `/`; `None`
/// for a name that climbs out (`..`), starts at a root or a drive, or holds a NUL or
/// a control character. `.` parts and empty parts are dropped.
pub fn safe_relative(name: &str) -> Option<String> {
    if name.starts_with(['/', '\\']) || name.chars().any(|c| c.is_control()) {
        return None;
    }
    let mut parts = Vec::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            part if part.contains(':') => return None,
            part => parts.push(part),
        }
    }
    if parts.is_empty() { None } else { Some(parts.join("/")) }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn an_entry_larger_than_it_declares_is_refused() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("result.json", options).expect("test input");
        zip.write_all(&[b'x'; 500]).expect("test input");
        let mut bytes = zip.finish().expect("test input").into_inner();
        // The local header's uncompressed size (offset 22), and the central directory's (24).
        bytes[22..26].copy_from_slice(&20u32.to_le_bytes());
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("test input");
        bytes[central + 24..central + 28].copy_from_slice(&20u32.to_le_bytes());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("test input");
        assert_eq!(read_entry(&mut archive.by_index(0).expect("test input"), 1000), Err("size_mismatch"));
        assert_eq!(read_entry(&mut archive.by_index(0).expect("test input"), 10), Err("too_large"));
    }

    #[test]
    fn only_names_inside_resolve() {
        assert_eq!(safe_relative("photos/photo_1.jpg").as_deref(), Some("photos/photo_1.jpg"));
        assert_eq!(safe_relative("./a\\b.txt").as_deref(), Some("a/b.txt"));
        for bad in ["../etc/passwd", "/etc/passwd", "a/../../b", "C:\\x", "\\\\server\\x", "a\0b", ""] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
    }
}
