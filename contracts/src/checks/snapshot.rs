//! Check 4, second half: rejected requests change no state. Every GET whose required
//! parameters all have document examples is called before and after the negative requests,
//! and the two answers must be equal once fields marked `x-volatile` are removed.

use serde_json::Value;
use ureq::http::Method;

use super::Ctx;
use super::request::{Body, build, jsonp_callback};
use super::status::{Decoded, decode_body, documented_media};
use crate::auth;
use crate::client::HttpResponse;
use crate::exchange::Exchange;
use crate::report::{CheckId, CheckResult};
use crate::sample::{self, Provenance};
use crate::spec::{self, Op};
use crate::volatile::{first_difference, strip_volatile};

/// What one GET answered, ready for comparison.
#[derive(Debug, Clone)]
pub struct Observation {
    pub op_idx: usize,
    pub answer: Result<(u16, Content), String>,
    pub exchange: Exchange,
}

/// A body as compared: JSON without volatile fields, or raw bytes for other media types.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Json(Value),
    Bytes(Vec<u8>),
}

/// The GET operations a snapshot covers: those whose required parameters all have an
/// example in the document (a synthesised id would only ever read a 404).
pub fn snapshot_ops(ctx: Ctx<'_, '_>) -> Vec<usize> {
    let api = ctx.api;
    (0..api.ops.len())
        .filter(|&idx| {
            let op = &api.ops[idx];
            op.method == Method::GET
                && op.params.iter().filter(|p| p.data.required).all(|p| {
                    sample::parameter(api, p.data)
                        .is_some_and(|s| s.provenance == Provenance::Document)
                })
        })
        .collect()
}

/// Calls every snapshot GET once.
pub fn take(ctx: Ctx<'_, '_>, op_indices: &[usize]) -> Vec<Observation> {
    op_indices
        .iter()
        .map(|&op_idx| {
            let op = &ctx.api.ops[op_idx];
            let credentials = auth::plan(ctx.api, op, ctx.credentials).good();
            let call = ctx.client.send(&build(ctx.api, op, &credentials, Body::None));
            let answer =
                call.response.map(|response| (response.status, normalise(ctx, op, &response)));
            Observation { op_idx, answer, exchange: call.exchange }
        })
        .collect()
}

/// One `no-state-change` result per GET, attached to that GET's operation.
pub fn compare(before: &[Observation], after: &[Observation]) -> Vec<(usize, CheckResult)> {
    let check = CheckId::NoStateChange;
    before
        .iter()
        .zip(after)
        .map(|(before, after)| {
            let result = match (&before.answer, &after.answer) {
                (Err(error), _) => CheckResult::fail(check.clone(), format!("no response before the negative requests: {error}")),
                (_, Err(error)) => CheckResult::fail(check.clone(), format!("no response after the negative requests: {error}")),
                (Ok((status_before, _)), Ok((status_after, _))) if status_before != status_after => CheckResult::fail(
                    check.clone(),
                    format!("answered {status_before} before the negative requests and {status_after} after"),
                ),
                (Ok((status, content_before)), Ok((_, content_after))) => match difference(content_before, content_after) {
                    None => CheckResult::pass(check.clone(), format!("{status}, same body before and after the negative requests")),
                    Some(difference) => CheckResult::fail(
                        check.clone(),
                        format!("the body changed after the negative requests (x-volatile fields ignored): {difference}"),
                    ),
                },
            };
            (after.op_idx, result.with_exchange(&after.exchange))
        })
        .collect()
}

fn difference(before: &Content, after: &Content) -> Option<String> {
    match (before, after) {
        (Content::Json(a), Content::Json(b)) => first_difference(a, b),
        (a, b) if a == b => None,
        _ => Some("the bytes differ".to_owned()),
    }
}

fn normalise(ctx: Ctx<'_, '_>, op: &Op<'_>, response: &HttpResponse) -> Content {
    let raw = || Content::Bytes(response.body.clone());
    let Some(essence) = response.content_type_essence() else {
        return raw();
    };
    let callback = jsonp_callback(ctx.api, op);
    let Decoded::Json(mut value) = decode_body(op, &essence, callback.as_deref(), response) else {
        return raw();
    };
    // Every documented schema for this media type marks volatile fields, not only the one of
    // this status: an undocumented status (itself reported by the example check) still gets
    // its timestamps ignored here.
    let responses = &op.operation.responses;
    for documented in responses.responses.values().chain(responses.default.as_ref()) {
        let schema = spec::resolve(ctx.api.doc, documented)
            .ok()
            .and_then(|documented| documented_media(documented, &essence))
            .and_then(|media| media.schema.as_ref())
            .and_then(|schema| serde_json::to_value(schema).ok());
        if let Some(schema) = schema {
            strip_volatile(&ctx.api.raw, &schema, &mut value);
        }
    }
    Content::Json(value)
}
