//! Chats people make: group chats (administration chats, committees, anything a
//! member of staff starts) and subject chats (a teacher and the students of a class,
//! kept in step with the class like the class chat). Their owner and moderators add
//! and remove members, appoint moderators, rename the chat and share invite links
//! that only people of the same school can use. School admins appoint channel
//! authors. In student safe mode a student sits in such a chat only with someone on
//! the staff in it.

use parta_domain::chat_rights::ChatAbility;
use parta_domain::chats::{self, ChatKey, ChatKind, ChatRole, StudentSafety};
use parta_domain::permission::Permission;
use parta_domain::{ChatId, ClassId, MemberRole, OrgId, UserId, validate};
use parta_protocol::{
    AddMembersRequest, Chat, ChatEvent, ChatInvite, ChatInvitePreview, CreateChatRequest, RenameChatRequest,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::Fields;
use super::direct::direct_facts;
use super::events::do_chat_event;
use super::render::render_chat;
use super::seats::{directory_facts, do_seat, do_unseat};
use crate::access::{self, ChatAccess, SchoolAccess};
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::chat_links::ChatLinkRow;
use crate::store::chats::ChatRow;
use crate::work::Work;

pub const TITLE_MAX_CHARS: usize = 100;
pub const ADD_AT_ONCE_MAX: usize = 200;

fn audit(org: OrgId, actor: &Actor, action: &'static str, chat: ChatId, details: serde_json::Value) -> Entry<'static> {
    Entry { org: Some(org), actor: Some(actor.user_id), action, target_type: "chat", target_id: Some(chat.0), details }
}

/// Whether someone is on the staff of a school now (or one of its admins).
async fn is_staff(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<bool> {
    let places = store::directory::active_places(conn, org, user).await?;
    Ok(places.iter().any(|p| p.role().is_staff()) || store::directory::is_admin(conn, org, user).await?)
}

async fn is_student(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<bool> {
    let places = store::directory::active_places(conn, org, user).await?;
    Ok(places.iter().any(|p| p.role() == MemberRole::Student))
}

/// An unverified teacher makes no chat with students or parents in it.
async fn check_verified_for(
    conn: &mut AnyConnection,
    access: &SchoolAccess,
    actor: &Actor,
    people: &[UserId],
) -> Result<()> {
    let org = access.org_id();
    for user in people {
        let places = store::directory::active_places(conn, org, *user).await?;
        if places.iter().any(|p| matches!(p.role(), MemberRole::Student | MemberRole::Parent)) {
            return access::require_verified_teacher(conn, access, actor.user_id).await;
        }
    }
    Ok(())
}

/// Whether the actor can find and add this person: anyone with a place in the
/// school; in safe mode a student only by the school's admins and their teachers.
async fn addable(conn: &mut AnyConnection, access: &SchoolAccess, actor: &Actor, user: UserId) -> Result<bool> {
    let org = access.org_id();
    let places = store::directory::active_places(conn, org, user).await?;
    if places.is_empty() && !store::directory::is_admin(conn, org, user).await? {
        return Ok(false);
    }
    let student_of: Vec<ClassId> =
        places.iter().filter(|p| p.role() == MemberRole::Student).map(|p| p.class_id()).collect();
    if student_of.is_empty() || access.org.student_safety() == StudentSafety::Relaxed {
        return Ok(true);
    }
    if access.allows_in_school(Permission::ModerateChats) {
        return Ok(true);
    }
    let facts = direct_facts(conn, org, actor.user_id).await?;
    Ok(facts.teaches.iter().any(|class| student_of.contains(class)))
}

/// A group or subject chat whose members the actor manages.
async fn managed_chat(conn: &mut AnyConnection, actor: &Actor, chat: ChatId) -> Result<ChatAccess> {
    let access = access::chat(conn, actor, chat).await?;
    if !access.chat.kind().is_made_by_people() {
        return Err(Error::Conflict("chat_members_from_directory"));
    }
    access.require(ChatAbility::ManageMembers)?;
    Ok(access)
}

/// # Make a group chat (any staff member) or a subject chat (a teacher of the class)
pub async fn create(state: &AppState, actor: &Actor, org: OrgId, request: &CreateChatRequest) -> Result<Chat> {
    let mut work = state.begin().await?;
    let access = access::school(&mut work, actor, org, Permission::CreateChats).await?;
    let mut fields = Fields::default();
    let title = fields.check(validate::line("title", &request.title, TITLE_MAX_CHARS));
    let class = match (request.kind, request.class_id) {
        (ChatKind::Subject, Some(class)) => match store::schools::get_class(&mut work, org, class).await? {
            Some(row) => Some(row),
            None => {
                fields.reject("class_id", "unknown_class");
                None
            }
        },
        (ChatKind::Subject, None) => {
            fields.reject("class_id", "required");
            None
        }
        (ChatKind::Group, None) => None,
        (ChatKind::Group, Some(_)) => {
            fields.reject("class_id", "not_allowed");
            None
        }
        _ => {
            fields.reject("kind", "unsupported");
            None
        }
    };
    if request.member_ids.len() > ADD_AT_ONCE_MAX {
        fields.reject("member_ids", "out_of_range");
    }
    if request.kind == ChatKind::Subject && !request.member_ids.is_empty() {
        fields.reject("member_ids", "not_allowed");
    }
    for (index, user) in request.member_ids.iter().enumerate() {
        if *user != actor.user_id && !addable(&mut work, &access, actor, *user).await? {
            fields.reject(&format!("member_ids[{index}]"), "unknown_person");
        }
    }
    fields.finish()?;
    let title = super::checked(title)?;
    // A subject chat seats the class's students.
    if class.is_some() {
        access::require_verified_teacher(&mut work, &access, actor.user_id).await?;
    }
    check_verified_for(&mut work, &access, actor, &request.member_ids).await?;
    // A subject chat is its teacher's: only someone who teaches the class (or an admin) makes one.
    if let Some(class) = &class {
        let teaches = direct_facts(&mut work, org, actor.user_id).await?.teaches.contains(&class.class_id());
        if !teaches && !access.allows_in_school(Permission::ModerateChats) {
            return Err(Error::Forbidden);
        }
    }
    let title = match &class {
        Some(class) => format!("{title} — {}", class.name),
        None => title,
    };
    let chat = store::chats::insert_chat(
        &mut work,
        org,
        request.kind,
        class.as_ref().map(|c| c.class_id()),
        &title,
        Some(actor.user_id),
    )
    .await?;
    do_seat(&mut work, org, chat, actor.user_id, ChatRole::Moderator, "owner").await?;
    if let Some(class) = &class {
        for place in store::directory::school_places(&mut work, org, Some(class.class_id())).await? {
            if place.role() == MemberRole::Student && place.user_id != actor.user_id.0 {
                do_seat(&mut work, org, chat, UserId(place.user_id), ChatRole::Member, "directory").await?;
            }
        }
    }
    for user in &request.member_ids {
        if store::seats::seat(&mut work, chat, *user).await?.is_none() {
            do_seat(&mut work, org, chat, *user, ChatRole::Member, "manual").await?;
        }
    }
    store::audit::record(
        &mut work,
        audit(org, actor, "chat_created", chat, json!({ "kind": request.kind.as_str(), "title": title })),
    )
    .await?;
    let access = access::chat(&mut work, actor, chat).await?;
    let rendered = render_chat(&mut work, &access).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Rename a group or subject chat (its moderators)
pub async fn rename(state: &AppState, actor: &Actor, chat: ChatId, request: &RenameChatRequest) -> Result<Chat> {
    let mut work = state.begin().await?;
    let row = managed_chat(&mut work, actor, chat).await?.chat;
    let title = validate::line("title", &request.title, TITLE_MAX_CHARS).map_err(|e| Error::Validation(vec![e]))?;
    let org = OrgId(row.org_id);
    if title != row.title {
        store::chats::rename_chat(&mut work, chat, &title).await?;
        do_chat_event(&mut work, org, chat, ChatEvent::ChatRenamed { title: title.clone() }).await?;
        store::audit::record(&mut work, audit(org, actor, "chat_renamed", chat, json!({ "title": title }))).await?;
    }
    let access = access::chat(&mut work, actor, chat).await?;
    let rendered = render_chat(&mut work, &access).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// Safe mode: students join a chat only where someone on the staff sits (or joins with them).
async fn check_student_safety(work: &mut Work, access: &SchoolAccess, chat: ChatId, joining: &[UserId]) -> Result<()> {
    let org = access.org_id();
    let mut any_student = false;
    let mut staff_present = false;
    for user in joining {
        any_student |= is_student(work, org, *user).await?;
        staff_present |= is_staff(work, org, *user).await?;
    }
    if !any_student {
        return Ok(());
    }
    for seat in store::seats::chat_seats(work, chat).await? {
        if staff_present {
            break;
        }
        staff_present |= is_staff(work, org, UserId(seat.user_id)).await?;
    }
    if chats::student_may_sit_in_group(access.org.student_safety(), staff_present) {
        Ok(())
    } else {
        Err(Error::Refused("chat_needs_teacher"))
    }
}

/// # Add people of the school to a group or subject chat (its moderators)
pub async fn add_members(state: &AppState, actor: &Actor, chat: ChatId, request: &AddMembersRequest) -> Result<()> {
    let mut work = state.begin().await?;
    let row = managed_chat(&mut work, actor, chat).await?.chat;
    let org = OrgId(row.org_id);
    let access = access::visible_school(&mut work, actor, org).await?;
    let mut fields = Fields::default();
    if request.user_ids.is_empty() || request.user_ids.len() > ADD_AT_ONCE_MAX {
        fields.reject("user_ids", "out_of_range");
    }
    let mut new = Vec::new();
    for (index, user) in request.user_ids.iter().enumerate() {
        if !addable(&mut work, &access, actor, *user).await? {
            fields.reject(&format!("user_ids[{index}]"), "unknown_person");
        } else if store::seats::seat(&mut work, chat, *user).await?.is_none() && !new.contains(user) {
            new.push(*user);
        }
    }
    fields.finish()?;
    check_verified_for(&mut work, &access, actor, &new).await?;
    check_student_safety(&mut work, &access, chat, &new).await?;
    for user in &new {
        do_seat(&mut work, org, chat, *user, ChatRole::Member, "manual").await?;
    }
    if !new.is_empty() {
        store::audit::record(&mut work, audit(org, actor, "chat_members_added", chat, json!({ "user_ids": new })))
            .await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// # Remove someone from a group or subject chat, or leave it oneself
/// Moderators remove members (not the owner); anyone leaves. A subject chat's
/// students sit there because of their class and are not removed by hand.
pub async fn remove_member(state: &AppState, actor: &Actor, chat: ChatId, user: UserId) -> Result<()> {
    let mut work = state.begin().await?;
    let leaving = user == actor.user_id;
    let access = if leaving {
        access::chat(&mut work, actor, chat).await?
    } else {
        managed_chat(&mut work, actor, chat).await?
    };
    let target = if leaving {
        access.seat.clone()
    } else {
        store::seats::seat(&mut work, chat, user).await?.ok_or(Error::NotFound)?
    };
    let allowed = if leaving { access.may_leave() } else { access.actions_on(&target).remove };
    if !allowed {
        let owner = !leaving && access.chat.owner_id == Some(user.0) && access.chat.kind().is_made_by_people();
        return Err(Error::Conflict(if owner { "cannot_remove_owner" } else { "chat_members_from_directory" }));
    }
    let org = access.org_id();
    do_unseat(&mut work, org, &target).await?;
    let action = if user == actor.user_id { "chat_left" } else { "chat_member_removed" };
    store::audit::record(&mut work, audit(org, actor, action, chat, json!({ "user_id": user }))).await?;
    work.commit(state).await?;
    Ok(())
}

/// The role the directory alone gives someone in a directory chat.
async fn directory_role(conn: &mut AnyConnection, row: &ChatRow, user: UserId) -> Result<ChatRole> {
    let facts = directory_facts(conn, OrgId(row.org_id), user).await?;
    let key = ChatKey { kind: row.kind(), class: row.class_id.map(ClassId) };
    Ok(chats::directory_chats(&facts).get(&key).copied().unwrap_or(ChatRole::Member))
}

/// # Appoint a channel author (school admins) or a chat moderator (a group or subject chat's moderators)
/// `member` takes the appointment back.
pub async fn set_role(state: &AppState, actor: &Actor, chat: ChatId, user: UserId, role: ChatRole) -> Result<()> {
    let mut work = state.begin().await?;
    let access = access::chat(&mut work, actor, chat).await?;
    let row = &access.chat;
    let org = access.org_id();
    let kind = row.kind();
    let base = if kind.is_channel() {
        access.require(ChatAbility::AppointAuthors)?;
        if role == ChatRole::Moderator {
            return Err(Error::field("role", "unsupported"));
        }
        None
    } else if kind.is_made_by_people() {
        access.require(ChatAbility::ManageMembers)?;
        if role == ChatRole::Author {
            return Err(Error::field("role", "unsupported"));
        }
        if row.owner_id == Some(user.0) {
            return Err(Error::Conflict("cannot_change_owner"));
        }
        Some(ChatRole::Member)
    } else {
        return Err(Error::Conflict("chat_roles_fixed"));
    };
    let target = store::seats::seat(&mut work, chat, user).await?.ok_or(Error::NotFound)?;
    let base = match base {
        Some(base) => base,
        None => directory_role(&mut work, row, user).await?,
    };
    let appointed = (role > ChatRole::Member).then_some(role);
    let effective = chats::effective_role(base, appointed);
    if appointed == target.appointed() && effective == target.role() {
        work.commit(state).await?;
        return Ok(());
    }
    // Only what the member's row offers: a moderator is not made an author, nor
    // someone oneself.
    let offered = access.actions_on(&target);
    let allowed = match role {
        ChatRole::Author => offered.make_author,
        ChatRole::Moderator => offered.make_moderator,
        ChatRole::Member => offered.revoke_author || offered.revoke_moderator,
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    store::seats::set_appointed_role(&mut work, target.id, appointed, effective).await?;
    if effective != target.role() {
        let person = store::users::person(&mut work, user).await?.ok_or(Error::NotFound)?;
        do_chat_event(&mut work, org, chat, ChatEvent::MemberJoined { person, role: effective }).await?;
    }
    store::audit::record(&mut work, audit(org, actor, "chat_role_set", chat, json!({ "user_id": user, "role": role })))
        .await?;
    work.commit(state).await?;
    Ok(())
}

async fn render_link(conn: &mut AnyConnection, row: &ChatLinkRow, token: Option<String>) -> Result<ChatInvite> {
    let created_by = store::users::person(conn, UserId(row.created_by)).await?.ok_or(Error::NotFound)?;
    Ok(ChatInvite {
        id: row.id,
        chat_id: ChatId(row.chat_id),
        token,
        created_by,
        created_at: rfc3339(row.created_at),
        uses: row.uses,
        revoked: row.revoked_at.is_some(),
    })
}

/// # Make an invite link to a group or subject chat (its moderators)
pub async fn create_link(state: &AppState, actor: &Actor, chat: ChatId) -> Result<ChatInvite> {
    let mut work = state.begin().await?;
    let row = managed_chat(&mut work, actor, chat).await?.chat;
    let org = OrgId(row.org_id);
    let school = access::visible_school(&mut work, actor, org).await?;
    access::require_verified_teacher(&mut work, &school, actor.user_id).await?;
    let token = secrets::new_token();
    let id = store::chat_links::insert(&mut work, org, chat, &secrets::token_hash(&token), actor.user_id).await?;
    store::audit::record(&mut work, audit(org, actor, "chat_link_created", chat, json!({ "link_id": id }))).await?;
    let link = store::chat_links::get(&mut work, chat, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_link(&mut work, &link, Some(token)).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # The chat's invite links with their use counts (its moderators)
pub async fn links(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<ChatInvite>> {
    let mut conn = state.db.reads().acquire().await?;
    managed_chat(&mut conn, actor, chat).await?;
    let mut links = Vec::new();
    for row in store::chat_links::of_chat(&mut conn, chat).await? {
        links.push(render_link(&mut conn, &row, None).await?);
    }
    Ok(links)
}

/// # Revoke a chat invite link (its moderators)
pub async fn revoke_link(state: &AppState, actor: &Actor, chat: ChatId, link: i64) -> Result<()> {
    let mut work = state.begin().await?;
    let row = managed_chat(&mut work, actor, chat).await?.chat;
    let found = store::chat_links::get(&mut work, chat, link).await?.ok_or(Error::NotFound)?;
    if found.revoked_at.is_none() {
        store::chat_links::revoke(&mut work, link).await?;
        let org = OrgId(row.org_id);
        store::audit::record(&mut work, audit(org, actor, "chat_link_revoked", chat, json!({ "link_id": link })))
            .await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// A live link and its chat, for someone of the chat's school; to anyone else it does not exist.
async fn open_link(
    conn: &mut AnyConnection,
    actor: &Actor,
    token: &str,
) -> Result<(ChatLinkRow, ChatRow, SchoolAccess)> {
    let link = store::chat_links::by_token_hash(conn, &secrets::token_hash(token)).await?.ok_or(Error::NotFound)?;
    let access = access::visible_school(conn, actor, OrgId(link.org_id)).await?;
    // The operator sees every school but belongs to none: only people of the school join.
    let member = !store::directory::active_places(conn, access.org_id(), actor.user_id).await?.is_empty()
        || store::directory::is_admin(conn, access.org_id(), actor.user_id).await?;
    if !member {
        return Err(Error::NotFound);
    }
    if link.revoked_at.is_some() {
        return Err(Error::Gone("chat_link_revoked"));
    }
    let chat = store::chats::get(conn, ChatId(link.chat_id)).await?.ok_or(Error::NotFound)?;
    Ok((link, chat, access))
}

/// # What a chat invite link leads to (people of the same school)
pub async fn preview_link(state: &AppState, actor: &Actor, token: &str) -> Result<ChatInvitePreview> {
    let mut conn = state.db.reads().acquire().await?;
    let (_link, chat, _access) = open_link(&mut conn, actor, token).await?;
    let seats = store::seats::chat_seats(&mut conn, chat.chat_id()).await?;
    Ok(ChatInvitePreview {
        chat_id: chat.chat_id(),
        org_id: OrgId(chat.org_id),
        title: chat.title.clone(),
        members: seats.len() as i64,
        already_member: seats.iter().any(|s| s.user_id == actor.user_id.0),
    })
}

/// # Join a chat by its invite link (people of the same school)
pub async fn join_by_link(state: &AppState, actor: &Actor, token: &str) -> Result<Chat> {
    let mut work = state.begin().await?;
    let (link, chat, access) = open_link(&mut work, actor, token).await?;
    let org = access.org_id();
    if store::seats::seat(&mut work, chat.chat_id(), actor.user_id).await?.is_none() {
        check_student_safety(&mut work, &access, chat.chat_id(), &[actor.user_id]).await?;
        do_seat(&mut work, org, chat.chat_id(), actor.user_id, ChatRole::Member, "invite").await?;
        store::chat_links::count_use(&mut work, link.id).await?;
        store::audit::record(
            &mut work,
            audit(org, actor, "chat_joined_by_link", chat.chat_id(), json!({ "link_id": link.id })),
        )
        .await?;
    }
    let access = access::chat(&mut work, actor, chat.chat_id()).await?;
    let rendered = render_chat(&mut work, &access).await?;
    work.commit(state).await?;
    Ok(rendered)
}
