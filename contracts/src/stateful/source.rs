//! The request links are followed from: an operation's example request, sent with the run's
//! credentials, and its answer checked like the example phase's.
//!
//! Links are followed only from a documented 2xx. One retry is made with a body made unique
//! ([`unique`](super::unique)) when the first answer shows that the example's values are
//! taken — a documented 409, or a 2xx that lacks a value a link reads from its body (a bulk
//! create whose items met existing data) — because the example phase, which runs first, has
//! just sent the same request.

use crate::checks::documents_status;
use crate::checks::request::request_media;
use crate::report::{CheckId, CheckResult};
use crate::spec::Op;

use super::expr::Scope;
use super::links;
use super::session::{BodyValue, Sent, Session};
use super::unique;
use super::values;

/// The answer links are followed from.
#[derive(Debug, Clone)]
pub struct Followable {
    pub status: u16,
    pub scope: Scope,
}

/// Sends the example request of `op` (and the retry, if needed), records the
/// `link-source` check and the answer's checks, and returns what links can read.
pub fn send(session: &mut Session<'_, '_, '_>, op: &Op<'_>, suffix: &str) -> Option<Followable> {
    session.note_credentials(op, None);
    let body = session.example_body(op);
    let Some(first) = session.send(op, Vec::new(), body.clone()) else {
        session.push(CheckResult::skip(CheckId::LinkSource, Session::budget_note()));
        return None;
    };
    let mut note = String::new();
    let mut last = first;
    if let Some(reason) = retry_reason(session, op, &last) {
        let varied = body.as_ref().and_then(|body| vary(session, op, body, suffix));
        match varied {
            Some((varied_body, changes)) => {
                session.check_answer(op, &last, Some("first attempt"));
                note = format!("the example request {reason}; sent again with {changes}, it ");
                match session.send(op, Vec::new(), Some(varied_body)) {
                    Some(retried) => last = retried,
                    None => {
                        session
                            .push(CheckResult::skip(CheckId::LinkSource, Session::budget_note()));
                        return None;
                    }
                }
            }
            None => {
                note = format!(
                    "the example request {reason}, and no string of its body could be made unique; it "
                );
            }
        }
    }
    session.check_answer(op, &last, None);
    let exchange = last.call.exchange.clone();
    let response = match &last.call.response {
        Ok(response) => response,
        Err(error) => {
            let message = format!("links not followed: no answer ({error})");
            session.push(CheckResult::skip(CheckId::LinkSource, message).with_exchange(&exchange));
            return None;
        }
    };
    let status = response.status;
    if !(200..300).contains(&status) || !documents_status(op, status) {
        let documented =
            if documents_status(op, status) { "" } else { ", which is not documented" };
        let message = format!(
            "{note}answered {status}{documented}: links are followed from a documented 2xx answer only"
        );
        session.push(CheckResult::skip(CheckId::LinkSource, message).with_exchange(&exchange));
        return None;
    }
    let names: Vec<&str> =
        links::for_status(session.ctx.api, op, status).iter().map(|link| link.name).collect();
    if names.is_empty() {
        let message =
            format!("{note}answered {status}, whose documented response declares no links");
        session.push(CheckResult::skip(CheckId::LinkSource, message).with_exchange(&exchange));
        return None;
    }
    let message =
        format!("{note}answered {status}; following {} link(s): {}", names.len(), names.join(", "));
    session.push(CheckResult::pass(CheckId::LinkSource, message).with_exchange(&exchange));
    let scope = session.scope(op, &last, response);
    Some(Followable { status, scope })
}

/// Why the example's values look taken, if they do.
fn retry_reason(session: &Session<'_, '_, '_>, op: &Op<'_>, sent: &Sent) -> Option<String> {
    let response = sent.call.response.as_ref().ok()?;
    let status = response.status;
    if status == 409 && documents_status(op, status) {
        return Some("answered 409 (Conflict): its values are taken (the example phase, or an earlier run, sent it)".to_owned());
    }
    if !(200..300).contains(&status) || !documents_status(op, status) {
        return None;
    }
    let api = session.ctx.api;
    let scope = session.scope(op, sent, response);
    links::for_status(api, op, status).into_iter().find_map(|link| {
        let (Ok(definition), Ok(target_idx)) = (link.link, link.target_idx) else {
            return None;
        };
        match values::evaluate(api, definition, &api.ops[target_idx], &scope) {
            Err(error) if error.missing_in_answer => Some(format!(
                "answered {status} without a value link {} needs ({})",
                link.name, error.message
            )),
            _ => None,
        }
    })
}

/// The example body made unique, and the changes as `/order "a" → "ab"` for the message.
fn vary(
    session: &Session<'_, '_, '_>,
    op: &Op<'_>,
    (media_type, body): &BodyValue,
    suffix: &str,
) -> Option<(BodyValue, String)> {
    let api = session.ctx.api;
    let schema = request_media(api, op)
        .and_then(|(_, media)| media.schema.as_ref())
        .and_then(|schema| serde_json::to_value(schema).ok());
    let (varied, changes) = unique::vary(body, schema.as_ref(), api.component_schemas(), suffix)?;
    let listed: Vec<String> = changes
        .iter()
        .map(|change| format!("{} {:?} → {:?}", change.pointer, change.before, change.after))
        .collect();
    Some(((media_type.clone(), varied), format!("unique values ({})", listed.join(", "))))
}
