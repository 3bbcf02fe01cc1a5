//! Accounts and sessions: log in and out, the session list, passwords, deleting
//! one's own account, and the operator's one-time set-password code.

use std::collections::BTreeMap;

use parta_domain::permission::{Permission, Scope, is_allowed};
use parta_domain::validate::{self, LoginId, PersonName};
use parta_domain::{OrgId, SessionId, UserId};
use parta_protocol::{ExportedMessage, Me, MessagesExport, MySchool, SessionInfo};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Fields, checked};
use crate::auth::{Actor, ClientInfo};
use crate::bus::Envelope;
use crate::clock::{HOUR_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;

pub async fn do_create_session(
    conn: &mut AnyConnection,
    state: &AppState,
    user: UserId,
    client: &ClientInfo,
) -> Result<(String, String, SessionId)> {
    let token = secrets::new_token();
    let csrf = secrets::new_token();
    let expires_at = now_ms() + state.settings.session_idle_ms;
    let session = store::sessions::insert(
        conn,
        user,
        &secrets::token_hash(&token),
        &csrf,
        client.user_agent.as_deref(),
        Some(&client.ip),
        expires_at,
    )
    .await?;
    super::statistics::do_record_activity(conn, user).await?;
    Ok((token, csrf, session))
}

/// # Log out: ends the current session.
pub async fn logout(state: &AppState, actor: &Actor) -> Result<()> {
    let mut tx = state.begin().await?;
    store::sessions::delete(&mut tx, actor.user_id, actor.session_id).await?;
    tx.publish_after_commit(Envelope::SessionsEnded { user: actor.user_id, only: Some(actor.session_id), keep: None });
    tx.commit(state).await?;
    Ok(())
}

/// The permissions `grants` give over the whole school, the platform's own left out
/// (an operator who also works at a school sees its console as their place there allows).
fn school_permissions(grants: &[parta_domain::permission::Grant], org: OrgId) -> Vec<String> {
    let held: Vec<_> = grants.iter().filter(|g| g.role != parta_domain::permission::Role::Operator).copied().collect();
    Permission::ALL
        .into_iter()
        .filter(|p| is_allowed(&held, *p, Scope::School(org)))
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// What a person agreed to, for themselves and their children.
async fn consents(conn: &mut AnyConnection, user: UserId) -> Result<Vec<parta_protocol::ConsentGiven>> {
    let mut out = Vec::new();
    for (kind, child, version, at) in store::consents::of_user(conn, user).await? {
        let child = match child {
            Some(id) => store::users::person(conn, UserId(id)).await?,
            None => None,
        };
        out.push(parta_protocol::ConsentGiven { kind, child, version, at: rfc3339(at) });
    }
    Ok(out)
}

/// # The consent to the processing of personal data as it stands now (anyone)
pub fn consent_text() -> parta_protocol::ConsentText {
    use parta_domain::consent;
    parta_protocol::ConsentText {
        version: consent::VERSION.to_owned(),
        text_self: consent::TEXT_SELF.to_owned(),
        text_child: consent::TEXT_CHILD.to_owned(),
    }
}

/// The signed-in person with every school they belong to.
pub async fn me(state: &AppState, user: UserId) -> Result<Me> {
    let mut conn = state.db.reads().acquire().await?;
    let row = store::users::get(&mut conn, user).await?.ok_or(Error::Unauthenticated)?;
    let places = store::directory::active_places_everywhere(&mut conn, user).await?;
    let mut orgs: BTreeMap<i64, ()> = places.iter().map(|p| (p.org_id, ())).collect();
    for org in store::directory::admin_of(&mut conn, user).await? {
        orgs.insert(org.0, ());
    }
    let mut schools = Vec::new();
    for org_id in orgs.keys().map(|id| OrgId(*id)) {
        let Some(org) = store::schools::get(&mut conn, org_id).await? else { continue };
        let record = store::directory::member_record(&mut conn, org_id, user).await?.unwrap_or_default();
        let grants = crate::access::grants_of(&mut conn, user, row.is_operator == 1, org_id).await?;
        let school = Scope::School(org_id);
        schools.push(MySchool {
            org_id,
            name: org.name,
            short_name: org.short_name,
            is_admin: store::directory::is_admin(&mut conn, org_id, user).await?,
            teacher_verified: record.teacher_verified,
            places: places.iter().filter(|p| p.org_id == org_id.0).map(|p| p.place()).collect(),
            class_teacher_of: store::directory::classes_led_by(&mut conn, org_id, user).await?,
            manages_school_year: is_allowed(&grants, Permission::ManageSchoolYear, school),
            permissions: school_permissions(&grants, org_id),
        });
    }
    Ok(Me {
        id: user,
        family_name: row.family_name,
        given_name: row.given_name,
        patronymic: row.patronymic,
        photo_url: row.photo_key.as_deref().map(|key| super::profile::photo_url(user, key)),
        language: parta_domain::profile::Language::from_stored(&row.language).as_str().to_owned(),
        names_locked: store::profile::names_locked(&mut conn, user).await?,
        email: row.email,
        phone: row.phone,
        is_operator: row.is_operator == 1,
        schools,
        consents: consents(&mut conn, user).await?,
        authorities: store::authorities::curated_by(&mut conn, user)
            .await?
            .into_iter()
            .map(|a| parta_protocol::AuthorityRef { id: parta_domain::AuthorityId(a.id), name: a.name })
            .collect(),
    })
}

pub async fn sessions(state: &AppState, actor: &Actor) -> Result<Vec<SessionInfo>> {
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::sessions::list_for_user(&mut conn, actor.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionInfo {
            id: SessionId(s.id),
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            user_agent: s.user_agent,
            ip: s.ip,
            current: s.id == actor.session_id.0,
        })
        .collect())
}

/// Ends one of the actor's own sessions; someone else's session id is `NotFound`.
pub async fn end_session(state: &AppState, actor: &Actor, session: SessionId) -> Result<()> {
    let mut tx = state.begin().await?;
    if !store::sessions::delete(&mut tx, actor.user_id, session).await? {
        return Err(Error::NotFound);
    }
    tx.publish_after_commit(Envelope::SessionsEnded { user: actor.user_id, only: Some(session), keep: None });
    tx.commit(state).await?;
    Ok(())
}

async fn verify_current_password(state: &AppState, user: UserId, password: &str) -> Result<bool> {
    let mut conn = state.db.reads().acquire().await?;
    let hash = store::users::get(&mut conn, user).await?.and_then(|u| u.password_hash);
    drop(conn);
    let Some(hash) = hash else { return Ok(false) };
    state.passwords.verify(password, Some(hash)).await
}

/// # Change password: ends every other session of the account.
pub async fn change_password(state: &AppState, actor: &Actor, current: &str, new: &str) -> Result<()> {
    let new = validate::password("new_password", new)?;
    if !verify_current_password(state, actor.user_id, current).await? {
        return Err(Error::field("current_password", "wrong_password"));
    }
    let hash = state.passwords.hash(new).await?;
    let mut tx = state.begin().await?;
    store::users::set_password(&mut tx, actor.user_id, &hash).await?;
    store::sessions::delete_all_except(&mut tx, actor.user_id, Some(actor.session_id)).await?;
    tx.publish_after_commit(Envelope::SessionsEnded { user: actor.user_id, only: None, keep: Some(actor.session_id) });
    tx.commit(state).await?;
    Ok(())
}

/// # Set a password with a one-time code; the code is spent.
pub async fn set_password_with_token(state: &AppState, token: &str, password: &str) -> Result<()> {
    let password = validate::password("password", password)?;
    let hash = state.passwords.hash(password).await?;
    let mut tx = state.begin().await?;
    // A link's token as it came; a code typed by hand, as written on paper or not.
    let user = match store::users::use_password_token(&mut tx, &secrets::token_hash(token.trim())).await? {
        Some(user) => Some(user),
        None => {
            store::users::use_password_token(&mut tx, &secrets::token_hash(&secrets::normalize_code(token))).await?
        }
    };
    let user = user.ok_or(Error::Conflict("token_invalid"))?;
    store::users::set_password(&mut tx, user, &hash).await?;
    store::sessions::delete_all_except(&mut tx, user, None).await?;
    tx.publish_after_commit(Envelope::SessionsEnded { user, only: None, keep: None });
    tx.commit(state).await?;
    Ok(())
}

/// # Delete one's own account
/// Personal data is erased (the photo too), every place in every school ended, sessions closed;
/// the audit log keeps its entries (now pointing at "a deleted user"). The last
/// admin of a school must appoint a successor first.
pub async fn delete_account(state: &AppState, actor: &Actor, password: &str) -> Result<()> {
    if !verify_current_password(state, actor.user_id, password).await? {
        return Err(Error::field("password", "wrong_password"));
    }
    let mut tx = state.begin().await?;
    let user = actor.user_id;
    let admin_of = store::directory::admin_of(&mut tx, user).await?;
    for org in &admin_of {
        store::schools::lock(&mut tx, *org).await?;
        if store::directory::count_admins(&mut tx, *org).await? <= 1 {
            return Err(Error::Conflict("last_admin"));
        }
    }
    let places = store::directory::active_places_everywhere(&mut tx, user).await?;
    let mut orgs: Vec<OrgId> = places.iter().map(|p| OrgId(p.org_id)).chain(admin_of.iter().copied()).collect();
    orgs.sort();
    orgs.dedup();
    for place in &places {
        // The end date is today where the school is, as for every other membership.
        let time_zone = store::schools::get(&mut tx, OrgId(place.org_id)).await?.map(|o| o.time_zone);
        let today = crate::clock::today_in(time_zone.as_deref().unwrap_or("UTC"));
        store::directory::end_membership(&mut tx, place.place().membership_id, &today, "account_deleted").await?;
    }
    for org in &orgs {
        store::directory::remove_admin(&mut tx, *org, user, Some(user)).await?;
        store::directory::remove_class_teacher(&mut tx, *org, None, user, Some(user)).await?;
        super::seats::do_sync_seats(&mut tx, *org, user).await?;
        store::audit::record(
            &mut tx,
            Entry {
                org: Some(*org),
                actor: Some(user),
                action: "account_deleted",
                target_type: "user",
                target_id: Some(user.0),
                details: json!({}),
            },
        )
        .await?;
    }
    store::invites::cancel_pending_of(&mut tx, user).await?;
    store::devices::forget_all(&mut tx, user).await?;
    store::oidc::delete_links_of(&mut tx, user).await?;
    store::sessions::delete_all_except(&mut tx, user, None).await?;
    tx.publish_after_commit(Envelope::SessionsEnded { user, only: None, keep: None });
    // The photo goes with the rest of the personal data.
    let photo = store::users::get(&mut tx, user).await?.and_then(|u| u.photo_key);
    store::users::anonymize(&mut tx, user).await?;
    tx.commit(state).await?;
    super::profile::forget_blob(state, photo).await;
    Ok(())
}

/// What `parta admin create-operator` prints.
pub struct OperatorCreated {
    pub user: UserId,
    pub code: String,
    pub expires_at: i64,
}

/// # Create (or promote) the platform operator and issue a one-time set-password code.
pub async fn create_operator(
    state: &AppState,
    email: &str,
    family_name: &str,
    given_name: &str,
) -> Result<OperatorCreated> {
    let mut fields = Fields::default();
    let email = fields.check(validate::email("email", email));
    let name = fields.check(validate::person_name(family_name, given_name, None));
    fields.finish()?;
    let (email, name): (String, PersonName) = (checked(email)?, checked(name)?);
    let mut tx = state.begin().await?;
    let user = match store::users::find_by_login(&mut tx, &LoginId::Email(email.clone())).await? {
        Some(existing) => {
            store::users::make_operator(&mut tx, existing.user_id()).await?;
            existing.user_id()
        }
        None => store::users::insert(&mut tx, &name, Some(&email), None, None, true).await?,
    };
    let code = secrets::new_token();
    let expires_at = now_ms() + 72 * HOUR_MS;
    store::users::insert_password_token(&mut tx, user, &secrets::token_hash(&code), expires_at).await?;
    store::audit::record(
        &mut tx,
        Entry {
            org: None,
            actor: None,
            action: "operator_created",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({ "email": email }),
        },
    )
    .await?;
    tx.commit(state).await?;
    Ok(OperatorCreated { user, code, expires_at })
}

/// # Everything the person wrote in chats, as a file (the person themselves)
/// Kept whatever chats they have left: a graduate loses their class chats, not what
/// they wrote there.
pub async fn export_messages(state: &AppState, actor: &Actor) -> Result<MessagesExport> {
    let mut conn = state.db.reads().acquire().await?;
    let person = store::users::person(&mut conn, actor.user_id).await?.ok_or(Error::Unauthenticated)?;
    let mut files: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (message, name) in store::messages::files_written_by(&mut conn, actor.user_id).await? {
        files.entry(message).or_default().push(name);
    }
    let messages = store::messages::written_by(&mut conn, actor.user_id)
        .await?
        .into_iter()
        .map(|m| ExportedMessage {
            school: m.school,
            chat_id: parta_domain::ChatId(m.chat_id),
            chat_title: m.chat_title,
            sent_at: rfc3339(m.created_at),
            edited_at: m.edited_at.map(rfc3339),
            body: m.body,
            files: files.remove(&m.id).unwrap_or_default(),
        })
        .collect();
    Ok(MessagesExport { person, exported_at: rfc3339(now_ms()), messages })
}
