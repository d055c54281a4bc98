//! Requests built from the document: path, query and header parameters from their examples,
//! a body from the request body's example, and the operation's credentials.

use openapiv3::MediaType;
use serde_json::Value;
use url::Url;

use crate::auth::AppliedAuth;
use crate::client::RequestSpec;
use crate::sample::{self, to_param_string};
use crate::spec::{self, Api, Op, ParamIn};

/// What goes in the body of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// The request body's example (or a synthesised one) in its documented media type; no
    /// body when the operation documents none.
    Example,
    /// These bytes with this `Content-Type`.
    Raw { media_type: String, bytes: Vec<u8> },
}

/// A value that replaces a parameter's example in a request (the stateful phase passes the
/// values of a link this way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamValue {
    pub location: ParamIn,
    pub name: String,
    pub value: String,
}

/// The example request of an operation: its URL with example parameters, the given
/// credentials and body.
pub fn build(api: &Api<'_>, op: &Op<'_>, auth: &AppliedAuth, body: Body) -> RequestSpec {
    build_with(api, op, auth, body, &[])
}

/// [`build`] with some parameters given instead of their examples. A given value is sent even
/// for an optional parameter without an example.
pub fn build_with(
    api: &Api<'_>,
    op: &Op<'_>,
    auth: &AppliedAuth,
    body: Body,
    given: &[ParamValue],
) -> RequestSpec {
    let mut url = url_with(api, op, given);
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in param_values(api, op, ParamIn::Query, given) {
            query.append_pair(&name, &value);
        }
        for (name, value) in &auth.query {
            query.append_pair(name, value);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    headers.extend(param_values(api, op, ParamIn::Header, given));
    headers.extend(auth.headers.iter().cloned());
    let body = match body {
        Body::None => None,
        Body::Example => request_media(api, op).and_then(|(media_type, media)| {
            let sample = sample::media_body(api, media)?;
            Some((media_type.to_owned(), encode_body(media_type, &sample.value)))
        }),
        Body::Raw { media_type, bytes } => Some((media_type, bytes)),
    };
    let body = body.map(|(media_type, bytes)| {
        headers.push(("Content-Type".to_owned(), media_type));
        bytes
    });
    RequestSpec { method: op.method.clone(), url, headers, body }
}

/// The operation's URL: base URL, then the path template with each `{name}` replaced by the
/// given value or the parameter's example (percent-encoded as one path segment).
pub fn url_with(api: &Api<'_>, op: &Op<'_>, given: &[ParamValue]) -> Url {
    let mut url = api.base_url.clone();
    let path_values = param_values(api, op, ParamIn::Path, given);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty();
        for template in op.path.trim_start_matches('/').split('/') {
            let mut segment = template.to_owned();
            for (name, value) in &path_values {
                segment = segment.replace(&format!("{{{name}}}"), value);
            }
            segments.push(&segment);
        }
    }
    url
}

/// The `(name, value)` of every parameter of one location a request carries, in the document's
/// order: the given value, else the example (see [`sample::parameter`]). Given values for
/// parameters the operation does not document are left out.
pub fn param_values(
    api: &Api<'_>,
    op: &Op<'_>,
    location: ParamIn,
    given: &[ParamValue],
) -> Vec<(String, String)> {
    op.params
        .iter()
        .filter(|p| p.location == location)
        .filter_map(|p| {
            let name = &p.data.name;
            let value = match given.iter().find(|g| g.location == location && g.name == *name) {
                Some(given) => given.value.clone(),
                None => to_param_string(&sample::parameter(api, p.data)?.value),
            };
            Some((name.clone(), value))
        })
        .collect()
}

/// The value of the JSONP callback parameter the example request sends, if the operation
/// has one (`x-jsonp-callback-param`) and the document gives it an example.
pub fn jsonp_callback(api: &Api<'_>, op: &Op<'_>) -> Option<String> {
    let name = op.jsonp_callback_param()?;
    let param = op.params.iter().find(|p| p.location == ParamIn::Query && p.data.name == name)?;
    sample::parameter(api, param.data).map(|sample| to_param_string(&sample.value))
}

/// The request body media type the runner uses: the first JSON one, else the first
/// (a `$ref` to `components.requestBodies` is followed).
pub fn request_media<'a>(api: &Api<'a>, op: &Op<'a>) -> Option<(&'a str, &'a MediaType)> {
    let body = spec::resolve(api.doc, op.operation.request_body.as_ref()?).ok()?;
    let content = &body.content;
    content
        .iter()
        .find(|(media_type, _)| is_json_media_type(media_type))
        .or_else(|| content.iter().next())
        .map(|(media_type, media)| (media_type.as_str(), media))
}

/// `application/json`, `application/*+json` (parameters ignored).
pub fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A sample value encoded for a media type: JSON as JSON, form bodies as `a=1&b=2`, text as
/// the string itself.
pub fn encode_body(media_type: &str, value: &Value) -> Vec<u8> {
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded"
        && let Value::Object(fields) = value
    {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, field) in fields {
            form.append_pair(name, &to_param_string(field));
        }
        return form.finish().into_bytes();
    }
    match value {
        Value::String(text) if !is_json_media_type(media_type) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AppliedAuth;
    use openapiv3::OpenAPI;
    use serde_json::json;

    const DOC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
servers: [{url: 'http://vendor.example/base'}]
paths:
  /subscribers/{user_id}/devices/{device_id}:
    post:
      parameters:
        - {name: user_id, in: path, required: true, schema: {type: string}, example: 'a b/c'}
        - {name: device_id, in: path, required: true, schema: {type: integer, minimum: 7}}
        - {name: func, in: query, schema: {type: string}, example: cb}
        - {name: page, in: query, schema: {type: integer}}
        - {name: X-Trace, in: header, schema: {type: string}, example: t-1}
      requestBody:
        content:
          text/plain: {example: hello}
          application/json: {example: {name: Laptop}}
      responses: {'200': {description: ok}}
"#;

    #[test]
    fn an_example_request_has_every_documented_example() {
        let doc: OpenAPI = serde_norway::from_str(DOC).unwrap();
        let api = Api::new(&doc, &Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
        let auth = AppliedAuth {
            headers: vec![("Authorization".into(), "Bearer k".into())],
            query: vec![("access_token".into(), "k".into())],
        };
        let request = build(&api, &api.ops[0], &auth, Body::Example);
        // The optional `page` has no example and is left out; `device_id` is synthesised.
        assert_eq!(
            request.url.as_str(),
            "http://127.0.0.1:9/base/subscribers/a%20b%2Fc/devices/7?func=cb&access_token=k"
        );
        assert_eq!(
            request.headers,
            vec![
                ("X-Trace".to_owned(), "t-1".to_owned()),
                ("Authorization".to_owned(), "Bearer k".to_owned()),
                ("Content-Type".to_owned(), "application/json".to_owned()),
            ]
        );
        assert_eq!(request.body.as_deref(), Some(br#"{"name":"Laptop"}"#.as_slice()));
        let bare = build(&api, &api.ops[0], &AppliedAuth::default(), Body::None);
        assert_eq!(bare.url.query(), Some("func=cb"));
        assert_eq!(bare.body, None);
    }

    #[test]
    fn given_values_replace_examples_and_fill_optional_parameters() {
        let doc: OpenAPI = serde_norway::from_str(DOC).unwrap();
        let api = Api::new(&doc, &Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
        let given = |location, name: &str, value: &str| ParamValue {
            location,
            name: name.to_owned(),
            value: value.to_owned(),
        };
        let request = build_with(
            &api,
            &api.ops[0],
            &AppliedAuth::default(),
            Body::None,
            &[
                given(ParamIn::Path, "user_id", "6248786339"),
                given(ParamIn::Query, "page", "2"),
                given(ParamIn::Header, "X-Trace", "t-2"),
                given(ParamIn::Query, "undocumented", "x"),
            ],
        );
        assert_eq!(
            request.url.as_str(),
            "http://127.0.0.1:9/base/subscribers/6248786339/devices/7?func=cb&page=2"
        );
        assert_eq!(request.headers, vec![("X-Trace".to_owned(), "t-2".to_owned())]);
    }

    #[test]
    fn bodies_are_encoded_for_their_media_type() {
        assert_eq!(
            encode_body("application/x-www-form-urlencoded", &json!({"a": 1, "b": "x y"})),
            b"a=1&b=x+y"
        );
        assert_eq!(encode_body("text/plain", &json!("hi")), b"hi");
        assert_eq!(encode_body("application/json; charset=utf-8", &json!("hi")), b"\"hi\"");
        assert!(is_json_media_type("application/problem+json"));
        assert!(!is_json_media_type("application/javascript"));
    }
}
