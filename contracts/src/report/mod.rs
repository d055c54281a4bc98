//! The result of a run: per operation, per check, pass/fail/skip with a message and the
//! request and response that decided it; written as JUnit XML ([`junit`]) and Markdown
//! ([`markdown`]).

pub mod junit;
pub mod markdown;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ConformError;
use crate::exchange::Exchange;

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub family: String,
    /// The base URL the operations' paths were appended to.
    pub base_url: String,
    pub spec_title: String,
    pub spec_version: String,
    pub duration_ms: u64,
    /// Documented operations first (document order), then probes of undocumented methods,
    /// then entries of extra phases.
    pub operations: Vec<OperationReport>,
}

/// The checks that concern one operation (or one undocumented method of a path, or one
/// extra phase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationReport {
    /// `operationId`, `METHOD /path`, or a phase's name.
    pub name: String,
    pub method: Option<String>,
    pub path: Option<String>,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub check: CheckId,
    /// What the check was about within the operation, e.g. the field a negative body drops.
    pub subject: Option<String>,
    pub outcome: Outcome,
    pub message: String,
    /// The request and response that decided it (none for checks made without a request).
    pub exchange: Option<Box<Exchange>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Pass,
    Fail,
    /// Not checked, and why is in the message (e.g. a media type whose schema is not JSON).
    Skip,
}

/// The kinds of checks, with stable kebab-case ids used in reports and by CI filters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    /// The example request's status is one the operation documents.
    StatusDocumented,
    /// The response's media type is documented for that status (or the body is empty when
    /// none is).
    ContentTypeDocumented,
    /// The body validates against the documented schema.
    BodySchema,
    /// Every `required: true` response header is present.
    RequiredHeaders,
    /// An undocumented method answers 405 with `Allow` listing the documented methods.
    MethodNotAllowed,
    /// No credentials → a documented 401/403.
    AuthMissing,
    /// Wrong credentials → a documented 401/403.
    AuthWrong,
    /// The operation needs credentials and no `--auth` value fits its security requirement.
    Credentials,
    /// A body without one required field → a documented 4xx.
    MissingRequiredField,
    /// A body with one field of the wrong JSON type → a documented 4xx.
    WrongType,
    /// A body that is not JSON → a documented 4xx.
    MalformedBody,
    /// A GET answers the same before and after the negative requests.
    NoStateChange,
    /// Stateful phase: the request of an operation with `links` answered a documented 2xx,
    /// so its links could be followed (skipped, with the reason, when it did not).
    LinkSource,
    /// Stateful phase: a link's runtime expressions were evaluated and the linked operation
    /// was called with their values.
    LinkFollowed,
    /// Stateful phase: a linked GET of the resource just created answers 2xx.
    ResourceReadable,
    /// Stateful phase: after a linked DELETE answered 2xx, the linked GETs and the DELETE
    /// itself answer a documented 404 or 410.
    GoneAfterDelete,
    /// A check of an extra phase, named by the phase.
    Phase(String),
}

impl CheckId {
    pub fn as_str(&self) -> &str {
        match self {
            CheckId::StatusDocumented => "status-documented",
            CheckId::ContentTypeDocumented => "content-type-documented",
            CheckId::BodySchema => "body-schema",
            CheckId::RequiredHeaders => "required-headers",
            CheckId::MethodNotAllowed => "method-not-allowed",
            CheckId::AuthMissing => "auth-missing",
            CheckId::AuthWrong => "auth-wrong",
            CheckId::Credentials => "credentials",
            CheckId::MissingRequiredField => "missing-required-field",
            CheckId::WrongType => "wrong-type",
            CheckId::MalformedBody => "malformed-body",
            CheckId::NoStateChange => "no-state-change",
            CheckId::LinkSource => "link-source",
            CheckId::LinkFollowed => "link-followed",
            CheckId::ResourceReadable => "resource-readable",
            CheckId::GoneAfterDelete => "gone-after-delete",
            CheckId::Phase(name) => name,
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        })
    }
}

impl CheckResult {
    pub fn new(check: CheckId, outcome: Outcome, message: impl Into<String>) -> CheckResult {
        CheckResult { check, subject: None, outcome, message: message.into(), exchange: None }
    }

    pub fn pass(check: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(check, Outcome::Pass, message)
    }

    pub fn fail(check: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(check, Outcome::Fail, message)
    }

    pub fn skip(check: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(check, Outcome::Skip, message)
    }

    pub fn with_subject(mut self, subject: impl Into<String>) -> CheckResult {
        self.subject = Some(subject.into());
        self
    }

    pub fn with_exchange(mut self, exchange: &Exchange) -> CheckResult {
        self.exchange = Some(Box::new(exchange.clone()));
        self
    }

    /// `check` or `check[subject]`: unique within an operation, used as the JUnit test name.
    pub fn name(&self) -> String {
        match &self.subject {
            Some(subject) => format!("{}[{subject}]", self.check),
            None => self.check.to_string(),
        }
    }
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub n_passed: usize,
    pub n_failed: usize,
    pub n_skipped: usize,
}

impl Report {
    /// Whether any check failed; the process exit code follows it.
    pub fn failed(&self) -> bool {
        self.checks().any(|(_, check)| check.outcome == Outcome::Fail)
    }

    /// Every check with the operation it belongs to.
    pub fn checks(&self) -> impl Iterator<Item = (&OperationReport, &CheckResult)> {
        self.operations.iter().flat_map(|op| op.checks.iter().map(move |check| (op, check)))
    }

    /// Every failed check with the operation it belongs to.
    pub fn failures(&self) -> impl Iterator<Item = (&OperationReport, &CheckResult)> {
        self.checks().filter(|(_, check)| check.outcome == Outcome::Fail)
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for (_, check) in self.checks() {
            match check.outcome {
                Outcome::Pass => summary.n_passed += 1,
                Outcome::Fail => summary.n_failed += 1,
                Outcome::Skip => summary.n_skipped += 1,
            }
        }
        summary
    }

    /// Writes `conform-<family>.xml` (JUnit) into `dir`, creating it; returns the file's path.
    ///
    /// # Errors
    /// [`ConformError::ReportWrite`], [`ConformError::Junit`].
    pub fn write_junit(&self, dir: &Path) -> Result<PathBuf, ConformError> {
        let text = junit::render(self)?;
        write_file(dir, &format!("conform-{}.xml", file_stem(&self.family)), &text)
    }

    /// Writes `conform-<family>.md` into `dir`, creating it; returns the file's path.
    ///
    /// # Errors
    /// [`ConformError::ReportWrite`].
    pub fn write_markdown(&self, dir: &Path) -> Result<PathBuf, ConformError> {
        let text = markdown::render(self);
        write_file(dir, &format!("conform-{}.md", file_stem(&self.family)), &text)
    }
}

/// The family name made safe for a file name (it comes from the command line).
fn file_stem(family: &str) -> String {
    let stem: String = family
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    if stem.is_empty() { "unnamed".to_owned() } else { stem }
}

fn write_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf, ConformError> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir)
        .map_err(|source| ConformError::ReportWrite { path: dir.to_owned(), source })?;
    std::fs::write(&path, text)
        .map_err(|source| ConformError::ReportWrite { path: path.clone(), source })?;
    Ok(path)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::exchange::{RecordedBody, RecordedRequest, RecordedResponse};

    /// A small report with one pass, one failure (with an exchange) and one skip.
    pub(crate) fn sample() -> Report {
        let exchange = Exchange {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://h/api/widgets/w1".into(),
                headers: vec![("Authorization".into(), "Bearer ***".into())],
                body: RecordedBody::new(b""),
            },
            response: Ok(RecordedResponse {
                status: 202,
                headers: vec![("content-type".into(), "application/json".into())],
                body: RecordedBody::new(b"{\"id\":\"w1\",\"note\":\"```|<x>&\"}"),
            }),
            elapsed_ms: 4,
        };
        Report {
            family: "widgets/test".into(),
            base_url: "http://h/api".into(),
            spec_title: "Widgets".into(),
            spec_version: "1.0".into(),
            duration_ms: 12,
            operations: vec![OperationReport {
                name: "getWidget".into(),
                method: Some("GET".into()),
                path: Some("/widgets/{id}".into()),
                checks: vec![
                    CheckResult::fail(
                        CheckId::StatusDocumented,
                        "status 202 is not documented (documented: 200, 404)",
                    )
                    .with_exchange(&exchange),
                    CheckResult::pass(CheckId::AuthMissing, "401 without credentials"),
                    CheckResult::skip(CheckId::WrongType, "no JSON body").with_subject("size"),
                ],
            }],
        }
    }

    #[test]
    fn counts_and_failures() {
        let report = sample();
        assert!(report.failed());
        assert_eq!(report.summary(), Summary { n_passed: 1, n_failed: 1, n_skipped: 1 });
        let names: Vec<String> = report.checks().map(|(_, c)| c.name()).collect();
        assert_eq!(names, ["status-documented", "auth-missing", "wrong-type[size]"]);
        assert_eq!(file_stem("widgets/test"), "widgets_test");
    }
}
