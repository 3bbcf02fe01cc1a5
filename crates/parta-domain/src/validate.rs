//! Validation of what people type: names, contacts, passwords, school registry
//! numbers, class names. Each rule returns the cleaned value or a `FieldError`
//! whose `code` the server turns into a message in the reader's language.

use thiserror::Error;

/// One rejected field: which field and which rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {code}")]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str) -> FieldError {
        FieldError { field: field.to_owned(), code }
    }
}

pub type Checked<T> = Result<T, FieldError>;

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Trims and checks a one-line text: required, at most `max_chars`, no control characters.
pub fn line(field: &str, value: &str, max_chars: usize) -> Checked<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(trimmed.to_owned())
}

/// Like `line`, but an empty or missing value is `None`.
pub fn optional_line(field: &str, value: Option<&str>, max_chars: usize) -> Checked<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => line(field, text, max_chars).map(Some),
    }
}

/// Multi-line free text (a rejection reason): newlines allowed, other control characters not.
pub fn text(field: &str, value: &str, max_chars: usize) -> Checked<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long"));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(trimmed.to_owned())
}

/// «Фамилия Имя Отчество»: family and given names required, patronymic optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub family: String,
    pub given: String,
    pub patronymic: Option<String>,
}

pub fn person_name(family: &str, given: &str, patronymic: Option<&str>) -> Checked<PersonName> {
    person_name_all(family, given, patronymic).map_err(|mut errors| errors.remove(0))
}

/// Like `person_name`, but names every wrong part, so a form shows them all at once.
pub fn person_name_all(family: &str, given: &str, patronymic: Option<&str>) -> Result<PersonName, Vec<FieldError>> {
    let family = line("family_name", family, 100);
    let given = line("given_name", given, 100);
    let patronymic = optional_line("patronymic", patronymic, 100);
    match (family, given, patronymic) {
        (Ok(family), Ok(given), Ok(patronymic)) => Ok(PersonName { family, given, patronymic }),
        (family, given, patronymic) => {
            Err([family.err(), given.err(), patronymic.err()].into_iter().flatten().collect())
        }
    }
}

/// Lower-cases and checks an e-mail address (shape only; nothing is sent here).
pub fn email(field: &str, value: &str) -> Checked<String> {
    let address = value.trim().to_lowercase();
    if address.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err(FieldError::new(field, "invalid_email"));
    };
    let well_formed = !local.is_empty()
        && local.len() <= 64
        && address.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !address.chars().any(|c| c.is_whitespace() || c.is_control());
    if well_formed { Ok(address) } else { Err(FieldError::new(field, "invalid_email")) }
}

/// Normalises a phone number to E.164. Russian habits are understood:
/// `8 (912) 345-67-89` and `+7 912 345 67 89` are the same number.
pub fn phone(field: &str, value: &str) -> Checked<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    let has_plus = trimmed.starts_with('+');
    if trimmed.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+')))
        || trimmed.matches('+').count() > usize::from(has_plus)
    {
        return Err(FieldError::new(field, "invalid_phone"));
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = if !has_plus && digits.len() == 11 && digits.starts_with('8') {
        format!("7{}", &digits[1..])
    } else if !has_plus && digits.len() == 10 && digits.starts_with('9') {
        format!("7{digits}")
    } else {
        digits
    };
    if !(10..=15).contains(&international.len()) || international.starts_with('0') {
        return Err(FieldError::new(field, "invalid_phone"));
    }
    Ok(format!("+{international}"))
}

/// What a person logs in with: a phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginId {
    Email(String),
    Phone(String),
}

pub fn login_id(value: &str) -> Checked<LoginId> {
    if value.contains('@') {
        email("login", value).map(LoginId::Email)
    } else {
        phone("login", value).map(LoginId::Phone)
    }
}

pub fn password(field: &str, value: &str) -> Checked<String> {
    let chars = value.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(field, "password_too_short"));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(value.to_owned())
}

fn digits_of(field: &str, value: &str, len: usize) -> Checked<Vec<u32>> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if trimmed.len() != len || !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, "invalid_format"));
    }
    Ok(trimmed.chars().filter_map(|c| c.to_digit(10)).collect())
}

/// ИНН of a legal entity: 10 digits, the last a checksum (weights 2 4 10 3 5 9 4 6 8).
pub fn inn(value: &str) -> Checked<String> {
    let digits = digits_of("inn", value, 10)?;
    const WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let sum: u32 = WEIGHTS.iter().zip(&digits).map(|(w, d)| w * d).sum();
    if sum % 11 % 10 != digits[9] {
        return Err(FieldError::new("inn", "invalid_checksum"));
    }
    Ok(value.trim().to_owned())
}

/// ОГРН: 13 digits; the last is (first 12 as a number mod 11) mod 10.
pub fn ogrn(value: &str) -> Checked<String> {
    let digits = digits_of("ogrn", value, 13)?;
    let body = digits[..12].iter().fold(0u64, |acc, d| acc * 10 + u64::from(*d));
    if (body % 11 % 10) as u32 != digits[12] {
        return Err(FieldError::new("ogrn", "invalid_checksum"));
    }
    Ok(value.trim().to_owned())
}

pub const GRADE_MIN: i64 = 0;
pub const GRADE_MAX: i64 = 11;

/// A school grade (параллель): 0 (подготовительный) to 11.
pub fn grade(value: i64) -> Checked<i64> {
    if (GRADE_MIN..=GRADE_MAX).contains(&value) { Ok(value) } else { Err(FieldError::new("grade", "out_of_range")) }
}

/// An academic year, named by the calendar year it starts in (2026 = 2026/27).
pub fn academic_year(value: i64) -> Checked<i64> {
    if (2000..=2100).contains(&value) { Ok(value) } else { Err(FieldError::new("academic_year", "out_of_range")) }
}

/// A class name such as «5А» or «10 Б (профильный)».
pub fn class_name(value: &str) -> Checked<String> {
    line("name", value, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_phone_habits_normalise_to_one_number() {
        for written in ["8 (912) 345-67-89", "+7 912 345 67 89", "89123456789", "9123456789"] {
            assert_eq!(phone("phone", written).as_deref(), Ok("+79123456789"), "{written}");
        }
        assert_eq!(phone("phone", "+44 20 7946 0958").as_deref(), Ok("+442079460958"));
        for bad in ["", "12345", "+7 912 abc", "++79123456789", "7+9123456789", "0123456789012"] {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_lower_cased_and_shaped() {
        assert_eq!(email("email", " Ivanova@School.RU ").as_deref(), Ok("ivanova@school.ru"));
        for bad in ["", "no-at", "@school.ru", "a@b", "a@.ru", "a b@school.ru", "a@b@c.ru"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn login_id_tells_email_from_phone() {
        assert_eq!(login_id("a@b.ru"), Ok(LoginId::Email("a@b.ru".into())));
        assert_eq!(login_id("8 912 345 67 89"), Ok(LoginId::Phone("+79123456789".into())));
    }

    #[test]
    fn inn_checksum() {
        assert!(inn("7707083893").is_ok()); // Сбербанк
        assert!(inn("7736207543").is_ok()); // Яндекс
        assert_eq!(inn("7707083894").map_err(|e| e.code), Err("invalid_checksum"));
        assert_eq!(inn("770708389").map_err(|e| e.code), Err("invalid_format"));
        assert_eq!(inn("77070838a3").map_err(|e| e.code), Err("invalid_format"));
    }

    #[test]
    fn ogrn_checksum() {
        assert!(ogrn("1027700132195").is_ok()); // Сбербанк
        assert!(ogrn("1027700229193").is_ok()); // Яндекс
        assert_eq!(ogrn("1027700132196").map_err(|e| e.code), Err("invalid_checksum"));
        assert_eq!(ogrn("102770013219").map_err(|e| e.code), Err("invalid_format"));
    }

    #[test]
    fn names_are_trimmed_and_required() {
        let name = person_name(" Иванова ", "Мария", Some("  ")).expect("valid name");
        assert_eq!(name.family, "Иванова");
        assert_eq!(name.patronymic, None);
        assert_eq!(person_name("", "Мария", None).map_err(|e| e.field), Err("family_name".into()));
        assert_eq!(person_name("Иванова", "Ма\u{0}рия", None).map_err(|e| e.code), Err("invalid_characters"));
        assert_eq!(person_name(&"я".repeat(101), "Мария", None).map_err(|e| e.code), Err("too_long"));
    }

    #[test]
    fn every_wrong_name_part_is_named() {
        let errors = person_name_all(" ", "", Some("Ив\u{1}анович")).expect_err("three errors");
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            [("family_name", "required"), ("given_name", "required"), ("patronymic", "invalid_characters")]
        );
        assert_eq!(person_name("", "", None).map_err(|e| e.field), Err("family_name".into()));
    }

    #[test]
    fn empty_values_are_missing_not_malformed() {
        assert_eq!(inn(" ").map_err(|e| e.code), Err("required"));
        assert_eq!(ogrn("").map_err(|e| e.code), Err("required"));
        assert_eq!(email("email", "  ").map_err(|e| e.code), Err("required"));
        assert_eq!(phone("phone", "").map_err(|e| e.code), Err("required"));
    }

    #[test]
    fn passwords_have_a_length_window() {
        assert!(password("password", "1234567").is_err());
        assert!(password("password", "12345678").is_ok());
        assert!(password("password", "пароль12").is_ok());
        assert!(password("password", &"x".repeat(257)).is_err());
    }

    #[test]
    fn grades_and_years_have_ranges() {
        assert!(grade(0).is_ok() && grade(11).is_ok());
        assert!(grade(-1).is_err() && grade(12).is_err());
        assert!(academic_year(2026).is_ok() && academic_year(1999).is_err());
    }

    #[test]
    fn free_text_keeps_newlines_but_not_other_controls() {
        assert_eq!(text("reason", " нет\nприказа ", 100).as_deref(), Ok("нет\nприказа"));
        assert!(text("reason", "a\u{7}b", 100).is_err());
        assert!(text("reason", "  ", 100).is_err());
    }
}
