//! Control-plane errors.

use http::{Method, StatusCode};

use crate::http::Response;
use crate::http::endpoint::Rejection;
use crate::http::reply;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("the simulator is still starting")]
    Starting,
    #[error("{field}: {rule}")]
    InvalidField { field: String, rule: String },
    #[error("the request body is not JSON: {detail}")]
    MalformedBody { detail: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("No control operation at {path}")]
    RouteNotFound { path: String },
    #[error("Only {} allowed here", allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(" & "))]
    MethodNotAllowed { allowed: Vec<Method> },
    #[error("The request body is larger than max_body_bytes ({max_body_bytes} bytes)")]
    PayloadTooLarge { max_body_bytes: usize },
    #[error("Content-Type {content_type} is not supported; send application/json")]
    UnsupportedMediaType { content_type: String },
    /// Over a listener limit (414, 431, 503); the message names the limit.
    #[error("{message}")]
    OverLimit { status: StatusCode, message: String },
}

impl ControlError {
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        ControlError::InvalidField { field: field.into(), rule: rule.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ControlError::Starting => StatusCode::SERVICE_UNAVAILABLE,
            ControlError::InvalidField { .. } | ControlError::MalformedBody { .. } => {
                StatusCode::BAD_REQUEST
            }
            ControlError::NotFound(_) | ControlError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            ControlError::Conflict(_) => StatusCode::CONFLICT,
            ControlError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ControlError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ControlError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ControlError::OverLimit { status, .. } => *status,
        }
    }

    pub fn into_response(self) -> Response {
        reply::plain_error(self.status(), self.to_string())
    }
}

impl From<Rejection> for ControlError {
    fn from(rejection: Rejection) -> Self {
        match rejection {
            Rejection::NotFound { path } => ControlError::RouteNotFound { path },
            Rejection::MethodNotAllowed { allowed } => ControlError::MethodNotAllowed { allowed },
            Rejection::PayloadTooLarge { max_body_bytes } => {
                ControlError::PayloadTooLarge { max_body_bytes }
            }
            Rejection::UnsupportedMediaType { content_type } => {
                ControlError::UnsupportedMediaType { content_type }
            }
            Rejection::MalformedJson { detail } => ControlError::MalformedBody { detail },
            Rejection::OverLimit { status, message } => ControlError::OverLimit { status, message },
            Rejection::InvalidField { field, detail } => {
                ControlError::InvalidField { field, rule: detail }
            }
        }
    }
}
