//! The small formatting language of messages, parsed into plain data that clients
//! render without ever treating text as markup:
//!
//! - `**bold**`, `*italic*` or `_italic_`, `` `code` ``, `\*` for a literal star;
//! - links: `[text](https://…)` and bare `https://…`; only http, https and mailto;
//! - lines starting `- ` or `• ` are bullets, `1. ` or `1) ` numbered items;
//! - a block between lines of three backticks is code, kept verbatim;
//! - mentions `@[Name](123)`, where 123 is a person's id; the server rewrites the
//!   name to the person's own before storing, so a mention cannot pose as someone.
//!
//! Anything that does not close is text. The parser never fails.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// One paragraph, list item or code block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Block {
    pub kind: BlockKind,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BlockKind {
    /// Text; line breaks inside it are kept as `\n`.
    Paragraph,
    Bullet,
    Numbered,
    /// Verbatim text in one span.
    Code,
}

/// A run of text with one style.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bold: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub italic: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub code: bool,
    /// An http, https or mailto address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A mentioned person; `text` is their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<UserId>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Parses a message body into blocks.
pub fn parse(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = body.lines();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block { kind: BlockKind::Paragraph, spans: inline(&paragraph.join("\n")) });
            paragraph.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut paragraph, &mut blocks);
            let mut code = Vec::new();
            let mut closed = false;
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    closed = true;
                    break;
                }
                code.push(inner);
            }
            let text = code.join("\n");
            if closed || !text.is_empty() {
                blocks.push(Block { kind: BlockKind::Code, spans: vec![Span { text, code: true, ..Span::default() }] });
            }
        } else if let Some(item) = bullet(trimmed) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block { kind: BlockKind::Bullet, spans: inline(item) });
        } else if let Some(item) = numbered(trimmed) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block { kind: BlockKind::Numbered, spans: inline(item) });
        } else if trimmed.is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn bullet(line: &str) -> Option<&str> {
    ["- ", "• ", "* "].iter().find_map(|marker| line.strip_prefix(marker)).filter(|rest| !rest.trim().is_empty())
}

fn numbered(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &line[digits..];
    rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")).filter(|rest| !rest.trim().is_empty())
}

/// Whether an address may become a link.
pub fn safe_link(address: &str) -> bool {
    let lower = address.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:");
    scheme_ok
        && address.len() <= 2000
        && address.len() > lower.find(':').unwrap_or(0) + 3
        && !address.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

#[derive(Clone, Copy, Default)]
struct Style {
    bold: bool,
    italic: bool,
}

/// Inline styles of one paragraph or item.
fn inline(text: &str) -> Vec<Span> {
    let mut out = Spans::default();
    parse_inline(text, Style::default(), &mut out);
    out.spans
}

#[derive(Default)]
struct Spans {
    spans: Vec<Span>,
}

impl Spans {
    fn text(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.spans.last_mut()
            && last.bold == style.bold
            && last.italic == style.italic
            && !last.code
            && last.link.is_none()
            && last.mention.is_none()
        {
            last.text.push_str(text);
            return;
        }
        self.spans.push(Span { text: text.to_owned(), bold: style.bold, italic: style.italic, ..Span::default() });
    }

    fn push(&mut self, span: Span) {
        self.spans.push(span);
    }
}

fn parse_inline(text: &str, style: Style, out: &mut Spans) {
    let mut rest = text;
    while !rest.is_empty() {
        // Find the next character that may start something.
        let Some(at) = rest.find(['\\', '*', '_', '`', '[', '@', 'h', 'H']) else {
            out.text(rest, style);
            return;
        };
        out.text(&rest[..at], style);
        rest = &rest[at..];
        let (consumed, handled) = special(rest, text, style, out);
        if !handled {
            let len = rest.chars().next().map_or(1, char::len_utf8);
            out.text(&rest[..len], style);
            rest = &rest[len..];
        } else {
            rest = &rest[consumed..];
        }
    }
}

/// Tries to read one construct at the start of `rest`; returns the bytes consumed.
fn special(rest: &str, whole: &str, style: Style, out: &mut Spans) -> (usize, bool) {
    let first = rest.as_bytes()[0];
    match first {
        b'\\' => {
            let next = rest[1..].chars().next();
            match next {
                Some(c) if "\\*_`[]@".contains(c) => {
                    out.text(&rest[1..1 + c.len_utf8()], style);
                    (1 + c.len_utf8(), true)
                }
                _ => (0, false),
            }
        }
        b'`' => match rest[1..].find('`') {
            Some(end) if end > 0 => {
                out.push(Span { text: rest[1..1 + end].to_owned(), code: true, ..Span::default() });
                (end + 2, true)
            }
            _ => (0, false),
        },
        b'*' if rest.starts_with("**") && !style.bold => match closing(&rest[2..], "**") {
            Some(end) => {
                parse_inline(&rest[2..2 + end], Style { bold: true, ..style }, out);
                (end + 4, true)
            }
            None => (0, false),
        },
        b'*' | b'_' if !style.italic && starts_word(rest, whole) => {
            let marker = &rest[..1];
            match closing(&rest[1..], marker) {
                Some(end) if !rest[1..].starts_with(marker) => {
                    parse_inline(&rest[1..1 + end], Style { italic: true, ..style }, out);
                    (end + 2, true)
                }
                _ => (0, false),
            }
        }
        b'[' => match link(rest) {
            Some((label, address, len)) => {
                out.push(Span { text: label.to_owned(), link: Some(address.to_owned()), ..Span::default() });
                (len, true)
            }
            None => (0, false),
        },
        b'@' => match mention(rest) {
            Some((name, user, len)) => {
                out.push(Span { text: format!("@{name}"), mention: Some(user), ..Span::default() });
                (len, true)
            }
            None => (0, false),
        },
        _ if starts_word(rest, whole) => match bare_link(rest) {
            Some(address) => {
                out.push(Span { text: address.to_owned(), link: Some(address.to_owned()), ..Span::default() });
                (address.len(), true)
            }
            None => (0, false),
        },
        _ => (0, false),
    }
}

/// Whether `rest` (a suffix of `whole`) starts after a non-word character.
fn starts_word(rest: &str, whole: &str) -> bool {
    let offset = whole.len() - rest.len();
    whole[..offset].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// The end of an emphasis: the marker followed by a non-word character, with
/// something between.
fn closing(inner: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = inner[from..].find(marker) {
        let end = from + found;
        let after = inner[end + marker.len()..].chars().next();
        let before = inner[..end].chars().next_back();
        if end > 0 && before.is_some_and(|c| !c.is_whitespace()) && after.is_none_or(|c| !c.is_alphanumeric()) {
            return Some(end);
        }
        from = end + marker.len();
    }
    None
}

/// `[label](address)` with a safe address.
fn link(rest: &str) -> Option<(&str, &str, usize)> {
    let close = rest.find("](")?;
    let label = &rest[1..close];
    if label.is_empty() || label.contains(['[', ']', '\n']) {
        return None;
    }
    let after = &rest[close + 2..];
    let end = after.find(')')?;
    let address = &after[..end];
    safe_link(address).then_some((label, address, close + 2 + end + 1))
}

/// `@[Name](123)`.
fn mention(rest: &str) -> Option<(&str, UserId, usize)> {
    let rest_after_at = rest.strip_prefix("@[")?;
    let close = rest_after_at.find("](")?;
    let name = &rest_after_at[..close];
    if name.is_empty() || name.chars().count() > 120 || name.contains(['[', ']', '\n']) {
        return None;
    }
    let after = &rest_after_at[close + 2..];
    let end = after.find(')')?;
    let id: i64 = after[..end].parse().ok().filter(|id| *id > 0)?;
    Some((name, UserId(id), 2 + close + 2 + end + 1))
}

/// A bare address up to whitespace, without trailing punctuation.
fn bare_link(rest: &str) -> Option<&str> {
    let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let end = rest.find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"').unwrap_or(rest.len());
    let address = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '»', '\'']);
    safe_link(address).then_some(address)
}

/// The people a body mentions, in order, each once.
pub fn mentions(body: &str) -> Vec<UserId> {
    let mut found = Vec::new();
    for block in parse(body) {
        for span in block.spans {
            if let Some(user) = span.mention
                && !found.contains(&user)
            {
                found.push(user);
            }
        }
    }
    found
}

/// Rewrites every mention with `name_of`'s answer: the person's own name, or `None`
/// to turn the mention into plain text (someone who is not in the chat). Repeated
/// until nothing changes, so text left by a dropped mention cannot join what stood
/// before it into a new one (`@[@[x](3)y](3)`).
pub fn rewrite_mentions(body: &str, mut name_of: impl FnMut(UserId) -> Option<String>) -> String {
    let mut current = rewrite_mentions_once(body, &mut name_of);
    for _ in 0..8 {
        let next = rewrite_mentions_once(&current, &mut name_of);
        if next == current {
            return current;
        }
        current = next;
    }
    // Never reached by honest input: every pass shortens what it drops. Make the rest inert.
    current.replace("@[", "@\\[")
}

fn rewrite_mentions_once(body: &str, name_of: &mut impl FnMut(UserId) -> Option<String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("@[") {
        out.push_str(&rest[..at]);
        // Escaped as the parser reads it: an odd run of backslashes (`\\@[` is a backslash, then a mention).
        let escaped = out.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1;
        rest = &rest[at..];
        match mention(rest).filter(|_| !escaped) {
            Some((written, user, len)) => {
                match name_of(user) {
                    Some(name) => {
                        let clean: String = name.chars().filter(|c| !matches!(c, '[' | ']' | '\n')).collect();
                        out.push_str(&format!("@[{clean}]({})", user.0));
                    }
                    None => out.push_str(&format!("@{written}")),
                }
                rest = &rest[len..];
            }
            None => {
                out.push_str("@[");
                rest = &rest[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text a reader sees, without markers: for search and notifications.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut text = String::new();
    for block in blocks {
        if !text.is_empty() {
            text.push('\n');
        }
        for span in &block.spans {
            text.push_str(&span.text);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Span {
        Span { text: text.to_owned(), ..Span::default() }
    }

    fn one(body: &str) -> Vec<Span> {
        let blocks = parse(body);
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        blocks.into_iter().next().expect("one block").spans
    }

    #[test]
    fn bold_italic_and_code() {
        assert_eq!(
            one("Завтра **контрольная** по *алгебре*, `§12`"),
            vec![
                plain("Завтра "),
                Span { text: "контрольная".into(), bold: true, ..Span::default() },
                plain(" по "),
                Span { text: "алгебре".into(), italic: true, ..Span::default() },
                plain(", "),
                Span { text: "§12".into(), code: true, ..Span::default() },
            ]
        );
        assert_eq!(
            one("**жирный _и курсив_**")[1],
            Span { text: "и курсив".into(), bold: true, italic: true, ..Span::default() }
        );
    }

    #[test]
    fn markers_inside_words_and_unclosed_ones_stay_text() {
        assert_eq!(one("snake_case_name и 2*3*4"), vec![plain("snake_case_name и 2*3*4")]);
        assert_eq!(one("**не закрыто"), vec![plain("**не закрыто")]);
        assert_eq!(one("` одинокая"), vec![plain("` одинокая")]);
        assert_eq!(one(r"\*звёздочка\*"), vec![plain("*звёздочка*")]);
    }

    #[test]
    fn links_only_with_safe_schemes() {
        assert_eq!(
            one("Расписание: https://school.example/r?a=1."),
            vec![
                plain("Расписание: "),
                Span {
                    text: "https://school.example/r?a=1".into(),
                    link: Some("https://school.example/r?a=1".into()),
                    ..Span::default()
                },
                plain("."),
            ]
        );
        assert_eq!(
            one("[сайт](https://school.example)")[0],
            Span { text: "сайт".into(), link: Some("https://school.example".into()), ..Span::default() }
        );
        for hostile in ["[x](javascript:alert(1))", "[x](data:text/html,hi)", "[x](https://)", "[x](vbscript:x)"] {
            assert!(one(hostile).iter().all(|s| s.link.is_none()), "{hostile}");
        }
        assert!(!safe_link("https://a b") && !safe_link("https://a\"onmouseover=") && safe_link("mailto:a@b.ru"));
    }

    #[test]
    fn lists_code_blocks_and_paragraphs() {
        let blocks = parse("Взять:\n- тетрадь\n- линейку\n\n1. прочитать\n2) ответить\n```\nlet x = *y*;\n```\nконец");
        let kinds: Vec<BlockKind> = blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Paragraph,
                BlockKind::Bullet,
                BlockKind::Bullet,
                BlockKind::Numbered,
                BlockKind::Numbered,
                BlockKind::Code,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(blocks[5].spans[0].text, "let x = *y*;");
        assert_eq!(parse("строка один\nстрока два")[0].spans, vec![plain("строка один\nстрока два")]);
    }

    #[test]
    fn mentions_are_found_and_rewritten_to_real_names() {
        let body = "@[Директор](7) и @[Мама](8), проверьте; \\@[не упоминание](9)";
        assert_eq!(mentions(body), vec![crate::UserId(7), crate::UserId(8)]);
        let rewritten = rewrite_mentions(body, |user| (user.0 == 7).then(|| "Иванова Мария".to_owned()));
        assert_eq!(rewritten, "@[Иванова Мария](7) и @Мама, проверьте; \\@[не упоминание](9)");
        let spans = one(&rewritten);
        assert_eq!(
            spans[0],
            Span { text: "@Иванова Мария".into(), mention: Some(crate::UserId(7)), ..Span::default() }
        );
        assert_eq!(mentions(&rewritten), vec![crate::UserId(7)]);
    }

    #[test]
    fn an_escaped_backslash_before_a_mention_does_not_hide_it_from_the_rewrite() {
        let rewritten = rewrite_mentions(r"\\@[b](5) и \@[c](7)", |_| None);
        assert!(mentions(&rewritten).is_empty(), "{rewritten}");
        assert!(rewritten.contains(r"\@[c](7)"), "a single backslash still escapes: {rewritten}");
    }

    #[test]
    fn a_dropped_mention_cannot_join_what_stood_before_it_into_a_new_one() {
        let rewritten = rewrite_mentions("@[@[a](3)18](3)", |user| (user.0 == 2).then(|| "Имя".to_owned()));
        assert!(mentions(&rewritten).is_empty(), "{rewritten}");
    }

    #[test]
    fn plain_text_drops_markers() {
        assert_eq!(plain_text(&parse("**Важно:** сбор в 8:00\n- форма")), "Важно: сбор в 8:00\nформа");
    }

    #[test]
    fn never_panics_on_awkward_input() {
        for body in ["", "*", "**", "_", "`", "[", "@", "@[", "@[]()", "[](", "\\", "ё**ё", "h", "http://", "1.", "- "]
        {
            let _ = parse(body);
            let _ = rewrite_mentions(body, |_| None);
        }
    }
}
