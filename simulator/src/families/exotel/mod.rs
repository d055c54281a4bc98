//! exotel: the seed-001 "IP2IP Calling: Subscriber Management API" of Exotel's v2 platform,
//! envelope for envelope.
//!
//! # Layout
//! - `endpoints`: the table (routing and documentation);
//! - `handlers`: one function per operation;
//! - `model`: wire types and the rules that turn them into domain types;
//! - `errors`: [`ExotelError`], each variant's status, `error_data` code, message and
//!   description;
//! - `envelope`: the `{request_id, method, http_code, [metadata], response}` wrapper of every
//!   answer;
//! - `auth`: HTTP Basic `api_key:api_token`;
//! - `ratelimit`: the per-account one-minute window behind 429;
//! - `tokens`: the HS256 subscriber tokens and their verification;
//! - `paging`: list query parameters and page URIs;
//! - `timestamps`: `2019-11-19T23:14:17+05:30` in the account's offset;
//! - `state`: accounts and their subscribers.
//!
//! # Order of checks
//! The router's (route → 413 → authenticate → 415 → body → handler), where authenticating
//! is, in this order: Basic credentials (401/1010), the account's rate limit (429; every
//! request with valid credentials counts), the path's account SID (403/1003). A request
//! whose credentials are wrong never touches any account's counter.

pub mod auth;
pub mod endpoints;
pub mod envelope;
pub mod errors;
pub mod handlers;
pub mod model;
pub mod paging;
pub mod ratelimit;
pub mod state;
pub mod timestamps;
pub mod tokens;

use std::sync::Arc;

use http::StatusCode;
use serde::Serialize;

pub use errors::ExotelError;

use crate::config::Limits;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::contract::{FamilyDoc, SecurityDoc};
use crate::http::endpoint::{Endpoint, Family};
use crate::http::reply;
use crate::sim::Sim;
use state::{AccountIdx, ExotelState};

/// The exotel listener's view of the simulation.
/// The family's description in its OpenAPI document.
const DESCRIPTION: &str = "\
Exotel's IP2IP Calling Subscriber Management API (seed 001, Exotel's own document), with \
Exotel's v2 envelope on every answer: `{request_id, method, http_code, metadata?, response}`, \
`response` one `{code, error_data, status, data}` or an array of them (bulk create, list).

Error codes: 404/1000 Not Found, 400/1001 Mandatory Parameter missing, 400/1002 Invalid \
parameter, 403/1003 Authorization failed (path SID not the caller's), 400/1007 Invalid \
request body,failed parsing, 409/1008 Duplicate resource (bulk items), 401/1010 Authorization \
failed (Basic credentials), 415/1011 unsupported content type, 429 Too Many Requests (code = \
status where Exotel documents none; also 405 and 413).

Checks run in this order: route (404/405) → declared body size (413) → Basic credentials \
(401) → the account's rate limit (429, default 200 requests/minute) → path SID (403) → \
content type (415) → body (400/1007) → field rules (400/1001/1002) → state (404/409). \
Timestamps are RFC 3339 in the account's UTC offset (default +05:30) from the simulated clock. \
Listener limits answer in the envelope with code = status: 413, 414 (target over \
max_uri_bytes), 431 (headers over max_header_bytes or max_headers), 503 \
(max_connections_per_listener reached).";

pub struct ExotelFamily {
    sim: Arc<Sim>,
}

impl ExotelFamily {
    pub fn new(sim: Arc<Sim>) -> Self {
        ExotelFamily { sim }
    }

    pub fn state(&self) -> &ExotelState {
        &self.sim.exotel
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// A successful answer of `account`, in the envelope, with the account's next request id.
    pub fn reply<R: Serialize, M: Serialize>(
        &self,
        call: &Call<'_>,
        account: AccountIdx,
        status: StatusCode,
        metadata: Option<M>,
        response: R,
    ) -> Response {
        let request_id = self.state().next_request_id(Some(account));
        envelope::render(status, request_id, call.method, metadata, response)
    }

    /// The account of the call's credentials, if they are valid; `None` otherwise. Used to
    /// pick the request-id stream of an error answer.
    fn caller(&self, call: &Call<'_>) -> Option<AccountIdx> {
        let credentials = auth::parse_basic(call.header("authorization")).ok()?;
        self.state().identify(&credentials.api_key, &credentials.api_token)
    }
}

impl Family for ExotelFamily {
    type Principal = AccountIdx;
    type Error = ExotelError;
    const NAME: &'static str = "exotel";

    fn endpoints() -> &'static [Endpoint<Self>] {
        endpoints::ENDPOINTS
    }

    fn doc() -> FamilyDoc {
        FamilyDoc {
            title: "exotel: IP2IP Calling Subscriber Management API (seed 001)",
            description: DESCRIPTION,
            base_path: "",
            security: &[SecurityDoc::Basic { name: "basicAuth" }],
        }
    }

    /// Basic credentials, then the rate limit, then the path's SID; see the module docs.
    fn authenticate(&self, call: &Call<'_>) -> Result<AccountIdx, ExotelError> {
        let credentials = auth::parse_basic(call.header("authorization"))?;
        let state = self.state();
        let account = state
            .identify(&credentials.api_key, &credentials.api_token)
            .ok_or(ExotelError::WrongCredentials)?;
        state.admit(account, self.sim.clock.now_ms())?;
        let sid = call.param("sid");
        if sid != state.sid(account) {
            return Err(ExotelError::ForeignAccount { sid: sid.to_owned() });
        }
        Ok(account)
    }

    fn render_error(&self, error: ExotelError, call: &Call<'_>) -> Response {
        if let ExotelError::Internal { detail } = &error {
            tracing::error!(family = Self::NAME, path = call.path, %detail, "internal error");
        }
        let request_id = self.state().next_request_id(self.caller(call));
        let mut response = envelope::render_error(&error, request_id, call.method);
        for (name, value) in error.headers() {
            reply::set_header(&mut response, name, &value);
        }
        response
    }

    fn limits(&self) -> &Limits {
        &self.sim.limits
    }
}
