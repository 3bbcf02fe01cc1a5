//! How a lesson's homework reads in a chat: the card posted into the class's chat,
//! in the chat's formatting language (`format`).

/// «7 декабря» for `2026-12-07`; the text as given when it is not a date.
pub fn day_month(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    let mut parts = date.splitn(3, '-').skip(1).map(|p| p.parse::<usize>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(month @ 1..=12), Some(day @ 1..=31)) => format!("{day} {}", MONTHS[month - 1]),
        _ => date.to_owned(),
    }
}

/// What the card says of a lesson's homework.
pub struct Card<'a> {
    pub subject: &'a str,
    /// The group of the class the lesson is for, if it is not the whole class.
    pub group: Option<&'a str>,
    pub lesson_on: &'a str,
    pub body: &'a str,
    pub due_on: &'a str,
    pub minutes: Option<i64>,
}

impl Card<'_> {
    /// The card's text: a bold heading with the subject and the lesson's day, the
    /// homework as the teacher wrote it, and when it is due and how long it takes.
    pub fn text(&self) -> String {
        let subject = match self.group {
            Some(group) => format!("{} ({group})", self.subject),
            None => self.subject.to_owned(),
        };
        let mut due = format!("Сдать к {}", day_month(self.due_on));
        if let Some(minutes) = self.minutes {
            due.push_str(&format!(", примерно {minutes} мин"));
        }
        format!("**Домашнее задание** — {subject}, урок {}\n{}\n_{due}_", day_month(self.lesson_on), self.body.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{parse, plain_text};

    #[test]
    fn dates_read_as_day_and_month_in_the_genitive() {
        assert_eq!(day_month("2026-12-07"), "7 декабря");
        assert_eq!(day_month("2027-01-15"), "15 января");
        assert_eq!(day_month("2027-05-31"), "31 мая");
        assert_eq!(day_month("не дата"), "не дата");
        assert_eq!(day_month("2027-13-01"), "2027-13-01");
    }

    #[test]
    fn a_card_names_the_subject_group_day_due_date_and_minutes() {
        let card = Card {
            subject: "Английский язык",
            group: Some("группа 1"),
            lesson_on: "2026-12-07",
            body: " Упр. 5, 6 на с. 34 ",
            due_on: "2026-12-09",
            minutes: Some(30),
        };
        assert_eq!(
            plain_text(&parse(&card.text())),
            "Домашнее задание — Английский язык (группа 1), урок 7 декабря\nУпр. 5, 6 на с. 34\nСдать к 9 декабря, примерно 30 мин"
        );
        let whole_class = Card { group: None, minutes: None, ..card };
        assert!(whole_class.text().starts_with("**Домашнее задание** — Английский язык, урок 7 декабря\n"));
        assert!(whole_class.text().ends_with("_Сдать к 9 декабря_"));
    }
}
