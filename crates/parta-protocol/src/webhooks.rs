//! A school's webhooks: HTTPS endpoints of its own systems told of chosen events,
//! each delivery signed and retried from a persistent queue, its status visible.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new endpoint, or a change of one (absent fields stay).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// `https://…`; an address inside the network only where the deployment allows it.
    pub url: Option<String>,
    /// Of `member.joined`, `member.left`, `channel.message`, `journal.mark`, `journal.absence`.
    pub events: Option<Vec<String>>,
    /// Off: nothing is queued for it; what waits, waits.
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: String,
    /// `new` (nothing sent yet), `ok` (the last delivery was taken), `retrying`
    /// (the endpoint fails; deliveries wait and are tried again), `failed` (a
    /// delivery was given up after a day).
    pub status: String,
    pub last_success_at: Option<String>,
    /// The last failure: the endpoint's status code or why it could not be reached.
    pub last_error: Option<String>,
    /// Deliveries waiting (to be tried, or again).
    pub waiting: i64,
}

/// A webhook just made: its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// The key of `Parta-Signature`: HMAC-SHA256 over `<t>.<body>`.
    pub secret: String,
}

/// One delivery of an event to an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub event: String,
    pub created_at: String,
    pub attempts: i64,
    /// `waiting`, `delivered` or `failed`.
    pub status: String,
    /// The endpoint's last answer (HTTP status), when it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
}
