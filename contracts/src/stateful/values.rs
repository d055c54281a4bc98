//! A link's values for one answer: each of its `parameters` evaluated and placed on the
//! linked operation's parameter, and its `requestBody` (else the linked operation's example
//! body).

use openapiv3::Link;
use serde_json::Value;

use crate::checks::request::{ParamValue, request_media};
use crate::sample::to_param_string;
use crate::spec::{Api, Op};

use super::expr::{LinkValue, Scope};
use super::links;
use super::session::BodyValue;

/// What a link asks to send.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkValues {
    pub given: Vec<ParamValue>,
    /// The link's `requestBody`, when it has one.
    pub body: Option<BodyValue>,
    /// `name = "value" (from $expression)` per value, for messages.
    pub described: Vec<String>,
}

/// Why a link's values could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    /// The value comes from the answer's body and is missing or null there: a create that
    /// met existing data may answer so (see `source`).
    pub missing_in_answer: bool,
}

/// Evaluates every value of `link` against `scope` for `target`.
///
/// # Errors
/// The first value that does not parse, names no parameter of `target`, or evaluates to
/// nothing or `null`.
pub fn evaluate(
    api: &Api<'_>,
    link: &Link,
    target: &Op<'_>,
    scope: &Scope,
) -> Result<LinkValues, ValueError> {
    let mut values = LinkValues { given: Vec::new(), body: None, described: Vec::new() };
    for (key, written) in &link.parameters {
        let value = value_of(key, written, scope)?;
        let (location, name) = links::parameter(target, key)
            .map_err(|message| ValueError { message, missing_in_answer: false })?;
        values.described.push(describe(key, &value, written));
        values.given.push(ParamValue { location, name, value: to_param_string(&value) });
    }
    if let Some(written) = &link.request_body {
        let value = value_of("requestBody", written, scope)?;
        values.described.push(describe("requestBody", &value, written));
        let media_type =
            request_media(api, target).map_or("application/json", |(media_type, _)| media_type);
        values.body = Some((media_type.to_owned(), value));
    }
    Ok(values)
}

fn value_of(key: &str, written: &Value, scope: &Scope) -> Result<Value, ValueError> {
    let parsed = LinkValue::parse(written).map_err(|message| ValueError {
        message: format!("{key}: {message}"),
        missing_in_answer: false,
    })?;
    let missing = |message: String| ValueError {
        message: format!("{key} = {parsed}: {message}"),
        missing_in_answer: parsed.reads_response_body(),
    };
    match parsed.evaluate(scope) {
        Ok(Value::Null) => {
            Err(missing(format!("the value is null in the {} answer", scope.status)))
        }
        Ok(value) => Ok(value),
        Err(message) => Err(missing(message)),
    }
}

fn describe(key: &str, value: &Value, written: &Value) -> String {
    match LinkValue::parse(written) {
        Ok(LinkValue::Constant(_)) | Err(_) => format!("{key} = {value}"),
        Ok(parsed) => format!("{key} = {value} (from {parsed})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::OpenAPI;
    use serde_json::json;
    use url::Url;

    const DOC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a/{sid}/w/{id}:
    post:
      operationId: tokenW
      parameters:
        - {name: sid, in: path, required: true, schema: {type: string}}
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: id, in: query, schema: {type: string}}
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {'200': {description: ok}}
"#;

    fn link(yaml: &str) -> Link {
        serde_norway::from_str(yaml).unwrap()
    }

    #[test]
    fn values_land_on_their_parameters_and_missing_ones_are_told_apart() {
        let doc: OpenAPI = serde_norway::from_str(DOC).unwrap();
        let api = Api::new(&doc, &Url::parse("http://h").unwrap()).unwrap();
        let scope = Scope {
            path: vec![("sid".into(), "a1".into())],
            status: 207,
            response_body: Ok(json!({"items": [{"id": "w3"}, {"id": null}]})),
            ..Scope::default()
        };
        let values = evaluate(
            &api,
            &link("{operationId: tokenW, parameters: {sid: $request.path.sid, path.id: $response.body#/items/0/id, query.id: 7}, requestBody: {k: 1}}"),
            &api.ops[0],
            &scope,
        )
        .unwrap();
        let given: Vec<(&str, &str)> =
            values.given.iter().map(|g| (g.name.as_str(), g.value.as_str())).collect();
        assert_eq!(given, [("sid", "a1"), ("id", "w3"), ("id", "7")]);
        assert_eq!(values.given[2].location, crate::spec::ParamIn::Query);
        assert_eq!(
            values.described,
            [
                "sid = \"a1\" (from $request.path.sid)",
                "path.id = \"w3\" (from $response.body#/items/0/id)",
                "query.id = 7",
                "requestBody = {\"k\":1}"
            ]
        );
        assert_eq!(values.body, Some(("application/json".to_owned(), json!({"k": 1}))));

        let null = evaluate(
            &api,
            &link("{operationId: tokenW, parameters: {id: $response.body#/items/1/id}}"),
            &api.ops[0],
            &scope,
        );
        assert_eq!(
            null,
            Err(ValueError {
                message: "id = $response.body#/items/1/id: the value is null in the 207 answer"
                    .into(),
                missing_in_answer: true
            })
        );
        let unknown = evaluate(
            &api,
            &link("{operationId: tokenW, parameters: {nope: $request.path.sid}}"),
            &api.ops[0],
            &scope,
        )
        .unwrap_err();
        assert_eq!(unknown.message, "tokenW has no parameter \"nope\"");
        assert!(!unknown.missing_in_answer);
    }
}
