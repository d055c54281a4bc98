//! Following the links of one answer — reads, then creates and updates, then deletes — and,
//! after a linked DELETE that answered 2xx, "use after delete": every linked read that
//! answered 2xx is sent again and must answer a documented 404 or 410, and so must the
//! DELETE sent a second time.

use ureq::http::Method;

use crate::checks::{documented_statuses, documents_status};
use crate::client::{Call, RequestSpec};
use crate::report::{CheckId, CheckResult};
use crate::spec::Op;

use super::links::{self, NamedLink};
use super::session::{Sent, Session};
use super::source::Followable;
use super::values;

/// What a gone resource may answer, when the operation documents it.
const GONE_STATUSES: [u16; 2] = [404, 410];

/// A linked read that answered 2xx, to be sent again after a delete.
struct Read {
    name: String,
    target_idx: usize,
    request: RequestSpec,
}

/// Follows every link of `op`'s answer, recording `link-followed`, `resource-readable` and
/// `gone-after-delete` checks and the answers' own checks (`status-documented[link]`, ...).
pub fn follow(session: &mut Session<'_, '_, '_>, op: &Op<'_>, source: &Followable) {
    let mut reads: Vec<Read> = Vec::new();
    for link in links::for_status(session.ctx.api, op, source.status) {
        follow_link(session, op, &link, source, &mut reads);
    }
}

/// Follows one link; a read that answered 2xx joins `reads`.
fn follow_link(
    session: &mut Session<'_, '_, '_>,
    op: &Op<'_>,
    link: &NamedLink<'_>,
    source: &Followable,
    reads: &mut Vec<Read>,
) {
    let api = session.ctx.api;
    let name = link.name;
    let failed =
        |message: String| CheckResult::fail(CheckId::LinkFollowed, message).with_subject(name);
    let definition = match &link.link {
        Ok(definition) => definition,
        Err(message) => {
            session.push(failed(format!("link {name}: {message}")));
            return;
        }
    };
    let target_idx = match &link.target_idx {
        Ok(idx) => *idx,
        Err(message) => {
            session.push(failed(format!("link {name}: {message}")));
            return;
        }
    };
    let target = &api.ops[target_idx];
    let evaluated = match values::evaluate(api, definition, target, &source.scope) {
        Ok(evaluated) => evaluated,
        Err(error) => {
            session.push(failed(format!("link {name} → {}: {}", target.name, error.message)));
            return;
        }
    };
    session.note_credentials(target, Some(name));
    let body = evaluated.body.clone().or_else(|| session.example_body(target));
    let Some(sent) = session.send(target, evaluated.given.clone(), body) else {
        session.push(
            CheckResult::skip(CheckId::LinkFollowed, Session::budget_note()).with_subject(name),
        );
        return;
    };
    session.check_answer(target, &sent, Some(name));
    let with = if evaluated.described.is_empty() {
        "no values".to_owned()
    } else {
        evaluated.described.join(", ")
    };
    let what = format!("link {name} → {} with {with}: {}", target.name, sent.line());
    let exchange = &sent.call.exchange;
    let status = match &sent.call.response {
        Ok(response) => response.status,
        Err(error) => {
            session.push(failed(format!("{what}: no answer ({error})")).with_exchange(exchange));
            return;
        }
    };
    session.push(
        CheckResult::pass(CheckId::LinkFollowed, format!("{what} answered {status}"))
            .with_subject(name)
            .with_exchange(exchange),
    );
    let success = (200..300).contains(&status);
    if target.method == Method::GET {
        let result = if success {
            CheckResult::pass(
                CheckId::ResourceReadable,
                format!("{what} answered {status}: the resource is readable"),
            )
        } else {
            CheckResult::fail(
                CheckId::ResourceReadable,
                format!(
                    "{what} answered {status}; a linked read of what {} answered must answer 2xx",
                    op.name
                ),
            )
        };
        session.push(result.with_subject(name).with_exchange(exchange));
        if success {
            reads.push(Read { name: name.to_owned(), target_idx, request: sent.request.clone() });
        }
    }
    if target.method == Method::DELETE {
        if success {
            after_delete(session, name, target, &sent, reads);
        } else {
            let message =
                format!("not checked: {what} answered {status}, not 2xx, so nothing was deleted");
            session.push(
                CheckResult::skip(CheckId::GoneAfterDelete, message)
                    .with_subject(name)
                    .with_exchange(exchange),
            );
        }
    }
}

/// Use after delete: the reads again, then the DELETE again.
fn after_delete(
    session: &mut Session<'_, '_, '_>,
    name: &str,
    delete: &Op<'_>,
    sent: &Sent,
    reads: &[Read],
) {
    let api = session.ctx.api;
    let deleted = format!("{} answered {}", sent.line(), sent.status().unwrap_or_default());
    for read in reads {
        let subject = format!("{} after {name}", read.name);
        let target = &api.ops[read.target_idx];
        gone(session, target, &read.request, &subject, &deleted);
    }
    gone(session, delete, &sent.request, &format!("{name} repeated"), &deleted);
}

/// Sends `request` again and records whether it answered a documented 404 or 410.
fn gone(
    session: &mut Session<'_, '_, '_>,
    op: &Op<'_>,
    request: &RequestSpec,
    subject: &str,
    deleted: &str,
) {
    let Some(call) = session.resend(request) else {
        session.push(
            CheckResult::skip(CheckId::GoneAfterDelete, Session::budget_note())
                .with_subject(subject),
        );
        return;
    };
    session.check_call(op, request, &call, Some(subject));
    let result = gone_result(op, request, &call, deleted);
    session.push(result.with_subject(subject).with_exchange(&call.exchange));
}

fn gone_result(op: &Op<'_>, request: &RequestSpec, call: &Call, deleted: &str) -> CheckResult {
    let check = CheckId::GoneAfterDelete;
    let line = format!("{} {}", request.method, request.url.path());
    let status = match &call.response {
        Ok(response) => response.status,
        Err(error) => {
            return CheckResult::fail(
                check,
                format!("{line} after {deleted}: no answer ({error})"),
            );
        }
    };
    let what = format!("{line} answered {status} after {deleted}");
    if GONE_STATUSES.contains(&status) && documents_status(op, status) {
        return CheckResult::pass(check, what);
    }
    if GONE_STATUSES.contains(&status) {
        return CheckResult::fail(
            check,
            format!(
                "{what}, but {} does not document {status} (documented: {})",
                op.name,
                documented_statuses(op)
            ),
        );
    }
    let meaning = if !(200..300).contains(&status) {
        ""
    } else if request.method == Method::DELETE {
        ": the resource was not deleted"
    } else {
        ": the deleted resource is still there"
    };
    let expected: Vec<String> = GONE_STATUSES
        .iter()
        .filter(|s| documents_status(op, **s))
        .map(ToString::to_string)
        .collect();
    let expected = if expected.is_empty() {
        format!("404 or 410, but {} documents neither", op.name)
    } else {
        format!("a documented {}", expected.join(" or "))
    };
    CheckResult::fail(check, format!("{what}{meaning}; expected {expected}"))
}
