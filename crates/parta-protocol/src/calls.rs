//! Calls: their REST bodies and the frames of their signalling on `/api/v1/ws`.

use parta_domain::{CallId, ChatId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PersonRef;

/// A call in a chat. At most one runs in a chat at a time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Call {
    pub id: CallId,
    pub chat_id: ChatId,
    pub started_by: PersonRef,
    /// Who leads the call now (the starter, until they hand it on).
    pub host_id: UserId,
    pub started_at: String,
    /// Set once the call is over.
    pub ended_at: Option<String>,
    /// Those in the call now, one entry per connected device.
    pub participants: Vec<CallParticipant>,
    /// What the reader may do in this call.
    pub abilities: CallAbilities,
}

/// Someone in a call, on one device.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallParticipant {
    /// This device's place in the call; its audio and video arrive in the browser
    /// as the media stream with the id `p<peer_id>`.
    pub peer_id: i64,
    pub person: PersonRef,
    /// Their microphone is on.
    pub audio: bool,
    /// Their camera (or a shared screen) is on.
    pub video: bool,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct CallAbilities {
    pub join: bool,
    /// Mute or remove others, end the call for everyone.
    pub host: bool,
}

/// How a client reaches the media server: ICE servers for `RTCPeerConnection`
/// (empty when the server's address is reachable directly).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: Option<String>,
    pub credential: Option<String>,
}

/// The kind of a session description in `call_signal` frames.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SdpKind {
    Offer,
    Answer,
}

/// Why someone's media in a call ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CallLeftReason {
    /// They left, or closed the page.
    Left,
    /// The call ended for everyone.
    Ended,
    /// The host removed them.
    Removed,
    /// They are no longer a member of the chat.
    NotAMember,
    /// Their media connection failed; the client may join again.
    Lost,
}

/// A kind of media in a call.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CallMediaKind {
    Audio,
    Video,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemoveFromCallRequest {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MuteInCallRequest {
    /// Whom to mute; absent or `null`: everyone in the call but the host.
    #[serde(default)]
    pub user_id: Option<UserId>,
    pub kind: CallMediaKind,
}

/// One stay of one device in a call.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallStay {
    pub person: PersonRef,
    pub joined_at: String,
    /// Absent while they are still in the call.
    pub left_at: Option<String>,
    /// Why the stay ended: left, ended, removed, not_a_member, lost.
    pub left_reason: Option<String>,
}
