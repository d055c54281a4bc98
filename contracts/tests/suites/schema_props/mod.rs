//! Positive and negative requests per operation, generated from the OpenAPI documents the
//! simulator publishes (`provsim::openapi::document`, the code behind `contracts/openapi/`).
//!
//! Every operation of every family that takes a JSON body, or has a path or query parameter
//! with a pattern, a length, bounds or an enum, is exercised (`exercised_operations`), with
//! the family's demo credentials, against a simulator reset before each case:
//!
//! - **positive**: parameters are the document's `example` or generated from their schema,
//!   the body is generated from its schema (and shown valid by the document's validator);
//!   the answer must be documented for the operation and be a 2xx, or a 404/409 for state
//!   reasons (an id nobody has, a name taken), or — Exotel — a 403 when the generated `sid`
//!   is not the caller's account. Never a 400 or a 5xx.
//! - **negative**: a valid request whose path holds the document's examples, with one
//!   mutation that the document's validator rejects (see `mutate`): in the body or a query
//!   parameter → exactly 400; in a path parameter → a documented 4xx (Exotel's 403 for a
//!   SID, 404 for an id that cannot exist). Either way the simulator's data is unchanged
//!   ([`provsim::sim::Sim::fingerprint`]) and so is its clock.
//!
//! The examples name the fixture's subscriber, device and account; the Exotel fixture has no
//! subscriber, so each Exotel case first creates the one the examples name.
//!
//! Rules JSON Schema cannot state are applied by [`FIXUPS`], a deliberately tiny table. The
//! generators (`generate`, `mutate`) and their referee (`validate`) know nothing of provsim.

mod generate;
mod mutate;
mod validate;

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use provsim::config::FamilyId;
use serde_json::Value;

use crate::support::{EXOTEL_ACCOUNTS, Harness, VPN_TENANTS, encode_component};

/// Cases per operation and per direction (positive, negative).
const CASES_PER_OPERATION: u32 = 32;

/// Rules across fields, which JSON Schema cannot state, applied to every generated body of
/// the operation (positive ones, and negative ones before they are mutated). Keep it tiny:
/// a rule that one property's schema *could* state belongs in the document instead.
const FIXUPS: [Fixup; 1] = [Fixup {
    family: FamilyId::Vpn,
    operation_id: "createSubscriber",
    // The schema's own description of `name` says so; a pattern cannot refer to other
    // properties.
    rule: "name must equal id_hub@ob",
    apply: name_is_id_hub_at_ob,
}];

struct Fixup {
    family: FamilyId,
    operation_id: &'static str,
    rule: &'static str,
    apply: fn(&mut Value),
}

fn name_is_id_hub_at_ob(body: &mut Value) {
    if let (Some(hub), Some(ob)) = (body["id_hub"].as_str(), body["ob"].as_str()) {
        body["name"] = Value::String(format!("{hub}@{ob}"));
    }
}

#[test]
fn valid_vpn_requests_are_accepted_or_refused_only_for_state_reasons() {
    check_family(FamilyId::Vpn, Direction::Positive);
}

#[test]
fn invalid_vpn_requests_get_a_documented_4xx_and_change_no_state() {
    check_family(FamilyId::Vpn, Direction::Negative);
}

#[test]
fn valid_exotel_requests_are_accepted_or_refused_only_for_state_reasons() {
    check_family(FamilyId::Exotel, Direction::Positive);
}

#[test]
fn invalid_exotel_requests_get_a_documented_4xx_and_change_no_state() {
    check_family(FamilyId::Exotel, Direction::Negative);
}

#[test]
fn valid_control_requests_are_accepted_or_refused_only_for_state_reasons() {
    check_family(FamilyId::Control, Direction::Positive);
}

#[test]
fn invalid_control_requests_get_a_documented_4xx_and_change_no_state() {
    check_family(FamilyId::Control, Direction::Negative);
}

#[test]
fn valid_daemon_requests_are_accepted_or_refused_only_for_state_reasons() {
    check_family(FamilyId::VpnDaemon, Direction::Positive);
}

#[test]
fn invalid_daemon_requests_get_a_documented_4xx_and_change_no_state() {
    check_family(FamilyId::VpnDaemon, Direction::Negative);
}

#[test]
fn every_operation_with_a_body_or_a_constrained_parameter_is_exercised() {
    let mut exercised = Vec::new();
    for family in FamilyId::ALL {
        let doc = document(family);
        exercised.extend(exercised_operations(family, &doc).into_iter().map(|op| op.id));
    }
    for expected in [
        "createSubscriber",
        "updateSubscriber",
        "updateDevice",
        "deleteDevice",
        "getDeviceStatus",
        "createSubscribers",
        "listSubscribers",
        "createSubscriberToken",
        "activateVpnDevice",
        "setClock",
        "advanceClock",
        "setExotelRateLimit",
    ] {
        assert!(
            exercised.iter().any(|id| id == expected),
            "{expected} is not exercised: {exercised:?}"
        );
    }
}

#[test]
fn every_fixup_names_an_operation_with_a_body() {
    for fixup in &FIXUPS {
        let doc = document(fixup.family);
        let found = exercised_operations(fixup.family, &doc)
            .into_iter()
            .any(|op| op.id == fixup.operation_id && op.body.is_some());
        assert!(
            found,
            "fix-up `{}` names no operation with a body: {}",
            fixup.rule, fixup.operation_id
        );
    }
}

/// Generated positive values of the documents' trickiest request schemas satisfy them.
#[test]
fn generated_values_satisfy_the_schemas_they_come_from() {
    let mut runner =
        TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() });
    for family in [FamilyId::Vpn, FamilyId::Exotel, FamilyId::Control] {
        let doc = Arc::new(document(family));
        for op in exercised_operations(family, &doc) {
            let Some(schema) = op.body.clone() else { continue };
            let validator = validate::compile(&doc, &schema);
            let result = runner.run(&generate::valid(&doc, &schema), |value| {
                let violations = validate::violations(&validator, &value);
                prop_assert!(violations.is_empty(), "{value}: {violations:?}");
                Ok(())
            });
            if let Err(error) = result {
                panic!("{}: {error}", op.id);
            }
        }
    }
}

// ---- Operations as the document describes them ---------------------------------------------

/// The document of a family as plain JSON.
fn document(family: FamilyId) -> Value {
    serde_json::to_value(provsim::openapi::document(family)).expect("a document is plain data")
}

#[derive(Debug, Clone)]
struct Operation {
    family: FamilyId,
    id: String,
    method: String,
    path: String,
    params: Vec<Parameter>,
    /// The `application/json` request body's schema.
    body: Option<Value>,
    statuses: BTreeSet<u16>,
}

#[derive(Debug, Clone)]
struct Parameter {
    name: String,
    in_path: bool,
    required: bool,
    schema: Value,
    example: Option<Value>,
}

impl Parameter {
    /// A parameter whose schema restricts its values beyond "a string".
    fn is_constrained(&self) -> bool {
        ["pattern", "minLength", "maxLength", "minimum", "maximum", "enum", "format"]
            .iter()
            .any(|keyword| self.schema.get(*keyword).is_some())
            || self.schema.get("type").and_then(Value::as_str).is_some_and(|t| t != "string")
    }
}

/// The operations of a family that take a JSON body or a constrained parameter.
fn exercised_operations(family: FamilyId, doc: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let shared = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for (method, op) in item.as_object().into_iter().flatten() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let declared =
                op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            let params: Vec<Parameter> = shared
                .iter()
                .chain(&declared)
                .map(|p| generate::resolve(doc, p))
                .filter(|p| matches!(p["in"].as_str(), Some("path" | "query")))
                .map(|p| Parameter {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    in_path: p["in"] == "path",
                    required: p["required"].as_bool().unwrap_or(false),
                    schema: p.get("schema").cloned().unwrap_or(Value::Null),
                    example: p.get("example").cloned(),
                })
                .collect();
            let body = op.pointer("/requestBody/content/application~1json/schema").cloned();
            let statuses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(status, _)| status.parse().ok())
                .collect();
            let operation = Operation {
                family,
                id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                params,
                body,
                statuses,
            };
            if operation.body.is_some() || operation.params.iter().any(Parameter::is_constrained) {
                operations.push(operation);
            }
        }
    }
    operations
}

// ---- Requests ---------------------------------------------------------------------------------

/// A request to send: parameter values as text, the body as JSON, and what was broken.
#[derive(Debug, Clone)]
struct Draft {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Value>,
    mutation: Option<Mutation>,
}

#[derive(Debug, Clone)]
struct Mutation {
    /// `body` + JSON pointer, or the parameter's name.
    target: Target,
    kind: &'static str,
}

#[derive(Debug, Clone)]
enum Target {
    Body(String),
    Parameter(String),
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target {
            Target::Body(pointer) if pointer.is_empty() => write!(f, "the body: {}", self.kind),
            Target::Body(pointer) => write!(f, "body {pointer}: {}", self.kind),
            Target::Parameter(name) => write!(f, "parameter {name}: {}", self.kind),
        }
    }
}

impl Draft {
    fn path_and_query(&self, op: &Operation) -> String {
        let mut path = op.path.clone();
        for (name, value) in &self.path {
            path = path.replace(&format!("{{{name}}}"), &encode_component(value));
        }
        if !self.query.is_empty() {
            let pairs: Vec<String> = self
                .query
                .iter()
                .map(|(name, value)| {
                    format!("{}={}", encode_component(name), encode_component(value))
                })
                .collect();
            path = format!("{path}?{}", pairs.join("&"));
        }
        path
    }

    fn path_value(&self, name: &str) -> Option<&str> {
        self.path.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A parameter value as text: strings as they are, numbers and booleans in JSON notation.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A parameter's text as the JSON value its schema describes (`"5"` → 5 for an integer), so
/// that the document's validator can judge it.
fn typed(schema: &Value, text: &str) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer" | "number" | "boolean") => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        }
        _ => Value::String(text.to_owned()),
    }
}

/// A path segment must be non-empty (an empty one changes the route) and not a dot segment
/// (which URL clients and proxies remove, RFC 3986 §5.2.4): such values cannot be sent as a
/// parameter at all.
fn sendable_in_path(text: &str) -> bool {
    !text.is_empty() && text != "." && text != ".."
}

fn param_strategy(doc: &Value, param: &Parameter, examples_only: bool) -> BoxedStrategy<String> {
    if let (true, Some(example)) = (examples_only, &param.example) {
        return Just(text_of(example)).boxed();
    }
    let in_path = param.in_path;
    let generated = generate::valid(doc, &param.schema)
        .prop_map(|v| text_of(&v))
        .prop_filter("a sendable path segment", move |t| !in_path || sendable_in_path(t));
    match &param.example {
        Some(example) => prop_oneof![1 => Just(text_of(example)), 1 => generated].boxed(),
        None => generated.boxed(),
    }
}

/// A valid request. With `examples_in_path`, every path parameter that has an `example` is
/// that example (the fixture's own subscriber, device and account), so that nothing in the
/// path is refused before the body is read.
fn valid_draft(doc: &Arc<Value>, op: &Operation, examples_in_path: bool) -> BoxedStrategy<Draft> {
    let path: Vec<BoxedStrategy<(String, String)>> = op
        .params
        .iter()
        .filter(|p| p.in_path)
        .map(|p| {
            let name = p.name.clone();
            param_strategy(doc, p, examples_in_path).prop_map(move |v| (name.clone(), v)).boxed()
        })
        .collect();
    let query: Vec<BoxedStrategy<Option<(String, String)>>> = op
        .params
        .iter()
        .filter(|p| !p.in_path)
        .map(|p| {
            let name = p.name.clone();
            let value = param_strategy(doc, p, false).prop_map(move |v| (name.clone(), v));
            if p.required { value.prop_map(Some).boxed() } else { option::of(value).boxed() }
        })
        .collect();
    let body: BoxedStrategy<Option<Value>> = match &op.body {
        Some(schema) => {
            let fixups: Vec<fn(&mut Value)> = FIXUPS
                .iter()
                .filter(|f| f.family == op.family && f.operation_id == op.id)
                .map(|f| f.apply)
                .collect();
            generate::valid(doc, schema)
                .prop_map(move |mut body| {
                    for fixup in &fixups {
                        fixup(&mut body);
                    }
                    Some(body)
                })
                .boxed()
        }
        None => Just(None).boxed(),
    };
    (path, query, body)
        .prop_map(|(path, query, body)| Draft {
            path,
            query: query.into_iter().flatten().collect(),
            body,
            mutation: None,
        })
        .boxed()
}

/// One valid request, its path filled with the document's examples, with exactly one
/// mutation that breaks the document: in the body, or in one constrained parameter (added if
/// the valid request left it out).
fn invalid_draft(doc: &Arc<Value>, op: &Operation) -> BoxedStrategy<Draft> {
    let mut targets: Vec<BoxedStrategy<Draft>> = Vec::new();
    if let Some(schema) = &op.body {
        let validator = Arc::new(validate::compile(doc, schema));
        let (doc, schema) = (doc.clone(), Arc::new(schema.clone()));
        // A path the example values fill cannot be refused before the body is judged (an
        // Exotel SID that is not the caller's is a 403 first), so the answer must be 400. The
        // same holds for parameter mutations below: the mutation is the only fault.
        let mutated = valid_draft(&doc, op, true).prop_flat_map(move |draft| {
            let body = draft.body.clone().unwrap_or(Value::Null);
            let mutants = mutate::mutants(&doc, &schema, &body, &validator);
            if mutants.is_empty() {
                return Just(None).boxed();
            }
            select(mutants)
                .prop_map(move |m| {
                    Some(Draft {
                        body: Some(m.value),
                        mutation: Some(Mutation { target: Target::Body(m.pointer), kind: m.kind }),
                        ..draft.clone()
                    })
                })
                .boxed()
        });
        targets.push(mutated.prop_filter_map("a body with a mutation", |d| d).boxed());
    }
    for param in op.params.iter().filter(|p| p.is_constrained()) {
        let validator = Arc::new(validate::compile(doc, &param.schema));
        let (doc, param) = (doc.clone(), param.clone());
        let mutated = valid_draft(&doc, op, true).prop_flat_map(move |draft| {
            let current = if param.in_path { &draft.path } else { &draft.query };
            let valid = current
                .iter()
                .find(|(n, _)| *n == param.name)
                .map_or(Value::Null, |(_, v)| typed(&param.schema, v));
            let schema = param.schema.clone();
            let validator = validator.clone();
            let in_path = param.in_path;
            let mutants: Vec<(String, &'static str)> =
                mutate::text_mutants(&doc, &param.schema, &valid, |text| {
                    validator.is_valid(&typed(&schema, text))
                })
                .into_iter()
                .filter(|(text, _)| !in_path || sendable_in_path(text))
                .collect();
            if mutants.is_empty() {
                return Just(None).boxed();
            }
            let name = param.name.clone();
            let draft = draft.clone();
            select(mutants)
                .prop_map(move |(text, kind)| {
                    let mut draft = draft.clone();
                    let list = if in_path { &mut draft.path } else { &mut draft.query };
                    list.retain(|(n, _)| *n != name);
                    list.push((name.clone(), text));
                    draft.mutation =
                        Some(Mutation { target: Target::Parameter(name.clone()), kind });
                    Some(draft)
                })
                .boxed()
        });
        targets.push(mutated.prop_filter_map("a parameter with a mutation", |d| d).boxed());
    }
    assert!(!targets.is_empty(), "{} has nothing to mutate", op.id);
    proptest::strategy::Union::new(targets).boxed()
}

// ---- The properties ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Positive,
    Negative,
}

/// Runs one direction over every exercised operation of a family, on a simulator of its
/// own, and reports every operation that failed (with its minimal failing request).
fn check_family(family: FamilyId, direction: Direction) {
    let harness = Harness::start();
    let doc = Arc::new(document(family));
    let operations = exercised_operations(family, &doc);
    assert!(!operations.is_empty(), "{} has no operation to exercise", family.name());
    let mut failures = Vec::new();
    for op in &operations {
        let mut runner = TestRunner::new(Config {
            cases: CASES_PER_OPERATION,
            failure_persistence: None,
            ..Config::default()
        });
        let result = match direction {
            Direction::Positive => {
                let validator = op.body.as_ref().map(|schema| validate::compile(&doc, schema));
                runner.run(&valid_draft(&doc, op, false), |draft| {
                    check_positive(&harness, op, validator.as_ref(), &draft)
                })
            }
            Direction::Negative => {
                runner.run(&invalid_draft(&doc, op), |draft| check_negative(&harness, op, &draft))
            }
        };
        if let Err(error) = result {
            failures.push(format!("{} {} ({}): {error}", op.method, op.path, op.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} operation(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Back to the fixture, plus what the document's examples name but the fixture lacks: the
/// Exotel fixture has no subscriber, so the example `subscriber_name` is created, and valid
/// requests with the example path reach an existing subscriber (200) as well as unknown
/// ones (404).
fn reset_with_examples(harness: &Harness, op: &Operation) {
    harness.reset();
    if op.family != FamilyId::Exotel {
        return;
    }
    let example = op
        .params
        .iter()
        .find(|p| p.in_path && p.name == "subscriber_name")
        .and_then(|p| p.example.as_ref())
        .and_then(Value::as_str);
    if let Some(name) = example {
        let account = &EXOTEL_ACCOUNTS[0];
        let path = format!("/v2/accounts/{}/subscribers", account.sid);
        let body = serde_json::json!({ "subscribers": [{ "subscriber_name": name }] });
        harness.exotel(account, "POST", &path, Some(&body)).expect(207);
    }
}

fn send(harness: &Harness, op: &Operation, draft: &Draft) -> crate::support::Answer {
    let authorization = match op.family {
        FamilyId::Vpn => Some(format!("Bearer {}", VPN_TENANTS[0].key)),
        FamilyId::Exotel => Some(EXOTEL_ACCOUNTS[0].authorization()),
        FamilyId::Control | FamilyId::VpnDaemon => None,
    };
    let headers: Vec<(&str, &str)> =
        authorization.iter().map(|value| ("authorization", value.as_str())).collect();
    harness.send(op.family, &op.method, &draft.path_and_query(op), &headers, draft.body.as_ref())
}

fn check_positive(
    harness: &Harness,
    op: &Operation,
    validator: Option<&jsonschema::Validator>,
    draft: &Draft,
) -> Result<(), TestCaseError> {
    reset_with_examples(harness, op);
    if let (Some(validator), Some(body)) = (validator, &draft.body) {
        let violations = validate::violations(validator, body);
        prop_assert!(violations.is_empty(), "the generator made an invalid body: {violations:?}");
    }
    let answer = send(harness, op, draft);
    let status = answer.status;
    prop_assert!(
        op.statuses.contains(&status),
        "status {status} is not documented for {}; body: {}",
        op.id,
        answer.text()
    );
    // Exotel answers 403 when the path names an account the credentials do not open.
    let foreign_account = op.family == FamilyId::Exotel
        && draft.path_value("sid").is_some_and(|sid| sid != EXOTEL_ACCOUNTS[0].sid);
    let state_reason = matches!(status, 404 | 409) || (status == 403 && foreign_account);
    prop_assert!(
        (200..300).contains(&status) || state_reason,
        "a valid request got {status}: {}",
        answer.text()
    );
    Ok(())
}

fn check_negative(harness: &Harness, op: &Operation, draft: &Draft) -> Result<(), TestCaseError> {
    reset_with_examples(harness, op);
    let sim = harness.sim();
    let (fingerprint, clock_ms) = (sim.fingerprint(), sim.clock.now_ms());
    let answer = send(harness, op, draft);
    let status = answer.status;
    let mutation = draft.mutation.as_ref().map_or_else(String::new, ToString::to_string);
    prop_assert!(
        (400..500).contains(&status) && op.statuses.contains(&status),
        "{mutation} got {status}, not a documented 4xx; body: {}",
        answer.text()
    );
    // A broken body or query is a 400 in every family; a broken path parameter may also be
    // the documented 403 (Exotel SID) or 404 (an id that cannot exist is "not found").
    let in_path = |name: &str| op.params.iter().any(|p| p.in_path && p.name == name);
    let must_be_400 = match &draft.mutation {
        Some(Mutation { target: Target::Parameter(name), .. }) => !in_path(name),
        Some(Mutation { target: Target::Body(_), .. }) => true,
        None => false,
    };
    if must_be_400 {
        prop_assert_eq!(
            status,
            400,
            "{} got {}, not 400; body: {}",
            mutation,
            status,
            answer.text()
        );
    }
    prop_assert_eq!(sim.fingerprint(), fingerprint, "{} changed the simulator's data", mutation);
    prop_assert_eq!(sim.clock.now_ms(), clock_ms, "{} moved the clock", mutation);
    Ok(())
}
