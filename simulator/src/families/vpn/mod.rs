//! vpn: the seed-000 "Provisioning API" of a VPN/security client sold by a carrier.
//!
//! # Layout
//! - `endpoints`: the table (routing and documentation);
//! - `handlers`: one function per operation;
//! - `model`: wire types and the validation rules that turn them into domain types;
//! - `errors`: [`VpnError`], the family's statuses and JSON error body;
//! - `state`: tenants, subscribers, devices, the licence cap and device links (shared with
//!   the vpn-daemon family and the control plane).

pub mod endpoints;
pub mod errors;
pub mod handlers;
pub mod model;
pub mod state;

use std::sync::Arc;

pub use errors::VpnError;

use crate::config::Limits;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::contract::{FamilyDoc, SecurityDoc};
use crate::http::endpoint::{Endpoint, Family};
use crate::sim::Sim;
use state::{TenantIdx, VpnState};

/// The vpn listener's view of the simulation.
pub struct VpnFamily {
    sim: Arc<Sim>,
}

impl VpnFamily {
    pub fn new(sim: Arc<Sim>) -> Self {
        VpnFamily { sim }
    }

    pub fn state(&self) -> &VpnState {
        &self.sim.vpn
    }

    pub fn limits_ref(&self) -> &Limits {
        &self.sim.limits
    }
}

impl Family for VpnFamily {
    type Principal = TenantIdx;
    type Error = VpnError;
    const NAME: &'static str = "vpn";

    fn endpoints() -> &'static [Endpoint<Self>] {
        endpoints::ENDPOINTS
    }

    fn doc() -> FamilyDoc {
        FamilyDoc {
            title: "vpn: Provisioning API (seed 000)",
            description: DESCRIPTION,
            base_path: "",
            security: &[
                SecurityDoc::Bearer { name: "bearerKey" },
                SecurityDoc::QueryKey { name: "accessToken", param: "access_token" },
            ],
        }
    }

    /// `Authorization: Bearer <key>`, else `?access_token=<key>`. A present but unknown
    /// credential is refused rather than skipped, so a typo never silently falls through.
    fn authenticate(&self, call: &Call<'_>) -> Result<TenantIdx, VpnError> {
        let key = match call.header("authorization") {
            Some(value) => bearer_token(value).ok_or(VpnError::Forbidden)?.to_owned(),
            None => call.query_param("access_token").ok_or(VpnError::Forbidden)?.into_owned(),
        };
        self.state().tenant_by_key(&key).ok_or(VpnError::Forbidden)
    }

    fn render_error(&self, error: VpnError, _call: &Call<'_>) -> Response {
        error.into_response()
    }

    fn limits(&self) -> &Limits {
        &self.sim.limits
    }
}

/// The family's description in its OpenAPI document.
const DESCRIPTION: &str = "\
The subscriber Provisioning API of a carrier-sold VPN/security client (seed 000; the \
platform resembles AnchorFree's partner API, where a licence caps a user's devices).

provsim's documented choices where the seed is silent:

- Every error is `{\"status\", \"error\", \"message\", \"field\"?}`: the seed's status title \
and wording, naming the field and the rule.
- Checks run in this order: route (404/405) → declared body size (413) → credentials (403) \
→ content type (415) → body (413/400) → field rules (400) → state (404/409/507). A \
rejected request changes nothing.
- `order` and `license_key` are unique per tenant; `name` (`id_hub@ob`) is not unique.
- A subscriber holds at most `bundle.licenses` active devices. Devices are activated through \
provsim's control plane (a client login on the real platform); at the cap activation is \
refused with 409. Deleting a device frees its slot at once; lowering `licenses` below the \
current number keeps every device and refuses new ones.
- Another tenant's subscriber is 404 (no existence leak).
- `user_id` is a 10-digit decimal string; device ids are 12 upper-case hex digits.
- Listener limits answer in the same error format: 413 (body over max_body_bytes), 414 \
(target over max_uri_bytes), 431 (headers over max_header_bytes or max_headers), 503 \
(max_connections_per_listener reached).";

/// The token of `Bearer <token>` (scheme case-insensitive, as RFC 7235 says).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer_token("Bearer vpn-demo-key"), Some("vpn-demo-key"));
        assert_eq!(bearer_token("bearer  vpn-demo-key "), Some("vpn-demo-key"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("vpn-demo-key"), None);
    }
}
