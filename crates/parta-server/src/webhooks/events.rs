//! What each event tells an endpoint: ids, and names where a school's own system needs
//! them to match its people (the endpoints are the school's, set by its admins).

use parta_domain::webhooks::EventKind;
use parta_domain::{ClassId, MemberRole, OrgId, UserId};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::error::Result;
use crate::store;

async fn person(conn: &mut AnyConnection, user: UserId) -> Result<Value> {
    let name = store::users::person(conn, user).await?.map(|p| match &p.patronymic {
        Some(patronymic) => format!("{} {} {patronymic}", p.family_name, p.given_name),
        None => format!("{} {}", p.family_name, p.given_name),
    });
    Ok(json!({ "id": user.0, "name": name }))
}

/// A person took a place: their role, the class (the staff room for staff), the child.
pub async fn do_member_joined(
    conn: &mut AnyConnection,
    org: OrgId,
    user: UserId,
    role: MemberRole,
    class: ClassId,
    child: Option<UserId>,
) -> Result<()> {
    let class_name = store::schools::get_class(conn, org, class).await?.map(|c| c.name);
    let child = match child {
        Some(child) => person(conn, child).await?,
        None => Value::Null,
    };
    let data = json!({
        "person": person(conn, user).await?,
        "role": role.as_str(),
        "class": { "id": class.0, "name": class_name },
        "child": child,
    });
    super::do_queue(conn, org, EventKind::MemberJoined, &[data]).await
}

/// A person's places ended: on which day and why (`left`, `graduated`, …).
pub async fn do_member_left(conn: &mut AnyConnection, org: OrgId, user: UserId, on: &str, reason: &str) -> Result<()> {
    let data = json!({ "person": person(conn, user).await?, "on": on, "reason": reason });
    super::do_queue(conn, org, EventKind::MemberLeft, &[data]).await
}

/// Whether posts of a chat of this kind are `channel.message` events.
pub fn is_channel(kind: &str) -> bool {
    matches!(kind, "school_channel" | "staff_channel")
}

/// A channel post as delivered: who wrote what, where, when.
pub fn channel_post(chat_kind: &str, chat_title: &str, message: &parta_protocol::Message) -> Value {
    let author = &message.sender;
    json!({
        "message_id": message.id.0,
        "chat": { "id": message.chat_id.0, "kind": chat_kind, "title": chat_title },
        "author": { "id": author.id.0, "name": format!("{} {}", author.family_name, author.given_name) },
        "text": message.body,
        "sent_at": message.created_at,
    })
}
