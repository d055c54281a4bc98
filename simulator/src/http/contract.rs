//! What an endpoint table says about the contract beyond routing: parameters, body schemas,
//! examples and links. The OpenAPI generator (`crate::openapi`) reads only these and the
//! routing fields of [`super::endpoint::Endpoint`], so the served API and its document cannot
//! drift apart.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Produces the schema of a wire type; `schema_of::<T>` fits.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// `schema_of::<T>` as a [`SchemaFn`]: registers `T` (and what it uses) in the generator's
/// components and returns a reference to it.
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// A documented path, query or header parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: ParamIn,
    pub required: bool,
    pub description: &'static str,
    pub schema: ParamSchema,
    /// A value that works against the default fixture (conformance runs use it).
    pub example: &'static str,
}

/// The schema of a parameter: a string with an optional pattern and length bounds, an
/// integer with bounds, or one of a set of strings.
#[derive(Debug, Clone, Copy)]
pub enum ParamSchema {
    String { pattern: Option<&'static str>, max_length: Option<usize> },
    Integer { minimum: Option<i64>, maximum: Option<i64> },
    Enum(&'static [&'static str]),
}

/// The body of a documented response.
#[derive(Debug, Clone, Copy)]
pub enum BodyDoc {
    /// No body (204, and 405 in families whose 405 has none).
    Empty,
    /// `application/json` with this schema.
    Json(SchemaFn),
    /// `text/xml` with this schema (the schema describes the XML's element structure).
    Xml(SchemaFn),
    /// JSONP: `application/javascript` wrapping JSON of this schema in `NAME(...);`, and the
    /// same JSON as `application/json` when the callback parameter is absent.
    Jsonp { schema: SchemaFn, callback_param: &'static str },
}

/// A link from a response to an operation that can use a value of it (OpenAPI `links`), so
/// stateful tools can chain calls: `user_id` of `listDevices` = `$response.body#/id`.
#[derive(Debug, Clone, Copy)]
pub struct LinkDoc {
    pub name: &'static str,
    pub operation_id: &'static str,
    pub parameter: &'static str,
    pub expression: &'static str,
}

/// A security scheme of a family.
#[derive(Debug, Clone, Copy)]
pub enum SecurityDoc {
    /// `Authorization: Bearer <token>`.
    Bearer { name: &'static str },
    /// An API key in a query parameter.
    QueryKey { name: &'static str, param: &'static str },
    /// HTTP Basic.
    Basic { name: &'static str },
}

/// What the family's document says as a whole.
#[derive(Debug, Clone, Copy)]
pub struct FamilyDoc {
    pub title: &'static str,
    /// Markdown: the vendor, the seed, and the simulator's documented choices.
    pub description: &'static str,
    /// Path prefix the vendor serves under (`/billing`, `/v2`), part of the server URL.
    pub base_path: &'static str,
    /// Alternatives: any one of them authenticates.
    pub security: &'static [SecurityDoc],
}
