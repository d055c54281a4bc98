//! The checks of one operation with links as they accumulate: requests built with the run's
//! credentials and the link's values, sent within [`MAX_LINKED_CALLS_PER_OPERATION`], their
//! answers checked with the example phase's own code, and what runtime expressions read.

use serde_json::Value;

use crate::auth::Redactor;
use crate::checks::request::{
    Body, ParamValue, build_with, encode_body, is_json_media_type, param_values, request_media,
};
use crate::checks::status::{Decoded, check_response, decode_body};
use crate::checks::{self, Ctx};
use crate::client::{Call, HttpResponse, RequestSpec};
use crate::limits::MAX_LINKED_CALLS_PER_OPERATION;
use crate::phase::PhaseContext;
use crate::report::CheckResult;
use crate::sample;
use crate::spec::{Op, ParamIn};

use super::expr::Scope;

/// A request body: its media type and the JSON value it encodes.
pub type BodyValue = (String, Value);

/// One request of the phase and its answer.
#[derive(Debug, Clone)]
pub struct Sent {
    pub request: RequestSpec,
    /// The parameter values given instead of examples.
    pub given: Vec<ParamValue>,
    pub body: Option<BodyValue>,
    pub call: Call,
}

impl Sent {
    pub fn status(&self) -> Option<u16> {
        self.call.response.as_ref().ok().map(|response| response.status)
    }

    /// `METHOD /path` of the request (no query: it may carry credentials).
    pub fn line(&self) -> String {
        format!("{} {}", self.request.method, self.request.url.path())
    }
}

/// The phase's state for one operation with links.
pub struct Session<'p, 'r, 'a> {
    pctx: &'p PhaseContext<'r, 'a>,
    pub ctx: Ctx<'r, 'a>,
    redactor: Redactor,
    n_calls: usize,
    pub checks: Vec<CheckResult>,
}

impl<'p, 'r, 'a> Session<'p, 'r, 'a> {
    pub fn new(pctx: &'p PhaseContext<'r, 'a>) -> Session<'p, 'r, 'a> {
        let ctx = Ctx { api: pctx.api, client: pctx.client, credentials: &pctx.args.auth };
        Session {
            pctx,
            ctx,
            redactor: Redactor::new(&pctx.args.auth),
            n_calls: 0,
            checks: Vec::new(),
        }
    }

    /// Builds and sends a request of `op` with the run's credentials for it, `given`
    /// parameter values and `body`; `None` once [`MAX_LINKED_CALLS_PER_OPERATION`] requests
    /// were sent.
    pub fn send(
        &mut self,
        op: &Op<'_>,
        given: Vec<ParamValue>,
        body: Option<BodyValue>,
    ) -> Option<Sent> {
        let credentials = self.pctx.credentials_for(&op.name).unwrap_or_default();
        let raw = match &body {
            Some((media_type, value)) => {
                Body::Raw { media_type: media_type.clone(), bytes: encode_body(media_type, value) }
            }
            None => Body::None,
        };
        let request = build_with(self.ctx.api, op, &credentials, raw, &given);
        self.resend(&request).map(|call| Sent { request, given, body, call })
    }

    /// Sends a request again (a read after a delete, the repeated delete).
    pub fn resend(&mut self, request: &RequestSpec) -> Option<Call> {
        if self.n_calls >= MAX_LINKED_CALLS_PER_OPERATION {
            return None;
        }
        self.n_calls += 1;
        Some(self.pctx.send(request))
    }

    /// Why a request was not sent.
    pub fn budget_note() -> String {
        format!(
            "not sent: {MAX_LINKED_CALLS_PER_OPERATION} requests (MAX_LINKED_CALLS_PER_OPERATION) were already sent for this operation"
        )
    }

    /// Records a result, with secrets of the run's credentials removed from its message.
    pub fn push(&mut self, mut result: CheckResult) {
        result.message = self.redactor.redact(&result.message);
        self.checks.push(result);
    }

    /// The example phase's checks of an answer (status, content type, body, headers), named
    /// `check[subject]` when a subject is given.
    pub fn check_answer(&mut self, op: &Op<'_>, sent: &Sent, subject: Option<&str>) {
        self.check_call(op, &sent.request, &sent.call, subject);
    }

    pub fn check_call(
        &mut self,
        op: &Op<'_>,
        request: &RequestSpec,
        call: &Call,
        subject: Option<&str>,
    ) {
        let callback = jsonp_callback(op, request);
        for result in check_response(self.ctx, op, callback.as_deref(), call) {
            let result = match subject {
                Some(subject) => result.with_subject(subject),
                None => result,
            };
            self.push(result);
        }
    }

    /// A skipped `credentials` check when no `--auth` value fits `op`.
    pub fn note_credentials(&mut self, op: &Op<'_>, subject: Option<&str>) {
        if let Some(note) = checks::auth::unsatisfied_note(self.ctx, op) {
            let note = match subject {
                Some(subject) => note.with_subject(subject),
                None => note,
            };
            self.push(note);
        }
    }

    /// The example body of `op` in the media type requests use (none when it has no body).
    pub fn example_body(&self, op: &Op<'_>) -> Option<BodyValue> {
        let (media_type, media) = request_media(self.ctx.api, op)?;
        let sample = sample::media_body(self.ctx.api, media)?;
        Some((media_type.to_owned(), sample.value))
    }

    /// What runtime expressions read from a request of `op` and its answer.
    pub fn scope(&self, op: &Op<'_>, sent: &Sent, response: &HttpResponse) -> Scope {
        let request = &sent.request;
        Scope {
            method: request.method.to_string(),
            url: request.url.to_string(),
            path: param_values(self.ctx.api, op, ParamIn::Path, &sent.given),
            query: request
                .url
                .query_pairs()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
            request_headers: request.headers.clone(),
            request_body: sent.body.as_ref().map(|(_, value)| value.clone()),
            status: response.status,
            response_headers: response.headers.clone(),
            response_body: response_json(op, request, response),
        }
    }
}

/// The answer's body as JSON (JSONP unwrapped), or why it is not.
fn response_json(
    op: &Op<'_>,
    request: &RequestSpec,
    response: &HttpResponse,
) -> Result<Value, String> {
    let callback = jsonp_callback(op, request);
    let essence = response.content_type_essence().unwrap_or_else(|| "application/json".to_owned());
    match decode_body(op, &essence, callback.as_deref(), response) {
        Decoded::Json(value) => Ok(value),
        Decoded::NotChecked(_) if !is_json_media_type(&essence) => {
            Err(format!("its media type {essence} is not JSON"))
        }
        Decoded::NotChecked(reason) | Decoded::Invalid(reason) => Err(reason),
    }
}

/// The JSONP callback a request asked for (the value of `x-jsonp-callback-param`'s parameter).
fn jsonp_callback(op: &Op<'_>, request: &RequestSpec) -> Option<String> {
    let name = op.jsonp_callback_param()?;
    request.url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}
