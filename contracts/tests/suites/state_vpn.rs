//! Model test of the vpn family: random sequences of calls by the two tenants of the default
//! fixture against a reference model, over HTTP, with shrinking to a minimal sequence.
//!
//! The model holds subscribers (tenant, `order`, `license_key`, licences) and devices (owner,
//! type, name, activation order). Transitions: create (a fresh or taken `order` or licence
//! key, sometimes a broken field), update (an `order` another subscriber holds → 409),
//! delete a subscriber (its devices go with it), list devices, activate a device through the
//! control plane (at `bundle.licenses` devices → 409; lowering licences keeps devices;
//! deleting one frees its slot), rename a device (own → 200, another subscriber's → 409,
//! unknown → 404, bad name → 400), delete a device, and all of these as the other tenant
//! (→ 404, no existence leak). Every answer is checked: the exact status, the error's
//! `message` and `field`, new ids fresh and well-formed, device lists and renamed devices
//! equal to the model's. After every step the simulator's subscriber count per tenant must
//! equal the model's.
//!
//! Server-generated ids cannot be predicted, so the model names subscribers and devices by
//! handle (the order they were created in); the system under test maps handles to the ids
//! the simulator returned. Handle 0 of each is the fixture's subscriber `1000000001` and its
//! device `0A1B2C3D4E5F`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::{Value, json};

use crate::support::{Harness, VPN_TENANTS};

/// Sequences tried per run.
const CASES_PER_RUN: u32 = 32;
/// Longest sequence of calls in one case.
const MAX_TRANSITIONS_PER_CASE: usize = 20;
/// Orders a create or update picks from: few, so that taken orders are frequent. The first
/// is the fixture subscriber's.
const ORDERS: [&str; 4] = ["demo-order-1", "ord-a", "ord-b", "ord-c"];
/// Licence keys a create picks from (when it sends one).
const LICENSE_KEYS: [&str; 2] = ["AB12-CD34-EF56-GH78", "ZZ99-YY88-XX77-WW66"];
/// Most licences a generated bundle holds: small, so that the licence cap is reached often.
const MAX_GENERATED_LICENSES: u32 = 3;
/// User ids below the simulator's 10-digit range: never generated, so always unknown.
const UNKNOWN_USER_ID_MAX: u64 = 999_999_999;
/// Device ids above the simulator's 48-bit range: never generated, so always unknown.
const UNKNOWN_DEVICE_ID_MIN: u64 = 1 << 48;
/// The fixture's subscriber (tenant `telefonica`, order `demo-order-1`, 3 licences) and its
/// one device (`Laura's Laptop`, a desktop).
const FIXTURE_USER_ID: &str = "1000000001";
const FIXTURE_DEVICE_ID: &str = "0A1B2C3D4E5F";
/// Longest device name accepted (`max_device_name_chars`).
const MAX_DEVICE_NAME_CHARS: usize = 64;

const USER_NOT_FOUND: &str = "This user_id does not exist in our database";
const DEVICE_NOT_FOUND: &str = "This device_id does not exist in our database";

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: CASES_PER_RUN,
        ..ProptestConfig::default()
    })]

    #[test]
    fn vpn_answers_match_the_reference_model(sequential 1..=MAX_TRANSITIONS_PER_CASE => VpnSut);
}

/// The simulator every case of this suite runs against (reset at the start of each case).
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::start)
}

// ---- The reference model ------------------------------------------------------------------

/// Index into [`VpnModel::subscribers`]: the n-th subscriber created in the case.
type SubHandle = usize;
/// Index into [`VpnModel::devices`]: the n-th device activated in the case.
type DeviceHandle = usize;

#[derive(Debug, Clone)]
pub struct VpnModel {
    /// Every subscriber ever created in the case, deleted ones included (their ids must stay
    /// unknown).
    subscribers: Vec<SubscriberModel>,
    devices: Vec<DeviceModel>,
}

#[derive(Debug, Clone)]
struct SubscriberModel {
    tenant: usize,
    order: &'static str,
    license_key: Option<&'static str>,
    licenses: u32,
    /// Live devices, in activation order.
    devices: Vec<DeviceHandle>,
    alive: bool,
}

#[derive(Debug, Clone)]
struct DeviceModel {
    owner: SubHandle,
    kind: Kind,
    name: String,
    alive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Desktop,
    Mobile,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Desktop => "desktop",
            Kind::Mobile => "mobile",
        }
    }

    fn default_name(self) -> &'static str {
        match self {
            Kind::Desktop => "My Desktop",
            Kind::Mobile => "My Phone",
        }
    }
}

/// A subscriber as a request names it.
#[derive(Debug, Clone, Copy)]
pub enum SubRef {
    Known(SubHandle),
    /// A well-formed user id no subscriber has.
    Unknown(u64),
}

/// A device as a request names it.
#[derive(Debug, Clone, Copy)]
pub enum DevRef {
    Known(DeviceHandle),
    /// A well-formed device id no device has.
    Unknown(u64),
}

/// One broken field of a create body (each a rule of the README's validation table).
#[derive(Debug, Clone, Copy)]
pub enum Flaw {
    ZeroLicenses,
    NameIsNotHubAtOb,
    BadLocale,
    UnknownBundle,
    BadLicenseKey,
}

impl Flaw {
    fn field(self) -> &'static str {
        match self {
            Flaw::ZeroLicenses => "bundle.licenses",
            Flaw::NameIsNotHubAtOb => "name",
            Flaw::BadLocale => "locale",
            Flaw::UnknownBundle => "bundle.id",
            Flaw::BadLicenseKey => "license_key",
        }
    }
}

/// One call. `caller` and `tenant` index [`VPN_TENANTS`].
#[derive(Debug, Clone)]
pub enum Transition {
    Create {
        tenant: usize,
        order: usize,
        license_key: Option<usize>,
        licenses: u32,
        flaw: Option<Flaw>,
    },
    Update {
        caller: usize,
        subscriber: SubRef,
        order: usize,
        licenses: u32,
    },
    DeleteSubscriber {
        caller: usize,
        subscriber: SubRef,
    },
    ListDevices {
        caller: usize,
        subscriber: SubRef,
    },
    /// `POST /_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices`.
    Activate {
        tenant: usize,
        subscriber: SubRef,
        kind: Kind,
        name: Option<String>,
    },
    RenameDevice {
        caller: usize,
        subscriber: SubRef,
        device: DevRef,
        name: String,
    },
    DeleteDevice {
        caller: usize,
        subscriber: SubRef,
        device: DevRef,
    },
}

/// What the simulator must answer to a transition in a given model state.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Created(SubHandle),
    Updated,
    Deleted,
    Devices(Vec<DeviceHandle>),
    Activated(DeviceHandle),
    Renamed(DeviceHandle),
    DeviceDeleted,
    /// An error: status, and the exact `message` and `field` when the model knows them.
    Refused {
        status: u16,
        message: Option<String>,
        field: Option<&'static str>,
    },
}

impl Expected {
    fn refused(status: u16, message: &str, field: &'static str) -> Expected {
        Expected::Refused { status, message: Some(message.to_owned()), field: Some(field) }
    }
}

impl VpnModel {
    fn fixture() -> VpnModel {
        VpnModel {
            subscribers: vec![SubscriberModel {
                tenant: 0,
                order: ORDERS[0],
                license_key: None,
                licenses: 3,
                devices: vec![0],
                alive: true,
            }],
            devices: vec![DeviceModel {
                owner: 0,
                kind: Kind::Desktop,
                name: "Laura's Laptop".into(),
                alive: true,
            }],
        }
    }

    /// The live subscriber `subscriber` names in `caller`'s tenant, if any.
    fn subscriber_of(&self, caller: usize, subscriber: SubRef) -> Option<SubHandle> {
        match subscriber {
            SubRef::Known(h) => {
                let s = &self.subscribers[h];
                (s.alive && s.tenant == caller).then_some(h)
            }
            SubRef::Unknown(_) => None,
        }
    }

    /// The live device `device` names in `caller`'s tenant, if any.
    fn device_of(&self, caller: usize, device: DevRef) -> Option<DeviceHandle> {
        match device {
            DevRef::Known(h) => {
                let d = &self.devices[h];
                (d.alive && self.subscribers[d.owner].tenant == caller).then_some(h)
            }
            DevRef::Unknown(_) => None,
        }
    }

    fn holder(&self, tenant: usize, taken: impl Fn(&SubscriberModel) -> bool) -> Option<SubHandle> {
        self.subscribers.iter().position(|s| s.alive && s.tenant == tenant && taken(s))
    }

    fn alive_in(&self, tenant: usize) -> usize {
        self.subscribers.iter().filter(|s| s.alive && s.tenant == tenant).count()
    }

    /// The answer the simulator owes, following the README's order of checks: path and body
    /// rules (400) before state (404/409).
    fn expected(&self, transition: &Transition) -> Expected {
        match transition {
            Transition::Create { tenant, order, license_key, flaw, .. } => {
                if let Some(flaw) = flaw {
                    return Expected::Refused {
                        status: 400,
                        message: None,
                        field: Some(flaw.field()),
                    };
                }
                if self.holder(*tenant, |s| s.order == ORDERS[*order]).is_some() {
                    return Expected::refused(409, "order already exists in our database", "order");
                }
                if let Some(key) = license_key
                    && self.holder(*tenant, |s| s.license_key == Some(LICENSE_KEYS[*key])).is_some()
                {
                    return Expected::refused(
                        409,
                        "license_key already exists in our database",
                        "license_key",
                    );
                }
                Expected::Created(self.subscribers.len())
            }
            Transition::Update { caller, subscriber, order, .. } => {
                let Some(h) = self.subscriber_of(*caller, *subscriber) else {
                    return Expected::refused(404, USER_NOT_FOUND, "user_id");
                };
                match self.holder(*caller, |s| s.order == ORDERS[*order]) {
                    Some(holder) if holder != h => {
                        Expected::refused(409, "order already exists in our database", "order")
                    }
                    _ => Expected::Updated,
                }
            }
            Transition::DeleteSubscriber { caller, subscriber } => {
                match self.subscriber_of(*caller, *subscriber) {
                    Some(_) => Expected::Deleted,
                    None => Expected::refused(404, USER_NOT_FOUND, "user_id"),
                }
            }
            Transition::ListDevices { caller, subscriber } => {
                match self.subscriber_of(*caller, *subscriber) {
                    Some(h) => Expected::Devices(self.subscribers[h].devices.clone()),
                    None => Expected::refused(404, USER_NOT_FOUND, "user_id"),
                }
            }
            Transition::Activate { tenant, subscriber, .. } => {
                let Some(h) = self.subscriber_of(*tenant, *subscriber) else {
                    return Expected::Refused {
                        status: 404,
                        message: Some(USER_NOT_FOUND.into()),
                        field: None,
                    };
                };
                let s = &self.subscribers[h];
                if s.devices.len() >= s.licenses as usize {
                    return Expected::Refused {
                        status: 409,
                        message: Some(format!(
                            "the subscriber already has {} active devices and {} licenses",
                            s.devices.len(),
                            s.licenses
                        )),
                        field: None,
                    };
                }
                Expected::Activated(self.devices.len())
            }
            Transition::RenameDevice { caller, subscriber, device, name } => {
                if !device_name_is_valid(name) {
                    return Expected::Refused { status: 400, message: None, field: Some("name") };
                }
                match self.ownership(*caller, *subscriber, *device) {
                    Ok(d) => Expected::Renamed(d),
                    Err(refused) => refused,
                }
            }
            Transition::DeleteDevice { caller, subscriber, device } => {
                match self.ownership(*caller, *subscriber, *device) {
                    Ok(_) => Expected::DeviceDeleted,
                    Err(refused) => refused,
                }
            }
        }
    }

    /// The device endpoints' checks: the subscriber (404), the device (404), then whether it
    /// is the subscriber's (409).
    fn ownership(
        &self,
        caller: usize,
        subscriber: SubRef,
        device: DevRef,
    ) -> Result<DeviceHandle, Expected> {
        let h = self
            .subscriber_of(caller, subscriber)
            .ok_or_else(|| Expected::refused(404, USER_NOT_FOUND, "user_id"))?;
        let d = self
            .device_of(caller, device)
            .ok_or_else(|| Expected::refused(404, DEVICE_NOT_FOUND, "device_id"))?;
        if self.devices[d].owner != h {
            return Err(Expected::refused(
                409,
                "This device_id does not belong to the specified user_id",
                "device_id",
            ));
        }
        Ok(d)
    }

    fn apply(mut self, transition: &Transition) -> VpnModel {
        match (self.expected(transition), transition) {
            (
                Expected::Created(_),
                Transition::Create { tenant, order, license_key, licenses, .. },
            ) => self.subscribers.push(SubscriberModel {
                tenant: *tenant,
                order: ORDERS[*order],
                license_key: license_key.map(|k| LICENSE_KEYS[k]),
                licenses: *licenses,
                devices: Vec::new(),
                alive: true,
            }),
            (
                Expected::Updated,
                Transition::Update { subscriber: SubRef::Known(h), order, licenses, .. },
            ) => {
                let s = &mut self.subscribers[*h];
                s.order = ORDERS[*order];
                // Lowering the licences keeps every device; only new activations are refused.
                s.licenses = *licenses;
            }
            (
                Expected::Deleted,
                Transition::DeleteSubscriber { subscriber: SubRef::Known(h), .. },
            ) => {
                let s = &mut self.subscribers[*h];
                s.alive = false;
                for d in std::mem::take(&mut s.devices) {
                    self.devices[d].alive = false;
                }
            }
            (
                Expected::Activated(_),
                Transition::Activate { subscriber: SubRef::Known(h), kind, name, .. },
            ) => {
                self.subscribers[*h].devices.push(self.devices.len());
                self.devices.push(DeviceModel {
                    owner: *h,
                    kind: *kind,
                    name: name.clone().unwrap_or_else(|| kind.default_name().into()),
                    alive: true,
                });
            }
            (Expected::Renamed(d), Transition::RenameDevice { name, .. }) => {
                self.devices[d].name.clone_from(name);
            }
            (
                Expected::DeviceDeleted,
                Transition::DeleteDevice { device: DevRef::Known(d), .. },
            ) => {
                self.devices[*d].alive = false;
                let owner = self.devices[*d].owner;
                // Its licence slot is free at once.
                self.subscribers[owner].devices.retain(|x| x != d);
            }
            _ => {}
        }
        self
    }
}

/// The README's device-name rule: 1 to 64 characters, not only whitespace, no control
/// characters.
fn device_name_is_valid(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= MAX_DEVICE_NAME_CHARS
        && !name.chars().any(char::is_control)
}

pub struct VpnReference;

impl ReferenceStateMachine for VpnReference {
    type State = VpnModel;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<VpnModel> {
        Just(VpnModel::fixture()).boxed()
    }

    fn transitions(state: &VpnModel) -> BoxedStrategy<Transition> {
        let subscriber = subscriber_strategy(state);
        let create =
            (
                0..VPN_TENANTS.len(),
                0..ORDERS.len(),
                option::weighted(0.5, 0..LICENSE_KEYS.len()),
                1..=MAX_GENERATED_LICENSES,
                option::weighted(0.15, flaw_strategy()),
            )
                .prop_map(|(tenant, order, license_key, licenses, flaw)| {
                    Transition::Create { tenant, order, license_key, licenses, flaw }
                });
        let update = (subscriber.clone(), 0..ORDERS.len(), 1..=MAX_GENERATED_LICENSES).prop_map(
            |((caller, subscriber), order, licenses)| Transition::Update {
                caller,
                subscriber,
                order,
                licenses,
            },
        );
        let delete = subscriber
            .clone()
            .prop_map(|(caller, subscriber)| Transition::DeleteSubscriber { caller, subscriber });
        let list = subscriber
            .clone()
            .prop_map(|(caller, subscriber)| Transition::ListDevices { caller, subscriber });
        let activate = (
            subscriber.clone(),
            prop_oneof![Just(Kind::Desktop), Just(Kind::Mobile)],
            option::of(device_name_strategy()),
        )
            .prop_map(|((tenant, subscriber), kind, name)| Transition::Activate {
                tenant,
                subscriber,
                kind,
                name,
            });
        let device = device_target_strategy(state, subscriber);
        let rename =
            (
                device.clone(),
                prop_oneof![
                    9 => device_name_strategy(),
                    1 => prop_oneof![
                        Just(String::new()),
                        Just("   ".to_owned()),
                        Just("x".repeat(MAX_DEVICE_NAME_CHARS + 1)),
                        Just("tab\there".to_owned()),
                    ],
                ],
            )
                .prop_map(|((caller, subscriber, device), name)| {
                    Transition::RenameDevice { caller, subscriber, device, name }
                });
        let delete_device = device.prop_map(|(caller, subscriber, device)| {
            Transition::DeleteDevice { caller, subscriber, device }
        });
        prop_oneof![
            3 => create,
            2 => update,
            1 => delete,
            2 => list,
            3 => activate,
            2 => rename,
            2 => delete_device,
        ]
        .boxed()
    }

    /// Handles must exist in the model; shrinking may drop the create that made one.
    fn preconditions(state: &VpnModel, transition: &Transition) -> bool {
        let sub_ok = |r: &SubRef| match r {
            SubRef::Known(h) => *h < state.subscribers.len(),
            SubRef::Unknown(_) => true,
        };
        let dev_ok = |r: &DevRef| match r {
            DevRef::Known(h) => *h < state.devices.len(),
            DevRef::Unknown(_) => true,
        };
        match transition {
            Transition::Create { .. } => true,
            Transition::Update { subscriber, .. }
            | Transition::DeleteSubscriber { subscriber, .. }
            | Transition::ListDevices { subscriber, .. }
            | Transition::Activate { subscriber, .. } => sub_ok(subscriber),
            Transition::RenameDevice { subscriber, device, .. }
            | Transition::DeleteDevice { subscriber, device, .. } => {
                sub_ok(subscriber) && dev_ok(device)
            }
        }
    }

    fn apply(state: VpnModel, transition: &Transition) -> VpnModel {
        state.apply(transition)
    }
}

/// `(caller, subscriber)`: mostly a live subscriber called by its own tenant, sometimes by
/// the other tenant, a deleted one, or an id nobody has.
fn subscriber_strategy(state: &VpnModel) -> BoxedStrategy<(usize, SubRef)> {
    let all: Vec<(SubHandle, usize)> =
        state.subscribers.iter().enumerate().map(|(h, s)| (h, s.tenant)).collect();
    let alive: Vec<(SubHandle, usize)> =
        all.iter().copied().filter(|(h, _)| state.subscribers[*h].alive).collect();
    let alive = if alive.is_empty() { all.clone() } else { alive };
    let known = prop_oneof![8 => select(alive), 1 => select(all)];
    prop_oneof![
        12 => (known, prop::bool::weighted(0.1)).prop_map(|((h, tenant), other_tenant)| {
            (tenant ^ usize::from(other_tenant), SubRef::Known(h))
        }),
        1 => (0..VPN_TENANTS.len(), 1..=UNKNOWN_USER_ID_MAX)
            .prop_map(|(caller, id)| (caller, SubRef::Unknown(id))),
    ]
    .boxed()
}

/// `(caller, subscriber, device)` of a call on one device.
type DeviceTarget = (usize, SubRef, DevRef);

/// `(caller, subscriber, device)`: mostly a live device addressed through its owner by its
/// tenant; sometimes through another live subscriber of the same tenant (→ 409), any
/// subscriber with any device (another tenant's or a deleted one → 404), or a device id
/// nobody has.
fn device_target_strategy(
    state: &VpnModel,
    subscriber: BoxedStrategy<(usize, SubRef)>,
) -> BoxedStrategy<DeviceTarget> {
    let all: Vec<DeviceHandle> = (0..state.devices.len()).collect();
    let alive: Vec<(DeviceHandle, SubHandle, usize)> = state
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.alive)
        .map(|(h, d)| (h, d.owner, state.subscribers[d.owner].tenant))
        .collect();
    let neighbours: Vec<(DeviceHandle, SubHandle, usize)> = alive
        .iter()
        .flat_map(|&(d, owner, tenant)| {
            state
                .subscribers
                .iter()
                .enumerate()
                .filter(move |(h, s)| *h != owner && s.alive && s.tenant == tenant)
                .map(move |(h, _)| (d, h, tenant))
        })
        .collect();
    let mut choices: Vec<(u32, BoxedStrategy<DeviceTarget>)> = vec![
        (
            2,
            (subscriber.clone(), select(all))
                .prop_map(|((caller, s), d)| (caller, s, DevRef::Known(d)))
                .boxed(),
        ),
        (
            1,
            (subscriber, UNKNOWN_DEVICE_ID_MIN..=u64::MAX)
                .prop_map(|((caller, s), id)| (caller, s, DevRef::Unknown(id)))
                .boxed(),
        ),
    ];
    if !alive.is_empty() {
        let own = (select(alive), prop::bool::weighted(0.1)).prop_map(
            |((d, owner, tenant), other_tenant)| {
                (tenant ^ usize::from(other_tenant), SubRef::Known(owner), DevRef::Known(d))
            },
        );
        choices.push((6, own.boxed()));
    }
    if !neighbours.is_empty() {
        let other = select(neighbours)
            .prop_map(|(d, s, tenant)| (tenant, SubRef::Known(s), DevRef::Known(d)));
        choices.push((2, other.boxed()));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

fn flaw_strategy() -> impl Strategy<Value = Flaw> {
    prop_oneof![
        Just(Flaw::ZeroLicenses),
        Just(Flaw::NameIsNotHubAtOb),
        Just(Flaw::BadLocale),
        Just(Flaw::UnknownBundle),
        Just(Flaw::BadLicenseKey),
    ]
}

/// Valid device names: a visible first character, then letters, digits, spaces, apostrophes
/// and a few non-ASCII letters.
fn device_name_strategy() -> impl Strategy<Value = String> {
    "[A-Za-zé0-9][A-Za-zé0-9 'ü]{0,19}"
}

// ---- The system under test ----------------------------------------------------------------

pub struct VpnSut {
    harness: &'static Harness,
    /// The model before the transition being applied (`apply` receives the state after it).
    model: VpnModel,
    user_ids: BTreeMap<SubHandle, String>,
    device_ids: BTreeMap<DeviceHandle, String>,
}

impl StateMachineTest for VpnSut {
    type SystemUnderTest = Self;
    type Reference = VpnReference;

    fn init_test(ref_state: &VpnModel) -> VpnSut {
        let harness = harness();
        harness.reset();
        VpnSut {
            harness,
            model: ref_state.clone(),
            user_ids: BTreeMap::from([(0, FIXTURE_USER_ID.to_owned())]),
            device_ids: BTreeMap::from([(0, FIXTURE_DEVICE_ID.to_owned())]),
        }
    }

    fn apply(mut sut: VpnSut, ref_state: &VpnModel, transition: Transition) -> VpnSut {
        let expected = sut.model.expected(&transition);
        let answer = sut.send(&transition);
        sut.check(&transition, &expected, &answer, ref_state);
        sut.model = ref_state.clone();
        sut
    }

    fn check_invariants(sut: &VpnSut, ref_state: &VpnModel) {
        let vpn = &sut.harness.sim().vpn;
        for (idx, tenant) in VPN_TENANTS.iter().enumerate() {
            let tenant_idx = vpn.tenant_by_name(tenant.name).expect("fixture tenant");
            assert_eq!(
                vpn.subscriber_count(tenant_idx),
                ref_state.alive_in(idx),
                "subscribers of tenant {}",
                tenant.name
            );
        }
    }
}

impl VpnSut {
    fn user_id(&self, subscriber: SubRef) -> String {
        match subscriber {
            SubRef::Known(h) => self.user_ids[&h].clone(),
            SubRef::Unknown(id) => id.to_string(),
        }
    }

    fn device_id(&self, device: DevRef) -> String {
        match device {
            DevRef::Known(h) => self.device_ids[&h].clone(),
            DevRef::Unknown(id) => format!("{id:X}"),
        }
    }

    fn send(&self, transition: &Transition) -> crate::support::Answer {
        let h = self.harness;
        match transition {
            Transition::Create { tenant, order, license_key, licenses, flaw } => {
                let body = create_body(*order, *license_key, *licenses, *flaw);
                h.vpn(VPN_TENANTS[*tenant].key, "POST", "/subscribers", Some(&body))
            }
            Transition::Update { caller, subscriber, order, licenses } => {
                let body = json!({
                    "order": ORDERS[*order],
                    "bundle": {"id": "premium", "licenses": licenses}
                });
                let path = format!("/subscribers/{}", self.user_id(*subscriber));
                h.vpn(VPN_TENANTS[*caller].key, "POST", &path, Some(&body))
            }
            Transition::DeleteSubscriber { caller, subscriber } => {
                let path = format!("/subscribers/{}", self.user_id(*subscriber));
                h.vpn(VPN_TENANTS[*caller].key, "DELETE", &path, None)
            }
            Transition::ListDevices { caller, subscriber } => {
                let path = format!("/subscribers/{}/devices", self.user_id(*subscriber));
                h.vpn(VPN_TENANTS[*caller].key, "GET", &path, None)
            }
            Transition::Activate { tenant, subscriber, kind, name } => {
                let mut body = json!({ "type": kind.as_str() });
                if let Some(name) = name {
                    body["name"] = json!(name);
                }
                let path = format!(
                    "/_sim/vpn/tenants/{}/subscribers/{}/devices",
                    VPN_TENANTS[*tenant].name,
                    self.user_id(*subscriber)
                );
                h.control("POST", &path, Some(&body))
            }
            Transition::RenameDevice { caller, subscriber, device, name } => {
                let path = format!(
                    "/subscribers/{}/devices/{}",
                    self.user_id(*subscriber),
                    self.device_id(*device)
                );
                h.vpn(VPN_TENANTS[*caller].key, "POST", &path, Some(&json!({ "name": name })))
            }
            Transition::DeleteDevice { caller, subscriber, device } => {
                let path = format!(
                    "/subscribers/{}/devices/{}",
                    self.user_id(*subscriber),
                    self.device_id(*device)
                );
                h.vpn(VPN_TENANTS[*caller].key, "DELETE", &path, None)
            }
        }
    }

    /// Checks one answer against the model and records the ids of what was created.
    fn check(
        &mut self,
        transition: &Transition,
        expected: &Expected,
        answer: &crate::support::Answer,
        after: &VpnModel,
    ) {
        let context = || {
            format!(
                "{transition:?}: expected {expected:?}, got {} {}",
                answer.status,
                answer.text()
            )
        };
        match expected {
            Expected::Created(h) => {
                assert_eq!(answer.status, 201, "{}", context());
                let id = answer.json()["id"].as_str().unwrap_or_default().to_owned();
                assert!(is_generated_user_id(&id), "{}: id {id:?} is not 10 digits", context());
                assert!(
                    !self.user_ids.values().any(|known| *known == id),
                    "{}: id reused",
                    context()
                );
                self.user_ids.insert(*h, id);
            }
            Expected::Updated | Expected::Deleted => {
                assert_eq!(answer.status, 204, "{}", context());
                assert!(answer.body.is_empty(), "{}: a 204 has no body", context());
            }
            Expected::Devices(devices) => {
                assert_eq!(answer.status, 200, "{}", context());
                let listed: Vec<Value> = devices
                    .iter()
                    .map(|d| json!({ "device_id": self.device_view(after, *d) }))
                    .collect();
                assert_eq!(answer.json(), Value::Array(listed), "{}", context());
            }
            Expected::Activated(d) => {
                assert_eq!(answer.status, 201, "{}", context());
                let body = answer.json();
                let id = body["device_id"].as_str().unwrap_or_default().to_owned();
                assert!(is_generated_device_id(&id), "{}: device id {id:?}", context());
                assert!(
                    !self.device_ids.values().any(|known| *known == id),
                    "{}: id reused",
                    context()
                );
                self.device_ids.insert(*d, id);
                assert_eq!(body, self.device_view(after, *d), "{}", context());
            }
            Expected::Renamed(d) => {
                assert_eq!(answer.status, 200, "{}", context());
                assert_eq!(answer.json(), self.device_view(after, *d), "{}", context());
            }
            Expected::DeviceDeleted => {
                assert_eq!(answer.status, 200, "{}", context());
                assert_eq!(answer.json(), json!({}), "{}", context());
            }
            Expected::Refused { status, message, field } => {
                assert_eq!(answer.status, *status, "{}", context());
                let body = answer.json();
                assert_eq!(body["status"], json!(status), "{}", context());
                if let Some(message) = message {
                    assert_eq!(body["message"], json!(message), "{}", context());
                }
                if let Some(field) = field {
                    assert_eq!(body["field"], json!(field), "{}", context());
                }
            }
        }
    }

    /// `{device_id, type, name}` of a device as the model has it after the transition.
    fn device_view(&self, model: &VpnModel, d: DeviceHandle) -> Value {
        let device = &model.devices[d];
        json!({
            "device_id": self.device_ids[&d],
            "type": device.kind.as_str(),
            "name": device.name,
        })
    }
}

/// A `POST /subscribers` body, valid unless `flaw` breaks one field.
fn create_body(
    order: usize,
    license_key: Option<usize>,
    licenses: u32,
    flaw: Option<Flaw>,
) -> Value {
    let mut body = json!({
        "order": ORDERS[order],
        "id_hub": "hub7",
        "ob": "movistar",
        "name": "hub7@movistar",
        "password": "+34600999888",
        "bundle": {"id": "premium", "licenses": licenses},
        "locale": "en-US",
    });
    if let Some(key) = license_key {
        body["license_key"] = json!(LICENSE_KEYS[key]);
    }
    match flaw {
        None => {}
        Some(Flaw::ZeroLicenses) => body["bundle"]["licenses"] = json!(0),
        Some(Flaw::NameIsNotHubAtOb) => body["name"] = json!("hub7@elsewhere"),
        Some(Flaw::BadLocale) => body["locale"] = json!("en_US"),
        Some(Flaw::UnknownBundle) => body["bundle"]["id"] = json!("gold"),
        Some(Flaw::BadLicenseKey) => body["license_key"] = json!("ab12-cd34"),
    }
    body
}

/// README: `user_id` is a server-generated 10-digit decimal string.
fn is_generated_user_id(id: &str) -> bool {
    id.len() == 10 && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
}

/// README: device ids are 12 upper-case hex digits.
fn is_generated_device_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

mod tests {
    use super::*;

    #[test]
    fn a_taken_order_is_refused_only_within_its_tenant() {
        let model = VpnModel::fixture();
        let create = |tenant| Transition::Create {
            tenant,
            order: 0,
            license_key: None,
            licenses: 1,
            flaw: None,
        };
        assert!(matches!(model.expected(&create(0)), Expected::Refused { status: 409, .. }));
        assert_eq!(model.expected(&create(1)), Expected::Created(1));
    }

    #[test]
    fn lowering_licences_keeps_devices_and_refuses_new_ones() {
        let model = VpnModel::fixture().apply(&Transition::Update {
            caller: 0,
            subscriber: SubRef::Known(0),
            order: 0,
            licenses: 1,
        });
        assert_eq!(model.subscribers[0].devices, vec![0]);
        let activate = Transition::Activate {
            tenant: 0,
            subscriber: SubRef::Known(0),
            kind: Kind::Mobile,
            name: None,
        };
        assert!(matches!(model.expected(&activate), Expected::Refused { status: 409, .. }));
    }
}
