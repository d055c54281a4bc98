//! The exotel endpoint table (seed 001 "IP2IP Calling: Subscriber Management API"): the
//! single source of routing, of the OpenAPI document and of the conformance checks for the
//! family. Every path carries the account SID, which must be the caller's own account.

use http::Method;

use super::ExotelFamily;
use super::envelope::{BulkCounts, Envelope, NoMetadata, Outcome, PageLinks};
use super::handlers;
use super::model::{
    CreateSubscribersRequest, SubscriberView, TokenData, TokenRequest, UpdateSubscriberRequest,
};
use crate::http::contract::{LinkDoc, Param, ParamIn, ParamSchema, schema_of};
use crate::http::endpoint::{BodyKind, Documented, Endpoint, empty, json, json_example};

/// A single-resource answer.
type Single<D> = Envelope<'static, Outcome<D>, NoMetadata>;
/// A bulk-create answer (207).
type Bulk = Envelope<'static, Vec<Outcome<SubscriberView>>, BulkCounts>;
/// A list page.
type Page = Envelope<'static, Vec<Outcome<SubscriberView>>, PageLinks>;
/// Every failure: `response` is one failed outcome with `error_data` and `data: null`.
type Failure = Envelope<'static, Outcome<()>, NoMetadata>;

const fn failure(status: u16, description: &'static str, example: &'static str) -> Documented {
    json_example(status, description, schema_of::<Failure>, example)
}

const E400_1007: &str = r#"{"request_id":"ffc0f1fa48a9af707c9f6f2b7b72d737","method":"PUT","http_code":400,"response":{"code":400,"error_data":{"code":1007,"message":"Invalid request body,failed parsing","description":"trailing comma at line 1 column 23"},"status":"failure","data":null}}"#;
const E401: Documented = failure(
    401,
    "Authorization failed (1010): missing or wrong Basic API key:token",
    r#"{"request_id":"b46e5424239876fd6d19662ae67cdae1","method":"GET","http_code":401,"response":{"code":401,"error_data":{"code":1010,"message":"Authorization failed","description":"Basic authentication with API key:token is required"},"status":"failure","data":null}}"#,
);
const E403: Documented = failure(
    403,
    "Authorization failed (1003): the account SID is not the caller's account",
    r#"{"request_id":"57d3d28b2ec054ed23e66d54f558ed89","method":"GET","http_code":403,"response":{"code":403,"error_data":{"code":1003,"message":"Authorization failed","description":"These credentials do not grant access to account provsim1"},"status":"failure","data":null}}"#,
);
const E404: Documented = failure(
    404,
    "Not Found (1000): Subscriber not found",
    r#"{"request_id":"af0087d5331f479599d2c987efe9f664","method":"DELETE","http_code":404,"response":{"code":404,"error_data":{"code":1000,"description":"Subscriber not found","message":"Not Found"},"status":"failure","data":null}}"#,
);
const E405: Documented = failure(
    405,
    "Method Not Allowed, with Allow",
    r#"{"request_id":"68e9b78f005bcdb96dab3a35cd98e363","method":"PATCH","http_code":405,"response":{"code":405,"error_data":{"code":405,"message":"Method Not Allowed","description":"Allowed methods: POST, GET"},"status":"failure","data":null}}"#,
);
const E413: Documented =
    json(413, "Payload Too Large: body over max_body_bytes", schema_of::<Failure>);
const E415: Documented = failure(
    415,
    "unsupported content type (1011); the description is the type as sent",
    r#"{"request_id":"7fd4745df095e6d2d8affe74f86e7a67","method":"POST","http_code":415,"response":{"code":415,"error_data":{"code":1011,"message":"unsupported content type","description":"text/plain"},"status":"failure","data":null}}"#,
);
const E429: Documented = failure(
    429,
    "Too Many Requests: the account's requests per minute are used up; Retry-After set",
    r#"{"request_id":"89aa9b60c41fefd12c908d0ddbb0d825","method":"GET","http_code":429,"response":{"code":429,"error_data":{"code":429,"message":"Too Many Requests","description":"Rate limit of 200 requests per minute exceeded; retry after 60 s"},"status":"failure","data":null}}"#,
);

const SID: Param = Param {
    name: "sid",
    location: ParamIn::Path,
    required: true,
    description: "The account SID; must be the account of the Basic credentials (else 403/1003, \
                  also for SIDs that do not exist).",
    schema: ParamSchema::String { pattern: Some("^[A-Za-z0-9]{1,64}$"), max_length: Some(64) },
    example: "provsim1",
};

const SUBSCRIBER_NAME: Param = Param {
    name: "subscriber_name",
    location: ParamIn::Path,
    required: true,
    description: "The subscriber's name (case-sensitive). A name that could never be valid is \
                  simply not found (404/1000).",
    schema: ParamSchema::String { pattern: None, max_length: None },
    example: "archit",
};

/// The seed's sample subscriber object.
const SUBSCRIBER_EXAMPLE: &str = r#"{"request_id":"287c227674af40b38531a1c247262deb","method":"GET","http_code":200,"response":{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-11-19T23:14:18+05:30","date_updated":"2019-11-20T11:13:38+05:30","subscriber_name":"archit","status":"inactive","custom_field":null}}}"#;

pub static ENDPOINTS: &[Endpoint<ExotelFamily>] = &[
    Endpoint {
        method: Method::POST,
        path: "/v2/accounts/{sid}/subscriber-token",
        operation_id: "createSubscriberToken",
        summary: "Create Subscriber Token",
        description: "Real HS256 JWTs signed with the account's secret: claims `iss` \
                      (`exotel`), `sub`, `iat`, `exp`, `client_id`; the access token adds \
                      `scope: voice`. TTL 24 h (refresh) and 30 min (access) on the simulated \
                      clock. An inactive subscriber is refused with 400/1002 `Subscriber is \
                      inactive`.",
        params: &[SID],
        body: BodyKind::Json {
            schema: schema_of::<TokenRequest>,
            example: Some(
                r#"{"platform":"android","device_id":"2fc4b5912826ad1","subscriber_name":"archit"}"#,
            ),
        },
        responses: &[
            json_example(
                200,
                "Success: subscriber_name and subscriber_token {refresh_token, access_token}",
                schema_of::<Single<TokenData>>,
                r#"{"request_id":"2f97c5e98e1d4c188c483cbfe8092869","method":"POST","http_code":200,"response":{"code":200,"error_data":null,"status":"success","data":{"subscriber_name":"archit","subscriber_token":{"refresh_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJleG90ZWwiLCJzdWIiOiJhcmNoaXQiLCJpYXQiOjE3OTU5NDg1NzAsImV4cCI6MTc5NjAzNDk3MCwiY2xpZW50X2lkIjoiMDNEQjE3OTEifQ.t6h0G5GHgkXfqZoPa-mQaUFe9ZB4eRfLFcBwfjqDYOg","access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJleG90ZWwiLCJzdWIiOiJhcmNoaXQiLCJpYXQiOjE3OTU5NDg1NzAsImV4cCI6MTc5NTk1MDM3MCwic2NvcGUiOiJ2b2ljZSIsImNsaWVudF9pZCI6IjAzREIxNzkxIn0.FxObq2KYqLB3uLGF45CTzvn21C1O48SerLVOL1e3-g0"}}}}"#,
            ),
            failure(
                400,
                "Bad Request: 1001 missing platform/device_id/subscriber_name, 1002 invalid \
                 value or inactive subscriber, 1007 unparsable body",
                r#"{"request_id":"d67d71131cbff2c7e7d83ee7877b2dae","method":"POST","http_code":400,"response":{"code":400,"error_data":{"code":1001,"message":"Mandatory Parameter missing","description":"platform is mandatory"},"status":"failure","data":null}}"#,
            ),
            E401,
            E403,
            E404,
            E405,
            E413,
            E415,
            E429,
        ],
        links: &[],
        handler: handlers::create_subscriber_token,
    },
    Endpoint {
        method: Method::POST,
        path: "/v2/accounts/{sid}/subscribers",
        operation_id: "createSubscribers",
        summary: "Create Subscribers",
        description: "Bulk: 1 to 10 items. Always 207 once the request as a whole is valid, \
                      with `metadata {failed, success}` and one result per item in input order: \
                      200 created (status `active`, omitted `custom_field` → null), 400/1001 no \
                      `subscriber_name`, 400/1002 invalid name, 409/1008 name already in the \
                      account or earlier in the same request. Valid items are created even \
                      when others fail.",
        params: &[SID],
        body: BodyKind::Json {
            schema: schema_of::<CreateSubscribersRequest>,
            example: Some(
                r#"{"subscribers":[{"subscriber_name":"bob","custom_field":"support"},{"subscriber_name":"nidhi"},{"subscriber_name":"archit"}]}"#,
            ),
        },
        responses: &[
            json_example(
                207,
                "Multi-status: metadata {failed, success} and one result per item, in order",
                schema_of::<Bulk>,
                r#"{"request_id":"04386e350256448dae83c6db0f749a21","method":"POST","http_code":207,"metadata":{"failed":0,"success":3},"response":[{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-11-19T23:14:17+05:30","date_updated":"2019-11-19T23:14:17+05:30","subscriber_name":"bob","status":"active","custom_field":"support"}},{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-11-19T23:14:17+05:30","date_updated":"2019-11-19T23:14:17+05:30","subscriber_name":"nidhi","status":"active","custom_field":null}},{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-11-19T23:14:18+05:30","date_updated":"2019-11-19T23:14:18+05:30","subscriber_name":"archit","status":"active","custom_field":null}}]}"#,
            ),
            failure(
                400,
                "Bad Request: 1001 subscribers missing or empty, 1002 more than 10 items, 1007 \
                 unparsable body",
                r#"{"request_id":"b32bd047a5b3d675a1cfc396a343484a","method":"POST","http_code":400,"response":{"code":400,"error_data":{"code":1001,"message":"Mandatory Parameter missing","description":"subscribers is mandatory"},"status":"failure","data":null}}"#,
            ),
            E401,
            E403,
            E405,
            E413,
            E415,
            E429,
        ],
        links: &[
            LinkDoc {
                name: "getSubscriber",
                operation_id: "getSubscriber",
                parameter: "subscriber_name",
                expression: "$response.body#/response/0/data/subscriber_name",
            },
            LinkDoc {
                name: "createSubscriberToken",
                operation_id: "createSubscriberToken",
                parameter: "sid",
                expression: "$request.path.sid",
            },
        ],
        handler: handlers::create_subscribers,
    },
    Endpoint {
        method: Method::GET,
        path: "/v2/accounts/{sid}/subscribers",
        operation_id: "listSubscribers",
        summary: "List Subscribers",
        description: "Newest first. Page links have the form \
                      `/v2/accounts/<sid>/subscribers?offset=6&page_size=3` (with \
                      `&status=<filter>` when filtered); `prev_page_uri` is null on the first \
                      page and `next_page_uri` null on the last. Each page is read under one \
                      lock, so it never holds a subscriber twice. Unknown parameters are \
                      ignored; empty values count as absent.",
        params: &[
            SID,
            Param {
                name: "status",
                location: ParamIn::Query,
                required: false,
                description: "Only subscribers with this status.",
                schema: ParamSchema::Enum(&["active", "inactive"]),
                example: "active",
            },
            Param {
                name: "page_size",
                location: ParamIn::Query,
                required: false,
                description: "Page size. Default and maximum value is 100.",
                schema: ParamSchema::Integer { minimum: Some(1), maximum: Some(100) },
                example: "3",
            },
            Param {
                name: "offset",
                location: ParamIn::Query,
                required: false,
                description: "Offset from which to get the records. Defaults to 0.",
                schema: ParamSchema::Integer { minimum: Some(0), maximum: Some(i64::MAX) },
                example: "0",
            },
        ],
        body: BodyKind::None,
        responses: &[
            json_example(
                200,
                "A page: metadata {first_page_uri, prev_page_uri, next_page_uri} and the items",
                schema_of::<Page>,
                r#"{"request_id":"b5f0c6780ec443d08947ba2015a06a04","method":"GET","http_code":200,"metadata":{"prev_page_uri":"/v2/accounts/exotelip2ipcalling1/subscribers?offset=6&page_size=3","next_page_uri":"/v2/accounts/exotelip2ipcalling1/subscribers?offset=12&page_size=3","first_page_uri":"/v2/accounts/exotelip2ipcalling1/subscribers?offset=0&page_size=3"},"response":[{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-12-30T17:12:00+05:30","date_updated":"2019-12-30T17:12:00+05:30","subscriber_name":"shyam","status":"active","custom_field":null}}]}"#,
            ),
            failure(
                400,
                "Invalid parameter (1002): status, page_size (1 to 100) or offset",
                r#"{"request_id":"b5f0c6780ec443d08947ba2015a06a04","method":"GET","http_code":400,"response":{"code":400,"error_data":{"code":1002,"message":"Invalid parameter","description":"page_size must be an integer from 1 to 100"},"status":"failure","data":null}}"#,
            ),
            E401,
            E403,
            E405,
            E429,
        ],
        links: &[],
        handler: handlers::list_subscribers,
    },
    Endpoint {
        method: Method::GET,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "getSubscriber",
        summary: "Get Subscriber",
        description: "",
        params: &[SID, SUBSCRIBER_NAME],
        body: BodyKind::None,
        responses: &[
            json_example(
                200,
                "The subscriber",
                schema_of::<Single<SubscriberView>>,
                SUBSCRIBER_EXAMPLE,
            ),
            E401,
            E403,
            E404,
            E405,
            E429,
        ],
        links: &[],
        handler: handlers::get_subscriber,
    },
    Endpoint {
        method: Method::PUT,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "updateSubscriber",
        summary: "Update a Subscriber",
        description: "`status` mandatory, `custom_field` optional (absent or null keeps the \
                      current value). Only `date_updated` moves. The body is checked before \
                      the name is looked up.",
        params: &[SID, SUBSCRIBER_NAME],
        body: BodyKind::Json {
            schema: schema_of::<UpdateSubscriberRequest>,
            example: Some(r#"{"status":"inactive"}"#),
        },
        responses: &[
            json_example(
                200,
                "The updated subscriber; only date_updated moves",
                schema_of::<Single<SubscriberView>>,
                r#"{"request_id":"8019271c8d98422db509c2801e63435f","method":"PUT","http_code":200,"response":{"code":200,"error_data":null,"status":"success","data":{"date_created":"2019-11-19T23:14:18+05:30","date_updated":"2019-11-20T11:13:38+05:30","subscriber_name":"archit","status":"inactive","custom_field":null}}}"#,
            ),
            failure(
                400,
                "Bad Request: 1001 status missing, 1002 invalid status or custom_field, 1007 \
                 unparsable body",
                E400_1007,
            ),
            E401,
            E403,
            E404,
            E405,
            E413,
            E415,
            E429,
        ],
        links: &[],
        handler: handlers::update_subscriber,
    },
    Endpoint {
        method: Method::DELETE,
        path: "/v2/accounts/{sid}/subscribers/{subscriber_name}",
        operation_id: "deleteSubscriber",
        summary: "Delete Subscriber",
        description: "Deletes permanently; 204 with no body.",
        params: &[SID, SUBSCRIBER_NAME],
        body: BodyKind::None,
        responses: &[empty(204, "Deleted, no body"), E401, E403, E404, E405, E429],
        links: &[],
        handler: handlers::delete_subscriber,
    },
];
