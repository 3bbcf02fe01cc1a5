//! Loading and authorizing, in one place: who holds which roles where (from the
//! directory), then the pure decisions of `parta_domain::permission` (the school
//! table) and `parta_domain::chat_rights` (the chat table).
//! Actions call these before touching anything; handlers never check permissions,
//! and actions never compare roles themselves.

use parta_domain::chat_rights::{self, ChatAbilities, ChatAbility, MemberActions, Seat};
use parta_domain::permission::{Grant, Permission, Role, Scope, is_allowed};
use parta_domain::{AuthorityId, ChatId, ClassId, MemberRole, MessageId, OrgId, SessionId, StaffRole, UserId};
use sqlx::AnyConnection;

use crate::error::{Error, Result};
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::messages::MessageRow;
use crate::store::schools::{ClassRow, OrgRow};
use crate::store::seats::SeatRow;

/// A signed-in person (found from a request by `auth`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub is_operator: bool,
    pub csrf_token: String,
}

/// The roles an actor holds in one school, loaded once per action.
#[derive(Debug, Clone)]
pub struct SchoolAccess {
    pub org: OrgRow,
    pub grants: Vec<Grant>,
}

impl SchoolAccess {
    pub fn org_id(&self) -> OrgId {
        self.org.org_id()
    }

    pub fn allows(&self, permission: Permission, target: Scope) -> bool {
        is_allowed(&self.grants, permission, target)
    }

    /// Whether the actor works at the school (any staff place), not only studies there
    /// or is a parent.
    pub fn is_staff(&self) -> bool {
        use parta_domain::permission::Role;
        self.grants.iter().any(|g| {
            matches!(
                g.role,
                Role::SchoolAdmin | Role::Director | Role::Deputy | Role::Teacher | Role::Employee | Role::ClassTeacher
            )
        })
    }

    pub fn allows_in_school(&self, permission: Permission) -> bool {
        self.allows(permission, Scope::School(self.org_id()))
    }

    pub fn allows_in_class(&self, permission: Permission, class: ClassId) -> bool {
        self.allows(permission, Scope::Class(self.org_id(), class))
    }

    fn require(&self, permission: Permission, target: Scope) -> Result<()> {
        if self.allows(permission, target) { Ok(()) } else { Err(Error::Forbidden) }
    }
}

/// Every grant an actor holds in a school.
pub async fn grants_in(conn: &mut AnyConnection, actor: &Actor, org: OrgId) -> Result<Vec<Grant>> {
    grants_of(conn, actor.user_id, actor.is_operator, org).await
}

/// Every grant a person holds in a school (the operator's reach the platform).
pub async fn grants_of(conn: &mut AnyConnection, user: UserId, is_operator: bool, org: OrgId) -> Result<Vec<Grant>> {
    let mut grants = Vec::new();
    if is_operator {
        grants.push(Grant { role: Role::Operator, scope: Scope::Platform });
    }
    let is_admin = store::directory::is_admin(conn, org, user).await?;
    let places = store::directory::active_places(conn, org, user).await?;
    if is_admin || !places.is_empty() {
        grants.push(Grant { role: Role::Member, scope: Scope::School(org) });
    }
    if is_admin {
        grants.push(Grant { role: Role::SchoolAdmin, scope: Scope::School(org) });
    }
    // A curator of the school's education authority reads its statistics. Asked only of
    // people with no place in it: a curator is not a member of the schools they oversee.
    if !is_admin && places.is_empty() && store::authorities::curates_school(conn, user, org).await? {
        grants.push(Grant { role: Role::Curator, scope: Scope::School(org) });
    }
    for place in &places {
        let grant = match place.role() {
            MemberRole::Student => Grant { role: Role::Student, scope: Scope::Class(org, place.class_id()) },
            MemberRole::Parent => Grant { role: Role::Parent, scope: Scope::Class(org, place.class_id()) },
            staff => {
                let role = match StaffRole::from_member_role(staff) {
                    Some(StaffRole::Director) => Role::Director,
                    Some(StaffRole::Deputy) => Role::Deputy,
                    Some(StaffRole::Teacher) => Role::Teacher,
                    Some(StaffRole::Employee) | None => Role::Employee,
                };
                Grant { role, scope: Scope::School(org) }
            }
        };
        grants.push(grant);
    }
    let led = store::directory::classes_led_by(conn, org, user).await?;
    for class in &led {
        grants.push(Grant { role: Role::ClassTeacher, scope: Scope::Class(org, class.id) });
    }
    // The same classes in the years the school moved on from (6А was 5А): their journals
    // stay readable. One query, asked only of class teachers.
    if !led.is_empty() {
        for earlier in store::directory::earlier_classes_led_by(conn, org, user).await? {
            grants.push(Grant { role: Role::FormerClassTeacher, scope: Scope::Class(org, earlier) });
        }
    }
    Ok(grants)
}

/// Of `people`, those allowed `permissions` (all of them) over `target` in a school:
/// who is told of something only they may act on.
pub async fn people_allowed(
    conn: &mut AnyConnection,
    org: OrgId,
    people: Vec<UserId>,
    permissions: &[Permission],
    target: Scope,
) -> Result<Vec<UserId>> {
    let mut allowed = Vec::new();
    for person in people {
        if allowed.contains(&person) {
            continue;
        }
        let grants = grants_of(conn, person, false, org).await?;
        if permissions.iter().all(|p| is_allowed(&grants, *p, target)) {
            allowed.push(person);
        }
    }
    Ok(allowed)
}

/// Whether `user` is a teacher whose status the school's admin has not confirmed yet
/// (the seeds: «с обязательным подтверждением статуса педагога»). Until then they may
/// not write directly to students and parents, make chats with students, or make
/// invite links. The admins, the director and the deputies are not held to it.
pub async fn unverified_teacher(conn: &mut AnyConnection, access: &SchoolAccess, user: UserId) -> Result<bool> {
    let teaches = access.grants.iter().any(|g| g.role == Role::Teacher);
    let above = access.grants.iter().any(|g| matches!(g.role, Role::SchoolAdmin | Role::Director | Role::Deputy));
    if !teaches || above {
        return Ok(false);
    }
    let record = store::directory::member_record(conn, access.org_id(), user).await?;
    Ok(!record.is_some_and(|r| r.teacher_verified))
}

/// Refuses what an unverified teacher may not do yet, with a code the client explains.
pub async fn require_verified_teacher(conn: &mut AnyConnection, access: &SchoolAccess, user: UserId) -> Result<()> {
    if unverified_teacher(conn, access, user).await? { Err(Error::Refused("teacher_not_verified")) } else { Ok(()) }
}

/// Loads a school the actor can see at all. Someone with no place in it gets
/// `NotFound`, exactly as for a school that does not exist.
pub async fn visible_school(conn: &mut AnyConnection, actor: &Actor, org: OrgId) -> Result<SchoolAccess> {
    let row = store::schools::get(conn, org).await?.ok_or(Error::NotFound)?;
    let grants = grants_in(conn, actor, org).await?;
    let access = SchoolAccess { org: row, grants };
    if !access.allows_in_school(Permission::ReadSchool) {
        return Err(Error::NotFound);
    }
    Ok(access)
}

/// A school, with `permission` over the whole of it. Someone who holds the permission
/// without being a member (an authority's curator and its statistics) gets it too.
pub async fn school(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    permission: Permission,
) -> Result<SchoolAccess> {
    let row = store::schools::get(conn, org).await?.ok_or(Error::NotFound)?;
    let grants = grants_in(conn, actor, org).await?;
    let access = SchoolAccess { org: row, grants };
    if access.allows_in_school(permission) {
        return Ok(access);
    }
    if !access.allows_in_school(Permission::ReadSchool) {
        return Err(Error::NotFound);
    }
    Err(Error::Forbidden)
}

/// An education authority, with `permission` over it (its curators, the operator).
/// Anyone else finds nothing.
pub async fn authority(conn: &mut AnyConnection, actor: &Actor, id: AuthorityId, permission: Permission) -> Result<()> {
    let mut grants = Vec::new();
    if actor.is_operator {
        grants.push(Grant { role: Role::Operator, scope: Scope::Platform });
    }
    if store::authorities::curates(conn, actor.user_id, id).await? {
        grants.push(Grant { role: Role::Curator, scope: Scope::Authority(id) });
    }
    if !store::authorities::exists(conn, id).await? || grants.is_empty() {
        return Err(Error::NotFound);
    }
    if !is_allowed(&grants, permission, Scope::Authority(id)) {
        return Err(Error::Forbidden);
    }
    Ok(())
}

/// A class of a school, with `permission` over that class. A class of another
/// school is `NotFound`.
pub async fn class(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    permission: Permission,
) -> Result<(SchoolAccess, ClassRow)> {
    let access = visible_school(conn, actor, org).await?;
    let row = store::schools::get_class(conn, org, class).await?.ok_or(Error::NotFound)?;
    access.require(permission, Scope::Class(org, class))?;
    Ok((access, row))
}

/// Platform-wide permissions (the operator's).
pub fn platform(actor: &Actor, permission: Permission) -> Result<()> {
    let grants: &[Grant] =
        if actor.is_operator { &[Grant { role: Role::Operator, scope: Scope::Platform }] } else { &[] };
    if is_allowed(grants, permission, Scope::Platform) { Ok(()) } else { Err(Error::Forbidden) }
}

/// A chat the actor sits in: the chat, their seat, and whether they are an admin of
/// its school, loaded once per action.
#[derive(Debug, Clone)]
pub struct ChatAccess {
    pub chat: ChatRow,
    pub seat: SeatRow,
    pub school_admin: bool,
}

impl ChatAccess {
    pub fn org_id(&self) -> OrgId {
        OrgId(self.chat.org_id)
    }

    fn rights(&self) -> Seat {
        seat_rights(&self.chat, &self.seat, self.school_admin)
    }

    pub fn allows(&self, ability: ChatAbility) -> bool {
        self.rights().allows(ability)
    }

    pub fn require(&self, ability: ChatAbility) -> Result<()> {
        if self.allows(ability) { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Whether the actor may leave the chat by themselves.
    pub fn may_leave(&self) -> bool {
        chat_rights::can_leave(self.chat.kind(), self.seat.source == "directory")
    }

    fn is_owner(&self, user: i64) -> bool {
        self.chat.owner_id == Some(user)
    }

    /// Everything the actor may do here, as the client is told.
    pub fn abilities(&self) -> ChatAbilities {
        let mut abilities = self.rights().abilities(self.may_leave());
        // The same rule as `actions::chat_import`'s: its owner or a school admin.
        abilities.import_history =
            self.chat.archived_at.is_none() && (self.school_admin || self.is_owner(self.seat.user_id));
        abilities
    }

    /// What the actor may do to the member holding `target`.
    pub fn actions_on(&self, target: &SeatRow) -> MemberActions {
        chat_rights::member_actions(
            self.rights(),
            chat_rights::Target {
                role: target.role(),
                appointed: target.appointed(),
                is_owner: self.is_owner(target.user_id),
                from_directory: target.source == "directory",
                is_self: target.user_id == self.seat.user_id,
            },
        )
    }
}

/// The decision's view of a seat, for a path that loaded the chat and the seat with
/// its other reads (the send path); everywhere else, `chat` loads it all.
pub fn seat_rights(chat: &ChatRow, seat: &SeatRow, school_admin: bool) -> Seat {
    Seat {
        kind: chat.kind(),
        role: seat.role(),
        read_only: chat.read_only == 1,
        school_admin,
        archived: chat.archived_at.is_some(),
    }
}

/// A chat the actor sits in; to anyone else it does not exist.
pub async fn chat(conn: &mut AnyConnection, actor: &Actor, chat: ChatId) -> Result<ChatAccess> {
    let seat = store::seats::seat(conn, chat, actor.user_id).await?.ok_or(Error::NotFound)?;
    let row = store::chats::get(conn, chat).await?.ok_or(Error::NotFound)?;
    let school_admin = store::directory::is_admin(conn, OrgId(row.org_id), actor.user_id).await?;
    Ok(ChatAccess { chat: row, seat, school_admin })
}

/// Every chat the actor sits in, in every school or one.
pub async fn chats_of(conn: &mut AnyConnection, actor: &Actor, org: Option<OrgId>) -> Result<Vec<ChatAccess>> {
    let seats = store::seats::seats_of(conn, actor.user_id, org).await?;
    let mut chats = Vec::with_capacity(seats.len());
    // Whether the actor is an admin, once per school.
    let mut admin_of: std::collections::BTreeMap<i64, bool> = std::collections::BTreeMap::new();
    for seat in seats {
        let Some(row) = store::chats::get(conn, ChatId(seat.chat_id)).await? else { continue };
        let school_admin = match admin_of.get(&row.org_id) {
            Some(admin) => *admin,
            None => {
                let admin = store::directory::is_admin(conn, OrgId(row.org_id), actor.user_id).await?;
                *admin_of.entry(row.org_id).or_insert(admin)
            }
        };
        chats.push(ChatAccess { chat: row, seat, school_admin });
    }
    Ok(chats)
}

/// Whether the actor handles the reports of `chat`: a school's admins handle all of
/// its chats', a chat's moderators their chat's.
pub async fn handles_reports_of(
    conn: &mut AnyConnection,
    school: &SchoolAccess,
    actor: &Actor,
    id: ChatId,
) -> Result<bool> {
    if school.allows_in_school(Permission::ModerateChats) {
        return Ok(true);
    }
    match chat(conn, actor, id).await {
        Ok(access) => Ok(access.allows(ChatAbility::HandleReports)),
        Err(Error::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A chat the actor sits in, with `ability` there.
pub async fn chat_for(conn: &mut AnyConnection, actor: &Actor, id: ChatId, ability: ChatAbility) -> Result<ChatAccess> {
    let access = chat(conn, actor, id).await?;
    access.require(ability)?;
    Ok(access)
}

/// A live, delivered message of a chat the actor sits in. One's own message still
/// held by quiet hours is `message_held`; anyone else's does not exist yet.
pub async fn message(
    conn: &mut AnyConnection,
    actor: &Actor,
    chat_id: ChatId,
    id: MessageId,
) -> Result<(ChatAccess, MessageRow)> {
    let access = chat(conn, actor, chat_id).await?;
    let message =
        store::messages::message(conn, id).await?.filter(|m| m.chat_id == chat_id.0).ok_or(Error::NotFound)?;
    if message.deleted_at.is_some() {
        return Err(Error::Conflict("message_deleted"));
    }
    if message.held_until.is_some() {
        return Err(if message.sender_id == actor.user_id.0 {
            Error::Conflict("message_held")
        } else {
            Error::NotFound
        });
    }
    Ok((access, message))
}

/// Whether the holder of `seat` may post in `chat` at `now`: the chat table (a
/// channel's readers, a read-only chat's members may not) and their mute. Every kind
/// of post asks this — messages, polls, files, edits, typing — on the send path,
/// which reads the seat with its other checks; posting never depends on the school
/// role (the table's test holds it to that).
pub fn check_may_post(chat: &ChatRow, seat: &SeatRow, now: i64) -> Result<()> {
    if !seat_rights(chat, seat, false).allows(ChatAbility::Post) {
        return Err(Error::Forbidden);
    }
    if seat.muted_until.is_some_and(|until| until > now) {
        return Err(Error::Refused("muted"));
    }
    Ok(())
}
