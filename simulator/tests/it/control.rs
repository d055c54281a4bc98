//! The control plane.

use http::Method;
use provsim::config::FamilyId;
use serde_json::json;

use crate::support::{FIXTURE_USER, T0_MS, TestSim};

#[tokio::test]
async fn health_lists_every_bound_listener() {
    let sim = TestSim::start().await;
    let health = sim.control(Method::GET, "/_sim/health", None).await.expect(200).json();
    assert_eq!(health["status"], "ok");
    for family in [FamilyId::Control, FamilyId::Vpn, FamilyId::VpnDaemon] {
        assert_eq!(health["listeners"][family.name()], sim.addr(family).to_string());
    }
}

#[tokio::test]
async fn reset_restores_the_fixture_and_the_id_stream() {
    let sim = TestSim::start().await;
    let first = sim.create_subscriber("o-1", 1).await;
    sim.vpn(Method::DELETE, &format!("/subscribers/{FIXTURE_USER}"), None).await.expect(204);
    sim.control(Method::POST, "/_sim/reset", None).await.expect(200);
    sim.vpn(Method::GET, &format!("/subscribers/{FIXTURE_USER}/devices"), None).await.expect(200);
    sim.vpn(Method::GET, &format!("/subscribers/{first}/devices"), None).await.expect(404);
    // Same seed, same stream: the first id after a reset is the first id after start.
    assert_eq!(sim.create_subscriber("o-1", 1).await, first);
}

#[tokio::test]
async fn activate_device_validates_and_reports_404_and_409() {
    let sim = TestSim::start().await;
    let path = format!("/_sim/vpn/tenants/telefonica/subscribers/{FIXTURE_USER}/devices");
    sim.control(Method::POST, &path, Some(json!({"type": "tablet"}))).await.expect(400);
    sim.control(Method::POST, &path, Some(json!({"type": "mobile", "device_id": "xyz"})))
        .await
        .expect(400);
    sim.control(Method::POST, &path, Some(json!({"type": "mobile", "name": ""}))).await.expect(400);
    let device = sim
        .control(
            Method::POST,
            &path,
            Some(json!({"type": "mobile", "name": "Tab", "device_id": "abc123"})),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(device, json!({"device_id": "000000ABC123", "type": "mobile", "name": "Tab"}));
    // Taken id (globally: another tenant cannot reuse it either).
    let other = sim.create_subscriber("o-x", 5).await;
    let other_path = format!("/_sim/vpn/tenants/telefonica/subscribers/{other}/devices");
    sim.control(Method::POST, &other_path, Some(json!({"type": "mobile", "device_id": "ABC123"})))
        .await
        .expect(409);
    sim.control(
        Method::POST,
        "/_sim/vpn/tenants/nobody/subscribers/1/devices",
        Some(json!({"type": "mobile"})),
    )
    .await
    .expect(404);
    sim.control(
        Method::POST,
        "/_sim/vpn/tenants/partner2/subscribers/1000000001/devices",
        Some(json!({"type": "mobile"})),
    )
    .await
    .expect(404);
    // The fixture subscriber has 3 licences and now 2 devices.
    sim.control(Method::POST, &path, Some(json!({"type": "desktop"}))).await.expect(201);
    let full = sim.control(Method::POST, &path, Some(json!({"type": "desktop"}))).await.expect(409);
    assert!(full.json()["message"].as_str().unwrap().contains("3 licenses"));
}

#[tokio::test]
async fn clock_can_be_read_frozen_advanced_and_released() {
    let sim = TestSim::start().await;
    let clock = sim.control(Method::GET, "/_sim/clock", None).await.expect(200).json();
    assert_eq!(clock, json!({"now": "2026-01-01T00:00:00Z", "epoch_ms": T0_MS, "mode": "fixed"}));
    let advanced = sim
        .control(Method::POST, "/_sim/clock/advance", Some(json!({"ms": 1500})))
        .await
        .expect(200);
    assert_eq!(advanced.json()["now"], "2026-01-01T00:00:01.5Z");
    let set = sim
        .control(Method::PUT, "/_sim/clock", Some(json!({"now": "2026-02-01T00:00:00Z"})))
        .await
        .expect(200);
    assert_eq!(set.json()["epoch_ms"], T0_MS + 31 * 86_400_000);
    sim.control(Method::PUT, "/_sim/clock", Some(json!({"now": "2025-01-01T00:00:00Z"})))
        .await
        .expect(409);
    sim.control(Method::PUT, "/_sim/clock", Some(json!({"now": "yesterday"}))).await.expect(400);
    sim.control(Method::PUT, "/_sim/clock", Some(json!({}))).await.expect(400);
    sim.control(Method::POST, "/_sim/clock/advance", Some(json!({"seconds": 1, "ms": 1})))
        .await
        .expect(400);
    let real = sim
        .control(Method::PUT, "/_sim/clock", Some(json!({"mode": "real"})))
        .await
        .expect(200)
        .json();
    assert_eq!(real["mode"], "real");
    assert!(real["epoch_ms"].as_i64().unwrap() >= T0_MS + 31 * 86_400_000);
}

#[tokio::test]
async fn control_errors_are_json_with_a_message() {
    let sim = TestSim::start().await;
    let answer = sim.control(Method::GET, "/_sim/nothing", None).await.expect(404);
    assert_eq!(answer.json()["status"], 404);
    let answer = sim.control(Method::DELETE, "/_sim/reset", None).await.expect(405);
    assert_eq!(answer.header("allow"), Some("POST"));
    let bad = sim
        .send(
            FamilyId::Control,
            Method::POST,
            "/_sim/clock/advance",
            &[("content-type", "application/json")],
            "{",
        )
        .await;
    bad.expect(400);
}

/// The control plane listens from a thread of its own: a port it cannot bind must come back as
/// the same clean error as for any family (a first version panicked: it dropped that thread's
/// runtime inside the caller's async context).
#[tokio::test]
async fn a_control_port_in_use_is_a_start_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("its address").port();
    let mut config = provsim::config::ServeConfig::ephemeral();
    for (family, p) in &mut config.ports {
        if *family == FamilyId::Control {
            *p = port;
        }
    }
    match provsim::app::start(&config, provsim::fixtures::Fixture::demo()).await {
        Err(provsim::app::StartError::Bind { family, addr, .. }) => {
            assert_eq!(family, "control");
            assert_eq!(addr.port(), port);
        }
        Err(other) => panic!("expected a bind error for the control port, got {other}"),
        Ok(_) => panic!("the simulator started on a port that was taken"),
    }
}
