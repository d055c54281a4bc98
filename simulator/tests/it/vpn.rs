//! vpn (seed 000): every documented (operation, status) pair over real HTTP.

use std::sync::Arc;

use http::Method;
use provsim::config::FamilyId;
use serde_json::json;

use crate::support::{FIXTURE_DEVICE, FIXTURE_USER, TestSim, VPN_KEY_2, subscriber_body};

// ---- POST /subscribers ----------------------------------------------------------------

#[tokio::test]
async fn create_subscriber_answers_201_with_a_string_id() {
    let sim = TestSim::start().await;
    let answer =
        sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-1", 10))).await.expect(201);
    let body = answer.json();
    let id = body["id"].as_str().expect("id is a JSON string");
    assert!(id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit()), "{id}");
    assert_eq!(body.as_object().unwrap().len(), 1, "only `id`: {body}");
    // The new subscriber exists: its device list is empty, not 404.
    let devices =
        sim.vpn(Method::GET, &format!("/subscribers/{id}/devices"), None).await.expect(200);
    assert_eq!(devices.json(), json!([]));
}

#[tokio::test]
async fn create_with_the_same_seed_gives_the_same_ids() {
    let first = TestSim::start().await.create_subscriber("o-1", 1).await;
    let second = TestSim::start().await.create_subscriber("o-1", 1).await;
    assert_eq!(first, second);
}

#[tokio::test]
async fn refused_creates_do_not_move_the_id_stream() {
    let with_refusals = TestSim::start().await;
    with_refusals.create_subscriber("o-1", 1).await;
    with_refusals
        .vpn(Method::POST, "/subscribers", Some(subscriber_body("o-1", 1)))
        .await
        .expect(409);
    with_refusals
        .vpn(Method::POST, "/subscribers", Some(subscriber_body("o-x", 0)))
        .await
        .expect(400);
    let after_refusals = with_refusals.create_subscriber("o-2", 1).await;

    let clean = TestSim::start().await;
    clean.create_subscriber("o-1", 1).await;
    assert_eq!(clean.create_subscriber("o-2", 1).await, after_refusals);
}

#[tokio::test]
async fn refused_activations_do_not_move_the_id_stream() {
    let activate_twice = |refuse_first: bool| async move {
        let sim = TestSim::start().await;
        let id = sim.create_subscriber("o-1", 1).await;
        let full = sim.create_subscriber("o-2", 1).await;
        sim.activate("telefonica", &full, "mobile").await.expect(201);
        if refuse_first {
            sim.activate("telefonica", &full, "mobile").await.expect(409);
        }
        let device = sim.activate("telefonica", &id, "mobile").await.expect(201).json();
        device["device_id"].as_str().unwrap().to_owned()
    };
    assert_eq!(activate_twice(true).await, activate_twice(false).await);
}

#[tokio::test]
async fn create_refuses_each_malformed_field_naming_it() {
    let sim = TestSim::start().await;
    let mut cases: Vec<(&str, serde_json::Value)> = Vec::new();
    let with = |field: &str, value: serde_json::Value| {
        let mut body = subscriber_body("o-bad", 3);
        body[field] = value;
        body
    };
    cases.push(("order", with("order", json!(""))));
    cases.push(("order", with("order", json!(17))));
    cases.push(("id_hub", with("id_hub", json!("  "))));
    cases.push(("ob", with("ob", json!(null))));
    cases.push(("name", with("name", json!("hub7@other"))));
    cases.push(("password", with("password", json!("call me"))));
    cases.push(("password", with("password", json!("+1234"))));
    cases.push(("bundle.id", with("bundle", json!({"id": "gold", "licenses": 1}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium", "licenses": 0}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium", "licenses": -3}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium", "licenses": 2.5}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium", "licenses": "10"}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium", "licenses": 1001}))));
    cases.push(("bundle.licenses", with("bundle", json!({"id": "premium"}))));
    cases.push(("locale", with("locale", json!("english"))));
    cases.push(("license_key", with("license_key", json!("not-a-key"))));
    cases.push(("price", with("price", json!(-1))));
    cases.push(("price", with("price", json!("9.999"))));
    let mut missing = subscriber_body("o-bad", 3);
    missing.as_object_mut().unwrap().remove("locale");
    cases.push(("locale", missing));

    for (field, body) in cases {
        let answer = sim.vpn(Method::POST, "/subscribers", Some(body.clone())).await.expect(400);
        let error = answer.json();
        assert_eq!(error["status"], 400, "{body}");
        assert_eq!(error["field"], field, "{body} -> {error}");
        assert!(error["message"].as_str().unwrap().starts_with(field), "{error}");
    }
    // None of them created anything: the order is still free.
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-bad", 3))).await.expect(201);
}

#[tokio::test]
async fn create_accepts_license_key_and_price_in_the_documented_formats() {
    let sim = TestSim::start().await;
    let mut body = subscriber_body("o-lk", 1);
    body["license_key"] = json!("AB12-CD34-EF56-GH78");
    body["price"] = json!(9.99);
    sim.vpn(Method::POST, "/subscribers", Some(body)).await.expect(201);
}

#[tokio::test]
async fn create_with_a_taken_order_or_license_key_is_409() {
    let sim = TestSim::start().await;
    sim.create_subscriber("o-dup", 1).await;
    let answer =
        sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-dup", 1))).await.expect(409);
    assert_eq!(answer.json()["field"], "order");
    // The fixture's order is taken too.
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("demo-order-1", 1)))
        .await
        .expect(409);

    let mut first = subscriber_body("o-k1", 1);
    first["license_key"] = json!("AAAA-BBBB-CCCC-DDDD");
    sim.vpn(Method::POST, "/subscribers", Some(first)).await.expect(201);
    let mut second = subscriber_body("o-k2", 1);
    second["license_key"] = json!("AAAA-BBBB-CCCC-DDDD");
    let answer = sim.vpn(Method::POST, "/subscribers", Some(second)).await.expect(409);
    assert_eq!(answer.json()["field"], "license_key");
}

#[tokio::test]
async fn orders_are_unique_per_tenant_not_globally() {
    let sim = TestSim::start().await;
    sim.create_subscriber("o-shared", 1).await;
    sim.vpn_as(VPN_KEY_2, Method::POST, "/subscribers", Some(subscriber_body("o-shared", 1)))
        .await
        .expect(201);
}

#[tokio::test]
async fn concurrent_creates_with_one_order_give_exactly_one_201() {
    let sim = Arc::new(TestSim::start().await);
    let n_requests = 32;
    let mut tasks = Vec::new();
    for _ in 0..n_requests {
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-race", 1)))
                .await
                .status
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), n_requests - 1, "{statuses:?}");
}

#[tokio::test]
async fn a_full_tenant_answers_507_and_stays_as_it_was() {
    let sim = TestSim::start_with(provsim::fixtures::Fixture::none(), |c| {
        c.limits.max_subscribers_per_tenant = 2
    })
    .await;
    sim.create_subscriber("o-1", 1).await;
    sim.create_subscriber("o-2", 1).await;
    let answer =
        sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-3", 1))).await.expect(507);
    assert!(answer.json()["message"].as_str().unwrap().contains("max_subscribers_per_tenant"));
}

// ---- router-level answers ---------------------------------------------------------------

#[tokio::test]
async fn other_methods_get_405_with_allow_and_the_seed_message() {
    let sim = TestSim::start().await;
    let cases = [
        (Method::PUT, "/subscribers", "POST", "Only POST is allowed for this REST endpoint"),
        (Method::GET, "/subscribers", "POST", "Only POST is allowed for this REST endpoint"),
        (
            Method::GET,
            "/subscribers/1000000001",
            "POST, DELETE",
            "Only POST & DELETE are allowed for this REST endpoint",
        ),
        (
            Method::POST,
            "/subscribers/1000000001/devices",
            "GET",
            "Only GET is allowed for this REST endpoint",
        ),
        (
            Method::PATCH,
            "/subscribers/1/devices/AB",
            "POST, DELETE",
            "Only POST & DELETE are allowed for this REST endpoint",
        ),
    ];
    for (method, path, allow, message) in cases {
        // Without credentials: the allowed methods are no secret.
        let answer = sim.send(FamilyId::Vpn, method.clone(), path, &[], "").await.expect(405);
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(answer.json()["message"], message, "{method} {path}");
    }
}

#[tokio::test]
async fn options_answers_204_with_allow() {
    let sim = TestSim::start().await;
    let answer = sim
        .send(FamilyId::Vpn, Method::OPTIONS, "/subscribers/5/devices/AB", &[], "")
        .await
        .expect(204);
    assert_eq!(answer.header("allow"), Some("POST, DELETE"));
    assert!(answer.body.is_empty());
}

#[tokio::test]
async fn unknown_paths_are_404_in_the_family_format() {
    let sim = TestSim::start().await;
    let answer = sim.vpn(Method::GET, "/users", None).await.expect(404);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.json()["status"], 404);
}

#[tokio::test]
async fn an_80_kib_body_is_413_and_changes_nothing() {
    let sim = TestSim::start().await;
    let mut body = subscriber_body("o-big", 1);
    body["padding"] = json!("x".repeat(80 * 1024));
    let answer = sim.vpn(Method::POST, "/subscribers", Some(body)).await.expect(413);
    assert!(answer.json()["message"].as_str().unwrap().contains("max_body_bytes"));
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-big", 1))).await.expect(201);
}

#[tokio::test]
async fn truncated_json_is_400_and_changes_nothing() {
    let sim = TestSim::start().await;
    let headers = [("authorization", "Bearer vpn-demo-key"), ("content-type", "application/json")];
    let answer = sim
        .send(FamilyId::Vpn, Method::POST, "/subscribers", &headers, r#"{"order":"#)
        .await
        .expect(400);
    let message = answer.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("EOF") && message.contains("column"), "{message}");
    let devices = sim
        .vpn(Method::GET, &format!("/subscribers/{FIXTURE_USER}/devices"), None)
        .await
        .expect(200);
    assert_eq!(devices.json().as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn arrays_in_place_of_objects_are_400() {
    let sim = TestSim::start().await;
    let positional = json!([
        "o-arr",
        "hub7",
        "movistar",
        "hub7@movistar",
        "+34600999888",
        ["premium", 2],
        "en-US"
    ]);
    let answer = sim.vpn(Method::POST, "/subscribers", Some(positional)).await.expect(400);
    assert!(answer.json()["message"].as_str().unwrap().contains("sequence"), "{}", answer.text());
    let mut nested = subscriber_body("o-arr", 1);
    nested["bundle"] = json!(["premium", 2]);
    let answer = sim.vpn(Method::POST, "/subscribers", Some(nested)).await.expect(400);
    assert_eq!(answer.json()["field"], "bundle");
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-arr", 1))).await.expect(201);
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let sim = TestSim::start().await;
    let headers = [
        ("authorization", "Bearer vpn-demo-key"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let body = subscriber_body("o-form", 1).to_string();
    let answer =
        sim.send(FamilyId::Vpn, Method::POST, "/subscribers", &headers, body).await.expect(415);
    assert!(
        answer.json()["message"].as_str().unwrap().contains("application/x-www-form-urlencoded")
    );
}

// ---- auth --------------------------------------------------------------------------------

#[tokio::test]
async fn missing_or_unknown_credentials_are_403_access_forbidden() {
    let sim = TestSim::start().await;
    let path = format!("/subscribers/{FIXTURE_USER}/devices");
    for headers in [
        vec![],
        vec![("authorization", "Bearer nope")],
        vec![("authorization", "Basic dnBuLWRlbW8ta2V5")],
    ] {
        let answer = sim.send(FamilyId::Vpn, Method::GET, &path, &headers, "").await.expect(403);
        assert_eq!(answer.json()["message"], "Access Forbidden");
    }
    let answer =
        sim.send(FamilyId::Vpn, Method::GET, &format!("{path}?access_token=nope"), &[], "").await;
    answer.expect(403);
}

#[tokio::test]
async fn the_key_may_come_as_access_token_query_parameter() {
    let sim = TestSim::start().await;
    let path = format!("/subscribers/{FIXTURE_USER}/devices?access_token=vpn-demo-key");
    sim.send(FamilyId::Vpn, Method::GET, &path, &[], "").await.expect(200);
}

#[tokio::test]
async fn another_tenants_subscriber_is_404() {
    let sim = TestSim::start().await;
    let path = format!("/subscribers/{FIXTURE_USER}/devices");
    sim.vpn_as(VPN_KEY_2, Method::GET, &path, None).await.expect(404);
    sim.vpn_as(VPN_KEY_2, Method::DELETE, &format!("/subscribers/{FIXTURE_USER}"), None)
        .await
        .expect(404);
    sim.vpn(Method::GET, &path, None).await.expect(200);
}

// ---- DELETE /subscribers/{user_id} ----------------------------------------------------------

#[tokio::test]
async fn delete_subscriber_is_204_without_body_and_takes_the_devices() {
    let sim = TestSim::start().await;
    let answer =
        sim.vpn(Method::DELETE, &format!("/subscribers/{FIXTURE_USER}"), None).await.expect(204);
    assert!(answer.body.is_empty());
    sim.vpn(Method::GET, &format!("/subscribers/{FIXTURE_USER}/devices"), None).await.expect(404);
    sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(404);
    // The order is free again.
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("demo-order-1", 1)))
        .await
        .expect(201);
}

#[tokio::test]
async fn delete_subscriber_is_400_for_a_malformed_id_and_404_for_an_unknown_one() {
    let sim = TestSim::start().await;
    for bad in ["abc", "0", "012", "1234567890123456789"] {
        let answer =
            sim.vpn(Method::DELETE, &format!("/subscribers/{bad}"), None).await.expect(400);
        assert_eq!(answer.json()["field"], "user_id");
    }
    sim.vpn(Method::DELETE, "/subscribers/999", None).await.expect(404);
}

// ---- POST /subscribers/{user_id} ------------------------------------------------------------

#[tokio::test]
async fn update_subscriber_is_204_and_its_order_becomes_taken() {
    let sim = TestSim::start().await;
    let id = sim.create_subscriber("o-old", 1).await;
    let update = json!({"order": "o-new", "bundle": {"id": "family", "licenses": 5}});
    let answer =
        sim.vpn(Method::POST, &format!("/subscribers/{id}"), Some(update)).await.expect(204);
    assert!(answer.body.is_empty());
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-new", 1))).await.expect(409);
    sim.vpn(Method::POST, "/subscribers", Some(subscriber_body("o-old", 1))).await.expect(201);
}

#[tokio::test]
async fn update_keeping_its_own_order_is_fine_but_another_ones_is_409() {
    let sim = TestSim::start().await;
    let id = sim.create_subscriber("o-mine", 1).await;
    let same = json!({"order": "o-mine", "bundle": {"id": "premium", "licenses": 2}});
    sim.vpn(Method::POST, &format!("/subscribers/{id}"), Some(same)).await.expect(204);
    let taken = json!({"order": "demo-order-1", "bundle": {"id": "premium", "licenses": 2}});
    let answer =
        sim.vpn(Method::POST, &format!("/subscribers/{id}"), Some(taken)).await.expect(409);
    assert_eq!(answer.json()["field"], "order");
}

#[tokio::test]
async fn update_subscriber_400_and_404() {
    let sim = TestSim::start().await;
    let update = json!({"order": "o-x", "bundle": {"id": "premium", "licenses": 2}});
    sim.vpn(Method::POST, "/subscribers/x1", Some(update.clone())).await.expect(400);
    sim.vpn(Method::POST, "/subscribers/42", Some(update)).await.expect(404);
    let no_bundle = json!({"order": "o-x"});
    let answer = sim
        .vpn(Method::POST, &format!("/subscribers/{FIXTURE_USER}"), Some(no_bundle))
        .await
        .expect(400);
    assert_eq!(answer.json()["field"], "bundle");
}

// ---- devices -----------------------------------------------------------------------------

#[tokio::test]
async fn list_devices_has_exactly_the_seed_shape() {
    let sim = TestSim::start().await;
    let answer = sim
        .vpn(Method::GET, &format!("/subscribers/{FIXTURE_USER}/devices"), None)
        .await
        .expect(200);
    assert_eq!(
        answer.json(),
        json!([{"device_id": {"device_id": "0A1B2C3D4E5F", "type": "desktop", "name": "Laura's Laptop"}}])
    );
}

#[tokio::test]
async fn list_devices_400_and_404() {
    let sim = TestSim::start().await;
    sim.vpn(Method::GET, "/subscribers/not-an-id/devices", None).await.expect(400);
    sim.vpn(Method::GET, "/subscribers/77/devices", None).await.expect(404);
}

#[tokio::test]
async fn update_device_renames_and_returns_the_device() {
    let sim = TestSim::start().await;
    let path = format!("/subscribers/{FIXTURE_USER}/devices/{FIXTURE_DEVICE}");
    let answer =
        sim.vpn(Method::POST, &path, Some(json!({"name": "Laura's Phone"}))).await.expect(200);
    assert_eq!(
        answer.json(),
        json!({"device_id": "0A1B2C3D4E5F", "type": "desktop", "name": "Laura's Phone"})
    );
    // Device ids are case-insensitive on input.
    let lower = format!("/subscribers/{FIXTURE_USER}/devices/0a1b2c3d4e5f");
    sim.vpn(Method::POST, &lower, Some(json!({"name": "Again"}))).await.expect(200);
}

#[tokio::test]
async fn update_device_refuses_bad_names_with_400() {
    let sim = TestSim::start().await;
    let path = format!("/subscribers/{FIXTURE_USER}/devices/{FIXTURE_DEVICE}");
    for body in
        [json!({"name": ""}), json!({"name": "x".repeat(65)}), json!({"name": 5}), json!({})]
    {
        let answer = sim.vpn(Method::POST, &path, Some(body.clone())).await.expect(400);
        assert_eq!(answer.json()["field"], "name", "{body}");
    }
}

#[tokio::test]
async fn device_operations_404_and_409() {
    let sim = TestSim::start().await;
    let other = sim.create_subscriber("o-other", 2).await;
    let rename = Some(json!({"name": "n"}));
    // Unknown subscriber, unknown device, malformed ids: "does not exist in our database".
    for path in [
        format!("/subscribers/55/devices/{FIXTURE_DEVICE}"),
        format!("/subscribers/{FIXTURE_USER}/devices/ABCDEF"),
        format!("/subscribers/{FIXTURE_USER}/devices/not-hex"),
    ] {
        sim.vpn(Method::POST, &path, rename.clone()).await.expect(404);
        sim.vpn(Method::DELETE, &path, None).await.expect(404);
    }
    // The fixture device belongs to another subscriber of the same tenant.
    let foreign = format!("/subscribers/{other}/devices/{FIXTURE_DEVICE}");
    let answer = sim.vpn(Method::POST, &foreign, rename).await.expect(409);
    assert_eq!(answer.json()["message"], "This device_id does not belong to the specified user_id");
    sim.vpn(Method::DELETE, &foreign, None).await.expect(409);
    // Still there.
    sim.daemon_status(Some(FIXTURE_DEVICE)).await.expect(200);
}

#[tokio::test]
async fn delete_device_answers_an_empty_object_and_frees_the_licence() {
    let sim = TestSim::start().await;
    let id = sim.create_subscriber("o-cap", 1).await;
    let device = sim.activate("telefonica", &id, "mobile").await.expect(201).json();
    let device_id = device["device_id"].as_str().unwrap().to_owned();
    assert_eq!(device["type"], "mobile");
    sim.activate("telefonica", &id, "desktop").await.expect(409);

    let answer = sim
        .vpn(Method::DELETE, &format!("/subscribers/{id}/devices/{device_id}"), None)
        .await
        .expect(200);
    assert_eq!(answer.json(), json!({}));
    sim.activate("telefonica", &id, "desktop").await.expect(201);
}

#[tokio::test]
async fn lowering_licenses_keeps_devices_but_refuses_new_ones() {
    let sim = TestSim::start().await;
    let id = sim.create_subscriber("o-lower", 3).await;
    for _ in 0..3 {
        sim.activate("telefonica", &id, "desktop").await.expect(201);
    }
    let lower = json!({"order": "o-lower", "bundle": {"id": "premium", "licenses": 1}});
    sim.vpn(Method::POST, &format!("/subscribers/{id}"), Some(lower)).await.expect(204);
    let devices =
        sim.vpn(Method::GET, &format!("/subscribers/{id}/devices"), None).await.expect(200).json();
    assert_eq!(devices.as_array().unwrap().len(), 3);
    sim.activate("telefonica", &id, "mobile").await.expect(409);

    // Two deletions later the subscriber is at 1 of 1: still full.
    for item in devices.as_array().unwrap().iter().take(2) {
        let device_id = item["device_id"]["device_id"].as_str().unwrap();
        sim.vpn(Method::DELETE, &format!("/subscribers/{id}/devices/{device_id}"), None)
            .await
            .expect(200);
    }
    sim.activate("telefonica", &id, "mobile").await.expect(409);
    let last = devices[2]["device_id"]["device_id"].as_str().unwrap();
    sim.vpn(Method::DELETE, &format!("/subscribers/{id}/devices/{last}"), None).await.expect(200);
    sim.activate("telefonica", &id, "mobile").await.expect(201);
}
