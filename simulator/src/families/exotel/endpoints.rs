//! The exotel endpoint table (seed 001 "IP2IP Calling: Subscriber Management API"): the
//! single source of routing and documentation for the family. Every path carries the
//! account SID, which must be the caller's own account.

use http::Method;

use super::ExotelFamily;
use super::handlers;
use crate::http::endpoint::{BodyKind, Documented, Endpoint, doc};

/// Answers every operation can give besides its own.
const COMMON: [Documented; 4] = [
    doc(401, "Authorization failed (1010): missing or wrong Basic API key:token"),
    doc(403, "Authorization failed (1003): the account SID is not the caller's account"),
    doc(405, "Method Not Allowed, with Allow"),
    doc(429, "Too Many Requests: the account's requests per minute are used up; Retry-After set"),
];

pub static ENDPOINTS: &[Endpoint<ExotelFamily>] = &[
    Endpoint {
        method: Method::POST,
        path: "/v2/accounts/{sid}/subscriber-token",
        operation_id: "createSubscriberToken",
        summary: "Create Subscriber Token (HS256 refresh token, 24 h, and access token, 30 min)",
        body: BodyKind::Json,
        responses: &[
            doc(200, "Success: subscriber_name and subscriber_token {refresh_token, access_token}"),
            doc(
                400,
                "Bad Request: 1001 missing platform/device_id/subscriber_name, 1002 invalid \
                      value or inactive subscriber, 1007 unparsable body",
            ),
            doc(404, "Not Found (1000): Subscriber not found"),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            doc(413, "Payload Too Large: body over max_body_bytes"),
            doc(415, "unsupported content type (1011)"),
            COMMON[3],
        ],
        handler: handlers::create_subscriber_token,
    },
    Endpoint {
        method: Method::POST,
        path: "/v2/accounts/{sid}/subscribers",
        operation_id: "createSubscribers",
        summary: "Create Subscribers (bulk, at most 10 per request)",
        body: BodyKind::Json,
        responses: &[
            doc(207, "Multi-status: metadata {failed, success} and one result per item, in order"),
            doc(
                400,
                "Bad Request: 1001 subscribers missing or empty, 1002 more than 10 items, \
                      1007 unparsable body",
            ),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            doc(413, "Payload Too Large: body over max_body_bytes"),
            doc(415, "unsupported content type (1011)"),
            COMMON[3],
        ],
        handler: handlers::create_subscribers,
    },
    Endpoint {
        method: Method::GET,
        path: "/v2/accounts/{sid}/subscribers",
        operation_id: "listSubscribers",
        summary: "List Subscribers (newest first, paginated)",
        body: BodyKind::None,
        responses: &[
            doc(
                200,
                "A page: metadata {first_page_uri, prev_page_uri, next_page_uri} and the items",
            ),
            doc(400, "Invalid parameter (1002): status, page_size (1 to 100) or offset"),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            COMMON[3],
        ],
        handler: handlers::list_subscribers,
    },
    Endpoint {
        method: Method::GET,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "getSubscriber",
        summary: "Get Subscriber",
        body: BodyKind::None,
        responses: &[
            doc(200, "The subscriber"),
            doc(404, "Not Found (1000): Subscriber not found"),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            COMMON[3],
        ],
        handler: handlers::get_subscriber,
    },
    Endpoint {
        method: Method::PUT,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "updateSubscriber",
        summary: "Update a Subscriber (status mandatory, custom_field optional)",
        body: BodyKind::Json,
        responses: &[
            doc(200, "The updated subscriber; only date_updated moves"),
            doc(
                400,
                "Bad Request: 1001 status missing, 1002 invalid status or custom_field, \
                      1007 unparsable body",
            ),
            doc(404, "Not Found (1000): Subscriber not found"),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            doc(413, "Payload Too Large: body over max_body_bytes"),
            doc(415, "unsupported content type (1011)"),
            COMMON[3],
        ],
        handler: handlers::update_subscriber,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "deleteSubscriber",
        summary: "Delete Subscriber",
        body: BodyKind::None,
        responses: &[
            doc(204, "Deleted, no body"),
            doc(404, "Not Found (1000): Subscriber not found"),
            COMMON[0],
            COMMON[1],
            COMMON[2],
            COMMON[3],
        ],
        handler: handlers::delete_subscriber,
    },
];
