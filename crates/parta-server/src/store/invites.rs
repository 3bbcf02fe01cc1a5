//! Invite links and join requests.

use parta_domain::{ClassId, InviteId, InviteRole, JoinRequestId, MemberRole, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    pub id: i64,
    pub org_id: i64,
    pub class_id: i64,
    pub role: String,
    pub child_user_id: Option<i64>,
    pub grants_admin: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub max_uses: i64,
    pub use_count: i64,
    pub requires_approval: i64,
    pub revoked_at: Option<i64>,
    /// The register's person this link was made for (`store::roster`), if any.
    pub roster_person_id: Option<i64>,
}

/// Why a link admits no one, if it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Active,
    Expired,
    Revoked,
    UsedUp,
}

impl InviteState {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteState::Active => "active",
            InviteState::Expired => "expired",
            InviteState::Revoked => "revoked",
            InviteState::UsedUp => "used_up",
        }
    }
}

impl InviteRow {
    pub fn invite_id(&self) -> InviteId {
        InviteId(self.id)
    }

    pub fn org_id(&self) -> OrgId {
        OrgId(self.org_id)
    }

    pub fn class_id(&self) -> ClassId {
        ClassId(self.class_id)
    }

    pub fn role(&self) -> InviteRole {
        MemberRole::parse(&self.role).and_then(InviteRole::from_member_role).unwrap_or(InviteRole::Employee)
    }

    /// Revocation wins over exhaustion, exhaustion over expiry: the most specific reason.
    pub fn state(&self, now: i64) -> InviteState {
        if self.revoked_at.is_some() {
            InviteState::Revoked
        } else if self.use_count >= self.max_uses {
            InviteState::UsedUp
        } else if self.expires_at <= now {
            InviteState::Expired
        } else {
            InviteState::Active
        }
    }
}

const COLUMNS: &str = "id, org_id, class_id, role, child_user_id, grants_admin, created_by, created_at, expires_at,
    max_uses, use_count, requires_approval, revoked_at, roster_person_id";

pub struct NewInvite<'a> {
    pub org: OrgId,
    pub class: ClassId,
    pub role: InviteRole,
    pub child: Option<UserId>,
    pub grants_admin: bool,
    pub token_hash: &'a str,
    pub created_by: Option<UserId>,
    pub expires_at: i64,
    pub max_uses: i64,
    pub requires_approval: bool,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewInvite<'_>) -> sqlx::Result<InviteId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invites (org_id, class_id, role, child_user_id, grants_admin, token_hash, created_by, created_at,
            expires_at, max_uses, requires_approval)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.org.0)
    .bind(new.class.0)
    .bind(new.role.member_role().as_str())
    .bind(new.child.map(|c| c.0))
    .bind(super::flag(new.grants_admin))
    .bind(new.token_hash)
    .bind(new.created_by.map(|u| u.0))
    .bind(now_ms())
    .bind(new.expires_at)
    .bind(new.max_uses)
    .bind(super::flag(new.requires_approval))
    .fetch_one(conn)
    .await?;
    Ok(InviteId(id))
}

pub async fn get(conn: &mut AnyConnection, org: OrgId, id: InviteId) -> sqlx::Result<Option<InviteRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM invites WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_token_hash(conn: &mut AnyConnection, token_hash: &str) -> sqlx::Result<Option<InviteRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM invites WHERE token_hash = $1")))
        .bind(token_hash)
        .fetch_optional(conn)
        .await
}

/// Newest first; every class of the school, or only the given ones. A person's own
/// link from the register is theirs, not the class's: it is not listed here.
pub async fn list(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<InviteRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invites WHERE org_id = $1 AND grants_admin = 0 AND roster_person_id IS NULL
         ORDER BY id DESC"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

/// Counts one use if the link still admits someone. The check and the increment are
/// one statement, so two people racing for the last use cannot both get in.
pub async fn take_use(conn: &mut AnyConnection, id: InviteId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE invites SET use_count = use_count + 1
         WHERE id = $1 AND revoked_at IS NULL AND use_count < max_uses AND expires_at > $2",
    )
    .bind(id.0)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Returns a use taken by a join request that was rejected.
pub async fn give_back_use(conn: &mut AnyConnection, id: InviteId) -> sqlx::Result<()> {
    sqlx::query("UPDATE invites SET use_count = use_count - 1 WHERE id = $1 AND use_count > 0")
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn revoke(conn: &mut AnyConnection, id: InviteId, by: UserId) -> sqlx::Result<()> {
    sqlx::query("UPDATE invites SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(by.0)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Revokes a school's unused first-admin links (a new one replaces them).
pub async fn revoke_admin_links(conn: &mut AnyConnection, org: OrgId, by: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE invites SET revoked_at = $1, revoked_by = $2 WHERE org_id = $3 AND grants_admin = 1 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(by.0)
    .bind(org.0)
    .execute(conn)
    .await
    .map(|_| ())
}

// Join requests.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JoinRequestRow {
    pub id: i64,
    pub org_id: i64,
    pub invite_id: i64,
    pub user_id: i64,
    pub status: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    /// From the invite the request came by.
    pub class_id: i64,
    pub role: String,
    pub child_user_id: Option<i64>,
}

impl JoinRequestRow {
    pub fn class_id(&self) -> ClassId {
        ClassId(self.class_id)
    }
}

const JR_COLUMNS: &str = "r.id, r.org_id, r.invite_id, r.user_id, r.status, r.created_at, r.decided_at, r.reason,
    i.class_id, i.role, i.child_user_id";
const JR_FROM: &str = "join_requests r JOIN invites i ON i.id = r.invite_id";

pub async fn insert_join_request(
    conn: &mut AnyConnection,
    org: OrgId,
    invite: InviteId,
    user: UserId,
) -> sqlx::Result<JoinRequestId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO join_requests (org_id, invite_id, user_id, status, created_at)
         VALUES ($1, $2, $3, 'pending', $4) RETURNING id",
    )
    .bind(org.0)
    .bind(invite.0)
    .bind(user.0)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(JoinRequestId(id))
}

pub async fn get_join_request(
    conn: &mut AnyConnection,
    org: OrgId,
    id: JoinRequestId,
) -> sqlx::Result<Option<JoinRequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {JR_COLUMNS} FROM {JR_FROM} WHERE r.org_id = $1 AND r.id = $2")))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// A pending request of this person by the same link, if any.
pub async fn pending_request_for(
    conn: &mut AnyConnection,
    invite: InviteId,
    user: UserId,
) -> sqlx::Result<Option<JoinRequestId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM join_requests WHERE invite_id = $1 AND user_id = $2 AND status = 'pending'")
            .bind(invite.0)
            .bind(user.0)
            .fetch_optional(conn)
            .await?;
    Ok(id.map(JoinRequestId))
}

pub async fn list_join_requests(
    conn: &mut AnyConnection,
    org: OrgId,
    status: Option<&str>,
) -> sqlx::Result<Vec<JoinRequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {JR_COLUMNS} FROM {JR_FROM} WHERE r.org_id = $1 AND ($2 = '' OR r.status = $2) ORDER BY r.id DESC"
    )))
    .bind(org.0)
    .bind(status.unwrap_or(""))
    .fetch_all(conn)
    .await
}

/// Decides a pending request; false if it was already decided.
pub async fn decide_join_request(
    conn: &mut AnyConnection,
    id: JoinRequestId,
    status: &str,
    by: UserId,
    reason: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE join_requests SET status = $1, decided_by = $2, decided_at = $3, reason = $4
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status)
    .bind(by.0)
    .bind(now_ms())
    .bind(reason)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws every pending request of a person (their account is being deleted).
pub async fn cancel_pending_of(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE join_requests SET status = 'cancelled', decided_at = $1 WHERE user_id = $2 AND status = 'pending'",
    )
    .bind(now_ms())
    .bind(user.0)
    .execute(conn)
    .await
    .map(|_| ())
}
