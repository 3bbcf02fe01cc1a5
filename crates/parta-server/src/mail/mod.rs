//! Outgoing e-mail: letters are queued in the work that decides to send them
//! (`queue`), so they commit with it, and a sender on every node takes due ones from
//! the outbox and hands them to the mail server over SMTP (`deliver_due`), retrying
//! with backoff while the server is unreachable. The letters' words are `templates`.

pub mod templates;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::AnyConnection;

use crate::error::Result;
use crate::state::AppState;
use crate::store;
use crate::store::mail::{Letter, QueuedRow};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl Security {
    pub fn parse(text: &str) -> Option<Security> {
        match text {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }
}

/// The mail server and who letters come from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// A certificate authority to trust besides the public ones (PEM): a school's own
    /// mail server with its own certificate.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// `Парта <noreply@school.example>`.
    pub from: String,
}

/// Letters given to the mail server per run, and how long a taken letter is left to
/// its sender before another may try it.
const BATCH: i64 = 20;
const LEASE_MS: i64 = 5 * 60_000;

/// The wait before the next try after `attempts` failed: 30 s doubling, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doubled = 30_000_i64.saturating_mul(1_i64 << attempts.clamp(1, 20).saturating_sub(1));
    doubled.min(3_600_000)
}

/// Queues a letter inside the caller's work.
pub async fn queue(conn: &mut AnyConnection, letter: &Letter) -> Result<()> {
    store::mail::enqueue(conn, letter, crate::clock::now_ms()).await?;
    Ok(())
}

fn transport(settings: &MailSettings) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let tls = || -> anyhow::Result<TlsParameters> {
        let mut builder = TlsParameters::builder(settings.host.clone());
        if let Some(pem) = &settings.extra_ca_pem {
            builder = builder.add_root_certificate(Certificate::from_pem(pem)?);
        }
        Ok(builder.build_rustls()?)
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
        .port(settings.port)
        .timeout(Some(std::time::Duration::from_secs(20)))
        .tls(match settings.security {
            Security::StartTls => Tls::Required(tls()?),
            Security::Tls => Tls::Wrapper(tls()?),
            Security::None => Tls::None,
        });
    if let Some((user, password)) = &settings.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

fn message(settings: &MailSettings, row: &QueuedRow) -> anyhow::Result<lettre::Message> {
    let from: Mailbox = settings.from.parse()?;
    let to: Mailbox = row.to_address.parse()?;
    let mut builder = lettre::Message::builder().from(from).to(to).subject(row.subject.clone());
    if let Some(address) = &row.list_unsubscribe {
        // RFC 2369 and RFC 8058: the mail program offers «unsubscribe» and POSTs it.
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{address}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone()))?)
}

/// Hands the due letters to the mail server; returns how many it took. Each letter
/// is claimed first (so two nodes never send it twice), then marked sent, retried
/// later, or, when the server refuses it for good, given up on.
pub async fn deliver_due(state: &AppState, now: i64) -> Result<usize> {
    let Some(settings) = state.settings.mail.as_ref() else { return Ok(0) };
    let due = {
        let mut conn = state.db.reads().acquire().await?;
        store::mail::due(&mut conn, now, BATCH).await?
    };
    if due.is_empty() {
        return Ok(0);
    }
    let mailer = transport(settings).map_err(crate::error::Error::Internal)?;
    let mut delivered = 0;
    for row in due {
        let mut work = state.begin().await?;
        let claimed = store::mail::claim(&mut work, &row, now + LEASE_MS).await?;
        work.commit(state).await?;
        if !claimed {
            continue;
        }
        let outcome = match message(settings, &row) {
            // Refused for good: a permanent answer, or a letter this server cannot take
            // at all (an address in Cyrillic to a server without SMTPUTF8).
            Ok(message) => {
                mailer.send(message).await.map(|_| ()).map_err(|e| (e.is_permanent() || e.is_client(), e.to_string()))
            }
            // An address or sender the message cannot be made with never will be.
            Err(error) => Err((true, error.to_string())),
        };
        let mut work = state.begin().await?;
        match outcome {
            Ok(()) => {
                store::mail::sent(&mut work, row.id, crate::clock::now_ms()).await?;
                delivered += 1;
            }
            Err((true, error)) => {
                tracing::warn!(letter = row.id, %error, "the mail server refused a letter for good");
                store::mail::failed(&mut work, row.id, crate::clock::now_ms(), &error).await?;
            }
            Err((false, error)) => {
                let next = crate::clock::now_ms() + backoff_ms(row.attempts + 1);
                tracing::warn!(letter = row.id, attempts = row.attempts + 1, %error, "a letter waits for the mail server");
                store::mail::retry(&mut work, row.id, next, &error).await?;
            }
        }
        work.commit(state).await?;
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(5), 480_000);
        assert_eq!(backoff_ms(8), 3_600_000);
        assert_eq!(backoff_ms(60), 3_600_000);
    }

    #[test]
    fn a_letter_one_may_stop_says_so_in_its_headers() {
        let settings = MailSettings {
            host: "smtp.school.example".into(),
            port: 587,
            security: Security::StartTls,
            credentials: None,
            extra_ca_pem: None,
            from: "Парта <noreply@school.example>".into(),
        };
        let mut row = QueuedRow {
            id: 1,
            to_address: "parent@school.example".into(),
            subject: "Сводка".into(),
            text_body: "текст".into(),
            html_body: "<p>текст</p>".into(),
            attempts: 0,
            next_attempt_at: 0,
            list_unsubscribe: Some("https://parta.school.example/api/v1/digest/unsubscribe/abc".into()),
        };
        let letter = String::from_utf8(message(&settings, &row).expect("a letter").formatted()).expect("text");
        assert!(
            letter.contains("List-Unsubscribe: <https://parta.school.example/api/v1/digest/unsubscribe/abc>\r\n"),
            "{letter}"
        );
        assert!(letter.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{letter}");
        row.list_unsubscribe = None;
        let letter = String::from_utf8(message(&settings, &row).expect("a letter").formatted()).expect("text");
        assert!(!letter.contains("List-Unsubscribe"), "{letter}");
    }

    #[test]
    fn security_is_one_of_three() {
        assert_eq!(Security::parse("starttls"), Some(Security::StartTls));
        assert_eq!(Security::parse("tls"), Some(Security::Tls));
        assert_eq!(Security::parse("none"), Some(Security::None));
        assert_eq!(Security::parse("ssl"), None);
    }
}
