//! Which chats the school directory implies for a person, and what a member of a
//! chat may do there. The registry drives the chats: a place in a class is a seat
//! in that class's chats, so transfers, leavers and new roles move people at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::ClassId;
use crate::roles::MemberRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChatKind {
    /// Class teacher and the students of a class.
    Class,
    /// Class teacher and the parents of the class's students.
    Parents,
    /// Class teacher and the teachers who teach the class.
    ClassTeachers,
    /// «Учительская»: all staff.
    StaffRoom,
    /// «Общешкольный канал»: everyone reads, authors post.
    SchoolChannel,
    /// «Сотрудники»: staff read, authors post.
    StaffChannel,
    /// A conversation of two people.
    Direct,
    /// A chat someone on the staff made: administration chats (the director with
    /// deputies, with the parent committee…), committees, anything. Its owner and
    /// moderators add members or share an invite link.
    Group,
    /// A teacher and the students of one class, for one subject; the class's roll
    /// keeps it in step like the class chat.
    Subject,
}

impl ChatKind {
    pub const ALL: [ChatKind; 9] = [
        ChatKind::Class,
        ChatKind::Parents,
        ChatKind::ClassTeachers,
        ChatKind::StaffRoom,
        ChatKind::SchoolChannel,
        ChatKind::StaffChannel,
        ChatKind::Direct,
        ChatKind::Group,
        ChatKind::Subject,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChatKind::Class => "class",
            ChatKind::Parents => "parents",
            ChatKind::ClassTeachers => "class_teachers",
            ChatKind::StaffRoom => "staff_room",
            ChatKind::SchoolChannel => "school_channel",
            ChatKind::StaffChannel => "staff_channel",
            ChatKind::Direct => "direct",
            ChatKind::Group => "group",
            ChatKind::Subject => "subject",
        }
    }

    pub fn parse(text: &str) -> Option<ChatKind> {
        ChatKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn is_channel(self) -> bool {
        matches!(self, ChatKind::SchoolChannel | ChatKind::StaffChannel)
    }

    /// Chats people make, whose members are added, invited and removed by hand
    /// (a subject chat's students come from the class roll, its others by hand).
    pub fn is_made_by_people(self) -> bool {
        matches!(self, ChatKind::Group | ChatKind::Subject)
    }

    /// Chats where a school's quiet hours hold messages: wherever the school and
    /// families meet — the class and parents' chats, the school channel, subject chats,
    /// group chats with students or parents in them, and direct chats between staff
    /// and a student or parent. Staff among themselves are not held.
    pub fn held_in_quiet_hours(self, audience: Audience) -> bool {
        match self {
            ChatKind::Class | ChatKind::Parents | ChatKind::SchoolChannel | ChatKind::Subject => true,
            ChatKind::Group => audience.families,
            ChatKind::Direct => audience.families && audience.staff,
            ChatKind::ClassTeachers | ChatKind::StaffRoom | ChatKind::StaffChannel => false,
        }
    }

    /// Whether quiet hours ask who sits in a chat of this kind (`Audience`).
    pub fn quiet_asks_audience(self) -> bool {
        matches!(self, ChatKind::Group | ChatKind::Direct)
    }

    /// The chats every class gets when it is created.
    pub const OF_A_CLASS: [ChatKind; 3] = [ChatKind::Class, ChatKind::Parents, ChatKind::ClassTeachers];

    /// The title a new chat gets, in Russian, the school's language.
    pub fn title(self, class_name: &str) -> String {
        match self {
            ChatKind::Class => format!("{class_name} — класс"),
            ChatKind::Parents => format!("{class_name} — родители"),
            ChatKind::ClassTeachers => format!("{class_name} — учителя класса"),
            ChatKind::StaffRoom => "Учительская".to_owned(),
            ChatKind::SchoolChannel => "Общешкольный канал".to_owned(),
            ChatKind::StaffChannel => "Сотрудники".to_owned(),
            ChatKind::Direct => "Личные сообщения".to_owned(),
            ChatKind::Group => "Беседа".to_owned(),
            ChatKind::Subject => format!("{class_name} — предмет"),
        }
    }
}

/// A member's standing in a chat. Ordered: a moderator can do all an author can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChatRole {
    Member,
    /// Posts in a channel.
    Author,
    Moderator,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::Member => "member",
            ChatRole::Author => "author",
            ChatRole::Moderator => "moderator",
        }
    }

    pub fn parse(text: &str) -> Option<ChatRole> {
        [ChatRole::Member, ChatRole::Author, ChatRole::Moderator].into_iter().find(|r| r.as_str() == text)
    }
}

/// The role a seat holds: what the directory gives, or what someone appointed
/// them to when that stands higher (a channel author, a group's moderator).
pub fn effective_role(given: ChatRole, appointed: Option<ChatRole>) -> ChatRole {
    given.max(appointed.unwrap_or(ChatRole::Member))
}

/// A directory-driven chat: its kind, and the class it belongs to (the staff room's
/// class for «Учительская»; none for the school's two channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatKey {
    pub kind: ChatKind,
    pub class: Option<ClassId>,
}

/// What the directory says about one person in one school.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFacts {
    /// Current places: role and class (the staff room is a class too).
    pub places: Vec<(MemberRole, ClassId)>,
    pub staff_room: Option<ClassId>,
    pub leads: Vec<ClassId>,
    pub is_admin: bool,
}

/// The chats the directory puts a person in, each with their role there.
pub fn directory_chats(facts: &DirectoryFacts) -> BTreeMap<ChatKey, ChatRole> {
    let mut chats: BTreeMap<ChatKey, ChatRole> = BTreeMap::new();
    let mut grant = |kind: ChatKind, class: Option<ClassId>, role: ChatRole| {
        let seat = chats.entry(ChatKey { kind, class }).or_insert(role);
        *seat = (*seat).max(role);
    };
    let is_member = facts.is_admin || !facts.places.is_empty();
    let is_staff = facts.is_admin || facts.places.iter().any(|(role, _)| role.is_staff());
    // The director and deputies write the school's channels (the seeds give them its
    // content) without moderating them, which is the admins' job.
    let administration = facts.places.iter().any(|(role, _)| matches!(role, MemberRole::Director | MemberRole::Deputy));
    let channel_role = if facts.is_admin {
        ChatRole::Moderator
    } else if administration {
        ChatRole::Author
    } else {
        ChatRole::Member
    };
    if is_member {
        grant(ChatKind::SchoolChannel, None, channel_role);
    }
    if is_staff {
        grant(ChatKind::StaffChannel, None, channel_role);
        if let Some(staff_room) = facts.staff_room {
            grant(
                ChatKind::StaffRoom,
                Some(staff_room),
                if facts.is_admin { ChatRole::Moderator } else { ChatRole::Member },
            );
        }
    }
    for (role, class) in &facts.places {
        if Some(*class) == facts.staff_room {
            continue;
        }
        match role {
            MemberRole::Student => grant(ChatKind::Class, Some(*class), ChatRole::Member),
            MemberRole::Parent => grant(ChatKind::Parents, Some(*class), ChatRole::Member),
            MemberRole::Teacher | MemberRole::Director | MemberRole::Deputy => {
                grant(ChatKind::ClassTeachers, Some(*class), ChatRole::Member)
            }
            MemberRole::Employee => {}
        }
    }
    for class in &facts.leads {
        for kind in ChatKind::OF_A_CLASS {
            grant(kind, Some(*class), ChatRole::Moderator);
        }
    }
    chats
}

/// Who sits in a chat, as quiet hours ask it: students or parents, and staff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Audience {
    pub families: bool,
    pub staff: bool,
}

/// The reactions offered: a short fixed set keeps reactions readable and harmless.
pub const REACTIONS: [&str; 10] = ["👍", "❤️", "😂", "😮", "😢", "🙏", "👏", "🔥", "✅", "👀"];

/// What decides whether two people of a school may write to each other directly.
#[derive(Debug, Clone, Default)]
pub struct DirectFacts {
    pub user: Option<crate::ids::UserId>,
    /// A parent's children in this school.
    pub children: Vec<crate::ids::UserId>,
    /// Classes of their current places (a parent's: their children's classes; staff: the staff room too).
    pub classes: Vec<ClassId>,
    /// Classes they are a student of.
    pub student_of: Vec<ClassId>,
    /// Classes they teach or lead.
    pub teaches: Vec<ClassId>,
}

/// How closely a school guards its students in chats (a school setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StudentSafety {
    /// Students are treated like everyone else.
    Relaxed,
    /// The default: students are reached only by classmates, their teachers and
    /// their own parents, and sit in group chats only with a teacher there.
    Safe,
    /// Safe, and a student's conversations always include a teacher: no direct
    /// chats between students.
    Supervised,
}

impl StudentSafety {
    pub fn of_settings(safe_mode: bool, supervised: bool) -> StudentSafety {
        match (safe_mode, supervised) {
            (false, _) => StudentSafety::Relaxed,
            (true, false) => StudentSafety::Safe,
            (true, true) => StudentSafety::Supervised,
        }
    }
}

/// Whether a student may sit in a group chat: in safe mode only with someone on
/// the staff in it (counting whoever is joining with them).
pub fn student_may_sit_in_group(safety: StudentSafety, staff_present: bool) -> bool {
    safety == StudentSafety::Relaxed || staff_present
}

/// Direct messages only between people who share a class or a chat made by people
/// (`share_a_chat`). In student safe mode (the default) a student and someone else
/// are in touch directly — whichever of them writes first — only when the other is
/// a classmate, one of their teachers or their own parent; when supervised, not a
/// classmate either.
pub fn can_direct_message(
    sender: &DirectFacts,
    recipient: &DirectFacts,
    safety: StudentSafety,
    share_a_chat: bool,
) -> bool {
    let recipient_is_student = !recipient.student_of.is_empty();
    let sender_is_student = !sender.student_of.is_empty();
    if safety == StudentSafety::Supervised && recipient_is_student && sender_is_student {
        return false;
    }
    if safety >= StudentSafety::Safe && (recipient_is_student || sender_is_student) {
        return (!recipient_is_student || in_students_circle(recipient, sender))
            && (!sender_is_student || in_students_circle(sender, recipient));
    }
    share_a_chat || sender.classes.iter().any(|c| recipient.classes.contains(c))
}

/// Whether `other` is a classmate, a teacher or a parent of `student`.
fn in_students_circle(student: &DirectFacts, other: &DirectFacts) -> bool {
    let classmate = other.student_of.iter().any(|c| student.student_of.contains(c));
    let their_teacher = other.teaches.iter().any(|c| student.student_of.contains(c));
    let their_parent = student.user.is_some_and(|child| other.children.contains(&child));
    classmate || their_teacher || their_parent
}

pub const MESSAGE_MAX_CHARS: usize = 4000;

#[cfg(test)]
mod tests {
    use super::*;

    const STAFF_ROOM: ClassId = ClassId(1);
    const FIVE_A: ClassId = ClassId(5);
    const FIVE_B: ClassId = ClassId(6);

    fn keys(facts: &DirectoryFacts) -> Vec<(ChatKind, Option<ClassId>, ChatRole)> {
        directory_chats(facts).into_iter().map(|(k, r)| (k.kind, k.class, r)).collect()
    }

    #[test]
    fn a_student_sits_in_their_class_chat_and_the_school_channel() {
        let facts = DirectoryFacts {
            places: vec![(MemberRole::Student, FIVE_A)],
            staff_room: Some(STAFF_ROOM),
            ..Default::default()
        };
        assert_eq!(
            keys(&facts),
            [(ChatKind::Class, Some(FIVE_A), ChatRole::Member), (ChatKind::SchoolChannel, None, ChatRole::Member)]
        );
    }

    #[test]
    fn a_parent_of_two_children_sits_in_both_parents_chats() {
        let facts = DirectoryFacts {
            places: vec![(MemberRole::Parent, FIVE_A), (MemberRole::Parent, FIVE_B)],
            staff_room: Some(STAFF_ROOM),
            ..Default::default()
        };
        assert_eq!(
            keys(&facts),
            [
                (ChatKind::Parents, Some(FIVE_A), ChatRole::Member),
                (ChatKind::Parents, Some(FIVE_B), ChatRole::Member),
                (ChatKind::SchoolChannel, None, ChatRole::Member),
            ]
        );
    }

    #[test]
    fn a_class_teacher_moderates_all_three_chats_of_their_class() {
        let facts = DirectoryFacts {
            places: vec![
                (MemberRole::Teacher, STAFF_ROOM),
                (MemberRole::Teacher, FIVE_A),
                (MemberRole::Teacher, FIVE_B),
            ],
            staff_room: Some(STAFF_ROOM),
            leads: vec![FIVE_A],
            is_admin: false,
        };
        assert_eq!(
            keys(&facts),
            [
                (ChatKind::Class, Some(FIVE_A), ChatRole::Moderator),
                (ChatKind::Parents, Some(FIVE_A), ChatRole::Moderator),
                (ChatKind::ClassTeachers, Some(FIVE_A), ChatRole::Moderator),
                (ChatKind::ClassTeachers, Some(FIVE_B), ChatRole::Member),
                (ChatKind::StaffRoom, Some(STAFF_ROOM), ChatRole::Member),
                (ChatKind::SchoolChannel, None, ChatRole::Member),
                (ChatKind::StaffChannel, None, ChatRole::Member),
            ]
        );
    }

    #[test]
    fn the_director_writes_the_channels_and_the_admin_moderates_them() {
        let director = DirectoryFacts {
            places: vec![(MemberRole::Director, STAFF_ROOM)],
            staff_room: Some(STAFF_ROOM),
            ..Default::default()
        };
        assert_eq!(
            keys(&director),
            [
                (ChatKind::StaffRoom, Some(STAFF_ROOM), ChatRole::Member),
                (ChatKind::SchoolChannel, None, ChatRole::Author),
                (ChatKind::StaffChannel, None, ChatRole::Author),
            ]
        );
        let admin = DirectoryFacts { is_admin: true, ..director };
        assert_eq!(
            keys(&admin),
            [
                (ChatKind::StaffRoom, Some(STAFF_ROOM), ChatRole::Moderator),
                (ChatKind::SchoolChannel, None, ChatRole::Moderator),
                (ChatKind::StaffChannel, None, ChatRole::Moderator),
            ]
        );
    }

    #[test]
    fn an_employee_is_staff_but_in_no_class_chat() {
        let facts = DirectoryFacts {
            places: vec![(MemberRole::Employee, STAFF_ROOM)],
            staff_room: Some(STAFF_ROOM),
            ..Default::default()
        };
        let kinds: Vec<ChatKind> = keys(&facts).into_iter().map(|(k, _, _)| k).collect();
        assert_eq!(kinds, [ChatKind::StaffRoom, ChatKind::SchoolChannel, ChatKind::StaffChannel]);
    }

    #[test]
    fn admins_moderate_the_staff_room_and_both_channels() {
        let facts = DirectoryFacts {
            places: vec![(MemberRole::Director, STAFF_ROOM)],
            staff_room: Some(STAFF_ROOM),
            leads: vec![],
            is_admin: true,
        };
        assert!(keys(&facts).iter().all(|(_, _, role)| *role == ChatRole::Moderator));
        assert_eq!(keys(&facts).len(), 3);
    }

    #[test]
    fn someone_who_left_has_no_chats() {
        assert!(directory_chats(&DirectoryFacts { staff_room: Some(STAFF_ROOM), ..Default::default() }).is_empty());
    }

    #[test]
    fn quiet_hours_hold_the_chats_with_students_or_parents() {
        let held = |audience: Audience| -> Vec<ChatKind> {
            ChatKind::ALL.into_iter().filter(|k| k.held_in_quiet_hours(audience)).collect()
        };
        let always = [ChatKind::Class, ChatKind::Parents, ChatKind::SchoolChannel, ChatKind::Subject];
        // Staff among themselves: only the chats families read anyway.
        assert_eq!(held(Audience { families: false, staff: true }), always);
        // A group with a parent in it; a direct chat of two parents is theirs, not the school's.
        assert_eq!(
            held(Audience { families: true, staff: false }),
            [ChatKind::Class, ChatKind::Parents, ChatKind::SchoolChannel, ChatKind::Group, ChatKind::Subject]
        );
        // A teacher and a parent: a direct chat too.
        assert_eq!(
            held(Audience { families: true, staff: true }),
            [
                ChatKind::Class,
                ChatKind::Parents,
                ChatKind::SchoolChannel,
                ChatKind::Direct,
                ChatKind::Group,
                ChatKind::Subject
            ]
        );
        let asks: Vec<ChatKind> = ChatKind::ALL.into_iter().filter(|k| k.quiet_asks_audience()).collect();
        assert_eq!(asks, [ChatKind::Direct, ChatKind::Group]);
        assert!(REACTIONS.contains(&"👍") && !REACTIONS.contains(&"<b>"));
    }

    #[test]
    fn direct_messages_need_a_shared_class_and_safe_mode_guards_students() {
        use crate::ids::UserId;
        let student = |id, class| DirectFacts {
            user: Some(UserId(id)),
            classes: vec![class],
            student_of: vec![class],
            ..Default::default()
        };
        let teacher = |classes: Vec<ClassId>| DirectFacts {
            classes: [vec![STAFF_ROOM], classes.clone()].concat(),
            teaches: classes,
            ..Default::default()
        };
        let parent =
            |class, child| DirectFacts { classes: vec![class], children: vec![UserId(child)], ..Default::default() };
        let (pupil, classmate, other_pupil) = (student(1, FIVE_A), student(2, FIVE_A), student(3, FIVE_B));
        let (own_teacher, other_teacher) = (teacher(vec![FIVE_A]), teacher(vec![FIVE_B]));
        let classmates_parent = parent(FIVE_A, 2);
        let own_parent = parent(FIVE_A, 1);
        for safe in [StudentSafety::Safe, StudentSafety::Relaxed] {
            assert!(can_direct_message(&classmate, &pupil, safe, false));
            assert!(can_direct_message(&own_teacher, &pupil, safe, false));
            assert!(!can_direct_message(&other_pupil, &pupil, safe, false));
            assert!(!can_direct_message(&other_teacher, &pupil, safe, false));
            assert!(can_direct_message(&pupil, &own_teacher, safe, false), "students write to their teachers");
            assert!(can_direct_message(&classmates_parent, &own_teacher, safe, false));
            assert!(can_direct_message(&own_teacher, &other_teacher, safe, false), "staff share the staff room");
            assert!(can_direct_message(&own_parent, &pupil, safe, false), "a parent writes to their own child");
            assert!(can_direct_message(&pupil, &own_parent, safe, false));
        }
        // A classmate's parent shares the class, but safe mode keeps them apart, whoever
        // writes first (PRODUCT.md §4: classmates, their teachers, their own parents).
        assert!(!can_direct_message(&classmates_parent, &pupil, StudentSafety::Safe, false));
        assert!(!can_direct_message(&pupil, &classmates_parent, StudentSafety::Safe, false));
        assert!(
            !can_direct_message(&pupil, &classmates_parent, StudentSafety::Safe, true),
            "not through a shared chat"
        );
        assert!(!can_direct_message(&pupil, &other_teacher, StudentSafety::Safe, true));
        assert!(can_direct_message(&classmates_parent, &pupil, StudentSafety::Relaxed, false));
        assert!(can_direct_message(&pupil, &classmates_parent, StudentSafety::Relaxed, false));
        // Supervised: students reach each other only where a teacher is.
        let supervised = StudentSafety::Supervised;
        assert!(
            !can_direct_message(&classmate, &pupil, supervised, false)
                && !can_direct_message(&pupil, &classmate, supervised, false)
        );
        assert!(
            can_direct_message(&own_teacher, &pupil, supervised, false)
                && can_direct_message(&pupil, &own_teacher, supervised, false)
        );
        assert!(can_direct_message(&own_parent, &pupil, supervised, false));
    }

    #[test]
    fn sharing_a_chat_opens_direct_messages_but_not_to_students_in_safe_mode() {
        use crate::ids::UserId;
        let teacher = DirectFacts { classes: vec![STAFF_ROOM], ..Default::default() };
        let parent = DirectFacts { classes: vec![FIVE_B], children: vec![UserId(9)], ..Default::default() };
        let student = DirectFacts {
            user: Some(UserId(3)),
            classes: vec![FIVE_A],
            student_of: vec![FIVE_A],
            ..Default::default()
        };
        assert!(!can_direct_message(&parent, &teacher, StudentSafety::Safe, false));
        assert!(can_direct_message(&parent, &teacher, StudentSafety::Safe, true), "the parent committee chat");
        assert!(!can_direct_message(&parent, &student, StudentSafety::Safe, true));
        assert!(can_direct_message(&parent, &student, StudentSafety::Relaxed, true));
    }

    #[test]
    fn students_sit_in_group_chats_with_a_teacher_unless_relaxed() {
        assert_eq!(StudentSafety::of_settings(true, false), StudentSafety::Safe);
        assert_eq!(StudentSafety::of_settings(false, true), StudentSafety::Relaxed);
        assert!(student_may_sit_in_group(StudentSafety::Relaxed, false));
        assert!(!student_may_sit_in_group(StudentSafety::Safe, false));
        assert!(!student_may_sit_in_group(StudentSafety::Supervised, false));
        assert!(student_may_sit_in_group(StudentSafety::Safe, true));
    }

    #[test]
    fn kinds_and_roles_round_trip() {
        for kind in ChatKind::ALL {
            assert_eq!(ChatKind::parse(kind.as_str()), Some(kind));
        }
        for role in [ChatRole::Member, ChatRole::Author, ChatRole::Moderator] {
            assert_eq!(ChatRole::parse(role.as_str()), Some(role));
        }
    }
}
