//! The vpn endpoint table (seed 000 "Provisioning API"): the single source of routing, of the
//! OpenAPI document and of the conformance checks for the family.

use http::Method;

use super::VpnFamily;
use super::errors::ErrorBody;
use super::handlers;
use super::model::{
    CreateSubscriberRequest, CreatedSubscriber, DeviceListItem, DeviceView, RenameDeviceRequest,
    UpdateSubscriberRequest,
};
use crate::http::contract::{BodyDoc, LinkDoc, Param, ParamIn, ParamSchema, schema_of};
use crate::http::endpoint::{BodyKind, Documented, Endpoint};

const ERROR: BodyDoc = BodyDoc::Json(schema_of::<ErrorBody>);

const fn error(status: u16, description: &'static str, example: &'static str) -> Documented {
    Documented { status, description, body: ERROR, example: Some(example) }
}

const USER_ID: Param = Param {
    name: "user_id",
    location: ParamIn::Path,
    required: true,
    description: "The subscriber's id as `POST /subscribers` returned it: a positive decimal \
                  integer of at most 18 digits (a malformed one is 400 on the subscriber \
                  endpoints and 404 on the device endpoints, as the seed documents).",
    schema: ParamSchema::String {
        pattern: Some(super::model::UserId::PATTERN),
        max_length: Some(18),
    },
    example: "1000000001",
};

const DEVICE_ID: Param = Param {
    name: "device_id",
    location: ParamIn::Path,
    required: true,
    description: "HEX string of 1 to 16 digits, case-insensitive.",
    schema: ParamSchema::String {
        pattern: Some(super::model::DeviceId::PATTERN),
        max_length: Some(16),
    },
    example: "0A1B2C3D4E5F",
};

const CREATE_EXAMPLE: &str = r#"{"order":"ord-1001","id_hub":"hub7","ob":"movistar","name":"hub7@movistar","password":"+34600999888","bundle":{"id":"premium","licenses":10},"locale":"en-US"}"#;

const E405_POST_DELETE: &str = r#"{"status":405,"error":"Method Not Allowed","message":"Only POST & DELETE are allowed for this REST endpoint"}"#;
const E404_DEVICE: &str = r#"{"status":404,"error":"Not Found","message":"This device_id does not exist in our database","field":"device_id"}"#;
const E409_FOREIGN_DEVICE: &str = r#"{"status":409,"error":"Conflict","message":"This device_id does not belong to the specified user_id","field":"device_id"}"#;
const E403: &str = r#"{"status":403,"error":"Access Forbidden","message":"Access Forbidden"}"#;
const E404_USER: &str = r#"{"status":404,"error":"Not Found","message":"This user_id does not exist in our database","field":"user_id"}"#;
const E413: &str = r#"{"status":413,"error":"Payload Too Large","message":"The request body is larger than max_body_bytes (65536 bytes)"}"#;
const E415: &str = r#"{"status":415,"error":"Unsupported Media Type","message":"Content-Type text/plain is not supported; send application/json"}"#;

pub static ENDPOINTS: &[Endpoint<VpnFamily>] = &[
    Endpoint {
        method: Method::POST,
        path: "/subscribers",
        operation_id: "createSubscriber",
        summary: "Create Subscriber",
        description: "`order` and `license_key` are unique per tenant (409). `name` must equal \
                      `id_hub@ob`. Unknown fields are ignored.",
        params: &[],
        body: BodyKind::Json {
            schema: schema_of::<CreateSubscriberRequest>,
            example: Some(CREATE_EXAMPLE),
        },
        responses: &[
            Documented {
                status: 201,
                description: "Created: the new subscriber's id",
                body: BodyDoc::Json(schema_of::<CreatedSubscriber>),
                example: Some(r#"{"id":"6248786339"}"#),
            },
            error(
                400,
                "Bad Request - Params are not well formed",
                r#"{"status":400,"error":"Bad Request","message":"bundle.licenses must be a non-zero positive integer","field":"bundle.licenses"}"#,
            ),
            error(403, "Access Forbidden", E403),
            error(
                405,
                "Method Not Allowed - Only POST is allowed for this REST endpoint",
                r#"{"status":405,"error":"Method Not Allowed","message":"Only POST is allowed for this REST endpoint"}"#,
            ),
            error(
                409,
                "Conflict - license_key/order already exists in our database",
                r#"{"status":409,"error":"Conflict","message":"order already exists in our database","field":"order"}"#,
            ),
            error(413, "Payload Too Large - body over max_body_bytes", E413),
            error(415, "Unsupported Media Type - the body is not application/json", E415),
            error(
                507,
                "Insufficient Storage - the tenant holds max_subscribers_per_tenant subscribers",
                r#"{"status":507,"error":"Insufficient Storage","message":"The tenant already holds max_subscribers_per_tenant (1000000) subscribers"}"#,
            ),
        ],
        links: &[
            LinkDoc {
                name: "listDevices",
                operation_id: "listDevices",
                parameter: "user_id",
                expression: "$response.body#/id",
            },
            LinkDoc {
                name: "updateSubscriber",
                operation_id: "updateSubscriber",
                parameter: "user_id",
                expression: "$response.body#/id",
            },
            LinkDoc {
                name: "deleteSubscriber",
                operation_id: "deleteSubscriber",
                parameter: "user_id",
                expression: "$response.body#/id",
            },
        ],
        handler: handlers::create_subscriber,
    },
    Endpoint {
        method: Method::POST,
        path: "/subscribers/{user_id}",
        operation_id: "updateSubscriber",
        summary: "Update Subscriber's order",
        description: "Replaces `order` and `bundle` (both required). Keeping one's own order is \
                      not a conflict. Lowering `licenses` below the number of active devices \
                      keeps them all and refuses new activations until enough are deleted.",
        params: &[USER_ID],
        body: BodyKind::Json {
            schema: schema_of::<UpdateSubscriberRequest>,
            example: Some(r#"{"order":"ord-1001-b","bundle":{"id":"premium","licenses":10}}"#),
        },
        responses: &[
            Documented { status: 204, description: "Updated", body: BodyDoc::Empty, example: None },
            error(
                400,
                "Bad Request - Params are not well formed",
                r#"{"status":400,"error":"Bad Request","message":"user_id must conform to agreed format: a positive decimal integer of at most 18 digits","field":"user_id"}"#,
            ),
            error(403, "Access Forbidden", E403),
            error(404, "Not Found - This user_id does not exist in our database", E404_USER),
            error(
                405,
                "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint",
                E405_POST_DELETE,
            ),
            error(
                409,
                "Conflict - order already exists in our database",
                r#"{"status":409,"error":"Conflict","message":"order already exists in our database","field":"order"}"#,
            ),
            error(413, "Payload Too Large - body over max_body_bytes", E413),
            error(415, "Unsupported Media Type - the body is not application/json", E415),
        ],
        links: &[],
        handler: handlers::update_subscriber,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/subscribers/{user_id}",
        operation_id: "deleteSubscriber",
        summary: "Delete Subscriber",
        description: "Deletes the subscriber and every device of it. 204 carries no body (the \
                      seed shows `{ }`, which HTTP forbids on 204).",
        params: &[USER_ID],
        body: BodyKind::None,
        responses: &[
            Documented {
                status: 204,
                description: "Deleted, with every device of the subscriber",
                body: BodyDoc::Empty,
                example: None,
            },
            error(
                400,
                "Bad Request - user_id must conform to agreed format",
                r#"{"status":400,"error":"Bad Request","message":"user_id must conform to agreed format: a positive decimal integer of at most 18 digits","field":"user_id"}"#,
            ),
            error(403, "Access Forbidden", E403),
            error(404, "Not Found - This user_id does not exist in our database", E404_USER),
            error(
                405,
                "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint",
                E405_POST_DELETE,
            ),
        ],
        links: &[],
        handler: handlers::delete_subscriber,
    },
    Endpoint {
        method: Method::GET,
        path: "/subscribers/{user_id}/devices",
        operation_id: "listDevices",
        summary: "List Active Devices",
        description: "Each device is wrapped in a `device_id` key, exactly as the seed shows. \
                      Devices are listed in activation order.",
        params: &[USER_ID],
        body: BodyKind::None,
        responses: &[
            Documented {
                status: 200,
                description: "The subscriber's active devices, in activation order",
                body: BodyDoc::Json(schema_of::<Vec<DeviceListItem>>),
                example: Some(
                    r#"[{"device_id":{"device_id":"0A1B2C3D4E5F","type":"desktop","name":"Laura's Laptop"}}]"#,
                ),
            },
            error(
                400,
                "Bad Request - user_id must conform to agreed format",
                r#"{"status":400,"error":"Bad Request","message":"user_id must conform to agreed format: a positive decimal integer of at most 18 digits","field":"user_id"}"#,
            ),
            error(403, "Access Forbidden", E403),
            error(404, "Not Found - This user_id does not exist in our database", E404_USER),
            error(
                405,
                "Method Not Allowed - Only GET is allowed for this REST endpoint",
                r#"{"status":405,"error":"Method Not Allowed","message":"Only GET is allowed for this REST endpoint"}"#,
            ),
        ],
        links: &[],
        handler: handlers::list_devices,
    },
    Endpoint {
        method: Method::POST,
        path: "/subscribers/{user_id}/devices/{device_id}",
        operation_id: "updateDevice",
        summary: "Update Device",
        description: "Renames a device. 409 when the device belongs to another subscriber of \
                      the tenant; another tenant's device is 404.",
        params: &[USER_ID, DEVICE_ID],
        body: BodyKind::Json {
            schema: schema_of::<RenameDeviceRequest>,
            example: Some(r#"{"name":"Laura's Phone"}"#),
        },
        responses: &[
            Documented {
                status: 200,
                description: "The renamed device",
                body: BodyDoc::Json(schema_of::<DeviceView>),
                example: Some(
                    r#"{"device_id":"0A1B2C3D4E5F","type":"desktop","name":"Laura's Phone"}"#,
                ),
            },
            error(
                400,
                "Bad Request - name is empty, too long or not a string",
                r#"{"status":400,"error":"Bad Request","message":"name must be a non-empty string","field":"name"}"#,
            ),
            error(403, "Access Forbidden", E403),
            error(
                404,
                "Not Found - This user_id / device_id does not exist in our database",
                E404_DEVICE,
            ),
            error(
                405,
                "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint",
                E405_POST_DELETE,
            ),
            error(
                409,
                "Conflict - This device_id does not belong to the specified user_id",
                E409_FOREIGN_DEVICE,
            ),
            error(413, "Payload Too Large - body over max_body_bytes", E413),
            error(415, "Unsupported Media Type - the body is not application/json", E415),
        ],
        links: &[],
        handler: handlers::update_device,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/subscribers/{user_id}/devices/{device_id}",
        operation_id: "deleteDevice",
        summary: "Deactivate (Delete) Device",
        description: "The licence slot is free at once.",
        params: &[USER_ID, DEVICE_ID],
        body: BodyKind::None,
        responses: &[
            Documented {
                status: 200,
                description: "Deleted: an empty JSON object",
                body: BodyDoc::Json(schema_of::<EmptyObject>),
                example: Some("{}"),
            },
            error(403, "Access Forbidden", E403),
            error(
                404,
                "Not Found - This user_id / device_id does not exist in our database",
                E404_DEVICE,
            ),
            error(
                405,
                "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint",
                E405_POST_DELETE,
            ),
            error(
                409,
                "Conflict - This device_id does not belong to the specified user_id",
                E409_FOREIGN_DEVICE,
            ),
        ],
        links: &[],
        handler: handlers::delete_device,
    },
];

/// `{}`: the seed's "Empty JSON object".
#[derive(schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EmptyObject {}
