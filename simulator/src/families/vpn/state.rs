//! vpn state: tenants, their subscribers and devices, the licence cap, device links.
//!
//! Each tenant's data sits behind its own mutex (a `std::sync::Mutex`: every critical section
//! is a few map operations with no `.await` inside, so an async mutex would only add cost).
//! Requests of different tenants never contend. Two small shared structures exist because the
//! device-local daemon knows devices, not tenants: `device_owner` (a sharded map from device id
//! to tenant) and `activations` (activation order, for the daemon's default device). Lock
//! order, everywhere: tenant book → `device_owner` shard → `activations`.
//!
//! **Architecture Invariant:** no data crosses tenants. Every operation takes the tenant first
//! and looks only into that tenant's book; a device id of another tenant is "not found".

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use super::errors::VpnError;
use super::model::{
    Bundle, BundleSpec, DeviceId, DeviceKind, DeviceListItem, DeviceView, NewSubscriber,
    SubscriberUpdate, UserId,
};
use crate::ids::IdRng;

/// Index of a tenant in [`VpnState::tenants`]; fixed for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantIdx(pub usize);

/// Smallest and largest generated user id: ten decimal digits, like platform integer ids.
const USER_ID_MIN: u64 = 1_000_000_000;
const USER_ID_MAX: u64 = 9_999_999_999;
/// Generated device ids are 12 hex digits (48 bits), like the seed's `123343ABCDEF`.
const DEVICE_ID_MAX: u64 = 0xFFFF_FFFF_FFFF;
/// Draws before giving up on finding a free id. With ids drawn from 9·10⁹ (users) or 2⁴⁸
/// (devices) values and at most `max_subscribers_per_tenant` in use, 64 straight collisions
/// do not happen; the bound only keeps the loop finite.
const MAX_ID_DRAWS: usize = 64;

/// All vpn tenants plus the daemon's cross-tenant device index.
pub struct VpnState {
    catalogue: Vec<BundleSpec>,
    tenants: Vec<Tenant>,
    by_key: HashMap<String, TenantIdx>,
    by_name: HashMap<String, TenantIdx>,
    device_owner: DashMap<DeviceId, TenantIdx, IdHash>,
    activations: Mutex<Activations>,
    fixture: Vec<TenantFixture>,
    seed: u64,
    max_subscribers_per_tenant: usize,
}

struct Tenant {
    name: String,
    book: Mutex<Book>,
}

/// One tenant's data.
///
/// Memory layout (issue 6: at most 1 KiB per subscriber with two devices at 1,000,000
/// subscribers, `benches/scale.rs`): a subscriber's text fields share one allocation
/// ([`StoredRecord`]), its device list is an exact-size boxed slice, a device with its
/// default name stores no name, and a link packs its state in two integers. The id-keyed maps
/// hash with [`IdHash`] instead of SipHash.
struct Book {
    subscribers: HashMap<UserId, Subscriber, IdHash>,
    orders: HashMap<Box<str>, UserId>,
    license_keys: HashMap<Box<str>, UserId>,
    devices: HashMap<DeviceId, Device, IdHash>,
    rng: IdRng,
}

struct Subscriber {
    record: StoredRecord,
    /// In activation order. Changes only on activation and deletion, so it is kept at its
    /// exact size rather than as a growable `Vec` (16 bytes and no spare capacity).
    devices: Box<[DeviceId]>,
}

/// A [`NewSubscriber`] as stored: `order`, `id_hub`, `ob`, `password` and `locale` are
/// concatenated into one allocation (five small allocations cost about 160 bytes of heap
/// per subscriber, one costs about 48), cut by the lengths kept beside it.
struct StoredRecord {
    text: Box<str>,
    /// Byte lengths of `order`, `id_hub`, `ob` and `password`; `locale` is the rest.
    lens: [u32; 4],
    bundle: Bundle,
    license_key: Option<Box<str>>,
    price_cents: Option<u64>,
}

struct Device {
    owner: UserId,
    kind: DeviceKind,
    /// `None`: the kind's default name (`My Desktop`, `My Phone`), stored nowhere.
    name: Option<Box<str>>,
    activation_seq: u64,
    link: Link,
}

/// Whether a device's VPN tunnel is up, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    /// Start of the current session, or [`NOT_CONNECTED`] (an `Option<i64>` would take 16
    /// bytes; no simulated clock reaches `i64::MIN`, which is before year 0).
    connected_since_ms: i64,
    /// Length of the last session, kept after a disconnect so counters stay where they were.
    last_session_ms: i64,
}

/// [`Link::connected_since_ms`] of a disconnected device.
const NOT_CONNECTED: i64 = i64::MIN;

/// Hashing for maps keyed by [`UserId`] and [`DeviceId`]: one 64-bit finalizer (MurmurHash3's
/// `fmix64`, a bijection that spreads every input bit over the whole hash) instead of
/// SipHash, a few times faster per lookup. The keys are ids the simulator draws itself or
/// that the tester gives through the control plane, never request text, so SipHash's
/// resistance to chosen keys buys nothing here; maps keyed by client strings (`orders`,
/// `license_keys`, API keys) keep SipHash.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHash;

/// The [`Hasher`] of [`IdHash`].
#[derive(Debug, Default)]
pub struct IdHasher(u64);

impl BuildHasher for IdHash {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not reached by the id types (they hash one u64); correct for anything else.
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut x = self.0 ^ n;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        self.0 = x;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl StoredRecord {
    fn new(record: NewSubscriber) -> Self {
        let parts = [&record.order, &record.id_hub, &record.ob, &record.password, &record.locale];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            text.push_str(part);
        }
        let len = |part: &str| u32::try_from(part.len()).unwrap_or(u32::MAX);
        StoredRecord {
            text: text.into_boxed_str(),
            lens: [len(&record.order), len(&record.id_hub), len(&record.ob), len(&record.password)],
            bundle: record.bundle,
            license_key: record.license_key,
            price_cents: record.price_cents,
        }
    }

    /// Field `idx` of the text: 0 order, 1 id_hub, 2 ob, 3 password, 4 locale.
    fn part(&self, idx: usize) -> &str {
        let start: usize = self.lens[..idx].iter().map(|&n| n as usize).sum();
        let end = match self.lens.get(idx) {
            Some(&n) => start + n as usize,
            None => self.text.len(),
        };
        self.text.get(start..end).unwrap_or("")
    }

    fn order(&self) -> &str {
        self.part(0)
    }

    /// Replaces `order`, keeping the other fields.
    fn set_order(&mut self, order: &str) {
        let rest = self.text.get(self.lens[0] as usize..).unwrap_or("");
        let mut text = String::with_capacity(order.len() + rest.len());
        text.push_str(order);
        text.push_str(rest);
        self.lens[0] = u32::try_from(order.len()).unwrap_or(u32::MAX);
        self.text = text.into_boxed_str();
    }
}

#[derive(Default)]
struct Activations {
    next_seq: u64,
    order: BTreeMap<u64, (TenantIdx, DeviceId)>,
}

/// A tenant as the fixture describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantFixture {
    pub name: String,
    /// API keys accepted as `Authorization: Bearer <key>` or `?access_token=<key>`.
    pub keys: Vec<String>,
    #[serde(default)]
    pub subscribers: Vec<SubscriberFixture>,
}

/// A subscriber present from the start (and after every reset).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriberFixture {
    pub user_id: String,
    #[serde(flatten)]
    pub request: super::model::CreateSubscriberRequest,
    #[serde(default)]
    pub devices: Vec<DeviceFixture>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceFixture {
    pub device_id: String,
    #[serde(rename = "type")]
    pub kind: DeviceKind,
    pub name: String,
}

/// Why a fixture cannot be loaded; reported at startup.
#[derive(Debug, thiserror::Error)]
pub enum VpnFixtureError {
    #[error("vpn tenant {tenant}: {detail}")]
    Tenant { tenant: String, detail: String },
    #[error("vpn bundle catalogue: {0}")]
    Catalogue(String),
}

/// A device's link as the daemon and the control plane report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSnapshot {
    pub device_id: DeviceId,
    pub connected: bool,
    /// Milliseconds of the current session (or of the last one, when disconnected).
    pub session_ms: i64,
}

/// Why the control plane could not activate a device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivateError {
    #[error("This user_id does not exist in our database")]
    SubscriberNotFound,
    #[error("the subscriber already has {active} active devices and {licenses} licenses")]
    LicenceCapReached { licenses: u32, active: usize },
    #[error("device_id {0} is already in use")]
    DeviceIdTaken(DeviceId),
    #[error("no free device id could be drawn")]
    IdsExhausted,
}

impl VpnState {
    /// Builds the state from a fixture, validating every fixture subscriber with the same
    /// rules as `POST /subscribers`.
    ///
    /// # Errors
    /// A fixture that breaks a rule, repeats an id, key or order, or exceeds a licence cap.
    pub fn new(
        catalogue: Vec<BundleSpec>,
        fixture: Vec<TenantFixture>,
        seed: u64,
        max_subscribers_per_tenant: usize,
    ) -> Result<Self, VpnFixtureError> {
        if catalogue.is_empty() || catalogue.len() > usize::from(u16::MAX) {
            return Err(VpnFixtureError::Catalogue("must hold 1 to 65535 bundles".into()));
        }
        let mut by_key = HashMap::new();
        let mut by_name = HashMap::new();
        let mut tenants = Vec::with_capacity(fixture.len());
        for (idx, tenant) in fixture.iter().enumerate() {
            let fail =
                |detail: String| VpnFixtureError::Tenant { tenant: tenant.name.clone(), detail };
            if by_name.insert(tenant.name.clone(), TenantIdx(idx)).is_some() {
                return Err(fail("the tenant name appears twice".into()));
            }
            for key in &tenant.keys {
                if by_key.insert(key.clone(), TenantIdx(idx)).is_some() {
                    return Err(fail(format!("key {key} belongs to two tenants")));
                }
            }
            tenants.push(Tenant {
                name: tenant.name.clone(),
                book: Mutex::new(Book::empty(seed, &tenant.name)),
            });
        }
        let state = VpnState {
            catalogue,
            tenants,
            by_key,
            by_name,
            device_owner: DashMap::with_hasher(IdHash),
            activations: Mutex::new(Activations::default()),
            fixture,
            seed,
            max_subscribers_per_tenant,
        };
        state.reset_to_fixture(0)?;
        Ok(state)
    }

    /// Forgets everything and reloads the fixture; devices from the fixture are connected
    /// from `now_ms`. All tenant locks are held together, so no request sees half a reset.
    ///
    /// # Errors
    /// Only on a fixture that [`VpnState::new`] would have refused.
    pub fn reset_to_fixture(&self, now_ms: i64) -> Result<(), VpnFixtureError> {
        let mut books: Vec<MutexGuard<'_, Book>> =
            self.tenants.iter().map(|t| lock(&t.book)).collect();
        let mut activations = lock(&self.activations);
        *activations = Activations::default();
        self.device_owner.clear();
        for (idx, (book, tenant)) in books.iter_mut().zip(&self.fixture).enumerate() {
            **book = Book::empty(self.seed, &tenant.name);
            let fail =
                |detail: String| VpnFixtureError::Tenant { tenant: tenant.name.clone(), detail };
            for sub in &tenant.subscribers {
                let user_id = UserId::parse(&sub.user_id).ok_or_else(|| {
                    fail(format!("user_id {} does not match {}", sub.user_id, UserId::PATTERN))
                })?;
                let record = super::model::parse_create(&sub.request, &self.catalogue)
                    .map_err(|e| fail(format!("subscriber {}: {e}", sub.user_id)))?;
                if book.subscribers.contains_key(&user_id) {
                    return Err(fail(format!("user_id {} appears twice", sub.user_id)));
                }
                book.insert_subscriber(user_id, record)
                    .map_err(|e| fail(format!("subscriber {}: {e}", sub.user_id)))?;
                for device in &sub.devices {
                    let device_id = DeviceId::parse(&device.device_id).ok_or_else(|| {
                        fail(format!("device_id {} is not hex", device.device_id))
                    })?;
                    let name = super::model::parse_device_name(&device.name, usize::MAX)
                        .map_err(|e| fail(e.to_string()))?;
                    self.attach_device(
                        &mut activations,
                        book,
                        TenantIdx(idx),
                        user_id,
                        device_id,
                        device.kind,
                        Some(name),
                        now_ms,
                    )
                    .map_err(|e| fail(format!("device {}: {e}", device.device_id)))?;
                }
            }
        }
        Ok(())
    }

    /// The tenant an API key belongs to.
    pub fn tenant_by_key(&self, key: &str) -> Option<TenantIdx> {
        self.by_key.get(key).copied()
    }

    /// The tenant with this fixture name (control plane addressing).
    pub fn tenant_by_name(&self, name: &str) -> Option<TenantIdx> {
        self.by_name.get(name).copied()
    }

    pub fn tenant_name(&self, tenant: TenantIdx) -> &str {
        &self.tenants[tenant.0].name
    }

    pub fn catalogue(&self) -> &[BundleSpec] {
        &self.catalogue
    }

    /// Creates a subscriber atomically: the uniqueness checks and the insert happen under one
    /// lock, so of N concurrent creates with one `order` exactly one succeeds.
    ///
    /// # Errors
    /// 409 on a taken `order` or `license_key`, 507 when the tenant is full.
    pub fn create_subscriber(
        &self,
        tenant: TenantIdx,
        record: NewSubscriber,
    ) -> Result<UserId, VpnError> {
        let mut book = self.book(tenant);
        if book.subscribers.len() >= self.max_subscribers_per_tenant {
            return Err(VpnError::TenantFull { max: self.max_subscribers_per_tenant });
        }
        // Uniqueness first: a refused create must not move the id stream, or the ids of later
        // creates would depend on how many refused ones came before them.
        book.check_unique(&record)?;
        let mut user_id = None;
        for _ in 0..MAX_ID_DRAWS {
            let candidate = UserId(book.rng.in_range(USER_ID_MIN, USER_ID_MAX));
            if !book.subscribers.contains_key(&candidate) {
                user_id = Some(candidate);
                break;
            }
        }
        let user_id =
            user_id.ok_or(VpnError::TenantFull { max: self.max_subscribers_per_tenant })?;
        book.insert_subscriber(user_id, record)?;
        Ok(user_id)
    }

    /// Deletes a subscriber and every device of it.
    ///
    /// # Errors
    /// 404 when the tenant has no such subscriber.
    pub fn delete_subscriber(&self, tenant: TenantIdx, user_id: UserId) -> Result<(), VpnError> {
        let mut book = self.book(tenant);
        let subscriber = book.subscribers.remove(&user_id).ok_or(VpnError::SubscriberNotFound)?;
        book.orders.remove(subscriber.record.order());
        if let Some(key) = &subscriber.record.license_key {
            book.license_keys.remove(key);
        }
        let mut activations = lock(&self.activations);
        for device_id in &subscriber.devices {
            if let Some(device) = book.devices.remove(device_id) {
                activations.order.remove(&device.activation_seq);
            }
            self.device_owner.remove(device_id);
        }
        Ok(())
    }

    /// Replaces `order` and `bundle`. Lowering `licenses` below the number of active devices
    /// keeps them all; only new activations are refused until enough are deleted.
    ///
    /// # Errors
    /// 404 unknown subscriber, 409 when `order` belongs to another subscriber.
    pub fn update_subscriber(
        &self,
        tenant: TenantIdx,
        user_id: UserId,
        update: SubscriberUpdate,
    ) -> Result<(), VpnError> {
        let mut book = self.book(tenant);
        let book = &mut *book;
        let subscriber = book.subscribers.get_mut(&user_id).ok_or(VpnError::SubscriberNotFound)?;
        match book.orders.get(&update.order) {
            Some(owner) if *owner != user_id => return Err(VpnError::OrderExists),
            Some(_) => {}
            None => {
                book.orders.remove(subscriber.record.order());
                book.orders.insert(update.order.clone(), user_id);
            }
        }
        subscriber.record.set_order(&update.order);
        subscriber.record.bundle = update.bundle;
        Ok(())
    }

    /// The subscriber's devices in activation order.
    ///
    /// # Errors
    /// 404 unknown subscriber.
    pub fn list_devices(
        &self,
        tenant: TenantIdx,
        user_id: UserId,
    ) -> Result<Vec<DeviceListItem>, VpnError> {
        let book = self.book(tenant);
        let subscriber = book.subscribers.get(&user_id).ok_or(VpnError::SubscriberNotFound)?;
        Ok(subscriber
            .devices
            .iter()
            .filter_map(|id| {
                book.devices.get(id).map(|d| DeviceListItem { device_id: d.view(*id) })
            })
            .collect())
    }

    /// Renames a device.
    ///
    /// # Errors
    /// 404 unknown subscriber or device, 409 device of another subscriber of the tenant.
    pub fn rename_device(
        &self,
        tenant: TenantIdx,
        user_id: UserId,
        device_id: DeviceId,
        name: Box<str>,
    ) -> Result<DeviceView, VpnError> {
        let mut book = self.book(tenant);
        book.check_ownership(user_id, device_id)?;
        let device = book.devices.get_mut(&device_id).ok_or(VpnError::DeviceNotFound)?;
        device.name = Some(name);
        Ok(device.view(device_id))
    }

    /// Deletes (deactivates) a device; its licence slot is free at once.
    ///
    /// # Errors
    /// As [`VpnState::rename_device`].
    pub fn delete_device(
        &self,
        tenant: TenantIdx,
        user_id: UserId,
        device_id: DeviceId,
    ) -> Result<(), VpnError> {
        let mut book = self.book(tenant);
        book.check_ownership(user_id, device_id)?;
        if let Some(device) = book.devices.remove(&device_id) {
            lock(&self.activations).order.remove(&device.activation_seq);
        }
        if let Some(subscriber) = book.subscribers.get_mut(&user_id) {
            subscriber.devices =
                subscriber.devices.iter().copied().filter(|id| *id != device_id).collect();
        }
        self.device_owner.remove(&device_id);
        Ok(())
    }

    /// Activates a device for a subscriber (what a real client does by logging in), connected
    /// from `now_ms`. Refused at the licence cap.
    ///
    /// # Errors
    /// See [`ActivateError`].
    #[allow(clippy::too_many_arguments)] // each argument is one field of the activation
    pub fn activate_device(
        &self,
        tenant: TenantIdx,
        user_id: UserId,
        kind: DeviceKind,
        name: Option<Box<str>>,
        device_id: Option<DeviceId>,
        now_ms: i64,
    ) -> Result<DeviceView, ActivateError> {
        let mut book = self.book(tenant);
        let subscriber = book.subscribers.get(&user_id).ok_or(ActivateError::SubscriberNotFound)?;
        // The cap before the id draw: a refused activation must not move the id stream.
        let licenses = subscriber.record.bundle.licenses;
        if subscriber.devices.len() >= licenses as usize {
            return Err(ActivateError::LicenceCapReached {
                licenses,
                active: subscriber.devices.len(),
            });
        }
        let device_id = match device_id {
            Some(id) => id,
            None => {
                let mut drawn = None;
                for _ in 0..MAX_ID_DRAWS {
                    let candidate = DeviceId(book.rng.in_range(1, DEVICE_ID_MAX));
                    if !self.device_owner.contains_key(&candidate) {
                        drawn = Some(candidate);
                        break;
                    }
                }
                drawn.ok_or(ActivateError::IdsExhausted)?
            }
        };
        let mut activations = lock(&self.activations);
        self.attach_device(
            &mut activations,
            &mut book,
            tenant,
            user_id,
            device_id,
            kind,
            name,
            now_ms,
        )?;
        Ok(book.devices[&device_id].view(device_id))
    }

    /// Connects (`true`) or disconnects a device. Connecting a connected device keeps its
    /// session; connecting a disconnected one starts a new session with counters at zero.
    ///
    /// Returns `None` when no tenant has the device.
    pub fn set_link(
        &self,
        device_id: DeviceId,
        connect: bool,
        now_ms: i64,
    ) -> Option<LinkSnapshot> {
        let tenant = *self.device_owner.get(&device_id)?;
        let mut book = self.book(tenant);
        let device = book.devices.get_mut(&device_id)?;
        match (connect, device.link.since()) {
            (true, None) => device.link = Link::connected_at(now_ms),
            (false, Some(since)) => {
                device.link = Link {
                    connected_since_ms: NOT_CONNECTED,
                    last_session_ms: (now_ms - since).max(0),
                }
            }
            _ => {}
        }
        Some(device.link.snapshot(device_id, now_ms))
    }

    /// The link of `device_id`, or of the most recently activated device when `None`.
    ///
    /// # Returns
    /// `Ok(None)` when no device exists at all; `Err(())` when the named device is unknown.
    #[allow(clippy::result_unit_err)] // the only failure is "no such device"
    pub fn link_snapshot(
        &self,
        device_id: Option<DeviceId>,
        now_ms: i64,
    ) -> Result<Option<LinkSnapshot>, ()> {
        let (tenant, device_id) = match device_id {
            Some(id) => (*self.device_owner.get(&id).ok_or(())?, id),
            None => match lock(&self.activations).order.last_key_value() {
                Some((_, (tenant, id))) => (*tenant, *id),
                None => return Ok(None),
            },
        };
        let book = self.book(tenant);
        // A device deleted between the two lookups is simply gone.
        let device = book.devices.get(&device_id).ok_or(())?;
        Ok(Some(device.link.snapshot(device_id, now_ms)))
    }

    /// Number of subscribers of a tenant (for the control plane and tests).
    pub fn subscriber_count(&self, tenant: TenantIdx) -> usize {
        self.book(tenant).subscribers.len()
    }

    fn book(&self, tenant: TenantIdx) -> MutexGuard<'_, Book> {
        lock(&self.tenants[tenant.0].book)
    }

    #[allow(clippy::too_many_arguments)] // shared by fixture loading and activation
    fn attach_device(
        &self,
        activations: &mut Activations,
        book: &mut Book,
        tenant: TenantIdx,
        user_id: UserId,
        device_id: DeviceId,
        kind: DeviceKind,
        name: Option<Box<str>>,
        now_ms: i64,
    ) -> Result<(), ActivateError> {
        let subscriber =
            book.subscribers.get_mut(&user_id).ok_or(ActivateError::SubscriberNotFound)?;
        let licenses = subscriber.record.bundle.licenses;
        if subscriber.devices.len() >= licenses as usize {
            return Err(ActivateError::LicenceCapReached {
                licenses,
                active: subscriber.devices.len(),
            });
        }
        match self.device_owner.entry(device_id) {
            dashmap::Entry::Occupied(_) => return Err(ActivateError::DeviceIdTaken(device_id)),
            dashmap::Entry::Vacant(slot) => {
                slot.insert(tenant);
            }
        }
        let activation_seq = activations.next_seq;
        activations.next_seq += 1;
        activations.order.insert(activation_seq, (tenant, device_id));
        let mut devices = Vec::with_capacity(subscriber.devices.len() + 1);
        devices.extend_from_slice(&subscriber.devices);
        devices.push(device_id);
        subscriber.devices = devices.into_boxed_slice();
        let link = Link::connected_at(now_ms);
        book.devices.insert(device_id, Device { owner: user_id, kind, name, activation_seq, link });
        Ok(())
    }
}

impl Book {
    fn empty(seed: u64, tenant: &str) -> Self {
        Book {
            subscribers: HashMap::with_hasher(IdHash),
            orders: HashMap::new(),
            license_keys: HashMap::new(),
            devices: HashMap::with_hasher(IdHash),
            rng: IdRng::for_partition(seed, &format!("vpn/{tenant}")),
        }
    }

    /// 409 when the record's `order` or `license_key` is taken in this tenant.
    fn check_unique(&self, record: &NewSubscriber) -> Result<(), VpnError> {
        if self.orders.contains_key(&record.order) {
            return Err(VpnError::OrderExists);
        }
        if let Some(key) = &record.license_key
            && self.license_keys.contains_key(key)
        {
            return Err(VpnError::LicenseKeyExists);
        }
        Ok(())
    }

    /// Checks both uniqueness rules, then inserts; nothing changes on error.
    fn insert_subscriber(
        &mut self,
        user_id: UserId,
        record: NewSubscriber,
    ) -> Result<(), VpnError> {
        self.check_unique(&record)?;
        self.orders.insert(record.order.clone(), user_id);
        if let Some(key) = &record.license_key {
            self.license_keys.insert(key.clone(), user_id);
        }
        let record = StoredRecord::new(record);
        self.subscribers.insert(user_id, Subscriber { record, devices: Box::default() });
        Ok(())
    }

    fn check_ownership(&self, user_id: UserId, device_id: DeviceId) -> Result<(), VpnError> {
        if !self.subscribers.contains_key(&user_id) {
            return Err(VpnError::SubscriberNotFound);
        }
        match self.devices.get(&device_id) {
            None => Err(VpnError::DeviceNotFound),
            Some(device) if device.owner != user_id => Err(VpnError::DeviceOfAnotherSubscriber),
            Some(_) => Ok(()),
        }
    }
}

impl Device {
    fn view(&self, device_id: DeviceId) -> DeviceView {
        DeviceView {
            device_id: device_id.to_string(),
            kind: self.kind,
            name: self.name().to_owned(),
        }
    }

    /// The name clients see.
    fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.kind.default_name())
    }
}

impl Link {
    /// A session starting at `now_ms`, counters at zero.
    fn connected_at(now_ms: i64) -> Link {
        Link { connected_since_ms: now_ms, last_session_ms: 0 }
    }

    /// Start of the current session; `None` while disconnected.
    fn since(&self) -> Option<i64> {
        (self.connected_since_ms != NOT_CONNECTED).then_some(self.connected_since_ms)
    }

    fn snapshot(&self, device_id: DeviceId, now_ms: i64) -> LinkSnapshot {
        match self.since() {
            // A clock moved behind the connection time reads as a session that just began.
            Some(since) => {
                LinkSnapshot { device_id, connected: true, session_ms: (now_ms - since).max(0) }
            }
            None => LinkSnapshot { device_id, connected: false, session_ms: self.last_session_ms },
        }
    }
}

impl Bundle {
    pub fn licenses(&self) -> u32 {
        self.licenses
    }
}

/// Locks a mutex, recovering the data if a previous holder panicked: every critical section
/// validates before it mutates, so a panic (a bug) cannot leave a half-applied change.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl VpnState {
    /// A stable hash of everything a client can observe of every tenant: subscribers with
    /// every field of their record (order, hub, group, password, bundle and licences, locale,
    /// licence key, price), the order and licence-key indexes, devices with their owner, type,
    /// name and link, the activation order and the cross-tenant device index. Tests compare it
    /// before and after a request to show that a refused request "changes no state".
    ///
    /// Left out on purpose: each tenant's id stream (`rng`) and the activation counter. Their
    /// positions are not data — they decide which id the *next* create draws, not what any
    /// answer holds now — and a create refused for a taken `order` has already drawn its id
    /// (the draw happens before the uniqueness check), so including them would flag a refusal
    /// that leaves every record untouched.
    ///
    /// Every tenant lock is taken in index order and held together, then `activations`
    /// (the module's lock order), so the hash is of one consistent instant. Stable within one
    /// build (`DefaultHasher::new` has fixed keys); compare fingerprints of one build only.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};

        let books: Vec<MutexGuard<'_, Book>> = self.tenants.iter().map(|t| lock(&t.book)).collect();
        let activations = lock(&self.activations);
        let mut hasher = DefaultHasher::new();
        for (tenant, book) in self.tenants.iter().zip(&books) {
            tenant.name.hash(&mut hasher);
            let mut user_ids: Vec<&UserId> = book.subscribers.keys().collect();
            user_ids.sort_unstable();
            user_ids.len().hash(&mut hasher);
            for user_id in user_ids {
                let subscriber = &book.subscribers[user_id];
                let record = &subscriber.record;
                user_id.hash(&mut hasher);
                record.order().hash(&mut hasher);
                record.part(1).hash(&mut hasher);
                record.part(2).hash(&mut hasher);
                record.part(3).hash(&mut hasher);
                record.bundle.catalogue_idx.hash(&mut hasher);
                record.bundle.licenses.hash(&mut hasher);
                record.part(4).hash(&mut hasher);
                record.license_key.hash(&mut hasher);
                record.price_cents.hash(&mut hasher);
                subscriber.devices.hash(&mut hasher);
            }
            for index in [&book.orders, &book.license_keys] {
                let mut entries: Vec<(&Box<str>, &UserId)> = index.iter().collect();
                entries.sort_unstable();
                entries.hash(&mut hasher);
            }
            let mut device_ids: Vec<&DeviceId> = book.devices.keys().collect();
            device_ids.sort_unstable();
            device_ids.len().hash(&mut hasher);
            for device_id in device_ids {
                let device = &book.devices[device_id];
                device_id.hash(&mut hasher);
                device.owner.hash(&mut hasher);
                device.kind.default_name().hash(&mut hasher);
                device.name().hash(&mut hasher);
                device.link.since().hash(&mut hasher);
                device.link.last_session_ms.hash(&mut hasher);
            }
        }
        // The order of activations decides the daemon's default device; the sequence numbers
        // themselves are never shown.
        let order: Vec<&(TenantIdx, DeviceId)> = activations.order.values().collect();
        order.hash(&mut hasher);
        let mut owners: Vec<(DeviceId, TenantIdx)> =
            self.device_owner.iter().map(|entry| (*entry.key(), *entry.value())).collect();
        owners.sort_unstable();
        owners.hash(&mut hasher);
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::vpn::model::{CreateSubscriberRequest, parse_create};

    fn catalogue() -> Vec<BundleSpec> {
        vec![BundleSpec { id: "premium".into() }]
    }

    fn tenants() -> Vec<TenantFixture> {
        let tenant = |name: &str, key: &str| TenantFixture {
            name: name.into(),
            keys: vec![key.into()],
            subscribers: Vec::new(),
        };
        vec![tenant("one", "k1"), tenant("two", "k2")]
    }

    fn state() -> VpnState {
        VpnState::new(catalogue(), tenants(), 7, 100).unwrap()
    }

    fn record(order: &str, licenses: u32) -> NewSubscriber {
        let request: CreateSubscriberRequest = serde_json::from_value(serde_json::json!({
            "order": order, "id_hub": "hub", "ob": "ob", "name": "hub@ob",
            "password": "+34600111222", "bundle": {"id": "premium", "licenses": licenses},
            "locale": "en-US"
        }))
        .unwrap();
        parse_create(&request, &catalogue()).unwrap()
    }

    const ONE: TenantIdx = TenantIdx(0);
    const TWO: TenantIdx = TenantIdx(1);

    #[test]
    fn stored_records_keep_every_field() {
        let mut record = record("ord-ü-1", 2);
        record.license_key = Some("AB12-CD34-EF56-GH78".into());
        record.price_cents = Some(999);
        let mut stored = StoredRecord::new(record);
        let fields = |s: &StoredRecord| (0..5).map(|i| s.part(i).to_owned()).collect::<Vec<_>>();
        assert_eq!(fields(&stored), ["ord-ü-1", "hub", "ob", "+34600111222", "en-US"]);
        stored.set_order("a-much-longer-order-ñ");
        assert_eq!(
            fields(&stored),
            ["a-much-longer-order-ñ", "hub", "ob", "+34600111222", "en-US"]
        );
        stored.set_order("x");
        assert_eq!(stored.order(), "x");
        assert_eq!(stored.part(4), "en-US");
        assert_eq!(stored.license_key.as_deref(), Some("AB12-CD34-EF56-GH78"));
        assert_eq!(stored.price_cents, Some(999));
    }

    #[test]
    fn id_hashes_differ_for_neighbouring_ids() {
        let hash = |n: u64| IdHash.hash_one(UserId(n));
        assert_ne!(hash(1), hash(2));
        assert_ne!(hash(0), hash(1 << 63));
        // Neighbouring ids must differ in the top 7 bits too (hashbrown's control bytes).
        let tops: std::collections::BTreeSet<u64> = (0..64).map(|n| hash(n) >> 57).collect();
        assert!(tops.len() > 32, "{tops:?}");
    }

    #[test]
    fn identical_states_have_equal_fingerprints() {
        let (a, b) = (state(), state());
        assert_eq!(a.fingerprint(), b.fingerprint());
        for s in [&a, &b] {
            let user = s.create_subscriber(ONE, record("o1", 2)).unwrap();
            s.activate_device(ONE, user, DeviceKind::Mobile, None, None, 5).unwrap();
        }
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), a.fingerprint(), "reading changes nothing");
    }

    #[test]
    fn every_observable_change_changes_the_fingerprint() {
        let s = state();
        let mut last = s.fingerprint();
        let mut changed = |s: &VpnState, what: &str| {
            let now = s.fingerprint();
            assert_ne!(now, last, "{what} did not change the fingerprint");
            last = now;
        };
        let user = s.create_subscriber(ONE, record("o1", 2)).unwrap();
        changed(&s, "a create");
        let other = s.create_subscriber(TWO, record("o1", 2)).unwrap();
        changed(&s, "a create in the other tenant");
        let update = SubscriberUpdate { order: "o2".into(), bundle: record("x", 3).bundle };
        s.update_subscriber(ONE, user, update).unwrap();
        changed(&s, "an update of order and licences");
        let device = s.activate_device(ONE, user, DeviceKind::Desktop, None, None, 5).unwrap();
        changed(&s, "an activation");
        let device_id = DeviceId::parse(&device.device_id).unwrap();
        s.rename_device(ONE, user, device_id, "Laptop".into()).unwrap();
        changed(&s, "a rename");
        s.set_link(device_id, false, 9).unwrap();
        changed(&s, "a disconnect");
        s.delete_device(ONE, user, device_id).unwrap();
        changed(&s, "a device deletion");
        s.delete_subscriber(TWO, other).unwrap();
        changed(&s, "a subscriber deletion");
    }

    #[test]
    fn refused_operations_leave_the_fingerprint_alone() {
        let s = state();
        let user = s.create_subscriber(ONE, record("o1", 1)).unwrap();
        s.activate_device(ONE, user, DeviceKind::Desktop, None, None, 5).unwrap();
        let before = s.fingerprint();
        assert_eq!(s.create_subscriber(ONE, record("o1", 1)), Err(VpnError::OrderExists));
        assert!(matches!(
            s.activate_device(ONE, user, DeviceKind::Mobile, None, None, 6),
            Err(ActivateError::LicenceCapReached { .. })
        ));
        assert_eq!(s.delete_subscriber(TWO, user), Err(VpnError::SubscriberNotFound));
        assert_eq!(before, s.fingerprint());
    }
}
