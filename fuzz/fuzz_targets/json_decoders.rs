//! Every JSON request decoder, and the rules behind it, on arbitrary bytes: no panic, and a
//! body that decodes re-encodes to a body that decodes to the same value (nothing is lost or
//! invented between the wire and the rules).
#![no_main]

use libfuzzer_sys::fuzz_target;
use provsim::families::{exotel, vpn};
use provsim::http::call::decode_json;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes, re-encodes and decodes again; both decodings must agree.
fn round_trip<T: DeserializeOwned + Serialize>(input: &[u8]) -> Option<T> {
    let first: T = decode_json(input).ok()?;
    let encoded = serde_json::to_vec(&first).expect("a decoded value encodes");
    let second: T = decode_json(&encoded).expect("an encoded value decodes");
    assert_eq!(
        serde_json::to_value(&first).expect("encodes"),
        serde_json::to_value(&second).expect("encodes"),
        "the round trip changed the value"
    );
    Some(first)
}

fuzz_target!(|input: &[u8]| {
    let catalogue = [vpn::model::BundleSpec { id: "premium".into() }];
    if let Some(request) = round_trip::<vpn::model::CreateSubscriberRequest>(input) {
        let _ = vpn::model::parse_create(&request, &catalogue);
    }
    if let Some(request) = round_trip::<vpn::model::UpdateSubscriberRequest>(input) {
        let _ = vpn::model::parse_update(&request, &catalogue);
    }
    if let Some(request) = round_trip::<vpn::model::RenameDeviceRequest>(input) {
        let _ = vpn::model::parse_device_name(&request.name, 64);
    }
    if let Some(request) = round_trip::<exotel::model::CreateSubscribersRequest>(input) {
        for item in request.subscribers.iter().flatten() {
            let _ = exotel::model::parse_new_subscriber(item);
        }
    }
    if let Some(request) = round_trip::<exotel::model::UpdateSubscriberRequest>(input) {
        let _ = exotel::model::parse_update(&request);
    }
    if let Some(request) = round_trip::<exotel::model::TokenRequest>(input) {
        let _ = exotel::model::parse_token_request(&request);
    }
});
