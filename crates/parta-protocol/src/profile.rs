//! A person's own profile: their name, language, photo, and a new e-mail address or
//! phone number confirmed by a code before it replaces the old one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A name, as the person writes it or an admin corrects it in the register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NameRequest {
    pub family_name: String,
    pub given_name: String,
    /// Empty or absent: none.
    pub patronymic: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LanguageRequest {
    /// `ru` or `en`.
    pub language: String,
}

/// Asks to change the e-mail address: a code goes to the new address; the old one
/// stays until the code is typed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    pub email: String,
    /// The current password: an account is taken over through its e-mail.
    pub current_password: String,
}

/// Asks to change the phone number: a code by SMS, where the server can send one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PhoneChangeRequest {
    pub phone: String,
}

/// The code sent to the new address or number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConfirmContactRequest {
    /// Six digits; spaces and dashes do not matter.
    pub code: String,
}

/// A change waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactChangePending {
    /// The new address or number (normalised), where the code went.
    pub sent_to: String,
    /// When the code stops working (RFC 3339).
    pub expires_at: String,
}
