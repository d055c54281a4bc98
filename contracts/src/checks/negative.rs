//! Check 4: request bodies that break the operation's JSON request schema are refused with
//! a documented 4xx — the example body without one required top-level field, with one typed
//! top-level property of the wrong JSON type, and a body that is not JSON at all.
//!
//! Whether they also changed no state is [`super::snapshot`]'s job.

use serde_json::{Map, Value};

use super::request::{Body, build, is_json_media_type, request_media};
use super::{Ctx, documented_statuses, is_documented_4xx};
use crate::auth;
use crate::limits::MAX_NEGATIVE_FIELDS;
use crate::report::{CheckId, CheckResult};
use crate::sample;
use crate::schema::{object_shape, primary_type};
use crate::spec::{Api, Op};

/// A truncated JSON document: every JSON parser refuses it.
const MALFORMED_BODY: &[u8] = b"{\"";

/// One broken body.
#[derive(Debug, Clone, PartialEq)]
pub enum Variant {
    /// The example without this required field.
    MissingField(String),
    /// The example with this property set to a value of another JSON type.
    WrongType { field: String, declared: String, value: Value },
    /// Not JSON.
    Malformed,
}

impl Variant {
    pub fn check_id(&self) -> CheckId {
        match self {
            Variant::MissingField(_) => CheckId::MissingRequiredField,
            Variant::WrongType { .. } => CheckId::WrongType,
            Variant::Malformed => CheckId::MalformedBody,
        }
    }

    pub fn subject(&self) -> Option<&str> {
        match self {
            Variant::MissingField(field) | Variant::WrongType { field, .. } => Some(field),
            Variant::Malformed => None,
        }
    }
}

/// The negative variants of an operation: none unless it takes a JSON body whose schema has
/// required fields or typed properties.
pub fn variants(api: &Api<'_>, op: &Op<'_>) -> Vec<Variant> {
    let Some((media_type, media)) = request_media(api, op) else {
        return Vec::new();
    };
    if !is_json_media_type(media_type) {
        return Vec::new();
    }
    let Some(schema) = media.schema.as_ref().and_then(|s| serde_json::to_value(s).ok()) else {
        return Vec::new();
    };
    let Some(shape) = object_shape(&api.raw, &schema) else {
        return Vec::new();
    };
    let mut variants: Vec<Variant> = shape
        .required
        .iter()
        .take(MAX_NEGATIVE_FIELDS)
        .map(|field| Variant::MissingField((*field).to_owned()))
        .collect();
    for (field, property) in shape.properties.iter().take(MAX_NEGATIVE_FIELDS) {
        // A read-only property is ignored in requests, so a wrong value there proves nothing.
        if property.get("readOnly").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        if let Some(declared) = primary_type(property) {
            variants.push(Variant::WrongType {
                field: (*field).to_owned(),
                declared: declared.to_owned(),
                value: wrong_value_for(declared),
            });
        }
    }
    variants.push(Variant::Malformed);
    variants
}

/// A value of another JSON type than `declared`. Never `null`, which a nullable property
/// may legitimately take.
pub fn wrong_value_for(declared: &str) -> Value {
    match declared {
        "string" => Value::from(12345),
        "array" | "object" | "integer" | "number" | "boolean" => Value::from("provsim-wrong-type"),
        _ => Value::Array(Vec::new()),
    }
}

/// Sends one broken body (with valid credentials and example parameters) and expects a
/// documented 4xx.
pub fn check(ctx: Ctx<'_, '_>, op: &Op<'_>, variant: &Variant) -> CheckResult {
    let check_id = variant.check_id();
    let Some((media_type, media)) = request_media(ctx.api, op) else {
        return CheckResult::skip(check_id, "the operation documents no request body");
    };
    let base =
        sample::media_body(ctx.api, media).map(|s| s.value).unwrap_or(Value::Object(Map::new()));
    let (bytes, described) = match variant {
        Variant::MissingField(field) => {
            let mut body = object_or_empty(base);
            body.remove(field);
            (
                serde_json::to_vec(&body).unwrap_or_default(),
                format!("a body without required field {field:?}"),
            )
        }
        Variant::WrongType { field, declared, value } => {
            let mut body = object_or_empty(base);
            body.insert(field.clone(), value.clone());
            (
                serde_json::to_vec(&body).unwrap_or_default(),
                format!("a body with {field:?} = {value} (declared type {declared})"),
            )
        }
        Variant::Malformed => (MALFORMED_BODY.to_vec(), "a body that is not JSON".to_owned()),
    };
    let credentials = auth::plan(ctx.api, op, ctx.credentials).good();
    let request =
        build(ctx.api, op, &credentials, Body::Raw { media_type: media_type.to_owned(), bytes });
    let call = ctx.client.send(&request);
    let mut result = match &call.response {
        Err(error) => CheckResult::fail(check_id, format!("no response: {error}")),
        Ok(response) if is_documented_4xx(op, response.status) => {
            CheckResult::pass(check_id, format!("{described} was refused with {}", response.status))
        }
        Ok(response) => CheckResult::fail(
            check_id,
            format!(
                "{described} answered {}; expected a documented 4xx (documented: {})",
                response.status,
                documented_statuses(op)
            ),
        ),
    };
    if let Some(subject) = variant.subject() {
        result = result.with_subject(subject);
    }
    result.with_exchange(&call.exchange)
}

fn object_or_empty(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::OpenAPI;
    use serde_json::json;
    use url::Url;

    #[test]
    fn variants_cover_required_fields_typed_properties_and_syntax() {
        let doc: OpenAPI = serde_norway::from_str(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /w:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, bundle]
              properties:
                name: {type: string}
                bundle: {$ref: '#/components/schemas/Bundle'}
                id: {type: string, readOnly: true}
                price: {oneOf: [{type: number}, {type: string}]}
                note: {type: string, nullable: true}
      responses: {'201': {description: ok}}
  /v:
    post:
      requestBody: {content: {text/plain: {schema: {type: string}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Bundle: {type: object, properties: {licenses: {type: integer}}}
"#,
        )
        .unwrap();
        let api = Api::new(&doc, &Url::parse("http://h").unwrap()).unwrap();
        let variants = variants(&api, &api.ops[0]);
        assert_eq!(
            variants,
            vec![
                Variant::MissingField("name".into()),
                Variant::MissingField("bundle".into()),
                Variant::WrongType {
                    field: "name".into(),
                    declared: "string".into(),
                    value: json!(12345)
                },
                Variant::WrongType {
                    field: "bundle".into(),
                    declared: "object".into(),
                    value: json!("provsim-wrong-type")
                },
                Variant::WrongType {
                    field: "note".into(),
                    declared: "string".into(),
                    value: json!(12345)
                },
                Variant::Malformed,
            ]
        );
        assert!(super::variants(&api, &api.ops[1]).is_empty());
    }
}
