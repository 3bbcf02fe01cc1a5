//! Random tokens and password hashes. Tokens carry 256 random bits and are stored
//! only as SHA-256 digests, so a leaked database holds no usable session or link.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new random token, URL-safe (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest stored in place of a token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), as a PHC string.
pub fn hash_password(password: &str) -> String {
    let hash: PasswordHash =
        Argon2::default().hash_password(password.as_bytes()).expect("hashing with a fresh salt cannot fail");
    hash.to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// Spends the same time as a real check, so an unknown login cannot be told from
/// a wrong password by the clock.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("dummy password for timing"));
    let _ = verify_password(password, hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("верный пароль");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("верный пароль", &hash));
        assert!(!verify_password("неверный пароль", &hash));
        assert!(!verify_password("верный пароль", "not a hash"));
    }
}
