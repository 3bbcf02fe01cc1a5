use parta_domain::{ApplicationId, FileId, OrgId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::invites::CreatedInvite;

/// The fields of a school application. Sent as `multipart/form-data` together
/// with the director's order as the file part `order` (PDF, PNG or JPEG).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationForm {
    pub school_name: String,
    pub short_name: String,
    pub address: String,
    /// ИНН, 10 digits.
    pub inn: String,
    /// ОГРН, 13 digits.
    pub ogrn: String,
    pub region: String,
    /// IANA time zone, e.g. `Europe/Moscow`, `Asia/Yekaterinburg`.
    pub time_zone: String,
    pub admin_family_name: String,
    pub admin_given_name: String,
    pub admin_patronymic: Option<String>,
    pub admin_email: String,
    pub admin_phone: String,
    /// The education authority the school answers to («управление образования»), if any:
    /// on approval the school joins the authority of exactly this name.
    pub authority: Option<String>,
    #[schema(value_type = String, format = Binary)]
    pub order: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    pub id: FileId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// An image with a smaller preview at `GET /api/v1/files/{id}/thumbnail`.
    #[serde(default)]
    pub has_thumbnail: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Application {
    pub id: ApplicationId,
    pub school_name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub admin_family_name: String,
    pub admin_given_name: String,
    pub admin_patronymic: Option<String>,
    pub admin_email: String,
    pub admin_phone: String,
    /// The education authority the application names, as written.
    pub authority: Option<String>,
    pub order: FileInfo,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reject_reason: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub org_id: Option<OrgId>,
}

/// What the applicant is told after submitting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationReceived {
    pub id: ApplicationId,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectApplicationRequest {
    pub reason: String,
}

/// Approval created the school; `admin_invite` is the one-time link for its first admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationApproved {
    pub application: Application,
    pub org_id: OrgId,
    pub admin_invite: CreatedInvite,
}

/// Corrected contacts of a school's first admin: their new link works for an account
/// with this e-mail or phone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdminContactsRequest {
    pub admin_email: String,
    pub admin_phone: String,
}
