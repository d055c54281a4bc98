//! The control-plane endpoint table.

use http::Method;

use super::ControlFamily;
use super::handlers;
use crate::http::endpoint::{BodyKind, Endpoint, doc};

pub static ENDPOINTS: &[Endpoint<ControlFamily>] = &[
    Endpoint {
        method: Method::GET,
        path: "/_sim/health",
        operation_id: "health",
        summary: "Health, with each family's bound address",
        body: BodyKind::None,
        responses: &[doc(200, "Every listener accepts connections"), doc(503, "Still starting")],
        handler: handlers::health,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/reset",
        operation_id: "reset",
        summary: "Back to the fixture (same ids and random streams as at start)",
        body: BodyKind::None,
        responses: &[doc(200, "Reset done")],
        handler: handlers::reset,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices",
        operation_id: "activateVpnDevice",
        summary: "Activate a device for a vpn subscriber (what a client login does)",
        body: BodyKind::Json,
        responses: &[
            doc(201, "The activated device, connected"),
            doc(400, "Invalid type, name or device_id"),
            doc(404, "Unknown tenant or subscriber"),
            doc(409, "The subscriber is at its licence cap, or device_id is taken"),
        ],
        handler: handlers::activate_device,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/devices/{device_id}/connect",
        operation_id: "connectVpnDevice",
        summary: "Connect a device (a new session starts with zero counters)",
        body: BodyKind::None,
        responses: &[doc(200, "The device's link"), doc(404, "Unknown device")],
        handler: handlers::connect_device,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/devices/{device_id}/disconnect",
        operation_id: "disconnectVpnDevice",
        summary: "Disconnect a device (counters freeze)",
        body: BodyKind::None,
        responses: &[doc(200, "The device's link"), doc(404, "Unknown device")],
        handler: handlers::disconnect_device,
    },
    Endpoint {
        method: Method::GET,
        path: "/_sim/clock",
        operation_id: "getClock",
        summary: "The simulated clock",
        body: BodyKind::None,
        responses: &[doc(200, "The clock")],
        handler: handlers::get_clock,
    },
    Endpoint {
        method: Method::PUT,
        path: "/_sim/clock",
        operation_id: "setClock",
        summary: "Freeze the clock at an instant, or let it follow real time",
        body: BodyKind::Json,
        responses: &[
            doc(200, "The clock"),
            doc(400, "Neither or both of now and mode, or now is not RFC 3339"),
            doc(409, "now is earlier than the current simulated time"),
        ],
        handler: handlers::set_clock,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/clock/advance",
        operation_id: "advanceClock",
        summary: "Move the clock forward",
        body: BodyKind::Json,
        responses: &[doc(200, "The clock"), doc(400, "Give exactly one of seconds and ms")],
        handler: handlers::advance_clock,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/exotel/tokens/verify",
        operation_id: "verifyExotelToken",
        summary: "Verify an Exotel subscriber token (signature and expiry on the simulated clock)",
        body: BodyKind::Json,
        responses: &[
            doc(200, "{valid, reason: ok|expired|bad_signature|malformed, account_sid, claims}"),
            doc(400, "No token string in the body"),
        ],
        handler: handlers::verify_exotel_token,
    },
    Endpoint {
        method: Method::PUT,
        path: "/_sim/exotel/accounts/{sid}/rate-limit",
        operation_id: "setExotelRateLimit",
        summary: "Set an Exotel account's requests per minute (0 = unlimited) until the next reset",
        body: BodyKind::Json,
        responses: &[
            doc(200, "{account_sid, requests_per_minute}"),
            doc(400, "requests_per_minute is not a non-negative integer"),
            doc(404, "No Exotel account with this SID"),
        ],
        handler: handlers::set_exotel_rate_limit,
    },
];
