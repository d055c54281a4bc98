//! Negative data: small mutations of a valid value that break its schema. Reusable: nothing
//! here knows provsim.
//!
//! For every node of the value, the schemas that may apply to it (all branches of `anyOf`,
//! `oneOf` and `allOf`) propose candidates: drop a required property, add a property where
//! `additionalProperties` is false, a value of another JSON type, a string that breaks the
//! `pattern` or the `format`, one character too few or too many, a value outside the `enum`,
//! a number just below the minimum or above the maximum or between two multiples, an array
//! one item too short or too long. A candidate is kept only if the document's own validator
//! (see `validate`) rejects the whole mutated value, so every mutant really is invalid, and
//! each one records where it changed the value (a JSON pointer) and how.

use jsonschema::Validator;
use serde_json::{Value, json};

use super::generate::{MAX_SCHEMA_DEPTH, integer_bounds, lower_bound, resolve, upper_bound};

/// A string well over any length limit of the documents (`maxLength` absent).
const LONG_STRING_CHARS: usize = 300;

/// One mutation of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutant {
    pub value: Value,
    /// Where the value was changed (`/bundle/licenses`; empty for the root).
    pub pointer: String,
    pub kind: &'static str,
}

/// Every kept mutation of `value`, a value valid against `schema`.
pub fn mutants(doc: &Value, schema: &Value, value: &Value, validator: &Validator) -> Vec<Mutant> {
    let mut proposals = Vec::new();
    walk(doc, &expand(doc, schema, 0), value, String::new(), &mut proposals, 0);
    let mut kept: Vec<Mutant> = Vec::new();
    for (pointer, replacement, kind) in proposals {
        let mutated = replace(value, &pointer, replacement);
        if !validator.is_valid(&mutated) && !kept.iter().any(|m| m.value == mutated) {
            kept.push(Mutant { value: mutated, pointer, kind });
        }
    }
    kept
}

/// Text values that break a parameter's schema (query and path parameters travel as text,
/// so only text can be sent: "wrong type" is text that does not read as the type). `valid`
/// is a valid value of the parameter; `accepts` says whether the document's validator
/// accepts a value as sent.
pub fn text_mutants(
    doc: &Value,
    schema: &Value,
    valid: &Value,
    accepts: impl Fn(&str) -> bool,
) -> Vec<(String, &'static str)> {
    let mut proposals = Vec::new();
    for schema in expand(doc, schema, 0) {
        leaf_candidates(schema, valid, &mut |replacement, kind| {
            proposals.push((replacement, kind))
        });
    }
    proposals.push((json!("not-a-number"), "wrong type"));
    let mut kept: Vec<(String, &'static str)> = Vec::new();
    for (replacement, kind) in proposals {
        let text = match replacement {
            Value::String(text) => text,
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if !accepts(&text) && !kept.iter().any(|(t, _)| *t == text) {
            kept.push((text, kind));
        }
    }
    kept
}

/// The schema and, for `anyOf`/`oneOf`/`allOf`, every branch that may apply to a value.
fn expand<'v>(doc: &'v Value, schema: &'v Value, depth: usize) -> Vec<&'v Value> {
    if depth > MAX_SCHEMA_DEPTH {
        return Vec::new();
    }
    let schema = resolve(doc, schema);
    let mut out = vec![schema];
    for keyword in ["anyOf", "oneOf", "allOf"] {
        for branch in schema.get(keyword).and_then(Value::as_array).into_iter().flatten() {
            out.extend(expand(doc, branch, depth + 1));
        }
    }
    out
}

type Proposals = Vec<(String, Option<Value>, &'static str)>;

fn walk(
    doc: &Value,
    schemas: &[&Value],
    value: &Value,
    pointer: String,
    out: &mut Proposals,
    depth: usize,
) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    for other in [json!(null), json!(true), json!(7), json!(2.5), json!("x"), json!([]), json!({})]
    {
        if json_type(&other) != json_type(value) {
            out.push((pointer.clone(), Some(other), "wrong type"));
        }
    }
    for schema in schemas {
        leaf_candidates(schema, value, &mut |replacement, kind| {
            out.push((pointer.clone(), Some(replacement), kind));
        });
    }
    match value {
        Value::Object(fields) => {
            for schema in schemas {
                for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(name) = name.as_str().filter(|n| fields.contains_key(*n)) {
                        out.push((
                            format!("{pointer}/{}", escape(name)),
                            None,
                            "required property dropped",
                        ));
                    }
                }
                if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                    let mut with_extra = fields.clone();
                    with_extra.insert("unexpected_property".into(), json!(1));
                    out.push((
                        pointer.clone(),
                        Some(Value::Object(with_extra)),
                        "undeclared property",
                    ));
                }
            }
            for (name, child) in fields {
                let child_schemas: Vec<&Value> = schemas
                    .iter()
                    .filter_map(|s| s.get("properties").and_then(|p| p.get(name)))
                    .flat_map(|s| expand(doc, s, depth + 1))
                    .collect();
                let child_pointer = format!("{pointer}/{}", escape(name));
                walk(doc, &child_schemas, child, child_pointer, out, depth + 1);
            }
        }
        Value::Array(items) => {
            let item_schemas: Vec<&Value> = schemas
                .iter()
                .filter_map(|s| s.get("items"))
                .flat_map(|s| expand(doc, s, depth + 1))
                .collect();
            for (idx, item) in items.iter().enumerate() {
                walk(doc, &item_schemas, item, format!("{pointer}/{idx}"), out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Candidates from one schema's own constraints on the node `value`.
fn leaf_candidates(schema: &Value, value: &Value, push: &mut dyn FnMut(Value, &'static str)) {
    if schema.get("enum").is_some() {
        push(json!("not-in-the-enum"), "outside the enum");
        push(json!(12_345), "outside the enum");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => {
            let text = value.as_str().unwrap_or_default();
            if schema.get("pattern").is_some() || schema.get("format").is_some() {
                for bad in [" ", "!", "a b", "x\u{0}y", "\u{ff}", "-1", "not a value"] {
                    push(json!(bad), "breaks the pattern or format");
                }
            }
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64).filter(|m| *m > 0) {
                let short: String = text.chars().take(min as usize - 1).collect();
                push(json!(short), "one character too short");
            }
            let max = schema.get("maxLength").and_then(Value::as_u64);
            let long_chars = max.map_or(LONG_STRING_CHARS, |m| m as usize + 1);
            let mut long: String = text.chars().take(long_chars).collect();
            while long.chars().count() < long_chars {
                long.push('x');
            }
            push(json!(long), "one character too long");
        }
        Some("integer") => {
            let (lo, hi) = integer_bounds(schema);
            if lower_bound(schema).is_some() {
                push(big_integer(lo - 1), "below the minimum");
            }
            if upper_bound(schema).is_some() {
                push(big_integer(hi + 1), "above the maximum");
            }
            if let Some(n) = value.as_i64() {
                push(json!(n as f64 + 0.5), "not an integer");
            }
        }
        Some("number") => {
            if let Some((lo, _)) = lower_bound(schema) {
                push(json!(lo - 1.0), "below the minimum");
            }
            if let Some((hi, _)) = upper_bound(schema) {
                push(json!(hi + 1.0), "above the maximum");
            }
            if let (Some(step), Some(n)) =
                (schema.get("multipleOf").and_then(Value::as_f64), value.as_f64())
            {
                push(json!(n + step / 2.0), "not a multiple");
            }
        }
        Some("array") => {
            let items = value.as_array().cloned().unwrap_or_default();
            if schema.get("minItems").and_then(Value::as_u64).is_some_and(|m| m > 0) {
                push(json!([]), "too few items");
            }
            if let (Some(max), Some(first)) =
                (schema.get("maxItems").and_then(Value::as_u64), items.first())
            {
                push(Value::Array(vec![first.clone(); max as usize + 1]), "too many items");
            }
        }
        _ => {}
    }
}

/// An integer just outside an `i64`/`u64` range is still sent as a JSON number.
fn big_integer(n: i128) -> Value {
    match (i64::try_from(n), u64::try_from(n)) {
        (Ok(small), _) => json!(small),
        (_, Ok(big)) => json!(big),
        _ => json!(n as f64),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// RFC 6901 escaping of one pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `value` with the node at `pointer` replaced (`None` removes an object property).
fn replace(value: &Value, pointer: &str, replacement: Option<Value>) -> Value {
    let mut out = value.clone();
    if pointer.is_empty() {
        return replacement.unwrap_or(Value::Null);
    }
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer starts with /");
    let last = unescape(last);
    match (out.pointer_mut(parent), replacement) {
        (Some(Value::Object(map)), Some(new)) => {
            map.insert(last, new);
        }
        (Some(Value::Object(map)), None) => {
            map.remove(&last);
        }
        (Some(Value::Array(items)), Some(new)) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = new;
            }
        }
        _ => {}
    }
    out
}

mod tests {
    use super::*;
    use crate::schema_props::validate::compile;

    #[test]
    fn every_mutant_is_rejected_and_names_where_it_changed() {
        let doc = json!({});
        let schema = json!({"type": "object", "required": ["n", "s"], "additionalProperties": false,
            "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 9},
                           "s": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 4}}});
        let validator = compile(&doc, &schema);
        let valid = json!({"n": 5, "s": "ab"});
        let found = mutants(&doc, &schema, &valid, &validator);
        for mutant in &found {
            assert!(!validator.is_valid(&mutant.value), "{mutant:?}");
        }
        let has = |pointer: &str, kind: &str| {
            found.iter().any(|m| m.pointer == pointer && m.kind == kind)
        };
        assert!(has("/n", "required property dropped"));
        assert!(has("/n", "below the minimum"));
        assert!(has("/n", "above the maximum"));
        assert!(has("/s", "one character too long"));
        assert!(has("/s", "breaks the pattern or format"));
        assert!(has("", "undeclared property"));
        assert!(has("", "wrong type"));
    }
}
