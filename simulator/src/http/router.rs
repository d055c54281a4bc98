//! Routing and the per-request pipeline shared by every family.
//!
//! # Order of checks
//! 0. request target over `max_uri_bytes` → 414; headers over `max_header_bytes` or
//!    `max_headers` → 431 (hyper itself refuses heads over `Limits::hard_max_head_bytes`);
//! 1. path → 404; `OPTIONS` → 204 with `Allow`; method → 405 with `Allow`;
//! 2. declared `Content-Length` over `max_body_bytes` → 413 (before reading anything);
//! 3. authentication (the family's 401/403);
//! 4. `Content-Type` of a JSON operation → 415;
//! 5. body read, bounded by `max_body_bytes` → 413;
//! 6. the handler (decoding, validation, state).
//!
//! Routing answers come first so that `curl -X PUT /subscribers` learns the allowed methods
//! without credentials, as the vendors' own servers do; authentication comes before the body
//! is read so that unauthenticated clients cannot make the server parse their input.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;

use super::Response;
use super::call::Call;
use super::endpoint::{Endpoint, Family, Rejection};
use super::reply;
use crate::config::Limits;

/// Upper bound on path parameters in one template; the tables use at most two.
const MAX_PATH_PARAMS: usize = 8;

/// The routes of one family, built once from its endpoint table.
pub struct FamilyRouter<F: Family> {
    matcher: matchit::Router<usize>,
    paths: Vec<PathRoutes<F>>,
}

/// Every operation under one path template.
struct PathRoutes<F: Family> {
    operations: Vec<(Method, &'static Endpoint<F>)>,
    allowed: Vec<Method>,
    /// `Allow` header value, e.g. `POST, DELETE` (table order).
    allow_header: String,
}

/// Why a table cannot be routed. Only table authors meet these, at startup and in tests.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("{method} {path} appears twice in the {family} table")]
    DuplicateOperation { family: &'static str, method: Method, path: &'static str },
    #[error("path template {path} of the {family} table is invalid: {detail}")]
    BadTemplate { family: &'static str, path: &'static str, detail: String },
}

impl<F: Family> FamilyRouter<F> {
    /// Builds the router from `F::endpoints()`.
    ///
    /// # Errors
    /// A repeated (method, path) pair or a template matchit refuses.
    pub fn new() -> Result<Self, TableError> {
        let mut by_path: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut paths: Vec<PathRoutes<F>> = Vec::new();
        let mut matcher = matchit::Router::new();
        for endpoint in F::endpoints() {
            let idx = match by_path.get(endpoint.path) {
                Some(idx) => *idx,
                None => {
                    matcher.insert(endpoint.path, paths.len()).map_err(|e| {
                        TableError::BadTemplate {
                            family: F::NAME,
                            path: endpoint.path,
                            detail: e.to_string(),
                        }
                    })?;
                    by_path.insert(endpoint.path, paths.len());
                    paths.push(PathRoutes {
                        operations: Vec::new(),
                        allowed: Vec::new(),
                        allow_header: String::new(),
                    });
                    paths.len() - 1
                }
            };
            let routes = &mut paths[idx];
            if routes.allowed.contains(&endpoint.method) {
                return Err(TableError::DuplicateOperation {
                    family: F::NAME,
                    method: endpoint.method.clone(),
                    path: endpoint.path,
                });
            }
            routes.operations.push((endpoint.method.clone(), endpoint));
            routes.allowed.push(endpoint.method.clone());
            if !routes.allow_header.is_empty() {
                routes.allow_header.push_str(", ");
            }
            routes.allow_header.push_str(endpoint.method.as_str());
        }
        Ok(FamilyRouter { matcher, paths })
    }

    /// The documented methods of the path template `template`, if the family has it.
    pub fn allowed_methods(&self, path: &str) -> Option<&[Method]> {
        let matched = self.matcher.at(path).ok()?;
        Some(&self.paths[*matched.value].allowed)
    }

    /// Runs one request through the pipeline described in the module docs.
    pub async fn dispatch<B>(&self, family: &F, request: Request<B>) -> Response
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path();
        let query = parts.uri.query().unwrap_or("");
        if let Some(rejection) = over_limit(&parts, family.limits()) {
            let call = Call::new(&parts.method, path, query, &parts.headers, Bytes::new(), &[]);
            return family.render_error(rejection.into(), &call);
        }
        let mut params: [(&str, &str); MAX_PATH_PARAMS] = [("", ""); MAX_PATH_PARAMS];
        let mut n_params = 0;

        let routed = match self.matcher.at(path) {
            Ok(matched) => {
                for (key, value) in matched.params.iter() {
                    if n_params < MAX_PATH_PARAMS {
                        params[n_params] = (key, value);
                        n_params += 1;
                    }
                }
                let routes = &self.paths[*matched.value];
                match routes.operations.iter().find(|(method, _)| *method == parts.method) {
                    Some((_, endpoint)) => Ok(*endpoint),
                    None if parts.method == Method::OPTIONS => {
                        let mut response = reply::empty(StatusCode::NO_CONTENT);
                        reply::set_header(&mut response, ALLOW, &routes.allow_header);
                        return response;
                    }
                    None => Err((
                        Rejection::MethodNotAllowed { allowed: routes.allowed.clone() },
                        Some(routes.allow_header.as_str()),
                    )),
                }
            }
            Err(_) => Err((Rejection::NotFound { path: path.to_owned() }, None)),
        };
        let params = &params[..n_params];
        let limits = family.limits();
        let mut call = Call::new(&parts.method, path, query, &parts.headers, Bytes::new(), params);

        let endpoint = match routed {
            Ok(endpoint) => endpoint,
            Err((rejection, allow)) => {
                let mut response = family.render_error(rejection.into(), &call);
                if let Some(allow) = allow {
                    reply::set_header(&mut response, ALLOW, allow);
                }
                return response;
            }
        };

        let declared_len = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared_len.is_some_and(|len| len > limits.max_body_bytes as u64) {
            let rejection = Rejection::PayloadTooLarge { max_body_bytes: limits.max_body_bytes };
            return closing(family.render_error(rejection.into(), &call));
        }

        let principal = match family.authenticate(&call) {
            Ok(principal) => principal,
            Err(error) => return family.render_error(error, &call),
        };

        if endpoint.body.is_json()
            && let Some(content_type) = parts.headers.get(CONTENT_TYPE)
            && !is_json_media_type(content_type.as_bytes())
        {
            let content_type = String::from_utf8_lossy(content_type.as_bytes()).into_owned();
            let rejection = Rejection::UnsupportedMediaType { content_type };
            return family.render_error(rejection.into(), &call);
        }

        // A request without a body (every GET and DELETE) skips the collecting machinery.
        call.body = if body.is_end_stream() {
            Bytes::new()
        } else {
            match Limited::new(body, limits.max_body_bytes).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error)
                    if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() =>
                {
                    let rejection =
                        Rejection::PayloadTooLarge { max_body_bytes: limits.max_body_bytes };
                    return closing(family.render_error(rejection.into(), &call));
                }
                Err(error) => {
                    // The client went away or sent a broken chunked encoding; nobody may be
                    // listening, but answer in the family's format all the same.
                    let rejection = Rejection::MalformedJson {
                        detail: format!("the request body could not be read: {error}"),
                    };
                    return family.render_error(rejection.into(), &call);
                }
            }
        };

        match (endpoint.handler)(family, &call, &principal) {
            Ok(response) => response,
            Err(error) => family.render_error(error, &call),
        }
    }
}

impl<F: Family> FamilyRouter<F> {
    /// Answers `request` with `rejection` in the family's format, without routing it (the
    /// listener uses it to refuse connections over `max_connections_per_listener`).
    pub fn refuse<B>(&self, family: &F, request: Request<B>, rejection: Rejection) -> Response {
        let (parts, _body) = request.into_parts();
        let query = parts.uri.query().unwrap_or("");
        let call =
            Call::new(&parts.method, parts.uri.path(), query, &parts.headers, Bytes::new(), &[]);
        family.render_error(rejection.into(), &call)
    }
}

/// Marks a response after which the connection is closed. A 413 leaves the rest of the body
/// unread, so hyper closes the connection after answering; saying so lets a client that reuses
/// connections open a new one instead of meeting a closed socket on its next request.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
    response
}

/// The 414 or 431 a request head deserves, if any.
fn over_limit(parts: &http::request::Parts, limits: &Limits) -> Option<Rejection> {
    let target_bytes = parts.uri.path().len() + parts.uri.query().map_or(0, |q| q.len() + 1);
    if target_bytes > limits.max_uri_bytes {
        return Some(Rejection::OverLimit {
            status: StatusCode::URI_TOO_LONG,
            message: format!(
                "The request target is {target_bytes} bytes, over max_uri_bytes ({})",
                limits.max_uri_bytes
            ),
        });
    }
    let n_headers = parts.headers.len();
    if n_headers > limits.max_headers {
        return Some(Rejection::OverLimit {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            message: format!(
                "The request has {n_headers} headers, over max_headers ({})",
                limits.max_headers
            ),
        });
    }
    let header_bytes: usize =
        parts.headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if header_bytes > limits.max_header_bytes {
        return Some(Rejection::OverLimit {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            message: format!(
                "The request headers take {header_bytes} bytes, over max_header_bytes ({})",
                limits.max_header_bytes
            ),
        });
    }
    None
}

/// `application/json`, `application/<anything>+json`, with or without parameters.
fn is_json_media_type(value: &[u8]) -> bool {
    let Ok(value) = std::str::from_utf8(value) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::is_json_media_type;

    #[test]
    fn json_media_types() {
        for ok in
            ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"]
        {
            assert!(is_json_media_type(ok.as_bytes()), "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", "json", ""] {
            assert!(!is_json_media_type(bad.as_bytes()), "{bad}");
        }
    }
}
