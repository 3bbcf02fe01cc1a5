//! One's devices that receive web pushes: subscribing a browser (its endpoint must be a
//! push service the deployment allows, its keys a browser's), the kinds each device is
//! not told of, and unsubscribing. A subscription belongs to the session that made it:
//! signing out on that browser ends it. What is pushed, and when, is `crate::push`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use parta_protocol::{PushDevice, PushKey, PushKindsRequest, PushSubscribeRequest};

use crate::auth::{Actor, ClientInfo};
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::push::{self, seal};
use crate::state::AppState;
use crate::store;
use crate::store::push::{NewSubscription, SubscriptionRow};

/// Devices one person keeps subscribed; subscribing one more drops the oldest.
const DEVICES: i64 = 10;
/// The longest endpoint taken (push services' are a few hundred characters).
const ENDPOINT_CHARS: usize = 1000;

fn device(row: &SubscriptionRow, actor: &Actor) -> PushDevice {
    PushDevice {
        id: row.id,
        endpoint: row.endpoint.clone(),
        user_agent: row.user_agent.clone(),
        kinds_off: kinds(&row.kinds_off),
        created_at: rfc3339(row.created_at),
        last_sent_at: row.last_sent_at.map(rfc3339),
        current: row.session_id == actor.session_id.0,
    }
}

fn kinds(stored: &str) -> Vec<String> {
    stored.split(',').filter(|k| !k.is_empty()).map(str::to_owned).collect()
}

/// The kinds as stored, each known and once.
fn checked_kinds(kinds: &[String]) -> Result<String> {
    let mut known: Vec<&str> = Vec::new();
    for kind in kinds {
        if !push::is_kind(kind) {
            return Err(Error::field("kinds_off", "invalid_value"));
        }
        if !known.contains(&kind.as_str()) {
            known.push(kind);
        }
    }
    Ok(known.join(","))
}

/// # The server's key to subscribe a browser with (every signed-in person)
pub async fn key(state: &AppState) -> Result<PushKey> {
    Ok(PushKey { public_key: push::vapid::key(state).await?.public_key.clone() })
}

/// # Subscribe this browser to pushes (every signed-in person, for themselves)
pub async fn subscribe(
    state: &AppState,
    actor: &Actor,
    request: &PushSubscribeRequest,
    client: &ClientInfo,
) -> Result<PushDevice> {
    let endpoint = request.endpoint.trim();
    if endpoint.chars().count() > ENDPOINT_CHARS {
        return Err(Error::field("endpoint", "too_long"));
    }
    let parsed = crate::https::parse(endpoint).ok_or_else(|| Error::field("endpoint", "invalid_url"))?;
    if !state.settings.push.allows(&parsed.host) {
        return Err(Error::field("endpoint", "push_service_not_allowed"));
    }
    let p256dh = URL_SAFE_NO_PAD.decode(request.keys.p256dh.trim_end_matches('='));
    let auth = URL_SAFE_NO_PAD.decode(request.keys.auth.trim_end_matches('='));
    let (p256dh, auth) = match (p256dh, auth) {
        (Ok(p), Ok(a)) => (p, a),
        (Err(_), _) => return Err(Error::field("keys.p256dh", "invalid_value")),
        (_, Err(_)) => return Err(Error::field("keys.auth", "invalid_value")),
    };
    match seal::check_keys(&p256dh, &auth) {
        Ok(()) => {}
        Err(seal::KeyError::PublicKey) => return Err(Error::field("keys.p256dh", "invalid_value")),
        Err(seal::KeyError::AuthSecret) => return Err(Error::field("keys.auth", "invalid_value")),
    }
    let kinds_off = checked_kinds(&request.kinds_off)?;
    let mut work = state.begin().await?;
    let new = NewSubscription {
        user: actor.user_id.0,
        session: actor.session_id.0,
        endpoint,
        p256dh: &URL_SAFE_NO_PAD.encode(&p256dh),
        auth: &URL_SAFE_NO_PAD.encode(&auth),
        kinds_off: &kinds_off,
        user_agent: client.user_agent.as_deref(),
    };
    let id = store::push::subscribe(&mut work, &new, now_ms()).await?;
    store::push::trim(&mut work, actor.user_id.0, DEVICES).await?;
    let row = store::push::one(&mut work, id, actor.user_id.0).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(device(&row, actor))
}

/// # One's devices that receive pushes (every signed-in person)
pub async fn devices(state: &AppState, actor: &Actor) -> Result<Vec<PushDevice>> {
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::push::of_user(&mut conn, actor.user_id.0).await?;
    Ok(rows.iter().map(|row| device(row, actor)).collect())
}

/// # Choose what one device is not told of (its owner)
pub async fn set_kinds(state: &AppState, actor: &Actor, id: i64, request: &PushKindsRequest) -> Result<PushDevice> {
    let kinds_off = checked_kinds(&request.kinds_off)?;
    let mut work = state.begin().await?;
    store::push::one(&mut work, id, actor.user_id.0).await?.ok_or(Error::NotFound)?;
    store::push::set_kinds_off(&mut work, id, &kinds_off).await?;
    let row = store::push::one(&mut work, id, actor.user_id.0).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(device(&row, actor))
}

/// # Stop pushes to one device (its owner)
pub async fn unsubscribe(state: &AppState, actor: &Actor, id: i64) -> Result<()> {
    let mut work = state.begin().await?;
    store::push::one(&mut work, id, actor.user_id.0).await?.ok_or(Error::NotFound)?;
    store::push::remove(&mut work, id).await?;
    work.commit(state).await?;
    Ok(())
}
