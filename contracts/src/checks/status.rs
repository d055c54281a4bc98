//! Check 1: the answer to an operation's example request is one the operation documents —
//! its status, its media type for that status (an empty body when none is documented), its
//! body against the documented schema (JSON, or the JSON inside a JSONP callback), and its
//! required headers.

use openapiv3::{MediaType, Response};
use serde_json::Value;

use super::{Ctx, documented_response, documented_statuses};
use crate::client::{Call, HttpResponse};
use crate::jsonp;
use crate::report::{CheckId, CheckResult};
use crate::schema;
use crate::spec::{self, Op};

use super::request::is_json_media_type;

/// The checks of one example request's answer. `jsonp_callback` is the callback name the
/// request sent, if any.
pub fn check_response(
    ctx: Ctx<'_, '_>,
    op: &Op<'_>,
    jsonp_callback: Option<&str>,
    call: &Call,
) -> Vec<CheckResult> {
    let exchange = &call.exchange;
    let response = match &call.response {
        Ok(response) => response,
        Err(error) => {
            return vec![
                CheckResult::fail(CheckId::StatusDocumented, format!("no response: {error}"))
                    .with_exchange(exchange),
            ];
        }
    };
    let status = response.status;
    let Some(documented) = documented_response(op, status) else {
        let message = format!(
            "status {status} is not documented for {} (documented: {})",
            op.name,
            documented_statuses(op)
        );
        return vec![CheckResult::fail(CheckId::StatusDocumented, message).with_exchange(exchange)];
    };
    let mut results = vec![CheckResult::pass(
        CheckId::StatusDocumented,
        format!("status {status} is documented"),
    )];
    match spec::resolve(ctx.api.doc, documented) {
        Ok(documented) => {
            if let Some((essence, media)) =
                check_content_type(status, documented, response, &mut results)
            {
                check_body(
                    ctx,
                    op,
                    status,
                    &essence,
                    media,
                    jsonp_callback,
                    response,
                    &mut results,
                );
            }
            check_required_headers(ctx, status, documented, response, &mut results);
        }
        Err(message) => {
            results.push(CheckResult::fail(
                CheckId::ContentTypeDocumented,
                format!("the document: {message}"),
            ));
        }
    }
    // Every check of this answer was decided by the same exchange.
    results.into_iter().map(|result| result.with_exchange(exchange)).collect()
}

/// The documented media type matching the answer's `Content-Type`: exact, then `type/*`,
/// then `*/*`.
pub fn documented_media<'d>(documented: &'d Response, essence: &str) -> Option<&'d MediaType> {
    let essence_of =
        |key: &str| key.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let main_type = essence.split('/').next().unwrap_or_default();
    let content = &documented.content;
    content
        .iter()
        .find(|(key, _)| essence_of(key) == essence)
        .or_else(|| content.iter().find(|(key, _)| essence_of(key) == format!("{main_type}/*")))
        .or_else(|| content.iter().find(|(key, _)| essence_of(key) == "*/*"))
        .map(|(_, media)| media)
}

fn check_content_type<'d>(
    status: u16,
    documented: &'d Response,
    response: &HttpResponse,
    results: &mut Vec<CheckResult>,
) -> Option<(String, &'d MediaType)> {
    let check = CheckId::ContentTypeDocumented;
    let listed = || documented.content.keys().cloned().collect::<Vec<_>>().join(", ");
    if documented.content.is_empty() {
        if response.body.is_empty() {
            results.push(CheckResult::pass(
                check,
                format!("status {status} documents no content and the body is empty"),
            ));
        } else {
            results.push(CheckResult::fail(
                check,
                format!(
                    "status {status} documents no content, but the body has {} bytes (Content-Type: {})",
                    response.body.len(),
                    response.header("content-type").unwrap_or("none")
                ),
            ));
        }
        return None;
    }
    let Some(essence) = response.content_type_essence() else {
        results.push(CheckResult::fail(
            check,
            format!(
                "no Content-Type header ({} body bytes); documented for {status}: {}",
                response.body.len(),
                listed()
            ),
        ));
        return None;
    };
    match documented_media(documented, &essence) {
        Some(media) => {
            results.push(CheckResult::pass(
                check,
                format!("{essence} is documented for status {status}"),
            ));
            Some((essence, media))
        }
        None => {
            results.push(CheckResult::fail(
                check,
                format!(
                    "Content-Type {essence} is not documented for status {status} (documented: {})",
                    listed()
                ),
            ));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_body(
    ctx: Ctx<'_, '_>,
    op: &Op<'_>,
    status: u16,
    essence: &str,
    media: &MediaType,
    jsonp_callback: Option<&str>,
    response: &HttpResponse,
    results: &mut Vec<CheckResult>,
) {
    let check = CheckId::BodySchema;
    let Some(schema) = media.schema.as_ref().and_then(|s| serde_json::to_value(s).ok()) else {
        return;
    };
    let instance = match decode_body(op, essence, jsonp_callback, response) {
        Decoded::Json(value) => value,
        Decoded::NotChecked(reason) => {
            results.push(CheckResult::skip(check, reason));
            return;
        }
        Decoded::Invalid(reason) => {
            results.push(CheckResult::fail(check, reason));
            return;
        }
    };
    let validator = match schema::compile(&schema, ctx.api.component_schemas()) {
        Ok(validator) => validator,
        Err(error) => {
            results.push(CheckResult::fail(
                check,
                format!("the document's schema for {status} {essence} does not compile: {error}"),
            ));
            return;
        }
    };
    let violations = schema::violations(&validator, &instance);
    if violations.is_empty() {
        results.push(CheckResult::pass(
            check,
            format!("the {essence} body matches the schema documented for {status}"),
        ));
    } else {
        results.push(CheckResult::fail(
            check,
            format!(
                "the {essence} body does not match the schema documented for {status}: {}",
                violations.join("; ")
            ),
        ));
    }
}

/// A body read as JSON for validation or comparison.
pub enum Decoded {
    Json(Value),
    /// A media type whose schema the runner does not check (XML, text, ...).
    NotChecked(String),
    /// A body that is not what its media type says.
    Invalid(String),
}

/// Reads a body as JSON: directly for JSON media types, through [`jsonp::strip`] for
/// JavaScript from an operation with `x-jsonp-callback-param`.
pub fn decode_body(
    op: &Op<'_>,
    essence: &str,
    jsonp_callback: Option<&str>,
    response: &HttpResponse,
) -> Decoded {
    if response.body_over_limit {
        return Decoded::Invalid(format!(
            "the body is larger than {} bytes (MAX_RESPONSE_BODY_BYTES) and was not validated",
            crate::limits::MAX_RESPONSE_BODY_BYTES
        ));
    }
    if is_json_media_type(essence) {
        return match serde_json::from_slice(&response.body) {
            Ok(value) => Decoded::Json(value),
            Err(error) => Decoded::Invalid(format!("the {essence} body is not JSON: {error}")),
        };
    }
    let is_javascript = matches!(
        essence,
        "application/javascript" | "text/javascript" | "application/x-javascript"
    );
    if is_javascript && op.jsonp_callback_param().is_some() {
        let Ok(text) = std::str::from_utf8(&response.body) else {
            return Decoded::Invalid(format!("the {essence} body is not UTF-8"));
        };
        let inner = match jsonp::strip(text, jsonp_callback) {
            Ok(inner) => inner,
            Err(error) => return Decoded::Invalid(format!("JSONP: {error}")),
        };
        return match serde_json::from_str(inner) {
            Ok(value) => Decoded::Json(value),
            Err(error) => Decoded::Invalid(format!(
                "the JSON inside the JSONP callback does not parse: {error}"
            )),
        };
    }
    Decoded::NotChecked(format!(
        "the schema of {essence} bodies is not checked (only JSON and JSONP are)"
    ))
}

fn check_required_headers(
    ctx: Ctx<'_, '_>,
    status: u16,
    documented: &Response,
    response: &HttpResponse,
    results: &mut Vec<CheckResult>,
) {
    let mut required = Vec::new();
    for (name, header) in &documented.headers {
        // OpenAPI: a documented Content-Type header is ignored (the media types say it).
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        match spec::resolve(ctx.api.doc, header) {
            Ok(header) if header.required => required.push(name.as_str()),
            Ok(_) => {}
            Err(message) => {
                results.push(CheckResult::fail(
                    CheckId::RequiredHeaders,
                    format!("the document: header {name}: {message}"),
                ));
                return;
            }
        }
    }
    if required.is_empty() {
        return;
    }
    let missing: Vec<&str> =
        required.iter().copied().filter(|name| response.header(name).is_none()).collect();
    if missing.is_empty() {
        results.push(CheckResult::pass(
            CheckId::RequiredHeaders,
            format!("required headers present for {status}: {}", required.join(", ")),
        ));
    } else {
        results.push(CheckResult::fail(
            CheckId::RequiredHeaders,
            format!(
                "status {status} requires header(s) {} but the response lacks {}",
                required.join(", "),
                missing.join(", ")
            ),
        ));
    }
}
