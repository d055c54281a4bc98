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
use crate::http::endpoint::Family;
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
    #[error("cannot start the control plane's thread: {0}")]
    ControlThread(std::io::Error),
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
        let rx = shutdown_rx.clone();
        let (bound, task) = match family {
            FamilyId::Control => spawn_control_plane(sim.clone(), addr, rx).await?,
            FamilyId::Vpn => serve_here(VpnFamily::new(sim.clone()), family, addr, rx).await?,
            FamilyId::VpnDaemon => {
                serve_here(DaemonFamily::new(sim.clone()), family, addr, rx).await?
            }
            FamilyId::Exotel => {
                serve_here(ExotelFamily::new(sim.clone()), family, addr, rx).await?
            }
        };
        listeners.push((family, bound));
        tasks.push(task);
    }
    sim.set_listeners(listeners.clone());
    Ok(Running { sim, listeners, shutdown, tasks })
}

/// Serves a vendor family on the caller's runtime, whose workers all vendor listeners share.
async fn serve_here<F: Family>(
    family: F,
    id: FamilyId,
    addr: SocketAddr,
    shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let (listener, bound) =
        bind(addr).await.map_err(|source| StartError::Bind { family: id.name(), addr, source })?;
    Ok((bound, spawn_listener(Arc::new(family), listener, shutdown)?))
}

/// The control plane's thread, as `top -H` and `perf` show it.
pub const CONTROL_THREAD_NAME: &str = "provsim-control";

/// The control plane thread's nice value when the process may raise it (root or
/// `CAP_SYS_NICE`); otherwise it keeps the workers' priority.
pub const CONTROL_THREAD_NICE: i32 = -10;

/// Serves the control plane from a thread and runtime of its own, at a higher priority when
/// allowed, so that health checks and test control never queue behind partner traffic: at
/// the instant 2,000 partner connections closed at once, a health probe waited 5–13 ms
/// behind their tasks on the shared workers (reports/robustness/soak.md). The runtime is
/// built, used and dropped on that thread only (dropping a runtime inside the caller's async
/// context would panic). Returns the bound address, or why the control plane could not
/// start, and a task of the caller's runtime that ends when the control plane has shut down.
async fn spawn_control_plane(
    sim: Arc<Sim>,
    addr: SocketAddr,
    shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let (ready, started) = tokio::sync::oneshot::channel::<Result<SocketAddr, StartError>>();
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new()
        .name(CONTROL_THREAD_NAME.into())
        .spawn(move || {
            match set_thread_nice(CONTROL_THREAD_NICE) {
                Ok(()) => {
                    tracing::debug!(nice = CONTROL_THREAD_NICE, "control plane priority raised")
                }
                Err(error) => tracing::debug!(%error, "control plane keeps the workers' priority"),
            }
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready.send(Err(StartError::ControlThread(error)));
                    return;
                }
            };
            let listening = runtime.block_on(async {
                let (listener, bound) = bind(addr).await.map_err(|source| StartError::Bind {
                    family: FamilyId::Control.name(),
                    addr,
                    source,
                })?;
                let task = spawn_listener(Arc::new(ControlFamily::new(sim)), listener, shutdown)?;
                Ok::<_, StartError>((bound, task))
            });
            match listening {
                Ok((bound, task)) => {
                    let _ = ready.send(Ok(bound));
                    let _ = runtime.block_on(task);
                    let _ = done.send(());
                }
                Err(error) => {
                    let _ = ready.send(Err(error));
                }
            }
        })
        .map_err(StartError::ControlThread)?;
    let bound = match started.await {
        Ok(result) => result?,
        Err(_) => {
            return Err(StartError::ControlThread(std::io::Error::other(
                "the control plane's thread ended before it listened",
            )));
        }
    };
    let waiter = tokio::spawn(async move {
        let _ = finished.await;
    });
    Ok((bound, waiter))
}

/// Sets the calling thread's nice value (Linux: `setpriority` on the thread id). Raising a
/// priority needs root or `CAP_SYS_NICE`; the error says why it was refused.
#[cfg(target_os = "linux")]
pub fn set_thread_nice(nice: i32) -> std::io::Result<()> {
    rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice)
        .map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub fn set_thread_nice(_nice: i32) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}
