//! Direct conversations of two people of a school, where the school's rules let
//! them write to each other (`parta_domain::chats::can_direct_message`).

use parta_domain::chats::{self, ChatRole};
use parta_domain::{OrgId, UserId};
use parta_protocol::Chat;
use sqlx::AnyConnection;

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

/// Whether `sender` may open a direct conversation with `recipient` under the school's
/// rules: the one check behind opening one and behind a person's card offering it.
pub(crate) async fn may_write_directly(
    conn: &mut AnyConnection,
    school: &crate::access::SchoolAccess,
    sender: UserId,
    recipient: UserId,
) -> Result<bool> {
    if sender == recipient {
        return Ok(false);
    }
    let org = school.org_id();
    let from = direct_facts(conn, org, sender).await?;
    let to = direct_facts(conn, org, recipient).await?;
    let share_a_chat = store::chats::share_a_chat_made_by_people(conn, org, sender, recipient).await?;
    Ok(chats::can_direct_message(&from, &to, school.org.student_safety(), share_a_chat))
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
    if !may_write_directly(&mut work, &school, actor.user_id, user).await? {
        return Err(Error::NotFound);
    }
    let key = format!("{}:{}:{}", org.0, actor.user_id.0.min(user.0), actor.user_id.0.max(user.0));
    let chat = match store::chats::direct_chat(&mut work, &key).await? {
        Some(chat) => chat.chat_id(),
        None => store::chats::insert_direct_chat(&mut work, org, &key).await?,
    };
    for person in [actor.user_id, user] {
        if store::seats::seat(&mut work, chat, person).await?.is_none() {
            do_seat(&mut work, org, chat, person, ChatRole::Member, "direct").await?;
        }
    }
    let access = crate::access::chat(&mut work, actor, chat).await?;
    let rendered = render_chat(&mut work, &access).await?;
    work.commit(state).await?;
    Ok(rendered)
}
