//! ID tokens: a compact JWS checked against the provider's key set (JWKS) with
//! `ring`, then its claims — issuer, audience (and `azp`), expiry, issue time, nonce.
//!
//! Only the algorithms verified here are accepted: RS256 (every OpenID provider
//! signs with it) and ES256. `none`, the HMAC family (a client secret is no key to
//! trust a token by) and anything else are refused before a key is looked at.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature;
use serde_json::{Map, Value};

/// Seconds a clock may be off, either way, for `exp` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

/// Why a token was refused. Each maps to one stable problem code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts of JSON.
    Malformed,
    /// An algorithm not verified here (`none`, HS256, RS384, …).
    UnsupportedAlgorithm(String),
    /// No key with this id in the set (the set may have rotated: fetch it again).
    UnknownKey(Option<String>),
    BadSignature,
    WrongIssuer,
    WrongAudience,
    Expired,
    /// Issued in the future, or without `iat`/`exp`.
    BadTime,
    BadNonce,
    /// No `sub`.
    NoSubject,
}

impl JwtError {
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::Malformed | JwtError::NoSubject => "oidc_token_malformed",
            JwtError::UnsupportedAlgorithm(_) => "oidc_token_algorithm",
            JwtError::UnknownKey(_) | JwtError::BadSignature => "oidc_token_signature",
            JwtError::WrongIssuer => "oidc_token_issuer",
            JwtError::WrongAudience => "oidc_token_audience",
            JwtError::Expired | JwtError::BadTime => "oidc_token_expired",
            JwtError::BadNonce => "oidc_token_nonce",
        }
    }
}

/// One verifying key of a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub kid: Option<String>,
    pub alg: Alg,
    /// RS256: the modulus and exponent; ES256: the uncompressed point (0x04 ‖ x ‖ y).
    material: Material,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Material {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256 { point: Vec<u8> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Es256,
}

impl Alg {
    fn from_name(name: &str) -> Option<Alg> {
        match name {
            "RS256" => Some(Alg::Rs256),
            "ES256" => Some(Alg::Es256),
            _ => None,
        }
    }
}

/// A provider's key set, keeping the keys that can verify RS256 or ES256 signatures;
/// encryption keys and others are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    pub keys: Vec<Key>,
}

fn b64(value: &Value) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.as_str()?.trim_end_matches('=')).ok()
}

impl Jwks {
    pub fn parse(json: &[u8]) -> Option<Jwks> {
        let doc: Value = serde_json::from_slice(json).ok()?;
        let mut keys = Vec::new();
        for k in doc.get("keys")?.as_array()? {
            if k.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
                continue;
            }
            let kid = k.get("kid").and_then(Value::as_str).map(str::to_owned);
            let named = k.get("alg").and_then(Value::as_str);
            let key = match k.get("kty").and_then(Value::as_str) {
                Some("RSA") if named.is_none_or(|a| a == "RS256") => {
                    let (Some(n), Some(e)) = (k.get("n").and_then(b64), k.get("e").and_then(b64)) else { continue };
                    Key { kid, alg: Alg::Rs256, material: Material::Rsa { n, e } }
                }
                Some("EC") if named.is_none_or(|a| a == "ES256") => {
                    if k.get("crv").and_then(Value::as_str) != Some("P-256") {
                        continue;
                    }
                    let (Some(x), Some(y)) = (k.get("x").and_then(b64), k.get("y").and_then(b64)) else { continue };
                    if x.len() != 32 || y.len() != 32 {
                        continue;
                    }
                    let mut point = vec![4u8];
                    point.extend_from_slice(&x);
                    point.extend_from_slice(&y);
                    Key { kid, alg: Alg::Es256, material: Material::P256 { point } }
                }
                _ => continue,
            };
            keys.push(key);
        }
        Some(Jwks { keys })
    }

    /// The key a token names: by id, or the only key of its algorithm when it names none.
    fn find(&self, kid: Option<&str>, alg: Alg) -> Option<&Key> {
        let mut of_alg = self.keys.iter().filter(|k| k.alg == alg);
        match kid {
            Some(kid) => of_alg.find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let first = of_alg.next();
                if of_alg.next().is_some() { None } else { first }
            }
        }
    }
}

/// What a token must say to be accepted.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Unix seconds.
    pub now: i64,
}

/// A token's header, read before its signature is checked (to pick the key).
#[derive(Debug, Clone)]
pub struct Header {
    pub alg: Alg,
    pub kid: Option<String>,
}

fn part(encoded: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| JwtError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Malformed),
    }
}

/// The header of a compact token, refused when its algorithm is not one verified here.
pub fn header(token: &str) -> Result<Header, JwtError> {
    let head = token.split('.').next().ok_or(JwtError::Malformed)?;
    let map = part(head)?;
    let name = map.get("alg").and_then(Value::as_str).ok_or(JwtError::Malformed)?;
    let alg = Alg::from_name(name).ok_or_else(|| JwtError::UnsupportedAlgorithm(name.to_owned()))?;
    if map.contains_key("crit") {
        // Extensions we would have to understand: none are.
        return Err(JwtError::Malformed);
    }
    Ok(Header { alg, kid: map.get("kid").and_then(Value::as_str).map(str::to_owned) })
}

/// Checks the signature with `jwks` and the claims against `expected`; the claims.
pub fn verify(token: &str, jwks: &Jwks, expected: &Expected<'_>) -> Result<Map<String, Value>, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [head, body, sig] = parts.as_slice() else { return Err(JwtError::Malformed) };
    let header = header(token)?;
    let key = jwks.find(header.kid.as_deref(), header.alg).ok_or(JwtError::UnknownKey(header.kid.clone()))?;
    let signature = URL_SAFE_NO_PAD.decode(sig).map_err(|_| JwtError::Malformed)?;
    let signed = &token.as_bytes()[..head.len() + 1 + body.len()];
    let checked = match &key.material {
        Material::Rsa { n, e } => signature::RsaPublicKeyComponents { n, e }.verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signed,
            &signature,
        ),
        Material::P256 { point } => {
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(signed, &signature)
        }
    };
    checked.map_err(|_| JwtError::BadSignature)?;
    let claims = part(body)?;
    check_claims(&claims, expected)?;
    Ok(claims)
}

fn check_claims(claims: &Map<String, Value>, expected: &Expected<'_>) -> Result<(), JwtError> {
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err(JwtError::WrongIssuer);
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => return Err(JwtError::WrongAudience),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(JwtError::WrongAudience);
    }
    // Several audiences: the party it was issued to must be named, and be us.
    match claims.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != expected.client_id => return Err(JwtError::WrongAudience),
        None if audiences.len() > 1 => return Err(JwtError::WrongAudience),
        _ => {}
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(JwtError::BadTime)?;
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or(JwtError::BadTime)?;
    if expected.now > exp + LEEWAY_SECS {
        return Err(JwtError::Expired);
    }
    if iat > expected.now + LEEWAY_SECS {
        return Err(JwtError::BadTime);
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(JwtError::BadNonce);
    }
    if claims.get("sub").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(JwtError::NoSubject);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RsaKeyPair};
    use serde_json::json;

    use super::*;

    /// A 2048-bit RSA key made for these tests only (PKCS#1 RSAPrivateKey, DER, base64).
    const TEST_RSA_PKCS1: &str = "MIIEogIBAAKCAQEAs0Ywdyt9YqZURrHIGIEb+nFMzcnPLeF+96UACICG7zUFTUU14aatDEtRqHY5M1KSGHPd3YI7Ls6fpma2Jo1N/+ogt3dkJePUtiR66uTMVTvr8qO0u+sUmGY+w2tawd4/DdnlHh3Le4fnfzK5FKSd0cRGD0wHhyMU2u79BnpvcDN9ZPar1JgG8SW+stcM+iRhVyOP6rMk9GLcSCU/MyNxtjCdxc5zZcBRN5u2tiR73MabhBwd2Jxhr7KvZWrg8l7O9rEHOMKGEg9pUhQsl4vRqn4kVmHxgAH78pZoKEsftEidJ/2D0/fmNB1SsEJGhGJDGLh8q986TWW/CeWMAYHnFQIDAQABAoIBAAQF/ml2RZKfYVh9ffGlgs9nQo4tyiNhTQcEIiY5XY3kdpF/jPra/EWV3SfMO3K+QX7LVD6NQS8cPl4ELnCwDtZAVr/3WH03NJtqjIMADovtKS72uJmCaExr+Fr3alUxMTYU3qet4IFjEUbRXcZWVB+/PsPyH2B2NkNxm1EivKSGdv7W8kHchWQ+zat92B9Ru3cFDgSRFVU3A1FEHr7rHFJ9S5LCaLUjNx5e1gdKy1NUtJoMB/CI82lKcpMAj+3uNykz73NWAlzP2gFbnAeGSDre133WnGxYthWsCMZ/FZAQ7/+K8LWoqM45rbtYy3t+qxy9UuMB7j7pscOUN+gCsWECgYEA510v2bSbwmhOBnFN9inpVpvTCafEll2JZAXoeZrdpNYB7+QrriG8g70rAS1I+PIy1mncnkD+yDLapCDGHFflrZBnFlYN+aoeLOMl1Jwibs20d2oXBozvbP4aCTte5vAsFnbUy6jDOJxgMQcdCDDuCKp+8PKKq1t0Hn+0iiEjMZECgYEAxl0SXv6inc4rBJWDPRN/ZP3FBBux3BO6mV3sIEw1VvBR05yoHSdAeQxyq5dkf4AjwDbTysy/z1fpYrVgO5j38JA/U38KAIAKRfDPpK+snNLplHAAnEks4ZACOaTrSH3S5DCapl6La3HE+KNlrAsyVNC4Qw7ZomEHHuHbsiZ3W0UCgYALHBtvHdAY7r9IaepvdqXAxezFWuwCuG0fg3UdWcVo4+nl5hP+4ZnWzZ+iB9WoNqEgUKcKZl6VqHN9TCGXPNVHl1aL6Qf0xCl8yE+JvRGeNnyC+3Itm1jn5+/CH7q35jKHxZ8ERI9TSZcI46mOOiNEAUPlOBBWmCakTEeUFnFFMQKBgEN0NuES2h2rlDlU1nIYhUPEgBCrkknyc4vfwoIhKCpOQqUhKpHvXR9Mulnbe5NX8dBVVKQsCDXsATNN1lGt7PJjOwWbt7z/zX6HKzUngB08I64UgEClKZvyqq8Lg+78ypBKbuyQTfzVjVO3zMU6cX0iFObIz/1F3XQE/f6Q0hm5AoGANKhSiete2zk4kqN2onQbmT5tAEUznafS73hWcfrSDK0OmCx2MZqqxTR3AOlKuQjMKRtAjR4CCeVpPkfTD9AOiE6nwBh7vx7hb1hpXjylGXAO6FDszQTzTLfuS5UNmvJ+9+diYqHnvT3ImX9DrMqXZv5yYWQjfoEw/XeHzFJf83A=";

    const ISSUER: &str = "https://id.example.test";

    fn enc(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn rsa() -> RsaKeyPair {
        let der = base64::engine::general_purpose::STANDARD.decode(TEST_RSA_PKCS1).expect("base64");
        RsaKeyPair::from_der(&der).expect("the test key")
    }

    fn rsa_jwk(pair: &RsaKeyPair, kid: &str) -> Value {
        let public: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
        json!({
            "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e),
        })
    }

    fn sign_rs256(pair: &RsaKeyPair, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", enc(header), enc(claims));
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).expect("signed");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn ec() -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("a key");
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).expect("the key")
    }

    fn ec_jwk(pair: &EcdsaKeyPair, kid: &str) -> Value {
        let point = pair.public_key().as_ref();
        json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..]),
        })
    }

    fn sign_es256(pair: &EcdsaKeyPair, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", enc(header), enc(claims));
        let sig = pair.sign(&SystemRandom::new(), input.as_bytes()).expect("signed");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    const NOW: i64 = 1_800_000_000;

    fn claims() -> Value {
        json!({ "iss": ISSUER, "aud": "parta", "sub": "u1", "nonce": "n-1", "iat": NOW - 5, "exp": NOW + 300 })
    }

    fn expected() -> Expected<'static> {
        Expected { issuer: ISSUER, client_id: "parta", nonce: "n-1", now: NOW }
    }

    fn set(keys: Vec<Value>) -> Jwks {
        Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).expect("a key set")
    }

    #[test]
    fn a_token_signed_by_the_providers_key_is_accepted_rs256_and_es256() {
        let (r, e) = (rsa(), ec());
        let jwks = set(vec![rsa_jwk(&r, "r1"), ec_jwk(&e, "e1")]);
        let token = sign_rs256(&r, &json!({ "alg": "RS256", "kid": "r1" }), &claims());
        assert_eq!(verify(&token, &jwks, &expected()).expect("accepted")["sub"], "u1");
        let token = sign_es256(&e, &json!({ "alg": "ES256", "kid": "e1" }), &claims());
        assert_eq!(verify(&token, &jwks, &expected()).expect("accepted")["sub"], "u1");
        // No key id: the only key of its algorithm.
        let token = sign_rs256(&r, &json!({ "alg": "RS256" }), &claims());
        assert!(verify(&token, &jwks, &expected()).is_ok());
    }

    #[test]
    fn a_forged_signature_is_refused() {
        let (r, e) = (rsa(), ec());
        let jwks = set(vec![ec_jwk(&e, "k1")]);
        // Signed by another key under the provider's key id.
        let forged = sign_es256(&ec(), &json!({ "alg": "ES256", "kid": "k1" }), &claims());
        assert_eq!(verify(&forged, &jwks, &expected()), Err(JwtError::BadSignature));
        // The claims changed after signing.
        let good = sign_es256(&e, &json!({ "alg": "ES256", "kid": "k1" }), &claims());
        let mut changed = claims();
        changed["sub"] = json!("admin");
        let parts: Vec<&str> = good.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], enc(&changed), parts[2]);
        assert_eq!(verify(&tampered, &jwks, &expected()), Err(JwtError::BadSignature));
        // An RSA signature under an EC key's id: no such RSA key.
        let other = sign_rs256(&r, &json!({ "alg": "RS256", "kid": "k1" }), &claims());
        assert_eq!(verify(&other, &jwks, &expected()), Err(JwtError::UnknownKey(Some("k1".into()))));
    }

    #[test]
    fn only_the_algorithms_verified_here_are_accepted() {
        let e = ec();
        let jwks = set(vec![ec_jwk(&e, "k1")]);
        let none = format!("{}.{}.", enc(&json!({ "alg": "none" })), enc(&claims()));
        assert_eq!(verify(&none, &jwks, &expected()), Err(JwtError::UnsupportedAlgorithm("none".into())));
        // HS256 "signed" with something public: refused before any key is tried.
        let hs = format!("{}.{}.AAAA", enc(&json!({ "alg": "HS256", "kid": "k1" })), enc(&claims()));
        assert_eq!(verify(&hs, &jwks, &expected()), Err(JwtError::UnsupportedAlgorithm("HS256".into())));
        let rs512 = format!("{}.{}.AAAA", enc(&json!({ "alg": "RS512" })), enc(&claims()));
        assert!(matches!(verify(&rs512, &jwks, &expected()), Err(JwtError::UnsupportedAlgorithm(_))));
        for bad in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert!(verify(bad, &jwks, &expected()).is_err(), "{bad}");
        }
    }

    #[test]
    fn issuer_audience_time_and_nonce_are_checked() {
        let e = ec();
        let jwks = set(vec![ec_jwk(&e, "k1")]);
        let with = |change: &dyn Fn(&mut Value)| {
            let mut c = claims();
            change(&mut c);
            verify(&sign_es256(&e, &json!({ "alg": "ES256", "kid": "k1" }), &c), &jwks, &expected())
        };
        assert_eq!(with(&|c| c["iss"] = json!("https://evil.test")), Err(JwtError::WrongIssuer));
        assert_eq!(with(&|c| c["aud"] = json!("another-client")), Err(JwtError::WrongAudience));
        assert_eq!(with(&|c| c["aud"] = json!(["another", "parta"])), Err(JwtError::WrongAudience), "no azp");
        assert!(
            with(&|c| {
                c["aud"] = json!(["another", "parta"]);
                c["azp"] = json!("parta");
            })
            .is_ok()
        );
        assert_eq!(with(&|c| c["azp"] = json!("another")), Err(JwtError::WrongAudience));
        assert_eq!(with(&|c| c["exp"] = json!(NOW - LEEWAY_SECS - 1)), Err(JwtError::Expired));
        assert!(with(&|c| c["exp"] = json!(NOW - 10)).is_ok(), "within the leeway");
        assert_eq!(with(&|c| c["iat"] = json!(NOW + 3600)), Err(JwtError::BadTime));
        assert_eq!(with(&|c| drop(c.as_object_mut().map(|m| m.remove("exp")))), Err(JwtError::BadTime));
        assert_eq!(with(&|c| c["nonce"] = json!("n-2")), Err(JwtError::BadNonce));
        assert_eq!(with(&|c| drop(c.as_object_mut().map(|m| m.remove("nonce")))), Err(JwtError::BadNonce));
        assert_eq!(with(&|c| c["sub"] = json!("")), Err(JwtError::NoSubject));
    }

    #[test]
    fn key_sets_keep_only_signing_keys_they_can_use() {
        let e = ec();
        let mut enc_key = ec_jwk(&e, "x");
        enc_key["use"] = json!("enc");
        let jwks = set(vec![
            enc_key,
            json!({ "kty": "oct", "k": "c2VjcmV0", "kid": "h" }),
            json!({ "kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "kid": "p384" }),
            ec_jwk(&e, "k1"),
        ]);
        assert_eq!(jwks.keys.len(), 1);
        assert_eq!(jwks.keys[0].kid.as_deref(), Some("k1"));
        assert!(Jwks::parse(b"not json").is_none());
    }
}
