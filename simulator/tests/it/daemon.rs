//! vpn-daemon (seed 000 "Device Statistics"): the JSONP status page.

use http::Method;
use provsim::config::FamilyId;
use serde_json::{Value, json};

use crate::support::{FIXTURE_DEVICE, FIXTURE_USER, T0_MS, TestSim};

/// The seed's field set: every value a JSON string.
fn assert_seed_shape(doc: &Value) {
    let top: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, ["connect_state", "daemon_state"], "{doc}");
    let state = doc["daemon_state"].as_object().unwrap();
    let expected = [
        "timestamp",
        "state_name",
        "description",
        "bytes_in",
        "bytes_out",
        "proxy_bytes_in",
        "proxy_bytes_out",
        "proxy_req_count",
        "proxy_req_bypass_count",
        "proxy_req_malware_count",
        "cur_version",
    ];
    let mut keys: Vec<&str> = state.keys().map(String::as_str).collect();
    let mut want = expected.to_vec();
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want, "{doc}");
    assert!(state.values().all(Value::is_string), "every value is a string: {doc}");
    assert!(doc["connect_state"].is_string());
}

fn counter(doc: &Value, name: &str) -> u64 {
    doc["daemon_state"][name].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn jsonp_wraps_the_document_in_the_callback() {
    let sim = TestSim::start().await;
    let path = "/config/status.js?func=returnFunctionName";
    let answer = sim.send(FamilyId::VpnDaemon, Method::GET, path, &[], "").await.expect(200);
    assert_eq!(answer.header("content-type"), Some("application/javascript"));
    let text = answer.text();
    let json =
        text.strip_prefix("returnFunctionName(").and_then(|t| t.strip_suffix(");")).expect(&text);
    let doc: Value = serde_json::from_str(json).unwrap();
    assert_seed_shape(&doc);
    assert_eq!(doc["connect_state"], "CONNECTED");
    assert_eq!(doc["daemon_state"]["timestamp"], (T0_MS / 1000).to_string());
    assert_eq!(doc["daemon_state"]["cur_version"], "2.90");
}

#[tokio::test]
async fn dotted_callbacks_are_allowed() {
    let sim = TestSim::start().await;
    let answer = sim
        .send(FamilyId::VpnDaemon, Method::GET, "/config/status.js?func=app.cb_1", &[], "")
        .await;
    assert!(answer.expect(200).text().starts_with("app.cb_1({"));
}

#[tokio::test]
async fn a_func_that_is_not_an_identifier_is_400_and_never_echoed() {
    let sim = TestSim::start().await;
    for func in ["alert(1)//", "a%20b", "1abc", "x%3Bdocument.cookie", "%3Cscript%3E"] {
        let path = format!("/config/status.js?func={func}");
        let answer = sim.send(FamilyId::VpnDaemon, Method::GET, &path, &[], "").await.expect(400);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        let text = answer.text();
        assert!(
            !text.contains("alert") && !text.contains("script") && !text.contains("cookie"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn without_func_the_answer_is_plain_json() {
    let sim = TestSim::start().await;
    let answer = sim.daemon_status(None).await.expect(200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_seed_shape(&answer.json());
}

#[tokio::test]
async fn counters_grow_with_the_clock_while_connected() {
    let sim = TestSim::start().await;
    let start = sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200).json();
    assert_eq!(counter(&start, "bytes_in"), 0, "a session that just began: {start}");
    sim.advance_seconds(600).await;
    let later = sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200).json();
    for name in ["bytes_in", "bytes_out", "proxy_bytes_in", "proxy_bytes_out", "proxy_req_count"] {
        assert!(counter(&later, name) > counter(&start, name), "{name}: {later}");
    }
    assert_eq!(later["daemon_state"]["timestamp"], (T0_MS / 1000 + 600).to_string());
}

#[tokio::test]
async fn counters_freeze_on_disconnect_and_restart_on_reconnect() {
    let sim = TestSim::start().await;
    sim.advance_seconds(300).await;
    let disconnect = format!("/_sim/vpn/devices/{FIXTURE_DEVICE}/disconnect");
    let link = sim.control(Method::POST, &disconnect, None).await.expect(200).json();
    assert_eq!(
        link,
        json!({"device_id": FIXTURE_DEVICE, "connect_state": "DISCONNECTED", "session_ms": 300_000})
    );
    let frozen = sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200).json();
    assert_eq!(frozen["connect_state"], "DISCONNECTED");
    assert_eq!(frozen["daemon_state"]["state_name"], "DISCONNECTED");
    sim.advance_seconds(300).await;
    let still = sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200).json();
    assert_eq!(still["daemon_state"]["bytes_in"], frozen["daemon_state"]["bytes_in"]);

    let connect = format!("/_sim/vpn/devices/{FIXTURE_DEVICE}/connect");
    sim.control(Method::POST, &connect, None).await.expect(200);
    let fresh = sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200).json();
    assert_eq!(fresh["connect_state"], "CONNECTED");
    assert_eq!(counter(&fresh, "bytes_in"), 0);
}

#[tokio::test]
async fn the_default_device_is_the_most_recently_activated() {
    let sim = TestSim::start().await;
    let newer = sim.activate("telefonica", FIXTURE_USER, "mobile").await.expect(201).json();
    let newer_id = newer["device_id"].as_str().unwrap().to_owned();
    sim.advance_seconds(60).await;
    sim.control(Method::POST, &format!("/_sim/vpn/devices/{FIXTURE_DEVICE}/disconnect"), None)
        .await
        .expect(200);
    // The default follows the newer device, which is still connected.
    let doc = sim.daemon_status(None).await.expect(200).json();
    assert_eq!(doc["connect_state"], "CONNECTED");
    // After the newer device is deleted, the fixture device (disconnected) is the default.
    let path = format!("/subscribers/{FIXTURE_USER}/devices/{newer_id}");
    sim.vpn(Method::DELETE, &path, None).await.expect(200);
    let doc = sim.daemon_status(None).await.expect(200).json();
    assert_eq!(doc["connect_state"], "DISCONNECTED");
}

#[tokio::test]
async fn an_idle_daemon_reports_disconnected() {
    let sim = TestSim::start_with(provsim::fixtures::Fixture::none(), |_| {}).await;
    let doc = sim.daemon_status(None).await.expect(200).json();
    assert_seed_shape(&doc);
    assert_eq!(doc["connect_state"], "DISCONNECTED");
    assert_eq!(counter(&doc, "bytes_in"), 0);
}

#[tokio::test]
async fn device_id_errors() {
    let sim = TestSim::start().await;
    sim.daemon_status(Some("nothex")).await.expect(400);
    sim.daemon_status(Some("FFFFFF")).await.expect(404);
}

#[tokio::test]
async fn only_get_is_allowed() {
    let sim = TestSim::start().await;
    let answer =
        sim.send(FamilyId::VpnDaemon, Method::POST, "/config/status.js", &[], "").await.expect(405);
    assert_eq!(answer.header("allow"), Some("GET"));
    sim.send(FamilyId::VpnDaemon, Method::GET, "/config/other.js", &[], "").await.expect(404);
}
