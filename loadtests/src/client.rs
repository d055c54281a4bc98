//! One request of a scenario: sent through goose (so it is timed and counted under its
//! name), its status compared with the one expected, its body read for the checks that
//! follow. Any other status is a goose failure carrying the body, so reports show what the
//! server said.

use goose::goose::GooseResponse;
use goose::metrics::GooseRequestMetric;
use goose::prelude::*;

/// Credentials of one request.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// `Authorization: Bearer <key>`.
    Bearer(&'a str),
    /// A ready `Authorization` value (`Basic ...`).
    Header(&'a str),
}

/// A request to send.
pub struct Req<'a> {
    pub method: GooseMethod,
    /// Absolute URL (each family has its own host).
    pub url: &'a str,
    /// Name in the reports: the method and the path template, e.g. `POST /subscribers`.
    pub name: &'a str,
    pub auth: Auth<'a>,
    /// JSON text of the body, sent as `application/json`.
    pub json: Option<String>,
    /// The one status that counts as success.
    pub expect: u16,
}

/// An answer with the expected status.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// goose's record of the request, to mark it failed when a later check fails.
    pub metric: GooseRequestMetric,
}

/// Sends `req`; an error when the connection fails or the status is not `req.expect`.
pub async fn send(user: &mut GooseUser, req: Req<'_>) -> Result<Reply, Box<TransactionError>> {
    let mut builder = user.get_request_builder(&req.method, req.url)?;
    match req.auth {
        Auth::None => {}
        Auth::Bearer(key) => builder = builder.header("authorization", format!("Bearer {key}")),
        Auth::Header(value) => builder = builder.header("authorization", value),
    }
    if let Some(json) = req.json {
        builder = builder.header("content-type", "application/json").body(json);
    }
    // goose prefixes the method itself: `POST /subscribers` is reported under that key.
    let path_name = req.name.split_once(' ').map_or(req.name, |(_, path)| path);
    let request = GooseRequest::builder()
        .method(req.method)
        .name(path_name)
        .expect_status_code(req.expect)
        .set_request_builder(builder)
        .build();
    let GooseResponse { request: mut metric, response } = user.request(request).await?;
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            let tag = format!("{}: {error}", req.name);
            return Err(fail(user, &tag, &mut metric, None));
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.text().await {
        Ok(body) => body,
        Err(error) => {
            let tag = format!("{}: body not read: {error}", req.name);
            return Err(fail(user, &tag, &mut metric, None));
        }
    };
    if status != req.expect {
        let tag = format!("{}: expected {}, got {status}: {}", req.name, req.expect, cut(&body));
        user.set_failure(&tag, &mut metric, Some(&headers), Some(&body))?;
    }
    Ok(Reply { status, body, metric })
}

/// Marks an answer that had the right status but the wrong content as failed.
pub fn reject(user: &mut GooseUser, reply: &mut Reply, why: &str) -> Box<TransactionError> {
    let tag = format!("{} ({}): {why}: {}", reply.metric.name, reply.status, cut(&reply.body));
    fail(user, &tag, &mut reply.metric, Some(&reply.body))
}

fn fail(
    user: &mut GooseUser,
    tag: &str,
    metric: &mut GooseRequestMetric,
    body: Option<&str>,
) -> Box<TransactionError> {
    match user.set_failure(tag, metric, None, body) {
        Err(error) => error,
        Ok(()) => Box::new(TransactionError::Custom(tag.to_owned())),
    }
}

/// At most 300 bytes of a body, for error tags.
fn cut(body: &str) -> &str {
    let mut end = body.len().min(300);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}
