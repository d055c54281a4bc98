//! Endpoint tables: the one declaration of an API family that routing, documentation and the
//! conformance suites all read.

use http::Method;

use super::Response;
use super::call::Call;
use super::contract::{BodyDoc, FamilyDoc, LinkDoc, Param, SchemaFn};
use crate::config::Limits;

/// One documented operation of a family.
pub struct Endpoint<F: Family> {
    pub method: Method,
    /// A matchit template, e.g. `/subscribers/{user_id}`.
    pub path: &'static str,
    /// Stable identifier (OpenAPI `operationId`).
    pub operation_id: &'static str,
    /// One line on what the operation does (the vendor's title where it has one).
    pub summary: &'static str,
    /// Markdown: what the vendor documents beyond the summary, and the simulator's choices.
    pub description: &'static str,
    /// Path, query and header parameters (every path template variable must be listed).
    pub params: &'static [Param],
    /// Whether the operation reads a JSON request body, and its schema.
    pub body: BodyKind,
    /// Every status the operation may answer, with the vendor's wording of when.
    pub responses: &'static [Documented],
    /// Operations a success answer feeds (OpenAPI `links`).
    pub links: &'static [LinkDoc],
    pub handler: Handler<F>,
}

/// What an operation expects in its request body.
#[derive(Debug, Clone, Copy)]
pub enum BodyKind {
    /// No body is read; one that is sent anyway is ignored (but still bounded).
    None,
    /// A JSON document of this schema; another declared content type answers 415.
    /// `example` (JSON text, from the seed where it has one) goes into the contract.
    Json { schema: SchemaFn, example: Option<&'static str> },
}

impl BodyKind {
    pub fn is_json(&self) -> bool {
        matches!(self, BodyKind::Json { .. })
    }
}

/// A documented response status.
#[derive(Debug, Clone, Copy)]
pub struct Documented {
    pub status: u16,
    pub description: &'static str,
    pub body: BodyDoc,
    /// JSON (or XML) text of an example body: the seed's sample where it has one.
    pub example: Option<&'static str>,
}

/// A documented status without a body (204, bodiless 405s).
pub const fn empty(status: u16, description: &'static str) -> Documented {
    Documented { status, description, body: BodyDoc::Empty, example: None }
}

/// A documented status with a JSON body.
pub const fn json(status: u16, description: &'static str, schema: SchemaFn) -> Documented {
    Documented { status, description, body: BodyDoc::Json(schema), example: None }
}

/// A documented status with a JSON body and an example of it.
pub const fn json_example(
    status: u16,
    description: &'static str,
    schema: SchemaFn,
    example: &'static str,
) -> Documented {
    Documented { status, description, body: BodyDoc::Json(schema), example: Some(example) }
}

/// A handler: synchronous, because every operation is an in-memory state change; the async
/// part of a request (reading the body) is done by the dispatcher before the call.
pub type Handler<F> =
    fn(&F, &Call<'_>, &<F as Family>::Principal) -> Result<Response, <F as Family>::Error>;

/// A failure found before any handler runs. Each family turns it into its own error type so
/// that, say, a 404 from the Exotel listener looks like an Exotel 404.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// No endpoint has this path.
    NotFound { path: String },
    /// The path exists, but not with this method. The dispatcher adds the `Allow` header.
    MethodNotAllowed { allowed: Vec<Method> },
    /// The body is over `max_body_bytes`.
    PayloadTooLarge { max_body_bytes: usize },
    /// The request is over a listener limit other than the body's: 414 (target longer than
    /// `max_uri_bytes`), 431 (headers over `max_header_bytes` or `max_headers`), 503 (the
    /// listener serves `max_connections_per_listener` connections already). `message` names
    /// the limit and its value.
    OverLimit { status: http::StatusCode, message: String },
    /// The body's `Content-Type` is not JSON. Carries the type as sent.
    UnsupportedMediaType { content_type: String },
    /// The body is not a JSON document at all (syntax error, truncated, not UTF-8).
    MalformedJson { detail: String },
    /// The body is JSON but a field has the wrong type, is missing, or is out of range for
    /// its declared Rust type. `field` is a dotted path such as `bundle.licenses`.
    InvalidField { field: String, detail: String },
}

/// An API family: its table, how it authenticates callers and how it renders errors.
pub trait Family: Send + Sync + Sized + 'static {
    /// What authentication yields (a tenant, an account); `()` for open families.
    type Principal: Send;
    /// The family's error enum; every variant knows its status and wire format.
    type Error: From<Rejection> + Send;

    /// The family's name as in `FamilyId::name`.
    const NAME: &'static str;

    /// What the family's contract says as a whole (title, description, base path, security).
    fn doc() -> FamilyDoc;

    /// The endpoint table. Must not repeat a (method, path) pair; `tests::tables_are_sound`
    /// checks every family.
    fn endpoints() -> &'static [Endpoint<Self>];

    /// Identifies the caller, or refuses it. Runs after routing, before the body is read.
    fn authenticate(&self, call: &Call<'_>) -> Result<Self::Principal, Self::Error>;

    /// Renders an error in the family's wire format.
    fn render_error(&self, error: Self::Error, call: &Call<'_>) -> Response;

    fn limits(&self) -> &Limits;
}
