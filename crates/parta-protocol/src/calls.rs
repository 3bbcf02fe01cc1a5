//! Calls: their REST bodies and the frames of their signalling on `/api/v1/ws`.

use parta_domain::journal::Absence;
use parta_domain::{CallId, ChatId, LessonId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PersonRef;

/// What a call is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// A call started in a chat.
    Call,
    /// A lesson of the timetable held online.
    Lesson,
    /// A meeting scheduled with a title and time (родительское собрание, педсовет).
    Meeting,
    /// A broadcast («трансляция»): a few presenters, many viewers who send nothing.
    Broadcast,
}

impl CallKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Call => "call",
            CallKind::Lesson => "lesson",
            CallKind::Meeting => "meeting",
            CallKind::Broadcast => "broadcast",
        }
    }

    pub fn parse(text: &str) -> Option<CallKind> {
        [CallKind::Call, CallKind::Lesson, CallKind::Meeting, CallKind::Broadcast]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A call in a chat. At most one runs in a chat at a time (a lesson's apart).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Call {
    pub id: CallId,
    pub kind: CallKind,
    /// A meeting's or a broadcast's title.
    pub title: Option<String>,
    /// When a meeting or a broadcast is announced to begin.
    pub scheduled_at: Option<String>,
    pub chat_id: ChatId,
    /// The lesson this call holds online (in its class's chat); absent for a chat's call.
    pub lesson_id: Option<LessonId>,
    /// An online lesson's longest length for its grade, in minutes (seed 001 §5.1):
    /// the client counts down from `started_at` and warns at the limit.
    pub limit_minutes: Option<i64>,
    pub started_by: PersonRef,
    /// Who leads the call now (the starter, until they hand it on).
    pub host_id: UserId,
    /// When it began; absent for a meeting or broadcast its host has not opened yet.
    pub started_at: Option<String>,
    /// Set once the call is over.
    pub ended_at: Option<String>,
    /// Those in the call now, one entry per connected device (in a broadcast: those on
    /// stage and those with a raised hand).
    pub participants: Vec<CallParticipant>,
    /// A broadcast's viewers now (the others are in `participants`).
    pub viewers: i64,
    /// Nobody new joins (those who were in may come back).
    pub locked: bool,
    /// Who joins waits until a leader admits them.
    pub waiting_room: bool,
    /// What the reader may do in this call.
    pub abilities: CallAbilities,
    /// How the reader's browser reaches the media unit, known before it offers: the
    /// TURN relay with a credential of the reader's own (valid 12 hours; `call_joined`
    /// carries a fresher one). Empty when there is no relay or the reader may not join.
    pub ice_servers: Vec<IceServer>,
    /// `relay`: all media goes through the relay (`RTCPeerConnection`'s `iceTransportPolicy`).
    pub ice_transport_policy: IceTransportPolicy,
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
    pub hand_raised: bool,
    /// May send media: everyone in a call, a broadcast's presenters.
    pub on_stage: bool,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct CallAbilities {
    pub join: bool,
    /// Mute or remove others, admit from the waiting room, lock, hand the lead on,
    /// bring a viewer on stage, end the call for everyone.
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

/// Which paths to the media unit a browser may use.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IceTransportPolicy {
    /// Directly, or through the relay when UDP to the unit is blocked.
    #[default]
    All,
    /// Only through the relay (the unit is not reachable, or not to be reached, directly).
    Relay,
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

/// How a receiver shows someone's video: large (the top layer), small (the lowest),
/// or not at all (nothing of it is sent; their audio still is).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CallView {
    Large,
    Small,
    Hidden,
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

/// A lesson held online: its call, and each student's presence in it with the
/// attendance that presence suggests (the teacher confirms it into the journal).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnlineLesson {
    pub lesson_id: LessonId,
    /// The latest call of the lesson, if it was held online.
    pub call_id: Option<CallId>,
    /// The call runs now.
    pub running: bool,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// The grade's longest online lesson, in minutes (seed 001 §5.1).
    pub limit_minutes: Option<i64>,
    /// The lesson's students the reader may see: all of them for its teacher and the
    /// journal's readers, oneself for a student, their children for a parent.
    pub students: Vec<OnlineStudent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnlineStudent {
    pub student: PersonRef,
    /// In the lesson's call right now.
    pub in_call: bool,
    /// When they first joined, if they did.
    pub joined_at: Option<String>,
    /// Minutes in the call within the lesson's time (all calls of the lesson).
    pub minutes_present: i64,
    /// What presence suggests for the journal: absent, late (with `minutes_late`), or
    /// `null` for present.
    pub suggested_absence: Option<Absence>,
    pub suggested_minutes_late: Option<i64>,
}

/// A meeting or a broadcast announced in a chat ahead of its time (the chat's hosts).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleCallRequest {
    /// `meeting` or `broadcast`.
    pub kind: CallKind,
    pub title: String,
    /// When it begins, RFC 3339.
    pub starts_at: String,
    /// Those who join wait until a leader admits them.
    #[serde(default)]
    pub waiting_room: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LockCallRequest {
    pub locked: bool,
}

/// Someone in the call, by person: who is admitted, handed the lead, brought on stage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallPersonRequest {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StageRequest {
    pub user_id: UserId,
    /// True: may send media in the broadcast; false: a viewer again.
    pub on: bool,
}
