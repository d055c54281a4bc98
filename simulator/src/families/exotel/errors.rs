//! Every way an Exotel request (or one item of a bulk create) can fail.
//!
//! Exotel's v2 platform reports a failure as an envelope whose `response` (or bulk item) is
//! `{"code": <HTTP status>, "error_data": {"code", "message", "description"}, "status":
//! "failure", "data": null}`. [`ExotelError::parts`] is the one place that maps a variant to
//! all four of its wire values; everything else (Display, envelopes, headers) reads from it.
//!
//! Codes come from Exotel's own error table (seed-facts §2): 1000 Not Found, 1001 Mandatory
//! Parameter missing, 1002 Invalid parameter, 1003/1010 Authorization failed, 1004 internal
//! error, 1007 Invalid request body, 1008 Duplicate resource, 1011 unsupported content type.
//! Where Exotel documents a status but no `error_data` code (405, 413, 429), the code is the
//! HTTP status itself: Exotel's v2 error list names rate limiting as plain "429", in the same
//! column as 1003/1004/1007/1010, and inventing a 10xx number would mislead clients that
//! switch on the code.

use http::header::{HeaderName, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Method, StatusCode};
use serde::Serialize;

use crate::http::endpoint::Rejection;

pub const MESSAGE_NOT_FOUND: &str = "Not Found";
pub const MESSAGE_MANDATORY: &str = "Mandatory Parameter missing";
pub const MESSAGE_INVALID: &str = "Invalid parameter";
pub const MESSAGE_AUTHORIZATION: &str = "Authorization failed";
pub const MESSAGE_INTERNAL: &str = "Internal server error";
pub const MESSAGE_BAD_BODY: &str = "Invalid request body,failed parsing";
pub const MESSAGE_DUPLICATE: &str = "Duplicate resource";
pub const MESSAGE_CONTENT_TYPE: &str = "unsupported content type";

/// The realm sent in `WWW-Authenticate` with every 401 (RFC 7235 requires the header).
pub const AUTH_REALM: &str = "Basic realm=\"exotel\"";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExotelError {
    /// No endpoint at this path (router-level).
    RouteNotFound { path: String },
    /// The account has no subscriber with this name.
    SubscriberNotFound,
    /// A mandatory parameter is absent, `null` or empty.
    MissingParameter { parameter: &'static str },
    /// A parameter breaks its rule; the description names the parameter and the rule.
    InvalidParameter { description: String },
    /// A bulk create with more items than the seed allows (nothing is created).
    TooManyInRequest { count: usize, max: usize },
    /// A token was asked for a subscriber marked inactive ("temporary suspension").
    SubscriberInactive,
    /// The account already holds `max_subscribers_per_account` subscribers.
    AccountFull { max: usize },
    /// The path's account SID is not the caller's account (or does not exist at all: the
    /// answer is the same, so SIDs cannot be enumerated).
    ForeignAccount { sid: String },
    /// The body is not JSON, or JSON of the wrong shape (Exotel's Go decoder fails on both).
    MalformedBody { detail: String },
    /// A subscriber with this name already exists in the account.
    DuplicateSubscriber { name: String },
    /// The same name appears earlier in the same bulk request.
    DuplicateInRequest { name: String },
    /// No `Authorization` header.
    MissingCredentials,
    /// An `Authorization` header that is not `Basic base64(key:token)`.
    MalformedCredentials,
    /// Well-formed Basic credentials that match no account.
    WrongCredentials,
    /// A body with a non-JSON `Content-Type`; carries the type as sent.
    UnsupportedContentType { content_type: String },
    /// The path exists but not with this method (router-level; the router adds `Allow`).
    MethodNotAllowed { allowed: Vec<Method> },
    /// The body is over `max_body_bytes` (router-level).
    PayloadTooLarge { max_body_bytes: usize },
    /// The account used up its requests of the current one-minute window.
    RateLimited { requests_per_minute: u32, retry_after_s: u64 },
    /// Over a listener limit (414, 431, 503); the description names the limit. The code is
    /// the status, as for 405 and 413 (Exotel documents none for these).
    OverLimit { status: StatusCode, description: String },
    /// A bug (a JWT that cannot be encoded). No input reaches it; logged loudly if reached.
    Internal { detail: String },
}

/// The four wire values of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorParts {
    pub status: StatusCode,
    /// `error_data.code`.
    pub code: u16,
    /// `error_data.message`.
    pub message: &'static str,
    /// `error_data.description`.
    pub description: String,
}

/// `error_data` as it goes on the wire (keys in the order of the issue's table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorData {
    pub code: u16,
    pub message: &'static str,
    pub description: String,
}

impl ExotelError {
    pub fn invalid(description: impl Into<String>) -> Self {
        ExotelError::InvalidParameter { description: description.into() }
    }

    /// Status, code, message and description of every variant: the single mapping.
    pub fn parts(&self) -> ErrorParts {
        use ExotelError as E;
        let (status, code, message, description) = match self {
            E::RouteNotFound { path } => {
                (StatusCode::NOT_FOUND, 1000, MESSAGE_NOT_FOUND, format!("No API at {path}"))
            }
            E::SubscriberNotFound => {
                (StatusCode::NOT_FOUND, 1000, MESSAGE_NOT_FOUND, "Subscriber not found".into())
            }
            E::MissingParameter { parameter } => (
                StatusCode::BAD_REQUEST,
                1001,
                MESSAGE_MANDATORY,
                format!("{parameter} is mandatory"),
            ),
            E::InvalidParameter { description } => {
                (StatusCode::BAD_REQUEST, 1002, MESSAGE_INVALID, description.clone())
            }
            E::TooManyInRequest { count, max } => (
                StatusCode::BAD_REQUEST,
                1002,
                MESSAGE_INVALID,
                format!(
                    "At most {max} subscribers can be created in a single request; \
                     this request has {count}"
                ),
            ),
            E::SubscriberInactive => {
                (StatusCode::BAD_REQUEST, 1002, MESSAGE_INVALID, "Subscriber is inactive".into())
            }
            E::AccountFull { max } => (
                StatusCode::BAD_REQUEST,
                1002,
                MESSAGE_INVALID,
                format!(
                    "The account already holds max_subscribers_per_account ({max}) \
                     subscribers; delete some first"
                ),
            ),
            E::ForeignAccount { sid } => (
                StatusCode::FORBIDDEN,
                1003,
                MESSAGE_AUTHORIZATION,
                format!("These credentials do not grant access to account {sid}"),
            ),
            E::MalformedBody { detail } => {
                (StatusCode::BAD_REQUEST, 1007, MESSAGE_BAD_BODY, detail.clone())
            }
            E::DuplicateSubscriber { name } => (
                StatusCode::CONFLICT,
                1008,
                MESSAGE_DUPLICATE,
                format!("Subscriber {name} already exists"),
            ),
            E::DuplicateInRequest { name } => (
                StatusCode::CONFLICT,
                1008,
                MESSAGE_DUPLICATE,
                format!("Subscriber {name} appears earlier in this request"),
            ),
            E::MissingCredentials => (
                StatusCode::UNAUTHORIZED,
                1010,
                MESSAGE_AUTHORIZATION,
                "Basic authentication with API key:token is required".into(),
            ),
            E::MalformedCredentials => (
                StatusCode::UNAUTHORIZED,
                1010,
                MESSAGE_AUTHORIZATION,
                "The Authorization header must be Basic base64(API key:token)".into(),
            ),
            E::WrongCredentials => (
                StatusCode::UNAUTHORIZED,
                1010,
                MESSAGE_AUTHORIZATION,
                "Invalid API key or token".into(),
            ),
            E::UnsupportedContentType { content_type } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                1011,
                MESSAGE_CONTENT_TYPE,
                content_type.clone(),
            ),
            E::MethodNotAllowed { allowed } => {
                let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
                (
                    StatusCode::METHOD_NOT_ALLOWED,
                    405,
                    "Method Not Allowed",
                    format!("Allowed methods: {}", names.join(", ")),
                )
            }
            E::PayloadTooLarge { max_body_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                413,
                "Payload Too Large",
                format!("The request body is larger than max_body_bytes ({max_body_bytes} bytes)"),
            ),
            E::RateLimited { requests_per_minute, retry_after_s } => (
                StatusCode::TOO_MANY_REQUESTS,
                429,
                "Too Many Requests",
                format!(
                    "Rate limit of {requests_per_minute} requests per minute exceeded; \
                     retry after {retry_after_s} s"
                ),
            ),
            E::OverLimit { status, description } => (
                *status,
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error"),
                description.clone(),
            ),
            E::Internal { detail } => {
                (StatusCode::INTERNAL_SERVER_ERROR, 1004, MESSAGE_INTERNAL, detail.clone())
            }
        };
        ErrorParts { status, code, message, description }
    }

    pub fn status(&self) -> StatusCode {
        self.parts().status
    }

    pub fn error_data(&self) -> ErrorData {
        let ErrorParts { code, message, description, .. } = self.parts();
        ErrorData { code, message, description }
    }

    /// Headers the error adds to the answer: `Retry-After` on 429 and `WWW-Authenticate` on
    /// 401. (`Allow` on 405 is added by the router.)
    pub fn headers(&self) -> Vec<(HeaderName, String)> {
        match self {
            ExotelError::RateLimited { retry_after_s, .. } => {
                vec![(RETRY_AFTER, retry_after_s.to_string())]
            }
            ExotelError::MissingCredentials
            | ExotelError::MalformedCredentials
            | ExotelError::WrongCredentials => vec![(WWW_AUTHENTICATE, AUTH_REALM.to_owned())],
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for ExotelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = self.parts();
        write!(f, "{} {}: {}", parts.code, parts.message, parts.description)
    }
}

impl std::error::Error for ExotelError {}

impl From<Rejection> for ExotelError {
    fn from(rejection: Rejection) -> Self {
        match rejection {
            Rejection::NotFound { path } => ExotelError::RouteNotFound { path },
            Rejection::MethodNotAllowed { allowed } => ExotelError::MethodNotAllowed { allowed },
            Rejection::PayloadTooLarge { max_body_bytes } => {
                ExotelError::PayloadTooLarge { max_body_bytes }
            }
            Rejection::UnsupportedMediaType { content_type } => {
                ExotelError::UnsupportedContentType { content_type }
            }
            Rejection::MalformedJson { detail } => ExotelError::MalformedBody { detail },
            Rejection::OverLimit { status, message } => {
                ExotelError::OverLimit { status, description: message }
            }
            // The wire types declare every field optional, so "is required" cannot come from
            // them; a wrong JSON type is a decoding failure (1007), as in Exotel's Go decoder
            // ("json: cannot unmarshal number into Go struct field ...").
            Rejection::InvalidField { field, detail } => {
                let field = if field == "." { "the request body".to_owned() } else { field };
                ExotelError::MalformedBody { detail: format!("{field}: {detail}") }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_table_is_reproduced() {
        let cases: Vec<(ExotelError, u16, u16, &str)> = vec![
            (ExotelError::SubscriberNotFound, 404, 1000, "Not Found"),
            (ExotelError::MissingParameter { parameter: "status" }, 400, 1001, MESSAGE_MANDATORY),
            (ExotelError::invalid("x"), 400, 1002, "Invalid parameter"),
            (ExotelError::ForeignAccount { sid: "a".into() }, 403, 1003, "Authorization failed"),
            (ExotelError::MalformedBody { detail: "x".into() }, 400, 1007, MESSAGE_BAD_BODY),
            (ExotelError::DuplicateSubscriber { name: "a".into() }, 409, 1008, MESSAGE_DUPLICATE),
            (ExotelError::DuplicateInRequest { name: "a".into() }, 409, 1008, MESSAGE_DUPLICATE),
            (ExotelError::WrongCredentials, 401, 1010, "Authorization failed"),
            (
                ExotelError::UnsupportedContentType { content_type: "text/plain".into() },
                415,
                1011,
                "unsupported content type",
            ),
            (
                ExotelError::RateLimited { requests_per_minute: 200, retry_after_s: 7 },
                429,
                429,
                "Too Many Requests",
            ),
        ];
        for (error, status, code, message) in cases {
            let parts = error.parts();
            assert_eq!((parts.status.as_u16(), parts.code, parts.message), (status, code, message));
        }
    }

    #[test]
    fn subscriber_not_found_is_exactly_the_seed_body() {
        let data = serde_json::to_value(ExotelError::SubscriberNotFound.error_data()).unwrap();
        assert_eq!(
            data,
            serde_json::json!({"code": 1000, "message": "Not Found", "description": "Subscriber not found"})
        );
    }

    #[test]
    fn unsupported_content_type_describes_the_type_sent() {
        let error = ExotelError::from(Rejection::UnsupportedMediaType {
            content_type: "text/plain; charset=utf-8".into(),
        });
        assert_eq!(error.error_data().description, "text/plain; charset=utf-8");
    }

    #[test]
    fn wrong_json_types_are_body_failures_naming_the_field() {
        let error = ExotelError::from(Rejection::InvalidField {
            field: "subscribers[0].subscriber_name".into(),
            detail: "invalid type: integer `5`, expected a string".into(),
        });
        let parts = error.parts();
        assert_eq!(parts.code, 1007);
        assert!(parts.description.starts_with("subscribers[0].subscriber_name: "), "{parts:?}");
    }

    #[test]
    fn retry_after_and_www_authenticate_headers() {
        let limited = ExotelError::RateLimited { requests_per_minute: 5, retry_after_s: 42 };
        assert_eq!(limited.headers(), vec![(RETRY_AFTER, "42".to_owned())]);
        assert_eq!(ExotelError::MissingCredentials.headers()[0].0, WWW_AUTHENTICATE);
        assert!(ExotelError::SubscriberNotFound.headers().is_empty());
    }
}
