//! Consent to the processing of personal data (Федеральный закон № 152-ФЗ «О
//! персональных данных»): the text a person agrees to when they register, its version
//! (kept with each consent, so a later text does not rewrite what was agreed), and the
//! consent a parent (legal guardian) gives for their child.

/// The version of the texts below. A new wording gets a new version; consents given
/// to an earlier one stay recorded with it.
pub const VERSION: &str = "2026-12-01";

/// What a person agrees to for themselves.
pub const TEXT_SELF: &str = "Я даю согласие образовательной организации, пригласившей меня на платформу, \
на обработку моих персональных данных (фамилия, имя, отчество, адрес электронной почты, номер телефона, \
сведения о месте в организации, сообщения и файлы, которые я размещаю) в целях организации образовательного \
процесса и информационного взаимодействия участников образовательных отношений, в соответствии с \
Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных». Согласие действует до его отзыва; \
отозвать его можно, удалив учётную запись в профиле.";

/// What a parent (legal guardian) agrees to for their child: a child under 14 cannot
/// give consent themselves.
pub const TEXT_CHILD: &str = "Как родитель (законный представитель) я даю согласие образовательной \
организации на обработку персональных данных моего ребёнка (фамилия, имя, отчество, класс, сведения об \
успеваемости и посещаемости, сообщения и файлы, которые ребёнок размещает на платформе) в тех же целях и \
на тех же условиях.";

/// Whose data a consent covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    /// The person's own.
    Own,
    /// Their child's, given as the child's parent.
    Child,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Own => "self",
            ConsentKind::Child => "child",
        }
    }
}

/// Checks the version a person agreed to: the current one, or the field is refused
/// (`required` when none was given, `outdated` for an earlier text they saw).
pub fn check(field: &str, agreed: Option<&str>) -> crate::validate::Checked<&'static str> {
    match agreed.map(str::trim) {
        None | Some("") => Err(crate::validate::FieldError::new(field, "required")),
        Some(v) if v == VERSION => Ok(VERSION),
        Some(_) => Err(crate::validate::FieldError::new(field, "outdated")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_text_is_agreed_to() {
        assert_eq!(check("consent_version", Some(VERSION)), Ok(VERSION));
        assert_eq!(check("consent_version", None).map_err(|e| e.code), Err("required"));
        assert_eq!(check("consent_version", Some(" ")).map_err(|e| e.code), Err("required"));
        assert_eq!(check("consent_version", Some("2020-01-01")).map_err(|e| e.code), Err("outdated"));
        assert!(TEXT_SELF.contains("152-ФЗ") && TEXT_CHILD.contains("законный представитель"));
    }
}
