//! Telegram Desktop's JSON export of one chat (`result.json`): `messages[]` with an
//! `id`, a `type` (`message`; `service` for joins, pins and the like, skipped), the
//! time (`date_unixtime`, or the local `date` of older exports), the author (`from`,
//! `from_id`), the text (a string, or an array of strings and entity objects), the
//! message answered (`reply_to_message_id`), whose message it forwards
//! (`forwarded_from`) and a photo or file by its path inside the export (or a note
//! that it was not included).

use serde::Deserialize;

use super::{Entry, Export, ExportError, Media, Skip, Source, When, cut_body};

#[derive(Deserialize)]
struct Root {
    name: Option<String>,
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    id: i64,
    #[serde(rename = "type", default)]
    kind: String,
    date: Option<String>,
    date_unixtime: Option<String>,
    from: Option<String>,
    from_id: Option<String>,
    #[serde(default)]
    text: Text,
    reply_to_message_id: Option<i64>,
    forwarded_from: Option<String>,
    photo: Option<String>,
    file: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Plain(String),
    Parts(Vec<Part>),
    Other(#[allow(dead_code)] serde::de::IgnoredAny),
}

impl Default for Text {
    fn default() -> Text {
        Text::Plain(String::new())
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Part {
    Plain(String),
    Entity {
        #[serde(rename = "type", default)]
        kind: String,
        #[serde(default)]
        text: String,
        href: Option<String>,
    },
    Other(#[allow(dead_code)] serde::de::IgnoredAny),
}

impl Text {
    /// The text as Parta keeps it: entities as their text, a link with another text
    /// followed by its address.
    fn flatten(self) -> String {
        match self {
            Text::Plain(text) => text,
            Text::Other(_) => String::new(),
            Text::Parts(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Plain(text) => out.push_str(&text),
                        Part::Entity { kind, text, href } => {
                            out.push_str(&text);
                            if let Some(href) = href.filter(|h| kind == "text_link" && *h != text) {
                                out.push_str(" (");
                                out.push_str(&href);
                                out.push(')');
                            }
                        }
                        Part::Other(_) => {}
                    }
                }
                out
            }
        }
    }
}

/// A photo or file field: a path inside the export, or Telegram's note in brackets
/// that it was left out. A path reaching outside refuses the export.
fn media(part: &str, path: Option<String>, photo: bool) -> Result<Option<Media>, ExportError> {
    let Some(path) = path.filter(|p| !p.trim().is_empty()) else { return Ok(None) };
    if path.starts_with('(') {
        return Ok(Some(Media::NotIncluded));
    }
    match crate::zipread::safe_relative(&path) {
        Some(path) => Ok(Some(Media::File { path, photo })),
        None => Err(ExportError::new(part, "unsafe_path")),
    }
}

fn when(message: &Message) -> Option<When> {
    if let Some(seconds) = message.date_unixtime.as_deref().and_then(|s| s.trim().parse::<i64>().ok()) {
        return seconds.checked_mul(1000).filter(|ms| (0..=253_402_300_799_000).contains(ms)).map(When::Instant);
    }
    message.date.as_deref().and_then(|d| d.parse::<jiff::civil::DateTime>().ok()).map(When::Local)
}

/// Reads `result.json` (`part` names it in errors).
pub fn parse(part: &str, text: &str) -> Result<Export, ExportError> {
    let root: Root = serde_json::from_str(text).map_err(|e| {
        if e.is_data() || e.is_syntax() || e.is_eof() {
            ExportError::at_line(part, e.line() as u64, "invalid_json")
        } else {
            ExportError::new(part, "unreadable")
        }
    })?;
    if root.messages.len() > super::MESSAGES_LIMIT {
        return Err(ExportError::new(part, "too_many_messages"));
    }
    let mut export =
        Export { source: Source::Telegram, chat_name: root.name, entries: Vec::new(), skipped: Vec::new() };
    for message in root.messages {
        let at = message.id.to_string();
        if message.kind != "message" {
            export.skipped.push(Skip { reason: "service_message", at });
            continue;
        }
        let Some(time) = when(&message) else {
            export.skipped.push(Skip { reason: "bad_time", at });
            continue;
        };
        let author = message.from.clone().or(message.from_id.clone()).map(|a| a.trim().to_owned()).unwrap_or_default();
        if author.is_empty() {
            export.skipped.push(Skip { reason: "no_author", at });
            continue;
        }
        let media = match media(part, message.photo, true)? {
            Some(found) => Some(found),
            None => media(part, message.file, false)?,
        };
        let mut body = message.text.flatten();
        if body.trim().is_empty() && media.is_none() {
            export.skipped.push(Skip { reason: "empty_message", at });
            continue;
        }
        if cut_body(&mut body) {
            export.skipped.push(Skip { reason: "text_cut", at: at.clone() });
        }
        export.entries.push(Entry {
            key: format!("tg:{}", message.id),
            author,
            at: time,
            text: body,
            reply_to: message.reply_to_message_id.map(|id| format!("tg:{id}")),
            forwarded_from: message.forwarded_from.filter(|f| !f.trim().is_empty()),
            media,
        });
    }
    if export.entries.is_empty() {
        return Err(ExportError::new(part, "no_messages"));
    }
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
 "name": "5А родители",
 "type": "private_group",
 "id": 1,
 "messages": [
  {"id": 1, "type": "service", "date": "2024-01-01T09:00:00", "date_unixtime": "1704099600", "actor": "Анна", "action": "create_group", "text": ""},
  {"id": 2, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "1704103200", "from": "Анна Смирнова", "from_id": "user1",
   "text": ["Привет, ", {"type": "bold", "text": "всем"}, "! ", {"type": "text_link", "text": "тут", "href": "https://example.org"}],
   "text_entities": []},
  {"id": 3, "type": "message", "date_unixtime": "1704103260", "from": "Борис", "from_id": "user2", "text": "Ответ", "reply_to_message_id": 2},
  {"id": 4, "type": "message", "date_unixtime": "1704103320", "from": "Борис", "from_id": "user2", "text": "", "photo": "photos/photo_1@01-01-2024_10-02-00.jpg", "width": 10, "height": 10},
  {"id": 5, "type": "message", "date_unixtime": "1704103380", "from": "Анна Смирнова", "text": "Смотрите", "forwarded_from": "Школа", "file": "(File not included. Change data exporting settings to download.)"},
  {"id": 6, "type": "message", "date_unixtime": "1704103440", "from": "Анна Смирнова", "text": ""}
 ]
}"#;

    #[test]
    fn messages_replies_forwards_and_media_are_read() {
        let export = parse("result.json", SAMPLE).expect("test input");
        assert_eq!(export.chat_name.as_deref(), Some("5А родители"));
        assert_eq!(export.entries.len(), 4);
        let first = &export.entries[0];
        assert_eq!(first.key, "tg:2");
        assert_eq!(first.text, "Привет, всем! тут (https://example.org)");
        assert_eq!(first.at, When::Instant(1_704_103_200_000));
        assert_eq!(export.entries[1].reply_to.as_deref(), Some("tg:2"));
        assert_eq!(
            export.entries[2].media,
            Some(Media::File { path: "photos/photo_1@01-01-2024_10-02-00.jpg".into(), photo: true })
        );
        assert_eq!(export.entries[3].forwarded_from.as_deref(), Some("Школа"));
        assert_eq!(export.entries[3].media, Some(Media::NotIncluded));
        let reasons: Vec<&str> = export.skipped.iter().map(|s| s.reason).collect();
        assert_eq!(reasons, ["service_message", "empty_message"]);
    }

    #[test]
    fn a_path_outside_the_export_refuses_it() {
        let hostile = SAMPLE.replace("photos/photo_1@01-01-2024_10-02-00.jpg", "../../etc/passwd");
        assert_eq!(parse("result.json", &hostile).expect_err("refused").code, "unsafe_path");
        assert_eq!(parse("result.json", "{\"messages\": [").expect_err("refused").code, "invalid_json");
        assert_eq!(parse("result.json", "{\"messages\": []}").expect_err("refused").code, "no_messages");
    }
}
