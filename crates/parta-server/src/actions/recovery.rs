//! Getting back into an account: a link by e-mail, asked for on the login page (the
//! same answer for every address, limited per address and per network address), and,
//! for people without e-mail (many students), a one-time code their school gives them
//! — the class teacher for their class's students and parents, the admins for anyone
//! of the school but admins. Either is spent at `/set-password`, which ends every
//! session of the account (`accounts::set_password_with_token`).

use parta_domain::permission::{Permission, Scope};
use parta_domain::validate::{self, LoginId};
use parta_domain::{MemberRole, OrgId, UserId};
use parta_protocol::{PasswordResetRequest, SignInCode};
use serde_json::json;

use crate::access;
use crate::auth::{Actor, ClientInfo};
use crate::clock::{HOUR_MS, MINUTE_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::mail::templates;
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;

/// How long a link by e-mail works.
const LINK_MINUTES: i64 = 30;
/// How long a code from the school works: until the next school day.
const CODE_HOURS: i64 = 24;
/// Links asked for one address, and from one network address, per hour.
const PER_ADDRESS: i64 = 3;
const PER_NETWORK: i64 = 20;

/// # Ask for a link to set a new password (anyone)
/// Known and unknown addresses get the same answer; a known one gets the letter.
pub async fn request_reset(state: &AppState, request: &PasswordResetRequest, client: &ClientInfo) -> Result<()> {
    let email = validate::email("email", &request.email)?;
    let now = now_ms();
    let mut work = state.begin().await?;
    for (key, max) in [(format!("reset:{email}"), PER_ADDRESS), (format!("reset-ip:{}", client.ip), PER_NETWORK)] {
        if !store::attempts::reserve(&mut work, &key, max, now - HOUR_MS, now).await? {
            return Err(Error::RateLimited("password_reset_limit"));
        }
    }
    if let Some(user) = store::users::find_by_login(&mut work, &LoginId::Email(email.clone())).await? {
        let token = secrets::new_token();
        let expires_at = now + LINK_MINUTES * MINUTE_MS;
        store::users::insert_password_token(&mut work, user.user_id(), &secrets::token_hash(&token), expires_at)
            .await?;
        let link = format!("{}/set-password?token={token}", state.settings.public_url);
        let letter = templates::password_reset(&email, user.id, &user.given_name, &link, LINK_MINUTES);
        crate::mail::queue(&mut work, &letter).await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// # Give a person of the school a one-time code to set a new password with
/// A student or parent: their class teacher or an admin. Staff: an admin. An admin of
/// the school: nobody here (by e-mail, or the operator). Audited.
pub async fn issue_code(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<SignInCode> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    if user == actor.user_id {
        return Err(Error::field("user_id", "self"));
    }
    let places = store::directory::active_places(&mut work, org, user).await?;
    if places.is_empty() {
        return Err(Error::NotFound);
    }
    if store::directory::is_admin(&mut work, org, user).await? {
        return Err(Error::Refused("not_for_admins"));
    }
    // Every place must be the actor's to answer for: a class teacher does not reset a
    // parent who is also a teacher of the school.
    let allowed = places.iter().all(|place| {
        let role = place.role();
        match role {
            MemberRole::Student | MemberRole::Parent => {
                school.allows(Permission::IssueSignInCodes, Scope::Class(org, place.class_id()))
            }
            _ => {
                school.allows_in_school(Permission::IssueSignInCodes)
                    && school.allows_in_school(Permission::ManageStaffInvites)
            }
        }
    });
    if !allowed {
        // Who may see the person is told no; to anyone else they are not there.
        let sees = places.iter().any(|p| school.allows(Permission::ReadMembers, Scope::Class(org, p.class_id())));
        return Err(if sees { Error::Forbidden } else { Error::NotFound });
    }
    let code = secrets::new_code();
    let expires_at = now_ms() + CODE_HOURS * HOUR_MS;
    store::users::insert_password_token(
        &mut work,
        user,
        &secrets::token_hash(&secrets::normalize_code(&code)),
        expires_at,
    )
    .await?;
    store::audit::record(
        &mut work,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: "sign_in_code_issued",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({ "expires_at": rfc3339(expires_at) }),
        },
    )
    .await?;
    let person = places[0].person();
    work.commit(state).await?;
    Ok(SignInCode { person, code, expires_at: rfc3339(expires_at) })
}
