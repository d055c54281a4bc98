//! The vpn-daemon endpoint table.

use http::Method;

use super::DaemonFamily;
use super::errors::MAX_FUNC_CHARS;
use super::handlers;
use super::status::StatusDocument;
use crate::families::vpn::model::DeviceId;
use crate::http::contract::{BodyDoc, Param, ParamIn, ParamSchema, schema_of};
use crate::http::endpoint::{BodyKind, Documented, Endpoint, json_example};
use crate::http::reply::PlainError;

/// The seed's sample, with its trailing comma removed (valid JSON).
const STATUS_EXAMPLE: &str = r#"{"connect_state":"CONNECTED","daemon_state":{"timestamp":"1376600935","state_name":"CONNECTED","description":"SUCCESS","bytes_in":"224935","bytes_out":"28614","proxy_bytes_in":"202009","proxy_bytes_out":"7802","proxy_req_count":"28","proxy_req_bypass_count":"1","proxy_req_malware_count":"0","cur_version":"2.90"}}"#;

pub static ENDPOINTS: &[Endpoint<DaemonFamily>] = &[Endpoint {
    method: Method::GET,
    path: "/config/status.js",
    operation_id: "getDeviceStatus",
    summary: "Device Statistics (use JSONP)",
    description: "With `func`, the answer is `NAME({...});` as `application/javascript`; without \
                  it, the same document as `application/json`. An invalid `func` is never \
                  echoed. Counters grow with the simulated clock while connected, freeze on \
                  disconnect and restart from zero on reconnect.",
    params: &[
        Param {
            name: "func",
            location: ParamIn::Query,
            required: false,
            description: "JSONP callback: an ASCII JavaScript identifier or a dotted path of \
                          identifiers, at most 128 characters.",
            schema: ParamSchema::String {
                pattern: Some(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$"),
                max_length: Some(MAX_FUNC_CHARS),
            },
            example: "returnFunctionName",
        },
        Param {
            name: "device_id",
            location: ParamIn::Query,
            required: false,
            description: "provsim extension: the device to report (one simulated daemon serves \
                          every vpn device). Default: the most recently activated device.",
            schema: ParamSchema::String { pattern: Some(DeviceId::PATTERN), max_length: Some(16) },
            example: "0A1B2C3D4E5F",
        },
    ],
    body: BodyKind::None,
    responses: &[
        Documented {
            status: 200,
            description: "The device's status",
            body: BodyDoc::Jsonp { schema: schema_of::<StatusDocument>, callback_param: "func" },
            example: Some(STATUS_EXAMPLE),
        },
        json_example(
            400,
            "func is not a JavaScript identifier, or device_id is not hex",
            schema_of::<PlainError>,
            r#"{"status":400,"error":"Bad Request","message":"device_id must be a hex string of 1 to 16 digits"}"#,
        ),
        json_example(
            404,
            "device_id names no device of this daemon",
            schema_of::<PlainError>,
            r#"{"status":404,"error":"Not Found","message":"device_id names no device of this daemon"}"#,
        ),
        json_example(
            405,
            "Method Not Allowed - Only GET is allowed",
            schema_of::<PlainError>,
            r#"{"status":405,"error":"Method Not Allowed","message":"Only GET allowed"}"#,
        ),
    ],
    links: &[],
    handler: handlers::device_status,
}];
