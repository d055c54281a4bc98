//! The report as JUnit XML for CI: one test suite per operation, one test case per check,
//! failures carrying the message and the request/response transcript.

use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{Outcome, Report};
use crate::error::ConformError;

/// # Errors
/// [`ConformError::Junit`] if the XML cannot be serialised.
pub fn render(report: &Report) -> Result<String, ConformError> {
    let mut junit = quick_junit::Report::new(format!("provsim conform {}", report.family));
    junit.set_time(Duration::from_millis(report.duration_ms));
    for operation in &report.operations {
        let mut suite = TestSuite::new(operation.name.as_str());
        if let (Some(method), Some(path)) = (&operation.method, &operation.path) {
            suite.add_property(("operation", format!("{method} {path}").as_str()));
        }
        for check in &operation.checks {
            let mut status = match check.outcome {
                Outcome::Pass => TestCaseStatus::success(),
                Outcome::Fail => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_type(check.check.as_str());
                    if let Some(exchange) = &check.exchange {
                        status.set_description(exchange.transcript());
                    }
                    status
                }
                Outcome::Skip => TestCaseStatus::skipped(),
            };
            if check.outcome != Outcome::Pass {
                status.set_message(check.message.as_str());
            }
            let mut case = TestCase::new(check.name(), status);
            case.set_classname(format!("{}.{}", report.family, operation.name));
            if let Some(exchange) = &check.exchange {
                case.set_time(Duration::from_millis(exchange.elapsed_ms));
            }
            if check.outcome == Outcome::Pass {
                // Passing checks keep their message (what was checked) out of the way.
                case.set_system_out(check.message.as_str());
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|error| ConformError::Junit(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_message_type_and_transcript() {
        let xml = render(&crate::report::tests::sample()).unwrap();
        assert!(
            xml.contains(
                r#"<testsuite name="getWidget" tests="3" skipped="1" errors="0" failures="1">"#
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                r#"<testcase name="status-documented" classname="widgets/test.getWidget""#
            ),
            "{xml}"
        );
        assert!(xml.contains(r#"type="status-documented""#), "{xml}");
        assert!(xml.contains("status 202 is not documented (documented: 200, 404)"), "{xml}");
        assert!(xml.contains("&gt; GET http://h/api/widgets/w1"), "{xml}");
        assert!(xml.contains("&lt;x&gt;&amp;"), "{xml}");
        assert!(xml.contains(r#"<testcase name="wrong-type[size]""#), "{xml}");
        assert!(xml.contains("<skipped"), "{xml}");
    }
}
