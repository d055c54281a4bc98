//! A server that implements the document correctly passes every check, and every kind of
//! check actually ran.

use provsim_contracts::{Outcome, run};

use crate::support::server::{API_KEY, Bugs, TestServer};
use crate::support::{TempDir, args, failures, fixture, fixture_path, message, outcomes};

#[test]
fn a_correct_server_passes_every_check() {
    let server = TestServer::start(Bugs::default());
    let reports = TempDir::new("correct");
    let report = run(&fixture(), &args(server.url(), &reports)).unwrap();

    let markdown = provsim_contracts::report::markdown::render(&report);
    assert_eq!(failures(&report), Vec::<(String, String)>::new(), "{markdown}");
    assert!(!report.failed());
    assert_eq!(report.base_url, format!("{}api", server.url()));

    // Every kind of check ran, as often as the document asks for.
    let all_pass = |check: &str, n: usize| {
        let seen = outcomes(&report, check);
        assert_eq!(seen, vec![Outcome::Pass; n], "{check}\n{markdown}");
    };
    all_pass("status-documented", 5);
    all_pass("content-type-documented", 5);
    all_pass("body-schema", 4);
    all_pass("required-headers", 1);
    all_pass("method-not-allowed", 10);
    all_pass("auth-missing", 4);
    all_pass("auth-wrong", 4);
    all_pass("missing-required-field", 2);
    all_pass("wrong-type", 3);
    all_pass("malformed-body", 1);
    // listWidgets, getWidget and getStatus have example parameters only; served_at and
    // uptime_s change on every request and are ignored because they are x-volatile.
    all_pass("no-state-change", 3);

    // Reads ran before the delete, so the example widget was still there.
    assert_eq!(message(&report, "getWidget", "status-documented"), "status 200 is documented");
    assert_eq!(message(&report, "deleteWidget", "status-documented"), "status 204 is documented");
    assert_eq!(
        message(&report, "deleteWidget", "content-type-documented"),
        "status 204 documents no content and the body is empty"
    );
    // The JSONP answer was unwrapped and validated.
    assert_eq!(
        message(&report, "getStatus", "body-schema"),
        "the application/javascript body matches the schema documented for 200"
    );
    assert_eq!(message(&report, "PUT /widgets", "method-not-allowed"), "405 with Allow: GET, POST");
}

#[test]
fn query_key_credentials_from_spec_file_work_and_never_reach_the_report() {
    let server = TestServer::start(Bugs::default());
    let reports = TempDir::new("query-key");
    let mut args = args(server.url(), &reports);
    args.auth = vec![format!("query:api_key={API_KEY}").parse().unwrap()];
    args.spec = Some(fixture_path());
    // --spec replaces the document the caller passes: this one has no operations at all.
    let empty: openapiv3::OpenAPI = serde_json::from_str(
        r#"{"openapi": "3.0.3", "info": {"title": "empty", "version": "0"}, "paths": {}}"#,
    )
    .unwrap();
    let report = run(&empty, &args).unwrap();
    let markdown = provsim_contracts::report::markdown::render(&report);
    assert_eq!(failures(&report), Vec::<(String, String)>::new(), "{markdown}");
    assert_eq!(report.spec_title, "Widgets");

    let urls: Vec<&str> = report
        .checks()
        .filter_map(|(_, check)| check.exchange.as_ref())
        .map(|exchange| exchange.request.url.as_str())
        .collect();
    assert!(urls.iter().any(|url| url.contains("api_key=***")), "{urls:?}");
    assert!(urls.iter().any(|url| url.contains("api_key=provsim-wrong-***")), "{urls:?}");
    let junit = std::fs::read_to_string(report.write_junit(&args.report_dir).unwrap()).unwrap();
    let markdown =
        std::fs::read_to_string(report.write_markdown(&args.report_dir).unwrap()).unwrap();
    for text in [junit, markdown] {
        assert!(!text.contains(API_KEY), "a report shows the key");
    }
}
