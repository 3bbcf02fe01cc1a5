//! A person's own profile: their name (unless a school of theirs keeps names to its
//! register), the language of their letters, and the confirmation of a new e-mail
//! address or phone number by a six-digit code that expires and allows few tries.

use crate::validate::{FieldError, PersonName, person_name_all};

/// How long a confirmation code works.
pub const CODE_MINUTES: i64 = 15;
/// Wrong codes typed before a pending change is dropped.
pub const CODE_ATTEMPTS: i64 = 5;
/// Digits of a confirmation code.
pub const CODE_DIGITS: usize = 6;
/// The side of a profile photo, in pixels (a square).
pub const PHOTO_SIDE: u32 = 256;

/// The language a person reads Parta and its letters in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Ru,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Ru, Language::En];

    pub fn parse(text: &str) -> Option<Language> {
        match text.trim() {
            "ru" => Some(Language::Ru),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// As stored; an unknown stored value reads as Russian.
    pub fn from_stored(text: &str) -> Language {
        Language::parse(text).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
}

/// What is being confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
        }
    }
}

/// A name typed for oneself or by an admin: every wrong part named at once, and the
/// same rules as at registration.
pub fn check_name(family: &str, given: &str, patronymic: Option<&str>) -> Result<PersonName, Vec<FieldError>> {
    person_name_all(family, given, patronymic)
}

/// Where a pending confirmation stands when a code is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    /// The code may still be tried.
    Open,
    /// Past its 15 minutes.
    Expired,
    /// Five wrong codes typed.
    Exhausted,
}

/// Whether a pending change may still be confirmed at `now` (milliseconds).
pub fn code_state(now: i64, expires_at: i64, attempts: i64) -> CodeState {
    if attempts >= CODE_ATTEMPTS {
        CodeState::Exhausted
    } else if now >= expires_at {
        CodeState::Expired
    } else {
        CodeState::Open
    }
}

/// When a code made at `now` expires.
pub fn code_expires_at(now: i64) -> i64 {
    now + CODE_MINUTES * 60_000
}

/// A typed code as compared: its digits, spaces and dashes left out; `None` unless six digits.
pub fn normalize_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == CODE_DIGITS && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// A six-digit code from random bytes, evenly: each value below 2^32 − (2^32 mod 10^6)
/// maps to one code; the caller draws again on `None`.
pub fn code_from_random(random: u32) -> Option<String> {
    const RANGE: u32 = 1_000_000;
    let limit = u32::MAX - (u32::MAX % RANGE) - 1;
    (random <= limit).then(|| format!("{:06}", random % RANGE))
}

/// The square of an image `width` × `height` cut from its centre: (x, y, side).
pub fn centre_square(width: u32, height: u32) -> (u32, u32, u32) {
    let side = width.min(height);
    ((width - side) / 2, (height - side) / 2, side)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_every_wrong_part_named() {
        let name = check_name("  Иванова ", "Анна", Some("  ")).expect("valid");
        assert_eq!((name.family.as_str(), name.given.as_str(), name.patronymic), ("Иванова", "Анна", None));
        let errors = check_name("", "А\u{7}", Some(&"о".repeat(101))).expect_err("invalid");
        let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [("family_name", "required"), ("given_name", "invalid_characters"), ("patronymic", "too_long")]
        );
    }

    #[test]
    fn a_code_works_fifteen_minutes_and_five_tries() {
        let made = 1_000_000;
        let expires = code_expires_at(made);
        assert_eq!(expires - made, 15 * 60_000);
        assert_eq!(code_state(made, expires, 0), CodeState::Open);
        assert_eq!(code_state(expires - 1, expires, 4), CodeState::Open);
        assert_eq!(code_state(expires, expires, 0), CodeState::Expired);
        assert_eq!(code_state(made, expires, 5), CodeState::Exhausted);
        // Exhausted wins over expired: the answer does not depend on the clock then.
        assert_eq!(code_state(expires + 1, expires, 5), CodeState::Exhausted);
    }

    #[test]
    fn codes_are_six_digits_typed_with_or_without_spaces() {
        assert_eq!(normalize_code("012 345").as_deref(), Some("012345"));
        assert_eq!(normalize_code("012-345").as_deref(), Some("012345"));
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(normalize_code("12345a"), None);
        assert_eq!(normalize_code("١٢٣٤٥٦"), None, "only ASCII digits");
        assert_eq!(code_from_random(42).as_deref(), Some("000042"));
        assert_eq!(code_from_random(1_234_567).as_deref(), Some("234567"));
        assert_eq!(code_from_random(u32::MAX), None, "the uneven tail is drawn again");
    }

    #[test]
    fn languages_are_russian_unless_english() {
        assert_eq!(Language::parse("en"), Some(Language::En));
        assert_eq!(Language::parse("de"), None);
        assert_eq!(Language::from_stored("??"), Language::Ru);
        assert_eq!(Language::En.as_str(), "en");
    }

    #[test]
    fn a_photo_is_cut_square_from_the_centre() {
        assert_eq!(centre_square(400, 300), (50, 0, 300));
        assert_eq!(centre_square(300, 401), (0, 50, 300));
        assert_eq!(centre_square(5, 5), (0, 0, 5));
    }
}
