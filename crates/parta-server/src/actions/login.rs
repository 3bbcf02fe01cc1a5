//! Logging in, and the limits that keep password guessing slow.
//!
//! Every attempt is counted before its password is checked (`store::attempts`), so a
//! burst of concurrent guesses is limited like a sequence of them. Counts are kept
//! - per account (an account with an e-mail and a phone has one count), and per
//!   spelling of a login no account has, so unknown logins throttle identically;
//! - per client address, across accounts, against spraying one password over many;
//! - per known device: a browser its owner logged in from before carries a device
//!   cookie, and its attempts count on their own. Guesses from elsewhere — other
//!   addresses, or the same school's shared address — then cannot lock the owner out
//!   of their own phone, while the per-account and per-address limits stay strict
//!   for every device the account has not used.

use parta_domain::UserId;
use parta_domain::notifications::NoticeKind;
use parta_domain::validate::{self, LoginId};
use parta_protocol::{NotificationDetails, SessionCreated};

use super::notifications::{About, do_notify};
use crate::auth::{ClientInfo, DEVICE_TTL_MS};
use crate::clock::{MINUTE_MS, now_ms};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::users::UserRow;
use crate::work::Work;

/// At most this many failed logins per account per window (ASVS 2.2.1), and as many
/// per known device of the account.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
/// And this many per client address, across all accounts, from devices not known.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 100;
pub const FAILURE_WINDOW_MS: i64 = 15 * MINUTE_MS;

/// A successful login: the session, and the device token to set when it is new.
pub struct LoggedIn {
    pub session: SessionCreated,
    pub new_device: Option<String>,
}

/// Which counters an attempt at `user` (or at a login no account has) from `client` uses.
async fn attempt_keys(
    state: &AppState,
    login: &str,
    user: Option<&UserRow>,
    client: &ClientInfo,
) -> Result<Vec<(String, i64)>> {
    if let Some(device) = client.device.as_deref() {
        // Asked for unknown accounts too (as user 0, who has no devices), so the time
        // taken does not tell whether the account exists.
        let device_hash = secrets::token_hash(device);
        let owner = user.map_or(UserId(0), UserRow::user_id);
        let mut conn = state.db.reads().acquire().await?;
        if store::devices::is_known(&mut conn, &device_hash, owner, now_ms() - DEVICE_TTL_MS).await?
            && let Some(user) = user
        {
            return Ok(vec![(format!("device:{}:{device_hash}", user.id), MAX_FAILURES_PER_ACCOUNT)]);
        }
    }
    let account = match user {
        Some(user) => format!("account:{}", user.id),
        // Whatever was typed, the key stays short.
        None => format!("login:{}", secrets::sha256_hex(login.as_bytes())),
    };
    Ok(vec![(account, MAX_FAILURES_PER_ACCOUNT), (format!("ip:{}", client.ip), MAX_FAILURES_PER_ADDRESS)])
}

/// Reserves one attempt under every key, all or none.
async fn reserve(state: &AppState, keys: &[(String, i64)]) -> Result<()> {
    let now = now_ms();
    let mut tx = state.begin().await?;
    for (key, max) in keys {
        if !store::attempts::reserve(&mut tx, key, *max, now - FAILURE_WINDOW_MS, now).await? {
            return Err(Error::TooManyAttempts);
        }
    }
    tx.commit(state).await?;
    Ok(())
}

async fn give_back(state: &AppState, keys: &[(String, i64)]) -> Result<()> {
    let mut tx = state.begin().await?;
    for (key, _) in keys {
        store::attempts::give_back(&mut tx, key).await?;
    }
    tx.commit(state).await?;
    Ok(())
}

/// A right password, and the attempt counters its success settles.
pub struct Verified {
    pub user: UserRow,
    keys: Vec<(String, i64)>,
}

impl Verified {
    /// In the transaction that signs the person in: the account's (or this device's)
    /// failures are forgiven; the address keeps its count of others' failures and only
    /// gets this attempt back.
    pub async fn do_settle(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        let (own, address) = self.keys.split_first().expect("at least one key");
        store::attempts::clear(conn, &own.0).await?;
        for (key, _) in address {
            store::attempts::give_back(conn, key).await?;
        }
        Ok(())
    }
}

/// Checks `password` for the account `login` names, within the limits. Unknown
/// accounts, deleted ones and wrong passwords answer the same, in the same time.
pub async fn check_password(state: &AppState, login: &str, password: &str, client: &ClientInfo) -> Result<Verified> {
    let login_id = validate::login_id(login).ok();
    let normalized = match &login_id {
        Some(LoginId::Email(e)) => e.clone(),
        Some(LoginId::Phone(p)) => p.clone(),
        None => login.trim().to_lowercase(),
    };
    let user = match &login_id {
        Some(id) => {
            let mut conn = state.db.reads().acquire().await?;
            store::users::find_by_login(&mut conn, id).await?
        }
        None => None,
    };
    check_user_password(state, &normalized, user, password, client).await
}

/// `check_password` for an account already looked up by `login` (`None`: no account has it).
pub async fn check_user_password(
    state: &AppState,
    login: &str,
    user: Option<UserRow>,
    password: &str,
    client: &ClientInfo,
) -> Result<Verified> {
    let keys = attempt_keys(state, login, user.as_ref(), client).await?;
    reserve(state, &keys).await?;
    let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let verified = match state.passwords.verify(password, stored_hash).await {
        Ok(verified) => verified,
        Err(error) => {
            // Never evaluated (the server is busy): not a failure of this account.
            give_back(state, &keys).await?;
            return Err(error);
        }
    };
    match user.filter(|_| verified) {
        Some(user) => Ok(Verified { user, keys }),
        None => Err(Error::InvalidCredentials),
    }
}

/// A session begun: its token and CSRF token, and the device token to set when the
/// browser has none yet.
pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub new_device: Option<String>,
}

/// Begins a session of `user` on the client's device (a login, or a registration by an
/// invite link) and records the device. A device the account has not used before,
/// when it has used others, is told to its owner in their notification centre, with
/// the session: «this was not me» ends it.
pub async fn do_sign_in(conn: &mut Work, state: &AppState, user: UserId, client: &ClientInfo) -> Result<SignedIn> {
    let (token, csrf_token, session) = super::accounts::do_create_session(conn, state, user, client).await?;
    let (device, new_browser) = match &client.device {
        Some(token) => (token.clone(), false),
        None => (secrets::new_token(), true),
    };
    let device_hash = secrets::token_hash(&device);
    let now = now_ms();
    let known = !new_browser && store::devices::is_known(conn, &device_hash, user, now - DEVICE_TTL_MS).await?;
    let used_others = store::devices::count(conn, user, now - DEVICE_TTL_MS).await? > 0;
    store::devices::remember(conn, &device_hash, user, now).await?;
    if !known && used_others {
        let details = NotificationDetails {
            device: client.user_agent.as_deref().map(|ua| ua.chars().take(200).collect()),
            ip: Some(client.ip.clone()),
            session_id: Some(session),
            ..Default::default()
        };
        let about = About { details, ..Default::default() };
        do_notify(conn, NoticeKind::Login, None, [user], &about).await?;
    }
    Ok(SignedIn { token, csrf_token, new_device: new_browser.then_some(device) })
}

/// # Log in
pub async fn login(state: &AppState, login: &str, password: &str, client: &ClientInfo) -> Result<LoggedIn> {
    let verified = check_password(state, login, password, client).await?;
    let user = verified.user.user_id();
    let mut tx = state.begin().await?;
    verified.do_settle(&mut tx).await?;
    let SignedIn { token, csrf_token, new_device } = do_sign_in(&mut tx, state, user, client).await?;
    tx.commit(state).await?;
    let me = super::accounts::me(state, user).await?;
    Ok(LoggedIn { session: SessionCreated { token, csrf_token, user: me }, new_device })
}

/// Drops attempt counters whose window is long over (run now and then).
pub async fn prune(state: &AppState) -> Result<u64> {
    let mut tx = state.begin().await?;
    // Past the longest window of any counter (school applications: an hour).
    let pruned = store::attempts::prune(&mut tx, now_ms() - 2 * crate::clock::HOUR_MS).await?;
    tx.commit(state).await?;
    Ok(pruned)
}
