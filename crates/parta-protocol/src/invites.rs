use parta_domain::{ClassId, InviteId, InviteRole, JoinRequestId, MemberRole, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{ClassRef, PersonRef, SessionCreated};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateInviteRequest {
    pub class_id: ClassId,
    pub role: InviteRole,
    /// Required for a parent link: the student whose parent will join.
    pub child_user_id: Option<UserId>,
    /// Hours until the link stops working, 1 to 8760 (a year). Default 168 (a week).
    pub expires_in_hours: Option<i64>,
    /// How many people can join by it, 1 to 10000. Default 1 for parent links, 50 otherwise.
    pub max_uses: Option<i64>,
    /// Whether joining needs approval; the school's setting when absent.
    pub requires_approval: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invite {
    pub id: InviteId,
    pub class: ClassRef,
    pub role: InviteRole,
    pub child: Option<PersonRef>,
    pub grants_admin: bool,
    pub created_by: Option<PersonRef>,
    pub created_at: String,
    pub expires_at: String,
    pub max_uses: i64,
    pub use_count: i64,
    pub requires_approval: bool,
    pub revoked_at: Option<String>,
    /// `active`, `expired`, `revoked` or `used_up`.
    pub status: String,
}

/// A new link. The token is shown only now: the server keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedInvite {
    pub invite: Invite,
    pub token: String,
    /// Path to open in the web app, e.g. `/join/<token>`.
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SchoolRef {
    pub id: OrgId,
    pub name: String,
    pub short_name: String,
    /// IANA time zone: dates of this school are shown in it.
    pub time_zone: String,
}

/// What a person sees on opening a link, before joining.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitePreview {
    pub school: SchoolRef,
    pub class: ClassRef,
    pub role: InviteRole,
    pub child: Option<PersonRef>,
    pub grants_admin: bool,
    pub requires_approval: bool,
    pub expires_at: String,
    /// A person's own link from the school's register: who it is for.
    pub for_person: Option<crate::RosterPerson>,
}

/// Registration through an invite link: creates the account and uses the link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub invite_token: String,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    /// A phone number or an e-mail address is required; both may be given.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password: String,
    /// The version of the consent to the processing of personal data the person
    /// agreed to (`GET /api/v1/consent`); by a parent's link, for their child too.
    pub consent_version: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptInviteRequest {
    pub token: String,
    /// By a parent's link: the version of the consent given for the child.
    pub consent_version: Option<String>,
}

/// The consent to the processing of personal data, as it stands now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentText {
    pub version: String,
    /// What a person agrees to for themselves.
    pub text_self: String,
    /// What a parent (legal guardian) agrees to for their child.
    pub text_child: String,
}

/// A consent given: whose data (`self`, or a `child`'s), to which version, when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentGiven {
    pub kind: String,
    pub child: Option<crate::PersonRef>,
    pub version: String,
    pub at: String,
}

/// `joined`: the person is a member now. `pending`: a join request waits for an admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinOutcome {
    pub status: String,
    pub org_id: OrgId,
    pub join_request_id: Option<JoinRequestId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    pub session: SessionCreated,
    pub join: JoinOutcome,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinRequest {
    pub id: JoinRequestId,
    pub person: PersonRef,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: MemberRole,
    pub class: ClassRef,
    pub child: Option<PersonRef>,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DecideJoinRequest {
    pub reason: Option<String>,
}
