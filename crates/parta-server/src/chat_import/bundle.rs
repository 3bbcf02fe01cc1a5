//! An upload taken apart: a bare `result.json` or WhatsApp `.txt`, or a zip holding
//! one of them with its media (Telegram's export folder zipped, WhatsApp's «with
//! media»). Every name in the zip must stay inside it (`zipread::safe_relative`),
//! or the upload is refused; the history is inflated within `TEXT_LIMIT` and must
//! come to the size it declares; each file a message names is checked the same way
//! (up to the file limit) without being kept. Reads from any `Read + Seek`: the
//! server's unlinked temporary file, or bytes in a test.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use super::{Export, ExportError, Media, TEXT_LIMIT, checked_text, telegram, whatsapp};

/// The largest upload taken (a zip with its media).
pub const UPLOAD_LIMIT: u64 = 512 << 20;
/// The most entries a zip may list.
pub const ENTRIES_LIMIT: usize = 20_000;

/// A file of the zip a message names: its entry and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    pub index: usize,
    pub size: u64,
}

/// Where each message's file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Found(Packed),
    /// Over the deployment's file limit: the message comes without it.
    TooLarge,
    /// Named but not in the upload, or left out by the export.
    Missing,
}

#[derive(Debug)]
pub struct Opened {
    pub export: Export,
    /// Per entry of `export.entries` that names a file.
    pub files: HashMap<usize, FileState>,
    pub zipped: bool,
}

/// Reads an upload. `file_limit`: the largest file a message may bring.
pub fn read<R: Read + Seek>(mut reader: R, file_limit: u64) -> Result<Opened, ExportError> {
    let mut magic = [0u8; 2];
    let got = reader.read(&mut magic).map_err(|_| ExportError::new("upload", "unreadable"))?;
    reader.seek(SeekFrom::Start(0)).map_err(|_| ExportError::new("upload", "unreadable"))?;
    if got == 2 && &magic == b"PK" {
        return read_zip(reader, file_limit);
    }
    let mut bytes = Vec::new();
    reader.take(TEXT_LIMIT + 1).read_to_end(&mut bytes).map_err(|_| ExportError::new("upload", "unreadable"))?;
    let export = super::parse_text("upload", &bytes)?;
    let files = export
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.media.is_some())
        .map(|(i, _)| (i, FileState::Missing))
        .collect();
    Ok(Opened { export, files, zipped: false })
}

fn is_whatsapp_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "_chat.txt" || lower.starts_with("whatsapp") || lower.starts_with("чат whatsapp")
}

fn read_zip<R: Read + Seek>(reader: R, file_limit: u64) -> Result<Opened, ExportError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| ExportError::new("upload", "not_a_zip"))?;
    if archive.len() > ENTRIES_LIMIT {
        return Err(ExportError::new("upload", "too_many_files"));
    }
    // Every name first: one reaching outside refuses the upload, whatever it holds.
    let mut names: Vec<(String, usize, u64)> = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|_| ExportError::new("upload", "not_a_zip"))?;
        let raw = entry.name().map_err(|_| ExportError::new("upload", "not_a_zip"))?.to_string();
        let Some(name) = crate::zipread::safe_relative(&raw) else {
            return Err(ExportError::new("upload", "unsafe_path"));
        };
        if !entry.is_dir() {
            names.push((name, index, entry.size()));
        }
    }
    let base_name = |name: &str| name.rsplit('/').next().unwrap_or(name).to_owned();
    let telegram_files: Vec<&(String, usize, u64)> =
        names.iter().filter(|n| base_name(&n.0) == "result.json").collect();
    let texts: Vec<&(String, usize, u64)> =
        names.iter().filter(|n| n.0.to_lowercase().ends_with(".txt") && !base_name(&n.0).starts_with('.')).collect();
    let history = match (telegram_files.as_slice(), texts.as_slice()) {
        ([one], _) => (*one).clone(),
        ([], [one]) => (*one).clone(),
        ([], several) if !several.is_empty() => {
            let named: Vec<&&(String, usize, u64)> =
                several.iter().filter(|n| is_whatsapp_name(&base_name(&n.0))).collect();
            match named.as_slice() {
                [one] => (**one).clone(),
                _ => return Err(ExportError::new("upload", "two_histories")),
            }
        }
        ([], []) => return Err(ExportError::new("upload", "no_history")),
        _ => return Err(ExportError::new("upload", "two_histories")),
    };
    let (path, index, _) = history;
    let bytes = {
        let mut entry = archive.by_index(index).map_err(|_| ExportError::new(&path, "unreadable"))?;
        crate::zipread::read_entry(&mut entry, TEXT_LIMIT).map_err(|code| ExportError::new(&path, code))?
    };
    let text = checked_text(&path, &bytes)?;
    let export =
        if base_name(&path) == "result.json" { telegram::parse(&path, text)? } else { whatsapp::parse(&path, text)? };
    drop(bytes);
    // Paths in the history are relative to its folder.
    let folder = path.rsplit_once('/').map(|(folder, _)| format!("{folder}/")).unwrap_or_default();
    let packed: HashMap<&str, Packed> = names
        .iter()
        .filter_map(|(name, index, size)| {
            name.strip_prefix(&folder).map(|rel| (rel, Packed { index: *index, size: *size }))
        })
        .collect();
    let mut files = HashMap::new();
    let mut checked: HashMap<usize, FileState> = HashMap::new();
    for (position, entry) in export.entries.iter().enumerate() {
        let state = match &entry.media {
            None => continue,
            Some(Media::NotIncluded) => FileState::Missing,
            Some(Media::File { path, .. }) => match packed.get(path.as_str()) {
                None => FileState::Missing,
                Some(found) if found.size > file_limit => FileState::TooLarge,
                Some(found) => match checked.get(&found.index) {
                    Some(state) => *state,
                    None => {
                        // Inflated to nowhere: it must come to the size it declares.
                        let mut entry =
                            archive.by_index(found.index).map_err(|_| ExportError::new(path, "unreadable"))?;
                        let mut counted = 0u64;
                        let mut buffer = [0u8; 64 * 1024];
                        let mut limited = entry.by_ref().take(found.size + 1);
                        loop {
                            let n = limited.read(&mut buffer).map_err(|_| ExportError::new(path, "unreadable"))?;
                            if n == 0 {
                                break;
                            }
                            counted += n as u64;
                        }
                        if counted != found.size {
                            return Err(ExportError::new(path, "size_mismatch"));
                        }
                        let state = FileState::Found(*found);
                        checked.insert(found.index, state);
                        state
                    }
                },
            },
        };
        files.insert(position, state);
    }
    Ok(Opened { export, files, zipped: true })
}

/// One file of the zip, read whole within `limit` and its declared size.
pub fn read_packed<R: Read + Seek>(reader: R, packed: Packed, limit: u64) -> Result<Vec<u8>, &'static str> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| "not_a_zip")?;
    let mut entry = archive.by_index(packed.index).map_err(|_| "unreadable")?;
    crate::zipread::read_entry(&mut entry, limit)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).expect("test input");
            zip.write_all(bytes).expect("test input");
        }
        zip.finish().expect("test input").into_inner()
    }

    const RESULT: &str = r#"{"name": "x", "messages": [
        {"id": 1, "type": "message", "date_unixtime": "1704103200", "from": "A", "text": "", "photo": "photos/a.jpg"},
        {"id": 2, "type": "message", "date_unixtime": "1704103200", "from": "A", "text": "", "file": "files/big.pdf"},
        {"id": 3, "type": "message", "date_unixtime": "1704103200", "from": "A", "text": "", "file": "files/gone.pdf"}]}"#;

    #[test]
    fn a_zipped_telegram_folder_finds_its_files() {
        let zip = zip_of(&[
            ("ChatExport/result.json", RESULT.as_bytes()),
            ("ChatExport/photos/a.jpg", b"jpeg"),
            ("ChatExport/files/big.pdf", &[0u8; 100]),
        ]);
        let opened = read(Cursor::new(zip), 50).expect("test input");
        assert!(matches!(opened.files[&0], FileState::Found(Packed { size: 4, .. })));
        assert_eq!(opened.files[&1], FileState::TooLarge);
        assert_eq!(opened.files[&2], FileState::Missing);
    }

    #[test]
    fn hostile_zips_are_refused() {
        let outside = zip_of(&[("result.json", RESULT.as_bytes()), ("../evil.jpg", b"x")]);
        assert_eq!(read(Cursor::new(outside), 50).expect_err("refused").code, "unsafe_path");
        let none = zip_of(&[("readme.md", b"x")]);
        assert_eq!(read(Cursor::new(none), 50).expect_err("refused").code, "no_history");
        assert_eq!(read(Cursor::new(b"PK\x03\x04broken".to_vec()), 50).expect_err("refused").code, "not_a_zip");
    }
}
