//! WhatsApp's «export chat» text. Each message begins with a line stamped with the
//! phone's wall-clock time — Android `dd.mm.yyyy, hh:mm - Имя: текст`,
//! `m/d/yy, h:mm AM - Name: text` or `dd/mm/yyyy, hh:mm - Name: text`; iOS
//! `[dd.mm.yyyy, hh:mm:ss] Имя: текст` — and every line that does not continues the
//! message before it. A stamped line without `Name:` is WhatsApp's own (encryption
//! notes, joins), skipped. A file comes as the first line of its message:
//! `IMG-….jpg (файл добавлен)`, `… (file attached)`, `<attached: …>`,
//! `<прикреплено: …>`, or as «without media» when the export left it out. Whether
//! `a/b/` is day first or month first is decided once for the whole file.

use std::collections::HashMap;

use jiff::civil::{Date, DateTime, Time};

use super::{Entry, Export, ExportError, Media, Skip, Source, When, cut_body};

/// A stamp as written: the date's three numbers, the time, the text after it.
struct Stamp<'a> {
    date: [u32; 3],
    /// The date's separator: `.`, `/` or `-`.
    separator: char,
    /// Digits of the date's last number (a two-digit year is this century's).
    year_digits: usize,
    hour: u32,
    minute: u32,
    second: u32,
    /// `Some(true)` for PM, `Some(false)` for AM, `None` for a 24-hour clock.
    pm: Option<bool>,
    rest: &'a str,
}

/// The marks WhatsApp puts before a line's text (left-to-right marks, a BOM).
fn strip_marks(line: &str) -> &str {
    line.trim_start_matches(['\u{200e}', '\u{200f}', '\u{feff}', '\u{202a}', '\u{202c}'])
}

fn numbers(text: &str, separators: &[char], max_digits: &[usize]) -> Option<(Vec<u32>, char)> {
    let separator = text.chars().find(|c| separators.contains(c))?;
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.len() != max_digits.len() {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len());
    for (part, max) in parts.iter().zip(max_digits) {
        if part.is_empty() || part.len() > *max || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push(part.parse().ok()?);
    }
    Some((out, separator))
}

/// `hh:mm`, `hh:mm:ss`, either with ` AM`/` PM` (a space, a no-break space or a
/// narrow one before it, `a.m.` spelled out too).
fn clock(text: &str) -> Option<(u32, u32, u32, Option<bool>)> {
    let text = text.trim_end();
    let lower = text.to_ascii_lowercase();
    let (digits, pm) = if let Some(stripped) = lower.strip_suffix("pm").or(lower.strip_suffix("p.m.")) {
        (stripped, Some(true))
    } else if let Some(stripped) = lower.strip_suffix("am").or(lower.strip_suffix("a.m.")) {
        (stripped, Some(false))
    } else {
        (lower.as_str(), None)
    };
    let digits = digits.trim_end_matches([' ', '\u{a0}', '\u{202f}']);
    if let Some((n, _)) = numbers(digits, &[':'], &[2, 2, 2]) {
        return Some((n[0], n[1], n[2], pm));
    }
    let (n, _) = numbers(digits, &[':'], &[2, 2])?;
    Some((n[0], n[1], 0, pm))
}

/// A line's stamp, if it begins a message.
fn stamp(line: &str) -> Option<Stamp<'_>> {
    let line = strip_marks(line);
    let (head, rest) = if let Some(inner) = line.strip_prefix('[') {
        let (head, rest) = inner.split_once(']')?;
        (head, rest.strip_prefix(' ').unwrap_or(rest))
    } else {
        let (head, rest) = line.split_once(" - ")?;
        (head, rest)
    };
    let (date, time) = head.split_once(", ").or_else(|| head.split_once(' '))?;
    let (date_numbers, separator) = numbers(date.trim(), &['.', '/', '-'], &[4, 2, 4])?;
    let year_digits = date.trim().rsplit(separator).next().map_or(0, str::len);
    let (hour, minute, second, pm) = clock(time.trim())?;
    Some(Stamp {
        date: [date_numbers[0], date_numbers[1], date_numbers[2]],
        separator,
        year_digits,
        hour,
        minute,
        second,
        pm,
        rest: strip_marks(rest),
    })
}

/// How the file writes dates, judged from all its stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

fn order_of(stamps: &[&Stamp<'_>]) -> Order {
    if stamps.iter().any(|s| s.date[0] > 31) {
        return Order::YearMonthDay;
    }
    if stamps.iter().all(|s| s.separator == '.') {
        return Order::DayMonthYear;
    }
    if stamps.iter().any(|s| s.date[0] > 12) {
        return Order::DayMonthYear;
    }
    if stamps.iter().any(|s| s.date[1] > 12) {
        return Order::MonthDayYear;
    }
    if stamps.iter().any(|s| s.pm.is_some()) { Order::MonthDayYear } else { Order::DayMonthYear }
}

fn date_time(stamp: &Stamp<'_>, order: Order) -> Option<DateTime> {
    let [a, b, c] = stamp.date;
    let (year, month, day) = match order {
        Order::DayMonthYear => (c, b, a),
        Order::MonthDayYear => (c, a, b),
        Order::YearMonthDay => (a, b, c),
    };
    let year = if order != Order::YearMonthDay && stamp.year_digits <= 2 { 2000 + year } else { year };
    let hour = match stamp.pm {
        None => stamp.hour,
        Some(_) if stamp.hour == 0 || stamp.hour > 12 => return None,
        Some(false) => stamp.hour % 12,
        Some(true) => stamp.hour % 12 + 12,
    };
    let date = Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()?;
    let time =
        Time::new(i8::try_from(hour).ok()?, i8::try_from(stamp.minute).ok()?, i8::try_from(stamp.second).ok()?, 0)
            .ok()?;
    Some(date.to_datetime(time))
}

/// The file a message's first line names, in each way WhatsApp writes it.
fn attachment(first_line: &str) -> Option<Result<Media, ()>> {
    let line = strip_marks(first_line).trim();
    let lower = line.to_lowercase();
    const LEFT_OUT: [&str; 8] = [
        "<media omitted>",
        "<без медиафайлов>",
        "<медиафайл отсутствует>",
        "image omitted",
        "video omitted",
        "document omitted",
        "изображение отсутствует",
        "видео отсутствует",
    ];
    if LEFT_OUT.contains(&lower.as_str()) {
        return Some(Ok(Media::NotIncluded));
    }
    let name = if let Some(inner) = line.strip_prefix('<').and_then(|l| l.strip_suffix('>')) {
        let (label, name) = inner.split_once(':')?;
        if !["attached", "прикреплено", "прикреплён файл", "вложение"].contains(&label.trim().to_lowercase().as_str())
        {
            return None;
        }
        name.trim()
    } else {
        let cut = ["(файл добавлен)", "(file attached)", "(прикреплён файл)"]
            .iter()
            .find_map(|mark| line.strip_suffix(mark))?;
        cut.trim()
    };
    let photo = {
        let lower = name.to_lowercase();
        [".jpg", ".jpeg", ".png", ".webp", ".gif"].iter().any(|ext| lower.ends_with(ext))
    };
    Some(crate::zipread::safe_relative(name).map(|path| Media::File { path, photo }).ok_or(()))
}

struct Draft {
    line: usize,
    at: DateTime,
    author: String,
    text: String,
}

/// Reads a WhatsApp `.txt` (`part` names it in errors).
pub fn parse(part: &str, text: &str) -> Result<Export, ExportError> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let stamps: Vec<Option<Stamp>> = lines.iter().map(|l| stamp(l)).collect();
    let found: Vec<&Stamp> = stamps.iter().flatten().collect();
    if found.is_empty() {
        return Err(ExportError::new(part, "unknown_format"));
    }
    let order = order_of(&found);
    let mut export = Export { source: Source::WhatsApp, chat_name: None, entries: Vec::new(), skipped: Vec::new() };
    let mut drafts: Vec<Draft> = Vec::new();
    // Whether the lines now being read continue a message (not a skipped system line).
    let mut continuing = false;
    for (index, (line, stamp)) in lines.iter().zip(&stamps).enumerate() {
        let number = index + 1;
        let Some(stamp) = stamp else {
            if continuing && let Some(last) = drafts.last_mut() {
                last.text.push('\n');
                last.text.push_str(line);
            } else if !line.trim().is_empty() && !continuing && drafts.is_empty() {
                export.skipped.push(Skip { reason: "stray_line", at: number.to_string() });
            }
            continue;
        };
        let Some(at) = date_time(stamp, order) else {
            export.skipped.push(Skip { reason: "bad_time", at: number.to_string() });
            continuing = false;
            continue;
        };
        let Some((author, body)) = stamp.rest.split_once(": ") else {
            export.skipped.push(Skip { reason: "service_message", at: number.to_string() });
            continuing = false;
            continue;
        };
        let author = strip_marks(author).trim();
        if author.is_empty() {
            export.skipped.push(Skip { reason: "no_author", at: number.to_string() });
            continuing = false;
            continue;
        }
        if drafts.len() >= super::MESSAGES_LIMIT {
            return Err(ExportError::new(part, "too_many_messages"));
        }
        drafts.push(Draft { line: number, at, author: author.to_owned(), text: body.to_owned() });
        continuing = true;
    }
    let mut seen: HashMap<(DateTime, String, String), u32> = HashMap::new();
    for draft in drafts {
        let (first, rest) = draft.text.split_once('\n').unwrap_or((&draft.text, ""));
        let (media, mut body) = match attachment(first) {
            Some(Ok(media)) => (Some(media), rest.to_owned()),
            Some(Err(())) => return Err(ExportError::at_line(part, draft.line as u64, "unsafe_path")),
            None => (None, draft.text.clone()),
        };
        let body_trimmed = body.trim_end().len();
        body.truncate(body_trimmed);
        if body.trim().is_empty() && media.is_none() {
            export.skipped.push(Skip { reason: "empty_message", at: draft.line.to_string() });
            continue;
        }
        let ordinal = seen.entry((draft.at, draft.author.clone(), draft.text.clone())).or_insert(0);
        *ordinal += 1;
        let digest = crate::secrets::sha256_hex(
            format!("{}\u{1f}{}\u{1f}{}\u{1f}{}", draft.at, draft.author, draft.text, ordinal).as_bytes(),
        );
        if cut_body(&mut body) {
            export.skipped.push(Skip { reason: "text_cut", at: draft.line.to_string() });
        }
        export.entries.push(Entry {
            key: format!("wa:{}", &digest[..32]),
            author: draft.author,
            at: When::Local(draft.at),
            text: body,
            reply_to: None,
            forwarded_from: None,
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

    fn local(text: &str) -> When {
        When::Local(text.parse().expect("test input"))
    }

    #[test]
    fn android_russian_with_continuations_and_media() {
        let text = "12.01.2024, 09:05 - Сообщения и звонки защищены сквозным шифрованием.\n\
            12.01.2024, 09:06 - Анна Смирнова: Доброе утро!\nВторая строка\n\n\
            12.01.2024, 09:07 - Борис: IMG-20240112-WA0001.jpg (файл добавлен)\nПодпись\n\
            13.01.2024, 21:40 - Борис: <Без медиафайлов>\n";
        let export = parse("chat.txt", text).expect("test input");
        assert_eq!(export.entries.len(), 3);
        assert_eq!(export.entries[0].author, "Анна Смирнова");
        assert_eq!(export.entries[0].text, "Доброе утро!\nВторая строка");
        assert_eq!(export.entries[0].at, local("2024-01-12T09:06"));
        assert_eq!(export.entries[1].media, Some(Media::File { path: "IMG-20240112-WA0001.jpg".into(), photo: true }));
        assert_eq!(export.entries[1].text, "Подпись");
        assert_eq!(export.entries[2].media, Some(Media::NotIncluded));
        assert_eq!(export.skipped[0].reason, "service_message");
    }

    #[test]
    fn english_month_first_with_am_pm_and_ios_brackets() {
        let text = "1/5/24, 9:05\u{202f}PM - Ann: Hello\n1/13/24, 12:10 AM - Bob: Late\n";
        let export = parse("chat.txt", text).expect("test input");
        assert_eq!(export.entries[0].at, local("2024-01-05T21:05"));
        assert_eq!(export.entries[1].at, local("2024-01-13T00:10"));

        let day_first = "13/01/2024, 18:30 - Ann: Привет\n14/01/2024, 08:00 - Bob: Hi\n";
        assert_eq!(parse("chat.txt", day_first).expect("test input").entries[0].at, local("2024-01-13T18:30"));

        let ios = "[12.01.2024, 09:06:07] Анна: Привет\n\u{200e}[12.01.2024, 09:07:00] Борис: \u{200e}<attached: 00000012-PHOTO-2024-01-12-09-07-00.jpg>\n";
        let export = parse("_chat.txt", ios).expect("test input");
        assert_eq!(export.entries[0].at, local("2024-01-12T09:06:07"));
        assert!(matches!(&export.entries[1].media, Some(Media::File { photo: true, .. })));
    }

    #[test]
    fn the_same_text_twice_gets_two_keys_that_do_not_change() {
        let text = "12.01.2024, 09:06 - Анна: Да\n12.01.2024, 09:06 - Анна: Да\n";
        let first = parse("chat.txt", text).expect("test input");
        let again = parse("chat.txt", text).expect("test input");
        assert_ne!(first.entries[0].key, first.entries[1].key);
        assert_eq!(first.entries, again.entries);
    }

    #[test]
    fn hostile_names_and_unknown_text_are_refused() {
        let text = "12.01.2024, 09:07 - Борис: ../../x.jpg (файл добавлен)\n";
        assert_eq!(parse("chat.txt", text).expect_err("refused").code, "unsafe_path");
        assert_eq!(parse("chat.txt", "просто текст").expect_err("refused").code, "unknown_format");
    }
}
