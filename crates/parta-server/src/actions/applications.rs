//! School applications: anyone submits one with the director's order attached;
//! the operator reviews it and approves (creating the school and inviting its
//! first admin) or rejects it with a reason.

use parta_domain::permission::Permission;
use parta_domain::validate;
use parta_domain::{ApplicationId, ClassId, FileId, InviteRole, OrgId};
use parta_protocol::{
    AdminContactsRequest, Application, ApplicationApproved, ApplicationForm, ApplicationReceived, CreatedInvite,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Fields, checked};
use crate::access;
use crate::auth::Actor;
use crate::blobs::{new_key, sniff_document};
use crate::clock::{HOUR_MS, now_ms, rfc3339, rfc3339_opt};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::applications::{ApplicationRow, NewApplication};
use crate::store::audit::Entry;
use crate::store::files::{FileRow, NewFile};
use crate::store::invites::NewInvite;

/// How long the first admin's link lives.
pub const ADMIN_INVITE_HOURS: i64 = 14 * 24;

/// An uploaded file as received: the bytes and the name the client gave.
pub struct Upload {
    pub file_name: String,
    /// Shared, not copied, between storage, checksum and the preview.
    pub bytes: axum::body::Bytes,
}

async fn render(conn: &mut AnyConnection, row: ApplicationRow) -> Result<Application> {
    let file = store::files::get(conn, FileId(row.order_file_id)).await?.ok_or(Error::NotFound)?;
    Ok(Application {
        id: ApplicationId(row.id),
        school_name: row.school_name,
        short_name: row.short_name,
        address: row.address,
        inn: row.inn,
        ogrn: row.ogrn,
        region: row.region,
        time_zone: row.time_zone,
        admin_family_name: row.admin_family_name,
        admin_given_name: row.admin_given_name,
        admin_patronymic: row.admin_patronymic,
        admin_email: row.admin_email,
        admin_phone: row.admin_phone,
        authority: row.authority_name,
        order: file.info(),
        status: row.status,
        reject_reason: row.reject_reason,
        created_at: rfc3339(row.created_at),
        decided_at: rfc3339_opt(row.decided_at),
        org_id: row.org_id.map(OrgId),
    })
}

/// Keeps only the last path component of a client's file name, for display.
pub fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() { "order".to_owned() } else { clean }
}

/// # Submit an application (anyone, no account needed)
/// Applications one address may submit in `SUBMISSION_WINDOW_MS`.
pub const MAX_SUBMISSIONS_PER_ADDRESS: i64 = 20;
pub const SUBMISSION_WINDOW_MS: i64 = crate::clock::HOUR_MS;

/// Counts a submission from the client's address before its body is read; beyond
/// the limit the answer is 429 and the body is never read.
pub async fn count_submission(state: &AppState, client: &crate::auth::ClientInfo) -> Result<()> {
    let now = crate::clock::now_ms();
    let mut tx = state.begin().await?;
    let key = format!("application:{}", client.ip);
    if !store::attempts::reserve(&mut tx, &key, MAX_SUBMISSIONS_PER_ADDRESS, now - SUBMISSION_WINDOW_MS, now).await? {
        return Err(Error::RateLimited("applications_rate_limited"));
    }
    tx.commit(state).await?;
    Ok(())
}

pub async fn submit(state: &AppState, form: &ApplicationForm, order: Option<Upload>) -> Result<ApplicationReceived> {
    let mut fields = Fields::default();
    let profile = super::schools::check_profile(
        &super::schools::ProfileInput {
            name: &form.school_name,
            short_name: &form.short_name,
            address: &form.address,
            inn: &form.inn,
            ogrn: &form.ogrn,
            region: &form.region,
            time_zone: &form.time_zone,
            join_approval_required: false,
        },
        &mut fields,
    );
    let admin = fields.check_all(validate::person_name_all(
        &form.admin_family_name,
        &form.admin_given_name,
        form.admin_patronymic.as_deref(),
    ));
    let email = fields.check(validate::email("admin_email", &form.admin_email));
    let phone = fields.check(validate::phone("admin_phone", &form.admin_phone));
    let authority = match form.authority.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(name) => fields.check(validate::text("authority", name, 200)),
        None => None,
    };
    let content_type = match &order {
        None => {
            fields.reject("order", "required");
            None
        }
        Some(upload) => {
            let sniffed = sniff_document(&upload.bytes);
            if sniffed.is_none() {
                fields.reject("order", "file_type_not_allowed");
            }
            sniffed
        }
    };
    // Field names are the form's, not the profile's.
    fields.finish().map_err(|error| match error {
        Error::Validation(mut list) => {
            for field in &mut list {
                if field.field == "name" {
                    field.field = "school_name".into();
                }
                if ["family_name", "given_name", "patronymic"].contains(&field.field.as_str()) {
                    field.field = format!("admin_{}", field.field);
                }
            }
            Error::Validation(list)
        }
        other => other,
    })?;
    let (profile, admin, email, phone) = (checked(profile)?, checked(admin)?, checked(email)?, checked(phone)?);
    let (content_type, order) = (checked(content_type)?, checked(order)?);

    // The bytes go to storage first; a crash before commit leaves an orphan file, never a row without its file.
    let key = new_key("orders");
    state.blobs.put(&key, &order.bytes).await.map_err(|e| Error::Internal(e.into()))?;
    let mut tx = state.begin().await?;
    let file = store::files::insert(
        &mut tx,
        &NewFile {
            org: None,
            storage_key: &key,
            content_type,
            size: order.bytes.len() as i64,
            original_name: &display_name(&order.file_name),
            sha256: &secrets::sha256_hex(&order.bytes),
            uploaded_by: None,
            chat: None,
        },
    )
    .await?;
    let id = store::applications::insert(
        &mut tx,
        &NewApplication {
            school_name: profile.name,
            short_name: profile.short_name,
            address: profile.address,
            inn: profile.inn,
            ogrn: profile.ogrn,
            region: profile.region,
            time_zone: profile.time_zone,
            admin_family_name: admin.family,
            admin_given_name: admin.given,
            admin_patronymic: admin.patronymic,
            admin_email: email,
            admin_phone: phone,
            authority_name: authority,
        },
        file,
    )
    .await?;
    store::audit::record(
        &mut tx,
        Entry {
            org: None,
            actor: None,
            action: "application_submitted",
            target_type: "application",
            target_id: Some(id.0),
            details: json!({}),
        },
    )
    .await?;
    tx.commit(state).await?;
    Ok(ApplicationReceived { id, status: "pending".into() })
}

pub async fn list(state: &AppState, actor: &Actor, status: Option<&str>) -> Result<Vec<Application>> {
    access::platform(actor, Permission::ReviewApplications)?;
    let status = match status {
        None | Some("") => None,
        Some(s @ ("pending" | "approved" | "rejected")) => Some(s),
        Some(_) => return Err(Error::field("status", "invalid_format")),
    };
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::applications::list(&mut conn, status).await?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        list.push(render(&mut conn, row).await?);
    }
    Ok(list)
}

/// Applications exist only for the operator: to anyone else every id is `NotFound`.
async fn load(conn: &mut AnyConnection, actor: &Actor, id: ApplicationId) -> Result<ApplicationRow> {
    access::platform(actor, Permission::ReviewApplications).map_err(|_| Error::NotFound)?;
    store::applications::get(conn, id).await?.ok_or(Error::NotFound)
}

pub async fn get(state: &AppState, actor: &Actor, id: ApplicationId) -> Result<Application> {
    let mut conn = state.db.reads().acquire().await?;
    let row = load(&mut conn, actor, id).await?;
    render(&mut conn, row).await
}

/// The attached order, for the operator to open.
pub async fn order_file(state: &AppState, actor: &Actor, id: ApplicationId) -> Result<FileRow> {
    let mut conn = state.db.reads().acquire().await?;
    let row = load(&mut conn, actor, id).await?;
    store::files::get(&mut conn, FileId(row.order_file_id)).await?.ok_or(Error::NotFound)
}

/// # Approve: creates the school with «Учительская» and a one-time admin link.
pub async fn approve(state: &AppState, actor: &Actor, id: ApplicationId) -> Result<ApplicationApproved> {
    let mut tx = state.begin().await?;
    let row = load(&mut tx, actor, id).await?;
    if row.status != "pending" {
        return Err(Error::Conflict("application_decided"));
    }
    let profile = store::schools::Profile {
        name: row.school_name.clone(),
        short_name: row.short_name.clone(),
        address: row.address.clone(),
        inn: row.inn.clone(),
        ogrn: row.ogrn.clone(),
        region: row.region.clone(),
        time_zone: row.time_zone.clone(),
        join_approval_required: false,
    };
    let (org, staff_room) = super::schools::do_create_school(&mut tx, &profile, Some(actor.user_id)).await?;
    if !store::applications::decide(&mut tx, id, "approved", actor.user_id, None, Some(org)).await? {
        return Err(Error::Conflict("application_decided"));
    }
    store::files::give_to_school(&mut tx, FileId(row.order_file_id), org).await?;
    // The school joins the authority its application names, when one has exactly that name.
    let authority = match row.authority_name.as_deref() {
        Some(name) => store::authorities::by_name(&mut tx, name).await?,
        None => None,
    };
    if let Some(authority) = authority {
        store::authorities::attach(&mut tx, org, Some(authority)).await?;
    }
    let admin_invite = do_admin_invite(&mut tx, org, staff_room, actor).await?;
    do_mail_admin_link(&mut tx, state, &row.admin_email, &row.admin_given_name, &row.short_name, &admin_invite).await?;
    store::audit::record(
        &mut tx,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: "application_approved",
            target_type: "application",
            target_id: Some(id.0),
            details: json!({ "admin_email": row.admin_email, "authority_id": authority }),
        },
    )
    .await?;
    let row = store::applications::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let application = render(&mut tx, row).await?;
    tx.commit(state).await?;
    Ok(ApplicationApproved { application, org_id: org, admin_invite })
}

/// Sends the first admin's link to the e-mail the application gave (the only one it
/// works for, with the phone).
async fn do_mail_admin_link(
    conn: &mut AnyConnection,
    state: &AppState,
    email: &str,
    name: &str,
    school: &str,
    invite: &CreatedInvite,
) -> Result<()> {
    let link = format!("{}{}", state.settings.public_url, invite.path);
    let letter = crate::mail::templates::first_admin(email, name, school, &link, ADMIN_INVITE_HOURS / 24);
    crate::mail::queue(conn, &letter).await
}

/// The one-time link that makes its holder the school's admin (and a member of staff).
async fn do_admin_invite(
    conn: &mut AnyConnection,
    org: OrgId,
    staff_room: ClassId,
    actor: &Actor,
) -> Result<CreatedInvite> {
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    super::invites::do_create(
        conn,
        NewInvite {
            org,
            class: staff_room,
            role: InviteRole::Employee,
            child: None,
            grants_admin: true,
            token_hash: &token_hash,
            created_by: Some(actor.user_id),
            expires_at: now_ms() + ADMIN_INVITE_HOURS * HOUR_MS,
            max_uses: 1,
            requires_approval: false,
        },
        &token,
    )
    .await
}

/// # Issue a new first-admin link for an approved school whose admin has not joined
/// (the first link was lost or expired). Earlier unused admin links are revoked.
pub async fn reissue_admin_invite(state: &AppState, actor: &Actor, id: ApplicationId) -> Result<CreatedInvite> {
    let mut tx = state.begin().await?;
    let row = load(&mut tx, actor, id).await?;
    let invite = do_reissue(&mut tx, actor, &row).await?;
    do_mail_admin_link(&mut tx, state, &row.admin_email, &row.admin_given_name, &row.short_name, &invite).await?;
    tx.commit(state).await?;
    Ok(invite)
}

/// The approved school of an application whose first admin has not joined yet, locked;
/// its unused admin links revoked and a new one issued.
async fn do_reissue(tx: &mut crate::work::Work, actor: &Actor, row: &ApplicationRow) -> Result<CreatedInvite> {
    let Some(org) = row.org_id.map(OrgId).filter(|_| row.status == "approved") else {
        return Err(Error::Conflict("application_not_approved"));
    };
    store::schools::lock(tx, org).await?;
    if store::directory::count_admins(tx, org).await? > 0 {
        return Err(Error::Conflict("admin_already_joined"));
    }
    store::invites::revoke_admin_links(tx, org, actor.user_id).await?;
    let staff_room = store::schools::staff_room(tx, org).await?;
    do_admin_invite(tx, org, staff_room.class_id(), actor).await
}

/// # Correct the first admin's contacts and issue a new link for them (the operator)
/// The link only works for an account with one of these contacts; earlier links stop.
pub async fn set_admin_contacts(
    state: &AppState,
    actor: &Actor,
    id: ApplicationId,
    request: &AdminContactsRequest,
) -> Result<CreatedInvite> {
    let mut fields = Fields::default();
    let email = fields.check(validate::email("admin_email", &request.admin_email));
    let phone = fields.check(validate::phone("admin_phone", &request.admin_phone));
    fields.finish()?;
    let (email, phone) = (checked(email)?, checked(phone)?);
    let mut tx = state.begin().await?;
    let row = load(&mut tx, actor, id).await?;
    let invite = do_reissue(&mut tx, actor, &row).await?;
    store::applications::set_admin_contacts(&mut tx, id, &email, &phone).await?;
    do_mail_admin_link(&mut tx, state, &email, &row.admin_given_name, &row.short_name, &invite).await?;
    store::audit::record(
        &mut tx,
        Entry {
            org: row.org_id.map(OrgId),
            actor: Some(actor.user_id),
            action: "admin_contacts_changed",
            target_type: "application",
            target_id: Some(id.0),
            details: json!({ "from": { "email": row.admin_email, "phone": row.admin_phone },
                             "to": { "email": email, "phone": phone } }),
        },
    )
    .await?;
    tx.commit(state).await?;
    Ok(invite)
}

/// # Reject with a reason the applicant will be told.
pub async fn reject(state: &AppState, actor: &Actor, id: ApplicationId, reason: &str) -> Result<Application> {
    let mut tx = state.begin().await?;
    load(&mut tx, actor, id).await?;
    let reason = validate::text("reason", reason, 2000)?;
    if !store::applications::decide(&mut tx, id, "rejected", actor.user_id, Some(&reason), None).await? {
        return Err(Error::Conflict("application_decided"));
    }
    store::audit::record(
        &mut tx,
        Entry {
            org: None,
            actor: Some(actor.user_id),
            action: "application_rejected",
            target_type: "application",
            target_id: Some(id.0),
            details: json!({ "reason": reason }),
        },
    )
    .await?;
    let row = store::applications::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let application = render(&mut tx, row).await?;
    tx.commit(state).await?;
    Ok(application)
}
