//! The control-plane endpoint table.

use http::Method;

use super::ControlFamily;
use super::handlers;
use super::model::{
    ActivateDeviceRequest, AdvanceClockRequest, ClockView, Health, LinkView, RateLimitRequest,
    RateLimitView, ResetDone, SetClockRequest, TokenVerdictView, VerifyTokenRequest,
};
use crate::families::vpn::model::{DeviceId, DeviceView, UserId};
use crate::http::contract::{Param, ParamIn, ParamSchema, schema_of};
use crate::http::endpoint::{BodyKind, Documented, Endpoint, json, json_example};
use crate::http::reply::PlainError;

const fn error(status: u16, description: &'static str) -> Documented {
    json(status, description, schema_of::<PlainError>)
}

const DEVICE_ID: Param = Param {
    name: "device_id",
    location: ParamIn::Path,
    required: true,
    description: "A vpn device id (hex, case-insensitive).",
    schema: ParamSchema::String { pattern: Some(DeviceId::PATTERN), max_length: Some(16) },
    example: "0A1B2C3D4E5F",
};

const CLOCK_EXAMPLE: &str =
    r#"{"now":"2026-01-01T00:00:00Z","epoch_ms":1767225600000,"mode":"fixed"}"#;

pub static ENDPOINTS: &[Endpoint<ControlFamily>] = &[
    Endpoint {
        method: Method::GET,
        path: "/_sim/health",
        operation_id: "health",
        summary: "Health, with each family's bound address",
        description: "200 once every listener accepts connections; scripts wait on it.",
        params: &[],
        body: BodyKind::None,
        responses: &[
            json(200, "Every listener accepts connections", schema_of::<Health>),
            error(503, "Still starting"),
        ],
        links: &[],
        handler: handlers::health,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/reset",
        operation_id: "reset",
        summary: "Back to the fixture (same ids and random streams as at start)",
        description: "Resets every family: vpn tenants and devices, Exotel subscribers, rate \
                      limits and request-id streams. The clock is not rewound.",
        params: &[],
        body: BodyKind::None,
        responses: &[json_example(
            200,
            "Reset done",
            schema_of::<ResetDone>,
            r#"{"status":"reset"}"#,
        )],
        links: &[],
        handler: handlers::reset,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices",
        operation_id: "activateVpnDevice",
        summary: "Activate a device for a vpn subscriber (what a client login does)",
        description: "The device starts connected. Refused with 409 when the subscriber holds \
                      `bundle.licenses` devices already, or when `device_id` is taken by any \
                      tenant.",
        params: &[
            Param {
                name: "tenant",
                location: ParamIn::Path,
                required: true,
                description: "The vpn tenant's name in the fixture.",
                schema: ParamSchema::String { pattern: None, max_length: Some(128) },
                example: "telefonica",
            },
            Param {
                name: "user_id",
                location: ParamIn::Path,
                required: true,
                description: "The subscriber's id.",
                schema: ParamSchema::String {
                    pattern: Some(UserId::PATTERN),
                    max_length: Some(18),
                },
                example: "1000000001",
            },
        ],
        body: BodyKind::Json {
            schema: schema_of::<ActivateDeviceRequest>,
            example: Some(r#"{"type":"mobile","name":"Laura's Phone"}"#),
        },
        responses: &[
            json(201, "The activated device, connected", schema_of::<DeviceView>),
            error(400, "Invalid type, name or device_id"),
            error(404, "Unknown tenant or subscriber"),
            error(409, "The subscriber is at its licence cap, or device_id is taken"),
        ],
        links: &[],
        handler: handlers::activate_device,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/devices/{device_id}/connect",
        operation_id: "connectVpnDevice",
        summary: "Connect a device (a new session starts with zero counters)",
        description: "Connecting a connected device keeps its session.",
        params: &[DEVICE_ID],
        body: BodyKind::None,
        responses: &[
            json(200, "The device's link", schema_of::<LinkView>),
            error(404, "Unknown device"),
        ],
        links: &[],
        handler: handlers::connect_device,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/vpn/devices/{device_id}/disconnect",
        operation_id: "disconnectVpnDevice",
        summary: "Disconnect a device (counters freeze)",
        description: "",
        params: &[DEVICE_ID],
        body: BodyKind::None,
        responses: &[
            json(200, "The device's link", schema_of::<LinkView>),
            error(404, "Unknown device"),
        ],
        links: &[],
        handler: handlers::disconnect_device,
    },
    Endpoint {
        method: Method::GET,
        path: "/_sim/clock",
        operation_id: "getClock",
        summary: "The simulated clock",
        description: "",
        params: &[],
        body: BodyKind::None,
        responses: &[json(200, "The clock", schema_of::<ClockView>)],
        links: &[],
        handler: handlers::get_clock,
    },
    Endpoint {
        method: Method::PUT,
        path: "/_sim/clock",
        operation_id: "setClock",
        summary: "Freeze the clock at an instant, or let it follow real time",
        description: "`{\"now\": RFC 3339}` freezes there (never earlier than the simulated \
                      time: tokens, timestamps and counters rely on a clock that does not go \
                      back); `{\"mode\": \"real\"}` follows real time again from the current \
                      simulated instant; `{\"mode\": \"fixed\"}` freezes now.",
        params: &[],
        body: BodyKind::Json {
            schema: schema_of::<SetClockRequest>,
            example: Some(r#"{"mode":"fixed"}"#),
        },
        responses: &[
            json_example(200, "The clock", schema_of::<ClockView>, CLOCK_EXAMPLE),
            error(400, "Neither or both of now and mode, or now is not RFC 3339"),
            error(409, "now is earlier than the current simulated time"),
        ],
        links: &[],
        handler: handlers::set_clock,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/clock/advance",
        operation_id: "advanceClock",
        summary: "Move the clock forward",
        description: "Exactly one of `seconds` and `ms`; at most ten years at once.",
        params: &[],
        body: BodyKind::Json {
            schema: schema_of::<AdvanceClockRequest>,
            example: Some(r#"{"seconds":60}"#),
        },
        responses: &[
            json(200, "The clock", schema_of::<ClockView>),
            error(400, "Give exactly one of seconds and ms"),
        ],
        links: &[],
        handler: handlers::advance_clock,
    },
    Endpoint {
        method: Method::POST,
        path: "/_sim/exotel/tokens/verify",
        operation_id: "verifyExotelToken",
        summary: "Verify an Exotel subscriber token (signature and expiry on the simulated clock)",
        description: "Lets a partner test its refresh logic: issue a token, advance the clock, \
                      verify it.",
        params: &[],
        body: BodyKind::Json {
            schema: schema_of::<VerifyTokenRequest>,
            example: Some(r#"{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x"}"#),
        },
        responses: &[
            json(200, "The verdict", schema_of::<TokenVerdictView>),
            error(400, "No token string in the body"),
        ],
        links: &[],
        handler: handlers::verify_exotel_token,
    },
    Endpoint {
        method: Method::PUT,
        path: "/_sim/exotel/accounts/{sid}/rate-limit",
        operation_id: "setExotelRateLimit",
        summary: "Set an Exotel account's requests per minute (0 = unlimited) until the next reset",
        description: "",
        params: &[Param {
            name: "sid",
            location: ParamIn::Path,
            required: true,
            description: "The Exotel account SID.",
            schema: ParamSchema::String {
                pattern: Some("^[A-Za-z0-9]{1,64}$"),
                max_length: Some(64),
            },
            example: "provsim1",
        }],
        body: BodyKind::Json {
            schema: schema_of::<RateLimitRequest>,
            example: Some(r#"{"requests_per_minute":200}"#),
        },
        responses: &[
            json(200, "The account's limit", schema_of::<RateLimitView>),
            error(400, "requests_per_minute is not a non-negative integer"),
            error(404, "No Exotel account with this SID"),
        ],
        links: &[],
        handler: handlers::set_exotel_rate_limit,
    },
];
