pub use parta_domain::chat_rights::{ChatAbilities, MemberActions};
use parta_domain::chats::{ChatKind, ChatRole};
use parta_domain::{ChatId, ClassId, MemberRole, MessageId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::PersonRef;

/// A chat as one member sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Chat {
    pub id: ChatId,
    pub org_id: OrgId,
    pub kind: ChatKind,
    pub class_id: Option<ClassId>,
    pub title: String,
    pub read_only: bool,
    /// Ended with its school year: a read-only archive, kept with its history.
    #[serde(default)]
    pub archived: bool,
    /// Who made a group or subject chat.
    pub owner_id: Option<UserId>,
    pub my_role: ChatRole,
    /// What the reader may do here, decided by the server: show exactly these.
    pub abilities: ChatAbilities,
    /// The school's quiet hours hold messages written in them here until they end.
    pub quiet_hours: bool,
    /// Position of the chat's latest event.
    pub last_seq: i64,
    /// Position up to which this member has read.
    pub last_read_seq: i64,
    /// Messages after `last_read_seq` from others.
    pub unread: i64,
    /// Set while a moderator has muted the reader here.
    pub muted_until: Option<String>,
    /// The reader's own quiet for this chat («не беспокоить»), while it lasts.
    pub silenced_until: Option<String>,
    /// Only mentions of the reader reach them from this chat.
    pub mentions_only: bool,
    pub last_message: Option<Message>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub chat_id: ChatId,
    /// The chat position at which it was sent.
    pub seq: i64,
    pub sender: PersonRef,
    /// The sender's idempotency key.
    pub client_msg_id: String,
    /// Empty when deleted. The formatting language is described in `rich`.
    pub body: String,
    /// The body parsed: paragraphs, list items and code blocks of styled spans
    /// (bold, italic, code, safe links, mentions). Render these, never the body as markup.
    pub rich: Vec<parta_domain::format::Block>,
    /// People the message mentions.
    pub mentions: Vec<UserId>,
    /// Set when this is a forwarded copy: whose message it copies and when that was written.
    pub forwarded_from: Option<ForwardedFrom>,
    pub reply_to: Option<MessageId>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted: bool,
    pub deleted_by_moderator: bool,
    pub pinned: bool,
    /// A must-acknowledge post («ознакомиться»): members confirm they have read it.
    pub needs_ack: bool,
    /// Whether the reader has confirmed it (false in events, which everyone shares).
    pub acked_by_me: bool,
    pub reactions: Vec<Reaction>,
    /// Set when the message is a poll (its body is the question).
    pub poll: Option<Poll>,
    /// Files posted with the message; download with `GET /api/v1/files/{id}`.
    pub attachments: Vec<crate::FileInfo>,
    /// Held by the school's quiet hours: delivered at this time (seen by its sender only until then).
    pub held_until: Option<String>,
    /// Set when the post is a lesson's homework card: it follows the homework and
    /// opens the lesson (in the diary for students, on the lesson page for teachers).
    pub homework: Option<HomeworkCard>,
    /// Brought in from another messenger's export (shown with a mark «импорт»); its
    /// time is the original one.
    #[serde(default)]
    pub imported: bool,
    /// An imported message's author who is no member of the chat, by the export's
    /// name (the sender is then whoever imported it).
    #[serde(default)]
    pub guest_name: Option<String>,
    /// Whose message an imported one forwarded, by name, as the export says.
    #[serde(default)]
    pub forwarded_from_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HomeworkCard {
    pub lesson_id: parta_domain::LessonId,
    /// The lesson's date (the school's calendar).
    pub date: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForwardedFrom {
    pub sender: PersonRef,
    pub sent_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Poll {
    pub id: i64,
    pub multiple: bool,
    /// Anonymous polls show counts only; named ones show who chose what.
    pub anonymous: bool,
    pub closes_at: Option<String>,
    pub closed: bool,
    pub options: Vec<PollOption>,
    /// How many people have voted.
    pub voters: i64,
    /// The reader's own choices (empty in events, which everyone shares).
    pub my_option_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PollOption {
    pub id: i64,
    pub text: String,
    pub votes: i64,
    /// Who chose it, for named polls; empty for anonymous ones.
    pub voter_ids: Vec<UserId>,
}

/// A new poll, posted as a message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatePollRequest {
    pub client_msg_id: String,
    pub question: String,
    /// 2 to 10 options.
    pub options: Vec<String>,
    #[serde(default)]
    pub multiple: bool,
    #[serde(default)]
    pub anonymous: bool,
    /// RFC 3339; voting stops then.
    pub closes_at: Option<String>,
}

/// The options chosen; an empty list takes one's vote back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VoteRequest {
    pub option_ids: Vec<i64>,
}

/// One reaction on a message and who gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reaction {
    pub emoji: String,
    pub user_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReactionRequest {
    /// One of 👍 ❤️ 😂 😮 😢 🙏 👏 🔥 ✅ 👀.
    pub emoji: String,
}

/// Who has confirmed a must-acknowledge post, and who has not yet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AckStatus {
    pub message_id: MessageId,
    pub confirmed: Vec<AckEntry>,
    pub pending: Vec<PersonRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AckEntry {
    pub person: PersonRef,
    pub at: String,
}

/// A new message. `client_msg_id` is the sender's idempotency key: sending the same
/// key again returns the message already stored instead of a second copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SendMessageRequest {
    pub client_msg_id: String,
    pub body: String,
    pub reply_to: Option<MessageId>,
    /// Mark the post «ознакомиться» (moderators and channel authors).
    #[serde(default)]
    pub needs_ack: bool,
    /// Files uploaded to this chat with `POST /api/v1/chats/{id}/files`, up to 10.
    #[serde(default)]
    pub attachments: Vec<parta_domain::FileId>,
    /// Deliver at once even in quiet hours (the school's admins).
    #[serde(default)]
    pub urgent: bool,
    /// Forward this message (from any chat of the same school the sender reads):
    /// its text, unless `body` is given, and its files are copied.
    #[serde(default)]
    pub forward_of: Option<MessageId>,
}

/// An earlier text of an edited message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageVersion {
    pub body: String,
    pub written_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EditMessageRequest {
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MarkReadRequest {
    /// Read up to this chat position.
    pub seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Older messages exist before the first one here.
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatMember {
    pub person: PersonRef,
    /// Their roles in the school (the badges beside their name), each once.
    pub school_roles: Vec<MemberRole>,
    /// A teacher whose status the school's admin has confirmed.
    pub teacher_verified: bool,
    pub role: ChatRole,
    pub last_read_seq: i64,
    /// Set while a moderator has muted them here.
    pub muted_until: Option<String>,
    /// What the reader may do to this member.
    pub actions: MemberActions,
}

/// Something that happened in a chat, at a chat position.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    MessageSent {
        message: Message,
    },
    MessageEdited {
        message: Message,
    },
    MessageDeleted {
        message_id: MessageId,
        by_moderator: bool,
    },
    MemberJoined {
        person: PersonRef,
        role: ChatRole,
    },
    MemberLeft {
        user_id: UserId,
    },
    ReadUpTo {
        user_id: UserId,
        seq: i64,
    },
    ReactionsChanged {
        message_id: MessageId,
        reactions: Vec<Reaction>,
    },
    MessagePinned {
        message_id: MessageId,
        pinned: bool,
    },
    MessageAcknowledged {
        message_id: MessageId,
        user_id: UserId,
    },
    /// The author asks those who have not confirmed a post to read it.
    AckReminder {
        message_id: MessageId,
        user_ids: Vec<UserId>,
    },
    PollUpdated {
        message_id: MessageId,
        poll: Poll,
    },
    /// A moderator made the chat read-only (only moderators post) or opened it again.
    ChatUpdated {
        read_only: bool,
    },
    MemberMuted {
        user_id: UserId,
        until: Option<String>,
    },
    /// The chat was renamed.
    ChatRenamed {
        title: String,
    },
    /// A call started in the chat: its members may join it.
    CallStarted {
        call_id: parta_domain::CallId,
        started_by: PersonRef,
        /// Set when the call holds a lesson online (its students join it).
        lesson_id: Option<parta_domain::LessonId>,
    },
    /// A meeting or a broadcast was announced in the chat for a time ahead.
    CallScheduled {
        call_id: parta_domain::CallId,
        kind: crate::CallKind,
        title: String,
        starts_at: String,
    },
    /// The chat's call is over.
    CallEnded {
        call_id: parta_domain::CallId,
        /// How long it ran, in seconds.
        duration_s: i64,
    },
    /// History was imported from another messenger's export: `count` messages at the
    /// positions before this one, with their original times. Not sent one by one:
    /// a client fetches the chat afresh.
    HistoryImported {
        count: i64,
        by: PersonRef,
    },
}

/// A new group chat (any staff member) or subject chat (a teacher of the class).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateChatRequest {
    /// `group` or `subject`.
    pub kind: ChatKind,
    /// The chat's name; for a subject chat, the subject («Алгебра»).
    pub title: String,
    /// The class of a subject chat: its students are members, kept in step with the class.
    pub class_id: Option<ClassId>,
    /// People of the school to add at once (group chats).
    #[serde(default)]
    pub member_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RenameChatRequest {
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AddMembersRequest {
    pub user_ids: Vec<UserId>,
}

/// Appoints a channel author or a chat moderator, or takes the appointment back (`member`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatRoleRequest {
    pub role: ChatRole,
}

/// An invite link to a group or subject chat; only members of the same school can use it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatInvite {
    pub id: i64,
    pub chat_id: ChatId,
    /// Only in the answer that creates the link: it is stored as a digest.
    pub token: Option<String>,
    pub created_by: PersonRef,
    pub created_at: String,
    pub uses: i64,
    pub revoked: bool,
}

/// What a chat invite link leads to, for someone of the same school.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatInvitePreview {
    pub chat_id: ChatId,
    pub org_id: OrgId,
    pub title: String,
    pub members: i64,
    pub already_member: bool,
}

/// How many members have read a post, and who (the post's author and moderators;
/// names everywhere but the school-wide channel, where only the count is shown).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadStatus {
    pub message_id: MessageId,
    pub read: i64,
    /// Members other than the author.
    pub members: i64,
    pub readers: Option<Vec<PersonRef>>,
}

/// A message found by search, with the chat it is in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    pub chat_id: ChatId,
    pub chat_title: String,
    pub message: Message,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResults {
    /// Newest first.
    pub hits: Vec<SearchHit>,
    /// More, older hits exist: ask again with `before` = the last hit's message id.
    pub has_more: bool,
}

/// Opens (or finds) the direct conversation with someone of the same school.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectRequest {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadOnlyRequest {
    pub read_only: bool,
}

/// Mutes a member for a while; 0 minutes lifts the mute.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MuteRequest {
    /// 0 to 10080 (a week).
    pub minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportRequest {
    pub reason: String,
}

/// A report of a message, for the chat's moderators and the school's admins.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub id: i64,
    pub org_id: OrgId,
    pub chat_id: ChatId,
    pub chat_title: String,
    pub message: Message,
    pub reporter: PersonRef,
    pub reason: String,
    /// `open`, `dismissed` or `removed` (the message was deleted).
    pub status: String,
    pub created_at: String,
    pub resolved_by: Option<PersonRef>,
    pub resolved_at: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResolveReportRequest {
    /// Delete the reported message for everyone (shown as removed by a moderator).
    #[serde(default)]
    pub delete_message: bool,
    pub note: Option<String>,
}

/// Something that happened to one person: a chat appeared in or left their list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserEvent {
    /// `from_seq`: the chat position from which its events are theirs.
    ChatAdded {
        chat_id: ChatId,
        org_id: OrgId,
        from_seq: i64,
    },
    ChatRemoved {
        chat_id: ChatId,
    },
    /// A student's attendance or marks at a lesson changed: sent to the student and
    /// their parents, whose diary fetches the lesson again (the event carries no marks).
    JournalChanged {
        org_id: OrgId,
        student_id: UserId,
        lesson_id: parta_domain::LessonId,
        /// The lesson's date, `YYYY-MM-DD`.
        date: String,
    },
    /// A student's period or year mark was set, changed or taken back: sent to the
    /// student and their parents, whose diary fetches its marks again.
    FinalMarksChanged {
        org_id: OrgId,
        student_id: UserId,
        year_id: parta_domain::YearId,
    },
    /// A class's lessons on some dates changed (a replacement, a cancelled, moved or
    /// extra lesson): sent to its students, their parents and the teachers concerned,
    /// whose open week fetches those dates again.
    TimetableChanged {
        org_id: OrgId,
        class_id: parta_domain::ClassId,
        /// `YYYY-MM-DD`.
        dates: Vec<String>,
    },
    /// A new notification for this person (every device of theirs).
    NotificationAdded {
        notification: Box<crate::Notification>,
    },
    /// The person quieted a chat, or let it speak again, on one of their devices.
    ChatSilenceChanged {
        silence: crate::ChatSilence,
    },
    /// Notifications were read on one of this person's devices: these, or all up to
    /// `up_to` (included).
    NotificationsRead {
        ids: Vec<parta_domain::NotificationId>,
        up_to: Option<parta_domain::NotificationId>,
    },
    /// Something `/me` shows changed — the name (one's own or an admin's correction),
    /// e-mail, phone, photo or language —: every device of theirs loads `/me` again.
    MeChanged {},
}

/// Frames the server sends on `/api/v1/ws`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Authenticated; `user_seq` is the person's current position.
    Welcome {
        user_id: UserId,
        user_seq: i64,
    },
    ChatEvent {
        chat_id: ChatId,
        seq: i64,
        // Boxed: a message is much larger than the other frames.
        event: Box<ChatEvent>,
    },
    UserEvent {
        seq: i64,
        event: UserEvent,
    },
    /// Everything missed since the resume positions has been sent; live from here.
    Ready,
    /// The resume position of this chat is too old (or unknown): refetch it over REST.
    Resync {
        chat_id: ChatId,
    },
    Typing {
        chat_id: ChatId,
        user_id: UserId,
    },
    /// The answer to `call_join`: this device is in the call as `peer_id`.
    CallJoined {
        call_id: parta_domain::CallId,
        peer_id: i64,
        /// The answer to the join's offer.
        sdp: String,
        /// For `RTCPeerConnection`'s `iceServers` when the media server is behind a TURN relay.
        ice_servers: Vec<crate::IceServer>,
    },
    /// `call_join` was refused: `code` says why (`not_found`, `forbidden`,
    /// `call_ended`, `call_locked`, `bad_offer`, `calls_off`).
    CallRefused {
        call_id: parta_domain::CallId,
        code: String,
        detail: String,
    },
    /// A session description from the media server: an offer when others' tracks are
    /// added or stopped (answer it with `call_signal`), or the answer to the client's
    /// own offer.
    CallSignal {
        call_id: parta_domain::CallId,
        kind: crate::SdpKind,
        sdp: String,
    },
    /// Who is in the call now (a broadcast's viewers only counted), who leads it and
    /// whether it is locked; sent to the chat's sockets whenever that changes.
    CallParticipants {
        call_id: parta_domain::CallId,
        participants: Vec<crate::CallParticipant>,
        viewers: i64,
        host_id: UserId,
        locked: bool,
    },
    /// This device waits in the call's waiting room until a leader admits it.
    CallWaiting {
        call_id: parta_domain::CallId,
    },
    /// The device was admitted: it sends `call_join` again, now answered.
    CallAdmitted {
        call_id: parta_domain::CallId,
    },
    /// Who waits to be admitted; sent to those who lead the call.
    CallWaitingRoom {
        call_id: parta_domain::CallId,
        waiting: Vec<PersonRef>,
    },
    /// This device may now send media in the broadcast (`on`), or no longer.
    CallStage {
        call_id: parta_domain::CallId,
        on: bool,
    },
    /// The loudest voice in the call is now this device's.
    CallSpeaking {
        call_id: parta_domain::CallId,
        peer_id: i64,
    },
    /// The host turned this device's microphone or camera off: the client stops
    /// sending it and says so; the person may turn it on again.
    CallMuted {
        call_id: parta_domain::CallId,
        kind: crate::CallMediaKind,
    },
    /// This device's media in the call ended.
    CallLeft {
        call_id: parta_domain::CallId,
        reason: crate::CallLeftReason,
    },
    Error {
        code: String,
        detail: String,
    },
}

/// The last position a client saw in one chat.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct ChatPosition {
    pub chat_id: ChatId,
    pub seq: i64,
}

/// Frames a client sends on `/api/v1/ws`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// First frame when not authenticated by the session cookie.
    Auth {
        token: String,
    },
    /// What the client has seen: its personal position and each chat's position.
    /// Everything after them is sent, then `ready`.
    Resume {
        user_seq: i64,
        #[serde(default)]
        chats: Vec<ChatPosition>,
    },
    Typing {
        chat_id: ChatId,
    },
    /// Join a running call from this device with an SDP offer (the tracks it sends);
    /// answered by `call_joined` or `call_refused`.
    CallJoin {
        call_id: parta_domain::CallId,
        sdp: String,
        audio: bool,
        video: bool,
    },
    /// The answer to the media server's offer, or a new offer of the client's own
    /// (a track added, such as a shared screen).
    CallSignal {
        call_id: parta_domain::CallId,
        kind: crate::SdpKind,
        sdp: String,
    },
    /// This device's microphone and camera were switched.
    CallMedia {
        call_id: parta_domain::CallId,
        audio: bool,
        video: bool,
    },
    CallLeave {
        call_id: parta_domain::CallId,
    },
    /// How this device shows another's video (`peer_id`): the media unit sends the
    /// matching simulcast layer, or none for a tile not shown. Large by default.
    CallView {
        call_id: parta_domain::CallId,
        peer_id: i64,
        view: crate::CallView,
    },
    /// Raise or lower this device's hand.
    CallHand {
        call_id: parta_domain::CallId,
        raised: bool,
    },
}
