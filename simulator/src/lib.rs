//! provsim: a stateful simulator of telecom/ISP provisioning APIs.
//!
//! Partners point unchanged client code at it instead of a vendor's production system; QA
//! teams run conformance suites against it; CI pipelines load it. Each vendor API ("family")
//! is served on its own listener with its exact paths, statuses and wire format.
//!
//! # Layout
//! - [`http`]: the family-agnostic core — endpoint tables, routing, request pipeline,
//!   listeners;
//! - [`families`]: one folder per vendor API (`vpn`, `vpn_daemon`, `exotel`), each with its
//!   table, handlers, errors and state;
//! - [`control`]: the `/_sim` control plane (health, reset, devices, clock, Exotel tokens
//!   and rate limits);
//! - [`sim`]: [`sim::Sim`], the state every listener shares;
//! - [`app`]: starting and stopping a whole simulator;
//! - [`clock`], [`ids`]: the injected clock and seeded randomness;
//! - [`config`], [`fixtures`]: limits, ports and the data the simulator starts with;
//! - [`descriptors`]: the open-file limit and descriptor table sized to those limits;
//! - [`cli`]: the `provsim` command line.

pub mod app;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod config;
pub mod control;
pub mod descriptors;
pub mod families;
pub mod fixtures;
pub mod http;
pub mod ids;
pub mod openapi;
pub mod sim;

#[cfg(test)]
mod tests {
    use crate::control::ControlFamily;
    use crate::families::exotel::ExotelFamily;
    use crate::families::vpn::VpnFamily;
    use crate::families::vpn_daemon::DaemonFamily;
    use crate::http::endpoint::Family;
    use crate::http::router::FamilyRouter;

    /// Every table routes (no repeated method and path, templates valid), every operation id
    /// is unique within its family, and every operation documents at least one 2xx.
    fn check_table<F: Family>() {
        if let Err(error) = FamilyRouter::<F>::new() {
            panic!("{error}");
        }
        let mut ids = std::collections::BTreeSet::new();
        for endpoint in F::endpoints() {
            assert!(
                ids.insert(endpoint.operation_id),
                "{}: operation id {} repeats",
                F::NAME,
                endpoint.operation_id
            );
            assert!(
                endpoint.responses.iter().any(|r| (200..300).contains(&r.status)),
                "{}: {} {} documents no success status",
                F::NAME,
                endpoint.method,
                endpoint.path
            );
        }
    }

    #[test]
    fn tables_are_sound() {
        check_table::<VpnFamily>();
        check_table::<DaemonFamily>();
        check_table::<ControlFamily>();
        check_table::<ExotelFamily>();
    }
}
