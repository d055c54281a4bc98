//! The fuzz harness: one simulator in-process, requests parsed from the fuzzer's bytes, and
//! the invariants every answer must keep.
//!
//! An input is a request written as text, so the corpus stays readable and the seeds'
//! sample requests can be written by hand:
//!
//! ```text
//! POST /subscribers?access_token=vpn-demo-key
//! content-type: application/json
//!
//! {"order": "ord-1001", ...}
//! ```
//!
//! The first line is `METHOD TARGET`, header lines follow up to an empty line, the rest is
//! the body. Inputs hyper itself would refuse (an invalid method, URI or header) are skipped:
//! they never reach the simulator's code.
//!
//! # Invariants (checked for every input; a violation panics, which libFuzzer reports)
//! - no 5xx, ever;
//! - the status is one the family documents (or a router answer: 204 to OPTIONS, 400, 404,
//!   405, 413, 414, 415, 431, 503);
//! - the body is in the family's format (vpn and control: JSON error bodies with the status;
//!   Exotel: the v2 envelope whose `http_code` is the status; the daemon: JSON, or JSONP
//!   around JSON with a valid callback);
//! - 204 has no body, 405 has `Allow`;
//! - a 4xx leaves the simulation's fingerprint unchanged.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use provsim::clock::SimClock;
use provsim::config::Limits;
use provsim::control::ControlFamily;
use provsim::families::exotel::ExotelFamily;
use provsim::families::vpn::VpnFamily;
use provsim::families::vpn_daemon::DaemonFamily;
use provsim::fixtures::Fixture;
use provsim::http::endpoint::Family;
use provsim::http::router::FamilyRouter;
use provsim::sim::Sim;
use serde_json::Value;

/// 2026-01-01T00:00:00Z, as in the tests.
const T0_MS: i64 = 1_767_225_600_000;
/// Header lines read from one input; more are ignored (hyper bounds them too).
const MAX_HEADERS: usize = 32;

/// A simulator and the router of one family.
pub struct Harness<F: Family> {
    sim: Arc<Sim>,
    family: F,
    router: FamilyRouter<F>,
    runtime: tokio::runtime::Runtime,
}

/// What each family's answers must look like.
pub trait Format: Family {
    fn check_body(status: u16, method: &Method, content_type: Option<&str>, body: &[u8]);
}

impl<F: Family + Format> Harness<F> {
    pub fn new(make: impl FnOnce(Arc<Sim>) -> F) -> Self {
        let limits = Limits { max_subscribers_per_tenant: 1_000, ..Limits::default() };
        let sim = Sim::new(Fixture::demo(), limits, 0, SimClock::fixed(T0_MS)).expect("fixture");
        // The control plane's health answers 503 until listeners are recorded; in-process
        // there are none to record, and "started" is the state worth fuzzing.
        sim.set_listeners(Vec::new());
        let sim = Arc::new(sim);
        let runtime =
            tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
        let router = FamilyRouter::<F>::new().expect("the table routes");
        Harness { family: make(sim.clone()), sim, router, runtime }
    }

    /// Resets the simulation, runs one input and checks every invariant.
    pub fn run(&self, input: &[u8]) {
        let Some(request) = parse_request(input) else { return };
        self.sim.reset().expect("reset");
        let method = request.method().clone();
        let before = self.sim.fingerprint();
        let response = self.runtime.block_on(self.router.dispatch(&self.family, request));
        let status = response.status().as_u16();
        let allow = response.headers().contains_key(http::header::ALLOW);
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = self
            .runtime
            .block_on(response.into_body().collect())
            .map(|b| b.to_bytes())
            .unwrap_or_default();

        assert!(status < 500, "{status}: {}", String::from_utf8_lossy(&body));
        let documented = documented_statuses::<F>();
        assert!(documented.contains(&status), "{status} is not documented by {}", F::NAME);
        if status == 204 {
            assert!(body.is_empty(), "204 with a body");
        }
        if status == 405 {
            assert!(allow, "405 without Allow");
        }
        if status != 204 {
            F::check_body(status, &method, content_type.as_deref(), &body);
        }
        if status >= 400 {
            assert_eq!(before, self.sim.fingerprint(), "a {status} changed the state");
        }
    }
}

/// Every status `F`'s table documents, plus the router's own answers.
fn documented_statuses<F: Family>() -> Vec<u16> {
    let mut statuses: Vec<u16> =
        F::endpoints().iter().flat_map(|e| e.responses.iter().map(|r| r.status)).collect();
    statuses.extend([204, 400, 404, 405, 413, 414, 415, 431, 503]);
    statuses
}

/// The text format of the module docs.
pub fn parse_request(input: &[u8]) -> Option<Request<Full<Bytes>>> {
    let split = input.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(idx) => (&input[..idx], &input[idx + 2..]),
        None => (input, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let uri: Uri = target.parse().ok()?;
    uri.path_and_query()?;
    let mut builder = Request::builder().method(method).uri(uri);
    for line in lines.take(MAX_HEADERS) {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.trim().as_bytes()), HeaderValue::from_str(value.trim()))
        else {
            continue;
        };
        builder = builder.header(name, value);
    }
    builder.body(Full::new(Bytes::copy_from_slice(body))).ok()
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type == Some("application/json")
}

/// `{"status", "error", "message", ...}` with the HTTP status.
fn check_plain_error(status: u16, body: &Value) {
    assert_eq!(body["status"], status, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

impl Format for VpnFamily {
    fn check_body(status: u16, _: &Method, content_type: Option<&str>, body: &[u8]) {
        assert!(is_json(content_type), "{status} as {content_type:?}");
        let body = json(body);
        if status >= 400 {
            check_plain_error(status, &body);
        }
    }
}

impl Format for ControlFamily {
    fn check_body(status: u16, _: &Method, content_type: Option<&str>, body: &[u8]) {
        assert!(is_json(content_type), "{status} as {content_type:?}");
        let body = json(body);
        if status >= 400 {
            check_plain_error(status, &body);
        }
    }
}

impl Format for ExotelFamily {
    fn check_body(status: u16, method: &Method, content_type: Option<&str>, body: &[u8]) {
        assert!(is_json(content_type), "{status} as {content_type:?}");
        let body = json(body);
        assert_eq!(body["http_code"], status, "{body}");
        assert_eq!(body["method"], method.as_str(), "{body}");
        let id = body["request_id"].as_str().expect("request_id");
        assert!(id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert!(body.get("response").is_some(), "{body}");
    }
}

impl Format for DaemonFamily {
    fn check_body(status: u16, _: &Method, content_type: Option<&str>, body: &[u8]) {
        if content_type == Some("application/javascript") {
            assert_eq!(status, 200);
            let text = std::str::from_utf8(body).expect("JSONP is UTF-8");
            let open = text.find('(').expect("a call");
            let callback = &text[..open];
            assert!(
                provsim::families::vpn_daemon::errors::is_valid_func(callback),
                "callback {callback:?}"
            );
            let inner = text[open + 1..].strip_suffix(");").expect("ends with );");
            json(inner.as_bytes());
        } else {
            assert!(is_json(content_type), "{status} as {content_type:?}");
            let body = json(body);
            if status >= 400 {
                check_plain_error(status, &body);
            }
        }
    }
}
