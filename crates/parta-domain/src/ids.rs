//! Typed ids: a `ClassId` can never be passed where a `UserId` is expected.
//! They are database row ids; every read of a private object is authorized, so
//! guessing one gains nothing ("absent" and "forbidden" answer the same).

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    UserId,
    OrgId,
    UnitId,
    ClassId,
    MembershipId,
    InviteId,
    JoinRequestId,
    ApplicationId,
    FileId,
    SessionId,
    AuditEntryId,
    ChatId,
    MessageId,
    YearId,
    SubjectId,
    GroupId,
    AssignmentId,
    LessonId,
    OverrideId,
    GradeId,
    GradeTypeId,
    SubmissionId,
    CallId,
    OrderId,
    IndividualId,
    AuthorityId,
    NotificationId,
);
