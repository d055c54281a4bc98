//! The vpn-daemon endpoint table.

use http::Method;

use super::DaemonFamily;
use super::handlers;
use crate::http::endpoint::{BodyKind, Endpoint, doc};

pub static ENDPOINTS: &[Endpoint<DaemonFamily>] = &[Endpoint {
    method: Method::GET,
    path: "/config/status.js",
    operation_id: "getDeviceStatus",
    summary: "Device Statistics (use JSONP)",
    body: BodyKind::None,
    responses: &[
        doc(200, "NAME({...}); as application/javascript, or plain JSON without func"),
        doc(400, "func is not a JavaScript identifier, or device_id is not hex"),
        doc(404, "device_id names no device of this daemon"),
        doc(405, "Method Not Allowed - Only GET is allowed"),
    ],
    handler: handlers::device_status,
}];
