//! OpenID Connect providers the deployment names (`[[oidc]]` in the config file):
//! their discovery document (fetched on first use and kept), their key set (fetched
//! again when a token names a key it does not hold, at most once a minute), the
//! authorization request (code flow, PKCE S256, state, nonce), the code's exchange and
//! the userinfo endpoint — all through `crate::https`, trusting the provider's
//! `ca_file` besides the public roots.

pub mod jwt;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio_rustls::rustls::ClientConfig;

use crate::error::{Error, Result};
use crate::https::{self, Endpoint};

/// The claim that carries a person's contact at a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactClaim {
    Email,
    Phone,
}

impl ContactClaim {
    pub fn parse(name: &str) -> Option<ContactClaim> {
        match name {
            "email" => Some(ContactClaim::Email),
            "phone_number" => Some(ContactClaim::Phone),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ContactClaim::Email => "email",
            ContactClaim::Phone => "phone_number",
        }
    }
}

/// One provider as the config file names it.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// A slug for URLs (`/api/v1/auth/oidc/{id}/…`).
    pub id: String,
    /// What the sign-in button says («Региональный ID»).
    pub name: String,
    /// The issuer exactly as its tokens name it (`https://…`, no trailing slash added).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    pub claim: ContactClaim,
    /// A private certificate authority (PEM) to trust for this provider.
    pub ca_pem: Option<Vec<u8>>,
}

impl ProviderConfig {
    /// Checks what the config file says: an `https://` issuer, a slug id, a secret.
    pub fn check(&self) -> anyhow::Result<()> {
        let slug = !self.id.is_empty()
            && self.id.len() <= 32
            && self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        anyhow::ensure!(slug, "oidc id {:?}: lowercase letters, digits and '-', at most 32", self.id);
        anyhow::ensure!(https::parse(&self.issuer).is_some(), "oidc {}: the issuer must be an https:// URL", self.id);
        anyhow::ensure!(!self.name.trim().is_empty(), "oidc {}: a name for its button", self.id);
        anyhow::ensure!(
            !self.client_id.is_empty() && !self.client_secret.is_empty(),
            "oidc {}: client id and secret",
            self.id
        );
        Ok(())
    }

    /// `openid` and the configured scopes, space-separated.
    pub fn scope(&self) -> String {
        let mut scopes = vec!["openid".to_owned()];
        scopes.extend(self.scopes.iter().filter(|s| s.as_str() != "openid").cloned());
        scopes.join(" ")
    }

    /// Where the provider sends the browser back.
    pub fn redirect_uri(&self, public_url: &str) -> String {
        format!("{public_url}/api/v1/auth/oidc/{}/callback", self.id)
    }
}

/// The provider's endpoints, from its discovery document.
#[derive(Debug, Clone)]
struct Discovery {
    authorization_endpoint: String,
    token: Endpoint,
    userinfo: Option<Endpoint>,
    jwks: Endpoint,
    /// `client_secret_basic` unless the provider supports only `client_secret_post`.
    post_secret: bool,
}

/// What this node keeps of one provider.
struct Known {
    discovery: Discovery,
    tls: Arc<ClientConfig>,
    keys: Mutex<Keys>,
}

struct Keys {
    jwks: jwt::Jwks,
    /// When a token's unknown key id last made us fetch the set again.
    refetched: Option<Instant>,
}

/// A key set is fetched again for an unknown key id at most this often (the first
/// time at once: a provider may rotate its keys right after we fetched them).
const KEYS_REFETCH: Duration = Duration::from_secs(60);

/// The providers' discovery and keys, per node.
#[derive(Default)]
pub struct Providers {
    known: tokio::sync::Mutex<HashMap<String, Arc<Known>>>,
}

fn unavailable(error: impl std::fmt::Display) -> Error {
    tracing::warn!(%error, "an OpenID provider failed");
    Error::Unavailable("oidc_provider_unavailable")
}

async fn get_json(tls: &Arc<ClientConfig>, endpoint: &Endpoint, headers: &[(&'static str, String)]) -> Result<Value> {
    let answer = https::fetch(tls, "GET", endpoint, headers, Vec::new()).await.map_err(unavailable)?;
    if answer.status != 200 {
        return Err(unavailable(format!("{} answered {}", endpoint.path, answer.status)));
    }
    serde_json::from_slice(&answer.body).map_err(unavailable)
}

fn endpoint_of(doc: &Value, name: &str) -> Result<Endpoint> {
    let url = doc.get(name).and_then(Value::as_str).ok_or_else(|| unavailable(format!("no {name}")))?;
    https::parse(url).ok_or_else(|| unavailable(format!("{name} is not https")))
}

impl Providers {
    async fn known(&self, config: &ProviderConfig) -> Result<Arc<Known>> {
        let mut known = self.known.lock().await;
        if let Some(k) = known.get(&config.id) {
            return Ok(Arc::clone(k));
        }
        let tls = https::tls_config(config.ca_pem.as_deref()).map_err(unavailable)?;
        let url = format!("{}/.well-known/openid-configuration", config.issuer.trim_end_matches('/'));
        let endpoint = https::parse(&url).ok_or_else(|| unavailable("the issuer is not https"))?;
        let doc = get_json(&tls, &endpoint, &[]).await?;
        if doc.get("issuer").and_then(Value::as_str) != Some(config.issuer.as_str()) {
            return Err(unavailable("the discovery document names another issuer"));
        }
        let authorization = endpoint_of(&doc, "authorization_endpoint")?;
        let methods: Vec<&str> = doc
            .get("token_endpoint_auth_methods_supported")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let discovery = Discovery {
            authorization_endpoint: format!("{}{}", authorization.origin.as_str(), authorization.path),
            token: endpoint_of(&doc, "token_endpoint")?,
            userinfo: endpoint_of(&doc, "userinfo_endpoint").ok(),
            jwks: endpoint_of(&doc, "jwks_uri")?,
            post_secret: !methods.is_empty()
                && !methods.contains(&"client_secret_basic")
                && methods.contains(&"client_secret_post"),
        };
        let jwks = fetch_keys(&tls, &discovery.jwks).await?;
        let k = Arc::new(Known { discovery, tls, keys: Mutex::new(Keys { jwks, refetched: None }) });
        known.insert(config.id.clone(), Arc::clone(&k));
        Ok(k)
    }

    /// The URL to send the browser to.
    pub async fn authorization_url(
        &self,
        config: &ProviderConfig,
        begun: &Begun,
        redirect_uri: &str,
    ) -> Result<String> {
        let known = self.known(config).await?;
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", config.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", config.scope().as_str()),
            ("state", begun.state.as_str()),
            ("nonce", begun.nonce.as_str()),
            ("code_challenge", challenge(&begun.code_verifier).as_str()),
            ("code_challenge_method", "S256"),
        ])
        .map_err(|e| Error::Internal(e.into()))?;
        let base = &known.discovery.authorization_endpoint;
        let joiner = if base.contains('?') { '&' } else { '?' };
        Ok(format!("{base}{joiner}{query}"))
    }

    /// Exchanges the code, checks the ID token and reads the person's claims (the
    /// ID token's, and userinfo's where the ID token lacks the contact).
    pub async fn finish(
        &self,
        config: &ProviderConfig,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> Result<Identity> {
        let known = self.known(config).await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let mut headers = vec![
            ("content-type", "application/x-www-form-urlencoded".to_owned()),
            ("accept", "application/json".to_owned()),
        ];
        if known.discovery.post_secret {
            form.push(("client_id", &config.client_id));
            form.push(("client_secret", &config.client_secret));
        } else {
            // RFC 6749 §2.3.1: each part form-encoded before the pair is base64'd.
            let id = serde_urlencoded::to_string([("", &config.client_id)]).unwrap_or_default();
            let secret = serde_urlencoded::to_string([("", &config.client_secret)]).unwrap_or_default();
            let pair = format!("{}:{}", id.trim_start_matches('='), secret.trim_start_matches('='));
            headers.push(("authorization", format!("Basic {}", STANDARD.encode(pair))));
        }
        let body = serde_urlencoded::to_string(&form).map_err(|e| Error::Internal(e.into()))?;
        let answer = https::fetch(&known.tls, "POST", &known.discovery.token, &headers, body.into_bytes())
            .await
            .map_err(unavailable)?;
        if answer.status != 200 {
            // A code used twice, expired, or not ours: the provider says invalid_grant.
            tracing::info!(status = answer.status, "the provider refused the code");
            return Err(Error::Refused("oidc_code_refused"));
        }
        let tokens: Value = serde_json::from_slice(&answer.body).map_err(unavailable)?;
        let id_token = tokens.get("id_token").and_then(Value::as_str).ok_or(Error::Refused("oidc_token_malformed"))?;
        let claims = self.verify(&known, config, id_token, nonce).await?;
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut identity = Identity { subject, claims };
        if identity.claims.get(config.claim.name()).is_none()
            && let (Some(userinfo), Some(access)) =
                (&known.discovery.userinfo, tokens.get("access_token").and_then(Value::as_str))
        {
            let info = get_json(&known.tls, userinfo, &[("authorization", format!("Bearer {access}"))]).await?;
            // Userinfo about someone else is not about this person (OIDC Core §5.3.2).
            if info.get("sub").and_then(Value::as_str) != Some(identity.subject.as_str()) {
                return Err(Error::Refused("oidc_token_malformed"));
            }
            if let Value::Object(more) = info {
                for (k, v) in more {
                    identity.claims.entry(k).or_insert(v);
                }
            }
        }
        Ok(identity)
    }

    async fn verify(
        &self,
        known: &Known,
        config: &ProviderConfig,
        id_token: &str,
        nonce: &str,
    ) -> Result<Map<String, Value>> {
        let now = crate::clock::now_ms() / 1000;
        let expected = jwt::Expected { issuer: &config.issuer, client_id: &config.client_id, nonce, now };
        let jwks = known.keys.lock().map_err(|_| Error::Internal(anyhow::anyhow!("keys poisoned")))?.jwks.clone();
        match jwt::verify(id_token, &jwks, &expected) {
            Err(jwt::JwtError::UnknownKey(kid)) => {
                // Keys rotate: fetch the set again, unless it was fetched a moment ago.
                let due = known
                    .keys
                    .lock()
                    .map(|k| k.refetched.is_none_or(|at| at.elapsed() >= KEYS_REFETCH))
                    .unwrap_or(false);
                if !due {
                    tracing::info!(?kid, "an ID token names a key the provider's set lacks");
                    return Err(Error::Refused(jwt::JwtError::UnknownKey(kid).code()));
                }
                if let Ok(mut keys) = known.keys.lock() {
                    keys.refetched = Some(Instant::now());
                }
                let fresh = fetch_keys(&known.tls, &known.discovery.jwks).await?;
                if let Ok(mut keys) = known.keys.lock() {
                    keys.jwks = fresh.clone();
                }
                jwt::verify(id_token, &fresh, &expected).map_err(refused)
            }
            other => other.map_err(refused),
        }
    }
}

fn refused(error: jwt::JwtError) -> Error {
    tracing::info!(?error, "an ID token was refused");
    Error::Refused(error.code())
}

async fn fetch_keys(tls: &Arc<ClientConfig>, endpoint: &Endpoint) -> Result<jwt::Jwks> {
    let doc = get_json(tls, endpoint, &[]).await?;
    jwt::Jwks::parse(doc.to_string().as_bytes()).ok_or_else(|| unavailable("the key set is not a JWKS"))
}

/// What a sign-in at a provider begins with: sent to the provider, and kept to check
/// what comes back.
#[derive(Debug, Clone)]
pub struct Begun {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

impl Begun {
    pub fn new() -> Begun {
        Begun {
            state: crate::secrets::new_token(),
            nonce: crate::secrets::new_token(),
            code_verifier: crate::secrets::new_token(),
        }
    }
}

impl Default for Begun {
    fn default() -> Self {
        Begun::new()
    }
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A person as a provider vouches for them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub claims: Map<String, Value>,
}

impl Identity {
    pub fn text(&self, claim: &str) -> Option<&str> {
        self.claims.get(claim).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The contact the deployment's claim names, when the provider says it is verified
    /// (or says nothing about it).
    pub fn contact(&self, claim: ContactClaim) -> Option<&str> {
        let verified = format!("{}_verified", claim.name());
        if self.claims.get(&verified).and_then(Value::as_bool) == Some(false) {
            return None;
        }
        self.text(claim.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn configs_need_a_slug_an_https_issuer_and_a_client() {
        let good = ProviderConfig {
            id: "region-id".into(),
            name: "Региональный ID".into(),
            issuer: "https://id.region.test".into(),
            client_id: "parta".into(),
            client_secret: "s".into(),
            scopes: vec!["email".into()],
            claim: ContactClaim::Email,
            ca_pem: None,
        };
        good.check().expect("fine");
        assert_eq!(good.scope(), "openid email");
        assert_eq!(good.redirect_uri("https://parta.test"), "https://parta.test/api/v1/auth/oidc/region-id/callback");
        for change in [
            |c: &mut ProviderConfig| c.id = "Region ID".into(),
            |c: &mut ProviderConfig| c.issuer = "http://id.region.test".into(),
            |c: &mut ProviderConfig| c.client_secret = String::new(),
        ] {
            let mut bad = good.clone();
            change(&mut bad);
            assert!(bad.check().is_err());
        }
    }
}
