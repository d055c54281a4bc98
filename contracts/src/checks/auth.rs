//! Check 3: an operation with a security requirement refuses requests without credentials
//! and with wrong ones, with a 401 or 403 that it documents.

use super::request::{Body, build};
use super::{Ctx, documented_statuses, documents_status};
use crate::auth::{self, AppliedAuth, AuthPlan};
use crate::report::{CheckId, CheckResult};
use crate::spec::Op;

/// The statuses a refused credential may answer, when documented.
const AUTH_STATUSES: [u16; 2] = [401, 403];

/// Which credential probe to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// No credentials at all.
    Missing,
    /// The operation's credentials with their secrets changed.
    Wrong,
}

/// Whether an operation gets credential probes (it has a requirement that is not optional).
pub fn applies(ctx: Ctx<'_, '_>, op: &Op<'_>) -> bool {
    auth::plan(ctx.api, op, ctx.credentials) != AuthPlan::Open
}

/// The example request with no or wrong credentials must answer a documented 401/403.
pub fn check(ctx: Ctx<'_, '_>, op: &Op<'_>, probe: Probe) -> CheckResult {
    let plan = auth::plan(ctx.api, op, ctx.credentials);
    let (check, credentials, what) = match probe {
        Probe::Missing => (CheckId::AuthMissing, AppliedAuth::default(), "without credentials"),
        Probe::Wrong => {
            (CheckId::AuthWrong, plan.wrong().unwrap_or_default(), "with wrong credentials")
        }
    };
    let expected: Vec<u16> =
        AUTH_STATUSES.into_iter().filter(|status| documents_status(op, *status)).collect();
    let request = build(ctx.api, op, &credentials, Body::Example);
    let call = ctx.client.send(&request);
    let result = match &call.response {
        Err(error) => CheckResult::fail(check, format!("no response: {error}")),
        Ok(_) if expected.is_empty() => CheckResult::fail(
            check,
            format!(
                "{} has a security requirement but documents neither 401 nor 403 (documented: {})",
                op.name,
                documented_statuses(op)
            ),
        ),
        Ok(response) if expected.contains(&response.status) => {
            CheckResult::pass(check, format!("{} {what}", response.status))
        }
        Ok(response) => CheckResult::fail(
            check,
            format!(
                "{what} it answered {}; expected {} (the documented ones among 401/403)",
                response.status,
                expected.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
            ),
        ),
    };
    result.with_exchange(&call.exchange)
}

/// A skipped `credentials` check when no `--auth` value fits the operation, so the report
/// says why its positive requests were sent without credentials.
pub fn unsatisfied_note(ctx: Ctx<'_, '_>, op: &Op<'_>) -> Option<CheckResult> {
    match auth::plan(ctx.api, op, ctx.credentials) {
        AuthPlan::Unsatisfied { schemes, .. } => Some(CheckResult::skip(
            CheckId::Credentials,
            format!(
                "no --auth value fits the security requirement {}; requests that should succeed were sent without credentials",
                schemes.join(" + ")
            ),
        )),
        AuthPlan::Open | AuthPlan::Satisfied { .. } => None,
    }
}
