//! Loading and authorizing, in one place: who holds which roles where (from the
//! directory), then the pure decision of `parta_domain::permission`.
//! Actions call these before touching anything; handlers never check permissions.

use parta_domain::permission::{Grant, Permission, Role, Scope, is_allowed};
use parta_domain::{ClassId, MemberRole, OrgId, StaffRole};
use sqlx::AnyConnection;

use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::store;
use crate::store::schools::{ClassRow, OrgRow};

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
    let mut grants = Vec::new();
    if actor.is_operator {
        grants.push(Grant { role: Role::Operator, scope: Scope::Platform });
    }
    let is_admin = store::directory::is_admin(conn, org, actor.user_id).await?;
    let places = store::directory::active_places(conn, org, actor.user_id).await?;
    if is_admin || !places.is_empty() {
        grants.push(Grant { role: Role::Member, scope: Scope::School(org) });
    }
    if is_admin {
        grants.push(Grant { role: Role::SchoolAdmin, scope: Scope::School(org) });
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
    for class in store::directory::classes_led_by(conn, org, actor.user_id).await? {
        grants.push(Grant { role: Role::ClassTeacher, scope: Scope::Class(org, class.id) });
    }
    Ok(grants)
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

/// A school, with `permission` over the whole of it.
pub async fn school(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    permission: Permission,
) -> Result<SchoolAccess> {
    let access = visible_school(conn, actor, org).await?;
    access.require(permission, Scope::School(org))?;
    Ok(access)
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
