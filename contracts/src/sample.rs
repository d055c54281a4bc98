//! Values to put in requests: the document's own examples first, values synthesised from a
//! schema when an example is missing.
//!
//! Synthesised values are deliberately plain (the minimum, the first enum value, required
//! fields only): they are there so a request reaches the operation, not to explore it.

use openapiv3::{MediaType, ParameterData, ParameterSchemaOrContent, ReferenceOr};
use serde_json::{Map, Value};

use crate::limits::{MAX_SCHEMA_DEPTH, MAX_SYNTH_STRING_CHARS};
use crate::schema;
use crate::spec::{self, Api};

/// Where a sample value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// An `example`, `examples`, `default` or `enum` of the document.
    Document,
    /// Made up from the schema's types and bounds.
    Synthesized,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub value: Value,
    pub provenance: Provenance,
}

impl Sample {
    fn document(value: Value) -> Sample {
        Sample { value, provenance: Provenance::Document }
    }
}

/// A value for a parameter: the document's example, else (only for a required parameter) a
/// synthesised one. Optional parameters without an example are left out of requests.
pub fn parameter(api: &Api<'_>, data: &ParameterData) -> Option<Sample> {
    if let Some(value) = &data.example {
        return Some(Sample::document(value.clone()));
    }
    if let Some(value) = first_example(api, data.examples.values()) {
        return Some(Sample::document(value));
    }
    let schema = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => serde_json::to_value(schema).ok(),
        ParameterSchemaOrContent::Content(content) => {
            let media = content.values().next()?;
            if let Some(sample) = media_example(api, media) {
                return Some(sample);
            }
            media.schema.as_ref().and_then(|schema| serde_json::to_value(schema).ok())
        }
    }?;
    if let Some(value) = schema_annotation(api, &schema) {
        return Some(Sample::document(value));
    }
    data.required
        .then(|| Sample { value: synthesize(api, &schema), provenance: Provenance::Synthesized })
}

/// A body for a media type: its example, else one synthesised from its schema.
pub fn media_body(api: &Api<'_>, media: &MediaType) -> Option<Sample> {
    if let Some(sample) = media_example(api, media) {
        return Some(sample);
    }
    let schema = serde_json::to_value(media.schema.as_ref()?).ok()?;
    if let Some(value) = schema_annotation(api, &schema) {
        return Some(Sample::document(value));
    }
    Some(Sample { value: synthesize(api, &schema), provenance: Provenance::Synthesized })
}

fn media_example(api: &Api<'_>, media: &MediaType) -> Option<Sample> {
    if let Some(value) = &media.example {
        return Some(Sample::document(value.clone()));
    }
    first_example(api, media.examples.values()).map(Sample::document)
}

fn first_example<'d>(
    api: &Api<'d>,
    mut examples: impl Iterator<Item = &'d ReferenceOr<openapiv3::Example>>,
) -> Option<Value> {
    let example = spec::resolve(api.doc, examples.next()?).ok()?;
    example.value.clone()
}

/// The schema's own `example`, `default` or first non-null `enum` value.
fn schema_annotation(api: &Api<'_>, schema: &Value) -> Option<Value> {
    let schema = schema::resolve(&api.raw, schema, 0);
    if let Some(value) = schema.get("example").or_else(|| schema.get("default")) {
        return Some(value.clone());
    }
    schema.get("enum")?.as_array()?.iter().find(|v| !v.is_null()).cloned()
}

/// A plain value that satisfies the common constraints of an OpenAPI schema (type, format,
/// bounds, lengths, required properties). Patterns are not honoured.
pub fn synthesize(api: &Api<'_>, schema: &Value) -> Value {
    synthesize_at(&api.raw, schema, 0)
}

fn synthesize_at(raw: &Value, schema: &Value, depth: usize) -> Value {
    if depth > MAX_SCHEMA_DEPTH {
        return Value::Null;
    }
    let schema = schema::resolve(raw, schema, depth);
    if let Some(value) = schema.get("example").or_else(|| schema.get("default")) {
        return value.clone();
    }
    if let Some(value) =
        schema.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return value.clone();
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match synthesize_at(raw, part, depth + 1) {
                Value::Object(fields) => merged.extend(fields),
                other if merged.is_empty() => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return synthesize_at(raw, first, depth + 1);
        }
    }
    match schema::primary_type(schema) {
        Some("string") => Value::from(synth_string(schema)),
        Some("integer") => {
            let (low, high) = bounds(schema);
            let value =
                low.map(f64::ceil).unwrap_or(1.0).min(high.map(f64::floor).unwrap_or(f64::MAX));
            Value::from(value as i64)
        }
        Some("number") => {
            let (low, high) = bounds(schema);
            let value = low.unwrap_or(1.0).min(high.unwrap_or(f64::MAX));
            serde_json::Number::from_f64(value).map(Value::Number).unwrap_or(Value::from(1))
        }
        Some("boolean") => Value::Bool(true),
        Some("array") => {
            let n_items = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(4);
            let item = schema
                .get("items")
                .map(|items| synthesize_at(raw, items, depth + 1))
                .unwrap_or(Value::Null);
            Value::Array((0..n_items).map(|_| item.clone()).collect())
        }
        Some("object") => synth_object(raw, schema, depth),
        _ if schema.get("properties").is_some() => synth_object(raw, schema, depth),
        _ => Value::Null,
    }
}

fn synth_object(raw: &Value, schema: &Value, depth: usize) -> Value {
    let mut object = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let value = properties
            .and_then(|p| p.get(name))
            .map(|sub| synthesize_at(raw, sub, depth + 1))
            .unwrap_or_else(|| Value::from("example"));
        object.insert(name.to_owned(), value);
    }
    Value::Object(object)
}

fn synth_string(schema: &Value) -> String {
    let text = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-01-01T00:00:00Z",
        Some("date") => "2024-01-01",
        Some("email") => "qa@example.com",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("uri" | "url") => "https://example.com/",
        Some("ipv4") => "192.0.2.1",
        _ => "example",
    };
    let min_chars = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max_chars = schema.get("maxLength").and_then(Value::as_u64).map(|n| n as usize);
    let mut text: String = text.to_owned();
    // Padded to minLength, within reason: a schema may ask for more than a request should carry.
    let n_missing = min_chars.min(MAX_SYNTH_STRING_CHARS).saturating_sub(text.chars().count());
    text.extend(std::iter::repeat_n('x', n_missing));
    if let Some(max) = max_chars {
        text = text.chars().take(max).collect();
    }
    text
}

/// Lower and upper bounds of a numeric schema, with OpenAPI 3.0's boolean
/// `exclusiveMinimum`/`exclusiveMaximum` moved one unit inwards.
fn bounds(schema: &Value) -> (Option<f64>, Option<f64>) {
    let exclusive = |key| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
    let low = schema
        .get("minimum")
        .and_then(Value::as_f64)
        .map(|m| if exclusive("exclusiveMinimum") { m + 1.0 } else { m });
    let high = schema
        .get("maximum")
        .and_then(Value::as_f64)
        .map(|m| if exclusive("exclusiveMaximum") { m - 1.0 } else { m });
    (low, high)
}

/// A parameter value as it goes into a path, query or header: strings as they are, other
/// scalars in their JSON spelling, arrays comma-separated (OpenAPI's default `simple`/`form`
/// style without explode), objects as JSON.
pub fn to_param_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(to_param_string).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(schema: Value, expected: Value) {
        let raw = json!({"components": {"schemas": {"Bundle": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "enum": ["basic", "premium"]}}}}}});
        assert_eq!(synthesize_at(&raw, &schema, 0), expected, "schema {schema}");
    }

    #[test]
    fn synthesised_values_follow_types_and_bounds() {
        check(json!({"type": "integer", "minimum": 5, "maximum": 9}), json!(5));
        check(json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}), json!(1));
        check(json!({"type": "string", "minLength": 10}), json!("examplexxx"));
        check(json!({"type": "string", "maxLength": 3}), json!("exa"));
        check(json!({"type": "string", "format": "date-time"}), json!("2024-01-01T00:00:00Z"));
        check(json!({"type": ["string", "null"]}), json!("example"));
        check(
            json!({"type": "array", "minItems": 2, "items": {"type": "boolean"}}),
            json!([true, true]),
        );
        check(json!({"type": "string", "enum": [null, "b"]}), json!("b"));
    }

    #[test]
    fn synthesised_objects_hold_their_required_fields_through_refs() {
        check(
            json!({"type": "object", "required": ["bundle", "n"], "properties": {
                "bundle": {"$ref": "#/components/schemas/Bundle"},
                "n": {"type": "integer"},
                "optional": {"type": "string"}
            }}),
            json!({"bundle": {"id": "basic"}, "n": 1}),
        );
        check(
            json!({"allOf": [{"$ref": "#/components/schemas/Bundle"}, {"required": ["x"], "properties": {"x": {"type": "boolean"}}}]}),
            json!({"id": "basic", "x": true}),
        );
    }

    #[test]
    fn a_self_referencing_schema_stops_at_the_depth_limit() {
        let raw = json!({"components": {"schemas": {"Node": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}}});
        let value = synthesize_at(&raw, &json!({"$ref": "#/components/schemas/Node"}), 0);
        assert!(value.to_string().contains("null"));
    }

    #[test]
    fn parameter_strings() {
        assert_eq!(to_param_string(&json!("a b")), "a b");
        assert_eq!(to_param_string(&json!(42)), "42");
        assert_eq!(to_param_string(&json!([1, "x"])), "1,x");
    }
}
