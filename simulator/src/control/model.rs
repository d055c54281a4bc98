//! Control-plane request and response bodies.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::families::vpn::model::{DeviceKind, TEXT_PATTERN};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok` once every listener accepts connections.
    pub status: String,
    /// Family name → bound `ip:port`.
    pub listeners: BTreeMap<String, String>,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ResetDone {
    pub status: String,
}

/// Body of `POST /_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateDeviceRequest {
    #[serde(rename = "type")]
    pub kind: DeviceKind,
    /// The device's name (default `My Desktop` / `My Phone`): 1 to 64 characters, not only
    /// whitespace, no control characters.
    #[serde(default)]
    #[schemars(length(min = 1, max = 64), regex(pattern = TEXT_PATTERN))]
    pub name: Option<String>,
    /// Hex id (1 to 16 digits) to use instead of a generated one; unique across tenants.
    #[serde(default)]
    #[schemars(regex(pattern = "^[0-9A-Fa-f]{1,16}$"))]
    pub device_id: Option<String>,
}

/// A device's link after connect/disconnect.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LinkView {
    pub device_id: String,
    /// `CONNECTED` or `DISCONNECTED`, as the daemon reports it.
    pub connect_state: String,
    /// Length of the current (or last) session on the simulated clock.
    pub session_ms: i64,
}

/// `GET /_sim/clock` and the answer of every clock change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ClockView {
    /// RFC 3339, UTC, milliseconds.
    #[schemars(extend("x-volatile" = true))]
    pub now: String,
    #[schemars(extend("x-volatile" = true))]
    pub epoch_ms: i64,
    /// `real` (wall clock plus an offset) or `fixed` (moves only when advanced).
    pub mode: String,
}

/// Body of `PUT /_sim/clock`: exactly one of `now` (freeze there) and `mode`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum SetClockRequest {
    /// Freeze the clock at this RFC 3339 instant (not earlier than the simulated time).
    At {
        #[schemars(extend("format" = "date-time"))]
        now: String,
    },
    /// `real`: follow real time from the current simulated instant; `fixed`: freeze now.
    Mode { mode: ClockModeName },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClockModeName {
    Real,
    Fixed,
}

/// Body of `POST /_sim/clock/advance`: exactly one of `seconds` and `ms`, at most ten years.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum AdvanceClockRequest {
    Seconds {
        #[schemars(range(max = 316_224_000))]
        seconds: u64,
    },
    Ms {
        #[schemars(range(max = 316_224_000_000u64))]
        ms: u64,
    },
}

/// Body of `POST /_sim/exotel/tokens/verify`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyTokenRequest {
    /// A subscriber token (refresh or access) as the Exotel family issued it.
    pub token: String,
}

/// Answer of `POST /_sim/exotel/tokens/verify`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TokenVerdictView {
    /// True only when `reason` is `ok`.
    pub valid: bool,
    /// `ok`, `expired` (on the simulated clock), `bad_signature` or `malformed`.
    pub reason: String,
    /// The account whose secret signed the token; null for `bad_signature` and `malformed`.
    pub account_sid: Option<String>,
    /// The verified claims (also for an expired token); null otherwise.
    pub claims: Option<crate::families::exotel::tokens::Claims>,
}

/// Body of `PUT /_sim/exotel/accounts/{sid}/rate-limit`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitRequest {
    /// Requests admitted per one-minute window; 0 turns limiting off.
    #[schemars(range(max = 4_294_967_295u32))]
    pub requests_per_minute: u32,
}

/// An Exotel account's rate limit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RateLimitView {
    pub account_sid: String,
    pub requests_per_minute: u32,
}
