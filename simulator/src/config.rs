//! Limits and listener settings, each with its unit in its name.

use std::net::IpAddr;
use std::time::Duration;

/// Limits every listener enforces. Defaults are documented in the README (`Limits`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted; larger bodies get 413 before they are read in full.
    pub max_body_bytes: usize,
    /// A client must finish sending its request head within this time, or the connection is
    /// closed (slowloris protection).
    pub header_read_timeout_ms: u64,
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM before the
    /// listeners close anyway.
    pub shutdown_grace_ms: u64,
    /// Longest request target (path and query) accepted; longer ones answer 414.
    pub max_uri_bytes: usize,
    /// Largest total size of the request's header names and values; larger answers 431.
    pub max_header_bytes: usize,
    /// Most header lines a request may carry; more answer 431.
    pub max_headers: usize,
    /// Connections one listener serves at once. The next connections get a 503 in the
    /// family's format and are closed (at most `max_refusing_connections` at a time are
    /// answered; beyond that they are closed at once), so excess load never piles up.
    pub max_connections_per_listener: usize,
    /// Connections being refused with 503 at once, per listener.
    pub max_refusing_connections: usize,
    /// Subscribers one vpn tenant may hold; the next create answers 507.
    pub max_subscribers_per_tenant: usize,
    /// Characters allowed in a vpn device name.
    pub max_device_name_chars: usize,
    /// Subscribers one Exotel account may hold; further bulk-create items fail with
    /// 400/1002 and a description naming this limit.
    pub max_subscribers_per_account: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            header_read_timeout_ms: 10_000,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 16 * 1024,
            max_headers: 64,
            max_connections_per_listener: 2_048,
            max_refusing_connections: 64,
            shutdown_grace_ms: 5_000,
            max_subscribers_per_tenant: 1_000_000,
            max_device_name_chars: 64,
            max_subscribers_per_account: 100_000,
        }
    }
}

impl Limits {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    /// hyper's own bound on a request head (request line and headers): past it hyper answers
    /// a bare 431 and closes, before any family code runs. Set well above the family-format
    /// limits so that a client just over them still gets the family's own 414 or 431.
    pub fn hard_max_head_bytes(&self) -> usize {
        self.max_uri_bytes + 2 * self.max_header_bytes
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}

/// Which family a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FamilyId {
    Control,
    Vpn,
    VpnDaemon,
    Exotel,
}

impl FamilyId {
    /// Every family, in the order listeners are started and reported.
    pub const ALL: [FamilyId; 4] =
        [FamilyId::Control, FamilyId::Vpn, FamilyId::VpnDaemon, FamilyId::Exotel];

    /// The name used on the command line, in health output and in OpenAPI file names.
    pub fn name(self) -> &'static str {
        match self {
            FamilyId::Control => "control",
            FamilyId::Vpn => "vpn",
            FamilyId::VpnDaemon => "vpn-daemon",
            FamilyId::Exotel => "exotel",
        }
    }

    /// Default port from DESIGN.md.
    pub fn default_port(self) -> u16 {
        match self {
            FamilyId::Control => 8100,
            FamilyId::Vpn => 8101,
            FamilyId::VpnDaemon => 8895,
            FamilyId::Exotel => 8102,
        }
    }

    pub fn from_name(name: &str) -> Option<FamilyId> {
        FamilyId::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Where and what to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: IpAddr,
    /// Port per enabled family (0 = pick a free port). The control plane is always enabled.
    pub ports: Vec<(FamilyId, u16)>,
    pub limits: Limits,
    pub seed: u64,
    /// `Some(ms)` starts the clock frozen at that instant; `None` follows the wall clock.
    pub clock_start_epoch_ms: Option<i64>,
}

impl ServeConfig {
    /// Every family on its default port, on loopback.
    pub fn defaults() -> Self {
        ServeConfig {
            bind: IpAddr::from([127, 0, 0, 1]),
            ports: FamilyId::ALL.iter().map(|f| (*f, f.default_port())).collect(),
            limits: Limits::default(),
            seed: 0,
            clock_start_epoch_ms: None,
        }
    }

    /// Every family on a free port, for tests that run in parallel.
    pub fn ephemeral() -> Self {
        let mut config = ServeConfig::defaults();
        for (_, port) in &mut config.ports {
            *port = 0;
        }
        config
    }
}
