//! The checks a run makes, each derived from the document only.
//!
//! - [`request`]: the requests they send, built from the document's examples;
//! - [`status`]: the example request's answer is documented (status, media type, schema,
//!   required headers);
//! - [`methods`]: undocumented methods answer 405 with the documented `Allow`;
//! - [`auth`]: missing and wrong credentials answer a documented 401/403;
//! - [`negative`]: bodies that break the request schema answer a documented 4xx;
//! - [`snapshot`]: those rejected requests changed nothing a GET can see.

pub mod auth;
pub mod methods;
pub mod negative;
pub mod request;
pub mod snapshot;
pub mod status;

use openapiv3::{ReferenceOr, Response, StatusCode};

use crate::args::Credential;
use crate::client::Client;
use crate::spec::{Api, Op};

/// What every check needs: the document, the client and the user's credentials.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'r, 'a> {
    pub api: &'r Api<'a>,
    pub client: &'r Client,
    pub credentials: &'r [Credential],
}

/// The response an operation documents for a status: the exact code, else its range
/// (`4XX`), else `default`.
pub fn documented_response<'a>(op: &Op<'a>, status: u16) -> Option<&'a ReferenceOr<Response>> {
    let responses = &op.operation.responses;
    responses
        .responses
        .get(&StatusCode::Code(status))
        .or_else(|| responses.responses.get(&StatusCode::Range(status / 100)))
        .or(responses.default.as_ref())
}

/// Whether an operation documents a status (exactly, by range or by `default`).
pub fn documents_status(op: &Op<'_>, status: u16) -> bool {
    documented_response(op, status).is_some()
}

/// The documented statuses as written (`200, 4XX, default`), for messages.
pub fn documented_statuses(op: &Op<'_>) -> String {
    let responses = &op.operation.responses;
    let mut listed: Vec<String> = responses.responses.keys().map(ToString::to_string).collect();
    if responses.default.is_some() {
        listed.push("default".to_owned());
    }
    if listed.is_empty() { "none".to_owned() } else { listed.join(", ") }
}

/// Whether a status is a documented client error (what a rejected request must answer).
pub fn is_documented_4xx(op: &Op<'_>, status: u16) -> bool {
    (400..500).contains(&status) && documents_status(op, status)
}
