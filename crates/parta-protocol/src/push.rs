//! Web push: the server's public key for a browser to subscribe with, and one's
//! subscribed devices with the kinds each is not told of.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The key a browser subscribes with (`pushManager.subscribe`'s `applicationServerKey`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushKey {
    /// The server's VAPID public key: base64url of the uncompressed P-256 point.
    pub public_key: String,
}

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushSubscribeRequest {
    /// The push service's URL for this browser (`https://`, a browser's push service).
    pub endpoint: String,
    pub keys: PushSubscriptionKeys,
    /// Kinds this device is not to be told of (see `PushDevice::kinds_off`).
    #[serde(default)]
    pub kinds_off: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushSubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes uncompressed).
    pub p256dh: String,
    /// The browser's authentication secret, base64url (16 bytes).
    pub auth: String,
}

/// One of one's devices that receives pushes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushDevice {
    pub id: i64,
    /// The push service's address: a browser compares it with its own subscription.
    pub endpoint: String,
    /// The browser as it named itself when it subscribed.
    pub user_agent: Option<String>,
    /// Kinds this device is not told of: `message` (every new message in one's chats),
    /// `mention`, `reply`, `direct_chat`, `join_request`, `report`, `mark`, `absence`,
    /// `homework`, `login`.
    pub kinds_off: Vec<String>,
    pub created_at: String,
    pub last_sent_at: Option<String>,
    /// Subscribed with the session of this request (this browser).
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushKindsRequest {
    pub kinds_off: Vec<String>,
}
