//! Check 2: a method the document does not list for a path answers 405 with an `Allow`
//! header naming exactly the documented methods.
//!
//! Allow lists are compared as sets of upper-case method names; OPTIONS and HEAD are ignored
//! on both sides because servers add them generically.

use std::collections::BTreeSet;

use ureq::http::Method;

use super::Ctx;
use super::request::{Body, build};
use crate::auth;
use crate::report::{CheckId, CheckResult};
use crate::spec::PathEntry;

/// Methods left out of the comparison.
const IGNORED_IN_ALLOW: [&str; 2] = ["OPTIONS", "HEAD"];

/// Sends `method` to the path (with the parameters and credentials of the path's
/// representative operation) and checks the 405 and its `Allow`.
pub fn check_undocumented(ctx: Ctx<'_, '_>, path: &PathEntry<'_>, method: &Method) -> CheckResult {
    let op = &ctx.api.ops[path.representative_idx];
    // Credentials too: a server may check them before routing, and a 401 would hide the 405.
    let auth = auth::plan(ctx.api, op, ctx.credentials).good();
    let mut request = build(ctx.api, op, &auth, Body::None);
    request.method = method.clone();
    if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        // An explicit empty body: some servers answer 411 to a body-carrying method without one.
        request.body = Some(Vec::new());
    }
    let call = ctx.client.send(&request);
    let check = CheckId::MethodNotAllowed;
    let result = match &call.response {
        Err(error) => CheckResult::fail(check, format!("no response: {error}")),
        Ok(response) if response.status != 405 => CheckResult::fail(
            check,
            format!(
                "{method} {} is not documented, but it answered {} instead of 405",
                path.path, response.status
            ),
        ),
        Ok(response) => {
            let values: Vec<&str> = response.header_values("allow").collect();
            match compare_allow(&path.documented, &values) {
                Ok(()) => {
                    CheckResult::pass(check, format!("405 with Allow: {}", values.join(", ")))
                }
                Err(message) => CheckResult::fail(check, message),
            }
        }
    };
    result.with_exchange(&call.exchange)
}

/// Compares `Allow` header values (possibly several headers) with the documented methods.
///
/// # Errors
/// A message saying what is missing or extra, or that the header is absent.
pub fn compare_allow(documented: &[Method], allow_values: &[&str]) -> Result<(), String> {
    let expected: BTreeSet<String> = documented
        .iter()
        .map(|m| m.as_str().to_ascii_uppercase())
        .filter(|m| !IGNORED_IN_ALLOW.contains(&m.as_str()))
        .collect();
    let shown = || expected.iter().cloned().collect::<Vec<_>>().join(", ");
    if allow_values.is_empty() {
        return Err(format!("405 without an Allow header (documented: {})", shown()));
    }
    let actual: BTreeSet<String> = allow_values
        .iter()
        .flat_map(|value| value.split(','))
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty() && !IGNORED_IN_ALLOW.contains(&m.as_str()))
        .collect();
    if actual == expected {
        return Ok(());
    }
    let missing: Vec<_> = expected.difference(&actual).cloned().collect();
    let extra: Vec<_> = actual.difference(&expected).cloned().collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("extra {}", extra.join(", ")));
    }
    Err(format!(
        "Allow: {} does not match the documented methods {} ({})",
        allow_values.join(", "),
        shown(),
        parts.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_is_compared_as_a_case_insensitive_set_without_options_and_head() {
        let documented = [Method::GET, Method::POST];
        assert_eq!(compare_allow(&documented, &["POST, GET"]), Ok(()));
        assert_eq!(compare_allow(&documented, &["get,post,OPTIONS, HEAD"]), Ok(()));
        assert_eq!(compare_allow(&documented, &["GET", "POST"]), Ok(()));
        assert_eq!(compare_allow(&[Method::GET, Method::HEAD], &["GET"]), Ok(()));
    }

    #[test]
    fn a_wrong_or_missing_allow_is_described() {
        let documented = [Method::GET, Method::POST];
        assert_eq!(
            compare_allow(&documented, &[]),
            Err("405 without an Allow header (documented: GET, POST)".into())
        );
        assert_eq!(
            compare_allow(&documented, &["GET, DELETE"]),
            Err("Allow: GET, DELETE does not match the documented methods GET, POST (missing POST; extra DELETE)".into())
        );
        assert!(compare_allow(&documented, &[""]).is_err());
    }
}
