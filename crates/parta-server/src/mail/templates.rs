//! The letters Parta sends, in Russian (those about one's own address also in English,
//! for people who chose it), each with a plain-text part and the same words as simple
//! HTML (escaped: names and titles come from people).

use crate::store::mail::Letter;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Paragraphs as HTML, a link as a button-like anchor after them.
fn html(paragraphs: &[String], link: Option<(&str, &str)>, footer: &str) -> String {
    html_in("ru", paragraphs, link, footer)
}

fn html_in(lang: &str, paragraphs: &[String], link: Option<(&str, &str)>, footer: &str) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif;font-size:16px;line-height:1.5;color:#1d2433\">",
    );
    for p in paragraphs {
        out.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if let Some((label, address)) = link {
        out.push_str(&format!(
            "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#2f5bd3;color:#fff;border-radius:6px;text-decoration:none\">{}</a></p>\
             <p style=\"font-size:13px;color:#5b6478\">Если кнопка не открывается, скопируйте адрес в браузер:<br>{}</p>",
            escape(address),
            escape(label),
            escape(address)
        ));
    }
    out.push_str(&format!("<p style=\"font-size:13px;color:#5b6478\">{}</p></body></html>", escape(footer)));
    out
}

const SIGNATURE: &str = "Это письмо отправлено автоматически платформой «Парта». Отвечать на него не нужно.";

/// A link to set a new password, asked for on the login page.
pub fn password_reset(to: &str, user: i64, name: &str, link: &str, minutes: i64) -> Letter {
    let paragraphs = vec![
        format!("Здравствуйте, {name}!"),
        "Кто-то (надеемся, что вы) попросил восстановить доступ к вашей учётной записи в «Парте».".to_owned(),
        format!("Чтобы задать новый пароль, перейдите по ссылке. Она действует {minutes} минут и только один раз."),
        "Если вы не просили восстановить пароль, ничего не делайте: старый пароль продолжит работать.".to_owned(),
    ];
    let text = format!("{}\n\n{link}\n\n{}\n\n— \n{SIGNATURE}\n", paragraphs[..3].join("\n\n"), paragraphs[3]);
    Letter {
        kind: "password_reset",
        user: Some(user),
        to: to.to_owned(),
        subject: "Восстановление пароля в «Парте»".to_owned(),
        text,
        html: html(&paragraphs, Some(("Задать новый пароль", link)), SIGNATURE),
        list_unsubscribe: None,
    }
}

const SIGNATURE_EN: &str = "This letter was sent automatically by Parta. There is no need to reply.";

/// The code confirming a new e-mail address, sent to that address: in Russian, or in
/// English for a person who chose it.
pub fn email_code(to: &str, user: i64, name: &str, code: &str, minutes: i64, english: bool) -> Letter {
    let (subject, paragraphs, signature) = if english {
        (
            format!("Parta confirmation code: {code}"),
            vec![
                format!("Hello, {name}!"),
                "You asked to use this address for your Parta account.".to_owned(),
                format!("Your confirmation code is {code}. Type it in your profile within {minutes} minutes."),
                "If you did not ask for this, ignore this letter: nothing changes without the code.".to_owned(),
            ],
            SIGNATURE_EN,
        )
    } else {
        (
            format!("Код подтверждения «Парты»: {code}"),
            vec![
                format!("Здравствуйте, {name}!"),
                "Вы указали этот адрес для своей учётной записи в «Парте».".to_owned(),
                format!("Код подтверждения: {code}. Введите его в профиле в течение {minutes} минут."),
                "Если это были не вы, просто удалите письмо: без кода ничего не изменится.".to_owned(),
            ],
            SIGNATURE,
        )
    };
    let text = format!("{}\n\n— \n{signature}\n", paragraphs.join("\n\n"));
    Letter {
        kind: "email_code",
        user: Some(user),
        to: to.to_owned(),
        subject,
        text,
        html: html_in(if english { "en" } else { "ru" }, &paragraphs, None, signature),
        list_unsubscribe: None,
    }
}

/// A word to the old address that the account's address was changed: an account is
/// taken over through its e-mail, and its owner learns of it here.
pub fn email_changed(to: &str, user: i64, name: &str, new_address: &str, english: bool) -> Letter {
    let (subject, paragraphs, signature) = if english {
        (
            "Your Parta e-mail address was changed".to_owned(),
            vec![
                format!("Hello, {name}!"),
                format!("The e-mail address of your Parta account is now {new_address}. Letters will go there."),
                "If you did not change it, ask your school's admin for help at once.".to_owned(),
            ],
            SIGNATURE_EN,
        )
    } else {
        (
            "Адрес почты в «Парте» изменён".to_owned(),
            vec![
                format!("Здравствуйте, {name}!"),
                format!(
                    "Адрес электронной почты вашей учётной записи в «Парте» теперь {new_address}. Письма будут приходить туда."
                ),
                "Если вы его не меняли, сразу обратитесь к администратору своей школы.".to_owned(),
            ],
            SIGNATURE,
        )
    };
    let text = format!("{}\n\n— \n{signature}\n", paragraphs.join("\n\n"));
    Letter {
        kind: "email_changed",
        user: Some(user),
        to: to.to_owned(),
        subject,
        text,
        html: html_in(if english { "en" } else { "ru" }, &paragraphs, None, signature),
        list_unsubscribe: None,
    }
}

/// «1 день», «3 дня», «14 дней».
fn days(n: i64) -> String {
    let word = match (n % 10, n % 100) {
        (1, m) if m != 11 => "день",
        (2..=4, m) if !(12..=14).contains(&m) => "дня",
        _ => "дней",
    };
    format!("{n} {word}")
}

/// The approved school's one-time link that makes the applicant its first admin.
pub fn first_admin(to: &str, name: &str, school: &str, link: &str, valid_days: i64) -> Letter {
    let paragraphs = vec![
        format!("Здравствуйте, {name}!"),
        format!("Заявка на подключение школы «{school}» к «Парте» одобрена."),
        format!(
            "Чтобы стать администратором школы на платформе, перейдите по ссылке и зарегистрируйтесь с этим адресом \
             электронной почты. Ссылка одноразовая и действует {}.",
            days(valid_days)
        ),
        "Если вы не подавали заявку, просто удалите это письмо.".to_owned(),
    ];
    let text = format!("{}\n\n{link}\n\n{}\n\n— \n{SIGNATURE}\n", paragraphs[..3].join("\n\n"), paragraphs[3]);
    Letter {
        kind: "first_admin",
        user: None,
        to: to.to_owned(),
        subject: format!("Школа «{school}» подключена к «Парте»"),
        text,
        html: html(&paragraphs, Some(("Стать администратором", link)), SIGNATURE),
        list_unsubscribe: None,
    }
}

/// A digest: sections of lines under their headings, a link to open Parta (`app_link`,
/// the public URL) and one to stop the digests (a page that asks first; no sign-in
/// needed); the mail program's own «unsubscribe» stops them at one click (RFC 8058).
pub fn digest(
    to: &str,
    user: i64,
    name: &str,
    subject: &str,
    sections: &[(String, Vec<String>)],
    app_link: &str,
    stop_token: &str,
) -> Letter {
    let stop_link = format!("{app_link}/unsubscribe?token={stop_token}");
    let mut text = format!("Здравствуйте, {name}!\n");
    let mut body = String::from(
        "<!doctype html><html lang=\"ru\"><body style=\"font-family:sans-serif;font-size:16px;line-height:1.5;color:#1d2433\">",
    );
    body.push_str(&format!("<p>Здравствуйте, {}!</p>", escape(name)));
    for (heading, lines) in sections {
        text.push_str(&format!("\n{heading}\n"));
        body.push_str(&format!("<h3 style=\"margin:1em 0 0.25em\">{}</h3><ul>", escape(heading)));
        for line in lines {
            text.push_str(&format!("— {line}\n"));
            body.push_str(&format!("<li>{}</li>", escape(line)));
        }
        body.push_str("</ul>");
    }
    text.push_str(&format!(
        "\nОткрыть «Парту»: {app_link}\n\n— \nВы получаете сводку, потому что включили её в профиле. Отписаться: {stop_link}\n"
    ));
    body.push_str(&format!(
        "<p><a href=\"{}\">Открыть «Парту»</a></p><p style=\"font-size:13px;color:#5b6478\">Вы получаете сводку, потому что \
         включили её в профиле. <a href=\"{}\">Отписаться</a></p></body></html>",
        escape(app_link),
        escape(&stop_link)
    ));
    Letter {
        kind: "digest",
        user: Some(user),
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html: body,
        list_unsubscribe: Some(format!("{app_link}/api/v1/digest/unsubscribe/{stop_token}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_and_kept_in_text() {
        let letter = first_admin("a@b.ru", "Анна <b>", "Школа \"№1\" & Ко", "https://p.ru/join/x", 14);
        assert!(letter.text.contains("действует 14 дней"));
        assert!(letter.text.contains("Анна <b>"));
        assert!(letter.html.contains("Анна &lt;b&gt;"));
        assert!(letter.html.contains("Школа &quot;№1&quot; &amp; Ко"));
        assert!(!letter.html.contains("<b>"));
        assert!(letter.text.contains("https://p.ru/join/x"));
    }

    #[test]
    fn days_agree_with_their_number() {
        let words: Vec<String> = [1, 2, 5, 11, 14, 21, 22, 25].into_iter().map(days).collect();
        assert_eq!(words, ["1 день", "2 дня", "5 дней", "11 дней", "14 дней", "21 день", "22 дня", "25 дней"]);
    }

    #[test]
    fn a_code_letter_speaks_the_persons_language() {
        let ru = email_code("new@b.ru", 7, "Анна", "012345", 15, false);
        assert!(
            ru.subject.contains("012345") && ru.text.contains("15 минут") && ru.text.contains("Здравствуйте, Анна!")
        );
        assert!(ru.html.starts_with("<!doctype html><html lang=\"ru\""));
        let en = email_code("new@b.ru", 7, "Anna <x>", "012345", 15, true);
        assert!(en.text.contains("within 15 minutes") && en.text.contains("Hello, Anna <x>!"));
        assert!(en.html.contains("lang=\"en\"") && en.html.contains("Anna &lt;x&gt;"));
        assert_eq!((en.kind, en.user, en.to.as_str()), ("email_code", Some(7), "new@b.ru"));
    }

    #[test]
    fn the_old_address_hears_where_letters_go_now() {
        let letter = email_changed("old@b.ru", 7, "Анна", "new@b.ru", false);
        assert_eq!((letter.kind, letter.to.as_str()), ("email_changed", "old@b.ru"));
        assert!(letter.text.contains("теперь new@b.ru") && letter.text.contains("администратору"));
        assert!(email_changed("old@b.ru", 7, "Anna", "new@b.ru", true).text.contains("is now new@b.ru"));
    }

    #[test]
    fn a_reset_letter_carries_its_link_once_in_each_part() {
        let letter = password_reset("a@b.ru", 7, "Анна", "https://p.ru/set-password?token=abc", 30);
        assert_eq!(letter.text.matches("token=abc").count(), 1);
        assert!(letter.html.contains("href=\"https://p.ru/set-password?token=abc\""));
        assert_eq!(letter.user, Some(7));
    }
}
