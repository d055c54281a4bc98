//! The referee of the generators: an OpenAPI 3.0 schema compiled into a JSON Schema 2020-12
//! validator (`jsonschema`, formats checked), so that every generated positive value is
//! shown valid and every negative value shown invalid *by the document*, not by the
//! generator's own reading of it. The OpenAPI → JSON Schema conversion is the conformance
//! runner's own (`provsim_contracts::schema`), so the suites and `provsim conform` judge by
//! the same rules.

use jsonschema::{Draft, Validator};
use serde_json::Value;

pub use provsim_contracts::schema::violations;

/// Compiles `schema` (with every component of `doc` reachable through `$ref`).
///
/// # Panics
/// When the converted schema is not valid JSON Schema: a mistake in the document.
pub fn compile(doc: &Value, schema: &Value) -> Validator {
    let components = doc.pointer("/components/schemas").and_then(Value::as_object);
    let root = provsim_contracts::schema::to_json_schema(schema, components);
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the schema does not compile ({e}): {root}"))
}
