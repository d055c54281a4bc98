//! One request as a handler sees it: routed, bounded, with its body fully read.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;

use super::endpoint::Rejection;

/// Flattened into every request body struct (`#[serde(flatten, skip_serializing)]`), for two
/// reasons. Serde's derived struct decoding accepts a JSON *array* in place of an object
/// (fields by position), which no vendor does — with a flattened map serde must see an object,
/// and `["a", 1]` is refused with "expected struct". And it makes "unknown fields are
/// ignored" explicit. Known fields are still decoded directly, so error paths stay exact.
pub type UnknownFields = std::collections::BTreeMap<String, serde::de::IgnoredAny>;

/// A routed request. Borrowed from the dispatcher, which owns the raw parts.
pub struct Call<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    /// Raw query string without the `?` (empty when absent).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    /// The whole body, at most `max_body_bytes` long.
    pub body: Bytes,
    params: &'a [(&'a str, &'a str)],
}

impl<'a> Call<'a> {
    pub fn new(
        method: &'a Method,
        path: &'a str,
        query: &'a str,
        headers: &'a HeaderMap,
        body: Bytes,
        params: &'a [(&'a str, &'a str)],
    ) -> Self {
        Call { method, path, query, headers, body, params }
    }

    /// The raw (still percent-encoded) path parameter `name`; empty when the template has none.
    pub fn param(&self, name: &str) -> &'a str {
        self.params.iter().find(|(key, _)| *key == name).map(|(_, value)| *value).unwrap_or("")
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// A header as UTF-8, if present and valid.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decodes the body as `T`, naming the offending field on failure.
    ///
    /// # Errors
    /// [`Rejection::MalformedJson`] when the body is empty or not JSON;
    /// [`Rejection::InvalidField`] when it is JSON of the wrong shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode_json(&self.body)
    }
}

/// See [`Call::json`].
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Rejection> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Rejection::MalformedJson {
            detail: "the request body is empty; a JSON object is required".into(),
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let detail = strip_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, detail) = name_missing_field(&path, detail);
                Rejection::InvalidField { field, detail }
            }
            _ => Rejection::MalformedJson { detail: with_position(&detail, &inner) },
        }
    })?;
    // Trailing characters after the document (`{...} x`) make the body malformed too.
    deserializer.end().map_err(|error| Rejection::MalformedJson {
        detail: with_position(&strip_position(&error.to_string()), &error),
    })?;
    Ok(value)
}

/// serde says `missing field `order`` at the parent's path; report the field's own path.
fn name_missing_field(parent: &str, detail: String) -> (String, String) {
    let missing = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
        .map(str::to_owned);
    match missing {
        Some(name) if parent == "." || parent.is_empty() => (name, "is required".into()),
        Some(name) => (format!("{parent}.{name}"), "is required".into()),
        None => (if parent.is_empty() { ".".into() } else { parent.into() }, detail),
    }
}

/// serde_json appends " at line L column C"; the field path says more for data errors.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

fn with_position(detail: &str, error: &serde_json::Error) -> String {
    format!("{detail} at line {} column {}", error.line(), error.column())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // fields are read through Debug only
    struct Outer {
        order: String,
        bundle: Inner,
        #[serde(flatten)]
        unknown: UnknownFields,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        licenses: u32,
        #[serde(flatten)]
        unknown: UnknownFields,
    }

    #[test]
    fn arrays_in_place_of_objects_are_refused_at_any_depth() {
        assert!(matches!(reject(r#"["a", [1]]"#), Rejection::InvalidField { .. }));
        let Rejection::InvalidField { field, .. } = reject(r#"{"order":"a","bundle":[1]}"#) else {
            panic!()
        };
        assert_eq!(field, "bundle");
    }

    /// Found by `fuzz/json_decoders`: without serde_json's `float_roundtrip`, a long integer
    /// literal parsed to an f64 that re-parsed, once printed, to a neighbouring f64.
    #[test]
    fn long_numbers_survive_a_round_trip() {
        let text = "666666666666666666666666666666666666610";
        let first: serde_json::Number = decode_json(text.as_bytes()).unwrap();
        let second: serde_json::Number = decode_json(first.to_string().as_bytes()).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let decoded: Outer =
            decode_json(br#"{"order":"a","extra":[{}],"bundle":{"licenses":1,"x":null}}"#).unwrap();
        assert_eq!(decoded.bundle.licenses, 1);
    }

    fn reject(body: &str) -> Rejection {
        decode_json::<Outer>(body.as_bytes()).expect_err("body should be rejected")
    }

    #[test]
    fn truncated_json_is_malformed_with_position() {
        let Rejection::MalformedJson { detail } = reject(r#"{"order":"#) else { panic!() };
        assert!(detail.contains("EOF"), "{detail}");
        assert!(detail.contains("line 1 column 9"), "{detail}");
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        assert!(matches!(
            reject(r#"{"order":"a","bundle":{"licenses":1}} x"#),
            Rejection::MalformedJson { .. }
        ));
    }

    #[test]
    fn empty_body_is_malformed() {
        assert!(matches!(reject("  "), Rejection::MalformedJson { .. }));
    }

    #[test]
    fn wrong_nested_type_names_the_dotted_path() {
        let rejection = reject(r#"{"order":"a","bundle":{"licenses":1.5}}"#);
        let Rejection::InvalidField { field, detail } = rejection else { panic!() };
        assert_eq!(field, "bundle.licenses");
        assert!(detail.contains("1.5"), "{detail}");
    }

    #[test]
    fn missing_field_names_the_field_itself() {
        let Rejection::InvalidField { field, detail } = reject(r#"{"bundle":{"licenses":1}}"#)
        else {
            panic!()
        };
        assert_eq!((field.as_str(), detail.as_str()), ("order", "is required"));
        let Rejection::InvalidField { field, .. } = reject(r#"{"order":"a","bundle":{}}"#) else {
            panic!()
        };
        assert_eq!(field, "bundle.licenses");
    }
}
