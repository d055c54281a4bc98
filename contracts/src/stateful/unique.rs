//! A request body made unique, for the one retry of a create whose example values are taken.
//!
//! The example phase runs before the stateful phase and sends the same example create, and a
//! target keeps data between runs; an API whose create has unique fields then answers 409 (or
//! a bulk answer whose items failed) and there is nothing new to follow links from. The
//! retry appends a short suffix to string values of the example body, judged by the document
//! only:
//!
//! - a string that contains another string of the body, or is contained in one, is kept (a
//!   rule across fields such as `name` = `id_hub@ob` would break);
//! - a change that makes the body break the request schema (pattern, enum, maxLength, format)
//!   more than before is undone.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::limits::MAX_SCHEMA_DEPTH;
use crate::schema;

/// Characters of a suffix: lower-case ASCII letters and digits, which most string rules
/// (alphanumeric names, printable text) allow.
const SUFFIX_ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Characters of the clock-derived part of a suffix. 36^6 microseconds are about 36 minutes:
/// two runs collide only when started at the same microsecond of that cycle.
const SUFFIX_CLOCK_CHARS: usize = 6;

/// One string of the body that was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where, as a JSON pointer.
    pub pointer: String,
    pub before: String,
    pub after: String,
}

/// A suffix that differs between runs: the clock in microseconds, in base 36.
pub fn clock_suffix() -> String {
    let micros = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    let cycle = 36u128.pow(SUFFIX_CLOCK_CHARS as u32);
    let mut n = micros % cycle;
    let mut text = vec![b'0'; SUFFIX_CLOCK_CHARS];
    for slot in text.iter_mut().rev() {
        *slot = SUFFIX_ALPHABET[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(text).unwrap_or_default()
}

/// `n` in base 36 (`0`, `1`, ..., `z`, `10`, ...), to tell the operations of one run apart.
pub fn base36(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(SUFFIX_ALPHABET[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// The body with `suffix` appended to every string it may change, and the changes; `None`
/// when no string could change. `schema` is the request body's OpenAPI schema (as JSON),
/// `components` the document's `components.schemas`.
pub fn vary(
    body: &Value,
    schema: Option<&Value>,
    components: Option<&serde_json::Map<String, Value>>,
    suffix: &str,
) -> Option<(Value, Vec<Change>)> {
    let mut leaves = Vec::new();
    collect_strings(body, String::new(), 0, &mut leaves);
    let candidates: Vec<&(String, String)> = leaves
        .iter()
        .filter(|(pointer, text)| {
            !text.is_empty()
                && !leaves.iter().any(|(other_pointer, other)| {
                    other_pointer != pointer && (other.contains(text) || text.contains(other))
                })
        })
        .collect();
    let validator = schema.and_then(|schema| {
        let json_schema = schema::to_json_schema(schema, components);
        jsonschema::options().should_validate_formats(true).build(&json_schema).ok()
    });
    let n_errors = |value: &Value| validator.as_ref().map_or(0, |v| v.iter_errors(value).count());

    let mut varied = body.clone();
    let mut n_errors_now = n_errors(&varied);
    let mut changes = Vec::new();
    for (pointer, before) in candidates {
        let after = format!("{before}{suffix}");
        let Some(slot) = varied.pointer_mut(pointer) else {
            continue;
        };
        *slot = Value::from(after.as_str());
        let n_errors_then = n_errors(&varied);
        if n_errors_then > n_errors_now {
            if let Some(slot) = varied.pointer_mut(pointer) {
                *slot = Value::from(before.as_str());
            }
            continue;
        }
        n_errors_now = n_errors_then;
        changes.push(Change { pointer: pointer.clone(), before: before.clone(), after });
    }
    (!changes.is_empty()).then_some((varied, changes))
}

fn collect_strings(value: &Value, pointer: String, depth: usize, out: &mut Vec<(String, String)>) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    match value {
        Value::String(text) => out.push((pointer, text.clone())),
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                collect_strings(item, format!("{pointer}/{idx}"), depth + 1, out);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let token = name.replace('~', "~0").replace('/', "~1");
                collect_strings(field, format!("{pointer}/{token}"), depth + 1, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_that_others_contain_and_rule_breaking_changes_are_kept() {
        let body = json!({
            "order": "ord-1", "id_hub": "hub7", "ob": "acme", "name": "hub7@acme",
            "locale": "en-US", "plan": "gold", "when": "2024-01-01", "n": 3,
            "items": [{"name": "bob"}, {"name": "ann"}]
        });
        let schema = json!({"type": "object", "properties": {
            "locale": {"type": "string", "pattern": "^[a-z]{2}-[A-Z]{2}$"},
            "plan": {"type": "string", "enum": ["gold", "silver"]},
            "when": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string", "maxLength": 5}}}}
        }});
        let (varied, changes) = vary(&body, Some(&schema), None, "x1").unwrap();
        let changed: Vec<&str> = changes.iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(changed, ["/order", "/items/0/name", "/items/1/name"]);
        assert_eq!(varied["order"], json!("ord-1x1"));
        assert_eq!(varied["name"], json!("hub7@acme"));
        assert_eq!(varied["items"][1]["name"], json!("annx1"));
        // Over maxLength: kept.
        let (_, changes) = vary(&body, Some(&schema), None, "long").unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(vary(&json!({"n": 1}), None, None, "x"), None);
    }

    #[test]
    fn suffixes_are_lower_case_alphanumerics() {
        let suffix = clock_suffix();
        assert_eq!(suffix.len(), SUFFIX_CLOCK_CHARS);
        assert!(suffix.bytes().all(|b| SUFFIX_ALPHABET.contains(&b)), "{suffix}");
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }
}
