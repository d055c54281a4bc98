//! Model test of the Exotel family: random sequences of calls by the two accounts of the
//! default fixture against a reference model, over HTTP, with shrinking to a minimal
//! sequence.
//!
//! The model holds each account's subscribers in creation order (name, status,
//! `custom_field`, both dates) and the simulated clock. Transitions: bulk creates of 1 to 10
//! items (names fresh, taken in the account, repeated in the batch, invalid, empty, `null` or
//! missing; `custom_field` absent, `null`, up to 255 characters or one too many) → always 207
//! with per-item 200, 400/1001, 400/1002 or 409/1008 in input order; bulk creates refused as
//! a whole (no items, 11 items); status and `custom_field` updates (absent or `null` keeps
//! the value; a missing or unknown status is 400 even for an unknown name); get; delete;
//! token requests (inactive → 400/1002, unknown → 404/1000; an issued access token must
//! verify on the control plane for that account and subscriber); list pages with status
//! filter, `page_size` and `offset` (newest first, exact page content and page links);
//! calls naming another account's SID or one that does not exist (→ 403/1003, nothing
//! changes); and advancing the simulated clock, so that creation and update dates differ.
//!
//! Every answer is checked whole: status, Exotel's envelope (`request_id`, `method`,
//! `http_code`), error codes and descriptions, and subscriber bodies equal to the model's,
//! dates included. After every step the simulator's subscriber count per account must equal
//! the model's. The fixture's 200 requests/minute is lifted after each reset
//! ([`Harness::reset`]).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::{Value, json};

use crate::support::{Answer, EXOTEL_ACCOUNTS, ExotelAccount, Harness, rfc3339_in_offset};

/// Sequences tried per run.
const CASES_PER_RUN: u32 = 32;
/// Longest sequence of calls in one case.
const MAX_TRANSITIONS_PER_CASE: usize = 20;
/// The seed's most subscribers per bulk request.
const MAX_ITEMS_PER_BULK: usize = 10;
/// Valid names the model picks from: few, so that duplicates are frequent. Names are
/// case-sensitive (`bob` and `Bob` are two subscribers).
const NAMES: [&str; 6] = ["alice", "bob", "Bob", "carol7", "D4ve", "e"];
/// Names every operation refuses: whitespace, 17 bytes, not ASCII, punctuation.
const INVALID_NAMES: [&str; 4] = ["bad name", "abcdefghijklmnopq", "jos\u{e9}", "bob-1"];
/// Longest `custom_field`, in characters.
const MAX_CUSTOM_FIELD_CHARS: usize = 255;
/// Largest page the model asks for: small, so that several pages exist.
const MAX_GENERATED_PAGE_SIZE: u64 = 4;
/// Largest offset the model asks for (past the end of most lists).
const MAX_GENERATED_OFFSET: u64 = 7;
/// Longest clock step of one transition.
const MAX_ADVANCE_SECONDS: i64 = 90;
/// Both fixture accounts write dates at +05:30.
const UTC_OFFSET_SECONDS: i32 = 5 * 3_600 + 30 * 60;
/// A SID that is no account's.
const UNKNOWN_SID: &str = "nosuchaccount";

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: CASES_PER_RUN,
        ..ProptestConfig::default()
    })]

    #[test]
    fn exotel_answers_match_the_reference_model(
        sequential 1..=MAX_TRANSITIONS_PER_CASE => ExotelSut
    );
}

/// The simulator every case of this suite runs against (reset at the start of each case).
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::start)
}

// ---- The reference model ------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct ExotelModel {
    /// Each account's subscribers, oldest first.
    accounts: [Vec<Subscriber>; 2],
    /// Seconds the clock moved since the case began.
    now_s: i64,
}

#[derive(Debug, Clone)]
struct Subscriber {
    name: &'static str,
    status: Status,
    custom_field: Option<String>,
    created_s: i64,
    updated_s: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Inactive,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }
}

/// `subscriber_name` of a bulk item.
#[derive(Debug, Clone, Copy)]
pub enum ItemName {
    Valid(usize),
    Invalid(usize),
    Empty,
    Null,
    Missing,
}

/// `custom_field` of a bulk item or an update.
#[derive(Debug, Clone)]
pub enum Custom {
    Absent,
    Null,
    Text(String),
    /// One character over the limit.
    TooLong,
}

#[derive(Debug, Clone)]
pub struct Item {
    name: ItemName,
    custom: Custom,
}

/// `status` of an update.
#[derive(Debug, Clone, Copy)]
pub enum NewStatus {
    Set(Status),
    Missing,
    /// `Active`: the enum is case-sensitive.
    WrongCase,
}

/// A subscriber name in a path.
#[derive(Debug, Clone, Copy)]
pub enum PathName {
    Valid(usize),
    /// A name that could never exist, so it is "not found".
    Invalid(usize),
}

/// What a call through another SID tries to do.
#[derive(Debug, Clone, Copy)]
pub enum ForeignCall {
    List,
    Get(usize),
    Delete(usize),
    Create(usize),
    Token(usize),
}

/// One call. `account` indexes [`EXOTEL_ACCOUNTS`] and is both the caller and the SID in the
/// path, except in `Foreign`.
#[derive(Debug, Clone)]
pub enum Transition {
    Bulk {
        account: usize,
        items: Vec<Item>,
    },
    /// `subscribers` empty (1001) or over the limit (1002): nothing is created.
    BulkRefused {
        account: usize,
        n_items: usize,
    },
    Update {
        account: usize,
        name: PathName,
        status: NewStatus,
        custom: Custom,
    },
    Get {
        account: usize,
        name: PathName,
    },
    Delete {
        account: usize,
        name: PathName,
    },
    Token {
        account: usize,
        name: usize,
        platform: &'static str,
    },
    List {
        account: usize,
        status: Option<Status>,
        page_size: Option<u64>,
        offset: Option<u64>,
    },
    /// `caller`'s credentials on the other account's SID, or on a SID no account has.
    Foreign {
        caller: usize,
        unknown_sid: bool,
        call: ForeignCall,
    },
    AdvanceClock {
        seconds: i64,
    },
}

/// One result of Exotel's envelope: success with a subscriber, or a failure.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Subscriber(Value),
    Failure { status: u16, code: u16, description: Option<String> },
}

/// What the simulator must answer to a transition in a given model state.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// 207 with one outcome per item.
    Bulk(Vec<Outcome>),
    /// 200 with one subscriber, or a whole-request failure.
    One(Outcome),
    Deleted,
    /// 200 with tokens for this account and subscriber.
    Token {
        account: usize,
        name: &'static str,
    },
    Page {
        items: Vec<Value>,
        links: Value,
    },
    /// 200 from the control plane, the clock this many seconds past the case's start.
    Clock {
        now_s: i64,
    },
}

fn failure(status: u16, code: u16, description: impl Into<Option<String>>) -> Outcome {
    Outcome::Failure { status, code, description: description.into() }
}

fn not_found() -> Outcome {
    failure(404, 1000, "Subscriber not found".to_owned())
}

impl ExotelModel {
    fn find(&self, account: usize, name: &str) -> Option<&Subscriber> {
        self.accounts[account].iter().find(|s| s.name == name)
    }

    /// The subscriber body the simulator must send, with dates from the case's start.
    fn view(subscriber: &Subscriber, start_s: i64) -> Value {
        json!({
            "date_created": rfc3339_in_offset(start_s + subscriber.created_s, UTC_OFFSET_SECONDS),
            "date_updated": rfc3339_in_offset(start_s + subscriber.updated_s, UTC_OFFSET_SECONDS),
            "subscriber_name": subscriber.name,
            "status": subscriber.status.as_str(),
            "custom_field": subscriber.custom_field,
        })
    }

    /// The answer and the state after it. `start_s` is the simulated time at the start of the
    /// case (only the answer's dates depend on it).
    fn step(&self, transition: &Transition, start_s: i64) -> (Expected, ExotelModel) {
        let mut next = self.clone();
        let expected = match transition {
            Transition::Bulk { account, items } => {
                let mut seen = BTreeSet::new();
                let outcomes = items
                    .iter()
                    .map(|item| next.bulk_item(*account, item, &mut seen, start_s))
                    .collect();
                Expected::Bulk(outcomes)
            }
            Transition::BulkRefused { n_items, .. } => Expected::One(if *n_items == 0 {
                failure(400, 1001, "subscribers is mandatory".to_owned())
            } else {
                failure(400, 1002, None)
            }),
            Transition::Update { account, name, status, custom } => {
                // The body is judged before the name is looked up.
                let status = match status {
                    NewStatus::Missing => {
                        return (
                            Expected::One(failure(400, 1001, "status is mandatory".to_owned())),
                            next,
                        );
                    }
                    NewStatus::WrongCase => return (Expected::One(failure(400, 1002, None)), next),
                    NewStatus::Set(status) => *status,
                };
                if matches!(custom, Custom::TooLong) {
                    return (Expected::One(failure(400, 1002, None)), next);
                }
                let now_s = next.now_s;
                let found = match name {
                    PathName::Valid(n) => {
                        next.accounts[*account].iter_mut().find(|s| s.name == NAMES[*n])
                    }
                    PathName::Invalid(_) => None,
                };
                match found {
                    None => Expected::One(not_found()),
                    Some(subscriber) => {
                        subscriber.status = status;
                        if let Custom::Text(text) = custom {
                            subscriber.custom_field = Some(text.clone());
                        }
                        subscriber.updated_s = now_s;
                        Expected::One(Outcome::Subscriber(ExotelModel::view(subscriber, start_s)))
                    }
                }
            }
            Transition::Get { account, name } => {
                let found = match name {
                    PathName::Valid(n) => self.find(*account, NAMES[*n]),
                    PathName::Invalid(_) => None,
                };
                Expected::One(
                    found.map_or_else(not_found, |s| {
                        Outcome::Subscriber(ExotelModel::view(s, start_s))
                    }),
                )
            }
            Transition::Delete { account, name } => match name {
                PathName::Valid(n) if self.find(*account, NAMES[*n]).is_some() => {
                    next.accounts[*account].retain(|s| s.name != NAMES[*n]);
                    Expected::Deleted
                }
                _ => Expected::One(not_found()),
            },
            Transition::Token { account, name, .. } => match self.find(*account, NAMES[*name]) {
                None => Expected::One(not_found()),
                Some(s) if s.status == Status::Inactive => {
                    Expected::One(failure(400, 1002, "Subscriber is inactive".to_owned()))
                }
                Some(_) => Expected::Token { account: *account, name: NAMES[*name] },
            },
            Transition::List { account, status, page_size, offset } => {
                let sid = EXOTEL_ACCOUNTS[*account].sid;
                let page_size = page_size.unwrap_or(100);
                let offset = offset.unwrap_or(0);
                let matching: Vec<&Subscriber> = self.accounts[*account]
                    .iter()
                    .rev()
                    .filter(|s| status.is_none_or(|wanted| s.status == wanted))
                    .collect();
                let items = matching
                    .iter()
                    .skip(offset as usize)
                    .take(page_size as usize)
                    .map(|s| success(ExotelModel::view(s, start_s)))
                    .collect();
                let uri = |at: u64| {
                    let mut uri =
                        format!("/v2/accounts/{sid}/subscribers?offset={at}&page_size={page_size}");
                    if let Some(status) = status {
                        uri.push_str(&format!("&status={}", status.as_str()));
                    }
                    uri
                };
                let links = json!({
                    "first_page_uri": uri(0),
                    "prev_page_uri": (offset > 0).then(|| uri(offset.saturating_sub(page_size))),
                    "next_page_uri": ((matching.len() as u64) > offset + page_size)
                        .then(|| uri(offset + page_size)),
                });
                Expected::Page { items, links }
            }
            Transition::Foreign { caller, unknown_sid, .. } => {
                let sid = foreign_sid(*caller, *unknown_sid);
                Expected::One(failure(
                    403,
                    1003,
                    format!("These credentials do not grant access to account {sid}"),
                ))
            }
            Transition::AdvanceClock { seconds } => {
                next.now_s += seconds;
                Expected::Clock { now_s: next.now_s }
            }
        };
        (expected, next)
    }

    /// One bulk item, judged as the simulator does: its own rules, then a repeat earlier in
    /// the batch, then a name the account has; a valid item is created at once.
    fn bulk_item(
        &mut self,
        account: usize,
        item: &Item,
        seen: &mut BTreeSet<&'static str>,
        start_s: i64,
    ) -> Outcome {
        let name = match item.name {
            ItemName::Missing | ItemName::Empty | ItemName::Null => {
                return failure(400, 1001, "subscriber_name is mandatory".to_owned());
            }
            ItemName::Invalid(_) => return failure(400, 1002, None),
            ItemName::Valid(n) => NAMES[n],
        };
        let custom_field = match &item.custom {
            Custom::TooLong => return failure(400, 1002, None),
            Custom::Absent | Custom::Null => None,
            Custom::Text(text) => Some(text.clone()),
        };
        if !seen.insert(name) {
            return failure(
                409,
                1008,
                format!("Subscriber {name} appears earlier in this request"),
            );
        }
        if self.find(account, name).is_some() {
            return failure(409, 1008, format!("Subscriber {name} already exists"));
        }
        let subscriber = Subscriber {
            name,
            status: Status::Active,
            custom_field,
            created_s: self.now_s,
            updated_s: self.now_s,
        };
        let view = ExotelModel::view(&subscriber, start_s);
        self.accounts[account].push(subscriber);
        Outcome::Subscriber(view)
    }
}

/// A successful item of a list or bulk answer.
fn success(data: Value) -> Value {
    json!({"code": 200, "error_data": null, "status": "success", "data": data})
}

fn foreign_sid(caller: usize, unknown_sid: bool) -> &'static str {
    if unknown_sid { UNKNOWN_SID } else { EXOTEL_ACCOUNTS[1 - caller].sid }
}

pub struct ExotelReference;

impl ReferenceStateMachine for ExotelReference {
    type State = ExotelModel;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<ExotelModel> {
        Just(ExotelModel::default()).boxed()
    }

    fn transitions(state: &ExotelModel) -> BoxedStrategy<Transition> {
        let account = 0..EXOTEL_ACCOUNTS.len();
        let name = 0..NAMES.len();
        // Calls on one subscriber mostly name one that exists in that account.
        let mut existing = existing_where(state, Status::Active);
        existing.extend(existing_where(state, Status::Inactive));
        let target: BoxedStrategy<(usize, usize)> = if existing.is_empty() {
            (account.clone(), name.clone()).boxed()
        } else {
            prop_oneof![3 => select(existing), 1 => (account.clone(), name.clone())].boxed()
        };
        let path_target = prop_oneof![
            9 => target.clone().prop_map(|(account, n)| (account, PathName::Valid(n))),
            1 => (account.clone(), 0..INVALID_NAMES.len())
                .prop_map(|(account, n)| (account, PathName::Invalid(n))),
        ];
        let status = prop_oneof![Just(Status::Active), Just(Status::Inactive)];
        let bulk = (account.clone(), vec(item_strategy(), 1..=MAX_ITEMS_PER_BULK))
            .prop_map(|(account, items)| Transition::Bulk { account, items });
        let refused = (account.clone(), prop_oneof![Just(0), Just(MAX_ITEMS_PER_BULK + 1)])
            .prop_map(|(account, n_items)| Transition::BulkRefused { account, n_items });
        let new_status = prop_oneof![
            8 => status.clone().prop_map(NewStatus::Set),
            1 => Just(NewStatus::Missing),
            1 => Just(NewStatus::WrongCase),
        ];
        let update = (path_target.clone(), new_status, custom_strategy()).prop_map(
            |((account, name), status, custom)| Transition::Update {
                account,
                name,
                status,
                custom,
            },
        );
        let get = path_target.clone().prop_map(|(account, name)| Transition::Get { account, name });
        let delete = path_target.prop_map(|(account, name)| Transition::Delete { account, name });
        // Tokens are asked for inactive subscribers too (refused with 400/1002).
        let inactive: Vec<(usize, usize)> = existing_where(state, Status::Inactive);
        let token_target: BoxedStrategy<(usize, usize)> = if inactive.is_empty() {
            target.boxed()
        } else {
            prop_oneof![2 => target, 1 => select(inactive)].boxed()
        };
        let token = (token_target, prop_oneof![Just("android"), Just("iOS")])
            .prop_map(|((account, name), platform)| Transition::Token { account, name, platform });
        // Lists mostly read an account that has subscribers.
        let listed: Vec<usize> =
            (0..EXOTEL_ACCOUNTS.len()).filter(|a| !state.accounts[*a].is_empty()).collect();
        let list_account: BoxedStrategy<usize> = if listed.is_empty() {
            account.clone().boxed()
        } else {
            prop_oneof![3 => select(listed), 1 => account.clone()].boxed()
        };
        let list = (
            list_account,
            option::of(status),
            option::of(1..=MAX_GENERATED_PAGE_SIZE),
            option::of(prop_oneof![3 => 0..=2u64, 1 => 0..=MAX_GENERATED_OFFSET]),
        )
            .prop_map(|(account, status, page_size, offset)| Transition::List {
                account,
                status,
                page_size,
                offset,
            });
        let foreign_call = prop_oneof![
            Just(ForeignCall::List),
            name.clone().prop_map(ForeignCall::Get),
            name.clone().prop_map(ForeignCall::Delete),
            name.clone().prop_map(ForeignCall::Create),
            name.prop_map(ForeignCall::Token),
        ];
        let foreign = (account, prop::bool::weighted(0.3), foreign_call).prop_map(
            |(caller, unknown_sid, call)| Transition::Foreign { caller, unknown_sid, call },
        );
        let advance =
            (1..=MAX_ADVANCE_SECONDS).prop_map(|seconds| Transition::AdvanceClock { seconds });
        prop_oneof![
            4 => bulk,
            1 => refused,
            3 => update,
            2 => get,
            2 => delete,
            3 => token,
            3 => list,
            1 => foreign,
            1 => advance,
        ]
        .boxed()
    }

    fn apply(state: ExotelModel, transition: &Transition) -> ExotelModel {
        // Dates do not change the next state, so any start time will do here.
        state.step(transition, 0).1
    }
}

/// `(account, name index)` of every subscriber with this status.
fn existing_where(state: &ExotelModel, status: Status) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for (account, subscribers) in state.accounts.iter().enumerate() {
        for subscriber in subscribers.iter().filter(|s| s.status == status) {
            if let Some(n) = NAMES.iter().position(|name| *name == subscriber.name) {
                found.push((account, n));
            }
        }
    }
    found
}

fn item_strategy() -> impl Strategy<Value = Item> {
    let name = prop_oneof![
        12 => (0..NAMES.len()).prop_map(ItemName::Valid),
        1 => (0..INVALID_NAMES.len()).prop_map(ItemName::Invalid),
        1 => Just(ItemName::Empty),
        1 => Just(ItemName::Null),
        1 => Just(ItemName::Missing),
    ];
    (name, custom_strategy()).prop_map(|(name, custom)| Item { name, custom })
}

/// Mostly absent; sometimes `null`, short text, exactly 255 two-byte characters (the limit
/// counts characters), or 256 characters.
fn custom_strategy() -> impl Strategy<Value = Custom> {
    prop_oneof![
        6 => Just(Custom::Absent),
        1 => Just(Custom::Null),
        3 => "[a-z ]{0,12}".prop_map(Custom::Text),
        1 => Just(Custom::Text("\u{e9}".repeat(MAX_CUSTOM_FIELD_CHARS))),
        1 => Just(Custom::TooLong),
    ]
}

// ---- The system under test ----------------------------------------------------------------

pub struct ExotelSut {
    harness: &'static Harness,
    /// The model before the transition being applied (`apply` receives the state after it).
    model: ExotelModel,
    /// The simulated time when the case began, in epoch seconds.
    start_s: i64,
}

impl StateMachineTest for ExotelSut {
    type SystemUnderTest = Self;
    type Reference = ExotelReference;

    fn init_test(ref_state: &ExotelModel) -> ExotelSut {
        let harness = harness();
        harness.reset();
        let start_s = harness.sim().clock.now_s();
        ExotelSut { harness, model: ref_state.clone(), start_s }
    }

    fn apply(mut sut: ExotelSut, ref_state: &ExotelModel, transition: Transition) -> ExotelSut {
        let (expected, _) = sut.model.step(&transition, sut.start_s);
        let (method, answer) = sut.send(&transition);
        sut.check(&transition, method, &expected, &answer);
        sut.model = ref_state.clone();
        sut
    }

    fn check_invariants(sut: &ExotelSut, ref_state: &ExotelModel) {
        let exotel = &sut.harness.sim().exotel;
        for (idx, account) in EXOTEL_ACCOUNTS.iter().enumerate() {
            let account_idx = exotel.account_by_sid(account.sid).expect("fixture account");
            assert_eq!(
                exotel.subscriber_count(account_idx),
                ref_state.accounts[idx].len(),
                "subscribers of account {}",
                account.sid
            );
        }
    }
}

impl ExotelSut {
    fn send(&self, transition: &Transition) -> (&'static str, Answer) {
        let h = self.harness;
        let subscribers =
            |account: usize| format!("/v2/accounts/{}/subscribers", EXOTEL_ACCOUNTS[account].sid);
        let one = |account: usize, name: &PathName| {
            let name = match name {
                PathName::Valid(n) => NAMES[*n].to_owned(),
                PathName::Invalid(n) => crate::support::encode_component(INVALID_NAMES[*n]),
            };
            format!("{}/{name}", subscribers(account))
        };
        let as_account = |account: usize| -> &'static ExotelAccount { &EXOTEL_ACCOUNTS[account] };
        match transition {
            Transition::Bulk { account, items } => {
                let body =
                    json!({ "subscribers": items.iter().map(item_json).collect::<Vec<_>>() });
                (
                    "POST",
                    h.exotel(as_account(*account), "POST", &subscribers(*account), Some(&body)),
                )
            }
            Transition::BulkRefused { account, n_items } => {
                let items: Vec<Value> = (0..*n_items)
                    .map(|i| json!({ "subscriber_name": format!("bulk{i}") }))
                    .collect();
                let body = json!({ "subscribers": items });
                (
                    "POST",
                    h.exotel(as_account(*account), "POST", &subscribers(*account), Some(&body)),
                )
            }
            Transition::Update { account, name, status, custom } => {
                let mut body = json!({});
                match status {
                    NewStatus::Set(status) => body["status"] = json!(status.as_str()),
                    NewStatus::WrongCase => body["status"] = json!("Active"),
                    NewStatus::Missing => {}
                }
                set_custom(&mut body, custom);
                ("PUT", h.exotel(as_account(*account), "PUT", &one(*account, name), Some(&body)))
            }
            Transition::Get { account, name } => {
                ("GET", h.exotel(as_account(*account), "GET", &one(*account, name), None))
            }
            Transition::Delete { account, name } => {
                ("DELETE", h.exotel(as_account(*account), "DELETE", &one(*account, name), None))
            }
            Transition::Token { account, name, platform } => {
                let body = json!({
                    "platform": platform,
                    "device_id": "2fc4b5912826ad1",
                    "subscriber_name": NAMES[*name],
                });
                let path =
                    format!("/v2/accounts/{}/subscriber-token", EXOTEL_ACCOUNTS[*account].sid);
                ("POST", h.exotel(as_account(*account), "POST", &path, Some(&body)))
            }
            Transition::List { account, status, page_size, offset } => {
                let mut query = Vec::new();
                if let Some(status) = status {
                    query.push(format!("status={}", status.as_str()));
                }
                if let Some(page_size) = page_size {
                    query.push(format!("page_size={page_size}"));
                }
                if let Some(offset) = offset {
                    query.push(format!("offset={offset}"));
                }
                let path = format!("{}?{}", subscribers(*account), query.join("&"));
                ("GET", h.exotel(as_account(*account), "GET", &path, None))
            }
            Transition::Foreign { caller, unknown_sid, call } => {
                let sid = foreign_sid(*caller, *unknown_sid);
                let base = format!("/v2/accounts/{sid}");
                let caller = as_account(*caller);
                match call {
                    ForeignCall::List => {
                        ("GET", h.exotel(caller, "GET", &format!("{base}/subscribers"), None))
                    }
                    ForeignCall::Get(n) => {
                        let path = format!("{base}/subscribers/{}", NAMES[*n]);
                        ("GET", h.exotel(caller, "GET", &path, None))
                    }
                    ForeignCall::Delete(n) => {
                        let path = format!("{base}/subscribers/{}", NAMES[*n]);
                        ("DELETE", h.exotel(caller, "DELETE", &path, None))
                    }
                    ForeignCall::Create(n) => {
                        let body = json!({ "subscribers": [{ "subscriber_name": NAMES[*n] }] });
                        (
                            "POST",
                            h.exotel(caller, "POST", &format!("{base}/subscribers"), Some(&body)),
                        )
                    }
                    ForeignCall::Token(n) => {
                        let body = json!({
                            "platform": "android",
                            "device_id": "d1",
                            "subscriber_name": NAMES[*n],
                        });
                        let path = format!("{base}/subscriber-token");
                        ("POST", h.exotel(caller, "POST", &path, Some(&body)))
                    }
                }
            }
            Transition::AdvanceClock { seconds } => {
                let body = json!({ "seconds": seconds });
                ("POST", h.control("POST", "/_sim/clock/advance", Some(&body)))
            }
        }
    }

    fn check(&self, transition: &Transition, method: &str, expected: &Expected, answer: &Answer) {
        let context = || {
            format!(
                "{transition:?}: expected {expected:?}, got {} {}",
                answer.status,
                answer.text()
            )
        };
        let status = match expected {
            Expected::Bulk(_) => 207,
            Expected::One(Outcome::Failure { status, .. }) => *status,
            Expected::Deleted => 204,
            Expected::One(Outcome::Subscriber(_))
            | Expected::Token { .. }
            | Expected::Page { .. }
            | Expected::Clock { .. } => 200,
        };
        assert_eq!(answer.status, status, "{}", context());
        match expected {
            Expected::Clock { now_s } => {
                let epoch_ms = (self.start_s + now_s) * 1000;
                assert_eq!(answer.json()["epoch_ms"], epoch_ms, "{}", context());
                return;
            }
            Expected::Deleted => {
                assert!(answer.body.is_empty(), "{}: a 204 has no body", context());
                return;
            }
            _ => {}
        }
        let body = answer.json();
        let request_id = body["request_id"].as_str().unwrap_or_default();
        assert!(
            request_id.len() == 32
                && request_id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{}: request_id",
            context()
        );
        assert_eq!(body["method"], method, "{}", context());
        assert_eq!(body["http_code"], status, "{}", context());
        match expected {
            Expected::Bulk(outcomes) => {
                let n_success =
                    outcomes.iter().filter(|o| matches!(o, Outcome::Subscriber(_))).count();
                assert_eq!(
                    body["metadata"],
                    json!({"failed": outcomes.len() - n_success, "success": n_success}),
                    "{}",
                    context()
                );
                let results = body["response"].as_array().cloned().unwrap_or_default();
                assert_eq!(results.len(), outcomes.len(), "{}: one result per item", context());
                for (idx, (result, outcome)) in results.iter().zip(outcomes).enumerate() {
                    check_outcome(result, outcome, &|| format!("{} (item {idx})", context()));
                }
            }
            Expected::One(outcome) => check_outcome(&body["response"], outcome, &context),
            Expected::Token { account, name } => self.check_token(&body, *account, name, &context),
            Expected::Page { items, links } => {
                assert_eq!(body["metadata"], *links, "{}", context());
                assert_eq!(body["response"], Value::Array(items.clone()), "{}", context());
            }
            Expected::Deleted | Expected::Clock { .. } => {}
        }
    }

    /// The token answer carries both tokens, and the access token verifies on the control
    /// plane as the account's, for this subscriber, with the `voice` scope.
    fn check_token(&self, body: &Value, account: usize, name: &str, context: &dyn Fn() -> String) {
        let data = &body["response"]["data"];
        assert_eq!(data["subscriber_name"], name, "{}", context());
        let token = &data["subscriber_token"];
        for kind in ["refresh_token", "access_token"] {
            let jwt = token[kind].as_str().unwrap_or_default();
            assert_eq!(jwt.split('.').count(), 3, "{}: {kind} is not a JWT", context());
        }
        let verdict = self
            .harness
            .control(
                "POST",
                "/_sim/exotel/tokens/verify",
                Some(&json!({ "token": token["access_token"] })),
            )
            .expect(200)
            .json();
        assert_eq!(verdict["valid"], true, "{}: {verdict}", context());
        assert_eq!(verdict["account_sid"], EXOTEL_ACCOUNTS[account].sid, "{}", context());
        assert_eq!(verdict["claims"]["sub"], name, "{}", context());
        assert_eq!(verdict["claims"]["scope"], "voice", "{}", context());
    }
}

/// One `{code, error_data, status, data}` against its expected outcome.
fn check_outcome(result: &Value, outcome: &Outcome, context: &dyn Fn() -> String) {
    match outcome {
        Outcome::Subscriber(view) => {
            assert_eq!(*result, success(view.clone()), "{}", context());
        }
        Outcome::Failure { status, code, description } => {
            assert_eq!(result["code"], *status, "{}", context());
            assert_eq!(result["status"], "failure", "{}", context());
            assert_eq!(result["data"], Value::Null, "{}", context());
            assert_eq!(result["error_data"]["code"], *code, "{}", context());
            if let Some(description) = description {
                assert_eq!(result["error_data"]["description"], *description, "{}", context());
            }
        }
    }
}

fn item_json(item: &Item) -> Value {
    let mut object = json!({});
    match item.name {
        ItemName::Valid(n) => object["subscriber_name"] = json!(NAMES[n]),
        ItemName::Invalid(n) => object["subscriber_name"] = json!(INVALID_NAMES[n]),
        ItemName::Empty => object["subscriber_name"] = json!(""),
        ItemName::Null => object["subscriber_name"] = Value::Null,
        ItemName::Missing => {}
    }
    set_custom(&mut object, &item.custom);
    object
}

fn set_custom(object: &mut Value, custom: &Custom) {
    match custom {
        Custom::Absent => {}
        Custom::Null => object["custom_field"] = Value::Null,
        Custom::Text(text) => object["custom_field"] = json!(text),
        Custom::TooLong => object["custom_field"] = json!("x".repeat(MAX_CUSTOM_FIELD_CHARS + 1)),
    }
}

mod tests {
    use super::*;

    #[test]
    fn a_name_repeated_in_a_batch_is_a_conflict_after_its_first_creation() {
        let items = ["bob", "bob"]
            .map(|_| Item { name: ItemName::Valid(1), custom: Custom::Absent })
            .to_vec();
        let (expected, next) =
            ExotelModel::default().step(&Transition::Bulk { account: 0, items }, 0);
        let Expected::Bulk(outcomes) = expected else { panic!("{expected:?}") };
        assert!(matches!(outcomes[0], Outcome::Subscriber(_)));
        assert!(matches!(outcomes[1], Outcome::Failure { status: 409, code: 1008, .. }));
        assert_eq!(next.accounts[0].len(), 1);
        assert!(next.accounts[1].is_empty(), "accounts are separate");
    }

    #[test]
    fn pages_are_newest_first_with_links_both_ways() {
        let items =
            (0..5).map(|n| Item { name: ItemName::Valid(n), custom: Custom::Absent }).collect();
        let (_, model) = ExotelModel::default().step(&Transition::Bulk { account: 0, items }, 0);
        let list =
            Transition::List { account: 0, status: None, page_size: Some(2), offset: Some(2) };
        let (Expected::Page { items, links }, _) = model.step(&list, 0) else { panic!() };
        let names: Vec<&Value> = items.iter().map(|i| &i["data"]["subscriber_name"]).collect();
        assert_eq!(names, [&json!(NAMES[2]), &json!(NAMES[1])]);
        assert_eq!(
            links["prev_page_uri"],
            "/v2/accounts/provsim1/subscribers?offset=0&page_size=2"
        );
        assert_eq!(
            links["next_page_uri"],
            "/v2/accounts/provsim1/subscribers?offset=4&page_size=2"
        );
    }
}
