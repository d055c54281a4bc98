//! The stateful phase (`LinksPhase`) follows the fixture's links from `createWidget` to the
//! read and the delete of the new widget: a correct server passes, a DELETE that keeps the
//! widget is caught by `gone-after-delete` and nothing else, a create whose values are taken
//! is retried with unique ones, and a link that cannot be evaluated is a failure.

use openapiv3::OpenAPI;
use provsim_contracts::{LinksPhase, OperationReport, Outcome, Report, run_with};
use serde_json::{Value, json};

use crate::support::server::{Bugs, TestServer};
use crate::support::{TempDir, args, failures, fixture, message};

const ENTRY: &str = "stateful: createWidget";

/// A stateful run of `doc` against `server` with `phase`.
fn run_stateful(doc: &OpenAPI, server: &TestServer, name: &str, phase: LinksPhase) -> Report {
    let reports = TempDir::new(name);
    let mut args = args(server.url(), &reports);
    args.stateful = true;
    let mut phase = phase;
    run_with(doc, &args, &mut [&mut phase]).unwrap()
}

fn entry<'r>(report: &'r Report, name: &str) -> &'r OperationReport {
    report.operations.iter().find(|op| op.name == name).unwrap_or_else(|| {
        let names: Vec<&str> = report.operations.iter().map(|op| op.name.as_str()).collect();
        panic!("no entry {name} in {names:?}")
    })
}

/// The phase's own checks (not the answers' status/content/body checks), in order.
fn phase_checks(entry: &OperationReport) -> Vec<(String, Outcome)> {
    entry
        .checks
        .iter()
        .filter(|c| {
            ["link-source", "link-followed", "resource-readable", "gone-after-delete"]
                .contains(&c.check.as_str())
        })
        .map(|c| (c.name(), c.outcome))
        .collect()
}

/// The fixture as JSON, changed by `edit`, parsed back.
fn edited_fixture(edit: impl FnOnce(&mut Value)) -> OpenAPI {
    let mut raw = serde_json::to_value(fixture()).unwrap();
    edit(&mut raw);
    serde_json::from_value(raw).unwrap()
}

const CREATED_201: &str = "/paths/~1widgets/post/responses/201";

#[test]
fn a_correct_server_passes_the_link_lifecycle() {
    let server = TestServer::start(Bugs::default());
    let report = run_stateful(&fixture(), &server, "stateful-correct", LinksPhase::default());
    let markdown = provsim_contracts::report::markdown::render(&report);
    assert_eq!(failures(&report), Vec::<(String, String)>::new(), "{markdown}");

    // Only createWidget declares links; its entry holds the whole walk, read before delete
    // although the document declares the delete first.
    let stateful: Vec<&str> = report
        .operations
        .iter()
        .filter(|op| op.name.starts_with("stateful"))
        .map(|op| op.name.as_str())
        .collect();
    assert_eq!(stateful, [ENTRY]);
    let created = entry(&report, ENTRY);
    assert_eq!(
        (created.method.as_deref(), created.path.as_deref()),
        (Some("POST"), Some("/widgets"))
    );
    let pass = |name: &str| (name.to_owned(), Outcome::Pass);
    assert_eq!(
        phase_checks(created),
        [
            pass("link-source"),
            pass("link-followed[getWidget]"),
            pass("resource-readable[getWidget]"),
            pass("link-followed[deleteWidget]"),
            pass("gone-after-delete[getWidget after deleteWidget]"),
            pass("gone-after-delete[deleteWidget repeated]"),
        ],
        "{markdown}"
    );
    // The example phase created w2; the phase's own create is w3.
    assert_eq!(
        message(&report, ENTRY, "link-source"),
        "answered 201; following 2 link(s): getWidget, deleteWidget"
    );
    assert_eq!(
        message(&report, ENTRY, "link-followed[getWidget]"),
        "link getWidget → getWidget with id = \"w3\" (from $response.body#/id): GET /api/widgets/w3 answered 200"
    );
    assert_eq!(
        message(&report, ENTRY, "gone-after-delete[getWidget after deleteWidget]"),
        "GET /api/widgets/w3 answered 404 after DELETE /api/widgets/w3 answered 204"
    );
    assert_eq!(
        message(&report, ENTRY, "gone-after-delete[deleteWidget repeated]"),
        "DELETE /api/widgets/w3 answered 404 after DELETE /api/widgets/w3 answered 204"
    );
    // The answers got the example phase's checks, named by the call.
    assert_eq!(
        message(&report, ENTRY, "body-schema"),
        "the application/json body matches the schema documented for 201"
    );
    assert_eq!(
        message(&report, ENTRY, "required-headers"),
        "required headers present for 201: Location"
    );
    assert_eq!(
        message(&report, ENTRY, "body-schema[getWidget after deleteWidget]"),
        "the application/json body matches the schema documented for 404"
    );
    // Every check of the phase carries the exchange that decided it.
    assert!(created.checks.iter().all(|c| c.exchange.is_some()), "{markdown}");
    let (_, readable) =
        report.checks().find(|(_, c)| c.name() == "resource-readable[getWidget]").unwrap();
    let exchange = readable.exchange.as_ref().unwrap();
    assert_eq!(exchange.request.method, "GET");
    assert!(exchange.request.url.ends_with("/api/widgets/w3"), "{}", exchange.request.url);
    assert_eq!(exchange.request.headers, [("Authorization".to_owned(), "Bearer ***".to_owned())]);
}

#[test]
fn a_delete_that_keeps_the_resource_fails_gone_after_delete_and_nothing_else() {
    let server = TestServer::start(Bugs { delete_keeps_widget: true, ..Bugs::default() });
    let report = run_stateful(&fixture(), &server, "stateful-keeps", LinksPhase::default());
    let markdown = provsim_contracts::report::markdown::render(&report);
    let pair = |check: &str| (ENTRY.to_owned(), check.to_owned());
    assert_eq!(
        failures(&report),
        [
            pair("gone-after-delete[deleteWidget repeated]"),
            pair("gone-after-delete[getWidget after deleteWidget]"),
        ],
        "{markdown}"
    );
    assert_eq!(
        message(&report, ENTRY, "gone-after-delete[getWidget after deleteWidget]"),
        "GET /api/widgets/w3 answered 200 after DELETE /api/widgets/w3 answered 204: the deleted resource is still there; expected a documented 404"
    );
    assert_eq!(
        message(&report, ENTRY, "gone-after-delete[deleteWidget repeated]"),
        "DELETE /api/widgets/w3 answered 204 after DELETE /api/widgets/w3 answered 204: the resource was not deleted; expected a documented 404"
    );
    // Each failure carries the answer that shows it.
    let answered = |check: &str| {
        let (_, failed) = report.failures().find(|(_, c)| c.name() == check).unwrap();
        failed.exchange.as_ref().unwrap().response.as_ref().unwrap().status
    };
    assert_eq!(answered("gone-after-delete[getWidget after deleteWidget]"), 200);
    assert_eq!(answered("gone-after-delete[deleteWidget repeated]"), 204);
    assert!(
        markdown.contains(
            "### stateful: createWidget — gone-after-delete[getWidget after deleteWidget]"
        ),
        "{markdown}"
    );
}

#[test]
fn without_stateful_the_phase_does_not_run() {
    let server = TestServer::start(Bugs::default());
    let reports = TempDir::new("stateful-off");
    let args = args(server.url(), &reports);
    let report = run_with(&fixture(), &args, &mut [&mut LinksPhase::default()]).unwrap();
    assert!(report.operations.iter().all(|op| !op.name.starts_with("stateful")));
}

#[test]
fn a_document_without_links_gives_one_skipped_entry() {
    let doc = edited_fixture(|raw| {
        raw.pointer_mut(CREATED_201).unwrap().as_object_mut().unwrap().remove("links");
    });
    let server = TestServer::start(Bugs::default());
    let report = run_stateful(&doc, &server, "stateful-no-links", LinksPhase::default());
    let stateful: Vec<&OperationReport> =
        report.operations.iter().filter(|op| op.name.starts_with("stateful")).collect();
    assert_eq!(stateful.len(), 1);
    assert_eq!(stateful[0].name, "stateful");
    assert_eq!(phase_checks(stateful[0]), [("link-source".to_owned(), Outcome::Skip)]);
    assert_eq!(
        stateful[0].checks[0].message,
        "the document declares no links on any 2xx response: the stateful phase has nothing to follow"
    );
    assert!(!report.failed());
}

#[test]
fn a_create_whose_values_are_taken_is_retried_with_unique_ones() {
    // The server refuses a second widget of the same name with 409, which this copy of the
    // document declares; the example phase has already created "gear".
    let doc = edited_fixture(|raw| {
        let responses = raw.pointer_mut("/paths/~1widgets/post/responses").unwrap();
        responses["409"] = json!({"$ref": "#/components/responses/BadRequest"});
    });
    let server = TestServer::start_with_unique_names(Bugs::default());
    let report = run_stateful(&doc, &server, "stateful-retry", LinksPhase::with_unique_suffix("t"));
    let markdown = provsim_contracts::report::markdown::render(&report);
    assert_eq!(failures(&report), Vec::<(String, String)>::new(), "{markdown}");
    assert_eq!(
        message(&report, ENTRY, "status-documented[first attempt]"),
        "status 409 is documented"
    );
    assert_eq!(
        message(&report, ENTRY, "link-source"),
        "the example request answered 409 (Conflict): its values are taken (the example phase, or an earlier run, sent it); sent again with unique values (/name \"gear\" → \"geart0\"), it answered 201; following 2 link(s): getWidget, deleteWidget"
    );
    assert_eq!(
        phase_checks(entry(&report, ENTRY)).iter().filter(|(_, o)| *o == Outcome::Pass).count(),
        6,
        "{markdown}"
    );
}

#[test]
fn a_link_value_missing_from_the_answer_fails_link_followed() {
    let doc = edited_fixture(|raw| {
        let links = raw.pointer_mut(&format!("{CREATED_201}/links")).unwrap();
        links["getWidget"]["parameters"]["id"] = json!("$response.body#/widget_id");
    });
    let server = TestServer::start(Bugs::default());
    let report =
        run_stateful(&doc, &server, "stateful-missing", LinksPhase::with_unique_suffix("m"));
    let markdown = provsim_contracts::report::markdown::render(&report);
    assert_eq!(
        failures(&report),
        [(ENTRY.to_owned(), "link-followed[getWidget]".to_owned())],
        "{markdown}"
    );
    assert_eq!(
        message(&report, ENTRY, "link-followed[getWidget]"),
        "link getWidget → getWidget: id = $response.body#/widget_id: the answer's body has nothing at /widget_id"
    );
    // A 201 without the value looks like a create that met existing data: one retry was made.
    assert!(
        message(&report, ENTRY, "link-source")
            .starts_with("the example request answered 201 without a value link getWidget needs"),
        "{markdown}"
    );
    // The delete link still works; with no successful read, only the repeated delete is checked.
    let names: Vec<String> =
        phase_checks(entry(&report, ENTRY)).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "link-source",
            "link-followed[getWidget]",
            "link-followed[deleteWidget]",
            "gone-after-delete[deleteWidget repeated]"
        ]
    );
}
