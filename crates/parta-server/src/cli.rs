//! The `parta` command line: `serve`, `migrate`, `admin …`. Settings come from
//! flags, then `PARTA_*` environment variables, then a TOML config file, then
//! defaults — the first that says something wins.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::blobs::{BlobStore, LocalDisk, S3Settings, S3Store};
use crate::db::Db;
use crate::state::{AppState, Settings};

#[derive(Debug, Parser)]
#[command(name = "parta", version, about = "Parta — школьная платформа: справочник, приглашения, общение")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(CommonArgs),
    /// Copy a deployment, while it runs, into a new folder: the database as one
    /// consistent snapshot (SQLite's own copy, or PostgreSQL's pg_dump), then the files.
    Backup {
        #[command(flatten)]
        common: CommonArgs,
        /// A new (or empty) folder for the backup.
        dest: PathBuf,
    },
    /// Put a backup into an empty data directory (on PostgreSQL: a new database).
    Restore {
        #[command(flatten)]
        common: CommonArgs,
        /// The folder `parta backup` made.
        src: PathBuf,
    },
    /// Administrative tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the OpenAPI document (the web client's wire types are generated from it).
    Openapi,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create the platform operator (or make an existing account one) and print a one-time set-password code.
    CreateOperator {
        #[command(flatten)]
        common: CommonArgs,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Оператор")]
        family_name: String,
        #[arg(long, default_value = "Платформы")]
        given_name: String,
    },
}

#[derive(Debug, Clone, Args)]
struct CommonArgs {
    /// TOML config file.
    #[arg(long, env = "PARTA_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory: the SQLite database and uploaded files. Default `./parta-data`.
    #[arg(long, env = "PARTA_DATA")]
    data: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of SQLite in the data directory.
    #[arg(long, env = "PARTA_DATABASE_URL")]
    database_url: Option<String>,
    /// `text` (default) or `json` logs.
    #[arg(long, env = "PARTA_LOG_FORMAT")]
    log_format: Option<String>,
    /// `nats://…`: carry events between several nodes on one database through NATS.
    #[arg(long, env = "PARTA_NATS_URL")]
    nats_url: Option<String>,
    /// Keep files in an S3-compatible store at this endpoint (`https://…`) instead of
    /// the data directory; needs the bucket and keys too.
    #[arg(long, env = "PARTA_S3_ENDPOINT")]
    s3_endpoint: Option<String>,
    /// The S3 bucket (it must exist).
    #[arg(long, env = "PARTA_S3_BUCKET")]
    s3_bucket: Option<String>,
    /// The S3 region. Default `us-east-1`, which self-hosted stores accept.
    #[arg(long, env = "PARTA_S3_REGION")]
    s3_region: Option<String>,
    #[arg(long, env = "PARTA_S3_ACCESS_KEY")]
    s3_access_key: Option<String>,
    #[arg(long, env = "PARTA_S3_SECRET_KEY", hide_env_values = true)]
    s3_secret_key: Option<String>,
    /// A folder inside the bucket for this deployment's files. Default: none.
    #[arg(long, env = "PARTA_S3_PREFIX")]
    s3_prefix: Option<String>,
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on. Default `127.0.0.1:8080`.
    #[arg(long, env = "PARTA_LISTEN")]
    listen: Option<SocketAddr>,
    /// Seed a demo school with known passwords (only if it is not there yet).
    #[arg(long, env = "PARTA_DEMO")]
    demo: bool,
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    #[arg(long, env = "PARTA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Serve a built web client from this directory.
    #[arg(long, env = "PARTA_WEB_DIR")]
    web_dir: Option<PathBuf>,
    /// Behind a reverse proxy: take clients' addresses from `X-Forwarded-For`.
    #[arg(long, env = "PARTA_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Messages and files one person may post per minute. Default 30; 0 turns the
    /// limit off (for load tests).
    #[arg(long, env = "PARTA_MESSAGES_PER_MINUTE")]
    messages_per_minute: Option<i64>,
    /// UDP address of the calls' media. Default: the listen address's IP, port 7881.
    #[arg(long, env = "PARTA_CALLS_UDP")]
    calls_udp: Option<SocketAddr>,
    /// Addresses (IP or IP:port, comma-separated) clients send call media to, when
    /// the UDP address is a wildcard or behind NAT. Default: the address of the
    /// default route and 127.0.0.1.
    #[arg(long, env = "PARTA_CALLS_PUBLIC", value_delimiter = ',')]
    calls_public: Vec<String>,
    /// This node's name, unique in a cluster: a call runs on the node that started it.
    #[arg(long, env = "PARTA_NODE_NAME")]
    node_name: Option<String>,
    /// A TURN relay for calls (comma-separated `turn:` / `turns:` URLs), sharing
    /// `--calls-turn-secret` with this server (coturn's `--use-auth-secret`).
    #[arg(long, env = "PARTA_CALLS_TURN_URLS", value_delimiter = ',')]
    calls_turn_urls: Vec<String>,
    #[arg(long, env = "PARTA_CALLS_TURN_SECRET")]
    calls_turn_secret: Option<String>,
    /// Send all call media through the TURN relay: browsers use no direct path to
    /// the media unit (it sits on an internal network, or pupils' devices are to send
    /// no direct UDP). Needs `--calls-turn-urls` and `--calls-turn-secret`.
    #[arg(long, env = "PARTA_CALLS_TURN_ONLY")]
    calls_turn_only: bool,
    /// Where people open Parta, e.g. `https://parta.school.example` (links in letters).
    /// Default: `http://` and the listen address.
    #[arg(long, env = "PARTA_PUBLIC_URL")]
    public_url: Option<String>,
    /// The mail server letters go through (none: letters wait in the outbox).
    #[arg(long, env = "PARTA_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Default 587 with `starttls`, 465 with `tls`, 25 with `none`.
    #[arg(long, env = "PARTA_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[arg(long, env = "PARTA_SMTP_SECURITY")]
    smtp_security: Option<String>,
    #[arg(long, env = "PARTA_SMTP_USER")]
    smtp_user: Option<String>,
    /// Better given in the environment than on the command line.
    #[arg(long, env = "PARTA_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// A certificate authority (PEM) to trust for the mail server besides the public ones.
    #[arg(long, env = "PARTA_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// Who letters come from, e.g. `Парта <noreply@school.example>`.
    #[arg(long, env = "PARTA_MAIL_FROM")]
    mail_from: Option<String>,
    /// Push services besides the browsers' own (Google, Mozilla, Microsoft, Apple) that
    /// subscriptions may name, comma-separated; `*.example.net` for its subdomains.
    #[arg(long, env = "PARTA_PUSH_HOSTS", value_delimiter = ',')]
    push_hosts: Vec<String>,
    /// A certificate authority (PEM) to trust for push services besides the public ones.
    #[arg(long, env = "PARTA_PUSH_CA_FILE")]
    push_ca_file: Option<PathBuf>,
    /// Who push services may contact about this server: `mailto:…` or `https://…`.
    /// Default: the mail sender's address, else the public URL.
    #[arg(long, env = "PARTA_PUSH_CONTACT")]
    push_contact: Option<String>,
    /// An SMS gateway's request, with `{phone}` or `{digits}` and `{text}` in it (e.g.
    /// `https://sms.ru/sms/send?api_id=KEY&to={digits}&msg={text}`); without one, phone
    /// numbers cannot be changed (nobody would get the code). Better in the environment.
    #[arg(long, env = "PARTA_SMS_URL", hide_env_values = true)]
    sms_url: Option<String>,
    /// A certificate authority (PEM) to trust for the SMS gateway besides the public ones.
    #[arg(long, env = "PARTA_SMS_CA_FILE")]
    sms_ca_file: Option<PathBuf>,
    /// Hosts a school's webhook may name though they resolve to an address inside the
    /// network (a school's own server), comma-separated; every other webhook goes only
    /// to public addresses.
    #[arg(long, env = "PARTA_WEBHOOK_HOSTS", value_delimiter = ',')]
    webhook_hosts: Vec<String>,
    /// A certificate authority (PEM) to trust for webhooks besides the public ones.
    #[arg(long, env = "PARTA_WEBHOOK_CA_FILE")]
    webhook_ca_file: Option<PathBuf>,
}

/// The config file's keys; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    max_upload_mib: Option<usize>,
    max_file_mib: Option<usize>,
    demo: Option<bool>,
    web_dir: Option<PathBuf>,
    nats_url: Option<String>,
    trust_forwarded_for: Option<bool>,
    messages_per_minute: Option<i64>,
    calls_udp: Option<SocketAddr>,
    calls_public: Option<Vec<String>>,
    node_name: Option<String>,
    calls_turn_urls: Option<Vec<String>>,
    calls_turn_secret: Option<String>,
    calls_turn_only: Option<bool>,
    public_url: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_security: Option<String>,
    smtp_user: Option<String>,
    smtp_password: Option<String>,
    smtp_ca_file: Option<PathBuf>,
    mail_from: Option<String>,
    push_hosts: Option<Vec<String>>,
    push_ca_file: Option<PathBuf>,
    push_contact: Option<String>,
    sms_url: Option<String>,
    sms_ca_file: Option<PathBuf>,
    webhook_hosts: Option<Vec<String>>,
    webhook_ca_file: Option<PathBuf>,
    s3_endpoint: Option<String>,
    s3_bucket: Option<String>,
    s3_region: Option<String>,
    s3_access_key: Option<String>,
    s3_secret_key: Option<String>,
    s3_prefix: Option<String>,
    /// OpenID Connect providers, one `[[oidc]]` table each.
    oidc: Option<Vec<OidcEntry>>,
}

/// One `[[oidc]]` table of the config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OidcEntry {
    id: String,
    name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    #[serde(default)]
    scopes: Vec<String>,
    /// `email` or `phone_number`.
    claim: String,
    ca_file: Option<PathBuf>,
}

/// The providers the file names, checked.
fn oidc_providers(file: &FileConfig) -> anyhow::Result<Vec<crate::oidc::ProviderConfig>> {
    let mut providers: Vec<crate::oidc::ProviderConfig> = Vec::new();
    for entry in file.oidc.as_deref().unwrap_or_default() {
        let claim = crate::oidc::ContactClaim::parse(&entry.claim)
            .with_context(|| format!("oidc {}: claim «{}» is not email or phone_number", entry.id, entry.claim))?;
        let ca_pem = match &entry.ca_file {
            Some(path) => Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?),
            None => None,
        };
        let provider = crate::oidc::ProviderConfig {
            id: entry.id.clone(),
            name: entry.name.clone(),
            issuer: entry.issuer.clone(),
            client_id: entry.client_id.clone(),
            client_secret: entry.client_secret.clone(),
            scopes: entry.scopes.clone(),
            claim,
            ca_pem,
        };
        provider.check()?;
        anyhow::ensure!(!providers.iter().any(|p| p.id == provider.id), "oidc id {} is named twice", provider.id);
        providers.push(provider);
    }
    Ok(providers)
}

/// Settings after merging flags, environment, file and defaults.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub database_url: String,
    pub json_logs: bool,
    pub demo: bool,
    pub nats_url: Option<String>,
    /// Files in an S3-compatible store; `None`: in the data directory.
    pub s3: Option<S3Settings>,
    pub settings: Settings,
}

fn resolve(common: &CommonArgs, serve: Option<&ServeArgs>) -> anyhow::Result<Resolved> {
    let file: FileConfig = match &common.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => FileConfig::default(),
    };
    let mail = mail_settings(serve, &file)?;
    let push = push_settings(serve, &file, mail.as_ref())?;
    let sms = sms_gateway(serve, &file)?;
    let webhooks = webhook_settings(serve, &file)?;
    let s3 = s3_settings(common, &file)?;
    let oidc = oidc_providers(&file)?;
    let data = common.data.clone().or(file.data).unwrap_or_else(|| PathBuf::from("parta-data"));
    let database_url = match common.database_url.clone().or(file.database_url) {
        Some(url) => url,
        None => sqlite_url(&data.join("parta.db")),
    };
    let log_format = common.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
    let defaults = Settings::default();
    let listen =
        serve.and_then(|s| s.listen).or(file.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let calls_udp = serve.and_then(|s| s.calls_udp).or(file.calls_udp).unwrap_or(SocketAddr::new(listen.ip(), 7881));
    let public = match serve.map(|s| s.calls_public.clone()).filter(|p| !p.is_empty()).or(file.calls_public) {
        Some(list) => list.iter().map(|a| parse_public(a)).collect::<anyhow::Result<Vec<_>>>()?,
        None if calls_udp.ip().is_unspecified() => default_public(calls_udp.port()),
        None => Vec::new(),
    };
    let turn_urls = serve.map(|s| s.calls_turn_urls.clone()).filter(|u| !u.is_empty()).or(file.calls_turn_urls);
    let turn_only = serve.is_some_and(|s| s.calls_turn_only) || file.calls_turn_only.unwrap_or(false);
    let turn = match (turn_urls, serve.and_then(|s| s.calls_turn_secret.clone()).or(file.calls_turn_secret)) {
        (Some(urls), Some(secret)) => Some(crate::calls::Turn { urls, secret, only: turn_only }),
        (None, None) if turn_only => anyhow::bail!(
            "calls_turn_only sends all call media through a TURN relay: give the relay too \
             (calls_turn_urls and calls_turn_secret)"
        ),
        (None, None) => None,
        _ => anyhow::bail!("a TURN relay needs both calls_turn_urls and calls_turn_secret"),
    };
    let calls = crate::calls::CallSettings {
        udp: calls_udp,
        public,
        node: serve.and_then(|s| s.node_name.clone()).or(file.node_name).unwrap_or_else(|| "local".into()),
        turn,
    };
    let public_url = serve
        .and_then(|s| s.public_url.clone())
        .or(file.public_url.clone())
        .unwrap_or_else(|| format!("http://{listen}"))
        .trim_end_matches('/')
        .to_owned();
    let settings = Settings {
        push: crate::push::PushSettings {
            contact: if push.contact.is_empty() { public_url.clone() } else { push.contact.clone() },
            ..push
        },
        public_url,
        mail,
        sms,
        webhooks,
        oidc,
        secure_cookies: serve.is_some_and(|s| s.secure_cookies) || file.secure_cookies.unwrap_or(false),
        max_upload_bytes: file.max_upload_mib.map_or(defaults.max_upload_bytes, |mib| mib * 1024 * 1024),
        max_file_bytes: file.max_file_mib.map_or(defaults.max_file_bytes, |mib| mib * 1024 * 1024),
        web_dir: serve.and_then(|s| s.web_dir.clone()).or(file.web_dir),
        trust_forwarded_for: serve.is_some_and(|s| s.trust_forwarded_for) || file.trust_forwarded_for.unwrap_or(false),
        messages_per_minute: serve
            .and_then(|s| s.messages_per_minute)
            .or(file.messages_per_minute)
            .unwrap_or(defaults.messages_per_minute)
            .max(0),
        calls,
        ..defaults
    };
    Ok(Resolved {
        listen,
        data,
        database_url,
        json_logs: log_format == "json",
        nats_url: common.nats_url.clone().or(file.nats_url),
        s3,
        demo: serve.is_some_and(|s| s.demo) || file.demo.unwrap_or(false),
        settings,
    })
}

/// The mail server from flags or the file, when one is named.
fn mail_settings(serve: Option<&ServeArgs>, file: &FileConfig) -> anyhow::Result<Option<crate::mail::MailSettings>> {
    use crate::mail::{MailSettings, Security};
    let pick = |flag: Option<&Option<String>>, key: &Option<String>| flag.cloned().flatten().or_else(|| key.clone());
    let Some(host) = pick(serve.map(|s| &s.smtp_host), &file.smtp_host) else { return Ok(None) };
    let security_text = pick(serve.map(|s| &s.smtp_security), &file.smtp_security).unwrap_or_else(|| "starttls".into());
    let security = Security::parse(&security_text)
        .with_context(|| format!("smtp_security: «{security_text}» is not starttls, tls or none"))?;
    let port = serve.and_then(|s| s.smtp_port).or(file.smtp_port).unwrap_or(match security {
        Security::StartTls => 587,
        Security::Tls => 465,
        Security::None => 25,
    });
    let user = pick(serve.map(|s| &s.smtp_user), &file.smtp_user);
    let password = pick(serve.map(|s| &s.smtp_password), &file.smtp_password);
    let credentials = match (user, password) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        _ => anyhow::bail!("the mail server's login needs both smtp_user and smtp_password"),
    };
    let extra_ca_pem = match serve.and_then(|s| s.smtp_ca_file.clone()).or(file.smtp_ca_file.clone()) {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?),
        None => None,
    };
    let from = pick(serve.map(|s| &s.mail_from), &file.mail_from)
        .context("a mail server needs mail_from: who letters come from, e.g. «Парта <noreply@school.example>»")?;
    from.parse::<lettre::message::Mailbox>().with_context(|| format!("mail_from: «{from}» is not an address"))?;
    Ok(Some(MailSettings { host, port, security, credentials, extra_ca_pem, from }))
}

/// Where pushes may go: the browsers' push services and those the deployment adds.
fn push_settings(
    serve: Option<&ServeArgs>,
    file: &FileConfig,
    mail: Option<&crate::mail::MailSettings>,
) -> anyhow::Result<crate::push::PushSettings> {
    let mut push = crate::push::PushSettings::default();
    let extra = serve.map(|s| s.push_hosts.clone()).filter(|h| !h.is_empty()).or(file.push_hosts.clone());
    push.hosts
        .extend(extra.unwrap_or_default().into_iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()));
    push.extra_ca_pem = match serve.and_then(|s| s.push_ca_file.clone()).or(file.push_ca_file.clone()) {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?),
        None => None,
    };
    let mail_contact =
        mail.and_then(|m| m.from.parse::<lettre::message::Mailbox>().ok()).map(|m| format!("mailto:{}", m.email));
    push.contact = match serve.and_then(|s| s.push_contact.clone()).or(file.push_contact.clone()) {
        Some(contact) if contact.starts_with("mailto:") || contact.starts_with("https://") => contact,
        Some(contact) => anyhow::bail!("push_contact: «{contact}» is neither mailto: nor https://"),
        None => mail_contact.unwrap_or_default(),
    };
    Ok(push)
}

/// Where webhooks may go besides public addresses, and whom to trust.
fn webhook_settings(serve: Option<&ServeArgs>, file: &FileConfig) -> anyhow::Result<crate::webhooks::WebhookSettings> {
    let hosts = serve.map(|s| s.webhook_hosts.clone()).filter(|h| !h.is_empty()).or(file.webhook_hosts.clone());
    let extra_ca_pem = match serve.and_then(|s| s.webhook_ca_file.clone()).or(file.webhook_ca_file.clone()) {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?),
        None => None,
    };
    Ok(crate::webhooks::WebhookSettings {
        private_hosts: hosts
            .unwrap_or_default()
            .into_iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect(),
        extra_ca_pem,
    })
}

/// The SMS gateway phone numbers are confirmed through, when one is named.
fn sms_gateway(
    serve: Option<&ServeArgs>,
    file: &FileConfig,
) -> anyhow::Result<Option<std::sync::Arc<dyn crate::sms::SmsSender>>> {
    let Some(url) = serve.and_then(|s| s.sms_url.clone()).or(file.sms_url.clone()) else { return Ok(None) };
    let ca = match serve.and_then(|s| s.sms_ca_file.clone()).or(file.sms_ca_file.clone()) {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?),
        None => None,
    };
    Ok(Some(std::sync::Arc::new(crate::sms::HttpSms::new(&url, ca.as_deref())?)))
}

/// `IP` or `IP:port` (port 0 or none: the media unit's own).
fn parse_public(text: &str) -> anyhow::Result<SocketAddr> {
    let text = text.trim();
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    let ip: std::net::IpAddr = text.parse().with_context(|| format!("calls_public: «{text}» is not an IP address"))?;
    Ok(SocketAddr::new(ip, 0))
}

/// The address of the default route (no packet is sent to learn it) and loopback.
fn default_public(port: u16) -> Vec<SocketAddr> {
    let mut public = Vec::new();
    if let Ok(socket) = std::net::UdpSocket::bind("0.0.0.0:0")
        && socket.connect("192.0.2.1:9").is_ok()
        && let Ok(local) = socket.local_addr()
        && !local.ip().is_loopback()
    {
        public.push(SocketAddr::new(local.ip(), port));
    }
    public.push(SocketAddr::from(([127, 0, 0, 1], port)));
    public
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn init_logs(json: bool) {
    let filter: tracing_subscriber::filter::Targets = std::env::var("PARTA_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| "info,sqlx=warn".parse().expect("static filter parses"));
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        registry.with(tracing_subscriber::fmt::layer().json()).init();
    } else {
        // Colours only for a person at a terminal, not in a log file.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(tracing_subscriber::fmt::layer().with_ansi(ansi)).init();
    }
}

/// Where files go: an S3-compatible store when its endpoint is set (then the bucket
/// and both keys must be too), else the data directory.
fn s3_settings(common: &CommonArgs, file: &FileConfig) -> anyhow::Result<Option<S3Settings>> {
    let pick = |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
    let Some(endpoint) = pick(&common.s3_endpoint, &file.s3_endpoint) else {
        return Ok(None);
    };
    anyhow::ensure!(
        endpoint.starts_with("https://") || endpoint.starts_with("http://"),
        "s3_endpoint must be an http(s):// URL, not {endpoint}"
    );
    let needed = |value: Option<String>, name: &str| {
        value.filter(|v| !v.is_empty()).with_context(|| format!("files in S3 need {name} as well as s3_endpoint"))
    };
    Ok(Some(S3Settings {
        endpoint,
        bucket: needed(pick(&common.s3_bucket, &file.s3_bucket), "s3_bucket")?,
        region: pick(&common.s3_region, &file.s3_region).unwrap_or_else(|| "us-east-1".into()),
        access_key: needed(pick(&common.s3_access_key, &file.s3_access_key), "s3_access_key")?,
        secret_key: needed(pick(&common.s3_secret_key, &file.s3_secret_key), "s3_secret_key")?,
        prefix: pick(&common.s3_prefix, &file.s3_prefix).unwrap_or_default(),
    }))
}

/// Opens the database (creating the data directory for SQLite) and migrates it, and
/// the file store: checked at once, so a wrong S3 endpoint or key stops the start.
pub async fn open(resolved: &Resolved) -> anyhow::Result<(Db, Arc<dyn BlobStore>)> {
    std::fs::create_dir_all(&resolved.data).with_context(|| format!("creating {}", resolved.data.display()))?;
    let db = Db::connect(&resolved.database_url).await?;
    let applied = db.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(?applied, backend = db.backend.name(), "migrations applied");
    }
    let blobs: Arc<dyn BlobStore> = match &resolved.s3 {
        Some(s3) => {
            let store = S3Store::new(s3).context("configuring the S3 file store")?;
            store.check().await.with_context(|| format!("writing to S3 bucket {} at {}", s3.bucket, s3.endpoint))?;
            Arc::new(store)
        }
        None => Arc::new(LocalDisk::new(resolved.data.join("files"))?),
    };
    Ok((db, blobs))
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let resolved = resolve(&args.common, Some(&args))?;
            init_logs(resolved.json_logs);
            serve(resolved).await
        }
        Command::Backup { common, dest } => {
            let resolved = resolve(&common, None)?;
            let made = crate::backup::backup(&resolved.database_url, &resolved.data, &dest).await?;
            if let Some(s3) = &resolved.s3 {
                println!(
                    "Файлы лежат в S3 (бакет {} на {}) и в копию не входят: их хранит само хранилище \
                     (включите версионирование или репликацию бакета).",
                    s3.bucket, s3.endpoint
                );
            }
            println!(
                "Резервная копия готова: {} ({}, миграция {}, файлов: {}, {} байт).",
                dest.display(),
                made.backend,
                made.migration,
                made.files,
                made.file_bytes
            );
            Ok(())
        }
        Command::Restore { common, src } => {
            let resolved = resolve(&common, None)?;
            let put = crate::backup::restore(&resolved.database_url, &resolved.data, &src).await?;
            println!(
                "Восстановлено из копии от {} в {} (файлов: {}). Запустите parta serve с теми же параметрами.",
                put.created_at,
                resolved.data.display(),
                put.files
            );
            Ok(())
        }
        Command::Migrate(common) => {
            let resolved = resolve(&common, None)?;
            init_logs(resolved.json_logs);
            let (db, _) = open(&resolved).await?;
            println!("Миграции применены ({}).", db.backend.name());
            db.close().await;
            Ok(())
        }
        Command::Openapi => {
            use std::io::Write;
            let (_, openapi) = crate::routes::api().split_for_parts();
            writeln!(std::io::stdout().lock(), "{}", openapi.to_pretty_json()?)?;
            Ok(())
        }
        Command::Admin(AdminCommand::CreateOperator { common, email, family_name, given_name }) => {
            let resolved = resolve(&common, None)?;
            init_logs(resolved.json_logs);
            let (db, blobs) = open(&resolved).await?;
            let state = AppState::new(db.clone(), blobs, resolved.settings.clone());
            let created = crate::actions::accounts::create_operator(&state, &email, &family_name, &given_name)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Оператор платформы: {email} (id {}).", created.user);
            println!("Одноразовый код для установки пароля (действует 72 часа):");
            println!("  {}", created.code);
            println!("Установить пароль: POST /api/v1/auth/set-password {{\"token\": \"…\", \"password\": \"…\"}}");
            db.close().await;
            Ok(())
        }
    }
}

async fn serve(resolved: Resolved) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (db, blobs) = open(&resolved).await?;
    let state = match &resolved.nats_url {
        Some(url) => {
            let bus = crate::bus::NatsBus::connect(url, "parta.events", crate::state::BUS_CAPACITY).await?;
            AppState::with_bus(db.clone(), blobs, resolved.settings.clone(), std::sync::Arc::new(bus))
        }
        None => AppState::new(db.clone(), blobs, resolved.settings.clone()),
    };
    if resolved.demo {
        crate::demo::seed(&state).await.context("seeding the demo school")?;
    }
    // Messages held by quiet hours go out when the hours end; every node may release
    // them, a conditional update makes sure each goes out once.
    every(15, "releasing held messages", state.clone(), |state| async move {
        crate::actions::quiet::release_held(&state).await.map(|_| ())
    });
    // Posts to confirm that have settled are counted once, for long periods' statistics.
    every(600, "counting settled posts to confirm", state.clone(), |state| async move {
        crate::actions::statistics::count_settled_posts(&state, crate::clock::now_ms()).await.map(|_| ())
    });
    // Letters go to the mail server as they are queued, and again while it is down.
    if resolved.settings.mail.is_some() {
        every(5, "sending mail", state.clone(), |state| async move {
            crate::mail::deliver_due(&state, crate::clock::now_ms()).await.map(|_| ())
        });
    } else {
        tracing::info!("no mail server configured (smtp_host): letters wait in the outbox");
    }
    // Pushes go to their push services as they are queued, and again while one is down.
    every(2, "sending pushes", state.clone(), |state| async move {
        let now = crate::clock::now_ms();
        crate::push::expand_waiting(&state, now).await?;
        crate::push::deliver_due(&state, now).await.map(|_| ())
    });
    // Schools' webhooks: what is due sent, each endpoint's events in order.
    every(2, "sending webhooks", state.clone(), |state| async move {
        crate::webhooks::deliver_due(&state).await.map(|_| ())
    });
    every(3600, "pruning webhook deliveries", state.clone(), |state| async move {
        crate::webhooks::prune(&state).await.map(|_| ())
    });
    // Digests are made in the evening where each person's school is, and queued.
    every(300, "making digests", state.clone(), |state| async move {
        crate::actions::digests::send_due(&state, crate::clock::now_ms()).await.map(|_| ())
    });
    // Login attempt counters of windows long over are dropped every few minutes.
    every(300, "pruning login attempts", state.clone(), |state| async move {
        crate::actions::login::prune(&state).await.map(|_| ())
    });
    // Chat imports past their hour go, with their uploads.
    every(300, "removing expired chat imports", state.clone(), |state| async move {
        crate::actions::chat_import::sweep(&state).await
    });
    // Calls this node ran before it restarted ended with it; calls left empty end.
    if let Err(error) = crate::actions::calls::end_abandoned(&state, true).await {
        tracing::warn!(%error, "ending the calls of the last run failed");
    }
    every(30, "ending abandoned calls", state.clone(), |state| async move {
        crate::actions::calls::end_abandoned(&state, false).await
    });
    // Events a node committed but died before publishing reach other nodes' live
    // clients anyway. A lone node has no such clients: whoever was connected to it
    // reconnects and resumes from the log.
    if resolved.nats_url.is_some() {
        tokio::spawn(crate::gateway::relay_forever(state.clone()));
    }
    let listener = tokio::net::TcpListener::bind(resolved.listen)
        .await
        .with_context(|| format!("listening on {}", resolved.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, backend = db.backend.name(), startup_ms = started.elapsed().as_millis() as u64, "parta is ready");
    println!("Парта работает: откройте http://{address}/ (документация API: http://{address}/api/docs/)");
    let hub = Arc::clone(&state.hub);
    let app = crate::app::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // WebSockets are not HTTP requests the shutdown waits for: tell them first.
            hub.close_all(Duration::from_secs(2)).await;
        })
        .await?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Runs `job` on this node every `seconds`, logging its failures and going on.
fn every<F, Fut>(seconds: u64, what: &'static str, state: AppState, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::error::Result<()>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(seconds));
        loop {
            tick.tick().await;
            if let Err(error) = job(state.clone()).await {
                tracing::warn!(%error, "{what} failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_settings(args: &[&str]) -> Settings {
        let cli = Cli::try_parse_from(args).expect("arguments parse");
        let Command::Serve(serve) = cli.command else { panic!("not `serve`") };
        resolve(&serve.common, Some(&serve)).expect("settings resolve").settings
    }

    #[test]
    fn the_send_limit_defaults_to_thirty_and_a_flag_raises_it() {
        assert_eq!(serve_settings(&["parta", "serve"]).messages_per_minute, 30);
        assert_eq!(
            serve_settings(&["parta", "serve", "--messages-per-minute", "1000000"]).messages_per_minute,
            1_000_000
        );
    }

    #[test]
    fn the_send_limit_is_read_from_the_config_file() {
        let path = std::env::temp_dir().join(format!("parta-cli-test-{}.toml", std::process::id()));
        std::fs::write(&path, "messages_per_minute = 600\n").expect("config written");
        let settings = serve_settings(&["parta", "serve", "--config", path.to_str().expect("utf-8 path")]);
        let _ = std::fs::remove_file(&path);
        assert_eq!(settings.messages_per_minute, 600);
    }

    #[test]
    fn openid_providers_are_read_from_the_config_file_and_checked() {
        let path = std::env::temp_dir().join(format!("parta-cli-oidc-{}.toml", std::process::id()));
        let provider = "[[oidc]]\nid = \"region-id\"\nname = \"Региональный ID\"\n\
            issuer = \"https://id.region.test\"\nclient_id = \"parta\"\nclient_secret = \"s\"\n\
            scopes = [\"email\"]\n";
        let resolved = |text: String| {
            std::fs::write(&path, text).expect("config written");
            let cli = Cli::try_parse_from(["parta", "serve", "--config", path.to_str().expect("utf-8 path")])
                .expect("arguments parse");
            let Command::Serve(serve) = cli.command else { panic!("not `serve`") };
            resolve(&serve.common, Some(&serve))
        };
        let settings = resolved(format!("{provider}claim = \"email\"\n")).expect("settings resolve").settings;
        assert_eq!(settings.oidc.len(), 1);
        assert_eq!(settings.oidc[0].scope(), "openid email");
        assert_eq!(settings.oidc[0].claim, crate::oidc::ContactClaim::Email);
        assert!(resolved(format!("{provider}claim = \"name\"\n")).is_err(), "not a contact claim");
        let plain_http = provider.replace("https://", "http://");
        assert!(resolved(format!("{plain_http}claim = \"email\"\n")).is_err(), "an http issuer");
        let twice = format!("{provider}claim = \"email\"\n{provider}claim = \"phone_number\"\n");
        assert!(resolved(twice).is_err(), "one id twice");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn relay_only_calls_need_a_relay() {
        let serve = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).expect("arguments parse");
            let Command::Serve(serve) = cli.command else { panic!("not `serve`") };
            resolve(&serve.common, Some(&serve))
        };
        let refused = serve(&["parta", "serve", "--calls-turn-only"]).expect_err("no relay to send through");
        assert!(refused.to_string().contains("calls_turn_urls"), "the message names what is missing: {refused}");
        let relay = ["parta", "serve", "--calls-turn-urls", "turn:127.0.0.1:3478", "--calls-turn-secret", "s"];
        let turn = |args: &[&str]| serve(args).expect("settings resolve").settings.calls.turn.expect("a relay");
        assert!(!turn(&relay).only);
        assert!(turn(&[&relay[..], &["--calls-turn-only"]].concat()).only);
    }
}
