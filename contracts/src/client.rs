//! The HTTP client of a run: sends one request with a timeout, reads at most
//! [`MAX_RESPONSE_BODY_BYTES`] of the answer, and records both sides for the report.
//!
//! It never fails and never panics on what a target does: a refused connection, a timeout, a
//! broken body or a response that is not UTF-8 all come back as data in a [`Call`].

use std::io::Read;
use std::time::{Duration, Instant};

use ureq::http::{self, Method};
use url::Url;

use crate::auth::Redactor;
use crate::exchange::{Exchange, RecordedBody, RecordedRequest, RecordedResponse};
use crate::limits::{MAX_REDIRECTS, MAX_RESPONSE_BODY_BYTES};

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    /// `None` sends no body at all (no `Content-Length`); `Some(vec![])` sends an empty one.
    pub body: Option<Vec<u8>>,
}

/// An answer, with its body read up to [`MAX_RESPONSE_BODY_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Names lower-case as received from the HTTP library; values with invalid UTF-8 replaced.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_RESPONSE_BODY_BYTES`]; `body` holds the first bytes.
    pub body_over_limit: bool,
}

impl HttpResponse {
    /// Every value of a header (case-insensitive name), in the order received.
    pub fn header_values<'r>(&'r self, name: &'r str) -> impl Iterator<Item = &'r str> + 'r {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type` without parameters, lower-case
    /// (`Application/JSON; charset=utf-8` → `application/json`).
    pub fn content_type_essence(&self) -> Option<String> {
        let value = self.header("content-type")?;
        let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        (!essence.is_empty()).then_some(essence)
    }
}

/// One request as sent, its answer (or why there is none) and the record for the report.
#[derive(Debug, Clone)]
pub struct Call {
    pub response: Result<HttpResponse, String>,
    pub exchange: Exchange,
}

/// A blocking HTTP/1.1 client over `ureq` (rustls for https).
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    redactor: Redactor,
}

impl Client {
    pub fn new(timeout: Duration, redactor: Redactor) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Every status is data for a check, never an error of the client.
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .user_agent(concat!("provsim-conform/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { agent: config.into(), redactor }
    }

    /// Sends a request and reads its answer.
    pub fn send(&self, request: &RequestSpec) -> Call {
        let started = Instant::now();
        let response = self.perform(request);
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let recorded_request = RecordedRequest {
            method: request.method.to_string(),
            url: self.redactor.redact(request.url.as_str()),
            headers: request
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), self.redactor.redact(v)))
                .collect(),
            body: RecordedBody::new(request.body.as_deref().unwrap_or_default()),
        };
        let recorded_response = match &response {
            Ok(answer) => Ok(RecordedResponse {
                status: answer.status,
                headers: answer.headers.clone(),
                body: RecordedBody::new(&answer.body),
            }),
            Err(error) => Err(error.clone()),
        };
        Call {
            response,
            exchange: Exchange {
                request: recorded_request,
                response: recorded_response,
                elapsed_ms,
            },
        }
    }

    fn perform(&self, request: &RequestSpec) -> Result<HttpResponse, String> {
        let mut builder =
            http::Request::builder().method(request.method.clone()).uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let result = match &request.body {
            None => builder.body(()).map(|r| self.agent.run(r)),
            Some(bytes) => builder.body(bytes.as_slice()).map(|r| self.agent.run(r)),
        };
        let response = result
            .map_err(|error| format!("the request could not be built: {error}"))?
            .map_err(|error| format!("request failed: {error}"))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        let mut body = Vec::new();
        // One byte past the limit tells "exactly at the limit" from "over it".
        let reader = response.into_body().into_reader();
        reader
            .take(MAX_RESPONSE_BODY_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|error| format!("status {status}, but reading the body failed: {error}"))?;
        let body_over_limit = body.len() as u64 > MAX_RESPONSE_BODY_BYTES;
        body.truncate(MAX_RESPONSE_BODY_BYTES as usize);
        Ok(HttpResponse { status, headers, body, body_over_limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_essence_drops_parameters_and_case() {
        let response = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "Application/JSON ; charset=utf-8".into())],
            body: vec![],
            body_over_limit: false,
        };
        assert_eq!(response.content_type_essence().as_deref(), Some("application/json"));
        assert_eq!(response.header("Content-Type"), Some("Application/JSON ; charset=utf-8"));
    }

    #[test]
    fn a_refused_connection_is_data_not_a_panic() {
        // Bind then drop a listener: the port is free and nothing accepts on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = Client::new(Duration::from_millis(2_000), Redactor::default());
        let call = client.send(&RequestSpec {
            method: Method::GET,
            url: Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap(),
            headers: vec![],
            body: None,
        });
        let error = call.response.unwrap_err();
        assert!(error.starts_with("request failed"), "{error}");
        assert_eq!(call.exchange.response, Err(error));
    }

    #[test]
    fn a_silent_server_times_out() {
        // The OS completes the handshake for the backlog; nothing ever answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/x", listener.local_addr().unwrap())).unwrap();
        let client = Client::new(Duration::from_millis(200), Redactor::default());
        let started = Instant::now();
        let call =
            client.send(&RequestSpec { method: Method::GET, url, headers: vec![], body: None });
        assert!(call.response.is_err());
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        drop(listener);
    }
}
