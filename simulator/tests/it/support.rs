//! Helpers shared by every black-box test.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use provsim::app::{self, Running};
use provsim::config::{FamilyId, ServeConfig};
use provsim::fixtures::Fixture;
use serde_json::Value;
use tokio::net::TcpStream;

/// 2026-01-01T00:00:00Z: every test starts its clock here, frozen.
pub const T0_MS: i64 = 1_767_225_600_000;
pub const VPN_KEY: &str = "vpn-demo-key";
pub const VPN_KEY_2: &str = "vpn-demo-key-2";
/// The default fixture's subscriber and device (tenant `telefonica`).
pub const FIXTURE_USER: &str = "1000000001";
pub const FIXTURE_DEVICE: &str = "0A1B2C3D4E5F";

/// A simulator running for one test.
pub struct TestSim {
    pub running: Running,
}

/// One answer, fully read.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Panics with the body when the status is not `expected`.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(self.status.as_u16(), expected, "unexpected status; body: {}", self.text());
        self
    }
}

impl TestSim {
    /// Default fixture, seed 0, clock frozen at [`T0_MS`].
    pub async fn start() -> TestSim {
        TestSim::start_with(Fixture::demo(), |_| {}).await
    }

    pub async fn start_with(fixture: Fixture, tweak: impl FnOnce(&mut ServeConfig)) -> TestSim {
        let mut config = ServeConfig::ephemeral();
        config.clock_start_epoch_ms = Some(T0_MS);
        tweak(&mut config);
        let running = app::start(&config, fixture).await.expect("simulator starts");
        TestSim { running }
    }

    pub fn addr(&self, family: FamilyId) -> SocketAddr {
        self.running.addr(family).expect("family enabled")
    }

    /// Sends a request to `family` and reads the whole answer.
    pub async fn send(
        &self,
        family: FamilyId,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Answer {
        send_to(self.addr(family), method, path_and_query, headers, body.into()).await
    }

    /// vpn request with the first tenant's key and, for bodies, a JSON content type.
    pub async fn vpn(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.vpn_as(VPN_KEY, method, path, body).await
    }

    pub async fn vpn_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let auth = format!("Bearer {key}");
        match body {
            Some(body) => {
                let headers =
                    [("authorization", auth.as_str()), ("content-type", "application/json")];
                self.send(FamilyId::Vpn, method, path, &headers, body.to_string()).await
            }
            None => {
                self.send(FamilyId::Vpn, method, path, &[("authorization", auth.as_str())], "")
                    .await
            }
        }
    }

    /// Control-plane request with an optional JSON body.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(FamilyId::Control, method, path, &[("content-type", "application/json")], body)
            .await
    }

    /// Daemon status as JSON (`func` absent) for `device_id` (or the default device).
    pub async fn daemon_status(&self, device_id: Option<&str>) -> Answer {
        let path = match device_id {
            Some(id) => format!("/config/status.js?device_id={id}"),
            None => "/config/status.js".to_owned(),
        };
        self.send(FamilyId::VpnDaemon, Method::GET, &path, &[], "").await
    }

    /// Creates a vpn subscriber with `order` and `licenses`; returns its id.
    pub async fn create_subscriber(&self, order: &str, licenses: u32) -> String {
        let answer = self
            .vpn(Method::POST, "/subscribers", Some(subscriber_body(order, licenses)))
            .await
            .expect(201);
        answer.json()["id"].as_str().expect("id is a string").to_owned()
    }

    /// Activates a device through the control plane; returns its id.
    pub async fn activate(&self, tenant: &str, user_id: &str, kind: &str) -> Answer {
        let path = format!("/_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices");
        self.control(Method::POST, &path, Some(serde_json::json!({ "type": kind }))).await
    }

    pub async fn advance_seconds(&self, seconds: u64) {
        self.control(
            Method::POST,
            "/_sim/clock/advance",
            Some(serde_json::json!({ "seconds": seconds })),
        )
        .await
        .expect(200);
    }
}

/// A valid `POST /subscribers` body.
pub fn subscriber_body(order: &str, licenses: u32) -> Value {
    serde_json::json!({
        "order": order,
        "id_hub": "hub7",
        "ob": "movistar",
        "name": "hub7@movistar",
        "password": "+34600999888",
        "bundle": { "id": "premium", "licenses": licenses },
        "locale": "en-US"
    })
}

/// One request on a fresh connection.
pub async fn send_to(
    addr: SocketAddr,
    method: Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Answer {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let mut request =
        Request::builder().method(method).uri(path_and_query).header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body)).expect("request");
    let response = sender.send_request(request).await.expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Answer { status: parts.status, headers: parts.headers, body }
}

// ---- Exotel (seed 001) -------------------------------------------------------------------

/// The default fixture's two Exotel accounts: SID, API key, API token.
pub const EXOTEL_1: (&str, &str, &str) = ("provsim1", "exotel-demo-key", "exotel-demo-token");
pub const EXOTEL_2: (&str, &str, &str) = ("provsim2", "exotel-demo-key-2", "exotel-demo-token-2");

/// `Authorization: Basic base64(key:token)`, encoded here rather than by the simulator.
pub fn exotel_basic(api_key: &str, api_token: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{api_key}:{api_token}"))
    )
}

impl TestSim {
    /// Exotel request as account `provsim1`; `path` is relative to `/v2/accounts/provsim1`
    /// (e.g. `/subscribers?offset=3`). A body is sent as `application/json`.
    pub async fn exotel(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let (sid, key, token) = EXOTEL_1;
        let body = body.map(|b| b.to_string());
        let path = format!("/v2/accounts/{sid}{path}");
        self.exotel_raw(Some((key, token)), method, &path, body.as_deref(), "application/json")
            .await
    }

    /// Exotel request with explicit credentials (`None`: no `Authorization` header), full path
    /// and query, raw body text and its content type.
    pub async fn exotel_raw(
        &self,
        credentials: Option<(&str, &str)>,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
        content_type: &str,
    ) -> Answer {
        let auth = credentials.map(|(key, token)| exotel_basic(key, token));
        let mut headers = Vec::new();
        if let Some(auth) = &auth {
            headers.push(("authorization", auth.as_str()));
        }
        if body.is_some() {
            headers.push(("content-type", content_type));
        }
        self.send(FamilyId::Exotel, method, path_and_query, &headers, body.unwrap_or("").to_owned())
            .await
    }

    /// Creates Exotel subscribers of `provsim1` (at most 10 names); panics unless all succeed.
    pub async fn exotel_create(&self, names: &[&str]) {
        let items: Vec<Value> =
            names.iter().map(|n| serde_json::json!({ "subscriber_name": n })).collect();
        let answer = self
            .exotel(Method::POST, "/subscribers", Some(serde_json::json!({ "subscribers": items })))
            .await
            .expect(207)
            .json();
        assert_eq!(answer["metadata"]["failed"], 0, "{answer}");
    }
}
