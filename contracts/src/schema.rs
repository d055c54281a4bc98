//! OpenAPI 3.0 schemas as JSON: following their `$ref`s, converting them to JSON Schema
//! 2020-12 for the `jsonschema` validator, and reading the shape of an object schema.
//!
//! OpenAPI 3.0's schema dialect differs from JSON Schema in a few places that change what a
//! body is accepted as, and the conversion handles exactly those:
//! - `$ref: '#/components/schemas/X'` points into the OpenAPI document; the converted schema
//!   carries every component under `$defs` and points at `#/$defs/X`;
//! - `nullable: true` becomes a type union with `"null"` (or an `anyOf` with `{type: null}`
//!   when the schema has no `type`), and `null` joins an `enum`;
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4) become the numeric form;
//! - in 3.0 a `$ref`'s siblings are ignored, so they are dropped.
//!
//! Annotations (`example`, `description`, `x-*`) are values, not schemas, and are never
//! rewritten: an example may well contain a key called `$ref` or `nullable`.

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

use crate::limits::{MAX_SCHEMA_DEPTH, MAX_SCHEMA_ERRORS_REPORTED};

const COMPONENTS_PREFIX: &str = "#/components/schemas/";
const DEFS_PREFIX: &str = "#/$defs/";

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: [&str; 10] = [
    "items",
    "additionalProperties",
    "not",
    "additionalItems",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
];
/// Keywords whose value is an array of schemas.
const SCHEMA_ARRAY_KEYWORDS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const SCHEMA_MAP_KEYWORDS: [&str; 5] =
    ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];
/// OpenAPI-only annotations with no meaning for validation; dropped to keep compiled schemas
/// small and free of values that look like schemas.
const OPENAPI_ONLY_KEYWORDS: [&str; 5] =
    ["example", "discriminator", "xml", "externalDocs", "nullable"];

/// Follows local `$ref`s (`#/...` JSON pointers into the document) until a schema that is not
/// a reference. An unresolvable or circular reference is returned as it is.
pub fn resolve<'v>(raw: &'v Value, schema: &'v Value, depth: usize) -> &'v Value {
    let mut current = schema;
    for _ in depth..=MAX_SCHEMA_DEPTH {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        match reference.strip_prefix('#').and_then(|pointer| raw.pointer(pointer)) {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

/// The one non-null type a schema declares (`type: string`, or `type: [string, "null"]`).
pub fn primary_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(name) => Some(name),
        Value::Array(names) => {
            let mut non_null =
                names.iter().filter_map(Value::as_str).filter(|name| *name != "null");
            let first = non_null.next()?;
            non_null.next().is_none().then_some(first)
        }
        _ => None,
    }
}

/// Converts one OpenAPI 3.0 schema (as JSON) to a self-contained JSON Schema 2020-12
/// document, with every `components.schemas` entry embedded under `$defs`.
pub fn to_json_schema(schema: &Value, components: Option<&Map<String, Value>>) -> Value {
    let mut root = match convert(schema) {
        Value::Object(map) => map,
        // A boolean schema (`true`/`false`) or anything odd is wrapped so `$defs` can sit beside it.
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    if let Some(components) = components {
        let defs: Map<String, Value> =
            components.iter().map(|(name, s)| (name.clone(), convert(s))).collect();
        root.insert("$defs".to_owned(), Value::Object(defs));
    }
    root.insert("$schema".to_owned(), json!("https://json-schema.org/draft/2020-12/schema"));
    Value::Object(root)
}

fn convert(schema: &Value) -> Value {
    let Value::Object(fields) = schema else {
        return schema.clone();
    };
    if let Some(reference) = fields.get("$ref").and_then(Value::as_str) {
        let rewritten = match reference.strip_prefix(COMPONENTS_PREFIX) {
            Some(name) => format!("{DEFS_PREFIX}{name}"),
            None => reference.to_owned(),
        };
        return json!({ "$ref": rewritten });
    }
    let mut out = Map::new();
    for (key, value) in fields {
        if OPENAPI_ONLY_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = if SCHEMA_KEYWORDS.contains(&key.as_str()) {
            convert(value)
        } else if SCHEMA_ARRAY_KEYWORDS.contains(&key.as_str()) {
            match value {
                Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
                other => other.clone(),
            }
        } else if SCHEMA_MAP_KEYWORDS.contains(&key.as_str()) {
            match value {
                Value::Object(map) => {
                    Value::Object(map.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                }
                other => other.clone(),
            }
        } else {
            value.clone()
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bound(&mut out, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut out, "exclusiveMaximum", "maximum");
    if fields.get("nullable").and_then(Value::as_bool) == Some(true) {
        return make_nullable(out);
    }
    Value::Object(out)
}

/// Draft 4 / OpenAPI 3.0 `exclusiveMinimum: true` + `minimum: m` is 2020-12's
/// `exclusiveMinimum: m`; `false` means nothing.
fn exclusive_bound(schema: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match schema.get(exclusive) {
        Some(Value::Bool(true)) => match schema.remove(inclusive) {
            Some(bound) => {
                schema.insert(exclusive.to_owned(), bound);
            }
            None => {
                schema.remove(exclusive);
            }
        },
        Some(Value::Bool(false)) => {
            schema.remove(exclusive);
        }
        _ => {}
    }
}

fn make_nullable(mut schema: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match schema.get("type").cloned() {
        Some(Value::String(name)) => {
            schema.insert("type".to_owned(), json!([name, "null"]));
            Value::Object(schema)
        }
        Some(Value::Array(mut names)) => {
            if !names.contains(&json!("null")) {
                names.push(json!("null"));
            }
            schema.insert("type".to_owned(), Value::Array(names));
            Value::Object(schema)
        }
        _ => json!({ "anyOf": [Value::Object(schema), { "type": "null" }] }),
    }
}

/// Compiles an OpenAPI schema into a validator.
///
/// # Errors
/// The validator's message when the converted schema is not valid JSON Schema (a mistake in
/// the document, e.g. a `$ref` to another file).
pub fn compile(
    schema: &Value,
    components: Option<&Map<String, Value>>,
) -> Result<Validator, String> {
    let json_schema = to_json_schema(schema, components);
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&json_schema)
        .map_err(|error| error.to_string())
}

/// Every way `instance` breaks the schema, as `at /json/pointer: reason` lines, at most
/// [`MAX_SCHEMA_ERRORS_REPORTED`] of them plus a count of the rest.
pub fn violations(validator: &Validator, instance: &Value) -> Vec<String> {
    let mut messages = Vec::new();
    let mut n_errors = 0usize;
    for error in validator.iter_errors(instance) {
        n_errors += 1;
        if messages.len() < MAX_SCHEMA_ERRORS_REPORTED {
            let path = error.instance_path().as_str().to_owned();
            let path = if path.is_empty() { "/".to_owned() } else { path };
            messages.push(format!("at {path}: {error}"));
        }
    }
    if n_errors > messages.len() {
        messages.push(format!("... and {} more", n_errors - messages.len()));
    }
    messages
}

/// The top level of an object schema, merged over `allOf`: its required fields and its
/// properties with their (resolved) schemas, in document order.
#[derive(Debug, Default, PartialEq)]
pub struct ObjectShape<'v> {
    pub required: Vec<&'v str>,
    pub properties: Vec<(&'v str, &'v Value)>,
}

/// The [`ObjectShape`] of a schema, or `None` when it describes no object fields.
pub fn object_shape<'v>(raw: &'v Value, schema: &'v Value) -> Option<ObjectShape<'v>> {
    let mut shape = ObjectShape::default();
    collect_shape(raw, schema, 0, &mut shape);
    (!shape.required.is_empty() || !shape.properties.is_empty()).then_some(shape)
}

fn collect_shape<'v>(raw: &'v Value, schema: &'v Value, depth: usize, shape: &mut ObjectShape<'v>) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let schema = resolve(raw, schema, depth);
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !shape.required.contains(&name) {
            shape.required.push(name);
        }
    }
    for (name, sub) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if !shape.properties.iter().any(|(known, _)| known == name) {
            shape.properties.push((name, resolve(raw, sub, depth + 1)));
        }
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        collect_shape(raw, part, depth + 1, shape);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn components() -> Map<String, Value> {
        let value = json!({
            "Widget": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "color": {"type": "string", "nullable": true, "enum": ["red", "blue"]},
                "owner": {"$ref": "#/components/schemas/Owner"}
            }},
            "Owner": {"type": "object", "nullable": true, "properties": {"name": {"type": "string"}}}
        });
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn valid(schema: Value, instance: Value) -> bool {
        let components = components();
        let validator = compile(&schema, Some(&components)).unwrap();
        violations(&validator, &instance).is_empty()
    }

    #[test]
    fn refs_point_into_defs_and_siblings_are_dropped() {
        let converted = to_json_schema(
            &json!({"$ref": "#/components/schemas/Widget", "description": "x"}),
            None,
        );
        assert_eq!(converted["$ref"], "#/$defs/Widget");
        assert!(converted.get("description").is_none());
        let nested =
            convert(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Owner"}}));
        assert_eq!(nested["items"]["$ref"], "#/$defs/Owner");
    }

    #[test]
    fn nullable_becomes_a_type_union_an_enum_member_or_an_any_of() {
        assert_eq!(
            convert(&json!({"type": "string", "nullable": true})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            convert(&json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            convert(&json!({"nullable": true, "allOf": [{"type": "integer"}]})),
            json!({"anyOf": [{"allOf": [{"type": "integer"}]}, {"type": "null"}]})
        );
        assert_eq!(
            convert(&json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn examples_and_extensions_are_not_rewritten_or_kept() {
        let converted = convert(
            &json!({"type": "object", "example": {"$ref": "#/components/schemas/X"}, "x-volatile": true,
            "properties": {"x-volatile": {"type": "string"}}}),
        );
        assert_eq!(
            converted,
            json!({"type": "object", "properties": {"x-volatile": {"type": "string"}}})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numeric() {
        assert_eq!(
            convert(
                &json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false})
            ),
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9})
        );
        assert!(!valid(
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}),
            json!(0)
        ));
        assert!(valid(
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}),
            json!(1)
        ));
    }

    #[test]
    fn converted_schemas_validate_as_openapi_means() {
        let widget = json!({"$ref": "#/components/schemas/Widget"});
        assert!(valid(widget.clone(), json!({"id": "w1", "color": null, "owner": null})));
        assert!(valid(widget.clone(), json!({"id": "w1", "color": "red", "owner": {"name": "n"}})));
        assert!(!valid(widget.clone(), json!({"id": 1})));
        assert!(!valid(widget.clone(), json!({"color": "red"})));
        assert!(!valid(widget, json!({"id": "w", "color": "green"})));
    }

    #[test]
    fn violations_name_the_json_pointer() {
        let components = components();
        let validator = compile(
            &json!({"type": "array", "items": {"$ref": "#/components/schemas/Widget"}}),
            Some(&components),
        )
        .unwrap();
        let messages = violations(&validator, &json!([{"id": "a"}, {"id": 7}]));
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].starts_with("at /1/id: 7 is not of type \"string\""), "{messages:?}");
    }

    #[test]
    fn object_shape_merges_all_of_and_resolves_property_refs() {
        let raw = json!({"components": {"schemas": components()}});
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/Widget"}, {"required": ["extra"], "properties": {"extra": {"type": "integer"}}}]});
        let shape = object_shape(&raw, &schema).unwrap();
        assert_eq!(shape.required, vec!["id", "extra"]);
        let names: Vec<_> = shape.properties.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, vec!["id", "color", "owner", "extra"]);
        assert_eq!(primary_type(shape.properties[2].1), Some("object"));
        assert_eq!(object_shape(&raw, &json!({"type": "string"})), None);
    }

    #[test]
    fn primary_type_reads_single_types_and_nullable_unions() {
        assert_eq!(primary_type(&json!({"type": "integer"})), Some("integer"));
        assert_eq!(primary_type(&json!({"type": ["string", "null"]})), Some("string"));
        assert_eq!(primary_type(&json!({"type": ["string", "integer"]})), None);
        assert_eq!(primary_type(&json!({"oneOf": []})), None);
    }
}
