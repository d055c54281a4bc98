//! Small builders for the responses families send. Families own their formats; these only
//! spare them the `http::Response` boilerplate.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderName, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use super::Response;

pub const APPLICATION_JSON: &str = "application/json";
pub const APPLICATION_JAVASCRIPT: &str = "application/javascript";
pub const TEXT_XML: &str = "text/xml; charset=utf-8";

/// `value` serialized as JSON with the given status.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    // Serializing our own response types cannot fail: they hold no maps with non-string keys
    // and no types with fallible `Serialize` impls. Should that ever change, answer with an
    // empty object rather than panic, and let the tests catch it.
    let mut body = Vec::with_capacity(JSON_BODY_CAPACITY_BYTES);
    if serde_json::to_writer(&mut body, value).is_err() {
        body = b"{}".to_vec();
    }
    with_body(status, APPLICATION_JSON, body)
}

/// First allocation of a JSON answer. `serde_json::to_vec` starts from an empty `Vec` and
/// grows it by doubling, about five reallocations for a typical answer (a device list is
/// 85 bytes, an error 100 to 150); one buffer of this size holds almost every answer at once
/// (issue 6: a few percent of the CPU time of a device list).
const JSON_BODY_CAPACITY_BYTES: usize = 256;

/// A body with an explicit content type.
pub fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A response without a body (204, 405 for families whose 405 has no body).
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// Adds a header whose value is known to be valid ASCII.
pub fn set_header(response: &mut Response, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// The error body of provsim's own JSON families (control plane, vpn-daemon): the status,
/// its reason phrase and a sentence saying what was wrong.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PlainError {
    /// The HTTP status, repeated.
    pub status: u16,
    /// The status's reason phrase.
    pub error: String,
    /// What was wrong, naming the field or parameter at fault.
    pub message: String,
}

/// A [`PlainError`] response.
pub fn plain_error(status: StatusCode, message: String) -> Response {
    let body = PlainError {
        status: status.as_u16(),
        error: status.canonical_reason().unwrap_or("Error").to_owned(),
        message,
    };
    json(status, &body)
}
