//! The Exotel IP2IP Subscriber Management API (seed 001): every (operation, status, error
//! code) of issue 4, the seed's own samples replayed, isolation between the two fixture
//! accounts, rate limiting and token expiry on the simulated clock.

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use provsim::config::FamilyId;
use provsim::fixtures::Fixture;
use serde_json::{Value, json};

use crate::support::{Answer, EXOTEL_1, EXOTEL_2, T0_MS, TestSim};

const T0_S: i64 = T0_MS / 1000;
/// [`T0_MS`] in the default +05:30 offset.
const T0_IST: &str = "2026-01-01T05:30:00+05:30";

// ---- helpers --------------------------------------------------------------------------------

/// Checks the envelope around any JSON answer and returns it.
#[track_caller]
fn envelope(answer: &Answer, method: &str) -> Value {
    let body = answer.json();
    let request_id = body["request_id"].as_str().expect("request_id is a string");
    assert_eq!(request_id.len(), 32, "{body}");
    assert!(request_id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{body}");
    assert_eq!(body["method"], method, "{body}");
    assert_eq!(body["http_code"], answer.status.as_u16(), "{body}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    body
}

/// A whole-request failure: checks status, envelope, `response` and `error_data`; returns the
/// description.
#[track_caller]
fn failure(answer: &Answer, method: &str, status: u16, code: u16, message: &str) -> String {
    assert_eq!(answer.status.as_u16(), status, "body: {}", answer.text());
    let body = envelope(answer, method);
    let response = &body["response"];
    assert_eq!(response["code"], status, "{body}");
    assert_eq!(response["status"], "failure", "{body}");
    assert_eq!(response["data"], Value::Null, "{body}");
    assert_eq!(response["error_data"]["code"], code, "{body}");
    assert_eq!(response["error_data"]["message"], message, "{body}");
    response["error_data"]["description"].as_str().expect("description").to_owned()
}

/// The JSON type of a value, telling integers from fractions.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "fraction",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same keys and the same JSON types everywhere (arrays element by element).
#[track_caller]
fn assert_same_shape(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let e_keys: BTreeSet<&String> = e.keys().collect();
            let a_keys: BTreeSet<&String> = a.keys().collect();
            assert_eq!(e_keys, a_keys, "keys of {path}");
            for (key, value) in e {
                assert_same_shape(value, &a[key], &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "length of {path}");
            for (idx, (e, a)) in e.iter().zip(a).enumerate() {
                assert_same_shape(e, a, &format!("{path}[{idx}]"));
            }
        }
        _ => assert_eq!(
            kind(expected),
            kind(actual),
            "type of {path}: expected {expected}, got {actual}"
        ),
    }
}

fn jwt_part(token: &str, idx: usize) -> Value {
    let part = token.split('.').nth(idx).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

fn names_of(page: &Value) -> Vec<String> {
    page["response"]
        .as_array()
        .expect("response is an array")
        .iter()
        .map(|item| item["data"]["subscriber_name"].as_str().expect("name").to_owned())
        .collect()
}

async fn verify(sim: &TestSim, token: &str) -> Value {
    sim.control(Method::POST, "/_sim/exotel/tokens/verify", Some(json!({ "token": token })))
        .await
        .expect(200)
        .json()
}

async fn token_for(sim: &TestSim, name: &str) -> Value {
    let body =
        json!({"platform": "android", "device_id": "2fc4b5912826ad1", "subscriber_name": name});
    let answer = sim.exotel(Method::POST, "/subscriber-token", Some(body)).await.expect(200);
    envelope(&answer, "POST")["response"]["data"].clone()
}

// ---- the seed's samples, written from seed 001 (JSON typos of the PDF repaired) -------------

/// The seed's sample tokens, verbatim (they are not valid JWTs: the claims are mangled).
const SEED_REFRESH_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJleG90ZWwiLCJzdWIiOiJBcmNoaXQiLCJpYXQiOiJlNzY2NDc5OTksImV4cCI6MTU3Njc0Nzk5OSwiY2xpZW50X2lkIjoibWUwNTg2NUUifQ.Hc3umVfFlKIPiJ8R9kcP9o9hE9he511e08rO22u7eqs";
const SEED_ACCESS_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJleG90ZWwiLCJzdWIiOiJBcmNoaXQiLCJpYXQiOiJlNzY2NDc5OTksImV4cCI6MTU3Njc0Nzk5OSwic2NvcGUiOiJ2b2ljZSIsImNsaWVudF9pZCI6IjVFMDU4NjVFIiwiaWF0Ij0udQd_aHBIT4XqTPfl-567dmjQrKlmLtPag0KpGB2QMA";

/// "Create Subscriber Token" sample response (the PDF has a stray `{` inside `response`).
fn seed_token_response() -> Value {
    json!({
        "request_id": "2f97c5e98e1d4c188c483cbfe8092869",
        "method": "POST",
        "http_code": 200,
        "response": {
            "code": 200,
            "error_data": null,
            "status": "success",
            "data": {
                "subscriber_name": "archit",
                "subscriber_token": {
                    "refresh_token": SEED_REFRESH_TOKEN,
                    "access_token": SEED_ACCESS_TOKEN
                }
            }
        }
    })
}

fn seed_subscriber(created: &str, updated: &str, name: &str, status: &str, custom: Value) -> Value {
    json!({
        "code": 200,
        "error_data": null,
        "status": "success",
        "data": {
            "date_created": created,
            "date_updated": updated,
            "subscriber_name": name,
            "status": status,
            "custom_field": custom
        }
    })
}

/// "Create Subscribers" sample response.
fn seed_bulk_response() -> Value {
    json!({
        "request_id": "04386e350256448dae83c6db0f749a21",
        "method": "POST",
        "http_code": 207,
        "metadata": {"failed": 0, "success": 3},
        "response": [
            seed_subscriber("2019-11-19T23:14:17+05:30", "2019-11-19T23:14:17+05:30", "bob", "active", json!("support")),
            seed_subscriber("2019-11-19T23:14:17+05:30", "2019-11-19T23:14:17+05:30", "nidhi", "active", Value::Null),
            seed_subscriber("2019-11-19T23:14:18+05:30", "2019-11-19T23:14:18+05:30", "archit", "active", Value::Null)
        ]
    })
}

/// "Update a Subscriber" and "Get Subscriber" sample responses (same object).
fn seed_single_response(method: &str) -> Value {
    json!({
        "request_id": "8019271c8d98422db509c2801e63435f",
        "method": method,
        "http_code": 200,
        "response": seed_subscriber(
            "2019-11-19T23:14:18+05:30", "2019-11-20T11:13:38+05:30", "archit", "inactive", Value::Null)
    })
}

/// "List Subscribers" sample response.
fn seed_list_response() -> Value {
    json!({
        "request_id": "b5f0c6780ec443d08947ba2015a06a04",
        "method": "GET",
        "http_code": 200,
        "metadata": {
            "prev_page_uri": "/v2/accounts/exotelip2ipcalling1/subscribers?offset=6&page_size=3",
            "next_page_uri": "/v2/accounts/exotelip2ipcalling1/subscribers?offset=12&page_size=3",
            "first_page_uri": "/v2/accounts/exotelip2ipcalling1/subscribers?offset=0&page_size=3"
        },
        "response": [
            seed_subscriber("2019-12-30T17:12:00+05:30", "2019-12-30T17:12:00+05:30", "shyam", "active", Value::Null),
            seed_subscriber("2019-12-30T17:09:41+05:30", "2019-12-30T17:09:41+05:30", "kiran", "active", json!("test")),
            seed_subscriber("2019-12-30T13:35:07+05:30", "2019-12-30T13:35:07+05:30", "mandeep", "active", Value::Null)
        ]
    })
}

/// "Delete Subscriber" failure sample, verbatim.
fn seed_delete_404() -> Value {
    json!({
        "request_id": "af0087d5331f479599d2c987efe9f664",
        "method": "DELETE",
        "http_code": 404,
        "response": {
            "code": 404,
            "error_data": {"code": 1000, "description": "Subscriber not found", "message": "Not Found"},
            "status": "failure",
            "data": null
        }
    })
}

// ---- seed samples replayed --------------------------------------------------------------------

#[tokio::test]
async fn every_seed_sample_request_gets_an_answer_shaped_like_the_seed_sample_response() {
    let sim = TestSim::start().await;
    let (sid, key, token) = EXOTEL_1;
    let base = format!("/v2/accounts/{sid}");
    let raw = |method: Method, path: String, body: Option<&'static str>| {
        let sim = &sim;
        async move { sim.exotel_raw(Some((key, token)), method, &path, body, "application/json").await }
    };

    // Create Subscribers, the sample body verbatim.
    let bulk_body = r#"{
  "subscribers": [
    {
      "subscriber_name": "bob",
      "custom_field": "support"
    },
    {
      "subscriber_name": "nidhi"
    },
    {
      "subscriber_name": "archit"
    }
  ]
}"#;
    let bulk = raw(Method::POST, format!("{base}/subscribers"), Some(bulk_body)).await.expect(207);
    let bulk = envelope(&bulk, "POST");
    assert_same_shape(&seed_bulk_response(), &bulk, "bulk");
    assert_eq!(bulk["response"][0]["data"]["custom_field"], "support");
    assert_eq!(bulk["response"][1]["data"]["date_created"], T0_IST);

    // Create Subscriber Token, the sample body (split across two PDF pages) put together.
    let token_body = r#"{
  "platform": "android",
  "device_id": "2fc4b5912826ad1",
  "subscriber_name": "archit"
}"#;
    let tokens =
        raw(Method::POST, format!("{base}/subscriber-token"), Some(token_body)).await.expect(200);
    assert_same_shape(&seed_token_response(), &envelope(&tokens, "POST"), "token");

    // Update a Subscriber: the sample body has a trailing comma, which is not JSON.
    let put_path = format!("{base}/subscribers/archit");
    let sample_put = "{\n  \"status\": \"inactive\",\n}";
    let refused = raw(Method::PUT, put_path.clone(), Some(sample_put)).await;
    let description = failure(&refused, "PUT", 400, 1007, "Invalid request body,failed parsing");
    assert!(description.contains("trailing comma"), "{description}");
    let updated = raw(Method::PUT, put_path.clone(), Some("{\n  \"status\": \"inactive\"\n}"))
        .await
        .expect(200);
    assert_same_shape(&seed_single_response("PUT"), &envelope(&updated, "PUT"), "put");

    // Get Subscriber.
    let got = raw(Method::GET, format!("{base}/subscribers/archit"), None).await.expect(200);
    let got = envelope(&got, "GET");
    assert_same_shape(&seed_single_response("GET"), &got, "get");
    assert_eq!(got["response"]["data"]["status"], "inactive");

    // Delete Subscriber: shyam does not exist here → the failure sample; an existing one → 204.
    let missing = raw(Method::DELETE, format!("{base}/subscribers/shyam"), None).await.expect(404);
    let missing = envelope(&missing, "DELETE");
    assert_same_shape(&seed_delete_404(), &missing, "delete");
    assert_eq!(missing["response"], seed_delete_404()["response"]);
    let deleted = raw(Method::DELETE, format!("{base}/subscribers/bob"), None).await.expect(204);
    assert!(deleted.body.is_empty());
}

#[tokio::test]
async fn the_list_sample_is_reproduced_page_for_page() {
    let sim = TestSim::start().await;
    // 15 subscribers; newest first, offsets 9, 10 and 11 are shyam, kiran and mandeep.
    sim.exotel_create(&["s0", "s1", "s2", "mandeep"]).await;
    let kiran = json!({"subscribers": [{"subscriber_name": "kiran", "custom_field": "test"}]});
    sim.exotel(Method::POST, "/subscribers", Some(kiran)).await.expect(207);
    sim.exotel_create(&["shyam", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14"]).await;

    // The page the sample's metadata describes (offset 9, page size 3).
    let page = sim.exotel(Method::GET, "/subscribers?offset=9&page_size=3", None).await.expect(200);
    let page = envelope(&page, "GET");
    assert_same_shape(&seed_list_response(), &page, "list");
    assert_eq!(names_of(&page), ["shyam", "kiran", "mandeep"]);
    assert_eq!(
        page["metadata"],
        json!({
            "first_page_uri": "/v2/accounts/provsim1/subscribers?offset=0&page_size=3",
            "prev_page_uri": "/v2/accounts/provsim1/subscribers?offset=6&page_size=3",
            "next_page_uri": "/v2/accounts/provsim1/subscribers?offset=12&page_size=3"
        })
    );

    // The sample request itself (`page=2&offset=3`): `page` is ignored, offset 3, page size 100.
    let literal = sim.exotel(Method::GET, "/subscribers?page=2&offset=3", None).await.expect(200);
    let literal = envelope(&literal, "GET");
    assert_eq!(names_of(&literal).len(), 12);
    assert_eq!(literal["metadata"]["next_page_uri"], Value::Null);
    assert_eq!(
        literal["metadata"]["prev_page_uri"],
        "/v2/accounts/provsim1/subscribers?offset=0&page_size=100"
    );
}

// ---- authentication and isolation ------------------------------------------------------------

#[tokio::test]
async fn missing_or_wrong_basic_credentials_are_401_1010() {
    let sim = TestSim::start().await;
    let path = "/v2/accounts/provsim1/subscribers";
    let none = sim.exotel_raw(None, Method::GET, path, None, "").await;
    failure(&none, "GET", 401, 1010, "Authorization failed");
    assert_eq!(none.header("www-authenticate"), Some("Basic realm=\"exotel\""));
    let wrong_token =
        sim.exotel_raw(Some(("exotel-demo-key", "nope")), Method::GET, path, None, "").await;
    failure(&wrong_token, "GET", 401, 1010, "Authorization failed");
    // Account 2's token with account 1's key.
    let crossed =
        sim.exotel_raw(Some(("exotel-demo-key", EXOTEL_2.2)), Method::GET, path, None, "").await;
    failure(&crossed, "GET", 401, 1010, "Authorization failed");
    for header in ["Bearer exotel-demo-token", "Basic not-base64!", "Basic ZXhvdGVs"] {
        let answer =
            sim.send(FamilyId::Exotel, Method::GET, path, &[("authorization", header)], "").await;
        failure(&answer, "GET", 401, 1010, "Authorization failed");
    }
    // 401 comes before the body is looked at.
    let post = sim.exotel_raw(None, Method::POST, path, Some("not json"), "text/plain").await;
    failure(&post, "POST", 401, 1010, "Authorization failed");
}

#[tokio::test]
async fn accounts_are_isolated_and_foreign_or_unknown_sids_are_403_1003() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["alice"]).await;
    let (sid2, key2, token2) = EXOTEL_2;
    let as_2 = Some((key2, token2));
    // Account 2 on account 1's paths, for every operation.
    let cases: [(Method, &str, Option<&str>); 6] = [
        (Method::GET, "/v2/accounts/provsim1/subscribers", None),
        (Method::GET, "/v2/accounts/provsim1/subscribers/alice", None),
        (Method::PUT, "/v2/accounts/provsim1/subscribers/alice", Some(r#"{"status":"inactive"}"#)),
        (Method::DELETE, "/v2/accounts/provsim1/subscribers/alice", None),
        (
            Method::POST,
            "/v2/accounts/provsim1/subscribers",
            Some(r#"{"subscribers":[{"subscriber_name":"x"}]}"#),
        ),
        (
            Method::POST,
            "/v2/accounts/provsim1/subscriber-token",
            Some(r#"{"platform":"ios","device_id":"d","subscriber_name":"alice"}"#),
        ),
    ];
    for (method, path, body) in cases {
        let answer = sim.exotel_raw(as_2, method.clone(), path, body, "application/json").await;
        let description = failure(&answer, method.as_str(), 403, 1003, "Authorization failed");
        assert!(description.contains("provsim1"), "{description}");
    }
    // A SID that does not exist answers exactly like another account's.
    let nobody = sim
        .exotel_raw(
            Some((EXOTEL_1.1, EXOTEL_1.2)),
            Method::GET,
            "/v2/accounts/nobody/subscribers",
            None,
            "",
        )
        .await;
    failure(&nobody, "GET", 403, 1003, "Authorization failed");
    // Account 2's own view: alice is not there, and account 1 still has her, unchanged.
    let own = sim
        .exotel_raw(as_2, Method::GET, &format!("/v2/accounts/{sid2}/subscribers/alice"), None, "")
        .await;
    failure(&own, "GET", 404, 1000, "Not Found");
    let list = sim
        .exotel_raw(as_2, Method::GET, &format!("/v2/accounts/{sid2}/subscribers"), None, "")
        .await;
    assert!(names_of(&envelope(&list.expect(200), "GET")).is_empty());
    let alice = sim.exotel(Method::GET, "/subscribers/alice", None).await.expect(200).json();
    assert_eq!(alice["response"]["data"]["status"], "active");
    // The same name may exist in both accounts.
    let same = json!({"subscribers": [{"subscriber_name": "alice"}]}).to_string();
    let created = sim
        .exotel_raw(
            as_2,
            Method::POST,
            &format!("/v2/accounts/{sid2}/subscribers"),
            Some(&same),
            "application/json",
        )
        .await
        .expect(207)
        .json();
    assert_eq!(created["metadata"], json!({"failed": 0, "success": 1}));
}

// ---- bulk create ------------------------------------------------------------------------------

#[tokio::test]
async fn one_bulk_request_mixes_success_1001_1002_and_both_kinds_of_1008() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["bob"]).await;
    let body = json!({"subscribers": [
        {"subscriber_name": "alice", "custom_field": "vip"},
        {"custom_field": "no name"},
        {"subscriber_name": "bad name"},
        {"subscriber_name": "bob"},
        {"subscriber_name": "alice"},
        {"subscriber_name": "abcdefghijklmnopq"},
        {"subscriber_name": "Alice"},
        {"subscriber_name": ""},
        {"subscriber_name": "dash-ed"},
        {"subscriber_name": "abcdefghijklmnop"}
    ]});
    let answer = sim.exotel(Method::POST, "/subscribers", Some(body)).await.expect(207);
    let answer = envelope(&answer, "POST");
    assert_eq!(answer["metadata"], json!({"failed": 7, "success": 3}));
    let items = answer["response"].as_array().unwrap();
    let expected: [(u16, Option<u16>); 10] = [
        (200, None),
        (400, Some(1001)),
        (400, Some(1002)),
        (409, Some(1008)),
        (409, Some(1008)),
        (400, Some(1002)),
        (200, None),
        (400, Some(1001)),
        (400, Some(1002)),
        (200, None),
    ];
    for (idx, (item, (code, error_code))) in items.iter().zip(expected).enumerate() {
        assert_eq!(item["code"], code, "item {idx}: {item}");
        match error_code {
            None => {
                assert_eq!(item["status"], "success", "item {idx}");
                assert_eq!(item["error_data"], Value::Null);
                assert_eq!(item["data"]["status"], "active");
            }
            Some(error_code) => {
                assert_eq!(item["status"], "failure", "item {idx}");
                assert_eq!(item["error_data"]["code"], error_code, "item {idx}: {item}");
                assert_eq!(item["data"], Value::Null);
            }
        }
    }
    assert_eq!(items[0]["data"]["custom_field"], "vip");
    assert_eq!(items[6]["data"]["custom_field"], Value::Null);
    assert_eq!(items[6]["data"]["subscriber_name"], "Alice");
    assert_eq!(items[1]["error_data"]["message"], "Mandatory Parameter missing");
    assert_eq!(items[2]["error_data"]["message"], "Invalid parameter");
    assert_eq!(items[3]["error_data"]["message"], "Duplicate resource");
    let in_account = items[3]["error_data"]["description"].as_str().unwrap();
    let in_batch = items[4]["error_data"]["description"].as_str().unwrap();
    assert_ne!(in_account, in_batch, "the two kinds of duplicate are told apart");
    assert!(items[5]["error_data"]["description"].as_str().unwrap().contains("16"));
    // Exactly the valid items exist, newest first.
    let list = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert_eq!(names_of(&list), ["abcdefghijklmnop", "Alice", "alice", "bob"]);
}

#[tokio::test]
async fn bulk_request_level_failures_create_nothing() {
    let sim = TestSim::start().await;
    let eleven: Vec<Value> =
        (0..11).map(|i| json!({ "subscriber_name": format!("user{i}") })).collect();
    let too_many =
        sim.exotel(Method::POST, "/subscribers", Some(json!({ "subscribers": eleven }))).await;
    let description = failure(&too_many, "POST", 400, 1002, "Invalid parameter");
    assert!(description.contains("10"), "{description}");
    for body in [json!({"subscribers": []}), json!({}), json!({"subscribers": null})] {
        let answer = sim.exotel(Method::POST, "/subscribers", Some(body)).await;
        let description = failure(&answer, "POST", 400, 1001, "Mandatory Parameter missing");
        assert_eq!(description, "subscribers is mandatory");
    }
    // Wrong JSON types fail decoding as a whole, as Exotel's Go decoder does.
    for body in [
        json!({"subscribers": [{"subscriber_name": 5}]}),
        json!({"subscribers": "bob"}),
        json!([{"subscriber_name": "bob"}]),
        json!({"subscribers": [{"subscriber_name": "bob", "custom_field": 1}]}),
        // An array where an item object belongs (serde would take fields by position).
        json!({"subscribers": [["bob", null]]}),
        json!({"subscribers": [[null, null]]}),
    ] {
        let answer = sim.exotel(Method::POST, "/subscribers", Some(body)).await;
        failure(&answer, "POST", 400, 1007, "Invalid request body,failed parsing");
    }
    let list = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert!(names_of(&list).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_name_give_exactly_one_success() {
    let sim = Arc::new(TestSim::start().await);
    let n_requests = 32;
    let mut tasks = Vec::new();
    for _ in 0..n_requests {
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"subscribers": [{"subscriber_name": "racer"}]});
            let answer =
                sim.exotel(Method::POST, "/subscribers", Some(body)).await.expect(207).json();
            answer["response"][0]["code"].as_u64().expect("item code")
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.expect("task"));
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), n_requests - 1, "{codes:?}");
}

#[tokio::test]
async fn a_full_account_fails_further_items_naming_the_limit() {
    let sim = TestSim::start_with(Fixture::demo(), |config| {
        config.limits.max_subscribers_per_account = 3
    })
    .await;
    sim.exotel_create(&["a1", "a2"]).await;
    let body = json!({"subscribers": [{"subscriber_name": "a3"}, {"subscriber_name": "a4"}]});
    let answer = sim.exotel(Method::POST, "/subscribers", Some(body)).await.expect(207).json();
    assert_eq!(answer["metadata"], json!({"failed": 1, "success": 1}));
    let item = &answer["response"][1];
    assert_eq!(
        (item["code"].clone(), item["error_data"]["code"].clone()),
        (json!(400), json!(1002))
    );
    assert!(
        item["error_data"]["description"]
            .as_str()
            .unwrap()
            .contains("max_subscribers_per_account (3)")
    );
    // Deleting frees a place.
    sim.exotel(Method::DELETE, "/subscribers/a1", None).await.expect(204);
    sim.exotel_create(&["a4"]).await;
}

// ---- update, get, delete ------------------------------------------------------------------------

#[tokio::test]
async fn update_changes_status_and_custom_field_and_only_date_updated() {
    let sim = TestSim::start().await;
    let body = json!({"subscribers": [{"subscriber_name": "archit", "custom_field": "first"}]});
    sim.exotel(Method::POST, "/subscribers", Some(body)).await.expect(207);
    sim.advance_seconds(3_600).await;
    let updated = sim
        .exotel(Method::PUT, "/subscribers/archit", Some(json!({"status": "inactive"})))
        .await
        .expect(200);
    let data = envelope(&updated, "PUT")["response"]["data"].clone();
    assert_eq!(
        data,
        json!({
            "date_created": T0_IST,
            "date_updated": "2026-01-01T06:30:00+05:30",
            "subscriber_name": "archit",
            "status": "inactive",
            "custom_field": "first"
        })
    );
    let again = sim
        .exotel(
            Method::PUT,
            "/subscribers/archit",
            Some(json!({"status": "active", "custom_field": "second"})),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(again["response"]["data"]["status"], "active");
    assert_eq!(again["response"]["data"]["custom_field"], "second");
    let got = sim.exotel(Method::GET, "/subscribers/archit", None).await.expect(200).json();
    assert_eq!(got["response"]["data"], again["response"]["data"]);
}

#[tokio::test]
async fn update_refusals_are_1001_1002_404_and_change_nothing() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["archit"]).await;
    let before = sim.exotel(Method::GET, "/subscribers/archit", None).await.expect(200).json();
    let cases = [
        (json!({}), 400, 1001, "Mandatory Parameter missing"),
        (json!({"custom_field": "x"}), 400, 1001, "Mandatory Parameter missing"),
        (json!({"status": "suspended"}), 400, 1002, "Invalid parameter"),
        (json!({"status": "ACTIVE"}), 400, 1002, "Invalid parameter"),
        (
            json!({"status": "inactive", "custom_field": "x".repeat(256)}),
            400,
            1002,
            "Invalid parameter",
        ),
        (json!({"status": 1}), 400, 1007, "Invalid request body,failed parsing"),
    ];
    for (body, status, code, message) in cases {
        let answer = sim.exotel(Method::PUT, "/subscribers/archit", Some(body)).await;
        failure(&answer, "PUT", status, code, message);
    }
    let unknown =
        sim.exotel(Method::PUT, "/subscribers/nobody", Some(json!({"status": "inactive"}))).await;
    assert_eq!(failure(&unknown, "PUT", 404, 1000, "Not Found"), "Subscriber not found");
    let after = sim.exotel(Method::GET, "/subscribers/archit", None).await.expect(200).json();
    assert_eq!(before["response"], after["response"]);
}

#[tokio::test]
async fn get_and_delete_of_unknown_names_are_exactly_the_seed_404() {
    let sim = TestSim::start().await;
    let seed_error =
        json!({"code": 1000, "message": "Not Found", "description": "Subscriber not found"});
    for (method, path) in [
        (Method::GET, "/subscribers/nobody"),
        (Method::DELETE, "/subscribers/nobody"),
        // Names that cannot exist are simply not found.
        (Method::GET, "/subscribers/has%20space"),
        (Method::GET, "/subscribers/abcdefghijklmnopq"),
    ] {
        let answer = sim.exotel(method.clone(), path, None).await.expect(404);
        let body = envelope(&answer, method.as_str());
        assert_eq!(body["response"]["error_data"], seed_error);
        assert_eq!(body["response"]["code"], 404);
    }
}

#[tokio::test]
async fn delete_is_204_without_body_then_the_name_is_gone_and_free() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["shyam"]).await;
    let deleted = sim.exotel(Method::DELETE, "/subscribers/shyam", None).await.expect(204);
    assert!(deleted.body.is_empty());
    assert_eq!(deleted.header("content-type"), None);
    sim.exotel(Method::GET, "/subscribers/shyam", None).await.expect(404);
    sim.exotel(Method::DELETE, "/subscribers/shyam", None).await.expect(404);
    sim.exotel_create(&["shyam"]).await;
}

// ---- list ------------------------------------------------------------------------------------

#[tokio::test]
async fn pages_of_a_filtered_list_link_together_newest_first() {
    let sim = TestSim::start().await;
    let names: Vec<String> = (0..14).map(|i| format!("user{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    sim.exotel_create(&refs[..10]).await;
    sim.exotel_create(&refs[10..]).await;
    // Every third subscriber inactive: 00, 03, 06, 09, 12.
    for name in names.iter().step_by(3) {
        sim.exotel(
            Method::PUT,
            &format!("/subscribers/{name}"),
            Some(json!({"status": "inactive"})),
        )
        .await
        .expect(200);
    }
    let active: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(_, n)| n.clone())
        .rev()
        .collect();
    assert_eq!(active.len(), 9);

    let mut seen = Vec::new();
    let mut uri = Some("/v2/accounts/provsim1/subscribers?status=active&page_size=4".to_owned());
    let mut n_pages = 0;
    while let Some(next) = uri {
        let (_, key, token) = EXOTEL_1;
        let page =
            sim.exotel_raw(Some((key, token)), Method::GET, &next, None, "").await.expect(200);
        let page = envelope(&page, "GET");
        let metadata = &page["metadata"];
        assert_eq!(
            metadata["first_page_uri"],
            "/v2/accounts/provsim1/subscribers?offset=0&page_size=4&status=active"
        );
        match n_pages {
            0 => assert_eq!(metadata["prev_page_uri"], Value::Null),
            _ => assert!(metadata["prev_page_uri"].as_str().unwrap().ends_with("&status=active")),
        }
        for item in page["response"].as_array().unwrap() {
            assert_eq!(item["data"]["status"], "active");
            assert_eq!(item["code"], 200);
        }
        seen.extend(names_of(&page));
        uri = metadata["next_page_uri"].as_str().map(str::to_owned);
        n_pages += 1;
        assert!(n_pages <= 3, "too many pages");
    }
    assert_eq!(n_pages, 3);
    assert_eq!(seen, active);

    let last = sim
        .exotel(Method::GET, "/subscribers?status=active&page_size=4&offset=8", None)
        .await
        .expect(200)
        .json();
    assert_eq!(last["metadata"]["next_page_uri"], Value::Null);
    assert_eq!(
        last["metadata"]["prev_page_uri"],
        "/v2/accounts/provsim1/subscribers?offset=4&page_size=4&status=active"
    );
    let inactive =
        sim.exotel(Method::GET, "/subscribers?status=inactive", None).await.expect(200).json();
    assert_eq!(names_of(&inactive), ["user12", "user09", "user06", "user03", "user00"]);
    let beyond = sim.exotel(Method::GET, "/subscribers?offset=500", None).await.expect(200).json();
    assert_eq!(beyond["response"], json!([]));
    assert_eq!(beyond["metadata"]["next_page_uri"], Value::Null);
}

#[tokio::test]
async fn a_page_never_repeats_a_subscriber_while_the_list_changes() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["a", "b", "c", "d", "e"]).await;
    let first = sim.exotel(Method::GET, "/subscribers?page_size=3", None).await.expect(200).json();
    // Two newcomers shift the list by two while the client pages.
    sim.exotel_create(&["f", "g"]).await;
    let second =
        sim.exotel(Method::GET, "/subscribers?page_size=3&offset=3", None).await.expect(200).json();
    for page in [&first, &second] {
        let names = names_of(page);
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }
    assert_eq!(names_of(&first), ["e", "d", "c"]);
    assert_eq!(names_of(&second), ["d", "c", "b"]);
}

#[tokio::test]
async fn list_parameters_are_validated_with_1002() {
    let sim = TestSim::start().await;
    for query in [
        "page_size=101",
        "page_size=0",
        "page_size=ten",
        "offset=-1",
        "offset=abc",
        "status=deleted",
    ] {
        let answer = sim.exotel(Method::GET, &format!("/subscribers?{query}"), None).await;
        let description = failure(&answer, "GET", 400, 1002, "Invalid parameter");
        let parameter = query.split('=').next().unwrap();
        assert!(description.contains(parameter), "{query}: {description}");
    }
    let defaults = sim
        .exotel(Method::GET, "/subscribers?status=&page_size=&offset=", None)
        .await
        .expect(200)
        .json();
    assert_eq!(
        defaults["metadata"]["first_page_uri"],
        "/v2/accounts/provsim1/subscribers?offset=0&page_size=100"
    );
    sim.exotel(Method::GET, "/subscribers?page_size=100", None).await.expect(200);
}

// ---- subscriber tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn tokens_are_hs256_jwts_with_the_seed_claims_and_ttls() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["archit"]).await;
    let data = token_for(&sim, "archit").await;
    assert_eq!(data["subscriber_name"], "archit");
    let refresh = data["subscriber_token"]["refresh_token"].as_str().unwrap();
    let access = data["subscriber_token"]["access_token"].as_str().unwrap();
    // The header is the seed samples', byte for byte.
    let seed_header = SEED_ACCESS_TOKEN.split('.').next().unwrap();
    for token in [refresh, access] {
        assert_eq!(jwt_part(token, 0), json!({"typ": "JWT", "alg": "HS256"}));
        assert_eq!(token.split('.').next(), Some(seed_header));
    }
    let refresh_claims = jwt_part(refresh, 1);
    let client_id = refresh_claims["client_id"].as_str().unwrap().to_owned();
    assert_eq!(client_id.len(), 8);
    assert!(client_id.bytes().all(|b| b.is_ascii_hexdigit()), "{client_id}");
    assert_eq!(
        refresh_claims,
        json!({"iss": "exotel", "sub": "archit", "iat": T0_S, "exp": T0_S + 24 * 3600, "client_id": client_id})
    );
    assert_eq!(
        jwt_part(access, 1),
        json!({"iss": "exotel", "sub": "archit", "iat": T0_S, "exp": T0_S + 30 * 60, "scope": "voice",
            "client_id": client_id})
    );
    // Platform is case-insensitive; another device gets another client_id.
    let ios = json!({"platform": "iOS", "device_id": "A1B2-C3D4", "subscriber_name": "archit"});
    let other = sim.exotel(Method::POST, "/subscriber-token", Some(ios)).await.expect(200).json();
    let other_claims = jwt_part(
        other["response"]["data"]["subscriber_token"]["access_token"].as_str().unwrap(),
        1,
    );
    assert_ne!(other_claims["client_id"], client_id.as_str());
}

#[tokio::test]
async fn tokens_expire_on_the_simulated_clock_as_the_control_plane_reports() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["archit"]).await;
    let data = token_for(&sim, "archit").await;
    let refresh = data["subscriber_token"]["refresh_token"].as_str().unwrap().to_owned();
    let access = data["subscriber_token"]["access_token"].as_str().unwrap().to_owned();

    let fresh = verify(&sim, &access).await;
    assert_eq!((fresh["valid"].clone(), fresh["reason"].clone()), (json!(true), json!("ok")));
    assert_eq!(fresh["account_sid"], "provsim1");
    assert_eq!(fresh["claims"]["scope"], "voice");
    assert_eq!(fresh["claims"]["sub"], "archit");

    sim.advance_seconds(30 * 60 - 1).await;
    assert_eq!(verify(&sim, &access).await["reason"], "ok");
    sim.advance_seconds(1).await;
    let expired = verify(&sim, &access).await;
    assert_eq!(
        (expired["valid"].clone(), expired["reason"].clone()),
        (json!(false), json!("expired"))
    );
    assert_eq!(expired["claims"]["exp"], T0_S + 1_800);
    assert_eq!(verify(&sim, &refresh).await["reason"], "ok");

    // The refresh logic: a new pair now, valid for its own 30 minutes.
    let renewed = token_for(&sim, "archit").await;
    let renewed_access = renewed["subscriber_token"]["access_token"].as_str().unwrap();
    assert_eq!(jwt_part(renewed_access, 1)["iat"], T0_S + 1_800);
    assert_eq!(verify(&sim, renewed_access).await["reason"], "ok");

    sim.advance_seconds(24 * 3600 - 1_800).await;
    assert_eq!(verify(&sim, &refresh).await["reason"], "expired");

    // Tampered and garbage tokens.
    let mut parts: Vec<&str> = access.split('.').collect();
    let forged_claims = URL_SAFE_NO_PAD
        .encode(r#"{"iss":"exotel","sub":"root","iat":0,"exp":9999999999,"client_id":"00000000"}"#);
    parts[1] = &forged_claims;
    let forged = verify(&sim, &parts.join(".")).await;
    assert_eq!(
        forged,
        json!({"valid": false, "reason": "bad_signature", "account_sid": null, "claims": null})
    );
    for garbage in ["", "not-a-jwt", "a.b.c"] {
        assert_eq!(verify(&sim, garbage).await["reason"], "malformed", "{garbage}");
    }
    sim.control(Method::POST, "/_sim/exotel/tokens/verify", Some(json!({}))).await.expect(400);
}

#[tokio::test]
async fn each_account_signs_its_own_tokens() {
    let sim = TestSim::start().await;
    let (sid2, key2, token2) = EXOTEL_2;
    let create = json!({"subscribers": [{"subscriber_name": "archit"}]}).to_string();
    let base = format!("/v2/accounts/{sid2}");
    sim.exotel_raw(
        Some((key2, token2)),
        Method::POST,
        &format!("{base}/subscribers"),
        Some(&create),
        "application/json",
    )
    .await
    .expect(207);
    let body =
        json!({"platform": "android", "device_id": "d1", "subscriber_name": "archit"}).to_string();
    let answer = sim
        .exotel_raw(
            Some((key2, token2)),
            Method::POST,
            &format!("{base}/subscriber-token"),
            Some(&body),
            "application/json",
        )
        .await
        .expect(200)
        .json();
    let access = answer["response"]["data"]["subscriber_token"]["access_token"].as_str().unwrap();
    assert_eq!(verify(&sim, access).await["account_sid"], "provsim2");
    // Account 1 has no archit: its token endpoint knows nothing of account 2's subscribers.
    let body = json!({"platform": "android", "device_id": "d1", "subscriber_name": "archit"});
    let unknown = sim.exotel(Method::POST, "/subscriber-token", Some(body)).await;
    assert_eq!(failure(&unknown, "POST", 404, 1000, "Not Found"), "Subscriber not found");
}

#[tokio::test]
async fn token_refusals_are_404_400_1001_1002() {
    let sim = TestSim::start().await;
    sim.exotel_create(&["archit"]).await;
    sim.exotel(Method::PUT, "/subscribers/archit", Some(json!({"status": "inactive"})))
        .await
        .expect(200);
    sim.exotel_create(&["nidhi"]).await;
    let cases = [
        (json!({"device_id": "d", "subscriber_name": "nidhi"}), 400, 1001, "platform is mandatory"),
        (
            json!({"platform": "android", "subscriber_name": "nidhi"}),
            400,
            1001,
            "device_id is mandatory",
        ),
        (
            json!({"platform": "android", "device_id": "d"}),
            400,
            1001,
            "subscriber_name is mandatory",
        ),
        (
            json!({"platform": "windows", "device_id": "d", "subscriber_name": "nidhi"}),
            400,
            1002,
            "",
        ),
        (json!({"platform": "ios", "device_id": "d", "subscriber_name": "ni dhi"}), 400, 1002, ""),
        (
            json!({"platform": "ios", "device_id": "d", "subscriber_name": "archit"}),
            400,
            1002,
            "Subscriber is inactive",
        ),
        (
            json!({"platform": "ios", "device_id": "d", "subscriber_name": "nobody"}),
            404,
            1000,
            "Subscriber not found",
        ),
        (json!({"platform": "ios", "device_id": 7, "subscriber_name": "nidhi"}), 400, 1007, ""),
    ];
    for (body, status, code, description) in cases {
        let answer = sim.exotel(Method::POST, "/subscriber-token", Some(body.clone())).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.text());
        let json = envelope(&answer, "POST");
        assert_eq!(json["response"]["error_data"]["code"], code, "{body}");
        if !description.is_empty() {
            assert_eq!(json["response"]["error_data"]["description"], description, "{body}");
        }
    }
    // Reactivated, the subscriber gets tokens again.
    sim.exotel(Method::PUT, "/subscribers/archit", Some(json!({"status": "active"})))
        .await
        .expect(200);
    token_for(&sim, "archit").await;
}

// ---- rate limiting --------------------------------------------------------------------------------

#[tokio::test]
async fn the_default_limit_is_200_requests_a_minute_then_429_with_retry_after() {
    let sim = TestSim::start().await;
    for _ in 0..200 {
        sim.exotel(Method::GET, "/subscribers", None).await.expect(200);
    }
    let limited = sim.exotel(Method::GET, "/subscribers", None).await;
    let description = failure(&limited, "GET", 429, 429, "Too Many Requests");
    assert!(description.contains("200 requests per minute"), "{description}");
    assert_eq!(limited.header("retry-after"), Some("60"));
    // Another account has its own window.
    let (sid2, key2, token2) = EXOTEL_2;
    sim.exotel_raw(
        Some((key2, token2)),
        Method::GET,
        &format!("/v2/accounts/{sid2}/subscribers"),
        None,
        "",
    )
    .await
    .expect(200);
    sim.advance_seconds(20).await;
    let later = sim.exotel(Method::GET, "/subscribers", None).await.expect(429);
    assert_eq!(later.header("retry-after"), Some("40"));
    sim.advance_seconds(40).await;
    sim.exotel(Method::GET, "/subscribers", None).await.expect(200);
}

#[tokio::test]
async fn the_limit_is_set_per_account_and_restored_by_reset() {
    let sim = TestSim::start().await;
    let set = sim
        .control(
            Method::PUT,
            "/_sim/exotel/accounts/provsim1/rate-limit",
            Some(json!({"requests_per_minute": 3})),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(set, json!({"account_sid": "provsim1", "requests_per_minute": 3}));
    sim.control(
        Method::PUT,
        "/_sim/exotel/accounts/nobody/rate-limit",
        Some(json!({"requests_per_minute": 3})),
    )
    .await
    .expect(404);
    sim.control(
        Method::PUT,
        "/_sim/exotel/accounts/provsim1/rate-limit",
        Some(json!({"requests_per_minute": -1})),
    )
    .await
    .expect(400);
    // Wrong credentials never count against the account.
    for _ in 0..5 {
        sim.exotel_raw(
            Some((EXOTEL_1.1, "wrong")),
            Method::GET,
            "/v2/accounts/provsim1/subscribers",
            None,
            "",
        )
        .await
        .expect(401);
    }
    for _ in 0..3 {
        sim.exotel(Method::GET, "/subscribers", None).await.expect(200);
    }
    // Every kind of call counts, and a 429 changes nothing.
    let create = sim
        .exotel(
            Method::POST,
            "/subscribers",
            Some(json!({"subscribers": [{"subscriber_name": "x"}]})),
        )
        .await;
    failure(&create, "POST", 429, 429, "Too Many Requests");
    sim.advance_seconds(60).await;
    let list = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert!(names_of(&list).is_empty());
    // 0 turns limiting off.
    sim.control(
        Method::PUT,
        "/_sim/exotel/accounts/provsim1/rate-limit",
        Some(json!({"requests_per_minute": 0})),
    )
    .await
    .expect(200);
    for _ in 0..10 {
        sim.exotel(Method::GET, "/subscribers", None).await.expect(200);
    }
    sim.control(Method::POST, "/_sim/reset", None).await.expect(200);
    sim.control(
        Method::PUT,
        "/_sim/exotel/accounts/provsim1/rate-limit",
        Some(json!({"requests_per_minute": 1})),
    )
    .await
    .expect(200);
    sim.control(Method::POST, "/_sim/reset", None).await.expect(200);
    for _ in 0..5 {
        sim.exotel(Method::GET, "/subscribers", None).await.expect(200);
    }
}

// ---- router-level answers in the envelope ---------------------------------------------------------

#[tokio::test]
async fn router_level_errors_use_the_exotel_envelope() {
    let sim = TestSim::start().await;
    let (sid, key, token) = EXOTEL_1;
    let creds = Some((key, token));

    let unknown =
        sim.exotel_raw(creds, Method::GET, "/v2/accounts/provsim1/phones", None, "").await;
    failure(&unknown, "GET", 404, 1000, "Not Found");
    let unauthenticated_404 = sim.exotel_raw(None, Method::GET, "/nothing/here", None, "").await;
    failure(&unauthenticated_404, "GET", 404, 1000, "Not Found");

    let wrong_method = sim
        .exotel_raw(creds, Method::PATCH, &format!("/v2/accounts/{sid}/subscribers"), None, "")
        .await;
    failure(&wrong_method, "PATCH", 405, 405, "Method Not Allowed");
    assert_eq!(wrong_method.header("allow"), Some("POST, GET"));

    let path = format!("/v2/accounts/{sid}/subscribers");
    let plain =
        sim.exotel_raw(creds, Method::POST, &path, Some("subscribers=bob"), "text/plain").await;
    assert_eq!(failure(&plain, "POST", 415, 1011, "unsupported content type"), "text/plain");
    let form = sim
        .exotel_raw(creds, Method::POST, &path, Some("a=b"), "application/x-www-form-urlencoded")
        .await;
    assert_eq!(
        failure(&form, "POST", 415, 1011, "unsupported content type"),
        "application/x-www-form-urlencoded"
    );

    for body in ["", "{", "{\"subscribers\": [}", "null x"] {
        let answer =
            sim.exotel_raw(creds, Method::POST, &path, Some(body), "application/json").await;
        failure(&answer, "POST", 400, 1007, "Invalid request body,failed parsing");
    }

    let huge =
        format!("{{\"subscribers\": [{{\"subscriber_name\": \"{}\"}}]}}", "a".repeat(70_000));
    let too_large =
        sim.exotel_raw(creds, Method::POST, &path, Some(&huge), "application/json").await;
    failure(&too_large, "POST", 413, 413, "Payload Too Large");

    let list = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert!(names_of(&list).is_empty(), "no refused request created anything");
}

// ---- determinism and reset --------------------------------------------------------------------------

#[tokio::test]
async fn request_ids_come_from_a_seeded_stream_that_reset_restarts() {
    let sim = TestSim::start().await;
    let first = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    let second = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert_ne!(first["request_id"], second["request_id"]);
    sim.exotel_create(&["bob"]).await;
    sim.control(Method::POST, "/_sim/reset", None).await.expect(200);
    let again = sim.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert_eq!(again["request_id"], first["request_id"]);
    assert!(names_of(&again).is_empty(), "reset forgot bob");
    // Another simulator with the same seed answers with the same ids.
    let twin = TestSim::start().await;
    let twin_first = twin.exotel(Method::GET, "/subscribers", None).await.expect(200).json();
    assert_eq!(twin_first["request_id"], first["request_id"]);
    // Another account has its own stream.
    let (sid2, key2, token2) = EXOTEL_2;
    let other = twin
        .exotel_raw(
            Some((key2, token2)),
            Method::GET,
            &format!("/v2/accounts/{sid2}/subscribers"),
            None,
            "",
        )
        .await
        .expect(200)
        .json();
    assert_ne!(other["request_id"], first["request_id"]);
}

#[tokio::test]
async fn the_exotel_listener_is_reported_by_health() {
    let sim = TestSim::start().await;
    let health = sim.control(Method::GET, "/_sim/health", None).await.expect(200).json();
    assert_eq!(health["listeners"]["exotel"], sim.addr(FamilyId::Exotel).to_string());
}
