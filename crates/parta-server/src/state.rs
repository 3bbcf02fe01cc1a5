//! What every request can reach: the database, file storage and settings.

use std::sync::Arc;

use crate::actions::send::group_commit::GroupCommit;
use crate::blobs::BlobStore;
use crate::bus::{Bus, LocalBus};
use crate::calls::Calls;
use crate::db::Db;
use crate::ephemeral::EphemeralLimiter;
use crate::gateway::Hub;
use crate::passwords::PasswordGate;
use crate::preview_pool::PreviewPool;
use crate::session_cache::SessionCache;
use crate::work::{Listeners, Work};

/// Limits and switches that requests depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest accepted JSON body.
    pub max_json_bytes: usize,
    /// Largest accepted file in an upload (the director's order).
    pub max_upload_bytes: usize,
    /// Largest file posted in a chat.
    pub max_file_bytes: usize,
    /// Messages one person may send a minute, across chats (flood limit); 0: no limit.
    pub messages_per_minute: i64,
    /// Set the `Secure` attribute on the session cookie (behind HTTPS).
    pub secure_cookies: bool,
    /// How long a session lives without use.
    pub session_idle_ms: i64,
    /// Take the client's address from the last `X-Forwarded-For` entry (behind a proxy).
    pub trust_forwarded_for: bool,
    /// A built web client to serve at `/` (its `index.html` answers every non-API path).
    pub web_dir: Option<std::path::PathBuf>,
    /// Password checks (Argon2id) run at once, and how many more may wait; `None`:
    /// one per core, 32 waiting per core.
    pub password_checks: Option<(usize, usize)>,
    /// The media unit of calls and what clients are told to reach it.
    pub calls: crate::calls::CallSettings,
    /// Where people open Parta (links in letters), without a trailing slash.
    pub public_url: String,
    /// The mail server letters go through; none: letters wait in the outbox.
    pub mail: Option<crate::mail::MailSettings>,
    /// Where web pushes may go, and who push services contact about this server.
    pub push: crate::push::PushSettings,
    /// The SMS gateway phone numbers are confirmed through; none: a phone change is
    /// refused (`sms_not_configured`).
    pub sms: Option<std::sync::Arc<dyn crate::sms::SmsSender>>,
    /// Where a school's webhooks may go besides public addresses.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// OpenID Connect providers people may sign in with (`[[oidc]]` in the config file).
    pub oidc: Vec<crate::oidc::ProviderConfig>,
}

impl Settings {
    /// The flood limit, when there is one.
    pub fn flood_limit(&self) -> Option<i64> {
        (self.messages_per_minute > 0).then_some(self.messages_per_minute)
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_json_bytes: 256 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            max_file_bytes: 50 * 1024 * 1024,
            messages_per_minute: 30,
            secure_cookies: false,
            session_idle_ms: 30 * 24 * crate::clock::HOUR_MS,
            web_dir: None,
            trust_forwarded_for: false,
            password_checks: None,
            calls: crate::calls::CallSettings::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            mail: None,
            push: crate::push::PushSettings::default(),
            sms: None,
            webhooks: crate::webhooks::WebhookSettings::default(),
            oidc: Vec::new(),
        }
    }
}

/// Envelopes a gateway may fall behind the bus before it resynchronises its clients.
pub const BUS_CAPACITY: usize = 65_536;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub blobs: Arc<dyn BlobStore>,
    pub settings: Settings,
    pub bus: Arc<dyn Bus>,
    pub hub: Arc<Hub>,
    /// Sends queued for the next transaction (SQLite's single writer).
    pub sends: GroupCommit,
    /// Sessions looked up lately, so requests need not read them each time.
    pub sessions: Arc<SessionCache>,
    /// The bound on concurrent password checks and hashes.
    pub passwords: PasswordGate,
    /// The few workers that decode image previews, and their queue.
    pub previews: PreviewPool,
    /// Who sent which live-only frame (typing) into which chat, lately.
    pub ephemeral: EphemeralLimiter,
    /// Who is in which call on this node, and the media unit.
    pub calls: Calls,
    /// The deployment's push key, read from the database on first need.
    pub push_key: tokio::sync::OnceCell<crate::push::vapid::Vapid>,
    /// The OpenID providers' discovery documents and keys, fetched on first need.
    pub oidc: crate::oidc::Providers,
}

impl AppState {
    /// A node with the in-process bus; its gateway starts listening at once.
    pub fn new(db: Db, blobs: Arc<dyn BlobStore>, settings: Settings) -> AppState {
        AppState::with_bus(db, blobs, settings, Arc::new(LocalBus::new(BUS_CAPACITY)))
    }

    /// A node on a given bus (NATS, for several nodes on one database).
    pub fn with_bus(db: Db, blobs: Arc<dyn BlobStore>, settings: Settings, bus: Arc<dyn Bus>) -> AppState {
        let hub = Hub::start(bus.as_ref(), &settings.calls.node);
        let sessions = SessionCache::start(bus.as_ref());
        let passwords = match settings.password_checks {
            Some((workers, queue)) => PasswordGate::new(workers, queue),
            None => PasswordGate::sized_to_cores(),
        };
        let previews = PreviewPool::for_this_machine();
        let (calls, media_events) = Calls::new(settings.calls.clone());
        let sends = GroupCommit::new(db.backend == crate::db::Backend::Sqlite);
        let state = AppState(Arc::new(Inner {
            db,
            blobs,
            settings,
            bus,
            hub,
            sends,
            sessions,
            passwords,
            previews,
            ephemeral: EphemeralLimiter::default(),
            calls,
            push_key: tokio::sync::OnceCell::new(),
            oidc: crate::oidc::Providers::default(),
        }));
        // Hold the state weakly: the media unit stops when the node's state is dropped.
        tokio::spawn(crate::actions::calls::follow_media(Arc::downgrade(&state.0), media_events));
        tokio::spawn(crate::actions::calls::follow_bus(Arc::downgrade(&state.0), state.bus.subscribe()));
        state
    }

    pub fn from_inner(inner: Arc<Inner>) -> AppState {
        AppState(inner)
    }

    /// A write transaction whose events reach the bus after commit.
    pub async fn begin(&self) -> Result<Work, sqlx::Error> {
        Work::begin(&self.db).await
    }
}

/// Committed work tells this node's session cache and the bus.
impl<'a> From<&'a AppState> for Listeners<'a> {
    fn from(state: &'a AppState) -> Listeners<'a> {
        Listeners { sessions: &state.sessions, bus: state.bus.as_ref() }
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
