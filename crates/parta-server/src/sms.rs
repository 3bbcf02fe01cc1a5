//! Text messages to phones: the seam an SMS gateway plugs into. None is configured by
//! default, and then nothing pretends to send one: a phone change is refused with
//! `sms_not_configured` rather than confirmed by a code nobody receives.

use std::future::Future;
use std::pin::Pin;

pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// Sends one text message to a number in E.164 (`+79123456789`).
pub trait SmsSender: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SmsFuture<'a>;
}
