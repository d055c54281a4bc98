//! Helpers shared by the integration tests: the fixture document, the test server, and
//! arguments for a run.

pub mod server;

use std::path::PathBuf;

use openapiv3::OpenAPI;
use provsim_contracts::{ConformArgs, Outcome, Report};

/// The path of the fixture document.
pub fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/widgets.yaml")
}

pub fn fixture() -> OpenAPI {
    provsim_contracts::load_spec(&fixture_path()).expect("the fixture parses")
}

/// Arguments for a run against `target` with the bearer token, reports in `report_dir`.
pub fn args(target: url::Url, report_dir: &TempDir) -> ConformArgs {
    let mut args = ConformArgs::new(target, "widgets");
    args.auth.push(format!("bearer:{}", server::TOKEN).parse().unwrap());
    args.report_dir = report_dir.path.clone();
    args.timeout_ms = 5_000;
    // Progress lines go straight to stderr, past the test harness's capture.
    args.quiet = true;
    args
}

/// `(operation, check[subject])` of every failed check, sorted, for exact comparisons.
pub fn failures(report: &Report) -> Vec<(String, String)> {
    let mut failed: Vec<(String, String)> =
        report.failures().map(|(op, check)| (op.name.clone(), check.name())).collect();
    failed.sort();
    failed
}

/// The message of one check, for assertions on wording.
pub fn message(report: &Report, operation: &str, check: &str) -> String {
    let (_, found) = report
        .checks()
        .find(|(op, c)| op.name == operation && c.name() == check)
        .unwrap_or_else(|| panic!("no check {check} on {operation}"));
    found.message.clone()
}

/// Every check of one kind, for "it ran" assertions.
pub fn outcomes(report: &Report, check: &str) -> Vec<Outcome> {
    report.checks().filter(|(_, c)| c.check.as_str() == check).map(|(_, c)| c.outcome).collect()
}

/// A fresh directory under the system's temporary directory, removed on drop (no tempfile
/// crate for the one place that needs it).
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("provsim-contracts-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
