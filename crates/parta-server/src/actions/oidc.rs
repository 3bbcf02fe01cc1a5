//! Signing in with an OpenID Connect provider, and the identities linked to accounts.
//!
//! A sign-in begins here (`start`, `start_link`): its state, nonce and PKCE verifier
//! are kept for 10 minutes with what it is for — a sign-in, linking the signed-in
//! person's account (after their password), or joining by an invite link — and a
//! cookie binds it to the browser that began it. The provider's answer (`callback`)
//! takes that row (deleted as it is read, so a state is used once), exchanges the code
//! and checks the ID token (`crate::oidc`), then:
//! - an identity linked to an account signs that account in, as a password does;
//! - by an invite link, the linked account (or a new one made from the provider's
//!   name and contact claims, with no password) joins as the join page does, and the
//!   identity is linked;
//! - in link mode, the identity is linked to the account that asked;
//! - otherwise nothing is made: `oidc_not_linked`.

use parta_domain::UserId;
use parta_domain::consent::ConsentKind;
use parta_domain::validate::{self, LoginId};
use parta_protocol::{OidcLink, OidcProvider};
use serde_json::json;

use super::login::{SignedIn, do_sign_in};
use crate::auth::{Actor, ClientInfo};
use crate::clock::{MINUTE_MS, now_ms, rfc3339, rfc3339_opt};
use crate::error::{Error, Result};
use crate::oidc::{Begun, ContactClaim, Identity, ProviderConfig};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::oidc::{NewState, StateRow};
use crate::work::Work;

/// How long a begun sign-in waits for the provider's answer.
pub const STATE_TTL_MS: i64 = 10 * MINUTE_MS;

const LOGIN: &str = "login";
const LINK: &str = "link";
const INVITE: &str = "invite";

/// # The providers people may sign in with, for the login page.
pub fn providers(state: &AppState) -> Vec<OidcProvider> {
    state.settings.oidc.iter().map(|p| OidcProvider { id: p.id.clone(), name: p.name.clone() }).collect()
}

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a ProviderConfig> {
    state.settings.oidc.iter().find(|p| p.id == id).ok_or(Error::Missing("oidc_provider_unknown"))
}

/// A sign-in begun: where to send the browser, and the browser binding to set as a cookie.
pub struct Started {
    pub url: String,
    pub browser: String,
}

async fn begin(
    state: &AppState,
    config: &ProviderConfig,
    purpose: &str,
    user: Option<UserId>,
    invite: Option<String>,
    consent: Option<String>,
    browser: Option<String>,
) -> Result<Started> {
    let begun = Begun::new();
    let redirect_uri = config.redirect_uri(&state.settings.public_url);
    // The provider's discovery first: nothing is stored for a provider that is down.
    let url = state.oidc.authorization_url(config, &begun, &redirect_uri).await?;
    let browser = browser.filter(|b| b.len() >= 32 && b.len() <= 64).unwrap_or_else(secrets::new_token);
    let now = now_ms();
    let row = StateRow {
        provider: config.id.clone(),
        nonce: begun.nonce,
        code_verifier: begun.code_verifier,
        browser_hash: secrets::token_hash(&browser),
        purpose: purpose.to_owned(),
        user_id: user.map(|u| u.0),
        invite_token: invite,
        consent_version: consent,
        expires_at: now + STATE_TTL_MS,
    };
    let mut tx = state.begin().await?;
    store::oidc::prune_states(&mut tx, now).await?;
    store::oidc::insert_state(&mut tx, NewState { state_hash: &secrets::token_hash(&begun.state), row: &row }, now)
        .await?;
    tx.commit(state).await?;
    Ok(Started { url, browser })
}

/// Sign-ins one address may begin in a state's lifetime: generous, for a school's
/// pupils behind one address, and a bound on the rows anyone can make unsigned.
pub const STARTS_PER_ADDRESS: i64 = 600;

/// # Begin signing in at a provider; with an invite link's token, joining by it.
/// Counted per address: beyond `STARTS_PER_ADDRESS` in ten minutes, 429.
pub async fn start(
    state: &AppState,
    id: &str,
    invite: Option<&str>,
    consent_version: Option<&str>,
    browser: Option<String>,
    client: &ClientInfo,
) -> Result<Started> {
    let config = provider(state, id)?;
    {
        let now = now_ms();
        let mut tx = state.begin().await?;
        let key = format!("oidc-start:{}", client.ip);
        if !store::attempts::reserve(&mut tx, &key, STARTS_PER_ADDRESS, now - STATE_TTL_MS, now).await? {
            return Err(Error::RateLimited("oidc_rate_limited"));
        }
        tx.commit(state).await?;
    }
    match invite.map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => {
            let consent = parta_domain::consent::check("consent_version", consent_version)
                .map_err(|e| Error::Validation(vec![e]))?;
            {
                // A dead link is told now, not after the trip to the provider.
                let mut conn = state.db.reads().acquire().await?;
                super::invites::usable_invite(&mut conn, token).await?;
            }
            begin(state, config, INVITE, None, Some(token.to_owned()), Some(consent.to_owned()), browser).await
        }
        None => begin(state, config, LOGIN, None, None, None, browser).await,
    }
}

/// # Begin linking a provider to the signed-in account, after its password.
pub async fn start_link(
    state: &AppState,
    actor: &Actor,
    id: &str,
    password: &str,
    client: &ClientInfo,
    browser: Option<String>,
) -> Result<Started> {
    let config = provider(state, id)?;
    let user = {
        let mut conn = state.db.reads().acquire().await?;
        if store::oidc::links_of(&mut conn, actor.user_id).await?.iter().any(|l| l.provider == config.id) {
            return Err(Error::Conflict("oidc_already_linked"));
        }
        store::users::get(&mut conn, actor.user_id).await?.ok_or(Error::Unauthenticated)?
    };
    // Under the login's limits: a stolen session cannot guess the password here.
    let login = user.email.clone().or(user.phone.clone()).unwrap_or_else(|| format!("user:{}", user.id));
    let verified = super::login::check_user_password(state, &login, Some(user), password, client).await?;
    let mut tx = state.begin().await?;
    verified.do_settle(&mut tx).await?;
    tx.commit(state).await?;
    begin(state, config, LINK, Some(actor.user_id), None, None, browser).await
}

/// How a provider's answer ended.
pub enum Finished {
    SignedIn(SignedIn),
    Linked,
    Joined(SignedIn),
}

/// What the provider sent back to the callback.
pub struct Answer<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// # The provider's answer: the begun sign-in taken (once), the code exchanged, the
/// ID token checked, and the sign-in, link or join it was for.
pub async fn callback(
    state: &AppState,
    id: &str,
    answer: Answer<'_>,
    browser: Option<&str>,
    client: &ClientInfo,
) -> Result<Finished> {
    let config = provider(state, id)?;
    let given = answer.state.filter(|s| !s.is_empty()).ok_or(Error::Refused("oidc_state_unknown"))?;
    // Taken and committed before anything else: whatever happens next, a state is
    // good for one answer.
    let mut tx = state.begin().await?;
    let begun = store::oidc::take_state(&mut tx, &secrets::token_hash(given)).await?;
    tx.commit(state).await?;
    let begun = begun.filter(|b| b.provider == config.id).ok_or(Error::Refused("oidc_state_unknown"))?;
    if begun.expires_at < now_ms() {
        return Err(Error::Refused("oidc_state_expired"));
    }
    let same_browser = browser.is_some_and(|b| secrets::token_hash(b) == begun.browser_hash);
    if !same_browser {
        return Err(Error::Refused("oidc_state_browser"));
    }
    if answer.error.is_some() {
        return Err(Error::Refused("oidc_denied"));
    }
    let code = answer.code.filter(|c| !c.is_empty()).ok_or(Error::Refused("oidc_code_refused"))?;
    let redirect_uri = config.redirect_uri(&state.settings.public_url);
    let identity = state.oidc.finish(config, code, &begun.code_verifier, &begun.nonce, &redirect_uri).await?;
    let label = identity.contact(config.claim).map(str::to_owned);

    let mut tx = state.begin().await?;
    let linked = store::oidc::find_link(&mut tx, &config.id, &identity.subject).await?;
    let finished = match begun.purpose.as_str() {
        LINK => {
            let user = UserId(begun.user_id.ok_or(Error::Refused("oidc_state_unknown"))?);
            match linked {
                Some(link) if link.user_id == user.0 => {}
                Some(_) => return Err(Error::Conflict("oidc_identity_taken")),
                None => do_link(&mut tx, config, &identity, user, label.as_deref()).await?,
            }
            Finished::Linked
        }
        INVITE => {
            let token = begun.invite_token.as_deref().unwrap_or_default();
            let consent = begun.consent_version.as_deref().unwrap_or_default();
            let invite = super::invites::usable_invite(&mut tx, token).await?;
            let user = match &linked {
                Some(link) => {
                    store::oidc::touch_link(&mut tx, link.id, label.as_deref(), now_ms()).await?;
                    UserId(link.user_id)
                }
                None => do_account_from(&mut tx, config, &identity).await?,
            };
            super::invites::do_join(&mut tx, &invite, user).await?;
            if linked.is_none() {
                store::consents::insert(&mut tx, user, ConsentKind::Own, None, Some(invite.org_id()), consent).await?;
                do_link(&mut tx, config, &identity, user, label.as_deref()).await?;
            }
            super::invites::do_child_consent(&mut tx, &invite, user, consent).await?;
            Finished::Joined(do_sign_in(&mut tx, state, user, client).await?)
        }
        _ => {
            let link = linked.ok_or(Error::Refused("oidc_not_linked"))?;
            store::oidc::touch_link(&mut tx, link.id, label.as_deref(), now_ms()).await?;
            Finished::SignedIn(do_sign_in(&mut tx, state, UserId(link.user_id), client).await?)
        }
    };
    tx.commit(state).await?;
    Ok(finished)
}

/// Links the identity to `user`, audited.
async fn do_link(
    work: &mut Work,
    config: &ProviderConfig,
    identity: &Identity,
    user: UserId,
    label: Option<&str>,
) -> Result<()> {
    let id =
        store::oidc::insert_link(work, &config.id, &identity.subject, user, label, now_ms()).await.map_err(|e| {
            if store::is_unique_violation(&e) { Error::Conflict("oidc_identity_taken") } else { e.into() }
        })?;
    store::audit::record(
        work,
        Entry {
            org: None,
            actor: Some(user),
            action: "oidc_linked",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({ "provider": config.id, "link_id": id }),
        },
    )
    .await?;
    Ok(())
}

/// A new account for a person joining by an invite link with a provider: the name
/// and the contact the provider vouches for, no password.
async fn do_account_from(work: &mut Work, config: &ProviderConfig, identity: &Identity) -> Result<UserId> {
    let name = validate::person_name_all(
        identity.text("family_name").unwrap_or_default(),
        identity.text("given_name").unwrap_or_default(),
        identity.text("middle_name"),
    )
    .map_err(|_| Error::Refused("oidc_name_missing"))?;
    let contact = identity.contact(config.claim).ok_or(Error::Refused("oidc_contact_missing"))?;
    let login = match config.claim {
        ContactClaim::Email => validate::email("email", contact).map(LoginId::Email),
        ContactClaim::Phone => validate::phone("phone", contact).map(LoginId::Phone),
    }
    .map_err(|_| Error::Refused("oidc_contact_missing"))?;
    if store::users::find_by_login(work, &login).await?.is_some() {
        // Someone has this contact already: they sign in with their password and link.
        return Err(Error::Conflict("oidc_contact_taken"));
    }
    let (email, phone) = match &login {
        LoginId::Email(e) => (Some(e.as_str()), None),
        LoginId::Phone(p) => (None, Some(p.as_str())),
    };
    store::users::insert(work, &name, email, phone, None, false)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("oidc_contact_taken") } else { e.into() })
}

/// # The signed-in person's linked identities.
pub async fn links(state: &AppState, actor: &Actor) -> Result<Vec<OidcLink>> {
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::oidc::links_of(&mut conn, actor.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| OidcLink {
            name: state.settings.oidc.iter().find(|p| p.id == row.provider).map(|p| p.name.clone()),
            provider: row.provider,
            label: row.label,
            linked_at: rfc3339(row.created_at),
            last_used_at: rfc3339_opt(row.last_used_at),
        })
        .collect())
}

/// # Unlink a provider from the signed-in account, audited. An account without a
/// password keeps its last link (it would have no way in).
pub async fn unlink(state: &AppState, actor: &Actor, provider: &str) -> Result<()> {
    let mut tx = state.begin().await?;
    let user = store::users::get(&mut tx, actor.user_id).await?.ok_or(Error::Unauthenticated)?;
    let links = store::oidc::links_of(&mut tx, actor.user_id).await?;
    if !links.iter().any(|l| l.provider == provider) {
        return Err(Error::NotFound);
    }
    if user.password_hash.is_none() && links.len() == 1 {
        return Err(Error::Conflict("oidc_last_sign_in"));
    }
    let removed = store::oidc::delete_link(&mut tx, actor.user_id, provider).await?.ok_or(Error::NotFound)?;
    store::audit::record(
        &mut tx,
        Entry {
            org: None,
            actor: Some(actor.user_id),
            action: "oidc_unlinked",
            target_type: "user",
            target_id: Some(actor.user_id.0),
            details: json!({ "provider": provider, "link_id": removed.id }),
        },
    )
    .await?;
    tx.commit(state).await?;
    Ok(())
}
