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

impl Sim {
    /// A stable hash of every family's client-visible data (see
    /// [`VpnState::fingerprint`] and [`ExotelState::fingerprint`]): equal before and after a
    /// request exactly when the request changed no data. The clock, the seed and the limits
    /// are settings, not data, and are not part of it.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};

        let mut hasher = DefaultHasher::new();
        self.vpn.fingerprint().hash(&mut hasher);
        self.exotel.fingerprint().hash(&mut hasher);
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::vpn::model::{DeviceKind, UserId};

    /// 2026-01-01T00:00:00Z.
    const T0_MS: i64 = 1_767_225_600_000;

    fn demo() -> Sim {
        Sim::new(Fixture::demo(), Limits::default(), 0, SimClock::fixed(T0_MS)).unwrap()
    }

    #[test]
    fn two_simulators_of_one_fixture_have_equal_fingerprints() {
        assert_eq!(demo().fingerprint(), demo().fingerprint());
    }

    #[test]
    fn a_change_in_any_family_changes_the_fingerprint_and_a_reset_restores_it() {
        let sim = demo();
        let start = sim.fingerprint();
        let telefonica = sim.vpn.tenant_by_name("telefonica").unwrap();
        sim.vpn
            .activate_device(telefonica, UserId(1_000_000_001), DeviceKind::Mobile, None, None, 0)
            .unwrap();
        let after_vpn = sim.fingerprint();
        assert_ne!(after_vpn, start);
        let provsim1 = sim.exotel.account_by_sid("provsim1").unwrap();
        sim.exotel.set_requests_per_minute(provsim1, 0);
        assert_ne!(sim.fingerprint(), after_vpn);
        sim.reset().unwrap();
        assert_eq!(sim.fingerprint(), start);
    }
}
