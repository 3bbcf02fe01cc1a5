use parta_domain::{FileId, OrgId, UserId};
use parta_protocol::FileInfo;
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub org_id: Option<i64>,
    pub storage_key: String,
    pub content_type: String,
    pub size: i64,
    pub original_name: String,
    pub sha256: String,
}

impl FileRow {
    pub fn info(&self) -> FileInfo {
        FileInfo {
            id: FileId(self.id),
            name: self.original_name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
        }
    }
}

pub struct NewFile<'a> {
    pub org: Option<OrgId>,
    pub storage_key: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub original_name: &'a str,
    pub sha256: &'a str,
    pub uploaded_by: Option<UserId>,
}

pub async fn insert(conn: &mut AnyConnection, file: &NewFile<'_>) -> sqlx::Result<FileId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO files (org_id, storage_key, content_type, size, original_name, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(file.org.map(|o| o.0))
    .bind(file.storage_key)
    .bind(file.content_type)
    .bind(file.size)
    .bind(file.original_name)
    .bind(file.sha256)
    .bind(file.uploaded_by.map(|u| u.0))
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(FileId(id))
}

pub async fn get(conn: &mut AnyConnection, id: FileId) -> sqlx::Result<Option<FileRow>> {
    sqlx::query_as("SELECT id, org_id, storage_key, content_type, size, original_name, sha256 FROM files WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await
}
