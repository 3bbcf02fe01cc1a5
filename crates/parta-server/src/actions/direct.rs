//! Direct conversations of two people of a school, where the school's rules let
//! them write to each other (`parta_domain::chats::can_direct_message`).

use parta_domain::chats::{self, ChatRole};
use parta_domain::notifications::NoticeKind;
use parta_domain::{OrgId, UserId};
use parta_protocol::Chat;
use sqlx::AnyConnection;

use super::notifications::{About, do_notify};
use super::render::render_chat;
use super::seats::do_seat;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

pub(crate) async fn direct_facts(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<chats::DirectFacts> {
    let places = store::directory::active_places(conn, org, user).await?;
    let mut facts = chats::DirectFacts { user: Some(user), ..Default::default() };
    for place in &places {
        facts.classes.push(place.class_id());
        if let Some(child) = place.child_user_id {
            facts.children.push(UserId(child));
        }
        match place.role() {
            parta_domain::MemberRole::Student => facts.student_of.push(place.class_id()),
            role if role.teaches() => facts.teaches.push(place.class_id()),
            _ => {}
        }
    }
    for class in store::directory::classes_led_by(conn, org, user).await? {
        facts.teaches.push(class.id);
        facts.classes.push(class.id);
    }
    // Whoever the school year has teaching a class (an assignment) teaches it too.
    if places.iter().any(|p| p.role().teaches())
        && let Some(school) = store::schools::get(conn, org).await?
    {
        let today = crate::clock::today_in(&school.time_zone);
        for class in store::teaching::classes_taught_on(conn, org, user, &today).await? {
            if !facts.teaches.contains(&class) {
                facts.teaches.push(class);
                facts.classes.push(class);
            }
        }
    }
    Ok(facts)
}

fn is_student_or_parent(facts: &chats::DirectFacts) -> bool {
    !facts.student_of.is_empty() || !facts.children.is_empty()
}

/// What the school's rules say about `sender` writing to `recipient` directly.
enum Direct {
    Allowed,
    /// The rules would let them, but a teacher not yet verified writes to no student or parent.
    Unverified,
    /// Nothing links them (or safe mode keeps them apart): the person is not found.
    Refused,
}

async fn direct_rule(
    conn: &mut AnyConnection,
    school: &crate::access::SchoolAccess,
    sender: UserId,
    recipient: UserId,
) -> Result<Direct> {
    if sender == recipient {
        return Ok(Direct::Refused);
    }
    let org = school.org_id();
    let from = direct_facts(conn, org, sender).await?;
    let to = direct_facts(conn, org, recipient).await?;
    let share_a_chat = store::chats::share_a_chat_made_by_people(conn, org, sender, recipient).await?;
    if !chats::can_direct_message(&from, &to, school.org.student_safety(), share_a_chat) {
        return Ok(Direct::Refused);
    }
    if is_student_or_parent(&to) && crate::access::unverified_teacher(conn, school, sender).await? {
        return Ok(Direct::Unverified);
    }
    Ok(Direct::Allowed)
}

/// Whether `sender` may open a direct conversation with `recipient` now: the one
/// check behind opening one and behind a person's card offering it.
pub(crate) async fn may_write_directly(
    conn: &mut AnyConnection,
    school: &crate::access::SchoolAccess,
    sender: UserId,
    recipient: UserId,
) -> Result<bool> {
    Ok(matches!(direct_rule(conn, school, sender, recipient).await?, Direct::Allowed))
}

/// # Open the direct conversation with someone of the same school
/// Only between people who share a class or a group or subject chat; in student safe
/// mode a student is reached only by classmates, their teachers and their parents.
/// Anyone else is not found at all.
pub async fn open_direct(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<Chat> {
    let mut work = state.begin().await?;
    let school = crate::access::visible_school(&mut work, actor, org).await?;
    if user == actor.user_id {
        return Err(Error::field("user_id", "self"));
    }
    match direct_rule(&mut work, &school, actor.user_id, user).await? {
        Direct::Allowed => {}
        // Told why, since the rules would otherwise let them write.
        Direct::Unverified => return Err(Error::Refused("teacher_not_verified")),
        Direct::Refused => return Err(Error::NotFound),
    }
    let key = format!("{}:{}:{}", org.0, actor.user_id.0.min(user.0), actor.user_id.0.max(user.0));
    let chat = match store::chats::direct_chat(&mut work, &key).await? {
        Some(chat) => chat.chat_id(),
        None => store::chats::insert_direct_chat(&mut work, org, &key).await?,
    };
    for person in [actor.user_id, user] {
        if store::seats::seat(&mut work, chat, person).await?.is_none() {
            do_seat(&mut work, org, chat, person, ChatRole::Member, "direct").await?;
            // The other person hears that someone wants to talk.
            if person == user {
                let about = About { org: Some(org), chat: Some(chat), ..Default::default() };
                do_notify(&mut work, NoticeKind::DirectChat, Some(actor.user_id), [user], &about).await?;
            }
        }
    }
    let access = crate::access::chat(&mut work, actor, chat).await?;
    let rendered = render_chat(&mut work, &access).await?;
    work.commit(state).await?;
    Ok(rendered)
}
