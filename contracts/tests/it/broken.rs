//! A server with four deliberate bugs: the report names exactly those violations, and the
//! JUnit and Markdown files carry them.

use provsim_contracts::run;

use crate::support::server::{Bugs, TestServer};
use crate::support::{TempDir, args, failures, fixture, message};

fn pair(operation: &str, check: &str) -> (String, String) {
    (operation.to_owned(), check.to_owned())
}

#[test]
fn each_violation_is_reported_precisely() {
    let server = TestServer::start(Bugs {
        get_widget_answers_202: true,
        list_gives_size_as_string: true,
        put_widgets_405_without_allow: true,
        create_accepts_missing_size: true,
        ..Bugs::default()
    });
    let reports = TempDir::new("broken");
    let args = args(server.url(), &reports);
    let report = run(&fixture(), &args).unwrap();
    let markdown = provsim_contracts::report::markdown::render(&report);

    assert!(report.failed());
    assert_eq!(
        failures(&report),
        vec![
            pair("PUT /widgets", "method-not-allowed"),
            pair("createWidget", "missing-required-field[size]"),
            pair("getWidget", "status-documented"),
            pair("listWidgets", "body-schema"),
            // Accepting the body without `size` stored a widget: the rejected-changes-nothing
            // check sees it in the list. It is the same bug seen from the state side.
            pair("listWidgets", "no-state-change"),
        ],
        "{markdown}"
    );

    assert_eq!(
        message(&report, "getWidget", "status-documented"),
        "status 202 is not documented for getWidget (documented: 200, 401, 404)"
    );
    let body = message(&report, "listWidgets", "body-schema");
    assert!(
        body.starts_with("the application/json body does not match the schema documented for 200: at /0/size: \"2\" is not of type \"integer\""),
        "{body}"
    );
    assert_eq!(
        message(&report, "PUT /widgets", "method-not-allowed"),
        "405 without an Allow header (documented: GET, POST)"
    );
    assert_eq!(
        message(&report, "createWidget", "missing-required-field[size]"),
        "a body without required field \"size\" answered 201; expected a documented 4xx (documented: 201, 400, 401)"
    );
    assert_eq!(
        message(&report, "listWidgets", "no-state-change"),
        "the body changed after the negative requests (x-volatile fields ignored): at /: 1 items before, 2 after"
    );
    // The offending exchange is attached: method, URL, body and the answer.
    let (_, missing) =
        report.failures().find(|(_, c)| c.name() == "missing-required-field[size]").unwrap();
    let exchange = missing.exchange.as_ref().unwrap();
    assert_eq!(exchange.request.method, "POST");
    assert!(exchange.request.url.ends_with("/api/widgets"), "{}", exchange.request.url);
    assert_eq!(exchange.request.body.text, r#"{"name":"gear","color":null}"#);
    assert_eq!(exchange.response.as_ref().unwrap().status, 201);

    let junit_path = report.write_junit(&args.report_dir).unwrap();
    let markdown_path = report.write_markdown(&args.report_dir).unwrap();
    assert_eq!(junit_path, args.report_dir.join("conform-widgets.xml"));
    assert_eq!(markdown_path, args.report_dir.join("conform-widgets.md"));
    let junit = std::fs::read_to_string(junit_path).unwrap();
    let markdown = std::fs::read_to_string(markdown_path).unwrap();
    assert!(junit.contains(r#"failures="5""#), "{junit}");
    for (operation, check) in failures(&report) {
        assert!(
            junit.contains(&format!(r#"<testsuite name="{operation}""#)),
            "{operation} missing from JUnit"
        );
        assert!(
            junit.contains(&format!(r#"<testcase name="{check}""#)),
            "{check} missing from JUnit"
        );
        assert!(
            markdown.contains(&format!("### {operation} — {check}")),
            "{operation} {check} missing from Markdown"
        );
    }
    assert!(junit.contains("status 202 is not documented for getWidget"), "{junit}");
    assert!(junit.contains("405 without an Allow header"), "{junit}");
    assert!(markdown.contains("at /0/size: \"2\" is not of type \"integer\""), "{markdown}");
    assert!(markdown.contains("> POST http://127.0.0.1:"), "{markdown}");
    assert!(markdown.contains("< 201 ("), "{markdown}");
}
