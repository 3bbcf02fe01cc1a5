//! Reading `multipart/form-data` uploads: text fields and one file part, with the
//! limits and problem answers every upload shares.

use std::collections::HashMap;

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};

use crate::actions::applications::Upload;
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
