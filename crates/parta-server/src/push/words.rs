//! What a push shows on a lock screen, in the person's language: a title and a line, and where
//! tapping it leads. A lock screen is public, so message text from a chat with
//! students shows only where the school allows it; marks and absences name the
//! subject, not the mark's reasons.

use parta_domain::profile::Language;
use parta_protocol::Notification;
use serde::Serialize;

/// The payload a service worker shows (`web/public/sw.js`).
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    /// The app's own path to open.
    pub url: String,
    /// One notification per tag stays on screen: a chat's newest replaces the last.
    pub tag: String,
}

/// Characters of a message shown.
const PREVIEW_CHARS: usize = 100;

fn cut(text: &str) -> String {
    parta_domain::notifications::preview(text, PREVIEW_CHARS)
}

/// The Russian or the English.
fn say(lang: Language, ru: String, en: String) -> String {
    match lang {
        Language::Ru => ru,
        Language::En => en,
    }
}

/// A new message in a chat: «Анна Петрова: …», or «Анна Петрова: новое сообщение».
pub fn message(lang: Language, chat: i64, chat_title: &str, message: i64, sender: &str, text: Option<&str>) -> Payload {
    let body = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => format!("{sender}: {}", cut(text)),
        None => say(lang, format!("{sender}: новое сообщение"), format!("{sender}: new message")),
    };
    Payload {
        title: chat_title.to_owned(),
        body,
        url: format!("/chats/{chat}?m={message}"),
        tag: format!("chat-{chat}"),
    }
}

/// A notification of the centre; `show_text` says whether a message's words may show.
pub fn notice(lang: Language, n: &Notification, show_text: bool) -> Payload {
    let d = &n.details;
    let who = n.actor.as_ref().map(|a| format!("{} {}", a.given_name, a.family_name)).unwrap_or_default();
    let chat = d.chat_title.clone().unwrap_or_default();
    let preview = d.preview.as_deref().filter(|_| show_text).map(cut);
    let said = || match &preview {
        Some(text) if !who.is_empty() => format!("{who}: {text}"),
        Some(text) => text.clone(),
        None => who.clone(),
    };
    let about = |text: String| match (&d.student_name, &d.date) {
        (Some(name), _) => format!("{text} ({name})"),
        _ => text,
    };
    let subject = d.subject.clone().unwrap_or_default();
    let chat_url = match (n.chat_id, n.message_id) {
        (Some(c), Some(m)) => format!("/chats/{}?m={}", c.0, m.0),
        (Some(c), None) => format!("/chats/{}", c.0),
        _ => "/notifications".to_owned(),
    };
    let diary_url = match (n.student_id, &d.date) {
        (Some(s), Some(date)) => format!("/diary?student={}&date={date}", s.0),
        (Some(s), None) => format!("/diary?student={}", s.0),
        _ => "/notifications".to_owned(),
    };
    let mark = d.mark.clone().unwrap_or_default();
    let s = |ru: &str, en: &str| say(lang, ru.to_owned(), en.to_owned());
    let (title, body, url) = match n.kind.as_str() {
        "mention" => {
            (say(lang, format!("Вас упомянули: {chat}"), format!("You were mentioned: {chat}")), said(), chat_url)
        }
        "reply" => (say(lang, format!("Ответ вам: {chat}"), format!("A reply to you: {chat}")), said(), chat_url),
        "direct_chat" => (
            s("Новый личный чат", "A new direct chat"),
            say(lang, format!("{who} написал(а) вам"), format!("{who} wrote to you")),
            chat_url,
        ),
        "join_request" => (
            s("Заявка на вступление", "A request to join"),
            match &d.class_name {
                Some(class) => format!("{who}, {class}"),
                None => who.clone(),
            },
            "/notifications".to_owned(),
        ),
        "report" => (s("Жалоба на сообщение", "A message was reported"), chat, "/notifications".to_owned()),
        "mark" => (
            about(say(lang, format!("Оценка {mark} — {subject}"), format!("Mark {mark} — {subject}"))),
            String::new(),
            diary_url,
        ),
        "absence" => {
            let (ru, en) = match d.absence.as_deref() {
                Some("late") => ("Опоздание", "Late"),
                Some("ill") => ("Болезнь", "Ill"),
                Some("excused") => ("Пропуск по уважительной причине", "Absent, excused"),
                _ => ("Пропуск", "Absent"),
            };
            (about(format!("{} — {subject}", s(ru, en))), String::new(), diary_url)
        }
        "homework" => (
            about(format!("{} — {subject}", s("Домашнее задание", "Homework"))),
            preview.clone().unwrap_or_default(),
            diary_url,
        ),
        "login" => (
            s("Вход с нового устройства", "A sign-in from a new device"),
            s(
                "Если это были не вы, откройте уведомления и завершите сеанс.",
                "If it was not you, open your notifications and end that session.",
            ),
            "/notifications".to_owned(),
        ),
        _ => (s("Парта", "Parta"), said(), "/notifications".to_owned()),
    };
    Payload { title, body, url, tag: format!("n-{}", n.id.0) }
}

#[cfg(test)]
mod tests {
    use parta_domain::{ChatId, MessageId, NotificationId, UserId};
    use parta_protocol::{NotificationDetails, PersonRef};

    use super::*;

    fn mention(show_text: bool) -> Payload {
        let n = Notification {
            id: NotificationId(7),
            kind: "mention".into(),
            org_id: None,
            chat_id: Some(ChatId(3)),
            message_id: Some(MessageId(9)),
            lesson_id: None,
            student_id: None,
            actor: Some(PersonRef::new(UserId(1), "Петрова", "Анна", None)),
            details: NotificationDetails {
                chat_title: Some("5А — класс".into()),
                preview: Some("Завтра экскурсия".into()),
                ..Default::default()
            },
            created_at: String::new(),
            read: false,
        };
        notice(Language::Ru, &n, show_text)
    }

    #[test]
    fn a_mention_shows_its_words_only_where_allowed() {
        let shown = mention(true);
        assert_eq!(shown.title, "Вас упомянули: 5А — класс");
        assert_eq!(shown.body, "Анна Петрова: Завтра экскурсия");
        assert_eq!(shown.url, "/chats/3?m=9");
        let hidden = mention(false);
        assert_eq!(hidden.body, "Анна Петрова");
        assert!(!serde_json::to_string(&hidden).expect("JSON").contains("экскурсия"));
    }

    #[test]
    fn a_message_without_its_words_says_who_wrote() {
        let p = message(Language::Ru, 3, "5А — родители", 9, "Анна Петрова", None);
        assert_eq!((p.body.as_str(), p.tag.as_str()), ("Анна Петрова: новое сообщение", "chat-3"));
        let p = message(Language::En, 3, "5А — родители", 9, "Анна Петрова", None);
        assert_eq!(p.body, "Анна Петрова: new message");
        let long = "слово ".repeat(50);
        let p = message(Language::Ru, 3, "5А — родители", 9, "Анна Петрова", Some(&long));
        assert!(p.body.chars().count() <= "Анна Петрова: ".chars().count() + 101, "{}", p.body);
    }
}
