//! The web client embedded at build time (see `build.rs`): its files by path, and
//! `index.html` for every other page path so client-side routes load the app.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// Whether this binary carries a built web client.
pub fn embedded() -> bool {
    !ASSETS.is_empty()
}

fn find(path: &str) -> Option<&'static [u8]> {
    ASSETS.iter().find(|(key, _)| *key == path).map(|(_, bytes)| *bytes)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Answers a GET for a page or an asset of the client.
pub fn serve(path: &str) -> Response {
    let wanted = path.trim_start_matches('/');
    let (name, bytes) = match find(wanted).filter(|_| !wanted.is_empty()) {
        Some(bytes) => (wanted, bytes),
        // A file that is not there (an old hashed asset) is a 404; a page path gets the app.
        None if wanted.starts_with("assets/") => return StatusCode::NOT_FOUND.into_response(),
        None => match find("index.html") {
            Some(bytes) => ("index.html", bytes),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    // Hashed bundles never change under their name; the page and the service worker must be fresh.
    let cache = if name.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_extension_and_the_api_is_not_a_page() {
        assert_eq!(content_type("assets/index-1a2b.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("manifest.webmanifest"), "application/manifest+json");
        assert_eq!(content_type("weird"), "application/octet-stream");
        // A missing hashed asset is 404, never the app page served as script.
        assert_eq!(serve("/assets/gone-123.js").status(), StatusCode::NOT_FOUND);
    }
}
