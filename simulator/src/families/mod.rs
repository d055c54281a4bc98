//! The API families. Each is a folder with `endpoints` (its table), `handlers`, `errors`
//! (its error enum and wire format) and whatever model and state it needs.

pub mod exotel;
pub mod vpn;
pub mod vpn_daemon;
