//! [`Sim`]: everything the listeners share — clock, limits, seed and every family's state.

use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::clock::SimClock;
use crate::config::{FamilyId, Limits};
use crate::families::exotel::state::{ExotelFixtureError, ExotelState};
use crate::families::vpn::state::{VpnFixtureError, VpnState};
use crate::fixtures::Fixture;

/// A fixture some family refuses; reported at startup with the family, tenant and record.
#[derive(Debug, thiserror::Error)]
pub enum FixtureInvalid {
    #[error(transparent)]
    Vpn(#[from] VpnFixtureError),
    #[error(transparent)]
    Exotel(#[from] ExotelFixtureError),
}

pub struct Sim {
    pub clock: SimClock,
    pub limits: Limits,
    pub seed: u64,
    pub vpn: VpnState,
    pub exotel: ExotelState,
    /// Set once every listener is bound and accepting; until then health answers 503.
    listeners: OnceLock<Vec<(FamilyId, SocketAddr)>>,
}

impl Sim {
    /// Builds the simulation from a fixture.
    ///
    /// # Errors
    /// The fixture breaks a rule (reported with the tenant and record at fault).
    pub fn new(
        fixture: Fixture,
        limits: Limits,
        seed: u64,
        clock: SimClock,
    ) -> Result<Sim, FixtureInvalid> {
        let vpn = VpnState::new(
            fixture.vpn.bundles,
            fixture.vpn.tenants,
            seed,
            limits.max_subscribers_per_tenant,
        )?;
        let exotel =
            ExotelState::new(fixture.exotel.accounts, seed, limits.max_subscribers_per_account)?;
        let sim = Sim { clock, limits, seed, vpn, exotel, listeners: OnceLock::new() };
        sim.reset()?;
        Ok(sim)
    }

    /// Back to the fixture: same ids, same random streams, devices connected from now.
    ///
    /// # Errors
    /// Only for a fixture `Sim::new` would have refused.
    pub fn reset(&self) -> Result<(), FixtureInvalid> {
        self.vpn.reset_to_fixture(self.clock.now_ms())?;
        self.exotel.reset_to_fixture(self.clock.now_s())?;
        Ok(())
    }

    /// Records the bound listeners; called once they all accept connections.
    pub fn set_listeners(&self, listeners: Vec<(FamilyId, SocketAddr)>) {
        let _ = self.listeners.set(listeners);
    }

    /// Bound listeners, or `None` while starting.
    pub fn listeners(&self) -> Option<&[(FamilyId, SocketAddr)]> {
        self.listeners.get().map(Vec::as_slice)
    }
}
