//! A person's own profile: their name (unless a school of theirs keeps names to its
//! register; its admins correct them there, audited), the language of their letters,
//! their photo, and a new e-mail address or phone number, which replaces the old one
//! only once the six-digit code sent to it is typed (15 minutes, five tries).
//!
//! Whatever `/me` shows is told to every device of the person (`me_changed`).

use axum::body::Bytes;
use parta_domain::permission::Permission;
use parta_domain::profile::{self, CodeState, ContactKind, Language};
use parta_domain::validate::{self, LoginId, PersonName};
use parta_domain::{OrgId, UserId};
use parta_protocol::{ContactChangePending, Me, Member, NameRequest, UserEvent};
use serde_json::json;

use crate::access;
use crate::auth::Actor;
use crate::blobs::new_key;
use crate::clock::{HOUR_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::mail::templates;
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::thumbnails::Skipped;
use crate::work::Work;

/// Requests for a code one person may make an hour (e-mail and phone together).
const CODES_PER_HOUR: i64 = 5;

/// Where a person's photo is read; the key's tail makes a new photo a new URL.
pub fn photo_url(user: UserId, key: &str) -> String {
    let version: String = key.rsplit('/').next().unwrap_or(key).chars().take(12).collect();
    format!("/api/v1/users/{}/photo?v={version}", user.0)
}

/// Tells every device of the person that `/me` changed.
async fn do_tell_me_changed(work: &mut Work, user: UserId) -> Result<()> {
    super::events::do_user_event(work, user, None, UserEvent::MeChanged {}).await?;
    Ok(())
}

/// The one place a name changes — one's own or an admin's correction —; returns the
/// name before, and tells the person's devices.
pub(crate) async fn do_rename(work: &mut Work, user: UserId, name: &PersonName) -> Result<PersonName> {
    let row = store::users::get(work, user).await?.ok_or(Error::NotFound)?;
    let before = PersonName { family: row.family_name, given: row.given_name, patronymic: row.patronymic };
    store::profile::set_name(work, user, name).await?;
    do_tell_me_changed(work, user).await?;
    Ok(before)
}

fn checked_name(request: &NameRequest) -> Result<PersonName> {
    profile::check_name(&request.family_name, &request.given_name, request.patronymic.as_deref())
        .map_err(Error::Validation)
}

pub(crate) fn name_json(name: &PersonName) -> serde_json::Value {
    json!({ "family_name": name.family, "given_name": name.given, "patronymic": name.patronymic })
}

/// # Change one's own name
/// Refused (`names_locked`) while any school of theirs keeps names to its register.
pub async fn rename_self(state: &AppState, actor: &Actor, request: &NameRequest) -> Result<Me> {
    let name = checked_name(request)?;
    let mut work = state.begin().await?;
    if store::profile::names_locked(&mut work, actor.user_id).await? {
        return Err(Error::Refused("names_locked"));
    }
    do_rename(&mut work, actor.user_id, &name).await?;
    work.commit(state).await?;
    super::accounts::me(state, actor.user_id).await
}

/// # Correct a member's name in the school's register (the admins; audited)
/// The person's name changes everywhere (it is one account); a person not of this
/// school is not found.
pub async fn correct_name(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    user: UserId,
    request: &NameRequest,
) -> Result<Member> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::CorrectNames).await?;
    let member = !store::directory::active_places(&mut work, org, user).await?.is_empty()
        || store::directory::is_admin(&mut work, org, user).await?;
    if !member {
        return Err(Error::NotFound);
    }
    let name = checked_name(request)?;
    let before = do_rename(&mut work, user, &name).await?;
    store::audit::record(
        &mut work,
        Entry {
            org: Some(org),
            actor: Some(actor.user_id),
            action: "name_corrected",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({ "from": name_json(&before), "to": name_json(&name) }),
        },
    )
    .await?;
    work.commit(state).await?;
    super::members::get(state, actor, org, user).await
}

/// # Set one's language (`ru` or `en`): the web client's and one's letters'
pub async fn set_language(state: &AppState, actor: &Actor, language: &str) -> Result<Me> {
    let language = Language::parse(language).ok_or_else(|| Error::field("language", "invalid_value"))?;
    let mut work = state.begin().await?;
    store::profile::set_language(&mut work, actor.user_id, language.as_str()).await?;
    do_tell_me_changed(&mut work, actor.user_id).await?;
    work.commit(state).await?;
    super::accounts::me(state, actor.user_id).await
}

/// A fresh six-digit code.
fn new_code() -> String {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        if let Some(code) = profile::code_from_random(u32::from_be_bytes(bytes)) {
            return code;
        }
    }
}

/// The digest a code is kept as: bound to the person, the kind and the new value, so
/// that a digest says nothing about any other change.
fn code_hash(user: UserId, kind: ContactKind, value: &str, code: &str) -> String {
    secrets::token_hash(&format!("{}:{}:{value}:{code}", user.0, kind.as_str()))
}

/// Counts a request for a code: a few an hour per person.
async fn reserve_code_request(work: &mut Work, user: UserId, now: i64) -> Result<()> {
    if !store::attempts::reserve(work, &format!("contact-code:{}", user.0), CODES_PER_HOUR, now - HOUR_MS, now).await? {
        return Err(Error::RateLimited("contact_change_limit"));
    }
    Ok(())
}

async fn verify_password(state: &AppState, user: UserId, password: &str) -> Result<bool> {
    let hash = {
        let mut conn = state.db.reads().acquire().await?;
        store::users::get(&mut conn, user).await?.and_then(|u| u.password_hash)
    };
    let Some(hash) = hash else { return Ok(false) };
    state.passwords.verify(password, Some(hash)).await
}

/// # Ask to change one's e-mail: a code goes to the new address
/// The current password first. Whether another account has the address is not told
/// here (its owner receives the code); only the code's holder learns it, on confirming.
pub async fn request_email_change(
    state: &AppState,
    actor: &Actor,
    email: &str,
    current_password: &str,
) -> Result<ContactChangePending> {
    let email = validate::email("email", email)?;
    let user = actor.user_id;
    let now = now_ms();
    {
        // Counted before the password check, so the limit bounds guessing it too.
        let mut work = state.begin().await?;
        reserve_code_request(&mut work, user, now).await?;
        work.commit(state).await?;
    }
    if !verify_password(state, user, current_password).await? {
        return Err(Error::field("current_password", "wrong_password"));
    }
    let mut work = state.begin().await?;
    let row = store::users::get(&mut work, user).await?.ok_or(Error::Unauthenticated)?;
    if row.email.as_deref() == Some(email.as_str()) {
        return Err(Error::field("email", "unchanged"));
    }
    let code = new_code();
    let expires_at = profile::code_expires_at(now);
    let kind = ContactKind::Email;
    store::profile::put_pending(&mut work, user, kind, &email, &code_hash(user, kind, &email, &code), now, expires_at)
        .await?;
    let english = Language::from_stored(&row.language) == Language::En;
    let letter = templates::email_code(&email, user.0, &row.given_name, &code, profile::CODE_MINUTES, english);
    crate::mail::queue(&mut work, &letter).await?;
    work.commit(state).await?;
    Ok(ContactChangePending { sent_to: email, expires_at: rfc3339(expires_at) })
}

/// # Ask to change one's phone: a code by SMS
/// Refused (`sms_not_configured`) where the server has no SMS gateway: no code is
/// made that nobody would receive.
pub async fn request_phone_change(state: &AppState, actor: &Actor, phone: &str) -> Result<ContactChangePending> {
    let phone = validate::phone("phone", phone)?;
    let Some(sms) = state.settings.sms.clone() else {
        return Err(Error::Conflict("sms_not_configured"));
    };
    let user = actor.user_id;
    let now = now_ms();
    let mut work = state.begin().await?;
    reserve_code_request(&mut work, user, now).await?;
    let row = store::users::get(&mut work, user).await?.ok_or(Error::Unauthenticated)?;
    if row.phone.as_deref() == Some(phone.as_str()) {
        return Err(Error::field("phone", "unchanged"));
    }
    let code = new_code();
    let expires_at = profile::code_expires_at(now);
    let kind = ContactKind::Phone;
    store::profile::put_pending(&mut work, user, kind, &phone, &code_hash(user, kind, &phone, &code), now, expires_at)
        .await?;
    work.commit(state).await?;
    let text = if Language::from_stored(&row.language) == Language::En {
        format!("Parta code: {code}. Valid for {} minutes.", profile::CODE_MINUTES)
    } else {
        format!("Код «Парты»: {code}. Действует {} минут.", profile::CODE_MINUTES)
    };
    if let Err(error) = sms.send(&phone, &text).await {
        tracing::warn!(%error, "the SMS gateway did not take a code");
        return Err(Error::Unavailable("sms_failed"));
    }
    Ok(ContactChangePending { sent_to: phone, expires_at: rfc3339(expires_at) })
}

/// # Confirm a new e-mail or phone with its code
/// A wrong code counts one of five tries; the fifth wrong one, or a code past its 15
/// minutes, drops the change. An address another account has meanwhile is refused.
/// The old e-mail address is told of the change.
pub async fn confirm_contact(state: &AppState, actor: &Actor, kind: ContactKind, typed: &str) -> Result<Me> {
    let user = actor.user_id;
    let code = profile::normalize_code(typed);
    let mut work = state.begin().await?;
    let pending = store::profile::pending(&mut work, user, kind).await?.ok_or(Error::Conflict("no_pending_change"))?;
    match profile::code_state(now_ms(), pending.expires_at, pending.attempts) {
        CodeState::Open => {}
        CodeState::Expired => {
            store::profile::drop_pending(&mut work, pending.id).await?;
            work.commit(state).await?;
            return Err(Error::Gone("code_expired"));
        }
        CodeState::Exhausted => {
            store::profile::drop_pending(&mut work, pending.id).await?;
            work.commit(state).await?;
            return Err(Error::RateLimited("code_attempts_exhausted"));
        }
    }
    let right = code.as_deref().is_some_and(|code| {
        let expected = code_hash(user, kind, &pending.new_value, code);
        constant_time_eq(expected.as_bytes(), pending.code_hash.as_bytes())
    });
    if !right {
        let attempts = store::profile::count_attempt(&mut work, pending.id).await?;
        if attempts >= profile::CODE_ATTEMPTS {
            store::profile::drop_pending(&mut work, pending.id).await?;
            work.commit(state).await?;
            return Err(Error::RateLimited("code_attempts_exhausted"));
        }
        work.commit(state).await?;
        return Err(Error::field("code", "wrong_code"));
    }
    store::profile::drop_pending(&mut work, pending.id).await?;
    let login = match kind {
        ContactKind::Email => LoginId::Email(pending.new_value.clone()),
        ContactKind::Phone => LoginId::Phone(pending.new_value.clone()),
    };
    let taken_code = match kind {
        ContactKind::Email => "email_taken",
        ContactKind::Phone => "phone_taken",
    };
    let row = store::users::get(&mut work, user).await?.ok_or(Error::Unauthenticated)?;
    let taken = store::users::find_by_login(&mut work, &login).await?.is_some_and(|other| other.id != user.0);
    if taken {
        // The change is spent either way; the answer goes to who holds the address.
        work.commit(state).await?;
        return Err(Error::Conflict(taken_code));
    }
    let set = match kind {
        ContactKind::Email => store::profile::set_email(&mut work, user, &pending.new_value).await,
        ContactKind::Phone => store::profile::set_phone(&mut work, user, &pending.new_value).await,
    };
    set.map_err(|e| if store::is_unique_violation(&e) { Error::Conflict(taken_code) } else { e.into() })?;
    store::audit::record(
        &mut work,
        Entry {
            org: None,
            actor: Some(user),
            action: match kind {
                ContactKind::Email => "email_changed",
                ContactKind::Phone => "phone_changed",
            },
            target_type: "user",
            target_id: Some(user.0),
            details: json!({}),
        },
    )
    .await?;
    // The old address hears of it: an account is taken over through its e-mail.
    if kind == ContactKind::Email
        && let Some(old) = row.email.as_deref()
    {
        let english = Language::from_stored(&row.language) == Language::En;
        let letter = templates::email_changed(old, user.0, &row.given_name, &pending.new_value, english);
        crate::mail::queue(&mut work, &letter).await?;
    }
    do_tell_me_changed(&mut work, user).await?;
    work.commit(state).await?;
    super::accounts::me(state, user).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// # Set one's photo
/// Decoded within the previews' limits, its centre square made 256 × 256 and written
/// anew as JPEG: nothing of the upload but its pixels is kept.
pub async fn set_photo(state: &AppState, actor: &Actor, bytes: Option<Bytes>) -> Result<Me> {
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else { return Err(Error::field("file", "required")) };
    if bytes.len() > state.settings.max_upload_bytes {
        return Err(Error::PayloadTooLarge);
    }
    let photo = match state.previews.photo(bytes, profile::PHOTO_SIDE).await {
        Ok(photo) => photo,
        Err(Skipped::QueueFull) => return Err(Error::Busy),
        Err(Skipped::NotAnImage) => return Err(Error::field("file", "not_an_image")),
        Err(Skipped::TooManyPixels | Skipped::OverBudget) => return Err(Error::field("file", "image_too_large")),
        Err(Skipped::Undecodable) => return Err(Error::field("file", "undecodable_image")),
    };
    let key = new_key("user-photos");
    // Bytes first: a crash before commit leaves an orphan blob, never a key without bytes.
    state.blobs.put(&key, &photo).await.map_err(|e| Error::Internal(e.into()))?;
    let mut work = state.begin().await?;
    let old = store::profile::set_photo(&mut work, actor.user_id, Some(&key)).await?;
    do_tell_me_changed(&mut work, actor.user_id).await?;
    work.commit(state).await?;
    forget_blob(state, old).await;
    super::accounts::me(state, actor.user_id).await
}

/// # Remove one's photo
pub async fn delete_photo(state: &AppState, actor: &Actor) -> Result<Me> {
    let mut work = state.begin().await?;
    let old = store::profile::set_photo(&mut work, actor.user_id, None).await?;
    if old.is_some() {
        do_tell_me_changed(&mut work, actor.user_id).await?;
    }
    work.commit(state).await?;
    forget_blob(state, old).await;
    super::accounts::me(state, actor.user_id).await
}

/// Deletes a photo no longer pointed at (a failure is logged: the row no longer names it).
pub(crate) async fn forget_blob(state: &AppState, key: Option<String>) {
    if let Some(key) = key
        && let Err(error) = state.blobs.delete(&key).await
    {
        tracing::warn!(%error, key, "an old profile photo was not deleted");
    }
}

/// # A person's photo
/// For themselves and for who shares a school with them now; to anyone else (another
/// school's people among them) it does not exist.
pub async fn photo(state: &AppState, actor: &Actor, user: UserId) -> Result<crate::blobs::BlobReader> {
    let key = {
        let mut conn = state.db.reads().acquire().await?;
        if user != actor.user_id && !store::profile::share_a_school(&mut conn, actor.user_id, user).await? {
            return Err(Error::NotFound);
        }
        store::users::get(&mut conn, user).await?.and_then(|u| u.photo_key).ok_or(Error::NotFound)?
    };
    state.blobs.open(&key, None).await.map_err(|e| Error::Internal(e.into()))
}
