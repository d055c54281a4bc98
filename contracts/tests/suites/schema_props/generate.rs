//! OpenAPI 3.0 schemas (a dialect of JSON Schema) → proptest strategies of values that are
//! valid against them. Reusable: nothing here knows provsim.
//!
//! Supported: `$ref` into the document (`#/components/schemas/X`), `nullable`, `enum`,
//! `anyOf`/`oneOf` (a value of one branch), `allOf` of object schemas (merged), objects
//! (every required property, each optional one half of the time, and — where
//! `additionalProperties` is absent or `true`, as JSON Schema allows — sometimes one
//! undeclared property; `additionalProperties` as a schema gives a few extra keys), strings (`pattern` through
//! `proptest::string::string_regex`, `minLength`/`maxLength` in characters, `format:
//! date-time`), integers and numbers (`minimum`/`maximum`, both spellings of exclusive
//! bounds, `multipleOf`, and the ranges of the `int32`/`uint32`/`int64`/... formats when no
//! bound is written), booleans, and arrays (`items`, `minItems`/`maxItems`). Bounds and
//! boundary values (the least and greatest allowed number) are generated more often than
//! their share, because that is where implementations disagree.
//!
//! Anything else that constrains values (`not`, `uniqueItems`, `patternProperties`,
//! `minProperties`, `const`, ...) panics with the keyword's name: a silently ignored keyword
//! would make "valid" values invalid. Values of a `oneOf` branch that also match another
//! branch are not filtered here; the properties validate every generated value against the
//! schema, so such a value fails loudly instead of testing the wrong thing.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

/// Deepest nesting of schemas (and `$ref` hops) followed; deeper means a cycle.
pub const MAX_SCHEMA_DEPTH: usize = 16;
/// Longest generated string when the schema sets no `maxLength`, in characters.
pub const DEFAULT_MAX_STRING_CHARS: usize = 24;
/// Most generated array items when the schema sets no `maxItems`, beyond `minItems`.
pub const DEFAULT_EXTRA_ARRAY_ITEMS: usize = 3;
/// Most extra keys of a map (`additionalProperties` as a schema).
pub const MAX_GENERATED_MAP_KEYS: usize = 2;
/// The name of the undeclared property added to objects that allow them.
pub const UNDECLARED_PROPERTY: &str = "undeclared_property";
/// Bound of generated numbers (not integers) when the schema sets none.
pub const DEFAULT_NUMBER_BOUND: f64 = 1e9;
/// Years of generated `date-time` strings: wide enough to cross centuries, inside every
/// RFC 3339 parser's range.
pub const DATE_TIME_YEARS: std::ops::RangeInclusive<u32> = 1900..=2200;

/// Keywords the generator understands or that do not constrain values.
const KNOWN_KEYWORDS: [&str; 30] = [
    "$ref",
    "type",
    "nullable",
    "enum",
    "anyOf",
    "oneOf",
    "allOf",
    "properties",
    "required",
    "additionalProperties",
    "pattern",
    "minLength",
    "maxLength",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "minItems",
    "maxItems",
    "description",
    "title",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Follows `$ref`s (JSON pointers into `doc`) to a schema that is not a reference.
///
/// # Panics
/// On a reference that points nowhere or a chain longer than [`MAX_SCHEMA_DEPTH`].
pub fn resolve<'v>(doc: &'v Value, schema: &'v Value) -> &'v Value {
    let mut current = schema;
    for _ in 0..MAX_SCHEMA_DEPTH {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        current = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or_else(|| panic!("$ref {reference} points nowhere in the document"));
    }
    panic!("$ref chain longer than {MAX_SCHEMA_DEPTH}: {schema}");
}

/// A strategy of values valid against `schema`; `doc` is the whole document (for `$ref`).
pub fn valid(doc: &Value, schema: &Value) -> BoxedStrategy<Value> {
    valid_at(doc, schema, 0)
}

fn valid_at(doc: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    assert!(depth <= MAX_SCHEMA_DEPTH, "schemas nest deeper than {MAX_SCHEMA_DEPTH}: {schema}");
    let schema = resolve(doc, schema);
    if let Some(map) = schema.as_object() {
        for key in map.keys() {
            assert!(
                KNOWN_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-"),
                "the generator does not support `{key}` (in {schema})"
            );
        }
    }
    let value = non_null(doc, schema, depth);
    if is_nullable(schema) {
        prop_oneof![1 => Just(Value::Null), 4 => value].boxed()
    } else {
        value
    }
}

/// OpenAPI 3.0's `nullable: true`.
pub fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn non_null(doc: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        // `{nullable: true, enum: [null]}` (how schemars writes "or null") allows only null.
        return if values.is_empty() { Just(Value::Null).boxed() } else { select(values).boxed() };
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
            let branches: Vec<BoxedStrategy<Value>> =
                branches.iter().map(|b| valid_at(doc, b, depth + 1)).collect();
            assert!(!branches.is_empty(), "empty {keyword} in {schema}");
            return proptest::strategy::Union::new(branches).boxed();
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return valid_at(doc, &merge_all_of(doc, schema, parts), depth + 1);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => string(schema),
        Some("integer") => integer(schema),
        Some("number") => number(schema),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => array(doc, schema, depth),
        Some("object") => object(doc, schema, depth),
        None if schema.get("properties").is_some() => object(doc, schema, depth),
        None => scalar(),
        Some(other) => panic!("unknown type {other} in {schema}"),
    }
}

/// Any JSON scalar: what a schema without `type` allows (and what an undeclared property
/// holds).
fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-z]{0,8}".prop_map(Value::from),
    ]
    .boxed()
}

/// `allOf` of object schemas as one object schema: properties and `required` united.
fn merge_all_of(doc: &Value, schema: &Value, parts: &[Value]) -> Value {
    let mut merged = Map::new();
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts.iter().map(|p| resolve(doc, p)).chain([schema]) {
        for (key, value) in part.as_object().into_iter().flatten() {
            match key.as_str() {
                "allOf" => {}
                "properties" => {
                    properties.extend(value.as_object().cloned().unwrap_or_default());
                }
                "required" => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                _ => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    merged.insert("type".into(), "object".into());
    merged.insert("properties".into(), Value::Object(properties));
    merged.insert("required".into(), Value::Array(required));
    Value::Object(merged)
}

fn usize_keyword(schema: &Value, keyword: &str) -> Option<usize> {
    schema.get(keyword).and_then(Value::as_u64).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    let min_chars = usize_keyword(schema, "minLength").unwrap_or(0);
    let max_chars =
        usize_keyword(schema, "maxLength").unwrap_or(min_chars.max(DEFAULT_MAX_STRING_CHARS));
    assert!(min_chars <= max_chars, "minLength above maxLength in {schema}");
    let in_length = move |s: &String| (min_chars..=max_chars).contains(&s.chars().count());
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        return pattern_strings(pattern)
            .prop_filter("minLength/maxLength", in_length)
            .prop_map(Value::String)
            .boxed();
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => date_time()
            .prop_filter("minLength/maxLength", in_length)
            .prop_map(Value::String)
            .boxed(),
        _ => vec(any::<char>(), min_chars..=max_chars)
            .prop_map(|chars| Value::String(chars.into_iter().collect()))
            .boxed(),
    }
}

/// Strings matching a JSON Schema `pattern`. `string_regex` generates whole matches and has
/// no anchors, so a leading `^` and a trailing `$` are dropped: for an anchored pattern that
/// is exact, and for an unanchored one (which matches any string *containing* a match) a
/// whole match is still a valid value.
///
/// # Panics
/// On a pattern regex-syntax cannot parse (the document's mistake, or ECMA-only syntax).
pub fn pattern_strings(pattern: &str) -> BoxedStrategy<String> {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = match inner.strip_suffix('$') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => inner,
    };
    proptest::string::string_regex(inner)
        .unwrap_or_else(|e| panic!("pattern {pattern} cannot drive generation: {e}"))
        .boxed()
}

/// RFC 3339 date-times: `Z` or a numeric offset, with or without milliseconds. Days stop at
/// 28 so every month is valid.
fn date_time() -> impl Strategy<Value = String> {
    (
        DATE_TIME_YEARS,
        1..=12u32,
        1..=28u32,
        0..24u32,
        0..60u32,
        0..60u32,
        option::of(0..1000u32),
        option::of((prop::bool::ANY, 0..=14u32, prop_oneof![Just(0u32), Just(30), Just(45)])),
    )
        .prop_map(|(year, month, day, hour, minute, second, millis, offset)| {
            let fraction = millis.map(|ms| format!(".{ms:03}")).unwrap_or_default();
            let offset = match offset {
                None => "Z".to_owned(),
                Some((east, hours, minutes)) => {
                    format!("{}{hours:02}:{minutes:02}", if east { '+' } else { '-' })
                }
            };
            format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}"
            )
        })
}

/// The inclusive range of integers a schema allows (bounds, exclusive bounds, or the range
/// of its `format`).
pub fn integer_bounds(schema: &Value) -> (i128, i128) {
    let (format_lo, format_hi) = match schema.get("format").and_then(Value::as_str) {
        Some("int8") => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Some("uint8") => (0, i128::from(u8::MAX)),
        Some("int16") => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Some("uint16") => (0, i128::from(u16::MAX)),
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Some("uint32") => (0, i128::from(u32::MAX)),
        Some("uint64" | "uint") => (0, i128::from(u64::MAX)),
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    let lo = lower_bound(schema).map_or(format_lo, |(bound, exclusive)| {
        let ceil = bound.ceil() as i128;
        if exclusive && ceil as f64 == bound { ceil + 1 } else { ceil }
    });
    let hi = upper_bound(schema).map_or(format_hi, |(bound, exclusive)| {
        let floor = bound.floor() as i128;
        if exclusive && floor as f64 == bound { floor - 1 } else { floor }
    });
    (lo.max(format_lo), hi.min(format_hi))
}

/// `(bound, exclusive)` from `minimum` + boolean `exclusiveMinimum` (OpenAPI 3.0) or a
/// numeric `exclusiveMinimum` (JSON Schema 2019+).
pub fn lower_bound(schema: &Value) -> Option<(f64, bool)> {
    bound(schema, "minimum", "exclusiveMinimum")
}

pub fn upper_bound(schema: &Value) -> Option<(f64, bool)> {
    bound(schema, "maximum", "exclusiveMaximum")
}

fn bound(schema: &Value, inclusive: &str, exclusive: &str) -> Option<(f64, bool)> {
    match (schema.get(inclusive).and_then(Value::as_f64), schema.get(exclusive)) {
        (_, Some(Value::Number(n))) => n.as_f64().map(|b| (b, true)),
        (Some(b), Some(Value::Bool(true))) => Some((b, true)),
        (Some(b), _) => Some((b, false)),
        (None, _) => None,
    }
}

/// An integer as JSON, as an `i64` when it fits and a `u64` above.
pub fn integer_value(n: i128) -> Value {
    match (i64::try_from(n), u64::try_from(n)) {
        (Ok(small), _) => Value::from(small),
        (_, Ok(big)) => Value::from(big),
        _ => panic!("{n} fits no JSON integer type"),
    }
}

fn integer(schema: &Value) -> BoxedStrategy<Value> {
    let (lo, hi) = integer_bounds(schema);
    let step = schema
        .get("multipleOf")
        .map(|m| m.as_u64().unwrap_or_else(|| panic!("integer multipleOf {m} is not whole")))
        .map_or(1, i128::from);
    let (k_lo, k_hi) =
        (lo.div_euclid(step) + i128::from(lo.rem_euclid(step) != 0), hi.div_euclid(step));
    assert!(k_lo <= k_hi, "no integer satisfies {schema}");
    prop_oneof![1 => Just(k_lo), 1 => Just(k_hi), 4 => k_lo..=k_hi]
        .prop_map(move |k| integer_value(k * step))
        .boxed()
}

fn number(schema: &Value) -> BoxedStrategy<Value> {
    let (lo, lo_exclusive) = lower_bound(schema).unwrap_or((-DEFAULT_NUMBER_BOUND, false));
    let (hi, hi_exclusive) = upper_bound(schema).unwrap_or((DEFAULT_NUMBER_BOUND, false));
    let inside = move |v: &f64| {
        (if lo_exclusive { *v > lo } else { *v >= lo })
            && (if hi_exclusive { *v < hi } else { *v <= hi })
    };
    let floats: BoxedStrategy<f64> = match schema.get("multipleOf").and_then(Value::as_f64) {
        // A decimal step (0.01): draw whole multiples and divide, so the JSON text has at most
        // that many decimals (0.07, not 0.07000000000000001).
        Some(step) if (1.0 / step - (1.0 / step).round()).abs() < 1e-9 => {
            let per_unit = (1.0 / step).round();
            let (k_lo, k_hi) = ((lo * per_unit).ceil() as i64, (hi * per_unit).floor() as i64);
            prop_oneof![1 => Just(k_lo), 1 => Just(k_hi), 4 => k_lo..=k_hi]
                .prop_map(move |k| k as f64 / per_unit)
                .boxed()
        }
        Some(step) => {
            let (k_lo, k_hi) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
            (k_lo..=k_hi).prop_map(move |k| k as f64 * step).boxed()
        }
        None => prop_oneof![1 => Just(lo), 1 => Just(hi), 4 => lo..=hi].boxed(),
    };
    floats
        .prop_filter("minimum/maximum", inside)
        .prop_map(|v| Value::Number(Number::from_f64(v).expect("finite")))
        .boxed()
}

fn array(doc: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    let min_items = usize_keyword(schema, "minItems").unwrap_or(0);
    let max_items =
        usize_keyword(schema, "maxItems").unwrap_or(min_items + DEFAULT_EXTRA_ARRAY_ITEMS);
    let items = schema.get("items").cloned().unwrap_or(Value::Object(Map::new()));
    vec(valid_at(doc, &items, depth + 1), min_items..=max_items).prop_map(Value::Array).boxed()
}

fn object(doc: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let empty = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, property) in properties {
        let name = name.clone();
        let value = valid_at(doc, property, depth + 1);
        if required.contains(&name.as_str()) {
            fields.push(value.prop_map(move |v| Some((name.clone(), v))).boxed());
        } else {
            fields.push(option::of(value.prop_map(move |v| (name.clone(), v))).boxed());
        }
    }
    for name in &required {
        assert!(properties.contains_key(*name), "required `{name}` is not declared in {schema}");
    }
    let extra: BoxedStrategy<Vec<(String, Value)>> = match schema.get("additionalProperties") {
        Some(extra @ Value::Object(_)) if properties.is_empty() => {
            vec(("[a-z]{1,8}", valid_at(doc, extra, depth + 1)), 0..=MAX_GENERATED_MAP_KEYS).boxed()
        }
        // Absent or `true`: undeclared properties are allowed, so sometimes send one.
        None | Some(Value::Bool(true)) => option::weighted(0.25, scalar())
            .prop_map(|value| {
                value.map(|v| (UNDECLARED_PROPERTY.to_owned(), v)).into_iter().collect()
            })
            .boxed(),
        _ => Just(Vec::new()).boxed(),
    };
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut map: Map<String, Value> = extra.into_iter().collect();
            map.extend(fields.into_iter().flatten());
            Value::Object(map)
        })
        .boxed()
}
