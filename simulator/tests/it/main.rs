//! Black-box tests: each test starts a whole simulator in-process on port 0 (so tests run in
//! parallel without port clashes) and speaks HTTP to it over real sockets.
//!
//! One test binary for every family (see matklad, "Delete Cargo Integration Tests"): one link
//! step, one place for the helpers.

mod conform;
mod control;
mod daemon;
mod exotel;
mod limits;
mod openapi;
mod support;
mod vpn;
