//! vpn-daemon: the device-local status page of seed 000 ("Device Statistics (use JSONP)"),
//! `GET /config/status.js?func=NAME`, answering `NAME({...});`.
//!
//! One simulated daemon serves every device of the vpn family: `device_id` (a documented
//! extension) selects the device; without it the most recently activated device answers, as a
//! single-device daemon would. Counters are a pure function of the session's length on the
//! simulated clock, so they grow while connected, freeze while disconnected and restart from
//! zero on reconnect.

pub mod endpoints;
pub mod errors;
pub mod handlers;
pub mod status;

use std::sync::Arc;

pub use errors::DaemonError;

use crate::config::Limits;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::contract::FamilyDoc;
use crate::http::endpoint::{Endpoint, Family};
use crate::sim::Sim;

pub struct DaemonFamily {
    sim: Arc<Sim>,
}

impl DaemonFamily {
    pub fn new(sim: Arc<Sim>) -> Self {
        DaemonFamily { sim }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }
}

impl Family for DaemonFamily {
    /// The daemon listens on loopback on the user's own machine: no credentials.
    type Principal = ();
    type Error = DaemonError;
    const NAME: &'static str = "vpn-daemon";

    fn endpoints() -> &'static [Endpoint<Self>] {
        endpoints::ENDPOINTS
    }

    fn doc() -> FamilyDoc {
        FamilyDoc {
            title: "vpn-daemon: device status page (seed 000, JSONP)",
            description: "The VPN client's device-local status page (the real client listens on \
                          127.0.0.1:895). provsim serves one simulated daemon for every vpn \
                          device; `device_id` selects one. No credentials: the page is local \
                          to the device. Errors are plain JSON `{\"status\", \"error\", \
                          \"message\"}`, never JSONP.",
            base_path: "",
            security: &[],
        }
    }

    fn authenticate(&self, _call: &Call<'_>) -> Result<(), DaemonError> {
        Ok(())
    }

    fn render_error(&self, error: DaemonError, _call: &Call<'_>) -> Response {
        error.into_response()
    }

    fn limits(&self) -> &Limits {
        &self.sim.limits
    }
}
