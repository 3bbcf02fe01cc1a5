//! Text messages to phones: the seam an SMS gateway plugs into, and `HttpSms`, a
//! gateway reached over HTTPS (`sms_url`). None is configured by default, and then
//! nothing pretends to send one: a phone change is refused with `sms_not_configured`
//! rather than confirmed by a code nobody receives.

use std::future::Future;
use std::pin::Pin;

pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// Sends one text message to a number in E.164 (`+79123456789`).
pub trait SmsSender: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SmsFuture<'a>;
}

/// A gateway reached by one HTTPS GET per message, as SMS.ru and SMSC.ru take them:
/// `sms_url` is the request with `{phone}` (E.164, `+79123456789`), `{digits}` (the
/// same without the plus) and `{text}` in it, each filled in URL-encoded, e.g.
/// `https://sms.ru/sms/send?api_id=KEY&to={digits}&msg={text}`. Any 2xx answer is
/// taken as sent.
pub struct HttpSms {
    template: String,
    tls: std::sync::Arc<tokio_rustls::rustls::ClientConfig>,
}

impl std::fmt::Debug for HttpSms {
    // The template holds the gateway's key: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = crate::https::parse(&self.template.replace(['{', '}'], "")).map(|e| e.host).unwrap_or_default();
        f.debug_struct("HttpSms").field("host", &host).finish_non_exhaustive()
    }
}

impl HttpSms {
    pub fn new(template: &str, extra_ca_pem: Option<&[u8]>) -> anyhow::Result<HttpSms> {
        anyhow::ensure!(
            template.contains("{text}") && (template.contains("{phone}") || template.contains("{digits}")),
            "sms_url must hold {{text}} and {{phone}} or {{digits}}"
        );
        anyhow::ensure!(
            crate::https::parse(&fill(template, "+70000000000", "x")).is_some(),
            "sms_url must be an https:// address"
        );
        Ok(HttpSms { template: template.to_owned(), tls: crate::https::tls_config(extra_ca_pem)? })
    }
}

/// The template with the number and the text put in, URL-encoded.
fn fill(template: &str, to: &str, text: &str) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    template
        .replace("{phone}", &encode(to))
        .replace("{digits}", &encode(to.trim_start_matches('+')))
        .replace("{text}", &encode(text))
}

impl SmsSender for HttpSms {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SmsFuture<'a> {
        Box::pin(async move {
            let endpoint = crate::https::parse(&fill(&self.template, to, text))
                .ok_or_else(|| anyhow::anyhow!("the SMS gateway's address does not parse"))?;
            let answer = crate::https::get(&self.tls, &endpoint).await?;
            anyhow::ensure!((200..300).contains(&answer.status), "the SMS gateway answered {}", answer.status);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_and_text_go_into_the_address_encoded() {
        let url =
            fill("https://sms.ru/sms/send?api_id=K&to={digits}&msg={text}", "+79127400001", "Код «Парты»: 123 456");
        assert_eq!(
            url,
            "https://sms.ru/sms/send?api_id=K&to=79127400001&msg=%D0%9A%D0%BE%D0%B4%20%C2%AB%D0%9F%D0%B0%D1%80%D1%82%D1%8B%C2%BB%3A%20123%20456"
        );
        assert!(
            fill("https://g.example/send?phones={phone}&mes={text}", "+7912", "a&b=c")
                .ends_with("phones=%2B7912&mes=a%26b%3Dc")
        );
    }

    #[test]
    fn a_gateway_address_needs_https_and_both_places() {
        assert!(HttpSms::new("https://sms.ru/sms/send?to={digits}&msg={text}", None).is_ok());
        assert!(HttpSms::new("http://sms.ru/sms/send?to={digits}&msg={text}", None).is_err());
        assert!(HttpSms::new("https://sms.ru/sms/send?to={digits}", None).is_err());
        assert!(HttpSms::new("https://sms.ru/sms/send?msg={text}", None).is_err());
    }
}
