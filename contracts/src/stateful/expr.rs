//! OpenAPI runtime expressions, the values of a link's `parameters` and `requestBody`: what
//! they read from the request that was sent and the answer it got.
//!
//! Supported: `$url`, `$method`, `$statusCode`, `$request.path.NAME`, `$request.query.NAME`,
//! `$request.header.NAME`, `$request.body` and `$request.body#/json/pointer`,
//! `$response.header.NAME`, `$response.body` and `$response.body#/json/pointer`; a value that
//! is not a string, or a string that does not start with `$`, is a constant; a string may
//! embed expressions in braces (`"w-{$response.body#/id}"`). Header names compare
//! case-insensitively, everything else exactly.

use std::fmt;

use serde_json::Value;

use crate::sample::to_param_string;

/// One runtime expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Url,
    Method,
    StatusCode,
    RequestPath(String),
    RequestQuery(String),
    RequestHeader(String),
    /// A JSON pointer into the request body (`""` for the whole body).
    RequestBody(String),
    ResponseHeader(String),
    /// A JSON pointer into the response body (`""` for the whole body).
    ResponseBody(String),
}

/// A link's parameter or request body value as the document writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkValue {
    Constant(Value),
    Expression(Expr),
    /// A string with `{$expression}`s embedded in literal text.
    Template(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Expression(Expr),
}

/// What expressions read: the request as sent and its answer.
#[derive(Debug, Clone)]
pub struct Scope {
    pub method: String,
    pub url: String,
    /// The path parameters the request was built with, by name.
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub request_headers: Vec<(String, String)>,
    /// The request body as JSON, when it had one.
    pub request_body: Option<Value>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    /// The response body as JSON, or why it could not be read as JSON.
    pub response_body: Result<Value, String>,
}

impl Default for Scope {
    /// A request without anything and an answer without a body (for tests).
    fn default() -> Scope {
        Scope {
            method: String::new(),
            url: String::new(),
            path: Vec::new(),
            query: Vec::new(),
            request_headers: Vec::new(),
            request_body: None,
            status: 0,
            response_headers: Vec::new(),
            response_body: Err("no body".to_owned()),
        }
    }
}

impl Expr {
    /// Parses one expression (the text starts with `$`).
    ///
    /// # Errors
    /// A message naming what is not understood.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let unsupported = || format!("unsupported runtime expression {text:?}");
        let named = |rest: &str, make: fn(String) -> Expr| {
            if rest.is_empty() { Err(unsupported()) } else { Ok(make(rest.to_owned())) }
        };
        match text {
            "$url" => return Ok(Expr::Url),
            "$method" => return Ok(Expr::Method),
            "$statusCode" => return Ok(Expr::StatusCode),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix("$request.") {
            if let Some(name) = rest.strip_prefix("path.") {
                return named(name, Expr::RequestPath);
            }
            if let Some(name) = rest.strip_prefix("query.") {
                return named(name, Expr::RequestQuery);
            }
            if let Some(name) = rest.strip_prefix("header.") {
                return named(name, Expr::RequestHeader);
            }
            if let Some(pointer) = body_pointer(rest) {
                return Ok(Expr::RequestBody(pointer?));
            }
        }
        if let Some(rest) = text.strip_prefix("$response.") {
            if let Some(name) = rest.strip_prefix("header.") {
                return named(name, Expr::ResponseHeader);
            }
            if let Some(pointer) = body_pointer(rest) {
                return Ok(Expr::ResponseBody(pointer?));
            }
        }
        Err(unsupported())
    }

    /// Whether the expression reads the response body (whose value a correct answer to a
    /// repeated create may lack; see the retry in `source`).
    pub fn reads_response_body(&self) -> bool {
        matches!(self, Expr::ResponseBody(_))
    }

    /// The expression's value.
    ///
    /// # Errors
    /// A message saying what is missing (a parameter, a header, a pointer without a target, a
    /// body that is not JSON).
    pub fn evaluate(&self, scope: &Scope) -> Result<Value, String> {
        let find = |pairs: &[(String, String)], name: &str, case_insensitive: bool| {
            pairs
                .iter()
                .find(
                    |(n, _)| {
                        if case_insensitive { n.eq_ignore_ascii_case(name) } else { n == name }
                    },
                )
                .map(|(_, v)| Value::from(v.as_str()))
        };
        match self {
            Expr::Url => Ok(Value::from(scope.url.as_str())),
            Expr::Method => Ok(Value::from(scope.method.as_str())),
            Expr::StatusCode => Ok(Value::from(scope.status)),
            Expr::RequestPath(name) => find(&scope.path, name, false)
                .ok_or_else(|| format!("the request had no path parameter {name:?}")),
            Expr::RequestQuery(name) => find(&scope.query, name, false)
                .ok_or_else(|| format!("the request had no query parameter {name:?}")),
            Expr::RequestHeader(name) => find(&scope.request_headers, name, true)
                .ok_or_else(|| format!("the request had no header {name:?}")),
            Expr::ResponseHeader(name) => find(&scope.response_headers, name, true)
                .ok_or_else(|| format!("the answer has no header {name:?}")),
            Expr::RequestBody(pointer) => {
                let body = scope.request_body.as_ref().ok_or("the request had no JSON body")?;
                point(body, pointer, "the request body")
            }
            Expr::ResponseBody(pointer) => {
                let body = scope
                    .response_body
                    .as_ref()
                    .map_err(|why| format!("the answer's body cannot be read: {why}"))?;
                point(body, pointer, "the answer's body")
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Url => f.write_str("$url"),
            Expr::Method => f.write_str("$method"),
            Expr::StatusCode => f.write_str("$statusCode"),
            Expr::RequestPath(name) => write!(f, "$request.path.{name}"),
            Expr::RequestQuery(name) => write!(f, "$request.query.{name}"),
            Expr::RequestHeader(name) => write!(f, "$request.header.{name}"),
            Expr::RequestBody(pointer) if pointer.is_empty() => f.write_str("$request.body"),
            Expr::RequestBody(pointer) => write!(f, "$request.body#{pointer}"),
            Expr::ResponseHeader(name) => write!(f, "$response.header.{name}"),
            Expr::ResponseBody(pointer) if pointer.is_empty() => f.write_str("$response.body"),
            Expr::ResponseBody(pointer) => write!(f, "$response.body#{pointer}"),
        }
    }
}

/// `body` → `Some(Ok(""))`, `body#/a/b` → `Some(Ok("/a/b"))` (percent-decoded), anything else
/// → `None`.
fn body_pointer(rest: &str) -> Option<Result<String, String>> {
    if rest == "body" {
        return Some(Ok(String::new()));
    }
    let fragment = rest.strip_prefix("body#")?;
    Some(percent_decode(fragment).and_then(|pointer| {
        if pointer.is_empty() || pointer.starts_with('/') {
            Ok(pointer)
        } else {
            Err(format!("{fragment:?} is not a JSON pointer (it must start with /)"))
        }
    }))
}

fn point(body: &Value, pointer: &str, what: &str) -> Result<Value, String> {
    body.pointer(pointer).cloned().ok_or_else(|| format!("{what} has nothing at {pointer}"))
}

/// Undoes `%XX` escapes (a JSON pointer in a URI fragment may be percent-encoded).
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        if bytes[idx] == b'%' {
            let hex =
                text.get(idx + 1..idx + 3).ok_or_else(|| format!("bad escape in {text:?}"))?;
            let byte =
                u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape in {text:?}"))?;
            out.push(byte);
            idx += 3;
        } else {
            out.push(bytes[idx]);
            idx += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

impl LinkValue {
    /// Reads a value of a link's `parameters` or its `requestBody`.
    ///
    /// # Errors
    /// An expression that does not parse, or a brace that is not closed.
    pub fn parse(value: &Value) -> Result<LinkValue, String> {
        let Value::String(text) = value else {
            return Ok(LinkValue::Constant(value.clone()));
        };
        if text.starts_with('$') {
            return Expr::parse(text).map(LinkValue::Expression);
        }
        if !text.contains("{$") {
            return Ok(LinkValue::Constant(value.clone()));
        }
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find("{$") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed {{ in the link value {text:?}"))?;
            parts.push(Part::Expression(Expr::parse(&rest[open + 1..open + close])?));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(LinkValue::Template(parts))
    }

    /// Whether any expression of the value reads the response body.
    pub fn reads_response_body(&self) -> bool {
        match self {
            LinkValue::Constant(_) => false,
            LinkValue::Expression(expr) => expr.reads_response_body(),
            LinkValue::Template(parts) => parts
                .iter()
                .any(|part| matches!(part, Part::Expression(expr) if expr.reads_response_body())),
        }
    }

    /// The value; a template's expressions are spelled as parameter strings.
    ///
    /// # Errors
    /// As [`Expr::evaluate`].
    pub fn evaluate(&self, scope: &Scope) -> Result<Value, String> {
        match self {
            LinkValue::Constant(value) => Ok(value.clone()),
            LinkValue::Expression(expr) => expr.evaluate(scope),
            LinkValue::Template(parts) => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        Part::Text(literal) => text.push_str(literal),
                        Part::Expression(expr) => {
                            text.push_str(&to_param_string(&expr.evaluate(scope)?))
                        }
                    }
                }
                Ok(Value::from(text))
            }
        }
    }
}

impl fmt::Display for LinkValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkValue::Constant(value) => write!(f, "the constant {value}"),
            LinkValue::Expression(expr) => write!(f, "{expr}"),
            LinkValue::Template(parts) => {
                f.write_str("\"")?;
                for part in parts {
                    match part {
                        Part::Text(literal) => f.write_str(literal)?,
                        Part::Expression(expr) => write!(f, "{{{expr}}}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        Scope {
            method: "POST".into(),
            url: "http://h/api/accounts/a1/widgets?dry=no".into(),
            path: vec![("sid".into(), "a1".into())],
            query: vec![("dry".into(), "no".into())],
            request_headers: vec![("X-Trace".into(), "t-9".into())],
            request_body: Some(json!({"items": [{"name": "gear"}]})),
            status: 201,
            response_headers: vec![("location".into(), "/api/widgets/w3".into())],
            response_body: Ok(json!({"id": "w3", "a/b": {"~k": 7}, "gone": null})),
        }
    }

    fn eval(text: &str) -> Result<Value, String> {
        LinkValue::parse(&json!(text))?.evaluate(&scope())
    }

    #[test]
    fn every_supported_expression_reads_its_source() {
        assert_eq!(eval("$response.body#/id"), Ok(json!("w3")));
        assert_eq!(eval("$response.body#/a~1b/~0k"), Ok(json!(7)));
        assert_eq!(eval("$response.body#/a~1b/%7Ek"), Ok(json!(7)));
        assert_eq!(eval("$response.body#/gone"), Ok(Value::Null));
        assert_eq!(eval("$request.path.sid"), Ok(json!("a1")));
        assert_eq!(eval("$request.query.dry"), Ok(json!("no")));
        assert_eq!(eval("$request.header.x-trace"), Ok(json!("t-9")));
        assert_eq!(eval("$request.body#/items/0/name"), Ok(json!("gear")));
        assert_eq!(eval("$response.header.Location"), Ok(json!("/api/widgets/w3")));
        assert_eq!(eval("$statusCode"), Ok(json!(201)));
        assert_eq!(eval("$method"), Ok(json!("POST")));
        assert_eq!(eval("$response.body").unwrap()["id"], json!("w3"));
    }

    #[test]
    fn constants_and_templates() {
        assert_eq!(LinkValue::parse(&json!(5)).unwrap().evaluate(&scope()), Ok(json!(5)));
        assert_eq!(eval("plain"), Ok(json!("plain")));
        assert_eq!(eval("w-{$response.body#/id}-{$request.path.sid}"), Ok(json!("w-w3-a1")));
        let template = LinkValue::parse(&json!("x{$response.body#/id}")).unwrap();
        assert!(template.reads_response_body());
        assert_eq!(template.to_string(), "\"x{$response.body#/id}\"");
    }

    #[test]
    fn missing_values_and_bad_expressions_are_errors_with_reasons() {
        assert_eq!(
            eval("$response.body#/nope"),
            Err("the answer's body has nothing at /nope".into())
        );
        assert_eq!(
            eval("$request.query.missing"),
            Err("the request had no query parameter \"missing\"".into())
        );
        assert_eq!(
            LinkValue::parse(&json!("$response.cookie.x")),
            Err("unsupported runtime expression \"$response.cookie.x\"".into())
        );
        assert!(LinkValue::parse(&json!("$response.body#id")).is_err());
        assert!(LinkValue::parse(&json!("a{$url")).is_err());
        let mut not_json = scope();
        not_json.response_body = Err("text/plain".into());
        assert_eq!(
            Expr::parse("$response.body#/id").unwrap().evaluate(&not_json),
            Err("the answer's body cannot be read: text/plain".into())
        );
    }
}
