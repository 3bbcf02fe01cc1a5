//! Invite links and joining: create, list, revoke; open a link; join by it
//! (directly or through a join request); accept or reject join requests.

use parta_domain::consent::ConsentKind;
use parta_domain::notifications::NoticeKind;
use parta_domain::permission::{self, Permission, Scope};
use parta_domain::validate::{self, LoginId};
use parta_domain::{InviteId, InviteRole, JoinRequestId, MemberRole, OrgId, UserId};
use parta_protocol::{
    AcceptInviteRequest, CreateInviteRequest, CreatedInvite, Invite, InvitePreview, JoinOutcome, JoinRequest,
    NotificationDetails, RegisterRequest, Registered, SessionCreated,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::notifications::{About, do_notify};
use super::{Fields, checked};
use crate::access;
use crate::auth::{Actor, ClientInfo};
use crate::clock::{HOUR_MS, now_ms, rfc3339, rfc3339_opt, today_in};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::directory::NewMembership;
use crate::store::invites::{InviteRow, InviteState, NewInvite};
use crate::work::Work;

pub const DEFAULT_EXPIRY_HOURS: i64 = 168;
pub const MAX_EXPIRY_HOURS: i64 = 24 * 365;
pub const MAX_USES: i64 = 10_000;

pub fn join_path(token: &str) -> String {
    format!("/join/{token}")
}

/// Renders a stored invite for its managers.
pub async fn render(conn: &mut AnyConnection, row: &InviteRow) -> Result<Invite> {
    let class = store::schools::get_class(conn, row.org_id(), row.class_id()).await?.ok_or(Error::NotFound)?;
    let child = match row.child_user_id {
        Some(id) => store::users::person(conn, UserId(id)).await?,
        None => None,
    };
    let created_by = match row.created_by {
        Some(id) => store::users::person(conn, UserId(id)).await?,
        None => None,
    };
    Ok(Invite {
        id: row.invite_id(),
        class: class.class_ref(),
        role: row.role(),
        child,
        grants_admin: row.grants_admin == 1,
        created_by,
        created_at: rfc3339(row.created_at),
        expires_at: rfc3339(row.expires_at),
        max_uses: row.max_uses,
        use_count: row.use_count,
        requires_approval: row.requires_approval == 1,
        revoked_at: rfc3339_opt(row.revoked_at),
        status: row.state(now_ms()).as_str().to_owned(),
    })
}

/// The trusted write: a new link with a fresh token. Returns the token (shown once).
pub async fn do_create(conn: &mut AnyConnection, new: NewInvite<'_>, token: &str) -> Result<CreatedInvite> {
    let id = store::invites::insert(conn, &new).await?;
    store::audit::record(
        conn,
        Entry {
            org: Some(new.org),
            actor: new.created_by,
            action: "invite_created",
            target_type: "invite",
            target_id: Some(id.0),
            details: json!({
                "class_id": new.class, "role": new.role, "child_user_id": new.child,
                "max_uses": new.max_uses, "requires_approval": new.requires_approval,
                "grants_admin": new.grants_admin,
            }),
        },
    )
    .await?;
    let row = store::invites::get(conn, new.org, id).await?.ok_or(Error::NotFound)?;
    Ok(CreatedInvite { invite: render(conn, &row).await?, token: token.to_owned(), path: join_path(token) })
}

/// # Create an invite link for a class and a role
/// Admins for any class; class teachers for their own. A parent link names a
/// current student of the class; «Учительская» takes only staff links.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &CreateInviteRequest,
) -> Result<CreatedInvite> {
    let mut tx = state.begin().await?;
    let needed = permission::to_manage_invites_for(request.role.member_role());
    let (access, class) = access::class(&mut tx, actor, org, request.class_id, needed).await?;
    access::require_verified_teacher(&mut tx, &access, actor.user_id).await?;
    // Last year's classes take nobody new: their people have moved on.
    if let Some(year) = class.academic_year
        && store::year_transition::year_archived(&mut tx, org, year).await?
    {
        return Err(Error::Conflict("year_archived"));
    }
    let mut fields = Fields::default();
    let expires_in = request.expires_in_hours.unwrap_or(DEFAULT_EXPIRY_HOURS);
    if !(1..=MAX_EXPIRY_HOURS).contains(&expires_in) {
        fields.reject("expires_in_hours", "out_of_range");
    }
    let default_uses = if request.role == InviteRole::Parent { 1 } else { 50 };
    let max_uses = request.max_uses.unwrap_or(default_uses);
    if !(1..=MAX_USES).contains(&max_uses) {
        fields.reject("max_uses", "out_of_range");
    }
    let staff_role = matches!(request.role, InviteRole::Teacher | InviteRole::Employee);
    if class.is_staff_room() && !staff_role {
        fields.reject("role", "not_allowed_in_staff_room");
    }
    match (request.role, request.child_user_id) {
        (InviteRole::Parent, None) => fields.reject("child_user_id", "child_required"),
        (InviteRole::Parent, Some(child)) => {
            let places = store::directory::active_places(&mut tx, org, child).await?;
            let is_student_here =
                places.iter().any(|p| p.role() == MemberRole::Student && p.class_id() == class.class_id());
            if !is_student_here {
                fields.reject("child_user_id", "unknown_student");
            }
        }
        (_, Some(_)) => fields.reject("child_user_id", "child_not_allowed"),
        (_, None) => {}
    }
    fields.finish()?;
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let created = do_create(
        &mut tx,
        NewInvite {
            org,
            class: class.class_id(),
            role: request.role,
            child: request.child_user_id,
            grants_admin: false,
            token_hash: &token_hash,
            created_by: Some(actor.user_id),
            expires_at: now_ms() + expires_in * HOUR_MS,
            max_uses,
            requires_approval: request.requires_approval.unwrap_or(access.org.join_approval_required == 1),
        },
        &token,
    )
    .await?;
    tx.commit(state).await?;
    Ok(created)
}

/// # List a school's invite links: all for admins, their classes' for class teachers.
pub async fn list(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Invite>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::visible_school(&mut conn, actor, org).await?;
    let whole_school = access.allows_in_school(Permission::ManageInvites);
    let rows = store::invites::list(&mut conn, org).await?;
    let visible: Vec<InviteRow> = rows
        .into_iter()
        .filter(|row| {
            access.allows_in_class(permission::to_manage_invites_for(row.role().member_role()), row.class_id())
        })
        .collect();
    if visible.is_empty() && !whole_school && !access.grants.iter().any(|g| g.role == parta_domain::Role::ClassTeacher)
    {
        return Err(Error::Forbidden);
    }
    let mut invites = Vec::with_capacity(visible.len());
    for row in &visible {
        invites.push(render(&mut conn, row).await?);
    }
    Ok(invites)
}

/// # Revoke a link: it admits no one from now on.
pub async fn revoke(state: &AppState, actor: &Actor, org: OrgId, invite: InviteId) -> Result<Invite> {
    let mut tx = state.begin().await?;
    let _school = access::visible_school(&mut tx, actor, org).await?;
    let row =
        store::invites::get(&mut tx, org, invite).await?.filter(|r| r.grants_admin == 0).ok_or(Error::NotFound)?;
    access::class(&mut tx, actor, org, row.class_id(), permission::to_manage_invites_for(row.role().member_role()))
        .await?;
    if row.revoked_at.is_some() {
        return Err(Error::Conflict("invite_already_revoked"));
    }
    store::invites::revoke(&mut tx, invite, actor.user_id).await?;
    store::audit::record(
        &mut tx,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: "invite_revoked",
            target_type: "invite",
            target_id: Some(invite.0),
            details: json!({ "use_count": row.use_count }),
        },
    )
    .await?;
    let row = store::invites::get(&mut tx, org, invite).await?.ok_or(Error::NotFound)?;
    let rendered = render(&mut tx, &row).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

/// Finds a link that still admits people, or says exactly why it does not.
pub(crate) async fn usable_invite(conn: &mut AnyConnection, token: &str) -> Result<InviteRow> {
    let row = store::invites::find_by_token_hash(conn, &secrets::token_hash(token.trim()))
        .await?
        .ok_or(Error::Missing("invite_not_found"))?;
    match row.state(now_ms()) {
        InviteState::Active => Ok(row),
        InviteState::Expired => Err(Error::Gone("invite_expired")),
        InviteState::Revoked => Err(Error::Gone("invite_revoked")),
        InviteState::UsedUp => Err(Error::Gone("invite_used_up")),
    }
}

/// # Open a link: the school, class and role it leads to. Anyone holding the link may look.
pub async fn preview(state: &AppState, token: &str) -> Result<InvitePreview> {
    let mut conn = state.db.reads().acquire().await?;
    let row = usable_invite(&mut conn, token).await?;
    let org = store::schools::get(&mut conn, row.org_id()).await?.ok_or(Error::Missing("invite_not_found"))?;
    let class = store::schools::get_class(&mut conn, row.org_id(), row.class_id()).await?.ok_or(Error::NotFound)?;
    let child = match row.child_user_id {
        Some(id) => store::users::person(&mut conn, UserId(id)).await?,
        None => None,
    };
    Ok(InvitePreview {
        school: org.school_ref(),
        class: class.class_ref(),
        role: row.role(),
        child,
        grants_admin: row.grants_admin == 1,
        requires_approval: row.requires_approval == 1 && row.grants_admin == 0,
        expires_at: rfc3339(row.expires_at),
        for_person: super::roster::for_person(&mut conn, &row).await?,
    })
}

/// The trusted write that gives a person the place a link (or an accepted request) stands for.
async fn do_admit(work: &mut Work, row: &InviteRow, user: UserId, by: Option<UserId>) -> Result<()> {
    let org = store::schools::get(work, row.org_id()).await?.ok_or(Error::NotFound)?;
    let membership = store::directory::insert_membership(
        work,
        &NewMembership {
            org: row.org_id(),
            user,
            role: row.role().member_role(),
            class: row.class_id(),
            child: row.child_user_id.map(UserId),
            started_on: today_in(&org.time_zone),
            created_by: by,
        },
    )
    .await?;
    if row.grants_admin == 1 && !store::directory::is_admin(work, row.org_id(), user).await? {
        // The first admin is appointed by the operator who approved the school.
        store::directory::insert_admin(work, row.org_id(), user, row.created_by.map(UserId)).await?;
    }
    store::audit::record(
        work,
        Entry {
            org: Some(row.org_id()),
            actor: by.or(Some(user)),
            action: "member_joined",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({
                "invite_id": row.id, "membership_id": membership, "role": row.role(),
                "class_id": row.class_id, "child_user_id": row.child_user_id,
                "admin": row.grants_admin == 1,
            }),
        },
    )
    .await?;
    super::seats::do_sync_seats(work, row.org_id(), user).await?;
    let child = row.child_user_id.map(UserId);
    let role = row.role().member_role();
    crate::webhooks::events::do_member_joined(work, row.org_id(), user, role, row.class_id(), child).await?;
    Ok(())
}

/// The first admin's link is for the person the school's application named: their
/// e-mail or phone must be the account's. Anyone else who got hold of the link is
/// refused; the operator re-issues it to corrected contacts.
async fn check_first_admin(work: &mut Work, row: &InviteRow, user: UserId) -> Result<()> {
    let Some(application) = store::applications::of_school(work, row.org_id()).await? else { return Ok(()) };
    let account = store::users::get(work, user).await?.ok_or(Error::NotFound)?;
    let email_matches = account.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&application.admin_email));
    let phone_matches = account.phone.as_deref() == Some(application.admin_phone.as_str());
    if email_matches || phone_matches { Ok(()) } else { Err(Error::Refused("admin_link_contacts")) }
}

/// A parent's link: the parent's consent for their child, recorded with the join.
pub(crate) async fn do_child_consent(work: &mut Work, row: &InviteRow, parent: UserId, version: &str) -> Result<()> {
    if let Some(child) = row.child_user_id {
        store::consents::insert(work, parent, ConsentKind::Child, Some(UserId(child)), Some(row.org_id()), version)
            .await?;
    }
    Ok(())
}

/// Tells who may decide a new join request (the school's admins, the class's teacher
/// where the role is theirs to admit) that it waits.
async fn do_tell_deciders(work: &mut Work, row: &InviteRow, user: UserId, request: JoinRequestId) -> Result<()> {
    let org = row.org_id();
    let role = row.role().member_role();
    let mut candidates: Vec<UserId> =
        store::directory::list_admins(work, org).await?.iter().map(|a| UserId(a.user_id)).collect();
    candidates.extend(
        store::directory::class_teachers(work, org)
            .await?
            .into_iter()
            .filter(|(class, _)| *class == row.class_id())
            .map(|(_, person)| person.id),
    );
    let wanted = [Permission::ReviewJoinRequests, permission::to_manage_invites_for(role)];
    let target = Scope::Class(org, row.class_id());
    let deciders = access::people_allowed(work, org, candidates, &wanted, target).await?;
    let class_name = store::schools::get_class(work, org, row.class_id()).await?.map(|c| c.name);
    let about = About {
        org: Some(org),
        subject: Some(request.0),
        details: NotificationDetails { class_name, ..Default::default() },
        ..Default::default()
    };
    do_notify(work, NoticeKind::JoinRequest, Some(user), deciders, &about).await
}

/// Uses a link for `user` inside the caller's transaction.
pub(crate) async fn do_join(work: &mut Work, row: &InviteRow, user: UserId) -> Result<JoinOutcome> {
    if let Some(person) = row.roster_person_id {
        return super::roster::do_claim(work, row, person, user).await;
    }
    let places = store::directory::active_places(work, row.org_id(), user).await?;
    let role = row.role().member_role();
    let already = places
        .iter()
        .any(|p| p.role() == role && p.class_id() == row.class_id() && p.child_user_id == row.child_user_id);
    if already && row.grants_admin == 0 {
        return Err(Error::Conflict("already_member"));
    }
    if row.grants_admin == 1 {
        check_first_admin(work, row, user).await?;
    }
    if row.child_user_id == Some(user.0) {
        return Err(Error::Conflict("own_child"));
    }
    if let Some(child) = row.child_user_id {
        let child_places = store::directory::active_places(work, row.org_id(), UserId(child)).await?;
        if !child_places.iter().any(|p| p.role() == MemberRole::Student && p.class_id() == row.class_id()) {
            return Err(Error::Gone("invite_child_left"));
        }
    }
    if store::invites::pending_request_for(work, row.invite_id(), user).await?.is_some() {
        return Err(Error::Conflict("join_request_pending"));
    }
    if !store::invites::take_use(work, row.invite_id()).await? {
        return Err(Error::Gone("invite_used_up"));
    }
    if row.requires_approval == 1 && row.grants_admin == 0 {
        let request = store::invites::insert_join_request(work, row.org_id(), row.invite_id(), user).await?;
        store::audit::record(
            work,
            Entry {
                org: Some(row.org_id()),
                actor: Some(user),
                action: "join_requested",
                target_type: "join_request",
                target_id: Some(request.0),
                details: json!({ "invite_id": row.id }),
            },
        )
        .await?;
        do_tell_deciders(work, row, user, request).await?;
        return Ok(JoinOutcome { status: "pending".into(), org_id: row.org_id(), join_request_id: Some(request) });
    }
    if !already {
        do_admit(work, row, user, None).await?;
    } else {
        // The first admin's link given to someone already in the staff room: only the admin role is new.
        store::directory::insert_admin(work, row.org_id(), user, row.created_by.map(UserId)).await?;
        super::seats::do_sync_seats(work, row.org_id(), user).await?;
    }
    Ok(JoinOutcome { status: "joined".into(), org_id: row.org_id(), join_request_id: None })
}

/// # Join by a link as the signed-in person.
pub async fn accept(state: &AppState, actor: &Actor, request: &AcceptInviteRequest) -> Result<JoinOutcome> {
    let mut tx = state.begin().await?;
    let row = usable_invite(&mut tx, &request.token).await?;
    // By a parent's link the parent consents for their child, here as at registration.
    let for_child = row.child_user_id.is_some() || (row.roster_person_id.is_some() && row.role() == InviteRole::Parent);
    let consent = match for_child {
        true => Some(
            parta_domain::consent::check("consent_version", request.consent_version.as_deref())
                .map_err(|e| Error::Validation(vec![e]))?,
        ),
        false => None,
    };
    let outcome = do_join(&mut tx, &row, actor.user_id).await?;
    if let Some(consent) = consent {
        do_child_consent(&mut tx, &row, actor.user_id, consent).await?;
    }
    tx.commit(state).await?;
    Ok(outcome)
}

/// A registration: the session token, the device token when the browser is new, and the answer.
pub struct RegisteredSession {
    pub token: String,
    pub new_device: Option<String>,
    pub registered: Registered,
}

/// # Register through a link: a new account, a session, and the join — in one transaction,
/// so a dead link creates no account.
///
/// A phone or e-mail that already has an account is not reported as taken (that
/// would tell anyone holding a link who has an account anywhere): the form is then
/// that person's login, under the login's limits and answers, and with the right
/// password they join with the account they have.
pub async fn register(state: &AppState, request: &RegisterRequest, client: &ClientInfo) -> Result<RegisteredSession> {
    let mut fields = Fields::default();
    let name = fields.check_all(validate::person_name_all(
        &request.family_name,
        &request.given_name,
        request.patronymic.as_deref(),
    ));
    let email = match request.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => fields.check(validate::email("email", email)),
        None => None,
    };
    let phone = match request.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(phone) => fields.check(validate::phone("phone", phone)),
        None => None,
    };
    let contact_given = request.email.as_deref().is_some_and(|e| !e.trim().is_empty())
        || request.phone.as_deref().is_some_and(|p| !p.trim().is_empty());
    if !contact_given {
        fields.reject("email", "contact_required");
        fields.reject("phone", "contact_required");
    }
    let password = fields.check(validate::password("password", &request.password));
    let consent = fields.check(parta_domain::consent::check("consent_version", request.consent_version.as_deref()));
    fields.finish()?;
    let consent = checked(consent)?;
    let (name, password) = (checked(name)?, checked(password)?);

    let logins: Vec<LoginId> =
        [email.clone().map(LoginId::Email), phone.clone().map(LoginId::Phone)].into_iter().flatten().collect();
    let mut existing = None;
    {
        let mut conn = state.db.reads().acquire().await?;
        for id in &logins {
            if let Some(user) = store::users::find_by_login(&mut conn, id).await? {
                let (LoginId::Email(login) | LoginId::Phone(login)) = id;
                existing = Some((login.clone(), user));
                break;
            }
        }
    }
    let (verified, hash) = match existing {
        Some((login, user)) => {
            (Some(super::login::check_user_password(state, &login, Some(user), &password, client).await?), None)
        }
        None => (None, Some(state.passwords.hash(password).await?)),
    };

    let mut tx = state.begin().await?;
    let row = usable_invite(&mut tx, &request.invite_token).await?;
    let user = match (&verified, hash) {
        (Some(verified), _) => {
            verified.do_settle(&mut tx).await?;
            verified.user.user_id()
        }
        (None, hash) => {
            store::users::insert(&mut tx, &name, email.as_deref(), phone.as_deref(), hash.as_deref(), false)
                .await
                // Taken between the look and the insert: the same answer as a wrong password.
                .map_err(|e| if store::is_unique_violation(&e) { Error::InvalidCredentials } else { e.into() })?
        }
    };
    let join = do_join(&mut tx, &row, user).await?;
    store::consents::insert(&mut tx, user, ConsentKind::Own, None, Some(row.org_id()), consent).await?;
    do_child_consent(&mut tx, &row, user, consent).await?;
    let super::login::SignedIn { token, csrf_token, new_device } =
        super::login::do_sign_in(&mut tx, state, user, client).await?;
    tx.commit(state).await?;
    let me = super::accounts::me(state, user).await?;
    Ok(RegisteredSession {
        token: token.clone(),
        new_device,
        registered: Registered { session: SessionCreated { token, csrf_token, user: me }, join },
    })
}

async fn render_request(conn: &mut AnyConnection, row: &store::invites::JoinRequestRow) -> Result<JoinRequest> {
    let user = store::users::get(conn, UserId(row.user_id)).await?.ok_or(Error::NotFound)?;
    let class = store::schools::get_class(conn, OrgId(row.org_id), row.class_id()).await?.ok_or(Error::NotFound)?;
    let child = match row.child_user_id {
        Some(id) => store::users::person(conn, UserId(id)).await?,
        None => None,
    };
    Ok(JoinRequest {
        id: JoinRequestId(row.id),
        person: user.person(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        role: MemberRole::parse(&row.role).unwrap_or(MemberRole::Employee),
        class: class.class_ref(),
        child,
        status: row.status.clone(),
        created_at: rfc3339(row.created_at),
        decided_at: rfc3339_opt(row.decided_at),
        reason: row.reason.clone(),
    })
}

/// # List join requests: all for admins, their classes' for class teachers.
pub async fn list_requests(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    status: Option<&str>,
) -> Result<Vec<JoinRequest>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::visible_school(&mut conn, actor, org).await?;
    let whole_school = access.allows_in_school(Permission::ReviewJoinRequests);
    if !whole_school && !access.grants.iter().any(|g| g.role == parta_domain::Role::ClassTeacher) {
        return Err(Error::Forbidden);
    }
    let status = match status {
        None | Some("") => None,
        Some(s @ ("pending" | "accepted" | "rejected")) => Some(s),
        Some(_) => return Err(Error::field("status", "invalid_format")),
    };
    let rows = store::invites::list_join_requests(&mut conn, org, status).await?;
    let mut requests = Vec::new();
    let may_decide = |r: &store::invites::JoinRequestRow| {
        access.allows_in_class(Permission::ReviewJoinRequests, r.class_id())
            && MemberRole::parse(&r.role)
                .is_some_and(|role| access.allows_in_class(permission::to_manage_invites_for(role), r.class_id()))
    };
    for row in rows.iter().filter(|r| may_decide(r)) {
        requests.push(render_request(&mut conn, row).await?);
    }
    Ok(requests)
}

/// # Accept or reject a join request.
pub async fn decide_request(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: JoinRequestId,
    accept: bool,
    reason: Option<&str>,
) -> Result<JoinRequest> {
    let mut tx = state.begin().await?;
    let _school = access::visible_school(&mut tx, actor, org).await?;
    let request = store::invites::get_join_request(&mut tx, org, id).await?.ok_or(Error::NotFound)?;
    access::class(&mut tx, actor, org, request.class_id(), Permission::ReviewJoinRequests).await?;
    let role = MemberRole::parse(&request.role).ok_or(Error::NotFound)?;
    access::class(&mut tx, actor, org, request.class_id(), permission::to_manage_invites_for(role)).await?;
    let reason = validate::optional_line("reason", reason, 500)?;
    let status = if accept { "accepted" } else { "rejected" };
    if !store::invites::decide_join_request(&mut tx, id, status, actor.user_id, reason.as_deref()).await? {
        return Err(Error::Conflict("join_request_decided"));
    }
    let invite = store::invites::get(&mut tx, org, InviteId(request.invite_id)).await?.ok_or(Error::NotFound)?;
    if !accept {
        // A rejected request does not use up the link: the right person can still join by it.
        store::invites::give_back_use(&mut tx, invite.invite_id()).await?;
    }
    if accept {
        // They may have joined the same place by another link meanwhile: no second copy of it.
        let places = store::directory::active_places(&mut tx, org, UserId(request.user_id)).await?;
        let role = invite.role().member_role();
        if places
            .iter()
            .any(|p| p.role() == role && p.class_id() == invite.class_id() && p.child_user_id == invite.child_user_id)
        {
            return Err(Error::Conflict("already_member"));
        }
        if let Some(child) = invite.child_user_id {
            let child_places = store::directory::active_places(&mut tx, org, UserId(child)).await?;
            if !child_places.iter().any(|p| p.role() == MemberRole::Student && p.class_id() == invite.class_id()) {
                return Err(Error::Conflict("not_student"));
            }
        }
        do_admit(&mut tx, &invite, UserId(request.user_id), Some(actor.user_id)).await?;
    }
    store::audit::record(
        &mut tx,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: if accept { "join_request_accepted" } else { "join_request_rejected" },
            target_type: "join_request",
            target_id: Some(id.0),
            details: json!({ "user_id": request.user_id, "reason": reason }),
        },
    )
    .await?;
    let row = store::invites::get_join_request(&mut tx, org, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_request(&mut tx, &row).await?;
    tx.commit(state).await?;
    Ok(rendered)
}
