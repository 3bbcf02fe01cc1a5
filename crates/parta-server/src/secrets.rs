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

/// Letters and digits a person reads off paper and types without mistaking one for
/// another (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time code to type by hand: 12 characters (59 bits) in groups of four,
/// `ABCD-EFGH-JKLM`.
pub fn new_code() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    let chars: Vec<char> = bytes.iter().map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A typed code as stored: capitals, without the dashes and spaces people add or leave out.
pub fn normalize_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The digest stored in place of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn a_code_is_three_groups_of_four_unambiguous_characters() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert!(code.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| CODE_ALPHABET.contains(&b))), "{code}");
        assert_ne!(new_code(), code);
        assert_eq!(normalize_code(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
    }

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
