//! "Bad input never costs data" (issue 7): random *invalid* requests interleaved with random
//! *valid* ones leave the simulator exactly where the valid ones alone leave it.
//!
//! Each case is a sequence of at most [`MAX_STEPS_PER_CASE`] steps, each valid or invalid,
//! run twice on two simulators reset to the default fixture, with their clocks in step:
//!
//! 1. the valid steps alone, on [`valid_only`]: every answer and the state fingerprint
//!    ([`provsim::sim::Sim::fingerprint`]) after each step are recorded;
//! 2. every step, on [`interleaved`]: each invalid request must get its exact refusal status
//!    and leave the fingerprint unchanged; each valid request must get the same answer
//!    (status and body, ids included) as in run 1 and leave the same fingerprint; at the end
//!    both fingerprints are equal.
//!
//! Comparing answers and not only fingerprints is what shows that refused requests do not
//! move the id streams: the fingerprint hashes data, not the random streams ids are drawn
//! from, so a refused create that drew a `user_id` would only show as a different id in the
//! answer of the next successful create.
//!
//! **Valid steps** (well-formed requests with the fixture's credentials; some are refused
//! for state reasons, a taken `order` or a deleted subscriber, identically in both runs):
//! vpn creates, updates, deletes, device lists (header or `?access_token=` credentials),
//! device renames and deletes; device activation, connect and disconnect through the control
//! plane; the daemon's status page; Exotel bulk creates, status and `custom_field` updates,
//! gets, lists, token requests and deletes; advancing the simulated clock.
//!
//! **Invalid steps** ([`Invalid`]): malformed JSON, wrong JSON types, missing and broken
//! fields, unknown and malformed ids, wrong or missing credentials, another tenant's or
//! account's data, wrong methods, request targets over `max_uri_bytes`, headers over
//! `max_header_bytes`/`max_headers`, bodies over `max_body_bytes` (declared and chunked), wrong
//! content types, and refusals that depend on the state: a taken `order` or licence key, a
//! device addressed through another subscriber, an activation at the licence cap or with a
//! taken device id, an Exotel bulk whose every item fails, a clock set backwards. Most of them
//! aim at live data (a DELETE of a live subscriber with a 9 KB target, a create that would be
//! valid but for its content type), so that a check skipped by the server would change state.
//!
//! Targets are chosen at run time from what the valid answers showed so far ([`World`]):
//! the `pick` numbers of a step index the live subscribers, devices and Exotel names, so a
//! shrunk sequence still names things that exist. Failures shrink (proptest) to a minimal
//! sequence.

use std::io::Cursor;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use base64::Engine;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use provsim::config::FamilyId;
use serde_json::{Value, json};

use crate::support::{
    Answer, EXOTEL_ACCOUNTS, Harness, REQUEST_TIMEOUT_MS, VPN_TENANTS, rfc3339_in_offset,
};

/// Sequences tried per run.
const CASES_PER_RUN: u32 = 48;
/// Longest sequence of one case, valid and invalid steps together.
const MAX_STEPS_PER_CASE: usize = 30;
/// README, "Limits": `max_body_bytes`, `max_uri_bytes`, `max_header_bytes`, `max_headers`.
const MAX_BODY_BYTES: usize = 64 * 1024;
const MAX_URI_BYTES: usize = 8 * 1024;
const MAX_HEADER_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// Size of an oversized body: over `max_body_bytes`, and the rest of it a valid request.
const OVERSIZED_BODY_BYTES: usize = MAX_BODY_BYTES + 16 * 1024;
/// Size of the padding that makes a target too long (over `max_uri_bytes`).
const LONG_TARGET_PAD_BYTES: usize = MAX_URI_BYTES + 1_024;
/// One header value over `max_header_bytes`, but under hyper's hard bound on a head
/// (`max_uri_bytes + 2 × max_header_bytes`), so the family answers the 431 itself.
const BIG_HEADER_BYTES: usize = MAX_HEADER_BYTES + 4 * 1024;
/// Extra headers: more than `max_headers` with the client's own.
const N_EXTRA_HEADERS: usize = MAX_HEADERS + 6;

/// Orders valid creates and updates pick from: few, so that taken orders are frequent.
const ORDERS: [&str; 5] = ["ord-a", "ord-b", "ord-c", "ord-d", "demo-order-1"];
/// Licence keys a valid create picks from, when it sends one.
const LICENSE_KEYS: [&str; 2] = ["AB12-CD34-EF56-GH78", "ZZ99-YY88-XX77-WW66"];
/// The vpn bundle catalogue of the fixture.
const BUNDLES: [&str; 3] = ["basic", "premium", "family"];
/// Most licences a valid bundle holds: small, so that the licence cap is reached often.
const MAX_GENERATED_LICENSES: u32 = 3;
/// Exotel names valid requests pick from: few, so that duplicates are frequent.
const EXOTEL_NAMES: [&str; 8] = ["alice", "bob", "Bob", "carol7", "D4ve", "e", "frank", "gina"];
/// A valid Exotel name that no valid request uses, so it is never found.
const EXOTEL_ABSENT_NAME: &str = "nobody";
/// Most items of a valid bulk create (the seed allows 10).
const MAX_GENERATED_BULK_ITEMS: usize = 4;
/// The seed's most items per bulk request.
const MAX_BULK_ITEMS: usize = 10;
/// Longest Exotel `custom_field`, in characters.
const MAX_CUSTOM_FIELD_CHARS: usize = 255;
/// Longest vpn device name, in characters (`max_device_name_chars`).
const MAX_DEVICE_NAME_CHARS: usize = 64;
/// Longest clock step of a valid step.
const MAX_ADVANCE_SECONDS: u32 = 90;
/// The fixture's subscriber (tenant `telefonica`, order `demo-order-1`, 3 licences) and its
/// one device.
const FIXTURE_USER_ID: &str = "1000000001";
const FIXTURE_DEVICE_ID: &str = "0A1B2C3D4E5F";
const FIXTURE_LICENSES: u32 = 3;

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES_PER_RUN, ..ProptestConfig::default() })]

    #[test]
    fn invalid_requests_interleaved_with_valid_ones_change_nothing(
        steps in vec(step_strategy(), 1..=MAX_STEPS_PER_CASE)
    ) {
        check_case(&steps);
    }
}

/// The simulator that runs the valid steps alone.
fn valid_only() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::start)
}

/// The simulator that runs every step.
fn interleaved() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::start)
}

// ---- Steps ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub enum Step {
    Valid(Valid),
    /// `pick` and `n` choose the target and the variant at run time.
    Invalid {
        kind: Invalid,
        pick: usize,
        n: u32,
    },
}

/// A well-formed request. `pick` indexes the live subscribers, devices or Exotel names at
/// the time the step runs (modulo their number).
#[derive(Debug, Clone)]
pub enum Valid {
    VpnCreate {
        tenant: usize,
        order: usize,
        license_key: Option<usize>,
        bundle: usize,
        licenses: u32,
        price: Option<bool>,
    },
    VpnUpdate {
        pick: usize,
        order: usize,
        bundle: usize,
        licenses: u32,
    },
    VpnDelete {
        pick: usize,
    },
    VpnListDevices {
        pick: usize,
        query_token: bool,
    },
    VpnRename {
        pick: usize,
        name: String,
    },
    VpnDeleteDevice {
        pick: usize,
    },
    Activate {
        pick: usize,
        mobile: bool,
        name: Option<String>,
    },
    Link {
        pick: usize,
        connect: bool,
    },
    DaemonStatus {
        pick: Option<usize>,
    },
    ExotelBulk {
        account: usize,
        items: Vec<(usize, Option<String>)>,
    },
    ExotelUpdate {
        account: usize,
        pick: usize,
        active: bool,
        custom: Option<Option<String>>,
    },
    ExotelGet {
        account: usize,
        pick: usize,
    },
    ExotelDelete {
        account: usize,
        pick: usize,
    },
    ExotelList {
        account: usize,
        status: Option<bool>,
        page_size: Option<u8>,
        offset: Option<u8>,
    },
    ExotelToken {
        account: usize,
        pick: usize,
        ios: bool,
    },
    AdvanceClock {
        seconds: u32,
    },
}

/// A request the simulator must refuse, whatever the state; each kind names its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    // vpn, 400
    VpnMalformedJson,
    VpnWrongType,
    VpnMissingField,
    VpnBrokenField,
    VpnUpdateWithoutBundle,
    VpnBadDeviceName,
    VpnMalformedUserId,
    // vpn, 403/404/405
    VpnWrongCredentials,
    VpnOtherTenant,
    VpnUnknownUser,
    VpnUnknownDevice,
    VpnWrongMethod,
    // vpn, listener limits and content type
    VpnLongTarget,
    VpnBigHeader,
    VpnTooManyHeaders,
    VpnOversizedBody,
    VpnOversizedChunkedBody,
    VpnWrongContentType,
    // vpn, 409 (state-dependent)
    VpnOrderTaken,
    VpnLicenseKeyTaken,
    VpnDeviceOfAnotherSubscriber,
    // control plane
    ActivateBadBody,
    ActivateUnknown,
    ActivateConflict,
    ActivateWrongContentType,
    LinkUnknownDevice,
    ClockBackwards,
    AdvanceBadBody,
    // vpn-daemon
    DaemonBadQuery,
    // Exotel
    ExotelMalformedJson,
    ExotelWrongType,
    ExotelNoItems,
    ExotelTooManyItems,
    ExotelBadUpdate,
    ExotelBadToken,
    ExotelWrongCredentials,
    ExotelForeignSid,
    ExotelUnknownName,
    ExotelWrongMethod,
    ExotelLongTarget,
    ExotelTooManyHeaders,
    ExotelOversizedBody,
    ExotelWrongContentType,
    ExotelEveryItemFails,
}

impl Invalid {
    const ALL: [Invalid; 44] = [
        Invalid::VpnMalformedJson,
        Invalid::VpnWrongType,
        Invalid::VpnMissingField,
        Invalid::VpnBrokenField,
        Invalid::VpnUpdateWithoutBundle,
        Invalid::VpnBadDeviceName,
        Invalid::VpnMalformedUserId,
        Invalid::VpnWrongCredentials,
        Invalid::VpnOtherTenant,
        Invalid::VpnUnknownUser,
        Invalid::VpnUnknownDevice,
        Invalid::VpnWrongMethod,
        Invalid::VpnLongTarget,
        Invalid::VpnBigHeader,
        Invalid::VpnTooManyHeaders,
        Invalid::VpnOversizedBody,
        Invalid::VpnOversizedChunkedBody,
        Invalid::VpnWrongContentType,
        Invalid::VpnOrderTaken,
        Invalid::VpnLicenseKeyTaken,
        Invalid::VpnDeviceOfAnotherSubscriber,
        Invalid::ActivateBadBody,
        Invalid::ActivateUnknown,
        Invalid::ActivateConflict,
        Invalid::ActivateWrongContentType,
        Invalid::LinkUnknownDevice,
        Invalid::ClockBackwards,
        Invalid::AdvanceBadBody,
        Invalid::DaemonBadQuery,
        Invalid::ExotelMalformedJson,
        Invalid::ExotelWrongType,
        Invalid::ExotelNoItems,
        Invalid::ExotelTooManyItems,
        Invalid::ExotelBadUpdate,
        Invalid::ExotelBadToken,
        Invalid::ExotelWrongCredentials,
        Invalid::ExotelForeignSid,
        Invalid::ExotelUnknownName,
        Invalid::ExotelWrongMethod,
        Invalid::ExotelLongTarget,
        Invalid::ExotelTooManyHeaders,
        Invalid::ExotelOversizedBody,
        Invalid::ExotelWrongContentType,
        Invalid::ExotelEveryItemFails,
    ];
}

fn step_strategy() -> impl Strategy<Value = Step> {
    let invalid = (select(Invalid::ALL.to_vec()), any::<usize>(), any::<u32>())
        .prop_map(|(kind, pick, n)| Step::Invalid { kind, pick, n });
    prop_oneof![3 => valid_strategy().prop_map(Step::Valid), 2 => invalid]
}

fn valid_strategy() -> impl Strategy<Value = Valid> {
    let tenant = 0..VPN_TENANTS.len();
    let account = 0..EXOTEL_ACCOUNTS.len();
    let licenses = 1..=MAX_GENERATED_LICENSES;
    let create =
        (
            tenant,
            0..ORDERS.len(),
            option::weighted(0.3, 0..LICENSE_KEYS.len()),
            0..BUNDLES.len(),
            licenses.clone(),
            option::of(any::<bool>()),
        )
            .prop_map(|(tenant, order, license_key, bundle, licenses, price)| {
                Valid::VpnCreate { tenant, order, license_key, bundle, licenses, price }
            });
    let update = (any::<usize>(), 0..ORDERS.len(), 0..BUNDLES.len(), licenses).prop_map(
        |(pick, order, bundle, licenses)| Valid::VpnUpdate { pick, order, bundle, licenses },
    );
    let bulk = (
        account.clone(),
        vec((0..EXOTEL_NAMES.len(), option::of("[a-z ]{0,12}")), 1..=MAX_GENERATED_BULK_ITEMS),
    )
        .prop_map(|(account, items)| Valid::ExotelBulk { account, items });
    let exotel_update =
        (account.clone(), any::<usize>(), any::<bool>(), option::of(option::of("[a-z0-9]{0,12}")))
            .prop_map(|(account, pick, active, custom)| Valid::ExotelUpdate {
                account,
                pick,
                active,
                custom,
            });
    let list =
        (account.clone(), option::of(any::<bool>()), option::of(1..=4u8), option::of(0..=6u8))
            .prop_map(|(account, status, page_size, offset)| Valid::ExotelList {
                account,
                status,
                page_size,
                offset,
            });
    prop_oneof![
        4 => create,
        2 => update,
        1 => any::<usize>().prop_map(|pick| Valid::VpnDelete { pick }),
        1 => (any::<usize>(), any::<bool>())
            .prop_map(|(pick, query_token)| Valid::VpnListDevices { pick, query_token }),
        2 => (any::<usize>(), device_name_strategy())
            .prop_map(|(pick, name)| Valid::VpnRename { pick, name }),
        1 => any::<usize>().prop_map(|pick| Valid::VpnDeleteDevice { pick }),
        3 => (any::<usize>(), any::<bool>(), option::of(device_name_strategy()))
            .prop_map(|(pick, mobile, name)| Valid::Activate { pick, mobile, name }),
        1 => (any::<usize>(), any::<bool>())
            .prop_map(|(pick, connect)| Valid::Link { pick, connect }),
        1 => option::of(any::<usize>()).prop_map(|pick| Valid::DaemonStatus { pick }),
        4 => bulk,
        2 => exotel_update,
        1 => (account.clone(), any::<usize>())
            .prop_map(|(account, pick)| Valid::ExotelGet { account, pick }),
        1 => (account.clone(), any::<usize>())
            .prop_map(|(account, pick)| Valid::ExotelDelete { account, pick }),
        1 => list,
        1 => (account, any::<usize>(), any::<bool>())
            .prop_map(|(account, pick, ios)| Valid::ExotelToken { account, pick, ios }),
        1 => (1..=MAX_ADVANCE_SECONDS).prop_map(|seconds| Valid::AdvanceClock { seconds }),
    ]
}

/// Valid device names: a visible first character, then letters, digits, spaces and
/// apostrophes.
fn device_name_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ']{0,15}"
}

// ---- What the valid answers showed ---------------------------------------------------------

/// The live data as the valid answers of the current run showed it. Only valid answers
/// update it, so in both runs the same step sees the same world (or the answers already
/// differed and the case has failed).
#[derive(Debug, Clone)]
struct World {
    /// Every vpn subscriber created in the run, the fixture's first.
    subscribers: Vec<Sub>,
    /// Each Exotel account's live subscribers: name and whether it is active.
    exotel: [Vec<(String, bool)>; 2],
}

#[derive(Debug, Clone)]
struct Sub {
    tenant: usize,
    user_id: String,
    order: String,
    license_key: Option<String>,
    licenses: u32,
    devices: Vec<String>,
    alive: bool,
}

/// What a valid request does to the world when it succeeds.
#[derive(Debug, Clone)]
enum Effect {
    Nothing,
    Created { tenant: usize, order: String, license_key: Option<String>, licenses: u32 },
    Updated { sub_idx: usize, order: String, licenses: u32 },
    Deleted { sub_idx: usize },
    Activated { sub_idx: usize },
    DeviceDeleted { sub_idx: usize, device_id: String },
    ExotelCreated { account: usize },
    ExotelUpdated { account: usize, name: String },
    ExotelDeleted { account: usize, name: String },
}

impl World {
    fn fixture() -> World {
        World {
            subscribers: vec![Sub {
                tenant: 0,
                user_id: FIXTURE_USER_ID.into(),
                order: "demo-order-1".into(),
                license_key: None,
                licenses: FIXTURE_LICENSES,
                devices: vec![FIXTURE_DEVICE_ID.into()],
                alive: true,
            }],
            exotel: [Vec::new(), Vec::new()],
        }
    }

    /// Index of the `pick`-th live subscriber (modulo their number).
    fn live_sub(&self, pick: usize) -> Option<usize> {
        let live: Vec<usize> =
            (0..self.subscribers.len()).filter(|idx| self.subscribers[*idx].alive).collect();
        (!live.is_empty()).then(|| live[pick % live.len()])
    }

    /// `(subscriber index, device id)` of the `pick`-th live device.
    fn live_device(&self, pick: usize) -> Option<(usize, String)> {
        let live: Vec<(usize, String)> = self
            .subscribers
            .iter()
            .enumerate()
            .filter(|(_, s)| s.alive)
            .flat_map(|(idx, s)| s.devices.iter().map(move |d| (idx, d.clone())))
            .collect();
        (!live.is_empty()).then(|| live[pick % live.len()].clone())
    }

    /// `(subscriber index, holder index)`: two live subscribers of one tenant, the `pick`-th
    /// such pair; an update of the first to the holder's order is a 409.
    fn order_holder_pair(&self, pick: usize) -> Option<(usize, usize)> {
        let subs = &self.subscribers;
        let pairs: Vec<(usize, usize)> = (0..subs.len())
            .flat_map(|a| (0..subs.len()).map(move |b| (a, b)))
            .filter(|(a, b)| {
                let (sa, sb) = (&subs[*a], &subs[*b]);
                a != b && sa.alive && sb.alive && sa.tenant == sb.tenant
            })
            .collect();
        (!pairs.is_empty()).then(|| pairs[pick % pairs.len()])
    }

    /// `(owner index, other index, device id)`: the `pick`-th live device with another live
    /// subscriber of its tenant, through whom it can be (wrongly) addressed.
    fn misaddressed_device(&self, pick: usize) -> Option<(usize, usize, String)> {
        let subs = &self.subscribers;
        let triples: Vec<(usize, usize, String)> = (0..subs.len())
            .flat_map(|owner| (0..subs.len()).map(move |other| (owner, other)))
            .filter(|(owner, other)| {
                let (a, b) = (&subs[*owner], &subs[*other]);
                owner != other && a.alive && b.alive && a.tenant == b.tenant
            })
            .flat_map(|(owner, other)| {
                subs[owner].devices.iter().map(move |d| (owner, other, d.clone()))
            })
            .collect();
        (!triples.is_empty()).then(|| triples[pick % triples.len()].clone())
    }

    /// The `pick`-th live Exotel name of `account`.
    fn exotel_name(&self, account: usize, pick: usize) -> Option<(String, bool)> {
        let names = &self.exotel[account];
        (!names.is_empty()).then(|| names[pick % names.len()].clone())
    }

    fn apply(&mut self, effect: Effect, answer: &Answer) {
        match effect {
            Effect::Nothing => {}
            Effect::Created { tenant, order, license_key, licenses } if answer.status == 201 => {
                let user_id = answer.json()["id"].as_str().unwrap_or_default().to_owned();
                self.subscribers.push(Sub {
                    tenant,
                    user_id,
                    order,
                    license_key,
                    licenses,
                    devices: Vec::new(),
                    alive: true,
                });
            }
            Effect::Updated { sub_idx, order, licenses } if answer.status == 204 => {
                let sub = &mut self.subscribers[sub_idx];
                sub.order = order;
                sub.licenses = licenses;
            }
            Effect::Deleted { sub_idx } if answer.status == 204 => {
                let sub = &mut self.subscribers[sub_idx];
                sub.alive = false;
                sub.devices.clear();
            }
            Effect::Activated { sub_idx } if answer.status == 201 => {
                let device_id = answer.json()["device_id"].as_str().unwrap_or_default().to_owned();
                self.subscribers[sub_idx].devices.push(device_id);
            }
            Effect::DeviceDeleted { sub_idx, device_id } if answer.status == 200 => {
                self.subscribers[sub_idx].devices.retain(|d| *d != device_id);
            }
            Effect::ExotelCreated { account } if answer.status == 207 => {
                let body = answer.json();
                for item in body["response"].as_array().into_iter().flatten() {
                    if item["status"] == "success"
                        && let Some(name) = item["data"]["subscriber_name"].as_str()
                    {
                        self.exotel[account].push((name.to_owned(), true));
                    }
                }
            }
            Effect::ExotelUpdated { account, name } if answer.status == 200 => {
                let active = answer.json()["response"]["data"]["status"] == "active";
                for entry in &mut self.exotel[account] {
                    if entry.0 == name {
                        entry.1 = active;
                    }
                }
            }
            Effect::ExotelDeleted { account, name } if answer.status == 204 => {
                self.exotel[account].retain(|(n, _)| *n != name);
            }
            _ => {}
        }
    }
}

// ---- Requests ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Request {
    family: FamilyId,
    method: &'static str,
    /// Path and query, percent-encoded.
    target: String,
    headers: Vec<(String, String)>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    None,
    /// Sent as `application/json`.
    Json(Value),
    /// Sent as is, with this `Content-Type` (if any), with a `Content-Length` or chunked.
    Raw {
        content_type: Option<&'static str>,
        bytes: Vec<u8>,
        chunked: bool,
    },
}

impl Request {
    fn new(family: FamilyId, method: &'static str, target: impl Into<String>) -> Request {
        Request { family, method, target: target.into(), headers: Vec::new(), body: Body::None }
    }

    fn vpn(tenant: usize, method: &'static str, target: impl Into<String>) -> Request {
        Request::new(FamilyId::Vpn, method, target)
            .header("authorization", format!("Bearer {}", VPN_TENANTS[tenant].key))
    }

    fn exotel(account: usize, method: &'static str, target: impl Into<String>) -> Request {
        Request::new(FamilyId::Exotel, method, target)
            .header("authorization", EXOTEL_ACCOUNTS[account].authorization())
    }

    fn control(method: &'static str, target: impl Into<String>) -> Request {
        Request::new(FamilyId::Control, method, target)
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Replaces every header named `name`.
    fn replace_header(mut self, name: &str, value: Option<String>) -> Request {
        self.headers.retain(|(n, _)| n != name);
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    fn json(mut self, body: Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    fn raw(mut self, content_type: Option<&'static str>, bytes: impl Into<Vec<u8>>) -> Request {
        self.body = Body::Raw { content_type, bytes: bytes.into(), chunked: false };
        self
    }

    /// Appends `&pad=...` (or `?pad=...`) that takes the target over `max_uri_bytes`.
    fn long_target(mut self) -> Request {
        let separator = if self.target.contains('?') { '&' } else { '?' };
        self.target =
            format!("{}{separator}pad={}", self.target, "a".repeat(LONG_TARGET_PAD_BYTES));
        self
    }

    /// The body, JSON or raw, padded past `max_body_bytes` with an unknown field (which the
    /// families ignore: only the size makes this request invalid).
    fn oversized(mut self, chunked: bool) -> Request {
        let mut body = match &self.body {
            Body::Json(value) => value.clone(),
            _ => json!({}),
        };
        body["pad"] = json!("p".repeat(OVERSIZED_BODY_BYTES));
        self.body = Body::Raw {
            content_type: Some("application/json"),
            bytes: body.to_string().into_bytes(),
            chunked,
        };
        self
    }

    /// The JSON body sent with another content type.
    fn content_type(mut self, content_type: &'static str) -> Request {
        let bytes = match &self.body {
            Body::Json(value) => value.to_string().into_bytes(),
            Body::Raw { bytes, .. } => bytes.clone(),
            Body::None => Vec::new(),
        };
        self.body = Body::Raw { content_type: Some(content_type), bytes, chunked: false };
        self
    }

    fn describe(&self) -> String {
        let target = if self.target.len() > 120 {
            let start: String = self.target.chars().take(120).collect();
            format!("{start}...({} bytes)", self.target.len())
        } else {
            self.target.clone()
        };
        let body = match &self.body {
            Body::None => String::new(),
            Body::Json(value) => format!(" {value}"),
            Body::Raw { content_type, bytes, chunked } => {
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(160)]).into_owned();
                format!(" [{content_type:?}, {} bytes, chunked: {chunked}] {text}", bytes.len())
            }
        };
        let big_headers = self.headers.iter().filter(|(_, v)| v.len() > 200).count();
        format!(
            "{} {} {target} ({} headers, {big_headers} over 200 bytes){body}",
            self.family.name(),
            self.method,
            self.headers.len()
        )
    }
}

/// A blocking client that sends any [`Request`], bodies of any bytes and any content type
/// included (the harness's own client sends JSON only).
///
/// Invalid requests go on a connection of their own: a 413 closes its connection (it now says
/// so with `Connection: close`, tested in `simulator/tests/it/limits.rs`), and fresh
/// connections keep this suite about state, not connection reuse.
struct Client {
    /// Keep-alive connections, for valid requests.
    pooled: ureq::Agent,
    /// A new connection per request, for invalid ones.
    fresh: ureq::Agent,
}

impl Client {
    fn new() -> Client {
        let agent = |max_idle_connections: usize| -> ureq::Agent {
            ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_millis(REQUEST_TIMEOUT_MS)))
                .http_status_as_error(false)
                .max_idle_connections(max_idle_connections)
                .max_idle_connections_per_host(max_idle_connections)
                .build()
                .into()
        };
        Client { pooled: agent(4), fresh: agent(0) }
    }

    /// # Panics
    /// When no answer arrives (a refused connection, a timeout): a hang is a failure.
    fn send(&self, harness: &Harness, request: &Request, fresh_connection: bool) -> Answer {
        let agent = if fresh_connection { &self.fresh } else { &self.pooled };
        let url = format!("{}{}", harness.url(request.family), request.target);
        let mut builder = ureq::http::Request::builder().method(request.method).uri(url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let result = match &request.body {
            Body::None => builder.body(()).map(|r| agent.run(r)),
            Body::Json(value) => builder
                .header("content-type", "application/json")
                .body(value.to_string().into_bytes())
                .map(|r| agent.run(r)),
            Body::Raw { content_type, bytes, chunked } => {
                if let Some(content_type) = content_type {
                    builder = builder.header("content-type", *content_type);
                }
                if *chunked {
                    let reader = ureq::SendBody::from_owned_reader(Cursor::new(bytes.clone()));
                    builder.body(reader).map(|r| agent.run(r))
                } else {
                    builder.body(bytes.clone()).map(|r| agent.run(r))
                }
            }
        };
        let what = request.describe();
        let response = result
            .unwrap_or_else(|e| panic!("{what}: the request cannot be built: {e}"))
            .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .read_to_vec()
            .unwrap_or_else(|e| panic!("{what}: status {status}, unreadable body: {e}"));
        Answer { status, body }
    }
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(Client::new)
}

/// A user id no subscriber can have (generated ids have ten digits).
fn unknown_user_id(n: u32) -> String {
    (u64::from(n % 999_999_999) + 1).to_string()
}

/// A device id no device can have (generated ids have twelve hex digits).
fn unknown_device_id(n: u32) -> String {
    format!("{:X}", (1u64 << 48) + u64::from(n))
}

/// A valid `POST /subscribers` body.
fn create_body(order: &str, license_key: Option<&str>, bundle: &str, licenses: u32) -> Value {
    let mut body = json!({
        "order": order,
        "id_hub": "hub7",
        "ob": "movistar",
        "name": "hub7@movistar",
        "password": "+34600999888",
        "bundle": {"id": bundle, "licenses": licenses},
        "locale": "en-US",
    });
    if let Some(key) = license_key {
        body["license_key"] = json!(key);
    }
    body
}

/// An order no valid step uses, so a create with it would succeed but for its flaw.
fn fresh_order(n: u32) -> String {
    format!("fresh-{n}")
}

fn exotel_subscribers(sid: &str) -> String {
    format!("/v2/accounts/{sid}/subscribers")
}

fn exotel_subscriber(sid: &str, name: &str) -> String {
    format!("/v2/accounts/{sid}/subscribers/{name}")
}

/// Bulk items with every pool name once: all valid, so a create of them would succeed but for
/// the request's flaw.
fn fresh_bulk_items(n_items: usize) -> Vec<Value> {
    (0..n_items)
        .map(|idx| match EXOTEL_NAMES.get(idx) {
            Some(name) => json!({ "subscriber_name": name }),
            None => json!({ "subscriber_name": format!("extra{idx}") }),
        })
        .collect()
}

impl Valid {
    /// The request, and what it does to the world if it succeeds.
    fn resolve(&self, world: &World) -> (Request, Effect) {
        match self {
            Valid::VpnCreate { tenant, order, license_key, bundle, licenses, price } => {
                let mut body = create_body(
                    ORDERS[*order],
                    license_key.map(|k| LICENSE_KEYS[k]),
                    BUNDLES[*bundle],
                    *licenses,
                );
                match price {
                    Some(true) => body["price"] = json!(9.99),
                    Some(false) => body["price"] = json!("12.50"),
                    None => {}
                }
                let effect = Effect::Created {
                    tenant: *tenant,
                    order: ORDERS[*order].to_owned(),
                    license_key: license_key.map(|k| LICENSE_KEYS[k].to_owned()),
                    licenses: *licenses,
                };
                (Request::vpn(*tenant, "POST", "/subscribers").json(body), effect)
            }
            Valid::VpnUpdate { pick, order, bundle, licenses } => {
                let body = json!({
                    "order": ORDERS[*order],
                    "bundle": {"id": BUNDLES[*bundle], "licenses": licenses},
                });
                match world.live_sub(*pick) {
                    Some(idx) => {
                        let sub = &world.subscribers[idx];
                        let request = Request::vpn(
                            sub.tenant,
                            "POST",
                            format!("/subscribers/{}", sub.user_id),
                        )
                        .json(body);
                        let effect = Effect::Updated {
                            sub_idx: idx,
                            order: ORDERS[*order].to_owned(),
                            licenses: *licenses,
                        };
                        (request, effect)
                    }
                    None => {
                        let target = format!("/subscribers/{}", unknown_user_id(0));
                        (Request::vpn(0, "POST", target).json(body), Effect::Nothing)
                    }
                }
            }
            Valid::VpnDelete { pick } => match world.live_sub(*pick) {
                Some(idx) => {
                    let sub = &world.subscribers[idx];
                    let target = format!("/subscribers/{}", sub.user_id);
                    (Request::vpn(sub.tenant, "DELETE", target), Effect::Deleted { sub_idx: idx })
                }
                None => {
                    let target = format!("/subscribers/{}", unknown_user_id(0));
                    (Request::vpn(0, "DELETE", target), Effect::Nothing)
                }
            },
            Valid::VpnListDevices { pick, query_token } => {
                let (tenant, user_id) = match world.live_sub(*pick) {
                    Some(idx) => {
                        (world.subscribers[idx].tenant, world.subscribers[idx].user_id.clone())
                    }
                    None => (0, unknown_user_id(0)),
                };
                let target = format!("/subscribers/{user_id}/devices");
                let request = if *query_token {
                    let target = format!("{target}?access_token={}", VPN_TENANTS[tenant].key);
                    Request::new(FamilyId::Vpn, "GET", target)
                } else {
                    Request::vpn(tenant, "GET", target)
                };
                (request, Effect::Nothing)
            }
            Valid::VpnRename { pick, name } => {
                let (tenant, target) = match world.live_device(*pick) {
                    Some((idx, device_id)) => {
                        let sub = &world.subscribers[idx];
                        (sub.tenant, format!("/subscribers/{}/devices/{device_id}", sub.user_id))
                    }
                    None => {
                        (0, format!("/subscribers/{FIXTURE_USER_ID}/devices/{FIXTURE_DEVICE_ID}"))
                    }
                };
                let request = Request::vpn(tenant, "POST", target).json(json!({ "name": name }));
                (request, Effect::Nothing)
            }
            Valid::VpnDeleteDevice { pick } => match world.live_device(*pick) {
                Some((idx, device_id)) => {
                    let sub = &world.subscribers[idx];
                    let target = format!("/subscribers/{}/devices/{device_id}", sub.user_id);
                    let effect = Effect::DeviceDeleted { sub_idx: idx, device_id };
                    (Request::vpn(sub.tenant, "DELETE", target), effect)
                }
                None => {
                    let target =
                        format!("/subscribers/{FIXTURE_USER_ID}/devices/{}", unknown_device_id(0));
                    (Request::vpn(0, "DELETE", target), Effect::Nothing)
                }
            },
            Valid::Activate { pick, mobile, name } => {
                let mut body = json!({ "type": if *mobile { "mobile" } else { "desktop" } });
                if let Some(name) = name {
                    body["name"] = json!(name);
                }
                match world.live_sub(*pick) {
                    Some(idx) => {
                        let sub = &world.subscribers[idx];
                        let target = format!(
                            "/_sim/vpn/tenants/{}/subscribers/{}/devices",
                            VPN_TENANTS[sub.tenant].name, sub.user_id
                        );
                        let effect = Effect::Activated { sub_idx: idx };
                        (Request::control("POST", target).json(body), effect)
                    }
                    None => {
                        let target = format!(
                            "/_sim/vpn/tenants/{}/subscribers/{}/devices",
                            VPN_TENANTS[0].name,
                            unknown_user_id(0)
                        );
                        (Request::control("POST", target).json(body), Effect::Nothing)
                    }
                }
            }
            Valid::Link { pick, connect } => {
                let device_id = world
                    .live_device(*pick)
                    .map_or_else(|| unknown_device_id(0), |(_, device_id)| device_id);
                let verb = if *connect { "connect" } else { "disconnect" };
                let target = format!("/_sim/vpn/devices/{device_id}/{verb}");
                (Request::control("POST", target), Effect::Nothing)
            }
            Valid::DaemonStatus { pick } => {
                let mut target = "/config/status.js?func=cb".to_owned();
                if let Some((_, device_id)) = pick.and_then(|pick| world.live_device(pick)) {
                    target.push_str(&format!("&device_id={device_id}"));
                }
                (Request::new(FamilyId::VpnDaemon, "GET", target), Effect::Nothing)
            }
            Valid::ExotelBulk { account, items } => {
                let items: Vec<Value> = items
                    .iter()
                    .map(|(name, custom)| {
                        let mut item = json!({ "subscriber_name": EXOTEL_NAMES[*name] });
                        if let Some(custom) = custom {
                            item["custom_field"] = json!(custom);
                        }
                        item
                    })
                    .collect();
                let target = exotel_subscribers(EXOTEL_ACCOUNTS[*account].sid);
                let request =
                    Request::exotel(*account, "POST", target).json(json!({ "subscribers": items }));
                (request, Effect::ExotelCreated { account: *account })
            }
            Valid::ExotelUpdate { account, pick, active, custom } => {
                let name = exotel_name_or_pool(world, *account, *pick);
                let mut body = json!({ "status": if *active { "active" } else { "inactive" } });
                if let Some(custom) = custom {
                    body["custom_field"] = json!(custom);
                }
                let target = exotel_subscriber(EXOTEL_ACCOUNTS[*account].sid, &name);
                let request = Request::exotel(*account, "PUT", target).json(body);
                (request, Effect::ExotelUpdated { account: *account, name })
            }
            Valid::ExotelGet { account, pick } => {
                let name = exotel_name_or_pool(world, *account, *pick);
                let target = exotel_subscriber(EXOTEL_ACCOUNTS[*account].sid, &name);
                (Request::exotel(*account, "GET", target), Effect::Nothing)
            }
            Valid::ExotelDelete { account, pick } => {
                let name = exotel_name_or_pool(world, *account, *pick);
                let target = exotel_subscriber(EXOTEL_ACCOUNTS[*account].sid, &name);
                let effect = Effect::ExotelDeleted { account: *account, name };
                (Request::exotel(*account, "DELETE", target), effect)
            }
            Valid::ExotelList { account, status, page_size, offset } => {
                let mut query = Vec::new();
                if let Some(active) = status {
                    query.push(format!("status={}", if *active { "active" } else { "inactive" }));
                }
                if let Some(page_size) = page_size {
                    query.push(format!("page_size={page_size}"));
                }
                if let Some(offset) = offset {
                    query.push(format!("offset={offset}"));
                }
                let mut target = exotel_subscribers(EXOTEL_ACCOUNTS[*account].sid);
                if !query.is_empty() {
                    target = format!("{target}?{}", query.join("&"));
                }
                (Request::exotel(*account, "GET", target), Effect::Nothing)
            }
            Valid::ExotelToken { account, pick, ios } => {
                let name = exotel_name_or_pool(world, *account, *pick);
                let body = json!({
                    "platform": if *ios { "ios" } else { "android" },
                    "device_id": format!("dev-{pick}"),
                    "subscriber_name": name,
                });
                let target =
                    format!("/v2/accounts/{}/subscriber-token", EXOTEL_ACCOUNTS[*account].sid);
                (Request::exotel(*account, "POST", target).json(body), Effect::Nothing)
            }
            Valid::AdvanceClock { seconds } => {
                let request = Request::control("POST", "/_sim/clock/advance")
                    .json(json!({ "seconds": seconds }));
                (request, Effect::Nothing)
            }
        }
    }
}

/// A live name of the account, or a pool name (perhaps absent: a 404, in both runs alike).
fn exotel_name_or_pool(world: &World, account: usize, pick: usize) -> String {
    world
        .exotel_name(account, pick)
        .map_or_else(|| EXOTEL_NAMES[pick % EXOTEL_NAMES.len()].to_owned(), |(name, _)| name)
}

/// What an invalid request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Status(u16),
    /// Exotel's bulk contract: 207, with every item failed.
    BulkWithEveryItemFailed,
}

impl Invalid {
    /// The request and the refusal it must get, aimed at live data where there is some.
    fn resolve(self, world: &World, pick: usize, n: u32) -> (Request, Refusal) {
        use Refusal::Status;
        // A live subscriber (or the fixture's id, perhaps deleted: the refusal comes first).
        let (tenant, user_id) = match world.live_sub(pick) {
            Some(idx) => (world.subscribers[idx].tenant, world.subscribers[idx].user_id.clone()),
            None => (0, FIXTURE_USER_ID.to_owned()),
        };
        let subscriber = format!("/subscribers/{user_id}");
        let device = match world.live_device(pick) {
            Some((idx, device_id)) => (
                world.subscribers[idx].tenant,
                format!("/subscribers/{}/devices/{device_id}", world.subscribers[idx].user_id),
            ),
            None => (0, format!("/subscribers/{FIXTURE_USER_ID}/devices/{FIXTURE_DEVICE_ID}")),
        };
        let valid_create = create_body(&fresh_order(n), None, "premium", 2);
        let account = pick % EXOTEL_ACCOUNTS.len();
        let sid = EXOTEL_ACCOUNTS[account].sid;
        let exotel_name = world
            .exotel_name(account, pick)
            .map_or_else(|| EXOTEL_NAMES[0].to_owned(), |(name, _)| name);
        let fresh_bulk = json!({ "subscribers": fresh_bulk_items(3) });
        let variant = n % 4;
        match self {
            Invalid::VpnMalformedJson => {
                let request = match variant {
                    0 => Request::vpn(tenant, "POST", "/subscribers").raw(None, r#"{"order":"#),
                    1 => Request::vpn(tenant, "POST", subscriber)
                        .raw(Some("application/json"), r#"{"order": "ord-z", "bundle": }"#),
                    2 => Request::vpn(device.0, "POST", device.1)
                        .raw(Some("application/json"), r#"{"name": "x",}"#),
                    _ => Request::vpn(tenant, "POST", "/subscribers")
                        .raw(Some("application/json"), Vec::from(&b"\xff\xfe{}"[..])),
                };
                (request, Status(400))
            }
            Invalid::VpnWrongType => {
                let mut body = valid_create;
                match variant {
                    0 => body["bundle"]["licenses"] = json!("2"),
                    1 => body["order"] = json!(5),
                    2 => body["bundle"] = json!(["premium", 2]),
                    _ => body["bundle"]["licenses"] = json!(1.5),
                }
                (Request::vpn(tenant, "POST", "/subscribers").json(body), Status(400))
            }
            Invalid::VpnMissingField => {
                let mut body = valid_create;
                let fields = ["order", "id_hub", "ob", "name", "password", "bundle", "locale"];
                if let Some(object) = body.as_object_mut() {
                    object.remove(fields[n as usize % fields.len()]);
                }
                (Request::vpn(tenant, "POST", "/subscribers").json(body), Status(400))
            }
            Invalid::VpnBrokenField => {
                let mut body = valid_create;
                match n % 8 {
                    0 => body["bundle"]["licenses"] = json!(0),
                    1 => body["bundle"]["licenses"] = json!(1_001),
                    2 => body["name"] = json!("hub7@elsewhere"),
                    3 => body["locale"] = json!("en_US"),
                    4 => body["bundle"]["id"] = json!("gold"),
                    5 => body["license_key"] = json!("ab12-cd34"),
                    6 => body["password"] = json!("12ab"),
                    _ => body["order"] = json!("o".repeat(129)),
                }
                (Request::vpn(tenant, "POST", "/subscribers").json(body), Status(400))
            }
            Invalid::VpnUpdateWithoutBundle => {
                let body = match variant {
                    0 => json!({ "order": "ord-z" }),
                    1 => json!({ "bundle": {"id": "premium", "licenses": 2} }),
                    2 => json!({ "order": "", "bundle": {"id": "premium", "licenses": 2} }),
                    _ => json!({ "order": "ord-z", "bundle": {"id": "premium", "licenses": -1} }),
                };
                (Request::vpn(tenant, "POST", subscriber).json(body), Status(400))
            }
            Invalid::VpnBadDeviceName => {
                let name = match variant {
                    0 => String::new(),
                    1 => "   ".to_owned(),
                    2 => "x".repeat(MAX_DEVICE_NAME_CHARS + 1),
                    _ => "tab\there".to_owned(),
                };
                (
                    Request::vpn(device.0, "POST", device.1).json(json!({ "name": name })),
                    Status(400),
                )
            }
            Invalid::VpnMalformedUserId => {
                let bad = ["abc", "0123", "1234567890123456789", "-5"][variant as usize];
                let request = if n.is_multiple_of(2) {
                    Request::vpn(tenant, "DELETE", format!("/subscribers/{bad}"))
                } else {
                    Request::vpn(tenant, "POST", format!("/subscribers/{bad}")).json(json!({
                        "order": "ord-z", "bundle": {"id": "premium", "licenses": 2}
                    }))
                };
                (request, Status(400))
            }
            Invalid::VpnWrongCredentials => {
                let authorization = match variant {
                    0 => None,
                    1 => Some("Bearer wrong-key".to_owned()),
                    2 => Some(format!("Basic {}", VPN_TENANTS[tenant].key)),
                    _ => Some(format!("bearer{}", VPN_TENANTS[tenant].key)),
                };
                let request = match n % 3 {
                    0 => Request::vpn(tenant, "DELETE", subscriber),
                    1 => Request::vpn(device.0, "DELETE", device.1),
                    _ => Request::vpn(tenant, "POST", "/subscribers").json(valid_create),
                };
                (request.replace_header("authorization", authorization), Status(403))
            }
            Invalid::VpnOtherTenant => {
                let other = 1 - tenant;
                let request = match variant {
                    0 => Request::vpn(other, "DELETE", subscriber),
                    1 => Request::vpn(1 - device.0, "DELETE", device.1),
                    2 => Request::vpn(1 - device.0, "POST", device.1).json(json!({"name": "mine"})),
                    _ => Request::vpn(other, "POST", subscriber).json(json!({
                        "order": "ord-z", "bundle": {"id": "premium", "licenses": 2}
                    })),
                };
                (request, Status(404))
            }
            Invalid::VpnUnknownUser => {
                let target = format!("/subscribers/{}", unknown_user_id(n));
                let request = match variant {
                    0 => Request::vpn(tenant, "DELETE", target),
                    1 => Request::vpn(tenant, "GET", format!("{target}/devices")),
                    2 => Request::vpn(tenant, "POST", target).json(json!({
                        "order": "ord-z", "bundle": {"id": "premium", "licenses": 2}
                    })),
                    _ => Request::vpn(
                        tenant,
                        "DELETE",
                        format!("{target}/devices/{FIXTURE_DEVICE_ID}"),
                    ),
                };
                (request, Status(404))
            }
            Invalid::VpnUnknownDevice => {
                let target = format!("{subscriber}/devices/{}", unknown_device_id(n));
                let request = if n.is_multiple_of(2) {
                    Request::vpn(tenant, "DELETE", target)
                } else {
                    Request::vpn(tenant, "POST", target).json(json!({ "name": "ghost" }))
                };
                (request, Status(404))
            }
            Invalid::VpnWrongMethod => {
                let request = match variant {
                    0 => Request::vpn(tenant, "PUT", "/subscribers").json(valid_create),
                    1 => {
                        Request::vpn(tenant, "PATCH", subscriber).json(json!({ "order": "ord-z" }))
                    }
                    2 => Request::vpn(tenant, "GET", subscriber),
                    _ => Request::vpn(device.0, "PUT", device.1).json(json!({ "name": "x" })),
                };
                (request, Status(405))
            }
            Invalid::VpnLongTarget => {
                let request = match variant {
                    0 | 1 => Request::vpn(tenant, "DELETE", subscriber),
                    2 => Request::vpn(device.0, "DELETE", device.1),
                    _ => Request::vpn(tenant, "POST", "/subscribers").json(valid_create),
                };
                (request.long_target(), Status(414))
            }
            Invalid::VpnBigHeader => {
                let request = if n.is_multiple_of(2) {
                    Request::vpn(tenant, "DELETE", subscriber)
                } else {
                    Request::vpn(tenant, "POST", "/subscribers").json(valid_create)
                };
                (request.header("x-big", "b".repeat(BIG_HEADER_BYTES)), Status(431))
            }
            Invalid::VpnTooManyHeaders => {
                let mut request = if n.is_multiple_of(2) {
                    Request::vpn(device.0, "DELETE", device.1)
                } else {
                    Request::vpn(tenant, "DELETE", subscriber)
                };
                for idx in 0..N_EXTRA_HEADERS {
                    request = request.header(&format!("x-extra-{idx}"), "1");
                }
                (request, Status(431))
            }
            Invalid::VpnOversizedBody | Invalid::VpnOversizedChunkedBody => {
                let chunked = self == Invalid::VpnOversizedChunkedBody;
                let request = if n.is_multiple_of(2) {
                    Request::vpn(tenant, "POST", "/subscribers").json(valid_create)
                } else {
                    Request::vpn(device.0, "POST", device.1).json(json!({ "name": "big" }))
                };
                (request.oversized(chunked), Status(413))
            }
            Invalid::VpnWrongContentType => {
                let content_type = [
                    "text/plain",
                    "application/x-www-form-urlencoded",
                    "application/xml",
                    "multipart/form-data; boundary=x",
                ][variant as usize];
                let request = if n.is_multiple_of(2) {
                    Request::vpn(tenant, "POST", "/subscribers").json(valid_create)
                } else {
                    Request::vpn(device.0, "POST", device.1).json(json!({ "name": "typed" }))
                };
                (request.content_type(content_type), Status(415))
            }
            Invalid::VpnOrderTaken => {
                // An update to another live subscriber's order, or a create with a live order.
                if n % 2 == 1
                    && let Some((idx, holder)) = world.order_holder_pair(pick)
                {
                    let (sub, holder) = (&world.subscribers[idx], &world.subscribers[holder]);
                    let body = json!({
                        "order": holder.order,
                        "bundle": {"id": "family", "licenses": MAX_GENERATED_LICENSES + 1},
                    });
                    let target = format!("/subscribers/{}", sub.user_id);
                    return (Request::vpn(sub.tenant, "POST", target).json(body), Status(409));
                }
                match world.live_sub(pick) {
                    Some(idx) => {
                        let sub = &world.subscribers[idx];
                        let body = create_body(&sub.order, None, "basic", 1);
                        (Request::vpn(sub.tenant, "POST", "/subscribers").json(body), Status(409))
                    }
                    None => unknown_user_fallback(n),
                }
            }
            Invalid::VpnLicenseKeyTaken => {
                let holders: Vec<&Sub> = world
                    .subscribers
                    .iter()
                    .filter(|s| s.alive && s.license_key.is_some())
                    .collect();
                match holders.get(pick % holders.len().max(1)) {
                    Some(sub) => {
                        let body =
                            create_body(&fresh_order(n), sub.license_key.as_deref(), "basic", 1);
                        (Request::vpn(sub.tenant, "POST", "/subscribers").json(body), Status(409))
                    }
                    None => unknown_user_fallback(n),
                }
            }
            Invalid::VpnDeviceOfAnotherSubscriber => {
                // A device addressed through another live subscriber of its tenant: 409.
                match world.misaddressed_device(pick) {
                    Some((owner, other, device_id)) => {
                        let tenant = world.subscribers[owner].tenant;
                        let target = format!(
                            "/subscribers/{}/devices/{device_id}",
                            world.subscribers[other].user_id
                        );
                        let request = if n.is_multiple_of(2) {
                            Request::vpn(tenant, "DELETE", target)
                        } else {
                            Request::vpn(tenant, "POST", target).json(json!({ "name": "stolen" }))
                        };
                        (request, Status(409))
                    }
                    None => unknown_user_fallback(n),
                }
            }
            Invalid::ActivateBadBody => {
                let target = format!(
                    "/_sim/vpn/tenants/{}/subscribers/{user_id}/devices",
                    VPN_TENANTS[tenant].name
                );
                let request = match variant {
                    0 => Request::control("POST", target).json(json!({ "type": "tablet" })),
                    1 => Request::control("POST", target)
                        .json(json!({ "type": "mobile", "name": "" })),
                    2 => Request::control("POST", target)
                        .json(json!({ "type": "mobile", "device_id": "not-hex" })),
                    _ => Request::control("POST", target)
                        .raw(Some("application/json"), r#"{"type":"#),
                };
                (request, Status(400))
            }
            Invalid::ActivateUnknown => {
                let target = if n.is_multiple_of(2) {
                    format!("/_sim/vpn/tenants/nosuchtenant/subscribers/{user_id}/devices")
                } else {
                    format!(
                        "/_sim/vpn/tenants/{}/subscribers/{}/devices",
                        VPN_TENANTS[tenant].name,
                        unknown_user_id(n)
                    )
                };
                (Request::control("POST", target).json(json!({ "type": "mobile" })), Status(404))
            }
            Invalid::ActivateConflict => {
                let at_cap = world
                    .subscribers
                    .iter()
                    .find(|s| s.alive && s.devices.len() >= s.licenses as usize);
                let taken = world.live_device(pick);
                let (sub, device_id) = match (at_cap, taken, n % 2) {
                    (Some(sub), _, 0) | (Some(sub), None, _) => (sub, None),
                    (_, Some((_, device_id)), _) => match world.live_sub(pick + 1) {
                        Some(idx) => (&world.subscribers[idx], Some(device_id)),
                        None => return unknown_user_fallback(n),
                    },
                    (None, None, _) => return unknown_user_fallback(n),
                };
                let target = format!(
                    "/_sim/vpn/tenants/{}/subscribers/{}/devices",
                    VPN_TENANTS[sub.tenant].name, sub.user_id
                );
                let mut body = json!({ "type": "mobile" });
                if let Some(device_id) = device_id {
                    body["device_id"] = json!(device_id);
                }
                (Request::control("POST", target).json(body), Status(409))
            }
            Invalid::ActivateWrongContentType => {
                let target = format!(
                    "/_sim/vpn/tenants/{}/subscribers/{user_id}/devices",
                    VPN_TENANTS[tenant].name
                );
                let request = Request::control("POST", target)
                    .json(json!({ "type": "mobile" }))
                    .content_type("text/plain");
                (request, Status(415))
            }
            Invalid::LinkUnknownDevice => {
                let verb = if n.is_multiple_of(2) { "connect" } else { "disconnect" };
                let target = format!("/_sim/vpn/devices/{}/{verb}", unknown_device_id(n));
                (Request::control("POST", target), Status(404))
            }
            Invalid::ClockBackwards => {
                let request = Request::control("PUT", "/_sim/clock")
                    .json(json!({ "now": "2020-01-01T00:00:00Z" }));
                (request, Status(409))
            }
            Invalid::AdvanceBadBody => {
                let body = match variant {
                    0 => json!({ "seconds": 5, "ms": 5 }),
                    1 => json!({}),
                    2 => json!({ "seconds": "5" }),
                    _ => json!({ "seconds": -5 }),
                };
                (Request::control("POST", "/_sim/clock/advance").json(body), Status(400))
            }
            Invalid::DaemonBadQuery => {
                let (target, status) = match variant {
                    0 => ("/config/status.js?func=alert(1)//".to_owned(), 400),
                    1 => ("/config/status.js?func=cb&device_id=xyz".to_owned(), 400),
                    2 => (format!("/config/status.js?device_id={}", unknown_device_id(n)), 404),
                    _ => (format!("/config/status.js?func={}", "f".repeat(129)), 400),
                };
                (Request::new(FamilyId::VpnDaemon, "GET", target), Status(status))
            }
            Invalid::ExotelMalformedJson => {
                let bytes = match variant {
                    0 => r#"{"subscribers":[{"subscriber_name":"alice"},]}"#,
                    1 => r#"{"subscribers":[{"subscriber_name":"alice"}"#,
                    2 => "",
                    _ => "subscribers=alice",
                };
                let request = Request::exotel(account, "POST", exotel_subscribers(sid))
                    .raw(Some("application/json"), bytes);
                (request, Status(400))
            }
            Invalid::ExotelWrongType => {
                let mut items = fresh_bulk_items(3);
                let body = match variant {
                    0 => {
                        items.push(json!({ "subscriber_name": 5 }));
                        json!({ "subscribers": items })
                    }
                    1 => Value::Array(items),
                    2 => {
                        items.push(json!({ "subscriber_name": "ok", "custom_field": 7 }));
                        json!({ "subscribers": items })
                    }
                    _ => json!({ "subscribers": "alice" }),
                };
                let request = Request::exotel(account, "POST", exotel_subscribers(sid)).json(body);
                (request, Status(400))
            }
            Invalid::ExotelNoItems => {
                let body = [
                    json!({}),
                    json!({ "subscribers": [] }),
                    json!({ "subscribers": null }),
                    json!({ "other": [] }),
                ][variant as usize]
                    .clone();
                let request = Request::exotel(account, "POST", exotel_subscribers(sid)).json(body);
                (request, Status(400))
            }
            Invalid::ExotelTooManyItems => {
                let body = json!({ "subscribers": fresh_bulk_items(MAX_BULK_ITEMS + 1 + variant as usize) });
                let request = Request::exotel(account, "POST", exotel_subscribers(sid)).json(body);
                (request, Status(400))
            }
            Invalid::ExotelBadUpdate => {
                let body = match variant {
                    0 => json!({ "custom_field": "no status" }),
                    1 => json!({ "status": "Active" }),
                    2 => {
                        json!({ "status": "active", "custom_field": "c".repeat(MAX_CUSTOM_FIELD_CHARS + 1) })
                    }
                    _ => json!({ "status": true }),
                };
                let request = Request::exotel(account, "PUT", exotel_subscriber(sid, &exotel_name))
                    .json(body);
                (request, Status(400))
            }
            Invalid::ExotelBadToken => {
                let inactive = world.exotel[account].iter().find(|(_, active)| !active);
                let body = match (inactive, variant) {
                    (Some((name, _)), 0 | 1) => {
                        json!({ "platform": "android", "device_id": "d1", "subscriber_name": name })
                    }
                    (_, 2) => json!({ "platform": "android", "subscriber_name": exotel_name }),
                    _ => {
                        json!({ "platform": "windows", "device_id": "d1", "subscriber_name": exotel_name })
                    }
                };
                let target = format!("/v2/accounts/{sid}/subscriber-token");
                (Request::exotel(account, "POST", target).json(body), Status(400))
            }
            Invalid::ExotelWrongCredentials => {
                let authorization = match variant {
                    0 => None,
                    1 => Some(format!("Bearer {}", EXOTEL_ACCOUNTS[account].api_key)),
                    2 => {
                        let pair = format!("{}:wrong-token", EXOTEL_ACCOUNTS[account].api_key);
                        Some(format!(
                            "Basic {}",
                            base64::engine::general_purpose::STANDARD.encode(pair)
                        ))
                    }
                    _ => Some("Basic !!not-base64!!".to_owned()),
                };
                let request = if n.is_multiple_of(2) {
                    Request::exotel(account, "DELETE", exotel_subscriber(sid, &exotel_name))
                } else {
                    Request::exotel(account, "POST", exotel_subscribers(sid))
                        .json(fresh_bulk.clone())
                };
                (request.replace_header("authorization", authorization), Status(401))
            }
            Invalid::ExotelForeignSid => {
                // The caller's own credentials, another account's (or no account's) SID.
                let caller = 1 - account;
                let sid = if n % 3 == 2 { "nosuchaccount" } else { sid };
                let request = match variant {
                    0 | 1 => {
                        Request::exotel(caller, "DELETE", exotel_subscriber(sid, &exotel_name))
                    }
                    2 => Request::exotel(caller, "POST", exotel_subscribers(sid))
                        .json(fresh_bulk.clone()),
                    _ => Request::exotel(caller, "PUT", exotel_subscriber(sid, &exotel_name))
                        .json(json!({ "status": "inactive" })),
                };
                (request, Status(403))
            }
            Invalid::ExotelUnknownName => {
                let names = [EXOTEL_ABSENT_NAME, "has%20space", "abcdefghijklmnopq"];
                let name = names[n as usize % names.len()];
                let target = exotel_subscriber(sid, name);
                let request = match variant {
                    0 => Request::exotel(account, "DELETE", target),
                    1 => Request::exotel(account, "PUT", target).json(json!({ "status": "inactive" })),
                    2 => Request::exotel(account, "GET", target),
                    _ => Request::exotel(account, "POST", format!("/v2/accounts/{sid}/subscriber-token"))
                        .json(json!({ "platform": "ios", "device_id": "d", "subscriber_name": EXOTEL_ABSENT_NAME })),
                };
                (request, Status(404))
            }
            Invalid::ExotelWrongMethod => {
                let request = match variant {
                    0 => Request::exotel(account, "DELETE", exotel_subscribers(sid)),
                    1 => Request::exotel(account, "PATCH", exotel_subscriber(sid, &exotel_name))
                        .json(json!({ "status": "inactive" })),
                    2 => Request::exotel(account, "PUT", exotel_subscribers(sid))
                        .json(fresh_bulk.clone()),
                    _ => Request::exotel(
                        account,
                        "GET",
                        format!("/v2/accounts/{sid}/subscriber-token"),
                    ),
                };
                (request, Status(405))
            }
            Invalid::ExotelLongTarget => {
                let request = if n.is_multiple_of(2) {
                    Request::exotel(account, "DELETE", exotel_subscriber(sid, &exotel_name))
                } else {
                    Request::exotel(account, "POST", exotel_subscribers(sid))
                        .json(fresh_bulk.clone())
                };
                (request.long_target(), Status(414))
            }
            Invalid::ExotelTooManyHeaders => {
                let mut request =
                    Request::exotel(account, "DELETE", exotel_subscriber(sid, &exotel_name));
                if n.is_multiple_of(2) {
                    for idx in 0..N_EXTRA_HEADERS {
                        request = request.header(&format!("x-extra-{idx}"), "1");
                    }
                } else {
                    request = request.header("x-big", "b".repeat(BIG_HEADER_BYTES));
                }
                (request, Status(431))
            }
            Invalid::ExotelOversizedBody => {
                let request = Request::exotel(account, "POST", exotel_subscribers(sid))
                    .json(fresh_bulk.clone());
                (request.oversized(n % 2 == 1), Status(413))
            }
            Invalid::ExotelWrongContentType => {
                let content_type = [
                    "text/plain",
                    "application/xml",
                    "application/x-www-form-urlencoded",
                    "text/json",
                ][variant as usize];
                let request = if n.is_multiple_of(2) {
                    Request::exotel(account, "POST", exotel_subscribers(sid))
                        .json(fresh_bulk.clone())
                } else {
                    Request::exotel(account, "PUT", exotel_subscriber(sid, &exotel_name))
                        .json(json!({ "status": "inactive" }))
                };
                (request.content_type(content_type), Status(415))
            }
            Invalid::ExotelEveryItemFails => {
                // Names the account holds (409 each), repeated, invalid or missing (400 each):
                // a valid request whose items are all refused, so nothing is created.
                let mut items: Vec<Value> = world.exotel[account]
                    .iter()
                    .take(3)
                    .map(|(name, _)| json!({ "subscriber_name": name }))
                    .collect();
                items.push(json!({ "subscriber_name": "bad name" }));
                items.push(json!({ "custom_field": "no name" }));
                items.push(json!({ "subscriber_name": "" }));
                items.push(json!({ "subscriber_name": "abcdefghijklmnopq" }));
                items.push(json!({ "subscriber_name": "x", "custom_field": "c".repeat(MAX_CUSTOM_FIELD_CHARS + 1) }));
                let request = Request::exotel(account, "POST", exotel_subscribers(sid))
                    .json(json!({ "subscribers": items }));
                (request, Refusal::BulkWithEveryItemFailed)
            }
        }
    }
}

/// When a state-dependent refusal has nothing to aim at: a DELETE of a user id nobody has.
fn unknown_user_fallback(n: u32) -> (Request, Refusal) {
    let target = format!("/subscribers/{}", unknown_user_id(n));
    (Request::vpn(0, "DELETE", target), Refusal::Status(404))
}

// ---- The property --------------------------------------------------------------------------

/// One valid answer as it is compared between the runs: status and body, with Exotel's
/// `request_id` left out. Every Exotel request draws a `request_id` from its account's stream
/// (refused ones too, and requests with unknown credentials from the family-wide stream), so
/// the invalid requests of the interleaved run legitimately move those streams; they are
/// request correlation ids, not data. Every other id (user ids, device ids, tokens) must be
/// equal.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    status: u16,
    body: Result<Value, String>,
}

impl Seen {
    fn of(answer: &Answer) -> Seen {
        let body = match serde_json::from_slice::<Value>(&answer.body) {
            Ok(mut value) => {
                if let Some(object) = value.as_object_mut() {
                    object.remove("request_id");
                }
                Ok(value)
            }
            Err(_) => Err(answer.text()),
        };
        Seen { status: answer.status, body }
    }
}

fn check_case(steps: &[Step]) {
    // The two simulators are shared by this module's tests, which the test harness runs in
    // parallel: one case at a time. A failed case poisons the lock; the next one goes on
    // (it resets both simulators and aligns their clocks).
    static ONE_CASE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_CASE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let (a, b) = (valid_only(), interleaved());
    // Clocks first: a reset stamps the fixture device's session start with the current time.
    align_clocks(a, b);
    a.reset();
    b.reset();

    // Run 1: the valid steps alone.
    let mut world = World::fixture();
    let mut recorded = Vec::new();
    for step in steps {
        let Step::Valid(valid) = step else { continue };
        let (request, effect) = valid.resolve(&world);
        let answer = client().send(a, &request, false);
        assert!(answer.status < 500, "{}: {} {}", request.describe(), answer.status, answer.text());
        world.apply(effect, &answer);
        recorded.push((request.describe(), Seen::of(&answer), a.sim().fingerprint()));
    }

    // Run 2: every step.
    let mut world = World::fixture();
    let mut recorded = recorded.into_iter();
    for (step_idx, step) in steps.iter().enumerate() {
        match step {
            Step::Valid(valid) => {
                let (request, effect) = valid.resolve(&world);
                let answer = client().send(b, &request, false);
                let seen = Seen::of(&answer);
                let Some((what, expected, fingerprint)) = recorded.next() else {
                    panic!("step {step_idx}: more valid steps than in the valid-only run")
                };
                assert_eq!(
                    request.describe(),
                    what,
                    "step {step_idx}: the interleaved run sent another request than the \
                     valid-only run at this point (an earlier answer differed)"
                );
                assert_eq!(
                    seen, expected,
                    "step {step_idx}: {what}: the answer differs from the valid-only run's \
                     (left: interleaved, right: valid only)"
                );
                assert_eq!(
                    b.sim().fingerprint(),
                    fingerprint,
                    "step {step_idx}: {what}: the state differs from the valid-only run's"
                );
                world.apply(effect, &answer);
            }
            Step::Invalid { kind, pick, n } => {
                let (request, refusal) = kind.resolve(&world, *pick, *n);
                let before = b.sim().fingerprint();
                let answer = client().send(b, &request, true);
                let what = request.describe();
                match refusal {
                    Refusal::Status(status) => assert_eq!(
                        answer.status,
                        status,
                        "step {step_idx} ({kind:?}): {what}: wrong status; body {}",
                        answer.text()
                    ),
                    Refusal::BulkWithEveryItemFailed => {
                        assert_eq!(
                            answer.status,
                            207,
                            "step {step_idx}: {what}: {}",
                            answer.text()
                        );
                        let metadata = &answer.json()["metadata"];
                        assert_eq!(
                            metadata["success"],
                            0,
                            "step {step_idx}: {what}: {}",
                            answer.text()
                        );
                    }
                }
                assert_eq!(
                    b.sim().fingerprint(),
                    before,
                    "step {step_idx} ({kind:?}): {what}: refused with {} but the state changed",
                    answer.status
                );
            }
        }
    }
    assert_eq!(
        b.sim().fingerprint(),
        a.sim().fingerprint(),
        "the final states differ (valid only vs interleaved)"
    );
}

/// Both simulators' clocks at the later of the two instants. The clock never goes back (not
/// even on reset), and each run advances it by the same valid steps, so they agree after
/// every complete case; a case that failed half-way leaves them apart until this.
fn align_clocks(a: &Harness, b: &Harness) {
    let now_ms = |h: &Harness| {
        let clock = h.control("GET", "/_sim/clock", None).expect(200).json();
        clock["epoch_ms"].as_i64().expect("the clock's epoch_ms")
    };
    let (a_ms, b_ms) = (now_ms(a), now_ms(b));
    let target_ms = a_ms.max(b_ms);
    let now = json!({ "now": rfc3339_in_offset(target_ms.div_euclid(1_000), 0) });
    for (harness, ms) in [(a, a_ms), (b, b_ms)] {
        if ms != target_ms {
            harness.control("PUT", "/_sim/clock", Some(&now)).expect(200);
        }
    }
    assert_eq!(now_ms(a), now_ms(b), "the two simulators' clocks could not be aligned");
}

mod tests {
    use super::*;

    #[test]
    fn every_invalid_kind_is_listed_once() {
        let mut kinds: Vec<String> = Invalid::ALL.iter().map(|k| format!("{k:?}")).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), Invalid::ALL.len());
    }

    #[test]
    fn every_invalid_kind_is_refused_on_the_fixture_and_changes_nothing() {
        // Each kind and variant once, on the bare fixture: the property's premise (these
        // requests are refused) holds even where the state gives them nothing to aim at.
        let steps: Vec<Step> = Invalid::ALL
            .iter()
            .flat_map(|kind| (0..8).map(move |n| Step::Invalid { kind: *kind, pick: 0, n }))
            .collect();
        for chunk in steps.chunks(MAX_STEPS_PER_CASE) {
            check_case(chunk);
        }
    }
}
