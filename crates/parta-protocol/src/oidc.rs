//! Signing in with OpenID Connect providers the deployment names, and the identities
//! a person has linked to their account.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A provider people may sign in with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OidcProvider {
    /// The slug in `/api/v1/auth/oidc/{id}/…`.
    pub id: String,
    /// What its button says («Региональный ID»).
    pub name: String,
}

/// An identity at a provider linked to the signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OidcLink {
    pub provider: String,
    /// The provider's name, when the deployment still names it.
    pub name: Option<String>,
    /// The contact the provider told (e-mail or phone), as a reminder of which account there.
    pub label: Option<String>,
    pub linked_at: String,
    pub last_used_at: Option<String>,
}

/// Linking a provider: the current password first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OidcLinkRequest {
    pub password: String,
}

/// Where to send the browser to continue at the provider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OidcRedirect {
    pub url: String,
}

/// How a sign-in at a provider ended, for API clients that ask for JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OidcOutcome {
    /// `signed_in`, `linked` or `joined`.
    pub outcome: String,
    /// Where the web client goes next.
    pub location: String,
    /// A new session's token (signed in or joined); the cookie is set too.
    pub token: Option<String>,
}
