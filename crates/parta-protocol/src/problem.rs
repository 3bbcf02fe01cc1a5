use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An RFC 9457 problem document. `code` is stable and meant for programs;
/// `detail` is for people, in Russian unless `Accept-Language` prefers English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One rejected field of a request body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub detail: String,
}
