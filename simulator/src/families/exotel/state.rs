//! Exotel state: accounts from the fixture, each with its subscribers, its rate-limit window,
//! its request-id stream and its token-signing secret.
//!
//! Every account sits behind its own mutexes (`std::sync::Mutex`: each critical section is a
//! few map operations with no `.await` inside, so an async mutex would only add cost), so
//! requests of different accounts never contend and there is no global lock on the request
//! path. The three locks of an account (`book`, `meter`, `request_ids`) are never held
//! together except by a reset, which takes them in that order.
//!
//! **Architecture Invariant:** no data crosses accounts. Every operation takes the account
//! first and looks only into that account's book.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::errors::ExotelError;
use super::model::{
    NewSubscriber, SubscriberItem, SubscriberName, SubscriberStatus, SubscriberUpdate,
    SubscriberView, parse_new_subscriber,
};
use super::paging::PageRequest;
use super::ratelimit::{DEFAULT_REQUESTS_PER_MINUTE, RateMeter};
use super::timestamps::{DEFAULT_UTC_OFFSET, format_timestamp, parse_utc_offset};
use crate::ids::IdRng;

/// Index of an account in [`ExotelState`]; fixed for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountIdx(pub usize);

/// Longest account SID a fixture may declare. Exotel SIDs are short lower-case words
/// (`exotelip2ipcalling1` in the seed); the bound keeps page URIs and logs small.
pub const SID_MAX_BYTES: usize = 64;
/// Bytes of randomness in a derived signing secret (256 bits, the HS256 key size).
const DERIVED_SECRET_BYTES: usize = 32;
/// Bytes of randomness in a request id: 32 lowercase hex digits, like a dashless UUID.
const REQUEST_ID_BYTES: usize = 16;

/// All accounts of the family.
pub struct ExotelState {
    accounts: Vec<Account>,
    by_key: HashMap<String, AccountIdx>,
    by_sid: HashMap<String, AccountIdx>,
    /// Request ids of answers whose account is not known (bad credentials, for example).
    family_request_ids: Mutex<IdRng>,
    fixture: Vec<AccountFixture>,
    seed: u64,
    max_subscribers_per_account: usize,
}

struct Account {
    sid: String,
    api_token: String,
    utc_offset: UtcOffset,
    signing_secret: Vec<u8>,
    book: Mutex<Book>,
    meter: Mutex<RateMeter>,
    request_ids: Mutex<IdRng>,
}

/// One account's subscribers.
#[derive(Default)]
struct Book {
    subscribers: HashMap<SubscriberName, Subscriber>,
    /// Creation sequence → name; iterated backwards for "newest first". A sequence number
    /// rather than the creation time because many subscribers share one second (and, on a
    /// frozen clock, every one does).
    by_creation: BTreeMap<u64, SubscriberName>,
    next_seq: u64,
}

struct Subscriber {
    seq: u64,
    status: SubscriberStatus,
    custom_field: Option<Box<str>>,
    created_s: i64,
    updated_s: i64,
}

/// An account as the fixture describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFixture {
    /// The account SID of the request paths, `/v2/accounts/<sid>/...`.
    pub sid: String,
    /// Basic-auth user.
    pub api_key: String,
    /// Basic-auth password.
    pub api_token: String,
    /// Offset of every timestamp of the account, `+HH:MM`.
    #[serde(default = "default_utc_offset")]
    pub utc_offset: String,
    /// Requests admitted per one-minute window; 0 turns rate limiting off.
    #[serde(default = "default_requests_per_minute")]
    pub requests_per_minute: u32,
    /// HS256 secret of the account's subscriber tokens; derived from `--seed` and the SID
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
    /// Subscribers present from the start (and after every reset), oldest first.
    #[serde(default)]
    pub subscribers: Vec<SubscriberFixture>,
}

/// A subscriber present from the start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriberFixture {
    pub subscriber_name: String,
    #[serde(default = "default_status")]
    pub status: SubscriberStatus,
    #[serde(default)]
    pub custom_field: Option<String>,
}

/// Why a fixture cannot be loaded; reported at startup.
#[derive(Debug, thiserror::Error)]
#[error("exotel account {sid}: {detail}")]
pub struct ExotelFixtureError {
    pub sid: String,
    pub detail: String,
}

fn default_utc_offset() -> String {
    DEFAULT_UTC_OFFSET.to_owned()
}

fn default_requests_per_minute() -> u32 {
    DEFAULT_REQUESTS_PER_MINUTE
}

fn default_status() -> SubscriberStatus {
    SubscriberStatus::Active
}

impl ExotelState {
    /// Builds the state from a fixture, checking every account and fixture subscriber with
    /// the API's own rules.
    ///
    /// # Errors
    /// A repeated SID or key, an invalid SID, offset or subscriber.
    pub fn new(
        fixture: Vec<AccountFixture>,
        seed: u64,
        max_subscribers_per_account: usize,
    ) -> Result<Self, ExotelFixtureError> {
        let mut by_key = HashMap::new();
        let mut by_sid = HashMap::new();
        let mut accounts = Vec::with_capacity(fixture.len());
        for (idx, spec) in fixture.iter().enumerate() {
            let fail = |detail: String| ExotelFixtureError { sid: spec.sid.clone(), detail };
            let sid_ok = !spec.sid.is_empty()
                && spec.sid.len() <= SID_MAX_BYTES
                && spec.sid.bytes().all(|b| b.is_ascii_alphanumeric());
            if !sid_ok {
                return Err(fail(format!(
                    "the sid must be 1 to {SID_MAX_BYTES} ASCII letters or digits"
                )));
            }
            if by_sid.insert(spec.sid.clone(), AccountIdx(idx)).is_some() {
                return Err(fail("the sid appears twice".into()));
            }
            if spec.api_key.is_empty() || spec.api_key.contains(':') || spec.api_token.is_empty() {
                return Err(fail(
                    "api_key and api_token must be non-empty and the key has no ':'".into(),
                ));
            }
            if by_key.insert(spec.api_key.clone(), AccountIdx(idx)).is_some() {
                return Err(fail(format!("api_key {} belongs to two accounts", spec.api_key)));
            }
            let utc_offset = parse_utc_offset(&spec.utc_offset)
                .ok_or_else(|| fail(format!("utc_offset {:?} is not +HH:MM", spec.utc_offset)))?;
            let signing_secret = match &spec.token_secret {
                Some(secret) if secret.is_empty() => {
                    return Err(fail("token_secret is empty".into()));
                }
                Some(secret) => secret.as_bytes().to_vec(),
                None => IdRng::for_partition(seed, &format!("exotel/{}/token-secret", spec.sid))
                    .hex_lower(DERIVED_SECRET_BYTES)
                    .into_bytes(),
            };
            accounts.push(Account {
                sid: spec.sid.clone(),
                api_token: spec.api_token.clone(),
                utc_offset,
                signing_secret,
                book: Mutex::new(Book::default()),
                meter: Mutex::new(RateMeter::new(spec.requests_per_minute)),
                request_ids: Mutex::new(account_request_ids(seed, &spec.sid)),
            });
        }
        let state = ExotelState {
            accounts,
            by_key,
            by_sid,
            family_request_ids: Mutex::new(family_request_ids(seed)),
            fixture,
            seed,
            max_subscribers_per_account,
        };
        state.reset_to_fixture(0)?;
        Ok(state)
    }

    /// Forgets everything and reloads the fixture: subscribers (created at `now_s`), rate
    /// limits and windows, request-id streams. Every lock of every account is held together,
    /// so no request sees half a reset.
    ///
    /// # Errors
    /// Only on a fixture that [`ExotelState::new`] would have refused.
    pub fn reset_to_fixture(&self, now_s: i64) -> Result<(), ExotelFixtureError> {
        let mut books: Vec<MutexGuard<'_, Book>> =
            self.accounts.iter().map(|a| lock(&a.book)).collect();
        let mut meters: Vec<MutexGuard<'_, RateMeter>> =
            self.accounts.iter().map(|a| lock(&a.meter)).collect();
        let mut streams: Vec<MutexGuard<'_, IdRng>> =
            self.accounts.iter().map(|a| lock(&a.request_ids)).collect();
        *lock(&self.family_request_ids) = family_request_ids(self.seed);
        for (idx, spec) in self.fixture.iter().enumerate() {
            let fail = |detail: String| ExotelFixtureError { sid: spec.sid.clone(), detail };
            *meters[idx] = RateMeter::new(spec.requests_per_minute);
            *streams[idx] = account_request_ids(self.seed, &spec.sid);
            let book = &mut *books[idx];
            *book = Book::default();
            if spec.subscribers.len() > self.max_subscribers_per_account {
                return Err(fail(format!(
                    "{} subscribers exceed max_subscribers_per_account ({})",
                    spec.subscribers.len(),
                    self.max_subscribers_per_account
                )));
            }
            for sub in &spec.subscribers {
                let item = SubscriberItem {
                    subscriber_name: Some(sub.subscriber_name.clone()),
                    custom_field: sub.custom_field.clone(),
                    unknown: Default::default(),
                };
                let record = parse_new_subscriber(&item)
                    .map_err(|e| fail(format!("subscriber {:?}: {e}", sub.subscriber_name)))?;
                if book.subscribers.contains_key(&record.name) {
                    return Err(fail(format!("subscriber {} appears twice", sub.subscriber_name)));
                }
                book.insert(record, sub.status, now_s);
            }
        }
        Ok(())
    }

    /// The account whose Basic credentials these are.
    pub fn identify(&self, api_key: &str, api_token: &str) -> Option<AccountIdx> {
        let idx = *self.by_key.get(api_key)?;
        (self.accounts[idx.0].api_token == api_token).then_some(idx)
    }

    /// The account with this SID (control-plane addressing).
    pub fn account_by_sid(&self, sid: &str) -> Option<AccountIdx> {
        self.by_sid.get(sid).copied()
    }

    pub fn sid(&self, account: AccountIdx) -> &str {
        &self.accounts[account.0].sid
    }

    pub fn utc_offset(&self, account: AccountIdx) -> UtcOffset {
        self.accounts[account.0].utc_offset
    }

    pub fn signing_secret(&self, account: AccountIdx) -> &[u8] {
        &self.accounts[account.0].signing_secret
    }

    /// Every account's signing secret, in account order (for token verification).
    pub fn signing_secrets(&self) -> impl Iterator<Item = &[u8]> {
        self.accounts.iter().map(|a| a.signing_secret.as_slice())
    }

    /// The next request id: from the account's stream when the account is known, else from
    /// the family's. Per-account streams make one account's transcript replay exactly under
    /// the same `--seed`, however its requests interleave with other accounts'.
    pub fn next_request_id(&self, account: Option<AccountIdx>) -> String {
        let stream = match account {
            Some(account) => &self.accounts[account.0].request_ids,
            None => &self.family_request_ids,
        };
        lock(stream).hex_lower(REQUEST_ID_BYTES)
    }

    /// Counts one request of `account` at `now_ms` against its rate limit.
    ///
    /// # Errors
    /// [`ExotelError::RateLimited`] when the current window is used up.
    pub fn admit(&self, account: AccountIdx, now_ms: i64) -> Result<(), ExotelError> {
        lock(&self.accounts[account.0].meter).admit(now_ms).map_err(|refused| {
            ExotelError::RateLimited {
                requests_per_minute: refused.requests_per_minute,
                retry_after_s: refused.retry_after_s,
            }
        })
    }

    pub fn requests_per_minute(&self, account: AccountIdx) -> u32 {
        lock(&self.accounts[account.0].meter).requests_per_minute()
    }

    pub fn set_requests_per_minute(&self, account: AccountIdx, requests_per_minute: u32) {
        lock(&self.accounts[account.0].meter).set_requests_per_minute(requests_per_minute);
    }

    /// Creates the valid items of a bulk request, in input order, under one lock: an item
    /// fails when it failed parsing, when its name is repeated from an earlier item of the
    /// batch, when the account already has the name, or when the account is full. The other
    /// items are created (the seed's bulk semantics).
    pub fn create_batch(
        &self,
        account: AccountIdx,
        items: Vec<Result<NewSubscriber, ExotelError>>,
        now_s: i64,
    ) -> Vec<Result<SubscriberView, ExotelError>> {
        let offset = self.utc_offset(account);
        let mut book = self.book(account);
        let mut seen: HashSet<SubscriberName> = HashSet::with_capacity(items.len());
        items
            .into_iter()
            .map(|item| {
                let record = item?;
                if !seen.insert(record.name.clone()) {
                    return Err(ExotelError::DuplicateInRequest { name: record.name.to_string() });
                }
                if book.subscribers.contains_key(&record.name) {
                    return Err(ExotelError::DuplicateSubscriber { name: record.name.to_string() });
                }
                if book.subscribers.len() >= self.max_subscribers_per_account {
                    return Err(ExotelError::AccountFull { max: self.max_subscribers_per_account });
                }
                let name = record.name.clone();
                book.insert(record, SubscriberStatus::Active, now_s);
                Ok(book.view(&name, offset))
            })
            .map(|result| result.and_then(|view| view.ok_or_else(impossible_missing)))
            .collect()
    }

    /// Sets `status` (and `custom_field` when given); only `date_updated` moves.
    ///
    /// # Errors
    /// 404/1000 for an unknown subscriber.
    pub fn update(
        &self,
        account: AccountIdx,
        name: &SubscriberName,
        update: SubscriberUpdate,
        now_s: i64,
    ) -> Result<SubscriberView, ExotelError> {
        let offset = self.utc_offset(account);
        let mut book = self.book(account);
        let subscriber = book.subscribers.get_mut(name).ok_or(ExotelError::SubscriberNotFound)?;
        subscriber.status = update.status;
        if let Some(custom_field) = update.custom_field {
            subscriber.custom_field = Some(custom_field);
        }
        subscriber.updated_s = now_s;
        book.view(name, offset).ok_or_else(impossible_missing)
    }

    /// # Errors
    /// 404/1000 for an unknown subscriber.
    pub fn get(
        &self,
        account: AccountIdx,
        name: &SubscriberName,
    ) -> Result<SubscriberView, ExotelError> {
        self.book(account)
            .view(name, self.utc_offset(account))
            .ok_or(ExotelError::SubscriberNotFound)
    }

    /// # Errors
    /// 404/1000 for an unknown subscriber.
    pub fn delete(&self, account: AccountIdx, name: &SubscriberName) -> Result<(), ExotelError> {
        let mut book = self.book(account);
        let subscriber = book.subscribers.remove(name).ok_or(ExotelError::SubscriberNotFound)?;
        book.by_creation.remove(&subscriber.seq);
        Ok(())
    }

    /// One page, newest first, and whether anything follows it. The page is read under one
    /// lock, so it never holds the same subscriber twice even while others write.
    pub fn list(&self, account: AccountIdx, request: &PageRequest) -> (Vec<SubscriberView>, bool) {
        let offset = self.utc_offset(account);
        let book = self.book(account);
        let skip = usize::try_from(request.offset).unwrap_or(usize::MAX);
        // `page_size` is at most `PAGE_SIZE_MAX`; one extra item tells whether a next page exists.
        let take = usize::try_from(request.page_size).unwrap_or(0).saturating_add(1);
        let mut views: Vec<SubscriberView> = book
            .by_creation
            .values()
            .rev()
            .filter(|name| {
                request.status.is_none_or(|status| {
                    book.subscribers.get(*name).is_some_and(|s| s.status == status)
                })
            })
            .skip(skip)
            .take(take)
            .filter_map(|name| book.view(name, offset))
            .collect();
        let has_next = views.len() == take;
        views.truncate(take - 1);
        (views, has_next)
    }

    /// Whether `name` may receive tokens.
    ///
    /// # Errors
    /// 404/1000 unknown; 400/1002 inactive.
    pub fn check_token_subject(
        &self,
        account: AccountIdx,
        name: &SubscriberName,
    ) -> Result<(), ExotelError> {
        match self.book(account).subscribers.get(name) {
            None => Err(ExotelError::SubscriberNotFound),
            Some(s) if s.status == SubscriberStatus::Inactive => {
                Err(ExotelError::SubscriberInactive)
            }
            Some(_) => Ok(()),
        }
    }

    /// Number of subscribers of an account.
    pub fn subscriber_count(&self, account: AccountIdx) -> usize {
        self.book(account).subscribers.len()
    }

    fn book(&self, account: AccountIdx) -> MutexGuard<'_, Book> {
        lock(&self.accounts[account.0].book)
    }
}

impl Book {
    fn insert(&mut self, record: NewSubscriber, status: SubscriberStatus, now_s: i64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_creation.insert(seq, record.name.clone());
        let subscriber = Subscriber {
            seq,
            status,
            custom_field: record.custom_field,
            created_s: now_s,
            updated_s: now_s,
        };
        self.subscribers.insert(record.name, subscriber);
    }

    fn view(&self, name: &SubscriberName, offset: UtcOffset) -> Option<SubscriberView> {
        let subscriber = self.subscribers.get(name)?;
        Some(SubscriberView {
            date_created: format_timestamp(subscriber.created_s, offset),
            date_updated: format_timestamp(subscriber.updated_s, offset),
            subscriber_name: name.to_string(),
            status: subscriber.status,
            custom_field: subscriber.custom_field.as_deref().map(str::to_owned),
        })
    }
}

impl ExotelState {
    /// A stable hash of everything a client can observe of every account: its SID, UTC
    /// offset and configured `requests_per_minute`, and its subscribers in creation order
    /// (which is list order) with name, status, `custom_field` and both dates. Tests compare
    /// it before and after a request to show that a refused request "changes no state".
    ///
    /// Left out on purpose: the request-id streams and the rate-limit windows. Every request
    /// moves them, refused or not — each answer carries a fresh `request_id`, and every
    /// request with valid credentials counts against the window (see `ratelimit`) — so they
    /// record traffic, not data. The creation counter is left out too: only the order it
    /// gives is visible.
    ///
    /// Each account's `book` is taken in index order and all are held together, then each
    /// `meter` (the order a reset takes them), so the hash is of one consistent instant.
    /// Stable within one build (`DefaultHasher::new` has fixed keys).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};

        let books: Vec<MutexGuard<'_, Book>> =
            self.accounts.iter().map(|a| lock(&a.book)).collect();
        let meters: Vec<MutexGuard<'_, RateMeter>> =
            self.accounts.iter().map(|a| lock(&a.meter)).collect();
        let mut hasher = DefaultHasher::new();
        for ((account, book), meter) in self.accounts.iter().zip(&books).zip(&meters) {
            account.sid.hash(&mut hasher);
            account.utc_offset.whole_seconds().hash(&mut hasher);
            meter.requests_per_minute().hash(&mut hasher);
            book.subscribers.len().hash(&mut hasher);
            for name in book.by_creation.values() {
                name.hash(&mut hasher);
                if let Some(subscriber) = book.subscribers.get(name) {
                    subscriber.status.hash(&mut hasher);
                    subscriber.custom_field.hash(&mut hasher);
                    subscriber.created_s.hash(&mut hasher);
                    subscriber.updated_s.hash(&mut hasher);
                }
            }
        }
        hasher.finish()
    }
}

fn account_request_ids(seed: u64, sid: &str) -> IdRng {
    IdRng::for_partition(seed, &format!("exotel/{sid}/request-ids"))
}

fn family_request_ids(seed: u64) -> IdRng {
    IdRng::for_partition(seed, "exotel/request-ids")
}

/// A subscriber inserted a moment ago under the same lock is always there; should that ever
/// not hold, answer 500/1004 for the item rather than panic.
fn impossible_missing() -> ExotelError {
    ExotelError::Internal { detail: "a subscriber vanished under its own lock".into() }
}

/// Locks a mutex, recovering the data if a previous holder panicked: every critical section
/// validates before it mutates, so a panic (a bug) cannot leave a half-applied change.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<AccountFixture> {
        let account = |sid: &str, key: &str| AccountFixture {
            sid: sid.into(),
            api_key: key.into(),
            api_token: format!("{key}-token"),
            utc_offset: DEFAULT_UTC_OFFSET.into(),
            requests_per_minute: 200,
            token_secret: None,
            subscribers: Vec::new(),
        };
        vec![account("one", "k1"), account("two", "k2")]
    }

    fn name(raw: &str) -> SubscriberName {
        SubscriberName::parse(raw).unwrap()
    }

    fn new(raw: &str) -> Result<NewSubscriber, ExotelError> {
        Ok(NewSubscriber { name: name(raw), custom_field: None })
    }

    #[test]
    fn credentials_open_exactly_their_account() {
        let state = ExotelState::new(fixture(), 0, 10).unwrap();
        assert_eq!(state.identify("k2", "k2-token"), Some(AccountIdx(1)));
        assert_eq!(state.identify("k2", "k1-token"), None);
        assert_eq!(state.identify("nobody", "k2-token"), None);
    }

    #[test]
    fn batch_duplicates_capacity_and_isolation() {
        let state = ExotelState::new(fixture(), 0, 3).unwrap();
        let one = AccountIdx(0);
        state.create_batch(one, vec![new("bob")], 0);
        let results = state.create_batch(
            one,
            vec![
                new("bob"),
                new("amy"),
                new("amy"),
                Err(ExotelError::invalid("x")),
                new("Amy"),
                new("zed"),
            ],
            0,
        );
        let codes: Vec<u16> =
            results.iter().map(|r| r.as_ref().map_or_else(|e| e.parts().code, |_| 200)).collect();
        assert_eq!(codes, [1008, 200, 1008, 1002, 200, 1002]);
        assert!(matches!(results[0], Err(ExotelError::DuplicateSubscriber { .. })));
        assert!(matches!(results[2], Err(ExotelError::DuplicateInRequest { .. })));
        assert!(matches!(results[5], Err(ExotelError::AccountFull { max: 3 })));
        assert_eq!(state.subscriber_count(one), 3);
        assert_eq!(state.subscriber_count(AccountIdx(1)), 0);
        assert_eq!(state.get(AccountIdx(1), &name("bob")), Err(ExotelError::SubscriberNotFound));
    }

    #[test]
    fn list_is_newest_first_with_filter_and_next_flag() {
        let state = ExotelState::new(fixture(), 0, 100).unwrap();
        let one = AccountIdx(0);
        state.create_batch(one, ["a1", "a2", "a3", "a4", "a5"].into_iter().map(new).collect(), 0);
        let inactive = SubscriberUpdate { status: SubscriberStatus::Inactive, custom_field: None };
        state.update(one, &name("a2"), inactive, 5).unwrap();
        let page = |status, offset, page_size| {
            let (views, has_next) = state.list(one, &PageRequest { status, offset, page_size });
            (views.into_iter().map(|v| v.subscriber_name).collect::<Vec<_>>(), has_next)
        };
        assert_eq!(page(None, 0, 2), (vec!["a5".into(), "a4".into()], true));
        assert_eq!(page(None, 4, 2), (vec!["a1".into()], false));
        assert_eq!(page(None, 3, 2), (vec!["a2".into(), "a1".into()], false));
        assert_eq!(
            page(Some(SubscriberStatus::Active), 2, 2),
            (vec!["a3".into(), "a1".into()], false)
        );
        assert_eq!(page(Some(SubscriberStatus::Inactive), 0, 100), (vec!["a2".into()], false));
        assert_eq!(page(None, u64::MAX, 100), (vec![], false));
    }

    #[test]
    fn update_moves_only_date_updated_and_tokens_need_an_active_subscriber() {
        let state = ExotelState::new(fixture(), 0, 100).unwrap();
        let one = AccountIdx(0);
        let created = state.create_batch(one, vec![new("archit")], 100).remove(0).unwrap();
        assert_eq!(state.check_token_subject(one, &name("archit")), Ok(()));
        let update = SubscriberUpdate { status: SubscriberStatus::Inactive, custom_field: None };
        let updated = state.update(one, &name("archit"), update, 3_700).unwrap();
        assert_eq!(updated.date_created, created.date_created);
        assert_ne!(updated.date_updated, created.date_updated);
        assert_eq!(updated.custom_field, None);
        assert_eq!(
            state.check_token_subject(one, &name("archit")),
            Err(ExotelError::SubscriberInactive)
        );
        assert_eq!(
            state.check_token_subject(one, &name("nobody")),
            Err(ExotelError::SubscriberNotFound)
        );
    }

    #[test]
    fn reset_restores_fixture_subscribers_limits_and_streams() {
        let mut spec = fixture();
        spec[0].subscribers.push(SubscriberFixture {
            subscriber_name: "seeded".into(),
            status: SubscriberStatus::Inactive,
            custom_field: Some("vip".into()),
        });
        let state = ExotelState::new(spec, 9, 100).unwrap();
        let one = AccountIdx(0);
        let first_id = state.next_request_id(Some(one));
        state.delete(one, &name("seeded")).unwrap();
        state.set_requests_per_minute(one, 1);
        state.reset_to_fixture(0).unwrap();
        assert_eq!(state.get(one, &name("seeded")).unwrap().custom_field.as_deref(), Some("vip"));
        assert_eq!(state.requests_per_minute(one), 200);
        assert_eq!(state.next_request_id(Some(one)), first_id);
        assert_ne!(state.next_request_id(None), first_id);
    }

    #[test]
    fn bad_fixtures_are_refused() {
        let cases: Vec<fn(&mut Vec<AccountFixture>)> = vec![
            |f| f[1].sid = "one".into(),
            |f| f[1].api_key = "k1".into(),
            |f| f[0].sid = "with/slash".into(),
            |f| f[0].utc_offset = "IST".into(),
            |f| f[0].api_key = "a:b".into(),
            |f| {
                f[0].subscribers.push(SubscriberFixture {
                    subscriber_name: "bad name".into(),
                    status: SubscriberStatus::Active,
                    custom_field: None,
                })
            },
        ];
        for (idx, tweak) in cases.into_iter().enumerate() {
            let mut spec = fixture();
            tweak(&mut spec);
            assert!(ExotelState::new(spec, 0, 10).is_err(), "case {idx}");
        }
    }

    #[test]
    fn derived_secrets_differ_per_account_and_seed() {
        let a = ExotelState::new(fixture(), 0, 10).unwrap();
        let b = ExotelState::new(fixture(), 1, 10).unwrap();
        assert_ne!(a.signing_secret(AccountIdx(0)), a.signing_secret(AccountIdx(1)));
        assert_ne!(a.signing_secret(AccountIdx(0)), b.signing_secret(AccountIdx(0)));
        assert_eq!(a.signing_secret(AccountIdx(0)).len(), 2 * DERIVED_SECRET_BYTES);
    }

    #[test]
    fn identical_states_have_equal_fingerprints() {
        let a = ExotelState::new(fixture(), 0, 100).unwrap();
        let b = ExotelState::new(fixture(), 0, 100).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        for s in [&a, &b] {
            s.create_batch(AccountIdx(0), vec![new("bob"), new("amy")], 10);
        }
        assert_eq!(a.fingerprint(), b.fingerprint());
        // Traffic is not data: request ids and rate-limit windows move, the hash does not.
        a.next_request_id(Some(AccountIdx(0)));
        a.admit(AccountIdx(0), 0).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn every_observable_change_changes_the_fingerprint() {
        let s = ExotelState::new(fixture(), 0, 100).unwrap();
        let one = AccountIdx(0);
        let mut last = s.fingerprint();
        let mut changed = |s: &ExotelState, what: &str| {
            let now = s.fingerprint();
            assert_ne!(now, last, "{what} did not change the fingerprint");
            last = now;
        };
        s.create_batch(one, vec![new("bob"), new("amy")], 10);
        changed(&s, "a bulk create");
        s.create_batch(AccountIdx(1), vec![new("bob")], 10);
        changed(&s, "a create in the other account");
        let inactive = SubscriberUpdate { status: SubscriberStatus::Inactive, custom_field: None };
        s.update(one, &name("bob"), inactive.clone(), 10).unwrap();
        changed(&s, "a status change");
        let custom = SubscriberUpdate {
            status: SubscriberStatus::Inactive,
            custom_field: Some("vip".into()),
        };
        s.update(one, &name("bob"), custom, 10).unwrap();
        changed(&s, "a custom_field change");
        s.update(one, &name("bob"), inactive, 20).unwrap();
        changed(&s, "an update that only moves date_updated");
        s.set_requests_per_minute(one, 0);
        changed(&s, "a new rate limit");
        s.delete(one, &name("amy")).unwrap();
        changed(&s, "a deletion");
        s.create_batch(one, vec![new("amy")], 20);
        changed(&s, "re-creating a name (new date, new place in the list)");
    }

    #[test]
    fn refused_operations_leave_the_fingerprint_alone() {
        let s = ExotelState::new(fixture(), 0, 100).unwrap();
        let one = AccountIdx(0);
        s.create_batch(one, vec![new("bob")], 10);
        let before = s.fingerprint();
        s.create_batch(one, vec![new("bob"), Err(ExotelError::invalid("x"))], 20);
        let missing = SubscriberUpdate { status: SubscriberStatus::Active, custom_field: None };
        assert!(s.update(one, &name("nobody"), missing, 20).is_err());
        assert!(s.delete(AccountIdx(1), &name("bob")).is_err());
        assert_eq!(before, s.fingerprint());
    }
}
