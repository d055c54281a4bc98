//! The control plane (`/_sim/*` on port 8100): what the vendor APIs cannot do but a tester
//! needs — health, reset, simulated devices and the clock. Plain JSON in and out; errors are
//! `{"status", "error", "message"}`.

pub mod endpoints;
pub mod errors;
pub mod handlers;
pub mod model;

use std::sync::Arc;

pub use errors::ControlError;

use crate::config::Limits;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::contract::FamilyDoc;
use crate::http::endpoint::{Endpoint, Family};
use crate::sim::Sim;

pub struct ControlFamily {
    sim: Arc<Sim>,
}

impl ControlFamily {
    pub fn new(sim: Arc<Sim>) -> Self {
        ControlFamily { sim }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }
}

impl Family for ControlFamily {
    /// The control plane binds loopback by default and takes no credentials: it is the
    /// tester's own tool, like the simulator process itself.
    type Principal = ();
    type Error = ControlError;
    const NAME: &'static str = "control";

    fn endpoints() -> &'static [Endpoint<Self>] {
        endpoints::ENDPOINTS
    }

    fn doc() -> FamilyDoc {
        FamilyDoc {
            title: "provsim control plane",
            description: "What the vendor APIs cannot do but a tester needs: health, reset to \
                          the fixture, simulated vpn devices, the simulated clock, Exotel token \
                          verification and rate limits. Plain JSON; errors are \
                          `{\"status\", \"error\", \"message\"}`. No credentials: the \
                          listener binds loopback by default.",
            base_path: "",
            security: &[],
        }
    }

    fn authenticate(&self, _call: &Call<'_>) -> Result<(), ControlError> {
        Ok(())
    }

    fn render_error(&self, error: ControlError, _call: &Call<'_>) -> Response {
        error.into_response()
    }

    fn limits(&self) -> &Limits {
        &self.sim.limits
    }
}
