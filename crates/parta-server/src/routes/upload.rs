//! Reading `multipart/form-data` uploads: text fields and one file part, with the
//! limits and problem answers every upload shares. Small files (photos, orders,
//! bundles read at once) are read into memory; members' files are written to blob
//! storage chunk by chunk as they arrive (`stream_form`).

use std::collections::HashMap;

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};

use sha2::Digest;

use crate::actions::applications::Upload;
use crate::blobs::{BlobWriter, new_key};
use crate::error::{Error, Result};
use crate::state::AppState;

/// Longest accepted text field of a form.
pub const TEXT_FIELD_MAX_BYTES: usize = 4096;

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn multipart_error(error: MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge
    } else {
        Error::BadRequest("multipart_invalid")
    }
}

/// A submitted form: its text fields and the file sent as `file_part`, if any.
pub struct Form {
    pub text: HashMap<String, String>,
    pub file: Option<Upload>,
}

impl Form {
    pub fn take(&mut self, name: &str) -> String {
        self.text.remove(name).unwrap_or_default()
    }
}

/// Reads a multipart request: 415 when it is not multipart, 413 when the file is over
/// `max_file_bytes`, a field error when a text field is too long.
pub async fn read_form(state: &AppState, request: Request, file_part: &str, max_file_bytes: usize) -> Result<Form> {
    if !is_multipart(request.headers()) {
        return Err(Error::UnsupportedMediaType);
    }
    let mut multipart =
        Multipart::from_request(request, state).await.map_err(|_| Error::BadRequest("multipart_invalid"))?;
    let mut form = Form { text: HashMap::new(), file: None };
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == file_part {
            let file_name = field.file_name().unwrap_or(file_part).to_owned();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            if bytes.len() > max_file_bytes {
                return Err(Error::PayloadTooLarge);
            }
            form.file = Some(Upload { file_name, bytes });
        } else if !name.is_empty() {
            let value = field.text().await.map_err(multipart_error)?;
            if value.len() > TEXT_FIELD_MAX_BYTES {
                return Err(Error::field(&name, "too_long"));
            }
            form.text.insert(name, value);
        }
    }
    Ok(form)
}

/// How much of a streamed file's start is kept to judge its type.
const HEAD_BYTES: usize = 4096;

/// A file part already written to blob storage under `key`.
pub struct StoredUpload {
    pub file_name: String,
    pub key: String,
    pub size: u64,
    pub sha256: String,
    /// The file's first bytes, to judge its type by.
    pub head: Vec<u8>,
}

/// A submitted form whose file went straight to storage.
pub struct StreamedForm {
    pub text: HashMap<String, String>,
    pub file: Option<StoredUpload>,
}

/// Reads a multipart request as `read_form` does, but writes the file part to blob
/// storage under a new `key_prefix` key as it arrives: memory holds a chunk, not the
/// file. A file over `max_file_bytes` is given up (413) and leaves nothing stored.
pub async fn stream_form(
    state: &AppState,
    request: Request,
    file_part: &str,
    max_file_bytes: usize,
    key_prefix: &str,
) -> Result<StreamedForm> {
    if !is_multipart(request.headers()) {
        return Err(Error::UnsupportedMediaType);
    }
    let mut multipart =
        Multipart::from_request(request, state).await.map_err(|_| Error::BadRequest("multipart_invalid"))?;
    let mut form = StreamedForm { text: HashMap::new(), file: None };
    let read = async {
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or("").to_owned();
            if name == file_part && form.file.is_none() {
                let file_name = field.file_name().unwrap_or(file_part).to_owned();
                let key = new_key(key_prefix);
                let writer = state.blobs.create(&key).await.map_err(|e| Error::Internal(e.into()))?;
                let mut stored = StoredUpload { file_name, key, size: 0, sha256: String::new(), head: Vec::new() };
                write_part(&mut field, writer, &mut stored, max_file_bytes).await?;
                form.file = Some(stored);
            } else if !name.is_empty() {
                let value = field.text().await.map_err(multipart_error)?;
                if value.len() > TEXT_FIELD_MAX_BYTES {
                    return Err(Error::field(&name, "too_long"));
                }
                form.text.insert(name, value);
            }
        }
        Ok(())
    };
    match read.await {
        Ok(()) => Ok(form),
        Err(error) => {
            if let Some(stored) = form.file {
                discard(state, &stored.key).await;
            }
            Err(error)
        }
    }
}

/// Copies one file part into a new object, counting, hashing and keeping its head.
async fn write_part(
    field: &mut axum::extract::multipart::Field<'_>,
    mut writer: Box<dyn BlobWriter>,
    stored: &mut StoredUpload,
    max_file_bytes: usize,
) -> Result<()> {
    let mut hasher = sha2::Sha256::new();
    let copied = async {
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            stored.size += chunk.len() as u64;
            if stored.size > max_file_bytes as u64 {
                return Err(Error::PayloadTooLarge);
            }
            if stored.head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - stored.head.len()).min(chunk.len());
                stored.head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            writer.write(&chunk).await.map_err(|e| Error::Internal(e.into()))?;
        }
        Ok(())
    };
    match copied.await {
        Ok(()) => {
            writer.finish().await.map_err(|e| Error::Internal(e.into()))?;
            stored.sha256 = crate::secrets::hex(&hasher.finalize());
            Ok(())
        }
        Err(error) => {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(error = %abort, "an unfinished upload could not be given up");
            }
            Err(error)
        }
    }
}

/// Removes a stored upload that will not be kept; what fails leaves an orphan, logged.
pub async fn discard(state: &AppState, key: &str) {
    if let Err(error) = state.blobs.delete(key).await {
        tracing::warn!(error = %error, key, "an upload that was not kept could not be removed");
    }
}
