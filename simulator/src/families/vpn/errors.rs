//! Every way a vpn request can fail, each with its status and message.
//!
//! The wire format is one JSON object for every error of the family:
//! `{"status": 409, "error": "Conflict", "message": "order already exists in our database",
//! "field": "order"}` — `error` is the seed's status title, `message` the seed's wording with
//! the field and rule named, `field` present only when one field is at fault.

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::http::Response;
use crate::http::endpoint::Rejection;
use crate::http::reply;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VpnError {
    /// No or unknown tenant key.
    #[error("Access Forbidden")]
    Forbidden,
    /// A field breaks its rule.
    #[error("{field} {rule}")]
    InvalidField { field: String, rule: String },
    /// The body is not JSON.
    #[error("Params are not well formed: {detail}")]
    MalformedBody { detail: String },
    /// The path `user_id` is not in the documented format (`UserId::PATTERN`).
    #[error(
        "user_id must conform to agreed format: a positive decimal integer of at most 18 digits"
    )]
    MalformedUserId,
    #[error("This user_id does not exist in our database")]
    SubscriberNotFound,
    #[error("This device_id does not exist in our database")]
    DeviceNotFound,
    #[error("order already exists in our database")]
    OrderExists,
    #[error("license_key already exists in our database")]
    LicenseKeyExists,
    #[error("This device_id does not belong to the specified user_id")]
    DeviceOfAnotherSubscriber,
    #[error("No REST endpoint at {path}")]
    RouteNotFound { path: String },
    /// Message built from the allowed methods, as the seed words it per endpoint.
    #[error("Only {} allowed for this REST endpoint", allowed_phrase(.allowed))]
    MethodNotAllowed { allowed: Vec<Method> },
    #[error("The request body is larger than max_body_bytes ({max_body_bytes} bytes)")]
    PayloadTooLarge { max_body_bytes: usize },
    #[error("Content-Type {content_type} is not supported; send application/json")]
    UnsupportedMediaType { content_type: String },
    /// Over a listener limit (414, 431, 503); the message names the limit.
    #[error("{message}")]
    OverLimit { status: StatusCode, message: String },
    /// The tenant holds `max_subscribers_per_tenant` subscribers already.
    #[error("The tenant already holds max_subscribers_per_tenant ({max}) subscribers")]
    TenantFull { max: usize },
}

/// The JSON body of every vpn error.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ErrorBody {
    /// The HTTP status, repeated.
    pub status: u16,
    /// The seed's title for the status (`Access Forbidden`, `Conflict`, ...).
    pub error: String,
    /// The seed's wording, naming the field and the rule where one is at fault.
    pub message: String,
    /// The field at fault, as a dotted path (`bundle.licenses`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl VpnError {
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        VpnError::InvalidField { field: field.into(), rule: rule.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            VpnError::Forbidden => StatusCode::FORBIDDEN,
            VpnError::InvalidField { .. }
            | VpnError::MalformedBody { .. }
            | VpnError::MalformedUserId => StatusCode::BAD_REQUEST,
            VpnError::SubscriberNotFound
            | VpnError::DeviceNotFound
            | VpnError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            VpnError::OrderExists
            | VpnError::LicenseKeyExists
            | VpnError::DeviceOfAnotherSubscriber => StatusCode::CONFLICT,
            VpnError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            VpnError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            VpnError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            VpnError::TenantFull { .. } => StatusCode::INSUFFICIENT_STORAGE,
            VpnError::OverLimit { status, .. } => *status,
        }
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            VpnError::InvalidField { field, .. } => Some(field),
            VpnError::MalformedUserId | VpnError::SubscriberNotFound => Some("user_id"),
            VpnError::DeviceNotFound | VpnError::DeviceOfAnotherSubscriber => Some("device_id"),
            VpnError::OrderExists => Some("order"),
            VpnError::LicenseKeyExists => Some("license_key"),
            _ => None,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let status = self.status();
        ErrorBody {
            status: status.as_u16(),
            error: status_title(status).into(),
            message: self.to_string(),
            field: self.field().map(str::to_owned),
        }
    }

    pub fn into_response(self) -> Response {
        reply::json(self.status(), &self.body())
    }
}

impl From<Rejection> for VpnError {
    fn from(rejection: Rejection) -> Self {
        match rejection {
            Rejection::NotFound { path } => VpnError::RouteNotFound { path },
            Rejection::MethodNotAllowed { allowed } => VpnError::MethodNotAllowed { allowed },
            Rejection::PayloadTooLarge { max_body_bytes } => {
                VpnError::PayloadTooLarge { max_body_bytes }
            }
            Rejection::UnsupportedMediaType { content_type } => {
                VpnError::UnsupportedMediaType { content_type }
            }
            Rejection::MalformedJson { detail } => VpnError::MalformedBody { detail },
            Rejection::OverLimit { status, message } => VpnError::OverLimit { status, message },
            Rejection::InvalidField { field, detail } => {
                let rule = match field_rule(&field) {
                    _ if detail == "is required" => detail,
                    Some(rule) => format!("{rule} ({})", type_detail(&detail)),
                    None => detail,
                };
                VpnError::InvalidField { field, rule }
            }
        }
    }
}

/// The rule stated for a field when its JSON type is wrong, so the message says what is
/// expected in the API's terms rather than in Rust's.
fn field_rule(field: &str) -> Option<&'static str> {
    Some(match field {
        "order" | "id_hub" | "ob" | "name" | "locale" | "license_key" => "must be a string",
        "password" => "must be a phone number string",
        "bundle" => "must be an object {\"id\": string, \"licenses\": integer}",
        "bundle.id" => "must be a string",
        "bundle.licenses" => "must be a non-zero positive integer",
        "price" => "must be a valid currency amount",
        _ => return None,
    })
}

/// serde's "invalid type: integer `5`, expected a string" without the Rust-side half.
fn type_detail(detail: &str) -> &str {
    detail.split(", expected").next().unwrap_or(detail)
}

/// The seed's status titles.
fn status_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        403 => "Access Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        507 => "Insufficient Storage",
        _ => "General Server Error",
    }
}

/// "POST is", "POST & DELETE are": the seed's phrasing, made grammatical (the seed itself
/// writes both "are" and "is" for the same pair).
fn allowed_phrase(allowed: &[Method]) -> String {
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", names.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_not_allowed_uses_the_seed_wording() {
        let one = VpnError::MethodNotAllowed { allowed: vec![Method::POST] };
        assert_eq!(one.to_string(), "Only POST is allowed for this REST endpoint");
        let two = VpnError::MethodNotAllowed { allowed: vec![Method::POST, Method::DELETE] };
        assert_eq!(two.to_string(), "Only POST & DELETE are allowed for this REST endpoint");
    }

    #[test]
    fn wrong_json_type_states_the_rule() {
        let error = VpnError::from(Rejection::InvalidField {
            field: "bundle.licenses".into(),
            detail: "invalid type: string \"ten\", expected a number".into(),
        });
        assert_eq!(
            error.to_string(),
            "bundle.licenses must be a non-zero positive integer (invalid type: string \"ten\")"
        );
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.body().field.as_deref(), Some("bundle.licenses"));
    }

    #[test]
    fn missing_field_says_required() {
        let error = VpnError::from(Rejection::InvalidField {
            field: "order".into(),
            detail: "is required".into(),
        });
        assert_eq!(error.to_string(), "order is required");
    }
}
