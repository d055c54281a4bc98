//! Starting and stopping a whole simulator: build [`Sim`], bind every listener, serve.
//! Used by `provsim serve` and by the black-box tests (on port 0).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::SimClock;
use crate::config::{FamilyId, ServeConfig};
use crate::control::ControlFamily;
use crate::families::exotel::ExotelFamily;
use crate::families::vpn::VpnFamily;
use crate::families::vpn_daemon::DaemonFamily;
use crate::fixtures::Fixture;
use crate::http::router::TableError;
use crate::http::server::{bind, spawn_listener};
use crate::sim::{FixtureInvalid, Sim};

/// A running simulator.
pub struct Running {
    pub sim: Arc<Sim>,
    /// Bound address of each enabled family, in [`FamilyId::ALL`] order.
    pub listeners: Vec<(FamilyId, SocketAddr)>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Fixture(#[from] FixtureInvalid),
    #[error("cannot listen on {addr} for {family}: {source}")]
    Bind { family: &'static str, addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Table(#[from] TableError),
}

impl Running {
    /// The bound address of `family`, if it is enabled.
    pub fn addr(&self, family: FamilyId) -> Option<SocketAddr> {
        self.listeners.iter().find(|(f, _)| *f == family).map(|(_, addr)| *addr)
    }

    /// `http://ip:port` of `family`.
    pub fn url(&self, family: FamilyId) -> Option<String> {
        self.addr(family).map(|addr| format!("http://{addr}"))
    }

    /// Stops accepting, lets in-flight requests finish (up to `shutdown_grace_ms`), returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Builds the simulation and starts one listener per enabled family.
///
/// # Errors
/// An invalid fixture, a port already in use, or an unroutable endpoint table.
pub async fn start(config: &ServeConfig, fixture: Fixture) -> Result<Running, StartError> {
    let clock = match config.clock_start_epoch_ms {
        Some(epoch_ms) => SimClock::fixed(epoch_ms),
        None => SimClock::real(),
    };
    let sim = Arc::new(Sim::new(fixture, config.limits.clone(), config.seed, clock)?);
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut listeners = Vec::new();
    let mut tasks = Vec::new();
    let mut ports = config.ports.clone();
    ports.sort_by_key(|(family, _)| *family);
    for (family, port) in ports {
        let addr = SocketAddr::new(config.bind, port);
        let (listener, bound) = bind(addr).await.map_err(|source| StartError::Bind {
            family: family.name(),
            addr,
            source,
        })?;
        let rx = shutdown_rx.clone();
        let task = match family {
            FamilyId::Control => {
                spawn_listener(Arc::new(ControlFamily::new(sim.clone())), listener, rx)?
            }
            FamilyId::Vpn => spawn_listener(Arc::new(VpnFamily::new(sim.clone())), listener, rx)?,
            FamilyId::VpnDaemon => {
                spawn_listener(Arc::new(DaemonFamily::new(sim.clone())), listener, rx)?
            }
            FamilyId::Exotel => {
                spawn_listener(Arc::new(ExotelFamily::new(sim.clone())), listener, rx)?
            }
        };
        listeners.push((family, bound));
        tasks.push(task);
    }
    sim.set_listeners(listeners.clone());
    Ok(Running { sim, listeners, shutdown, tasks })
}
