//! The server's identity towards push services (VAPID, RFC 8292): one P-256 key pair
//! per deployment, made on first need and kept in the database so every node signs
//! with the same key (browsers bind a subscription to the public key), and the
//! short-lived token each request to a push service carries.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

use crate::error::Result;
use crate::state::AppState;

/// How long a token is good for; RFC 8292 allows at most a day.
const TOKEN_SECONDS: i64 = 12 * 3600;

pub struct Vapid {
    pair: EcdsaKeyPair,
    /// The public key as browsers take it (`applicationServerKey`): base64url of the
    /// uncompressed point.
    pub public_key: String,
}

impl Vapid {
    fn from_pkcs8(pkcs8: &[u8]) -> anyhow::Result<Vapid> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new())
            .map_err(|e| anyhow::anyhow!("the stored push key is unreadable: {e}"))?;
        let public_key = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        Ok(Vapid { pair, public_key })
    }

    /// `Authorization` for a request to `endpoint`'s push service, signed for its
    /// origin, naming who to contact about this server (`mailto:` or an `https:` URL).
    pub fn authorization(&self, endpoint: &crate::https::Origin, contact: &str, now_ms: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.as_str(),
            "exp": now_ms / 1000 + TOKEN_SECONDS,
            "sub": contact,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("signing with a valid key does not fail");
        format!("vapid t={signing_input}.{}, k={}", URL_SAFE_NO_PAD.encode(signature.as_ref()), self.public_key)
    }
}

/// The deployment's key, read (or made, once across nodes) on first need.
pub async fn key(state: &AppState) -> Result<&Vapid> {
    state
        .push_key
        .get_or_try_init(|| async {
            let mut work = state.begin().await?;
            let fresh = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|e| anyhow::anyhow!("making a push key: {e}"))?;
            // Two nodes starting at once: the first key written wins, both read it.
            crate::store::push::keep_key(&mut work, &STANDARD.encode(fresh.as_ref()), crate::clock::now_ms()).await?;
            let stored = crate::store::push::key(&mut work).await?;
            work.commit(state).await?;
            let pkcs8 = STANDARD.decode(stored).map_err(anyhow::Error::from)?;
            Ok(Vapid::from_pkcs8(&pkcs8)?)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_an_es256_jwt_for_the_push_services_origin() {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).expect("a key");
        let vapid = Vapid::from_pkcs8(pkcs8.as_ref()).expect("readable");
        let endpoint = crate::https::parse("https://push.example.net/abc").expect("an endpoint");
        let header = vapid.authorization(&endpoint.origin, "mailto:admin@school.example", 1_700_000_000_000);
        let (token, key) = header.strip_prefix("vapid t=").and_then(|r| r.split_once(", k=")).expect("t and k");
        assert_eq!(key, vapid.public_key);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url")).expect("JSON");
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_700_000_000 + TOKEN_SECONDS);
        assert_eq!(claims["sub"], "mailto:admin@school.example");
        let public = URL_SAFE_NO_PAD.decode(key).expect("base64url");
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url");
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, public)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("the signature verifies with the public key");
    }
}
