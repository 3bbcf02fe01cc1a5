//! A push message's body, encrypted for one browser as RFC 8291 says (the
//! `aes128gcm` content coding of RFC 8188, one record): only the browser that holds
//! the subscription's private key reads it; the push service carries it blind.

use hmac::{Hmac, KeyInit, Mac};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::rand::SystemRandom;
use sha2::Sha256;

/// The record size written in the header: larger than any payload Parta sends, so
/// the message is one record.
const RECORD_SIZE: u32 = 4096;
/// The largest plaintext a push service must take (RFC 8291 §4: 4096 bytes of body).
pub const MAX_PLAINTEXT: usize = 3993;

/// Why a subscription's keys cannot be sealed for.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    /// `p256dh` is not an uncompressed P-256 point on the curve.
    PublicKey,
    /// `auth` is not 16 bytes.
    AuthSecret,
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HKDF-Expand (RFC 5869) for at most one block, which is all RFC 8291 asks.
fn expand(prk: &[u8; 32], info: &[u8], len: usize) -> Vec<u8> {
    hmac_sha256(prk, &[info, &[1]])[..len].to_vec()
}

/// The content encryption key and nonce from the ECDH secret (RFC 8291 §3.3–3.4,
/// RFC 8188 §2.2–2.3).
fn keys(
    ecdh_secret: &[u8],
    auth_secret: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8; 16],
) -> ([u8; 16], [u8; 12]) {
    let prk_key = hmac_sha256(auth_secret, &[ecdh_secret]);
    let key_info = [b"WebPush: info\0".as_slice(), ua_public, as_public].concat();
    let ikm = expand(&prk_key, &key_info, 32);
    let prk = hmac_sha256(salt, &[&ikm]);
    let cek = expand(&prk, b"Content-Encoding: aes128gcm\0", 16);
    let nonce = expand(&prk, b"Content-Encoding: nonce\0", 12);
    (cek.try_into().expect("16 bytes"), nonce.try_into().expect("12 bytes"))
}

/// The body from an agreed ECDH secret: header (salt, record size, the sender's
/// public key) and the one record, `plaintext` followed by the last-record delimiter.
pub fn seal_with(
    ecdh_secret: &[u8],
    auth_secret: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8; 16],
    plaintext: &[u8],
) -> Vec<u8> {
    let (cek, nonce) = keys(ecdh_secret, auth_secret, ua_public, as_public, salt);
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).expect("a 16-byte key"));
    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2);
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut record)
        .expect("a record within AES-GCM's limits");
    let mut body = Vec::with_capacity(86 + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(as_public);
    body.extend_from_slice(&record);
    body
}

/// Checks a subscription's keys as a browser gives them (`p256dh` 65 bytes
/// uncompressed on P-256, `auth` 16 bytes), by agreeing a throwaway secret with them.
pub fn check_keys(ua_public: &[u8], auth_secret: &[u8]) -> Result<(), KeyError> {
    if auth_secret.len() != 16 {
        return Err(KeyError::AuthSecret);
    }
    if ua_public.len() != 65 || ua_public[0] != 4 {
        return Err(KeyError::PublicKey);
    }
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| KeyError::PublicKey)?;
    agree_ephemeral(private, &UnparsedPublicKey::new(&ECDH_P256, ua_public), |_| ()).map_err(|_| KeyError::PublicKey)
}

/// Encrypts `plaintext` for the browser holding `ua_public` and `auth_secret`, with a
/// fresh key pair and salt of our own.
pub fn seal(ua_public: &[u8], auth_secret: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
    if auth_secret.len() != 16 {
        return Err(KeyError::AuthSecret);
    }
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| KeyError::PublicKey)?;
    let as_public = private.compute_public_key().map_err(|_| KeyError::PublicKey)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source is available");
    agree_ephemeral(private, &UnparsedPublicKey::new(&ECDH_P256, ua_public), |secret| {
        seal_with(secret, auth_secret, ua_public, as_public.as_ref(), &salt, plaintext)
    })
    .map_err(|_| KeyError::PublicKey)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).expect("base64url")
    }

    // RFC 8291 Appendix A.
    const UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AS_PUBLIC: &str = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const ECDH_SECRET: &str = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs";
    const PLAINTEXT: &[u8] = b"When I grow up, I want to be a watermelon";

    #[test]
    fn every_step_matches_the_rfc_8291_example() {
        let auth = b64(AUTH);
        let prk_key = hmac_sha256(&auth, &[&b64(ECDH_SECRET)]);
        assert_eq!(prk_key.to_vec(), b64("Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k"));
        let key_info = [b"WebPush: info\0".as_slice(), &b64(UA_PUBLIC), &b64(AS_PUBLIC)].concat();
        let ikm = expand(&prk_key, &key_info, 32);
        assert_eq!(ikm, b64("S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"));
        let salt: [u8; 16] = b64(SALT).try_into().expect("16 bytes");
        assert_eq!(hmac_sha256(&salt, &[&ikm]).to_vec(), b64("09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc"));
        let (cek, nonce) = keys(&b64(ECDH_SECRET), &auth, &b64(UA_PUBLIC), &b64(AS_PUBLIC), &salt);
        assert_eq!(cek.to_vec(), b64("oIhVW04MRdy2XN9CiKLxTg"));
        assert_eq!(nonce.to_vec(), b64("4h_95klXJ5E_qnoN"));
    }

    #[test]
    fn the_body_is_the_rfc_8291_example_byte_for_byte() {
        let salt: [u8; 16] = b64(SALT).try_into().expect("16 bytes");
        let body = seal_with(&b64(ECDH_SECRET), &b64(AUTH), &b64(UA_PUBLIC), &b64(AS_PUBLIC), &salt, PLAINTEXT);
        assert_eq!(
            URL_SAFE_NO_PAD.encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn keys_a_browser_would_not_give_are_refused() {
        assert_eq!(check_keys(&b64(UA_PUBLIC), &b64(AUTH)), Ok(()));
        assert_eq!(check_keys(&b64(UA_PUBLIC), &[0; 15]), Err(KeyError::AuthSecret));
        let mut off_curve = b64(UA_PUBLIC);
        off_curve[40] ^= 1;
        assert_eq!(check_keys(&off_curve, &b64(AUTH)), Err(KeyError::PublicKey));
        assert_eq!(check_keys(&b64(UA_PUBLIC)[..33], &b64(AUTH)), Err(KeyError::PublicKey));
    }

    #[test]
    fn a_fresh_seal_has_a_new_key_and_salt_each_time() {
        let a = seal(&b64(UA_PUBLIC), &b64(AUTH), PLAINTEXT).expect("sealed");
        let b = seal(&b64(UA_PUBLIC), &b64(AUTH), PLAINTEXT).expect("sealed");
        assert_eq!(a.len(), 86 + PLAINTEXT.len() + 1 + 16);
        assert_ne!(a[..16], b[..16], "salt");
        assert_ne!(a[21..86], b[21..86], "the sender's key");
        assert_eq!(a[16..21], [0, 0, 16, 0, 65]);
    }
}
