//! Comparing two answers of the same GET while ignoring what changes by nature.
//!
//! A field whose schema carries `x-volatile: true` (a timestamp, a request id, a counter
//! driven by the clock) is removed before two snapshots are compared; everything else must
//! be equal for "a rejected request changes no state" to hold. The marker is read from the
//! document, so nothing here knows any vendor's field names.

use serde_json::Value;

use crate::limits::MAX_SCHEMA_DEPTH;
use crate::schema;

/// The schema extension marking a field whose value changes without any request changing it.
pub const VOLATILE_EXTENSION: &str = "x-volatile";

/// Removes from `instance` every object field whose (OpenAPI) schema is marked volatile,
/// following `properties`, `additionalProperties`, `items`, `allOf`, `anyOf`, `oneOf` and
/// `$ref`s in `raw` (the whole document as JSON).
pub fn strip_volatile(raw: &Value, schema: &Value, instance: &mut Value) {
    strip_at(raw, schema, instance, 0);
}

fn is_volatile(raw: &Value, schema: &Value, depth: usize) -> bool {
    let marked = |s: &Value| s.get(VOLATILE_EXTENSION).and_then(Value::as_bool) == Some(true);
    // The marker may sit beside a `$ref` (ignored for validation, still meant) or on the target.
    marked(schema) || marked(schema::resolve(raw, schema, depth))
}

fn strip_at(raw: &Value, schema: &Value, instance: &mut Value, depth: usize) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let schema = schema::resolve(raw, schema, depth);
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            strip_at(raw, part, instance, depth + 1);
        }
    }
    match instance {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let names: Vec<String> = fields.keys().cloned().collect();
            for name in names {
                let Some(sub) = properties.and_then(|p| p.get(&name)).or(additional) else {
                    continue;
                };
                if is_volatile(raw, sub, depth + 1) {
                    fields.remove(&name);
                } else if let Some(value) = fields.get_mut(&name) {
                    strip_at(raw, sub, value, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    strip_at(raw, item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Where two JSON values first differ, as `at /pointer: before X, after Y`; `None` when equal.
pub fn first_difference(before: &Value, after: &Value) -> Option<String> {
    difference_at(before, after, String::new())
}

fn difference_at(before: &Value, after: &Value, path: String) -> Option<String> {
    let here = || if path.is_empty() { "/".to_owned() } else { path.clone() };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match b.get(key) {
                    None => return Some(format!("at {child}: removed (was {})", short(value))),
                    Some(other) => {
                        if let Some(found) = difference_at(value, other, child) {
                            return Some(found);
                        }
                    }
                }
            }
            b.iter().find(|(key, _)| !a.contains_key(*key)).map(|(key, value)| {
                format!(
                    "at {path}/{}: added ({})",
                    key.replace('~', "~0").replace('/', "~1"),
                    short(value)
                )
            })
        }
        (Value::Array(a), Value::Array(b)) => {
            for (idx, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(found) = difference_at(x, y, format!("{path}/{idx}")) {
                    return Some(found);
                }
            }
            (a.len() != b.len())
                .then(|| format!("at {}: {} items before, {} after", here(), a.len(), b.len()))
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("at {}: before {}, after {}", here(), short(x), short(y))),
    }
}

/// A value in a message, cut to a readable length.
fn short(value: &Value) -> String {
    const MAX_SHOWN_CHARS: usize = 80;
    let text = value.to_string();
    if text.chars().count() > MAX_SHOWN_CHARS {
        format!("{}…", text.chars().take(MAX_SHOWN_CHARS).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_fields_are_removed_at_any_depth_through_refs() {
        let raw = json!({"components": {"schemas": {
            "Stamp": {"type": "string", "x-volatile": true},
            "Item": {"type": "object", "properties": {
                "id": {"type": "string"},
                "seen": {"$ref": "#/components/schemas/Stamp"},
                "meta": {"type": "object", "additionalProperties": {"type": "string", "x-volatile": true}}
            }}
        }}});
        let schema = json!({"type": "object", "properties": {
            "request_id": {"type": "string", "x-volatile": true},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
        }});
        let mut body = json!({"request_id": "r-1", "items": [{"id": "a", "seen": "t1", "meta": {"k": "v"}}], "other": 1});
        strip_volatile(&raw, &schema, &mut body);
        assert_eq!(body, json!({"items": [{"id": "a", "meta": {}}], "other": 1}));
    }

    #[test]
    fn differences_are_located() {
        assert_eq!(first_difference(&json!({"a": [1, 2]}), &json!({"a": [1, 2]})), None);
        assert_eq!(
            first_difference(&json!({"a": [1, 2]}), &json!({"a": [1, 3]})).unwrap(),
            "at /a/1: before 2, after 3"
        );
        assert_eq!(
            first_difference(&json!([1]), &json!([1, 2])).unwrap(),
            "at /: 1 items before, 2 after"
        );
        assert_eq!(
            first_difference(&json!({}), &json!({"n/x": 1})).unwrap(),
            "at /n~1x: added (1)"
        );
        assert_eq!(
            first_difference(&json!({"gone": true}), &json!({})).unwrap(),
            "at /gone: removed (was true)"
        );
    }
}
