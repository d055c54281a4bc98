//! A whole simulator in-process for the property suites, and a blocking HTTP client for it.
//!
//! proptest and proptest-state-machine run synchronously, so the simulator lives on its own
//! std thread with its own tokio runtime: [`Harness::start`] starts it (every listener on
//! port 0, the default fixture, seed 0, the clock frozen at [`T0_MS`]) and hands back the
//! bound URLs and the shared [`Sim`] (for in-process checks such as
//! [`Sim::fingerprint`]); dropping the harness stops the listeners and joins the thread.
//! Requests go over real sockets with `ureq`, with every status returned as data.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use provsim::app;
use provsim::config::{FamilyId, ServeConfig};
use provsim::fixtures::Fixture;
use provsim::sim::Sim;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// 2026-01-01T00:00:00Z: the simulated clock starts here, frozen.
pub const T0_MS: i64 = 1_767_225_600_000;
/// How long one request may take before the suite gives up on it (a hang is a failure).
pub const REQUEST_TIMEOUT_MS: u64 = 10_000;

/// The default fixture's vpn tenants: name and API key (README, "Credentials").
pub const VPN_TENANTS: [VpnTenant; 2] = [
    VpnTenant { name: "telefonica", key: "vpn-demo-key" },
    VpnTenant { name: "partner2", key: "vpn-demo-key-2" },
];
/// The default fixture's Exotel accounts: SID and Basic credentials.
pub const EXOTEL_ACCOUNTS: [ExotelAccount; 2] = [
    ExotelAccount { sid: "provsim1", api_key: "exotel-demo-key", api_token: "exotel-demo-token" },
    ExotelAccount {
        sid: "provsim2",
        api_key: "exotel-demo-key-2",
        api_token: "exotel-demo-token-2",
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpnTenant {
    pub name: &'static str,
    pub key: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExotelAccount {
    pub sid: &'static str,
    pub api_key: &'static str,
    pub api_token: &'static str,
}

impl ExotelAccount {
    /// `Basic base64(key:token)`, encoded here rather than by the simulator.
    pub fn authorization(&self) -> String {
        let pair = format!("{}:{}", self.api_key, self.api_token);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
    }
}

/// One answer, fully read.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON; panics with the body when it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Panics with the body when the status is not `expected`.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(self.status, expected, "unexpected status; body: {}", self.text());
        self
    }
}

/// A simulator on its own thread and runtime, and a client for it.
pub struct Harness {
    urls: BTreeMap<FamilyId, String>,
    sim: Arc<Sim>,
    agent: ureq::Agent,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Harness {
    /// Starts every family on port 0 with the default fixture, seed 0 and the clock frozen at
    /// [`T0_MS`]; returns once every listener accepts connections.
    ///
    /// # Panics
    /// When the simulator cannot start (a bug, or no free port).
    pub fn start() -> Harness {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("provsim-under-test".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                runtime.block_on(async move {
                    let mut config = ServeConfig::ephemeral();
                    config.clock_start_epoch_ms = Some(T0_MS);
                    let running =
                        app::start(&config, Fixture::demo()).await.expect("the simulator starts");
                    let urls: BTreeMap<FamilyId, String> = FamilyId::ALL
                        .into_iter()
                        .filter_map(|family| running.url(family).map(|url| (family, url)))
                        .collect();
                    ready_tx.send((urls, running.sim.clone())).expect("the harness waits");
                    // Serve until the harness is dropped (or the test binary exits).
                    let _ = stop_rx.await;
                    running.shutdown().await;
                });
            })
            .expect("a thread for the simulator");
        let (urls, sim) = ready_rx.recv().expect("the simulator thread reports its listeners");
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_millis(REQUEST_TIMEOUT_MS)))
            // Every status is data for a property, never an error of the client.
            .http_status_as_error(false)
            .build();
        Harness { urls, sim, agent: config.into(), stop: Some(stop), thread: Some(thread) }
    }

    /// The simulation itself, for in-process checks.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// `http://127.0.0.1:<port>` of a family.
    pub fn url(&self, family: FamilyId) -> &str {
        &self.urls[&family]
    }

    /// Sends one request; `path_and_query` must already be percent-encoded. A JSON body is sent
    /// as `application/json`.
    ///
    /// # Panics
    /// When no answer arrives (refused connection, timeout): a property never expects that.
    #[track_caller]
    pub fn send(
        &self,
        family: FamilyId,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        let url = format!("{}{path_and_query}", self.url(family));
        let mut builder = ureq::http::Request::builder().method(method).uri(url.as_str());
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let result = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(body.to_string().into_bytes())
                .map(|request| self.agent.run(request)),
            None => builder.body(()).map(|request| self.agent.run(request)),
        };
        let response = result
            .unwrap_or_else(|e| panic!("{method} {url}: the request cannot be built: {e}"))
            .unwrap_or_else(|e| panic!("{method} {url}: no answer: {e}"));
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .read_to_vec()
            .unwrap_or_else(|e| panic!("{method} {url}: status {status}, unreadable body: {e}"));
        Answer { status, body }
    }

    /// A vpn request with `Authorization: Bearer <key>`.
    #[track_caller]
    pub fn vpn(&self, key: &str, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let authorization = format!("Bearer {key}");
        self.send(FamilyId::Vpn, method, path, &[("authorization", &authorization)], body)
    }

    /// An Exotel request with the account's Basic credentials.
    #[track_caller]
    pub fn exotel(
        &self,
        account: &ExotelAccount,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        let authorization = account.authorization();
        self.send(FamilyId::Exotel, method, path, &[("authorization", &authorization)], body)
    }

    /// A control-plane request.
    #[track_caller]
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.send(FamilyId::Control, method, path, &[], body)
    }

    /// Back to the fixture (`POST /_sim/reset`), then every Exotel account unlimited: the
    /// fixture's 200 requests per minute on a frozen clock would otherwise answer 429 to a
    /// long case, and rate limiting is not what these suites check.
    #[track_caller]
    pub fn reset(&self) {
        self.control("POST", "/_sim/reset", None).expect(200);
        for account in &EXOTEL_ACCOUNTS {
            let path = format!("/_sim/exotel/accounts/{}/rate-limit", account.sid);
            self.control("PUT", &path, Some(&json!({ "requests_per_minute": 0 }))).expect(200);
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Percent-encodes one path segment or query value: everything but RFC 3986's unreserved
/// characters, so any generated string reaches the server as that one value.
pub fn encode_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` for `epoch_s` in a fixed UTC offset, written here (not with
/// the simulator's formatter) so that the model's expected dates are independent of it.
pub fn rfc3339_in_offset(epoch_s: i64, offset_s: i32) -> String {
    let local = epoch_s + i64::from(offset_s);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let sign = if offset_s < 0 { '-' } else { '+' };
    let offset_min = offset_s.unsigned_abs() / 60;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60,
        offset_min / 60,
        offset_min % 60
    )
}

mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_the_accounts_offset() {
        assert_eq!(rfc3339_in_offset(T0_MS / 1000, 19_800), "2026-01-01T05:30:00+05:30");
        assert_eq!(rfc3339_in_offset(0, -3_600), "1969-12-31T23:00:00-01:00");
        assert_eq!(rfc3339_in_offset(951_782_400, 0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn path_components_keep_only_unreserved_characters() {
        assert_eq!(encode_component("a b/c%é~"), "a%20b%2Fc%25%C3%A9~");
    }

    #[test]
    fn the_harness_serves_every_family_and_resets() {
        let harness = Harness::start();
        let health = harness.control("GET", "/_sim/health", None).expect(200).json();
        assert_eq!(health["status"], "ok");
        harness.reset();
        let fingerprint = harness.sim().fingerprint();
        harness.vpn(VPN_TENANTS[0].key, "DELETE", "/subscribers/1000000001", None).expect(204);
        assert_ne!(harness.sim().fingerprint(), fingerprint);
        harness.reset();
        assert_eq!(harness.sim().fingerprint(), fingerprint);
    }
}
