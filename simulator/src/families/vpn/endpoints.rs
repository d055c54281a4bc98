//! The vpn endpoint table (seed 000 "Provisioning API"): the single source of routing and
//! documentation for the family.

use http::Method;

use super::VpnFamily;
use super::handlers;
use crate::http::endpoint::{BodyKind, Endpoint, doc};

pub static ENDPOINTS: &[Endpoint<VpnFamily>] = &[
    Endpoint {
        method: Method::POST,
        path: "/subscribers",
        operation_id: "createSubscriber",
        summary: "Create Subscriber",
        body: BodyKind::Json,
        responses: &[
            doc(201, "Created: the new subscriber's id"),
            doc(400, "Bad Request - Params are not well formed"),
            doc(403, "Access Forbidden"),
            doc(405, "Method Not Allowed - Only POST is allowed for this REST endpoint"),
            doc(409, "Conflict - license_key/order already exists in our database"),
            doc(413, "Payload Too Large - body over max_body_bytes"),
            doc(415, "Unsupported Media Type - the body is not application/json"),
            doc(
                507,
                "Insufficient Storage - the tenant holds max_subscribers_per_tenant subscribers",
            ),
        ],
        handler: handlers::create_subscriber,
    },
    Endpoint {
        method: Method::POST,
        path: "/subscribers/{user_id}",
        operation_id: "updateSubscriber",
        summary: "Update Subscriber's order",
        body: BodyKind::Json,
        responses: &[
            doc(204, "Updated"),
            doc(400, "Bad Request - Params are not well formed"),
            doc(403, "Access Forbidden"),
            doc(404, "Not Found - This user_id does not exist in our database"),
            doc(405, "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint"),
            doc(409, "Conflict - order already exists in our database"),
            doc(413, "Payload Too Large - body over max_body_bytes"),
            doc(415, "Unsupported Media Type - the body is not application/json"),
        ],
        handler: handlers::update_subscriber,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/subscribers/{user_id}",
        operation_id: "deleteSubscriber",
        summary: "Delete Subscriber",
        body: BodyKind::None,
        responses: &[
            doc(204, "Deleted, with every device of the subscriber"),
            doc(400, "Bad Request - user_id must conform to agreed format"),
            doc(403, "Access Forbidden"),
            doc(404, "Not Found - This user_id does not exist in our database"),
            doc(405, "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint"),
        ],
        handler: handlers::delete_subscriber,
    },
    Endpoint {
        method: Method::GET,
        path: "/subscribers/{user_id}/devices",
        operation_id: "listDevices",
        summary: "List Active Devices",
        body: BodyKind::None,
        responses: &[
            doc(200, "The subscriber's active devices, in activation order"),
            doc(400, "Bad Request - user_id must conform to agreed format"),
            doc(403, "Access Forbidden"),
            doc(404, "Not Found - This user_id does not exist in our database"),
            doc(405, "Method Not Allowed - Only GET is allowed for this REST endpoint"),
        ],
        handler: handlers::list_devices,
    },
    Endpoint {
        method: Method::POST,
        path: "/subscribers/{user_id}/devices/{device_id}",
        operation_id: "updateDevice",
        summary: "Update Device",
        body: BodyKind::Json,
        responses: &[
            doc(200, "The renamed device"),
            doc(400, "Bad Request - name is empty, too long or not a string"),
            doc(403, "Access Forbidden"),
            doc(404, "Not Found - This user_id / device_id does not exist in our database"),
            doc(405, "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint"),
            doc(409, "Conflict - This device_id does not belong to the specified user_id"),
            doc(413, "Payload Too Large - body over max_body_bytes"),
            doc(415, "Unsupported Media Type - the body is not application/json"),
        ],
        handler: handlers::update_device,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/subscribers/{user_id}/devices/{device_id}",
        operation_id: "deleteDevice",
        summary: "Deactivate (Delete) Device",
        body: BodyKind::None,
        responses: &[
            doc(200, "Deleted: an empty JSON object; the licence slot is free at once"),
            doc(403, "Access Forbidden"),
            doc(404, "Not Found - This user_id / device_id does not exist in our database"),
            doc(405, "Method Not Allowed - Only POST & DELETE are allowed for this REST endpoint"),
            doc(409, "Conflict - This device_id does not belong to the specified user_id"),
        ],
        handler: handlers::delete_device,
    },
];
