//! vpn-daemon errors: plain JSON `{"status", "error", "message"}` (never JSONP: an invalid
//! `func` must not be echoed into a script).

use http::{Method, StatusCode};

use crate::http::Response;
use crate::http::endpoint::Rejection;
use crate::http::reply;

/// Longest `func` accepted.
pub const MAX_FUNC_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "func must be a JavaScript identifier or a dotted path of identifiers \
         (letters, digits, _ and $, not starting with a digit), at most 128 characters"
    )]
    InvalidFunc,
    #[error("device_id must be a hex string of 1 to 16 digits")]
    InvalidDeviceId,
    #[error("device_id names no device of this daemon")]
    UnknownDevice,
    #[error("No status page at {path}")]
    RouteNotFound { path: String },
    #[error("Only {} allowed", allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(" & "))]
    MethodNotAllowed { allowed: Vec<Method> },
    #[error("The request is malformed: {detail}")]
    BadRequest { detail: String },
    #[error("The request body is larger than max_body_bytes ({max_body_bytes} bytes)")]
    PayloadTooLarge { max_body_bytes: usize },
    /// Over a listener limit (414, 431, 503); the message names the limit.
    #[error("{message}")]
    OverLimit { status: StatusCode, message: String },
}

impl DaemonError {
    pub fn status(&self) -> StatusCode {
        match self {
            DaemonError::InvalidFunc
            | DaemonError::InvalidDeviceId
            | DaemonError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            DaemonError::UnknownDevice | DaemonError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            DaemonError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            DaemonError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            DaemonError::OverLimit { status, .. } => *status,
        }
    }

    pub fn into_response(self) -> Response {
        reply::plain_error(self.status(), self.to_string())
    }
}

impl From<Rejection> for DaemonError {
    fn from(rejection: Rejection) -> Self {
        match rejection {
            Rejection::NotFound { path } => DaemonError::RouteNotFound { path },
            Rejection::MethodNotAllowed { allowed } => DaemonError::MethodNotAllowed { allowed },
            Rejection::PayloadTooLarge { max_body_bytes } => {
                DaemonError::PayloadTooLarge { max_body_bytes }
            }
            Rejection::OverLimit { status, message } => DaemonError::OverLimit { status, message },
            // The daemon reads no bodies; these cannot occur, but map them to a plain 400.
            Rejection::UnsupportedMediaType { content_type } => DaemonError::BadRequest {
                detail: format!("unexpected body of type {content_type}"),
            },
            Rejection::MalformedJson { detail } | Rejection::InvalidField { detail, .. } => {
                DaemonError::BadRequest { detail }
            }
        }
    }
}

/// `cb`, `app.status`, `$jsonp_12`: ASCII identifiers joined by dots. Anything else (quotes,
/// parentheses, spaces, `alert(1)//`) is refused, which is what keeps the answer a plain
/// function call and not a script of the caller's choosing.
pub fn is_valid_func(func: &str) -> bool {
    func.len() <= MAX_FUNC_CHARS
        && func.split('.').all(|segment| {
            let mut bytes = segment.bytes();
            matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$')
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        })
}

#[cfg(test)]
mod tests {
    use super::is_valid_func;

    #[test]
    fn identifiers_and_dotted_paths_are_valid() {
        for ok in ["returnFunctionName", "cb", "_x", "$", "jQuery123_456", "app.status.cb", "a$.b_"]
        {
            assert!(is_valid_func(ok), "{ok}");
        }
    }

    #[test]
    fn anything_scriptable_is_refused() {
        for bad in [
            "",
            "1cb",
            "a..b",
            ".a",
            "a.",
            "alert(1)",
            "a b",
            "a;b",
            "a-b",
            "a\"",
            "é",
            "a\u{2028}",
            "cb//",
            "x=1",
        ] {
            assert!(!is_valid_func(bad), "{bad:?}");
        }
        assert!(!is_valid_func(&"a".repeat(129)));
        assert!(is_valid_func(&"a".repeat(128)));
    }
}
