use parta_domain::{ClassId, MemberRole, MembershipId, OrgId, SessionId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// A phone number (any usual Russian spelling) or an e-mail address.
    pub login: String,
    pub password: String,
}

/// Answer to a login or registration. The same token is also set as an HttpOnly
/// cookie; a client using the cookie sends `csrf_token` in `X-CSRF-Token` on every
/// request that changes something.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionCreated {
    pub token: String,
    pub csrf_token: String,
    pub user: Me,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CsrfToken {
    pub csrf_token: String,
}

/// A person as peers see them: a name and nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: UserId,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
}

impl PersonRef {
    /// The one way a person's reference is made from stored names, wherever they were read.
    pub fn new(id: UserId, family_name: &str, given_name: &str, patronymic: Option<&str>) -> PersonRef {
        PersonRef {
            id,
            family_name: family_name.to_owned(),
            given_name: given_name.to_owned(),
            patronymic: patronymic.map(str::to_owned),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassRef {
    pub id: ClassId,
    pub name: String,
    /// `class` or `staff_room` («Учительская»).
    pub kind: String,
    pub academic_year: Option<i64>,
}

/// One place a person holds in a school: a role in a class (for a parent: for a child).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Place {
    pub membership_id: MembershipId,
    pub role: MemberRole,
    pub class: ClassRef,
    pub child: Option<PersonRef>,
    pub started_on: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MySchool {
    pub org_id: OrgId,
    pub name: String,
    pub short_name: String,
    pub is_admin: bool,
    pub teacher_verified: bool,
    pub places: Vec<Place>,
    pub class_teacher_of: Vec<ClassRef>,
    /// Sets up the school year: periods, holidays, bells, subjects (admins, the deputy director).
    pub manages_school_year: bool,
    /// What the person may do across the whole school, named as in the server's
    /// permission table (`read_statistics`, `read_school_audit`, `manage_admins`, …):
    /// the console shows what these allow, so the client keeps no copy of the table.
    pub permissions: Vec<String>,
}

/// The signed-in person, with contacts (their own) and every school they belong to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `ru` or `en`: the person's language, for the web client and their letters.
    pub language: String,
    /// Their photo (a 256 × 256 JPEG), when they have one; the URL changes with the photo.
    pub photo_url: Option<String>,
    /// A school of theirs keeps names to its register: the name is changed by its admins.
    pub names_locked: bool,
    pub is_operator: bool,
    pub schools: Vec<MySchool>,
    /// The education authorities the person curates.
    pub authorities: Vec<crate::AuthorityRef>,
    /// The consents to the processing of personal data they gave, the latest first.
    pub consents: Vec<crate::ConsentGiven>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    /// The current password, so a borrowed unlocked phone cannot delete the account.
    pub password: String,
}

/// Sets a password with a one-time code (the operator's first login).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    pub token: String,
    pub password: String,
}

/// Everything a person wrote in Parta's chats, kept for them whatever chats they have
/// left (a graduate's class chats among them): downloaded as a JSON file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessagesExport {
    pub person: PersonRef,
    /// RFC 3339.
    pub exported_at: String,
    /// Oldest first; deleted ones left out.
    pub messages: Vec<ExportedMessage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedMessage {
    /// The school's short name.
    pub school: String,
    pub chat_id: parta_domain::ChatId,
    pub chat_title: String,
    /// RFC 3339.
    pub sent_at: String,
    pub edited_at: Option<String>,
    pub body: String,
    /// The names of the files attached.
    pub files: Vec<String>,
}

/// Asks for a link to set a new password, sent to the account's e-mail. The answer is
/// the same whether an account has that address or not.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// A one-time code a school gives a person without e-mail (a student, a parent) to set
/// a new password with at `/set-password`. Shown once; only its digest is kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignInCode {
    pub person: PersonRef,
    /// `ABCD-EFGH-JKLM`; dashes and case do not matter when typed.
    pub code: String,
    pub expires_at: String,
}
