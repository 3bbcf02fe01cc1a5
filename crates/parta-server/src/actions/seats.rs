//! The directory drives the chats: a place in a class is a seat in that class's
//! chats, so transfers, leavers and new roles move people at once (`do_sync_seats`).

use std::collections::BTreeMap;

use parta_domain::chats::{self, ChatKey, ChatKind, ChatRole, DirectoryFacts};
use parta_domain::{ChatId, ClassId, OrgId, UserId};
use parta_protocol::{ChatEvent, UserEvent};
use sqlx::AnyConnection;

use super::events::{do_chat_event, do_user_event};
use crate::error::{Error, Result};
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::seats::SeatRow;
use crate::work::Work;

/// «Учительская» and the two channels of a new school.
pub async fn do_create_school_chats(conn: &mut AnyConnection, org: OrgId, staff_room: ClassId) -> Result<()> {
    store::chats::insert_chat(conn, org, ChatKind::StaffRoom, Some(staff_room), &ChatKind::StaffRoom.title(""), None)
        .await?;
    for kind in [ChatKind::SchoolChannel, ChatKind::StaffChannel] {
        store::chats::insert_chat(conn, org, kind, None, &kind.title(""), None).await?;
    }
    Ok(())
}

/// The class chat, the parents chat and the class-teachers chat of a new class.
pub async fn do_create_class_chats(conn: &mut AnyConnection, org: OrgId, class: ClassId, name: &str) -> Result<()> {
    for kind in ChatKind::OF_A_CLASS {
        store::chats::insert_chat(conn, org, kind, Some(class), &kind.title(name), None).await?;
    }
    Ok(())
}

pub(crate) async fn directory_facts(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<DirectoryFacts> {
    let places = store::directory::active_places(conn, org, user).await?;
    let staff_room = store::schools::staff_room(conn, org).await?;
    Ok(DirectoryFacts {
        places: places.iter().map(|p| (p.role(), p.class_id())).collect(),
        staff_room: Some(staff_room.class_id()),
        leads: store::directory::classes_led_by(conn, org, user).await?.into_iter().map(|c| c.id).collect(),
        is_admin: store::directory::is_admin(conn, org, user).await?,
    })
}

/// Brings a person's directory-driven seats in one school in line with the
/// directory: new seats, ended seats and changed roles, each with its events
/// (in the chat, and in the person's own stream). Call after every directory change.
pub async fn do_sync_seats(work: &mut Work, org: OrgId, user: UserId) -> Result<()> {
    let facts = directory_facts(work, org, user).await?;
    let wanted: BTreeMap<ChatKey, ChatRole> = chats::directory_chats(&facts);
    let by_key: BTreeMap<ChatKey, ChatRow> = store::chats::org_chats(work, org)
        .await?
        .into_iter()
        .map(|c| (ChatKey { kind: c.kind(), class: c.class_id.map(ClassId) }, c))
        .collect();
    let mut wanted: BTreeMap<ChatId, ChatRole> =
        wanted.into_iter().filter_map(|(key, role)| by_key.get(&key).map(|chat| (chat.chat_id(), role))).collect();
    // Subject chats take the students of their class; their teacher sits there as owner.
    let student_of: Vec<ClassId> =
        facts.places.iter().filter(|(role, _)| *role == parta_domain::MemberRole::Student).map(|(_, c)| *c).collect();
    let all_seats = store::seats::seats_of(work, user, Some(org)).await?;
    let left_school = facts.places.is_empty() && !facts.is_admin;
    for chat in store::chats::subject_chats(work, org).await? {
        if chat.archived_at.is_some() {
            // An archive keeps last year's class in it (to read), and takes nobody new.
            if let Some(seat) = all_seats.iter().find(|s| s.chat_id == chat.id && !left_school) {
                wanted.insert(chat.chat_id(), seat.role());
            }
        } else if chat.class_id.is_some_and(|class| student_of.contains(&ClassId(class)))
            && chat.owner_id != Some(user.0)
        {
            wanted.insert(chat.chat_id(), ChatRole::Member);
        }
    }
    // A graduated class's chats stay readable to its staff still at the school; its
    // students and their families have left with it.
    let staff = facts.places.iter().any(|(role, _)| role.is_staff());
    for chat in by_key.values().filter(|c| c.archived_at.is_some() && c.kind() != ChatKind::Subject) {
        if let Some(seat) = all_seats.iter().find(|s| s.chat_id == chat.id && staff && !left_school) {
            wanted.insert(chat.chat_id(), seat.role());
        }
    }
    // Someone who left the school leaves their direct conversations there too.
    let seats: Vec<SeatRow> = all_seats.iter().filter(|s| s.source == "directory" || left_school).cloned().collect();
    let person = store::users::person(work, user).await?.ok_or(Error::NotFound)?;

    for seat in &seats {
        let chat = ChatId(seat.chat_id);
        match wanted.get(&chat) {
            None => do_unseat(work, org, seat).await?,
            // An appointed role (a channel author) stands above what the directory gives.
            Some(given) if chats::effective_role(*given, seat.appointed()) != seat.role() => {
                let role = chats::effective_role(*given, seat.appointed());
                store::seats::set_seat_role(work, seat.id, role).await?;
                do_chat_event(work, org, chat, ChatEvent::MemberJoined { person: person.clone(), role }).await?;
            }
            Some(_) => {}
        }
    }
    for (chat, role) in wanted {
        // A seat of any kind counts: someone added by hand is not seated twice.
        if all_seats.iter().any(|s| s.chat_id == chat.0) {
            continue;
        }
        // History is readable from the start; unread counts start at the join.
        do_seat(work, org, chat, user, role, "directory").await?;
    }
    Ok(())
}

/// Seats someone in a chat (`source`: directory, owner, manual, invite, direct): their joining is an event
/// in the chat, and the chat appears in their list.
pub(crate) async fn do_seat(
    work: &mut Work,
    org: OrgId,
    chat: ChatId,
    user: UserId,
    role: ChatRole,
    source: &str,
) -> Result<()> {
    let person = store::users::person(work, user).await?.ok_or(Error::NotFound)?;
    let seq = do_chat_event(work, org, chat, ChatEvent::MemberJoined { person, role }).await?;
    store::seats::insert_seat(work, org, chat, user, role, source, seq).await?;
    do_user_event(work, user, Some(org), UserEvent::ChatAdded { chat_id: chat, org_id: org, from_seq: seq }).await?;
    Ok(())
}

/// Ends a seat: the last event they get from the chat is their own leaving.
pub(crate) async fn do_unseat(work: &mut Work, org: OrgId, seat: &SeatRow) -> Result<()> {
    let (chat, user) = (ChatId(seat.chat_id), UserId(seat.user_id));
    do_chat_event(work, org, chat, ChatEvent::MemberLeft { user_id: user }).await?;
    store::seats::end_seat(work, seat.id).await?;
    do_user_event(work, user, Some(org), UserEvent::ChatRemoved { chat_id: chat }).await?;
    Ok(())
}
