//! The register's own links: one use each, for one person the register expects.
//! The import issues them; the admins see who has not joined yet and give someone
//! whose link was lost or ran out a new one (the old one stops working at once).

use parta_domain::permission::Permission;
use parta_domain::{ClassId, InviteRole, OrgId};
use parta_protocol::{RosterLink, RosterWaiting};
use serde_json::json;

use crate::access;
use crate::auth::Actor;
use crate::clock::{HOUR_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::oneroster::RosterRole;
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::invites::NewInvite;
use crate::store::roster::full_name;
use crate::work::Work;

/// How long a register link works.
pub const LINK_DAYS: i64 = 30;

/// The invite a register person joins by: a student into their class, staff into the
/// staff room, a parent beside a child (`child_class`, a child's class).
pub fn invite_place(
    role: RosterRole,
    class: Option<ClassId>,
    staff_room: ClassId,
    child_class: Option<ClassId>,
) -> Option<(InviteRole, ClassId)> {
    match role {
        RosterRole::Student => class.map(|c| (InviteRole::Student, c)),
        RosterRole::Teacher => Some((InviteRole::Teacher, staff_room)),
        RosterRole::Employee => Some((InviteRole::Employee, staff_room)),
        RosterRole::Parent => child_class.map(|c| (InviteRole::Parent, c)),
    }
}

/// Issues a person of the register their own link: one use, `LINK_DAYS` long.
/// Returns the token (shown once) and when it expires.
pub async fn do_issue(
    work: &mut Work,
    org: OrgId,
    by: parta_domain::UserId,
    person: i64,
    (role, class): (InviteRole, ClassId),
) -> Result<(String, i64)> {
    let token = secrets::new_token();
    let expires_at = now_ms() + LINK_DAYS * 24 * HOUR_MS;
    let invite = store::invites::insert(
        work,
        &NewInvite {
            org,
            class,
            role,
            child: None,
            grants_admin: false,
            token_hash: &secrets::token_hash(&token),
            created_by: Some(by),
            expires_at,
            max_uses: 1,
            requires_approval: false,
        },
    )
    .await?;
    store::roster::set_invite_person(work, invite, person).await?;
    Ok((token, expires_at))
}

/// # Who the register expects and has not joined yet (the school's admins)
/// With how long each one's link lasts: none, and a new one is needed.
pub async fn waiting(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<RosterWaiting>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ExchangeRoster).await?;
    let rows = store::roster::waiting(&mut conn, org, now_ms()).await?;
    Ok(rows
        .into_iter()
        .map(|r| RosterWaiting {
            id: r.id,
            name: full_name(&r.family_name, &r.given_name, r.patronymic.as_deref()),
            sourced_id: r.sourced_id,
            class_name: r.class_name.filter(|_| r.role == RosterRole::Student.as_str()),
            role: r.role,
            link_expires_at: r.link_expires_at.map(rfc3339),
        })
        .collect())
}

/// # A new link for someone the register expects (the school's admins)
/// Their earlier links stop working; the new one is shown once.
pub async fn reissue(state: &AppState, actor: &Actor, org: OrgId, person: i64) -> Result<RosterLink> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ExchangeRoster).await?;
    let row = store::roster::person(&mut work, person).await?.filter(|p| p.org_id == org.0).ok_or(Error::NotFound)?;
    if row.user_id.is_some() {
        return Err(Error::Conflict("already_member"));
    }
    let role = RosterRole::from_stored(&row.role).ok_or(Error::NotFound)?;
    let staff_room = store::schools::staff_room(&mut work, org).await?.class_id();
    let children = store::roster::relatives(&mut work, row.id, false).await?;
    let child_class = children.iter().find_map(|c| c.class_id).map(ClassId);
    let place = invite_place(role, row.class_id.map(ClassId), staff_room, child_class)
        .ok_or(Error::Conflict("no_place_yet"))?;
    store::roster::revoke_links(&mut work, row.id, actor.user_id).await?;
    let (token, expires_at) = do_issue(&mut work, org, actor.user_id, row.id, place).await?;
    let class_name = match role {
        RosterRole::Student => store::schools::get_class(&mut work, org, place.1).await?.map(|c| c.name),
        _ => None,
    };
    store::audit::record(
        &mut work,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: "roster_link_reissued",
            target_type: "roster_person",
            target_id: Some(row.id),
            details: json!({ "sourced_id": row.sourced_id, "role": role.as_str() }),
        },
    )
    .await?;
    work.commit(state).await?;
    Ok(RosterLink {
        sourced_id: row.sourced_id.clone(),
        name: row.full_name(),
        role: role.as_str().into(),
        class_name,
        path: super::invites::join_path(&token),
        expires_at: rfc3339(expires_at),
    })
}
