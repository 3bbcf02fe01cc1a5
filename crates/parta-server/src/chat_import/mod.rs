//! A chat's history exported from another messenger, taken apart without touching a
//! database or the disk: Telegram Desktop's `result.json` (telegram.rs) and
//! WhatsApp's «export chat» text in its Russian and English formats (whatsapp.rs),
//! bare or in a zip with their media (bundle.rs); authors matched to a chat's members
//! by name (authors.rs). The parsers are pure functions over bytes, fuzzed
//! (`fuzz/fuzz_targets/chat_import_*.rs`). What an export does to a chat is
//! `actions::chat_import`'s.

pub mod authors;
pub mod bundle;
pub mod telegram;
pub mod whatsapp;

/// The most a `result.json` or a WhatsApp `.txt` may hold, and one line of it.
pub const TEXT_LIMIT: u64 = 64 << 20;
pub const LINE_LIMIT: usize = 1 << 20;
/// The most messages one export brings.
pub const MESSAGES_LIMIT: usize = 200_000;
/// The longest text one imported message keeps (longer is cut, and said so).
pub const BODY_LIMIT: usize = 16_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Telegram,
    WhatsApp,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Telegram => "telegram",
            Source::WhatsApp => "whatsapp",
        }
    }
}

/// When a message was written: Telegram says the instant; WhatsApp the wall clock
/// of the phone, whose zone the importer chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum When {
    /// Milliseconds since the Unix epoch.
    Instant(i64),
    Local(jiff::civil::DateTime),
}

impl When {
    /// The instant, the local times read in `zone`.
    pub fn in_zone(self, zone: &jiff::tz::TimeZone) -> Option<i64> {
        match self {
            When::Instant(ms) => Some(ms),
            When::Local(at) => at.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_millisecond()),
        }
    }
}

/// A photo or file a message carries, by its path inside the export (already checked
/// to stay inside it), or known to be left out of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    File { path: String, photo: bool },
    NotIncluded,
}

/// One message of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Unique within the export and the same in every export of the same history:
    /// Telegram's message id, or a digest of WhatsApp's time, author, text and the
    /// ordinal of that triple.
    pub key: String,
    pub author: String,
    pub at: When,
    pub text: String,
    /// The key of the message it answers.
    pub reply_to: Option<String>,
    /// Whose message it forwards, by name.
    pub forwarded_from: Option<String>,
    pub media: Option<Media>,
}

/// What an export has that is not imported, and why (`service_message`,
/// `empty_message`, `no_author`, `stray_line`, `text_cut`, `bad_time`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub reason: &'static str,
    /// The message id or line.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub source: Source,
    pub chat_name: Option<String>,
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skip>,
}

/// Why an export is refused whole: `part` names the file (`upload` for the body), and
/// the line where it is one line's fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub part: String,
    pub line: Option<u64>,
    /// `too_large`, `line_too_long`, `not_utf8`, `invalid_json`, `unknown_format`,
    /// `no_messages`, `too_many_messages`, `unsafe_path`, `not_a_zip`,
    /// `size_mismatch` (a zip bomb), `too_many_files`, `unreadable`, `no_history`,
    /// `two_histories`.
    pub code: &'static str,
}

impl ExportError {
    pub fn new(part: &str, code: &'static str) -> ExportError {
        ExportError { part: part.to_owned(), line: None, code }
    }

    pub fn at_line(part: &str, line: u64, code: &'static str) -> ExportError {
        ExportError { part: part.to_owned(), line: Some(line), code }
    }

    /// The field a problem names: the part, and its line where there is one.
    pub fn field(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.part),
            None => self.part.clone(),
        }
    }
}

/// Text as UTF-8 (a BOM allowed) with no line over `LINE_LIMIT` bytes, or refused
/// with the line at fault.
pub fn checked_text<'a>(part: &str, bytes: &'a [u8]) -> Result<&'a str, ExportError> {
    if bytes.len() as u64 > TEXT_LIMIT {
        return Err(ExportError::new(part, "too_large"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let line = bytes[..error.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
            return Err(ExportError::at_line(part, line, "not_utf8"));
        }
    };
    for (index, line) in text.split('\n').enumerate() {
        if line.len() > LINE_LIMIT {
            return Err(ExportError::at_line(part, index as u64 + 1, "line_too_long"));
        }
    }
    Ok(text)
}

/// Cuts a text to `BODY_LIMIT` characters at most; whether it was cut.
pub fn cut_body(text: &mut String) -> bool {
    match text.char_indices().nth(BODY_LIMIT) {
        Some((at, _)) => {
            text.truncate(at);
            true
        }
        None => false,
    }
}

/// Reads an export given as one text (`result.json` or WhatsApp's `.txt`), telling
/// them apart by their first character.
pub fn parse_text(part: &str, bytes: &[u8]) -> Result<Export, ExportError> {
    let text = checked_text(part, bytes)?;
    if text.trim_start().starts_with('{') { telegram::parse(part, text) } else { whatsapp::parse(part, text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_must_be_utf8_and_lines_bounded() {
        assert_eq!(
            checked_text("a.txt", b"ok\n\xFF").expect_err("refused"),
            ExportError::at_line("a.txt", 2, "not_utf8")
        );
        let long = format!("x\n{}", "y".repeat(LINE_LIMIT + 1));
        assert_eq!(checked_text("a.txt", long.as_bytes()).expect_err("refused").code, "line_too_long");
        assert_eq!(checked_text("a.txt", b"\xEF\xBB\xBFhi").expect("test input"), "hi");
    }

    #[test]
    fn long_bodies_are_cut_on_a_character() {
        let mut text = "ё".repeat(BODY_LIMIT + 3);
        assert!(cut_body(&mut text));
        assert_eq!(text.chars().count(), BODY_LIMIT);
        let mut short = "hi".to_owned();
        assert!(!cut_body(&mut short));
    }
}
