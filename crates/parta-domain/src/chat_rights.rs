//! Rights inside a chat, as data, beside the school table of `permission`: what a
//! seat of each role may do in a chat of each kind. A seat's role comes from the
//! directory (`chats::directory_chats`) or from an appointment; the school role
//! enters only where a right reaches past the chat — urgent posts, channel authors,
//! and the reports of every chat, which are a school admin's.
//! Loading a seat is the server's `access::chat`; deciding is here.

use serde::{Deserialize, Serialize};

use crate::chats::{ChatKind, ChatRole};

/// Something a member may do in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatAbility {
    /// Send messages, polls and files, edit one's own, show that one is typing.
    Post,
    /// React to messages.
    React,
    /// Confirm a must-acknowledge post («Ознакомлен»).
    Acknowledge,
    /// Report a message to the chat's moderators and the school's admins.
    Report,
    /// Mark a post as must-acknowledge.
    RequestAck,
    /// Pin and unpin messages.
    Pin,
    /// Delete anyone's message and close anyone's poll (one's own are always one's
    /// to delete and close).
    ModeratePosts,
    /// See who has read and who has confirmed anyone's post, and remind them
    /// (one's own posts are always one's to follow).
    FollowReads,
    /// Read the earlier texts of edited and removed messages.
    SeeVersions,
    /// Mute members.
    Mute,
    /// Switch the chat to «only moderators write» and back.
    SetReadOnly,
    /// Add and remove members, share invite links, rename the chat and appoint its
    /// moderators: chats people make, whose members are not the directory's.
    ManageMembers,
    /// Handle the reports of messages of the chat.
    HandleReports,
    /// Post urgently: delivered at once even in quiet hours.
    SendUrgent,
    /// Appoint and withdraw a channel's authors.
    AppointAuthors,
    /// Start a call in the chat (a way of posting: held only where the seat may post).
    StartCall,
    /// Join the chat's call.
    JoinCall,
    /// Lead anyone's call in the chat: mute, remove, lock, end it, admit from the
    /// waiting room (whoever starts a call leads their own).
    HostCalls,
}

impl ChatAbility {
    /// Rights that are a way of posting, held only where the seat may post.
    pub fn qualifies_a_post(self) -> bool {
        matches!(self, ChatAbility::RequestAck | ChatAbility::SendUrgent | ChatAbility::StartCall)
    }

    pub const ALL: [ChatAbility; 18] = [
        ChatAbility::Post,
        ChatAbility::React,
        ChatAbility::Acknowledge,
        ChatAbility::Report,
        ChatAbility::RequestAck,
        ChatAbility::Pin,
        ChatAbility::ModeratePosts,
        ChatAbility::FollowReads,
        ChatAbility::SeeVersions,
        ChatAbility::Mute,
        ChatAbility::SetReadOnly,
        ChatAbility::ManageMembers,
        ChatAbility::HandleReports,
        ChatAbility::SendUrgent,
        ChatAbility::AppointAuthors,
        ChatAbility::StartCall,
        ChatAbility::JoinCall,
        ChatAbility::HostCalls,
    ];
}

/// A person's place in one chat, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub kind: ChatKind,
    pub role: ChatRole,
    /// The chat is read-only: only its moderators post.
    pub read_only: bool,
    /// The person is an admin of the chat's school.
    pub school_admin: bool,
    /// The chat ended with its school year (a subject chat, a graduating class's):
    /// an archive is read, and nothing in it changes.
    pub archived: bool,
}

/// The chat table: what a seat of `role` may do in a chat of `kind`. Adding a right
/// means a variant above, a line here and a row in the exhaustive test below.
pub fn seat_grants(kind: ChatKind, role: ChatRole) -> &'static [ChatAbility] {
    use ChatAbility::*;
    let channel = kind.is_channel();
    let by_people = kind.is_made_by_people();
    match role {
        ChatRole::Member if channel => &[React, Acknowledge, Report, JoinCall],
        ChatRole::Member => &[Post, React, Acknowledge, Report, StartCall, JoinCall],
        // A channel's authors present its broadcasts and announce them ahead.
        ChatRole::Author if channel => &[Post, React, Acknowledge, Report, RequestAck, StartCall, JoinCall, HostCalls],
        ChatRole::Author => &[Post, React, Acknowledge, Report, RequestAck, StartCall, JoinCall],
        ChatRole::Moderator if channel => &[
            Post,
            React,
            Acknowledge,
            Report,
            RequestAck,
            Pin,
            ModeratePosts,
            FollowReads,
            SeeVersions,
            Mute,
            HandleReports,
            StartCall,
            JoinCall,
            HostCalls,
        ],
        ChatRole::Moderator if by_people => &[
            Post,
            React,
            Acknowledge,
            Report,
            RequestAck,
            Pin,
            ModeratePosts,
            FollowReads,
            SeeVersions,
            Mute,
            SetReadOnly,
            ManageMembers,
            HandleReports,
            StartCall,
            JoinCall,
            HostCalls,
        ],
        ChatRole::Moderator if kind == ChatKind::Direct => &[
            Post,
            React,
            Acknowledge,
            Report,
            RequestAck,
            Pin,
            ModeratePosts,
            FollowReads,
            SeeVersions,
            HandleReports,
            StartCall,
            JoinCall,
            HostCalls,
        ],
        // A class teacher informs their class and its parents: urgently too, through
        // quiet hours (the seeds charge them with it).
        ChatRole::Moderator if matches!(kind, ChatKind::Class | ChatKind::Parents) => &[
            Post,
            React,
            Acknowledge,
            Report,
            RequestAck,
            SendUrgent,
            Pin,
            ModeratePosts,
            FollowReads,
            SeeVersions,
            Mute,
            SetReadOnly,
            HandleReports,
            StartCall,
            JoinCall,
            HostCalls,
        ],
        ChatRole::Moderator => &[
            Post,
            React,
            Acknowledge,
            Report,
            RequestAck,
            Pin,
            ModeratePosts,
            FollowReads,
            SeeVersions,
            Mute,
            SetReadOnly,
            HandleReports,
            StartCall,
            JoinCall,
            HostCalls,
        ],
    }
}

/// What a school admin may do in any chat of their school they sit in, whatever
/// their seat.
pub fn school_admin_grants(kind: ChatKind) -> &'static [ChatAbility] {
    use ChatAbility::*;
    if kind.is_channel() { &[SendUrgent, HandleReports, AppointAuthors] } else { &[SendUrgent, HandleReports] }
}

impl Seat {
    /// The one decision for chats: does this seat give `ability`?
    pub fn allows(self, ability: ChatAbility) -> bool {
        if self.archived && !matches!(ability, ChatAbility::FollowReads | ChatAbility::SeeVersions) {
            return false;
        }
        // A read-only chat keeps its posts to its moderators; channels have their authors.
        if ability == ChatAbility::Post && self.read_only && !self.kind.is_channel() && self.role < ChatRole::Moderator
        {
            return false;
        }
        // Marking a post must-acknowledge or urgent qualifies a post: posting comes first.
        if ability.qualifies_a_post() && !self.allows(ChatAbility::Post) {
            return false;
        }
        seat_grants(self.kind, self.role).contains(&ability)
            || (self.school_admin && school_admin_grants(self.kind).contains(&ability))
    }
}

/// Whether someone may leave a chat by themselves: only chats people make, and not
/// where the directory seated them (a subject chat's students). An owner may leave
/// too; the chat stays with its other moderators.
pub fn can_leave(kind: ChatKind, from_directory: bool) -> bool {
    kind.is_made_by_people() && !from_directory
}

/// Whether a member in `role` can be muted: moderators are not.
pub fn can_be_muted(role: ChatRole) -> bool {
    role < ChatRole::Moderator
}

/// The member a right is used on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub role: ChatRole,
    /// The role someone appointed them to, above what the directory gives.
    pub appointed: Option<ChatRole>,
    pub is_owner: bool,
    pub from_directory: bool,
    pub is_self: bool,
}

/// What the reader may do to one member of the chat: nothing to themselves (leaving
/// is apart), nothing but muting to the chat's owner. Sent with every chat member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberActions {
    pub mute: bool,
    pub remove: bool,
    pub make_moderator: bool,
    pub revoke_moderator: bool,
    pub make_author: bool,
    pub revoke_author: bool,
}

/// The reader's rights in a chat, as clients are told them with every chat, so that
/// they never re-derive a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatAbilities {
    /// Send messages, polls and files, edit one's own, show typing (not while muted).
    pub post: bool,
    pub react: bool,
    pub acknowledge: bool,
    pub report: bool,
    /// Mark a post as must-acknowledge.
    pub request_ack: bool,
    pub pin: bool,
    /// Delete anyone's message, close anyone's poll (one's own always).
    pub moderate_posts: bool,
    /// See who read or confirmed anyone's post and remind them (one's own always).
    pub follow_reads: bool,
    pub see_versions: bool,
    pub mute: bool,
    pub set_read_only: bool,
    /// Add and remove members, invite links, rename, appoint moderators.
    pub manage_members: bool,
    pub handle_reports: bool,
    /// Post urgently, delivered even in quiet hours.
    pub send_urgent: bool,
    pub appoint_authors: bool,
    /// Start a call in the chat.
    pub start_call: bool,
    pub join_call: bool,
    /// Lead anyone's call in the chat (one's own call always).
    pub host_calls: bool,
    /// Leave the chat oneself.
    pub leave: bool,
    /// Import the chat's history from another messenger's export: its owner or an
    /// admin of its school, never in an archived chat (set where the owner is known,
    /// `access::ChatAccess::abilities`).
    #[serde(default)]
    pub import_history: bool,
}

impl Seat {
    /// Everything this seat allows, with whether its holder may leave.
    pub fn abilities(self, leave: bool) -> ChatAbilities {
        use ChatAbility::*;
        let may = |ability| self.allows(ability);
        ChatAbilities {
            post: may(Post),
            react: may(React),
            acknowledge: may(Acknowledge),
            report: may(Report),
            request_ack: may(RequestAck),
            pin: may(Pin),
            moderate_posts: may(ModeratePosts),
            follow_reads: may(FollowReads),
            see_versions: may(SeeVersions),
            mute: may(Mute),
            set_read_only: may(SetReadOnly),
            manage_members: may(ManageMembers),
            handle_reports: may(HandleReports),
            send_urgent: may(SendUrgent),
            appoint_authors: may(AppointAuthors),
            start_call: may(StartCall),
            join_call: may(JoinCall),
            host_calls: may(HostCalls),
            leave,
            import_history: false,
        }
    }
}

pub fn member_actions(reader: Seat, target: Target) -> MemberActions {
    if target.is_self {
        return MemberActions::default();
    }
    let manage = reader.allows(ChatAbility::ManageMembers) && !target.is_owner;
    let authors = reader.allows(ChatAbility::AppointAuthors);
    MemberActions {
        mute: reader.allows(ChatAbility::Mute) && can_be_muted(target.role),
        remove: manage && !target.from_directory,
        make_moderator: manage && target.role == ChatRole::Member,
        revoke_moderator: manage && target.appointed == Some(ChatRole::Moderator),
        make_author: authors && target.role == ChatRole::Member,
        revoke_author: authors && target.appointed == Some(ChatRole::Author),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNELS: &[ChatKind] = &[ChatKind::SchoolChannel, ChatKind::StaffChannel];
    const CONVERSATIONS: &[ChatKind] = &[
        ChatKind::Class,
        ChatKind::Parents,
        ChatKind::ClassTeachers,
        ChatKind::StaffRoom,
        ChatKind::Direct,
        ChatKind::Group,
        ChatKind::Subject,
    ];
    const MODERATED: &[ChatKind] = &[
        ChatKind::Class,
        ChatKind::Parents,
        ChatKind::ClassTeachers,
        ChatKind::StaffRoom,
        ChatKind::SchoolChannel,
        ChatKind::StaffChannel,
        ChatKind::Group,
        ChatKind::Subject,
    ];
    const SWITCHABLE: &[ChatKind] = &[
        ChatKind::Class,
        ChatKind::Parents,
        ChatKind::ClassTeachers,
        ChatKind::StaffRoom,
        ChatKind::Group,
        ChatKind::Subject,
    ];
    const BY_PEOPLE: &[ChatKind] = &[ChatKind::Group, ChatKind::Subject];

    /// One way to hold a right: in chats of `kinds`, a seat of `from` or above —
    /// in a read-only chat too when `read_only` — or a school admin when `admin`.
    /// Marking a post must-acknowledge or urgent needs posting too (`expected`).
    struct Row {
        ability: ChatAbility,
        kinds: &'static [ChatKind],
        from: Option<ChatRole>,
        read_only: bool,
        admin: bool,
    }

    const fn row(ability: ChatAbility, kinds: &'static [ChatKind], from: ChatRole, read_only: bool) -> Row {
        Row { ability, kinds, from: Some(from), read_only, admin: false }
    }

    /// The expected table, written independently of `seat_grants`.
    const EXPECTED: &[Row] = {
        use ChatAbility::*;
        use ChatRole::{Author, Member, Moderator};
        &[
            row(Post, CONVERSATIONS, Member, false),
            row(Post, CONVERSATIONS, Moderator, true),
            row(Post, CHANNELS, Author, true),
            row(React, ChatKind::ALL.as_slice(), Member, true),
            row(Acknowledge, ChatKind::ALL.as_slice(), Member, true),
            row(Report, ChatKind::ALL.as_slice(), Member, true),
            row(RequestAck, ChatKind::ALL.as_slice(), Author, true),
            row(Pin, ChatKind::ALL.as_slice(), Moderator, true),
            row(ModeratePosts, ChatKind::ALL.as_slice(), Moderator, true),
            row(FollowReads, ChatKind::ALL.as_slice(), Moderator, true),
            row(SeeVersions, ChatKind::ALL.as_slice(), Moderator, true),
            row(Mute, MODERATED, Moderator, true),
            row(SetReadOnly, SWITCHABLE, Moderator, true),
            row(ManageMembers, BY_PEOPLE, Moderator, true),
            row(HandleReports, ChatKind::ALL.as_slice(), Moderator, true),
            Row { ability: HandleReports, kinds: ChatKind::ALL.as_slice(), from: None, read_only: true, admin: true },
            Row { ability: SendUrgent, kinds: ChatKind::ALL.as_slice(), from: None, read_only: true, admin: true },
            row(SendUrgent, &[ChatKind::Class, ChatKind::Parents], Moderator, true),
            Row { ability: AppointAuthors, kinds: CHANNELS, from: None, read_only: true, admin: true },
            row(StartCall, CONVERSATIONS, Member, false),
            row(StartCall, CONVERSATIONS, Moderator, true),
            row(StartCall, CHANNELS, Author, true),
            row(JoinCall, ChatKind::ALL.as_slice(), Member, true),
            row(HostCalls, ChatKind::ALL.as_slice(), Moderator, true),
            row(HostCalls, CHANNELS, Author, true),
        ]
    };

    fn expected(ability: ChatAbility, seat: Seat) -> bool {
        use ChatAbility::{Post, RequestAck, SendUrgent, StartCall};
        if matches!(ability, RequestAck | SendUrgent | StartCall) && !expected(Post, seat) {
            return false;
        }
        EXPECTED.iter().filter(|r| r.ability == ability && r.kinds.contains(&seat.kind)).any(|r| {
            let by_seat = r.from.is_some_and(|from| seat.role >= from) && (r.read_only || !seat.read_only);
            by_seat || (r.admin && seat.school_admin)
        })
    }

    #[test]
    fn every_ability_has_an_expected_row() {
        for ability in ChatAbility::ALL {
            assert!(EXPECTED.iter().any(|r| r.ability == ability), "{ability:?} has no row in EXPECTED");
        }
    }

    /// Every ability × chat kind × seat role × read-only × school admin.
    #[test]
    fn the_chat_table_matches_the_expected_rows_everywhere() {
        for ability in ChatAbility::ALL {
            for kind in ChatKind::ALL {
                for role in [ChatRole::Member, ChatRole::Author, ChatRole::Moderator] {
                    for read_only in [false, true] {
                        for school_admin in [false, true] {
                            let seat = Seat { kind, role, read_only, school_admin, archived: false };
                            assert_eq!(seat.allows(ability), expected(ability, seat), "{seat:?} × {ability:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_channel_reader_only_reads_and_responds() {
        let reader = Seat {
            kind: ChatKind::SchoolChannel,
            role: ChatRole::Member,
            read_only: false,
            school_admin: false,
            archived: false,
        };
        let can: Vec<ChatAbility> = ChatAbility::ALL.into_iter().filter(|a| reader.allows(*a)).collect();
        assert_eq!(can, [ChatAbility::React, ChatAbility::Acknowledge, ChatAbility::Report, ChatAbility::JoinCall]);
    }

    #[test]
    fn leaving_and_acting_on_members() {
        assert!(can_leave(ChatKind::Group, false));
        assert!(!can_leave(ChatKind::Subject, true), "a class roll seat stays");
        assert!(!can_leave(ChatKind::Class, false));
        let moderator = Seat {
            kind: ChatKind::Group,
            role: ChatRole::Moderator,
            read_only: false,
            school_admin: false,
            archived: false,
        };
        let member =
            Target { role: ChatRole::Member, appointed: None, is_owner: false, from_directory: false, is_self: false };
        let all = member_actions(moderator, member);
        assert!(all.mute && all.remove && all.make_moderator && !all.revoke_moderator && !all.make_author);
        let owner = Target { role: ChatRole::Moderator, is_owner: true, appointed: None, ..member };
        assert_eq!(member_actions(moderator, owner), MemberActions::default());
        let appointed = Target { role: ChatRole::Moderator, appointed: Some(ChatRole::Moderator), ..member };
        let acts = member_actions(moderator, appointed);
        assert!(acts.revoke_moderator && !acts.mute && !acts.make_moderator);
        let rolled = Target { from_directory: true, ..member };
        assert!(!member_actions(moderator, rolled).remove);
        assert_eq!(member_actions(moderator, Target { is_self: true, ..member }), MemberActions::default());
        let admin = Seat {
            kind: ChatKind::StaffChannel,
            role: ChatRole::Moderator,
            read_only: false,
            school_admin: true,
            archived: false,
        };
        assert!(member_actions(admin, member).make_author);
        let author = Target { role: ChatRole::Author, appointed: Some(ChatRole::Author), ..member };
        assert!(member_actions(admin, author).revoke_author && member_actions(admin, author).mute);
        let teacher = Seat { school_admin: false, ..admin };
        assert!(!member_actions(teacher, member).make_author);
    }

    #[test]
    fn an_archive_is_read_and_nothing_in_it_changes() {
        for kind in ChatKind::ALL {
            let seat = Seat { kind, role: ChatRole::Moderator, read_only: true, school_admin: true, archived: true };
            for ability in ChatAbility::ALL {
                let read = matches!(ability, ChatAbility::FollowReads | ChatAbility::SeeVersions);
                assert_eq!(seat.allows(ability), read && seat_grants(kind, ChatRole::Moderator).contains(&ability));
            }
        }
    }
}
